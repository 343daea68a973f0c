//! The x87 floating-point unit: the meaning of each operation code of
//! `c2w_isa::x86_64::x87`, on the CPU state's 80-bit registers.
//!
//! Values are `rustc_apfloat`'s `X87DoubleExtended`, which rounds correctly
//! in every mode; the NaN rules, stack faults (the QNaN indefinite with IE
//! and SF), the denormal flag and the condition codes are x86's. Every
//! memory operand is checked before the state changes, so that a fault
//! leaves the state as it was.

use c2w_isa::x86_64::x87::*;
use c2w_isa::Width;
use rustc_apfloat::ieee::{Double, Single, X87DoubleExtended};
use rustc_apfloat::{Float, FloatConvert, Round, Status, StatusAnd};

use super::mem::GuestMem;
use super::Cpu;

type F = X87DoubleExtended;

/// An x87 memory operand at this guest address is outside guest memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault(pub u64);

// Status word bits.
const IE: u64 = 1;
const DE: u64 = 2;
const ZE: u64 = 4;
const OE: u64 = 8;
const UE: u64 = 16;
const PE: u64 = 32;
const SF: u64 = 64;
const ES: u64 = 0x80;
const C0: u64 = 0x100;
const C1: u64 = 0x200;
const C2: u64 = 0x400;
const C3: u64 = 0x4000;
const B: u64 = 0x8000;
const CC: u64 = C0 | C1 | C2 | C3;

/// The QNaN indefinite.
const INDEFINITE: u128 = 0xffff_c000_0000_0000_0000;

fn bits(v: [u64; 2]) -> u128 {
    u128::from(v[0]) | u128::from(v[1] & 0xffff) << 64
}

fn unbits(b: u128) -> [u64; 2] {
    [b as u64, (b >> 64) as u64 & 0xffff]
}

fn is_nan(b: u128) -> bool {
    (b >> 64) & 0x7fff == 0x7fff && (b as u64) << 1 != 0
}

fn is_snan(b: u128) -> bool {
    is_nan(b) && (b as u64) & (1 << 62) == 0
}

fn is_denormal(b: u128) -> bool {
    (b >> 64) & 0x7fff == 0 && b as u64 != 0
}

fn quiet(b: u128) -> u128 {
    b | 1 << 62
}

struct Unit<'c, 'm> {
    cpu: &'c mut Cpu,
    mem: &'c GuestMem<'m>,
    /// The memory operand was a single or double denormal.
    denormal_src: bool,
}

impl Unit<'_, '_> {
    fn phys(&self, i: u32) -> usize {
        (self.cpu.fpu_top as usize + i as usize) & 7
    }
    fn empty(&self, i: u32) -> bool {
        self.cpu.fpu_empty >> self.phys(i) & 1 != 0
    }
    fn get(&self, i: u32) -> u128 {
        bits(self.cpu.st[self.phys(i)])
    }
    fn set(&mut self, i: u32, v: u128) {
        let p = self.phys(i);
        self.cpu.st[p] = unbits(v);
        self.cpu.fpu_empty &= !(1 << p);
    }
    fn push(&mut self, v: u128) {
        self.cpu.fpu_top = (self.cpu.fpu_top + 7) & 7;
        if !self.empty(0) {
            // Stack overflow.
            self.raise(IE | SF);
            self.cc(C1);
            self.set(0, INDEFINITE);
            return;
        }
        self.set(0, v);
    }
    fn pop(&mut self) {
        let p = self.phys(0);
        self.cpu.fpu_empty |= 1 << p;
        self.cpu.fpu_top = (self.cpu.fpu_top + 1) & 7;
    }
    fn raise(&mut self, f: u64) {
        self.cpu.fpu_sw |= f;
        if self.cpu.fpu_sw & !self.cpu.fpu_cw & 0x3f != 0 {
            self.cpu.fpu_sw |= ES | B;
        }
    }
    /// Sets the condition codes to `c` (others cleared).
    fn cc(&mut self, c: u64) {
        self.cpu.fpu_sw = self.cpu.fpu_sw & !CC | c;
    }
    /// Stack underflow: IE and SF, C1 clear.
    fn underflow(&mut self) {
        self.raise(IE | SF);
        self.cc(0);
    }
    fn round(&self) -> Round {
        match self.cpu.fpu_cw >> 10 & 3 {
            0 => Round::NearestTiesToEven,
            1 => Round::TowardNegative,
            2 => Round::TowardPositive,
            _ => Round::TowardZero,
        }
    }
    fn read(&self, w: Width, a: u64) -> Result<u64, Fault> {
        self.mem.read(w, a).ok_or(Fault(a))
    }
    /// Fails unless `len` bytes at `a` are writable.
    fn check(&self, a: u64, len: u64) -> Result<(), Fault> {
        self.read(Width::B8, a)?;
        self.read(Width::B8, a.wrapping_add(len - 1))?;
        Ok(())
    }
    fn write(&self, w: Width, a: u64, v: u64) -> Result<(), Fault> {
        if self.mem.write(w, a, v) {
            Ok(())
        } else {
            Err(Fault(a))
        }
    }

