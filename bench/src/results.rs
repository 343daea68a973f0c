//! What a benchmark run found, written as JSON and as Markdown tables.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context as _, Result};
use serde::Serialize;

use crate::configs::{Config, Isa};

/// Median, minimum and maximum of some timings.
#[derive(Clone, Debug, Serialize)]
pub struct Stats {
    pub median_s: f64,
    pub min_s: f64,
    pub max_s: f64,
    pub samples_s: Vec<f64>,
}

impl Stats {
    /// `None` without samples.
    pub fn of(samples: &[Duration]) -> Option<Stats> {
        let mut s: Vec<f64> = samples.iter().map(Duration::as_secs_f64).collect();
        if s.is_empty() {
            return None;
        }
        let samples_s = s.clone();
        s.sort_by(f64::total_cmp);
        let n = s.len();
        let median_s = if n % 2 == 1 {
            s[n / 2]
        } else {
            (s[n / 2 - 1] + s[n / 2]) / 2.0
        };
        Some(Stats {
            median_s,
            min_s: s[0],
            max_s: s[n - 1],
            samples_s,
        })
    }

    /// `median (min–max)` in seconds, or milliseconds below one second.
    fn cell(&self) -> String {
        if self.max_s < 1.0 {
            format!(
                "{:.1} ms ({:.1}–{:.1})",
                self.median_s * 1e3,
                self.min_s * 1e3,
                self.max_s * 1e3
            )
        } else {
            format!(
                "{:.3} s ({:.3}–{:.3})",
                self.median_s, self.min_s, self.max_s
            )
        }
    }
}

/// One configuration's part in a workload.
#[derive(Clone, Debug, Serialize)]
pub struct ConfigResult {
    pub config: Config,
    /// Why it did not run, if it did not (a missing tool, no such build).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// Why its runs do not count: a failed run, or a result that differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<Stats>,
    /// Median over native's median, and over wasm-ceiling's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ratio_to_native: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ratio_to_ceiling: Option<f64>,
    /// For modules on the embedded wasmtime: compiling with Cranelift,
    /// before (and not part of) the timed runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compile_s: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct WorkloadResult {
    pub name: String,
    pub description: String,
    pub args: Vec<String>,
    /// What every configuration printed (its text, or a digest).
    pub result: String,
    /// Whether every configuration that ran printed the same thing.
    pub agree: bool,
    pub configs: Vec<ConfigResult>,
}

impl WorkloadResult {
    fn median(&self, config: Config) -> Option<f64> {
        let result = self.configs.iter().find(|c| c.config == config)?;
        result.time.as_ref().map(|t| t.median_s)
    }

    /// Fills in each configuration's ratios.
    pub fn compute_ratios(&mut self) {
        let native = self.median(Config::Native);
        let ceiling = self.median(Config::WasmCeiling);
        for result in &mut self.configs {
            if let Some(time) = &result.time {
                result.ratio_to_native = native.map(|n| time.median_s / n);
                result.ratio_to_ceiling = ceiling.map(|c| time.median_s / c);
            }
        }
    }
}

/// Translating one program ahead of time.
#[derive(Clone, Debug, Serialize)]
pub struct TranslationResult {
    pub program: String,
    /// The build translated.
    pub isa: Isa,
    pub threads: usize,
    pub functions: usize,
    pub instructions: usize,
    /// Guest code translated, in bytes.
    pub code_bytes: u64,
    /// Translation time as the translator reports it (discovery to the
    /// last function).
    pub time: Stats,
    /// MiB of guest code per second, at the median.
    pub mib_per_s: f64,
}

/// A program's output size against its code size.
#[derive(Clone, Debug, Serialize)]
pub struct SizeResult {
    pub program: String,
    /// The build translated.
    pub isa: Isa,
    pub code_bytes: u64,
    /// Bytes of Wasm function bodies translated from it.
    pub wasm_function_bytes: usize,
    pub wasm_per_code_byte: f64,
    pub aot_module_bytes: usize,
    pub interp_module_bytes: usize,
    /// Cranelift compile times of the two modules on wasmtime.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aot_compile_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interp_compile_s: Option<f64>,
}

