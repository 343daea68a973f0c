//! Ahead-of-time translation of an ELF's code: discovery, then each
//! function lifted to CLIF, optimized by Cranelift's mid-end and emitted as
//! Wasm, in parallel; the output is in guest-address order whatever the
//! thread count.

use std::collections::HashMap;
use std::io::IsTerminal as _;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context as _, Result};
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::UserExternalName;
use cranelift_codegen::settings::{self, Configurable as _};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::clif2wasm;
use c2w_isa::riscv64::Riscv64;
use c2w_isa::x86_64::X86_64;
use c2w_isa::Arch;

use crate::discover::{self, Discovery, Function, Guest};
use crate::lift::entries::Entries;
use crate::lift::{self, LiftError, Program, INTERNAL_ENTRY, MAX_INSTRUCTIONS};
use crate::link::{entries, Plan};

/// How to translate.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
    /// Show a progress bar (only ever drawn on a terminal).
    pub progress: bool,
}

/// An ELF's translated code, ready to link.
pub struct Translation {
    /// Wasm bodies of the translated functions, in ordinal order.
    pub functions: Vec<wasm_encoder::Function>,
    /// Entry table: (guest pc, function ordinal, entry index), sorted by pc.
    pub entries: Vec<(u64, u32, u32)>,
    /// The entry table's bytes and slot count (`link::entries::table`).
    pub table: Vec<u8>,
    pub slots: u32,
    /// Executable ranges whose code was translated.
    pub ranges: Vec<(u64, u64)>,
    pub stats: TranslationStats,
}

/// Figures about a translation.
#[derive(Clone, Debug, Default)]
pub struct TranslationStats {
    /// Functions discovered, and how many were translated.
    pub discovered: usize,
    pub translated: usize,
    /// Guest instructions and code bytes in translated functions.
    pub instructions: usize,
    pub code_bytes: u64,
    /// Bytes of emitted Wasm function bodies.
    pub wasm_bytes: usize,
    pub elapsed: Duration,
    pub threads: usize,
}

/// Translates the code of the ELF file `elf`, a program of `arch`, for a
/// module linked as `plan` says.
pub fn translate(elf: &[u8], arch: Arch, plan: &Plan, options: Options) -> Result<Translation> {
    match arch {
        Arch::Riscv64 => translate_isa::<Riscv64>(elf, plan, options),
        Arch::X86_64 => translate_isa::<X86_64>(elf, plan, options),
    }
}

fn translate_isa<I: Guest>(elf: &[u8], plan: &Plan, options: Options) -> Result<Translation> {
    let started = Instant::now();
    let discovery = discover::discover::<I>(elf)?;
    let (chosen, entries) = choose(&discovery);
    let program = Program {
        code: &discovery.code,
        entries: &entries,
    };

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.unwrap_or(0))
        .build()
        .context("cannot start translation threads")?;
    let progress = progress_bar(options.progress, chosen.len());
    let flags = optimizer_flags();
    let results: Vec<Result<wasm_encoder::Function>> = pool.install(|| {
        chosen
            .par_iter()
            .enumerate()
            .map(|(index, func)| {
                let result = compile(&program, plan, &flags, index as u32, func);
                progress.inc(1);
                result
            })
            .collect()
    });
    progress.finish_and_clear();
    let functions = results.into_iter().collect::<Result<Vec<_>>>()?;

    let mut table: Vec<_> = entries
        .iter()
        .map(|(&pc, &(function, entry))| (pc, function, entry))
        .collect();
    table.sort_unstable();
    let (table_bytes, slots) = entries::table(&table);
    let stats = TranslationStats {
        discovered: discovery.functions.len(),
        translated: chosen.len(),
        instructions: chosen.iter().map(|f| f.instructions).sum(),
        code_bytes: chosen
            .iter()
            .flat_map(|f| &f.func.blocks)
            .map(|b| b.end - b.start)
            .sum(),
        wasm_bytes: functions.iter().map(|f| f.byte_len()).sum(),
        elapsed: started.elapsed(),
        threads: pool.current_num_threads(),
    };
    Ok(Translation {
        functions,
        entries: table,
        table: table_bytes,
        slots,
        ranges: translated_range(&chosen).into_iter().collect(),
        stats,
    })
}

/// A function chosen for translation.
struct Chosen<'a> {
    func: &'a Function,
    entries: Entries,
    instructions: usize,
}

