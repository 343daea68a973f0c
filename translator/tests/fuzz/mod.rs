//! Support of the x86_64 differential instruction fuzzer
//! (`tests/x86_64_fuzz.rs`): the generator of random instruction sequences
//! ([`gen`]), the program that runs them ([`program`]), the forms left out
//! because of known bugs ([`known_bugs`]), and the record every case
//! stores ([`Record`]).
#![allow(dead_code)]

pub mod gen;
pub mod known_bugs;
pub mod program;

use known_bugs::*;

/// A small deterministic generator (splitmix64; the same one the ISA
/// crate's native differential tests use).
#[derive(Clone)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
    pub fn chance(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
    /// An integer biased towards the edges of every width.
    pub fn value(&mut self) -> u64 {
        const EDGES: [u64; 16] = [
            0,
            1,
            2,
            u64::MAX,
            0x7f,
            0x80,
            0xff,
            0x7fff,
            0x8000,
            0xffff,
            0x7fff_ffff,
            0x8000_0000,
            0xffff_ffff,
            i64::MAX as u64,
            i64::MIN as u64,
            0x1_0000_0000,
        ];
        match self.below(8) {
            0 | 1 => self.pick(&EDGES),
            2 => self.below(64),
            3 => self.pick(&EDGES).wrapping_add(self.below(5)).wrapping_sub(2),
            4 => self.next() >> self.below(64),
            5 => (self.next() as i64 >> self.below(64)) as u64,
            _ => self.next(),
        }
    }
    /// A double biased towards the special ones (zeros, infinities, NaNs,
    /// denormals, integers at the conversion limits, halves).
    pub fn f64_bits(&mut self) -> u64 {
        const EDGES: [u64; 24] = [
            0,
            1 << 63,                          // -0.0
            0x3ff0_0000_0000_0000,            // 1.0
            0xbff0_0000_0000_0000,            // -1.0
            0x3fe0_0000_0000_0000,            // 0.5
            0x4004_0000_0000_0000,            // 2.5
            0xc00c_0000_0000_0000,            // -3.5
            0x7ff0_0000_0000_0000,            // inf
            0xfff0_0000_0000_0000,            // -inf
            0x7ff8_0000_0000_0000,            // qNaN
            0xfff8_0000_0000_0123,            // -qNaN with payload
            0x7ff0_0000_0000_0001,            // sNaN
            0x0000_0000_0000_0001,            // smallest denormal
            0x000f_ffff_ffff_ffff,            // largest denormal
            0x8010_0000_0000_0000,            // -smallest normal
            0x7fef_ffff_ffff_ffff,            // max
            0x43e0_0000_0000_0000,            // 2^63
            0xc3e0_0000_0000_0000,            // -2^63
            0x41e0_0000_0000_0000,            // 2^31
            0xc1e0_0000_0020_0000,            // -2^31 - 1
            0x43f0_0000_0000_0000,            // 2^64
            0x4330_0000_0000_0001,            // 2^52 + 1
            0x3ca0_0000_0000_0000,            // 2^-53
            0x4059_0000_0000_0000,            // 100.0
        ];
        match self.below(6) {
            0 | 1 => self.pick(&EDGES),
            2 => (self.range(-40, 40) as f64 / 4.0).to_bits(),
            3 => {
                // Random mantissa, small exponent.
                let e = self.range(1023 - 70, 1023 + 70) as u64;
                (self.next() & 0x800f_ffff_ffff_ffff) | e << 52
            }
            4 => self.next() & 0x800f_ffff_ffff_ffff, // denormal
            _ => self.next(),
        }
    }
    pub fn f32_bits(&mut self) -> u32 {
        const EDGES: [u32; 20] = [
            0,
            0x8000_0000,
            0x3f80_0000,
            0xbf80_0000,
            0x3f00_0000,
            0x4020_0000,
            0x7f80_0000,
            0xff80_0000,
            0x7fc0_0000,
            0xffc0_0123,
            0x7f80_0001,
            0x0000_0001,
            0x007f_ffff,
            0x8080_0000,
            0x7f7f_ffff,
            0x4f00_0000, // 2^31
            0xcf00_0000, // -2^31
            0x5f00_0000, // 2^63
            0x4b00_0001, // 2^23 + 1
            0x3380_0000, // 2^-24
        ];
        match self.below(6) {
            0 | 1 => self.pick(&EDGES),
            2 => (self.range(-40, 40) as f32 / 4.0).to_bits(),
            3 => {
                let e = self.range(127 - 30, 127 + 30) as u32;
                (self.next() as u32 & 0x807f_ffff) | e << 23
            }
            4 => self.next() as u32 & 0x807f_ffff,
            _ => self.next() as u32,
        }
    }
    /// A quadword for an xmm lane or the scratch buffer: an integer, a
    /// double or two floats.
    pub fn word(&mut self) -> u64 {
        match self.below(3) {
            0 => self.value(),
            1 => self.f64_bits(),
            _ => self.f32_bits() as u64 | (self.f32_bits() as u64) << 32,
        }
    }
}

