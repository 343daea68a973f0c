//! The meaning of every RV64GC instruction, written once over [`Backend`].
//!
//! Conventions: `x0` reads as `imm(0)` and writes to it are dropped; shift
//! amounts are masked; division guards its corner cases before reaching the
//! backend; single-precision values are NaN-boxed in the f registers (read
//! with [`read_f`], written with [`write_f`]).

use super::csr::{self, Csr};
use super::decode::RM_DYN;
use super::op::{arity, has_rm, int_result, Alu, Amo, CsrOp, Op, Sgnj};
use super::{is_call, is_return, Inst};
use crate::{Backend, BinOp, Cond, Fmt, FpOp, IndirectKind, StateReg, Trap, UnOp, Width};

/// The upper half of a NaN-boxed single-precision value.
const NAN_BOX: u64 = 0xffff_ffff_0000_0000;
/// The canonical single-precision NaN.
const CANONICAL_NAN_S: u64 = 0x7fc0_0000;
/// `fflags` is 5 bits wide, `frm` 3.
const FFLAGS_MASK: u64 = 0x1f;
const FRM_MASK: u64 = 0x7;
/// Position of `frm` in `fcsr`.
const FRM_SHIFT: u64 = 5;

/// Run `inst` (at guest address `pc`) on backend `b`.
pub fn execute<B: Backend>(b: &mut B, inst: &Inst, pc: u64) {
    let next = pc.wrapping_add(inst.len as u64);
    match inst.op {
        Op::Illegal => b.trap(Trap::IllegalInstruction, pc),
        Op::Lui => {
            let v = b.imm(sext(inst.imm));
            set_x(b, inst.rd, v);
        }
        Op::Auipc => {
            let v = b.imm(pc.wrapping_add(sext(inst.imm)));
            set_x(b, inst.rd, v);
        }
        Op::Jal => jal(b, inst, pc),
        Op::Jalr => jalr(b, inst, next),
        Op::Branch(cond) => {
            let (l, r) = (x(b, inst.rs1), x(b, inst.rs2));
            let taken = b.cmp(cond, l, r);
            b.branch(taken, pc.wrapping_add(sext(inst.imm)), next);
        }
        Op::Load(w, signed) => {
            let addr = address(b, inst);
            let v = b.load(w, signed, addr);
            set_x(b, inst.rd, v);
        }
        Op::Store(w) => {
            let addr = address(b, inst);
            let v = x(b, inst.rs2);
            b.store(w, addr, v);
        }
        Op::AluImm(a) => alu_inst(b, inst, a, true, false),
        Op::AluImmW(a) => alu_inst(b, inst, a, true, true),
        Op::AluReg(a) => alu_inst(b, inst, a, false, false),
        Op::AluRegW(a) => alu_inst(b, inst, a, false, true),
        // Single-threaded: ordering fences have nothing to order.
        Op::Fence | Op::FenceTso => {}
        Op::FenceI => b.fence_i(next),
        Op::Ecall => b.syscall(next),
        Op::Ebreak => b.trap(Trap::Breakpoint, pc),
        Op::Lr(w) => load_reserved(b, inst, w),
        Op::Sc(w) => store_conditional(b, inst, w),
        Op::Amo(op, w) => amo(b, inst, op, w),
        Op::Csr(op, imm) => csr_access(b, inst, op, imm, pc),
        Op::FLoad(fmt) => {
            let addr = address(b, inst);
            let v = b.load(fmt_width(fmt), false, addr);
            write_f(b, fmt, inst.rd, v);
        }
        Op::FStore(fmt) => {
            let addr = address(b, inst);
            let v = b.freg(inst.rs2);
            b.store(fmt_width(fmt), addr, v);
        }
        Op::Fp(op, fmt) => fp(b, inst, op, fmt),
        Op::FSgnj(s, fmt) => sign_inject(b, inst, s, fmt),
        Op::FMvToX(fmt) => {
            let v = b.freg(inst.rs1);
            let v = if fmt == Fmt::S {
                b.un(UnOp::Sext32, v)
            } else {
                v
            };
            set_x(b, inst.rd, v);
        }
        Op::FMvFromX(fmt) => {
            let v = x(b, inst.rs1);
            write_f(b, fmt, inst.rd, v);
        }
    }
}

