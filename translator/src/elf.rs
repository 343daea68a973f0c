//! ELF programs: whether one can run ([`check_program`]) and what it is
//! ([`inspect`]).
//!
//! Checks run in a fixed order so the most useful message wins: the file
//! must be an ELF file, for a supported machine, whole (nothing cut off), an
//! executable, and statically linked.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use goblin::container::{Container, Ctx};
use goblin::elf::header::{self, Header};
use goblin::elf::program_header::{self, ProgramHeader};
use goblin::elf::section_header::{SectionHeader, SHF_EXECINSTR, SHT_NOBITS};
use goblin::elf::Elf;
use thiserror::Error;

use c2w_isa::riscv64::Riscv64;
use c2w_isa::x86_64::X86_64;

use crate::discover::{self, Coverage};

/// Guest instruction sets c2w-aot runs.
pub use c2w_isa::Arch;

/// Why an ELF file cannot run (messages do not name the file: callers add it).
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum ElfError {
    #[error("not an ELF file (the file is empty)")]
    Empty,
    #[error("not an ELF file (starts with {0})")]
    NotElf(String),
    #[error(
        "truncated: {what} is cut off (it ends at byte {end}, the file has only {size} bytes)"
    )]
    Truncated { what: String, end: u64, size: u64 },
    #[error("{0} programs are not supported (riscv64 and x86_64 only)")]
    Machine(String),
    #[error("not an executable program (ELF type {0})")]
    NotExecutable(&'static str),
    #[error("dynamically linked programs are not supported yet (needs {0})")]
    Dynamic(String),
    #[error("has no loadable segment")]
    NoLoadSegment,
    #[error("the entry point {0:#x} is not inside an executable segment")]
    EntryOutside(u64),
    #[error("malformed ELF file: {0}")]
    Malformed(String),
}

/// Checks that `bytes` is a program c2w-aot can run: a whole, statically
/// linked riscv64 or x86_64 executable. Returns its instruction set.
pub fn check_program(bytes: &[u8]) -> Result<Arch, ElfError> {
    let ident = Ident::read(bytes)?;
    let arch = match (ident.machine, ident.class64) {
        (header::EM_RISCV, true) if ident.little_endian => Arch::Riscv64,
        (header::EM_RISCV, true) => return Err(ElfError::Malformed("big-endian riscv64".into())),
        (header::EM_X86_64, true) if ident.little_endian => Arch::X86_64,
        (machine, class64) => return Err(ElfError::Machine(machine_name(machine, class64))),
    };
    let program = Program::parse(bytes)?;
    match program.header.e_type {
        header::ET_EXEC | header::ET_DYN => {}
        other => return Err(ElfError::NotExecutable(header::et_to_str(other))),
    }
    if let Some(interpreter) = program.interpreter()? {
        return Err(ElfError::Dynamic(interpreter));
    }
    program.check_contents()?;
    let loads: Vec<_> = program.loads().collect();
    if loads.is_empty() {
        return Err(ElfError::NoLoadSegment);
    }
    let entry = program.header.e_entry;
    let entry_inside = |ph: &&ProgramHeader| {
        ph.is_executable() && entry >= ph.p_vaddr && entry - ph.p_vaddr < ph.p_memsz
    };
    if !loads.iter().any(entry_inside) {
        return Err(ElfError::EntryOutside(entry));
    }
    Ok(arch)
}

/// The first bytes of an ELF file: enough to tell the machine.
struct Ident {
    class64: bool,
    little_endian: bool,
    machine: u16,
}

impl Ident {
    fn read(bytes: &[u8]) -> Result<Self, ElfError> {
        if bytes.is_empty() {
            return Err(ElfError::Empty);
        }
        if !bytes.starts_with(header::ELFMAG) {
            return Err(ElfError::NotElf(describe_start(bytes)));
        }
        let class64 = match bytes.get(header::EI_CLASS) {
            Some(&header::ELFCLASS32) => false,
            Some(&header::ELFCLASS64) => true,
            Some(class) => return Err(ElfError::Malformed(format!("unknown ELF class {class}"))),
            None => return Err(truncated("the ELF identification", 0, 16, bytes)),
        };
        let little_endian = match bytes.get(header::EI_DATA) {
            Some(&header::ELFDATA2LSB) => true,
            Some(&header::ELFDATA2MSB) => false,
            Some(data) => {
                return Err(ElfError::Malformed(format!(
                    "unknown ELF byte order {data}"
                )))
            }
            None => return Err(truncated("the ELF identification", 0, 16, bytes)),
        };
        // e_machine is at the same offset in both classes.
        let machine = match bytes.get(18..20) {
            Some(&[a, b]) if little_endian => u16::from_le_bytes([a, b]),
            Some(&[a, b]) => u16::from_be_bytes([a, b]),
            _ => return Err(truncated("the ELF header", 0, header_size(class64), bytes)),
        };
        Ok(Ident {
            class64,
            little_endian,
            machine,
        })
    }
}

