//! Overflow and underflow as RISC-V (and IEEE 754) define them, where
//! apfloat differs.
//!
//! * Underflow: tininess is detected after rounding, i.e. the result is tiny
//!   when the exact value, rounded to the format's precision with an
//!   unbounded exponent range, is below the smallest normal number in
//!   magnitude. apfloat rounds to the destination format instead (where
//!   subnormals have less precision) and misses underflow when that rounds
//!   up to the smallest normal number while the full-precision rounding
//!   stays just below it.
//! * Overflow: when rounding towards zero turns an overflowing value into
//!   the largest finite number, apfloat reports only "inexact".
//!
//! Both cases have an inexact result at the edge of the range (the smallest
//! normal or the largest finite number); only then does [`missed`] look at
//! the exact value, computed in the wide format and compared with the
//! thresholds that format represents exactly.

use std::cmp::Ordering;

use rustc_apfloat::{Float, FloatConvert, Status, StatusAnd};

use super::format::Format;
use super::{Rm, OF, UF};

/// The flags (UF or OF) that `res`, an apfloat result of format `F` rounded
/// by `rm`, should have raised but did not. `exact` computes the same
/// operation in `F::Wide`, rounded towards zero; it is only called when the
/// result is inexact and at an edge of the range.
pub(super) fn missed<F: Format>(
    res: &StatusAnd<F::Ap>,
    rm: Rm,
    exact: impl FnOnce() -> StatusAnd<F::Wide>,
) -> u64 {
    let s = res.status;
    if !s.contains(Status::INEXACT) {
        return 0;
    }
    if res.value.is_smallest_normalized() && !s.contains(Status::UNDERFLOW) {
        return if is_tiny::<F>(res.value.is_negative(), rm, exact()) {
            UF
        } else {
            0
        };
    }
    if res.value.is_largest() && !s.contains(Status::OVERFLOW) {
        // Overflow iff |x| >= 2^(emax + 1) (the value rounded with unbounded
        // exponent then exceeds the largest finite number; `max` itself is
        // where rounding towards zero gives it).
        let limit = F::Wide::from_u128(1).value.scalbn(F::Ap::MAX_EXP + 1);
        return if exact().value.abs() >= limit { OF } else { 0 };
    }
    0
}

/// Whether the exact value `x` (given rounded towards zero, with its
/// inexact status) is tiny after rounding by `rm`, knowing that rounding to
/// the destination format gave the smallest normal number (of sign `neg`).
fn is_tiny<F: Format>(neg: bool, rm: Rm, x: StatusAnd<F::Wide>) -> bool {
    // With unbounded exponent, the largest value below the smallest normal
    // number `min` is `min - u`.
    let min: F::Wide = F::Ap::smallest_normalized().convert(&mut false).value;
    let u = F::Ap::SMALLEST.convert(&mut false).value.scalbn(-1);
    // `x` is rounded towards zero: |x| is in [mag, next(mag)), and equal to
    // `mag` only if exact.
    let mag = x.value.abs();
    let away = match rm {
        Rm::Rne | Rm::Rmm => {
            // Not tiny iff |x| >= min - u/2 (the tie goes to `min`, which is
            // even).
            return mag < (min - u.scalbn(-1)).value;
        }
        Rm::Rup => !neg,
        Rm::Rdn => neg,
        Rm::Rtz => false,
    };
    if !away {
        // Rounding towards zero gave `min`, so |x| >= min.
        return false;
    }
    // Rounding away from zero: not tiny iff |x| > min - u.
    match mag.partial_cmp(&(min - u).value) {
        Some(Ordering::Greater) => false,
        Some(Ordering::Equal) => !x.status.contains(Status::INEXACT),
        _ => true,
    }
}
