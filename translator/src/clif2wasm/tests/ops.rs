//! One test function per opcode (and type), run on edge and random values.

use super::*;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{InstBuilder, MemFlagsData};

pub const INT_TYPES: [Type; 4] = [types::I8, types::I16, types::I32, types::I64];

pub fn mask(bits: u32, x: u64) -> u64 {
    if bits == 64 {
        x
    } else {
        x & ((1u64 << bits) - 1)
    }
}

pub fn sx(bits: u32, x: u64) -> i64 {
    ((x << (64 - bits)) as i64) >> (64 - bits)
}

/// Binary integer operations, with their semantics for the tests.
#[derive(Clone, Copy, Debug)]
pub enum Bin {
    Iadd,
    Isub,
    Imul,
    Umulhi,
    Smulhi,
    Udiv,
    Sdiv,
    Urem,
    Srem,
    Band,
    Bor,
    Bxor,
    Ishl,
    Ushr,
    Sshr,
    Rotl,
    Rotr,
    Smin,
    Smax,
    Umin,
    Umax,
    Icmp(IntCC),
}

pub const BINS: [Bin; 21] = [
    Bin::Iadd,
    Bin::Isub,
    Bin::Imul,
    Bin::Umulhi,
    Bin::Smulhi,
    Bin::Udiv,
    Bin::Sdiv,
    Bin::Urem,
    Bin::Srem,
    Bin::Band,
    Bin::Bor,
    Bin::Bxor,
    Bin::Ishl,
    Bin::Ushr,
    Bin::Sshr,
    Bin::Rotl,
    Bin::Rotr,
    Bin::Smin,
    Bin::Smax,
    Bin::Umin,
    Bin::Umax,
];

pub const INT_CCS: [IntCC; 10] = [
    IntCC::Equal,
    IntCC::NotEqual,
    IntCC::SignedLessThan,
    IntCC::SignedGreaterThanOrEqual,
    IntCC::SignedGreaterThan,
    IntCC::SignedLessThanOrEqual,
    IntCC::UnsignedLessThan,
    IntCC::UnsignedGreaterThanOrEqual,
    IntCC::UnsignedGreaterThan,
    IntCC::UnsignedLessThanOrEqual,
];

impl Bin {
    pub fn build(self, b: &mut FunctionBuilder, x: Value, y: Value) -> Value {
        let i = b.ins();
        match self {
            Bin::Iadd => i.iadd(x, y),
            Bin::Isub => i.isub(x, y),
            Bin::Imul => i.imul(x, y),
            Bin::Umulhi => i.umulhi(x, y),
            Bin::Smulhi => i.smulhi(x, y),
            Bin::Udiv => i.udiv(x, y),
            Bin::Sdiv => i.sdiv(x, y),
            Bin::Urem => i.urem(x, y),
            Bin::Srem => i.srem(x, y),
            Bin::Band => i.band(x, y),
            Bin::Bor => i.bor(x, y),
            Bin::Bxor => i.bxor(x, y),
            Bin::Ishl => i.ishl(x, y),
            Bin::Ushr => i.ushr(x, y),
            Bin::Sshr => i.sshr(x, y),
            Bin::Rotl => i.rotl(x, y),
            Bin::Rotr => i.rotr(x, y),
            Bin::Smin => i.smin(x, y),
            Bin::Smax => i.smax(x, y),
            Bin::Umin => i.umin(x, y),
            Bin::Umax => i.umax(x, y),
            Bin::Icmp(cc) => i.icmp(cc, x, y),
        }
    }

