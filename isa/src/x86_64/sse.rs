//! SSE to SSE4.1: the meaning of each implemented instruction over
//! [`Backend`](crate::Backend), with xmm*n* as `f[2n]` / `f[2n+1]`.
//!
//! A 128-bit value travels as its two 64-bit halves `[low, high]`. Lane-wise
//! integer operations work on the halves with the 64-bit primitives (see
//! [`lanes`]); floating-point lanes go through [`Backend::fp`] with
//! [`RM_X86`] so that results and exception flags are x86's. MXCSR is the
//! `Frm` state register (control bits) plus the exception flags kept, in
//! RISC-V order, in `FFlags`.

use iced_x86::{EncodingKind, Instruction, Mnemonic, OpKind, Register};

use super::operand::{self, address};
use super::{sse_int, Inst};
use crate::{
    Backend, BinOp, Cond, Fmt, FpOp, IntTy, StateReg, UnOp, Width, FLAG_DENORMAL, RM_DAZ, RM_FTZ,
    RM_X86,
};

/// CPUID leaf 1 feature bits (ecx, edx) for what this module implements:
/// ecx SSE3 (0), SSSE3 (9), SSE4.1 (19), SSE4.2 (20); edx SSE (25), SSE2 (26).
pub const CPUID_1_ECX: u32 = 1 << 0 | 1 << 9 | 1 << 19 | 1 << 20;
pub const CPUID_1_EDX: u32 = 1 << 25 | 1 << 26;

/// A value of the backend.
pub(super) type V<B> = <B as Backend>::V;
/// A 128-bit value: `[low, high]`.
pub(super) type X<B> = [V<B>; 2];

/// Runs `inst` if it is an SSE instruction; `false` if it is not one this
/// module implements.
pub(super) fn execute<B: Backend>(b: &mut B, inst: &Inst, pc: u64) -> bool {
    let i = &inst.i;
    if i.encoding() != EncodingKind::Legacy {
        return false;
    }
    // MMX forms share the mnemonics: not implemented.
    let mut any_xmm = false;
    for n in 0..i.op_count() {
        if i.op_kind(n) == OpKind::Register {
            let r = i.op_register(n);
            if r.is_mm() {
                return false;
            }
            any_xmm |= r.is_xmm();
        }
    }
    let _ = pc;
    // The string instructions movsd and cmpsd share these mnemonics.
    if matches!(i.mnemonic(), Mnemonic::Movsd | Mnemonic::Cmpsd) && !any_xmm {
        return false;
    }
    misc(b, i) || moves(b, i) || float(b, i) || sse_int::execute(b, i)
}

// ---------------------------------------------------------------------------
// Registers, operands and lanes.

/// The number of xmm register `r`.
pub(super) fn xnum(r: Register) -> u8 {
    (r as u32 - Register::XMM0 as u32) as u8
}

pub(super) fn get<B: Backend>(b: &mut B, r: Register) -> X<B> {
    let n = xnum(r);
    [b.freg(2 * n), b.freg(2 * n + 1)]
}

pub(super) fn set<B: Backend>(b: &mut B, r: Register, v: X<B>) {
    let n = xnum(r);
    b.set_freg(2 * n, v[0]);
    b.set_freg(2 * n + 1, v[1]);
}

pub(super) fn set_lo<B: Backend>(b: &mut B, r: Register, v: V<B>) {
    b.set_freg(2 * xnum(r), v);
}

pub(super) fn get_lo<B: Backend>(b: &mut B, r: Register) -> V<B> {
    b.freg(2 * xnum(r))
}

/// `a + k`.
pub(super) fn add_imm<B: Backend>(b: &mut B, a: V<B>, k: u64) -> V<B> {
    let k = b.imm(k);
    b.bin(BinOp::Add, a, k)
}

pub(super) fn load128<B: Backend>(b: &mut B, a: V<B>) -> X<B> {
    let lo = b.load(Width::B64, false, a);
    let a8 = add_imm(b, a, 8);
    let hi = b.load(Width::B64, false, a8);
    [lo, hi]
}

pub(super) fn store128<B: Backend>(b: &mut B, a: V<B>, v: X<B>) {
    b.store(Width::B64, a, v[0]);
    let a8 = add_imm(b, a, 8);
    b.store(Width::B64, a8, v[1]);
}

/// Operand `n` of `i` as 128 bits (an xmm register or m128).
pub(super) fn src<B: Backend>(b: &mut B, i: &Instruction, n: u32) -> X<B> {
    if i.op_kind(n) == OpKind::Register {
        get(b, i.op_register(n))
    } else {
        let a = address(b, i);
        load128(b, a)
    }
}

