//! The translated side: a module built with c2w-aot and run on its embedded
//! wasmtime.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Duration;

use anyhow::{bail, Context as _, Result};
use c2w_aot::{BuildOptions, Compiler, RunOptions, Stdin};

use crate::invocation::Invocation;
use crate::outcome::Outcome;

/// How the guest code runs inside the module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Everything in the bundled interpreter (`--interp-only`).
    Interp,
    /// Ahead-of-time translated code, the interpreter only for what the
    /// translator could not see.
    Aot,
}

/// The modes every differential test runs in.
pub const MODES: &[Mode] = &[Mode::Interp, Mode::Aot];

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Interp => "interp",
            Mode::Aot => "aot",
        }
    }

    fn interp_only(self) -> bool {
        self == Mode::Interp
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Builds a module into `output` from `input`: a static executable (placed
/// in the image as `/<file name>`, the entrypoint) or a rootfs folder with
/// `entrypoint` in it.
pub fn build(input: &Path, entrypoint: Option<&str>, mode: Mode, output: &Path) -> Result<PathBuf> {
    let options = BuildOptions {
        input: input.to_owned(),
        output: output.to_owned(),
        entrypoint: entrypoint.map(str::to_owned),
        interp_only: mode.interp_only(),
        ..BuildOptions::default()
    };
    c2w_aot::build(&options)
        .with_context(|| format!("c2w-aot build {} failed", input.display()))?;
    Ok(output.to_owned())
}

/// Runs `module` with `inv` and captures its outcome. A run that takes
/// longer than `limit` is reported as an error; its thread is abandoned
/// (it stops with the test process).
pub fn run(module: &Path, inv: &Invocation, limit: Duration) -> Result<Outcome> {
    // Many modules, each run once: the baseline compiler is about fifty
    // times faster to compile (the optimizing one is covered by the
    // translator's own tests and the benchmarks).
    let options = run_options(module, inv, Compiler::Winch);
    let (done, result) = mpsc::channel();
    thread::Builder::new()
        .name(format!("run {}", module.display()))
        .spawn(move || {
            let _ = done.send(c2w_aot::run(&options));
        })?;
    let output = match result.recv_timeout(limit) {
        Ok(output) => output.context("c2w-aot run failed")?,
        Err(RecvTimeoutError::Timeout) => {
            bail!("the module did not finish within {} s", limit.as_secs())
        }
        Err(RecvTimeoutError::Disconnected) => bail!("c2w-aot run panicked"),
    };
    Outcome::after_run(output.status, output.stdout, output.stderr, inv)
}

/// How `module` runs with `inv` on `compiler`, its output captured.
pub fn run_options(module: &Path, inv: &Invocation, compiler: Compiler) -> RunOptions {
    RunOptions {
        module: module.to_owned(),
        dirs: inv
            .mount
            .iter()
            .map(|m| (m.host.clone(), m.guest.clone()))
            .collect(),
        env: inv.env.clone(),
        args: inv.args.clone(),
        stdin: Stdin::Bytes(inv.stdin.clone()),
        capture: true,
        compiler,
    }
}
