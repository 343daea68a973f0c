//! Disassembly: readable assembly for messages, and the exact text of
//! `objdump -d -M no-aliases,numeric` for cross-checking the decoder.

use std::fmt;

use super::csr;
use super::op::{arity, has_rm, int_result, Alu, COp, CsrOp, Op, Sgnj};
use super::Inst;
use crate::{Cond, Fmt, FpOp, IntTy, Width};

/// How a disassembly names registers and lays out operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// ABI register names (`a0`, `fa0`), operands separated by `", "`.
    Abi,
    /// The text of `objdump -d -M no-aliases,numeric` (GNU binutils):
    /// `x10`, `f10`, a tab after the mnemonic, operands separated by `","`.
    Objdump,
}

/// An instruction ready to print; see [`Inst::disasm`].
#[derive(Clone, Copy, Debug)]
pub struct Disasm<'a> {
    inst: &'a Inst,
    pc: Option<u64>,
    syntax: Syntax,
}

impl Inst {
    /// The disassembly of this instruction in `syntax`. Given its address
    /// `pc`, branch and jump targets are printed as absolute addresses,
    /// otherwise relative to the instruction (`.+8`).
    pub fn disasm(&self, pc: Option<u64>, syntax: Syntax) -> Disasm<'_> {
        Disasm {
            inst: self,
            pc,
            syntax,
        }
    }
}

impl fmt::Display for Inst {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.disasm(None, Syntax::Abi).fmt(f)
    }
}

/// One operand of an instruction.
#[derive(Clone, Copy)]
enum Operand {
    X(u8),
    F(u8),
    /// A decimal immediate.
    Imm(i64),
    /// An immediate printed in hexadecimal (shift amounts, upper immediates).
    Hex(u64),
    /// `offset(base)`.
    Mem(i32, u8),
    /// `(base)` of an atomic.
    Addr(u8),
    /// A pc-relative target.
    Target(i32),
    Csr(i32),
    Rm(u8),
    /// A fence's predecessor or successor set.
    Fence(u8),
}

const X_ABI: [&str; 32] = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4",
    "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
    "t5", "t6",
];

const F_ABI: [&str; 32] = [
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2",
    "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9",
    "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
];

const RM_NAMES: [&str; 8] = [
    "rne", "rtz", "rdn", "rup", "rmm", "unknown", "unknown", "dyn",
];

impl fmt::Display for Disasm<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (mnemonic, operands) = describe(self.inst);
        f.write_str(&mnemonic)?;
        let (first, sep) = match self.syntax {
            Syntax::Abi => (" ", ", "),
            Syntax::Objdump => ("\t", ","),
        };
        for (i, op) in operands.iter().enumerate() {
            f.write_str(if i == 0 { first } else { sep })?;
            self.operand(f, *op)?;
        }
        Ok(())
    }
}

impl Disasm<'_> {
    fn operand(&self, f: &mut fmt::Formatter<'_>, op: Operand) -> fmt::Result {
        match op {
            Operand::X(r) => self.xreg(f, r),
            Operand::F(r) => match self.syntax {
                Syntax::Abi => f.write_str(F_ABI[r as usize & 31]),
                Syntax::Objdump => write!(f, "f{r}"),
            },
            Operand::Imm(v) => write!(f, "{v}"),
            Operand::Hex(v) => write!(f, "{v:#x}"),
            Operand::Mem(offset, base) => {
                write!(f, "{offset}(")?;
                self.xreg(f, base)?;
                f.write_str(")")
            }
            Operand::Addr(base) => {
                f.write_str("(")?;
                self.xreg(f, base)?;
                f.write_str(")")
            }
            Operand::Target(offset) => match self.pc {
                Some(pc) => write!(f, "{:#x}", pc.wrapping_add(offset as i64 as u64)),
                None => write!(f, ".{offset:+}"),
            },
            Operand::Csr(num) => match csr::name(num) {
                Some(name) => f.write_str(name),
                None => write!(f, "{num:#x}"),
            },
            Operand::Rm(rm) => f.write_str(RM_NAMES[rm as usize & 7]),
            Operand::Fence(0) if self.syntax == Syntax::Objdump => f.write_str("unknown"),
            Operand::Fence(0) => f.write_str("0"),
            Operand::Fence(set) => {
                for (bit, c) in [(8, 'i'), (4, 'o'), (2, 'r'), (1, 'w')] {
                    if set & bit != 0 {
                        write!(f, "{c}")?;
                    }
                }
                Ok(())
            }
        }
    }

    fn xreg(&self, f: &mut fmt::Formatter<'_>, r: u8) -> fmt::Result {
        match self.syntax {
            Syntax::Abi => f.write_str(X_ABI[r as usize & 31]),
            Syntax::Objdump => write!(f, "x{r}"),
        }
    }
}

