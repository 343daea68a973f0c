//! Making irreducible CFGs reducible, so that only their irreducible
//! regions pay for a dispatch.
//!
//! The structuring ([`super::structure`]) handles irreducible CFGs with one
//! dispatch loop around the whole function, which makes all of its code slow
//! and its compilation by the engine very slow. Guest code has irreducible
//! regions (multi-entry loops from loop rotation, computed-goto
//! interpreters), but they are usually small parts of big functions. This
//! module rewrites a copy of such a function so that its CFG becomes
//! reducible, adding a *dispatch header* per multi-entry loop:
//!
//! The loop nesting forest is computed top-down: the strongly connected
//! components (SCCs) of the reachable CFG are the outermost loops. A loop
//! with a single entry block (its header) is reducible at this level, and
//! its inner loops are the SCCs of its blocks minus the header. A loop with
//! several entries gets a new header `H` with parameters (a selector, then
//! "slots" able to hold the parameters of any entry) ending in a `brif` (two
//! entries) or a `br_table` (more) on the selector to the entries, passing
//! them their parameters from the slots. Edges entering the loop from
//! outside go to `H` instead, with the index of their original target as
//! selector, their arguments in the slots of the target's parameters and
//! zero constants in the other slots. Then `H` is the loop's only entry, and
//! the loop's inner loops are the SCCs of its original blocks.
//!
//! Edges inside the loop that target one of its entries also go through `H`
//! (they become back edges to `H`), except an edge `u -> e` where `e`
//! dominates `u` once every such edge goes to `H`: adding an edge to a
//! dominator of its source changes no dominator and keeps a CFG reducible,
//! so that edge stays direct (e.g. an inner loop headed by an entry keeps its
//! direct back edge). That rule also guarantees progress: two entries are
//! never in one inner loop, so the inner loops are strictly smaller.
//!
//! The result is checked by the caller (`Cfg::reducible`), which keeps the
//! whole-function dispatch as the last resort. The rewrite is deterministic:
//! blocks are visited in reverse postorder and maps are only looked up.

use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::entity::SecondaryMap;
use cranelift_codegen::ir::immediates::{Ieee32, Ieee64};
use cranelift_codegen::ir::{
    types, Block, BlockArg, BlockCall, Function, InstBuilder, InstructionData, JumpTableData, Type,
    Value,
};
use std::collections::{HashMap, HashSet};

/// A copy of `func` whose CFG is reducible if the rewrite succeeded; `None`
/// if the function has branches the rewrite does not know (those are
/// unsupported by the backend anyway) or block parameters of types it
/// cannot make a zero of.
pub(super) fn make_reducible(func: &Function) -> Option<Function> {
    let entry = func.layout.entry_block()?;
    let mut r = Rewriter {
        func: func.clone(),
        rpo: SecondaryMap::with_default(u32::MAX),
        preds: SecondaryMap::new(),
        region_mark: SecondaryMap::new(),
        scc_mark: SecondaryMap::new(),
        stamp: 0,
        constants: HashMap::new(),
    };
    let blocks = r.reverse_postorder(entry);
    for (i, &b) in blocks.iter().enumerate() {
        r.rpo[b] = i as u32;
    }
    for &b in &blocks {
        for s in r.successors(b)? {
            r.preds[s].push(b);
        }
    }
    // Regions whose loops are still to be found; the first one is the whole
    // function (whose entry block cannot be a branch target in CLIF, so it
    // is never part of a loop).
    let mut regions = vec![blocks];
    while let Some(region) = regions.pop() {
        for mut scc in r.loops(&region)? {
            scc.sort_by_key(|b| r.rpo[*b]);
            r.stamp += 1;
            for &b in &scc {
                r.scc_mark[b] = r.stamp;
            }
            let entries: Vec<Block> = scc
                .iter()
                .copied()
                .filter(|&b| r.preds[b].iter().any(|&p| r.scc_mark[p] != r.stamp))
                .collect();
            if let [header] = entries[..] {
                scc.retain(|&b| b != header);
            } else {
                r.add_dispatch_header(&scc, &entries)?;
            }
            regions.push(scc);
        }
    }
    Some(r.func)
}

