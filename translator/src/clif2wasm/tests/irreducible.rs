//! Irreducible CFGs: multi-entry loops get dispatch headers (see the
//! `reduce` module) while the rest of the function stays structured.
//! `check` also runs every irreducible function through the last-resort
//! dispatch loop and asserts that the last resort is not needed.

use super::*;
use crate::clif2wasm::reduce::make_reducible;
use crate::clif2wasm::structure::Cfg;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{Block, InstBuilder, JumpTableData};
use std::time::Instant;

/// The state update of block `i` in [`graph_function`].
fn step(i: usize, x: u32) -> u32 {
    x.wrapping_mul(0x9e37_79b1).wrapping_add(i as u32) ^ (x >> 7)
}

/// A function of (fuel: i32, x: i32) -> i32 with the CFG `succs` (block 0
/// is the entry, which no edge may target). Block i computes
/// `x = step(i, x)`, then returns `x` if it has no successors or if the
/// decremented fuel is zero, else goes to successor `(x >> 16) % n`
/// (`jump`, `brif` or `br_table` for 1, 2 or more successors) passing the
/// fuel and `x` as block arguments.
fn graph_function(succs: &[&[usize]]) -> Function {
    build(&[types::I32, types::I32], &[types::I32], |b, p| {
        let entry = b.current_block().unwrap();
        let blocks: Vec<(Block, Vec<Value>)> = std::iter::once((entry, p.to_vec()))
            .chain((1..succs.len()).map(|_| block_with(b, &[types::I32, types::I32])))
            .collect();
        for (i, targets) in succs.iter().enumerate() {
            let (block, v) = &blocks[i];
            b.switch_to_block(*block);
            let (fuel, x) = (v[0], v[1]);
            let m = b.ins().imul_imm_s(x, 0x9e37_79b1_u32 as i32 as i64);
            let a = b.ins().iadd_imm_s(m, i as i64);
            let s = b.ins().ushr_imm_s(x, 7);
            let x = b.ins().bxor(a, s);
            if targets.is_empty() {
                b.ins().return_(&[x]);
                continue;
            }
            let fuel = b.ins().iadd_imm_s(fuel, -1);
            let (ret, _) = block_with(b, &[]);
            let (go, _) = block_with(b, &[]);
            b.ins().brif(fuel, go, &[], ret, &[]);
            b.switch_to_block(ret);
            b.ins().return_(&[x]);
            b.switch_to_block(go);
            let sel = b.ins().ushr_imm_s(x, 16);
            let edge = |t: usize| (blocks[t].0, args(&[fuel, x]));
            match targets {
                [t] => {
                    let (t, a) = edge(*t);
                    b.ins().jump(t, &a);
                }
                [t0, t1] => {
                    let bit = b.ins().band_imm_s(sel, 1);
                    let ((t0, a0), (t1, a1)) = (edge(*t0), edge(*t1));
                    b.ins().brif(bit, t1, &a1, t0, &a0);
                }
                _ => {
                    let n = b.ins().iconst(types::I32, targets.len() as i64);
                    let index = b.ins().urem(sel, n);
                    let calls: Vec<_> = targets
                        .iter()
                        .map(|&t| {
                            let (t, a) = edge(t);
                            b.func.dfg.block_call(t, &a)
                        })
                        .collect();
                    // Index k goes to entry k; the default is never taken
                    // (and needs a `BlockCall` of its own).
                    let (t, a) = edge(targets[0]);
                    let default = b.func.dfg.block_call(t, &a);
                    let table = b.create_jump_table(JumpTableData::new(default, &calls));
                    b.ins().br_table(index, table);
                }
            }
        }
    })
}

/// What [`graph_function`] computes.
fn eval_graph(succs: &[&[usize]], mut fuel: u32, mut x: u32) -> u32 {
    let mut i = 0;
    loop {
        x = step(i, x);
        let targets = succs[i];
        if targets.is_empty() {
            return x;
        }
        fuel = fuel.wrapping_sub(1);
        if fuel == 0 {
            return x;
        }
        let sel = (x >> 16) as usize;
        i = match targets.len() {
            2 => targets[sel & 1],
            n => targets[sel % n],
        };
    }
}

