//! c2w-bench: every workload under every configuration (native x86_64,
//! wasm-ceiling, and for each guest ISA, riscv64 and x86_64: qemu-user,
//! interpreter-only and ahead-of-time translated on wasmtime and node), runs
//! interleaved, each result checked against the others; plus translation
//! throughput, output size and start-up.
//!
//! `cargo run -p c2w-bench --release -- [--quick] [--filter NAME] [--isa ISA]`

mod configs;
mod extras;
mod results;
mod workloads;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

use anyhow::{Context as _, Result};
use c2w_conformance::outcome::{compare, Sides};
use c2w_conformance::{Invocation, Mount, Outcome};
use clap::Parser;
use sha2::{Digest as _, Sha256};

use configs::{Builder, Config, Isa, Sample, Target};
use results::{ConfigResult, Machine, Results, Stats, WorkloadResult};
use workloads::Workload;

/// Measures c2w-aot against native code, the Wasm ceiling, qemu-user and
/// pure interpretation.
#[derive(Parser, Debug)]
#[command(name = "c2w-bench")]
struct Args {
    /// Small inputs and one run of each: checks the harness, and that every
    /// configuration computes the same results, in about a minute.
    #[arg(long)]
    quick: bool,
    /// Only the workloads (and the sections `translation`, `size` and
    /// `startup`) whose name contains NAME; repeatable.
    #[arg(long, value_name = "NAME")]
    filter: Vec<String>,
    /// Timed runs per configuration [default: 3, or 1 with --quick].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    runs: Option<u16>,
    /// Where results.md and results.json go [default: bench/results, or
    /// quick/ in the work directory with --quick].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Build products, inputs and caches [default: target/c2w-bench].
    #[arg(long, value_name = "DIR")]
    work: Option<PathBuf>,
    /// The guest builds measured (under qemu-user, interpreted and
    /// translated); native and wasm-ceiling always run.
    #[arg(long, value_enum, default_value_t = IsaFilter::Both)]
    isa: IsaFilter,
}

/// The value of `--isa`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum IsaFilter {
    #[value(name = "riscv64")]
    Riscv64,
    #[value(name = "x86_64")]
    X86_64,
    #[value(name = "both")]
    Both,
}

impl Args {
    fn wants(&self, name: &str) -> bool {
        self.filter.is_empty() || self.filter.iter().any(|f| name.contains(f.as_str()))
    }

    /// The guest ISAs measured.
    fn isas(&self) -> Vec<Isa> {
        match self.isa {
            IsaFilter::Riscv64 => vec![Isa::Riscv64],
            IsaFilter::X86_64 => vec![Isa::X86_64],
            IsaFilter::Both => Isa::ALL.to_vec(),
        }
    }

    /// The configurations measured, in the order of [`Config::ALL`].
    fn configs(&self) -> Vec<Config> {
        let isas = self.isas();
        Config::ALL
            .into_iter()
            .filter(|c| c.isa().is_none_or(|isa| isas.contains(&isa)))
            .collect()
    }
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("c2w-bench: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// Runs the benchmarks; `false` if some configuration failed or disagreed.
fn run(args: Args) -> Result<bool> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = args
        .work
        .clone()
        .unwrap_or_else(|| manifest.join("../target/c2w-bench"));
    fs::create_dir_all(&work).with_context(|| format!("cannot create {}", work.display()))?;
    let work = work.canonicalize()?;
    let out = args.out.clone().unwrap_or_else(|| {
        if args.quick {
            work.join("quick")
        } else {
            manifest.join("results")
        }
    });
    let runs = usize::from(args.runs.unwrap_or(if args.quick { 1 } else { 3 }));

    let configs = args.configs();
    let mut builder = Builder::new(&work, args.quick);
    // Translation first, in a process that has not run anything yet, as a
    // user's `c2w-aot build` is (measured after the workloads, it took up
    // to half as long again).
    let translation = if args.wants("translation") {
        extras::translation(&mut builder, &args.isas(), args.quick, runs.min(3), &work)?
    } else {
        Vec::new()
    };
    let mut ok = true;
    let mut measured = Vec::new();
    for workload in workloads::all(args.quick)? {
        if !args.wants(&workload.name) {
            continue;
        }
        let result = measure(&workload, &configs, &mut builder, runs, &work)?;
        ok &= result.agree && result.configs.iter().all(|c| c.failed.is_none());
        measured.push(result);
    }
    builder.release_targets();
    let startup = if args.wants("startup") {
        extras::startup(&mut builder, &configs, runs, &work)?
    } else {
        Vec::new()
    };
    let sizes = if args.wants("size") {
        extras::sizes(&mut builder)
    } else {
        Vec::new()
    };

    let results = Results {
        date: today(),
        commit: commit(manifest),
        quick: args.quick,
        runs,
        machine: Machine::detect(),
        configs,
        workloads: measured,
        translation,
        sizes,
        startup,
    };
    results.write(&out)?;
    println!("{}", results.markdown());
    println!("results: {}", out.display());
    if !ok {
        eprintln!("c2w-bench: some configurations failed or disagree (see above)");
    }
    Ok(ok)
}

/// Runs `workload` `runs` times under every configuration, interleaved: each
/// round runs every configuration once, starting one further along, so that
/// drift in the machine hits them all alike.
fn measure(
    workload: &Workload,
    configs: &[Config],
    builder: &mut Builder,
    runs: usize,
    work: &Path,
) -> Result<WorkloadResult> {
    eprintln!("== {}: {}", workload.name, workload.description);
    let input = workload
        .input
        .map(|size| workloads::input_file(&work.join("inputs"), size))
        .transpose()?;
    let mut configs: Vec<ConfigResult> = configs.iter().map(|&c| empty(c)).collect();
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); configs.len()];
    let mut reference: Option<(Config, Outcome)> = None;
    let mut agree = true;
    for round in 0..runs {
        for i in 0..configs.len() {
            let i = (i + round) % configs.len();
            let config = configs[i].config;
            let target = match builder.target(&workload.source, config) {
                Ok(target) => target,
                Err(reason) => {
                    if round == 0 {
                        eprintln!("   {}: skipped: {reason}", config.name());
                    }
                    configs[i].skipped = Some(reason);
                    continue;
                }
            };
            if configs[i].failed.is_some() {
                continue;
            }
            if let Target::Wasm(compiled) = target {
                configs[i].compile_s = Some(compiled.compile.as_secs_f64());
            }
            let inv = invocation(workload, config, input.as_deref(), work)?;
            let sample = target.run(&inv);
            let checked = sample.and_then(|sample| {
                let outcome = Outcome {
                    status: sample.status,
                    stdout: sample.stdout.clone(),
                    stderr: sample.stderr.clone(),
                    files: None,
                };
                anyhow::ensure!(
                    sample.status == 0,
                    "exit status {}: {}",
                    sample.status,
                    String::from_utf8_lossy(&sample.stderr).trim()
                );
                if let Some((expected, reference)) = &reference {
                    let sides = Sides {
                        expected: expected.name(),
                        actual: config.name(),
                    };
                    if let Err(report) = compare(sides, reference, &outcome) {
                        agree = false;
                        anyhow::bail!("differs from {}:\n{report}", expected.name());
                    }
                } else {
                    reference = Some((config, outcome));
                }
                Ok(sample)
            });
            match checked {
                Ok(Sample { elapsed, .. }) => {
                    eprintln!("   {}: {:.3} s", config.name(), elapsed.as_secs_f64());
                    samples[i].push(elapsed);
                }
                Err(err) => {
                    eprintln!("   {}: FAILED: {err:#}", config.name());
                    configs[i].failed = Some(format!("{err:#}"));
                }
            }
        }
    }
    for (result, samples) in configs.iter_mut().zip(&samples) {
        if result.failed.is_none() {
            result.time = Stats::of(samples);
        }
    }
    let mut result = WorkloadResult {
        name: workload.name.clone(),
        description: workload.description.clone(),
        args: workload.args.clone(),
        // Paths in the work directory are the same for all configurations
        // but this machine's own: the report names them relative to it.
        result: reference.map_or_else(String::new, |(_, r)| {
            summary(&r.stdout).replace(&format!("{}/", work.display()), "")
        }),
        agree,
        configs,
    };
    result.compute_ratios();
    Ok(result)
}

