//! x86 (SSE) rules for the operations of [`super::fp`], chosen by adding
//! `c2w_isa::RM_X86` to the rounding mode.
//!
//! The rounded results are IEEE's and x86 detects tininess after rounding as
//! RISC-V does, so the RISC-V evaluation gives every finite result and its
//! flags. What differs:
//!
//! * NaN results: the first NaN operand made quiet, or the default NaN
//!   (negative, quiet) for an invalid operation on non-NaN operands;
//! * the denormal-operand flag, raised when an operand is subnormal and the
//!   operation raises neither invalid nor divide-by-zero (a NaN operand
//!   takes precedence too);
//! * `minsd`/`maxsd` and the comparisons (see `c2w_isa::Backend::fp`);
//! * conversions to integers: the integer indefinite (the minimum) instead
//!   of saturation;
//! * MXCSR.DAZ (`RM_DAZ`): denormal operands are read as zeros of their
//!   sign; MXCSR.FTZ (`RM_FTZ`): a tiny result of a rounded operation
//!   (after rounding, exact or not) becomes the zero of its sign, with
//!   underflow and inexact.

use c2w_isa::{Fmt, FpOp, IntTy, FLAG_DENORMAL, RM_DAZ, RM_FTZ};

use super::format::Host;
use super::{FpResult, ReservedRm, DZ, NV, NX, UF};

/// `op` under x86 rules; `rm` is the RISC-V rounding mode without `RM_X86`
/// (with `RM_FTZ` and `RM_DAZ` when MXCSR sets them).
pub(super) fn fp(
    op: FpOp,
    fmt: Fmt,
    args: [u64; 3],
    rm: u64,
    fflags: u64,
) -> Result<FpResult, ReservedRm> {
    let (ftz, daz) = (rm & RM_FTZ != 0, rm & RM_DAZ != 0);
    let rm = rm & !(RM_FTZ | RM_DAZ);
    // The format of the operands.
    let from = match (op, fmt) {
        (FpOp::Convert, Fmt::D) => Some(Fmt::S),
        (FpOp::Convert, Fmt::S) => Some(Fmt::D),
        (FpOp::FromInt(_), _) => None,
        _ => Some(fmt),
    };
    let args = match from {
        Some(from) if daz => args.map(|a| denormal_as_zero(from, a)),
        _ => args,
    };
    let r = match (op, fmt) {
        (FpOp::Convert, Fmt::D) => widen(args[0], rm, fflags)?,
        (FpOp::Convert, Fmt::S) => narrow(args[0], rm, fflags)?,
        (_, Fmt::S) => by_format::<f32>(op, fmt, args, rm, fflags)?,
        (_, Fmt::D) => by_format::<f64>(op, fmt, args, rm, fflags)?,
    };
    let rounded = matches!(
        op,
        FpOp::Add
            | FpOp::Sub
            | FpOp::Mul
            | FpOp::Div
            | FpOp::Sqrt
            | FpOp::MulAdd
            | FpOp::MulSub
            | FpOp::NegMulAdd
            | FpOp::NegMulSub
            | FpOp::Convert
    );
    Ok(if ftz && rounded {
        match fmt {
            Fmt::S => flush::<f32>(r),
            Fmt::D => flush::<f64>(r),
        }
    } else {
        r
    })
}

/// DAZ: `a` (of `fmt`) as the zero of its sign if it is denormal.
fn denormal_as_zero(fmt: Fmt, a: u64) -> u64 {
    match fmt {
        Fmt::S if f32::from_raw(a).is_subnormal() => a & 0x8000_0000,
        Fmt::D if f64::from_raw(a).is_subnormal() => a & 1 << 63,
        _ => a,
    }
}

/// FTZ: a tiny result (underflow, or an exact denormal) flushed to zero.
fn flush<H: Host>(mut r: FpResult) -> FpResult {
    let v = H::from_raw(r.value);
    if !v.is_nan() && (r.flags & UF != 0 || v.is_subnormal()) {
        r.value &= sign_bit::<H>();
        r.flags |= UF | NX;
    }
    r
}

/// The default NaN of `H`: negative, quiet, no payload.
fn default_nan<H: Host>() -> u64 {
    H::CANONICAL_NAN | sign_bit::<H>()
}

fn sign_bit<H: Host>() -> u64 {
    (-H::from_f64(0.0)).raw()
}

/// The result of an operation with NaN operands: the first one, quiet; NV if
/// any is signalling. `None` without NaN operands.
fn nan_operand<H: Host>(x: &[H]) -> Option<FpResult> {
    let first = x.iter().find(|v| v.is_nan())?;
    Some(FpResult {
        value: first.raw() | H::QUIET_BIT,
        flags: if x.iter().any(|v| v.is_snan()) { NV } else { 0 },
    })
}

