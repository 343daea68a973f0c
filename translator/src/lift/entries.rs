//! Which of a function's entry points the prologue's switch reaches
//! ("external": the dispatcher and other functions enter there) and which
//! only the function's own computed jumps reach ("internal").
//!
//! A Wasm function is structured control flow: a loop can only be entered
//! at its header. An entry into the middle of a loop makes the function's
//! control flow irreducible, which our CLIF-to-Wasm backend can only emit
//! as a dispatch loop over every block (slow code, slow to compile). So
//! external entries are the start, the headers of outermost loops, and the
//! other entries (return sites, system-call continuations, jump targets)
//! that are not inside a loop. Translated code seldom enters anywhere but a
//! function's start: after a syscall or a call it goes on in line; only
//! when the Wasm stack was unwound (longjmp, code that is not translated,
//! the stack budget) does the dispatcher resume elsewhere, and if that is
//! not an external entry, the interpreter runs until one.
//!
//! Internal entries are blocks reached through computed jumps (switch
//! tables, computed goto): the function's own indirect jumps branch there.

use std::collections::{BTreeMap, BTreeSet};

use crate::discover::{Code, Function, Guest};

/// A function's entries, each a block start.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entries {
    /// Reached by the entry switch: entry index `i` is `external[i]`;
    /// `external[0]` is the function's start.
    pub external: Vec<u64>,
    /// Reached only by the function's computed jumps: entry index
    /// `external.len() + i` is `internal[i]`.
    pub internal: Vec<u64>,
}

impl Entries {
    /// Every entry in index order.
    pub fn all(&self) -> impl Iterator<Item = u64> + '_ {
        self.external.iter().chain(&self.internal).copied()
    }
}

/// Classifies `func`'s entries.
pub fn classify<I: Guest>(code: &Code<'_, I>, func: &Function) -> Entries {
    // The last instruction of each block, and the edges of the block graph.
    let starts: BTreeSet<u64> = func.blocks.iter().map(|b| b.start).collect();
    let mut continuations = BTreeSet::new();
    let mut edges: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
    let mut computed = Vec::new();
    for block in &func.blocks {
        let Some((pc, last)) = last_instruction(code, block.start, block.end) else {
            continue;
        };
        let succ = edges.entry(block.start).or_default();
        if !I::ends_block(&last) {
            succ.push(block.end);
            continue;
        }
        let t = I::direct_targets(&last, pc);
        succ.extend(
            t.target
                .iter()
                .chain(&t.fallthrough)
                .filter(|to| starts.contains(to)),
        );
        if let Some(next) = t.fallthrough {
            // The return site of a call, or the continuation of a system
            // call: entries of their own, not computed-jump targets.
            if I::is_call(&last) || t.target.is_none() {
                continuations.insert(next);
            }
        }
        if t.target.is_none() && t.fallthrough.is_none() && !I::is_return(&last) {
            computed.push(block.start);
        }
    }
    let internal: Vec<u64> = func
        .entries
        .iter()
        .copied()
        .filter(|&pc| pc != func.start && !continuations.contains(&pc))
        .collect();
    // A computed jump may go to any internal entry.
    for from in computed {
        edges.entry(from).or_default().extend(&internal);
    }

    let in_loop = loops(func.start, &starts, &edges);
    let mut external = vec![func.start];
    for &pc in &func.entries {
        // Return sites and system-call continuations are where the
        // dispatcher goes on after the Wasm stack unwound; entering a loop
        // there costs that loop a dispatch header (see clif2wasm), but
        // without it the interpreter would run the rest of the loop.
        let resumes = continuations.contains(&pc);
        if pc != func.start && (resumes || !in_loop.members.contains(&pc)) {
            external.push(pc);
        }
    }
    for header in in_loop.headers {
        if header != func.start && func.entries.contains(&header) && !external.contains(&header) {
            external.push(header);
        }
    }
    external[1..].sort_unstable();
    let internal = internal
        .into_iter()
        .filter(|pc| !external.contains(pc))
        .collect();
    Entries { external, internal }
}

/// The last instruction of the block `[start, end)`, with its address.
fn last_instruction<I: Guest>(code: &Code<'_, I>, start: u64, end: u64) -> Option<(u64, I::Inst)> {
    let mut pc = start;
    let mut last = None;
    while pc < end {
        let inst = code.decode(pc)?;
        last = Some((pc, inst));
        pc += u64::from(I::len(&inst));
    }
    last
}

/// Blocks inside loops (non-trivial strongly connected components), and
/// the single entry block of each outermost loop that has one.
struct Loops {
    members: BTreeSet<u64>,
    headers: Vec<u64>,
}

/// Tarjan's algorithm, iteratively; `first` is the function's start.
fn loops(first: u64, nodes: &BTreeSet<u64>, edges: &BTreeMap<u64, Vec<u64>>) -> Loops {
    let succ = |n: u64| edges.get(&n).map(Vec::as_slice).unwrap_or(&[]);
    let mut index: BTreeMap<u64, usize> = BTreeMap::new();
    let mut low: BTreeMap<u64, usize> = BTreeMap::new();
    let mut on_stack = BTreeSet::new();
    let mut stack = Vec::new();
    let mut components: Vec<Vec<u64>> = Vec::new();
    let mut next = 0;
    for &root in nodes {
        if index.contains_key(&root) {
            continue;
        }
        // (node, next successor position)
        let mut work = vec![(root, 0usize)];
        index.insert(root, next);
        low.insert(root, next);
        next += 1;
        stack.push(root);
        on_stack.insert(root);
        while let Some(&mut (node, ref mut pos)) = work.last_mut() {
            let successors = succ(node);
            if *pos < successors.len() {
                let to = successors[*pos];
                *pos += 1;
                if !nodes.contains(&to) {
                    continue;
                }
                if let std::collections::btree_map::Entry::Vacant(slot) = index.entry(to) {
                    slot.insert(next);
                    low.insert(to, next);
                    next += 1;
                    stack.push(to);
                    on_stack.insert(to);
                    work.push((to, 0));
                } else if on_stack.contains(&to) {
                    let l = low[&node].min(index[&to]);
                    low.insert(node, l);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                let l = low[&parent].min(low[&node]);
                low.insert(parent, l);
            }
            if low[&node] == index[&node] {
                let mut component = Vec::new();
                while let Some(n) = stack.pop() {
                    on_stack.remove(&n);
                    component.push(n);
                    if n == node {
                        break;
                    }
                }
                let cyclic = component.len() > 1 || succ(node).contains(&node);
                if cyclic {
                    components.push(component);
                }
            }
        }
    }
    let mut preds: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
    for (&from, tos) in edges {
        for &to in tos {
            preds.entry(to).or_default().push(from);
        }
    }
    let mut members = BTreeSet::new();
    let mut headers = Vec::new();
    for component in components {
        let set: BTreeSet<u64> = component.iter().copied().collect();
        // The function's start is entered from the prologue.
        let entered: Vec<u64> = component
            .iter()
            .copied()
            .filter(|&n| {
                n == first
                    || preds
                        .get(&n)
                        .is_some_and(|ps| ps.iter().any(|p| !set.contains(p)))
            })
            .collect();
        if let [header] = entered[..] {
            headers.push(header);
        }
        members.extend(set);
    }
    headers.sort_unstable();
    Loops { members, headers }
}
