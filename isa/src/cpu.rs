//! The guest CPU state, shared by the interpreter and translated code, for
//! every guest ISA.
//!
//! One layout serves both ISAs so that the runtime, the dispatcher and the
//! lifter's register file are the same code for each:
//!
//! | field | riscv64 | x86_64 |
//! |---|---|---|
//! | `x[0..32]` | x0..x31 | rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15 in `x[0..16]` |
//! | `f[0..32]` | f0..f31 | xmm*n* in `f[2n]` (low 64 bits) and `f[2n+1]` (high) |
//! | `fflags` | fflags | the accrued SSE exception flags, in RISC-V order (NV DZ OF UF NX) plus DE |
//! | `frm` | frm | MXCSR without its exception flags |
//! | `flags_*` | – | the lazy arithmetic flags (see `x86_64::flags`) |
//! | `df`, `fs_base`, `gs_base` | – | the direction flag and the segment bases |
//! | `st`, `fpu_*` | – | the x87 registers (80-bit values in 16 bytes) and its control, status and tag words |

/// The guest CPU state.
///
/// `repr(C)` because translated code reads and writes it at a fixed address
/// with the field offsets below.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cpu {
    /// Integer registers; for riscv64 `x[0]` is never read (register zero
    /// reads as 0).
    pub x: [u64; 32],
    /// Floating-point / vector registers, raw 64 bits (riscv64 single values
    /// NaN-boxed; x86_64 xmm registers as two halves).
    pub f: [u64; 32],
    /// Address of the next instruction to run.
    pub pc: u64,
    /// Accrued exception flags (NV DZ OF UF NX, bits 4..0; x86_64 adds its
    /// denormal flag as bit 5).
    pub fflags: u64,
    /// riscv64: dynamic rounding mode (3 bits). x86_64: MXCSR without the
    /// exception flags.
    pub frm: u64,
    /// Address reserved by the last `lr`, or `u64::MAX` for none.
    pub reservation: u64,
    /// Number of instructions retired.
    pub instret: u64,
    /// x86_64 lazy flags: the operation that last set them and its
    /// operands and result (see `x86_64::flags`).
    pub flags_op: u64,
    pub flags_a: u64,
    pub flags_b: u64,
    pub flags_r: u64,
    /// x86_64 direction flag (0 or 1).
    pub df: u64,
    pub fs_base: u64,
    pub gs_base: u64,
    /// x87 registers by physical number: the 80-bit value in the low 10
    /// bytes of each pair (`[significand, sign_exponent]`).
    pub st: [[u64; 2]; 8],
    /// x87 control word.
    pub fpu_cw: u64,
    /// x87 status word without TOP.
    pub fpu_sw: u64,
    /// x87 stack top (0..8).
    pub fpu_top: u64,
    /// x87 tag bits: bit i set when physical register i is empty.
    pub fpu_empty: u64,
}

impl Cpu {
    /// A CPU with every register zero, starting at `pc`, with no
    /// reservation, the x87 in its `finit` state and MXCSR at its reset
    /// value.
    pub fn new(pc: u64) -> Cpu {
        Cpu {
            x: [0; 32],
            f: [0; 32],
            pc,
            fflags: 0,
            frm: 0,
            reservation: u64::MAX,
            instret: 0,
            flags_op: 0,
            flags_a: 0,
            flags_b: 0,
            flags_r: 0,
            df: 0,
            fs_base: 0,
            gs_base: 0,
            st: [[0; 2]; 8],
            fpu_cw: 0x37f,
            fpu_sw: 0,
            fpu_top: 0,
            fpu_empty: 0xff,
        }
    }
}

impl Default for Cpu {
    fn default() -> Cpu {
        Cpu::new(0)
    }
}

