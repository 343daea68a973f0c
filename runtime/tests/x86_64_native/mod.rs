//! Differential testing against the host CPU (x86_64): an instruction
//! sequence runs natively from a given register state (loaded with
//! `fxrstor64`, so x87, MXCSR and the xmm registers too) and through the
//! semantics on the interpreter's `Eval`, and the states afterwards must
//! agree.

#![allow(dead_code)]

use c2w_isa::x86_64::{self, flags};
use c2w_isa::Cpu;
use c2w_runtime::interp::{Eval, GuestMem, Stop};

/// The state a sequence runs from and ends with, as the hardware keeps it:
/// the `fxsave` area, the general-purpose registers and RFLAGS.
#[repr(C, align(16))]
#[derive(Clone, Copy)]
pub struct Native {
    pub fx: [u8; 512],
    pub gpr: [u64; 16],
    pub rflags: u64,
    /// Where the instructions under test start and end (filled in by the
    /// native run).
    pub start: u64,
    pub end: u64,
}

/// The arithmetic flags of RFLAGS.
pub const ARITH: u64 = 0x8d5;

/// Guest address of the data buffer that rsi points to.
pub const DATA: u64 = 0x8000;
/// Bytes of that buffer.
pub const DATA_LEN: usize = 512;

impl Native {
    pub fn new() -> Native {
        let mut n = Native {
            fx: [0; 512],
            gpr: [0; 16],
            rflags: 0x202,
            start: 0,
            end: 0,
        };
        n.set_fcw(0x37f);
        n.set_mxcsr(0x1f80);
        n
    }
    pub fn u16_at(&self, o: usize) -> u16 {
        u16::from_le_bytes(self.fx[o..o + 2].try_into().unwrap())
    }
    pub fn u32_at(&self, o: usize) -> u32 {
        u32::from_le_bytes(self.fx[o..o + 4].try_into().unwrap())
    }
    pub fn u64_at(&self, o: usize) -> u64 {
        u64::from_le_bytes(self.fx[o..o + 8].try_into().unwrap())
    }
    pub fn put(&mut self, o: usize, bytes: &[u8]) {
        self.fx[o..o + bytes.len()].copy_from_slice(bytes);
    }
    pub fn fcw(&self) -> u16 {
        self.u16_at(0)
    }
    pub fn set_fcw(&mut self, v: u16) {
        self.put(0, &v.to_le_bytes());
    }
    pub fn fsw(&self) -> u16 {
        self.u16_at(2)
    }
    pub fn set_fsw(&mut self, v: u16) {
        self.put(2, &v.to_le_bytes());
    }
    /// Abridged tag: bit i set when physical register i is valid.
    pub fn ftw(&self) -> u8 {
        self.fx[4]
    }
    pub fn set_ftw(&mut self, v: u8) {
        self.fx[4] = v;
    }
    pub fn mxcsr(&self) -> u32 {
        self.u32_at(24)
    }
    pub fn set_mxcsr(&mut self, v: u32) {
        self.put(24, &v.to_le_bytes());
        self.put(28, &0xffffu32.to_le_bytes());
    }
    /// ST(i) (stack order): significand and sign/exponent.
    pub fn st(&self, i: usize) -> (u64, u16) {
        (self.u64_at(32 + 16 * i), self.u16_at(40 + 16 * i))
    }
    pub fn set_st(&mut self, i: usize, v: (u64, u16)) {
        self.put(32 + 16 * i, &v.0.to_le_bytes());
        self.put(40 + 16 * i, &v.1.to_le_bytes());
    }
    pub fn xmm(&self, n: usize) -> [u64; 2] {
        [self.u64_at(160 + 16 * n), self.u64_at(168 + 16 * n)]
    }
    pub fn set_xmm(&mut self, n: usize, v: [u64; 2]) {
        self.put(160 + 16 * n, &v[0].to_le_bytes());
        self.put(168 + 16 * n, &v[1].to_le_bytes());
    }
}