/// A sign-extended immediate as a 64-bit value.
fn sext(imm: i32) -> u64 {
    imm as i64 as u64
}

/// Integer register `r`; `x0` is zero.
fn x<B: Backend>(b: &mut B, r: u8) -> B::V {
    if r == 0 {
        b.imm(0)
    } else {
        b.xreg(r)
    }
}

/// Write integer register `r`; writes to `x0` are dropped.
fn set_x<B: Backend>(b: &mut B, r: u8, v: B::V) {
    if r != 0 {
        b.set_xreg(r, v);
    }
}

/// `rs1 + imm`: the address of a load or store.
fn address<B: Backend>(b: &mut B, inst: &Inst) -> B::V {
    let base = x(b, inst.rs1);
    if inst.imm == 0 {
        return base;
    }
    let offset = b.imm(sext(inst.imm));
    b.bin(BinOp::Add, base, offset)
}

fn jal<B: Backend>(b: &mut B, inst: &Inst, pc: u64) {
    let next = pc.wrapping_add(inst.len as u64);
    let target = pc.wrapping_add(sext(inst.imm));
    let link = b.imm(next);
    set_x(b, inst.rd, link);
    if is_call(inst) {
        b.call(target, next);
    } else {
        b.jump(target);
    }
}

fn jalr<B: Backend>(b: &mut B, inst: &Inst, next: u64) {
    // The target is computed before rd is written: rd may be rs1.
    let target = address(b, inst);
    let not_one = b.imm(!1);
    let target = b.bin(BinOp::And, target, not_one);
    let link = b.imm(next);
    set_x(b, inst.rd, link);
    let kind = if is_return(inst) {
        IndirectKind::Return
    } else if is_call(inst) {
        IndirectKind::Call { ret: next }
    } else {
        IndirectKind::Jump
    };
    b.jump_indirect(target, kind);
}

/// How an [`Alu`] operation is computed on 64-bit values.
enum Compute {
    Bin(BinOp),
    Cmp(Cond),
    /// Division or remainder, guarded by [`divide`].
    Div(BinOp),
}

#[inline(always)]
fn compute(a: Alu) -> Compute {
    use Compute::*;
    match a {
        Alu::Add => Bin(BinOp::Add),
        Alu::Sub => Bin(BinOp::Sub),
        Alu::Sll => Bin(BinOp::Shl),
        Alu::Slt => Cmp(Cond::LtS),
        Alu::Sltu => Cmp(Cond::LtU),
        Alu::Xor => Bin(BinOp::Xor),
        Alu::Srl => Bin(BinOp::ShrU),
        Alu::Sra => Bin(BinOp::ShrS),
        Alu::Or => Bin(BinOp::Or),
        Alu::And => Bin(BinOp::And),
        Alu::Mul => Bin(BinOp::Mul),
        Alu::Mulh => Bin(BinOp::MulHS),
        Alu::Mulhsu => Bin(BinOp::MulHSU),
        Alu::Mulhu => Bin(BinOp::MulHU),
        Alu::Div => Div(BinOp::DivS),
        Alu::Divu => Div(BinOp::DivU),
        Alu::Rem => Div(BinOp::RemS),
        Alu::Remu => Div(BinOp::RemU),
    }
}

/// An ALU instruction: `rd = rs1 op rs2` or, with `imm`, `rd = rs1 op imm`;
/// on 64 bits or, with `word`, on 32 bits. A register shift amount is
/// reduced modulo the width; an immediate one is in range by decoding.
#[inline(always)]
fn alu_inst<B: Backend>(b: &mut B, inst: &Inst, a: Alu, imm: bool, word: bool) {
    let l = x(b, inst.rs1);
    let r = if imm {
        b.imm(sext(inst.imm))
    } else {
        let r = x(b, inst.rs2);
        if a.is_shift() {
            let mask = b.imm(if word { 31 } else { 63 });
            b.bin(BinOp::And, r, mask)
        } else {
            r
        }
    };
    let v = if word {
        alu_w(b, a, l, r)
    } else {
        alu(b, a, l, r)
    };
    set_x(b, inst.rd, v);
}

