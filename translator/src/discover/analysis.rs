//! The descent and the sweep (steps 2 and 3 of the module documentation).
//!
//! Everything is indexed by unit of code ([`Code::index`]) so each
//! instruction is decoded once and every pass is linear in the code size.

use std::collections::{BTreeMap, BTreeSet};

use super::code::Code;
use super::seeds::{merge, Seeds};
use super::{Block, Function, Guest, Problems, Source};

/// The code regions discovery worked on (see [`Seeds::regions`]), sorted;
/// without section headers they end at the last code found.
pub(super) struct Regions {
    pub ranges: Vec<(u64, u64)>,
    pub from_sections: bool,
    /// Orphan entries the sweep found.
    pub orphans: usize,
}

/// Finds all functions (see the module documentation of `discover`).
pub(super) fn run<I: Guest>(
    code: &Code<'_, I>,
    seeds: Seeds,
    problems: &mut Problems,
) -> (Vec<Function>, Regions) {
    let mut program = Program::new(code, seeds);
    program.find_starts();
    let regions = Regions {
        ranges: program.regions(),
        from_sections: program.seeds.regions_from_sections,
        orphans: program.orphans.len(),
    };
    let functions = program.functions(problems);
    (functions, regions)
}

/// How control leaves an instruction: everything discovery needs to know
/// about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flow {
    /// Not a control transfer: continues with the next instruction.
    Next,
    /// Conditional branch: the target or the next instruction.
    Branch,
    /// Direct jump that does not link (`j`, `jal x0`).
    Jump,
    /// Direct call (`jal` linking `ra` or `t0`); returns to the next
    /// instruction.
    Call,
    /// Indirect call (`jalr` linking); returns to the next instruction.
    IndirectCall,
    /// Ends the block but continues with the next instruction: `ecall`,
    /// `fence.i`.
    Continue,
    /// No known successor: indirect jump, return, `ebreak`, an illegal CSR
    /// access.
    Stop,
    /// Illegal instruction: traps.
    Illegal,
}

/// One decoded instruction, reduced to its length and control flow.
#[derive(Clone, Copy, Debug)]
struct Info {
    len: u8,
    flow: Flow,
    /// Target minus pc, for `Branch`, `Jump` and `Call`.
    offset: i32,
}

impl Info {
    fn new<I: Guest>(inst: &I::Inst, pc: u64) -> Info {
        let targets = I::direct_targets(inst, pc);
        let flow = if I::is_illegal(inst) {
            Flow::Illegal
        } else if !I::ends_block(inst) {
            Flow::Next
        } else {
            match (targets.target, targets.fallthrough) {
                (Some(_), Some(_)) if I::is_call(inst) => Flow::Call,
                (Some(_), Some(_)) => Flow::Branch,
                (Some(_), None) => Flow::Jump,
                (None, Some(_)) if I::is_call(inst) => Flow::IndirectCall,
                (None, Some(_)) => Flow::Continue,
                (None, None) => Flow::Stop,
            }
        };
        // Direct targets are at most 2 GiB away, so the offset fits.
        let offset = targets
            .target
            .map_or(0, |target| target.wrapping_sub(pc) as i64 as i32);
        Info {
            len: I::len(inst),
            flow,
            offset,
        }
    }

    fn ends(&self) -> bool {
        self.flow != Flow::Next
    }

    fn target(&self, pc: u64) -> Option<u64> {
        matches!(self.flow, Flow::Branch | Flow::Jump | Flow::Call)
            .then(|| pc.wrapping_add(self.offset as i64 as u64))
    }

    /// The next instruction, when control can continue there.
    fn next(&self, pc: u64) -> Option<u64> {
        match self.flow {
            Flow::Jump | Flow::Stop | Flow::Illegal => None,
            _ => pc.checked_add(u64::from(self.len)),
        }
    }
}

/// A cached decode of one unit.
#[derive(Clone, Copy, Debug)]
enum Slot {
    Unknown,
    /// No instruction can be fetched there (cut off at a segment's end).
    Unfetchable,
    Inst(Info),
}

