//! Differential conformance testing for c2w-aot.
//!
//! A guest program runs twice with the same arguments, environment, standard
//! input and files: once under the reference (`qemu-riscv64`) and once
//! translated (built with [`c2w_aot::build`], run with [`c2w_aot::run`]).
//! Standard output, standard error, the exit status and the files left in a
//! mounted scratch directory must be the same, byte for byte.
//!
//! The test binaries in `tests/` turn this into named tests:
//! `differential` (the C programs in `programs/`), `busybox` (applets of the
//! BusyBox fixture) and `node` (the same modules under node's WASI).
//! Tests listed in `known-failures.txt`, each with its reason, are ignored
//! until fixed (`-- --include-ignored` runs them).

pub mod cprog;
pub mod invocation;
pub mod node;
pub mod outcome;
pub mod qemu;
pub mod tools;
pub mod translated;
pub mod tree;

pub use invocation::{Invocation, Mount, Scratch};
pub use outcome::Outcome;
pub use translated::{Mode, MODES};
