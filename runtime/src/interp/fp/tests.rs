//! Floating-point results and flags, checked against values produced by
//! RISC-V (a riscv64 build of the same operations under QEMU's softfloat).

use c2w_isa::FpOp::{self, *};
use c2w_isa::IntTy::*;
use c2w_isa::{Fmt, Fmt::D, Fmt::S};

use super::{fp, FpResult, ReservedRm, DZ, NV, NX, OF, UF};

const RNE: u64 = 0;
const RTZ: u64 = 1;
const RDN: u64 = 2;
const RUP: u64 = 3;
const RMM: u64 = 4;

/// (what, operation, format, rounding mode, accrued flags before, operands,
/// result, flags raised).
type Vector = (&'static str, FpOp, Fmt, u64, u64, &'static [u64], u64, u64);

#[rustfmt::skip]
const VECTORS: &[Vector] = &[
    ("1/3", Div, D, RNE, 0, &[0x3ff0000000000000, 0x4008000000000000], 0x3fd5555555555555, NX),
    ("-1/3", Div, D, RNE, 0, &[0xbff0000000000000, 0x4008000000000000], 0xbfd5555555555555, NX),
    ("1/3", Div, S, RNE, 0, &[0x3f800000, 0x40400000], 0x3eaaaaab, NX),
    ("-1/3", Div, S, RNE, 0, &[0xbf800000, 0x40400000], 0xbeaaaaab, NX),
    ("1/3", Div, D, RTZ, 0, &[0x3ff0000000000000, 0x4008000000000000], 0x3fd5555555555555, NX),
    ("-1/3", Div, D, RTZ, 0, &[0xbff0000000000000, 0x4008000000000000], 0xbfd5555555555555, NX),
    ("1/3", Div, S, RTZ, 0, &[0x3f800000, 0x40400000], 0x3eaaaaaa, NX),
    ("-1/3", Div, S, RTZ, 0, &[0xbf800000, 0x40400000], 0xbeaaaaaa, NX),
    ("1/3", Div, D, RDN, 0, &[0x3ff0000000000000, 0x4008000000000000], 0x3fd5555555555555, NX),
    ("-1/3", Div, D, RDN, 0, &[0xbff0000000000000, 0x4008000000000000], 0xbfd5555555555556, NX),
    ("1/3", Div, S, RDN, 0, &[0x3f800000, 0x40400000], 0x3eaaaaaa, NX),
    ("-1/3", Div, S, RDN, 0, &[0xbf800000, 0x40400000], 0xbeaaaaab, NX),
    ("1/3", Div, D, RUP, 0, &[0x3ff0000000000000, 0x4008000000000000], 0x3fd5555555555556, NX),
    ("-1/3", Div, D, RUP, 0, &[0xbff0000000000000, 0x4008000000000000], 0xbfd5555555555555, NX),
    ("1/3", Div, S, RUP, 0, &[0x3f800000, 0x40400000], 0x3eaaaaab, NX),
    ("-1/3", Div, S, RUP, 0, &[0xbf800000, 0x40400000], 0xbeaaaaaa, NX),
    ("1/3", Div, D, RMM, 0, &[0x3ff0000000000000, 0x4008000000000000], 0x3fd5555555555555, NX),
    ("-1/3", Div, D, RMM, 0, &[0xbff0000000000000, 0x4008000000000000], 0xbfd5555555555555, NX),
    ("1/3", Div, S, RMM, 0, &[0x3f800000, 0x40400000], 0x3eaaaaab, NX),
    ("-1/3", Div, S, RMM, 0, &[0xbf800000, 0x40400000], 0xbeaaaaab, NX),
    ("0.1 + 0.2", Add, D, RNE, 0, &[0x3fb999999999999a, 0x3fc999999999999a], 0x3fd3333333333334, NX),
    ("0.1 + 0.2", Add, S, RNE, 0, &[0x3dcccccd, 0x3e4ccccd], 0x3e99999a, NX),
    ("1 + 2 exact", Add, D, RNE, 0, &[0x3ff0000000000000, 0x4000000000000000], 0x4008000000000000, 0),
    ("x - x = +0", Sub, D, RNE, 0, &[0x3ff8000000000000, 0x3ff8000000000000], 0x0, 0),
    ("x - x = -0 in RDN", Sub, D, RDN, 0, &[0x3ff8000000000000, 0x3ff8000000000000], 0x8000000000000000, 0),
    ("inf - inf", Sub, D, RNE, 0, &[0x7ff0000000000000, 0x7ff0000000000000], 0x7ff8000000000000, NV),
    ("0 * inf", Mul, S, RNE, 0, &[0x0, 0x7f800000], 0x7fc00000, NV),
    ("1 / 0", Div, D, RNE, 0, &[0x3ff0000000000000, 0x0], 0x7ff0000000000000, DZ),
    ("-1 / 0", Div, S, RNE, 0, &[0xbf800000, 0x0], 0xff800000, DZ),
    ("0 / 0", Div, D, RNE, 0, &[0x0, 0x0], 0x7ff8000000000000, NV),
    ("qNaN + 1: no flag", Add, D, RNE, 0, &[0x7ff8000000001234, 0x3ff0000000000000], 0x7ff8000000000000, 0),
    ("sNaN + 1", Add, S, RNE, 0, &[0x7fa00000, 0x3f800000], 0x7fc00000, NV),
    ("max * 2", Mul, D, RNE, 0, &[0x7fefffffffffffff, 0x4000000000000000], 0x7ff0000000000000, OF | NX),
    ("max * 2 RTZ: OF without inf", Mul, D, RTZ, 0, &[0x7fefffffffffffff, 0x4000000000000000], 0x7fefffffffffffff, OF | NX),
    ("-max * 2 RUP", Mul, S, RUP, 0, &[0xff7fffff, 0x40000000], 0xff7fffff, OF | NX),
    ("min normal / 3: subnormal", Div, D, RNE, 0, &[0x10000000000000, 0x4008000000000000], 0x5555555555555, UF | NX),
    ("min normal / 2: exact subnormal", Div, S, RNE, 0, &[0x800000, 0x40000000], 0x400000, 0),
    ("smallest subnormal / 2 RNE -> 0", Div, D, RNE, 0, &[0x1, 0x4000000000000000], 0x0, UF | NX),
    ("smallest subnormal / 2 RUP", Div, D, RUP, 0, &[0x1, 0x4000000000000000], 0x1, UF | NX),
    ("smallest subnormal * 0.75 RMM", Mul, S, RMM, 0, &[0x1, 0x3f400000], 0x1, UF | NX),
    ("(1 - 2^-24) * min normal: UF, tiny after rounding", Mul, S, RNE, 0, &[0x3f7fffff, 0x800000], 0x800000, UF | NX),
    ("(1 - 2^-24) * min normal RUP: UF", Mul, S, RUP, 0, &[0x3f7fffff, 0x800000], 0x800000, UF | NX),
    ("(1 - 2^-53) * min normal: UF", Mul, D, RNE, 0, &[0x3fefffffffffffff, 0x10000000000000], 0x10000000000000, UF | NX),
    ("near min normal D->S: UF", Convert, S, RNE, 0, &[0x380fffffe8000000], 0x800000, UF | NX),
    ("near min normal D->S: no UF", Convert, S, RNE, 0, &[0x380ffffff8000000], 0x800000, NX),
    ("sqrt 2", Sqrt, D, RNE, 0, &[0x4000000000000000], 0x3ff6a09e667f3bcd, NX),
    ("sqrt 2", Sqrt, S, RNE, 0, &[0x40000000], 0x3fb504f3, NX),
    ("sqrt 2", Sqrt, D, RTZ, 0, &[0x4000000000000000], 0x3ff6a09e667f3bcc, NX),
    ("sqrt 2", Sqrt, S, RTZ, 0, &[0x40000000], 0x3fb504f3, NX),
    ("sqrt 2", Sqrt, D, RDN, 0, &[0x4000000000000000], 0x3ff6a09e667f3bcc, NX),
    ("sqrt 2", Sqrt, S, RDN, 0, &[0x40000000], 0x3fb504f3, NX),
    ("sqrt 2", Sqrt, D, RUP, 0, &[0x4000000000000000], 0x3ff6a09e667f3bcd, NX),
    ("sqrt 2", Sqrt, S, RUP, 0, &[0x40000000], 0x3fb504f4, NX),
    ("sqrt 2", Sqrt, D, RMM, 0, &[0x4000000000000000], 0x3ff6a09e667f3bcd, NX),
    ("sqrt 2", Sqrt, S, RMM, 0, &[0x40000000], 0x3fb504f3, NX),
    ("sqrt 4 exact", Sqrt, D, RDN, 0, &[0x4010000000000000], 0x4000000000000000, 0),
    ("sqrt -1", Sqrt, D, RNE, 0, &[0xbff0000000000000], 0x7ff8000000000000, NV),
    ("sqrt -1", Sqrt, S, RNE, 0, &[0xbf800000], 0x7fc00000, NV),
    ("sqrt -0", Sqrt, D, RNE, 0, &[0x8000000000000000], 0x8000000000000000, 0),
    ("sqrt +inf", Sqrt, S, RNE, 0, &[0x7f800000], 0x7f800000, 0),
    ("sqrt -inf", Sqrt, D, RNE, 0, &[0xfff0000000000000], 0x7ff8000000000000, NV),
    ("sqrt sNaN", Sqrt, D, RNE, 0, &[0x7ff4000000000000], 0x7ff8000000000000, NV),
    ("sqrt smallest subnormal", Sqrt, D, RTZ, 0, &[0x1], 0x1e60000000000000, 0),
    ("sqrt max RUP", Sqrt, S, RUP, 0, &[0x7f7fffff], 0x5f800000, NX),
    ("fcvt.w.d 2.5", ToInt(I32), D, RNE, 0, &[0x4004000000000000], 0x2, NX),
    ("fcvt.w.d -2.5", ToInt(I32), D, RNE, 0, &[0xc004000000000000], 0xfffffffffffffffe, NX),
    ("fcvt.w.d 2147483648.0", ToInt(I32), D, RNE, 0, &[0x41e0000000000000], 0x7fffffff, NV),
    ("fcvt.w.d -2147483649.0", ToInt(I32), D, RNE, 0, &[0xc1e0000000200000], 0xffffffff80000000, NV),
    ("fcvt.w.d 0.5", ToInt(I32), D, RNE, 0, &[0x3fe0000000000000], 0x0, NX),
    ("fcvt.w.d -0.5", ToInt(I32), D, RNE, 0, &[0xbfe0000000000000], 0x0, NX),
    ("fcvt.w.d NaN", ToInt(I32), D, RNE, 0, &[0x7ff8000000000000], 0x7fffffff, NV),
    ("fcvt.w.d -inf", ToInt(I32), D, RNE, 0, &[0xfff0000000000000], 0xffffffff80000000, NV),
    ("fcvt.wu.d -0.5", ToInt(U32), D, RNE, 0, &[0xbfe0000000000000], 0x0, NX),
    ("fcvt.w.d 2.5", ToInt(I32), D, RTZ, 0, &[0x4004000000000000], 0x2, NX),
    ("fcvt.w.d -2.5", ToInt(I32), D, RTZ, 0, &[0xc004000000000000], 0xfffffffffffffffe, NX),
    ("fcvt.w.d 2147483648.0", ToInt(I32), D, RTZ, 0, &[0x41e0000000000000], 0x7fffffff, NV),
    ("fcvt.w.d -2147483649.0", ToInt(I32), D, RTZ, 0, &[0xc1e0000000200000], 0xffffffff80000000, NV),
    ("fcvt.w.d 0.5", ToInt(I32), D, RTZ, 0, &[0x3fe0000000000000], 0x0, NX),
    ("fcvt.w.d -0.5", ToInt(I32), D, RTZ, 0, &[0xbfe0000000000000], 0x0, NX),
    ("fcvt.w.d NaN", ToInt(I32), D, RTZ, 0, &[0x7ff8000000000000], 0x7fffffff, NV),
    ("fcvt.w.d -inf", ToInt(I32), D, RTZ, 0, &[0xfff0000000000000], 0xffffffff80000000, NV),
    ("fcvt.wu.d -0.5", ToInt(U32), D, RTZ, 0, &[0xbfe0000000000000], 0x0, NX),
    ("fcvt.w.d 2.5", ToInt(I32), D, RDN, 0, &[0x4004000000000000], 0x2, NX),
    ("fcvt.w.d -2.5", ToInt(I32), D, RDN, 0, &[0xc004000000000000], 0xfffffffffffffffd, NX),
    ("fcvt.w.d 2147483648.0", ToInt(I32), D, RDN, 0, &[0x41e0000000000000], 0x7fffffff, NV),
    ("fcvt.w.d -2147483649.0", ToInt(I32), D, RDN, 0, &[0xc1e0000000200000], 0xffffffff80000000, NV),
    ("fcvt.w.d 0.5", ToInt(I32), D, RDN, 0, &[0x3fe0000000000000], 0x0, NX),
    ("fcvt.w.d -0.5", ToInt(I32), D, RDN, 0, &[0xbfe0000000000000], 0xffffffffffffffff, NX),
    ("fcvt.w.d NaN", ToInt(I32), D, RDN, 0, &[0x7ff8000000000000], 0x7fffffff, NV),
    ("fcvt.w.d -inf", ToInt(I32), D, RDN, 0, &[0xfff0000000000000], 0xffffffff80000000, NV),
    ("fcvt.wu.d -0.5", ToInt(U32), D, RDN, 0, &[0xbfe0000000000000], 0x0, NV),
    ("fcvt.w.d 2.5", ToInt(I32), D, RUP, 0, &[0x4004000000000000], 0x3, NX),
    ("fcvt.w.d -2.5", ToInt(I32), D, RUP, 0, &[0xc004000000000000], 0xfffffffffffffffe, NX),
    ("fcvt.w.d 2147483648.0", ToInt(I32), D, RUP, 0, &[0x41e0000000000000], 0x7fffffff, NV),
    ("fcvt.w.d -2147483649.0", ToInt(I32), D, RUP, 0, &[0xc1e0000000200000], 0xffffffff80000000, NV),
    ("fcvt.w.d 0.5", ToInt(I32), D, RUP, 0, &[0x3fe0000000000000], 0x1, NX),
    ("fcvt.w.d -0.5", ToInt(I32), D, RUP, 0, &[0xbfe0000000000000], 0x0, NX),
    ("fcvt.w.d NaN", ToInt(I32), D, RUP, 0, &[0x7ff8000000000000], 0x7fffffff, NV),
    ("fcvt.w.d -inf", ToInt(I32), D, RUP, 0, &[0xfff0000000000000], 0xffffffff80000000, NV),
    ("fcvt.wu.d -0.5", ToInt(U32), D, RUP, 0, &[0xbfe0000000000000], 0x0, NX),
    ("fcvt.w.d 2.5", ToInt(I32), D, RMM, 0, &[0x4004000000000000], 0x3, NX),
    ("fcvt.w.d -2.5", ToInt(I32), D, RMM, 0, &[0xc004000000000000], 0xfffffffffffffffd, NX),
    ("fcvt.w.d 2147483648.0", ToInt(I32), D, RMM, 0, &[0x41e0000000000000], 0x7fffffff, NV),
    ("fcvt.w.d -2147483649.0", ToInt(I32), D, RMM, 0, &[0xc1e0000000200000], 0xffffffff80000000, NV),
    ("fcvt.w.d 0.5", ToInt(I32), D, RMM, 0, &[0x3fe0000000000000], 0x1, NX),
    ("fcvt.w.d -0.5", ToInt(I32), D, RMM, 0, &[0xbfe0000000000000], 0xffffffffffffffff, NX),
    ("fcvt.w.d NaN", ToInt(I32), D, RMM, 0, &[0x7ff8000000000000], 0x7fffffff, NV),
    ("fcvt.w.d -inf", ToInt(I32), D, RMM, 0, &[0xfff0000000000000], 0xffffffff80000000, NV),
    ("fcvt.wu.d -0.5", ToInt(U32), D, RMM, 0, &[0xbfe0000000000000], 0x0, NV),
    ("fcvt.wu.d -1", ToInt(U32), D, RNE, 0, &[0xbff0000000000000], 0x0, NV),
    ("fcvt.wu.d NaN", ToInt(U32), D, RNE, 0, &[0x7ff8000000000000], 0xffffffffffffffff, NV),
    ("fcvt.wu.d 3e9", ToInt(U32), D, RNE, 0, &[0x41e65a0bc0000000], 0xffffffffb2d05e00, 0),
    ("fcvt.wu.s 2^32", ToInt(U32), S, RTZ, 0, &[0x4f800000], 0xffffffffffffffff, NV),
    ("fcvt.w.s -0.0", ToInt(I32), S, RNE, 0, &[0x80000000], 0x0, 0),
    ("fcvt.l.d 2^63", ToInt(I64), D, RNE, 0, &[0x43e0000000000000], 0x7fffffffffffffff, NV),
    ("fcvt.l.d -2^63", ToInt(I64), D, RNE, 0, &[0xc3e0000000000000], 0x8000000000000000, 0),
    ("fcvt.l.s -1.5 RDN", ToInt(I64), S, RDN, 0, &[0xbfc00000], 0xfffffffffffffffe, NX),
    ("fcvt.lu.d +inf", ToInt(U64), D, RNE, 0, &[0x7ff0000000000000], 0xffffffffffffffff, NV),
    ("fcvt.lu.d NaN", ToInt(U64), D, RNE, 0, &[0x7ff8000000000000], 0xffffffffffffffff, NV),
    ("fcvt.lu.d 2^64-2048", ToInt(U64), D, RNE, 0, &[0x43efffffffffffff], 0xfffffffffffff800, 0),
    ("fcvt.lu.s -0.9 RTZ", ToInt(U64), S, RTZ, 0, &[0xbf666666], 0x0, NX),
    ("fcvt.d.s 1.1", Convert, D, RNE, 0, &[0x3f8ccccd], 0x3ff19999a0000000, 0),
    ("fcvt.d.s sNaN", Convert, D, RNE, 0, &[0x7fa00000], 0x7ff8000000000000, NV),
    ("fcvt.d.s qNaN with payload", Convert, D, RNE, 0, &[0xffc12345], 0x7ff8000000000000, 0),
    ("fcvt.d.s -min subnormal", Convert, D, RNE, 0, &[0x80000001], 0xb6a0000000000000, 0),
    ("fcvt.s.d 1e300", Convert, S, RNE, 0, &[0x7e37e43c8800759c], 0x7f800000, OF | NX),
    ("fcvt.s.d 1e300 RTZ", Convert, S, RTZ, 0, &[0x7e37e43c8800759c], 0x7f7fffff, OF | NX),
    ("fcvt.s.d -1e300 RDN", Convert, S, RDN, 0, &[0xfe37e43c8800759c], 0xff800000, OF | NX),
    ("fcvt.s.d -1e300 RUP", Convert, S, RUP, 0, &[0xfe37e43c8800759c], 0xff7fffff, OF | NX),
    ("fcvt.s.d 0.1", Convert, S, RNE, 0, &[0x3fb999999999999a], 0x3dcccccd, NX),
    ("fcvt.s.d 0.1 RUP", Convert, S, RUP, 0, &[0x3fb999999999999a], 0x3dcccccd, NX),
    ("fcvt.s.d 1e-40: subnormal", Convert, S, RNE, 0, &[0x37a16c262777579c], 0x116c2, UF | NX),
    ("fcvt.s.d 1e-50: underflows to 0", Convert, S, RNE, 0, &[0x358dee7a4ad4b81f], 0x0, UF | NX),
    ("fcvt.s.d 1e-50 RUP", Convert, S, RUP, 0, &[0x358dee7a4ad4b81f], 0x1, UF | NX),
    ("fcvt.s.d sNaN", Convert, S, RNE, 0, &[0x7ff4000000000000], 0x7fc00000, NV),
    ("fcvt.d.w -7", FromInt(I32), D, RNE, 0, &[0xfffffffffffffff9], 0xc01c000000000000, 0),
    ("fcvt.d.wu 0xffffffff (upper bits ignored)", FromInt(U32), D, RNE, 0, &[0x12345678ffffffff], 0x41efffffffe00000, 0),
    ("fcvt.s.w 16777217", FromInt(I32), S, RNE, 0, &[0x1000001], 0x4b800000, NX),
    ("fcvt.s.w 16777217 RUP", FromInt(I32), S, RUP, 0, &[0x1000001], 0x4b800001, NX),
    ("fcvt.s.l -(2^53 + 1) RDN", FromInt(I64), S, RDN, 0, &[0xffdfffffffffffff], 0xda000001, NX),
    ("fcvt.d.l 2^53 + 1", FromInt(I64), D, RNE, 0, &[0x20000000000001], 0x4340000000000000, NX),
    ("fcvt.d.lu 2^64 - 1", FromInt(U64), D, RTZ, 0, &[0xffffffffffffffff], 0x43efffffffffffff, NX),
    ("fcvt.d.lu 2^64 - 1 RNE", FromInt(U64), D, RNE, 0, &[0xffffffffffffffff], 0x43f0000000000000, NX),
    ("fcvt.s.lu 2^64 - 1 RMM", FromInt(U64), S, RMM, 0, &[0xffffffffffffffff], 0x5f800000, NX),
    ("fma (1+2^-30)^2 - (1+2^-29): exact 2^-60", MulSub, D, RNE, 0, &[0x3ff0000000400000, 0x3ff0000000400000, 0x3ff0000000800000], 0x3c30000000000000, 0),
    ("fma 0.1*10 - 1", MulSub, D, RNE, 0, &[0x3fb999999999999a, 0x4024000000000000, 0x3ff0000000000000], 0x3c90000000000000, 0),
    ("fmul then: 0.1*10", Mul, D, RNE, 0, &[0x3fb999999999999a, 0x4024000000000000], 0x3ff0000000000000, NX),
    ("fma single", MulAdd, S, RNE, 0, &[0x3f800800, 0x3f800800, 0xbf800000], 0x3a000400, 0),
    ("fnmadd", NegMulSub, D, RNE, 0, &[0x4000000000000000, 0x4008000000000000, 0x3ff0000000000000], 0xc01c000000000000, 0),
    ("fnmsub", NegMulAdd, D, RNE, 0, &[0x4000000000000000, 0x4008000000000000, 0x3ff0000000000000], 0xc014000000000000, 0),
    ("fma inf*0 + qNaN: NV", MulAdd, D, RNE, 0, &[0x7ff0000000000000, 0x0, 0x7ff8000000000000], 0x7ff8000000000000, NV),
    ("fma inf*0 + 1: NV", MulAdd, S, RNE, 0, &[0x0, 0x7f800000, 0x3f800000], 0x7fc00000, NV),
    ("fma 1*1 + qNaN: no flag", MulAdd, D, RNE, 0, &[0x3ff0000000000000, 0x3ff0000000000000, 0x7ff8000000000000], 0x7ff8000000000000, 0),
    ("fma 1*1 + sNaN", MulAdd, S, RNE, 0, &[0x3f800000, 0x3f800000, 0x7fa00000], 0x7fc00000, NV),
    ("fma inf*1 - inf", MulSub, D, RNE, 0, &[0x7ff0000000000000, 0x3ff0000000000000, 0x7ff0000000000000], 0x7ff8000000000000, NV),
    ("fma +0*-1 + +0 RDN = -0", MulAdd, D, RDN, 0, &[0x0, 0xbff0000000000000, 0x0], 0x8000000000000000, 0),
    ("fma +0*-1 + +0 RNE = +0", MulAdd, D, RNE, 0, &[0x0, 0xbff0000000000000, 0x0], 0x0, 0),
    ("fma tiny product + c", MulAdd, D, RTZ, 0, &[0x10000000000000, 0x3fe0000000000000, 0x3ff0000000000000], 0x3ff0000000000000, NX),
    ("fmin -0 +0", Min, D, RNE, 0, &[0x8000000000000000, 0x0], 0x8000000000000000, 0),
    ("fmin +0 -0", Min, S, RNE, 0, &[0x0, 0x80000000], 0x80000000, 0),
    ("fmax -0 +0", Max, D, RNE, 0, &[0x8000000000000000, 0x0], 0x0, 0),
    ("fmin sNaN 1", Min, D, RNE, 0, &[0x7ff4000000000000, 0x3ff0000000000000], 0x3ff0000000000000, NV),
    ("fmax 1 qNaN", Max, S, RNE, 0, &[0x3f800000, 0x7fc00000], 0x3f800000, 0),
    ("fmin qNaN qNaN", Min, S, RNE, 0, &[0xffc00001, 0x7fc00000], 0x7fc00000, 0),
    ("fmax sNaN qNaN", Max, D, RNE, 0, &[0x7ff4000000000000, 0x7ff8000000000000], 0x7ff8000000000000, NV),
    ("fmin -inf 3", Min, D, RNE, 0, &[0xfff0000000000000, 0x4008000000000000], 0xfff0000000000000, 0),
    ("fmax 2 3", Max, S, RNE, 0, &[0x40000000, 0x40400000], 0x40400000, 0),
    ("feq qNaN 1", Eq, D, RNE, 0, &[0x7ff8000000000000, 0x3ff0000000000000], 0x0, 0),
    ("feq sNaN 1", Eq, D, RNE, 0, &[0x7ff4000000000000, 0x3ff0000000000000], 0x0, NV),
    ("flt qNaN 1", Lt, D, RNE, 0, &[0x7ff8000000000000, 0x3ff0000000000000], 0x0, NV),
    ("fle 1 qNaN", Le, S, RNE, 0, &[0x3f800000, 0x7fc00000], 0x0, NV),
    ("feq -0 +0", Eq, S, RNE, 0, &[0x80000000, 0x0], 0x1, 0),
    ("flt -0 +0", Lt, D, RNE, 0, &[0x8000000000000000, 0x0], 0x0, 0),
    ("fle -0 +0", Le, D, RNE, 0, &[0x8000000000000000, 0x0], 0x1, 0),
    ("flt 1 2", Lt, S, RNE, 0, &[0x3f800000, 0x40000000], 0x1, 0),
    ("fclass 0xfff0000000000000", Class, D, RNE, 0, &[0xfff0000000000000], 0x1, 0),
    ("fclass 0xbff0000000000000", Class, D, RNE, 0, &[0xbff0000000000000], 0x2, 0),
    ("fclass 0x800fffffffffffff", Class, D, RNE, 0, &[0x800fffffffffffff], 0x4, 0),
    ("fclass 0x8000000000000000", Class, D, RNE, 0, &[0x8000000000000000], 0x8, 0),
    ("fclass 0x0", Class, D, RNE, 0, &[0x0], 0x10, 0),
    ("fclass 0x1", Class, D, RNE, 0, &[0x1], 0x20, 0),
    ("fclass 0x3ff0000000000000", Class, D, RNE, 0, &[0x3ff0000000000000], 0x40, 0),
    ("fclass 0x7ff0000000000000", Class, D, RNE, 0, &[0x7ff0000000000000], 0x80, 0),
    ("fclass 0x7ff4000000000000", Class, D, RNE, 0, &[0x7ff4000000000000], 0x100, 0),
    ("fclass 0x7ff8000000000000", Class, D, RNE, 0, &[0x7ff8000000000000], 0x200, 0),
    ("fclass 0xff800000", Class, S, RNE, 0, &[0xff800000], 0x1, 0),
    ("fclass 0xbf800000", Class, S, RNE, 0, &[0xbf800000], 0x2, 0),
    ("fclass 0x80000001", Class, S, RNE, 0, &[0x80000001], 0x4, 0),
    ("fclass 0x80000000", Class, S, RNE, 0, &[0x80000000], 0x8, 0),
    ("fclass 0x0", Class, S, RNE, 0, &[0x0], 0x10, 0),
    ("fclass 0x7fffff", Class, S, RNE, 0, &[0x7fffff], 0x20, 0),
    ("fclass 0x3f800000", Class, S, RNE, 0, &[0x3f800000], 0x40, 0),
    ("fclass 0x7f800000", Class, S, RNE, 0, &[0x7f800000], 0x80, 0),
    ("fclass 0x7fa00000", Class, S, RNE, 0, &[0x7fa00000], 0x100, 0),
    ("fclass 0x7fc00000", Class, S, RNE, 0, &[0x7fc00000], 0x200, 0),
    ("1/3 with NX set", Div, D, RNE, NX, &[0x3ff0000000000000, 0x4008000000000000], 0x3fd5555555555555, 0),
    ("0.1+0.2 with NX set", Add, S, RNE, NX, &[0x3dcccccd, 0x3e4ccccd], 0x3e99999a, 0),
    ("fma with NX set", MulSub, D, RNE, NX, &[0x3fb999999999999a, 0x4024000000000000, 0x3ff0000000000000], 0x3c90000000000000, 0),
    ("sqrt 2 with NX set", Sqrt, D, RNE, NX, &[0x4000000000000000], 0x3ff6a09e667f3bcd, 0),
    ("(1-2^-24) * min with NX set: UF", Mul, S, RNE, NX, &[0x3f7fffff, 0x800000], 0x800000, UF),
    ("max * 2 with NX set", Mul, D, RNE, NX, &[0x7fefffffffffffff, 0x4000000000000000], 0x7ff0000000000000, OF),
];

