//! RISC-V floating point, bit-exact: results, NaNs and accrued flags.
//!
//! Rounded operations run in `rustc_apfloat`, which rounds correctly in
//! every mode; the `range` module fixes the overflow and underflow flags
//! where apfloat departs from IEEE 754 (RISC-V detects tininess after
//! rounding).
//!
//! Like QEMU's "hardfloat", the common case takes a fast path on host
//! floats: round-to-nearest-even, the inexact flag already accrued, finite
//! operands and a finite result larger in magnitude than the smallest normal
//! number. Then no flag can change (NV, DZ and OF produce NaN or infinity, UF
//! needs a tiny result, NX is already set) and host IEEE arithmetic gives the
//! same bits.

mod arith;
mod compare;
mod convert;
mod format;
mod range;
mod sqrt;
mod x86;

use c2w_isa::{Fmt, FpOp, IntTy, RM_X86};
use rustc_apfloat::{Round, Status};

use self::arith::Arith;
use self::compare::Exact;
use self::format::{Host, D, S};

/// Invalid operation (accrued-flag bit).
pub const NV: u64 = 16;
/// Division by zero.
pub const DZ: u64 = 8;
/// Overflow.
pub const OF: u64 = 4;
/// Underflow.
pub const UF: u64 = 2;
/// Inexact.
pub const NX: u64 = 1;

/// A RISC-V rounding mode (the values 5 to 7 of the encoding are reserved).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rm {
    /// Round to nearest, ties to even (0).
    Rne,
    /// Round towards zero (1).
    Rtz,
    /// Round down, towards -inf (2).
    Rdn,
    /// Round up, towards +inf (3).
    Rup,
    /// Round to nearest, ties to max magnitude (4).
    Rmm,
}

impl Rm {
    /// The rounding mode encoded as `rm`, or `None` for a reserved value.
    pub fn from_bits(rm: u64) -> Option<Rm> {
        Some(match rm {
            0 => Rm::Rne,
            1 => Rm::Rtz,
            2 => Rm::Rdn,
            3 => Rm::Rup,
            4 => Rm::Rmm,
            _ => return None,
        })
    }

    fn round(self) -> Round {
        match self {
            Rm::Rne => Round::NearestTiesToEven,
            Rm::Rtz => Round::TowardZero,
            Rm::Rdn => Round::TowardNegative,
            Rm::Rup => Round::TowardPositive,
            Rm::Rmm => Round::NearestTiesToAway,
        }
    }
}

/// The outcome of one floating-point operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FpResult {
    /// The result: float bits (single zero-extended) or an integer.
    pub value: u64,
    /// The exception flags it raises (to be ORed into `fflags`).
    pub flags: u64,
}

impl FpResult {
    fn exact(value: u64) -> FpResult {
        FpResult { value, flags: 0 }
    }

    /// The canonical NaN of `H`, with NV if `invalid`.
    fn nan<H: Host>(invalid: bool) -> FpResult {
        FpResult {
            value: H::CANONICAL_NAN,
            flags: if invalid { NV } else { 0 },
        }
    }
}

/// A rounding operation was asked for with a reserved rounding mode (an
/// illegal instruction on RISC-V).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReservedRm;

/// Evaluates `op` as RISC-V defines it (see `c2w_isa::FpOp`), or as x86
/// does when `rm` carries `RM_X86`.
///
/// `args` holds the operands' bits (missing ones read as 0), `rm` the
/// rounding mode (ignored by operations that do not round) and `fflags` the
/// currently accrued flags, which only select the fast path.
pub fn fp(op: FpOp, fmt: Fmt, args: &[u64], rm: u64, fflags: u64) -> Result<FpResult, ReservedRm> {
    let arg = |i: usize| args.get(i).copied().unwrap_or(0);
    if rm & RM_X86 != 0 {
        return x86::fp(op, fmt, [arg(0), arg(1), arg(2)], rm & !RM_X86, fflags);
    }
    let a = arg(0);
    let rm = || Rm::from_bits(rm).ok_or(ReservedRm);
    macro_rules! by_fmt {
        ($($f:ident)::+, $($arg:expr),*) => {
            match fmt {
                Fmt::S => $($f)::+::<S>($($arg),*),
                Fmt::D => $($f)::+::<D>($($arg),*),
            }
        };
    }
    Ok(match kind(op) {
        Kind::Exact(op) => by_fmt!(compare::exact, op, a, arg(1)),
        Kind::Arith(op) => by_fmt!(arith::arith, op, [a, arg(1), arg(2)], rm()?, fflags),
        Kind::Sqrt => by_fmt!(sqrt::sqrt, a, rm()?, fflags),
        Kind::ToInt(ty) => by_fmt!(convert::to_int, a, ty, rm()?),
        Kind::FromInt(ty) => by_fmt!(convert::from_int, a, ty, rm()?),
        // fcvt.d.s cannot round, but its rounding mode must still be valid.
        Kind::Convert => match (fmt, rm()?) {
            (Fmt::S, rm) => convert::narrow(a, rm, fflags),
            (Fmt::D, _) => convert::widen(a),
        },
    })
}

/// How an [`FpOp`] is evaluated.
enum Kind {
    /// No rounding (no rounding mode either).
    Exact(Exact),
    Arith(Arith),
    Sqrt,
    ToInt(IntTy),
    FromInt(IntTy),
    Convert,
}

fn kind(op: FpOp) -> Kind {
    match op {
        FpOp::Add => Kind::Arith(Arith::Add),
        FpOp::Sub => Kind::Arith(Arith::Sub),
        FpOp::Mul => Kind::Arith(Arith::Mul),
        FpOp::Div => Kind::Arith(Arith::Div),
        FpOp::MulAdd => Kind::Arith(Arith::MulAdd),
        FpOp::MulSub => Kind::Arith(Arith::MulSub),
        FpOp::NegMulAdd => Kind::Arith(Arith::NegMulAdd),
        FpOp::NegMulSub => Kind::Arith(Arith::NegMulSub),
        FpOp::Min => Kind::Exact(Exact::Min),
        FpOp::Max => Kind::Exact(Exact::Max),
        FpOp::Eq => Kind::Exact(Exact::Eq),
        FpOp::Lt => Kind::Exact(Exact::Lt),
        FpOp::Le => Kind::Exact(Exact::Le),
        FpOp::Class => Kind::Exact(Exact::Class),
        FpOp::Sqrt => Kind::Sqrt,
        FpOp::ToInt(ty) => Kind::ToInt(ty),
        FpOp::FromInt(ty) => Kind::FromInt(ty),
        FpOp::Convert => Kind::Convert,
    }
}

/// The RISC-V flags of an apfloat status.
fn status_flags(s: Status) -> u64 {
    [
        (Status::INVALID_OP, NV),
        (Status::DIV_BY_ZERO, DZ),
        (Status::OVERFLOW, OF),
        (Status::UNDERFLOW, UF),
        (Status::INEXACT, NX),
    ]
    .into_iter()
    .filter(|&(s1, _)| s.contains(s1))
    .fold(0, |acc, (_, f)| acc | f)
}

#[cfg(test)]
mod tests;
