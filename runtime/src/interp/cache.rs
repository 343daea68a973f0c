//! The decoded-instruction cache: direct-mapped, keyed by guest pc.

use c2w_isa::riscv64::{decode, Inst};

/// Number of entries (a power of two).
const ENTRIES: usize = 1 << 16;

#[derive(Clone, Copy)]
struct Entry {
    pc: u64,
    /// The cache generation the entry was filled in; older ones are stale.
    generation: u32,
    inst: Inst,
}

/// Decoded instructions by pc. Flushing is O(1): it starts a new generation,
/// which makes every existing entry stale.
pub(super) struct DecodeCache {
    entries: Box<[Entry]>,
    generation: u32,
}

impl DecodeCache {
    pub(super) fn new() -> DecodeCache {
        let empty = Entry {
            pc: 0,
            generation: 0,
            inst: decode(0),
        };
        DecodeCache {
            entries: vec![empty; ENTRIES].into_boxed_slice(),
            generation: 1,
        }
    }

    #[inline(always)]
    fn index(pc: u64) -> usize {
        (pc >> 1) as usize & (ENTRIES - 1)
    }

    /// Whether the instruction at `pc` is cached.
    #[inline(always)]
    pub(super) fn holds(&self, pc: u64) -> bool {
        let e = &self.entries[Self::index(pc)];
        e.pc == pc && e.generation == self.generation
    }

    /// The instruction in the entry for `pc`: the one at `pc` if
    /// [`holds`](Self::holds) says so (or right after inserting it).
    #[inline(always)]
    pub(super) fn slot(&self, pc: u64) -> &Inst {
        &self.entries[Self::index(pc)].inst
    }

    /// Caches `inst` as the instruction at `pc`.
    #[inline]
    pub(super) fn insert(&mut self, pc: u64, inst: Inst) {
        self.entries[Self::index(pc)] = Entry {
            pc,
            generation: self.generation,
            inst,
        };
    }

    /// Forgets every cached instruction.
    pub(super) fn flush(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            // Generations wrapped: really clear, so no entry is current.
            self.entries.iter_mut().for_each(|e| e.generation = 0);
            self.generation = 1;
        }
    }
}
