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
    trials
        .into_iter()
        .map(|t| t.with_ignored_flag(true))
        .collect()
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

/// Tests known to fail for now, each with its reason: `known-failures.txt`.
const KNOWN_FAILURES: &str = include_str!("../../known-failures.txt");

/// Marks the trials listed in `known-failures.txt` ignored (they still run
/// with `--include-ignored`) and lists them, with their reasons, on stderr.
/// A line names a test, or a prefix of test names ending in `/`.
pub fn ignore_known_failures(trials: Vec<Trial>) -> Vec<Trial> {
    let entries: Vec<(&str, &str)> = KNOWN_FAILURES
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            l.split_once(char::is_whitespace)
                .map_or((l, ""), |(n, r)| (n, r.trim()))
        })
        .collect();
    trials
        .into_iter()
        .map(|trial| {
            let known = entries.iter().find(|(name, _)| {
                trial.name() == *name || (name.ends_with('/') && trial.name().starts_with(name))
            });
            match known {
                Some((_, reason)) if !trial.has_ignored_flag() => {
                    eprintln!("notice: known failure, ignored: {}: {reason}", trial.name());
                    trial.with_ignored_flag(true)
                }
                _ => trial,
            }
        })
        .collect()
}
