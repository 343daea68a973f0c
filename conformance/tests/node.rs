//! The same modules under a second WASI runtime: node's `node:wasi` (through
//! `node/run.mjs`) must give the same stdout, stderr, exit status and files
//! as the embedded wasmtime. Skipped, with a notice, without node 20 or later.
//!
//! Tests are named `node/PROGRAM/MODE`, e.g. `node/argv_env/interp`.

mod common;

use std::path::Path;
use std::sync::Arc;

use c2w_conformance::cprog::{self, Program};
use c2w_conformance::outcome::{compare, Sides};
use c2w_conformance::tools::{self, CC};
use c2w_conformance::{node, translated, Invocation, Mode, Outcome, Scratch, MODES};
use common::failed;
use libtest_mimic::{Arguments, Failed};

/// Programs that exercise what differs most between WASI hosts: arguments,
/// environment, stdin, exit paths, preopened and overlay files, clocks,
/// randomness, floating-point state.
const PROGRAMS: &[&str] = &[
    "argv_env",
    "stdin_wc",
    "exit_nested",
    "exit_return",
    "file_io",
    "dir_mount",
    "clock",
    "getrandom",
    "float_rounding",
    "malloc_churn",
];

/// Seconds one run may take.
const LIMIT: u64 = 300;

fn check(program: &Program, mode: Mode) -> anyhow::Result<Result<(), String>> {
    let exe = cprog::compile(program, "O2", &common::cache_dir().join("programs"))?;
    let scratch = Scratch::new()?;
    let module = translated::build(
        &exe,
        None,
        mode,
        &scratch.side("module")?.join("program.wasm"),
    )?;
    let invocation = program.invocation(&scratch)?;
    let limit = tools::timeout(LIMIT);
    // Each runtime gets its own copy of the mounted directory.
    let on = |side: &str, run: &dyn Fn(&Path, &Invocation) -> anyhow::Result<Outcome>| {
        let mut invocation = invocation.clone();
        if invocation.mount.is_some() {
            invocation.mount = Some(scratch.mount(&scratch.side(side)?));
        }
        run(&module, &invocation)
    };
    let wasmtime = on("wasmtime", &|m, inv| translated::run(m, inv, limit))?;
    let node = on("node", &|m, inv| node::run(m, inv, limit))?;
    let sides = Sides {
        expected: "wasmtime",
        actual: "node",
    };
    Ok(compare(sides, &wasmtime, &node))
}

fn main() {
    let args = Arguments::from_args();
    let programs = cprog::discover(&cprog::programs_dir()).expect("cannot list the C programs");
    let mut trials = Vec::new();
    for name in PROGRAMS {
        let program = Arc::new(
            programs
                .iter()
                .find(|p| p.name == *name)
                .unwrap_or_else(|| panic!("no program {name}"))
                .clone(),
        );
        for &mode in MODES {
            let program = program.clone();
            trials.push(common::trial(
                format!("node/{name}/{mode}"),
                move || -> Result<(), Failed> {
                    check(&program, mode).map_err(failed)?.map_err(Failed::from)
                },
            ));
        }
    }
    common::report_known_failures(&trials);
    let trials = match (node::major_version(), tools::missing(&[CC])) {
        (_, Some(why)) => common::skip_all(trials, &why),
        (None, _) => common::skip_all(trials, "node not found"),
        (Some(v), _) if v < 20 => common::skip_all(trials, &format!("node {v} is older than 20")),
        _ => trials,
    };
    libtest_mimic::run(&args, trials).exit();
}
