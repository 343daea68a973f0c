//! `run`: a linked module in embedded wasmtime with WASI preview 1.
//!
//! [`run`] uses one wasmtime [`Engine`] per compiler for the whole process.
//! Compiled modules go to wasmtime's on-disk cache when it is available, and
//! compiled functions to an in-memory cache: every module starts from the
//! same runtime, so after the first module only the generated functions are
//! compiled again. A [`Runner`] of one's own chooses the cache, and
//! separates loading (compiling) a module from running it, which the
//! benchmarks time apart.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::{Context as _, Result};
use wasmtime::{
    Cache, CacheConfig, CacheStore, Caller, Config, Engine, Linker, Module, Store, Trap,
    WasmBacktrace,
};
use wasmtime_wasi::p1::{self, WasiP1Ctx};
use wasmtime_wasi::p2::pipe::{MemoryInputPipe, MemoryOutputPipe};
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

/// Exit status reported when the module traps (as a shell reports SIGABRT).
pub const TRAP_STATUS: i32 = 134;

/// Largest output captured per stream.
const CAPTURE_LIMIT: usize = 1 << 30;

/// Where the program's standard input comes from.
#[derive(Clone, Debug, Default)]
pub enum Stdin {
    /// This process's standard input.
    #[default]
    Inherit,
    /// These bytes, then end of file.
    Bytes(Vec<u8>),
}

/// How to run a module (the `c2w-aot run` command line).
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    pub module: PathBuf,
    /// Host directories to make visible: (host path, guest path).
    pub dirs: Vec<(PathBuf, String)>,
    /// Environment given to the module (added to the image's, overriding it).
    pub env: Vec<(String, String)>,
    /// Arguments (replacing the image's default arguments if any are given).
    pub args: Vec<String>,
    pub stdin: Stdin,
    /// Capture stdout and stderr into [`RunOutput`] instead of passing them
    /// through to this process's.
    pub capture: bool,
    /// Which of wasmtime's compilers turns the module into machine code.
    pub compiler: Compiler,
}

/// wasmtime's compilers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Compiler {
    /// Optimizing: the fastest code, compiled in seconds to minutes for
    /// large modules (then cached on disk).
    #[default]
    Cranelift,
    /// Baseline: compiles about fifty times faster, slower code.
    Winch,
}

/// How a run ended.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunOutput {
    /// Exit status: the program's, or [`TRAP_STATUS`] if the module trapped.
    pub status: i32,
    /// Captured output (empty unless [`RunOptions::capture`]).
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Runs a module to completion. A trap is not an error: it ends the run with
/// status [`TRAP_STATUS`] and a message naming the trap on the module's
/// stderr. Errors are failures to set the run up (unreadable module, missing
/// directory, unsatisfied imports).
///
/// Uses the process's shared [`Runner`] for `opts.compiler`, with wasmtime's
/// default on-disk cache.
pub fn run(opts: &RunOptions) -> Result<RunOutput> {
    let runner = Runner::shared(opts.compiler)?;
    let module = runner.load(&opts.module)?;
    runner.run(&module, opts)
}

/// Where compiled modules are kept between runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum CodeCache {
    /// wasmtime's default on-disk cache (its user configuration), if usable.
    #[default]
    Default,
    /// No cache: every load compiles.
    Off,
    /// An on-disk cache in this directory.
    Dir(PathBuf),
}

/// A wasmtime engine with WASI preview 1, set up to load and run modules:
/// `load` compiles (or fetches from the cache), `run` instantiates and runs
/// to exit, as often as wanted.
pub struct Runner {
    engine: Engine,
    linker: Linker<WasiP1Ctx>,
}

/// A module compiled for a [`Runner`].
pub struct Loaded {
    module: Module,
}

impl Runner {
    /// A new engine using `compiler`, caching compiled modules as `cache`
    /// says.
    pub fn new(compiler: Compiler, cache: CodeCache) -> Result<Self> {
        let engine = Self::engine(compiler, cache)?;
        let linker = Self::linker(&engine)?;
        Ok(Runner { engine, linker })
    }

