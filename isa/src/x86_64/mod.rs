//! x86_64 (x86-64-v2: the integer ISA, SSE to SSE4.2, x87): decoding with
//! iced-x86 and the meaning of each instruction, written once over
//! [`Backend`](crate::Backend).
//!
//! Registers: the general-purpose registers are `Cpu::x[0..16]` in the
//! hardware's numbering (rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15);
//! xmm*n* is `f[2n]` (low half) and `f[2n+1]` (high half). The arithmetic
//! flags are lazy (see [`flags`]); the direction flag, the segment bases and
//! MXCSR are state registers; the x87 lives in the CPU state and runs through
//! [`Backend::x87`](crate::Backend::x87).

pub mod cpuid;
pub mod flags;
mod fpu;
pub mod operand;
mod probe;
pub mod regs;
mod semantics;
mod sse;
mod sse_int;
#[cfg(test)]
mod tests;
pub mod x87;

use core::fmt;

use iced_x86::{Code, Decoder, DecoderError, DecoderOptions, FlowControl, Mnemonic};

use crate::{Arch, Backend, Isa, SyscallAbi, Targets};

pub use semantics::execute;

/// One decoded x86_64 instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inst {
    /// The instruction as iced-x86 decodes it (its `ip` is the guest pc).
    pub i: iced_x86::Instruction,
    /// Whether the semantics cannot run it (an invalid encoding, or one
    /// that this crate does not implement).
    illegal: bool,
}

impl Inst {
    /// Length in bytes (1 to 15).
    pub fn len(&self) -> u8 {
        self.i.len() as u8
    }

    /// Whether the semantics cannot run it.
    pub fn is_illegal(&self) -> bool {
        self.illegal
    }

    /// The mnemonic, e.g. `Mnemonic::Add`.
    pub fn mnemonic(&self) -> Mnemonic {
        self.i.mnemonic()
    }
}

impl fmt::Display for Inst {
    /// GNU (AT&T) syntax, as objdump prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use iced_x86::{Formatter, GasFormatter};
        if self.i.code() == Code::INVALID {
            return f.write_str("(bad)");
        }
        let mut out = String::new();
        let mut formatter = GasFormatter::new();
        formatter.format(&self.i, &mut out);
        f.write_str(&out)
    }
}

/// Decodes the instruction at `pc` from `bytes`; `None` when `bytes` ends
/// inside it.
pub fn decode(bytes: &[u8], pc: u64) -> Option<Inst> {
    let bytes = &bytes[..bytes.len().min(15)];
    let mut decoder = Decoder::with_ip(64, bytes, pc, DecoderOptions::NONE);
    let i = decoder.decode();
    if i.code() == Code::INVALID && decoder.last_error() == DecoderError::NoMoreBytes {
        return None;
    }
    let mut inst = Inst { i, illegal: false };
    inst.illegal = i.code() == Code::INVALID || probe::traps(&inst);
    Some(inst)
}

/// What the control flow of `inst` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flow {
    Next,
    /// A string instruction with a `rep` prefix: it branches back to itself
    /// until its count runs out.
    Repeat,
    Jump,
    Branch,
    Call,
    IndirectJump,
    IndirectCall,
    Return,
    Syscall,
    /// Traps (ud2, int3, hlt, unimplemented).
    Trap,
}

fn flow(inst: &Inst) -> Flow {
    if inst.illegal {
        return Flow::Trap;
    }
    let i = &inst.i;
    if i.mnemonic() == Mnemonic::Syscall {
        return Flow::Syscall;
    }
    if (i.has_rep_prefix() || i.has_repne_prefix()) && i.is_string_instruction() {
        return Flow::Repeat;
    }
    match i.flow_control() {
        FlowControl::Next => Flow::Next,
        FlowControl::UnconditionalBranch => Flow::Jump,
        FlowControl::ConditionalBranch => Flow::Branch,
        FlowControl::Call => Flow::Call,
        FlowControl::IndirectBranch => Flow::IndirectJump,
        FlowControl::IndirectCall => Flow::IndirectCall,
        FlowControl::Return => Flow::Return,
        FlowControl::Interrupt | FlowControl::XbeginXabortXend | FlowControl::Exception => {
            Flow::Trap
        }
    }
}

