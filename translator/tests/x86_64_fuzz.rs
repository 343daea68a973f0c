//! The differential instruction fuzzer for x86_64: random instruction
//! sequences (integer, SSE..SSE4.2, x87; see `fuzz/gen.rs`) in static
//! programs, run natively (the reference), translated (`c2w-aot build`)
//! and interpreted (`c2w-aot build --interp-only`), both run with
//! `c2w-aot run --compiler winch`; the outputs (every case's registers,
//! flags, MXCSR, x87 exception flags, xmm registers and scratch memory)
//! must be the same byte for byte.
//!
//! Environment: `C2W_FUZZ_SEED` (default 0x5eed) picks another campaign,
//! `C2W_FUZZ_CASES` (default 100 000) its size, `C2W_FUZZ_PER_PROGRAM`
//! (default 12 500) the cases per program, `C2W_FUZZ_ALL=1` generates the
//! forms the known-bug list (`fuzz/known_bugs.rs`) leaves out, and
//! `C2W_FUZZ_KEEP=DIR` keeps the programs and modules in DIR.
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

mod fuzz;

use fuzz::program::{self, Case};
use fuzz::{describe_input, diff_records, gen, Input, Rng, RECORD};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use std::time::Instant;

const C2W: &str = env!("CARGO_BIN_EXE_c2w-aot");

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => {
            let v = v.trim();
            let parsed = if let Some(h) = v.strip_prefix("0x") {
                u64::from_str_radix(h, 16)
            } else {
                v.parse()
            };
            parsed.unwrap_or_else(|_| panic!("{name}={v}: not a number"))
        }
        Err(_) => default,
    }
}

/// Cases per function of the program (translation costs less per
/// instruction in larger functions).
fn group() -> usize {
    env_u64("C2W_FUZZ_GROUP", 8).max(1) as usize
}

/// The cases of program `p` of the campaign `seed`.
fn generate(seed: u64, p: u64, n: usize) -> Vec<Case> {
    let mut rng = Rng(seed ^ p.wrapping_mul(0xa076_1d64_78bd_642f));
    (0..n)
        .map(|_| {
            let input = Input::random(&mut rng);
            let len = if rng.chance(3) {
                1
            } else {
                rng.range(1, 3) as usize
            };
            let seq = gen::case(&mut rng, len);
            Case { input, seq }
        })
        .collect()
}

fn c2w(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(C2W)
        .args(args)
        .output()
        .expect("running c2w-aot")
}

/// What one backend printed.
struct Run {
    name: &'static str,
    out: Output,
}

/// Builds and runs `exe` as a module (`interp`: --interp-only).
fn run_module(exe: &Path, dir: &Path, name: &str, interp: bool) -> Result<Run, String> {
    let wasm = dir.join(format!("{name}{}.wasm", if interp { ".interp" } else { ".aot" }));
    let mut args: Vec<&std::ffi::OsStr> = vec!["build".as_ref(), exe.as_os_str()];
    args.extend(["-o".as_ref(), wasm.as_os_str(), "-j".as_ref(), "1".as_ref()]);
    if interp {
        args.push("--interp-only".as_ref());
    }
    let b = c2w(&args);
    if !b.status.success() {
        return Err(format!(
            "c2w-aot build{} failed: {}",
            if interp { " --interp-only" } else { "" },
            String::from_utf8_lossy(&b.stderr)
        ));
    }
    let out = c2w(&[
        "run".as_ref(),
        wasm.as_os_str(),
        "--compiler".as_ref(),
        "winch".as_ref(),
    ]);
    Ok(Run {
        name: if interp { "interpreter" } else { "translator" },
        out,
    })
}

/// The mnemonic of an instruction line (with a rep prefix, without lock).
fn mnemonic(line: &str) -> String {
    let mut it = line.split_whitespace();
    let first = it.next().unwrap_or("");
    match first {
        "lock" => it.next().unwrap_or("").to_string(),
        "rep" | "repe" | "repne" => format!("{first} {}", it.next().unwrap_or("")),
        _ => first.to_string(),
    }
}

fn case_text(c: &Case) -> String {
    c.seq
        .lines
        .iter()
        .map(|(_, l)| format!("      {l}\n"))
        .collect()
}

