//! Differential tests of the C programs in `programs/`: each program is
//! compiled for riscv64 at every optimisation level and run under
//! qemu-riscv64 and translated, in every mode; stdout, stderr, the exit
//! status and the files left in a mounted directory must be identical.
//!
//! Tests are named `c/PROGRAM/OPT/MODE`, e.g. `c/int_edge/O2/interp`.

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use c2w_conformance::cprog::{self, Program, OPT_LEVELS};
use c2w_conformance::outcome::{compare, Sides};
use c2w_conformance::tools::{self, CC, QEMU};
use c2w_conformance::{qemu, translated, Invocation, Mode, Outcome, Scratch, MODES};
use common::{failed, shared, Shared};
use libtest_mimic::{Arguments, Failed, Trial};

/// Seconds one qemu run may take.
const QEMU_LIMIT: u64 = 60;
/// Seconds one translated run may take (interpreted code is slow).
const TRANSLATED_LIMIT: u64 = 300;

/// A program compiled at one level and run under qemu: shared by the modes.
struct Reference {
    exe: PathBuf,
    scratch: Scratch,
    invocation: Invocation,
    outcome: Outcome,
}

fn reference(program: &Program, opt: &str) -> anyhow::Result<Reference> {
    let exe = cprog::compile(program, opt, &common::cache_dir().join("programs"))?;
    let scratch = Scratch::new()?;
    let invocation = program.invocation(&scratch)?;
    let outcome = qemu::run(&exe, &invocation, tools::timeout(QEMU_LIMIT))?;
    Ok(Reference {
        exe,
        scratch,
        invocation,
        outcome,
    })
}

fn check(reference: &Reference, mode: Mode) -> anyhow::Result<Result<(), String>> {
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
        expected: "qemu",
        actual: mode.name(),
    };
    Ok(compare(sides, &reference.outcome, &outcome))
}

fn trials() -> anyhow::Result<Vec<Trial>> {
    let mut trials = Vec::new();
    for program in cprog::discover(&cprog::programs_dir())? {
        let program = Arc::new(program);
        for &opt in OPT_LEVELS {
            let reference: Shared<Reference> = Shared::default();
            for &mode in MODES {
                let (program, reference) = (program.clone(), reference.clone());
                let name = format!("c/{}/{opt}/{mode}", program.name);
                trials.push(Trial::test(name, move || -> Result<(), Failed> {
                    let reference = shared(&reference, "the qemu run", || {
                        self::reference(&program, opt)
                    })?;
                    check(reference, mode)
                        .map_err(failed)?
                        .map_err(Failed::from)
                }));
            }
        }
    }
    Ok(trials)
}

fn main() {
    let args = Arguments::from_args();
    let trials = match trials() {
        Ok(trials) => trials,
        Err(err) => {
            eprintln!("cannot list the C programs: {err:#}");
            std::process::exit(101);
        }
    };
    let trials = common::ignore_known_failures(trials);
    let trials = match tools::missing(&[CC, QEMU]) {
        Some(why) => common::skip_all(trials, &why),
        None => trials,
    };
    libtest_mimic::run(&args, trials).exit();
}