    /// The value of source `src` (st(i) or memory at `a`), with the flags
    /// of the conversion; `None` for an empty register.
    fn source(&mut self, src: u32, i: u32, a: u64) -> Result<Option<u128>, Fault> {
        Ok(Some(match src {
            SRC_ST => {
                if self.empty(i) {
                    return Ok(None);
                }
                self.get(i)
            }
            SRC_F32 => {
                let v = self.read(Width::B32, a)?;
                if v & 0x7f80_0000 == 0 && v & 0x7f_ffff != 0 {
                    self.denormal_src = true;
                }
                widen::<Single>(u128::from(v), 32)
            }
            SRC_F64 => {
                let v = self.read(Width::B64, a)?;
                if v & 0x7ff0_0000_0000_0000 == 0 && v << 12 != 0 {
                    self.denormal_src = true;
                }
                widen::<Double>(u128::from(v), 64)
            }
            SRC_F80 => {
                let lo = self.read(Width::B64, a)?;
                let hi = self.read(Width::B16, a.wrapping_add(8))?;
                bits([lo, hi])
            }
            SRC_I16 => int(self.read(Width::B16, a)? as i16 as i128),
            SRC_I32 => int(self.read(Width::B32, a)? as i32 as i128),
            _ => int(self.read(Width::B64, a)? as i64 as i128),
        }))
    }
}

/// A single or double (bits `v`, `width` bits) as an 80-bit value: exact;
/// NaNs keep their payload (made quiet by the caller's rules).
fn widen<T: Float + FloatConvert<F>>(v: u128, width: u32) -> u128 {
    let x = T::from_bits(v);
    if x.is_nan() {
        let sign = v >> (width - 1) & 1;
        let frac_bits = if width == 32 { 23 } else { 52 };
        let frac = v & ((1 << frac_bits) - 1);
        return sign << 79 | 0x7fff << 64 | 1 << 63 | frac << (63 - frac_bits);
    }
    let r: StatusAnd<F> = x.convert(&mut false);
    r.value.to_bits()
}

fn int(v: i128) -> u128 {
    F::from_i128(v).value.to_bits()
}