/// Checks `graph_function(succs)` against `eval_graph`, after asserting
/// that its CFG is irreducible as given.
fn check_graph(succs: &[&[usize]]) {
    let func = graph_function(succs);
    for optimize in [false, true] {
        assert!(!Cfg::new(&prepare(&func, optimize)).reducible);
    }
    let mut cases = Vec::new();
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for fuel in [1u32, 2, 3, 5, 8, 13, 40, 100] {
        for _ in 0..6 {
            let x = rng.next() as u32;
            cases.push((
                vec![u64::from(fuel), u64::from(x)],
                Some(vec![u64::from(eval_graph(succs, fuel, x))]),
            ));
        }
    }
    check(&func, &cases);
}

#[test]
fn several_irreducible_sccs() {
    // Two two-entry loops one after the other.
    check_graph(&[&[1, 2], &[2, 3], &[1, 3], &[4, 5], &[5, 6], &[4, 6], &[]]);
}

#[test]
fn irreducible_loop_inside_irreducible_loop() {
    // {1, 2, 3, 4} is entered at 1 and 2; inside it, {3, 4} at 3 and 4.
    check_graph(&[&[1, 2], &[3, 4], &[1, 5], &[4, 2], &[3, 2], &[]]);
}

#[test]
fn loops_in_and_around_an_irreducible_loop() {
    // Outer loop headed by 1; inside it the two-entry loop {2, 3} where
    // entry 2 heads a self loop, then the self loop 4 and the latch 4 -> 1;
    // after the outer loop, another loop {7, 8}.
    check_graph(&[
        &[1],
        &[2, 3, 7],
        &[2, 3],
        &[2, 4],
        &[4, 1],
        &[],
        &[],
        &[8, 9],
        &[7, 9],
        &[],
    ]);
}

#[test]
fn br_table_into_an_scc() {
    // The entry's `br_table` enters the cycle 1 -> 2 -> 3 -> 1 at all three.
    check_graph(&[&[1, 2, 3], &[2], &[3], &[1, 4], &[]]);
    // Threaded code: every handler jumps to any handler (a computed goto).
    check_graph(&[
        &[1],
        &[2, 3, 4, 5],
        &[2, 3, 4, 5, 6],
        &[5, 4, 3, 2, 6],
        &[2, 6],
        &[3, 4],
        &[],
    ]);
}

#[test]
fn same_target_edges_into_an_scc() {
    // Several edges of a terminator to the same entry (both arms of a
    // `brif`, or `br_table` entries), from inside and from outside.
    check_graph(&[&[1, 2], &[2, 2], &[1, 1, 3], &[]]);
    check_graph(&[&[1, 2, 1, 2], &[3, 3], &[1, 1, 3], &[2, 4], &[]]);
}

