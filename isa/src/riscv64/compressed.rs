//! Expansion of RV64C compressed instructions to their 32-bit equivalents.

use super::op::{Alu, COp, Op};
use super::Inst;
use crate::{Cond, Fmt, Width};

/// How an immediate is scattered over a compressed encoding: each entry
/// moves `len` bits from encoding bit `from` to immediate bit `to`.
type Scatter = &'static [(u32, u32, u32)];

/// `c.addi4spn`: nzuimm[5:4|9:6|2|3] in bits [12:11|10:7|6|5].
const CIW: Scatter = &[(11, 2, 4), (7, 4, 6), (6, 1, 2), (5, 1, 3)];
/// `c.lw`/`c.sw`: uimm[5:3] in [12:10], uimm[2|6] in [6|5].
const CL_W: Scatter = &[(10, 3, 3), (6, 1, 2), (5, 1, 6)];
/// `c.ld`/`c.sd`/`c.fld`/`c.fsd`: uimm[5:3] in [12:10], uimm[7:6] in [6:5].
const CL_D: Scatter = &[(10, 3, 3), (5, 2, 6)];
/// CI: imm[5] in 12, imm[4:0] in [6:2] (sign-extended from 6 bits).
const CI: Scatter = &[(2, 5, 0), (12, 1, 5)];
/// `c.addi16sp`: nzimm[9] in 12, nzimm[4|6|8:7|5] in [6:2].
const ADDI16SP: Scatter = &[(12, 1, 9), (6, 1, 4), (5, 1, 6), (3, 2, 7), (2, 1, 5)];
/// `c.j`: offset[11|4|9:8|10|6|7|3:1|5] in [12:2].
const CJ: Scatter = &[
    (12, 1, 11),
    (11, 1, 4),
    (9, 2, 8),
    (8, 1, 10),
    (7, 1, 6),
    (6, 1, 7),
    (3, 3, 1),
    (2, 1, 5),
];
/// `c.beqz`/`c.bnez`: offset[8|4:3] in [12:10], offset[7:6|2:1|5] in [6:2].
const CB: Scatter = &[(12, 1, 8), (10, 2, 3), (5, 2, 6), (3, 2, 1), (2, 1, 5)];
/// `c.lwsp`: uimm[5] in 12, uimm[4:2|7:6] in [6:2].
const LWSP: Scatter = &[(12, 1, 5), (4, 3, 2), (2, 2, 6)];
/// `c.ldsp`/`c.fldsp`: uimm[5] in 12, uimm[4:3|8:6] in [6:2].
const LDSP: Scatter = &[(12, 1, 5), (5, 2, 3), (2, 3, 6)];
/// `c.swsp`: uimm[5:2|7:6] in [12:7].
const SWSP: Scatter = &[(9, 4, 2), (7, 2, 6)];
/// `c.sdsp`/`c.fsdsp`: uimm[5:3|8:6] in [12:7].
const SDSP: Scatter = &[(10, 3, 3), (7, 3, 6)];

/// Gather an unsigned immediate.
fn gather(h: u16, scatter: Scatter) -> i32 {
    scatter
        .iter()
        .map(|&(from, len, to)| ((h as u32 >> from) & ((1 << len) - 1)) << to)
        .fold(0, |a, b| a | b) as i32
}

/// Gather an immediate and sign-extend it from `bits` bits.
fn gather_signed(h: u16, scatter: Scatter, bits: u32) -> i32 {
    let shift = 32 - bits;
    gather(h, scatter) << shift >> shift
}

/// A non-zero immediate, as the encodings that reserve zero require.
fn nonzero(imm: i32) -> Option<i32> {
    (imm != 0).then_some(imm)
}

/// Mark an expanded instruction as compressed form `c`.
fn compressed(c: COp, inst: Inst) -> Inst {
    Inst { len: 2, c, ..inst }
}

/// Expand the compressed instruction `h`; reserved encodings are illegal.
pub(crate) fn expand(h: u16) -> Inst {
    match (h & 3, h >> 13) {
        (0, f3) => quadrant0(h, f3),
        (1, f3) => quadrant1(h, f3),
        (_, f3) => quadrant2(h, f3),
    }
    .map(|(c, inst)| compressed(c, inst))
    .unwrap_or(Inst::illegal(h as u32, 2))
}

/// Register field in bits [11:7].
fn rd(h: u16) -> u8 {
    (h >> 7 & 31) as u8
}

/// Register field in bits [6:2].
fn rs2(h: u16) -> u8 {
    (h >> 2 & 31) as u8
}

/// Three-bit register field (x8..x15) in bits [9:7].
fn rs1p(h: u16) -> u8 {
    8 + (h >> 7 & 7) as u8
}

/// Three-bit register field (x8..x15) in bits [4:2].
fn rs2p(h: u16) -> u8 {
    8 + (h >> 2 & 7) as u8
}

/// `6`-bit shift amount of `c.slli`/`c.srli`/`c.srai`.
fn shamt(h: u16) -> i32 {
    gather(h, CI)
}

fn quadrant0(h: u16, f3: u16) -> Option<(COp, Inst)> {
    let (base, rp) = (rs1p(h), rs2p(h));
    let load = |op, scatter| Inst::new(op, rp, base, 0, gather(h, scatter));
    let store = |op, scatter| Inst::new(op, 0, base, rp, gather(h, scatter));
    Some(match f3 {
        0 => {
            let imm = nonzero(gather(h, CIW))?;
            (
                COp::Addi4spn,
                Inst::new(Op::AluImm(Alu::Add), rp, 2, 0, imm),
            )
        }
        1 => (COp::Fld, load(Op::FLoad(Fmt::D), CL_D)),
        2 => (COp::Lw, load(Op::Load(Width::B32, true), CL_W)),
        3 => (COp::Ld, load(Op::Load(Width::B64, true), CL_D)),
        5 => (COp::Fsd, store(Op::FStore(Fmt::D), CL_D)),
        6 => (COp::Sw, store(Op::Store(Width::B32), CL_W)),
        7 => (COp::Sd, store(Op::Store(Width::B64), CL_D)),
        _ => return None,
    })
}

