//! The Linux syscall layer of c2w-aot.

pub mod image;
pub mod layout;