/// Block arguments of several types on the edges into a two-entry loop,
/// which sits in an outer loop and is followed by another loop; entry `a`
/// also heads a self loop.
#[test]
fn block_arguments_into_an_scc() {
    let (i32_, i64_, f64_) = (types::I32, types::I64, types::F64);
    let func = build(&[i32_, i32_, f64_], &[i32_, f64_], |b, p| {
        let (outer, o) = block_with(b, &[i32_, i32_, f64_]);
        let (body, _) = block_with(b, &[]);
        let (a, va) = block_with(b, &[i32_]);
        let (a2, _) = block_with(b, &[]);
        let (bb, vb) = block_with(b, &[i64_, i32_, f64_]);
        let (latch, vl) = block_with(b, &[i32_, f64_]);
        let (post, vp) = block_with(b, &[i32_, i32_]);
        let n = p[1];
        let zero = b.ins().iconst(i32_, 0);
        b.ins().jump(outer, &args(&[zero, p[0], p[2]]));

        b.switch_to_block(outer);
        let (i, acc, f) = (o[0], o[1], o[2]);
        let done = b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, i, n);
        b.ins().brif(done, post, &args(&[acc, zero]), body, &[]);

        b.switch_to_block(body);
        let odd = b.ins().band_imm_s(i, 1);
        let wide = b.ins().uextend(i64_, acc);
        b.ins()
            .brif(odd, a, &args(&[acc]), bb, &args(&[wide, i, f]));

        b.switch_to_block(a);
        let v1 = b.ins().iadd_imm_s(va[0], 1);
        let low = b.ins().band_imm_s(v1, 7);
        b.ins().brif(low, a, &args(&[v1]), a2, &[]);

        b.switch_to_block(a2);
        let big = b.ins().icmp_imm_s(IntCC::UnsignedGreaterThan, v1, 1000);
        let w = b.ins().uextend(i64_, v1);
        let k = b.ins().band_imm_s(v1, 3);
        let half = b.ins().f64const(0.5);
        b.ins()
            .brif(big, latch, &args(&[v1, half]), bb, &args(&[w, k, f]));

        b.switch_to_block(bb);
        let w3 = b.ins().imul_imm_s(vb[0], 3);
        let k64 = b.ins().uextend(i64_, vb[1]);
        let w2 = b.ins().iadd(w3, k64);
        let one_and_half = b.ins().f64const(1.5);
        let g = b.ins().fadd(vb[2], one_and_half);
        let r = b.ins().ireduce(i32_, w2);
        let big = b.ins().icmp_imm_s(IntCC::UnsignedGreaterThan, w2, 2000);
        b.ins().brif(big, latch, &args(&[r, g]), a, &args(&[r]));

        b.switch_to_block(latch);
        let i1 = b.ins().iadd_imm_s(i, 1);
        let neg = b.ins().fcmp(FloatCC::LessThan, vl[1], f);
        let f1 = b.ins().select(neg, f, vl[1]);
        b.ins().jump(outer, &args(&[i1, vl[0], f1]));

        b.switch_to_block(post);
        let j1 = b.ins().iadd_imm_s(vp[1], 1);
        let m = b.ins().imul_imm_s(j1, 7);
        let acc2 = b.ins().bxor(vp[0], m);
        let more = b.ins().icmp_imm_s(IntCC::UnsignedLessThan, j1, 5);
        let (ret, _) = block_with(b, &[]);
        b.ins().brif(more, post, &args(&[acc2, j1]), ret, &[]);
        b.switch_to_block(ret);
        b.ins().return_(&[acc2, f]);
    });
    let eval = |x: u32, n: u32, f0: f64| -> (u32, f64) {
        let (mut i, mut acc, mut f) = (0u32, x, f0);
        while i < n {
            // The two-entry loop: `a` on odd i, `bb` on even i.
            let (mut in_a, mut v, mut w, mut k) = (i & 1 != 0, acc, u64::from(acc), i);
            let (r, h) = loop {
                if in_a {
                    v = v.wrapping_add(1);
                    if v & 7 != 0 {
                        continue;
                    }
                    if v > 1000 {
                        break (v, 0.5);
                    }
                    (w, k) = (u64::from(v), v & 3);
                    in_a = false;
                } else {
                    let w2 = w.wrapping_mul(3).wrapping_add(u64::from(k));
                    if w2 > 2000 {
                        break (w2 as u32, f + 1.5);
                    }
                    v = w2 as u32;
                    in_a = true;
                }
            };
            acc = r;
            f = if h < f { f } else { h };
            i += 1;
        }
        let mut j = 0u32;
        loop {
            j += 1;
            acc ^= j.wrapping_mul(7);
            if j >= 5 {
                return (acc, f);
            }
        }
    };
    for optimize in [false, true] {
        assert!(!Cfg::new(&prepare(&func, optimize)).reducible);
    }
    let mut cases = Vec::new();
    for x in [0u32, 1, 7, 999, 0xffff_fff0, 123_456] {
        for n in [0u32, 1, 2, 5] {
            for f0 in [-3.0f64, 0.25, 1e9] {
                let (r, f) = eval(x, n, f0);
                cases.push((
                    vec![u64::from(x), u64::from(n), f0.to_bits()],
                    Some(vec![u64::from(r), f.to_bits()]),
                ));
            }
        }
    }
    check(&func, &cases);
}

