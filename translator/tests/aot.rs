//! A translated module end to end on wasmtime's optimizing compiler (the
//! conformance suite runs modules on the baseline one), the `C2W_STATS`
//! counters, and the wasmtime CLI when one is installed.

use std::path::{Path, PathBuf};
use std::process::Command;

use c2w_aot::{build, run, BuildOptions, Compiler, RunOptions, RunOutput, Stdin};
use tempfile::TempDir;

const HELLO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/hello.c");

/// `examples/hello.c` compiled for riscv64, or `None` (with a notice)
/// without the cross compiler.
fn hello(dir: &Path) -> Option<PathBuf> {
    let out = dir.join("hello");
    let status = Command::new("riscv64-linux-gnu-gcc")
        .args(["-static", "-O2", "-o"])
        .arg(&out)
        .arg(HELLO)
        .status();
    match status {
        Ok(s) if s.success() => Some(out),
        _ => {
            eprintln!("skipped: riscv64-linux-gnu-gcc is not installed");
            None
        }
    }
}

fn run_with(module: &Path, compiler: Compiler, env: &[(&str, &str)]) -> RunOutput {
    run(&RunOptions {
        module: module.into(),
        args: vec!["wasm".into(), "world".into()],
        env: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        stdin: Stdin::Bytes(Vec::new()),
        capture: true,
        compiler,
        ..RunOptions::default()
    })
    .unwrap()
}

#[test]
fn translated_hello_on_both_compilers_with_stats() {
    let dir = TempDir::new().unwrap();
    let Some(elf) = hello(dir.path()) else { return };
    let module = dir.path().join("hello.wasm");
    let report = build(&BuildOptions {
        input: elf,
        output: module.clone(),
        ..BuildOptions::default()
    })
    .unwrap();
    let stats = report.translation.expect("translated");
    assert_eq!(stats.translated, stats.discovered);

    let expected = "hello, wasm\nhello, world\n";
    for compiler in [Compiler::Cranelift, Compiler::Winch] {
        let output = run_with(&module, compiler, &[]);
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            expected,
            "{compiler:?}"
        );
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{compiler:?}");
        assert_eq!(output.status, 2, "{compiler:?}");
    }

    // The counters: nearly everything ran translated.
    let output = run_with(&module, Compiler::Winch, &[("C2W_STATS", "1")]);
    assert_eq!(String::from_utf8_lossy(&output.stdout), expected);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let share: f64 = stderr
        .split("translated ")
        .nth(1)
        .and_then(|rest| rest.split(['(', '%']).nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no translated share in {stderr}"));
    assert!(share > 90.0, "{stderr}");
    for counter in [
        "dispatcher entries into translated code",
        "indirect-branch lookups",
    ] {
        assert!(stderr.contains(counter), "{stderr}");
    }
}

/// The same module under the wasmtime CLI, when `wasmtime` is on the PATH
/// (CI installs it). The CLI refuses exit statuses of 126 and above, so
/// the program exits with 2 here.
#[test]
fn translated_hello_under_the_wasmtime_cli() {
    if Command::new("wasmtime").arg("--version").output().is_err() {
        eprintln!("skipped: no wasmtime CLI on the PATH");
        return;
    }
    let dir = TempDir::new().unwrap();
    let Some(elf) = hello(dir.path()) else { return };
    let module = dir.path().join("hello.wasm");
    build(&BuildOptions {
        input: elf,
        output: module.clone(),
        ..BuildOptions::default()
    })
    .unwrap();
    for compiler in ["cranelift", "winch"] {
        let output = Command::new("wasmtime")
            .args(["run", "-C"])
            .arg(format!("compiler={compiler}"))
            .arg(&module)
            .args(["wasm", "world"])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "hello, wasm\nhello, world\n"
        );
        assert_eq!(output.status.code(), Some(2), "{compiler}: {output:?}");
    }
}