fn header_size(class64: bool) -> u64 {
    if class64 {
        64
    } else {
        52
    }
}

/// A parsed ELF header and program header table, both checked to be whole.
struct Program<'a> {
    bytes: &'a [u8],
    header: Header,
    ctx: Ctx,
    segments: Vec<ProgramHeader>,
}

impl<'a> Program<'a> {
    fn parse(bytes: &'a [u8]) -> Result<Self, ElfError> {
        let ident = Ident::read(bytes)?;
        check_range("the ELF header", 0, header_size(ident.class64), bytes)?;
        let header = Elf::parse_header(bytes).map_err(malformed)?;
        let container = if ident.class64 {
            Container::Big
        } else {
            Container::Little
        };
        let endian = header.endianness().map_err(malformed)?;
        let ctx = Ctx::new(container, endian);
        let count = usize::from(header.e_phnum);
        let entry_size = ProgramHeader::size(ctx) as u64;
        if count > 0 && u64::from(header.e_phentsize) != entry_size {
            return Err(ElfError::Malformed(format!(
                "program header entries are {} bytes, expected {entry_size}",
                header.e_phentsize
            )));
        }
        check_range(
            "the program header table",
            header.e_phoff,
            entry_size * count as u64,
            bytes,
        )?;
        let segments = if count == 0 {
            Vec::new()
        } else {
            ProgramHeader::parse(bytes, header.e_phoff as usize, count, ctx).map_err(malformed)?
        };
        Ok(Program {
            bytes,
            header,
            ctx,
            segments,
        })
    }

    fn loads(&self) -> impl Iterator<Item = &ProgramHeader> {
        self.segments
            .iter()
            .filter(|ph| ph.p_type == program_header::PT_LOAD)
    }

    /// The program interpreter named by `PT_INTERP`, if any.
    fn interpreter(&self) -> Result<Option<String>, ElfError> {
        let Some(ph) = self
            .segments
            .iter()
            .find(|ph| ph.p_type == program_header::PT_INTERP)
        else {
            return Ok(None);
        };
        check_range(
            "the interpreter name (PT_INTERP)",
            ph.p_offset,
            ph.p_filesz,
            self.bytes,
        )?;
        let raw = &self.bytes[ph.p_offset as usize..][..ph.p_filesz as usize];
        let name = raw.split(|&b| b == 0).next().unwrap_or_default();
        Ok(Some(String::from_utf8_lossy(name).into_owned()))
    }

    /// Checks that every segment's bytes and the section header table are
    /// inside the file.
    fn check_contents(&self) -> Result<(), ElfError> {
        // Loadable segments first: what is cut off there matters most.
        let mut segments: Vec<_> = self.segments.iter().enumerate().collect();
        segments.sort_by_key(|(_, ph)| ph.p_type != program_header::PT_LOAD);
        for (index, ph) in segments {
            let what = format!(
                "segment {index} ({} at {:#x})",
                segment_kind(self.header.e_machine, ph.p_type),
                ph.p_vaddr
            );
            check_range(&what, ph.p_offset, ph.p_filesz, self.bytes)?;
        }
        self.section_headers().map(drop)
    }

