//! The configurations a workload runs under, how each program is built for
//! them, and one timed run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use c2w_aot::{BuildOptions, BuildReport, CodeCache, Compiler, Loaded, Runner};
use c2w_conformance::cprog::Toolchain;
use c2w_conformance::tools::{self, CC, NODE, QEMU};
use c2w_conformance::{node, qemu, translated, Invocation};
use serde::Serialize;

use crate::workloads::{busybox_fixture, Source};

/// How a program runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Config {
    /// Built for x86_64 and run natively: the upper limit.
    Native,
    /// Compiled straight to wasm32-wasi by clang, on the embedded wasmtime:
    /// the best any translation to Wasm can reach.
    WasmCeiling,
    /// The riscv64 build under qemu-riscv64.
    QemuUser,
    /// c2w-aot `--interp-only` on the embedded wasmtime.
    Interp,
    /// c2w-aot's default output on the embedded wasmtime.
    Aot,
    /// The same module under node's WASI.
    AotNode,
}

impl Config {
    pub const ALL: [Config; 6] = [
        Config::Native,
        Config::WasmCeiling,
        Config::QemuUser,
        Config::Interp,
        Config::Aot,
        Config::AotNode,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Config::Native => "native",
            Config::WasmCeiling => "wasm-ceiling",
            Config::QemuUser => "qemu-user",
            Config::Interp => "interp",
            Config::Aot => "aot",
            Config::AotNode => "aot-node",
        }
    }

    /// The column heading in the Markdown tables.
    pub fn title(self) -> &'static str {
        match self {
            Config::Native => "native x86_64",
            Config::WasmCeiling => "wasm-ceiling",
            Config::QemuUser => "qemu-user",
            Config::Interp => "interp (wasmtime)",
            Config::Aot => "aot (wasmtime)",
            Config::AotNode => "aot (node)",
        }
    }
}

/// Compilers for the C programs.
const NATIVE_CC: &str = "gcc";
const WASM_CC: &str = "clang";
/// Flags common to every build of a C program. Fused multiply-add is off so
/// that floating point gives the same bits on every target.
const C_FLAGS: &[&str] = &["-O2", "-std=gnu11", "-ffp-contract=off", "-Wall"];

/// The host's BusyBox: the native counterpart of the fixture.
const NATIVE_BUSYBOX: &str = "busybox";

/// Where, in a translated image, BusyBox is.
const BUSYBOX_ENTRYPOINT: &str = "/bin/busybox";

/// A c2w-aot module and what its build reported.
pub struct Module {
    pub path: PathBuf,
    pub report: BuildReport,
}

/// A Wasm module compiled for its own wasmtime engine, and how long that
/// took.
pub struct Compiled {
    runner: Runner,
    loaded: Loaded,
    path: PathBuf,
    pub compile: Duration,
}

impl Compiled {
    /// Compiles `path` with Cranelift on a fresh engine (nothing cached), so
    /// the time is the module's own.
    pub fn new(path: &Path) -> Result<Compiled> {
        let runner = Runner::new(Compiler::Cranelift, CodeCache::Off)?;
        let start = Instant::now();
        let loaded = runner.load(path)?;
        Ok(Compiled {
            compile: start.elapsed(),
            runner,
            loaded,
            path: path.to_owned(),
        })
    }
}

/// What one configuration runs for one program.
pub enum Target {
    /// An executable, natively or under qemu-riscv64.
    Native(PathBuf),
    Qemu(PathBuf),
    /// A module on the embedded wasmtime.
    Wasm(Compiled),
    /// A module under node.
    Node(PathBuf),
}