/// Start-up of a hello program, from module load to exit.
#[derive(Clone, Debug, Serialize)]
pub struct StartupResult {
    pub config: Config,
    /// Loading compiles the module (a fresh engine, no cache); for
    /// processes, the whole run.
    pub uncached: Stats,
    /// Loading takes it from wasmtime's on-disk cache (a fresh engine).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cached: Option<Stats>,
}

/// Where the run happened.
#[derive(Clone, Debug, Serialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory_gib: f64,
    pub os: String,
    pub kernel: String,
    /// `tool: version` for the compilers and runners used.
    pub tools: Vec<(String, String)>,
}

impl Machine {
    pub fn detect() -> Machine {
        let read = |path: &str| fs::read_to_string(path).unwrap_or_default();
        let cpuinfo = read("/proc/cpuinfo");
        let cpu = field(&cpuinfo, "model name")
            .unwrap_or("unknown")
            .to_owned();
        let meminfo = read("/proc/meminfo");
        let memory_kib: f64 = field(&meminfo, "MemTotal")
            .and_then(|v| v.trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0.0);
        let os_release = read("/etc/os-release");
        let os = os_release
            .lines()
            .find_map(|l| l.strip_prefix("PRETTY_NAME="))
            .unwrap_or("unknown")
            .trim_matches('"')
            .to_owned();
        let tools = [
            ("gcc", "gcc"),
            ("riscv64-linux-gnu-gcc", "riscv64-linux-gnu-gcc"),
            ("clang", "clang"),
            ("qemu-riscv64", "qemu-riscv64"),
            ("qemu-x86_64", "qemu-x86_64"),
            ("node", "node"),
            ("busybox", "busybox"),
        ]
        .into_iter()
        .filter_map(|(name, program)| Some((name.to_owned(), tool_version(program)?)))
        .collect();
        Machine {
            cpu,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory_gib: memory_kib / (1024.0 * 1024.0),
            os,
            kernel: read("/proc/sys/kernel/osrelease").trim().to_owned(),
            tools,
        }
    }
}

/// The value of the first `key : value` line of a /proc file.
fn field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        (k.trim() == key).then(|| v.trim())
    })
}

/// The first line a tool prints about its version (BusyBox prints it on
/// `--help`).
fn tool_version(program: &str) -> Option<String> {
    let arg = if program == "busybox" {
        "--help"
    } else {
        "--version"
    };
    let output = Command::new(program).arg(arg).output().ok()?;
    let text = [output.stdout, output.stderr].concat();
    let text = String::from_utf8_lossy(&text);
    text.lines()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.trim().to_owned())
}

/// Everything one run of the harness found.
#[derive(Clone, Debug, Serialize)]
pub struct Results {
    /// The UTC date of the run, YYYY-MM-DD.
    pub date: String,
    /// The project's commit, if known.
    pub commit: Option<String>,
    pub quick: bool,
    /// Timed runs per configuration.
    pub runs: usize,
    pub machine: Machine,
    /// The configurations measured (see `--isa`), in table order.
    pub configs: Vec<Config>,
    pub workloads: Vec<WorkloadResult>,
    pub translation: Vec<TranslationResult>,
    pub sizes: Vec<SizeResult>,
    pub startup: Vec<StartupResult>,
}

impl Results {
    /// Writes `results.json` and `results.md` into `dir`.
    pub fn write(&self, dir: &Path) -> Result<()> {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let json = serde_json::to_string_pretty(self)?;
        fs::write(dir.join("results.json"), json + "\n")?;
        fs::write(dir.join("results.md"), self.markdown())?;
        Ok(())
    }