/// The low `bytes` (1, 2, 4, 8) bytes of operand `n`: an xmm register's low
/// bits, memory, or a general-purpose register; zero-extended.
pub(super) fn src_low<B: Backend>(b: &mut B, i: &Instruction, n: u32, bytes: u32) -> V<B> {
    match i.op_kind(n) {
        OpKind::Register if i.op_register(n).is_xmm() => {
            let v = get_lo(b, i.op_register(n));
            operand::zext(b, bytes, v)
        }
        OpKind::Register => {
            let v = operand::read_reg(b, i.op_register(n));
            operand::zext(b, bytes, v)
        }
        _ => {
            let a = address(b, i);
            b.load(operand::width(bytes), false, a)
        }
    }
}

/// The 8-bit immediate of `i`.
pub(super) fn imm8(i: &Instruction) -> u64 {
    (0..i.op_count())
        .find(|&n| i.op_kind(n) == OpKind::Immediate8)
        .map(|n| i.immediate(n) & 0xff)
        .unwrap_or(0)
}

/// All-ones in the low `bits` bits.
pub(super) fn ones(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1 << bits) - 1
    }
}

/// `v` zero- or sign-extended from its low `bits` bits.
pub(super) fn ext<B: Backend>(b: &mut B, v: V<B>, bits: u32, signed: bool) -> V<B> {
    let size = bits / 8;
    if signed {
        operand::sext(b, size, v)
    } else {
        operand::zext(b, size, v)
    }
}

pub(super) fn shl<B: Backend>(b: &mut B, v: V<B>, s: u32) -> V<B> {
    if s == 0 {
        return v;
    }
    if s >= 64 {
        return b.imm(0);
    }
    let s = b.imm(u64::from(s));
    b.bin(BinOp::Shl, v, s)
}

pub(super) fn shr<B: Backend>(b: &mut B, v: V<B>, s: u32) -> V<B> {
    if s == 0 {
        return v;
    }
    if s >= 64 {
        return b.imm(0);
    }
    let s = b.imm(u64::from(s));
    b.bin(BinOp::ShrU, v, s)
}

pub(super) fn and_imm<B: Backend>(b: &mut B, v: V<B>, m: u64) -> V<B> {
    if m == u64::MAX {
        return v;
    }
    let m = b.imm(m);
    b.bin(BinOp::And, v, m)
}

pub(super) fn or<B: Backend>(b: &mut B, x: V<B>, y: V<B>) -> V<B> {
    b.bin(BinOp::Or, x, y)
}

/// Lane `k` (of `bits` bits) of a 128-bit value, extended to 64 bits.
pub(super) fn lane<B: Backend>(b: &mut B, x: X<B>, bits: u32, k: u32, signed: bool) -> V<B> {
    let per = 64 / bits;
    let half = x[(k / per) as usize];
    let v = shr(b, half, (k % per) * bits);
    ext(b, v, bits, signed)
}

/// A 128-bit value from its lanes of `bits` bits (only their low bits count).
pub(super) fn from_lanes<B: Backend>(b: &mut B, bits: u32, lanes: &[V<B>]) -> X<B> {
    let per = (64 / bits) as usize;
    let mut out = [b.imm(0), b.imm(0)];
    for (h, slot) in out.iter_mut().enumerate() {
        let mut acc = None;
        for k in 0..per {
            let v = and_imm(b, lanes[h * per + k], ones(bits));
            let v = shl(b, v, k as u32 * bits);
            acc = Some(match acc {
                None => v,
                Some(a) => or(b, a, v),
            });
        }
        *slot = acc.expect("at least one lane");
    }
    out
}

/// All the lanes of a 128-bit value.
pub(super) fn lanes<B: Backend>(b: &mut B, x: X<B>, bits: u32, signed: bool) -> Vec<V<B>> {
    (0..128 / bits)
        .map(|k| lane(b, x, bits, k, signed))
        .collect()
}

/// `f` applied lane by lane to `x` and `y`.
pub(super) fn map2<B: Backend>(
    b: &mut B,
    x: X<B>,
    y: X<B>,
    bits: u32,
    signed: bool,
    mut f: impl FnMut(&mut B, V<B>, V<B>) -> V<B>,
) -> X<B> {
    let xs = lanes(b, x, bits, signed);
    let ys = lanes(b, y, bits, signed);
    let rs: Vec<_> = xs.into_iter().zip(ys).map(|(p, q)| f(b, p, q)).collect();
    from_lanes(b, bits, &rs)
}

/// `f` applied to each lane of `x`.
pub(super) fn map1<B: Backend>(
    b: &mut B,
    x: X<B>,
    bits: u32,
    signed: bool,
    mut f: impl FnMut(&mut B, V<B>) -> V<B>,
) -> X<B> {
    let xs = lanes(b, x, bits, signed);
    let rs: Vec<_> = xs.into_iter().map(|p| f(b, p)).collect();
    from_lanes(b, bits, &rs)
}