struct Rewriter {
    /// The function being rewritten.
    func: Function,
    /// The reverse postorder index of each originally reachable block.
    rpo: SecondaryMap<Block, u32>,
    /// The predecessors of each reachable block, one per edge.
    preds: SecondaryMap<Block, Vec<Block>>,
    /// `stamp` for the blocks of the region being searched for loops.
    region_mark: SecondaryMap<Block, u32>,
    /// `stamp` for the blocks of the loop being handled.
    scc_mark: SecondaryMap<Block, u32>,
    stamp: u32,
    /// Constants already defined before the terminator of a block, by
    /// (block, type, value): they are shared by its outgoing edges.
    constants: HashMap<(Block, Type, u64), Value>,
}

impl Rewriter {
    /// The successors of `b`, one per edge; `None` for terminators other
    /// than `jump`, `brif`, `br_table`, `return` and traps.
    fn successors(&self, b: Block) -> Option<Vec<Block>> {
        let dfg = &self.func.dfg;
        let last = self.func.layout.last_inst(b)?;
        match dfg.insts[last] {
            InstructionData::Jump { .. }
            | InstructionData::Brif { .. }
            | InstructionData::BranchTable { .. }
            | InstructionData::MultiAry { .. }
            | InstructionData::Trap { .. } => {}
            _ => return None,
        }
        Some(
            dfg.insts[last]
                .branch_destination(&dfg.jump_tables, &dfg.exception_tables)
                .iter()
                .map(|call| call.block(&dfg.value_lists))
                .collect(),
        )
    }

    /// The blocks reachable from `entry`, in reverse postorder (iterative
    /// depth-first search: lifted CFGs can be thousands of blocks deep).
    fn reverse_postorder(&self, entry: Block) -> Vec<Block> {
        let mut seen = SecondaryMap::<Block, bool>::new();
        let mut post = Vec::new();
        let mut stack = vec![(entry, self.successors(entry).unwrap_or_default(), 0usize)];
        seen[entry] = true;
        while let Some((b, succs, next)) = stack.last_mut() {
            if let Some(&s) = succs.get(*next) {
                *next += 1;
                if !seen[s] {
                    seen[s] = true;
                    let succs = self.successors(s).unwrap_or_default();
                    stack.push((s, succs, 0));
                }
            } else {
                post.push(*b);
                stack.pop();
            }
        }
        post.reverse();
        post
    }

    /// The loops of `region`: its SCCs (of the edges between its blocks)
    /// that contain a cycle.
    fn loops(&mut self, region: &[Block]) -> Option<Vec<Vec<Block>>> {
        self.stamp += 1;
        let mut index = SecondaryMap::<Block, u32>::with_default(u32::MAX);
        for (i, &b) in region.iter().enumerate() {
            self.region_mark[b] = self.stamp;
            index[b] = i as u32;
        }
        let mut succs = Vec::with_capacity(region.len());
        let mut self_loop = vec![false; region.len()];
        for (i, &b) in region.iter().enumerate() {
            let local: Vec<usize> = self
                .successors(b)?
                .into_iter()
                .filter(|&s| self.region_mark[s] == self.stamp)
                .map(|s| index[s] as usize)
                .collect();
            self_loop[i] = local.contains(&i);
            succs.push(local);
        }
        Some(
            strongly_connected_components(&succs)
                .into_iter()
                .filter(|c| c.len() > 1 || self_loop[c[0]])
                .map(|c| c.into_iter().map(|i| region[i]).collect())
                .collect(),
        )
    }