/// Defines a function that runs `$insn` (Intel syntax, any number of
/// instructions separated by newlines) natively on a [`Native`] state.
#[macro_export]
macro_rules! native {
    ($insn:expr) => {{
        fn run(s: &mut $crate::x86_64_native::Native) {
            unsafe {
                core::arch::asm!(
                    "push rbp",
                    "push rbx",
                    "push rdi",
                    "fxrstor64 [rdi]",
                    "push qword ptr [rdi + 640]",
                    "popfq",
                    "mov rax, [rdi + 512]",
                    "mov rcx, [rdi + 520]",
                    "mov rdx, [rdi + 528]",
                    "mov rbx, [rdi + 536]",
                    "mov rbp, [rdi + 552]",
                    "mov rsi, [rdi + 560]",
                    "mov r8, [rdi + 576]",
                    "mov r9, [rdi + 584]",
                    "mov r10, [rdi + 592]",
                    "mov r11, [rdi + 600]",
                    "mov r12, [rdi + 608]",
                    "mov r13, [rdi + 616]",
                    "mov r14, [rdi + 624]",
                    "mov r15, [rdi + 632]",
                    "mov rdi, [rdi + 568]",
                    "2:",
                    $insn,
                    "3:",
                    "xchg rdi, [rsp]",
                    "mov [rdi + 512], rax",
                    "mov [rdi + 520], rcx",
                    "mov [rdi + 528], rdx",
                    "mov [rdi + 536], rbx",
                    "mov [rdi + 552], rbp",
                    "mov [rdi + 560], rsi",
                    "mov [rdi + 576], r8",
                    "mov [rdi + 584], r9",
                    "mov [rdi + 592], r10",
                    "mov [rdi + 600], r11",
                    "mov [rdi + 608], r12",
                    "mov [rdi + 616], r13",
                    "mov [rdi + 624], r14",
                    "mov [rdi + 632], r15",
                    "pop rax",
                    "mov [rdi + 568], rax",
                    "pushfq",
                    "pop qword ptr [rdi + 640]",
                    "fxsave64 [rdi]",
                    "lea rax, [rip + 2b]",
                    "mov [rdi + 648], rax",
                    "lea rax, [rip + 3b]",
                    "mov [rdi + 656], rax",
                    "fninit",
                    "push 0x1f80",
                    "ldmxcsr [rsp]",
                    "add rsp, 8",
                    "pop rbx",
                    "pop rbp",
                    inout("rdi") s as *mut $crate::x86_64_native::Native => _,
                    out("rax") _, out("rcx") _, out("rdx") _, out("rsi") _,
                    out("r8") _, out("r9") _, out("r10") _, out("r11") _,
                    out("r12") _, out("r13") _, out("r14") _, out("r15") _,
                    clobber_abi("C"),
                );
            }
        }
        ($insn, run as fn(&mut $crate::x86_64_native::Native))
    }};
}

/// Runs `f` natively from `s`, with rsi pointing at a copy of `data`.
/// A test case: the instruction's text and its native wrapper.
pub type Case = (&'static str, fn(&mut Native));

/// Random states each case runs from.
pub const RUNS: usize = 300;

/// Fails the test with every failing case, if any.
pub fn report(failures: Vec<String>) {
    if !failures.is_empty() {
        panic!("{} failing:\n{}", failures.len(), failures.join("\n"));
    }
}

pub fn run_native(f: fn(&mut Native), s: &Native, data: &mut [u8; DATA_LEN]) -> Native {
    let mut n = *s;
    n.gpr[6] = data.as_mut_ptr() as u64;
    f(&mut n);
    let ptr = data.as_mut_ptr() as u64;
    for r in &mut n.gpr {
        if *r == ptr {
            *r = DATA;
        }
    }
    n.gpr[6] = s.gpr[6];
    n
}

/// The instruction bytes a native run executed.
pub fn code(n: &Native) -> &'static [u8] {
    unsafe { core::slice::from_raw_parts(n.start as *const u8, (n.end - n.start) as usize) }
}