/// A 0/1 value made a lane mask (all ones or zero, 64 bits).
pub(super) fn mask<B: Backend>(b: &mut B, c: V<B>) -> V<B> {
    let zero = b.imm(0);
    b.bin(BinOp::Sub, zero, c)
}

/// Sets the arithmetic flags to the materialised RFLAGS `word` (only the six
/// arithmetic flags count).
pub(super) fn set_rflags<B: Backend>(b: &mut B, word: V<B>) {
    super::flags::set_rflags(b, word);
}

// ---------------------------------------------------------------------------
// Non-arithmetic: fences, prefetches, MXCSR.

fn misc<B: Backend>(b: &mut B, i: &Instruction) -> bool {
    match i.mnemonic() {
        Mnemonic::Lfence
        | Mnemonic::Sfence
        | Mnemonic::Mfence
        | Mnemonic::Prefetchnta
        | Mnemonic::Prefetcht0
        | Mnemonic::Prefetcht1
        | Mnemonic::Prefetcht2
        | Mnemonic::Prefetchw
        | Mnemonic::Pause => {}
        Mnemonic::Stmxcsr => {
            let v = mxcsr(b);
            let a = address(b, i);
            b.store(Width::B32, a, v);
        }
        Mnemonic::Ldmxcsr => {
            let a = address(b, i);
            let v = b.load(Width::B32, false, a);
            set_mxcsr(b, v);
        }
        _ => return false,
    }
    true
}

/// MXCSR exception flags (IE DE ZE OE UE PE, bits 0..6) and where they are
/// in the accrued flags.
const MXCSR_FLAGS: [(u32, u32); 6] = [(0, 4), (1, 5), (2, 3), (3, 2), (4, 1), (5, 0)];

/// The MXCSR value.
pub(super) fn mxcsr<B: Backend>(b: &mut B) -> V<B> {
    let control = b.state(StateReg::Frm);
    let flags = b.state(StateReg::FFlags);
    let mut v = control;
    for (m, f) in MXCSR_FLAGS {
        let bit = shr(b, flags, f);
        let bit = and_imm(b, bit, 1);
        let bit = shl(b, bit, m);
        v = or(b, v, bit);
    }
    v
}

/// Sets MXCSR to `v`.
pub(super) fn set_mxcsr<B: Backend>(b: &mut B, v: V<B>) {
    let control = and_imm(b, v, 0xffc0);
    b.set_state(StateReg::Frm, control);
    let mut flags = b.imm(0);
    for (m, f) in MXCSR_FLAGS {
        let bit = shr(b, v, m);
        let bit = and_imm(b, bit, 1);
        let bit = shl(b, bit, f);
        flags = or(b, flags, bit);
    }
    b.set_state(StateReg::FFlags, flags);
}

/// The rounding mode MXCSR selects, as a `Backend::fp` mode with
/// [`RM_X86`].
pub(super) fn rm<B: Backend>(b: &mut B) -> V<B> {
    let frm = b.state(StateReg::Frm);
    if let Some(frm) = b.known(frm) {
        return b.imm(rc_to_rm((frm >> 13) & 3) | ftz_daz(frm));
    }
    let rc = shr(b, frm, 13);
    let rc = and_imm(b, rc, 3);
    let mode = rc_rm(b, rc);
    let bits = ftz_daz_of(b, frm);
    or(b, mode, bits)
}

/// MXCSR.FTZ (bit 15) and MXCSR.DAZ (bit 6) of `mxcsr` as [`RM_FTZ`] and
/// [`RM_DAZ`].
fn ftz_daz(mxcsr: u64) -> u64 {
    (if mxcsr >> 15 & 1 != 0 { RM_FTZ } else { 0 }) | (if mxcsr >> 6 & 1 != 0 { RM_DAZ } else { 0 })
}

/// [`ftz_daz`] on a value.
fn ftz_daz_of<B: Backend>(b: &mut B, mxcsr: V<B>) -> V<B> {
    let ftz = shr(b, mxcsr, 15 - RM_FTZ.trailing_zeros());
    let ftz = and_imm(b, ftz, RM_FTZ);
    let daz = shr(b, mxcsr, 6 - RM_DAZ.trailing_zeros());
    let daz = and_imm(b, daz, RM_DAZ);
    or(b, ftz, daz)
}

/// The x86 mode `mode` (a RISC-V rounding mode with [`RM_X86`]) with
/// MXCSR's FTZ and DAZ: for operations whose rounding does not come from
/// MXCSR.RC.
pub(super) fn x86_rm<B: Backend>(b: &mut B, mode: u64) -> V<B> {
    let frm = b.state(StateReg::Frm);
    if let Some(frm) = b.known(frm) {
        return b.imm(mode | ftz_daz(frm));
    }
    let bits = ftz_daz_of(b, frm);
    let mode = b.imm(mode);
    or(b, mode, bits)
}