    /// Routes the edges to the `entries` of the loop `scc` (sorted by
    /// reverse postorder) through a new dispatch header.
    fn add_dispatch_header(&mut self, scc: &[Block], entries: &[Block]) -> Option<()> {
        let keep = self.direct_edges(scc, entries);
        let entry_index: HashMap<Block, usize> =
            entries.iter().enumerate().map(|(i, &e)| (e, i)).collect();

        // The header's parameters: the selector, then slots shared by type.
        let mut slots: Vec<Type> = Vec::new();
        let mut slot_of: Vec<Vec<usize>> = Vec::new();
        for &e in entries {
            let mut used = vec![false; slots.len()];
            let mut map = Vec::new();
            for &p in self.func.dfg.block_params(e) {
                let ty = self.func.dfg.value_type(p);
                zero_bits_supported(ty)?;
                let slot = match (0..slots.len()).find(|&s| slots[s] == ty && !used[s]) {
                    Some(s) => s,
                    None => {
                        slots.push(ty);
                        used.push(false);
                        slots.len() - 1
                    }
                };
                used[slot] = true;
                map.push(slot);
            }
            slot_of.push(map);
        }
        let header = self.func.dfg.make_block();
        self.func.layout.append_block(header);
        let selector = self.func.dfg.append_block_param(header, types::I32);
        let slot_values: Vec<Value> = slots
            .iter()
            .map(|&ty| self.func.dfg.append_block_param(header, ty))
            .collect();
        let calls: Vec<Vec<BlockArg>> = slot_of
            .iter()
            .map(|map| {
                map.iter()
                    .map(|&s| BlockArg::Value(slot_values[s]))
                    .collect()
            })
            .collect();
        let mut cursor = FuncCursor::new(&mut self.func).at_bottom(header);
        if let [first, second] = entries {
            cursor
                .ins()
                .brif(selector, *second, &calls[1], *first, &calls[0]);
        } else {
            let dfg = &mut cursor.func.dfg;
            let mut table: Vec<BlockCall> = entries
                .iter()
                .zip(&calls)
                .map(|(&e, args)| BlockCall::new(e, args.iter().copied(), &mut dfg.value_lists))
                .collect();
            let default = table.pop()?;
            let jt = cursor
                .func
                .create_jump_table(JumpTableData::new(default, &table));
            cursor.ins().br_table(selector, jt);
        }
        for &e in entries {
            self.preds[e].push(header);
        }

        // Redirect the edges, visiting each source block once.
        let mut sources: Vec<Block> = Vec::new();
        let mut is_source = HashSet::new();
        for &e in entries {
            for &p in &self.preds[e] {
                if p != header && is_source.insert(p) {
                    sources.push(p);
                }
            }
        }
        sources.sort_by_key(|b| self.rpo[*b]);
        for u in sources {
            let inside = self.scc_mark[u] == self.stamp;
            let last = self.func.layout.last_inst(u)?;
            // A `br_table` gets a table of its own before its entries change:
            // jump tables may in principle be shared between instructions.
            if let InstructionData::BranchTable { table, .. } = self.func.dfg.insts[last] {
                let copy = self.func.dfg.jump_tables[table].clone();
                let jt = self.func.create_jump_table(copy);
                if let InstructionData::BranchTable { table, .. } = &mut self.func.dfg.insts[last] {
                    *table = jt;
                }
            }
            let dfg = &self.func.dfg;
            let old: Vec<BlockCall> = dfg.insts[last]
                .branch_destination(&dfg.jump_tables, &dfg.exception_tables)
                .to_vec();
            for (j, call) in old.into_iter().enumerate() {
                let target = call.block(&self.func.dfg.value_lists);
                let Some(&i) = entry_index.get(&target) else {
                    continue;
                };
                if inside && keep.contains(&(u, target)) {
                    continue;
                }
                let old_args: Vec<BlockArg> = call.args(&self.func.dfg.value_lists).collect();
                let mut args = vec![BlockArg::Value(self.constant(u, types::I32, i as u64))];
                for (s, &ty) in slots.iter().enumerate() {
                    let arg = match slot_of[i].iter().position(|&x| x == s) {
                        Some(p) => old_args[p],
                        None => BlockArg::Value(self.constant(u, ty, 0)),
                    };
                    args.push(arg);
                }
                let dfg = &mut self.func.dfg;
                let new = BlockCall::new(header, args, &mut dfg.value_lists);
                dfg.insts[last]
                    .branch_destination_mut(&mut dfg.jump_tables, &mut dfg.exception_tables)[j] =
                    new;
                let preds = &mut self.preds[target];
                let k = preds.iter().position(|&p| p == u)?;
                preds.remove(k);
                self.preds[header].push(u);
            }
        }
        Some(())
    }

    /// The edges `u -> e` inside the loop `scc` to one of its `entries` that
    /// may stay direct: those where `e` dominates `u` in the loop entered
    /// through the dispatch header with all edges to entries removed.
    fn direct_edges(&self, scc: &[Block], entries: &[Block]) -> HashSet<(Block, Block)> {
        let mut index = SecondaryMap::<Block, u32>::with_default(u32::MAX);
        for (i, &b) in scc.iter().enumerate() {
            index[b] = i as u32;
        }
        let root = scc.len();
        let mut succs: Vec<Vec<usize>> = Vec::with_capacity(root + 1);
        let is_entry: HashSet<Block> = entries.iter().copied().collect();
        let mut entry_edges = HashSet::new();
        for &u in scc {
            let mut local = Vec::new();
            for s in self.successors(u).unwrap_or_default() {
                if self.scc_mark[s] != self.stamp {
                    continue;
                }
                if is_entry.contains(&s) {
                    entry_edges.insert((u, s));
                } else {
                    local.push(index[s] as usize);
                }
            }
            succs.push(local);
        }
        succs.push(entries.iter().map(|&e| index[e] as usize).collect());
        let idom = dominators(&succs, root);
        entry_edges
            .into_iter()
            .filter(|&(u, e)| {
                // Walk up the dominator tree from `u` (all of the loop is
                // reachable from the header; an unreached node keeps its edge
                // through the header, which is always correct).
                let (mut x, e) = (index[u] as usize, index[e] as usize);
                loop {
                    if x == e {
                        return true;
                    }
                    if x == root || idom[x] == usize::MAX {
                        return false;
                    }
                    x = idom[x];
                }
            })
            .collect()
    }

