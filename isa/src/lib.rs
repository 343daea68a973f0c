//! Guest instruction sets for c2w-aot.
//!
//! Each ISA module decodes its machine code and defines every instruction's
//! meaning once, generic over [`Backend`]; the interpreter and the lifter are
//! the two backends. [`Isa`] is what the rest of the toolchain (discovery,
//! the lifter, the interpreter, the dispatcher) knows of an ISA.

pub mod backend;
mod cpu;
pub mod riscv64;
pub mod x86_64;

pub use backend::*;
pub use cpu::Cpu;

/// The statically known successors of an instruction (see
/// [`Isa::direct_targets`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Targets {
    /// The direct jump, call or taken-branch target.
    pub target: Option<u64>,
    /// The next instruction, when execution may continue there: after a
    /// non-control-flow instruction, a not-taken branch, a system call, a
    /// `fence.i`, or as the return site of a call (direct or indirect).
    pub fallthrough: Option<u64>,
}

/// Which guest ISA a program is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arch {
    Riscv64,
    X86_64,
}

impl Arch {
    /// The name `uname -m` gives.
    pub fn name(self) -> &'static str {
        match self {
            Arch::Riscv64 => "riscv64",
            Arch::X86_64 => "x86_64",
        }
    }

    /// The ISA's system-call convention.
    pub fn syscall_abi(self) -> SyscallAbi {
        match self {
            Arch::Riscv64 => <riscv64::Riscv64 as Isa>::SYSCALL,
            Arch::X86_64 => <x86_64::X86_64 as Isa>::SYSCALL,
        }
    }
}

/// The registers of a guest's system-call convention and its stack pointer,
/// as indices of `Cpu::x`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyscallAbi {
    pub nr: u8,
    pub args: [u8; 6],
    pub ret: u8,
    pub sp: u8,
}

/// One guest instruction set, as the toolchain sees it.
pub trait Isa: Copy + Send + Sync + 'static {
    /// A decoded instruction; `Display` prints it as assembly.
    type Inst: Copy + Send + Sync + core::fmt::Debug + core::fmt::Display;

    const ARCH: Arch;
    /// The longest instruction, in bytes.
    const MAX_LEN: usize;
    /// Instruction addresses are multiples of this.
    const ALIGN: u64;
    const SYSCALL: SyscallAbi;

    /// Decodes the instruction at `pc` whose bytes start `bytes` (which may
    /// hold fewer than [`MAX_LEN`](Isa::MAX_LEN) bytes where memory ends).
    /// `None` when `bytes` ends inside the instruction; an unknown encoding
    /// is an instruction that traps (see [`Isa::is_illegal`]).
    fn decode(bytes: &[u8], pc: u64) -> Option<Self::Inst>;
    /// Length of `inst` in bytes.
    fn len(inst: &Self::Inst) -> u8;
    /// Runs `inst` at `pc` on `b`.
    fn execute<B: Backend>(b: &mut B, inst: &Self::Inst, pc: u64);
    /// Whether `inst` ends a basic block: it transfers control, makes a
    /// system call, synchronises the instruction stream or traps.
    fn ends_block(inst: &Self::Inst) -> bool;
    /// The successors of `inst` at `pc` that code discovery can follow.
    fn direct_targets(inst: &Self::Inst, pc: u64) -> Targets;
    fn is_call(inst: &Self::Inst) -> bool;
    fn is_return(inst: &Self::Inst) -> bool;
    /// A jump to a computed address that is neither a call nor a return.
    fn is_computed_jump(inst: &Self::Inst) -> bool;
    /// An encoding the ISA does not define, or one this crate does not
    /// implement.
    fn is_illegal(inst: &Self::Inst) -> bool;
    /// Brings state that a backend may keep in a cheaper form back to the
    /// one every block boundary assumes (x86_64: materialises the lazy
    /// flags). The lifter calls it wherever control leaves a block.
    fn settle<B: Backend>(_b: &mut B) {}
    /// Sets what `execve` leaves in the registers beyond zeros, the pc and
    /// the stack pointer.
    fn reset(_cpu: &mut Cpu) {}
}