    /// The section header table (empty if the file has none), checked to be
    /// whole.
    fn section_headers(&self) -> Result<Vec<SectionHeader>, ElfError> {
        let h = &self.header;
        if h.e_shoff == 0 {
            return Ok(Vec::new());
        }
        let what = "the section header table";
        let entry_size = SectionHeader::size(self.ctx) as u64;
        let mut count = u64::from(h.e_shnum);
        if count == 0 {
            // Too many sections for e_shnum: section 0's sh_size holds the count.
            check_range(what, h.e_shoff, entry_size, self.bytes)?;
            let first = SectionHeader::parse_from(self.bytes, h.e_shoff as usize, 1, self.ctx)
                .map_err(malformed)?;
            count = first.first().map_or(0, |sh| sh.sh_size);
        }
        check_range(
            what,
            h.e_shoff,
            entry_size.saturating_mul(count),
            self.bytes,
        )?;
        SectionHeader::parse(
            self.bytes,
            h.e_shoff as usize,
            usize::from(h.e_shnum),
            self.ctx,
        )
        .map_err(malformed)
    }
}

fn malformed(err: goblin::error::Error) -> ElfError {
    ElfError::Malformed(err.to_string())
}

fn truncated(what: &str, offset: u64, size: u64, bytes: &[u8]) -> ElfError {
    ElfError::Truncated {
        what: what.to_string(),
        end: offset.saturating_add(size),
        size: bytes.len() as u64,
    }
}

/// Checks that `size` bytes at `offset` are inside `bytes`.
fn check_range(what: &str, offset: u64, size: u64, bytes: &[u8]) -> Result<(), ElfError> {
    match offset.checked_add(size) {
        Some(end) if end <= bytes.len() as u64 => Ok(()),
        _ => Err(truncated(what, offset, size, bytes)),
    }
}

/// The first bytes of a file, for "not an ELF file" messages: its first
/// line quoted if it starts with text, else a few bytes in hex.
fn describe_start(bytes: &[u8]) -> String {
    let start = &bytes[..bytes.len().min(16)];
    let start = match start.iter().position(|&b| b == b'\n') {
        Some(newline) => &start[..=newline],
        None => start,
    };
    let is_text = start
        .iter()
        .all(|&b| b.is_ascii_graphic() || b.is_ascii_whitespace());
    if is_text {
        format!("{:?}", String::from_utf8_lossy(start))
    } else {
        let hex: Vec<String> = start.iter().take(8).map(|b| format!("{b:02x}")).collect();
        format!("bytes {}", hex.join(" "))
    }
}

/// A readable name for an ELF machine.
fn machine_name(machine: u16, class64: bool) -> String {
    let name = match (machine, class64) {
        (header::EM_RISCV, true) => "riscv64",
        (header::EM_RISCV, false) => "riscv32",
        (header::EM_X86_64, _) => "x86_64",
        (header::EM_386, _) => "i386",
        (header::EM_AARCH64, _) => "aarch64",
        (header::EM_ARM, _) => "arm",
        (header::EM_PPC64, _) => "ppc64",
        (header::EM_S390, _) => "s390x",
        (header::EM_MIPS, true) => "mips64",
        (header::EM_MIPS, false) => "mips",
        (header::EM_LOONGARCH, _) => "loongarch64",
        _ => {
            let name = header::machine_to_str(machine);
            return if name == "UNKNOWN_MACHINE" {
                format!("unknown machine (e_machine {machine})")
            } else {
                format!("{} (e_machine {machine})", name.to_ascii_lowercase())
            };
        }
    };
    name.to_string()
}

/// `PT_RISCV_ATTRIBUTES`: where riscv programs keep their ISA attributes.
const PT_RISCV_ATTRIBUTES: u32 = 0x7000_0003;

/// A program header type without the `PT_` prefix.
fn segment_kind(machine: u16, p_type: u32) -> String {
    match (machine, p_type, program_header::pt_to_str(p_type)) {
        (header::EM_RISCV, PT_RISCV_ATTRIBUTES, _) => "RISCV_ATTRIBUTES".into(),
        (_, _, "UNKNOWN_PT") => format!("{p_type:#x}"),
        (_, _, name) => name.trim_start_matches("PT_").to_string(),
    }
}

/// How a program is linked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Linking {
    /// Fixed-address executable without an interpreter.
    Static,
    /// Position-independent executable without an interpreter.
    StaticPie,
    /// Needs this program interpreter (`PT_INTERP`).
    Dynamic { interpreter: String },
}

impl fmt::Display for Linking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Linking::Static => f.write_str("static"),
            Linking::StaticPie => f.write_str("static-pie"),
            Linking::Dynamic { interpreter } => write!(f, "dynamic (interpreter {interpreter})"),
        }
    }
}

