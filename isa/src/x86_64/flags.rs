//! The arithmetic flags (CF PF AF ZF SF OF), computed lazily.
//!
//! An instruction that sets the flags does not compute them: it records a
//! *thunk* in four state registers, and a reader (`jcc`, `setcc`, `adc`,
//! `pushf`...) computes just what it needs from it. Every definition of a
//! flag is in this module, once.
//!
//! # Encoding
//!
//! `FlagsOp` is `kind << 2 | log2(operand size in bytes)`, where `kind` is a
//! [`Kind`]; `FlagsA`, `FlagsB` and `FlagsR` hold the operands and the
//! result, zero-extended from the operand size:
//!
//! | kind | A | B | R |
//! |---|---|---|---|
//! | 0 `Rflags` | 0 | 0 | the flags at their RFLAGS positions (CF bit 0, PF 2, AF 4, ZF 6, SF 7, OF 11), nothing else |
//! | 1 `Add` | first operand | second | a + b |
//! | 2 `Adc` | first operand | second | a + b + CF |
//! | 3 `Sub` (also `cmp`, `neg` as 0 - b) | first operand | second | a - b |
//! | 4 `Sbb` | first operand | second | a - b - CF |
//! | 5 `Logic` (and, or, xor, test) | – | – | result |
//! | 6 `Inc` | the CF before (0/1) | – | a + 1 |
//! | 7 `Dec` | the CF before (0/1) | – | a - 1 |
//! | 8 `Shl` (also `shld`) | the shifted operand | count (1..) | result |
//! | 9 `Shr` (also `shrd`) | the shifted operand | count (1..) | result |
//! | 10 `Sar` | the shifted operand | count (1..) | result |
//!
//! `FlagsOp == 0` with `FlagsR == 0` (the reset state) means "all clear".
//! Instructions whose flags are cheap to give outright (rotates, `bt`,
//! multiplications, `popf`, SSE compares...) store the materialised form
//! with [`set_rflags`].
//!
//! # Known and unknown thunks
//!
//! The readers look at `FlagsOp` through [`Backend::known`]: the interpreter
//! always knows it and stays fully lazy; the lifter knows it when an earlier
//! instruction of the same block set it. When it is not known, the readers
//! assume kind `Rflags`: the lifter calls [`settle`] (through `Isa::settle`)
//! wherever control leaves a block, so every block starts with the
//! materialised form. The semantics keep `FlagsOp` a constant: where the
//! flags change only under a run-time condition (a shift by `cl`, a `rep
//! cmps` with `rcx == 0`) they select between two materialised words
//! ([`set_if`]).

use iced_x86::ConditionCode;

use super::operand::sext;
use crate::{Backend, BinOp, Cond, StateReg, UnOp};

/// RFLAGS bits.
pub const CF: u64 = 1 << 0;
pub const PF: u64 = 1 << 2;
pub const AF: u64 = 1 << 4;
pub const ZF: u64 = 1 << 6;
pub const SF: u64 = 1 << 7;
pub const OF: u64 = 1 << 11;
/// The six arithmetic flags.
pub const ARITH: u64 = CF | PF | AF | ZF | SF | OF;
/// The direction flag's position (it lives in `StateReg::Df`).
pub const DF_SHIFT: u64 = 10;
/// What `pushf` adds to the arithmetic flags: the always-one bit 1 and IF.
pub const FIXED: u64 = 0x202;

/// What computed the flags (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Rflags = 0,
    Add = 1,
    Adc = 2,
    Sub = 3,
    Sbb = 4,
    Logic = 5,
    Inc = 6,
    Dec = 7,
    Shl = 8,
    Shr = 9,
    Sar = 10,
}

impl Kind {
    const ALL: [Kind; 11] = [
        Kind::Rflags,
        Kind::Add,
        Kind::Adc,
        Kind::Sub,
        Kind::Sbb,
        Kind::Logic,
        Kind::Inc,
        Kind::Dec,
        Kind::Shl,
        Kind::Shr,
        Kind::Sar,
    ];
}

/// One arithmetic flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flag {
    C,
    P,
    A,
    Z,
    S,
    O,
}

