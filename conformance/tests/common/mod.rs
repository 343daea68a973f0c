//! Helpers shared by the test binaries.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use c2w_conformance::known::{self, Entry};
use c2w_conformance::outcome::{compare, Sides};
use c2w_conformance::{tools, translated, Invocation, Mode, Outcome, Scratch, Target};
use libtest_mimic::{Failed, Trial};

/// Where test binaries keep files between runs (compiled programs).
pub fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("c2w-conformance")
}

/// Marks every trial ignored and says why, once, on stderr.
pub fn skip_all(trials: Vec<Trial>, why: &str) -> Vec<Trial> {
    if !trials.is_empty() {
        eprintln!("notice: skipping {} tests: {why}", trials.len());
    }
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

/// `known-failures.txt`, parsed once (a malformed list stops the binary).
fn known_failures() -> &'static [Entry] {
    static ENTRIES: OnceLock<Vec<Entry>> = OnceLock::new();
    ENTRIES.get_or_init(|| {
        known::entries().unwrap_or_else(|err| {
            eprintln!("{err:#}");
            std::process::exit(101)
        })
    })
}

/// A test named `name` running `run`. A test listed in `known-failures.txt`
/// is ignored (it still runs with `--include-ignored`: a failure then names
/// the listed reason, and a pass prints a notice to remove its line).
pub fn trial(name: String, run: impl FnOnce() -> Result<(), Failed> + Send + 'static) -> Trial {
    match known::find(known_failures(), &name) {
        None => Trial::test(name, run),
        Some(entry) => {
            let (test, line) = (name.clone(), entry.line);
            let reason = entry.reason.clone();
            Trial::test(name, move || match run() {
                Ok(()) => {
                    eprintln!(
                        "notice: known failure passes now: {test} \
                         (known-failures.txt:{line}; remove or narrow that line)"
                    );
                    Ok(())
                }
                Err(failure) => Err(Failed::from(format!(
                    "{}\n(known failure, known-failures.txt:{line}: {reason})",
                    failure.message().unwrap_or_default()
                ))),
            })
            .with_ignored_flag(true)
        }
    }
}

/// Lists the known failures among `trials` on stderr: one line per
/// `known-failures.txt` line, with how many tests it covers here.
pub fn report_known_failures(trials: &[Trial]) {
    for entry in known_failures() {
        let count = trials
            .iter()
            .filter(|t| known::find(known_failures(), t.name()) == Some(entry))
            .count();
        if count > 0 {
            let targets: Vec<&str> = entry.targets.iter().map(|t| t.name()).collect();
            eprintln!(
                "notice: known failure, ignored: {} {} ({count} tests): {}",
                targets.join(","),
                entry.name,
                entry.reason
            );
        }
    }
}

/// Seconds a translated run may take.
pub const TRANSLATED_LIMIT: u64 = 300;

/// A program's reference run: the binary, its scratch space, how it was
/// run and what it did.
pub struct Reference {
    pub exe: PathBuf,
    pub scratch: Scratch,
    pub invocation: Invocation,
    pub outcome: Outcome,
}

/// Builds the reference's program in `mode`, runs it as the reference ran,
/// and compares the outcomes (`Ok(Err(..))`: they differ).
pub fn check(
    target: Target,
    reference: &Reference,
    mode: Mode,
) -> anyhow::Result<Result<(), String>> {
    let work = tempfile::tempdir()?;
    let module = translated::build(
        &reference.exe,
        None,
        mode,
        &work.path().join("program.wasm"),
    )?;
    let mut invocation = reference.invocation.clone();
    if invocation.mount.is_some() {
        invocation.mount = Some(
            reference
                .scratch
                .mount(&reference.scratch.side(mode.name())?),
        );
    }
    let outcome = translated::run(&module, &invocation, tools::timeout(TRANSLATED_LIMIT))?;
    let sides = Sides {
        expected: target.runner().name(),
        actual: mode.name(),
    };
    Ok(compare(sides, &reference.outcome, &outcome))
}
