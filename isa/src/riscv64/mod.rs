//! RV64GC (RV64IMAFDC + Zicsr + Zifencei): decoding and semantics.
//!
//! [`decode`] turns the bytes at a guest pc into a small [`Inst`];
//! compressed instructions are expanded to the 32-bit instruction they stand
//! for, so [`execute`] defines every meaning once. Unknown or reserved
//! encodings decode to an instruction that traps with
//! [`Trap::IllegalInstruction`](crate::Trap::IllegalInstruction).

mod compressed;
mod csr;
mod decode;
mod disasm;
mod op;
mod semantics;
#[cfg(test)]
mod tests;

pub use crate::Cpu;
pub use crate::Targets;
pub use disasm::{Disasm, Syntax};
pub use semantics::execute;

use op::{Alu, COp, Op};

/// One decoded instruction (compressed forms are expanded to their 32-bit
/// equivalents). Unknown encodings decode to an instruction whose semantics
/// is `trap(IllegalInstruction)`.
///
/// `Display` prints readable assembly with ABI register names; see
/// [`Inst::disasm`] for other forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inst {
    /// Length in bytes: 2 (compressed) or 4.
    pub len: u8,
    op: Op,
    rd: u8,
    rs1: u8,
    rs2: u8,
    rs3: u8,
    /// Rounding-mode field (floating point) or the aq/rl bits (atomics).
    rm: u8,
    /// The compressed form this instruction was expanded from.
    c: COp,
    /// Immediate (sign-extended), CSR number, fence bits, or for
    /// `Op::Illegal` the raw encoding.
    imm: i32,
}

impl Inst {
    /// A 32-bit instruction with the common fields.
    const fn new(op: Op, rd: u8, rs1: u8, rs2: u8, imm: i32) -> Inst {
        Inst {
            len: 4,
            op,
            rd,
            rs1,
            rs2,
            rs3: 0,
            rm: 0,
            c: COp::None,
            imm,
        }
    }

    /// The illegal instruction of `len` bytes whose encoding is `raw`.
    const fn illegal(raw: u32, len: u8) -> Inst {
        Inst {
            len,
            ..Inst::new(Op::Illegal, 0, 0, 0, raw as i32)
        }
    }

    /// Whether this is an unknown or reserved encoding.
    pub fn is_illegal(&self) -> bool {
        self.op == Op::Illegal
    }
}

/// Decode the instruction whose first 32 bits (little-endian) are `parcel`;
/// for a compressed instruction only the low 16 bits matter.
pub fn decode(parcel: u32) -> Inst {
    if parcel & 3 == 3 {
        decode::decode32(parcel)
    } else {
        compressed::expand(parcel as u16)
    }
}

/// Whether `inst` ends a basic block: it transfers control, makes a system
/// call, synchronises the instruction stream or traps.
pub fn ends_block(inst: &Inst) -> bool {
    match inst.op {
        Op::Jal | Op::Jalr | Op::Branch(_) | Op::Ecall | Op::Ebreak | Op::FenceI | Op::Illegal => {
            true
        }
        Op::Csr(..) => !csr::is_legal(inst),
        _ => false,
    }
}

/// The successors of `inst` at `pc` that code discovery can follow.
/// Computed jumps and returns have neither; traps have none.
pub fn direct_targets(inst: &Inst, pc: u64) -> Targets {
    let next = Some(pc.wrapping_add(inst.len as u64));
    let target = Some(pc.wrapping_add(inst.imm as i64 as u64));
    match inst.op {
        Op::Branch(_) => Targets {
            target,
            fallthrough: next,
        },
        Op::Jal => Targets {
            target,
            fallthrough: next.filter(|_| is_call(inst)),
        },
        Op::Jalr => Targets {
            target: None,
            fallthrough: next.filter(|_| is_call(inst)),
        },
        Op::Ebreak | Op::Illegal => Targets::default(),
        Op::Csr(..) if !csr::is_legal(inst) => Targets::default(),
        _ => Targets {
            target: None,
            fallthrough: next,
        },
    }
}

/// Whether `inst` is a call: `jal`/`jalr` linking into `ra` or `t0`.
pub fn is_call(inst: &Inst) -> bool {
    matches!(inst.op, Op::Jal | Op::Jalr) && is_link(inst.rd)
}

/// Whether `inst` is a return: `jalr x0, 0(ra)` or `jalr x0, 0(t0)`.
pub fn is_return(inst: &Inst) -> bool {
    matches!(inst.op, Op::Jalr) && inst.rd == 0 && is_link(inst.rs1) && inst.imm == 0
}

/// Whether `inst` is a computed jump: `jalr` that neither links nor returns
/// (a jump table, a computed `goto`, a tail call through a pointer).
pub fn is_computed_jump(inst: &Inst) -> bool {
    matches!(inst.op, Op::Jalr) && inst.rd == 0 && !is_return(inst)
}

/// The address that `first` at `pc` and `second` right after it put in a
/// register: `lui`/`auipc` then `addi` of the same register (how code forms
/// the address of a jump table, for example), as (register, address).
pub fn address_constant(first: &Inst, pc: u64, second: &Inst) -> Option<(u8, u64)> {
    let upper = match first.op {
        Op::Lui => first.imm as i64 as u64,
        Op::Auipc => pc.wrapping_add(first.imm as i64 as u64),
        _ => return None,
    };
    let r = first.rd;
    (r != 0 && second.op == Op::AluImm(Alu::Add) && second.rd == r && second.rs1 == r)
        .then(|| (r, upper.wrapping_add(second.imm as i64 as u64)))
}

/// The link registers of the calling convention hints: `ra` and `t0`.
fn is_link(r: u8) -> bool {
    r == 1 || r == 5
}

/// RV64GC as an [`Isa`](crate::Isa).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Riscv64;

impl crate::Isa for Riscv64 {
    type Inst = Inst;
    const ARCH: crate::Arch = crate::Arch::Riscv64;
    const MAX_LEN: usize = 4;
    const ALIGN: u64 = 2;
    // a7; a0..a5; a0; sp.
    const SYSCALL: crate::SyscallAbi = crate::SyscallAbi {
        nr: 17,
        args: [10, 11, 12, 13, 14, 15],
        ret: 10,
        sp: 2,
    };

    fn decode(bytes: &[u8], _pc: u64) -> Option<Inst> {
        let low = u32::from(u16::from_le_bytes([*bytes.first()?, *bytes.get(1)?]));
        if low & 3 != 3 {
            return Some(decode(low));
        }
        let high = u32::from(u16::from_le_bytes([*bytes.get(2)?, *bytes.get(3)?]));
        Some(decode(low | high << 16))
    }
    fn len(inst: &Inst) -> u8 {
        inst.len
    }
    fn execute<B: crate::Backend>(b: &mut B, inst: &Inst, pc: u64) {
        execute(b, inst, pc)
    }
    fn ends_block(inst: &Inst) -> bool {
        ends_block(inst)
    }
    fn direct_targets(inst: &Inst, pc: u64) -> Targets {
        direct_targets(inst, pc)
    }
    fn is_call(inst: &Inst) -> bool {
        is_call(inst)
    }
    fn is_return(inst: &Inst) -> bool {
        is_return(inst)
    }
    fn is_computed_jump(inst: &Inst) -> bool {
        is_computed_jump(inst)
    }
    fn is_illegal(inst: &Inst) -> bool {
        inst.is_illegal()
    }
}
