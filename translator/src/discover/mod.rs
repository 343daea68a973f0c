//! Code discovery for ELF programs of any guest ISA ([`Guest`]): the functions, their basic
//! blocks and their entry points, so the lifter can translate each function
//! into one Wasm function.
//!
//! Discovery only decides speed: code it misses still runs, in the bundled
//! interpreter. What it returns must be real, decodable code, though, so it
//! only follows control flow it can see and never guesses past an illegal
//! instruction.
//!
//! It works in three steps:
//!
//! 1. **Seeds** (module `seeds`): the entry point, function symbols, `.eh_frame`
//!    FDEs and the init/fini arrays name function starts; FDEs and symbol
//!    sizes also give function extents.
//! 2. **Starts** (module `analysis`): a recursive descent over the whole program
//!    from every start follows branches, jumps, fall-throughs and call
//!    return sites; every direct call target becomes a function start. Code
//!    reached only through computed jumps (jump tables, computed `goto`) is
//!    then found by a linear sweep of each function's range: an uncovered,
//!    decodable instruction right after a block-ending one (skipping
//!    alignment padding), or at the start of an otherwise unreached region,
//!    is an *orphan* entry of the function whose range holds it, and the
//!    descent continues from it. Both repeat until nothing new is found.
//! 3. **Functions**: with all starts known, each function is descended on
//!    its own from its start and orphan entries. A jump or branch to another
//!    function's start (a tail call) or a fall-through into it is not
//!    followed; any other jump is, even into code another function also
//!    holds (shared tails are duplicated). The instructions found are then
//!    cut into basic blocks.
//!
//! [`Coverage`] says how much of the executable code the functions cover
//! and what the rest is.

mod analysis;
mod code;
mod coverage;
mod guest;
mod seeds;
#[cfg(test)]
mod tests;

use std::fmt;

pub use code::Code;
pub use guest::Guest;

/// Discovers the functions of ELF file `bytes`, a program of ISA `I` (see
/// the module documentation). Errors only when the executable segments cannot be read;
/// problems with symbols or `.eh_frame` are counted in
/// [`Discovery::problems`] and the rest is still discovered.
pub fn discover<I: Guest>(bytes: &[u8]) -> anyhow::Result<Discovery<'_, I>> {
    let code = Code::<I>::from_elf(bytes)?;
    let mut problems = Problems::default();
    let seeds = seeds::Seeds::read(bytes, &code, &mut problems);
    let (functions, regions) = analysis::run(&code, seeds, &mut problems);
    let coverage = coverage::measure(&code, &regions, &functions);
    Ok(Discovery {
        code,
        functions,
        coverage,
        problems,
    })
}

/// The result of [`discover`].
#[derive(Clone, Debug)]
pub struct Discovery<'a, I: Guest> {
    /// The executable bytes the functions were found in.
    pub code: Code<'a, I>,
    /// Sorted by start; starts are unique.
    pub functions: Vec<Function>,
    pub coverage: Coverage,
    pub problems: Problems,
}

impl<I: Guest> Discovery<'_, I> {
    /// The function starting at `start`.
    pub fn function(&self, start: u64) -> Option<&Function> {
        let index = self
            .functions
            .binary_search_by_key(&start, |f| f.start)
            .ok()?;
        Some(&self.functions[index])
    }
}

/// One function: what the lifter turns into one Wasm function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    pub start: u64,
    /// How the start was found (the most authoritative source, if several).
    pub source: Source,
    /// The function's basic blocks, sorted by start, non-overlapping. Each
    /// block is a run of instructions that all decode, from `start` up to
    /// `end` (exclusive). A block ends after an instruction for which
    /// [`Isa::ends_block`](c2w_isa::Isa::ends_block) is true, or right before
    /// another block's start (it then falls through into that block), or
    /// right before another function's start (it falls into that function).
    /// Every direct successor of a block is the start of one of this
    /// function's blocks or of another function, except for the rare
    /// successors counted in [`Problems::dangling_successors`] (outside the
    /// executable segments, or overlapping other instructions of the
    /// function), which the lifter leaves to the interpreter like the target
    /// of an indirect jump.
    pub blocks: Vec<Block>,
    /// Where execution can enter the function from outside it, sorted; each
    /// is the start of one of the blocks, and `start` is always one. The
    /// others are call return sites, the instructions after system calls,
    /// blocks that other functions jump to directly, and orphan entries
    /// (code reached only through computed jumps).
    pub entries: Vec<u64>,
}

impl Function {
    /// The block starting at `pc`.
    pub fn block(&self, pc: u64) -> Option<&Block> {
        let index = self.blocks.binary_search_by_key(&pc, |b| b.start).ok()?;
        Some(&self.blocks[index])
    }

    /// Bytes of code in the function's blocks.
    pub fn size(&self) -> u64 {
        self.blocks.iter().map(|b| b.end - b.start).sum()
    }
}

/// A basic block: the instructions from `start` up to `end` (exclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Block {
    pub start: u64,
    pub end: u64,
}