/// Runs `op` and returns its result and the accrued flags afterwards.
fn run(op: FpOp, fmt: Fmt, rm: u64, fflags: u64, args: &[u64]) -> (u64, u64) {
    let FpResult { value, flags } = fp(op, fmt, args, rm, fflags).expect("valid rounding mode");
    (value, fflags | flags)
}

#[test]
fn vectors_match_riscv() {
    for &(what, op, fmt, rm, before, args, value, flags) in VECTORS {
        let got = run(op, fmt, rm, before, args);
        assert_eq!(
            got,
            (value, before | flags),
            "{what}: {op:?} {fmt:?} rm={rm} {args:x?}"
        );
    }
}

/// With NX already accrued (the fast path may apply) the results are the
/// same bits, and the accrued flags the same.
#[test]
fn vectors_match_with_inexact_accrued() {
    for &(what, op, fmt, rm, before, args, value, flags) in VECTORS {
        let got = run(op, fmt, rm, before | NX, args);
        assert_eq!(
            got,
            (value, before | flags | NX),
            "{what}: {op:?} {fmt:?} rm={rm} {args:x?}"
        );
    }
}

#[test]
fn reserved_rounding_modes_are_refused_by_rounding_operations() {
    for rm in 5..8 {
        for op in [Add, Div, Sqrt, MulAdd, ToInt(I32), FromInt(I64), Convert] {
            assert_eq!(
                fp(op, D, &[0, 0, 0], rm, 0),
                Err(ReservedRm),
                "{op:?} rm={rm}"
            );
        }
        for op in [Min, Max, Eq, Lt, Le, Class] {
            assert!(
                fp(op, S, &[0, 0], rm, 0).is_ok(),
                "{op:?} takes no rounding mode"
            );
        }
    }
}