/// Runs x87 operation `code` with operand `arg` (see `Backend::x87`).
pub fn run(cpu: &mut Cpu, mem: &GuestMem<'_>, code: u32, arg: u64) -> Result<u64, Fault> {
    let mut u = Unit {
        cpu,
        mem,
        denormal_src: false,
    };
    let op = code & OP_MASK;
    let i = code >> STI_SHIFT & 7;
    let src = code >> SRC_SHIFT & 15;
    let pop = code & POP != 0;
    match op {
        LOAD => {
            let v = u.source(src, i, arg)?;
            let Some(mut v) = v else {
                u.underflow();
                u.push(INDEFINITE);
                return Ok(0);
            };
            if matches!(src, SRC_F32 | SRC_F64) {
                if is_snan(v) {
                    u.raise(IE);
                    v = quiet(v);
                }
                let raw = if src == SRC_F32 {
                    u.mem.read(Width::B32, arg).unwrap_or(0) & 0x7f80_0000 == 0
                } else {
                    u.mem.read(Width::B64, arg).unwrap_or(0) & 0x7ff0_0000_0000_0000 == 0
                };
                if raw && !F::from_bits(v).is_zero() {
                    u.raise(DE);
                }
            }
            u.cc(0);
            u.push(v);
        }
        CONST => {
            const K: [u128; 7] = [
                0,
                0x3fff_8000_0000_0000_0000,
                0x4000_c90f_daa2_2168_c235,
                0x3fff_b8aa_3b29_5c17_f0bc,
                0x4000_d49a_784b_cd1b_8afe,
                0x3ffd_9a20_9a84_fbcf_f799,
                0x3ffe_b172_17f7_d1cf_79ac,
            ];
            // The rounded constants: the stored ones are rounded to
            // nearest; rounding down or toward zero gives one less for
            // those whose next bits are above half (pi, l2e, lg2, ln2).
            let mut v = K[i as usize];
            let down = matches!(u.round(), Round::TowardNegative | Round::TowardZero);
            let up = u.round() == Round::TowardPositive;
            match i {
                2 | 3 | 5 | 6 if down => v -= 1,
                4 if up => v += 1,
                _ => {}
            }
            u.cc(0);
            u.push(v);
        }
        STORE | STORE_TRUNC => store(&mut u, op, src, i, arg, pop)?,
        ADD | MUL | SUB | SUBR | DIV | DIVR => {
            let to = code & TO_STI != 0;
            let b = u.source(src, i, arg)?;
            let a0 = if u.empty(0) { None } else { Some(u.get(0)) };
            let dst = if to { i } else { 0 };
            let (x, y) = match (to, a0, b) {
                (false, Some(a), Some(b)) => (a, b),
                (true, Some(a), Some(b)) => (b, a),
                _ => {
                    u.underflow();
                    u.set(dst, INDEFINITE);
                    if pop {
                        u.pop();
                    }
                    return Ok(0);
                }
            };
            let (x, y) = if matches!(op, SUBR | DIVR) {
                (y, x)
            } else {
                (x, y)
            };
            let r = arith(&mut u, op, x, y);
            u.set(dst, r);
            if pop {
                u.pop();
            }
        }
        COM | UCOM | COMI | UCOMI | TST => {
            let b = if op == TST {
                Some(0)
            } else {
                u.source(src, i, arg)?
            };
            let a = if u.empty(0) { None } else { Some(u.get(0)) };
            let ord = match (a, b) {
                (Some(a), Some(b)) => {
                    let signal = matches!(op, COM | COMI | TST);
                    if is_snan(a) || is_snan(b) || signal && (is_nan(a) || is_nan(b)) {
                        u.raise(IE);
                    } else if (is_denormal(a) || is_denormal(b) || u.denormal_src)
                        && !is_nan(a)
                        && !is_nan(b)
                    {
                        u.raise(DE);
                    }
                    F::from_bits(a).partial_cmp(&F::from_bits(b))
                }
                _ => {
                    u.raise(IE | SF);
                    None
                }
            };
            let (c, w) = match ord {
                None => (C3 | C2 | C0, 0x45),
                Some(core::cmp::Ordering::Less) => (C0, 0x01),
                Some(core::cmp::Ordering::Equal) => (C3, 0x40),
                Some(core::cmp::Ordering::Greater) => (0, 0),
            };
            if matches!(op, COMI | UCOMI) {
                u.cc(u.cpu.fpu_sw & C2 & 0);
            } else {
                u.cc(c);
            }
            if pop {
                u.pop();
            }
            if code & POP2 != 0 {
                u.pop();
                u.pop();
            }
            return Ok(if matches!(op, COMI | UCOMI) { w } else { 0 });
        }
        XAM => {
            let v = u.get(0);
            let sign = if v >> 79 & 1 != 0 { C1 } else { 0 };
            let e = (v >> 64) & 0x7fff;
            let m = v as u64;
            let c = if u.empty(0) {
                C3 | C0
            } else if e == 0x7fff {
                if m == 1 << 63 {
                    C2 | C0
                } else if m >> 63 == 1 {
                    C0
                } else {
                    0
                }
            } else if e == 0 {
                if m == 0 {
                    C3
                } else {
                    C3 | C2
                }
            } else if m >> 63 == 1 {
                C2
            } else {
                0
            };
            u.cc(c | sign);
        }
        CHS | ABS | SQRT | RNDINT | F2XM1 | SIN | COS => {
            if u.empty(0) {
                u.underflow();
                u.set(0, INDEFINITE);
                return Ok(0);
            }
            let v = u.get(0);
            let r = match op {
                CHS => {
                    u.cc(0);
                    v ^ 1 << 79
                }
                ABS => {
                    u.cc(0);
                    v & !(1 << 79)
                }
                _ => unary(&mut u, op, v),
            };
            u.set(0, r);
        }
        SCALE | PREM | PREM1 | YL2X | YL2XP1 | PATAN => {
            if u.empty(0) || u.empty(1) {
                u.underflow();
                u.set(0, INDEFINITE);
                if matches!(op, YL2X | YL2XP1 | PATAN) {
                    u.pop();
                    u.set(0, INDEFINITE);
                }
                return Ok(0);
            }
            let (a, b) = (u.get(0), u.get(1));
            match op {
                SCALE => {
                    let r = scale(&mut u, a, b);
                    u.set(0, r);
                }
                PREM | PREM1 => {
                    let r = prem(&mut u, a, b, op == PREM1);
                    u.set(0, r);
                }
                _ => {
                    let r = binary_transcendental(&mut u, op, a, b);
                    u.pop();
                    u.set(0, r);
                }
            }
        }
        XTRACT | PTAN | SINCOS => {
            if u.empty(0) {
                u.underflow();
                u.set(0, INDEFINITE);
                u.push(INDEFINITE);
                return Ok(0);
            }
            let v = u.get(0);
            let (first, second) = match op {
                XTRACT => xtract(&mut u, v),
                PTAN => (unary(&mut u, PTAN, v), 0x3fff_8000_0000_0000_0000),
                _ => (unary(&mut u, SIN, v), unary(&mut u, COS, v)),
            };
            u.set(0, first);
            u.push(second);
        }
        XCH => {
            let (a, b) = (u.get(0), u.get(i));
            let (ea, eb) = (u.empty(0), u.empty(i));
            if ea || eb {
                u.underflow();
            } else {
                u.cc(0);
            }
            let a = if ea { INDEFINITE } else { a };
            let b = if eb { INDEFINITE } else { b };
            u.set(0, b);
            u.set(i, a);
        }
        FREE => {
            let p = u.phys(i);
            u.cpu.fpu_empty |= 1 << p;
            if pop {
                u.pop();
            }
        }
        INCSTP => {
            u.cpu.fpu_top = (u.cpu.fpu_top + 1) & 7;
            u.cc(u.cpu.fpu_sw & (C0 | C2 | C3));
        }
        DECSTP => {
            u.cpu.fpu_top = (u.cpu.fpu_top + 7) & 7;
            u.cc(u.cpu.fpu_sw & (C0 | C2 | C3));
        }
        INIT => {
            u.cpu.fpu_cw = 0x37f;
            u.cpu.fpu_sw = 0;
            u.cpu.fpu_top = 0;
            u.cpu.fpu_empty = 0xff;
        }
        CLEX => u.cpu.fpu_sw &= !(0xff | B),
        STSW => return Ok(u.cpu.fpu_sw | u.cpu.fpu_top << 11),
        STCW => return Ok(u.cpu.fpu_cw),
        LDCW => {
            u.cpu.fpu_cw = arg & 0x1f7f | 0x40;
            u.raise(0);
            if u.cpu.fpu_sw & !u.cpu.fpu_cw & 0x3f == 0 {
                u.cpu.fpu_sw &= !(ES | B);
            }
        }
        STENV | SAVE => {
            u.check(arg, if op == SAVE { 108 } else { 28 })?;
            store_env(&u, arg)?;
            if op == SAVE {
                for j in 0..8 {
                    let v = u.get(j);
                    let a = arg + 28 + 10 * u64::from(j);
                    u.write(Width::B64, a, v as u64)?;
                    u.write(Width::B16, a + 8, (v >> 64) as u64)?;
                }
                u.cpu.fpu_cw = 0x37f;
                u.cpu.fpu_sw = 0;
                u.cpu.fpu_top = 0;
                u.cpu.fpu_empty = 0xff;
            } else {
                u.cpu.fpu_cw |= 0x3f;
            }
        }
        LDENV | RSTOR => {
            let cw = u.read(Width::B16, arg)?;
            let sw = u.read(Width::B16, arg + 4)?;
            let tw = u.read(Width::B16, arg + 8)?;
            let mut regs = [0u128; 8];
            if op == RSTOR {
                for (j, r) in regs.iter_mut().enumerate() {
                    let a = arg + 28 + 10 * j as u64;
                    *r = bits([u.read(Width::B64, a)?, u.read(Width::B16, a + 8)?]);
                }
            }
            u.cpu.fpu_cw = cw;
            u.cpu.fpu_top = sw >> 11 & 7;
            u.cpu.fpu_sw = sw & !(7 << 11);
            u.cpu.fpu_empty = (0..8)
                .filter(|p| tw >> (2 * p) & 3 == 3)
                .map(|p| 1 << p)
                .sum();
            if op == RSTOR {
                for (j, r) in regs.iter().enumerate() {
                    let p = u.phys(j as u32);
                    u.cpu.st[p] = unbits(*r);
                }
            }
        }
        FXSAVE => {
            u.check(arg, 512)?;
            let sw = u.cpu.fpu_sw | u.cpu.fpu_top << 11;
            u.write(Width::B16, arg, u.cpu.fpu_cw)?;
            u.write(Width::B16, arg + 2, sw)?;
            u.write(Width::B8, arg + 4, !u.cpu.fpu_empty & 0xff)?;
            u.write(Width::B8, arg + 5, 0)?;
            u.write(Width::B16, arg + 6, 0)?;
            u.write(Width::B64, arg + 8, 0)?;
            u.write(Width::B64, arg + 16, 0)?;
            u.write(Width::B32, arg + 24, mxcsr(u.cpu))?;
            u.write(Width::B32, arg + 28, 0xffff)?;
            for j in 0..8 {
                let v = u.get(j);
                let a = arg + 32 + 16 * u64::from(j);
                u.write(Width::B64, a, v as u64)?;
                u.write(Width::B64, a + 8, (v >> 64) as u64 & 0xffff)?;
            }
            for n in 0..32 {
                u.write(Width::B64, arg + 160 + 8 * n as u64, u.cpu.f[n])?;
            }
        }
        FXRSTOR => {
            u.check(arg, 512)?;
            let cw = u.read(Width::B16, arg)?;
            let sw = u.read(Width::B16, arg + 2)?;
            let tw = u.read(Width::B8, arg + 4)?;
            let m = u.read(Width::B32, arg + 24)?;
            let mut regs = [0u128; 8];
            for (j, r) in regs.iter_mut().enumerate() {
                let a = arg + 32 + 16 * j as u64;
                *r = bits([u.read(Width::B64, a)?, u.read(Width::B16, a + 8)?]);
            }
            let mut f = [0u64; 32];
            for (n, v) in f.iter_mut().enumerate() {
                *v = u.read(Width::B64, arg + 160 + 8 * n as u64)?;
            }
            u.cpu.fpu_cw = cw;
            u.cpu.fpu_top = sw >> 11 & 7;
            u.cpu.fpu_sw = sw & !(7 << 11);
            u.cpu.fpu_empty = !tw & 0xff;
            for (j, r) in regs.iter().enumerate() {
                let p = u.phys(j as u32);
                u.cpu.st[p] = unbits(*r);
            }
            u.cpu.f[..32].copy_from_slice(&f);
            set_mxcsr(u.cpu, m);
        }
        CMOV => {
            if u.empty(i) || u.empty(0) {
                u.underflow();
                u.set(0, INDEFINITE);
            } else if arg != 0 {
                let v = u.get(i);
                u.set(0, v);
            }
        }
        _ => {}
    }
    Ok(0)
}

