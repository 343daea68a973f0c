//! Rust programs (`rust/*.rs`, each one file with a spec comment like the C
//! programs') built statically for x86_64-unknown-linux-musl, run natively
//! as the reference and translated, in every mode; stdout, stderr and the
//! exit status must be identical.
//!
//! Each program is built twice: as a non-PIE static executable
//! (`-C relocation-model=static`) and as the target's default, a static PIE.
//! Tests are named `x86_64-musl/rust/PROGRAM/LINKING/MODE`, e.g.
//! `x86_64-musl/rust/std_tour/static-pie/aot`.
//!
//! The Rust target comes from `rustup target add x86_64-unknown-linux-musl`,
//! which the test runs itself when the target is missing; without it (no
//! rustup, no network) the tests are skipped with a notice.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use anyhow::Context as _;
use c2w_conformance::cprog::{self, Program, Toolchain};
use c2w_conformance::{tools, Scratch, Target, MODES};
use common::{check, failed, shared, Reference, Shared};
use libtest_mimic::{Arguments, Failed, Trial};

/// The guest target of the Rust programs.
const TARGET: Target = Target::X86_64Musl;
/// Rust's name for it.
const RUST_TARGET: &str = "x86_64-unknown-linux-musl";
const RUSTC: &str = "rustc";

/// Seconds one reference run may take.
const REFERENCE_LIMIT: u64 = 60;

/// How each program is linked, with the flags that make it so.
const LINKINGS: &[(&str, &[&str])] = &[
    (
        "static",
        &[
            "--edition=2021",
            "--target",
            RUST_TARGET,
            "-Copt-level=2",
            "-Crelocation-model=static",
        ],
    ),
    (
        "static-pie",
        &["--edition=2021", "--target", RUST_TARGET, "-Copt-level=2"],
    ),
];

fn programs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rust")
}

/// Whether rustc has the standard library for `RUST_TARGET`.
fn target_installed() -> bool {
    Command::new(RUSTC)
        .args(["--print", "target-libdir", "--target", RUST_TARGET])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .is_some_and(|dir| {
            std::fs::read_dir(dir).is_ok_and(|entries| {
                entries
                    .flatten()
                    .any(|e| e.file_name().to_string_lossy().starts_with("libstd-"))
            })
        })
}

/// Installs the Rust target if it is missing; why it is unavailable if it
/// still is.
fn ensure_target() -> Option<String> {
    if !tools::on_path(RUSTC) {
        return Some(format!("{RUSTC} not found on PATH"));
    }
    if target_installed() {
        return None;
    }
    if tools::on_path("rustup") {
        eprintln!("notice: running rustup target add {RUST_TARGET}");
        let _ = Command::new("rustup")
            .args(["target", "add", RUST_TARGET])
            .status();
        if target_installed() {
            return None;
        }
    }
    Some(format!(
        "the Rust target {RUST_TARGET} is not installed (rustup target add {RUST_TARGET})"
    ))
}

/// A program built one way and run natively: shared by the modes.

fn reference(program: &Program, linking: &str, flags: &[&str]) -> anyhow::Result<Reference> {
    let toolchain = Toolchain {
        cc: RUSTC,
        flags,
        libs: &[],
    };
    let exe = toolchain
        .compile(
            &program.source,
            &format!("{}-{linking}", program.name),
            &common::cache_dir().join("rust"),
        )
        .context("cannot build the Rust program")?;
    let scratch = Scratch::new()?;
    let invocation = program.invocation(&scratch)?;
    let outcome = TARGET.reference(&exe, &invocation, tools::timeout(REFERENCE_LIMIT))?;
    Ok(Reference {
        exe,
        scratch,
        invocation,
        outcome,
    })
}

fn main() {
    let args = Arguments::from_args();
    let programs = cprog::discover_sources(&programs_dir(), "rs").unwrap_or_else(|err| {
        eprintln!("cannot list the Rust programs: {err:#}");
        std::process::exit(101)
    });
    let mut trials: Vec<Trial> = Vec::new();
    for program in programs {
        let program = Arc::new(program);
        for &(linking, flags) in LINKINGS {
            let reference: Shared<Reference> = Shared::default();
            for &mode in MODES {
                let (program, reference) = (program.clone(), reference.clone());
                let name = format!(
                    "{}rust/{}/{linking}/{mode}",
                    TARGET.test_prefix(),
                    program.name
                );
                trials.push(common::trial(name, move || -> Result<(), Failed> {
                    let reference = shared(&reference, "the native run", || {
                        self::reference(&program, linking, flags)
                    })?;
                    check(TARGET, reference, mode)
                        .map_err(failed)?
                        .map_err(Failed::from)
                }));
            }
        }
    }
    common::report_known_failures(&trials);
    // Only when a test would run: listing them must not install anything.
    let trials = if args.list {
        trials
    } else if let Some(why) = tools::missing(&TARGET.tools()) {
        common::skip_all(trials, &why)
    } else if let Some(why) = ensure_target() {
        common::skip_all(trials, &why)
    } else {
        trials
    };
    libtest_mimic::run(&args, trials).exit();
}