/// Whether `inst` ends a basic block.
pub fn ends_block(inst: &Inst) -> bool {
    flow(inst) != Flow::Next
}

/// The successors of `inst` at `pc` that code discovery can follow.
pub fn direct_targets(inst: &Inst, pc: u64) -> Targets {
    let next = Some(pc.wrapping_add(u64::from(inst.len())));
    let branch = || Some(inst.i.near_branch_target());
    match flow(inst) {
        Flow::Next | Flow::Syscall => Targets {
            target: None,
            fallthrough: next,
        },
        Flow::Repeat => Targets {
            target: Some(pc),
            fallthrough: next,
        },
        Flow::Jump => Targets {
            target: branch(),
            fallthrough: None,
        },
        Flow::Branch | Flow::Call => Targets {
            target: branch(),
            fallthrough: next,
        },
        Flow::IndirectCall => Targets {
            target: None,
            fallthrough: next,
        },
        Flow::IndirectJump | Flow::Return | Flow::Trap => Targets::default(),
    }
}

pub fn is_call(inst: &Inst) -> bool {
    matches!(flow(inst), Flow::Call | Flow::IndirectCall)
}

pub fn is_return(inst: &Inst) -> bool {
    flow(inst) == Flow::Return
}

pub fn is_computed_jump(inst: &Inst) -> bool {
    flow(inst) == Flow::IndirectJump
}

/// Whether `inst` is alignment padding: a `nop` of any form or `int3`.
pub fn is_padding(inst: &Inst) -> bool {
    matches!(inst.i.mnemonic(), Mnemonic::Nop | Mnemonic::Int3)
}

/// The address a jump table may be at, as `inst` names it: the target of a
/// RIP-relative `lea`, or the displacement of a memory operand with an
/// index register and no base.
pub fn table_address(inst: &Inst) -> Option<u64> {
    use iced_x86::{OpKind, Register};
    let i = &inst.i;
    if !(0..i.op_count()).any(|n| i.op_kind(n) == OpKind::Memory) {
        return None;
    }
    if i.memory_base() == Register::RIP && i.mnemonic() == Mnemonic::Lea {
        return Some(i.memory_displacement64());
    }
    (i.memory_base() == Register::None && i.memory_index() != Register::None)
        .then(|| i.memory_displacement64())
        .filter(|&d| d != 0)
}

/// x86_64 as an [`Isa`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct X86_64;

impl Isa for X86_64 {
    type Inst = Inst;
    const ARCH: Arch = Arch::X86_64;
    const MAX_LEN: usize = 15;
    const ALIGN: u64 = 1;
    // rax; rdi, rsi, rdx, r10, r8, r9; rax; rsp.
    const SYSCALL: SyscallAbi = SyscallAbi {
        nr: regs::RAX,
        args: [
            regs::RDI,
            regs::RSI,
            regs::RDX,
            regs::R10,
            regs::R8,
            regs::R9,
        ],
        ret: regs::RAX,
        sp: regs::RSP,
    };

    fn decode(bytes: &[u8], pc: u64) -> Option<Inst> {
        decode(bytes, pc)
    }
    fn len(inst: &Inst) -> u8 {
        inst.len()
    }
    fn execute<B: Backend>(b: &mut B, inst: &Inst, pc: u64) {
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
        inst.illegal
    }
    fn settle<B: Backend>(b: &mut B) {
        flags::settle(b)
    }
    /// MXCSR 0x1f80 (every exception masked, round to nearest); the x87 is
    /// in its `finit` state already (`Cpu::new`).
    fn reset(cpu: &mut crate::Cpu) {
        cpu.frm = 0x1f80;
    }
}