/// One run: its wall time and what it printed.
#[derive(Clone, Debug)]
pub struct Sample {
    pub elapsed: Duration,
    pub status: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// How long a process may run before it counts as hung.
const PROCESS_LIMIT: Duration = Duration::from_secs(1800);

impl Target {
    /// Runs once with `inv` and times it: a process from its start to its
    /// exit; a module on wasmtime from instantiation to exit (compiled
    /// beforehand, see [`Compiled::compile`]).
    pub fn run(&self, inv: &Invocation) -> Result<Sample> {
        let finished = match self {
            Target::Wasm(compiled) => {
                let start = Instant::now();
                return run_module(
                    &compiled.runner,
                    &compiled.loaded,
                    &compiled.path,
                    inv,
                    start,
                );
            }
            Target::Native(exe) => {
                tools::run_with_limit(&mut native_command(exe, inv), &inv.stdin, PROCESS_LIMIT)?
            }
            Target::Qemu(elf) => {
                tools::run_with_limit(&mut qemu::command(elf, inv)?, &inv.stdin, PROCESS_LIMIT)?
            }
            // Node's own crashes are retried once, with a notice.
            Target::Node(module) => node::run_finished(module, inv, PROCESS_LIMIT)?,
        };
        Ok(Sample {
            elapsed: finished.elapsed,
            status: finished.status,
            stdout: finished.stdout,
            stderr: finished.stderr,
        })
    }
}

/// Runs `loaded` (from `path`) with `inv` on `runner`, timing from `start`.
pub fn run_module(
    runner: &Runner,
    loaded: &Loaded,
    path: &Path,
    inv: &Invocation,
    start: Instant,
) -> Result<Sample> {
    let options = translated::run_options(path, inv, Compiler::Cranelift);
    let output = runner.run(loaded, &options)?;
    Ok(Sample {
        elapsed: start.elapsed(),
        status: output.status,
        stdout: output.stdout,
        stderr: output.stderr,
    })
}

/// `exe` run as qemu-user runs a guest: the invocation's arguments and
/// environment only, in `/`.
fn native_command(exe: &Path, inv: &Invocation) -> Command {
    let mut cmd = Command::new(exe);
    cmd.args(&inv.args)
        .env_clear()
        .envs(inv.env.iter().map(|(k, v)| (k, v)))
        .current_dir("/");
    cmd
}

/// Builds programs for the configurations, each build made once, and keeps
/// what each configuration runs.
pub struct Builder {
    /// Build products (compiled C programs are cached between runs).
    work: PathBuf,
    executables: HashMap<(String, Config), PathBuf>,
    modules: HashMap<(String, bool), Module>,
    targets: HashMap<(String, Config), Result<Target, String>>,
    /// How long wasmtime took to compile each module it runs.
    compile_times: HashMap<(String, Config), Duration>,
}

impl Builder {
    pub fn new(work: &Path) -> Builder {
        Builder {
            work: work.to_owned(),
            executables: HashMap::new(),
            modules: HashMap::new(),
            targets: HashMap::new(),
            compile_times: HashMap::new(),
        }
    }

    /// What `config` runs for `source`, or why it cannot run it here (a
    /// missing tool, or a build that failed).
    pub fn target(&mut self, source: &Source, config: Config) -> Result<&Target, String> {
        let key = (source.key(), config);
        if !self.targets.contains_key(&key) {
            let target = self.prepare(source, config);
            if let Ok(Target::Wasm(compiled)) = &target {
                self.compile_times.insert(key.clone(), compiled.compile);
            }
            self.targets.insert(key.clone(), target);
        }
        self.targets[&key].as_ref().map_err(Clone::clone)
    }

    fn prepare(&mut self, source: &Source, config: Config) -> Result<Target, String> {
        let needed: &[&str] = match (config, source) {
            (Config::Native, Source::C(_)) => &[NATIVE_CC],
            (Config::Native, Source::BusyBox) => &[NATIVE_BUSYBOX],
            (Config::WasmCeiling, Source::C(_)) => &[WASM_CC],
            (Config::WasmCeiling, Source::BusyBox) => {
                return Err("no wasm32-wasi build of BusyBox".to_owned())
            }
            (Config::QemuUser, _) => &[QEMU, CC],
            (Config::Interp | Config::Aot, _) => &[CC],
            (Config::AotNode, _) => &[NODE, CC],
        };
        let needed: Vec<&str> = needed
            .iter()
            .copied()
            .filter(|&tool| !(tool == CC && *source == Source::BusyBox))
            .collect();
        if let Some(notice) = tools::missing(&needed) {
            return Err(notice);
        }
        if config == Config::AotNode && node::major_version().is_none_or(|v| v < 20) {
            return Err("node 20 or later is needed".to_owned());
        }
        let target = match config {
            Config::Native => self.executable(source, config).map(Target::Native),
            Config::WasmCeiling => self
                .executable(source, config)
                .and_then(|exe| Compiled::new(&exe))
                .map(Target::Wasm),
            Config::QemuUser => self.executable(source, config).map(Target::Qemu),
            Config::Interp | Config::Aot => self
                .module(source, config == Config::Interp)
                .and_then(|module| Compiled::new(&module.path))
                .map(Target::Wasm),
            Config::AotNode => self
                .module(source, false)
                .map(|module| Target::Node(module.path.clone())),
        };
        target.map_err(|err| format!("{err:#}"))
    }

