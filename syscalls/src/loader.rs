//! execve's work: validate the program's ELF headers, place its segments,
//! and build the initial stack (argc, argv, envp, auxv) as Linux does.

use goblin::container::{Container, Ctx};
use goblin::elf::header::{self, EI_CLASS, EI_DATA, ELFCLASS64, ELFDATA2LSB, ELFMAG, SELFMAG};
use goblin::elf::program_header::{self, ProgramHeader, PF_R, PF_W, PF_X};
use goblin::elf::Elf;

use crate::errno::{Errno, SysResult};
use crate::layout::{GUEST_LIMIT, PAGE_SIZE};
use crate::linux::{PROT_EXEC, PROT_READ, PROT_WRITE};
use crate::mem::GuestMem;
use c2w_isa::Arch;

/// Where a static-pie program (ET_DYN without an interpreter) is loaded,
/// whatever its ISA (guest memory is below 4 GiB, so Linux's
/// `ELF_ET_DYN_BASE` is out of reach).
pub const PIE_BASE: u64 = 0x40_0000;

/// The load bias of a program of ELF type `e_type` whose lowest `PT_LOAD`
/// segment starts at `lowest_vaddr`: a static-pie program (ET_DYN) is moved
/// so that its first page is at [`PIE_BASE`]; an ET_EXEC one stays where it
/// was linked (0). The translator uses it too, so that translated code is
/// found at the addresses the program runs at.
pub fn load_bias(e_type: u16, lowest_vaddr: u64) -> u64 {
    match e_type {
        header::ET_DYN => PIE_BASE.wrapping_sub(lowest_vaddr & !(PAGE_SIZE - 1)),
        _ => 0,
    }
}

/// Why a program cannot be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExecError {
    #[error("not an ELF file")]
    NotElf,
    #[error("{0} programs are not supported yet")]
    Arch(String),
    #[error("big-endian programs are not supported")]
    BigEndian,
    /// `what` carries its verb: "program headers end", "segment 1 ends".
    #[error("truncated ELF ({what} at {end:#x} past the file's {size:#x} bytes)")]
    Truncated { what: String, end: u64, size: u64 },
    /// The interpreter's path (empty if unreadable).
    #[error("dynamically linked programs are not supported yet{}", interp_note(.0))]
    Dynamic(String),
    #[error("not an executable (ELF type {0})")]
    NotExecutable(&'static str),
    #[error("malformed ELF: {0}")]
    Malformed(String),
    #[error("no loadable segments")]
    NoSegments,
    #[error("segment at {0:#x} does not fit in the guest address space")]
    TooHigh(u64),
    #[error("is a directory")]
    IsDir,
    #[error("not a regular file")]
    NotRegular,
    #[error("cannot read it: {0}")]
    Read(Errno),
    #[error("arguments and environment take {0} bytes, more than the stack allows")]
    ArgsTooBig(u64),
}

/// ` (interpreter PATH)`, or nothing when the path is unknown.
fn interp_note(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!(" (interpreter {path})")
    }
}

/// A PT_LOAD segment, at its load address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub vaddr: u64,
    pub memsz: u64,
    pub offset: u64,
    pub filesz: u64,
    pub prot: u32,
}

/// What the loader learnt from the headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElfInfo {
    /// The ISA of its `e_machine`.
    pub arch: Arch,
    /// Entry point (load bias applied).
    pub entry: u64,
    /// Load bias: 0 for ET_EXEC.
    pub bias: u64,
    /// Address of the program headers in memory (AT_PHDR).
    pub phdr: u64,
    pub phent: u64,
    pub phnum: u64,
    pub segments: Vec<Segment>,
}

impl ElfInfo {
    /// Lowest page and end of the loaded image.
    pub fn extent(&self) -> (u64, u64) {
        let lo = self
            .segments
            .iter()
            .map(|s| s.vaddr & !(PAGE_SIZE - 1))
            .min()
            .unwrap_or(0);
        let hi = self
            .segments
            .iter()
            .map(|s| s.vaddr + s.memsz)
            .max()
            .unwrap_or(0);
        (lo, hi)
    }
}