/// The RISC-V result `r` of an operation on `x` (no NaN among them) made
/// x86's: the default NaN, and the denormal flag.
fn finish<H: Host>(mut r: FpResult, x: &[H]) -> FpResult {
    if H::from_raw(r.value).is_nan() {
        r.value = default_nan::<H>();
    }
    if r.flags & (NV | DZ) == 0 && x.iter().any(|v| v.is_subnormal()) {
        r.flags |= FLAG_DENORMAL;
    }
    r
}

fn arity(op: FpOp) -> usize {
    match op {
        FpOp::MulAdd | FpOp::MulSub | FpOp::NegMulAdd | FpOp::NegMulSub => 3,
        FpOp::Add
        | FpOp::Sub
        | FpOp::Mul
        | FpOp::Div
        | FpOp::Min
        | FpOp::Max
        | FpOp::Eq
        | FpOp::Lt
        | FpOp::Le => 2,
        _ => 1,
    }
}

fn by_format<H: Host>(
    op: FpOp,
    fmt: Fmt,
    args: [u64; 3],
    rm: u64,
    fflags: u64,
) -> Result<FpResult, ReservedRm> {
    let x = args.map(H::from_raw);
    let used = &x[..arity(op)];
    let riscv = |args: &[u64]| super::fp(op, fmt, args, rm, fflags);
    Ok(match op {
        FpOp::Add
        | FpOp::Sub
        | FpOp::Mul
        | FpOp::Div
        | FpOp::Sqrt
        | FpOp::MulAdd
        | FpOp::MulSub
        | FpOp::NegMulAdd
        | FpOp::NegMulSub => {
            // The rounding mode is checked even when a NaN decides.
            let r = riscv(&args)?;
            match nan_operand(used) {
                Some(n) => n,
                None => finish(r, used),
            }
        }
        FpOp::Min | FpOp::Max => {
            let (a, b) = (x[0], x[1]);
            if a.is_nan() || b.is_nan() {
                return Ok(FpResult {
                    value: b.raw(),
                    flags: NV,
                });
            }
            let first = if op == FpOp::Min { a < b } else { a > b };
            let value = if first { a.raw() } else { b.raw() };
            finish(FpResult { value, flags: 0 }, used)
        }
        FpOp::Eq | FpOp::Lt | FpOp::Le => {
            let r = riscv(&args)?;
            if used.iter().any(|v| v.is_nan()) {
                r
            } else {
                finish(r, used)
            }
        }
        FpOp::Class | FpOp::FromInt(_) => riscv(&args)?,
        FpOp::ToInt(ty) => {
            let indefinite = match ty {
                IntTy::I32 | IntTy::U32 => i32::MIN as i64 as u64,
                IntTy::I64 | IntTy::U64 => i64::MIN as u64,
            };
            let r = riscv(&args)?;
            if x[0].is_nan() || r.flags & NV != 0 {
                FpResult {
                    value: indefinite,
                    flags: NV,
                }
            } else {
                r
            }
        }
        FpOp::Convert => unreachable!("conversions between formats are handled by the caller"),
    })
}

/// cvtss2sd.
fn widen(a: u64, rm: u64, fflags: u64) -> Result<FpResult, ReservedRm> {
    let r = super::fp(FpOp::Convert, Fmt::D, &[a], rm, fflags)?;
    let x = f32::from_raw(a);
    if x.is_nan() {
        let a = a & 0xffff_ffff;
        let value = (a >> 31) << 63 | 0x7ff8_0000_0000_0000 | (a & 0x7f_ffff) << 29;
        return Ok(FpResult {
            value,
            flags: if x.is_snan() { NV } else { 0 },
        });
    }
    Ok(r.with_denormal(x.is_subnormal()))
}

/// cvtsd2ss.
fn narrow(a: u64, rm: u64, fflags: u64) -> Result<FpResult, ReservedRm> {
    let r = super::fp(FpOp::Convert, Fmt::S, &[a], rm, fflags)?;
    let x = f64::from_raw(a);
    if x.is_nan() {
        let value = (a >> 63) << 31 | 0x7fc0_0000 | (a >> 29) & 0x7f_ffff;
        return Ok(FpResult {
            value,
            flags: if x.is_snan() { NV } else { 0 },
        });
    }
    Ok(r.with_denormal(x.is_subnormal()))
}

impl FpResult {
    fn with_denormal(mut self, denormal: bool) -> FpResult {
        if denormal {
            self.flags |= FLAG_DENORMAL;
        }
        self
    }
}