fn quadrant1(h: u16, f3: u16) -> Option<(COp, Inst)> {
    let (r, imm) = (rd(h), gather_signed(h, CI, 6));
    Some(match f3 {
        0 => (COp::Addi, Inst::new(Op::AluImm(Alu::Add), r, r, 0, imm)),
        1 if r != 0 => (COp::Addiw, Inst::new(Op::AluImmW(Alu::Add), r, r, 0, imm)),
        2 => (COp::Li, Inst::new(Op::AluImm(Alu::Add), r, 0, 0, imm)),
        3 if r == 2 => {
            let imm = nonzero(gather_signed(h, ADDI16SP, 10))?;
            (COp::Addi16sp, Inst::new(Op::AluImm(Alu::Add), 2, 2, 0, imm))
        }
        3 => (COp::Lui, Inst::new(Op::Lui, r, 0, 0, nonzero(imm)? << 12)),
        4 => misc_alu(h)?,
        5 => (
            COp::J,
            Inst::new(Op::Jal, 0, 0, 0, gather_signed(h, CJ, 12)),
        ),
        6 => (
            COp::Beqz,
            Inst::new(Op::Branch(Cond::Eq), 0, rs1p(h), 0, gather_signed(h, CB, 9)),
        ),
        7 => (
            COp::Bnez,
            Inst::new(Op::Branch(Cond::Ne), 0, rs1p(h), 0, gather_signed(h, CB, 9)),
        ),
        _ => return None,
    })
}

/// The register-register operations of `c.sub`..`c.addw`, by bits [12|6:5].
const ARITH: [Option<(COp, Op)>; 8] = [
    Some((COp::Sub, Op::AluReg(Alu::Sub))),
    Some((COp::Xor, Op::AluReg(Alu::Xor))),
    Some((COp::Or, Op::AluReg(Alu::Or))),
    Some((COp::And, Op::AluReg(Alu::And))),
    Some((COp::Subw, Op::AluRegW(Alu::Sub))),
    Some((COp::Addw, Op::AluRegW(Alu::Add))),
    None,
    None,
];

/// Quadrant 1, funct3 100: shifts, `c.andi` and register arithmetic on x8..x15.
fn misc_alu(h: u16) -> Option<(COp, Inst)> {
    let r = rs1p(h);
    let imm = |c, op, imm| Some((c, Inst::new(op, r, r, 0, imm)));
    match h >> 10 & 3 {
        0 => imm(COp::Srli, Op::AluImm(Alu::Srl), shamt(h)),
        1 => imm(COp::Srai, Op::AluImm(Alu::Sra), shamt(h)),
        2 => imm(COp::Andi, Op::AluImm(Alu::And), gather_signed(h, CI, 6)),
        _ => {
            let (c, op) = ARITH[((h >> 10 & 4) | (h >> 5 & 3)) as usize]?;
            Some((c, Inst::new(op, r, r, rs2p(h), 0)))
        }
    }
}

fn quadrant2(h: u16, f3: u16) -> Option<(COp, Inst)> {
    let (r, src) = (rd(h), rs2(h));
    let load = |op, scatter| Inst::new(op, r, 2, 0, gather(h, scatter));
    let store = |op, scatter| Inst::new(op, 0, 2, src, gather(h, scatter));
    Some(match f3 {
        0 => (
            COp::Slli,
            Inst::new(Op::AluImm(Alu::Sll), r, r, 0, shamt(h)),
        ),
        1 => (COp::Fldsp, load(Op::FLoad(Fmt::D), LDSP)),
        2 if r != 0 => (COp::Lwsp, load(Op::Load(Width::B32, true), LWSP)),
        3 if r != 0 => (COp::Ldsp, load(Op::Load(Width::B64, true), LDSP)),
        4 => jump_move_add(h)?,
        5 => (COp::Fsdsp, store(Op::FStore(Fmt::D), SDSP)),
        6 => (COp::Swsp, store(Op::Store(Width::B32), SWSP)),
        7 => (COp::Sdsp, store(Op::Store(Width::B64), SDSP)),
        _ => return None,
    })
}

/// Quadrant 2, funct3 100: `c.jr`, `c.mv`, `c.ebreak`, `c.jalr`, `c.add`.
fn jump_move_add(h: u16) -> Option<(COp, Inst)> {
    let (r, src, bit12) = (rd(h), rs2(h), h >> 12 & 1 == 1);
    Some(match (bit12, r, src) {
        (false, 0, 0) => return None,
        (false, _, 0) => (COp::Jr, Inst::new(Op::Jalr, 0, r, 0, 0)),
        (false, _, _) => (COp::Mv, Inst::new(Op::AluReg(Alu::Add), r, 0, src, 0)),
        (true, 0, 0) => (COp::Ebreak, Inst::new(Op::Ebreak, 0, 0, 0, 0)),
        (true, _, 0) => (COp::Jalr, Inst::new(Op::Jalr, 1, r, 0, 0)),
        (true, _, _) => (COp::Add, Inst::new(Op::AluReg(Alu::Add), r, r, src, 0)),
    })
}
