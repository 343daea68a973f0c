//! The compact operation enum a decoded instruction carries.
//!
//! Instructions that share one meaning up to a parameter (all loads, all
//! register-register ALU operations, all floating-point operations that go
//! through [`Backend::fp`](crate::Backend::fp), ...) share one variant, so the
//! semantics and the disassembler are written once per family.

use crate::{Cond, Fmt, FpOp, Width};

/// Integer ALU operations of the register, immediate and word (`*w`) forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Alu {
    Add,
    Sub,
    Sll,
    Slt,
    Sltu,
    Xor,
    Srl,
    Sra,
    Or,
    And,
    Mul,
    Mulh,
    Mulhsu,
    Mulhu,
    Div,
    Divu,
    Rem,
    Remu,
}

impl Alu {
    /// The register-form mnemonic (`add`, `sltu`, `remu`, ...).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Alu::Add => "add",
            Alu::Sub => "sub",
            Alu::Sll => "sll",
            Alu::Slt => "slt",
            Alu::Sltu => "sltu",
            Alu::Xor => "xor",
            Alu::Srl => "srl",
            Alu::Sra => "sra",
            Alu::Or => "or",
            Alu::And => "and",
            Alu::Mul => "mul",
            Alu::Mulh => "mulh",
            Alu::Mulhsu => "mulhsu",
            Alu::Mulhu => "mulhu",
            Alu::Div => "div",
            Alu::Divu => "divu",
            Alu::Rem => "rem",
            Alu::Remu => "remu",
        }
    }

    /// Whether the second operand is a shift amount.
    pub(crate) fn is_shift(self) -> bool {
        matches!(self, Alu::Sll | Alu::Srl | Alu::Sra)
    }
}

/// Read-modify-write operations of the A extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Amo {
    Swap,
    Add,
    Xor,
    And,
    Or,
    Min,
    Max,
    Minu,
    Maxu,
}

impl Amo {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Amo::Swap => "amoswap",
            Amo::Add => "amoadd",
            Amo::Xor => "amoxor",
            Amo::And => "amoand",
            Amo::Or => "amoor",
            Amo::Min => "amomin",
            Amo::Max => "amomax",
            Amo::Minu => "amominu",
            Amo::Maxu => "amomaxu",
        }
    }
}

/// Zicsr operations; the immediate forms are `Op::Csr(_, true)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CsrOp {
    /// Read and write.
    Rw,
    /// Read and set bits.
    Rs,
    /// Read and clear bits.
    Rc,
}

/// Sign-injection flavours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sgnj {
    /// Sign of the second operand.
    Copy,
    /// Negated sign of the second operand.
    Neg,
    /// Xor of both signs.
    Xor,
}

/// The operation of a decoded instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    /// Unknown or reserved encoding; `Inst::imm` holds the raw bits.
    Illegal,
    Lui,
    Auipc,
    Jal,
    Jalr,
    Branch(Cond),
    /// Integer load of the width; `true` sign-extends.
    Load(Width, bool),
    Store(Width),
    AluImm(Alu),
    AluImmW(Alu),
    AluReg(Alu),
    AluRegW(Alu),
    /// `fence`; `Inst::imm` holds pred << 4 | succ.
    Fence,
    FenceTso,
    FenceI,
    Ecall,
    Ebreak,
    /// Load-reserved of the width (B32 or B64).
    Lr(Width),
    /// Store-conditional of the width.
    Sc(Width),
    Amo(Amo, Width),
    /// CSR access; `true` for the immediate (`csrr?i`) forms. The CSR number
    /// is in `Inst::imm`.
    Csr(CsrOp, bool),
    FLoad(Fmt),
    FStore(Fmt),
    /// Every operation that [`Backend::fp`](crate::Backend::fp) computes.
    Fp(FpOp, Fmt),
    FSgnj(Sgnj, Fmt),
    /// `fmv.x.w` / `fmv.x.d`.
    FMvToX(Fmt),
    /// `fmv.w.x` / `fmv.d.x`.
    FMvFromX(Fmt),
}

/// The compressed instruction an [`Inst`](super::Inst) was expanded from;
/// only the disassembler looks at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum COp {
    /// A 32-bit instruction.
    None,
    Addi4spn,
    Fld,
    Lw,
    Ld,
    Fsd,
    Sw,
    Sd,
    Addi,
    Addiw,
    Li,
    Addi16sp,
    Lui,
    Srli,
    Srai,
    Andi,
    Sub,
    Xor,
    Or,
    And,
    Subw,
    Addw,
    J,
    Beqz,
    Bnez,
    Slli,
    Fldsp,
    Lwsp,
    Ldsp,
    Jr,
    Mv,
    Ebreak,
    Jalr,
    Add,
    Fsdsp,
    Swsp,
    Sdsp,
}

/// Whether `op` has a rounding-mode field (the others use it as funct3).
pub(crate) fn has_rm(op: FpOp) -> bool {
    !matches!(
        op,
        FpOp::Min | FpOp::Max | FpOp::Eq | FpOp::Lt | FpOp::Le | FpOp::Class
    )
}

/// Whether `op` produces an integer (written to an x register).
pub(crate) fn int_result(op: FpOp) -> bool {
    matches!(
        op,
        FpOp::Eq | FpOp::Lt | FpOp::Le | FpOp::Class | FpOp::ToInt(_)
    )
}

/// The number of operands of `op`.
pub(crate) fn arity(op: FpOp) -> usize {
    match op {
        FpOp::Sqrt | FpOp::Class | FpOp::ToInt(_) | FpOp::FromInt(_) | FpOp::Convert => 1,
        FpOp::MulAdd | FpOp::MulSub | FpOp::NegMulAdd | FpOp::NegMulSub => 3,
        _ => 2,
    }
}
