//! The c2w-aot runtime: loader, dispatcher, the bundled interpreter and the
//! WASI host of the syscall layer. Built for wasm32-wasip1 and embedded in the
//! `c2w-aot` binary; the interpreter also builds on the host for unit tests.

pub mod interp;
#[cfg(target_arch = "wasm32")]
pub mod host;