/// Per-unit flags of the whole-program descent.
const VISITED: u8 = 1;
/// Covered by a visited instruction.
const COVERED: u8 = 2;
/// A function start.
const START: u8 = 4;

/// Scan back at most this many function starts to find the one whose range
/// holds an address (ranges nest only in unusual files).
const OWNER_SEARCH: usize = 64;

/// How many instructions apart the two halves of an address constant may be.
const CONSTANT_WINDOW: usize = 8;

/// The most entries read from one jump table.
const MAX_TABLE_ENTRIES: usize = 4096;

struct Program<'c, 'a, I: Guest> {
    code: &'c Code<'a, I>,
    seeds: Seeds,
    cache: Vec<Slot>,
    flags: Vec<u8>,
    /// Function starts found so far, with their sources.
    starts: BTreeMap<u64, Source>,
    /// Orphan entries found by the sweep.
    orphans: BTreeSet<u64>,
    /// Function ranges `(start, end)` of the last sweep, sorted by start.
    ranges: Vec<(u64, u64)>,
    stack: Vec<u64>,
}

impl<'c, 'a, I: Guest> Program<'c, 'a, I> {
    fn new(code: &'c Code<'a, I>, seeds: Seeds) -> Self {
        let units = code.units();
        Program {
            code,
            cache: vec![Slot::Unknown; units],
            flags: vec![0; units],
            starts: BTreeMap::new(),
            orphans: BTreeSet::new(),
            ranges: Vec::new(),
            stack: Vec::new(),
            seeds,
        }
    }

    /// The instruction at `pc`, if one can be fetched there.
    fn info(&mut self, pc: u64) -> Option<Info> {
        if pc % I::ALIGN != 0 {
            return None;
        }
        let h = self.code.index(pc)?;
        match self.cache[h] {
            Slot::Inst(info) => Some(info),
            Slot::Unfetchable => None,
            Slot::Unknown => {
                let info = self.code.decode(pc).map(|inst| Info::new::<I>(&inst, pc));
                self.cache[h] = info.map_or(Slot::Unfetchable, Slot::Inst);
                info
            }
        }
    }

    fn is_start(&self, pc: u64) -> bool {
        pc % I::ALIGN == 0
            && self
                .code
                .index(pc)
                .is_some_and(|h| self.flags[h] & START != 0)
    }

    /// The unit indices of the instruction `info` whose first unit is `h`
    /// (all in one segment: an instruction never spans two).
    fn units_of(&self, h: usize, info: Info) -> std::ops::Range<usize> {
        let n = (u64::from(info.len)).div_ceil(I::ALIGN) as usize;
        h..(h + n).min(self.code.units())
    }

    fn add_start(&mut self, pc: u64, source: Source) -> bool {
        let Some(h) = self.code.index(pc) else {
            return false;
        };
        if self.flags[h] & START != 0 {
            return false;
        }
        self.flags[h] |= START;
        self.starts.insert(pc, source);
        true
    }

    /// Step 2: all function starts and orphan entries, to a fixpoint.
    fn find_starts(&mut self) {
        let seeds: Vec<_> = self.seeds.starts.iter().map(|(&pc, &s)| (pc, s)).collect();
        // All seeds first, so a seed reached by a call keeps its source.
        for &(pc, source) in &seeds {
            self.add_start(pc, source);
        }
        for &(pc, _) in &seeds {
            self.descend(pc);
        }
        loop {
            let before = (self.starts.len(), self.orphans.len());
            self.sweep();
            if (self.starts.len(), self.orphans.len()) == before {
                break;
            }
        }
    }

