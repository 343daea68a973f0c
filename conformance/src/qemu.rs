//! The reference side: a riscv64 Linux executable under qemu-user.

use std::path::Path;
use std::time::Duration;

use anyhow::{ensure, Result};
use std::process::Command;

use crate::invocation::Invocation;
use crate::outcome::Outcome;
use crate::tools::{self, QEMU};

/// Runs `elf` under qemu-riscv64 with `inv`: an empty environment plus
/// `inv.env`, the working directory `/` (as in a translated module), and
/// `inv.mount`'s directory, which must be at its guest path on the host
/// (qemu-user shares the host's file system).
pub fn run(elf: &Path, inv: &Invocation, limit: Duration) -> Result<Outcome> {
    let mut cmd = command(elf, inv)?;
    let finished = tools::run_with_limit(&mut cmd, &inv.stdin, limit)?;
    Outcome::after_run(finished.status, finished.stdout, finished.stderr, inv)
}

/// The command [`run`] runs (standard input is the caller's to give).
pub fn command(elf: &Path, inv: &Invocation) -> Result<Command> {
    if let Some(mount) = &inv.mount {
        ensure!(
            mount.host == Path::new(&mount.guest),
            "qemu-user sees host paths: {} cannot appear at {}",
            mount.host.display(),
            mount.guest
        );
    }
    let mut cmd = Command::new(QEMU);
    cmd.arg(elf)
        .args(&inv.args)
        .env_clear()
        .envs(inv.env.iter().map(|(k, v)| (k, v)))
        .current_dir("/");
    Ok(cmd)
}