/// A 64-bit ALU operation.
#[inline(always)]
fn alu<B: Backend>(b: &mut B, a: Alu, l: B::V, r: B::V) -> B::V {
    match compute(a) {
        Compute::Bin(op) => b.bin(op, l, r),
        Compute::Cmp(c) => b.cmp(c, l, r),
        Compute::Div(op) => divide(b, op, l, r, true),
    }
}

/// A word (`*w`) ALU operation: the inputs are extended from 32 bits as the
/// operation needs, the result is sign-extended from 32 bits.
#[inline(always)]
fn alu_w<B: Backend>(b: &mut B, a: Alu, l: B::V, r: B::V) -> B::V {
    let ext = match a {
        Alu::Srl | Alu::Divu | Alu::Remu => Some(UnOp::Zext32),
        Alu::Sra | Alu::Div | Alu::Rem => Some(UnOp::Sext32),
        _ => None,
    };
    let (l, r) = match ext {
        Some(e) if a.is_shift() => (b.un(e, l), r),
        Some(e) => (b.un(e, l), b.un(e, r)),
        None => (l, r),
    };
    let v = match compute(a) {
        // Operands extended from 32 bits cannot overflow a 64-bit division.
        Compute::Div(op) => divide(b, op, l, r, false),
        _ => alu(b, a, l, r),
    };
    b.un(UnOp::Sext32, v)
}

/// Division or remainder (`op`) with the RISC-V results for a zero divisor
/// (quotient all ones, remainder the dividend) and, when `may_overflow`,
/// for `i64::MIN / -1` (quotient the dividend, remainder 0). The backend
/// never sees either case: the divisor is replaced by 1, which also yields
/// the overflow results.
fn divide<B: Backend>(b: &mut B, op: BinOp, l: B::V, r: B::V, may_overflow: bool) -> B::V {
    let zero = b.imm(0);
    let by_zero = b.cmp(Cond::Eq, r, zero);
    let signed = matches!(op, BinOp::DivS | BinOp::RemS);
    let replace = if signed && may_overflow {
        let min = b.imm(i64::MIN as u64);
        let minus_one = b.imm(u64::MAX);
        let l_min = b.cmp(Cond::Eq, l, min);
        let r_minus_one = b.cmp(Cond::Eq, r, minus_one);
        let overflow = b.bin(BinOp::And, l_min, r_minus_one);
        b.bin(BinOp::Or, by_zero, overflow)
    } else {
        by_zero
    };
    let one = b.imm(1);
    let divisor = b.select(replace, one, r);
    let v = b.bin(op, l, divisor);
    let on_zero = if matches!(op, BinOp::DivS | BinOp::DivU) {
        b.imm(u64::MAX)
    } else {
        l
    };
    b.select(by_zero, on_zero, v)
}

/// Extend the low bits of `v` to 64 bits for a `w`-wide comparison.
fn extend<B: Backend>(b: &mut B, w: Width, signed: bool, v: B::V) -> B::V {
    match (w, signed) {
        (Width::B32, true) => b.un(UnOp::Sext32, v),
        (Width::B32, false) => b.un(UnOp::Zext32, v),
        _ => v,
    }
}

fn load_reserved<B: Backend>(b: &mut B, inst: &Inst, w: Width) {
    let addr = x(b, inst.rs1);
    let v = b.load(w, true, addr);
    b.set_state(StateReg::Reservation, addr);
    set_x(b, inst.rd, v);
}

/// `sc`: stores iff the reservation is `rs1`. The backend has no
/// conditional store, so a failing `sc` stores back the value it loads.
fn store_conditional<B: Backend>(b: &mut B, inst: &Inst, w: Width) {
    let (addr, v) = (x(b, inst.rs1), x(b, inst.rs2));
    let reserved = b.state(StateReg::Reservation);
    let ok = b.cmp(Cond::Eq, reserved, addr);
    let old = b.load(w, false, addr);
    let stored = b.select(ok, v, old);
    b.store(w, addr, stored);
    let none = b.imm(u64::MAX);
    b.set_state(StateReg::Reservation, none);
    let one = b.imm(1);
    let failed = b.bin(BinOp::Xor, ok, one);
    set_x(b, inst.rd, failed);
}