/// Reads a file of `size` bytes through `read_at`.
pub trait ReadAt {
    fn size(&self) -> u64;
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> SysResult<usize>;

    /// Fills `buf` from `offset`; fails at end of file.
    fn read_exact_at(&mut self, mut offset: u64, mut buf: &mut [u8]) -> SysResult<()> {
        while !buf.is_empty() {
            let n = self.read_at(offset, buf)?;
            if n == 0 {
                return Err(Errno::EIO);
            }
            offset += n as u64;
            buf = &mut buf[n..];
        }
        Ok(())
    }
}

/// The name users know an ELF machine by.
fn arch_name(machine: u16, class64: bool) -> String {
    match (machine, class64) {
        (header::EM_X86_64, true) => "x86_64".into(),
        (header::EM_X86_64, false) => "x32".into(),
        (header::EM_386, _) => "i386".into(),
        (header::EM_AARCH64, _) => "aarch64".into(),
        (header::EM_ARM, _) => "arm".into(),
        (header::EM_RISCV, false) => "riscv32".into(),
        (header::EM_RISCV, true) => "riscv64".into(),
        (header::EM_PPC64, _) => "ppc64".into(),
        (header::EM_S390, _) => "s390x".into(),
        (m, _) => header::machine_to_str(m).to_string(),
    }
}

fn truncated(what: impl Into<String>, end: u64, size: u64) -> ExecError {
    ExecError::Truncated {
        what: what.into(),
        end,
        size,
    }
}

