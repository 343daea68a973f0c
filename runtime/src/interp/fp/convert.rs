//! Conversions: float to integer, integer to float, single <-> double.

use c2w_isa::IntTy;
use rustc_apfloat::ieee::{Double, Single};
use rustc_apfloat::{Float, FloatConvert, Status, StatusAnd};

use super::format::{Format, Host, S};
use super::{range, status_flags, FpResult, Rm, NV, NX};

/// The value (bits `a`, format `F`) to integer type `ty`, rounded by `rm`:
/// NV and saturation when the rounded value is out of range (NaN gives the
/// maximum), NX when inexact. 32-bit results are sign-extended, the
/// unsigned ones included.
pub(super) fn to_int<F: Format>(a: u64, ty: IntTy, rm: Rm) -> FpResult {
    // Every single and double is exact as an f64, so one path serves both.
    let x = F::Host::from_raw(a).to_f64();
    let (min, max) = int_range(ty);
    if x.is_nan() {
        return FpResult {
            value: int_reg(max, ty),
            flags: NV,
        };
    }
    let r = round_to_integral(x, rm);
    // `r` is integral, so the conversion is exact (infinities saturate).
    let v = r as i128;
    if v < min || v > max {
        let value = int_reg(if v < min { min } else { max }, ty);
        return FpResult { value, flags: NV };
    }
    FpResult {
        value: int_reg(v, ty),
        flags: if r != x { NX } else { 0 },
    }
}

/// `x` rounded to an integral value by `rm` (exact host operations).
fn round_to_integral(x: f64, rm: Rm) -> f64 {
    match rm {
        Rm::Rne => x.round_ties_even(),
        Rm::Rtz => x.trunc(),
        Rm::Rdn => x.floor(),
        Rm::Rup => x.ceil(),
        Rm::Rmm => x.round(),
    }
}

/// The range of integer type `ty`.
fn int_range(ty: IntTy) -> (i128, i128) {
    match ty {
        IntTy::I32 => (i32::MIN.into(), i32::MAX.into()),
        IntTy::U32 => (0, u32::MAX.into()),
        IntTy::I64 => (i64::MIN.into(), i64::MAX.into()),
        IntTy::U64 => (0, u64::MAX.into()),
    }
}

/// An in-range integer of type `ty` as a register value.
fn int_reg(v: i128, ty: IntTy) -> u64 {
    match ty {
        IntTy::I32 | IntTy::U32 => v as i32 as u64,
        IntTy::I64 | IntTy::U64 => v as u64,
    }
}

/// The integer of type `ty` held in the low bits of `a`.
fn int_value(a: u64, ty: IntTy) -> i128 {
    match ty {
        IntTy::I32 => (a as i32).into(),
        IntTy::U32 => (a as u32).into(),
        IntTy::I64 => (a as i64).into(),
        IntTy::U64 => a.into(),
    }
}

/// The integer (type `ty`, low bits of `a`) to format `F`, rounded by `rm`;
/// NX when inexact.
pub(super) fn from_int<F: Format>(a: u64, ty: IntTy, rm: Rm) -> FpResult {
    let v = int_value(a, ty);
    if v.unsigned_abs() <= 1 << F::Host::PRECISION {
        // Exact in the format (and in the f64 on the way).
        return FpResult::exact(F::Host::from_f64(v as f64).raw());
    }
    let r = F::Ap::from_i128_r(v, rm.round());
    FpResult {
        value: F::result(r.value),
        flags: status_flags(r.status),
    }
}

/// Single (bits `a`) to double: exact.
pub(super) fn widen(a: u64) -> FpResult {
    let a = f32::from_raw(a);
    if a.is_nan() {
        return FpResult::nan::<f64>(a.is_snan());
    }
    FpResult::exact(f64::from(a).raw())
}

/// Double (bits `a`) to single, rounded by `rm`.
pub(super) fn narrow(a: u64, rm: Rm, fflags: u64) -> FpResult {
    let a = f64::from_raw(a);
    if a.is_nan() {
        return FpResult::nan::<f32>(a.is_snan());
    }
    // Host conversion rounds to nearest-even.
    let r = a as f32;
    let fast = rm == Rm::Rne && fflags & NX != 0 && r.is_finite() && r.abs() > f32::MIN_POSITIVE;
    if f64::from(r) == a || fast {
        return FpResult::exact(r.raw());
    }
    let x = Double::from_bits(a.raw().into());
    let res: StatusAnd<Single> = x.convert_r(rm.round(), &mut false);
    // The wide format of single is double: `x` itself is the exact value.
    let missed = range::missed::<S>(&res, rm, || Status::OK.and(x));
    FpResult {
        value: S::result(res.value),
        flags: status_flags(res.status) | missed,
    }
}