/// x86 rounding control (0 nearest, 1 down, 2 up, 3 toward zero) to a
/// RISC-V mode with [`RM_X86`].
pub(super) fn rc_to_rm(rc: u64) -> u64 {
    [0, 2, 3, 1][(rc & 3) as usize] | RM_X86
}

/// [`rc_to_rm`] on a value.
pub(super) fn rc_rm<B: Backend>(b: &mut B, rc: V<B>) -> V<B> {
    // Nibble k of 0x1320 is the RISC-V mode of RC k.
    let table = b.imm(0x1320);
    let two = b.imm(2);
    let s = b.bin(BinOp::Shl, rc, two);
    let v = b.bin(BinOp::ShrU, table, s);
    let v = and_imm(b, v, 7);
    let x = b.imm(RM_X86);
    b.bin(BinOp::Or, v, x)
}

// ---------------------------------------------------------------------------
// Moves.

fn moves<B: Backend>(b: &mut B, i: &Instruction) -> bool {
    let k0 = i.op_kind(0);
    let reg0 = i.op_register(0);
    let dst_xmm = k0 == OpKind::Register && reg0.is_xmm();
    match i.mnemonic() {
        Mnemonic::Movaps
        | Mnemonic::Movups
        | Mnemonic::Movapd
        | Mnemonic::Movupd
        | Mnemonic::Movdqa
        | Mnemonic::Movdqu
        | Mnemonic::Lddqu
        | Mnemonic::Movntdq
        | Mnemonic::Movntps
        | Mnemonic::Movntpd
        | Mnemonic::Movntdqa => {
            let v = src(b, i, 1);
            if dst_xmm {
                set(b, reg0, v);
            } else {
                let a = address(b, i);
                store128(b, a, v);
            }
        }
        Mnemonic::Movss | Mnemonic::Movsd => {
            let bytes = if i.mnemonic() == Mnemonic::Movss {
                4
            } else {
                8
            };
            if !dst_xmm {
                let v = src_low(b, i, 1, bytes);
                let a = address(b, i);
                b.store(operand::width(bytes), a, v);
            } else if i.op_kind(1) == OpKind::Register {
                let v = src_low(b, i, 1, bytes);
                let old = get_lo(b, reg0);
                let old = and_imm(b, old, !ones(bytes * 8));
                let v = or(b, old, v);
                set_lo(b, reg0, v);
            } else {
                let v = src_low(b, i, 1, bytes);
                let zero = b.imm(0);
                set(b, reg0, [v, zero]);
            }
        }
        Mnemonic::Movd | Mnemonic::Movq => {
            let bytes = if i.mnemonic() == Mnemonic::Movd { 4 } else { 8 };
            if dst_xmm {
                let v = src_low(b, i, 1, bytes);
                let zero = b.imm(0);
                set(b, reg0, [v, zero]);
            } else {
                let v = src_low(b, i, 1, bytes);
                operand::write(b, i, 0, bytes, v, None);
            }
        }
        Mnemonic::Movnti => {
            let size = i.memory_size().size() as u32;
            let v = operand::read(b, i, 1, size);
            operand::write(b, i, 0, size, v, None);
        }
        Mnemonic::Movhps | Mnemonic::Movhpd => {
            if dst_xmm {
                let v = src_low(b, i, 1, 8);
                b.set_freg(2 * xnum(reg0) + 1, v);
            } else {
                let r = i.op_register(1);
                let v = b.freg(2 * xnum(r) + 1);
                let a = address(b, i);
                b.store(Width::B64, a, v);
            }
        }
        Mnemonic::Movlps | Mnemonic::Movlpd => {
            if dst_xmm {
                let v = src_low(b, i, 1, 8);
                set_lo(b, reg0, v);
            } else {
                let v = src_low(b, i, 1, 8);
                let a = address(b, i);
                b.store(Width::B64, a, v);
            }
        }
        Mnemonic::Movhlps => {
            let v = b.freg(2 * xnum(i.op_register(1)) + 1);
            set_lo(b, reg0, v);
        }
        Mnemonic::Movlhps => {
            let v = get_lo(b, i.op_register(1));
            b.set_freg(2 * xnum(reg0) + 1, v);
        }
        Mnemonic::Movddup => {
            let v = src_low(b, i, 1, 8);
            set(b, reg0, [v, v]);
        }
        Mnemonic::Movshdup | Mnemonic::Movsldup => {
            let x = src(b, i, 1);
            let odd = i.mnemonic() == Mnemonic::Movshdup;
            let mut out = x;
            for (h, slot) in out.iter_mut().enumerate() {
                let d = if odd {
                    shr(b, x[h], 32)
                } else {
                    and_imm(b, x[h], ones(32))
                };
                let up = shl(b, d, 32);
                *slot = or(b, d, up);
            }
            set(b, reg0, out);
        }
        Mnemonic::Movmskps | Mnemonic::Movmskpd | Mnemonic::Pmovmskb => {
            let bits = match i.mnemonic() {
                Mnemonic::Movmskps => 32,
                Mnemonic::Movmskpd => 64,
                _ => 8,
            };
            let x = get(b, i.op_register(1));
            let v = sign_mask(b, x, bits);
            operand::write_reg(b, reg0, v);
        }
        Mnemonic::Maskmovdqu => {
            let data = get(b, i.op_register(1));
            let m = get(b, i.op_register(2));
            let base = match i.op_kind(0) {
                OpKind::MemorySegEDI => {
                    let v = b.xreg(super::regs::RDI);
                    b.un(UnOp::Zext32, v)
                }
                _ => b.xreg(super::regs::RDI),
            };
            for k in 0..16 {
                let byte = lane(b, data, 8, k, false);
                let sel = lane(b, m, 8, k, false);
                let sel = shr(b, sel, 7);
                let a = add_imm(b, base, u64::from(k));
                let old = b.load(Width::B8, false, a);
                let v = b.select(sel, byte, old);
                b.store(Width::B8, a, v);
            }
        }
        _ => return false,
    }
    true
}