    /// The Markdown report: the run's circumstances, then one table each for
    /// times, ratios, translation, size and start-up.
    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let m = &self.machine;
        let _ = writeln!(
            md,
            "Measured {} ({}, {} run{} per configuration, median (min–max)) at commit {}.\n",
            self.date,
            if self.quick { "quick run" } else { "full run" },
            self.runs,
            if self.runs == 1 { "" } else { "s" },
            self.commit.as_deref().unwrap_or("unknown")
        );
        let _ = writeln!(
            md,
            "Machine: {}, {} cores, {:.0} GiB, {}, Linux {}.\n",
            m.cpu, m.cores, m.memory_gib, m.os, m.kernel
        );
        let tools: Vec<String> = m
            .tools
            .iter()
            .map(|(name, version)| {
                let version = version.trim_end_matches('.');
                if version.to_lowercase().contains(name.as_str()) {
                    version.to_owned()
                } else {
                    format!("{name} {version}")
                }
            })
            .collect();
        let _ = writeln!(md, "Tools: {}.\n", tools.join("; "));

        let configs = self.configs.clone();
        md.push_str("### Run time\n\n");
        table_head(&mut md, "workload", configs.iter().map(|c| c.title()));
        for w in &self.workloads {
            row(&mut md, &w.name, configs.iter().map(|&c| time_cell(w, c)));
        }
        for (title, ratio, skip) in [
            (
                "Ratio to native (lower is better)",
                (|r: &ConfigResult| r.ratio_to_native) as fn(&ConfigResult) -> Option<f64>,
                Config::Native,
            ),
            (
                "Ratio to wasm-ceiling (lower is better)",
                |r: &ConfigResult| r.ratio_to_ceiling,
                Config::WasmCeiling,
            ),
        ] {
            let _ = writeln!(md, "\n### {title}\n");
            let shown: Vec<Config> = configs.iter().copied().filter(|&c| c != skip).collect();
            table_head(&mut md, "workload", shown.iter().map(|c| c.title()));
            for w in &self.workloads {
                let cells = shown.iter().map(|&c| {
                    let result = w.configs.iter().find(|r| r.config == c);
                    match result {
                        Some(r) if r.failed.is_some() => "excluded".to_owned(),
                        _ => result
                            .and_then(ratio)
                            .map_or_else(|| "–".to_owned(), |r| format!("{r:.2}×")),
                    }
                });
                row(&mut md, &w.name, cells);
            }
        }
        self.isa_table(&mut md);

        md.push_str("\n### Workloads\n\n");
        table_head(
            &mut md,
            "workload",
            ["what", "arguments", "result (all agree)"],
        );
        for w in &self.workloads {
            let agree = if w.agree { "" } else { " **(disagree)**" };
            row(
                &mut md,
                &w.name,
                [
                    w.description.clone(),
                    format!("`{}`", w.args.join(" ")),
                    format!("`{}`{agree}", w.result),
                ],
            );
        }
        let notes = |failed: bool| -> Vec<String> {
            self.workloads
                .iter()
                .flat_map(|w| {
                    w.configs.iter().filter_map(move |c| {
                        let why = if failed {
                            c.failed.as_ref()
                        } else {
                            c.skipped.as_ref()
                        }?;
                        let mut lines = why.lines().filter(|l| !l.trim().is_empty());
                        let mut note =
                            format!("- {} / {}: {}", w.name, c.config.name(), lines.next()?);
                        for line in lines.take(6) {
                            let _ = write!(note, "\n  `{}`", line.trim().replace('`', "'"));
                        }
                        Some(note)
                    })
                })
                .collect()
        };
        let excluded = notes(true);
        if !excluded.is_empty() {
            let _ = writeln!(
                md,
                "\nExcluded (the run failed or printed something else than the first \
                 configuration; its times do not count):\n\n{}",
                excluded.join("\n")
            );
        }
        let skipped = notes(false);
        if !skipped.is_empty() {
            let _ = writeln!(md, "\nNot measured:\n\n{}", skipped.join("\n"));
        }

