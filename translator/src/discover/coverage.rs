//! How much of the code the functions cover, and what the rest is.

use super::analysis::Regions;
use super::code::Code;
use std::collections::BTreeMap;

use super::{Coverage, Function, Guest, Source, Unimplemented};

/// Measures `functions` against the code `regions`.
pub(super) fn measure<I: Guest>(
    code: &Code<'_, I>,
    regions: &Regions,
    functions: &[Function],
) -> Coverage {
    let mut coverage = Coverage {
        segment_bytes: code.size(),
        code_from_sections: regions.from_sections,
        orphan_entries: regions.orphans,
        ..Coverage::default()
    };
    // Units inside some function's blocks.
    let mut covered = vec![false; code.units()];
    // Illegal instructions in the blocks (shared code counted once).
    let mut illegal: BTreeMap<u64, I::Inst> = BTreeMap::new();
    for function in functions {
        let counts = &mut coverage.functions;
        match function.source {
            Source::Symbol => counts.symbols += 1,
            Source::EhFrame => counts.eh_frame += 1,
            Source::Entry => counts.entry += 1,
            Source::InitArray => counts.init_array += 1,
            Source::Call => counts.calls += 1,
        }
        coverage.blocks += function.blocks.len();
        coverage.entries += function.entries.len();
        for block in &function.blocks {
            let (Some(first), Some(last)) = (code.index(block.start), code.index(block.end - 1))
            else {
                continue;
            };
            covered[first..=last].fill(true);
            let mut pc = block.start;
            while pc < block.end {
                coverage.instructions += 1;
                let inst = code.decode(pc);
                if let Some(inst) = inst.filter(I::is_illegal) {
                    illegal.insert(pc, inst);
                }
                pc += inst.map_or(I::ALIGN, |inst| u64::from(I::len(&inst)));
            }
        }
    }

    let mut kinds: BTreeMap<String, Unimplemented> = BTreeMap::new();
    for (&pc, inst) in &illegal {
        if I::is_deliberate_trap(inst) {
            coverage.deliberate_traps += 1;
            continue;
        }
        let mnemonic = I::mnemonic(inst);
        kinds
            .entry(mnemonic.clone())
            .or_insert_with(|| Unimplemented {
                mnemonic,
                count: 0,
                example: pc,
                example_text: inst.to_string(),
            })
            .count += 1;
    }
    coverage.unimplemented = kinds.into_values().collect();
    coverage.unimplemented.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.mnemonic.cmp(&b.mnemonic))
    });

    for &(start, end) in &regions.ranges {
        coverage.code_bytes += end - start;
        let mut pc = start;
        while pc < end {
            // Bytes from pc up to the next unit (or the region's end).
            let step = |n: u64| n.min(end - pc);
            let to_unit = I::ALIGN - pc % I::ALIGN;
            let h = code.index(pc);
            if h.is_some_and(|h| covered[h]) {
                let n = step(to_unit);
                coverage.covered += n;
                pc += n;
                continue;
            }
            let decoded = code
                .bytes(pc)
                .and_then(|bytes| Some((I::padding(bytes, pc), I::decode(bytes, pc)?)));
            let Some((padding, inst)) = decoded else {
                let n = step(to_unit);
                coverage.data += n;
                pc += n;
                continue;
            };
            if let Some(len) = padding {
                let n = step(len);
                coverage.padding += n;
                pc += n;
                continue;
            }
            // An instruction that runs into covered code counts up to there.
            let units = u64::from(I::len(&inst)).div_ceil(I::ALIGN) as usize;
            let len = match h {
                Some(h) => (1..units)
                    .find(|u| covered.get(h + u) == Some(&true))
                    .map_or(u64::from(I::len(&inst)), |u| u as u64 * I::ALIGN),
                None => u64::from(I::len(&inst)),
            };
            let n = step(len);
            if I::is_illegal(&inst) {
                coverage.data += n;
            } else {
                coverage.unreached += n;
            }
            pc += n;
        }
    }
    coverage
}