/// The sign bits of the lanes of `x` gathered into an integer (lane k in
/// bit k).
pub(super) fn sign_mask<B: Backend>(b: &mut B, x: X<B>, bits: u32) -> V<B> {
    let per = 64 / bits;
    let mut acc = b.imm(0);
    for k in 0..128 / bits {
        let half = x[(k / per) as usize];
        let top = (k % per) * bits + bits - 1;
        let bit = shr(b, half, top);
        let bit = and_imm(b, bit, 1);
        let bit = shl(b, bit, k);
        acc = or(b, acc, bit);
    }
    acc
}

// ---------------------------------------------------------------------------
// Floating point.

/// A lane format: single (4 lanes of 32 bits) or double (2 of 64).
fn fbits(fmt: Fmt) -> u32 {
    match fmt {
        Fmt::S => 32,
        Fmt::D => 64,
    }
}

/// Whether the float of `fmt` with bits `v` is a NaN (0/1).
pub(super) fn is_nan<B: Backend>(b: &mut B, fmt: Fmt, v: V<B>) -> V<B> {
    let (mag, inf) = match fmt {
        Fmt::S => (0x7fff_ffff, 0x7f80_0000),
        Fmt::D => (u64::MAX >> 1, 0x7ff0_0000_0000_0000),
    };
    let m = and_imm(b, v, mag);
    let inf = b.imm(inf);
    b.cmp(Cond::LtU, inf, m)
}

/// The x86 compare predicate `p` (0..8) of `a` and `b`: 0 or 1.
pub(super) fn compare<B: Backend>(b: &mut B, fmt: Fmt, p: u64, x: V<B>, y: V<B>) -> V<B> {
    let rm = x86_rm(b, RM_X86);
    let one = b.imm(1);
    let base = match p & 3 {
        0 => FpOp::Eq,
        1 => FpOp::Lt,
        2 => FpOp::Le,
        _ => FpOp::Eq,
    };
    let r = b.fp(base, fmt, &[x, y], rm);
    let r = if p & 3 == 3 {
        let nx = is_nan(b, fmt, x);
        let ny = is_nan(b, fmt, y);
        or(b, nx, ny)
    } else {
        r
    };
    if p & 4 != 0 {
        b.bin(BinOp::Xor, r, one)
    } else {
        r
    }
}

/// A two-operand arithmetic operation of `m`, if it is one.
fn arith_op(m: Mnemonic) -> Option<(FpOp, Fmt, bool)> {
    use Mnemonic::*;
    // (operation, format, scalar)
    Some(match m {
        Addss => (FpOp::Add, Fmt::S, true),
        Addsd => (FpOp::Add, Fmt::D, true),
        Addps => (FpOp::Add, Fmt::S, false),
        Addpd => (FpOp::Add, Fmt::D, false),
        Subss => (FpOp::Sub, Fmt::S, true),
        Subsd => (FpOp::Sub, Fmt::D, true),
        Subps => (FpOp::Sub, Fmt::S, false),
        Subpd => (FpOp::Sub, Fmt::D, false),
        Mulss => (FpOp::Mul, Fmt::S, true),
        Mulsd => (FpOp::Mul, Fmt::D, true),
        Mulps => (FpOp::Mul, Fmt::S, false),
        Mulpd => (FpOp::Mul, Fmt::D, false),
        Divss => (FpOp::Div, Fmt::S, true),
        Divsd => (FpOp::Div, Fmt::D, true),
        Divps => (FpOp::Div, Fmt::S, false),
        Divpd => (FpOp::Div, Fmt::D, false),
        Minss => (FpOp::Min, Fmt::S, true),
        Minsd => (FpOp::Min, Fmt::D, true),
        Minps => (FpOp::Min, Fmt::S, false),
        Minpd => (FpOp::Min, Fmt::D, false),
        Maxss => (FpOp::Max, Fmt::S, true),
        Maxsd => (FpOp::Max, Fmt::D, true),
        Maxps => (FpOp::Max, Fmt::S, false),
        Maxpd => (FpOp::Max, Fmt::D, false),
        Sqrtss => (FpOp::Sqrt, Fmt::S, true),
        Sqrtsd => (FpOp::Sqrt, Fmt::D, true),
        Sqrtps => (FpOp::Sqrt, Fmt::S, false),
        Sqrtpd => (FpOp::Sqrt, Fmt::D, false),
        _ => return None,
    })
}