/// MXCSR exception flags (bit) and their accrued-flag bit.
const MXCSR_FLAGS: [(u32, u32); 6] = [(0, 4), (1, 5), (2, 3), (3, 2), (4, 1), (5, 0)];

fn mxcsr(cpu: &Cpu) -> u64 {
    MXCSR_FLAGS
        .iter()
        .filter(|(_, f)| cpu.fflags >> f & 1 != 0)
        .fold(cpu.frm, |m, (b, _)| m | 1 << b)
}

fn set_mxcsr(cpu: &mut Cpu, m: u64) {
    cpu.frm = m & 0xffc0;
    cpu.fflags = MXCSR_FLAGS
        .iter()
        .filter(|(b, _)| m >> b & 1 != 0)
        .fold(0, |f, (_, x)| f | 1 << x);
}

/// The full tag word: 00 valid, 01 zero, 10 special, 11 empty.
fn tag_word(u: &Unit<'_, '_>) -> u64 {
    (0..8)
        .map(|p| {
            let t = if u.cpu.fpu_empty >> p & 1 != 0 {
                3
            } else {
                let v = bits(u.cpu.st[p]);
                let e = (v >> 64) & 0x7fff;
                let m = v as u64;
                if e == 0 && m == 0 {
                    1
                } else if e == 0 || e == 0x7fff || m >> 63 == 0 {
                    2
                } else {
                    0
                }
            };
            t << (2 * p)
        })
        .sum()
}

