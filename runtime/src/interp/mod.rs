//! The bundled interpreter: the `Eval` backend of c2w-isa and the loop that
//! runs guest code of any [`Isa`] with it.
//!
//! [`Interp::run`] executes instructions from `cpu.pc` until one leaves the
//! interpreter ([`Exit`]). Decoded basic blocks are cached by start pc, so
//! the hot path is one cache lookup per block, then a walk over the block's
//! instructions with `Isa::execute` monomorphised for [`Eval`],
//! whose operations all inline into it.

mod cache;
mod eval;
pub mod fp;
mod mem;
pub mod x87;

pub use c2w_isa::Cpu;
pub use eval::{Clock, Eval, Stop};
pub use mem::GuestMem;

use c2w_isa::{Isa, Trap};

use cache::{Block, BlockCache, MAX_BLOCK};

/// Why [`Interp::run`] returned. `cpu.pc` says where execution resumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit<I: Isa> {
    /// A system call: its arguments are in the guest registers and `cpu.pc`
    /// is already at the next instruction.
    Syscall,
    /// The instruction `inst` at `pc` (= `cpu.pc`) cannot run; it had no
    /// effect. `inst` displays as assembly.
    Trap { trap: Trap, pc: u64, inst: I::Inst },
    /// The instruction at `pc` (= `cpu.pc`) accessed guest address `addr`
    /// outside the mapped memory; it had no effect.
    Fault { addr: u64, pc: u64 },
    /// The instruction at `pc` (= `cpu.pc`) is not in mapped memory.
    Fetch { pc: u64 },
    /// `cpu.pc` is an entry of translated code.
    Translated,
}

/// The interpreter of guest ISA `I`: owns the decoded-block cache.
pub struct Interp<I: Isa> {
    cache: BlockCache<I>,
}

impl<I: Isa> Default for Interp<I> {
    fn default() -> Interp<I> {
        Interp::new()
    }
}

impl<I: Isa> Interp<I> {
    /// An interpreter with an empty cache.
    pub fn new() -> Interp<I> {
        Interp {
            cache: BlockCache::new(),
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
    /// counter). With `entries`, it also stops after a block when the next
    /// pc is one for which `entries` is true (a translated entry).
    pub fn run(
        &mut self,
        cpu: &mut Cpu,
        mem: GuestMem<'_>,
        clock: Clock<'_>,
        mut entries: Option<&mut dyn FnMut(u64) -> bool>,
    ) -> Exit<I> {
        let mut pc = cpu.pc;
        let mut eval = Eval::new(cpu, mem, clock);
        loop {
            let Some(block) = self.cache.get(pc).or_else(|| self.decode(&mem, pc)) else {
                eval.cpu().pc = pc;
                return Exit::Fetch { pc };
            };
            // Only a block's last instruction may change the flow: the others
            // all continue at the next one.
            eval.start(block.next);
            let mut at = pc;
            for (i, inst) in self.cache.insts(block).iter().enumerate() {
                eval.set_index(i as u64);
                I::execute(&mut eval, inst, at);
                if eval.stop() != Stop::None {
                    match Self::stopped(&mut eval, at, *inst) {
                        Some(exit) => return exit,
                        None => {
                            // `fence.i`, which ends its block.
                            self.cache.flush();
                            break;
                        }
                    }
                }
                at = at.wrapping_add(u64::from(I::len(inst)));
            }
            eval.retire();
            pc = eval.next_pc();
            if let Some(is_entry) = entries.as_mut() {
                if is_entry(pc) {
                    eval.cpu().pc = pc;
                    return Exit::Translated;
                }
            }
        }
    }

    /// Decodes the block at `pc` into the cache; `None` if its first
    /// instruction cannot be fetched.
    #[inline(never)]
    fn decode(&mut self, mem: &GuestMem<'_>, pc: u64) -> Option<Block> {
        let mut insts = Vec::with_capacity(MAX_BLOCK);
        let mut at = pc;
        while insts.len() < MAX_BLOCK && at % I::ALIGN == 0 {
            let Some(inst) = mem.fetch::<I>(at) else {
                break;
            };
            insts.push(inst);
            at = at.wrapping_add(u64::from(I::len(&inst)));
            if I::ends_block(&inst) {
                break;
            }
        }
        (!insts.is_empty()).then(|| self.cache.insert(pc, &insts, at))
    }

    /// Handles a stop of the instruction `inst` at `pc`: the exit to
    /// return, or `None` to flush the cache and go on after it (`fence.i`,
    /// which ends its block and retires with it).
    /// Inlined so that the loop's `Eval` never has its address taken.
    #[inline(always)]
    fn stopped(eval: &mut Eval<'_>, pc: u64, inst: I::Inst) -> Option<Exit<I>> {
        let exit = match eval.stop() {
            Stop::None | Stop::FenceI => {
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
        eval.retire_preceding();
        eval.cpu().pc = pc;
        Some(exit)
    }
}

#[cfg(test)]
mod tests;