fn amo<B: Backend>(b: &mut B, inst: &Inst, op: Amo, w: Width) {
    let (addr, src) = (x(b, inst.rs1), x(b, inst.rs2));
    let old = b.load(w, true, addr);
    let new = amo_value(b, op, w, old, src);
    b.store(w, addr, new);
    set_x(b, inst.rd, old);
}

/// The value an AMO stores; min/max compare on the access width.
fn amo_value<B: Backend>(b: &mut B, op: Amo, w: Width, old: B::V, src: B::V) -> B::V {
    let bin = match op {
        Amo::Swap => return src,
        Amo::Add => BinOp::Add,
        Amo::Xor => BinOp::Xor,
        Amo::And => BinOp::And,
        Amo::Or => BinOp::Or,
        Amo::Min | Amo::Max | Amo::Minu | Amo::Maxu => {
            let signed = matches!(op, Amo::Min | Amo::Max);
            let (l, r) = (extend(b, w, signed, old), extend(b, w, signed, src));
            let lt = b.cmp(if signed { Cond::LtS } else { Cond::LtU }, l, r);
            return if matches!(op, Amo::Min | Amo::Minu) {
                b.select(lt, old, src)
            } else {
                b.select(lt, src, old)
            };
        }
    };
    b.bin(bin, old, src)
}

fn csr_access<B: Backend>(b: &mut B, inst: &Inst, op: CsrOp, imm: bool, pc: u64) {
    let Some(kind) = csr::kind(inst.imm).filter(|_| csr::is_legal(inst)) else {
        return b.trap(Trap::IllegalInstruction, pc);
    };
    let src = if imm {
        b.imm(inst.rs1 as u64)
    } else {
        x(b, inst.rs1)
    };
    if op == CsrOp::Rw && inst.rd == 0 {
        // csrrw without a destination does not read the CSR.
        return write_csr(b, kind, src);
    }
    let old = read_csr(b, kind);
    if csr::writes(inst) {
        let new = match op {
            CsrOp::Rw => src,
            CsrOp::Rs => b.bin(BinOp::Or, old, src),
            CsrOp::Rc => {
                let ones = b.imm(u64::MAX);
                let keep = b.bin(BinOp::Xor, src, ones);
                b.bin(BinOp::And, old, keep)
            }
        };
        write_csr(b, kind, new);
    }
    set_x(b, inst.rd, old);
}

fn read_csr<B: Backend>(b: &mut B, kind: Csr) -> B::V {
    match kind {
        Csr::FFlags => b.state(StateReg::FFlags),
        Csr::Frm => b.state(StateReg::Frm),
        Csr::Fcsr => {
            let (flags, frm) = (b.state(StateReg::FFlags), b.state(StateReg::Frm));
            let shift = b.imm(FRM_SHIFT);
            let frm = b.bin(BinOp::Shl, frm, shift);
            b.bin(BinOp::Or, frm, flags)
        }
        Csr::Counter(c) => b.counter(c),
    }
}

fn write_csr<B: Backend>(b: &mut B, kind: Csr, v: B::V) {
    let masked = |b: &mut B, v, mask| {
        let mask = b.imm(mask);
        b.bin(BinOp::And, v, mask)
    };
    match kind {
        Csr::FFlags => {
            let v = masked(b, v, FFLAGS_MASK);
            b.set_state(StateReg::FFlags, v);
        }
        Csr::Frm => {
            let v = masked(b, v, FRM_MASK);
            b.set_state(StateReg::Frm, v);
        }
        Csr::Fcsr => {
            let flags = masked(b, v, FFLAGS_MASK);
            b.set_state(StateReg::FFlags, flags);
            let shift = b.imm(FRM_SHIFT);
            let frm = b.bin(BinOp::ShrU, v, shift);
            let frm = masked(b, frm, FRM_MASK);
            b.set_state(StateReg::Frm, frm);
        }
        // Counters are read-only: `csr::is_legal` rejects writes to them.
        Csr::Counter(_) => {}
    }
}

