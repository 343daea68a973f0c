//! External tools the tests need, run with a time limit.

use std::env;
use std::fs::File;
use std::io::{Read as _, Seek as _, Write as _};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};

/// The reference runner for riscv64 guests.
pub const QEMU: &str = "qemu-riscv64";
/// The cross compiler for the C test programs.
pub const CC: &str = "riscv64-linux-gnu-gcc";
/// The second WASI runtime.
pub const NODE: &str = "node";

/// Whether `program` can be found on `PATH`.
pub fn on_path(program: &str) -> bool {
    find(program).is_some()
}

/// Where `program` is on `PATH`.
pub fn find(program: &str) -> Option<PathBuf> {
    let paths = env::var_os("PATH")?;
    env::split_paths(&paths)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}

/// The tools in `needed` that are missing, as a notice to print, if any.
pub fn missing(needed: &[&str]) -> Option<String> {
    let missing: Vec<&str> = needed.iter().copied().filter(|t| !on_path(t)).collect();
    (!missing.is_empty()).then(|| format!("{} not found on PATH", missing.join(", ")))
}

/// How long one guest run may take, in seconds: `C2W_CONFORMANCE_TIMEOUT`
/// or `default`.
pub fn timeout(default: u64) -> Duration {
    let secs = env::var("C2W_CONFORMANCE_TIMEOUT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    Duration::from_secs(secs)
}

/// What a finished process left.
pub struct Finished {
    pub status: i32,
    /// The signal that killed the process, if one did.
    pub signal: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// Wall time from just before the start to the exit being seen.
    pub elapsed: Duration,
}

/// Runs `cmd` with `stdin` as its standard input, collecting stdout and
/// stderr (through unnamed temporary files, so that no pipe can fill up),
/// and kills it after `limit`. The exit is seen within 2% of the run's
/// length (at most 5 ms late), so [`Finished::elapsed`] can time it.
pub fn run_with_limit(cmd: &mut Command, stdin: &[u8], limit: Duration) -> Result<Finished> {
    let mut out = tempfile::tempfile()?;
    let mut err = tempfile::tempfile()?;
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(out.try_clone()?)
        .stderr(err.try_clone()?)
        .spawn()
        .with_context(|| format!("cannot start {:?}", cmd.get_program()))?;
    let mut pipe = child.stdin.take().expect("stdin is piped");
    let input = stdin.to_vec();
    // A program may exit without reading its input: ignore a broken pipe.
    let writer = thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        let elapsed = start.elapsed();
        if elapsed > limit {
            let _ = child.kill();
            let _ = child.wait();
            bail!(
                "{:?} did not finish within {} s",
                cmd.get_program(),
                limit.as_secs()
            );
        }
        thread::sleep((elapsed / 50).clamp(Duration::from_micros(20), Duration::from_millis(5)));
    };
    let elapsed = start.elapsed();
    let _ = writer.join();
    Ok(Finished {
        elapsed,
        signal: std::os::unix::process::ExitStatusExt::signal(&status),
        status: shell_status(status),
        stdout: read_all(&mut out)?,
        stderr: read_all(&mut err)?,
    })
}

/// The status as a shell reports it: the exit code, or 128 + the signal.
pub fn shell_status(status: ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt as _;
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(-1)
}

fn read_all(file: &mut File) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    file.rewind()?;
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The first line of `program --version`, to key caches on the tool.
pub fn version(program: &str) -> Result<String> {
    let output = Command::new(program).arg("--version").output()?;
    let text = String::from_utf8_lossy(&output.stdout);
    Ok(text.lines().next().unwrap_or_default().to_owned())
}