    /// Whole-program descent from `from`: marks what it reaches and makes
    /// every direct call target a function start.
    fn descend(&mut self, from: u64) {
        self.stack.push(from);
        while let Some(pc) = self.stack.pop() {
            let Some(h) = self.code.index(pc) else {
                continue;
            };
            if self.flags[h] & VISITED != 0 {
                continue;
            }
            let Some(info) = self.info(pc) else {
                continue;
            };
            self.flags[h] |= VISITED;
            for u in self.units_of(h, info) {
                self.flags[u] |= COVERED;
            }
            if let Some(target) = info.target(pc) {
                if info.flow == Flow::Call {
                    if self.code.decode(target).is_some() && self.add_start(target, Source::Call) {
                        self.stack.push(target);
                    }
                } else {
                    self.stack.push(target);
                }
            }
            if let Some(next) = info.next(pc) {
                self.stack.push(next);
            }
        }
    }

    /// The code regions: the seeds' regions, cut at the end of the last
    /// code found when they do not come from section headers.
    fn regions(&self) -> Vec<(u64, u64)> {
        if self.seeds.regions_from_sections {
            return self.seeds.regions.clone();
        }
        let mut regions = Vec::new();
        for &(start, end) in &self.seeds.regions {
            let mut last = start;
            for (&s, &e) in self.seeds.extents.range(start..end) {
                last = last.max(e.min(end)).max(s);
            }
            // The last covered unit of the region.
            if let (Some(first), Some(h_end)) = (self.code.index(start), self.code.index(end - 1)) {
                if let Some(back) = self.flags[first..=h_end]
                    .iter()
                    .rposition(|&f| f & COVERED != 0)
                {
                    let addr = start - start % I::ALIGN + I::ALIGN * (back as u64 + 1);
                    last = last.max(addr.min(end));
                }
            }
            if start < last {
                regions.push((start, last));
            }
        }
        regions
    }

    /// The range each function's sweep covers: its extent (FDE or symbol
    /// size) when known, else up to the next function start; never beyond
    /// the code region holding its start. Sorted by start.
    fn function_ranges(&self, regions: &[(u64, u64)]) -> Vec<(u64, u64)> {
        let starts: Vec<u64> = self.starts.keys().copied().collect();
        let mut ranges = Vec::with_capacity(starts.len());
        for (i, &start) in starts.iter().enumerate() {
            let at = regions.partition_point(|r| r.0 <= start);
            let Some(&(_, region_end)) = at.checked_sub(1).and_then(|i| regions.get(i)) else {
                continue;
            };
            if start >= region_end {
                continue;
            }
            let end = match self.seeds.extents.get(&start) {
                Some(&end) => end,
                None => starts.get(i + 1).copied().unwrap_or(u64::MAX),
            };
            ranges.push((start, end.min(region_end)));
        }
        ranges
    }

    /// One linear sweep of all function ranges: descends from every orphan
    /// entry it finds (see the module documentation).
    fn sweep(&mut self) {
        let regions = self.regions();
        self.ranges = self.function_ranges(&regions);
        let swept = merge(self.ranges.clone());
        for &(start, end) in &swept {
            self.sweep_range(start, end, Found::Orphan);
        }
        self.table_targets();
        // Code that no function's range reaches: after a function whose
        // extent is known (an FDE) and before the next start. Code built
        // without unwind tables (BusyBox's own on x86_64, after glibc's)
        // can fill such a gap, reached only through pointers (`main`,
        // applet and builtin tables): its first instruction starts a
        // function, whose range the next round sweeps.
        for (start, end) in gaps(&regions, &swept) {
            self.sweep_range(start, end, Found::Start);
        }
    }