/// The mnemonic and operands of `inst`.
fn describe(inst: &Inst) -> (String, Vec<Operand>) {
    if inst.c != COp::None {
        return describe_compressed(inst);
    }
    (mnemonic(inst), operands(inst))
}

fn width_letter(w: Width) -> char {
    match w {
        Width::B8 => 'b',
        Width::B16 => 'h',
        Width::B32 => 'w',
        Width::B64 => 'd',
    }
}

fn fmt_letter(fmt: Fmt) -> char {
    match fmt {
        Fmt::S => 's',
        Fmt::D => 'd',
    }
}

fn int_name(t: IntTy) -> &'static str {
    match t {
        IntTy::I32 => "w",
        IntTy::U32 => "wu",
        IntTy::I64 => "l",
        IntTy::U64 => "lu",
    }
}

/// The `.aq`/`.rl`/`.aqrl` suffix of an atomic.
fn ordering(aqrl: u8) -> &'static str {
    ["", ".rl", ".aq", ".aqrl"][aqrl as usize & 3]
}

/// Whether `csrrw x0, cycle, x0`: the canonical `unimp`.
fn is_unimp(inst: &Inst) -> bool {
    inst.op == Op::Csr(CsrOp::Rw, false) && inst.rd == 0 && inst.rs1 == 0 && inst.imm == 0xc00
}

fn mnemonic(inst: &Inst) -> String {
    match inst.op {
        Op::Illegal if inst.len == 2 && inst.imm == 0 => "c.unimp".into(),
        Op::Illegal => format!(".{}byte", inst.len),
        Op::Csr(..) if is_unimp(inst) => "unimp".into(),
        Op::Lui => "lui".into(),
        Op::Auipc => "auipc".into(),
        Op::Jal => "jal".into(),
        Op::Jalr => "jalr".into(),
        Op::Branch(c) => branch_name(c).into(),
        Op::Load(w, signed) => {
            let unsigned = if !signed && w != Width::B64 { "u" } else { "" };
            format!("l{}{unsigned}", width_letter(w))
        }
        Op::Store(w) => format!("s{}", width_letter(w)),
        Op::AluImm(Alu::Sltu) => "sltiu".into(),
        Op::AluImm(a) => format!("{}i", a.name()),
        Op::AluImmW(a) => format!("{}iw", a.name()),
        Op::AluReg(a) => a.name().into(),
        Op::AluRegW(a) => format!("{}w", a.name()),
        Op::Fence => "fence".into(),
        Op::FenceTso => "fence.tso".into(),
        Op::FenceI => "fence.i".into(),
        Op::Ecall => "ecall".into(),
        Op::Ebreak => "ebreak".into(),
        Op::Lr(w) => format!("lr.{}{}", width_letter(w), ordering(inst.rm)),
        Op::Sc(w) => format!("sc.{}{}", width_letter(w), ordering(inst.rm)),
        Op::Amo(a, w) => format!("{}.{}{}", a.name(), width_letter(w), ordering(inst.rm)),
        Op::Csr(op, imm) => {
            let base = match op {
                CsrOp::Rw => "csrrw",
                CsrOp::Rs => "csrrs",
                CsrOp::Rc => "csrrc",
            };
            format!("{base}{}", if imm { "i" } else { "" })
        }
        Op::FLoad(fmt) => format!("fl{}", width_letter(fp_width(fmt))),
        Op::FStore(fmt) => format!("fs{}", width_letter(fp_width(fmt))),
        Op::Fp(op, fmt) => fp_name(op, fmt),
        Op::FSgnj(s, fmt) => {
            let kind = match s {
                Sgnj::Copy => "",
                Sgnj::Neg => "n",
                Sgnj::Xor => "x",
            };
            format!("fsgnj{kind}.{}", fmt_letter(fmt))
        }
        Op::FMvToX(fmt) => format!("fmv.x.{}", width_letter(fp_width(fmt))),
        Op::FMvFromX(fmt) => format!("fmv.{}.x", width_letter(fp_width(fmt))),
    }
}