        if !self.translation.is_empty() {
            md.push_str("\n### Translation throughput\n\n");
            table_head(
                &mut md,
                "program",
                ["ISA", "threads", "functions", "guest code", "time", "MiB/s"],
            );
            for t in &self.translation {
                row(
                    &mut md,
                    &t.program,
                    [
                        t.isa.name().to_owned(),
                        t.threads.to_string(),
                        t.functions.to_string(),
                        bytes(t.code_bytes as usize),
                        t.time.cell(),
                        format!("{:.3}", t.mib_per_s),
                    ],
                );
            }
        }
        if !self.sizes.is_empty() {
            md.push_str("\n### Output size and compile time\n\n");
            table_head(
                &mut md,
                "program",
                [
                    "ISA",
                    "guest code",
                    "Wasm functions",
                    "per guest byte",
                    "aot module",
                    "interp module",
                    "wasmtime compile, aot",
                    "wasmtime compile, interp",
                ],
            );
            for s in &self.sizes {
                let secs =
                    |s: Option<f64>| s.map_or_else(|| "–".to_owned(), |s| format!("{s:.2} s"));
                row(
                    &mut md,
                    &s.program,
                    [
                        s.isa.name().to_owned(),
                        bytes(s.code_bytes as usize),
                        bytes(s.wasm_function_bytes),
                        format!("{:.1}", s.wasm_per_code_byte),
                        bytes(s.aot_module_bytes),
                        bytes(s.interp_module_bytes),
                        secs(s.aot_compile_s),
                        secs(s.interp_compile_s),
                    ],
                );
            }
        }
        if !self.startup.is_empty() {
            md.push_str("\n### Start-up: hello, from module load to exit\n\n");
            table_head(&mut md, "configuration", ["no cache", "wasmtime cache"]);
            for s in &self.startup {
                row(
                    &mut md,
                    s.config.title(),
                    [
                        s.uncached.cell(),
                        s.cached
                            .as_ref()
                            .map_or_else(|| "–".to_owned(), Stats::cell),
                    ],
                );
            }
        }
        md
    }
}

impl Results {
    /// x86_64 against riscv64: each guest configuration over its qemu-user
    /// and over the Wasm ceiling, and x86_64 over riscv64 (only when both
    /// ISAs were measured).
    fn isa_table(&self, md: &mut String) {
        use Isa::{Riscv64 as R, X86_64 as X};
        if !Isa::ALL
            .iter()
            .all(|&isa| self.configs.contains(&Config::Aot(isa)))
        {
            return;
        }
        type Pair = (&'static str, Config, Config);
        let columns: [Pair; 8] = [
            ("aot x86_64 ÷ qemu-x86_64", Config::Aot(X), Config::Qemu(X)),
            (
                "aot riscv64 ÷ qemu-riscv64",
                Config::Aot(R),
                Config::Qemu(R),
            ),
            (
                "aot x86_64 ÷ wasm-ceiling",
                Config::Aot(X),
                Config::WasmCeiling,
            ),
            (
                "aot riscv64 ÷ wasm-ceiling",
                Config::Aot(R),
                Config::WasmCeiling,
            ),
            ("aot x86_64 ÷ aot riscv64", Config::Aot(X), Config::Aot(R)),
            (
                "interp x86_64 ÷ interp riscv64",
                Config::Interp(X),
                Config::Interp(R),
            ),
            (
                "qemu-x86_64 ÷ qemu-riscv64",
                Config::Qemu(X),
                Config::Qemu(R),
            ),
            (
                "aot node x86_64 ÷ aot node riscv64",
                Config::AotNode(X),
                Config::AotNode(R),
            ),
        ];
        md.push_str("\n### x86_64 against riscv64 (ratios of medians, lower is better)\n\n");
        table_head(md, "workload", columns.iter().map(|c| c.0));
        for w in &self.workloads {
            let cells = columns.iter().map(|&(_, a, b)| {
                let excluded = |c: Config| {
                    w.configs
                        .iter()
                        .any(|r| r.config == c && r.failed.is_some())
                };
                if excluded(a) || excluded(b) {
                    return "excluded".to_owned();
                }
                match (w.median(a), w.median(b)) {
                    (Some(a), Some(b)) => format!("{:.2}×", a / b),
                    _ => "–".to_owned(),
                }
            });
            row(md, &w.name, cells);
        }
    }
}

fn time_cell(w: &WorkloadResult, config: Config) -> String {
    let Some(result) = w.configs.iter().find(|r| r.config == config) else {
        return "–".to_owned();
    };
    match (&result.time, &result.failed) {
        (_, Some(_)) => "failed".to_owned(),
        (Some(time), None) => time.cell(),
        (None, None) => "–".to_owned(),
    }
}

fn table_head<'a>(md: &mut String, first: &str, rest: impl IntoIterator<Item = &'a str>) {
    let rest: Vec<&str> = rest.into_iter().collect();
    let _ = writeln!(md, "| {first} | {} |", rest.join(" | "));
    let _ = writeln!(md, "|---|{}", "---|".repeat(rest.len()));
}