    /// Makes the targets of jump tables orphan entries of functions with
    /// computed jumps. The sweep finds the targets that nothing else
    /// reaches; this finds those that code also reaches directly (a case
    /// that another falls into or branches to), which must be entries too,
    /// or a jump through the table misses and the interpreter runs on.
    ///
    /// A table is found through the address constants of its function
    /// (`lui`/`auipc` + `addi`): the words there, read as offsets from the
    /// table (position-independent code) or as addresses, while each points
    /// into the function at an instruction start or at code not yet seen.
    fn table_targets(&mut self) {
        for (start, end) in self.ranges.clone() {
            let mut computed = false;
            let mut constants = Vec::new();
            // The last few instructions: the `addi` need not follow its
            // `lui`/`auipc` at once.
            let mut recent: Vec<(u64, I::Inst)> = Vec::with_capacity(CONSTANT_WINDOW);
            let mut pc = start;
            while pc < end {
                let inst = self
                    .code
                    .index(pc)
                    .filter(|&h| self.flags[h] & VISITED != 0)
                    .and_then(|_| self.code.decode(pc));
                let Some(inst) = inst else {
                    recent.clear();
                    pc += I::ALIGN;
                    continue;
                };
                computed |= I::is_computed_jump(&inst);
                constants.extend(I::address_constant(&recent, &inst, pc));
                if recent.len() == CONSTANT_WINDOW {
                    recent.remove(0);
                }
                recent.push((pc, inst));
                pc += u64::from(I::len(&inst));
            }
            if !computed {
                continue;
            }
            for base in constants {
                for target in self.table_at(base, start, end) {
                    if !self.is_start(target) {
                        self.orphans.insert(target);
                    }
                }
            }
        }
    }

    /// The instruction starts in `[start, end)` that a jump table at `base`
    /// lists (see [`Program::table_targets`]); none unless at least two
    /// entries in a row point into the function.
    fn table_at(&self, base: u64, start: u64, end: u64) -> Vec<u64> {
        let plausible = |target: u64| {
            target >= start
                && target < end
                && target % I::ALIGN == 0
                && self
                    .code
                    .index(target)
                    .is_some_and(|h| self.flags[h] & VISITED != 0 || self.flags[h] & COVERED == 0)
        };
        let mut best: Vec<u64> = Vec::new();
        // Entries as 32-bit offsets from the table, 32-bit addresses and
        // 64-bit addresses (computed-goto tables).
        for (size, relative) in [(4, true), (4, false), (8, false)] {
            let mut targets = Vec::new();
            for i in 0..MAX_TABLE_ENTRIES {
                let Some(bytes) = self.code.data(base + (i * size) as u64, size) else {
                    break;
                };
                let target = match (size, relative) {
                    (4, true) => base.wrapping_add(i32::from_le_bytes(
                        bytes.try_into().expect("4 bytes"),
                    ) as i64 as u64),
                    // Absolute entries are link addresses (or, in a
                    // static PIE, what a relocation puts there).
                    (4, false) => self.code.rebase(u64::from(u32::from_le_bytes(
                        bytes.try_into().expect("4 bytes"),
                    ))),
                    _ => self
                        .code
                        .pointer(base + (i * size) as u64)
                        .unwrap_or_default(),
                };
                if !plausible(target) {
                    break;
                }
                targets.push(target);
            }
            if targets.len() > best.len() {
                best = targets;
            }
        }
        if best.len() < 2 {
            return Vec::new();
        }
        // Code not seen yet is the sweep's to find.
        best.retain(|&t| {
            self.code
                .index(t)
                .is_some_and(|h| self.flags[h] & VISITED != 0)
        });
        best
    }

    /// Sweeps `[start, end)` for code nothing reached: the first
    /// instruction of each unreached region (after one that ends a block)
    /// becomes what `found` says, and the descent goes on from it.
    fn sweep_range(&mut self, start: u64, end: u64, found: Found) {
        let mut pc = start.saturating_add((I::ALIGN - start % I::ALIGN) % I::ALIGN);
        // Whether the previous instruction (padding aside) ends a block: the
        // range's start counts as the start of an unreached region.
        let mut after_end = true;
        while pc < end {
            let Some(h) = self.code.index(pc) else {
                pc = pc.saturating_add(I::ALIGN);
                after_end = true;
                continue;
            };
            let flags = self.flags[h];
            if flags & VISITED != 0 {
                let info = self.info(pc).expect("visited instructions decode");
                after_end = info.ends();
                pc += u64::from(info.len);
                continue;
            }
            if flags & COVERED != 0 {
                // Inside a longer instruction: only reached when
                // instructions overlap.
                pc = pc.saturating_add(I::ALIGN);
                after_end = false;
                continue;
            }
            let Some(bytes) = self.code.bytes(pc) else {
                pc = pc.saturating_add(I::ALIGN);
                after_end = true;
                continue;
            };
            if let Some(len) = I::padding(bytes, pc) {
                pc += len;
                continue;
            }
            let Some(info) = self.info(pc) else {
                pc = pc.saturating_add(I::ALIGN);
                continue;
            };
            if info.flow == Flow::Illegal {
                pc += u64::from(info.len);
                after_end = true;
                continue;
            }
            if self
                .units_of(h, info)
                .skip(1)
                .any(|u| self.flags[u] & COVERED != 0)
            {
                // Would overlap code already found: not code.
                pc = pc.saturating_add(I::ALIGN);
                after_end = false;
                continue;
            }
            if after_end {
                match found {
                    Found::Orphan => {
                        self.orphans.insert(pc);
                        self.descend(pc);
                        // Now visited: the next round steps over it.
                        continue;
                    }
                    Found::Start => {
                        if self.add_start(pc, Source::Call) {
                            self.descend(pc);
                            return;
                        }
                    }
                }
            }
            after_end = info.ends();
            pc += u64::from(info.len);
        }
    }