/// A small deterministic generator of operands that exercise every class of
/// value and the edges of the range.
struct Operands(u64);

impl Operands {
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// An operand of format `fmt`, as bits.
    fn operand(&mut self, fmt: Fmt) -> u64 {
        let r = self.next_u64();
        let (exp_bits, frac_bits) = match fmt {
            S => (8, 23),
            D => (11, 52),
        };
        let frac = r & ((1 << frac_bits) - 1);
        let sign = (r >> 63) << (exp_bits + frac_bits);
        let max_exp = (1u64 << exp_bits) - 1;
        let bias = max_exp / 2;
        let exp = match (r >> 56) & 7 {
            0 => 0,
            1 => 1,
            2 => max_exp,
            3 => max_exp - 1,
            4 => bias / 2 + (r >> 40) % 4,
            _ => bias - 4 + (r >> 40) % 8,
        };
        sign | exp << frac_bits | frac
    }
}

/// The fast path (NX accrued, round to nearest-even) gives the same bits and
/// accrued flags as the exact path, for every operation and many operands.
#[test]
fn fast_path_is_bit_identical() {
    let mut g = Operands(0x9e37_79b9_7f4a_7c15);
    let ops = [
        Add, Sub, Mul, Div, MulAdd, MulSub, NegMulAdd, NegMulSub, Sqrt, Convert,
    ];
    for i in 0..200_000 {
        let op = ops[i % ops.len()];
        let fmt = if i % 2 == 0 { S } else { D };
        let src = match (op, fmt) {
            (Convert, S) => D,
            (Convert, D) => S,
            _ => fmt,
        };
        let args = [g.operand(src), g.operand(src), g.operand(src)];
        let exact = run(op, fmt, RNE, 0, &args);
        let fast = run(op, fmt, RNE, NX, &args);
        assert_eq!(fast, (exact.0, exact.1 | NX), "{op:?} {fmt:?} {args:x?}");
    }
}

#[test]
fn single_results_are_zero_extended() {
    let (value, _) = run(Div, S, RNE, 0, &[0xbf80_0000, 0x4040_0000]);
    assert_eq!(value >> 32, 0);
    let (value, _) = run(Min, S, RNE, 0, &[0xff80_0000, 0]);
    assert_eq!(value, 0xff80_0000);
}

#[test]
fn missing_operands_read_as_zero() {
    assert_eq!(
        run(Add, D, RNE, 0, &[0x3ff0_0000_0000_0000]),
        (0x3ff0_0000_0000_0000, 0)
    );
    assert_eq!(
        run(Div, D, RNE, 0, &[0x3ff0_0000_0000_0000]),
        (0x7ff0_0000_0000_0000, DZ)
    );
}