    /// The process's runner for `compiler` (default cache), set up on first
    /// use.
    fn shared(compiler: Compiler) -> Result<&'static Runner> {
        static CRANELIFT: OnceLock<Runner> = OnceLock::new();
        static WINCH: OnceLock<Runner> = OnceLock::new();
        let cell = match compiler {
            Compiler::Cranelift => &CRANELIFT,
            Compiler::Winch => &WINCH,
        };
        if let Some(runner) = cell.get() {
            return Ok(runner);
        }
        let runner = Self::new(compiler, CodeCache::Default)?;
        Ok(cell.get_or_init(|| runner))
    }

    /// Compiles the module at `path` (or takes it from the cache).
    pub fn load(&self, path: &Path) -> Result<Loaded> {
        let module = Module::from_file(&self.engine, path)
            .map_err(wasmtime_error)
            .with_context(|| format!("cannot load the module {}", path.display()))?;
        Ok(Loaded { module })
    }

    /// Runs `module` (loaded from `opts.module`) to completion in a fresh
    /// instance, as [`run`] does.
    pub fn run(&self, module: &Loaded, opts: &RunOptions) -> Result<RunOutput> {
        let program = opts
            .module
            .file_name()
            .map_or_else(
                || opts.module.to_string_lossy(),
                |name| name.to_string_lossy(),
            )
            .into_owned();
        let mut wasi = WasiCtxBuilder::new();
        wasi.arg(&program).args(&opts.args).envs(&opts.env);
        // The run is synchronous: file I/O on this thread, not handed to
        // a blocking pool and back for every call (which made each file
        // system call some 30 times slower).
        wasi.allow_blocking_current_thread(true);
        for (host, guest) in &opts.dirs {
            wasi.preopened_dir(host, guest, FsPerms::ReadWrite)
                .map_err(wasmtime_error)
                .with_context(|| {
                    format!("cannot open the directory {} (for {guest})", host.display())
                })?;
        }
        match &opts.stdin {
            Stdin::Inherit => wasi.inherit_stdin(),
            Stdin::Bytes(bytes) => wasi.stdin(MemoryInputPipe::new(bytes.clone())),
        };
        let captured = opts.capture.then(|| {
            let pipes = (
                MemoryOutputPipe::new(CAPTURE_LIMIT),
                MemoryOutputPipe::new(CAPTURE_LIMIT),
            );
            wasi.stdout(pipes.0.clone()).stderr(pipes.1.clone());
            pipes
        });
        if captured.is_none() {
            wasi.inherit_stdout().inherit_stderr();
        }

        let mut store = Store::new(&self.engine, wasi.build_p1());
        let result = self
            .linker
            .instantiate(&mut store, &module.module)
            .and_then(|instance| instance.get_typed_func::<(), ()>(&mut store, "_start"))
            .and_then(|start| start.call(&mut store, ()));
        drop(store);

        let mut output = RunOutput::default();
        if let Some((stdout, stderr)) = captured {
            output.stdout = stdout.contents().to_vec();
            output.stderr = stderr.contents().to_vec();
        }
        output.status = match result {
            Ok(()) => 0,
            Err(err) => {
                if let Some(exit) = err.downcast_ref::<I32Exit>() {
                    exit.0
                } else if let Some(trap) = err.downcast_ref::<Trap>() {
                    let mut message = format!("c2w-aot: error: {program}: {trap}\n");
                    if let Some(backtrace) = err.downcast_ref::<WasmBacktrace>() {
                        message.push_str(&format!("{backtrace}\n"));
                    }
                    if opts.capture {
                        output.stderr.extend_from_slice(message.as_bytes());
                    } else {
                        eprint!("{message}");
                    }
                    TRAP_STATUS
                } else {
                    return Err(wasmtime_error(err))
                        .with_context(|| format!("cannot run {}", opts.module.display()));
                }
            }
        };
        Ok(output)
    }

    fn engine(compiler: Compiler, cache: CodeCache) -> Result<Engine> {
        let mut config = Config::new();
        match compiler {
            Compiler::Cranelift => {
                config
                    .enable_incremental_compilation(Arc::new(FunctionCache::default()))
                    .map_err(wasmtime_error)?;
            }
            Compiler::Winch => {
                config.strategy(wasmtime::Strategy::Winch);
            }
        }
        match cache {
            // The default cache is an optimisation: without a usable cache
            // directory, modules are simply compiled every time.
            CodeCache::Default => {
                if let Ok(cache) = Cache::from_file(None) {
                    config.cache(Some(cache));
                }
            }
            CodeCache::Off => {
                config.cache(None);
            }
            CodeCache::Dir(dir) => {
                let mut settings = CacheConfig::new();
                settings.with_directory(&dir);
                let cache = Cache::new(settings)
                    .map_err(wasmtime_error)
                    .with_context(|| format!("cannot use {} as wasmtime's cache", dir.display()))?;
                config.cache(Some(cache));
            }
        }
        Engine::new(&config)
            .map_err(wasmtime_error)
            .context("cannot set up wasmtime")
    }

    /// WASI preview 1, with a `proc_exit` that passes on every Linux exit
    /// status (wasmtime's own rejects 126 and above).
    fn linker(engine: &Engine) -> Result<Linker<WasiP1Ctx>> {
        let mut linker = Linker::new(engine);
        p1::add_to_linker_sync(&mut linker, |ctx| ctx).map_err(wasmtime_error)?;
        linker.allow_shadowing(true);
        linker
            .func_wrap(
                "wasi_snapshot_preview1",
                "proc_exit",
                |_: Caller<'_, WasiP1Ctx>, status: i32| -> wasmtime::Result<()> {
                    Err(I32Exit(status).into())
                },
            )
            .map_err(wasmtime_error)?;
        Ok(linker)
    }
}

/// Compiled functions by Cranelift's cache key, for the life of the process.
#[derive(Debug, Default)]
struct FunctionCache(Mutex<HashMap<Vec<u8>, Vec<u8>>>);

impl CacheStore for FunctionCache {
    fn get(&self, key: &[u8]) -> Option<Cow<'_, [u8]>> {
        let map = self.0.lock().ok()?;
        map.get(key).map(|value| Cow::Owned(value.clone()))
    }

    fn insert(&self, key: &[u8], value: Vec<u8>) -> bool {
        match self.0.lock() {
            Ok(mut map) => {
                map.insert(key.to_vec(), value);
                true
            }
            Err(_) => false,
        }
    }
}

/// A wasmtime error as an `anyhow` error, keeping its chain.
fn wasmtime_error(err: wasmtime::Error) -> anyhow::Error {
    anyhow::Error::from_boxed(err.into_boxed_dyn_error())
}
