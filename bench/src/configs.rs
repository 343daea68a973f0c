//! The configurations a workload runs under, how each program is built for
//! them, and one timed run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use c2w_aot::{BuildOptions, BuildReport, CodeCache, Compiler, Loaded, Runner};
use c2w_conformance::cprog::Toolchain;
use c2w_conformance::reference::Runner as Reference;
use c2w_conformance::tools::{self, CC, NODE, QEMU};
use c2w_conformance::{node, translated, Invocation};
use serde::Serialize;

use crate::workloads::{busybox_fixture, Source};

/// The guest instruction set a program is built for (the host is x86_64,
/// so the x86_64 build is also the native one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Isa {
    #[serde(rename = "riscv64")]
    Riscv64,
    #[serde(rename = "x86_64")]
    X86_64,
}

impl Isa {
    pub const ALL: [Isa; 2] = [Isa::Riscv64, Isa::X86_64];

    pub fn name(self) -> &'static str {
        match self {
            Isa::Riscv64 => "riscv64",
            Isa::X86_64 => "x86_64",
        }
    }

    /// The qemu-user binary that runs it.
    pub fn qemu(self) -> &'static str {
        match self {
            Isa::Riscv64 => QEMU,
            Isa::X86_64 => QEMU_X86_64,
        }
    }

    /// The C compiler that builds its static executables.
    pub fn cc(self) -> &'static str {
        match self {
            Isa::Riscv64 => CC,
            Isa::X86_64 => NATIVE_CC,
        }
    }
}

/// How a program runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Config {
    /// Built for x86_64 and run natively: the upper limit.
    Native,
    /// Compiled straight to wasm32-wasi by clang, on the embedded wasmtime:
    /// the best any translation to Wasm can reach.
    WasmCeiling,
    /// The build for the ISA under qemu-user.
    Qemu(Isa),
    /// c2w-aot `--interp-only` of that build on the embedded wasmtime.
    Interp(Isa),
    /// c2w-aot's default output of that build on the embedded wasmtime.
    Aot(Isa),
    /// The same module under node's WASI.
    AotNode(Isa),
}

impl Serialize for Config {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl Config {
    /// Every configuration, each ISA's next to the other's.
    pub const ALL: [Config; 10] = [
        Config::Native,
        Config::WasmCeiling,
        Config::Qemu(Isa::Riscv64),
        Config::Qemu(Isa::X86_64),
        Config::Interp(Isa::Riscv64),
        Config::Interp(Isa::X86_64),
        Config::Aot(Isa::Riscv64),
        Config::Aot(Isa::X86_64),
        Config::AotNode(Isa::Riscv64),
        Config::AotNode(Isa::X86_64),
    ];

    /// The guest ISA it runs, for the configurations that run a guest.
    pub fn isa(self) -> Option<Isa> {
        match self {
            Config::Native | Config::WasmCeiling => None,
            Config::Qemu(isa) | Config::Interp(isa) | Config::Aot(isa) | Config::AotNode(isa) => {
                Some(isa)
            }
        }
    }

    pub fn name(self) -> &'static str {
        use Isa::{Riscv64 as R, X86_64 as X};
        match self {
            Config::Native => "native",
            Config::WasmCeiling => "wasm-ceiling",
            Config::Qemu(R) => "qemu-riscv64",
            Config::Qemu(X) => "qemu-x86_64",
            Config::Interp(R) => "interp-riscv64",
            Config::Interp(X) => "interp-x86_64",
            Config::Aot(R) => "aot-riscv64",
            Config::Aot(X) => "aot-x86_64",
            Config::AotNode(R) => "aot-node-riscv64",
            Config::AotNode(X) => "aot-node-x86_64",
        }
    }

    /// The column heading in the Markdown tables.
    pub fn title(self) -> &'static str {
        use Isa::{Riscv64 as R, X86_64 as X};
        match self {
            Config::Native => "native x86_64",
            Config::WasmCeiling => "wasm-ceiling",
            Config::Qemu(R) => "qemu-riscv64",
            Config::Qemu(X) => "qemu-x86_64",
            Config::Interp(R) => "interp riscv64",
            Config::Interp(X) => "interp x86_64",
            Config::Aot(R) => "aot riscv64",
            Config::Aot(X) => "aot x86_64",
            Config::AotNode(R) => "aot node riscv64",
            Config::AotNode(X) => "aot node x86_64",
        }
    }
}

/// The qemu-user binary for x86_64 guests.
const QEMU_X86_64: &str = "qemu-x86_64";

/// Compilers for the C programs.
const NATIVE_CC: &str = "gcc";
const WASM_CC: &str = "clang";
/// Flags common to every build of a C program. Fused multiply-add is off so
/// that floating point gives the same bits on every target.
const C_FLAGS: &[&str] = &["-O2", "-std=gnu11", "-ffp-contract=off", "-Wall"];

/// The host's BusyBox (static, from busybox-static): the native and
/// x86_64 counterpart of the riscv64 fixture.
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
    /// An executable, natively or under qemu-user for the ISA.
    Native(PathBuf),
    Qemu(Isa, PathBuf),
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
            Target::Qemu(isa, elf) => {
                let mut cmd = Reference::Qemu(isa.qemu()).command(elf, inv)?;
                tools::run_with_limit(&mut cmd, &inv.stdin, PROCESS_LIMIT)?
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
    /// A quick run leaves node out for x86_64 (node's compile of each large
    /// module is most of its time; riscv64 still checks node).
    quick: bool,
    executables: HashMap<(String, Build), PathBuf>,
    modules: HashMap<(String, Isa, bool), Module>,
    targets: HashMap<(String, Config), Result<Target, String>>,
    /// How long wasmtime took to compile each module it runs.
    compile_times: HashMap<(String, Config), Duration>,
}

