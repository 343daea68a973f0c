//! Decoding of 32-bit instructions.

use super::op::{Alu, Amo, CsrOp, Op, Sgnj};
use super::Inst;
use crate::{Cond, Fmt, FpOp, IntTy, Width};

/// Rounding-mode field value that selects the dynamic mode (`frm`).
pub(crate) const RM_DYN: u8 = 7;

/// Field accessors of a 32-bit encoding.
#[derive(Clone, Copy)]
struct Fields(u32);

impl Fields {
    fn rd(self) -> u8 {
        (self.0 >> 7 & 31) as u8
    }
    fn funct3(self) -> u32 {
        self.0 >> 12 & 7
    }
    fn rs1(self) -> u8 {
        (self.0 >> 15 & 31) as u8
    }
    fn rs2(self) -> u8 {
        (self.0 >> 20 & 31) as u8
    }
    fn rs3(self) -> u8 {
        (self.0 >> 27) as u8
    }
    fn funct7(self) -> u32 {
        self.0 >> 25
    }
    fn imm_i(self) -> i32 {
        self.0 as i32 >> 20
    }
    fn imm_s(self) -> i32 {
        (self.0 as i32 >> 25 << 5) | (self.0 >> 7 & 31) as i32
    }
    fn imm_b(self) -> i32 {
        let x = self.0;
        (x as i32 >> 31 << 12)
            | ((x >> 7 & 1) << 11) as i32
            | ((x >> 25 & 0x3f) << 5) as i32
            | ((x >> 8 & 0xf) << 1) as i32
    }
    fn imm_u(self) -> i32 {
        (self.0 & 0xffff_f000) as i32
    }
    fn imm_j(self) -> i32 {
        let x = self.0;
        (x as i32 >> 31 << 20)
            | (x & 0xff000) as i32
            | ((x >> 20 & 1) << 11) as i32
            | ((x >> 21 & 0x3ff) << 1) as i32
    }
    /// A static rounding mode or the dynamic one; 5 and 6 are reserved.
    fn rm(self) -> Option<u8> {
        let rm = self.funct3() as u8;
        (rm != 5 && rm != 6).then_some(rm)
    }
    /// An R-type instruction with the register fields of the encoding.
    fn r(self, op: Op) -> Inst {
        Inst::new(op, self.rd(), self.rs1(), self.rs2(), 0)
    }
    /// An I-type instruction.
    fn i(self, op: Op) -> Inst {
        Inst::new(op, self.rd(), self.rs1(), 0, self.imm_i())
    }
    /// An S-type instruction.
    fn s(self, op: Op) -> Inst {
        Inst::new(op, 0, self.rs1(), self.rs2(), self.imm_s())
    }
}

/// Decode a 32-bit instruction (the low two bits are `11`).
pub(crate) fn decode32(raw: u32) -> Inst {
    let f = Fields(raw);
    let inst = match raw & 0x7f {
        0x03 => load(f),
        0x07 => fp_width(f).map(|fmt| f.i(Op::FLoad(fmt))),
        0x0f => misc_mem(f),
        0x13 => op_imm(f),
        0x17 => Some(Inst::new(Op::Auipc, f.rd(), 0, 0, f.imm_u())),
        0x1b => op_imm_32(f),
        0x23 => store(f),
        0x27 => fp_width(f).map(|fmt| f.s(Op::FStore(fmt))),
        0x2f => amo(f),
        0x33 => op_reg(f, false),
        0x37 => Some(Inst::new(Op::Lui, f.rd(), 0, 0, f.imm_u())),
        0x3b => op_reg(f, true),
        0x43 => fused(f, FpOp::MulAdd),
        0x47 => fused(f, FpOp::MulSub),
        0x4b => fused(f, FpOp::NegMulAdd),
        0x4f => fused(f, FpOp::NegMulSub),
        0x53 => op_fp(f),
        0x63 => branch(f),
        0x67 => (f.funct3() == 0).then(|| f.i(Op::Jalr)),
        0x6f => Some(Inst::new(Op::Jal, f.rd(), 0, 0, f.imm_j())),
        0x73 => system(f),
        _ => None,
    };
    inst.unwrap_or(Inst::illegal(raw, 4))
}

fn load(f: Fields) -> Option<Inst> {
    let (w, signed) = match f.funct3() {
        0 => (Width::B8, true),
        1 => (Width::B16, true),
        2 => (Width::B32, true),
        3 => (Width::B64, true),
        4 => (Width::B8, false),
        5 => (Width::B16, false),
        6 => (Width::B32, false),
        _ => return None,
    };
    Some(f.i(Op::Load(w, signed)))
}

