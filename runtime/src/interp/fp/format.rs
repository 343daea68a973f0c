//! The two IEEE formats, seen three ways: as host floats (fast paths and
//! exact operations), as `rustc_apfloat` values (correct rounding in every
//! mode) and as a wider `rustc_apfloat` format that holds exact products.

use std::ops::{Add, Div, Mul, Neg, Sub};

use rustc_apfloat::ieee::{Double, Quad, Single};
use rustc_apfloat::{Float, FloatConvert};

/// A host float type (`f32` or `f64`) and its bit-level properties.
pub(super) trait Host:
    Copy
    + PartialEq
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// Smallest positive normal number.
    const MIN_POSITIVE: Self;
    /// Significand precision in bits, the implicit bit included.
    const PRECISION: u32;
    /// The RISC-V canonical NaN.
    const CANONICAL_NAN: u64;
    /// The quiet bit of a NaN (most significant fraction bit).
    const QUIET_BIT: u64;

    /// The value whose bits are the low bits of `bits`.
    fn from_raw(bits: u64) -> Self;
    /// The bits of the value, zero-extended.
    fn raw(self) -> u64;
    /// The value rounded to this format (exact when representable).
    fn from_f64(x: f64) -> Self;
    /// The value as an `f64` (always exact).
    fn to_f64(self) -> f64;
    fn is_nan(self) -> bool;
    fn is_infinite(self) -> bool;
    fn is_finite(self) -> bool;
    fn is_subnormal(self) -> bool;
    fn is_sign_negative(self) -> bool;
    fn abs(self) -> Self;
    /// Correctly rounded (ties to even) square root.
    fn sqrt(self) -> Self;
    /// `self * b + c` with one rounding (ties to even).
    fn mul_add(self, b: Self, c: Self) -> Self;

    /// Whether the value is a signalling NaN.
    fn is_snan(self) -> bool {
        self.is_nan() && self.raw() & Self::QUIET_BIT == 0
    }
    /// Whether the value is zero (of either sign).
    fn is_zero(self) -> bool {
        self.to_f64() == 0.0
    }
}

macro_rules! host_float {
    ($t:ty, $bits:ty, $nan:expr) => {
        impl Host for $t {
            const MIN_POSITIVE: Self = <$t>::MIN_POSITIVE;
            const PRECISION: u32 = <$t>::MANTISSA_DIGITS;
            const CANONICAL_NAN: u64 = $nan;
            const QUIET_BIT: u64 = 1 << (<$t>::MANTISSA_DIGITS - 2);

            #[inline(always)]
            fn from_raw(bits: u64) -> Self {
                <$t>::from_bits(bits as $bits)
            }
            #[inline(always)]
            fn raw(self) -> u64 {
                u64::from(self.to_bits())
            }
            #[inline(always)]
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                f64::from(self)
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            #[inline(always)]
            fn is_infinite(self) -> bool {
                <$t>::is_infinite(self)
            }
            #[inline(always)]
            fn is_finite(self) -> bool {
                <$t>::is_finite(self)
            }
            #[inline(always)]
            fn is_subnormal(self) -> bool {
                <$t>::is_subnormal(self)
            }
            #[inline(always)]
            fn is_sign_negative(self) -> bool {
                <$t>::is_sign_negative(self)
            }
            #[inline(always)]
            fn abs(self) -> Self {
                <$t>::abs(self)
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            #[inline(always)]
            fn mul_add(self, b: Self, c: Self) -> Self {
                <$t>::mul_add(self, b, c)
            }
        }
    };
}

host_float!(f32, u32, 0x7fc0_0000);
host_float!(f64, u64, 0x7ff8_0000_0000_0000);

/// One IEEE format of the guest (single or double).
pub(super) trait Format {
    /// The host float of this format.
    type Host: Host;
    /// The `rustc_apfloat` type of this format.
    type Ap: Float + FloatConvert<Self::Wide>;
    /// A wider `rustc_apfloat` format: it holds the exact product of two
    /// values of this format, with a much wider exponent range.
    type Wide: Float;

    /// The apfloat value of a host value.
    fn ap(x: Self::Host) -> Self::Ap {
        Self::Ap::from_bits(u128::from(x.raw()))
    }
    /// The wide value of a host value (exact).
    fn wide(x: Self::Host) -> Self::Wide {
        Self::ap(x).convert(&mut false).value
    }
    /// The bits of an apfloat result: its own, or the canonical NaN.
    fn result(x: Self::Ap) -> u64 {
        if x.is_nan() {
            Self::Host::CANONICAL_NAN
        } else {
            x.to_bits() as u64
        }
    }
}

/// binary32.
pub(super) struct S;
/// binary64.
pub(super) struct D;

impl Format for S {
    type Host = f32;
    type Ap = Single;
    type Wide = Double;
}

impl Format for D {
    type Host = f64;
    type Ap = Double;
    type Wide = Quad;
}
