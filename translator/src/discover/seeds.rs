//! Where functions start, according to the ELF file itself: the entry
//! point, function symbols, `.eh_frame` FDEs and the init/fini arrays; and
//! which parts of the executable segments can hold code at all.

use std::collections::BTreeMap;

use gimli::{BaseAddresses, CieOrFde, EhFrame, EhFrameHdr, LittleEndian, Pointer, UnwindSection};
use goblin::elf::program_header::{PT_GNU_EH_FRAME, PT_LOAD};
use goblin::elf::section_header::SHN_ABS;
use goblin::elf::section_header::{
    SHF_ALLOC, SHF_EXECINSTR, SHT_FINI_ARRAY, SHT_INIT_ARRAY, SHT_NOBITS, SHT_PREINIT_ARRAY,
};
use goblin::elf::sym::{STT_FUNC, STT_GNU_IFUNC};
use goblin::elf::Elf;

use super::code::{file_range, Code};
use super::{Guest, Problems, Source};

/// What the ELF file says about its code.
pub(super) struct Seeds {
    /// Function starts, each with the most authoritative source that names it.
    pub starts: BTreeMap<u64, Source>,
    /// Known function extents `[start, end)`: from FDEs, else symbol sizes.
    pub extents: BTreeMap<u64, u64>,
    /// Address ranges that can hold code, sorted and disjoint: the
    /// executable sections, or without section headers the executable
    /// segments (minus the ELF headers they map).
    pub regions: Vec<(u64, u64)>,
    /// Whether `regions` come from section headers; if not, they are only an
    /// upper bound (read-only data usually shares the segment with code).
    pub regions_from_sections: bool,
}

impl Seeds {
    pub fn read<I: Guest>(bytes: &[u8], code: &Code<'_, I>, problems: &mut Problems) -> Seeds {
        let mut seeds = Seeds {
            starts: BTreeMap::new(),
            extents: BTreeMap::new(),
            regions: Vec::new(),
            regions_from_sections: false,
        };
        seeds.add(code, code.entry(), Source::Entry, problems);

        // Sections and symbols are optional: a file without (readable)
        // section headers still has its entry point and PT_GNU_EH_FRAME.
        let elf = match Elf::parse(bytes) {
            Ok(elf) => Some(elf),
            Err(err) => {
                problems
                    .notes
                    .push(format!("sections and symbols not read: {err}"));
                None
            }
        };
        let mut eh_frame = None;
        if let Some(elf) = &elf {
            seeds.read_symbols(elf, code, problems);
            seeds.read_arrays(bytes, elf, code, problems);
            seeds.read_regions(elf, code);
            eh_frame = elf.section_headers.iter().find_map(|sh| {
                let named = elf.shdr_strtab.get_at(sh.sh_name) == Some(".eh_frame");
                let addr = code.rebase(sh.sh_addr);
                (named && sh.sh_type != SHT_NOBITS)
                    .then(|| Some((file_range(bytes, sh.sh_offset, sh.sh_size)?, addr)))
                    .flatten()
            });
        }
        if eh_frame.is_none() {
            eh_frame = eh_frame_from_header(bytes, code, problems);
        }
        if let Some((section, addr)) = eh_frame {
            seeds.read_eh_frame(section, addr, code, problems);
        }
        if seeds.regions.is_empty() {
            seeds.regions = segment_regions(code);
        }
        seeds
    }

    /// Adds a function start if it holds a legal instruction.
    fn add<I: Guest>(
        &mut self,
        code: &Code<'_, I>,
        start: u64,
        source: Source,
        problems: &mut Problems,
    ) -> bool {
        match code.decode(start) {
            Some(inst) if !I::is_illegal(&inst) => {
                let best = self.starts.entry(start).or_insert(source);
                *best = (*best).min(source);
                true
            }
            _ => {
                problems.rejected_seeds += 1;
                false
            }
        }
    }

    fn read_symbols<I: Guest>(
        &mut self,
        elf: &Elf<'_>,
        code: &Code<'_, I>,
        problems: &mut Problems,
    ) {
        for sym in elf.syms.iter().chain(elf.dynsyms.iter()) {
            let is_function = matches!(sym.st_type(), STT_FUNC | STT_GNU_IFUNC);
            // Absolute symbols do not move with the program.
            let value = if sym.st_shndx == SHN_ABS as usize {
                sym.st_value
            } else {
                code.rebase(sym.st_value)
            };
            if !is_function || sym.st_shndx == 0 || !code.contains(value) {
                continue;
            }
            if self.add(code, value, Source::Symbol, problems) && sym.st_size > 0 {
                if let Some(end) = value.checked_add(sym.st_size) {
                    self.extents.entry(value).or_insert(end);
                }
            }
        }
    }

    /// Pointers in `.preinit_array`, `.init_array` and `.fini_array`.
    fn read_arrays<I: Guest>(
        &mut self,
        bytes: &[u8],
        elf: &Elf<'_>,
        code: &Code<'_, I>,
        problems: &mut Problems,
    ) {
        for sh in &elf.section_headers {
            if !matches!(
                sh.sh_type,
                SHT_INIT_ARRAY | SHT_FINI_ARRAY | SHT_PREINIT_ARRAY
            ) {
                continue;
            }
            let addr = code.rebase(sh.sh_addr);
            if file_range(bytes, sh.sh_offset, sh.sh_size).is_none() {
                problems.notes.push(format!(
                    "an init/fini array at {addr:#x} is outside the file"
                ));
                continue;
            }
            for i in 0..sh.sh_size / 8 {
                // The pointer as the running program sees it: in a static
                // PIE the array is filled in by relocations.
                let Some(pointer) = code.pointer(addr + 8 * i) else {
                    continue;
                };
                // 0 and -1 are terminators/placeholders.
                if pointer != 0 && pointer != u64::MAX && code.contains(pointer) {
                    self.add(code, pointer, Source::InitArray, problems);
                }
            }
        }
    }