fn store_env(u: &Unit<'_, '_>, a: u64) -> Result<(), Fault> {
    let sw = u.cpu.fpu_sw | u.cpu.fpu_top << 11;
    u.write(Width::B32, a, 0xffff_0000 | u.cpu.fpu_cw)?;
    u.write(Width::B32, a + 4, 0xffff_0000 | sw)?;
    u.write(Width::B32, a + 8, 0xffff_0000 | tag_word(u))?;
    for k in 3..7 {
        u.write(Width::B32, a + 4 * k, 0)?;
    }
    Ok(())
}

/// Status bits of an apfloat status.
fn status_bits(s: Status) -> u64 {
    let mut f = 0;
    for (st, b) in [
        (Status::INVALID_OP, IE),
        (Status::DIV_BY_ZERO, ZE),
        (Status::OVERFLOW, OE),
        (Status::UNDERFLOW, UE),
        (Status::INEXACT, PE),
    ] {
        if s.contains(st) {
            f |= b;
        }
    }
    f
}

/// The NaN result of an operation on `x` and `y` of which one is a NaN.
fn nan_result(u: &mut Unit<'_, '_>, x: u128, y: u128) -> u128 {
    if is_snan(x) || is_snan(y) {
        u.raise(IE);
    }
    let r = match (is_nan(x), is_nan(y)) {
        (true, true) if is_snan(x) != is_snan(y) => {
            if is_snan(x) {
                y
            } else {
                x
            }
        }
        (true, true) => {
            let (mx, my) = (x as u64 | 1 << 62, y as u64 | 1 << 62);
            if mx > my || mx == my && (x >> 79) == 0 {
                x
            } else {
                y
            }
        }
        (true, false) => x,
        _ => y,
    };
    u.cc(0);
    quiet(r)
}

/// Finishes a rounded result: flags, C1 (rounded up), precision control.
/// `exact_zero` computes the operation again rounded by another mode.
fn finish(
    u: &mut Unit<'_, '_>,
    r: StatusAnd<F>,
    precision: bool,
    exact_zero: impl Fn(Round) -> F,
) -> u128 {
    let pc = u.cpu.fpu_cw >> 8 & 3;
    if precision && pc != 3 && !r.value.is_nan() {
        // Rounded to 24 or 53 bits in one step, with the full exponent
        // range: from the result truncated to 64 bits and whether that
        // was exact (the bits it drops are below the rounding position).
        let mut t = exact_zero(Round::TowardZero);
        if t.is_zero() && t.is_negative() != r.value.is_negative() {
            t = -t;
        }
        if t.is_finite() && (!t.is_zero() || r.status.contains(Status::INEXACT)) {
            let sticky = r.status.contains(Status::INEXACT);
            let keep = if pc == 2 { 53 } else { 24 };
            let base = status_bits(r.status);
            if let Some((v, flags, up)) = round_to(t.to_bits(), keep, u.round(), sticky, base) {
                u.raise(flags);
                u.cc(if up { C1 } else { 0 });
                return v;
            }
        }
    }
    let flags = status_bits(r.status);
    let v = r.value;
    if v.is_nan() {
        u.raise(flags);
        u.cc(0);
        return INDEFINITE;
    }
    let mut c = 0;
    if flags & PE != 0 {
        let t = exact_zero(Round::TowardZero);
        if v.abs() > t.abs() {
            c = C1;
        }
    }
    u.raise(flags);
    u.cc(c);
    v.to_bits()
}