    /// The result for `bits`-wide operands (the shift amount may be of
    /// another width, only its low bits count); `None` for a trap.
    pub fn eval(self, bits: u32, x: u64, y: u64) -> Option<u64> {
        let m = |v: u64| mask(bits, v);
        let (x, ux) = (sx(bits, x), m(x));
        let (y, uy) = (sx(bits, y), m(y));
        let n = (uy % u64::from(bits)) as u32;
        let min = i64::MIN >> (64 - bits);
        Some(match self {
            Bin::Iadd => m(ux.wrapping_add(uy)),
            Bin::Isub => m(ux.wrapping_sub(uy)),
            Bin::Imul => m(ux.wrapping_mul(uy)),
            Bin::Umulhi => m(((u128::from(ux) * u128::from(uy)) >> bits) as u64),
            Bin::Smulhi => m(((i128::from(x) * i128::from(y)) >> bits) as u64),
            Bin::Udiv | Bin::Urem | Bin::Sdiv | Bin::Srem if uy == 0 => return None,
            Bin::Udiv => ux / uy,
            Bin::Urem => ux % uy,
            Bin::Sdiv if x == min && y == -1 => return None,
            Bin::Sdiv => m(x.wrapping_div(y) as u64),
            Bin::Srem => m(x.wrapping_rem(y) as u64),
            Bin::Band => ux & uy,
            Bin::Bor => ux | uy,
            Bin::Bxor => ux ^ uy,
            Bin::Ishl => m(ux << n),
            Bin::Ushr => ux >> n,
            Bin::Sshr => m((x >> n) as u64),
            Bin::Rotl | Bin::Rotr if n == 0 => ux,
            Bin::Rotl => m((ux << n) | (ux >> (bits - n))),
            Bin::Rotr => m((ux >> n) | (ux << (bits - n))),
            Bin::Smin => m(x.min(y) as u64),
            Bin::Smax => m(x.max(y) as u64),
            Bin::Umin => ux.min(uy),
            Bin::Umax => ux.max(uy),
            Bin::Icmp(cc) => u64::from(match cc {
                IntCC::Equal => ux == uy,
                IntCC::NotEqual => ux != uy,
                IntCC::SignedLessThan => x < y,
                IntCC::SignedGreaterThanOrEqual => x >= y,
                IntCC::SignedGreaterThan => x > y,
                IntCC::SignedLessThanOrEqual => x <= y,
                IntCC::UnsignedLessThan => ux < uy,
                IntCC::UnsignedGreaterThanOrEqual => ux >= uy,
                IntCC::UnsignedGreaterThan => ux > uy,
                IntCC::UnsignedLessThanOrEqual => ux <= uy,
            }),
        })
    }

    pub fn result_type(self, ty: Type) -> Type {
        match self {
            Bin::Icmp(_) => types::I8,
            _ => ty,
        }
    }
}

/// Unary integer operations, with their semantics for the tests.
#[derive(Clone, Copy, Debug)]
pub enum Un {
    Ineg,
    Bnot,
    Clz,
    Ctz,
    Cls,
    Popcnt,
    Bswap,
    Bitrev,
    Iabs,
    Bmask,
}

pub const UNS: [Un; 10] = [
    Un::Ineg,
    Un::Bnot,
    Un::Clz,
    Un::Ctz,
    Un::Cls,
    Un::Popcnt,
    Un::Bswap,
    Un::Bitrev,
    Un::Iabs,
    Un::Bmask,
];

impl Un {
    pub fn build(self, b: &mut FunctionBuilder, ty: Type, x: Value) -> Value {
        let i = b.ins();
        match self {
            Un::Ineg => i.ineg(x),
            Un::Bnot => i.bnot(x),
            Un::Clz => i.clz(x),
            Un::Ctz => i.ctz(x),
            Un::Cls => i.cls(x),
            Un::Popcnt => i.popcnt(x),
            Un::Bswap => i.bswap(x),
            Un::Bitrev => i.bitrev(x),
            Un::Iabs => i.iabs(x),
            Un::Bmask => i.bmask(ty, x),
        }
    }

    pub fn eval(self, bits: u32, x: u64) -> u64 {
        let m = |v: u64| mask(bits, v);
        let (s, u) = (sx(bits, x), m(x));
        let pad = 64 - bits;
        match self {
            Un::Ineg => m(u.wrapping_neg()),
            Un::Bnot => m(!u),
            Un::Clz => u64::from(u.leading_zeros() - pad),
            Un::Ctz => u64::from(u.trailing_zeros().min(bits)),
            Un::Cls => u64::from(
                if s < 0 {
                    (!s).leading_zeros()
                } else {
                    s.leading_zeros()
                } - pad
                    - 1,
            ),
            Un::Popcnt => u64::from(u.count_ones()),
            Un::Bswap => u.swap_bytes() >> pad,
            Un::Bitrev => u.reverse_bits() >> pad,
            Un::Iabs => m(s.wrapping_abs() as u64),
            Un::Bmask => m(if u != 0 { u64::MAX } else { 0 }),
        }
    }

    /// Whether the operation exists for `bits`-wide integers.
    pub fn applies(self, bits: u32) -> bool {
        !matches!(self, Un::Bswap if bits == 8)
    }
}

fn bits(ty: Type) -> u32 {
    ty.bits()
}

/// Edge pairs and random pairs.
fn pairs(seed: u64) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    for &a in &INT_EDGES {
        for &b in &INT_EDGES {
            out.push((a, b));
        }
    }
    let mut rng = Rng(seed);
    for _ in 0..300 {
        out.push((rng.int(), rng.int()));
    }
    out
}