/// One program header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Type without the `PT_` prefix, e.g. `LOAD`.
    pub kind: String,
    /// `R`, `W`, `X` or `-` each.
    pub flags: String,
    pub offset: u64,
    pub vaddr: u64,
    pub filesz: u64,
    pub memsz: u64,
}

/// What an ELF file is, for `c2w-aot inspect`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InspectReport {
    pub path: PathBuf,
    /// e.g. `riscv64`, `x86_64`.
    pub machine: String,
    /// Machine-specific header flags, e.g. `RVC, double-float ABI`.
    pub machine_flags: String,
    /// 32 or 64.
    pub class: u8,
    pub little_endian: bool,
    /// ELF type, e.g. `EXEC`, `DYN`.
    pub file_type: String,
    pub linking: Linking,
    pub entry: u64,
    /// What the loader adds to the link addresses (static-pie programs; 0
    /// otherwise): the addresses code discovery reports are run-time ones.
    pub load_bias: u64,
    pub segments: Vec<Segment>,
    /// Bytes of executable code: executable sections if the file has section
    /// headers, else executable segments.
    pub code_size: u64,
    /// Whether `code_size` comes from sections (else from segments).
    pub code_size_from_sections: bool,
    /// Symbols in `.symtab` (None if the sections cannot be read).
    pub symbols: Option<usize>,
    /// Symbols in `.dynsym`.
    pub dynamic_symbols: Option<usize>,
    /// Whether c2w-aot runs the program: `Err` holds the reason it does not.
    pub runnable: Result<Arch, ElfError>,
    /// For riscv64 and x86_64 files: what code discovery finds (see
    /// [`crate::discover`]), or why it failed.
    pub discovery: Option<Result<Coverage, String>>,
}

/// Describes the ELF file at `path`.
pub fn inspect(path: &Path) -> anyhow::Result<InspectReport> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    InspectReport::from_bytes(path, &bytes).with_context(|| path.display().to_string())
}

impl InspectReport {
    fn from_bytes(path: &Path, bytes: &[u8]) -> Result<Self, ElfError> {
        let program = Program::parse(bytes)?;
        let h = &program.header;
        let class64 = program.ctx.container.is_big();
        let linking = match program.interpreter() {
            Ok(Some(interpreter)) => Linking::Dynamic { interpreter },
            Err(_) => Linking::Dynamic {
                interpreter: "(name cut off)".into(),
            },
            Ok(None) if h.e_type == header::ET_DYN => Linking::StaticPie,
            Ok(None) => Linking::Static,
        };
        let segments = program
            .segments
            .iter()
            .map(|ph| Segment {
                kind: segment_kind(h.e_machine, ph.p_type),
                flags: [
                    (ph.is_read(), 'R'),
                    (ph.is_write(), 'W'),
                    (ph.is_executable(), 'X'),
                ]
                .iter()
                .map(|&(set, c)| if set { c } else { '-' })
                .collect(),
                offset: ph.p_offset,
                vaddr: ph.p_vaddr,
                filesz: ph.p_filesz,
                memsz: ph.p_memsz,
            })
            .collect();
        let sections = program.section_headers().unwrap_or_default();
        let code_size_from_sections = !sections.is_empty();
        let code_size = if code_size_from_sections {
            sections
                .iter()
                .filter(|sh| {
                    sh.sh_flags & u64::from(SHF_EXECINSTR) != 0 && sh.sh_type != SHT_NOBITS
                })
                .map(|sh| sh.sh_size)
                .sum()
        } else {
            program
                .loads()
                .filter(|ph| ph.is_executable())
                .map(|ph| ph.p_filesz)
                .sum()
        };
        let load_bias = match linking {
            Linking::StaticPie => program
                .loads()
                .map(|ph| ph.p_vaddr)
                .min()
                .map_or(0, |low| c2w_syscalls::loader::load_bias(h.e_type, low)),
            _ => 0,
        };
        let parsed = Elf::parse(bytes).ok();
        Ok(InspectReport {
            path: path.to_path_buf(),
            machine: machine_name(h.e_machine, class64),
            machine_flags: machine_flags(h.e_machine, h.e_flags),
            class: if class64 { 64 } else { 32 },
            little_endian: program.ctx.le.is_little(),
            file_type: header::et_to_str(h.e_type)
                .trim_start_matches("ET_")
                .to_string(),
            linking,
            entry: h.e_entry,
            load_bias,
            segments,
            code_size,
            code_size_from_sections,
            symbols: parsed.as_ref().map(|elf| elf.syms.len()),
            dynamic_symbols: parsed.as_ref().map(|elf| elf.dynsyms.len()),
            runnable: check_program(bytes),
            discovery: match (h.e_machine, class64 && program.ctx.le.is_little()) {
                (header::EM_RISCV, true) => Some(coverage::<Riscv64>(bytes)),
                (header::EM_X86_64, true) => Some(coverage::<X86_64>(bytes)),
                _ => None,
            },
        })
    }
}

