//! What is specific to x86_64 Linux: syscall numbers and struct layouts.

use crate::table::Sys;

/// `uname -m` and `AT_PLATFORM`.
pub const MACHINE: &str = "x86_64";

/// The syscall with x86_64 number `nr`, if the kernel knows it.
pub fn sys(nr: u64) -> Option<Sys> {
    let _ = nr;
    None
}