#[test]
fn binary_integer_ops() {
    let all = BINS
        .iter()
        .copied()
        .chain(INT_CCS.iter().map(|cc| Bin::Icmp(*cc)));
    for op in all {
        for ty in INT_TYPES {
            let func = build(&[ty, ty], &[op.result_type(ty)], |b, p| {
                let r = op.build(b, p[0], p[1]);
                b.ins().return_(&[r]);
            });
            let cases: Vec<_> = pairs(bits(ty).into())
                .into_iter()
                .map(|(x, y)| {
                    let (x, y) = (mask(bits(ty), x), mask(bits(ty), y));
                    (vec![x, y], op.eval(bits(ty), x, y).map(|r| vec![r]))
                })
                .collect();
            check(&func, &cases);
        }
    }
}

#[test]
fn shift_amounts_of_other_types() {
    for op in [Bin::Ishl, Bin::Ushr, Bin::Sshr, Bin::Rotl, Bin::Rotr] {
        for ty in INT_TYPES {
            for amount_ty in [types::I8, types::I32, types::I64] {
                let func = build(&[ty, amount_ty], &[ty], |b, p| {
                    let r = op.build(b, p[0], p[1]);
                    b.ins().return_(&[r]);
                });
                let cases: Vec<_> = pairs(7)
                    .into_iter()
                    .map(|(x, y)| {
                        let (x, y) = (mask(bits(ty), x), mask(amount_ty.bits(), y));
                        // Only the low bits of the amount count.
                        let r = op.eval(bits(ty), x, y % u64::from(bits(ty)));
                        (vec![x, y], r.map(|r| vec![r]))
                    })
                    .collect();
                check(&func, &cases);
            }
        }
    }
}

#[test]
fn unary_integer_ops() {
    for op in UNS {
        for ty in INT_TYPES {
            if !op.applies(bits(ty)) {
                continue;
            }
            let func = build(&[ty], &[ty], |b, p| {
                let r = op.build(b, ty, p[0]);
                b.ins().return_(&[r]);
            });
            let cases: Vec<_> = pairs(3)
                .into_iter()
                .map(|(x, _)| {
                    let x = mask(bits(ty), x);
                    (vec![x], Some(vec![op.eval(bits(ty), x)]))
                })
                .collect();
            check(&func, &cases);
        }
    }
}

#[test]
fn constants() {
    for ty in INT_TYPES {
        for &c in &INT_EDGES {
            let func = build(&[], &[ty], |b, _| {
                let v = b.ins().iconst(ty, sx(bits(ty), c));
                b.ins().return_(&[v]);
            });
            check(&func, &[(vec![], Some(vec![mask(bits(ty), c)]))]);
        }
    }
    let func = build(&[], &[types::F32, types::F64], |b, _| {
        let x = b.ins().f32const(-1.5f32);
        let y = b.ins().f64const(f64::NEG_INFINITY);
        b.ins().return_(&[x, y]);
    });
    check(
        &func,
        &[(
            vec![],
            Some(vec![
                u64::from((-1.5f32).to_bits()),
                f64::NEG_INFINITY.to_bits(),
            ]),
        )],
    );
}

#[test]
fn extensions_and_reductions() {
    for from in INT_TYPES {
        for to in INT_TYPES {
            let (fb, tb) = (bits(from), bits(to));
            let kinds: &[&str] = match tb.cmp(&fb) {
                std::cmp::Ordering::Greater => &["sextend", "uextend"],
                std::cmp::Ordering::Less => &["ireduce"],
                std::cmp::Ordering::Equal => &[],
            };
            for &kind in kinds {
                let func = build(&[from], &[to], |b, p| {
                    let r = match kind {
                        "sextend" => b.ins().sextend(to, p[0]),
                        "uextend" => b.ins().uextend(to, p[0]),
                        _ => b.ins().ireduce(to, p[0]),
                    };
                    b.ins().return_(&[r]);
                });
                let cases: Vec<_> = INT_EDGES
                    .iter()
                    .map(|&x| {
                        let x = mask(fb, x);
                        let want = match kind {
                            "sextend" => mask(tb, sx(fb, x) as u64),
                            "uextend" => x,
                            _ => mask(tb, x),
                        };
                        (vec![x], Some(vec![want]))
                    })
                    .collect();
                check(&func, &cases);
            }
        }
    }
}

