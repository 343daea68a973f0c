//! The operations that never round: min/max, comparisons and classify.

use super::format::{Format, Host};
use super::{FpResult, NV};

/// An operation without rounding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Exact {
    /// minimumNumber (RISC-V 2.2 fmin).
    Min,
    /// maximumNumber (RISC-V 2.2 fmax).
    Max,
    /// Quiet equality.
    Eq,
    /// Signalling less-than.
    Lt,
    /// Signalling less-or-equal.
    Le,
    /// fclass.
    Class,
}

/// `op` on the values of format `F` whose bits are `a` and `b`.
pub(super) fn exact<F: Format>(op: Exact, a: u64, b: u64) -> FpResult {
    let (a, b) = (F::Host::from_raw(a), F::Host::from_raw(b));
    match op {
        Exact::Min => min_max(a, b, false),
        Exact::Max => min_max(a, b, true),
        Exact::Eq => compare(a == b, a.is_snan() || b.is_snan()),
        Exact::Lt => compare(a < b, a.is_nan() || b.is_nan()),
        Exact::Le => compare(a <= b, a.is_nan() || b.is_nan()),
        Exact::Class => FpResult::exact(class(a)),
    }
}

/// A comparison result (false when unordered), with NV if `invalid`.
fn compare(holds: bool, invalid: bool) -> FpResult {
    FpResult {
        value: u64::from(holds),
        flags: if invalid { NV } else { 0 },
    }
}

/// fmin / fmax: a NaN operand yields the other one, two NaNs the canonical
/// NaN; -0 is below +0; NV only for a signalling NaN.
fn min_max<H: Host>(a: H, b: H, max: bool) -> FpResult {
    let value = match (a.is_nan(), b.is_nan()) {
        (true, true) => H::CANONICAL_NAN,
        (true, false) => b.raw(),
        (false, true) => a.raw(),
        (false, false) => {
            let a_below = if a == b { a.is_sign_negative() } else { a < b };
            if a_below != max {
                a.raw()
            } else {
                b.raw()
            }
        }
    };
    FpResult {
        value,
        flags: if a.is_snan() || b.is_snan() { NV } else { 0 },
    }
}

/// The RISC-V fclass mask: bit 0 -inf, 1 negative normal, 2 negative
/// subnormal, 3 -0, 4 +0, 5 positive subnormal, 6 positive normal, 7 +inf,
/// 8 signalling NaN, 9 quiet NaN.
fn class<H: Host>(a: H) -> u64 {
    let by_sign = |neg_bit: u32| {
        if a.is_sign_negative() {
            neg_bit
        } else {
            7 - neg_bit
        }
    };
    let bit = if a.is_nan() {
        if a.is_snan() {
            8
        } else {
            9
        }
    } else if a.is_infinite() {
        by_sign(0)
    } else if a.is_zero() {
        by_sign(3)
    } else if a.is_subnormal() {
        by_sign(2)
    } else {
        by_sign(1)
    };
    1 << bit
}
