//! Helpers shared by the test binaries.
#![allow(dead_code)]

use std::path::PathBuf;

use libtest_mimic::{Failed, Trial};

/// Where test binaries keep files between runs (compiled programs).
pub fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("c2w-conformance")
}

/// Marks every trial ignored and says why, once, on stderr.
pub fn skip_all(trials: Vec<Trial>, why: &str) -> Vec<Trial> {
    eprintln!("notice: skipping {} tests: {why}", trials.len());
    trials.into_iter().map(|t| t.with_ignored_flag(true)).collect()
}

/// Turns any error into a test failure, with its causes.
pub fn failed(err: impl std::fmt::Display) -> Failed {
    Failed::from(format!("{err:#}"))
}

/// A result shared by several tests (the reference run of one program):
/// errors are kept as text so that every test depending on it can report it.
pub type Shared<T> = std::sync::Arc<std::sync::OnceLock<Result<T, String>>>;

/// Gets the shared value, computing it on first use; `what` names the
/// computation in the failure of every test that needs it.
pub fn shared<'a, T>(
    cell: &'a Shared<T>,
    what: &str,
    init: impl FnOnce() -> anyhow::Result<T>,
) -> Result<&'a T, Failed> {
    cell.get_or_init(|| init().map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| Failed::from(format!("{what} failed: {e}")))
}