impl Flag {
    const ALL: [Flag; 6] = [Flag::C, Flag::P, Flag::A, Flag::Z, Flag::S, Flag::O];

    /// Bit position in RFLAGS.
    pub const fn shift(self) -> u64 {
        match self {
            Flag::C => 0,
            Flag::P => 2,
            Flag::A => 4,
            Flag::Z => 6,
            Flag::S => 7,
            Flag::O => 11,
        }
    }
}

/// The `FlagsOp` value of `kind` on `size`-byte operands.
pub const fn op(kind: Kind, size: u32) -> u64 {
    (kind as u64) << 2 | size.trailing_zeros() as u64
}

/// The kind and operand size (bytes) a `FlagsOp` value names.
pub fn decode_op(op: u64) -> Option<(Kind, u32)> {
    let kind = *Kind::ALL.get((op >> 2) as usize)?;
    Some((kind, 1 << (op & 3)))
}

/// A flags thunk: an operation, its operand size and its values.
#[derive(Clone, Copy, Debug)]
pub struct Thunk<V> {
    pub kind: Kind,
    /// Operand size in bytes.
    pub size: u32,
    pub a: V,
    pub b: V,
    pub r: V,
}

/// Records that `kind` on `size`-byte operands `a` and `b` (zero-extended)
/// gave `r` (any upper bits are dropped here).
pub fn set<B: Backend>(b: &mut B, kind: Kind, size: u32, x: B::V, y: B::V, r: B::V) {
    let r = super::operand::zext(b, size, r);
    store(b, op(kind, size), x, y, r);
}

/// Sets the flags to the materialised word `word` (only its arithmetic
/// flag bits count; the others are dropped).
pub fn set_rflags<B: Backend>(b: &mut B, word: B::V) {
    let m = b.imm(ARITH);
    let w = b.bin(BinOp::And, word, m);
    let zero = b.imm(0);
    store(b, 0, zero, zero, w);
}

fn store<B: Backend>(b: &mut B, op: u64, x: B::V, y: B::V, r: B::V) {
    let op = b.imm(op);
    b.set_state(StateReg::FlagsOp, op);
    b.set_state(StateReg::FlagsA, x);
    b.set_state(StateReg::FlagsB, y);
    b.set_state(StateReg::FlagsR, r);
}

/// Records `kind` as [`set`] does if `c` (0/1) is 1, else leaves the flags
/// as they are (a shift by a zero count, a `rep cmps` that does nothing).
/// When `c` is not known the result is the materialised form.
pub fn set_if<B: Backend>(b: &mut B, c: B::V, kind: Kind, size: u32, x: B::V, y: B::V, r: B::V) {
    match b.known(c) {
        Some(0) => {}
        Some(_) => set(b, kind, size, x, y, r),
        None => {
            let old = materialize(b);
            let r = super::operand::zext(b, size, r);
            let new = word_of(
                b,
                &Thunk {
                    kind,
                    size,
                    a: x,
                    b: y,
                    r,
                },
            );
            let w = b.select(c, new, old);
            set_rflags(b, w);
        }
    }
}

/// Replaces the flags in `mask` by `bits` (already at their positions),
/// keeping the others: the instructions that change only some flags (`bt`,
/// rotates, `clc`...).
pub fn update<B: Backend>(b: &mut B, mask: u64, bits: B::V) {
    let old = materialize(b);
    let keep = b.imm(!mask);
    let old = b.bin(BinOp::And, old, keep);
    let w = b.bin(BinOp::Or, old, bits);
    set_rflags(b, w);
}

/// The current thunk: `None` when `FlagsOp` is not known (then the flags
/// are materialised, in `FlagsR`).
fn current<B: Backend>(b: &mut B) -> Option<Thunk<B::V>> {
    let op = b.state(StateReg::FlagsOp);
    let (kind, size) = decode_op(b.known(op)?)?;
    let r = b.state(StateReg::FlagsR);
    let (x, y) = if kind == Kind::Rflags || kind == Kind::Logic {
        (r, r)
    } else {
        (b.state(StateReg::FlagsA), b.state(StateReg::FlagsB))
    };
    Some(Thunk {
        kind,
        size,
        a: x,
        b: y,
        r,
    })
}