/// Compares one backend's output with the CPU's; returns the number of
/// mismatching cases and appends a report.
fn compare(
    prog: &str,
    exe: &Path,
    cases: &[Case],
    want: &[u8],
    run: &Run,
    report: &mut String,
    suspects: &mut BTreeMap<String, u64>,
) -> u64 {
    let got = &run.out.stdout;
    let mut bad = 0;
    let complete = got.len() / RECORD;
    for (i, c) in cases.iter().enumerate().take(complete) {
        let (w, g) = (&want[i * RECORD..][..RECORD], &got[i * RECORD..][..RECORD]);
        if w == g {
            continue;
        }
        bad += 1;
        let mut seen = std::collections::BTreeSet::new();
        for (_, l) in &c.seq.lines {
            if seen.insert(mnemonic(l)) {
                *suspects.entry(mnemonic(l)).or_default() += 1;
            }
        }
        if bad <= 3 {
            report.push_str(&format!(
                "MISMATCH ({}) {prog} case {i}:\n{}    differs:\n{}    input:\n    {}\n",
                run.name,
                case_text(c),
                diff_records(w, g)
                    .iter()
                    .map(|d| format!("      {d}\n"))
                    .collect::<String>(),
                describe_input(&c.input)
            ));
        }
    }
    if got.len() != want.len() || !run.out.status.success() {
        bad += 1;
        let stderr = String::from_utf8_lossy(&run.out.stderr);
        let mut at = String::new();
        // A guest address in the message names the case it is in.
        let addrs = program::case_addresses(exe);
        for word in stderr.split(|c: char| !c.is_ascii_hexdigit() && c != 'x') {
            if let Some(h) = word.strip_prefix("0x") {
                if let Ok(a) = u64::from_str_radix(h, 16) {
                    if let Some(&(_, i)) = addrs.iter().rev().find(|(s, _)| *s <= a) {
                        if a < addrs.last().unwrap().0 + 4096 {
                            at = format!(
                                "  (address {a:#x} is in case {i}:\n{})",
                                case_text(&cases[i])
                            );
                            break;
                        }
                    }
                }
            }
        }
        let next = complete.min(cases.len().saturating_sub(1));
        report.push_str(&format!(
            "CRASH ({}) {prog}: {} after {complete} of {} cases (status {}); stderr:\n{}\n{at}\n  the cases from {next} on that did not report:\n{}\n",
            run.name,
            if stderr.contains("SIGILL") || stderr.to_lowercase().contains("illegal") || stderr.to_lowercase().contains("unimplemented") {
                "SIGILL / unimplemented instruction"
            } else {
                "stopped"
            },
            cases.len(),
            run.out.status,
            stderr.chars().take(3000).collect::<String>(),
            cases[next..(next + 64).min(cases.len())]
                .iter()
                .take(8)
                .map(case_text)
                .collect::<Vec<_>>()
                .join("    --\n")
        ));
    }
    bad
}

struct Totals {
    cases: u64,
    mismatches: u64,
    report: String,
    coverage: BTreeMap<&'static str, BTreeMap<String, u64>>,
    suspects: BTreeMap<String, u64>,
}

