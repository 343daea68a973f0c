//! Random programs: integer arithmetic, memory accesses and random branches
//! (forward, and backward ones guarded by a fuel counter so that programs
//! terminate), built as CLIF and evaluated by a small interpreter of the
//! same program representation.

use super::ops::{mask, sx, Bin, Un, BINS, INT_CCS, INT_TYPES, UNS};
use super::*;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{Block, BlockArg, InstBuilder, JumpTableData, MemFlagsData, Opcode};

/// Stores: opcode and stored type.
const STORES: [(Opcode, Type); 9] = [
    (Opcode::Store, types::I8),
    (Opcode::Store, types::I16),
    (Opcode::Store, types::I32),
    (Opcode::Store, types::I64),
    (Opcode::Istore8, types::I32),
    (Opcode::Istore16, types::I64),
    (Opcode::Istore32, types::I64),
    (Opcode::Istore8, types::I16),
    (Opcode::Istore8, types::I64),
];

/// Loads: opcode and result type.
const LOADS: [(Opcode, Type); 10] = [
    (Opcode::Load, types::I8),
    (Opcode::Load, types::I16),
    (Opcode::Load, types::I32),
    (Opcode::Load, types::I64),
    (Opcode::Uload8, types::I32),
    (Opcode::Sload8, types::I16),
    (Opcode::Sload16, types::I64),
    (Opcode::Uload16, types::I32),
    (Opcode::Sload32, types::I64),
    (Opcode::Uload32, types::I64),
];

/// The base address of memory accesses.
const BASE: u64 = 4096;

/// An instruction; operands are indices into the block's values (its
/// parameters, then the results of earlier instructions).
#[derive(Clone, Debug)]
enum Op {
    Const(Type, u64),
    Bin(Bin, usize, usize),
    Un(Un, usize),
    Extend {
        signed: bool,
        to: Type,
        a: usize,
    },
    Reduce {
        to: Type,
        a: usize,
    },
    Select {
        c: usize,
        x: usize,
        y: usize,
    },
    Store {
        op: Opcode,
        v: usize,
        addr: usize,
        off: i32,
    },
    Load {
        op: Opcode,
        ty: Type,
        addr: usize,
        off: i32,
    },
}

#[derive(Clone, Debug)]
struct Edge {
    target: usize,
    args: Vec<usize>,
}

#[derive(Clone, Debug)]
enum Term {
    Jump(Edge),
    Brif(usize, Edge, Edge),
    BrTable(usize, Edge, Vec<Edge>),
    Return(Vec<usize>),
}

#[derive(Clone, Debug)]
struct Blk {
    params: Vec<Type>,
    ops: Vec<Op>,
    term: Term,
}

/// The result types of the generated functions (the last block's params).
const RETURNS: [Type; 3] = [types::I64, types::I32, types::I8];
/// The parameters of the generated functions: fuel, then values.
const PARAMS: [Type; 4] = [types::I32, types::I64, types::I16, types::I32];

struct Gen<'r> {
    rng: &'r mut Rng,
    /// The types of the current block's values.
    env: Vec<Type>,
    ops: Vec<Op>,
}