/// The functions to translate (all but the very large ones), and the
/// entry map over them.
fn choose<'a, I: Guest>(
    discovery: &'a Discovery<I>,
) -> (Vec<Chosen<'a>>, HashMap<u64, (u32, u32)>) {
    let chosen: Vec<Chosen> = discovery
        .functions
        .iter()
        .filter_map(|func| {
            let instructions = func
                .blocks
                .iter()
                .map(|b| count_instructions(&discovery.code, b.start, b.end))
                .sum();
            (instructions <= MAX_INSTRUCTIONS).then(|| Chosen {
                func,
                entries: lift::entries::classify(&discovery.code, func),
                instructions,
            })
        })
        .collect();
    let entries = entry_map(&chosen);
    (chosen, entries)
}

/// Instructions in `[start, end)`.
fn count_instructions<I: Guest>(code: &discover::Code<I>, start: u64, end: u64) -> usize {
    let (mut pc, mut n) = (start, 0);
    while pc < end {
        let Some(inst) = code.decode(pc) else { break };
        pc += u64::from(I::len(&inst));
        n += 1;
    }
    n
}

/// The guest addresses spanned by the chosen functions' code.
fn translated_range(chosen: &[Chosen]) -> Option<(u64, u64)> {
    let blocks = chosen.iter().flat_map(|c| &c.func.blocks);
    let start = blocks.clone().map(|b| b.start).min()?;
    let end = blocks.map(|b| b.end).max()?;
    Some((start, end))
}

/// Every entry of the chosen functions: pc -> (ordinal, entry index, with
/// `INTERNAL_ENTRY` for internal ones). A pc that several functions list
/// (shared code) belongs to the function that starts there, else to the
/// first that may be entered there from outside, else to the first.
fn entry_map(chosen: &[Chosen]) -> HashMap<u64, (u32, u32)> {
    let mut map: HashMap<u64, (u32, u32)> = HashMap::new();
    for (ordinal, c) in chosen.iter().enumerate() {
        let externals = c.entries.external.len();
        for (entry, pc) in c.entries.all().enumerate() {
            let flag = if entry < externals { 0 } else { INTERNAL_ENTRY };
            let mine = (ordinal as u32, entry as u32 | flag);
            map.entry(pc)
                .and_modify(|owner| {
                    let internal = owner.1 & INTERNAL_ENTRY != 0;
                    if pc == c.func.start || (internal && flag == 0) {
                        *owner = mine;
                    }
                })
                .or_insert(mine);
        }
    }
    map
}

/// Cranelift's settings for the mid-end.
pub fn optimizer_flags() -> settings::Flags {
    let mut builder = settings::builder();
    builder
        .set("opt_level", "speed")
        .expect("opt_level is a Cranelift setting");
    settings::Flags::new(builder)
}

/// The Wasm names of the functions translated code calls.
struct Names<'a>(&'a Plan);

impl clif2wasm::Env for Names<'_> {
    fn function_index(&self, callee: &UserExternalName) -> Option<u32> {
        self.0.function_index(callee.namespace, callee.index)
    }
}

#[cfg(test)]
mod tests;

/// Lifts, optimizes and emits one function.
fn compile<I: Guest>(
    program: &Program<I>,
    plan: &Plan,
    flags: &settings::Flags,
    index: u32,
    chosen: &Chosen,
) -> Result<wasm_encoder::Function> {
    let start = chosen.func.start;
    let clif = lift::lift(program, index, chosen.func, &chosen.entries)
        .map_err(|e: LiftError| anyhow!(e))?;
    let clif =
        optimize(clif, flags).map_err(|e| anyhow!("optimizing the function at {start:#x}: {e}"))?;
    clif2wasm::emit(&clif, &Names(plan))
        .with_context(|| format!("emitting Wasm for the function at {start:#x}"))
}

/// Cranelift's mid-end on `func`: unreachable-code removal, constant phis,
/// then the e-graph pass (GVN, constant folding, algebraic rewrites, LICM,
/// redundant-load removal), with the verifier before and after.
pub fn optimize(
    func: cranelift_codegen::ir::Function,
    flags: &settings::Flags,
) -> Result<cranelift_codegen::ir::Function, String> {
    let mut ctx = cranelift_codegen::Context::for_function(func);
    let verified = (|| {
        ctx.verify(flags)?;
        ctx.compute_cfg();
        ctx.compute_domtree();
        ctx.eliminate_unreachable_code(flags)?;
        ctx.remove_constant_phis(flags)?;
        ctx.func.dfg.resolve_all_aliases();
        ctx.egraph_pass(flags, &mut ControlPlane::default())
    })();
    match verified {
        Ok(()) => Ok(ctx.func),
        Err(e) => Err(format!("{e:?}")),
    }
}

/// A progress bar on stderr when it is a terminal and `show`; hidden
/// otherwise.
fn progress_bar(show: bool, len: usize) -> ProgressBar {
    if !show || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("translating {bar:40} {pos}/{len} functions ({elapsed})")
    {
        bar.set_style(style);
    }
    bar
}
