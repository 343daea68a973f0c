//! x86_64 integer semantics that the native differential tests cannot
//! compare with the host: cpuid, rdtsc, syscall, traps, what is illegal,
//! and the lazy flags' encoding.

#[path = "common/x86_machine.rs"]
mod x86_machine;

use c2w_isa::x86_64::{decode, flags};
use c2w_isa::{StateReg, Trap};
use x86_machine::{Mode, Stop, X86Machine};

const PC: u64 = 0x40_0000;
const RAX: usize = 0;
const RCX: usize = 1;
const RDX: usize = 2;
const RBX: usize = 3;
const R11: usize = 11;

/// Runs the instructions `code` at `PC` from registers `regs` (index,
/// value) in `mode`.
fn run(mode: Mode, code: &[u8], regs: &[(usize, u64)]) -> (X86Machine, Result<(), Stop>) {
    let mut m = X86Machine::new(mode);
    for &(r, v) in regs {
        m.set_reg(r, v);
    }
    m.set_reg(4, 0x1000 + 0x800);
    m.regions = vec![(0x1000, vec![0; 0x1000])];
    let r = m.run(code, PC, PC, PC + code.len() as u64);
    (m, r)
}

fn both(code: &[u8], regs: &[(usize, u64)]) -> [(X86Machine, Result<(), Stop>); 2] {
    [run(Mode::Interp, code, regs), run(Mode::Lifter, code, regs)]
}

fn cpuid(leaf: u64, sub: u64) -> [u64; 4] {
    let [(a, ra), (b, rb)] = both(&[0x0f, 0xa2], &[(RAX, leaf), (RCX, sub)]);
    ra.unwrap();
    rb.unwrap();
    let get = |m: &X86Machine| [m.reg(RAX), m.reg(RBX), m.reg(RCX), m.reg(RDX)];
    assert_eq!(get(&a), get(&b), "interpreter and lifter differ");
    get(&a)
}

fn text(regs: &[u64]) -> String {
    regs.iter()
        .flat_map(|&r| (r as u32).to_le_bytes())
        .map(char::from)
        .collect()
}

#[test]
fn cpuid_answers_from_its_table() {
    let [max, b, c, d] = cpuid(0, 0);
    assert_eq!(max, 7);
    assert_eq!(text(&[b, d, c]), "GenuineIntel");
    let [_, _, ecx, edx] = cpuid(1, 0);
    // FPU, TSC, CX8, CMOV; CX16, POPCNT; never OSXSAVE, AVX, XSAVE.
    for bit in [0, 4, 8, 15] {
        assert_ne!(edx & 1 << bit, 0, "edx bit {bit}");
    }
    for bit in [13, 23] {
        assert_ne!(ecx & 1 << bit, 0, "ecx bit {bit}");
    }
    for bit in [26, 27, 28] {
        assert_eq!(ecx & 1 << bit, 0, "ecx bit {bit}");
    }
    assert_eq!(cpuid(7, 0), [0; 4]);
    assert_eq!(cpuid(0x8000_0000, 0)[0], 0x8000_0004);
    let [_, _, ecx, edx] = cpuid(0x8000_0001, 0);
    assert_eq!(ecx & 0x21, 0x21, "LAHF_LM and LZCNT");
    assert_ne!(edx & 1 << 29, 0, "long mode");
    let brand: String = (0..3).map(|n| text(&cpuid(0x8000_0002 + n, 0))).collect();
    assert_eq!(brand.trim_end_matches('\0'), "c2w-aot virtual CPU");
    // Unknown leaves read as zeros; the upper half of rax is ignored.
    assert_eq!(cpuid(0x4000_0000, 0), [0; 4]);
    assert_eq!(cpuid(0xffff_ffff_0000_0000, 0)[0], 7);
}

#[test]
fn syscall_clobbers_rcx_and_r11() {
    // cmp rax, rbx (rax < rbx: CF SF); std; syscall.
    let code = [0x48, 0x39, 0xd8, 0xfd, 0x0f, 0x05];
    for (m, r) in both(&code, &[(RAX, 1), (RBX, 2)]) {
        let next = PC + code.len() as u64;
        assert_eq!(r, Err(Stop::Syscall(next)));
        assert_eq!(m.reg(RCX), next);
        assert_eq!(
            m.reg(R11),
            0x202 | flags::CF | flags::SF | flags::AF | flags::PF | 0x400
        );
    }
}

#[test]
fn rdtsc_and_xgetbv() {
    for (m, r) in both(&[0x0f, 0x31], &[(RAX, u64::MAX), (RDX, u64::MAX)]) {
        r.unwrap();
        let t = m.cycles;
        assert_eq!((m.reg(RDX), m.reg(RAX)), (t >> 32, t & 0xffff_ffff));
    }
    for (m, r) in both(&[0x0f, 0x01, 0xd0], &[(RCX, 0)]) {
        r.unwrap();
        assert_eq!((m.reg(RDX), m.reg(RAX)), (0, 3));
    }
}

