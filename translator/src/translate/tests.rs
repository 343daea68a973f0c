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
    let discovery = discover::discover::<Riscv64>(&bytes).unwrap();
    let (chosen, entries) = choose(&discovery);
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
            let clif = match lift::lift(&program, index as u32, c.func, &c.entries) {
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
    assert!(
        failures.is_empty(),
        "{} failures, first: {}",
        failures.len(),
        failures[0]
    );
}

#[test]
#[ignore]
fn histogram() {
    let bytes = std::fs::read(std::env::var("ELF").unwrap()).unwrap();
    let discovery = discover::discover::<Riscv64>(&bytes).unwrap();
    let (chosen, entries) = choose(&discovery);
    let program = Program {
        code: &discovery.code,
        entries: &entries,
    };
    let flags = optimizer_flags();
    let mut hist: std::collections::BTreeMap<String, usize> = Default::default();
    let (mut params, mut args) = (0, 0);
    let mut sizes = Vec::new();
    let (mut irreducible, mut irreducible_bytes) = (0, 0);
    let mut whole_dispatch = 0;
    let mut small = Vec::new();
    let mut buckets: std::collections::BTreeMap<usize, (usize, usize)> = Default::default();
    for (index, c) in chosen.iter().enumerate() {
        let clif = optimize(
            lift::lift(&program, index as u32, c.func, &c.entries).unwrap(),
            &flags,
        )
        .unwrap();
        let plan = crate::link::Plan::new(crate::runtime::RUNTIME_WASM).unwrap();
        let body = clif2wasm::emit(&clif, &Names(&plan)).unwrap();
        sizes.push((
            body.byte_len(),
            c.func.start,
            c.instructions,
            c.func.entries.len(),
            clif.dfg.num_values(),
        ));
        if clif2wasm::needs_dispatch_loop(&clif) {
            whole_dispatch += 1;
        }
        if !clif2wasm::is_reducible(&clif) {
            irreducible += 1;
            irreducible_bytes += body.byte_len();
            small.push((
                body.byte_len(),
                c.func.start,
                c.entries.external.len(),
                c.entries.internal.len(),
            ));
        }
        for block in clif.layout.blocks() {
            params += clif.dfg.block_params(block).len();
            for inst in clif.layout.block_insts(block) {
                *hist
                    .entry(clif.dfg.insts[inst].opcode().to_string())
                    .or_default() += 1;
                for dest in clif.dfg.insts[inst]
                    .branch_destination(&clif.dfg.jump_tables, &clif.dfg.exception_tables)
                {
                    args += dest.args(&clif.dfg.value_lists).count();
                }
            }
        }
        if std::env::var("DUMP")
            .ok()
            .and_then(|d| d.parse::<u64>().ok())
            == Some(c.func.start)
        {
            eprintln!("{}", clif.display());
        }
        let mut cfg = cranelift_codegen::flowgraph::ControlFlowGraph::with_function(&clif);
        cfg.compute(&clif);
        for block in clif.layout.blocks() {
            let n = clif.dfg.block_params(block).len();
            let preds = cfg.pred_iter(block).count();
            let e = buckets.entry(n.min(40)).or_insert((0usize, 0usize));
            e.0 += 1;
            e.1 += n * preds;
        }
    }
    let mut v: Vec<_> = hist.into_iter().collect();
    v.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    eprintln!("block params {params}, branch args {args}");
    sizes.sort();
    sizes.reverse();
    let total: usize = sizes.iter().map(|s| s.0).sum();
    eprintln!("total {total}; top 15 (bytes, start, insts, entries, values):");
    for s in sizes.iter().take(15) {
        eprintln!("  {s:?}");
    }
    let top: usize = sizes.iter().take(50).map(|s| s.0).sum();
    eprintln!("top 50: {top}");
    eprintln!("irreducible: {irreducible} functions, {irreducible_bytes} bytes");
    eprintln!("whole-function dispatch loop (last resort): {whole_dispatch} functions");
    small.sort();
    eprintln!("smallest irreducible: {:?}", &small[..small.len().min(8)]);
    for (n, (blocks, a)) in &buckets {
        eprintln!("params {n:>3}: {blocks:>6} blocks, {a:>7} args");
    }
    for (op, n) in v.iter().take(25) {
        eprintln!("{op:>16} {n}");
    }
}
