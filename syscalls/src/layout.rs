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

/// The page just below `GUEST_BASE`, which the runtime and translated code
/// share: the guest CPU state (`c2w_isa::Cpu`) at [`CPU_ADDR`],
/// then the [`Links`] at [`LINKS_ADDR`]. The runtime's heap ends below it.
pub const SHARED_PAGE: u64 = GUEST_BASE - PAGE_SIZE;

/// Linear-memory address of the guest CPU state.
pub const CPU_ADDR: u64 = SHARED_PAGE;

/// Linear-memory address of the [`Links`].
pub const LINKS_ADDR: u64 = SHARED_PAGE + 2048;

/// What translated code and the runtime's dispatcher tell each other,
/// besides the CPU state.
///
/// A translated function returns the guest pc to continue at. Guest
/// addresses are below 4 GiB, so values with the top bit set carry other
/// news:
/// * `pc | EXIT_INTERPRET`: go on in the interpreter at `pc` (a
///   trap, a counter read or `fence.i` there, or after a system call that
///   ended the program or changed code); the CPU state is in memory.
/// * [`EXIT_BAIL`]: the Wasm stack budget ran out before a call; resume at
///   `Cpu::pc`, which every translated call site sets to its target first.
///
/// System calls do not leave: translated code calls the runtime's
/// `c2w_syscall`, which serves the call in the guest registers and returns
/// [`SYSCALL_CONTINUE`] or [`SYSCALL_LEAVE`].
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Links {
    /// Estimated bytes of Wasm stack that translated code may still use;
    /// each translated function takes its frame's estimate on entry and
    /// gives it back when it returns.
    pub budget: i64,
    /// Linear-memory address of the entry table (0: no translated code or
    /// translation switched off): slots of 16 bytes, `pc: u64` (0 for an
    /// empty slot), `function: u32` (index in the Wasm table), `entry: u32`.
    pub table: u32,
    /// Slot count - 1 (slot counts are powers of two).
    pub mask: u32,
    /// Indirect branches of translated code looked up in the table, and how
    /// many missed it (`C2W_STATS`).
    pub lookups: u64,
    pub misses: u64,
}

impl Links {
    pub const BUDGET: u32 = core::mem::offset_of!(Links, budget) as u32;
    pub const TABLE: u32 = core::mem::offset_of!(Links, table) as u32;
    pub const MASK: u32 = core::mem::offset_of!(Links, mask) as u32;
    pub const LOOKUPS: u32 = core::mem::offset_of!(Links, lookups) as u32;
    pub const MISSES: u32 = core::mem::offset_of!(Links, misses) as u32;
}

/// Added to a pc returned by translated code: run that instruction in the
/// interpreter (see [`Links`]).
pub const EXIT_INTERPRET: u64 = 1 << 63;
/// Returned by translated code when the Wasm stack budget ran out.
pub const EXIT_BAIL: u64 = u64::MAX - 2;
/// `c2w_syscall`'s results: the system call is done, go on; or leave to the
/// dispatcher (returning the next pc with [`EXIT_INTERPRET`]).
pub const SYSCALL_CONTINUE: u32 = 0;
pub const SYSCALL_LEAVE: u32 = 1;
