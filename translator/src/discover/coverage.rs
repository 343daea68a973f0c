//! How much of the code the functions cover, and what the rest is.

use super::analysis::{padding, Regions};
use super::code::Code;
use super::{Coverage, Function, Source};

/// Measures `functions` against the code `regions`.
pub(super) fn measure(code: &Code<'_>, regions: &Regions, functions: &[Function]) -> Coverage {
    let mut coverage = Coverage {
        segment_bytes: code.size(),
        code_from_sections: regions.from_sections,
        orphan_entries: regions.orphans,
        ..Coverage::default()
    };
    // Halfwords inside some function's blocks.
    let mut covered = vec![false; code.halfwords()];
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
                pc += code.decode(pc).map_or(2, |inst| u64::from(inst.len));
            }
        }
    }

    for &(start, end) in &regions.ranges {
        coverage.code_bytes += end - start;
        let mut pc = start;
        while pc < end {
            // Bytes from pc up to the next halfword (or the region's end).
            let step = |n: u64| n.min(end - pc);
            let h = code.index(pc);
            if h.is_some_and(|h| covered[h]) {
                let n = step(2 - (pc & 1));
                coverage.covered += n;
                pc += n;
                continue;
            }
            let Some(parcel) = code.fetch(pc) else {
                let n = step(2 - (pc & 1));
                coverage.data += n;
                pc += n;
                continue;
            };
            if let Some(len) = padding(parcel) {
                let n = step(len);
                coverage.padding += n;
                pc += n;
                continue;
            }
            let inst = c2w_isa::riscv64::decode(parcel);
            // Count a 32-bit instruction whose second half is covered as one
            // halfword.
            let len = match h {
                Some(h) if inst.len == 4 && covered.get(h + 1) == Some(&true) => 2,
                _ => u64::from(inst.len),
            };
            let n = step(len);
            if inst.is_illegal() {
                coverage.data += n;
            } else {
                coverage.unreached += n;
            }
            pc += n;
        }
    }
    coverage
}