/// The flags as one RFLAGS word (only the arithmetic flags set).
pub fn materialize<B: Backend>(b: &mut B) -> B::V {
    match current(b) {
        Some(t) => word_of(b, &t),
        None => b.state(StateReg::FlagsR),
    }
}

/// Brings the flags to their materialised form (kind `Rflags`), the form
/// every block boundary assumes; does nothing if they are in it already or
/// if the thunk is not known (then they are, by that same invariant).
pub fn settle<B: Backend>(b: &mut B) {
    if let Some(t) = current(b) {
        if t.kind != Kind::Rflags {
            let w = word_of(b, &t);
            set_rflags(b, w);
        }
    }
}

/// One flag, 0 or 1.
pub fn flag<B: Backend>(b: &mut B, f: Flag) -> B::V {
    match current(b) {
        Some(t) => flag_of(b, &t, f),
        None => {
            let r = b.state(StateReg::FlagsR);
            bit(b, r, f.shift())
        }
    }
}

/// `(v >> n) & 1`.
fn bit<B: Backend>(b: &mut B, v: B::V, n: u64) -> B::V {
    let v = if n == 0 {
        v
    } else {
        let s = b.imm(n);
        b.bin(BinOp::ShrU, v, s)
    };
    let one = b.imm(1);
    b.bin(BinOp::And, v, one)
}

/// The sign bit of a `size`-byte value: bit `8 * size - 1`.
fn msb<B: Backend>(b: &mut B, size: u32, v: B::V) -> B::V {
    bit(b, v, u64::from(size * 8 - 1))
}

fn xor1<B: Backend>(b: &mut B, v: B::V) -> B::V {
    let one = b.imm(1);
    b.bin(BinOp::Xor, v, one)
}

/// A shift amount reduced modulo 64 (the backend's contract).
fn amount<B: Backend>(b: &mut B, n: B::V) -> B::V {
    let m = b.imm(63);
    b.bin(BinOp::And, n, m)
}

/// The word of thunk `t`.
pub fn word_of<B: Backend>(b: &mut B, t: &Thunk<B::V>) -> B::V {
    if t.kind == Kind::Rflags {
        return t.r;
    }
    let mut w = None;
    for f in Flag::ALL {
        if t.kind == Kind::Logic && matches!(f, Flag::C | Flag::A | Flag::O) {
            continue;
        }
        let v = flag_of(b, t, f);
        let v = if f.shift() == 0 {
            v
        } else {
            let s = b.imm(f.shift());
            b.bin(BinOp::Shl, v, s)
        };
        w = Some(match w {
            None => v,
            Some(w) => b.bin(BinOp::Or, w, v),
        });
    }
    w.unwrap_or_else(|| b.imm(0))
}