    /// The index in `self.ranges` of the function whose range holds `pc`
    /// (the nearest start at or before `pc` if none does).
    fn owner(&self, pc: u64) -> Option<usize> {
        let nearest = self.ranges.partition_point(|r| r.0 <= pc).checked_sub(1)?;
        let holds = (nearest.saturating_sub(OWNER_SEARCH)..=nearest)
            .rev()
            .find(|&i| pc < self.ranges[i].1);
        Some(holds.unwrap_or(nearest))
    }

    /// Step 3: every function, descended on its own.
    fn functions(&mut self, problems: &mut Problems) -> Vec<Function> {
        // Orphan entries by owner.
        let mut orphans: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
        for &orphan in &self.orphans {
            if self.is_start(orphan) {
                continue;
            }
            if let Some(owner) = self.owner(orphan) {
                orphans
                    .entry(self.ranges[owner].0)
                    .or_default()
                    .push(orphan);
            }
        }
        let starts: Vec<(u64, Source)> = self.starts.iter().map(|(&pc, &s)| (pc, s)).collect();
        let mut scratch = Scratch {
            state: vec![0; self.code.units()],
            touched: Vec::new(),
        };
        let mut works: Vec<Work> = starts
            .iter()
            .map(|&(start, _)| {
                let extra = orphans.get(&start).map_or(&[][..], Vec::as_slice);
                self.descend_function(start, extra, &mut scratch, problems)
            })
            .collect();

        // Blocks that other functions jump into become entries.
        let index_of = |start: u64| starts.binary_search_by_key(&start, |s| s.0).ok();
        let mut cross: Vec<(usize, u64)> = Vec::new();
        for (i, work) in works.iter().enumerate() {
            for &target in &work.jumps {
                let Some(owner) = self.owner(target) else {
                    continue;
                };
                let Some(j) = index_of(self.ranges[owner].0) else {
                    continue;
                };
                if j != i && works[j].instrs.binary_search(&target).is_ok() {
                    cross.push((j, target));
                }
            }
        }
        for (j, target) in cross {
            works[j].leaders.push(target);
            works[j].entries.push(target);
        }

        starts
            .iter()
            .zip(works)
            .map(|(&(start, source), work)| self.finish(start, source, work))
            .collect()
    }

