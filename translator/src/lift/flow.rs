//! Register data flow over a function's blocks, for the lifter to sync
//! guest registers with the CPU state as little as it can.
//!
//! The registers are in memory, clean, wherever the function is entered or
//! continues after a call (it loads them there): such points start from
//! nothing. Between them:
//!
//! * *dirty* registers may differ from the CPU state: each instruction
//!   dirties what it writes (a forward union), and exits and calls write
//!   back only those;
//! * *needed* registers may be read, written or written back (they are
//!   dirty where some block ends; a path that did not write one still needs
//!   its loaded value there) before the next such point -- a backward
//!   union: entries and call-return sites load only those.

use std::collections::BTreeMap;

use c2w_isa::Isa;

use super::scan::{Access, RegSet};

/// The register sets at the start of each block (by block start).
pub struct Flow {
    pub dirty: BTreeMap<u64, RegSet>,
    pub needed: BTreeMap<u64, RegSet>,
}

/// The successors of a block, in the same function, that continue with its
/// register variables: not through a call (the return site reloads) nor
/// through an exit (traps and computed jumps leave or reload). The flag
/// says whether the block writes everything back before going on (a system
/// call: the dirty registers start afresh).
fn successors<I: Isa>(last: &I::Inst, pc: u64, end: u64) -> (Vec<u64>, bool) {
    if !I::ends_block(last) {
        return (vec![end], false);
    }
    if I::is_call(last) {
        return (Vec::new(), false);
    }
    let t = I::direct_targets(last, pc);
    match (t.target, t.fallthrough) {
        // A system call (or `fence.i`): served in line.
        (None, Some(next)) => (vec![next], true),
        (target, fallthrough) => (
            target.into_iter().chain(target.and(fallthrough)).collect(),
            false,
        ),
    }
}

/// What one block does to the registers.
struct Summary {
    /// Written anywhere in the block.
    writes: RegSet,
    /// Read before the block writes them.
    reads: RegSet,
    successors: Vec<u64>,
    /// The block ends with every register written back.
    clean_out: bool,
}

/// A block as the lifter holds it: start, end and instructions.
pub type GuestBlock<I> = (u64, u64, Vec<(u64, <I as Isa>::Inst)>);

/// The flow for `blocks`.
pub fn analyze<I: Isa>(blocks: &[GuestBlock<I>]) -> Flow {
    let mut summaries = BTreeMap::new();
    for (start, end, insts) in blocks {
        let mut s = Summary {
            writes: RegSet::default(),
            reads: RegSet::default(),
            successors: Vec::new(),
            clean_out: false,
        };
        for (pc, inst) in insts {
            let a = Access::of::<I>(inst, *pc);
            s.reads = s.reads.union(a.reads.minus(s.writes));
            s.writes = s.writes.union(a.writes);
        }
        if let Some((pc, last)) = insts.last() {
            (s.successors, s.clean_out) = successors::<I>(last, *pc, *end);
        }
        summaries.insert(*start, s);
    }
    let starts: Vec<u64> = summaries.keys().copied().collect();
    let inside = |pc: &u64| summaries.contains_key(pc);
    let edges: Vec<(u64, u64)> = summaries
        .iter()
        .flat_map(|(&from, s)| {
            s.successors
                .iter()
                .filter(|to| inside(to))
                .map(move |&to| (from, to))
        })
        .collect();

    let empty = || {
        starts
            .iter()
            .map(|&s| (s, RegSet::default()))
            .collect::<BTreeMap<_, _>>()
    };
    let mut dirty = empty();
    let mut needed = empty();
    loop {
        let mut changed = false;
        for &(from, to) in &edges {
            let f = &summaries[&from];
            if f.clean_out {
                continue;
            }
            let out = dirty[&from].union(f.writes);
            let into = dirty.get_mut(&to).expect("edges stay inside the function");
            changed |= grow(into, out);
        }
        if !changed {
            break;
        }
    }
    // Backward, once the dirty sets are known.
    loop {
        let mut changed = false;
        for (start, s) in &summaries {
            let own = s.reads.union(s.writes).union(dirty[start]);
            changed |= grow(needed.get_mut(start).expect("a block"), own);
        }
        for &(from, to) in edges.iter().rev() {
            let downstream = needed[&to];
            changed |= grow(needed.get_mut(&from).expect("a block"), downstream);
        }
        if !changed {
            return Flow { dirty, needed };
        }
    }
}

/// `*set |= more`; whether it grew.
fn grow(set: &mut RegSet, more: RegSet) -> bool {
    let merged = set.union(more);
    let grew = merged != *set;
    *set = merged;
    grew
}