/// Validates a static ELF executable (ET_EXEC, or static-pie: ET_DYN
/// without PT_INTERP) for riscv64 or x86_64 and lays out its segments.
pub fn parse_elf(file: &mut dyn ReadAt) -> Result<ElfInfo, ExecError> {
    let size = file.size();
    let mut ehdr = [0u8; header::header64::SIZEOF_EHDR];
    let head = &mut ehdr[..size.min(64) as usize];
    file.read_exact_at(0, head).map_err(ExecError::Read)?;
    if head.len() < SELFMAG || &head[..SELFMAG] != ELFMAG {
        return Err(ExecError::NotElf);
    }
    if head.len() < 20 {
        return Err(truncated("the ELF header ends", 64, size));
    }
    if head[EI_DATA] != ELFDATA2LSB {
        return Err(ExecError::BigEndian);
    }
    let class64 = head[EI_CLASS] == ELFCLASS64;
    let machine = u16::from_le_bytes([head[18], head[19]]);
    let arch = match (machine, class64) {
        (header::EM_RISCV, true) => Arch::Riscv64,
        (header::EM_X86_64, true) => Arch::X86_64,
        _ => return Err(ExecError::Arch(arch_name(machine, class64))),
    };
    if head.len() < 64 {
        return Err(truncated("the ELF header ends", 64, size));
    }
    let hdr = Elf::parse_header(&ehdr).map_err(|e| ExecError::Malformed(e.to_string()))?;
    match hdr.e_type {
        header::ET_EXEC | header::ET_DYN => {}
        t => return Err(ExecError::NotExecutable(header::et_to_str(t))),
    }
    let ctx = Ctx::new(Container::Big, goblin::container::Endian::Little);
    let phent = ProgramHeader::size(ctx) as u64;
    if hdr.e_phentsize as u64 != phent {
        return Err(ExecError::Malformed(format!(
            "program header size {} (expected {phent})",
            hdr.e_phentsize
        )));
    }
    let ph_end = hdr.e_phoff.saturating_add(phent * hdr.e_phnum as u64);
    if ph_end > size {
        return Err(truncated("program headers end", ph_end, size));
    }
    let mut phbytes = vec![0u8; (phent * hdr.e_phnum as u64) as usize];
    file.read_exact_at(hdr.e_phoff, &mut phbytes)
        .map_err(ExecError::Read)?;
    let phdrs = ProgramHeader::parse(&phbytes, 0, hdr.e_phnum as usize, ctx)
        .map_err(|e| ExecError::Malformed(e.to_string()))?;
    if let Some(p) = phdrs.iter().find(|p| p.p_type == program_header::PT_INTERP) {
        let mut name = vec![0u8; p.p_filesz.min(4096) as usize];
        let name = match file.read_exact_at(p.p_offset, &mut name) {
            Ok(()) => {
                String::from_utf8_lossy(name.split(|&b| b == 0).next().unwrap_or(&[])).into_owned()
            }
            Err(_) => String::new(),
        };
        return Err(ExecError::Dynamic(name));
    }
    let loads: Vec<&ProgramHeader> = phdrs
        .iter()
        .filter(|p| p.p_type == program_header::PT_LOAD)
        .collect();
    let Some(min_vaddr) = loads.iter().map(|p| p.p_vaddr).min() else {
        return Err(ExecError::NoSegments);
    };
    let bias = load_bias(hdr.e_type, min_vaddr);
    let mut segments = Vec::new();
    for (i, p) in loads.iter().enumerate() {
        let file_end = p.p_offset.saturating_add(p.p_filesz);
        if file_end > size {
            return Err(truncated(format!("segment {i} ends"), file_end, size));
        }
        if p.p_filesz > p.p_memsz {
            return Err(ExecError::Malformed(format!(
                "segment {i} has more file bytes than memory bytes"
            )));
        }
        let vaddr = p.p_vaddr.wrapping_add(bias);
        if vaddr
            .checked_add(p.p_memsz)
            .is_none_or(|end| end > GUEST_LIMIT)
            || vaddr < PAGE_SIZE
        {
            return Err(ExecError::TooHigh(p.p_vaddr));
        }
        let prot = [(PF_R, PROT_READ), (PF_W, PROT_WRITE), (PF_X, PROT_EXEC)]
            .iter()
            .filter(|(pf, _)| p.p_flags & pf != 0)
            .fold(0, |acc, (_, prot)| acc | prot);
        segments.push(Segment {
            vaddr,
            memsz: p.p_memsz,
            offset: p.p_offset,
            filesz: p.p_filesz,
            prot,
        });
    }
    let phdr = match phdrs.iter().find(|p| p.p_type == program_header::PT_PHDR) {
        Some(p) => p.p_vaddr.wrapping_add(bias),
        None => loads
            .iter()
            .find(|p| p.p_offset <= hdr.e_phoff && ph_end <= p.p_offset + p.p_filesz)
            .map_or(0, |p| {
                p.p_vaddr.wrapping_add(bias) + (hdr.e_phoff - p.p_offset)
            }),
    };
    Ok(ElfInfo {
        arch,
        entry: hdr.e_entry.wrapping_add(bias),
        bias,
        phdr,
        phent,
        phnum: hdr.e_phnum as u64,
        segments,
    })
}

/// auxv keys (`<elf.h>`).
pub mod at {
    pub const NULL: u64 = 0;
    pub const PHDR: u64 = 3;
    pub const PHENT: u64 = 4;
    pub const PHNUM: u64 = 5;
    pub const PAGESZ: u64 = 6;
    pub const BASE: u64 = 7;
    pub const FLAGS: u64 = 8;
    pub const ENTRY: u64 = 9;
    pub const UID: u64 = 11;
    pub const EUID: u64 = 12;
    pub const GID: u64 = 13;
    pub const EGID: u64 = 14;
    pub const PLATFORM: u64 = 15;
    pub const HWCAP: u64 = 16;
    pub const CLKTCK: u64 = 17;
    pub const SECURE: u64 = 23;
    pub const RANDOM: u64 = 25;
    pub const HWCAP2: u64 = 26;
    pub const EXECFN: u64 = 31;
    pub const MINSIGSTKSZ: u64 = 51;
}