fn program_job(seed: u64, p: u64, n: usize, dir: &Path, totals: &Mutex<Totals>) {
    let name = format!("fuzz{p}");
    let t0 = Instant::now();
    let cases = generate(seed, p, n);
    let mut coverage: BTreeMap<&'static str, BTreeMap<String, u64>> = BTreeMap::new();
    for c in &cases {
        for (class, l) in &c.seq.lines {
            *coverage
                .entry(class)
                .or_default()
                .entry(mnemonic(l))
                .or_default() += 1;
        }
    }
    let exe = match program::build(dir, &name, &cases, group()) {
        Ok(e) => e,
        Err(e) => {
            let mut t = totals.lock().unwrap();
            t.mismatches += 1;
            t.report += &format!("{name}: {e}\n");
            return;
        }
    };
    let native = Command::new(&exe).output().expect("running the program");
    if !native.status.success() || native.stdout.len() != n * RECORD {
        // A generator bug: the CPU faulted.
        let mut t = totals.lock().unwrap();
        t.mismatches += 1;
        t.report += &format!(
            "{name} natively: {} after {} of {n} cases",
            native.status,
            native.stdout.len() / RECORD
        );
        return;
    }
    let mut report = String::new();
    let mut bad = 0;
    let mut suspects = BTreeMap::new();
    let mut times = Vec::new();
    for interp in [false, true] {
        let t = Instant::now();
        match run_module(&exe, dir, &name, interp) {
            Ok(run) => {
                bad += compare(
                    &name,
                    &exe,
                    &cases,
                    &native.stdout,
                    &run,
                    &mut report,
                    &mut suspects,
                );
            }
            Err(e) => {
                bad += 1;
                report += &format!("{name}: {e}\n");
            }
        }
        times.push(t.elapsed().as_secs_f64());
    }
    eprintln!(
        "{name}: {n} cases, {bad} mismatching, {:.1} s (translator {:.1} s, interpreter {:.1} s)",
        t0.elapsed().as_secs_f64(),
        times[0],
        times[1]
    );
    let mut t = totals.lock().unwrap();
    t.cases += n as u64;
    t.mismatches += bad;
    t.report += &report;
    for (class, m) in coverage {
        let e = t.coverage.entry(class).or_default();
        for (k, v) in m {
            *e.entry(k).or_default() += v;
        }
    }
    for (k, v) in suspects {
        *t.suspects.entry(k).or_default() += v;
    }
}

#[test]
fn x86_64_instruction_sequences_match_the_cpu() {
    let t0 = Instant::now();
    let seed = env_u64("C2W_FUZZ_SEED", 0x5eed);
    let total = env_u64("C2W_FUZZ_CASES", 100_000);
    let per = env_u64("C2W_FUZZ_PER_PROGRAM", 12_500).max(1);
    let programs = total.div_ceil(per);
    let keep = std::env::var_os("C2W_FUZZ_KEEP").map(PathBuf::from);
    let tmp = tempfile::tempdir().unwrap();
    let dir = keep.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&dir).unwrap();
    let totals = Mutex::new(Totals {
        cases: 0,
        mismatches: 0,
        report: String::new(),
        coverage: BTreeMap::new(),
        suspects: BTreeMap::new(),
    });
    let next = Mutex::new(0u64);
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(programs as usize);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let p = {
                    let mut n = next.lock().unwrap();
                    let p = *n;
                    *n += 1;
                    p
                };
                if p >= programs {
                    break;
                }
                let n = per.min(total - p * per) as usize;
                program_job(seed, p, n, &dir, &totals);
            });
        }
    });
    let t = totals.into_inner().unwrap();
    eprintln!("coverage (mnemonic: instances):");
    let mut all = 0;
    for (class, m) in &t.coverage {
        all += m.len();
        eprintln!(
            "  {class}: {} mnemonics: {}",
            m.len(),
            m.iter()
                .map(|(k, v)| format!("{k}({v})"))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    if !fuzz::known_bugs::BUGS.is_empty() {
        eprintln!("left out (known bugs):");
        for b in fuzz::known_bugs::BUGS {
            eprintln!("  {}{}: {}", b.starts, if b.contains.is_empty() { String::new() } else { format!(" ..{}..", b.contains) }, b.why);
        }
    }
    if !fuzz::known_bugs::all() {
        if !fuzz::known_bugs::FTZ_DAZ {
            eprintln!("  inputs without MXCSR.FTZ/DAZ (known bug: not implemented)");
        }
        eprintln!(
            "  x87 exception flags compared: {:#x} of 0x3f (known bug: DE/OE/UE/PE)",
            fuzz::known_bugs::X87_EXCEPTIONS
        );
    }
    if !t.suspects.is_empty() {
        let mut v: Vec<_> = t.suspects.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1));
        eprintln!(
            "mnemonics in mismatching cases: {}",
            v.iter()
                .take(30)
                .map(|(k, n)| format!("{k}({n})"))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    eprintln!(
        "x86_64 fuzz: seed {seed:#x}: {} sequences in {programs} programs, {} mismatches, {all} mnemonics, {:.1} s",
        t.cases,
        t.mismatches,
        t0.elapsed().as_secs_f64()
    );
    if t.mismatches > 0 {
        let r: String = t.report.chars().take(60_000).collect();
        panic!("{} mismatching cases:\n{r}", t.mismatches);
    }
}
