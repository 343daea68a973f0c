//! Lifting and optimizing every function of the BusyBox fixture: the lifter
//! produces CLIF that Cranelift's verifier accepts before and after the
//! mid-end.

use std::path::Path;
use std::time::Instant;

use super::*;

const BUSYBOX: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/fixtures/riscv64/busybox"
);

#[test]
fn busybox_lifts_and_verifies() {
    if !Path::new(BUSYBOX).exists() {
        eprintln!("skipped: the BusyBox fixture is not at {BUSYBOX}");
        return;
    }
    let bytes = std::fs::read(BUSYBOX).unwrap();
    let discovery = discover::discover(&bytes).unwrap();
    let chosen = choose(&discovery);
    let entries = entry_map(&chosen);
    let program = Program {
        code: &discovery.code,
        entries: &entries,
    };
    let flags = optimizer_flags();
    let started = Instant::now();
    let failures: Vec<String> = chosen
        .par_iter()
        .enumerate()
        .filter_map(|(index, c)| {
            let clif = match lift::lift(&program, index as u32, c.func) {
                Ok(clif) => clif,
                Err(e) => return Some(e.to_string()),
            };
            optimize(clif, &flags)
                .err()
                .map(|e| format!("function at {:#x}: {e}", c.func.start))
        })
        .collect();
    eprintln!(
        "lifted and optimized {} of {} functions in {:.2?}",
        chosen.len(),
        discovery.functions.len(),
        started.elapsed()
    );
    assert!(failures.is_empty(), "{} failures, first: {}", failures.len(), failures[0]);
}