impl Cpu {
    /// Byte offset of integer register `r`.
    pub const fn x_offset(r: u8) -> u32 {
        (core::mem::offset_of!(Cpu, x) + 8 * (r as usize & 31)) as u32
    }
    /// Byte offset of floating-point register `r`.
    pub const fn f_offset(r: u8) -> u32 {
        (core::mem::offset_of!(Cpu, f) + 8 * (r as usize & 31)) as u32
    }
    pub const PC: u32 = core::mem::offset_of!(Cpu, pc) as u32;
    pub const FFLAGS: u32 = core::mem::offset_of!(Cpu, fflags) as u32;
    pub const FRM: u32 = core::mem::offset_of!(Cpu, frm) as u32;
    pub const RESERVATION: u32 = core::mem::offset_of!(Cpu, reservation) as u32;
    pub const INSTRET: u32 = core::mem::offset_of!(Cpu, instret) as u32;
    pub const FLAGS_OP: u32 = core::mem::offset_of!(Cpu, flags_op) as u32;
    pub const FLAGS_A: u32 = core::mem::offset_of!(Cpu, flags_a) as u32;
    pub const FLAGS_B: u32 = core::mem::offset_of!(Cpu, flags_b) as u32;
    pub const FLAGS_R: u32 = core::mem::offset_of!(Cpu, flags_r) as u32;
    pub const DF: u32 = core::mem::offset_of!(Cpu, df) as u32;
    pub const FS_BASE: u32 = core::mem::offset_of!(Cpu, fs_base) as u32;
    pub const GS_BASE: u32 = core::mem::offset_of!(Cpu, gs_base) as u32;
    pub const FPU_CW: u32 = core::mem::offset_of!(Cpu, fpu_cw) as u32;
    pub const FPU_SW: u32 = core::mem::offset_of!(Cpu, fpu_sw) as u32;
    pub const FPU_TOP: u32 = core::mem::offset_of!(Cpu, fpu_top) as u32;
    pub const FPU_EMPTY: u32 = core::mem::offset_of!(Cpu, fpu_empty) as u32;

    /// Byte offset of a [`StateReg`](crate::StateReg).
    pub const fn state_offset(r: crate::StateReg) -> u32 {
        use crate::StateReg::*;
        match r {
            FFlags => Self::FFLAGS,
            Frm => Self::FRM,
            Reservation => Self::RESERVATION,
            FlagsOp => Self::FLAGS_OP,
            FlagsA => Self::FLAGS_A,
            FlagsB => Self::FLAGS_B,
            FlagsR => Self::FLAGS_R,
            Df => Self::DF,
            FsBase => Self::FS_BASE,
            GsBase => Self::GS_BASE,
        }
    }

    /// The value of a [`StateReg`](crate::StateReg).
    pub fn state(&self, r: crate::StateReg) -> u64 {
        use crate::StateReg::*;
        match r {
            FFlags => self.fflags,
            Frm => self.frm,
            Reservation => self.reservation,
            FlagsOp => self.flags_op,
            FlagsA => self.flags_a,
            FlagsB => self.flags_b,
            FlagsR => self.flags_r,
            Df => self.df,
            FsBase => self.fs_base,
            GsBase => self.gs_base,
        }
    }

    /// Sets a [`StateReg`](crate::StateReg) (the semantics keep each
    /// within its width).
    pub fn set_state(&mut self, r: crate::StateReg, v: u64) {
        use crate::StateReg::*;
        let slot = match r {
            FFlags => &mut self.fflags,
            Frm => &mut self.frm,
            Reservation => &mut self.reservation,
            FlagsOp => &mut self.flags_op,
            FlagsA => &mut self.flags_a,
            FlagsB => &mut self.flags_b,
            FlagsR => &mut self.flags_r,
            Df => &mut self.df,
            FsBase => &mut self.fs_base,
            GsBase => &mut self.gs_base,
        };
        *slot = v;
    }
}

// Translated code and the runtime share the CPU state in the first half of
// a page (see `c2w_syscalls::layout`).
const _: () = assert!(core::mem::size_of::<Cpu>() <= 2048);
