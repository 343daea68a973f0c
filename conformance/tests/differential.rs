//! Differential tests of the C programs in `programs/`: each program is
//! compiled for every target (see `c2w_conformance::target`) and run under
//! the target's reference (qemu-riscv64 for riscv64, natively for x86_64)
//! and translated, in every mode; stdout, stderr, the exit status and the
//! files left in a mounted directory must be identical.
//!
//! Tests are named `[TARGET/]c/PROGRAM/OPT/MODE`, e.g.
//! `c/int_edge/O2/interp` (riscv64) or `x86_64-musl/c/int_edge/O2/aot`.
//!
//! riscv64 runs every optimisation level in every mode. x86_64 runs a
//! sample by default, each program at -O2 translated and at -O0
//! interpreted, for both C libraries; `C2W_CONFORMANCE_FULL=1` runs the
//! whole matrix for x86_64 as well.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use c2w_conformance::cprog::{self, Program, OPT_LEVELS};
use c2w_conformance::tools;
use c2w_conformance::{Mode, Scratch, Target, MODES, TARGETS};
use common::{check, failed, shared, Reference, Shared};
use libtest_mimic::{Arguments, Failed, Trial};

/// Seconds one reference run may take.
const REFERENCE_LIMIT: u64 = 60;

/// The optimisation levels and modes a target's programs run in.
fn matrix(target: Target) -> Vec<(&'static str, Mode)> {
    let full = OPT_LEVELS
        .iter()
        .flat_map(|&opt| MODES.iter().map(move |&mode| (opt, mode)))
        .collect();
    if target == Target::Riscv64 || std::env::var_os("C2W_CONFORMANCE_FULL").is_some() {
        return full;
    }
    vec![("O2", Mode::Aot), ("O0", Mode::Interp)]
}

/// A program compiled at one level and run by the reference: shared by the
/// modes.

fn reference(target: Target, program: &Program, opt: &str) -> anyhow::Result<Reference> {
    let exe = cprog::compile_for(target, program, opt, &target.cache(&common::cache_dir()))?;
    let scratch = Scratch::new()?;
    let invocation = program.invocation(&scratch)?;
    let outcome = target.reference(&exe, &invocation, tools::timeout(REFERENCE_LIMIT))?;
    Ok(Reference {
        exe,
        scratch,
        invocation,
        outcome,
    })
}

fn trials(target: Target, programs: &[Arc<Program>]) -> Vec<Trial> {
    let mut trials = Vec::new();
    let mut not_for: Vec<&str> = Vec::new();
    for program in programs {
        if !program.supports(target) {
            not_for.push(&program.name);
            continue;
        }
        // One reference per level, shared by the modes.
        let mut references: BTreeMap<&str, Shared<Reference>> = BTreeMap::new();
        for (opt, mode) in matrix(target) {
            let reference = references.entry(opt).or_default().clone();
            let program = program.clone();
            let name = format!("{}c/{}/{opt}/{mode}", target.test_prefix(), program.name);
            trials.push(common::trial(name, move || -> Result<(), Failed> {
                let what = format!("the {} run", target.runner().name());
                let reference =
                    shared(&reference, &what, || self::reference(target, &program, opt))?;
                check(target, reference, mode)
                    .map_err(failed)?
                    .map_err(Failed::from)
            }));
        }
    }
    if !not_for.is_empty() {
        eprintln!(
            "notice: not built for {target} (inline assembly of another ISA, see their \
             `// arch:` lines): {}",
            not_for.join(", ")
        );
    }
    match tools::missing(&target.tools()) {
        Some(why) => common::skip_all(trials, &format!("{target}: {why}")),
        None => trials,
    }
}

fn main() {
    let args = Arguments::from_args();
    let programs = match cprog::discover(&cprog::programs_dir()) {
        Ok(programs) => programs,
        Err(err) => {
            eprintln!("cannot list the C programs: {err:#}");
            std::process::exit(101);
        }
    };
    let programs: Vec<Arc<Program>> = programs.into_iter().map(Arc::new).collect();
    let trials: Vec<Trial> = TARGETS
        .iter()
        .flat_map(|&target| trials(target, &programs))
        .collect();
    common::report_known_failures(&trials);
    libtest_mimic::run(&args, trials).exit();
}