    /// The executable sections, clipped to the executable segments.
    fn read_regions<I: Guest>(&mut self, elf: &Elf<'_>, code: &Code<'_, I>) {
        let flags = u64::from(SHF_EXECINSTR | SHF_ALLOC);
        let mut regions = Vec::new();
        for sh in &elf.section_headers {
            if sh.sh_flags & flags != flags || sh.sh_type == SHT_NOBITS || sh.sh_size == 0 {
                continue;
            }
            let addr = code.rebase(sh.sh_addr);
            let Some(end) = addr.checked_add(sh.sh_size) else {
                continue;
            };
            for (seg_start, seg_end) in code.ranges() {
                let (start, end) = (addr.max(seg_start), end.min(seg_end));
                if start < end {
                    regions.push((start, end));
                }
            }
        }
        if !regions.is_empty() {
            self.regions = merge(regions);
            self.regions_from_sections = true;
        }
    }

    fn read_eh_frame<I: Guest>(
        &mut self,
        section: &[u8],
        addr: u64,
        code: &Code<'_, I>,
        problems: &mut Problems,
    ) {
        let mut eh_frame = EhFrame::new(section, LittleEndian);
        eh_frame.set_address_size(8);
        let bases = BaseAddresses::default().set_eh_frame(addr);
        let mut entries = eh_frame.entries(&bases);
        loop {
            let fde = match entries.next() {
                Ok(None) => break,
                Ok(Some(CieOrFde::Cie(_))) => continue,
                Ok(Some(CieOrFde::Fde(partial))) => {
                    partial.parse(|section, bases, offset| section.cie_from_offset(bases, offset))
                }
                Err(err) => {
                    // The rest of the section cannot be found without this
                    // entry's length.
                    problems.eh_frame_errors += 1;
                    problems.notes.push(format!(".eh_frame stops early: {err}"));
                    break;
                }
            };
            let fde = match fde {
                Ok(fde) => fde,
                Err(_) => {
                    problems.eh_frame_errors += 1;
                    continue;
                }
            };
            let start = fde.initial_address();
            if fde.len() == 0 || !code.contains(start) {
                continue;
            }
            if self.add(code, start, Source::EhFrame, problems) {
                if let Some(end) = start.checked_add(fde.len()) {
                    self.extents.insert(start, end);
                }
            }
        }
    }
}

/// `.eh_frame` found through `PT_GNU_EH_FRAME` (`.eh_frame_hdr`, which
/// points at it), for files without section headers. The section's length
/// is unknown: it is read up to its zero terminator, or the end of the
/// segment holding it.
fn eh_frame_from_header<'a, I: Guest>(
    bytes: &'a [u8],
    code: &Code<'_, I>,
    problems: &mut Problems,
) -> Option<(&'a [u8], u64)> {
    let hdr = code
        .program_headers
        .iter()
        .find(|ph| ph.p_type == PT_GNU_EH_FRAME)?;
    let Some(data) = file_range(bytes, hdr.p_offset, hdr.p_filesz) else {
        problems
            .notes
            .push("PT_GNU_EH_FRAME is outside the file".to_string());
        return None;
    };
    let bases = BaseAddresses::default().set_eh_frame_hdr(hdr.p_vaddr);
    let parsed = match EhFrameHdr::new(data, LittleEndian).parse(&bases, 8) {
        Ok(parsed) => parsed,
        Err(err) => {
            problems.eh_frame_errors += 1;
            problems
                .notes
                .push(format!("malformed .eh_frame_hdr: {err}"));
            return None;
        }
    };
    let Pointer::Direct(addr) = parsed.eh_frame_ptr() else {
        problems
            .notes
            .push(".eh_frame_hdr points at .eh_frame indirectly".to_string());
        return None;
    };
    let found = code.program_headers.iter().find_map(|ph| {
        let inside = ph.p_type == PT_LOAD && addr >= ph.p_vaddr && addr - ph.p_vaddr < ph.p_filesz;
        if !inside {
            return None;
        }
        let skip = addr - ph.p_vaddr;
        file_range(bytes, ph.p_offset.checked_add(skip)?, ph.p_filesz - skip)
    });
    if found.is_none() {
        problems.notes.push(format!(
            ".eh_frame_hdr points at {addr:#x}, outside the loaded file"
        ));
    }
    found.map(|section| (section, addr))
}

/// Without section headers: the executable segments, minus the ELF header
/// and program header table when a segment maps them.
fn segment_regions<I: Guest>(code: &Code<'_, I>) -> Vec<(u64, u64)> {
    let h = &code.header;
    let headers_end = u64::from(h.e_ehsize).max(
        h.e_phoff
            .saturating_add(u64::from(h.e_phnum) * u64::from(h.e_phentsize)),
    );
    let mut regions = Vec::new();
    for (start, end) in code.ranges() {
        let mapped_from_file_start = code.program_headers.iter().any(|ph| {
            ph.p_type == PT_LOAD && ph.is_executable() && ph.p_offset == 0 && ph.p_vaddr == start
        });
        let start = if mapped_from_file_start {
            start.saturating_add(headers_end).min(end)
        } else {
            start
        };
        if start < end {
            regions.push((start, end));
        }
    }
    regions
}

/// Sorts ranges and merges the overlapping or touching ones.
pub(super) fn merge(mut ranges: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    ranges.sort_unstable();
    let mut merged: Vec<(u64, u64)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}
