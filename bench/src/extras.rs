//! What is measured besides run time: translation throughput, output size
//! and start-up.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{ensure, Context as _, Result};
use c2w_aot::{CodeCache, Compiler, Runner};
use c2w_conformance::Invocation;

use crate::configs::{build_module, run_module, Builder, Config, Isa, Sample};
use crate::results::{SizeResult, StartupResult, Stats, TranslationResult};
use crate::workloads::{programs_dir, Source, HELLO};

fn hello() -> Source {
    Source::C(programs_dir().join(format!("{HELLO}.c")))
}

/// Translation time of the hello program (and, for a full run, BusyBox)
/// built for each of `isas`, with one and two threads (a quick run: two
/// only), `samples` times each, interleaved.
pub fn translation(
    builder: &mut Builder,
    isas: &[Isa],
    quick: bool,
    samples: usize,
    work: &Path,
) -> Result<Vec<TranslationResult>> {
    let mut sources = vec![hello()];
    if !quick {
        sources.push(Source::BusyBox);
    }
    let output = work.join("translation.wasm");
    let thread_counts: &[usize] = if quick { &[2] } else { &[1, 2] };
    let mut results = Vec::new();
    for (source, &isa) in sources
        .iter()
        .flat_map(|s| isas.iter().map(move |isa| (s, isa)))
    {
        let source = source.clone();
        eprintln!("== translation: {} ({})", source.key(), isa.name());
        let elf = match builder.guest_executable(&source, isa) {
            Ok(elf) => elf,
            Err(err) => {
                eprintln!("   skipped: {err:#}");
                continue;
            }
        };
        let mut times: [Vec<Duration>; 2] = Default::default();
        let mut last = None;
        for _ in 0..samples {
            for (&threads, times) in thread_counts.iter().zip(&mut times) {
                let report = build_module(&elf, &source, false, Some(threads), &output)?;
                let stats = report
                    .translation
                    .context("a translated build reports it")?;
                eprintln!(
                    "   {threads} thread(s): {:.2} s",
                    stats.elapsed.as_secs_f64()
                );
                times.push(stats.elapsed);
                last = Some(stats);
            }
        }
        let Some(stats) = last else { continue };
        for (&threads, times) in thread_counts.iter().zip(&times) {
            let time = Stats::of(times).context("translation was timed")?;
            results.push(TranslationResult {
                program: source.key(),
                isa,
                threads,
                functions: stats.translated,
                instructions: stats.instructions,
                code_bytes: stats.code_bytes,
                mib_per_s: stats.code_bytes as f64 / f64::from(1 << 20) / time.median_s,
                time,
            });
        }
    }
    Ok(results)
}

/// The size of every module built so far against its guest code, with the
/// time wasmtime took to compile it.
pub fn sizes(builder: &mut Builder) -> Vec<SizeResult> {
    let mut sizes = Vec::new();
    for (program, isa, aot, interp) in builder.module_pairs() {
        let Some(translation) = &aot.report.translation else {
            continue;
        };
        sizes.push(SizeResult {
            program: program.clone(),
            isa,
            code_bytes: translation.code_bytes,
            wasm_function_bytes: translation.wasm_bytes,
            wasm_per_code_byte: translation.wasm_bytes as f64 / translation.code_bytes as f64,
            aot_module_bytes: aot.report.module_size,
            interp_module_bytes: interp.report.module_size,
            aot_compile_s: builder.compile_time(&program, Config::Aot(isa)),
            interp_compile_s: builder.compile_time(&program, Config::Interp(isa)),
        });
    }
    sizes
}

/// Start-up of the hello program, `runs` times each, interleaved: processes
/// from start to exit; modules on wasmtime from loading (a fresh engine,
/// compiling or taking the compiled code from wasmtime's on-disk cache) to
/// exit.
pub fn startup(
    builder: &mut Builder,
    configs: &[Config],
    runs: usize,
    work: &Path,
) -> Result<Vec<StartupResult>> {
    eprintln!("== startup: {HELLO}");
    let source = hello();
    let cache = work.join("wasmtime-cache");
    if cache.exists() {
        std::fs::remove_dir_all(&cache)?;
    }
    let inv = Invocation::default();
    let mut expected: Option<Vec<u8>> = None;
    let mut check = |config: Config, sample: Result<Sample>| -> Result<Duration> {
        let sample = sample?;
        ensure!(
            sample.status == 0,
            "{}: hello exited with status {}",
            config.name(),
            sample.status
        );
        let expected = expected.get_or_insert_with(|| sample.stdout.clone());
        ensure!(
            *expected == sample.stdout,
            "{}: hello printed {:?}, not {:?}",
            config.name(),
            String::from_utf8_lossy(&sample.stdout),
            String::from_utf8_lossy(expected)
        );
        Ok(sample.elapsed)
    };

    // What each configuration starts: a process, or a module file.
    let mut starts: Vec<(Config, Start)> = Vec::new();
    for &config in configs {
        let start = match config {
            Config::WasmCeiling => builder
                .executable(&source, config)
                .map(Start::Module)
                .map_err(|err| format!("{err:#}")),
            Config::Interp(isa) | Config::Aot(isa) => builder
                .module(&source, isa, matches!(config, Config::Interp(_)))
                .map(|m| Start::Module(m.path.clone()))
                .map_err(|err| format!("{err:#}")),
            _ => builder.target(&source, config).map(|_| Start::Process),
        };
        match start {
            Ok(start) => starts.push((config, start)),
            Err(reason) => eprintln!("   {}: skipped: {reason}", config.name()),
        }
    }
    // Fill the cache once.
    for (_, start) in &starts {
        if let Start::Module(path) = start {
            Runner::new(Compiler::Cranelift, CodeCache::Dir(cache.clone()))?.load(path)?;
        }
    }

    let mut times: Vec<[Vec<Duration>; 2]> = vec![Default::default(); starts.len()];
    for round in 0..runs {
        for i in 0..starts.len() {
            let i = (i + round) % starts.len();
            let (config, start) = &starts[i];
            match start {
                Start::Process => {
                    let target = builder
                        .target(&source, *config)
                        .map_err(anyhow::Error::msg)?;
                    times[i][0].push(check(*config, target.run(&inv))?);
                }
                Start::Module(path) => {
                    for (cache, times) in [CodeCache::Off, CodeCache::Dir(cache.clone())]
                        .into_iter()
                        .zip(&mut times[i])
                    {
                        times.push(check(*config, load_and_run(path, cache, &inv))?);
                    }
                }
            }
        }
    }
    let mut results = Vec::new();
    for ((config, _), [uncached, cached]) in starts.iter().zip(&times) {
        results.push(StartupResult {
            config: *config,
            uncached: Stats::of(uncached).context("start-up was timed")?,
            cached: Stats::of(cached),
        });
    }
    Ok(results)
}

/// How a configuration starts the hello program.
enum Start {
    /// As [`crate::configs::Target::run`] does: a process.
    Process,
    /// By loading this module on a fresh engine.
    Module(PathBuf),
}

/// Loads `path` on a fresh engine using `cache`, and runs it, timing both.
fn load_and_run(path: &Path, cache: CodeCache, inv: &Invocation) -> Result<Sample> {
    let runner = Runner::new(Compiler::Cranelift, cache)?;
    let start = Instant::now();
    let loaded = runner.load(path)?;
    run_module(&runner, &loaded, path, inv, start)
}