fn branch_name(c: Cond) -> &'static str {
    match c {
        Cond::Eq => "beq",
        Cond::Ne => "bne",
        Cond::LtS => "blt",
        Cond::GeS => "bge",
        Cond::LtU => "bltu",
        Cond::GeU => "bgeu",
    }
}

fn fp_width(fmt: Fmt) -> Width {
    match fmt {
        Fmt::S => Width::B32,
        Fmt::D => Width::B64,
    }
}

fn fp_name(op: FpOp, fmt: Fmt) -> String {
    let t = fmt_letter(fmt);
    let base = match op {
        FpOp::Add => "fadd",
        FpOp::Sub => "fsub",
        FpOp::Mul => "fmul",
        FpOp::Div => "fdiv",
        FpOp::Sqrt => "fsqrt",
        FpOp::Min => "fmin",
        FpOp::Max => "fmax",
        FpOp::MulAdd => "fmadd",
        FpOp::MulSub => "fmsub",
        FpOp::NegMulAdd => "fnmsub",
        FpOp::NegMulSub => "fnmadd",
        FpOp::Eq => "feq",
        FpOp::Lt => "flt",
        FpOp::Le => "fle",
        FpOp::Class => "fclass",
        FpOp::ToInt(i) => return format!("fcvt.{}.{t}", int_name(i)),
        FpOp::FromInt(i) => return format!("fcvt.{t}.{}", int_name(i)),
        FpOp::Convert => {
            let from = if fmt == Fmt::S { 'd' } else { 's' };
            return format!("fcvt.{t}.{from}");
        }
    };
    format!("{base}.{t}")
}

/// Whether an operation is exact, so that its rounding mode does not
/// matter (binutils then prints it only when not the default).
fn is_exact(op: FpOp, fmt: Fmt) -> bool {
    fmt == Fmt::D && matches!(op, FpOp::Convert | FpOp::FromInt(IntTy::I32 | IntTy::U32))
}

fn operands(inst: &Inst) -> Vec<Operand> {
    use Operand::*;
    let (rd, rs1, rs2, imm) = (inst.rd, inst.rs1, inst.rs2, inst.imm);
    match inst.op {
        Op::Illegal if inst.len == 2 && inst.imm == 0 => vec![],
        Op::Illegal => vec![Hex(inst.imm as u32 as u64)],
        Op::FenceTso | Op::FenceI | Op::Ecall | Op::Ebreak => vec![],
        Op::Csr(..) if is_unimp(inst) => vec![],
        Op::Lui | Op::Auipc => vec![X(rd), Hex((imm as u32 >> 12) as u64)],
        Op::Jal => vec![X(rd), Target(imm)],
        Op::Jalr | Op::Load(..) => vec![X(rd), Mem(imm, rs1)],
        Op::Branch(_) => vec![X(rs1), X(rs2), Target(imm)],
        Op::Store(_) => vec![X(rs2), Mem(imm, rs1)],
        Op::FLoad(_) => vec![F(rd), Mem(imm, rs1)],
        Op::FStore(_) => vec![F(rs2), Mem(imm, rs1)],
        Op::AluImm(a) | Op::AluImmW(a) if a.is_shift() => vec![X(rd), X(rs1), Hex(imm as u64)],
        Op::AluImm(_) | Op::AluImmW(_) => vec![X(rd), X(rs1), Imm(imm as i64)],
        Op::AluReg(_) | Op::AluRegW(_) => vec![X(rd), X(rs1), X(rs2)],
        Op::Fence => vec![Fence((imm >> 4) as u8 & 15), Fence(imm as u8 & 15)],
        Op::Lr(_) => vec![X(rd), Addr(rs1)],
        Op::Sc(_) | Op::Amo(..) => vec![X(rd), X(rs2), Addr(rs1)],
        Op::Csr(_, true) => vec![X(rd), Csr(imm), Imm(rs1 as i64)],
        Op::Csr(_, false) => vec![X(rd), Csr(imm), X(rs1)],
        Op::Fp(op, fmt) => fp_operands(inst, op, fmt),
        Op::FSgnj(..) => vec![F(rd), F(rs1), F(rs2)],
        Op::FMvToX(_) => vec![X(rd), F(rs1)],
        Op::FMvFromX(_) => vec![F(rd), X(rs1)],
    }
}

