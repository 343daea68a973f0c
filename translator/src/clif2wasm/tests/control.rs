//! Control-flow tests: loops, diamonds, switches, block arguments,
//! irreducible graphs and large functions.

use super::*;
use crate::clif2wasm::structure::Cfg;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{Block, InstBuilder, JumpTableData, TrapCode};
use std::time::{Duration, Instant};

#[test]
fn nested_loops() {
    let func = build(&[types::I32], &[types::I64], |b, p| {
        let (outer, o) = block_with(b, &[types::I32, types::I64]);
        let (outer_body, _) = block_with(b, &[]);
        let (inner, n) = block_with(b, &[types::I32, types::I64]);
        let (inner_body, _) = block_with(b, &[]);
        let (inner_exit, _) = block_with(b, &[]);
        let (exit, e) = block_with(b, &[types::I64]);
        let zero = b.ins().iconst(types::I32, 0);
        let zero64 = b.ins().iconst(types::I64, 0);
        b.ins().jump(outer, &args(&[zero, zero64]));

        b.switch_to_block(outer);
        let more = b.ins().icmp(IntCC::SignedLessThan, o[0], p[0]);
        b.ins().brif(more, outer_body, &[], exit, &args(&[o[1]]));

        b.switch_to_block(outer_body);
        let zero = b.ins().iconst(types::I32, 0);
        b.ins().jump(inner, &args(&[zero, o[1]]));

        b.switch_to_block(inner);
        let more = b.ins().icmp(IntCC::SignedLessThan, n[0], o[0]);
        b.ins().brif(more, inner_body, &[], inner_exit, &[]);

        b.switch_to_block(inner_body);
        let prod = b.ins().imul(o[0], n[0]);
        let mixed = b.ins().bxor(prod, n[0]);
        let wide = b.ins().uextend(types::I64, mixed);
        let acc = b.ins().iadd(n[1], wide);
        let one = b.ins().iconst(types::I32, 1);
        let j = b.ins().iadd(n[0], one);
        b.ins().jump(inner, &args(&[j, acc]));

        b.switch_to_block(inner_exit);
        let i = b.ins().iadd_imm_s(o[0], 1);
        b.ins().jump(outer, &args(&[i, n[1]]));

        b.switch_to_block(exit);
        b.ins().return_(&[e[0]]);
    });
    let eval = |n: i32| {
        let mut acc = 0u64;
        for i in 0..n {
            for j in 0..i {
                acc = acc.wrapping_add(u64::from((i.wrapping_mul(j) ^ j) as u32));
            }
        }
        acc
    };
    let cases: Vec<_> = [0i32, 1, 2, 5, 17, 100, -3]
        .iter()
        .map(|&n| (vec![n as u32 as u64], Some(vec![eval(n)])))
        .collect();
    check(&func, &cases);
}

#[test]
fn loop_with_several_exits() {
    let func = build(&[types::I32, types::I32], &[types::I32], |b, p| {
        let (head, h) = block_with(b, &[types::I32]);
        let (next, _) = block_with(b, &[]);
        let (body, _) = block_with(b, &[]);
        let (found, f) = block_with(b, &[types::I32]);
        let (too_long, _) = block_with(b, &[]);
        let zero = b.ins().iconst(types::I32, 0);
        b.ins().jump(head, &args(&[zero]));

        b.switch_to_block(head);
        let square = b.ins().imul(h[0], h[0]);
        let hit = b.ins().icmp(IntCC::Equal, square, p[0]);
        b.ins().brif(hit, found, &args(&[h[0]]), next, &[]);

        b.switch_to_block(next);
        let over = b.ins().icmp(IntCC::SignedGreaterThanOrEqual, h[0], p[1]);
        b.ins().brif(over, too_long, &[], body, &[]);

        b.switch_to_block(body);
        let one = b.ins().iconst(types::I32, 1);
        let i = b.ins().iadd(h[0], one);
        b.ins().jump(head, &args(&[i]));

        b.switch_to_block(found);
        let ten = b.ins().iconst(types::I32, 10);
        let r = b.ins().imul(f[0], ten);
        let r = b.ins().iadd_imm_s(r, 1);
        b.ins().return_(&[r]);

        b.switch_to_block(too_long);
        let minus = b.ins().iconst(types::I32, -1);
        b.ins().return_(&[minus]);
    });
    let eval = |x: i32, limit: i32| {
        let mut i = 0i32;
        loop {
            if i.wrapping_mul(i) == x {
                return i * 10 + 1;
            }
            if i >= limit {
                return -1;
            }
            i += 1;
        }
    };
    let cases: Vec<_> = [(0, 5), (49, 5), (49, 10), (50, 100), (10000, 200), (-1, 0)]
        .iter()
        .map(|&(x, l)| {
            (
                vec![x as u32 as u64, l as u32 as u64],
                Some(vec![eval(x, l) as u32 as u64]),
            )
        })
        .collect();
    check(&func, &cases);
}

