//! `Eval` as a `Backend`, called directly.

use c2w_isa::{
    Backend, BinOp, Cond, Counter, Fmt, FpOp, IndirectKind, StateReg, Trap, UnOp, Width,
};

use crate::interp::fp::{NV, NX};
use crate::interp::{Cpu, Eval, GuestMem, Stop};

/// Runs `f` on an `Eval` over `cpu` and 64 bytes of memory filled with
/// 0x00, 0x01, ..., with a clock reading `ns`.
fn with_eval<R>(cpu: &mut Cpu, mem: &mut [u8], ns: u64, f: impl FnOnce(&mut Eval<'_>) -> R) -> R {
    let mut clock = move || ns;
    let mut eval = Eval::new(cpu, GuestMem::new(mem), &mut clock);
    f(&mut eval)
}

fn counting_memory() -> Vec<u8> {
    (0..64).collect()
}

#[test]
fn integer_operations() {
    let (mut cpu, mut mem) = (Cpu::default(), counting_memory());
    with_eval(&mut cpu, &mut mem, 0, |e| {
        let m1 = u64::MAX;
        assert_eq!(e.bin(BinOp::Add, m1, 2), 1);
        assert_eq!(e.bin(BinOp::Sub, 1, 2), m1);
        assert_eq!(e.bin(BinOp::Mul, 1 << 63, 2), 0);
        assert_eq!(e.bin(BinOp::MulHS, m1, m1), 0);
        assert_eq!(e.bin(BinOp::MulHU, m1, m1), m1 - 1);
        assert_eq!(e.bin(BinOp::MulHSU, m1, m1), m1);
        assert_eq!(
            e.bin(BinOp::MulHS, i64::MIN as u64, i64::MIN as u64),
            1 << 62
        );
        assert_eq!(e.bin(BinOp::DivS, -7i64 as u64, 2), -3i64 as u64);
        assert_eq!(e.bin(BinOp::RemS, -7i64 as u64, 2), m1);
        assert_eq!(e.bin(BinOp::DivU, m1, 2), m1 >> 1);
        assert_eq!(e.bin(BinOp::RemU, 7, 4), 3);
        assert_eq!(e.bin(BinOp::Shl, 1, 63), 1 << 63);
        assert_eq!(e.bin(BinOp::ShrU, 1 << 63, 63), 1);
        assert_eq!(e.bin(BinOp::ShrS, 1 << 63, 63), m1);
        assert_eq!(e.bin(BinOp::And, 0b1100, 0b1010), 0b1000);
        assert_eq!(e.bin(BinOp::Or, 0b1100, 0b1010), 0b1110);
        assert_eq!(e.bin(BinOp::Xor, 0b1100, 0b1010), 0b0110);
        assert_eq!(e.un(UnOp::Sext8, 0x80), 0xffff_ffff_ffff_ff80);
        assert_eq!(e.un(UnOp::Sext16, 0x1_7fff), 0x7fff);
        assert_eq!(e.un(UnOp::Sext32, 0x8000_0000), 0xffff_ffff_8000_0000);
        assert_eq!(e.un(UnOp::Zext8, m1), 0xff);
        assert_eq!(e.un(UnOp::Zext16, m1), 0xffff);
        assert_eq!(e.un(UnOp::Zext32, m1), 0xffff_ffff);
        assert_eq!(e.un(UnOp::Clz, 0), 64);
        assert_eq!(e.un(UnOp::Clz, 1), 63);
        assert_eq!(e.un(UnOp::Ctz, 0), 64);
        assert_eq!(e.un(UnOp::Ctz, 8), 3);
        assert_eq!(e.un(UnOp::Popcnt, m1), 64);
        assert_eq!(
            e.un(UnOp::Bswap, 0x0102_0304_0506_0708),
            0x0807_0605_0403_0201
        );
        assert_eq!(e.cmp(Cond::LtS, m1, 0), 1);
        assert_eq!(e.cmp(Cond::LtU, m1, 0), 0);
        assert_eq!(e.cmp(Cond::GeS, 0, m1), 1);
        assert_eq!(e.cmp(Cond::GeU, 0, m1), 0);
        assert_eq!(e.cmp(Cond::Eq, 3, 3), 1);
        assert_eq!(e.cmp(Cond::Ne, 3, 3), 0);
        assert_eq!(e.select(2, 10, 20), 10);
        assert_eq!(e.select(0, 10, 20), 20);
    });
}

/// Division corner cases never reach the backend, but still may not panic.
#[test]
fn division_is_total() {
    let (mut cpu, mut mem) = (Cpu::default(), counting_memory());
    with_eval(&mut cpu, &mut mem, 0, |e| {
        assert_eq!(e.bin(BinOp::DivS, 5, 0), u64::MAX);
        assert_eq!(e.bin(BinOp::DivU, 5, 0), u64::MAX);
        assert_eq!(e.bin(BinOp::RemS, 5, 0), 5);
        assert_eq!(e.bin(BinOp::RemU, 5, 0), 5);
        let min = i64::MIN as u64;
        assert_eq!(e.bin(BinOp::DivS, min, u64::MAX), min);
        assert_eq!(e.bin(BinOp::RemS, min, u64::MAX), 0);
    });
}

#[test]
fn registers_and_state() {
    let (mut cpu, mut mem) = (Cpu::default(), counting_memory());
    with_eval(&mut cpu, &mut mem, 0, |e| {
        e.set_xreg(5, 55);
        e.set_freg(31, 0xffff_ffff_3f80_0000);
        // The state registers hold what the semantics write (they keep each
        // within its width: riscv64's fflags is 5 bits, x86_64's MXCSR
        // control bits share the field with frm).
        e.set_state(StateReg::FFlags, 0x1f);
        e.set_state(StateReg::Frm, 0x1f80);
        e.set_state(StateReg::Reservation, 0x40);
        e.set_state(StateReg::FsBase, 0x7000);
        assert_eq!(e.xreg(5), 55);
        assert_eq!(e.freg(31), 0xffff_ffff_3f80_0000);
        assert_eq!(e.state(StateReg::FFlags), 0x1f);
        assert_eq!(e.state(StateReg::Frm), 0x1f80);
        assert_eq!(e.state(StateReg::Reservation), 0x40);
        assert_eq!(e.state(StateReg::FsBase), 0x7000);
    });
    assert_eq!(
        (cpu.x[5], cpu.f[31], cpu.fflags, cpu.frm, cpu.reservation),
        (55, 0xffff_ffff_3f80_0000, 0x1f, 0x1f80, 0x40)
    );
}

#[test]
fn loads_extend_and_allow_unaligned_addresses() {
    let (mut cpu, mut mem) = (Cpu::default(), counting_memory());
    mem[8] = 0x80;
    with_eval(&mut cpu, &mut mem, 0, |e| {
        assert_eq!(e.load(Width::B8, false, 8), 0x80);
        assert_eq!(e.load(Width::B8, true, 8), 0xffff_ffff_ffff_ff80);
        assert_eq!(e.load(Width::B16, false, 1), 0x0201);
        assert_eq!(e.load(Width::B16, true, 7), 0xffff_ffff_ffff_8007);
        assert_eq!(e.load(Width::B32, false, 3), 0x0605_0403);
        assert_eq!(e.load(Width::B32, true, 5), 0xffff_ffff_8007_0605);
        assert_eq!(e.load(Width::B64, false, 49), 0x3837_3635_3433_3231);
        assert_eq!(e.stop(), Stop::None);
    });
}

#[test]
fn stores_write_little_endian_at_any_alignment() {
    let (mut cpu, mut mem) = (Cpu::default(), vec![0u8; 16]);
    with_eval(&mut cpu, &mut mem, 0, |e| {
        e.store(Width::B64, 3, 0x0807_0605_0403_0201);
        e.store(Width::B16, 12, 0xaabb_ccdd);
        e.store(Width::B8, 0, 0x1ff);
        assert_eq!(e.stop(), Stop::None);
    });
    assert_eq!(
        mem,
        [0xff, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0xdd, 0xcc, 0, 0]
    );
}

#[test]
fn the_last_bytes_are_accessible_and_one_past_faults() {
    let (mut cpu, mut mem) = (Cpu::default(), counting_memory());
    with_eval(&mut cpu, &mut mem, 0, |e| {
        assert_eq!(e.load(Width::B64, false, 56), 0x3f3e_3d3c_3b3a_3938);
        assert_eq!(e.load(Width::B8, false, 63), 63);
        assert_eq!(e.load(Width::B32, false, 61), 0);
        assert_eq!(e.stop(), Stop::Fault(61));
    });
}

#[test]
fn addresses_that_wrap_around_fault() {
    let (mut cpu, mut mem) = (Cpu::default(), counting_memory());
    with_eval(&mut cpu, &mut mem, 0, |e| {
        e.store(Width::B64, u64::MAX - 3, 0);
        assert_eq!(e.stop(), Stop::Fault(u64::MAX - 3));
    });
}

/// A faulting instruction has no effect: what its semantics do after the
/// fault is rolled back, and later stores do not reach memory.
#[test]
fn a_fault_rolls_the_instruction_back() {
    let (mut cpu, mut mem) = (Cpu::default(), counting_memory());
    cpu.x[10] = 7;
    with_eval(&mut cpu, &mut mem, 0, |e| {
        let v = e.load(Width::B64, false, 1000);
        e.set_xreg(10, v);
        e.store(Width::B8, 0, 0xee);
        e.set_state(StateReg::FFlags, NX);
        assert_eq!(e.stop(), Stop::Fault(1000));
        e.rollback();
    });
    assert_eq!((cpu.x[10], cpu.fflags, mem[0]), (7, 0, 0));
}

#[test]
fn fp_accrues_flags() {
    let (mut cpu, mut mem) = (Cpu::default(), counting_memory());
    with_eval(&mut cpu, &mut mem, 0, |e| {
        let third = e.fp(FpOp::Div, Fmt::D, &[1f64.to_bits(), 3f64.to_bits()], 0);
        assert_eq!(third, (1.0f64 / 3.0).to_bits());
        let lt = e.fp(FpOp::Lt, Fmt::S, &[0x7fc0_0000, 0], 0);
        assert_eq!(lt, 0);
        assert_eq!(e.stop(), Stop::None);
    });
    assert_eq!(cpu.fflags, NV | NX);
}

/// A dynamic rounding mode holding a reserved value makes the instruction
/// illegal, without effect.
#[test]
fn a_reserved_rounding_mode_traps() {
    let (mut cpu, mut mem) = (Cpu::default(), counting_memory());
    with_eval(&mut cpu, &mut mem, 0, |e| {
        let v = e.fp(FpOp::Div, Fmt::D, &[1f64.to_bits(), 3f64.to_bits()], 5);
        e.set_freg(1, v);
        assert_eq!(e.stop(), Stop::Trap(Trap::IllegalInstruction));
        e.rollback();
    });
    assert_eq!((cpu.f[1], cpu.fflags), (0, 0));
}

#[test]
fn counters() {
    let (mut cpu, mut mem) = (Cpu::default(), counting_memory());
    cpu.instret = 42;
    with_eval(&mut cpu, &mut mem, 1_234_567_899, |e| {
        assert_eq!(e.counter(Counter::Time), 12_345_678);
        assert_eq!(e.counter(Counter::InstRet), 42);
        e.retire();
        assert_eq!(e.counter(Counter::Cycle), 43);
    });
}

#[test]
fn control_flow_sets_the_next_pc() {
    let (mut cpu, mut mem) = (Cpu::default(), counting_memory());
    with_eval(&mut cpu, &mut mem, 0, |e| {
        e.start(0x104);
        assert_eq!(e.next_pc(), 0x104);
        e.branch(1, 0x200, 0x104);
        assert_eq!(e.next_pc(), 0x200);
        e.branch(0, 0x200, 0x104);
        assert_eq!(e.next_pc(), 0x104);
        e.jump(0x300);
        assert_eq!(e.next_pc(), 0x300);
        e.call(0x400, 0x104);
        assert_eq!(e.next_pc(), 0x400);
        e.jump_indirect(0x500, IndirectKind::Return);
        assert_eq!(e.next_pc(), 0x500);
        assert_eq!(e.stop(), Stop::None);
        e.syscall(0x108);
        assert_eq!((e.next_pc(), e.stop()), (0x108, Stop::Syscall));
        e.resume();
        e.fence_i(0x10c);
        assert_eq!((e.next_pc(), e.stop()), (0x10c, Stop::FenceI));
        e.resume();
        e.trap(Trap::Breakpoint, 0x10c);
        assert_eq!(e.stop(), Stop::Trap(Trap::Breakpoint));
    });
}

#[test]
fn addresses_below_the_lower_bound_are_not_accessible() {
    let mut bytes = vec![0u8; 0x20000];
    // SAFETY: `bytes` outlives `mem` and nothing else touches it meanwhile.
    let mem = unsafe { GuestMem::from_raw(bytes.as_mut_ptr(), 0x10000, bytes.len() as u64) };
    assert_eq!(
        mem.read(Width::B32, 0x10),
        None,
        "a null-pointer access faults"
    );
    assert_eq!(
        mem.read(Width::B64, 0xfffc),
        None,
        "straddling the bound faults"
    );
    assert!(!mem.write(Width::B8, 0xffff, 1));
    assert!(mem.write(Width::B32, 0x10000, 0xdead_beef));
    assert_eq!(mem.read(Width::B32, 0x10000), Some(0xdead_beef));
    assert_eq!(mem.read(Width::B8, 0x1ffff), Some(0));
    assert_eq!(
        mem.read(Width::B16, 0x1ffff),
        None,
        "the upper bound still holds"
    );
}