fn store(f: Fields) -> Option<Inst> {
    let w = match f.funct3() {
        0 => Width::B8,
        1 => Width::B16,
        2 => Width::B32,
        3 => Width::B64,
        _ => return None,
    };
    Some(f.s(Op::Store(w)))
}

/// The format of `flw`/`fld`/`fsw`/`fsd` (other widths are vector accesses).
fn fp_width(f: Fields) -> Option<Fmt> {
    match f.funct3() {
        2 => Some(Fmt::S),
        3 => Some(Fmt::D),
        _ => None,
    }
}

fn misc_mem(f: Fields) -> Option<Inst> {
    let pred_succ = (f.0 >> 20 & 0xff) as i32;
    match f.funct3() {
        0 if f.0 >> 28 == 0b1000 && pred_succ == 0x33 => Some(Inst::new(Op::FenceTso, 0, 0, 0, 0)),
        // Reserved fence fields are to be ignored: every other form is a fence.
        0 => Some(Inst::new(Op::Fence, f.rd(), f.rs1(), 0, pred_succ)),
        1 => Some(f.i(Op::FenceI)),
        _ => None,
    }
}

/// The ALU operations of `OP-IMM` that take a 12-bit immediate, by funct3.
const IMM_OPS: [Option<Alu>; 8] = [
    Some(Alu::Add),
    None,
    Some(Alu::Slt),
    Some(Alu::Sltu),
    Some(Alu::Xor),
    None,
    Some(Alu::Or),
    Some(Alu::And),
];

fn op_imm(f: Fields) -> Option<Inst> {
    let shamt = (f.0 >> 20 & 63) as i32;
    let shift = |a| Some(Inst::new(Op::AluImm(a), f.rd(), f.rs1(), 0, shamt));
    match (f.funct3(), f.0 >> 26) {
        (1, 0) => shift(Alu::Sll),
        (5, 0) => shift(Alu::Srl),
        (5, 0x10) => shift(Alu::Sra),
        (f3, _) => IMM_OPS[f3 as usize].map(|a| f.i(Op::AluImm(a))),
    }
}

fn op_imm_32(f: Fields) -> Option<Inst> {
    let shamt = (f.0 >> 20 & 31) as i32;
    let shift = |a| Some(Inst::new(Op::AluImmW(a), f.rd(), f.rs1(), 0, shamt));
    match (f.funct3(), f.funct7()) {
        (0, _) => Some(f.i(Op::AluImmW(Alu::Add))),
        (1, 0) => shift(Alu::Sll),
        (5, 0) => shift(Alu::Srl),
        (5, 0x20) => shift(Alu::Sra),
        _ => None,
    }
}

/// `OP` and `OP-32` (`word`): register-register ALU operations.
fn op_reg(f: Fields, word: bool) -> Option<Inst> {
    use Alu::*;
    let a = match (f.funct7(), f.funct3()) {
        (0, 0) => Add,
        (0x20, 0) => Sub,
        (0, 1) => Sll,
        (0, 5) => Srl,
        (0x20, 5) => Sra,
        (1, 0) => Mul,
        (1, 4) => Div,
        (1, 5) => Divu,
        (1, 6) => Rem,
        (1, 7) => Remu,
        _ if word => return None,
        (0, 2) => Slt,
        (0, 3) => Sltu,
        (0, 4) => Xor,
        (0, 6) => Or,
        (0, 7) => And,
        (1, 1) => Mulh,
        (1, 2) => Mulhsu,
        (1, 3) => Mulhu,
        _ => return None,
    };
    Some(f.r(if word { Op::AluRegW(a) } else { Op::AluReg(a) }))
}

fn branch(f: Fields) -> Option<Inst> {
    let cond = match f.funct3() {
        0 => Cond::Eq,
        1 => Cond::Ne,
        4 => Cond::LtS,
        5 => Cond::GeS,
        6 => Cond::LtU,
        7 => Cond::GeU,
        _ => return None,
    };
    Some(Inst::new(Op::Branch(cond), 0, f.rs1(), f.rs2(), f.imm_b()))
}