#[test]
fn diamonds_and_same_target_edges() {
    let func = build(&[types::I32, types::I32], &[types::I32], |b, p| {
        let (then, t) = block_with(b, &[types::I32]);
        let (other, o) = block_with(b, &[types::I32]);
        let (join, j) = block_with(b, &[types::I32, types::I32]);
        let (last, l) = block_with(b, &[types::I32]);
        let less = b.ins().icmp(IntCC::SignedLessThan, p[0], p[1]);
        b.ins()
            .brif(less, then, &args(&[p[0]]), other, &args(&[p[1]]));

        b.switch_to_block(then);
        let q = b.ins().iadd(t[0], t[0]);
        let one = b.ins().iconst(types::I32, 1);
        b.ins().jump(join, &args(&[q, one]));

        b.switch_to_block(other);
        let three = b.ins().iconst(types::I32, 3);
        let q = b.ins().iadd(o[0], three);
        let two = b.ins().iconst(types::I32, 2);
        b.ins().jump(join, &args(&[q, two]));

        b.switch_to_block(join);
        let v = b.ins().imul(j[0], j[1]);
        // Both edges of a branch to the same block, with different arguments.
        let odd = b.ins().band_imm_s(v, 1);
        let seven = b.ins().iconst(types::I32, 7);
        b.ins().brif(odd, last, &args(&[v]), last, &args(&[seven]));

        b.switch_to_block(last);
        let r = b.ins().iadd_imm_s(l[0], 1);
        b.ins().return_(&[r]);
    });
    let eval = |a: i32, bb: i32| {
        let v = if a < bb { a + a } else { (bb + 3) * 2 };
        (if v & 1 != 0 { v } else { 7 }) + 1
    };
    let cases: Vec<_> = [(1, 2), (2, 1), (5, 9), (-4, -5), (3, 3)]
        .iter()
        .map(|&(a, bb)| {
            (
                vec![a as u32 as u64, bb as u32 as u64],
                Some(vec![eval(a, bb) as u32 as u64]),
            )
        })
        .collect();
    check(&func, &cases);
}

#[test]
fn switch_with_arguments() {
    let func = build(&[types::I32, types::I64], &[types::I64], |b, p| {
        let (c0, v0) = block_with(b, &[types::I64]);
        let (c1, v1) = block_with(b, &[types::I64]);
        let (c2, _) = block_with(b, &[]);
        let (d, vd) = block_with(b, &[types::I64]);
        let y = b.ins().iadd_imm_s(p[1], 1);
        let pool = &mut b.func.dfg;
        let call = |pool: &mut cranelift_codegen::ir::DataFlowGraph, block, vals: &[Value]| {
            pool.block_call(block, &args(vals))
        };
        let default = call(pool, d, &[p[1]]);
        let entries = [
            call(pool, c0, &[p[1]]),
            call(pool, c1, &[y]),
            call(pool, c0, &[y]),
            call(pool, c2, &[]),
            call(pool, c1, &[p[1]]),
            call(pool, c0, &[p[1]]),
        ];
        let table = b.create_jump_table(JumpTableData::new(default, &entries));
        b.ins().br_table(p[0], table);

        b.switch_to_block(c0);
        let r = b.ins().imul_imm_s(v0[0], 2);
        b.ins().return_(&[r]);
        b.switch_to_block(c1);
        let r = b.ins().iadd_imm_s(v1[0], -7);
        b.ins().return_(&[r]);
        b.switch_to_block(c2);
        let r = b.ins().iconst(types::I64, 99);
        b.ins().return_(&[r]);
        b.switch_to_block(d);
        let r = b.ins().bxor_imm_s(vd[0], 0x55);
        b.ins().return_(&[r]);
    });
    let eval = |i: u32, x: i64| match i {
        0 | 5 => x * 2,
        1 => x + 1 - 7,
        2 => (x + 1) * 2,
        3 => 99,
        4 => x - 7,
        _ => x ^ 0x55,
    };
    let mut cases = Vec::new();
    for i in [0u32, 1, 2, 3, 4, 5, 6, 7, 1000, 0x8000_0000, u32::MAX] {
        for x in [0i64, 10, -3] {
            cases.push((vec![u64::from(i), x as u64], Some(vec![eval(i, x) as u64])));
        }
    }
    check(&func, &cases);
}