/// MXCSR exception flags (bit) and their accrued-flag bit.
const MXCSR_FLAGS: [(u32, u32); 6] = [(0, 4), (1, 5), (2, 3), (3, 2), (4, 1), (5, 0)];

pub fn to_cpu(s: &Native) -> Cpu {
    let mut cpu = Cpu::new(0);
    cpu.x[..16].copy_from_slice(&s.gpr);
    cpu.x[6] = DATA;
    for n in 0..16 {
        let v = s.xmm(n);
        cpu.f[2 * n] = v[0];
        cpu.f[2 * n + 1] = v[1];
    }
    let m = s.mxcsr();
    cpu.frm = u64::from(m & 0xffc0);
    cpu.fflags = MXCSR_FLAGS
        .iter()
        .filter(|(b, _)| m >> b & 1 != 0)
        .map(|(_, f)| 1 << f)
        .sum();
    cpu.flags_op = 0;
    cpu.flags_r = s.rflags & ARITH;
    cpu.df = s.rflags >> 10 & 1;
    cpu.fpu_cw = u64::from(s.fcw());
    let sw = s.fsw();
    cpu.fpu_top = u64::from(sw >> 11 & 7);
    cpu.fpu_sw = u64::from(sw & !(7 << 11));
    cpu.fpu_empty = u64::from(!s.ftw());
    for j in 0..8 {
        let p = (cpu.fpu_top as usize + j) & 7;
        let (m, e) = s.st(j);
        cpu.st[p] = [m, u64::from(e)];
    }
    cpu
}

pub fn from_cpu(cpu: &Cpu, rflags: u64, like: &Native) -> Native {
    let mut s = *like;
    s.gpr.copy_from_slice(&cpu.x[..16]);
    s.gpr[6] = like.gpr[6];
    for n in 0..16 {
        s.set_xmm(n, [cpu.f[2 * n], cpu.f[2 * n + 1]]);
    }
    let flags: u32 = MXCSR_FLAGS
        .iter()
        .filter(|(_, f)| cpu.fflags >> f & 1 != 0)
        .map(|(b, _)| 1 << b)
        .sum();
    s.set_mxcsr(cpu.frm as u32 | flags);
    s.rflags = rflags;
    s.set_fcw(cpu.fpu_cw as u16);
    s.set_fsw((cpu.fpu_sw as u16 & !(7 << 11)) | (cpu.fpu_top as u16) << 11);
    s.set_ftw(!(cpu.fpu_empty as u8));
    for j in 0..8 {
        let p = (cpu.fpu_top as usize + j) & 7;
        s.set_st(j, (cpu.st[p][0], cpu.st[p][1] as u16));
    }
    s
}

/// Runs `bytes` through the semantics from `s`, with guest memory holding
/// `data` at [`DATA`] (rsi). `Err` with a message if an instruction traps.
pub fn run_emulated(bytes: &[u8], s: &Native, data: &mut [u8; DATA_LEN]) -> Result<Native, String> {
    let mut cpu = to_cpu(s);
    let mut mem = vec![0u8; DATA as usize + DATA_LEN];
    mem[DATA as usize..].copy_from_slice(data);
    let mut clock = || 0u64;
    let mut off = 0usize;
    let rflags;
    {
        let mut eval = Eval::new(&mut cpu, GuestMem::new(&mut mem), &mut clock);
        while off < bytes.len() {
            let inst = x86_64::decode(&bytes[off..], 0x1000 + off as u64).ok_or("truncated")?;
            if inst.is_illegal() {
                return Err(format!("not implemented: {inst}"));
            }
            eval.start(0x1000 + off as u64 + u64::from(inst.len()));
            x86_64::execute(&mut eval, &inst, 0x1000 + off as u64);
            match eval.stop() {
                Stop::None => {}
                s => return Err(format!("{inst}: {s:?}")),
            }
            off += usize::from(inst.len());
        }
        let f = flags::materialize(&mut eval);
        rflags = f;
    }
    data.copy_from_slice(&mem[DATA as usize..]);
    let df = cpu.df;
    Ok(from_cpu(
        &cpu,
        rflags | (s.rflags & !ARITH & !(1 << 10)) | df << 10,
        s,
    ))
}

