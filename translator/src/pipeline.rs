//! `build`: image in, one module out.

use std::fmt;
use std::iter;
use std::path::PathBuf;

use anyhow::{bail, Context as _, Result};
use c2w_syscalls::image::{FileKind, Translation};

use crate::elf::{self, Arch};
use crate::image::{self, Image};
use crate::link::{self, LinkInput, Plan};
use crate::manifest::{self, Settings};
use crate::output;
use crate::runtime::RUNTIME_WASM;
use crate::translate::{self, TranslationStats};

/// What to build (the `c2w-aot build` command line).
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// A static riscv64 ELF file or a rootfs folder.
    pub input: PathBuf,
    /// The module to write.
    pub output: PathBuf,
    /// The program inside the image (absolute path). Required for folders;
    /// for a single file, where to place it (default `/<file name>`).
    pub entrypoint: Option<String>,
    /// Environment, `KEY=VALUE`.
    pub env: Vec<String>,
    /// Default arguments, used when the module is run without arguments.
    pub cmd: Option<Vec<String>>,
    /// Do not translate: run everything in the interpreter.
    pub interp_only: bool,
    /// Translation threads (`None`: one per core).
    pub threads: Option<usize>,
    /// Show a progress bar while translating (on a terminal only).
    pub progress: bool,
}

/// What a build produced.
#[derive(Clone, Debug)]
pub struct BuildReport {
    pub output: PathBuf,
    /// Size of the written module in bytes.
    pub module_size: usize,
    /// Size of the embedded runtime module in bytes.
    pub runtime_size: usize,
    pub arch: Arch,
    pub entrypoint: String,
    /// Regular files, directories and symlinks in the image.
    pub files: usize,
    pub directories: usize,
    pub symlinks: usize,
    /// Data segments added (the manifest plus one per distinct file).
    pub segments: usize,
    /// Bytes of file data embedded.
    pub data_bytes: u64,
    /// Things left out of the image.
    pub warnings: Vec<String>,
    /// What translation did (none with `--interp-only`).
    pub translation: Option<TranslationStats>,
}

impl fmt::Display for BuildReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "wrote {} ({} bytes: runtime {} bytes, {} data segments)",
            self.output.display(),
            self.module_size,
            self.runtime_size,
            self.segments
        )?;
        if let Some(t) = &self.translation {
            writeln!(
                f,
                "translated {} of {} functions ({} instructions, {} bytes of guest code) \
                 into {} bytes of Wasm in {:.2} s on {} threads",
                t.translated,
                t.discovered,
                t.instructions,
                t.code_bytes,
                t.wasm_bytes,
                t.elapsed.as_secs_f64(),
                t.threads
            )?;
        }
        write!(
            f,
            "image: {} ({} bytes), {}, {}; entrypoint {} ({})",
            count(self.files, "file", "files"),
            self.data_bytes,
            count(self.directories, "directory", "directories"),
            count(self.symlinks, "symlink", "symlinks"),
            self.entrypoint,
            self.arch.name()
        )
    }
}

/// `n` and the noun in the number `n` asks for.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Builds the module `opts` describes. On error nothing is written (an
/// existing output stays as it was).
pub fn build(opts: &BuildOptions) -> Result<BuildReport> {
    let image = image::load(&opts.input, opts.entrypoint.as_deref())?;
    let arch = check_entrypoint(&image, opts)?;
    let cmd = opts.cmd.as_deref().unwrap_or_default();
    let settings = Settings {
        cmd,
        env: &opts.env,
        interp_only: opts.interp_only,
    };
    let translation = if opts.interp_only {
        None
    } else {
        let entry = image.resolve(&image.entrypoint).context("bad entrypoint")?;
        let plan = Plan::new(RUNTIME_WASM)?;
        let options = translate::Options {
            threads: opts.threads,
            progress: opts.progress,
        };
        Some(
            translate::translate(image.data(entry), arch, &plan, options)
                .with_context(|| format!("translating {}", image.entrypoint))?,
        )
    };
    let mut manifest = manifest::build(&image, arch, &settings)?;
    // The entry table is the segment after the files.
    let table_segment = 1 + image.contents.len() as u32;
    manifest.translation = translation.as_ref().map(|t| Translation {
        table_segment,
        slots: t.slots,
        ranges: t.ranges.clone(),
    });
    let manifest = manifest::to_json(&manifest);
    let segments: Vec<&[u8]> = iter::once(manifest.as_slice())
        .chain(image.contents.iter().map(Vec::as_slice))
        .chain(translation.as_ref().map(|t| t.table.as_slice()))
        .collect();
    let module = link::link(&LinkInput {
        runtime: RUNTIME_WASM,
        segments: &segments,
        functions: translation
            .as_ref()
            .map_or(&[][..], |t| t.functions.as_slice()),
    })?;
    output::write_atomically(&opts.output, &module)?;

    let count = |kind| image.files.iter().filter(|f| f.kind == kind).count();
    Ok(BuildReport {
        output: opts.output.clone(),
        module_size: module.len(),
        runtime_size: RUNTIME_WASM.len(),
        arch,
        entrypoint: image.entrypoint.clone(),
        files: count(FileKind::File),
        directories: count(FileKind::Dir),
        symlinks: count(FileKind::Symlink),
        segments: segments.len(),
        data_bytes: image.contents.iter().map(|c| c.len() as u64).sum(),
        warnings: image.warnings,
        translation: translation.map(|t| t.stats),
    })
}

/// Checks that the image's entrypoint is a program c2w-aot runs.
fn check_entrypoint(image: &Image, opts: &BuildOptions) -> Result<Arch> {
    let entry = image
        .resolve(&image.entrypoint)
        .with_context(|| format!("{}: bad entrypoint", opts.input.display()))?;
    let source = image.source(entry);
    let name = if source == opts.input {
        source.display().to_string()
    } else {
        format!("{} (entrypoint {})", source.display(), image.entrypoint)
    };
    let arch = elf::check_program(image.data(entry)).with_context(|| name.clone())?;
    if entry.mode & 0o111 == 0 {
        bail!("{name}: not executable (mode {:04o})", entry.mode);
    }
    Ok(arch)
}