impl Gen<'_> {
    fn push(&mut self, op: Op, ty: Type) -> usize {
        self.ops.push(op);
        self.env.push(ty);
        self.env.len() - 1
    }

    /// A value of type `ty`: an existing one or a new constant.
    fn value(&mut self, ty: Type) -> usize {
        let candidates: Vec<usize> = (0..self.env.len()).filter(|i| self.env[*i] == ty).collect();
        if !candidates.is_empty() && self.rng.below(5) != 0 {
            return candidates[self.rng.below(candidates.len() as u64) as usize];
        }
        let c = mask(ty.bits(), self.rng.int());
        self.push(Op::Const(ty, c), ty)
    }

    /// A new constant base address.
    fn address(&mut self) -> usize {
        let base = BASE + 8 * self.rng.below(3);
        self.push(Op::Const(types::I32, base), types::I32)
    }

    fn any_type(&mut self) -> Type {
        INT_TYPES[self.rng.below(4) as usize]
    }

    fn random_op(&mut self) {
        match self.rng.below(12) {
            0..=4 => {
                let ty = self.any_type();
                let op = if self.rng.below(4) == 0 {
                    Bin::Icmp(INT_CCS[self.rng.below(INT_CCS.len() as u64) as usize])
                } else {
                    BINS[self.rng.below(BINS.len() as u64) as usize]
                };
                let a = self.value(ty);
                let b = match op {
                    Bin::Ishl | Bin::Ushr | Bin::Sshr | Bin::Rotl | Bin::Rotr => {
                        let t = self.any_type();
                        self.value(t)
                    }
                    Bin::Udiv | Bin::Urem | Bin::Sdiv | Bin::Srem if self.rng.below(8) != 0 => {
                        // Mostly nonzero divisors, so that most runs go on.
                        let v = self.value(ty);
                        let one = self.push(Op::Const(ty, 1), ty);
                        self.push(Op::Bin(Bin::Bor, v, one), ty)
                    }
                    _ => self.value(ty),
                };
                self.push(Op::Bin(op, a, b), op.result_type(ty));
            }
            5 | 6 => {
                let ty = self.any_type();
                let op = UNS[self.rng.below(UNS.len() as u64) as usize];
                if op.applies(ty.bits()) {
                    let a = self.value(ty);
                    self.push(Op::Un(op, a), ty);
                }
            }
            7 => {
                let (from, to) = (self.any_type(), self.any_type());
                let a = self.value(from);
                if to.bits() > from.bits() {
                    let signed = self.rng.below(2) == 0;
                    self.push(Op::Extend { signed, to, a }, to);
                } else if to.bits() < from.bits() {
                    self.push(Op::Reduce { to, a }, to);
                }
            }
            8 => {
                let (ct, ty) = (self.any_type(), self.any_type());
                let c = self.value(ct);
                let x = self.value(ty);
                let y = self.value(ty);
                self.push(Op::Select { c, x, y }, ty);
            }
            9 => {
                let (op, ty) = STORES[self.rng.below(STORES.len() as u64) as usize];
                let v = self.value(ty);
                let addr = self.address();
                let off = self.rng.below(48) as i32 - 24;
                self.ops.push(Op::Store { op, v, addr, off });
            }
            _ => {
                let (op, ty) = LOADS[self.rng.below(LOADS.len() as u64) as usize];
                let addr = self.address();
                let off = self.rng.below(48) as i32 - 24;
                self.push(Op::Load { op, ty, addr, off }, ty);
            }
        }
    }

    fn edge(&mut self, target: usize, params: &[Type], fuel: usize) -> Edge {
        let mut args = vec![fuel];
        for &t in &params[1..] {
            let v = self.value(t);
            args.push(v);
        }
        Edge { target, args }
    }
}

/// A random program of 2 to 11 blocks; block 0 is the entry and the last
/// block returns its parameters. Every block but the entry starts with a
/// fuel parameter, decremented on entry; backward edges need fuel left.
fn generate(rng: &mut Rng) -> Vec<Blk> {
    let n = 2 + rng.below(10) as usize;
    let params: Vec<Vec<Type>> = (0..n)
        .map(|i| {
            if i == 0 {
                PARAMS.to_vec()
            } else if i == n - 1 {
                std::iter::once(types::I32).chain(RETURNS).collect()
            } else {
                let k = rng.below(4);
                std::iter::once(types::I32)
                    .chain((0..k).map(|_| INT_TYPES[rng.below(4) as usize]))
                    .collect()
            }
        })
        .collect();
    let mut blocks = Vec::new();
    for i in 0..n {
        let mut g = Gen {
            rng,
            env: params[i].clone(),
            ops: Vec::new(),
        };
        if i == n - 1 {
            blocks.push(Blk {
                params: params[i].clone(),
                ops: Vec::new(),
                term: Term::Return(vec![1, 2, 3]),
            });
            break;
        }
        // fuel - 1
        let minus_one = g.push(Op::Const(types::I32, u64::from(u32::MAX)), types::I32);
        let fuel = g.push(Op::Bin(Bin::Iadd, 0, minus_one), types::I32);
        for _ in 0..g.rng.below(14) {
            g.random_op();
        }
        let forward = |g: &mut Gen| i + 1 + g.rng.below((n - i - 1) as u64) as usize;
        let term = match g.rng.below(6) {
            0 | 1 => {
                let t = forward(&mut g);
                Term::Jump(g.edge(t, &params[t], fuel))
            }
            2 | 3 => {
                let ct = g.any_type();
                let c = g.value(ct);
                let (t1, t2) = (forward(&mut g), forward(&mut g));
                let (e1, e2) = (g.edge(t1, &params[t1], fuel), g.edge(t2, &params[t2], fuel));
                Term::Brif(c, e1, e2)
            }
            4 if i > 0 => {
                // A guarded backward edge: (fuel > 0) & (c != 0).
                let zero = g.push(Op::Const(types::I32, 0), types::I32);
                let has_fuel = g.push(
                    Op::Bin(Bin::Icmp(IntCC::SignedGreaterThan), fuel, zero),
                    types::I8,
                );
                let ct = g.any_type();
                let c = g.value(ct);
                let zero_c = g.push(Op::Const(ct, 0), ct);
                let nonzero = g.push(Op::Bin(Bin::Icmp(IntCC::NotEqual), c, zero_c), types::I8);
                let cond = g.push(Op::Bin(Bin::Band, has_fuel, nonzero), types::I8);
                let back = 1 + g.rng.below(i as u64) as usize;
                let t = forward(&mut g);
                let (e1, e2) = (
                    g.edge(back, &params[back], fuel),
                    g.edge(t, &params[t], fuel),
                );
                Term::Brif(cond, e1, e2)
            }
            _ => {
                let idx = g.value(types::I32);
                let d = forward(&mut g);
                let default = g.edge(d, &params[d], fuel);
                let entries = (0..1 + g.rng.below(5))
                    .map(|_| {
                        let t = forward(&mut g);
                        g.edge(t, &params[t], fuel)
                    })
                    .collect();
                Term::BrTable(idx, default, entries)
            }
        };
        blocks.push(Blk {
            params: params[i].clone(),
            ops: g.ops,
            term,
        });
    }
    blocks
}