/// The rounding mode operand of `op`: MXCSR's for rounding operations, a
/// constant for the others (so that the lifter sees the x86 rules).
fn rm_for<B: Backend>(b: &mut B, op: FpOp) -> V<B> {
    match op {
        FpOp::Min | FpOp::Max | FpOp::Eq | FpOp::Lt | FpOp::Le | FpOp::Class => x86_rm(b, RM_X86),
        _ => rm(b),
    }
}

/// Scalar source of `fmt`: the low lane of an xmm register or memory.
fn scalar_src<B: Backend>(b: &mut B, i: &Instruction, n: u32, fmt: Fmt) -> V<B> {
    src_low(b, i, n, fbits(fmt) / 8)
}

/// Replaces the low lane (of `fmt`) of xmm `r` with `v`.
fn set_scalar<B: Backend>(b: &mut B, r: Register, fmt: Fmt, v: V<B>) {
    match fmt {
        Fmt::D => set_lo(b, r, v),
        Fmt::S => {
            let old = get_lo(b, r);
            let old = and_imm(b, old, !ones(32));
            let v = and_imm(b, v, ones(32));
            let v = or(b, old, v);
            set_lo(b, r, v);
        }
    }
}

/// `f` on each float lane of `x` and `y`.
fn fmap2<B: Backend>(
    b: &mut B,
    fmt: Fmt,
    x: X<B>,
    y: X<B>,
    f: impl FnMut(&mut B, V<B>, V<B>) -> V<B>,
) -> X<B> {
    map2(b, x, y, fbits(fmt), false, f)
}

