//! c2w-aot: turns a container image (a static riscv64 ELF, or a rootfs folder
//! holding one) into one WASI preview 1 WebAssembly module, and runs such
//! modules.
//!
//! The module is the runtime (embedded in this crate, see [`runtime`]) linked
//! with the image's files as data segments and the Wasm functions translated
//! ahead of time from the image's code ([`discover`], [`lift`],
//! [`clif2wasm`], [`translate`], [`link`]). Code the translator did not see
//! runs in the runtime's bundled interpreter.

pub mod clif2wasm;
pub mod discover;
pub mod elf;
pub mod image;
pub mod lift;
pub mod link;
pub mod manifest;
mod output;
mod pipeline;
pub mod run;
pub mod runtime;
pub mod translate;

pub use elf::{inspect, InspectReport};
pub use pipeline::{build, BuildOptions, BuildReport};
pub use run::{run, CodeCache, Compiler, Loaded, RunOptions, RunOutput, Runner, Stdin};