#[test]
fn selects() {
    for cond_ty in INT_TYPES {
        for ty in [types::I8, types::I32, types::I64, types::F32, types::F64] {
            let func = build(&[cond_ty, ty, ty], &[ty], |b, p| {
                let r = b.ins().select(p[0], p[1], p[2]);
                b.ins().return_(&[r]);
            });
            let m = mask(ty.bits(), u64::MAX);
            let cases: Vec<_> = [0u64, 1, 0x80, 1 << 40, u64::MAX]
                .iter()
                .map(|&c| {
                    let c = mask(bits(cond_ty), c);
                    let (x, y) = (0x1234_5678_9abc_def0 & m, 0x0fed_cba9_8765_4321 & m);
                    (vec![c, x, y], Some(vec![if c != 0 { x } else { y }]))
                })
                .collect();
            check(&func, &cases);
        }
    }
    for ty in [
        types::I8,
        types::I16,
        types::I32,
        types::I64,
        types::F32,
        types::F64,
    ] {
        let func = build(&[ty, ty, ty], &[ty], |b, p| {
            let r = b.ins().bitselect(p[0], p[1], p[2]);
            b.ins().return_(&[r]);
        });
        let m = mask(ty.bits(), u64::MAX);
        let cases: Vec<_> = pairs(11)
            .into_iter()
            .map(|(c, x)| {
                let (c, x, y) = (c & m, x & m, !x & 0x5555_aaaa_5555_aaaa & m);
                (vec![c, x, y], Some(vec![(x & c) | (y & !c)]))
            })
            .collect();
        check(&func, &cases);
    }
}

const F64_EDGES: [f64; 14] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    1.5,
    2.5,
    -2.5,
    1e300,
    -3e-310,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    4294967296.5,
];

fn float_bits(ty: Type, x: f64) -> u64 {
    if ty == types::F32 {
        u64::from((x as f32).to_bits())
    } else {
        x.to_bits()
    }
}

fn float_of(ty: Type, bits: u64) -> f64 {
    if ty == types::F32 {
        f64::from(f32::from_bits(bits as u32))
    } else {
        f64::from_bits(bits)
    }
}

#[test]
fn float_arithmetic() {
    type Build = fn(&mut FunctionBuilder, Value, Value) -> Value;
    type Eval64 = fn(f64, f64) -> f64;
    type Eval32 = fn(f32, f32) -> f32;
    let binary: [(Build, Eval64, Eval32); 7] = [
        (|b, x, y| b.ins().fadd(x, y), |x, y| x + y, |x, y| x + y),
        (|b, x, y| b.ins().fsub(x, y), |x, y| x - y, |x, y| x - y),
        (|b, x, y| b.ins().fmul(x, y), |x, y| x * y, |x, y| x * y),
        (|b, x, y| b.ins().fdiv(x, y), |x, y| x / y, |x, y| x / y),
        (
            |b, x, y| b.ins().fcopysign(x, y),
            f64::copysign,
            f32::copysign,
        ),
        (|b, x, y| b.ins().fmin(x, y), wasm_min, wasm_min),
        (
            |b, x, y| b.ins().fmax(x, y),
            |x, y| -wasm_min(-x, -y),
            |x, y| -wasm_min(-x, -y),
        ),
    ];
    for ty in [types::F32, types::F64] {
        for (build_op, e64, e32) in binary {
            let func = build(&[ty, ty], &[ty], |b, p| {
                let r = build_op(b, p[0], p[1]);
                b.ins().return_(&[r]);
            });
            let mut cases = Vec::new();
            for &x in &F64_EDGES {
                for &y in &F64_EDGES {
                    let want = if ty == types::F32 {
                        u64::from(e32(x as f32, y as f32).to_bits())
                    } else {
                        e64(x, y).to_bits()
                    };
                    cases.push((vec![float_bits(ty, x), float_bits(ty, y)], Some(vec![want])));
                }
            }
            check(&func, &cases);
        }
        type BuildUnary = fn(&mut FunctionBuilder, Value) -> Value;
        type EvalUnary = fn(f64) -> f64;
        let unary: [(BuildUnary, EvalUnary); 7] = [
            (|b, x| b.ins().sqrt(x), f64::sqrt),
            (|b, x| b.ins().fneg(x), |x| -x),
            (|b, x| b.ins().fabs(x), f64::abs),
            (|b, x| b.ins().floor(x), f64::floor),
            (|b, x| b.ins().ceil(x), f64::ceil),
            (|b, x| b.ins().trunc(x), f64::trunc),
            (|b, x| b.ins().nearest(x), f64::round_ties_even),
        ];
        for (build_op, eval) in unary {
            let func = build(&[ty], &[ty], |b, p| {
                let r = build_op(b, p[0]);
                b.ins().return_(&[r]);
            });
            // These are exact in f32 when computed in f64 and rounded back.
            let cases: Vec<_> = F64_EDGES
                .iter()
                .map(|&x| {
                    let x = float_of(ty, float_bits(ty, x));
                    (vec![float_bits(ty, x)], Some(vec![float_bits(ty, eval(x))]))
                })
                .collect();
            check(&func, &cases);
        }
    }
}

