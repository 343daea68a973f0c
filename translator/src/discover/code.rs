//! The executable bytes of an ELF image ([`Code`]), and the ELF header and
//! program headers they come from.

use anyhow::{bail, ensure, Context as _, Result};
use goblin::container::{Container, Ctx};
use goblin::elf::header::{self, Header};
use goblin::elf::program_header::{self, ProgramHeader};
use goblin::elf::Elf;

use std::collections::HashMap;
use std::marker::PhantomData;

use super::Guest;

/// The executable bytes of an ELF image: its `PT_LOAD` segments with `PF_X`,
/// at the addresses the program runs at: its link addresses plus the load
/// bias the runtime's loader gives it ([`Code::bias`]; 0 unless the program
/// is a static-pie). Every address `Code` takes or returns, and so every
/// address discovery reports, is a run-time address.
///
/// Only the bytes stored in the file count: the zero-filled tail of a
/// segment (`p_memsz` beyond `p_filesz`) holds no code.
#[derive(Clone, Debug)]
pub struct Code<'a, I: Guest> {
    /// Sorted by address and non-overlapping.
    segments: Vec<Segment<'a>>,
    /// Units (`I::ALIGN` bytes: the places an instruction can start) in all
    /// segments: the size of the per-unit tables that discovery keeps (see
    /// [`Code::index`]).
    units: usize,
    /// The ELF header, with the entry point moved by the load bias.
    pub(super) header: Header,
    /// The program headers, with `p_vaddr` moved by the load bias.
    pub(super) program_headers: Vec<ProgramHeader>,
    /// What the loader adds to link addresses.
    bias: u64,
    /// The run-time values of the words that `R_*_RELATIVE` relocations
    /// set (a static-pie program relocates itself at startup), by run-time
    /// address.
    relative: HashMap<u64, u64>,
    /// The whole file, for reading data the code refers to.
    file: &'a [u8],
    isa: PhantomData<I>,
}

#[derive(Clone, Debug)]
struct Segment<'a> {
    vaddr: u64,
    bytes: &'a [u8],
    /// Index of the unit holding `vaddr` in the per-unit tables.
    first_unit: usize,
}

impl<'a, I: Guest> Code<'a, I> {
    /// Reads the executable segments of ELF file `bytes`, which must already
    /// be known to be an ELF file of ISA `I` (errors name the problem).
    pub fn from_elf(bytes: &'a [u8]) -> Result<Code<'a, I>> {
        ensure!(
            bytes.len() >= 64 && bytes.starts_with(header::ELFMAG),
            "not an ELF64 file"
        );
        ensure!(
            bytes[header::EI_CLASS] == header::ELFCLASS64
                && bytes[header::EI_DATA] == header::ELFDATA2LSB,
            "not a little-endian ELF64 file"
        );
        let header = Elf::parse_header(bytes).context("malformed ELF header")?;
        ensure!(
            header.e_machine == I::E_MACHINE,
            "not a {} ELF file (e_machine {})",
            I::ARCH.name(),
            header.e_machine
        );
        let ctx = Ctx::new(Container::Big, goblin::container::Endian::Little);
        let count = usize::from(header.e_phnum);
        let program_headers = if count == 0 {
            Vec::new()
        } else {
            let entry_size = ProgramHeader::size(ctx) as u64;
            ensure!(
                u64::from(header.e_phentsize) == entry_size,
                "program header entries are {} bytes, expected {entry_size}",
                header.e_phentsize
            );
            file_range(bytes, header.e_phoff, entry_size * count as u64)
                .context("the program header table is outside the file")?;
            ProgramHeader::parse(bytes, header.e_phoff as usize, count, ctx)
                .context("malformed program headers")?
        };

        // Where the runtime's loader places the program (the same
        // computation, so translated code is found by address).
        let lowest = program_headers
            .iter()
            .filter(|ph| ph.p_type == program_header::PT_LOAD)
            .map(|ph| ph.p_vaddr)
            .min();
        let bias = lowest.map_or(0, |lowest| {
            c2w_syscalls::loader::load_bias(header.e_type, lowest)
        });
        let mut header = header;
        header.e_entry = header.e_entry.wrapping_add(bias);
        let mut program_headers = program_headers;
        for ph in &mut program_headers {
            ph.p_vaddr = ph.p_vaddr.wrapping_add(bias);
        }
        let relative = if bias == 0 {
            HashMap::new()
        } else {
            relative_relocations::<I>(bytes, bias)
        };

        let mut segments = Vec::new();
        for (index, ph) in program_headers.iter().enumerate() {
            if ph.p_type != program_header::PT_LOAD || !ph.is_executable() || ph.p_filesz == 0 {
                continue;
            }
            let data = file_range(bytes, ph.p_offset, ph.p_filesz).with_context(|| {
                format!(
                    "executable segment {index} (at {:#x}) is outside the file",
                    ph.p_vaddr
                )
            })?;
            if ph.p_vaddr.checked_add(ph.p_filesz).is_none() {
                bail!(
                    "executable segment {index} (at {:#x}) wraps around the address space",
                    ph.p_vaddr
                );
            }
            segments.push(Segment {
                vaddr: ph.p_vaddr,
                bytes: data,
                first_unit: 0,
            });
        }
        segments.sort_by_key(|s| s.vaddr);
        // Overlapping segments (malformed): the earlier one wins, the later
        // one keeps only what lies beyond it.
        let mut kept: Vec<Segment<'a>> = Vec::with_capacity(segments.len());
        for mut seg in segments {
            if let Some(prev) = kept.last() {
                let prev_end = prev.vaddr + prev.bytes.len() as u64;
                if seg.vaddr < prev_end {
                    let skip = prev_end - seg.vaddr;
                    if skip >= seg.bytes.len() as u64 {
                        continue;
                    }
                    seg.bytes = &seg.bytes[skip as usize..];
                    seg.vaddr = prev_end;
                }
            }
            kept.push(seg);
        }
        let mut units = 0usize;
        for seg in &mut kept {
            seg.first_unit = units;
            let span = (seg.vaddr % I::ALIGN) as usize + seg.bytes.len();
            units += span.div_ceil(I::ALIGN as usize);
        }
        Ok(Code {
            segments: kept,
            units,
            header,
            program_headers,
            bias,
            relative,
            file: bytes,
            isa: PhantomData,
        })
    }

    /// The bytes at `pc` up to the end of its segment, at most
    /// `I::MAX_LEN`. None if `pc` is misaligned or not in an executable
    /// segment.
    pub fn bytes(&self, pc: u64) -> Option<&'a [u8]> {
        if pc % I::ALIGN != 0 {
            return None;
        }
        let seg = self.segment(pc)?;
        let offset = (pc - seg.vaddr) as usize;
        let end = seg.bytes.len().min(offset + I::MAX_LEN);
        seg.bytes.get(offset..end)
    }