fn fp_operands(inst: &Inst, op: FpOp, fmt: Fmt) -> Vec<Operand> {
    use Operand::*;
    let mut ops = vec![if int_result(op) {
        X(inst.rd)
    } else {
        F(inst.rd)
    }];
    ops.push(if matches!(op, FpOp::FromInt(_)) {
        X(inst.rs1)
    } else {
        F(inst.rs1)
    });
    ops.extend([F(inst.rs2), F(inst.rs3)].into_iter().take(arity(op) - 1));
    let default_rm = if is_exact(op, fmt) {
        inst.rm == 0 || inst.rm == 7
    } else {
        inst.rm == 7
    };
    if has_rm(op) && !default_rm {
        ops.push(Rm(inst.rm));
    }
    ops
}

/// How a compressed instruction's operands are written.
enum Shape {
    /// As the 32-bit instruction it expands to.
    Expanded,
    /// `rd, imm`.
    RdImm,
    /// `rd, shamt` (`rd` alone, with a `64` mnemonic suffix, for shamt 0).
    RdShift,
    /// `rd, rs2`.
    RdRs2,
    /// `target`.
    Jump,
    /// `rs1, target`.
    BranchZero,
    /// `rs1`.
    Rs1,
    None,
}

fn compressed_form(c: COp) -> (&'static str, Shape) {
    use Shape::*;
    match c {
        COp::None => ("", Expanded),
        COp::Addi4spn => ("addi4spn", Expanded),
        COp::Fld => ("fld", Expanded),
        COp::Lw => ("lw", Expanded),
        COp::Ld => ("ld", Expanded),
        COp::Fsd => ("fsd", Expanded),
        COp::Sw => ("sw", Expanded),
        COp::Sd => ("sd", Expanded),
        COp::Fldsp => ("fldsp", Expanded),
        COp::Lwsp => ("lwsp", Expanded),
        COp::Ldsp => ("ldsp", Expanded),
        COp::Fsdsp => ("fsdsp", Expanded),
        COp::Swsp => ("swsp", Expanded),
        COp::Sdsp => ("sdsp", Expanded),
        COp::Lui => ("lui", Expanded),
        COp::Addi => ("addi", RdImm),
        COp::Addiw => ("addiw", RdImm),
        COp::Li => ("li", RdImm),
        COp::Addi16sp => ("addi16sp", RdImm),
        COp::Andi => ("andi", RdImm),
        COp::Slli => ("slli", RdShift),
        COp::Srli => ("srli", RdShift),
        COp::Srai => ("srai", RdShift),
        COp::Sub => ("sub", RdRs2),
        COp::Xor => ("xor", RdRs2),
        COp::Or => ("or", RdRs2),
        COp::And => ("and", RdRs2),
        COp::Subw => ("subw", RdRs2),
        COp::Addw => ("addw", RdRs2),
        COp::Add => ("add", RdRs2),
        COp::Mv => ("mv", RdRs2),
        COp::J => ("j", Jump),
        COp::Beqz => ("beqz", BranchZero),
        COp::Bnez => ("bnez", BranchZero),
        COp::Jr => ("jr", Rs1),
        COp::Jalr => ("jalr", Rs1),
        COp::Ebreak => ("ebreak", None),
    }
}

fn describe_compressed(inst: &Inst) -> (String, Vec<Operand>) {
    use Operand::*;
    let (name, shape) = compressed_form(inst.c);
    let operands = match shape {
        Shape::Expanded => operands(inst),
        Shape::RdImm => vec![X(inst.rd), Imm(inst.imm as i64)],
        Shape::RdShift if inst.imm == 0 => return (format!("c.{name}64"), vec![X(inst.rd)]),
        Shape::RdShift => vec![X(inst.rd), Hex(inst.imm as u64)],
        Shape::RdRs2 => vec![X(inst.rd), X(inst.rs2)],
        Shape::Jump => vec![Target(inst.imm)],
        Shape::BranchZero => vec![X(inst.rs1), Target(inst.imm)],
        Shape::Rs1 => vec![X(inst.rs1)],
        Shape::None => vec![],
    };
    (format!("c.{name}"), operands)
}