/// Wasm's (and CLIF's) fmin: NaN if either is NaN, -0 below +0.
fn wasm_min<F: Float>(x: F, y: F) -> F {
    if x.is_nan() || y.is_nan() {
        F::nan()
    } else if x == y {
        if x.sign_negative() {
            x
        } else {
            y
        }
    } else if x < y {
        x
    } else {
        y
    }
}

trait Float: Copy + PartialOrd {
    fn is_nan(self) -> bool;
    fn nan() -> Self;
    fn sign_negative(self) -> bool;
}

impl Float for f32 {
    fn is_nan(self) -> bool {
        f32::is_nan(self)
    }
    fn nan() -> Self {
        f32::NAN
    }
    fn sign_negative(self) -> bool {
        self.is_sign_negative()
    }
}

impl Float for f64 {
    fn is_nan(self) -> bool {
        f64::is_nan(self)
    }
    fn nan() -> Self {
        f64::NAN
    }
    fn sign_negative(self) -> bool {
        self.is_sign_negative()
    }
}

#[test]
fn float_compares() {
    use std::cmp::Ordering::{Equal as Eq, Greater, Less};
    use FloatCC::*;
    type Compare = fn(f64, f64) -> bool;
    let ccs: [(FloatCC, Compare); 14] = [
        (Ordered, |x, y| !x.is_nan() && !y.is_nan()),
        (Unordered, |x, y| x.is_nan() || y.is_nan()),
        (Equal, |x, y| x == y),
        (NotEqual, |x, y| x != y),
        (OrderedNotEqual, |x, y| {
            matches!(x.partial_cmp(&y), Some(Less | Greater))
        }),
        (UnorderedOrEqual, |x, y| {
            matches!(x.partial_cmp(&y), None | Some(Eq))
        }),
        (LessThan, |x, y| x < y),
        (LessThanOrEqual, |x, y| x <= y),
        (GreaterThan, |x, y| x > y),
        (GreaterThanOrEqual, |x, y| x >= y),
        (UnorderedOrLessThan, |x, y| {
            matches!(x.partial_cmp(&y), None | Some(Less))
        }),
        (UnorderedOrLessThanOrEqual, |x, y| {
            matches!(x.partial_cmp(&y), None | Some(Less | Eq))
        }),
        (UnorderedOrGreaterThan, |x, y| {
            matches!(x.partial_cmp(&y), None | Some(Greater))
        }),
        (UnorderedOrGreaterThanOrEqual, |x, y| {
            matches!(x.partial_cmp(&y), None | Some(Greater | Eq))
        }),
    ];
    for ty in [types::F32, types::F64] {
        for (cc, eval) in ccs {
            let func = build(&[ty, ty], &[types::I8], |b, p| {
                let r = b.ins().fcmp(cc, p[0], p[1]);
                b.ins().return_(&[r]);
            });
            let mut cases = Vec::new();
            for &x in &F64_EDGES {
                for &y in &F64_EDGES {
                    let (x, y) = (
                        float_of(ty, float_bits(ty, x)),
                        float_of(ty, float_bits(ty, y)),
                    );
                    cases.push((
                        vec![float_bits(ty, x), float_bits(ty, y)],
                        Some(vec![u64::from(eval(x, y))]),
                    ));
                }
            }
            check(&func, &cases);
        }
    }
}