/// A configuration's result before it has run.
fn empty(config: Config) -> ConfigResult {
    ConfigResult {
        config,
        skipped: None,
        failed: None,
        time: None,
        ratio_to_native: None,
        ratio_to_ceiling: None,
        compile_s: None,
    }
}

/// How `config` runs `workload`: a fresh empty scratch directory first if it
/// takes one, then its arguments, then the input file. The directory the
/// program works in is seen at the same path on every side (processes share
/// the host's files; modules get it mounted there).
fn invocation(
    workload: &Workload,
    config: Config,
    input: Option<&Path>,
    work: &Path,
) -> Result<Invocation> {
    let mut args = Vec::new();
    let mut mount = None;
    if workload.scratch {
        let dir = work.join("scratch").join(config.name());
        if dir.exists() {
            fs::remove_dir_all(&dir)?;
        }
        fs::create_dir_all(&dir)?;
        args.push(path_str(&dir)?.to_owned());
        mount = Some(dir);
    }
    args.extend(workload.args.iter().cloned());
    if let Some(input) = input {
        args.push(path_str(input)?.to_owned());
        mount = mount.or_else(|| input.parent().map(Path::to_owned));
    }
    Ok(Invocation {
        args,
        env: Vec::new(),
        stdin: Vec::new(),
        mount: mount
            .map(|host| {
                Ok::<_, anyhow::Error>(Mount {
                    guest: path_str(&host)?.to_owned(),
                    host,
                })
            })
            .transpose()?,
    })
}

fn path_str(path: &Path) -> Result<&str> {
    path.to_str()
        .with_context(|| format!("{} is not UTF-8", path.display()))
}

/// A program's output for the report: its text if short, else a digest.
fn summary(stdout: &[u8]) -> String {
    match std::str::from_utf8(stdout) {
        Ok(text) if text.len() <= 160 && !text.contains('`') => {
            text.trim_end().replace('\n', " / ")
        }
        _ => format!(
            "sha256 {:x} of {} bytes",
            Sha256::digest(stdout),
            stdout.len()
        ),
    }
}

/// Today's date (UTC), as `date` prints it.
fn today() -> String {
    Command::new("date")
        .args(["-u", "+%Y-%m-%d"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// The short commit of the project's checkout, marked `+changes` if the
/// tree differs from it.
fn commit(dir: &Path) -> Option<String> {
    let git = |args: &[&str]| {
        let output = Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
    };
    let head = git(&["rev-parse", "--short", "HEAD"])?;
    let dirty =
        git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    Some(if dirty { head + "+changes" } else { head })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_or_binary_output_is_summarised_by_a_digest() {
        assert_eq!(summary(b"abc 1\nxyz 2\n"), "abc 1 / xyz 2");
        assert!(summary(&[0xff; 4]).starts_with("sha256 "));
        assert!(summary(&[b'a'; 500]).ends_with("of 500 bytes"));
    }
}