/// Flag `f` (0 or 1) of thunk `t`: the definition of every flag.
pub fn flag_of<B: Backend>(b: &mut B, t: &Thunk<B::V>, f: Flag) -> B::V {
    use Kind::*;
    let (x, y, r, size) = (t.a, t.b, t.r, t.size);
    match (f, t.kind) {
        (_, Rflags) => bit(b, r, f.shift()),
        (Flag::Z, _) => {
            let zero = b.imm(0);
            b.cmp(Cond::Eq, r, zero)
        }
        (Flag::S, _) => msb(b, size, r),
        (Flag::P, _) => {
            // Even parity of the low byte.
            let low = b.un(UnOp::Zext8, r);
            let n = b.un(UnOp::Popcnt, low);
            let odd = bit(b, n, 0);
            xor1(b, odd)
        }
        (Flag::C, Add) => b.cmp(Cond::LtU, r, x),
        (Flag::C, Sub) => b.cmp(Cond::LtU, x, y),
        (Flag::C, Adc) => {
            // The carry out of the top bit: (a & b) | ((a | b) & !r).
            let and = b.bin(BinOp::And, x, y);
            let or = b.bin(BinOp::Or, x, y);
            let ones = b.imm(u64::MAX);
            let nr = b.bin(BinOp::Xor, r, ones);
            let t = b.bin(BinOp::And, or, nr);
            let c = b.bin(BinOp::Or, and, t);
            msb(b, size, c)
        }
        (Flag::C, Sbb) => {
            // The borrow out of the top bit: (!a & b) | ((!a | b) & r).
            let ones = b.imm(u64::MAX);
            let na = b.bin(BinOp::Xor, x, ones);
            let and = b.bin(BinOp::And, na, y);
            let or = b.bin(BinOp::Or, na, y);
            let t = b.bin(BinOp::And, or, r);
            let c = b.bin(BinOp::Or, and, t);
            msb(b, size, c)
        }
        (Flag::C, Inc | Dec) => x,
        (Flag::C | Flag::A | Flag::O, Logic) => b.imm(0),
        (Flag::C, Shl) => {
            // The last bit shifted out: bit (size - count) of a.
            let one = b.imm(1);
            let n = b.bin(BinOp::Sub, y, one);
            let n = amount(b, n);
            let v = b.bin(BinOp::Shl, x, n);
            msb(b, size, v)
        }
        (Flag::C, Shr | Sar) => {
            // Bit count - 1 of a (of its sign extension, for sar).
            let one = b.imm(1);
            let n = b.bin(BinOp::Sub, y, one);
            let n = amount(b, n);
            let (v, op) = if t.kind == Sar {
                (sext(b, size, x), BinOp::ShrS)
            } else {
                (x, BinOp::ShrU)
            };
            let v = b.bin(op, v, n);
            bit(b, v, 0)
        }
        (Flag::A, Add | Adc | Sub | Sbb) => {
            let v = b.bin(BinOp::Xor, x, y);
            let v = b.bin(BinOp::Xor, v, r);
            bit(b, v, 4)
        }
        (Flag::A, Inc | Dec) => {
            let m = b.imm(0xf);
            let low = b.bin(BinOp::And, r, m);
            let want = b.imm(if t.kind == Inc { 0 } else { 0xf });
            b.cmp(Cond::Eq, low, want)
        }
        (Flag::A, Shl | Shr | Sar) => b.imm(0),
        (Flag::O, Add | Adc) => {
            // Both operands differ in sign from the result.
            let p = b.bin(BinOp::Xor, x, r);
            let q = b.bin(BinOp::Xor, y, r);
            let v = b.bin(BinOp::And, p, q);
            msb(b, size, v)
        }
        (Flag::O, Sub | Sbb) => {
            // The operands differ in sign and the result's differs from a's.
            let p = b.bin(BinOp::Xor, x, y);
            let q = b.bin(BinOp::Xor, x, r);
            let v = b.bin(BinOp::And, p, q);
            msb(b, size, v)
        }
        (Flag::O, Inc | Dec) => {
            let top = 1u64 << (size * 8 - 1);
            let want = b.imm(if t.kind == Inc { top } else { top - 1 });
            b.cmp(Cond::Eq, r, want)
        }
        (Flag::O, Shl) => {
            let s = msb(b, size, r);
            let c = flag_of(b, t, Flag::C);
            b.bin(BinOp::Xor, s, c)
        }
        (Flag::O, Shr | Sar) => {
            // The sign changed (0 for sar).
            let v = b.bin(BinOp::Xor, x, r);
            msb(b, size, v)
        }
    }
}