#[test]
fn float_conversions() {
    // fpromote / fdemote
    let func = build(
        &[types::F32, types::F64],
        &[types::F64, types::F32],
        |b, p| {
            let x = b.ins().fpromote(types::F64, p[0]);
            let y = b.ins().fdemote(types::F32, p[1]);
            b.ins().return_(&[x, y]);
        },
    );
    let cases: Vec<_> = F64_EDGES
        .iter()
        .map(|&x| {
            let f = x as f32;
            (
                vec![u64::from(f.to_bits()), x.to_bits()],
                Some(vec![
                    f64::from(f).to_bits(),
                    u64::from((x as f32).to_bits()),
                ]),
            )
        })
        .collect();
    check(&func, &cases);

    let values = [
        0.0,
        -0.9,
        1.9,
        -1.0,
        2147483647.0,
        2147483648.0,
        -2147483649.0,
        4294967295.0,
        4294967296.0,
        9.3e18,
        -9.3e18,
        1.8e19,
        1e30,
        f64::NAN,
        f64::INFINITY,
    ];
    for fty in [types::F32, types::F64] {
        for ity in [types::I32, types::I64] {
            for (signed, saturating) in [(true, false), (false, false), (true, true), (false, true)]
            {
                let func = build(&[fty], &[ity], |b, p| {
                    let i = b.ins();
                    let r = match (signed, saturating) {
                        (true, false) => i.fcvt_to_sint(ity, p[0]),
                        (false, false) => i.fcvt_to_uint(ity, p[0]),
                        (true, true) => i.fcvt_to_sint_sat(ity, p[0]),
                        (false, true) => i.fcvt_to_uint_sat(ity, p[0]),
                    };
                    b.ins().return_(&[r]);
                });
                let cases: Vec<_> = values
                    .iter()
                    .map(|&x| {
                        let x = float_of(fty, float_bits(fty, x));
                        let t = x.trunc();
                        let (lo, hi) = match (signed, ity.bits()) {
                            (true, 32) => (i32::MIN as f64, -(i32::MIN as f64)),
                            (false, 32) => (0.0, 4294967296.0),
                            (true, _) => (i64::MIN as f64, -(i64::MIN as f64)),
                            (false, _) => (0.0, 18446744073709551616.0),
                        };
                        let in_range = !x.is_nan() && t >= lo && t < hi;
                        let want = if saturating {
                            let v = if signed {
                                if ity == types::I32 {
                                    x as i32 as i64 as u64
                                } else {
                                    x as i64 as u64
                                }
                            } else if ity == types::I32 {
                                u64::from(x as u32)
                            } else {
                                x as u64
                            };
                            Some(vec![mask(ity.bits(), v)])
                        } else if in_range {
                            Some(vec![mask(
                                ity.bits(),
                                if signed { t as i64 as u64 } else { t as u64 },
                            )])
                        } else {
                            None
                        };
                        (vec![float_bits(fty, x)], want)
                    })
                    .collect();
                check(&func, &cases);
            }
        }
    }

    for ity in INT_TYPES {
        for fty in [types::F32, types::F64] {
            for signed in [true, false] {
                let func = build(&[ity], &[fty], |b, p| {
                    let r = if signed {
                        b.ins().fcvt_from_sint(fty, p[0])
                    } else {
                        b.ins().fcvt_from_uint(fty, p[0])
                    };
                    b.ins().return_(&[r]);
                });
                let cases: Vec<_> = INT_EDGES
                    .iter()
                    .map(|&x| {
                        let x = mask(ity.bits(), x);
                        let want = match (signed, fty) {
                            (true, types::F32) => u64::from((sx(ity.bits(), x) as f32).to_bits()),
                            (true, _) => (sx(ity.bits(), x) as f64).to_bits(),
                            (false, types::F32) => u64::from((x as f32).to_bits()),
                            (false, _) => (x as f64).to_bits(),
                        };
                        (vec![x], Some(vec![want]))
                    })
                    .collect();
                check(&func, &cases);
            }
        }
    }
}

#[test]
fn bitcasts() {
    for (from, to) in [
        (types::I32, types::F32),
        (types::F32, types::I32),
        (types::I64, types::F64),
        (types::F64, types::I64),
    ] {
        let func = build(&[from], &[to], |b, p| {
            let r = b.ins().bitcast(to, MemFlagsData::new(), p[0]);
            b.ins().return_(&[r]);
        });
        let m = mask(from.bits(), u64::MAX);
        let cases: Vec<_> = [
            0u64,
            0x3f80_0000,
            0x7ff8_0000_0000_0001,
            0x8000_0000,
            u64::MAX,
        ]
        .iter()
        .map(|&x| (vec![x & m], Some(vec![x & m])))
        .collect();
        check(&func, &cases);
    }
}

