//! The riscv64 reference: an executable under qemu-riscv64 (see
//! [`crate::reference::Runner`], which also runs x86_64 ones natively).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::Result;

use crate::invocation::Invocation;
use crate::outcome::Outcome;
use crate::reference::Runner;
use crate::tools::QEMU;

/// Runs `elf` under qemu-riscv64 with `inv` (see [`Runner::run`]).
pub fn run(elf: &Path, inv: &Invocation, limit: Duration) -> Result<Outcome> {
    Runner::Qemu(QEMU).run(elf, inv, limit)
}

/// The command [`run`] runs (standard input is the caller's to give).
pub fn command(elf: &Path, inv: &Invocation) -> Result<Command> {
    Runner::Qemu(QEMU).command(elf, inv)
}