/// How a function start was found, from the most authoritative source to
/// the least.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// A `STT_FUNC` (or `STT_GNU_IFUNC`) symbol in `.symtab` or `.dynsym`.
    Symbol,
    /// The initial location of an `.eh_frame` FDE.
    EhFrame,
    /// The ELF entry point.
    Entry,
    /// A pointer in `.preinit_array`, `.init_array` or `.fini_array`.
    InitArray,
    /// The target of a direct call found by the descent.
    Call,
}

/// How much of the code discovery covers, and what the rest is.
///
/// `code_bytes == covered + padding + data + unreached`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Bytes in the executable segments (read-only data and the ELF headers
    /// often share them with the code).
    pub segment_bytes: u64,
    /// Of those, the bytes that can hold code: the executable sections, or
    /// without section headers the executable segments up to the end of the
    /// last code found (`code_from_sections` tells which).
    pub code_bytes: u64,
    pub code_from_sections: bool,
    /// Bytes of `code_bytes` inside some function's blocks.
    pub covered: u64,
    /// Uncovered zero bytes, `nop`s and `unimp`s: alignment padding.
    pub padding: u64,
    /// Uncovered bytes that do not decode: data in the code.
    pub data: u64,
    /// Uncovered bytes that decode but were not reached.
    pub unreached: u64,
    /// Functions by how they were found.
    pub functions: FunctionCounts,
    /// Blocks, entries and instructions of all functions (code that several
    /// functions hold counts once per function).
    pub blocks: usize,
    pub entries: usize,
    pub instructions: usize,
    /// Entries found by the sweep (code reached only through computed jumps).
    pub orphan_entries: usize,
    /// The illegal instructions in the functions' blocks (see
    /// [`Isa::is_illegal`](c2w_isa::Isa::is_illegal): undefined encodings,
    /// and instructions the semantics do not implement), deliberate traps
    /// aside, by mnemonic: most frequent first. Reaching one ends the
    /// program with SIGILL.
    pub unimplemented: Vec<Unimplemented>,
    /// Illegal instructions in the blocks that trap on purpose (`ud2`,
    /// `c.unimp`; see [`Guest::is_deliberate_trap`]).
    pub deliberate_traps: usize,
}

/// One kind of illegal instruction found in reached code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unimplemented {
    /// The mnemonic (see [`Guest::mnemonic`]).
    pub mnemonic: String,
    /// How many of the functions' instructions have it.
    pub count: usize,
    /// The lowest address holding one (a run-time address), and its
    /// disassembly.
    pub example: u64,
    pub example_text: String,
}

/// Functions by how their start was found (see [`Source`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FunctionCounts {
    pub symbols: usize,
    pub eh_frame: usize,
    pub entry: usize,
    pub init_array: usize,
    pub calls: usize,
}

impl FunctionCounts {
    pub fn total(&self) -> usize {
        self.symbols + self.eh_frame + self.entry + self.init_array + self.calls
    }
}

impl Coverage {
    /// `covered` as a percentage of `code_bytes`.
    pub fn covered_percent(&self) -> f64 {
        if self.code_bytes == 0 {
            0.0
        } else {
            self.covered as f64 * 100.0 / self.code_bytes as f64
        }
    }
}

impl fmt::Display for Coverage {
    /// Five lines and one per kind of unimplemented instruction, for
    /// `c2w-aot inspect`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = &self.functions;
        writeln!(
            f,
            "functions: {} (symbols {}, .eh_frame {}, entry/init_array {}, calls {})",
            n.total(),
            n.symbols,
            n.eh_frame,
            n.entry + n.init_array,
            n.calls,
        )?;
        writeln!(
            f,
            "blocks:   {}, entries {} ({} found by the sweep)",
            self.blocks, self.entries, self.orphan_entries
        )?;
        let source = if self.code_from_sections {
            "executable sections"
        } else {
            "executable segments, estimated"
        };
        writeln!(
            f,
            "covered:  {} of {} code bytes ({:.2}%, {source})",
            self.covered,
            self.code_bytes,
            self.covered_percent()
        )?;
        writeln!(
            f,
            "rest:     {} padding, {} data in text, {} unreached (bytes)",
            self.padding, self.data, self.unreached
        )?;
        let total: usize = self.unimplemented.iter().map(|u| u.count).sum();
        write!(
            f,
            "unimplemented: {total} instructions of {} kinds in reached code \
             ({} deliberate traps aside)",
            self.unimplemented.len(),
            self.deliberate_traps
        )?;
        for u in &self.unimplemented {
            write!(
                f,
                "\n  {:<14} {:>6}  e.g. at {:#x}: {}",
                u.mnemonic, u.count, u.example, u.example_text
            )?;
        }
        Ok(())
    }
}

/// What discovery could not use. None of it stops discovery.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Problems {
    /// Symbols, FDEs or array pointers naming an address that holds no
    /// legal instruction.
    pub rejected_seeds: usize,
    /// `.eh_frame` entries that could not be parsed.
    pub eh_frame_errors: usize,
    /// Direct successors that are neither a block of the function nor a
    /// function start: outside the executable segments, odd, or
    /// overlapping another instruction the function holds.
    pub dangling_successors: usize,
    /// Explanations, for the problems that need one.
    pub notes: Vec<String>,
}
