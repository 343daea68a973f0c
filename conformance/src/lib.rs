//! Differential conformance testing for c2w-aot.
//!
//! A guest program runs twice with the same arguments, environment, standard
//! input and files: once under the reference (`qemu-riscv64` for riscv64,
//! natively for x86_64: see [`target`]) and once translated (built with [`c2w_aot::build`], run with [`c2w_aot::run`]).
//! Standard output, standard error, the exit status and the files left in a
//! mounted scratch directory must be the same, byte for byte.
//!
//! The test binaries in `tests/` turn this into named tests:
//! `differential` (the C programs in `programs/`, for every target),
//! `busybox` (applets of the riscv64 BusyBox fixture and of the host's
//! x86_64 BusyBox), `rust` (a Rust program for x86_64 musl) and `node` (the
//! same modules under node's WASI). Tests listed in `known-failures.txt`,
//! each with its target and reason, are ignored until fixed
//! (`-- --include-ignored` runs them, and says which of them pass now).

pub mod cprog;
pub mod invocation;
pub mod known;
pub mod node;
pub mod outcome;
pub mod qemu;
pub mod reference;
pub mod target;
pub mod tools;
pub mod translated;
pub mod tree;

pub use invocation::{Invocation, Mount, Scratch};
pub use outcome::Outcome;
pub use target::{Target, TARGETS};
pub use translated::{Mode, MODES};