fn row<S: AsRef<str>>(md: &mut String, first: &str, rest: impl IntoIterator<Item = S>) {
    let rest: Vec<String> = rest.into_iter().map(|s| s.as_ref().to_owned()).collect();
    let _ = writeln!(md, "| {first} | {} |", rest.join(" | "));
}

/// A byte count for people: B, KiB or MiB.
fn bytes(n: usize) -> String {
    match n {
        n if n >= 1 << 20 => format!("{:.2} MiB", n as f64 / f64::from(1 << 20)),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_take_the_median_of_odd_and_even_counts() {
        let ms = |v: &[u64]| {
            v.iter()
                .map(|&m| Duration::from_millis(m))
                .collect::<Vec<_>>()
        };
        let odd = Stats::of(&ms(&[30, 10, 20])).unwrap();
        assert_eq!((odd.median_s, odd.min_s, odd.max_s), (0.02, 0.01, 0.03));
        assert_eq!(odd.samples_s, [0.03, 0.01, 0.02]);
        let even = Stats::of(&ms(&[40, 10, 20, 30])).unwrap();
        assert!((even.median_s - 0.025).abs() < 1e-12);
        assert!(Stats::of(&[]).is_none());
    }

    #[test]
    fn ratios_are_to_the_medians_of_native_and_the_ceiling() {
        let stats = |s: f64| Stats {
            median_s: s,
            min_s: s,
            max_s: s,
            samples_s: vec![s],
        };
        let result = |config, time| ConfigResult {
            config,
            skipped: None,
            failed: None,
            time,
            ratio_to_native: None,
            ratio_to_ceiling: None,
            compile_s: None,
        };
        let mut w = WorkloadResult {
            name: "w".into(),
            description: String::new(),
            args: Vec::new(),
            result: String::new(),
            agree: true,
            configs: vec![
                result(Config::Native, Some(stats(2.0))),
                result(Config::WasmCeiling, Some(stats(4.0))),
                result(Config::Aot(Isa::X86_64), Some(stats(5.0))),
                result(Config::Qemu(Isa::Riscv64), None),
            ],
        };
        w.compute_ratios();
        let aot = &w.configs[2];
        assert_eq!(aot.ratio_to_native, Some(2.5));
        assert_eq!(aot.ratio_to_ceiling, Some(1.25));
        assert_eq!(w.configs[3].ratio_to_native, None);
    }

    #[test]
    fn byte_counts_read_well() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(3 << 20), "3.00 MiB");
    }
}
