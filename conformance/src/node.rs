//! A second WASI runtime: node's `node:wasi`, through `node/run.mjs`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::Result;

use crate::invocation::Invocation;
use crate::outcome::Outcome;
use crate::tools::{self, Finished, NODE};

/// The runner script: `node run.mjs [--dir HOST::GUEST]... [--env K=V]...
/// MODULE [ARGS...]`.
pub fn runner() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("node/run.mjs")
}

/// The major version of the node on `PATH`, if it runs.
pub fn major_version() -> Option<u32> {
    let version = tools::version(NODE).ok()?;
    version.strip_prefix('v')?.split('.').next()?.parse().ok()
}

/// How often a run is repeated when node itself dies of a signal.
const NODE_RETRIES: usize = 4;

/// Runs `module` under node with `inv`.
pub fn run(module: &Path, inv: &Invocation, limit: Duration) -> Result<Outcome> {
    let finished = run_finished(module, inv, limit)?;
    Outcome::after_run(finished.status, finished.stdout, finished.stderr, inv)
}

/// Runs `module` under node with `inv`, as [`run`] does, and returns what
/// the process left (and how long it took).
pub fn run_finished(module: &Path, inv: &Invocation, limit: Duration) -> Result<Finished> {
    let mut cmd = command(module, inv);
    let mut finished = tools::run_with_limit(&mut cmd, &inv.stdin, limit)?;
    // Node 20's V8 now and then crashes at the very end of a long run (a
    // SIGSEGV while it unwinds the Wasm stack for proc_exit; see run.mjs).
    // That is node's bug, not the module's: run once more, unless the first
    // run may have changed a mounted directory.
    for _ in 0..NODE_RETRIES {
        let (Some(signal), None) = (finished.signal, &inv.mount) else {
            break;
        };
        eprintln!(
            "notice: node died of signal {signal}; running {} once more",
            module.display()
        );
        finished = tools::run_with_limit(&mut cmd, &inv.stdin, limit)?;
    }
    Ok(finished)
}

/// The command that runs `module` under node with `inv`'s arguments,
/// environment and mount (standard input is the caller's to give).
pub fn command(module: &Path, inv: &Invocation) -> Command {
    let mut cmd = Command::new(NODE);
    cmd.arg("--no-warnings").arg(runner());
    if let Some(mount) = &inv.mount {
        cmd.arg("--dir")
            .arg(format!("{}::{}", mount.host.display(), mount.guest));
    }
    for (k, v) in &inv.env {
        cmd.arg("--env").arg(format!("{k}={v}"));
    }
    cmd.arg("--").arg(module).args(&inv.args).current_dir("/");
    cmd
}
