//! The reference side: a Linux executable run by the host, natively when it
//! is built for the host's ISA, else under qemu-user.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{ensure, Context as _, Result};

use crate::invocation::Invocation;
use crate::outcome::Outcome;
use crate::tools;

/// How the reference runs an executable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Runner {
    /// Under this qemu-user binary (e.g. `qemu-riscv64`).
    Qemu(&'static str),
    /// Directly on the host.
    Native,
}

impl Runner {
    /// The side's name in reports: "qemu" or "native".
    pub fn name(self) -> &'static str {
        match self {
            Runner::Qemu(_) => "qemu",
            Runner::Native => "native",
        }
    }

    /// The external tool the runner needs, if any.
    pub fn tool(self) -> Option<&'static str> {
        match self {
            Runner::Qemu(qemu) => Some(qemu),
            Runner::Native => None,
        }
    }

    /// Runs `exe` with `inv`: an empty environment plus `inv.env`, the
    /// working directory `/` (as in a translated module), and `inv.mount`'s
    /// directory, which must be at its guest path on the host (the reference
    /// shares the host's file system).
    pub fn run(self, exe: &Path, inv: &Invocation, limit: Duration) -> Result<Outcome> {
        let mut cmd = self.command(exe, inv)?;
        let finished = tools::run_with_limit(&mut cmd, &inv.stdin, limit)?;
        Outcome::after_run(finished.status, finished.stdout, finished.stderr, inv)
    }

    /// The command [`Runner::run`] runs (standard input is the caller's to
    /// give).
    pub fn command(self, exe: &Path, inv: &Invocation) -> Result<Command> {
        if let Some(mount) = &inv.mount {
            ensure!(
                mount.host == Path::new(&mount.guest),
                "the reference sees host paths: {} cannot appear at {}",
                mount.host.display(),
                mount.guest
            );
        }
        let mut cmd = match self {
            Runner::Qemu(qemu) => {
                let mut cmd = Command::new(qemu);
                cmd.arg(exe)
                    .env_clear()
                    .envs(inv.env.iter().map(|(k, v)| (k, v)));
                cmd
            }
            // `Command` passes the environment sorted by name; `env -i`
            // keeps the invocation's order, which the translated side gets.
            Runner::Native => {
                let env = tools::find("env").context("env not found on PATH")?;
                let mut cmd = Command::new(env);
                cmd.env_clear()
                    .arg("-i")
                    .args(inv.env.iter().map(|(k, v)| format!("{k}={v}")))
                    .arg(exe);
                cmd
            }
        };
        cmd.args(&inv.args).current_dir("/");
        Ok(cmd)
    }
}