/// Differences between two end states (empty if they agree). `x87` also
/// compares the x87 registers and words; FOP/FIP/FDP never.
pub fn diff(want: &Native, got: &Native, x87: bool) -> Vec<String> {
    let mut d = Vec::new();
    for n in 0..16 {
        if want.xmm(n) != got.xmm(n) {
            d.push(format!(
                "xmm{n}: want {:016x}_{:016x} got {:016x}_{:016x}",
                want.xmm(n)[1],
                want.xmm(n)[0],
                got.xmm(n)[1],
                got.xmm(n)[0]
            ));
        }
    }
    for r in 0..16 {
        if want.gpr[r] != got.gpr[r] {
            d.push(format!(
                "gpr{r}: want {:016x} got {:016x}",
                want.gpr[r], got.gpr[r]
            ));
        }
    }
    if want.mxcsr() != got.mxcsr() {
        d.push(format!(
            "mxcsr: want {:08x} got {:08x}",
            want.mxcsr(),
            got.mxcsr()
        ));
    }
    if want.rflags & ARITH != got.rflags & ARITH {
        d.push(format!(
            "rflags: want {:03x} got {:03x}",
            want.rflags & ARITH,
            got.rflags & ARITH
        ));
    }
    if x87 {
        if want.fcw() != got.fcw() {
            d.push(format!(
                "fcw: want {:04x} got {:04x}",
                want.fcw(),
                got.fcw()
            ));
        }
        if want.fsw() & 0x7fff != got.fsw() & 0x7fff {
            d.push(format!(
                "fsw: want {:04x} got {:04x}",
                want.fsw(),
                got.fsw()
            ));
        }
        if want.ftw() != got.ftw() {
            d.push(format!(
                "ftw: want {:02x} got {:02x}",
                want.ftw(),
                got.ftw()
            ));
        }
        for j in 0..8 {
            let p = (want.fsw() as usize >> 11) + j & 7;
            let valid = want.ftw() >> p & 1 != 0;
            if valid && want.st(j) != got.st(j) {
                d.push(format!(
                    "st{j}: want {:04x}:{:016x} got {:04x}:{:016x}",
                    want.st(j).1,
                    want.st(j).0,
                    got.st(j).1,
                    got.st(j).0
                ));
            }
        }
    }
    d
}

