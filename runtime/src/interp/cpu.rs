//! The guest CPU state.

/// The riscv64 guest CPU state.
///
/// `repr(C)` because translated code reads and writes it at a fixed address
/// with fixed field offsets.
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