#[test]
fn loads_and_stores() {
    use cranelift_codegen::ir::Opcode;
    // Each function stores its i64 argument at address 1000 + off with the
    // given store opcode, then loads it back from 1000 + off with the given
    // load opcode (the offset goes into the instruction, the base is an
    // argument so that negative offsets really are added at run time).
    let stores: [(Opcode, Type); 9] = [
        (Opcode::Store, types::I8),
        (Opcode::Store, types::I16),
        (Opcode::Store, types::I32),
        (Opcode::Store, types::I64),
        (Opcode::Istore8, types::I32),
        (Opcode::Istore16, types::I32),
        (Opcode::Istore8, types::I64),
        (Opcode::Istore16, types::I64),
        (Opcode::Istore32, types::I64),
    ];
    let loads: [(Opcode, Type); 15] = [
        (Opcode::Load, types::I8),
        (Opcode::Load, types::I16),
        (Opcode::Load, types::I32),
        (Opcode::Load, types::I64),
        (Opcode::Uload8, types::I16),
        (Opcode::Uload8, types::I32),
        (Opcode::Uload8, types::I64),
        (Opcode::Sload8, types::I16),
        (Opcode::Sload8, types::I32),
        (Opcode::Sload8, types::I64),
        (Opcode::Uload16, types::I32),
        (Opcode::Uload16, types::I64),
        (Opcode::Sload16, types::I32),
        (Opcode::Sload16, types::I64),
        (Opcode::Uload32, types::I64),
    ];
    let value: u64 = 0x8182_8384_f5f6_f7f8;
    for offset in [-24i32, 0, 40] {
        for (sop, sty) in stores {
            for (lop, lty) in loads.iter().copied().chain([(Opcode::Sload32, types::I64)]) {
                let func = build(&[types::I32, sty], &[lty], |b, p| {
                    let flags = MemFlagsData::new();
                    let (base, x) = (p[0], p[1]);
                    let i = b.ins();
                    match sop {
                        Opcode::Store => i.store(flags, x, base, offset),
                        Opcode::Istore8 => i.istore8(flags, x, base, offset),
                        Opcode::Istore16 => i.istore16(flags, x, base, offset),
                        _ => i.istore32(flags, x, base, offset),
                    };
                    let i = b.ins();
                    let r = match lop {
                        Opcode::Load => i.load(lty, flags, base, offset),
                        Opcode::Uload8 => i.uload8(lty, flags, base, offset),
                        Opcode::Sload8 => i.sload8(lty, flags, base, offset),
                        Opcode::Uload16 => i.uload16(lty, flags, base, offset),
                        Opcode::Sload16 => i.sload16(lty, flags, base, offset),
                        Opcode::Uload32 => i.uload32(flags, base, offset),
                        _ => i.sload32(flags, base, offset),
                    };
                    b.ins().return_(&[r]);
                });
                // Memory starts zeroed, and each call stores then loads.
                let stored_bytes = match sop {
                    Opcode::Store => sty.bytes(),
                    Opcode::Istore8 => 1,
                    Opcode::Istore16 => 2,
                    _ => 4,
                };
                let stored = mask(stored_bytes * 8, value);
                let load_bits = match lop {
                    Opcode::Load => lty.bits(),
                    Opcode::Uload8 | Opcode::Sload8 => 8,
                    Opcode::Uload16 | Opcode::Sload16 => 16,
                    _ => 32,
                };
                let loaded = mask(load_bits, stored);
                let signed = matches!(lop, Opcode::Sload8 | Opcode::Sload16 | Opcode::Sload32);
                let want = if signed {
                    mask(lty.bits(), sx(load_bits, loaded) as u64)
                } else {
                    loaded
                };
                check(
                    &func,
                    &[(vec![1000, mask(sty.bits(), value)], Some(vec![want]))],
                );
            }
        }
    }
    // Floats, and an out-of-bounds access traps.
    for ty in [types::F32, types::F64] {
        let func = build(&[types::I32, ty], &[ty], |b, p| {
            let flags = MemFlagsData::new();
            b.ins().store(flags, p[1], p[0], -3);
            let r = b.ins().load(ty, flags, p[0], -3);
            b.ins().return_(&[r]);
        });
        let x = float_bits(ty, -2.75);
        check(
            &func,
            &[
                (vec![3, x], Some(vec![x])),
                (vec![2, x], None),
                (vec![4 << 16, x], None),
            ],
        );
    }
}