// ---------------------------------------------------------------------------
// The record every case loads its inputs from and stores its outputs to.

pub const OFF_GPR: usize = 0;
pub const OFF_FLAGS: usize = 128;
pub const OFF_MXCSR: usize = 136;
/// x87 control word on input, status word (exception flags) on output.
pub const OFF_X87: usize = 140;
pub const OFF_XMM: usize = 144;
pub const XMMS: usize = 8;
pub const OFF_SCRATCH: usize = OFF_XMM + 16 * XMMS;
pub const SCRATCH: usize = 256;
pub const RECORD: usize = OFF_SCRATCH + SCRATCH;

pub const GPR64: [&str; 16] = [
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12",
    "r13", "r14", "r15",
];

/// The inputs of one case.
#[derive(Clone)]
pub struct Input {
    pub gpr: [u64; 16],
    pub rflags: u64,
    pub mxcsr: u32,
    pub fpucw: u16,
    pub xmm: [[u64; 2]; XMMS],
    pub scratch: [u64; SCRATCH / 8],
}

impl Input {
    pub fn random(rng: &mut Rng) -> Input {
        let mut gpr = [0; 16];
        for g in gpr.iter_mut() {
            *g = rng.value();
        }
        let mut mxcsr = 0x1f80;
        if !rng.chance(4) {
        } else {
            mxcsr |= (rng.below(4) as u32) << 13;
        }
        let ftz_daz = FTZ_DAZ || all();
        if rng.chance(10) && ftz_daz {
            mxcsr |= 0x8000; // FTZ
        }
        if rng.chance(10) && ftz_daz {
            mxcsr |= 0x40; // DAZ
        }
        if rng.chance(10) {
            mxcsr |= rng.below(64) as u32;
        }
        let mut fpucw = 0x037f;
        if rng.chance(4) {
            fpucw ^= (rng.below(4) as u16) << 10;
        }
        if rng.chance(4) {
            fpucw = (fpucw & !0x300) | rng.pick(&[0u16, 0x200, 0x300]);
        }
        let mut xmm = [[0; 2]; XMMS];
        for x in xmm.iter_mut() {
            *x = [rng.word(), rng.word()];
        }
        let mut scratch = [0; SCRATCH / 8];
        for s in scratch.iter_mut() {
            *s = rng.word();
        }
        Input {
            gpr,
            rflags: (rng.next() & 0x8d5) | 0x202,
            mxcsr,
            fpucw,
            xmm,
            scratch,
        }
    }

