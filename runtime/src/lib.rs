//! The c2w-aot runtime: loader, dispatcher, the bundled interpreter and the
//! WASI host of the syscall layer. Built for wasm32-wasip1 and embedded in the
//! `c2w-aot` binary; everything but the WASI host and the allocator also
//! builds on the host, for unit tests.

#[cfg(target_arch = "wasm32")]
pub mod alloc;
pub mod dispatch;
#[cfg(target_arch = "wasm32")]
pub mod host;
pub mod interp;
pub mod translated;