    /// The instruction at `pc`. None if `pc` is misaligned, not in an
    /// executable segment, or the instruction is cut off by the segment's
    /// end.
    pub fn decode(&self, pc: u64) -> Option<I::Inst> {
        I::decode(self.bytes(pc)?, pc)
    }

    /// `len` bytes at `addr` as the file's `PT_LOAD` segments (any, not
    /// only executable ones) initialise them; None if they are not all in
    /// one segment's file bytes.
    pub fn data(&self, addr: u64, len: usize) -> Option<&'a [u8]> {
        self.program_headers.iter().find_map(|ph| {
            if ph.p_type != program_header::PT_LOAD {
                return None;
            }
            let offset = addr.checked_sub(ph.p_vaddr)?;
            let end = offset.checked_add(len as u64)?;
            if end > ph.p_filesz {
                return None;
            }
            let start = usize::try_from(ph.p_offset.checked_add(offset)?).ok()?;
            self.file.get(start..start.checked_add(len)?)
        })
    }

    /// A pointer stored at `addr` as the program sees it once running: the
    /// value a relative relocation puts there, else the file's word moved by
    /// the load bias (0 stays 0: a null pointer or a placeholder). None if
    /// the 8 bytes are not in one segment's file bytes.
    pub fn pointer(&self, addr: u64) -> Option<u64> {
        if let Some(&value) = self.relative.get(&addr) {
            return Some(value);
        }
        let word = u64::from_le_bytes(self.data(addr, 8)?.try_into().ok()?);
        Some(self.rebase(word))
    }

    /// Link address `addr` (or 0) as a run-time address.
    pub fn rebase(&self, addr: u64) -> u64 {
        if addr == 0 {
            0
        } else {
            addr.wrapping_add(self.bias)
        }
    }

    /// What the loader adds to the file's link addresses: non-zero for a
    /// static-pie program (see `c2w_syscalls::loader::load_bias`).
    pub fn bias(&self) -> u64 {
        self.bias
    }

    /// The ELF entry point (a run-time address, like all of `Code`'s).
    pub fn entry(&self) -> u64 {
        self.header.e_entry
    }

    /// The executable segments' address ranges `[start, end)`, sorted.
    pub fn ranges(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.segments
            .iter()
            .map(|s| (s.vaddr, s.vaddr + s.bytes.len() as u64))
    }

    /// Bytes in all executable segments.
    pub fn size(&self) -> u64 {
        self.segments.iter().map(|s| s.bytes.len() as u64).sum()
    }

    /// Whether `addr` is inside an executable segment.
    pub fn contains(&self, addr: u64) -> bool {
        self.segment(addr).is_some()
    }

    /// The index of the unit holding `addr` in the tables discovery keeps
    /// per unit (`I::ALIGN` bytes) of code. The units of one instruction
    /// have consecutive indices.
    pub(super) fn index(&self, addr: u64) -> Option<usize> {
        let seg = self.segment(addr)?;
        let first = seg.vaddr - seg.vaddr % I::ALIGN;
        Some(seg.first_unit + ((addr - first) / I::ALIGN) as usize)
    }

    /// The number of unit indices (see [`Code::index`]).
    pub(super) fn units(&self) -> usize {
        self.units
    }

    fn segment(&self, addr: u64) -> Option<&Segment<'a>> {
        let after = self.segments.partition_point(|s| s.vaddr <= addr);
        let seg = self.segments.get(after.checked_sub(1)?)?;
        (addr - seg.vaddr < seg.bytes.len() as u64).then_some(seg)
    }
}

/// The `R_*_RELATIVE` relocations of ELF file `bytes` (its dynamic `RELA`
/// table), as run-time address -> run-time value for a program loaded at
/// `bias`. Empty when they cannot be read.
fn relative_relocations<I: Guest>(bytes: &[u8], bias: u64) -> HashMap<u64, u64> {
    let Ok(elf) = Elf::parse(bytes) else {
        return HashMap::new();
    };
    elf.dynrelas
        .iter()
        .chain(elf.dynrels.iter())
        .filter(|r| r.r_type == I::R_RELATIVE)
        .map(|r| {
            let addend = r.r_addend.unwrap_or(0) as u64;
            (r.r_offset.wrapping_add(bias), addend.wrapping_add(bias))
        })
        .collect()
}

/// `size` bytes at file `offset`, if they are inside the file.
pub(super) fn file_range(bytes: &[u8], offset: u64, size: u64) -> Option<&[u8]> {
    let start = usize::try_from(offset).ok()?;
    let end = start.checked_add(usize::try_from(size).ok()?)?;
    bytes.get(start..end)
}