/// The 80-bit value `t` (a result truncated toward zero; `sticky` if that
/// dropped nonzero bits) rounded to `keep` significant bits by `r`, with the
/// exponent range of the 80-bit format: the value, the exception flags
/// (`base`'s IE/ZE kept) and whether the magnitude was rounded up.
fn round_to(t: u128, keep: u32, r: Round, sticky: bool, base: u64) -> Option<(u128, u64, bool)> {
    let sig = t as u64;
    let mut e = (t >> 64) as u64 & 0x7fff;
    let neg = t >> 79 & 1 != 0;
    // Denormals keep the rounding position of the smallest exponent.
    let drop = 64 - keep;
    let rest = sig & ((1u64 << drop) - 1);
    let inexact = rest != 0 || sticky;
    let mut flags = base & (IE | ZE);
    let overflowed = base & OE != 0;
    let up = inexact
        && match r {
            Round::NearestTiesToEven => {
                let half = 1u64 << (drop - 1);
                rest > half || rest == half && (sticky || sig >> drop & 1 == 1)
            }
            Round::TowardZero => false,
            Round::TowardPositive => !neg,
            Round::TowardNegative => neg,
            _ => false,
        };
    let mut s = sig >> drop << drop;
    if up {
        let (n, carry) = s.overflowing_add(1u64 << drop);
        s = n;
        if carry {
            s = 1 << 63;
            e += 1;
        } else if e == 0 && s >> 63 == 1 {
            // A denormal rounded up to the smallest normal.
            e = 1;
        }
    }
    let tiny = (t >> 64) as u64 & 0x7fff == 0;
    if inexact {
        flags |= PE;
        if tiny {
            flags |= UE;
        }
    }
    let sign = u128::from(neg) << 79;
    if overflowed || e >= 0x7fff {
        flags |= OE | PE;
        let to_inf = match r {
            Round::NearestTiesToEven => true,
            Round::TowardPositive => !neg,
            Round::TowardNegative => neg,
            _ => false,
        };
        return Some(if to_inf {
            (sign | 0x7fff << 64 | 1 << 63, flags, true)
        } else {
            let max = !0u64 << (64 - keep);
            (sign | 0x7ffe << 64 | u128::from(max), flags, false)
        });
    }
    Some((sign | u128::from(e) << 64 | u128::from(s), flags, up))
}

fn arith(u: &mut Unit<'_, '_>, op: u32, x: u128, y: u128) -> u128 {
    if is_nan(x) || is_nan(y) {
        return nan_result(u, x, y);
    }
    let (a, b) = (F::from_bits(x), F::from_bits(y));
    let rm = u.round();
    let f = |r: Round| match op {
        ADD => a.add_r(b, r),
        SUB | SUBR => a.sub_r(b, r),
        MUL => a.mul_r(b, r),
        _ => a.div_r(b, r),
    };
    let mut r = f(rm);
    // apfloat does not flag an overflow that the mode rounds to the largest
    // finite value: with the operands halved (exactly, but for bits far
    // below a result this large) the result is rounded with an unbounded
    // exponent.
    if r.status.contains(Status::INEXACT) && a.is_finite() && b.is_finite() {
        let half = |v: F| v.scalbn(-1);
        let h = match op {
            ADD => half(a).add_r(half(b), rm),
            SUB | SUBR => half(a).sub_r(half(b), rm),
            MUL => half(a).mul_r(b, rm),
            _ => half(a).div_r(b, rm),
        };
        let big = F::from_bits(0x7ffe_u128 << 64 | 1 << 63);
        if h.value.is_finite() && h.value.abs() >= big || h.value.is_infinite() {
            r.status |= Status::OVERFLOW;
        }
    }
    if !r.status.contains(Status::INVALID_OP)
        && !r.status.contains(Status::DIV_BY_ZERO)
        && (is_denormal(x) || is_denormal(y) || u.denormal_src)
    {
        u.raise(DE);
    }
    finish(u, r, true, |r| f(r).value)
}

fn unary(u: &mut Unit<'_, '_>, op: u32, v: u128) -> u128 {
    if is_nan(v) {
        return nan_result(u, v, v);
    }
    let a = F::from_bits(v);
    let rm = u.round();
    if is_denormal(v) {
        u.raise(DE);
    }
    match op {
        SQRT => {
            if a.is_zero() {
                u.cc(0);
                return v;
            }
            if a.is_negative() {
                u.raise(IE);
                u.cc(0);
                return INDEFINITE;
            }
            if a.is_infinite() {
                u.cc(0);
                return v;
            }
            let r = sqrt(a, rm);
            finish(u, r, true, |r| sqrt(a, r).value)
        }
        RNDINT => {
            let r = a.round_to_integral(rm);
            finish(u, r, false, |_| {
                a.round_to_integral(Round::TowardZero).value
            })
        }
        _ => {
            // Transcendentals in double precision (not bit-exact).
            let x = to_f64(a);
            let r = match op {
                F2XM1 => x.exp2() - 1.0,
                SIN => x.sin(),
                COS => x.cos(),
                _ => x.tan(),
            };
            if matches!(op, SIN | COS | PTAN) && a.is_infinite() {
                u.raise(IE);
                return INDEFINITE;
            }
            u.raise(PE);
            u.cc(0);
            from_f64(r)
        }
    }
}

fn to_f64(a: F) -> f64 {
    let d: StatusAnd<Double> = a.convert(&mut false);
    f64::from_bits(d.value.to_bits() as u64)
}

fn from_f64(x: f64) -> u128 {
    widen::<Double>(u128::from(x.to_bits()), 64)
}

fn binary_transcendental(u: &mut Unit<'_, '_>, op: u32, a: u128, b: u128) -> u128 {
    if is_nan(a) || is_nan(b) {
        return nan_result(u, a, b);
    }
    let (x, y) = (to_f64(F::from_bits(a)), to_f64(F::from_bits(b)));
    let r = match op {
        YL2X => y * x.log2(),
        YL2XP1 => y * x.ln_1p() / core::f64::consts::LN_2,
        _ => y.atan2(x),
    };
    u.raise(PE);
    u.cc(0);
    if r.is_nan() {
        u.raise(IE);
        return INDEFINITE;
    }
    from_f64(r)
}