    /// A constant `bits` of type `ty` defined before the terminator of `b`.
    fn constant(&mut self, b: Block, ty: Type, bits: u64) -> Value {
        if let Some(&v) = self.constants.get(&(b, ty, bits)) {
            return v;
        }
        let last = self
            .func
            .layout
            .last_inst(b)
            .expect("block with a terminator");
        let mut cursor = FuncCursor::new(&mut self.func).at_inst(last);
        let v = match ty {
            types::F32 => cursor.ins().f32const(Ieee32::with_bits(bits as u32)),
            types::F64 => cursor.ins().f64const(Ieee64::with_bits(bits)),
            _ => cursor.ins().iconst(ty, bits as i64),
        };
        self.constants.insert((b, ty, bits), v);
        v
    }
}

/// `Some` for the types of block parameters the dispatch header can pass a
/// zero for.
fn zero_bits_supported(ty: Type) -> Option<()> {
    matches!(
        ty,
        types::I8 | types::I16 | types::I32 | types::I64 | types::F32 | types::F64
    )
    .then_some(())
}

/// Tarjan's strongly connected components of the graph `succs` (iterative),
/// in reverse topological order.
fn strongly_connected_components(succs: &[Vec<usize>]) -> Vec<Vec<usize>> {
    const UNSEEN: usize = usize::MAX;
    let n = succs.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut components = Vec::new();
    let mut counter = 0;
    for start in 0..n {
        if index[start] != UNSEEN {
            continue;
        }
        let mut work = vec![(start, 0usize)];
        index[start] = counter;
        low[start] = counter;
        counter += 1;
        stack.push(start);
        on_stack[start] = true;
        while let Some(&mut (v, ref mut next)) = work.last_mut() {
            if let Some(&w) = succs[v].get(*next) {
                *next += 1;
                if index[w] == UNSEEN {
                    index[w] = counter;
                    low[w] = counter;
                    counter += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                loop {
                    let w = stack.pop().expect("Tarjan stack");
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                components.push(component);
            }
        }
    }
    components
}

/// The immediate dominators of the graph `succs` whose nodes are all
/// reachable from `root` (Cooper, Harvey and Kennedy's iterative algorithm);
/// the root is its own immediate dominator.
fn dominators(succs: &[Vec<usize>], root: usize) -> Vec<usize> {
    const UNDEF: usize = usize::MAX;
    let n = succs.len();
    // Postorder numbers by an iterative depth-first search.
    let mut post = vec![UNDEF; n];
    let mut order = Vec::with_capacity(n);
    let mut seen = vec![false; n];
    let mut work = vec![(root, 0usize)];
    seen[root] = true;
    while let Some((v, next)) = work.last_mut() {
        if let Some(&w) = succs[*v].get(*next) {
            *next += 1;
            if !seen[w] {
                seen[w] = true;
                work.push((w, 0));
            }
        } else {
            post[*v] = order.len();
            order.push(*v);
            work.pop();
        }
    }
    let mut preds = vec![Vec::new(); n];
    for (v, s) in succs.iter().enumerate() {
        for &w in s {
            preds[w].push(v);
        }
    }
    let mut idom = vec![UNDEF; n];
    idom[root] = root;
    let mut changed = true;
    while changed {
        changed = false;
        for &v in order.iter().rev() {
            if v == root {
                continue;
            }
            let mut new = UNDEF;
            for &p in &preds[v] {
                if idom[p] == UNDEF {
                    continue;
                }
                new = if new == UNDEF {
                    p
                } else {
                    let (mut a, mut b) = (p, new);
                    while a != b {
                        while post[a] < post[b] {
                            a = idom[a];
                        }
                        while post[b] < post[a] {
                            b = idom[b];
                        }
                    }
                    a
                };
            }
            if idom[v] != new {
                idom[v] = new;
                changed = true;
            }
        }
    }
    idom
}
