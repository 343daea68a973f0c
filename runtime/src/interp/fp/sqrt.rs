//! Square root: the host's correctly rounded (ties-to-even) root, then the
//! exact sign of its error, found by squaring it in the wide format, gives
//! the inexact flag and the result in the other rounding modes.

use std::cmp::Ordering;

use super::format::{Format, Host};
use super::{FpResult, Rm, NX};

/// sqrt of the value of format `F` whose bits are `a`.
pub(super) fn sqrt<F: Format>(a: u64, rm: Rm, fflags: u64) -> FpResult {
    let x = F::Host::from_raw(a);
    if x.is_nan() {
        return FpResult::nan::<F::Host>(x.is_snan());
    }
    if x.is_zero() {
        // sqrt(-0) = -0.
        return FpResult::exact(a);
    }
    if x.is_sign_negative() {
        return FpResult::nan::<F::Host>(true);
    }
    let r = x.sqrt();
    if x.is_infinite() || rm == Rm::Rne && fflags & NX != 0 {
        return FpResult::exact(r.raw());
    }
    // The square of `r` is exact in the wide format.
    let rw = F::wide(r);
    let square = (rw * rw).value;
    let Some(order) = square.partial_cmp(&F::wide(x)) else {
        return FpResult::exact(r.raw());
    };
    // `r` is positive and finite, so its neighbours are one bit pattern away.
    let value = match (order, rm) {
        (Ordering::Equal, _) => return FpResult::exact(r.raw()),
        // The true root is below `r`.
        (Ordering::Greater, Rm::Rtz | Rm::Rdn) => r.raw() - 1,
        // The true root is above `r`.
        (Ordering::Less, Rm::Rup) => r.raw() + 1,
        // A root is never halfway between two floats: RMM rounds as RNE.
        _ => r.raw(),
    };
    FpResult { value, flags: NX }
}