    /// Descends one function from `start` and `extra` entries.
    fn descend_function(
        &mut self,
        start: u64,
        extra: &[u64],
        scratch: &mut Scratch,
        problems: &mut Problems,
    ) -> Work {
        let mut work = Work::default();
        work.leaders.push(start);
        work.entries.push(start);
        work.leaders.extend_from_slice(extra);
        work.entries.extend_from_slice(extra);
        self.stack.clear();
        self.stack.push(start);
        self.stack.extend(extra.iter().rev());
        while let Some(pc) = self.stack.pop() {
            if pc != start && self.is_start(pc) {
                continue; // Another function: a tail call or fall-through.
            }
            let (Some(h), Some(info)) = (self.code.index(pc), self.info(pc)) else {
                problems.dangling_successors += 1;
                continue;
            };
            match scratch.state[h] {
                INST_START => continue,
                INST_TAIL => {
                    problems.dangling_successors += 1;
                    continue;
                }
                _ => {}
            }
            if self
                .units_of(h, info)
                .skip(1)
                .any(|u| scratch.state.get(u) != Some(&FREE))
            {
                problems.dangling_successors += 1;
                continue;
            }
            scratch.state[h] = INST_START;
            scratch.touched.push(h);
            for u in self.units_of(h, info).skip(1) {
                scratch.state[u] = INST_TAIL;
                scratch.touched.push(u);
            }
            work.instrs.push(pc);

            if let Some(target) = info.target(pc) {
                if info.flow != Flow::Call {
                    if target == start || !self.is_start(target) {
                        work.leaders.push(target);
                        work.jumps.push(target);
                    }
                    self.stack.push(target);
                }
            }
            if let Some(next) = info.next(pc) {
                if info.ends() {
                    work.leaders.push(next);
                    if matches!(info.flow, Flow::Call | Flow::IndirectCall | Flow::Continue) {
                        work.entries.push(next);
                    }
                }
                self.stack.push(next);
            }
        }
        for h in scratch.touched.drain(..) {
            scratch.state[h] = FREE;
        }
        work.instrs.sort_unstable();
        work
    }

    /// Cuts a function's instructions into blocks.
    fn finish(&mut self, start: u64, source: Source, mut work: Work) -> Function {
        work.leaders.sort_unstable();
        work.leaders.dedup();
        let mut blocks = Vec::new();
        let mut block_start = None;
        for (i, &pc) in work.instrs.iter().enumerate() {
            let info = self.info(pc).expect("descended instructions decode");
            let end = pc + u64::from(info.len);
            let begin = *block_start.get_or_insert(pc);
            // A block also ends where the function's code stops (a
            // fall-through into another function) and before a leader.
            let next = work.instrs.get(i + 1).copied();
            if info.ends() || next != Some(end) || work.leaders.binary_search(&end).is_ok() {
                blocks.push(Block { start: begin, end });
                block_start = None;
            }
        }
        let mut entries: Vec<u64> = work
            .entries
            .into_iter()
            .filter(|e| blocks.binary_search_by_key(e, |b: &Block| b.start).is_ok())
            .collect();
        entries.sort_unstable();
        entries.dedup();
        Function {
            start,
            source,
            blocks,
            entries,
        }
    }
}

/// The parts of `regions` outside `covered` (both sorted and disjoint).
fn gaps(regions: &[(u64, u64)], covered: &[(u64, u64)]) -> Vec<(u64, u64)> {
    let mut gaps = Vec::new();
    for &(start, end) in regions {
        let mut at = start;
        for &(s, e) in covered {
            if e <= at || s >= end {
                continue;
            }
            if s > at {
                gaps.push((at, s));
            }
            at = at.max(e);
        }
        if at < end {
            gaps.push((at, end));
        }
    }
    gaps
}

/// What [`Program::sweep_range`] makes of unreached code.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Found {
    /// Every unreached region's start is an orphan entry of the function
    /// whose range holds it.
    Orphan,
    /// The first one is a function start (code in a gap between function
    /// ranges), and the sweep stops there.
    Start,
}

/// Per-unit state of one function's descent.
const FREE: u8 = 0;
const INST_START: u8 = 1;
/// A unit after the first of an instruction.
const INST_TAIL: u8 = 2;

/// Scratch space for one function's descent, reset after each.
struct Scratch {
    state: Vec<u8>,
    touched: Vec<usize>,
}

/// One function's descent.
#[derive(Default)]
struct Work {
    /// Its instructions, sorted.
    instrs: Vec<u64>,
    /// Where blocks must start (may name addresses outside the function).
    leaders: Vec<u64>,
    /// Entry candidates (filtered to block starts at the end).
    entries: Vec<u64>,
    /// Targets of the jumps and branches it follows.
    jumps: Vec<u64>,
}
