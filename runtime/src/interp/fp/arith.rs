//! Add, subtract, multiply, divide and the fused multiply-adds.

use rustc_apfloat::{Float, Round, StatusAnd};

use super::format::{Format, Host};
use super::{range, status_flags, FpResult, Rm, NX};

/// A rounded arithmetic operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    MulAdd,
    MulSub,
    NegMulAdd,
    NegMulSub,
}

impl Arith {
    fn is_fused(self) -> bool {
        matches!(
            self,
            Arith::MulAdd | Arith::MulSub | Arith::NegMulAdd | Arith::NegMulSub
        )
    }

    /// Number of operands.
    fn arity(self) -> usize {
        if self.is_fused() {
            3
        } else {
            2
        }
    }

    /// The operation in apfloat type `T`, rounded by `r`.
    fn apply<T: Float>(self, [a, b, c]: [T; 3], r: Round) -> StatusAnd<T> {
        match self {
            Arith::Add => a.add_r(b, r),
            Arith::Sub => a.sub_r(b, r),
            Arith::Mul => a.mul_r(b, r),
            Arith::Div => a.div_r(b, r),
            Arith::MulAdd => a.mul_add_r(b, c, r),
            Arith::MulSub => a.mul_add_r(b, -c, r),
            Arith::NegMulAdd => (-a).mul_add_r(b, c, r),
            Arith::NegMulSub => (-a).mul_add_r(b, -c, r),
        }
    }

    /// The operation on host floats, rounded to nearest-even.
    #[inline]
    fn host<H: Host>(self, [a, b, c]: [H; 3]) -> H {
        match self {
            Arith::Add => a + b,
            Arith::Sub => a - b,
            Arith::Mul => a * b,
            Arith::Div => a / b,
            Arith::MulAdd => a.mul_add(b, c),
            Arith::MulSub => a.mul_add(b, -c),
            Arith::NegMulAdd => (-a).mul_add(b, c),
            Arith::NegMulSub => (-a).mul_add(b, -c),
        }
    }
}

/// `op` on the values of format `F` whose bits are `args`.
pub(super) fn arith<F: Format>(op: Arith, args: [u64; 3], rm: Rm, fflags: u64) -> FpResult {
    let x = args.map(F::Host::from_raw);
    let used = &x[..op.arity()];
    if used.iter().any(|v| v.is_nan()) {
        // RISC-V raises NV for inf * 0 even when the addend is a quiet NaN.
        let inf_times_zero = op.is_fused()
            && (x[0].is_infinite() && x[1].is_zero() || x[0].is_zero() && x[1].is_infinite());
        return FpResult::nan::<F::Host>(inf_times_zero || used.iter().any(|v| v.is_snan()));
    }
    if rm == Rm::Rne && fflags & NX != 0 && used.iter().all(|v| v.is_finite()) {
        let r = op.host(x);
        if r.is_finite() && r.abs() > F::Host::MIN_POSITIVE {
            return FpResult::exact(r.raw());
        }
    }
    let res = op.apply(x.map(F::ap), rm.round());
    let missed = range::missed::<F>(&res, rm, || op.apply(x.map(F::wide), Round::TowardZero));
    FpResult {
        value: F::result(res.value),
        flags: status_flags(res.status) | missed,
    }
}