    pub fn bytes(&self) -> Vec<u8> {
        let mut r = vec![0u8; RECORD];
        for (i, g) in self.gpr.iter().enumerate() {
            r[OFF_GPR + 8 * i..][..8].copy_from_slice(&g.to_le_bytes());
        }
        r[OFF_FLAGS..][..8].copy_from_slice(&self.rflags.to_le_bytes());
        r[OFF_MXCSR..][..4].copy_from_slice(&self.mxcsr.to_le_bytes());
        r[OFF_X87..][..2].copy_from_slice(&self.fpucw.to_le_bytes());
        for (i, x) in self.xmm.iter().enumerate() {
            r[OFF_XMM + 16 * i..][..8].copy_from_slice(&x[0].to_le_bytes());
            r[OFF_XMM + 16 * i + 8..][..8].copy_from_slice(&x[1].to_le_bytes());
        }
        for (i, s) in self.scratch.iter().enumerate() {
            r[OFF_SCRATCH + 8 * i..][..8].copy_from_slice(&s.to_le_bytes());
        }
        r
    }
}

fn q(r: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(r[off..off + 8].try_into().unwrap())
}

/// The fields of two output records that differ, one line each.
pub fn diff_records(want: &[u8], got: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, name) in GPR64.iter().enumerate() {
        let (a, b) = (q(want, 8 * i), q(got, 8 * i));
        if a != b {
            out.push(format!("{name}: cpu {a:#018x} got {b:#018x}"));
        }
    }
    let (a, b) = (q(want, OFF_FLAGS), q(got, OFF_FLAGS));
    if a != b {
        out.push(format!(
            "rflags (masked): cpu {a:#06x} got {b:#06x} (differ {})",
            flag_names(a ^ b)
        ));
    }
    let m = |r: &[u8]| u32::from_le_bytes(r[OFF_MXCSR..OFF_MXCSR + 4].try_into().unwrap());
    if m(want) != m(got) {
        out.push(format!("mxcsr: cpu {:#06x} got {:#06x}", m(want), m(got)));
    }
    let s = |r: &[u8]| u16::from_le_bytes(r[OFF_X87..OFF_X87 + 2].try_into().unwrap());
    if s(want) != s(got) {
        out.push(format!(
            "x87 status (exception flags): cpu {:#06x} got {:#06x}",
            s(want),
            s(got)
        ));
    }
    for x in 0..XMMS {
        let o = OFF_XMM + 16 * x;
        let (a, b) = ((q(want, o + 8), q(want, o)), (q(got, o + 8), q(got, o)));
        if a != b {
            out.push(format!(
                "xmm{x}: cpu {:016x}_{:016x} got {:016x}_{:016x}",
                a.0, a.1, b.0, b.1
            ));
        }
    }
    for w in 0..SCRATCH / 8 {
        let o = OFF_SCRATCH + 8 * w;
        let (a, b) = (q(want, o), q(got, o));
        if a != b {
            out.push(format!(
                "scratch[{:#x}] (qword): cpu {a:#018x} got {b:#018x}",
                8 * w
            ));
        }
    }
    out
}

/// A short description of an input record: the registers, flags and
/// control registers.
pub fn describe_input(i: &Input) -> String {
    let mut s = String::new();
    for (n, g) in i.gpr.iter().enumerate() {
        if n == 4 || n == 5 {
            continue;
        }
        s += &format!("{}={:#x} ", GPR64[n], g);
    }
    s += &format!(
        "\n    rflags={:#x} ({}) mxcsr={:#x} fpucw={:#x}\n    ",
        i.rflags,
        flag_names(i.rflags & 0x8d5),
        i.mxcsr,
        i.fpucw
    );
    for (n, x) in i.xmm.iter().enumerate() {
        s += &format!("xmm{n}={:016x}_{:016x} ", x[1], x[0]);
        if n % 2 == 1 {
            s += "\n    ";
        }
    }
    s += "scratch=";
    for w in i.scratch.iter() {
        s += &format!("{w:016x} ");
    }
    s
}

pub fn flag_names(f: u64) -> String {
    let mut v = Vec::new();
    for (bit, n) in [
        (0x1, "CF"),
        (0x4, "PF"),
        (0x10, "AF"),
        (0x40, "ZF"),
        (0x80, "SF"),
        (0x400, "DF"),
        (0x800, "OF"),
    ] {
        if f & bit != 0 {
            v.push(n);
        }
    }
    v.join("|")
}
