//! Guest instruction sets for c2w-aot.
//!
//! Each ISA module decodes its machine code and defines every instruction's
//! meaning once, generic over [`Backend`]; the interpreter and the lifter are
//! the two backends.

pub mod backend;
pub mod riscv64;

pub use backend::*;