/// A small deterministic random generator (xorshift64*).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// A single-precision value's bits, often an edge case.
    pub fn f32(&mut self) -> u64 {
        const EDGE: [u32; 16] = [
            0,
            0x8000_0000,
            0x3f80_0000,
            0xbf80_0000,
            0x7f80_0000,
            0xff80_0000,
            0x7fc0_0000,
            0xffc0_0001,
            0x7fa0_0002,
            0x0000_0001,
            0x807f_ffff,
            0x0080_0000,
            0x7f7f_ffff,
            0x4f00_0000,
            0xcf00_0000,
            0x3f00_0000,
        ];
        match self.below(5) {
            0 => u64::from(EDGE[self.below(16) as usize]),
            4 => {
                // Near the bottom of the range: denormals and tiny normals.
                let e = (self.below(24) as u32) << 23;
                let m = self.next() as u32 & 0x807f_ffff;
                u64::from(e | m)
            }
            1 => {
                // Small integers and halves.
                let v = (self.below(64) as f32 - 32.0) * 0.5;
                u64::from(v.to_bits())
            }
            _ => {
                // Random exponent near 1.
                let e = (127 + self.below(60) as u32 - 30) << 23;
                let m = self.next() as u32 & 0x807f_ffff;
                u64::from(e | m)
            }
        }
    }
    /// A double-precision value's bits, often an edge case.
    pub fn f64(&mut self) -> u64 {
        const EDGE: [u64; 18] = [
            0,
            1 << 63,
            0x3ff0_0000_0000_0000,
            0xbff0_0000_0000_0000,
            0x7ff0_0000_0000_0000,
            0xfff0_0000_0000_0000,
            0x7ff8_0000_0000_0000,
            0xfff8_0000_0000_0001,
            0x7ff4_0000_0000_0002,
            1,
            0x800f_ffff_ffff_ffff,
            0x0010_0000_0000_0000,
            0x7fef_ffff_ffff_ffff,
            0x41e0_0000_0000_0000,
            0xc3e0_0000_0000_0000,
            0x43e0_0000_0000_0000,
            0x3fe0_0000_0000_0000,
            0x3810_0000_0000_0000,
        ];
        match self.below(5) {
            0 => EDGE[self.below(18) as usize],
            4 => {
                // Near the bottom of the range, and where floats end.
                let e = if self.below(2) == 0 {
                    self.below(54)
                } else {
                    1023 - 126 - 24 + self.below(26)
                } << 52;
                let m = self.next() & 0x800f_ffff_ffff_ffff;
                e | m
            }
            1 => {
                let v = (self.below(64) as f64 - 32.0) * 0.5;
                v.to_bits()
            }
            _ => {
                let e = (1023 + self.below(80) - 40) << 52;
                let m = self.next() & 0x800f_ffff_ffff_ffff;
                e | m
            }
        }
    }
    /// 128 bits: four singles, two doubles, or random bytes.
    pub fn xmm(&mut self) -> [u64; 2] {
        match self.below(3) {
            0 => {
                let mut v = [0u64; 2];
                for h in &mut v {
                    *h = self.f32() | self.f32() << 32;
                }
                v
            }
            1 => [self.f64(), self.f64()],
            _ => {
                let mut v = [self.next(), self.next()];
                // Some zero and 0xff bytes, as string functions see.
                if self.below(2) == 0 {
                    let m = self.next();
                    v[0] &= m | 0x00ff_00ff_00ff_00ff;
                    v[1] &= !m | 0xff00_0000_ff00_00ff;
                }
                v
            }
        }
    }
}

/// A random start state: xmm registers, MXCSR rounding, GPRs, flags, data.
pub fn random_state(rng: &mut Rng) -> (Native, [u8; DATA_LEN]) {
    let mut s = Native::new();
    for n in 0..16 {
        let v = rng.xmm();
        s.set_xmm(n, v);
    }
    let rc = rng.below(4) as u32;
    let rc = if rng.below(2) == 0 { 0 } else { rc };
    let flags = if rng.below(4) == 0 { 0x3f } else { 0 };
    // FTZ (bit 15) and DAZ (bit 6), each now and then.
    let ftz = if rng.below(4) == 0 { 0x8000 } else { 0 };
    let daz = if rng.below(4) == 0 { 0x40 } else { 0 };
    s.set_mxcsr(0x1f80 | rc << 13 | flags | ftz | daz);
    for r in 0..16 {
        s.gpr[r] = match rng.below(3) {
            0 => rng.next(),
            1 => rng.below(40),
            _ => rng.f64(),
        };
    }
    s.gpr[4] = 0;
    s.rflags = 0x202 | (rng.next() & ARITH);
    let mut data = [0u8; DATA_LEN];
    for c in data.chunks_mut(16) {
        let v = rng.xmm();
        c[..8].copy_from_slice(&v[0].to_le_bytes());
        c[8..].copy_from_slice(&v[1].to_le_bytes());
    }
    (s, data)
}