/// Correctly rounded square root of a positive finite `a`.
fn sqrt(a: F, rm: Round) -> StatusAnd<F> {
    let b = a.to_bits();
    let mut e = ((b >> 64) & 0x7fff) as i32 - 16383;
    let mut m = b as u64;
    if (b >> 64) & 0x7fff == 0 {
        e = -16382;
    }
    // Normalise: value = m * 2^(e - 63).
    let lz = m.leading_zeros() as i32;
    m <<= lz;
    e -= lz;
    // value = m * 2^(e-63); make the exponent even.
    let mut ex = e - 63;
    let mut wide = u128::from(m) << 64;
    ex -= 64;
    if ex & 1 != 0 {
        wide >>= 1;
        ex += 1;
    }
    // sqrt(wide * 2^ex) = sqrt(wide) * 2^(ex/2), wide < 2^128.
    let r0 = isqrt(wide);
    let sticky = r0 * r0 != wide;
    // The root is at least r0 + 1/2 iff r0^2 + r0 < wide.
    let half = r0 * r0 + r0 < wide;
    let mut sh = ex / 2;
    let r = r0 << 2 | u128::from(half) << 1 | u128::from(sticky);
    sh -= 2;
    let v = F::from_u128(r).value;
    // `r` has at most 66 bits: convert rounding the right way.
    let x = F::from_u128_r(r, rm);
    let _ = v;
    let scaled = x.value.scalbn(sh);
    let mut s = x.status;
    if sticky {
        s |= Status::INEXACT;
    }
    s.and(scaled)
}

fn isqrt(n: u128) -> u128 {
    if n == 0 {
        return 0;
    }
    let mut x = (n as f64).sqrt() as u128;
    loop {
        while x.checked_mul(x).is_none_or(|v| v > n) {
            x -= 1;
        }
        while (x + 1).checked_mul(x + 1).is_some_and(|v| v <= n) {
            x += 1;
        }
        return x;
    }
}

fn scale(u: &mut Unit<'_, '_>, a: u128, b: u128) -> u128 {
    if is_nan(a) || is_nan(b) {
        return nan_result(u, a, b);
    }
    let (x, y) = (F::from_bits(a), F::from_bits(b));
    let n = y.round_to_integral(Round::TowardZero).value;
    if y.is_infinite() || x.is_infinite() || x.is_zero() {
        if y.is_infinite()
            && (x.is_zero() && !y.is_negative() || x.is_infinite() && y.is_negative())
        {
            u.raise(IE);
            return INDEFINITE;
        }
        u.cc(0);
        if y.is_infinite() && !x.is_zero() && !x.is_infinite() {
            let z = if y.is_negative() {
                F::ZERO
            } else {
                F::INFINITY
            };
            return if x.is_negative() { -z } else { z }.to_bits();
        }
        return a;
    }
    let k = n.to_i128(32).value.clamp(-70000, 70000) as i32;
    if is_denormal(a) || is_denormal(b) {
        u.raise(DE);
    }
    let r = x.scalbn_r(k, u.round());
    let mut e = 0;
    let _ = x.frexp(&mut e);
    let e = e + k;
    let mut c = 0;
    if e > 16384 {
        // Overflow: infinity or the largest finite value, by the mode.
        u.raise(OE | PE);
        if r.is_infinite() {
            c = C1;
        }
    } else if e < -16381 {
        // Tiny: underflow when the result is not exact.
        let back = r.scalbn(-k);
        if back.to_bits() != x.to_bits() {
            u.raise(UE | PE);
            if back.abs() > x.abs() {
                c = C1;
            }
        }
    }
    u.cc(c);
    r.to_bits()
}

fn xtract(u: &mut Unit<'_, '_>, v: u128) -> (u128, u128) {
    if is_nan(v) {
        let q = nan_result(u, v, v);
        return (q, q);
    }
    let a = F::from_bits(v);
    u.cc(0);
    if is_denormal(v) {
        u.raise(DE);
    }
    if a.is_zero() {
        u.raise(ZE);
        let ninf = (-F::INFINITY).to_bits();
        return (ninf, v);
    }
    if a.is_infinite() {
        return ((F::INFINITY).to_bits(), v);
    }
    let mut e = 0;
    let m = a.frexp(&mut e);
    // frexp gives [0.5, 1); x87 gives [1, 2).
    let sig = m.scalbn(1);
    let exp = F::from_i128(i128::from(e - 1)).value;
    (exp.to_bits(), sig.to_bits())
}