/// The builds of a program: one per guest ISA (the x86_64 one is also the
/// native one) and the wasm32-wasi one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Build {
    Guest(Isa),
    Wasm32,
}

impl Build {
    fn of(config: Config) -> Build {
        match config {
            Config::Native => Build::Guest(Isa::X86_64),
            Config::WasmCeiling => Build::Wasm32,
            other => Build::Guest(other.isa().expect("a guest configuration")),
        }
    }
}

impl Builder {
    pub fn new(work: &Path, quick: bool) -> Builder {
        Builder {
            work: work.to_owned(),
            quick,
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
        let needed: Vec<&str> = match (config, source) {
            (Config::Native, Source::C(_)) => vec![NATIVE_CC],
            (Config::Native, Source::BusyBox) => vec![NATIVE_BUSYBOX],
            (Config::WasmCeiling, Source::C(_)) => vec![WASM_CC],
            (Config::WasmCeiling, Source::BusyBox) => {
                return Err("no wasm32-wasi build of BusyBox".to_owned())
            }
            (Config::Qemu(isa), _) => vec![isa.qemu(), isa.cc()],
            (Config::Interp(isa) | Config::Aot(isa), _) => vec![isa.cc()],
            (Config::AotNode(isa), _) => vec![NODE, isa.cc()],
        };
        // BusyBox is not compiled: the riscv64 fixture, the host's x86_64
        // BusyBox.
        let needed: Vec<&str> = match source {
            Source::BusyBox => needed
                .into_iter()
                .filter(|&tool| !Isa::ALL.iter().any(|isa| isa.cc() == tool))
                .chain((config.isa() == Some(Isa::X86_64)).then_some(NATIVE_BUSYBOX))
                .collect(),
            Source::C(_) => needed,
        };
        if let Some(notice) = tools::missing(&needed) {
            return Err(notice);
        }
        if let Config::AotNode(isa) = config {
            if self.quick && isa == Isa::X86_64 {
                return Err("not in a quick run (node runs the riscv64 module)".to_owned());
            }
            if node::major_version().is_none_or(|v| v < 20) {
                return Err("node 20 or later is needed".to_owned());
            }
        }
        let target = match config {
            Config::Native => self.executable(source, config).map(Target::Native),
            Config::WasmCeiling => self
                .executable(source, config)
                .and_then(|exe| Compiled::new(&exe))
                .map(Target::Wasm),
            Config::Qemu(isa) => self
                .executable(source, config)
                .map(|exe| Target::Qemu(isa, exe)),
            Config::Interp(isa) | Config::Aot(isa) => self
                .module(source, isa, matches!(config, Config::Interp(_)))
                .and_then(|module| Compiled::new(&module.path))
                .map(Target::Wasm),
            Config::AotNode(isa) => self
                .module(source, isa, false)
                .map(|module| Target::Node(module.path.clone())),
        };
        target.map_err(|err| format!("{err:#}"))
    }

    /// The c2w-aot modules built so far, translated and interpreter-only,
    /// by program and ISA.
    pub fn module_pairs(&self) -> Vec<(String, Isa, &Module, &Module)> {
        let mut pairs: Vec<(String, Isa, &Module, &Module)> = self
            .modules
            .iter()
            .filter(|((_, _, interp_only), _)| !interp_only)
            .filter_map(|((program, isa, _), aot)| {
                let interp = self.modules.get(&(program.clone(), *isa, true))?;
                Some((program.clone(), *isa, aot, interp))
            })
            .collect();
        pairs.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
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

    /// The executable `config` runs (for the guest configurations: the
    /// build for their ISA, which the c2w-aot modules are built from too;
    /// the x86_64 one is native's).
    pub fn executable(&mut self, source: &Source, config: Config) -> Result<PathBuf> {
        let build = Build::of(config);
        let key = (source.key(), build);
        if let Some(exe) = self.executables.get(&key) {
            return Ok(exe.clone());
        }
        let exe = match source {
            Source::BusyBox if build == Build::Guest(Isa::X86_64) => tools::find(NATIVE_BUSYBOX)
                .with_context(|| format!("{NATIVE_BUSYBOX} not found on PATH"))?,
            Source::BusyBox => busybox_fixture(),
            Source::C(path) => {
                let (cc, target_flags, dir): (&str, &[&str], &str) = match build {
                    Build::Wasm32 => (WASM_CC, &["--target=wasm32-wasi"], "wasm32"),
                    Build::Guest(isa) => (isa.cc(), &["-static"], isa.name()),
                };
                let flags: Vec<&str> = C_FLAGS.iter().chain(target_flags).copied().collect();
                let toolchain = Toolchain {
                    cc,
                    flags: &flags,
                    libs: &["-lm"],
                };
                toolchain.compile(path, &key.0, &self.work.join("cc").join(dir))?
            }
        };
        self.executables.insert(key, exe.clone());
        Ok(exe)
    }

    /// The executable built for `isa`, which its c2w-aot modules translate.
    pub fn guest_executable(&mut self, source: &Source, isa: Isa) -> Result<PathBuf> {
        self.executable(source, Config::Qemu(isa))
    }

    /// The c2w-aot module of `source` for `isa`, built once per run of the
    /// harness.
    pub fn module(&mut self, source: &Source, isa: Isa, interp_only: bool) -> Result<&Module> {
        let key = (source.key(), isa, interp_only);
        if !self.modules.contains_key(&key) {
            let elf = self.guest_executable(source, isa)?;
            let kind = if interp_only { "interp" } else { "aot" };
            let path =
                self.work
                    .join("modules")
                    .join(format!("{}-{}-{kind}.wasm", key.0, isa.name()));
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