    /// The c2w-aot modules built so far, translated and interpreter-only,
    /// by program.
    pub fn module_pairs(&self) -> Vec<(String, &Module, &Module)> {
        let mut pairs: Vec<(String, &Module, &Module)> = self
            .modules
            .iter()
            .filter(|((_, interp_only), _)| !interp_only)
            .filter_map(|((program, _), aot)| {
                let interp = self.modules.get(&(program.clone(), true))?;
                Some((program.clone(), aot, interp))
            })
            .collect();
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        pairs
    }

    /// How long wasmtime took to compile `program`'s module for `config`,
    /// if it did.
    pub fn compile_time(&self, program: &str, config: Config) -> Option<f64> {
        let time = self.compile_times.get(&(program.to_owned(), config))?;
        Some(time.as_secs_f64())
    }

    /// Lets go of what the configurations run (compiled modules hold
    /// engines and code memory), keeping the build products: what is
    /// measured next should not run in their shadow.
    pub fn release_targets(&mut self) {
        self.targets.clear();
    }

    /// The executable `config` runs (for [`Config::QemuUser`]: the riscv64
    /// one, which the c2w-aot modules are built from too).
    pub fn executable(&mut self, source: &Source, config: Config) -> Result<PathBuf> {
        let config = match config {
            Config::Native | Config::WasmCeiling => config,
            _ => Config::QemuUser,
        };
        let key = (source.key(), config);
        if let Some(exe) = self.executables.get(&key) {
            return Ok(exe.clone());
        }
        let exe = match source {
            Source::BusyBox if config == Config::Native => tools::find(NATIVE_BUSYBOX)
                .with_context(|| format!("{NATIVE_BUSYBOX} not found on PATH"))?,
            Source::BusyBox => busybox_fixture(),
            Source::C(path) => {
                let (cc, target_flags, target): (&str, &[&str], &str) = match config {
                    Config::Native => (NATIVE_CC, &["-static"], "x86_64"),
                    Config::WasmCeiling => (WASM_CC, &["--target=wasm32-wasi"], "wasm32"),
                    _ => (CC, &["-static"], "riscv64"),
                };
                let flags: Vec<&str> = C_FLAGS.iter().chain(target_flags).copied().collect();
                let toolchain = Toolchain {
                    cc,
                    flags: &flags,
                    libs: &["-lm"],
                };
                toolchain.compile(path, &key.0, &self.work.join("cc").join(target))?
            }
        };
        self.executables.insert(key, exe.clone());
        Ok(exe)
    }

    /// The c2w-aot module of `source`, built once per run of the harness.
    pub fn module(&mut self, source: &Source, interp_only: bool) -> Result<&Module> {
        let key = (source.key(), interp_only);
        if !self.modules.contains_key(&key) {
            let elf = self.executable(source, Config::QemuUser)?;
            let kind = if interp_only { "interp" } else { "aot" };
            let path = self
                .work
                .join("modules")
                .join(format!("{}-{kind}.wasm", key.0));
            std::fs::create_dir_all(path.parent().context("modules have a folder")?)?;
            let report = build_module(&elf, source, interp_only, None, &path)?;
            self.modules.insert(key.clone(), Module { path, report });
        }
        Ok(&self.modules[&key])
    }
}

/// Builds the c2w-aot module of `elf` (translating with `threads`, `None`
/// for one per core) into `output`.
pub fn build_module(
    elf: &Path,
    source: &Source,
    interp_only: bool,
    threads: Option<usize>,
    output: &Path,
) -> Result<BuildReport> {
    let entrypoint = (*source == Source::BusyBox).then(|| BUSYBOX_ENTRYPOINT.to_owned());
    c2w_aot::build(&BuildOptions {
        input: elf.to_owned(),
        output: output.to_owned(),
        entrypoint,
        interp_only,
        threads,
        ..BuildOptions::default()
    })
    .with_context(|| format!("c2w-aot build {} failed", elf.display()))
}