/// fprem / fprem1: the (partial) remainder of st(0) by st(1).
fn prem(u: &mut Unit<'_, '_>, a: u128, b: u128, nearest: bool) -> u128 {
    if is_nan(a) || is_nan(b) {
        return nan_result(u, a, b);
    }
    let (x, y) = (F::from_bits(a), F::from_bits(b));
    if x.is_infinite() || y.is_zero() {
        u.raise(IE);
        u.cc(0);
        return INDEFINITE;
    }
    if y.is_infinite() || x.is_zero() {
        u.cc(0);
        return a;
    }
    if is_denormal(a) || is_denormal(b) {
        u.raise(DE);
    }
    let (mut ex, mut ey) = (0, 0);
    let _ = x.frexp(&mut ex);
    let _ = y.frexp(&mut ey);
    let d = ex - ey;
    if d >= 64 {
        // Partial: reduce the exponent difference by 32..63.
        let n = 32 + (d % 32);
        let yb = y.abs().scalbn(d - n);
        let q = (x.abs() / yb)
            .value
            .round_to_integral(Round::TowardZero)
            .value;
        let r = x.abs().c_fmod(yb).value;
        let _ = q;
        let r = if x.is_negative() { -r } else { r };
        u.cc(C2);
        return r.to_bits();
    }
    let r = if nearest {
        x.ieee_rem(y).value
    } else {
        x.c_fmod(y).value
    };
    // The quotient's low bits: (x - r) / y is an exact integer below 2^64.
    let q = ((x - r).value / y).value.abs();
    let q = q.round_to_integral(Round::NearestTiesToEven).value;
    let q = q.to_u128(64).value as u64;
    let mut c = 0;
    if q & 4 != 0 {
        c |= C0;
    }
    if q & 2 != 0 {
        c |= C3;
    }
    if q & 1 != 0 {
        c |= C1;
    }
    u.cc(c);
    if r.is_zero() {
        return (if x.is_negative() { -F::ZERO } else { F::ZERO }).to_bits();
    }
    r.to_bits()
}

fn store(u: &mut Unit<'_, '_>, op: u32, src: u32, i: u32, a: u64, pop: bool) -> Result<(), Fault> {
    let width = match src {
        SRC_ST => 0,
        SRC_F32 | SRC_I32 => 4,
        SRC_F64 | SRC_I64 => 8,
        SRC_F80 => 10,
        _ => 2,
    };
    if width != 0 {
        u.check(a, width)?;
    }
    let empty = u.empty(0);
    let v = if empty { INDEFINITE } else { u.get(0) };
    if empty {
        u.underflow();
    }
    match src {
        SRC_ST => {
            u.set(i, v);
            if !empty {
                u.cc(0);
            }
        }
        SRC_F80 => {
            u.write(Width::B64, a, v as u64)?;
            u.write(Width::B16, a + 8, (v >> 64) as u64)?;
            if !empty {
                u.cc(0);
            }
        }
        SRC_F32 | SRC_F64 => {
            let bitsv = narrow(u, v, src == SRC_F32, empty);
            let w = if src == SRC_F32 {
                Width::B32
            } else {
                Width::B64
            };
            u.write(w, a, bitsv)?;
        }
        _ => {
            let (w, min) = match src {
                SRC_I16 => (Width::B16, -(1i128 << 15)),
                SRC_I32 => (Width::B32, -(1i128 << 31)),
                _ => (Width::B64, -(1i128 << 63)),
            };
            let value = to_int(u, v, op == STORE_TRUNC, min, empty);
            u.write(w, a, value as u64)?;
        }
    }
    if pop {
        u.pop();
    }
    Ok(())
}

/// st(0) (bits `v`) as a single or double, rounded by RC.
fn narrow(u: &mut Unit<'_, '_>, v: u128, single: bool, empty: bool) -> u64 {
    let (frac_bits, exp_all, width) = if single {
        (23, 0xff, 32)
    } else {
        (52, 0x7ff, 64)
    };
    let sign = (v >> 79) as u64 & 1;
    if is_nan(v) || empty {
        if is_snan(v) {
            u.raise(IE);
        }
        if !empty {
            u.cc(0);
        }
        let frac = ((v as u64) << 1 >> (64 - frac_bits)) | 1 << (frac_bits - 1);
        return sign << (width - 1) | exp_all << frac_bits | frac;
    }
    let a = F::from_bits(v);
    let rm = u.round();
    let (r, s) = if single {
        let r: StatusAnd<Single> = a.convert_r(rm, &mut false);
        (r.value.to_bits() as u64, r.status)
    } else {
        let r: StatusAnd<Double> = a.convert_r(rm, &mut false);
        (r.value.to_bits() as u64, r.status)
    };
    let mut c = 0;
    if s.contains(Status::INEXACT) {
        let t = if single {
            let t: StatusAnd<Single> = a.convert_r(Round::TowardZero, &mut false);
            t.value.to_bits() as u64
        } else {
            let t: StatusAnd<Double> = a.convert_r(Round::TowardZero, &mut false);
            t.value.to_bits() as u64
        };
        if r & !(1 << (width - 1)) > t & !(1 << (width - 1)) {
            c = C1;
        }
    }
    u.raise(status_bits(s));
    u.cc(c);
    r
}

/// st(0) as an integer of range [min, -min), rounded by RC or truncated.
fn to_int(u: &mut Unit<'_, '_>, v: u128, trunc: bool, min: i128, empty: bool) -> i128 {
    if empty || is_nan(v) {
        u.raise(IE);
        return min;
    }
    let a = F::from_bits(v);
    let rm = if trunc { Round::TowardZero } else { u.round() };
    let r = a.round_to_integral(rm);
    let ri = r.value;
    if ri.is_infinite() {
        u.raise(IE);
        u.cc(0);
        return min;
    }
    let n = ri.to_i128(128).value;
    if n < min || n >= -min {
        u.raise(IE);
        u.cc(0);
        return min;
    }
    let mut c = 0;
    if r.status.contains(Status::INEXACT) {
        u.raise(PE);
        if ri.abs() > a.abs() {
            c = C1;
        }
    }
    u.cc(c);
    n
}
