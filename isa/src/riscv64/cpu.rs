//! The guest CPU state, shared by the interpreter and translated code.

/// The riscv64 guest CPU state.
///
/// `repr(C)` because translated code reads and writes it at a fixed address
/// with the field offsets below.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cpu {
    /// Integer registers; `x[0]` is never read (register zero reads as 0).
    pub x: [u64; 32],
    /// Floating-point registers, raw 64 bits (single values NaN-boxed).
    pub f: [u64; 32],
    /// Address of the next instruction to run.
    pub pc: u64,
    /// Accrued exception flags (NV DZ OF UF NX, bits 4..0).
    pub fflags: u64,
    /// Dynamic rounding mode (3 bits).
    pub frm: u64,
    /// Address reserved by the last `lr`, or `u64::MAX` for none.
    pub reservation: u64,
    /// Number of instructions retired.
    pub instret: u64,
}

impl Cpu {
    /// A CPU with every register zero, starting at `pc`, with no reservation.
    pub fn new(pc: u64) -> Cpu {
        Cpu {
            x: [0; 32],
            f: [0; 32],
            pc,
            fflags: 0,
            frm: 0,
            reservation: u64::MAX,
            instret: 0,
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
}