#[test]
fn swaps_through_block_parameters() {
    let func = build(
        &[types::I32, types::I64, types::I64, types::I64],
        &[types::I64, types::I64, types::I64],
        |b, p| {
            let (head, h) = block_with(b, &[types::I32, types::I64, types::I64, types::I64]);
            let (body, _) = block_with(b, &[]);
            let (odd, _) = block_with(b, &[]);
            let (exit, e) = block_with(b, &[types::I64, types::I64, types::I64]);
            b.ins().jump(head, &args(&[p[0], p[1], p[2], p[3]]));

            b.switch_to_block(head);
            b.ins()
                .brif(h[0], body, &[], exit, &args(&[h[1], h[2], h[3]]));

            b.switch_to_block(body);
            let k = b.ins().iadd_imm_s(h[0], -1);
            let bit = b.ins().band_imm_s(h[0], 1);
            // Even counts rotate the three values; odd ones swap the first two
            // and add them into the third.
            b.ins()
                .brif(bit, odd, &[], head, &args(&[k, h[2], h[3], h[1]]));

            b.switch_to_block(odd);
            let sum = b.ins().iadd(h[1], h[3]);
            b.ins().jump(head, &args(&[k, h[2], h[1], sum]));

            b.switch_to_block(exit);
            b.ins().return_(&[e[0], e[1], e[2]]);
        },
    );
    let eval = |n: u32, mut x: u64, mut y: u64, mut z: u64| {
        let mut k = n;
        while k != 0 {
            if k & 1 == 0 {
                (x, y, z) = (y, z, x);
            } else {
                (x, y, z) = (y, x, z.wrapping_add(x));
            }
            k -= 1;
        }
        vec![x, y, z]
    };
    let cases: Vec<_> = [0u32, 1, 2, 3, 10, 33]
        .iter()
        .map(|&n| (vec![u64::from(n), 1, 20, 300], Some(eval(n, 1, 20, 300))))
        .collect();
    check(&func, &cases);
}

/// Entry branches into either of two blocks that branch to each other.
fn irreducible() -> Function {
    build(&[types::I32, types::I32], &[types::I32], |b, p| {
        let (a, va) = block_with(b, &[types::I32]);
        let (bb, vb) = block_with(b, &[types::I32]);
        let (exit, e) = block_with(b, &[types::I32]);
        b.ins().brif(p[0], a, &args(&[p[1]]), bb, &args(&[p[1]]));

        b.switch_to_block(a);
        let v = b.ins().iadd_imm_s(va[0], 3);
        let big = b.ins().icmp_imm_s(IntCC::UnsignedGreaterThan, v, 100);
        b.ins().brif(big, exit, &args(&[v]), bb, &args(&[v]));

        b.switch_to_block(bb);
        let w = b.ins().imul_imm_s(vb[0], 2);
        let big = b.ins().icmp_imm_s(IntCC::UnsignedGreaterThan, w, 200);
        let tagged = b.ins().bor_imm_s(w, 0x1000);
        b.ins().brif(big, exit, &args(&[tagged]), a, &args(&[w]));

        b.switch_to_block(exit);
        b.ins().return_(&[e[0]]);
    })
}