fn build_program(prog: &[Blk]) -> Function {
    build(&PARAMS, &RETURNS, |b, entry_params| {
        let blocks: Vec<Block> = prog
            .iter()
            .enumerate()
            .map(|(i, blk)| {
                if i == 0 {
                    return b.current_block().unwrap();
                }
                let block = b.create_block();
                for &t in &blk.params {
                    b.append_block_param(block, t);
                }
                block
            })
            .collect();
        for (i, blk) in prog.iter().enumerate() {
            if i > 0 {
                b.switch_to_block(blocks[i]);
            }
            let mut env: Vec<Value> = if i == 0 {
                entry_params.to_vec()
            } else {
                b.block_params(blocks[i]).to_vec()
            };
            let flags = MemFlagsData::new();
            for op in &blk.ops {
                let i = b.ins();
                let v = match *op {
                    Op::Const(ty, c) => Some(i.iconst(ty, sx(ty.bits(), c))),
                    Op::Bin(bin, x, y) => Some(bin.build(b, env[x], env[y])),
                    Op::Un(un, x) => {
                        let ty = b.func.dfg.value_type(env[x]);
                        Some(un.build(b, ty, env[x]))
                    }
                    Op::Extend {
                        signed: true,
                        to,
                        a,
                    } => Some(i.sextend(to, env[a])),
                    Op::Extend {
                        signed: false,
                        to,
                        a,
                    } => Some(i.uextend(to, env[a])),
                    Op::Reduce { to, a } => Some(i.ireduce(to, env[a])),
                    Op::Select { c, x, y } => Some(i.select(env[c], env[x], env[y])),
                    Op::Store { op, v, addr, off } => {
                        let (v, p) = (env[v], env[addr]);
                        match op {
                            Opcode::Store => i.store(flags, v, p, off),
                            Opcode::Istore8 => i.istore8(flags, v, p, off),
                            Opcode::Istore16 => i.istore16(flags, v, p, off),
                            _ => i.istore32(flags, v, p, off),
                        };
                        None
                    }
                    Op::Load { op, ty, addr, off } => {
                        let p = env[addr];
                        Some(match op {
                            Opcode::Load => i.load(ty, flags, p, off),
                            Opcode::Uload8 => i.uload8(ty, flags, p, off),
                            Opcode::Sload8 => i.sload8(ty, flags, p, off),
                            Opcode::Uload16 => i.uload16(ty, flags, p, off),
                            Opcode::Sload16 => i.sload16(ty, flags, p, off),
                            Opcode::Uload32 => i.uload32(flags, p, off),
                            _ => i.sload32(flags, p, off),
                        })
                    }
                };
                env.extend(v);
            }
            let call_args = |e: &Edge| {
                e.args
                    .iter()
                    .map(|a| BlockArg::Value(env[*a]))
                    .collect::<Vec<_>>()
            };
            match &blk.term {
                Term::Jump(e) => {
                    b.ins().jump(blocks[e.target], &call_args(e));
                }
                Term::Brif(c, e1, e2) => {
                    b.ins().brif(
                        env[*c],
                        blocks[e1.target],
                        &call_args(e1),
                        blocks[e2.target],
                        &call_args(e2),
                    );
                }
                Term::BrTable(idx, d, entries) => {
                    let dfg = &mut b.func.dfg;
                    let default = dfg.block_call(blocks[d.target], &call_args(d));
                    let entries: Vec<_> = entries
                        .iter()
                        .map(|e| dfg.block_call(blocks[e.target], &call_args(e)))
                        .collect();
                    let table = b.create_jump_table(JumpTableData::new(default, &entries));
                    b.ins().br_table(env[*idx], table);
                }
                Term::Return(vals) => {
                    let vals: Vec<Value> = vals.iter().map(|v| env[*v]).collect();
                    b.ins().return_(&vals);
                }
            }
        }
    })
}