fn amo(f: Fields) -> Option<Inst> {
    let w = match f.funct3() {
        2 => Width::B32,
        3 => Width::B64,
        _ => return None,
    };
    let op = match f.0 >> 27 {
        0b00010 if f.rs2() == 0 => Op::Lr(w),
        0b00011 => Op::Sc(w),
        0b00001 => Op::Amo(Amo::Swap, w),
        0b00000 => Op::Amo(Amo::Add, w),
        0b00100 => Op::Amo(Amo::Xor, w),
        0b01100 => Op::Amo(Amo::And, w),
        0b01000 => Op::Amo(Amo::Or, w),
        0b10000 => Op::Amo(Amo::Min, w),
        0b10100 => Op::Amo(Amo::Max, w),
        0b11000 => Op::Amo(Amo::Minu, w),
        0b11100 => Op::Amo(Amo::Maxu, w),
        _ => return None,
    };
    Some(Inst {
        rm: (f.0 >> 25 & 3) as u8,
        ..f.r(op)
    })
}

fn system(f: Fields) -> Option<Inst> {
    let csr = (f.0 >> 20) as i32;
    let op = match f.funct3() {
        0 => {
            return match f.0 {
                0x0000_0073 => Some(Inst::new(Op::Ecall, 0, 0, 0, 0)),
                0x0010_0073 => Some(Inst::new(Op::Ebreak, 0, 0, 0, 0)),
                _ => None,
            };
        }
        1 | 5 => CsrOp::Rw,
        2 | 6 => CsrOp::Rs,
        3 | 7 => CsrOp::Rc,
        _ => return None,
    };
    Some(Inst::new(
        Op::Csr(op, f.funct3() >= 5),
        f.rd(),
        f.rs1(),
        0,
        csr,
    ))
}

/// The format in the two-bit `fmt` field: only S and D are supported.
fn fmt(bits: u32) -> Option<Fmt> {
    match bits {
        0 => Some(Fmt::S),
        1 => Some(Fmt::D),
        _ => None,
    }
}

/// An instruction that takes a rounding-mode field.
fn with_rm(f: Fields, op: Op) -> Option<Inst> {
    Some(Inst {
        rm: f.rm()?,
        ..f.r(op)
    })
}

fn fused(f: Fields, op: FpOp) -> Option<Inst> {
    let fmt = fmt(f.funct7() & 3)?;
    Some(Inst {
        rs3: f.rs3(),
        ..with_rm(f, Op::Fp(op, fmt))?
    })
}

/// The integer type selected by the rs2 field of `fcvt`.
fn int_ty(rs2: u8) -> Option<IntTy> {
    match rs2 {
        0 => Some(IntTy::I32),
        1 => Some(IntTy::U32),
        2 => Some(IntTy::I64),
        3 => Some(IntTy::U64),
        _ => None,
    }
}

fn op_fp(f: Fields) -> Option<Inst> {
    let fmt = fmt(f.funct7() & 3)?;
    let fp = |op| Op::Fp(op, fmt);
    let (f3, rs2) = (f.funct3(), f.rs2());
    match f.funct7() >> 2 {
        0x00 => with_rm(f, fp(FpOp::Add)),
        0x01 => with_rm(f, fp(FpOp::Sub)),
        0x02 => with_rm(f, fp(FpOp::Mul)),
        0x03 => with_rm(f, fp(FpOp::Div)),
        0x0b if rs2 == 0 => with_rm(f, fp(FpOp::Sqrt)),
        0x04 => {
            let s = [Sgnj::Copy, Sgnj::Neg, Sgnj::Xor].get(f3 as usize)?;
            Some(f.r(Op::FSgnj(*s, fmt)))
        }
        0x05 => [FpOp::Min, FpOp::Max]
            .get(f3 as usize)
            .map(|&op| f.r(fp(op))),
        // fcvt.s.d (rs2 = 1, D) and fcvt.d.s (rs2 = 0, S): the source format.
        0x08 if rs2 == (fmt == Fmt::S) as u8 => with_rm(f, fp(FpOp::Convert)),
        0x14 => [FpOp::Le, FpOp::Lt, FpOp::Eq]
            .get(f3 as usize)
            .map(|&op| f.r(fp(op))),
        0x18 => with_rm(f, fp(FpOp::ToInt(int_ty(rs2)?))),
        0x1a => with_rm(f, fp(FpOp::FromInt(int_ty(rs2)?))),
        0x1c if rs2 == 0 && f3 == 0 => Some(f.r(Op::FMvToX(fmt))),
        0x1c if rs2 == 0 && f3 == 1 => Some(f.r(fp(FpOp::Class))),
        0x1e if rs2 == 0 && f3 == 0 => Some(f.r(Op::FMvFromX(fmt))),
        _ => None,
    }
}