/// The operators of the only function body in `module`: (`br_table`
/// count, total `br_table` targets, `loop` count).
fn control_counts(module: &[u8]) -> (usize, usize, usize) {
    let mut counts = (0, 0, 0);
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        if let wasmparser::Payload::CodeSectionEntry(body) = payload.unwrap() {
            let mut ops = body.get_operators_reader().unwrap();
            while !ops.eof() {
                match ops.read().unwrap() {
                    wasmparser::Operator::BrTable { targets } => {
                        counts.0 += 1;
                        counts.1 += targets.len() as usize + 1;
                    }
                    wasmparser::Operator::Loop { .. } => counts.2 += 1,
                    _ => {}
                }
            }
        }
    }
    counts
}

/// A big reducible body (a chain of 300 diamonds-like blocks) with one small
/// two-entry loop at its start: only that loop pays for a dispatch now.
#[test]
fn small_irreducible_loop_in_a_big_body() {
    const N: usize = 300;
    let mut succs: Vec<Vec<usize>> = vec![vec![1, 2], vec![2, 3], vec![1, 3]];
    for i in 3..N {
        succs.push(vec![i + 1, (i + 2).min(N)]);
    }
    succs.push(vec![]);
    let succs: Vec<&[usize]> = succs.iter().map(|s| s.as_slice()).collect();
    let func = graph_function(&succs);
    let prepared = prepare(&func, true);
    assert!(!Cfg::new(&prepared).reducible);
    assert!(Cfg::new(&make_reducible(&prepared).unwrap()).reducible);

    let narrow = emit_module(&prepared, true).unwrap();
    let whole = emit_module_dispatch(&prepared).unwrap();
    let (n_tables, n_targets, n_loops) = control_counts(&narrow);
    let (w_tables, w_targets, w_loops) = control_counts(&whole);
    eprintln!(
        "narrowed: {} bytes, {n_tables} br_table ({n_targets} targets), {n_loops} loops; \
         whole-function dispatch: {} bytes, {w_tables} br_table ({w_targets} targets), {w_loops} loops",
        narrow.len(),
        whole.len()
    );
    // The two-entry header is a `brif`: no `br_table` is left, and the only
    // loop is the irreducible one.
    assert_eq!((n_tables, n_loops), (0, 1));
    assert!(w_targets > N);
    assert!(
        narrow.len() * 10 < whole.len() * 8,
        "{} vs {}",
        narrow.len(),
        whole.len()
    );

    // The engine compiles the narrowed body much faster.
    let compile = |bytes: &[u8]| {
        let start = Instant::now();
        Instance1::new(bytes);
        start.elapsed()
    };
    let (t_narrow, t_whole) = (compile(&narrow), compile(&whole));
    eprintln!("wasmtime: narrowed {t_narrow:?}, whole-function dispatch {t_whole:?}");
    assert!(t_narrow < t_whole, "{t_narrow:?} vs {t_whole:?}");

    let cases: Vec<_> = [(5u32, 1u32), (50, 77), (1000, 0xdead_beef), (400, 3)]
        .iter()
        .map(|&(fuel, x)| {
            (
                vec![u64::from(fuel), u64::from(x)],
                Some(vec![u64::from(eval_graph(&succs, fuel, x))]),
            )
        })
        .collect();
    check(&func, &cases);
}

/// The rewrite keeps the parts of the function that need no dispatch as
/// they are: in a two-entry loop whose entry heads an inner self loop, the
/// self loop's edge stays direct, and the function is unchanged when
/// emitted twice.
#[test]
fn dispatch_header_is_minimal_and_deterministic() {
    let succs: &[&[usize]] = &[&[1, 2], &[1, 2], &[1, 3], &[]];
    let prepared = prepare(&graph_function(succs), false);
    let reduced = make_reducible(&prepared).unwrap();
    assert!(Cfg::new(&reduced).reducible);
    // One header added, with the selector and the two shared slots.
    assert_eq!(
        reduced.layout.blocks().count(),
        prepared.layout.blocks().count() + 1
    );
    let header = reduced.layout.blocks().last().unwrap();
    assert_eq!(reduced.dfg.block_params(header).len(), 3);
    let body = || {
        emit_with(&prepared, &TestEnv, true)
            .unwrap()
            .into_raw_body()
    };
    assert_eq!(body(), body());
    assert_eq!(
        make_reducible(&prepared).unwrap().display().to_string(),
        reduced.display().to_string()
    );
}