fn float<B: Backend>(b: &mut B, i: &Instruction) -> bool {
    use Mnemonic::*;
    let m = i.mnemonic();
    let reg0 = i.op_register(0);
    if let Some((op, fmt, scalar)) = arith_op(m) {
        let unary = op == FpOp::Sqrt;
        if scalar {
            let y = scalar_src(b, i, 1, fmt);
            let rm = rm_for(b, op);
            let r = if unary {
                b.fp(op, fmt, &[y], rm)
            } else {
                let x = get_lo(b, reg0);
                b.fp(op, fmt, &[x, y], rm)
            };
            set_scalar(b, reg0, fmt, r);
        } else {
            let y = src(b, i, 1);
            let x = get(b, reg0);
            let rm = rm_for(b, op);
            let r = fmap2(b, fmt, x, y, |b, p, q| {
                if unary {
                    b.fp(op, fmt, &[q], rm)
                } else {
                    b.fp(op, fmt, &[p, q], rm)
                }
            });
            set(b, reg0, r);
        }
        return true;
    }
    match m {
        // Bitwise logic on floats is the integer logic.
        Andps | Andpd | Andnps | Andnpd | Orps | Orpd | Xorps | Xorpd => {
            return sse_int::execute(b, i);
        }
        Cmpss | Cmpsd | Cmpps | Cmppd => {
            let fmt = if matches!(m, Cmpss | Cmpps) {
                Fmt::S
            } else {
                Fmt::D
            };
            let p = imm8(i) & 7;
            if matches!(m, Cmpss | Cmpsd) {
                let y = scalar_src(b, i, 1, fmt);
                let x = get_lo(b, reg0);
                let c = compare(b, fmt, p, x, y);
                let c = mask(b, c);
                set_scalar(b, reg0, fmt, c);
            } else {
                let y = src(b, i, 1);
                let x = get(b, reg0);
                let r = fmap2(b, fmt, x, y, |b, p1, q| {
                    let c = compare(b, fmt, p, p1, q);
                    mask(b, c)
                });
                set(b, reg0, r);
            }
        }
        Ucomiss | Ucomisd | Comiss | Comisd => {
            let fmt = if matches!(m, Ucomiss | Comiss) {
                Fmt::S
            } else {
                Fmt::D
            };
            let y = scalar_src(b, i, 1, fmt);
            let x = get_lo(b, reg0);
            let x = ext(b, x, fbits(fmt), false);
            let word = compare_flags(b, fmt, x, y, matches!(m, Comiss | Comisd));
            set_rflags(b, word);
        }
        Cvtsi2ss | Cvtsi2sd => {
            let fmt = if m == Cvtsi2ss { Fmt::S } else { Fmt::D };
            let size = if i.op_kind(1) == OpKind::Register {
                i.op_register(1).size() as u32
            } else {
                i.memory_size().size() as u32
            };
            let v = operand::read(b, i, 1, size);
            let ty = if size == 8 { IntTy::I64 } else { IntTy::I32 };
            let rm = rm(b);
            let r = b.fp(FpOp::FromInt(ty), fmt, &[v], rm);
            set_scalar(b, reg0, fmt, r);
        }
        Cvtss2si | Cvtsd2si | Cvttss2si | Cvttsd2si => {
            let fmt = if matches!(m, Cvtss2si | Cvttss2si) {
                Fmt::S
            } else {
                Fmt::D
            };
            let x = scalar_src(b, i, 1, fmt);
            let size = reg0.size() as u32;
            let ty = if size == 8 { IntTy::I64 } else { IntTy::I32 };
            let rm = if matches!(m, Cvttss2si | Cvttsd2si) {
                x86_rm(b, 1 | RM_X86)
            } else {
                rm(b)
            };
            let r = b.fp(FpOp::ToInt(ty), fmt, &[x], rm);
            operand::write_reg(b, reg0, r);
        }
        Cvtss2sd | Cvtsd2ss => {
            let (from, to) = if m == Cvtss2sd {
                (Fmt::S, Fmt::D)
            } else {
                (Fmt::D, Fmt::S)
            };
            let x = scalar_src(b, i, 1, from);
            let rm = rm(b);
            let r = b.fp(FpOp::Convert, to, &[x], rm);
            set_scalar(b, reg0, to, r);
        }
        Cvtdq2ps | Cvtps2dq | Cvttps2dq => {
            let x = src(b, i, 1);
            let rm = if m == Cvttps2dq {
                x86_rm(b, 1 | RM_X86)
            } else {
                rm(b)
            };
            let r = map1(b, x, 32, false, |b, v| {
                if m == Cvtdq2ps {
                    b.fp(FpOp::FromInt(IntTy::I32), Fmt::S, &[v], rm)
                } else {
                    b.fp(FpOp::ToInt(IntTy::I32), Fmt::S, &[v], rm)
                }
            });
            set(b, reg0, r);
        }
        Cvtdq2pd | Cvtps2pd => {
            let v = src_low(b, i, 1, 8);
            let rm = rm(b);
            let mut out = [v, v];
            for (k, slot) in out.iter_mut().enumerate() {
                let lane = shr(b, v, 32 * k as u32);
                let lane = and_imm(b, lane, ones(32));
                *slot = if m == Cvtdq2pd {
                    b.fp(FpOp::FromInt(IntTy::I32), Fmt::D, &[lane], rm)
                } else {
                    b.fp(FpOp::Convert, Fmt::D, &[lane], rm)
                };
            }
            set(b, reg0, out);
        }
        Cvtpd2dq | Cvttpd2dq | Cvtpd2ps => {
            let x = src(b, i, 1);
            let rm = if m == Cvttpd2dq {
                x86_rm(b, 1 | RM_X86)
            } else {
                rm(b)
            };
            let mut r = x;
            for (k, slot) in r.iter_mut().enumerate() {
                let v = if m == Cvtpd2ps {
                    b.fp(FpOp::Convert, Fmt::S, &[x[k]], rm)
                } else {
                    b.fp(FpOp::ToInt(IntTy::I32), Fmt::D, &[x[k]], rm)
                };
                *slot = and_imm(b, v, ones(32));
            }
            let hi = shl(b, r[1], 32);
            let lo = or(b, r[0], hi);
            let zero = b.imm(0);
            set(b, reg0, [lo, zero]);
        }
        Haddps | Haddpd | Hsubps | Hsubpd => {
            let fmt = if matches!(m, Haddps | Hsubps) {
                Fmt::S
            } else {
                Fmt::D
            };
            let op = if matches!(m, Haddps | Haddpd) {
                FpOp::Add
            } else {
                FpOp::Sub
            };
            let y = src(b, i, 1);
            let x = get(b, reg0);
            let bits = fbits(fmt);
            let rm = rm(b);
            let mut xs = lanes(b, x, bits, false);
            xs.extend(lanes(b, y, bits, false));
            let rs: Vec<_> = xs
                .chunks(2)
                .map(|p| b.fp(op, fmt, &[p[0], p[1]], rm))
                .collect();
            let r = from_lanes(b, bits, &rs);
            set(b, reg0, r);
        }
        Addsubps | Addsubpd => {
            let fmt = if m == Addsubps { Fmt::S } else { Fmt::D };
            let y = src(b, i, 1);
            let x = get(b, reg0);
            let rm = rm(b);
            let mut k = 0;
            let r = fmap2(b, fmt, x, y, |b, p, q| {
                let op = if k % 2 == 0 { FpOp::Sub } else { FpOp::Add };
                k += 1;
                b.fp(op, fmt, &[p, q], rm)
            });
            set(b, reg0, r);
        }
        Roundss | Roundsd | Roundps | Roundpd => {
            let fmt = if matches!(m, Roundss | Roundps) {
                Fmt::S
            } else {
                Fmt::D
            };
            let imm = imm8(i);
            let rm = if imm & 4 != 0 {
                rm(b)
            } else {
                x86_rm(b, rc_to_rm(imm & 3))
            };
            let before = b.state(StateReg::FFlags);
            if matches!(m, Roundss | Roundsd) {
                let x = scalar_src(b, i, 1, fmt);
                let r = round_integral(b, fmt, x, rm);
                restore_flags(b, before, imm);
                set_scalar(b, reg0, fmt, r);
            } else {
                let x = src(b, i, 1);
                let r = map1(b, x, fbits(fmt), false, |b, v| {
                    round_integral(b, fmt, v, rm)
                });
                restore_flags(b, before, imm);
                set(b, reg0, r);
            }
        }
        _ => return false,
    }
    true
}