/// Runs the program on `args` with `memory`; `None` if it traps.
fn interpret(prog: &[Blk], args: &[u64], memory: &mut [u8]) -> Option<Vec<u64>> {
    let mut block = 0;
    let mut env: Vec<u64> = args.to_vec();
    let mut types: Vec<Type> = PARAMS.to_vec();
    loop {
        let blk = &prog[block];
        for op in &blk.ops {
            let bits = |i: usize| types[i].bits();
            let (v, ty) = match *op {
                Op::Const(ty, c) => (c, ty),
                Op::Bin(bin, x, y) => {
                    let ty = bin.result_type(types[x]);
                    (bin.eval(bits(x), env[x], env[y])?, ty)
                }
                Op::Un(un, x) => (un.eval(bits(x), env[x]), types[x]),
                Op::Extend { signed, to, a } => {
                    let v = if signed {
                        mask(to.bits(), sx(bits(a), env[a]) as u64)
                    } else {
                        env[a]
                    };
                    (v, to)
                }
                Op::Reduce { to, a } => (mask(to.bits(), env[a]), to),
                Op::Select { c, x, y } => (if env[c] != 0 { env[x] } else { env[y] }, types[x]),
                Op::Store { op, v, addr, off } => {
                    let n = match op {
                        Opcode::Store => types[v].bytes() as usize,
                        Opcode::Istore8 => 1,
                        Opcode::Istore16 => 2,
                        _ => 4,
                    };
                    let at = (env[addr] as i64 + i64::from(off)) as usize;
                    memory[at..at + n].copy_from_slice(&env[v].to_le_bytes()[..n]);
                    continue;
                }
                Op::Load { op, ty, addr, off } => {
                    let (n, signed) = match op {
                        Opcode::Load => (ty.bytes() as usize, false),
                        Opcode::Uload8 => (1, false),
                        Opcode::Sload8 => (1, true),
                        Opcode::Uload16 => (2, false),
                        Opcode::Sload16 => (2, true),
                        Opcode::Uload32 => (4, false),
                        _ => (4, true),
                    };
                    let at = (env[addr] as i64 + i64::from(off)) as usize;
                    let mut bytes = [0u8; 8];
                    bytes[..n].copy_from_slice(&memory[at..at + n]);
                    let raw = u64::from_le_bytes(bytes);
                    let v = if signed {
                        mask(ty.bits(), sx(n as u32 * 8, raw) as u64)
                    } else {
                        raw
                    };
                    (v, ty)
                }
            };
            env.push(v);
            types.push(ty);
        }
        let take = |e: &Edge| (e.target, e.args.iter().map(|a| env[*a]).collect::<Vec<_>>());
        let (next, args) = match &blk.term {
            Term::Return(vals) => return Some(vals.iter().map(|v| env[*v]).collect()),
            Term::Jump(e) => take(e),
            Term::Brif(c, e1, e2) => take(if env[*c] != 0 { e1 } else { e2 }),
            Term::BrTable(idx, d, entries) => take(entries.get(env[*idx] as usize).unwrap_or(d)),
        };
        block = next;
        types = prog[block].params.clone();
        env = args;
    }
}

#[test]
fn random_programs() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut irreducible = 0;
    for round in 0..400 {
        let prog = generate(&mut rng);
        let func = build_program(&prog);
        if !super::super::is_reducible(&prepare(&func, false)) {
            irreducible += 1;
        }
        // The cases run in order on one instance per mode: memory persists
        // from one call to the next, in the interpreter too.
        let mut memory = vec![0u8; 4 * 65536];
        let cases: Vec<_> = (0..8)
            .map(|_| {
                let args: Vec<u64> = PARAMS.iter().map(|t| mask(t.bits(), rng.int())).collect();
                let args = [vec![20 + rng.below(20)], args[1..].to_vec()].concat();
                let want = interpret(&prog, &args, &mut memory);
                (args, want)
            })
            .collect();
        let result =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&func, &cases)));
        if result.is_err() {
            panic!("random program {round} failed: {prog:#?}");
        }
    }
    // Guarded backward edges into blocks that do not dominate their source
    // make irreducible CFGs: `check` runs those through the dispatch headers
    // and through the whole-function dispatch loop.
    assert!(irreducible >= 20, "only {irreducible} irreducible programs");
}