/// What code discovery finds in program `bytes` of ISA `I`.
fn coverage<I: discover::Guest>(bytes: &[u8]) -> Result<Coverage, String> {
    discover::discover::<I>(bytes)
        .map(|d| d.coverage)
        .map_err(|err| format!("{err:#}"))
}

/// Decodes the machine-specific `e_flags` we know (riscv).
fn machine_flags(machine: u16, flags: u32) -> String {
    if machine != header::EM_RISCV {
        return String::new();
    }
    let mut parts = Vec::new();
    if flags & 0x1 != 0 {
        parts.push("RVC");
    }
    parts.push(match flags & 0x6 {
        0x0 => "soft-float ABI",
        0x2 => "single-float ABI",
        0x4 => "double-float ABI",
        _ => "quad-float ABI",
    });
    if flags & 0x8 != 0 {
        parts.push("RVE");
    }
    if flags & 0x10 != 0 {
        parts.push("TSO");
    }
    parts.join(", ")
}

impl fmt::Display for InspectReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.path.display())?;
        let flags = if self.machine_flags.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.machine_flags)
        };
        writeln!(f, "  isa:      {}{flags}", self.machine)?;
        let endian = if self.little_endian {
            "little-endian"
        } else {
            "big-endian"
        };
        writeln!(
            f,
            "  class:    ELF{}, {endian}, type {}",
            self.class, self.file_type
        )?;
        writeln!(f, "  linking:  {}", self.linking)?;
        writeln!(f, "  entry:    {:#x}", self.entry)?;
        if self.load_bias != 0 {
            writeln!(
                f,
                "  loaded:   at bias {:#x} (entry {:#x}; the addresses below, but for \
                 the segments', are run-time ones)",
                self.load_bias,
                self.entry.wrapping_add(self.load_bias)
            )?;
        }
        let source = if self.code_size_from_sections {
            "sections"
        } else {
            "segments"
        };
        writeln!(
            f,
            "  code:     {} bytes (executable {source})",
            self.code_size
        )?;
        match (self.symbols, self.dynamic_symbols) {
            (Some(0), Some(0)) => writeln!(f, "  symbols:  none")?,
            (Some(syms), Some(dynsyms)) => {
                writeln!(f, "  symbols:  {syms} (.symtab), {dynsyms} (.dynsym)")?
            }
            _ => writeln!(
                f,
                "  symbols:  unknown (the section headers cannot be read)"
            )?,
        }
        match &self.runnable {
            Ok(_) => writeln!(f, "  c2w-aot:  supported")?,
            Err(err) => writeln!(f, "  c2w-aot:  not supported: {err}")?,
        }
        match &self.discovery {
            Some(Ok(coverage)) => {
                for line in coverage.to_string().lines() {
                    writeln!(f, "  {line}")?;
                }
            }
            Some(Err(err)) => writeln!(f, "  discovery failed: {err}")?,
            None => {}
        }
        writeln!(f, "  segments:")?;
        writeln!(
            f,
            "    {:<16} {:<5} {:>18} {:>10} {:>10} {:>10}",
            "type", "flags", "vaddr", "offset", "filesz", "memsz"
        )?;
        for s in &self.segments {
            writeln!(
                f,
                "    {:<16} {:<5} {:>#18x} {:>#10x} {:>#10x} {:>#10x}",
                s.kind, s.flags, s.vaddr, s.offset, s.filesz, s.memsz
            )?;
        }
        Ok(())
    }
}
