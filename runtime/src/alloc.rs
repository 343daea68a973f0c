//! The runtime's heap: dlmalloc over the linear memory between the end of the
//! runtime's static data (`__heap_base`) and `SHARED_PAGE` (the page below `GUEST_BASE`).
//!
//! Rust's default wasm allocator takes whatever `memory.grow` returns, which
//! would land above the guest's address space once the guest is mapped. This
//! one hands dlmalloc chunks from the fixed region below `GUEST_BASE` instead,
//! so guest memory and runtime memory never meet.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::{Cell, UnsafeCell};

use c2w_syscalls::layout::SHARED_PAGE;
use dlmalloc::{Allocator, Dlmalloc};

const WASM_PAGE: usize = 65536;

extern "C" {
    /// Defined by the linker: the first address after the static data and stack.
    static __heap_base: u8;
}

/// Bump allocation of system chunks in `[__heap_base, SHARED_PAGE)`.
struct Region {
    next: Cell<usize>,
}

// The runtime is single-threaded (guest threads are green threads).
unsafe impl Send for Region {}

/// Grow linear memory so that it covers `[0, end)`.
pub fn ensure_memory(end: usize) -> bool {
    let have = wasm32::memory_size(0) * WASM_PAGE;
    if end <= have {
        return true;
    }
    let pages = (end - have).div_ceil(WASM_PAGE);
    wasm32::memory_grow(0, pages) != usize::MAX
}

unsafe impl Allocator for Region {
    fn alloc(&self, size: usize) -> (*mut u8, usize, u32) {
        let mut start = self.next.get();
        if start == 0 {
            start = core::ptr::addr_of!(__heap_base) as usize;
        }
        let start = start.next_multiple_of(WASM_PAGE);
        let Some(end) = start.checked_add(size) else {
            return (core::ptr::null_mut(), 0, 0);
        };
        if end > SHARED_PAGE as usize || !ensure_memory(end) {
            return (core::ptr::null_mut(), 0, 0);
        }
        self.next.set(end);
        (start as *mut u8, size, 0)
    }
    fn remap(&self, _ptr: *mut u8, _old: usize, _new: usize, _can_move: bool) -> *mut u8 {
        core::ptr::null_mut()
    }
    fn free_part(&self, _ptr: *mut u8, _old: usize, _new: usize) -> bool {
        false
    }
    fn free(&self, _ptr: *mut u8, _size: usize) -> bool {
        false
    }
    fn can_release_part(&self, _flags: u32) -> bool {
        false
    }
    fn allocates_zeros(&self) -> bool {
        // Fresh linear memory below GUEST_BASE is never written before it is
        // handed out.
        true
    }
    fn page_size(&self) -> usize {
        WASM_PAGE
    }
}

/// The global allocator of the runtime.
pub struct RuntimeAlloc(UnsafeCell<Dlmalloc<Region>>);

// Single-threaded: wasm32-wasip1 without threads.
unsafe impl Sync for RuntimeAlloc {}

impl RuntimeAlloc {
    pub const fn new() -> Self {
        RuntimeAlloc(UnsafeCell::new(Dlmalloc::new_with_allocator(Region {
            next: Cell::new(0),
        })))
    }
}

impl Default for RuntimeAlloc {
    fn default() -> Self {
        Self::new()
    }
}

unsafe impl GlobalAlloc for RuntimeAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        (*self.0.get()).malloc(layout.size(), layout.align())
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        (*self.0.get()).calloc(layout.size(), layout.align())
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        (*self.0.get()).free(ptr, layout.size(), layout.align())
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        (*self.0.get()).realloc(ptr, layout.size(), layout.align(), new_size)
    }
}