#[test]
fn irreducible_cfg() {
    let func = irreducible();
    for optimize in [false, true] {
        assert!(!Cfg::new(&prepare(&func, optimize)).reducible);
    }
    let eval = |c: u32, x: u32| {
        let mut in_a = c != 0;
        let mut v = x;
        loop {
            if in_a {
                v = v.wrapping_add(3);
                if v > 100 {
                    return v;
                }
            } else {
                v = v.wrapping_mul(2);
                if v > 200 {
                    return v | 0x1000;
                }
            }
            in_a = !in_a;
        }
    };
    let mut cases = Vec::new();
    for c in [0u32, 1] {
        for x in [0u32, 1, 5, 99, 150, 1000] {
            cases.push((
                vec![u64::from(c), u64::from(x)],
                Some(vec![u64::from(eval(c, x))]),
            ));
        }
    }
    check(&func, &cases);
}

#[test]
fn traps_and_unreachable_blocks() {
    let func = build(&[types::I32], &[types::I32], |b, p| {
        let (ok, _) = block_with(b, &[]);
        let (bad, _) = block_with(b, &[]);
        let (never, _) = block_with(b, &[]);
        b.ins().brif(p[0], ok, &[], bad, &[]);
        b.switch_to_block(ok);
        b.ins().return_(&[p[0]]);
        b.switch_to_block(bad);
        b.ins().trap(TrapCode::user(3).unwrap());
        b.switch_to_block(never);
        b.ins().jump(ok, &[]);
    });
    check(&func, &[(vec![4], Some(vec![4])), (vec![0], None)]);
}

/// A chain of `n` blocks; block i computes x = x * 3 + i and jumps either
/// to block i + 1, or (when x is a multiple of 4) to block i + 2 with x ^ 5,
/// so that almost every block is a merge node. Irreducible variant: every
/// tenth block may also jump back into the middle of the previous ten.
fn chain(n: usize, irreducible: bool) -> Function {
    build(&[types::I32], &[types::I32], |b, p| {
        let blocks: Vec<(Block, Value)> = (0..n + 2)
            .map(|_| {
                let (block, v) = block_with(b, &[types::I32]);
                (block, v[0])
            })
            .collect();
        b.ins().jump(blocks[0].0, &args(&[p[0]]));
        for i in 0..n {
            let (block, x) = blocks[i];
            b.switch_to_block(block);
            let x3 = b.ins().imul_imm_s(x, 3);
            let x1 = b.ins().iadd_imm_s(x3, i as i64);
            let low = b.ins().band_imm_s(x1, 3);
            let skip = b.ins().icmp_imm_s(IntCC::Equal, low, 0);
            let other = b.ins().bxor_imm_s(x1, 5);
            let far = if irreducible && i % 10 == 9 {
                // Back into the middle of the previous group, guarded so that
                // the program terminates: only for small values.
                let small = b.ins().icmp_imm_s(IntCC::UnsignedLessThan, x1, 64);
                let (back, _) = block_with(b, &[]);
                let (fwd, _) = block_with(b, &[]);
                b.ins().brif(small, back, &[], fwd, &[]);
                b.switch_to_block(back);
                let bigger = b.ins().iadd_imm_s(x1, 1000);
                b.ins().jump(blocks[i - 4].0, &args(&[bigger]));
                b.switch_to_block(fwd);
                blocks[i + 2].0
            } else {
                blocks[i + 2].0
            };
            b.ins()
                .brif(skip, far, &args(&[other]), blocks[i + 1].0, &args(&[x1]));
        }
        for &(block, x) in &blocks[n..] {
            b.switch_to_block(block);
            b.ins().return_(&[x]);
        }
    })
}

fn eval_chain(n: usize, irreducible: bool, x0: u32) -> u32 {
    let (mut i, mut x) = (0usize, x0);
    while i < n {
        let x1 = x.wrapping_mul(3).wrapping_add(i as u32);
        if x1 & 3 == 0 {
            if irreducible && i % 10 == 9 && x1 < 64 {
                x = x1 + 1000;
                i -= 4;
                continue;
            }
            x = x1 ^ 5;
            i += 2;
        } else {
            x = x1;
            i += 1;
        }
    }
    x
}