/// ucomis / comis: ZF PF CF of the comparison of `x` with `y` (unordered
/// 111, less 001, equal 100, greater 000); comis signals on quiet NaNs too.
fn compare_flags<B: Backend>(b: &mut B, fmt: Fmt, x: V<B>, y: V<B>, signal: bool) -> V<B> {
    let rm = x86_rm(b, RM_X86);
    let nx = is_nan(b, fmt, x);
    let ny = is_nan(b, fmt, y);
    let un = or(b, nx, ny);
    let zero = b.imm(0);
    // Operands without NaNs, for the comparisons that must not signal.
    let xs = b.select(un, zero, x);
    let ys = b.select(un, zero, y);
    let (eq, lt) = if signal {
        let lt = b.fp(FpOp::Lt, fmt, &[x, y], rm);
        let eq = b.fp(FpOp::Eq, fmt, &[xs, ys], rm);
        (eq, lt)
    } else {
        let eq = b.fp(FpOp::Eq, fmt, &[x, y], rm);
        let lt = b.fp(FpOp::Lt, fmt, &[xs, ys], rm);
        (eq, lt)
    };
    let zf = or(b, eq, un);
    let cf = or(b, lt, un);
    let zf = shl(b, zf, 6);
    let pf = shl(b, un, 2);
    let w = or(b, zf, pf);
    or(b, w, cf)
}

/// `x` (of `fmt`) rounded to an integral value by `rm`: adding and
/// subtracting 2^(p-1) rounds the fraction away; larger values, infinities
/// and NaNs are already integral (a NaN is made quiet).
fn round_integral<B: Backend>(b: &mut B, fmt: Fmt, x: V<B>, rm: V<B>) -> V<B> {
    let (sign, big) = match fmt {
        Fmt::S => (0x8000_0000u64, 0x4b00_0000u64),
        Fmt::D => (1 << 63, 0x4330_0000_0000_0000),
    };
    let x = ext(b, x, fbits(fmt), false);
    let mag = and_imm(b, x, !sign);
    let bigv = b.imm(big);
    let is_big = b.cmp(Cond::GeU, mag, bigv);
    // Signalling NaNs raise invalid.
    let rm_x = x86_rm(b, RM_X86);
    let _ = b.fp(FpOp::Eq, fmt, &[x, x], rm_x);
    let zero = b.imm(0);
    let small = b.select(is_big, zero, x);
    let s = and_imm(b, x, sign);
    let c = or(b, bigv, s);
    let t = b.fp(FpOp::Add, fmt, &[small, c], rm);
    let r = b.fp(FpOp::Sub, fmt, &[t, c], rm);
    // The sign is the operand's (x - x is -0 when rounding down).
    let r = and_imm(b, r, !sign);
    let r = or(b, r, s);
    let quiet = match fmt {
        Fmt::S => 1 << 22,
        Fmt::D => 1 << 51,
    };
    let nan = is_nan(b, fmt, x);
    let q = b.imm(quiet);
    let q = b.select(nan, q, zero);
    let xq = or(b, x, q);
    b.select(is_big, xq, r)
}

/// After a round: the denormal flag as it was, and inexact too when bit 3
/// of the immediate suppresses it.
fn restore_flags<B: Backend>(b: &mut B, before: V<B>, imm: u64) {
    let keep = if imm & 8 != 0 {
        FLAG_DENORMAL | 1
    } else {
        FLAG_DENORMAL
    };
    let now = b.state(StateReg::FFlags);
    let now = and_imm(b, now, !keep);
    let old = and_imm(b, before, keep);
    let v = or(b, now, old);
    b.set_state(StateReg::FFlags, v);
}