/// Condition `cc` (0 or 1) of the current flags.
pub fn cond<B: Backend>(b: &mut B, cc: ConditionCode) -> B::V {
    use ConditionCode as C;
    let t = current(b);
    if let Some(t) = t {
        if let Some(v) = shortcut(b, &t, cc) {
            return v;
        }
    }
    let flag = |b: &mut B, f: Flag| match &t {
        Some(t) => flag_of(b, t, f),
        None => {
            let r = b.state(StateReg::FlagsR);
            bit(b, r, f.shift())
        }
    };
    // The condition and whether it is negated.
    let (positive, negate) = match cc {
        C::None => return b.imm(1),
        C::o => (C::o, false),
        C::no => (C::o, true),
        C::b => (C::b, false),
        C::ae => (C::b, true),
        C::e => (C::e, false),
        C::ne => (C::e, true),
        C::be => (C::be, false),
        C::a => (C::be, true),
        C::s => (C::s, false),
        C::ns => (C::s, true),
        C::p => (C::p, false),
        C::np => (C::p, true),
        C::l => (C::l, false),
        C::ge => (C::l, true),
        C::le => (C::le, false),
        C::g => (C::le, true),
    };
    let v = match positive {
        C::o => flag(b, Flag::O),
        C::b => flag(b, Flag::C),
        C::e => flag(b, Flag::Z),
        C::s => flag(b, Flag::S),
        C::p => flag(b, Flag::P),
        C::be => {
            let c = flag(b, Flag::C);
            let z = flag(b, Flag::Z);
            b.bin(BinOp::Or, c, z)
        }
        C::l | C::le => {
            let s = flag(b, Flag::S);
            let o = flag(b, Flag::O);
            let l = b.bin(BinOp::Xor, s, o);
            if positive == C::le {
                let z = flag(b, Flag::Z);
                b.bin(BinOp::Or, l, z)
            } else {
                l
            }
        }
        _ => unreachable!("only positive conditions"),
    };
    if negate {
        xor1(b, v)
    } else {
        v
    }
}

/// `cc` straight from the operands where that is cheaper than from the
/// flags (after `cmp`, `add`, `test`...).
fn shortcut<B: Backend>(b: &mut B, t: &Thunk<B::V>, cc: ConditionCode) -> Option<B::V> {
    use ConditionCode as C;
    use Kind::*;
    let size = t.size;
    let zero = b.imm(0);
    let v = match (t.kind, cc) {
        (Rflags, _) => return None,
        (_, C::e) => b.cmp(Cond::Eq, t.r, zero),
        (_, C::ne) => b.cmp(Cond::Ne, t.r, zero),
        (Sub, _) => {
            let (cond, swap, signed) = match cc {
                C::b => (Cond::LtU, false, false),
                C::ae => (Cond::GeU, false, false),
                C::a => (Cond::LtU, true, false),
                C::be => (Cond::GeU, true, false),
                C::l => (Cond::LtS, false, true),
                C::ge => (Cond::GeS, false, true),
                C::g => (Cond::LtS, true, true),
                C::le => (Cond::GeS, true, true),
                C::s => {
                    let r = sext(b, size, t.r);
                    return Some(b.cmp(Cond::LtS, r, zero));
                }
                C::ns => {
                    let r = sext(b, size, t.r);
                    return Some(b.cmp(Cond::GeS, r, zero));
                }
                _ => return None,
            };
            let (mut x, mut y) = (t.a, t.b);
            if signed {
                x = sext(b, size, x);
                y = sext(b, size, y);
            }
            if swap {
                (x, y) = (y, x);
            }
            b.cmp(cond, x, y)
        }
        (Add, C::b) => b.cmp(Cond::LtU, t.r, t.a),
        (Add, C::ae) => b.cmp(Cond::GeU, t.r, t.a),
        (Logic, _) => {
            let r = sext(b, size, t.r);
            match cc {
                C::s | C::l => b.cmp(Cond::LtS, r, zero),
                C::ns | C::ge => b.cmp(Cond::GeS, r, zero),
                C::le => b.cmp(Cond::GeS, zero, r),
                C::g => b.cmp(Cond::LtS, zero, r),
                C::be => b.cmp(Cond::Eq, r, zero),
                C::a => b.cmp(Cond::Ne, r, zero),
                C::b | C::o => zero,
                C::ae | C::no => b.imm(1),
                _ => return None,
            }
        }
        (_, C::s) => {
            let r = sext(b, size, t.r);
            b.cmp(Cond::LtS, r, zero)
        }
        (_, C::ns) => {
            let r = sext(b, size, t.r);
            b.cmp(Cond::GeS, r, zero)
        }
        _ => return None,
    };
    Some(v)
}