#[test]
fn thousands_of_blocks() {
    for irreducible in [false, true] {
        let n = 3000;
        let func = chain(n, irreducible);
        for optimize in [false, true] {
            let prepared = prepare(&func, optimize);
            assert_eq!(Cfg::new(&prepared).reducible, !irreducible);
            let start = Instant::now();
            super::super::emit(&prepared, &TestEnv).unwrap();
            let took = start.elapsed();
            assert!(took < Duration::from_millis(500), "emit took {took:?}");
        }
        // Running needs wasmtime to compile the module: `check` also runs an
        // irreducible function through the whole-function dispatch loop,
        // which costs it time quadratic in the number of blocks (see the
        // caveats in the structure module), so the irreducible variant runs
        // on a shorter chain.
        let n = if irreducible { 300 } else { n };
        let func = chain(n, irreducible);
        let cases: Vec<_> = [0u32, 1, 2, 7, 12345, u32::MAX]
            .iter()
            .map(|&x| {
                (
                    vec![u64::from(x)],
                    Some(vec![u64::from(eval_chain(n, irreducible, x))]),
                )
            })
            .collect();
        check(&func, &cases);
    }
}

#[test]
fn deep_dominator_tree() {
    // 5000 blocks, each either returning or continuing to the next: the
    // dominator tree is one long path, emitted as nested `if`s.
    let n = 5000;
    let func = build(&[types::I32], &[types::I32], |b, p| {
        let mut x = p[0];
        for i in 0..n {
            let (next, _) = block_with(b, &[]);
            let (exit, _) = block_with(b, &[]);
            let hit = b.ins().icmp_imm_s(IntCC::Equal, x, i);
            b.ins().brif(hit, exit, &[], next, &[]);
            b.switch_to_block(exit);
            let r = b.ins().iconst(types::I32, i * 7);
            b.ins().return_(&[r]);
            b.switch_to_block(next);
            x = b.ins().iadd_imm_s(x, 0);
        }
        let r = b.ins().iconst(types::I32, -1);
        b.ins().return_(&[r]);
    });
    let cases: Vec<_> = [0u32, 1, 4999, 5000, 77]
        .iter()
        .map(|&x| {
            (
                vec![u64::from(x)],
                Some(vec![if x < 5000 {
                    u64::from(x * 7)
                } else {
                    u64::from(u32::MAX)
                }]),
            )
        })
        .collect();
    check(&func, &cases);
}

#[test]
fn too_many_locals_is_a_limit_error() {
    // 50,001 loads in the entry block, all used in another block: each
    // needs a local of its own.
    let n = 50_001;
    let func = build(&[types::I32], &[types::I32], |b, p| {
        let flags = cranelift_codegen::ir::MemFlagsData::new();
        let values: Vec<Value> = (0..n)
            .map(|i| b.ins().load(types::I32, flags, p[0], i * 4))
            .collect();
        let (next, _) = block_with(b, &[]);
        b.ins().jump(next, &[]);
        b.switch_to_block(next);
        let sum = values.iter().fold(p[0], |acc, v| b.ins().iadd(acc, *v));
        b.ins().return_(&[sum]);
    });
    let prepared = prepare(&func, false);
    assert!(matches!(
        super::super::emit(&prepared, &TestEnv),
        Err(Error::Limit { .. })
    ));
}

#[test]
fn output_is_deterministic_and_inlining_saves_locals() {
    let func = chain(200, false);
    let prepared = prepare(&func, true);
    let body = |inline| {
        emit_with(&prepared, &TestEnv, inline)
            .unwrap()
            .into_raw_body()
    };
    assert_eq!(body(true), body(true));
    // The chain's arithmetic is mostly single-use: inline emission must
    // make the body clearly smaller.
    assert!(
        body(true).len() * 10 < body(false).len() * 9,
        "{} vs {}",
        body(true).len(),
        body(false).len()
    );
}