#[test]
fn calls() {
    let func = build(
        &[types::I32, types::I64, types::F64, types::I8],
        &[types::I64, types::I32, types::I16],
        |b, p| {
            let h0 = import_helper(b, 0);
            let h1 = import_helper(b, 1);
            let call = b.ins().call(h0, &[p[0], p[1], p[2]]);
            let (r0, r1) = (b.inst_results(call)[0], b.inst_results(call)[1]);
            let call = b.ins().call(h1, &[p[3]]);
            let r2 = b.inst_results(call)[0];
            // Results used out of order, and one of them twice.
            let sum = b.ins().iadd(r0, r0);
            b.ins().return_(&[sum, r1, r2]);
        },
    );
    let mut cases = Vec::new();
    for (a, bb, c, d) in [
        (1i32, 2i64, 3.5f64, 4u32),
        (-7, i64::MIN, -1e9, 0xff),
        (0, 0, 0.0, 0),
    ] {
        let (r0, r1) = helper0(a, bb, c);
        cases.push((
            vec![a as u32 as u64, bb as u64, c.to_bits(), u64::from(d)],
            Some(vec![
                r0.wrapping_add(r0) as u64,
                r1 as u32 as u64,
                u64::from(helper1(d)),
            ]),
        ));
    }
    check(&func, &cases);
}

#[test]
fn traps() {
    for ty in [types::I8, types::I64] {
        for trapz in [true, false] {
            let func = build(&[ty], &[types::I32], |b, p| {
                if trapz {
                    b.ins()
                        .trapz(p[0], cranelift_codegen::ir::TrapCode::user(1).unwrap());
                } else {
                    b.ins()
                        .trapnz(p[0], cranelift_codegen::ir::TrapCode::user(1).unwrap());
                }
                let r = b.ins().iconst(types::I32, 5);
                b.ins().return_(&[r]);
            });
            let ok = Some(vec![5]);
            let cases = [
                (vec![0], if trapz { None } else { ok.clone() }),
                (vec![0x80], if trapz { ok } else { None }),
            ];
            check(&func, &cases);
        }
    }
    let func = build(&[types::I64, types::I64], &[types::I64], |b, p| {
        let r = b.ins().uadd_overflow_trap(
            p[0],
            p[1],
            cranelift_codegen::ir::TrapCode::user(1).unwrap(),
        );
        b.ins().return_(&[r]);
    });
    check(
        &func,
        &[
            (vec![1, 2], Some(vec![3])),
            (vec![u64::MAX, 1], None),
            (vec![u64::MAX, 0], Some(vec![u64::MAX])),
        ],
    );
}

#[test]
fn unsupported_instructions_are_errors() {
    let fma = build(
        &[types::F64, types::F64, types::F64],
        &[types::F64],
        |b, p| {
            let r = b.ins().fma(p[0], p[1], p[2]);
            b.ins().return_(&[r]);
        },
    );
    let i128_load = build(&[types::I32], &[types::I64], |b, p| {
        // A load cannot be folded away by the optimizer.
        let wide = b.ins().load(types::I128, MemFlagsData::new(), p[0], 0);
        let r = b.ins().ireduce(types::I64, wide);
        b.ins().return_(&[r]);
    });
    let address64 = build(&[types::I64], &[types::I64], |b, p| {
        let r = b.ins().load(types::I64, MemFlagsData::new(), p[0], 0);
        b.ins().return_(&[r]);
    });
    for (func, needle) in [
        (fma, "opcode fma"),
        (i128_load, "i128"),
        (address64, "i64 address"),
    ] {
        for optimize in [false, true] {
            let prepared = prepare(&func, optimize);
            match emit_with(&prepared, &TestEnv, true) {
                Err(e @ Error::Unsupported { .. }) => {
                    let message = e.to_string();
                    assert!(message.contains(needle), "{message}");
                }
                other => panic!(
                    "expected Unsupported for {needle} (optimize {optimize}), got {:?}\n{}",
                    other.map(|_| ()),
                    prepared.display()
                ),
            }
        }
    }
    // A callee the environment cannot name.
    let func = build(&[], &[], |b, _| {
        let signature = b.import_signature(signature(&[], &[]));
        let name = b
            .func
            .declare_imported_user_function(UserExternalName::new(5, 9));
        let callee = b.import_function(ExtFuncData {
            name: ExternalName::user(name),
            signature,
            colocated: true,
            patchable: false,
        });
        b.ins().call(callee, &[]);
        b.ins().return_(&[]);
    });
    match emit_with(&prepare(&func, false), &TestEnv, true) {
        Err(Error::UnknownCallee { name }) => assert!(name.contains("u5:9"), "{name}"),
        other => panic!("expected UnknownCallee, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn signatures() {
    assert_eq!(
        wasm_types(&[
            types::I8,
            types::I16,
            types::I32,
            types::I64,
            types::F32,
            types::F64
        ]),
        [
            ValType::I32,
            ValType::I32,
            ValType::I32,
            ValType::I64,
            ValType::F32,
            ValType::F64
        ]
    );
    assert!(matches!(
        wasm_signature(&signature(&[types::I128], &[])),
        Err(Error::Unsupported { .. })
    ));
}