/// Everything the initial stack holds.
pub struct StackImage<'a> {
    /// The program's ISA: `AT_PLATFORM`, `AT_HWCAP`, `AT_MINSIGSTKSZ`.
    pub arch: Arch,
    pub argv: &'a [String],
    pub envp: &'a [String],
    /// The program path as given to execve (AT_EXECFN).
    pub execfn: &'a str,
    pub elf: &'a ElfInfo,
    /// AT_RANDOM's 16 bytes.
    pub random: [u8; 16],
}

/// Writes the initial stack below `top` (within `limit` bytes) and returns
/// the 16-byte aligned stack pointer, where argc is.
pub fn build_stack(
    mem: &GuestMem,
    top: u64,
    limit: u64,
    img: &StackImage,
) -> Result<u64, ExecError> {
    let strings: u64 = img
        .argv
        .iter()
        .chain(img.envp)
        .map(|s| s.len() as u64 + 1)
        .sum::<u64>()
        + img.execfn.len() as u64
        + 1;
    if strings > limit / 4 {
        return Err(ExecError::ArgsTooBig(strings));
    }
    let fault = |_| ExecError::ArgsTooBig(strings);
    let mut p = top - 8; // Linux leaves a NULL word at the very top.
    let mut push_str = |s: &str| -> Result<u64, ExecError> {
        p -= s.len() as u64 + 1;
        mem.write(p, s.as_bytes()).map_err(fault)?;
        mem.write(p + s.len() as u64, &[0]).map_err(fault)?;
        Ok(p)
    };
    let execfn = push_str(img.execfn)?;
    let mut envp = img
        .envp
        .iter()
        .rev()
        .map(|s| push_str(s))
        .collect::<Result<Vec<_>, _>>()?;
    envp.reverse();
    let mut argv = img
        .argv
        .iter()
        .rev()
        .map(|s| push_str(s))
        .collect::<Result<Vec<_>, _>>()?;
    argv.reverse();
    let platform = push_str(crate::abi::machine(img.arch))?;
    p &= !15;
    p -= 16;
    let random = p;
    mem.write(random, &img.random).map_err(fault)?;

    let minsigstksz = crate::abi::minsigstksz(img.arch);
    // x86_64 puts ARCH_DLINFO (AT_SYSINFO_EHDR, which we leave out: no vDSO,
    // and AT_MINSIGSTKSZ) first; riscv64 has it at the end.
    let first = match img.arch {
        Arch::X86_64 => Some((at::MINSIGSTKSZ, minsigstksz)),
        Arch::Riscv64 => None,
    };
    let last = match img.arch {
        Arch::X86_64 => None,
        Arch::Riscv64 => Some((at::MINSIGSTKSZ, minsigstksz)),
    };
    let auxv = [
        (at::HWCAP, crate::abi::hwcap(img.arch)),
        (at::PAGESZ, PAGE_SIZE),
        (at::CLKTCK, 100),
        (at::PHDR, img.elf.phdr),
        (at::PHENT, img.elf.phent),
        (at::PHNUM, img.elf.phnum),
        (at::BASE, 0),
        (at::FLAGS, 0),
        (at::ENTRY, img.elf.entry),
        (at::UID, 0),
        (at::EUID, 0),
        (at::GID, 0),
        (at::EGID, 0),
        (at::SECURE, 0),
        (at::RANDOM, random),
        (at::HWCAP2, 0),
        (at::EXECFN, execfn),
        (at::PLATFORM, platform),
    ];
    let auxv: Vec<(u64, u64)> = first
        .into_iter()
        .chain(auxv)
        .chain(last)
        .chain([(at::NULL, 0)])
        .collect();
    let words: Vec<u64> = std::iter::once(argv.len() as u64)
        .chain(argv.iter().copied())
        .chain([0])
        .chain(envp.iter().copied())
        .chain([0])
        .chain(auxv.iter().flat_map(|&(k, v)| [k, v]))
        .collect();
    let sp = (p - 8 * words.len() as u64) & !15;
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    mem.write(sp, &bytes).map_err(fault)?;
    Ok(sp)
}