/// The memory access width of a floating-point format.
fn fmt_width(fmt: Fmt) -> Width {
    match fmt {
        Fmt::S => Width::B32,
        Fmt::D => Width::B64,
    }
}

/// Floating-point register `r` as an operand of format `fmt`: a single is
/// the low 32 bits if properly NaN-boxed, else the canonical NaN.
fn read_f<B: Backend>(b: &mut B, fmt: Fmt, r: u8) -> B::V {
    let v = b.freg(r);
    if fmt == Fmt::D {
        return v;
    }
    let boxed_min = b.imm(NAN_BOX);
    let boxed = b.cmp(Cond::GeU, v, boxed_min);
    let low = b.un(UnOp::Zext32, v);
    let nan = b.imm(CANONICAL_NAN_S);
    b.select(boxed, low, nan)
}

/// Write a result of format `fmt` to floating-point register `r`; a single
/// (its bits in the low half of `v`) is NaN-boxed.
fn write_f<B: Backend>(b: &mut B, fmt: Fmt, r: u8, v: B::V) {
    let v = match fmt {
        Fmt::D => v,
        Fmt::S => {
            let boxing = b.imm(NAN_BOX);
            b.bin(BinOp::Or, v, boxing)
        }
    };
    b.set_freg(r, v);
}

/// The rounding-mode operand of [`Backend::fp`]: the static field, or for
/// the dynamic mode the current `frm`, passed on unchecked (a backend must
/// treat a dynamic `frm` above 4 as an illegal instruction).
fn rounding<B: Backend>(b: &mut B, rm: u8) -> B::V {
    if rm == RM_DYN {
        b.state(StateReg::Frm)
    } else {
        b.imm(rm as u64)
    }
}

/// An operation computed by [`Backend::fp`].
fn fp<B: Backend>(b: &mut B, inst: &Inst, op: FpOp, fmt: Fmt) {
    let rm = if has_rm(op) {
        rounding(b, inst.rm)
    } else {
        b.imm(0)
    };
    let a = match op {
        FpOp::FromInt(_) => x(b, inst.rs1),
        FpOp::Convert => read_f(b, other(fmt), inst.rs1),
        _ => read_f(b, fmt, inst.rs1),
    };
    let v = match arity(op) {
        1 => b.fp(op, fmt, &[a], rm),
        2 => {
            let c = read_f(b, fmt, inst.rs2);
            b.fp(op, fmt, &[a, c], rm)
        }
        _ => {
            let (c, d) = (read_f(b, fmt, inst.rs2), read_f(b, fmt, inst.rs3));
            b.fp(op, fmt, &[a, c, d], rm)
        }
    };
    if int_result(op) {
        set_x(b, inst.rd, v);
    } else {
        write_f(b, fmt, inst.rd, v);
    }
}

/// The other floating-point format (the source of `fcvt.s.d`/`fcvt.d.s`).
fn other(fmt: Fmt) -> Fmt {
    match fmt {
        Fmt::S => Fmt::D,
        Fmt::D => Fmt::S,
    }
}

/// `fsgnj`, `fsgnjn`, `fsgnjx`: integer operations on the bit patterns,
/// which raise no flags.
fn sign_inject<B: Backend>(b: &mut B, inst: &Inst, s: Sgnj, fmt: Fmt) {
    let (a, c) = (read_f(b, fmt, inst.rs1), read_f(b, fmt, inst.rs2));
    let sign_bit = match fmt {
        Fmt::S => 1u64 << 31,
        Fmt::D => 1u64 << 63,
    };
    let sign = b.imm(sign_bit);
    let v = if s == Sgnj::Xor {
        let c_sign = b.bin(BinOp::And, c, sign);
        b.bin(BinOp::Xor, a, c_sign)
    } else {
        let c = if s == Sgnj::Neg {
            b.bin(BinOp::Xor, c, sign)
        } else {
            c
        };
        let c_sign = b.bin(BinOp::And, c, sign);
        let not_sign = b.imm(!sign_bit);
        let magnitude = b.bin(BinOp::And, a, not_sign);
        b.bin(BinOp::Or, magnitude, c_sign)
    };
    write_f(b, fmt, inst.rd, v);
}