/// Runs each case `n` times from random states and returns the failures.
pub fn check_all(cases: &[(&str, fn(&mut Native))], n: usize, x87: bool, seed: u64) -> Vec<String> {
    let mut failures = Vec::new();
    for (k, &(name, f)) in cases.iter().enumerate() {
        let mut rng = Rng(seed ^ (k as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        for _ in 0..n {
            let (mut s, data) = random_state(&mut rng);
            if x87 {
                random_x87(&mut rng, &mut s);
            }
            let mut nd = data;
            let want = run_native(f, &s, &mut nd);
            let mut ed = data;
            let got = match run_emulated(code(&want), &s, &mut ed) {
                Ok(g) => g,
                Err(e) => {
                    failures.push(format!("{name}: {e}"));
                    break;
                }
            };
            let mut d = diff(&want, &got, x87);
            if nd != ed {
                d.push("memory differs".into());
            }
            if !d.is_empty() {
                let inputs: Vec<String> = (0..4)
                    .map(|n| format!("xmm{n}={:016x}_{:016x}", s.xmm(n)[1], s.xmm(n)[0]))
                    .collect();
                let x87_in = if x87 {
                    let st: Vec<String> = (0..3)
                        .map(|j| format!("st{j}={:04x}:{:016x}", s.st(j).1, s.st(j).0))
                        .collect();
                    format!(" fcw={:04x} {}", s.fcw(), st.join(" "))
                } else {
                    String::new()
                };
                failures.push(format!(
                    "{name}:{x87_in} mxcsr={:08x} {} [rsi]={:02x?}: {}",
                    s.mxcsr(),
                    inputs.join(" "),
                    &data[..16],
                    d.join("; ")
                ));
                break;
            }
        }
    }
    failures
}

/// An 80-bit value, often an edge case.
pub fn f80(rng: &mut Rng) -> (u64, u16) {
    match rng.below(5) {
        0 => {
            const EDGE: [(u64, u16); 10] = [
                (0, 0),
                (0, 0x8000),
                (1 << 63, 0x3fff),
                (1 << 63, 0xbfff),
                (1 << 63, 0x7fff),
                (1 << 63, 0xffff),
                (3 << 62, 0x7fff),
                (5 << 61, 0xffff),
                (1, 0),
                (u64::MAX, 0x7ffe),
            ];
            EDGE[rng.below(10) as usize]
        }
        1 => {
            let v = (rng.below(64) as f64 - 32.0) * 0.5;
            let b = v.to_bits();
            if v == 0.0 {
                (0, (b >> 48) as u16 & 0x8000)
            } else {
                let e = ((b >> 52) & 0x7ff) as u16 + 16383 - 1023;
                ((b << 11) | 1 << 63, e | (b >> 48) as u16 & 0x8000)
            }
        }
        _ => {
            let e = 16383 + rng.below(80) as u16 - 40;
            (rng.next() | 1 << 63, e | (rng.below(2) as u16) << 15)
        }
    }
}

/// A random x87 state: a stack of a few valid values at a random top.
pub fn random_x87(rng: &mut Rng, s: &mut Native) {
    let top = rng.below(8) as u16;
    let depth = 2 + rng.below(5) as u16;
    let mut tags = 0u8;
    for j in 0..8u16 {
        let p = (top + j) & 7;
        if j < depth {
            tags |= 1 << p;
        }
        let v = f80(rng);
        s.set_st(j as usize, v);
    }
    s.set_ftw(tags);
    s.set_fsw(top << 11);
    let rc = if rng.below(2) == 0 {
        0
    } else {
        rng.below(4) as u16
    };
    let pc = if rng.below(4) == 0 { 2 } else { 3 };
    s.set_fcw(0x37f & !(3 << 8) | pc << 8 | rc << 10);
}