#[test]
fn traps() {
    let cases: [(&[u8], Trap); 3] = [
        (&[0x0f, 0x0b], Trap::IllegalInstruction),
        (&[0xf4], Trap::IllegalInstruction),
        (&[0xcc], Trap::Breakpoint),
    ];
    for (code, t) in cases {
        for (_, r) in both(code, &[]) {
            assert_eq!(r, Err(Stop::Trap(t, PC)), "{code:x?}");
        }
        let illegal = t == Trap::IllegalInstruction;
        assert_eq!(decode(code, PC).unwrap().is_illegal(), illegal);
    }
}

/// Three registers' values.
type Regs = [(usize, u64); 3];

#[test]
fn divide_errors() {
    let div = [0x48, 0xf7, 0xf1]; // div rcx
    let idiv = [0x48, 0xf7, 0xf9]; // idiv rcx
    let idiv32 = [0xf7, 0xf9]; // idiv ecx
    let div8 = [0xf6, 0xf1]; // div cl
    let cases: [(&[u8], Regs); 6] = [
        (&div, [(RAX, 5), (RDX, 0), (RCX, 0)]),
        (&div, [(RAX, 5), (RDX, 7), (RCX, 7)]),
        (&idiv, [(RAX, 1 << 63), (RDX, u64::MAX), (RCX, u64::MAX)]),
        (&idiv, [(RAX, 0), (RDX, 1 << 62), (RCX, 2)]),
        (&idiv32, [(RAX, 0), (RDX, 0x8000_0000), (RCX, u64::MAX)]),
        (&div8, [(RAX, 0x1000), (RDX, 0), (RCX, 0x10)]),
    ];
    for (code, regs) in cases {
        let (_, r) = run(Mode::Interp, code, &regs);
        assert_eq!(
            r,
            Err(Stop::Trap(Trap::DivideError, PC)),
            "{code:x?} {regs:x?}"
        );
        assert!(!decode(code, PC).unwrap().is_illegal());
    }
    // The largest quotients that fit.
    let (m, r) = run(
        Mode::Lifter,
        &idiv,
        &[(RAX, 0), (RDX, 0xffff_ffff_ffff_fffe), (RCX, 4)],
    );
    r.unwrap();
    assert_eq!((m.reg(RAX), m.reg(RDX)), (0x8000_0000_0000_0000, 0));
    let (m, r) = run(Mode::Lifter, &div, &[(RAX, u64::MAX), (RDX, 6), (RCX, 7)]);
    r.unwrap();
    let n = (6u128 << 64) | u128::from(u64::MAX);
    assert_eq!((m.reg(RAX), m.reg(RDX)), ((n / 7) as u64, (n % 7) as u64));
}

#[test]
fn unimplemented_encodings_are_illegal() {
    let cases: [&[u8]; 5] = [
        &[0xec],                         // in al, dx
        &[0x8c, 0xd8],                   // mov eax, ds
        &[0x0f, 0xc7, 0xf0],             // rdrand eax
        &[0xf3, 0x48, 0x0f, 0xae, 0xc0], // rdfsbase rax
        &[0xc8, 0x10, 0x00, 0x01],       // enter 16, 1
    ];
    for code in cases {
        let i = decode(code, PC).unwrap();
        assert!(i.is_illegal(), "{i}");
        for (_, r) in both(code, &[]) {
            assert_eq!(r, Err(Stop::Trap(Trap::IllegalInstruction, PC)), "{i}");
        }
    }
}

#[test]
fn flags_are_lazy_and_settle_to_rflags() {
    // cmp rax, rbx
    let code = [0x48, 0x39, 0xd8];
    let mut m = X86Machine::new(Mode::Interp);
    m.set_reg(RAX, 1);
    m.set_reg(RBX, 2);
    let i = decode(&code, PC).unwrap();
    c2w_isa::x86_64::execute(&mut m, &i, PC);
    assert_eq!(
        m.get_state(StateReg::FlagsOp),
        flags::op(flags::Kind::Sub, 8)
    );
    assert_eq!(
        (m.get_state(StateReg::FlagsA), m.get_state(StateReg::FlagsB)),
        (1, 2)
    );
    flags::settle(&mut m);
    assert_eq!(m.get_state(StateReg::FlagsOp), 0);
    assert_eq!(
        m.get_state(StateReg::FlagsR),
        flags::CF | flags::SF | flags::AF | flags::PF
    );
    // Settled twice: no change.
    flags::settle(&mut m);
    assert_eq!(m.get_state(StateReg::FlagsOp), 0);
}
