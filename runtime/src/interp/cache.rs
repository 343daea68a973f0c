//! The decoded-block cache: direct-mapped, keyed by the guest pc a block
//! starts at.
//!
//! A block is a run of decoded instructions up to and including the first
//! one that ends a basic block (`Isa::ends_block`), at most
//! [`MAX_BLOCK`] long, and shorter if the bytes after it cannot be fetched.
//! The instructions of every cached block live in one arena, so the
//! interpreter walks a slice per block instead of looking up every
//! instruction.

use c2w_isa::Isa;

/// Number of entries (a power of two).
const ENTRIES: usize = 1 << 14;

/// Most instructions in one block.
pub(super) const MAX_BLOCK: usize = 64;

/// Arena capacity, in bytes of decoded instructions: when it is full, the
/// whole cache is flushed (entries replaced in the direct-mapped table leave
/// their instructions behind until then).
const ARENA_BYTES: usize = 16 << 20;

#[derive(Clone, Copy)]
struct Entry {
    pc: u64,
    /// The cache generation the entry was filled in; older ones are stale.
    generation: u32,
    block: Block,
}

/// Where a cached block is: [`BlockCache::insts`] gives its instructions.
#[derive(Clone, Copy)]
pub(super) struct Block {
    /// The block's instructions are `arena[start..end]`.
    start: u32,
    end: u32,
    /// The pc after the block's last instruction.
    pub(super) next: u64,
}

/// Decoded blocks by start pc. Flushing is O(1): it starts a new
/// generation, which makes every existing entry stale, and empties the
/// arena.
pub(super) struct BlockCache<I: Isa> {
    entries: Box<[Entry]>,
    arena: Vec<I::Inst>,
    generation: u32,
}

impl<I: Isa> BlockCache<I> {
    /// Arena capacity in instructions.
    const ARENA: usize = ARENA_BYTES / core::mem::size_of::<I::Inst>();

    pub(super) fn new() -> BlockCache<I> {
        let empty = Entry {
            pc: 0,
            generation: 0,
            block: Block {
                start: 0,
                end: 0,
                next: 0,
            },
        };
        BlockCache {
            entries: vec![empty; ENTRIES].into_boxed_slice(),
            arena: Vec::new(),
            generation: 1,
        }
    }

    #[inline(always)]
    fn index(pc: u64) -> usize {
        (pc >> I::ALIGN.trailing_zeros()) as usize & (ENTRIES - 1)
    }

    /// The cached block that starts at `pc`, if any.
    #[inline(always)]
    pub(super) fn get(&self, pc: u64) -> Option<Block> {
        let e = &self.entries[Self::index(pc)];
        (e.pc == pc && e.generation == self.generation).then_some(e.block)
    }

    /// The instructions of `block`, which [`get`](Self::get) or
    /// [`insert`](Self::insert) returned since the last flush.
    #[inline(always)]
    pub(super) fn insts(&self, block: Block) -> &[I::Inst] {
        &self.arena[block.start as usize..block.end as usize]
    }

    /// Caches `insts` (not empty, at most [`MAX_BLOCK`] long) as the block
    /// starting at `pc` and ending before `next`.
    pub(super) fn insert(&mut self, pc: u64, insts: &[I::Inst], next: u64) -> Block {
        if self.arena.len() + insts.len() > Self::ARENA {
            self.flush();
        }
        let start = self.arena.len() as u32;
        self.arena.extend_from_slice(insts);
        let block = Block {
            start,
            end: self.arena.len() as u32,
            next,
        };
        self.entries[Self::index(pc)] = Entry {
            pc,
            generation: self.generation,
            block,
        };
        block
    }

    /// Forgets every cached block.
    pub(super) fn flush(&mut self) {
        self.arena.clear();
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            // Generations wrapped: really clear, so no entry is current.
            self.entries.iter_mut().for_each(|e| e.generation = 0);
            self.generation = 1;
        }
    }
}
