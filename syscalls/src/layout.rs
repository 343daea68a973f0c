//! Where things live in the module's linear memory.
//!
//! Guest address `g` is at linear address `GUEST_BASE + g`. Everything the
//! runtime itself owns (its stack, static data and heap, including the
//! in-memory overlay of written files) lives below `GUEST_BASE`.

/// Linear-memory address of guest address 0.
pub const GUEST_BASE: u64 = 0x4000_0000;

/// Guest addresses are below this (wasm32 memory ends at 4 GiB).
pub const GUEST_LIMIT: u64 = (1 << 32) - GUEST_BASE;

/// Guest page size.
pub const PAGE_SIZE: u64 = 4096;

/// Lowest guest address that can be mapped (Linux's default
/// `vm.mmap_min_addr`): page zero and its neighbours stay unmapped so that
/// null-pointer accesses fault.
pub const MMAP_MIN_ADDR: u64 = 0x10000;
