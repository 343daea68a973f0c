//! The bundled interpreter: the `Eval` backend of c2w-isa and the loop that
//! runs riscv64 guest code with it.
//!
//! [`Interp::run`] executes instructions from `cpu.pc` until one leaves the
//! interpreter ([`Exit`]). Decoded instructions are cached by pc, so the hot
//! path is a cache lookup and `c2w_isa::riscv64::execute` monomorphised for
//! [`Eval`], whose operations all inline into it.

mod cache;
mod cpu;
mod eval;
pub mod fp;
mod mem;

pub use cpu::Cpu;
pub use eval::{Clock, Eval, Stop};
pub use mem::GuestMem;

use c2w_isa::riscv64::{decode, execute, Inst};
use c2w_isa::Trap;

use cache::DecodeCache;

/// Why [`Interp::run`] returned. `cpu.pc` says where execution resumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// A system call: its arguments are in the guest registers and `cpu.pc`
    /// is already at the next instruction.
    Syscall,
    /// The instruction `inst` at `pc` (= `cpu.pc`) cannot run; it had no
    /// effect. `inst` displays as assembly.
    Trap { trap: Trap, pc: u64, inst: Inst },
    /// The instruction at `pc` (= `cpu.pc`) accessed guest address `addr`
    /// outside the mapped memory; it had no effect.
    Fault { addr: u64, pc: u64 },
    /// The instruction at `pc` (= `cpu.pc`) is not in mapped memory.
    Fetch { pc: u64 },
}

/// The riscv64 interpreter: owns the decoded-instruction cache.
pub struct Interp {
    cache: DecodeCache,
}

impl Default for Interp {
    fn default() -> Interp {
        Interp::new()
    }
}

impl Interp {
    /// An interpreter with an empty cache.
    pub fn new() -> Interp {
        Interp {
            cache: DecodeCache::new(),
        }
    }

    /// Forgets every decoded instruction; call it whenever guest code may
    /// have changed (`munmap`, `mprotect`, `mmap` over existing pages,
    /// `riscv_flush_icache`). `fence.i` flushes by itself. O(1).
    pub fn flush(&mut self) {
        self.cache.flush();
    }

    /// Runs guest instructions from `cpu.pc` on `mem` until one leaves the
    /// interpreter. `clock` returns the time in nanoseconds (for the `time`
    /// counter).
    pub fn run(&mut self, cpu: &mut Cpu, mem: GuestMem<'_>, clock: Clock<'_>) -> Exit {
        let mut pc = cpu.pc;
        let mut eval = Eval::new(cpu, mem, clock);
        loop {
            if !self.cache.holds(pc) && !self.decode(&mem, pc) {
                eval.cpu().pc = pc;
                return Exit::Fetch { pc };
            }
            let inst = self.cache.slot(pc);
            eval.start(pc.wrapping_add(u64::from(inst.len)));
            execute(&mut eval, inst, pc);
            if eval.stop() != Stop::None {
                let inst = *inst;
                if let Some(exit) = self.stopped(&mut eval, pc, inst) {
                    return exit;
                }
            }
            eval.retire();
            pc = eval.next_pc();
        }
    }

    /// Decodes the instruction at `pc` into the cache; `false` if it
    /// cannot be fetched.
    #[inline(never)]
    fn decode(&mut self, mem: &GuestMem<'_>, pc: u64) -> bool {
        // RISC-V instructions are 2-byte aligned.
        let parcel = match mem.fetch(pc) {
            Some(parcel) if pc & 1 == 0 => parcel,
            _ => return false,
        };
        self.cache.insert(pc, decode(parcel));
        true
    }

    /// Handles a stop of the instruction `inst` at `pc`: the exit to return,
    /// or `None` to go on (the instruction then retires normally).
    #[cold]
    #[inline(never)]
    fn stopped(&mut self, eval: &mut Eval<'_>, pc: u64, inst: Inst) -> Option<Exit> {
        let exit = match eval.stop() {
            Stop::None => return None,
            Stop::FenceI => {
                self.cache.flush();
                eval.resume();
                return None;
            }
            Stop::Syscall => {
                eval.retire();
                eval.cpu().pc = eval.next_pc();
                return Some(Exit::Syscall);
            }
            Stop::Trap(trap) => Exit::Trap { trap, pc, inst },
            Stop::Fault(addr) => Exit::Fault { addr, pc },
        };
        eval.rollback();
        eval.cpu().pc = pc;
        Some(exit)
    }
}

#[cfg(test)]
mod tests;
