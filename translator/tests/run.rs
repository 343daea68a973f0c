//! Modules built from the BusyBox fixture, run in-process: arguments,
//! environment, standard input and exit statuses reach the program.

mod common;

use std::path::Path;

use c2w_aot::{build, run, BuildOptions, Compiler, RunOptions, RunOutput, Stdin};
use common::BUSYBOX;
use tempfile::TempDir;

/// A BusyBox module with default arguments `echo default` and environment
/// `A=1 B=2`.
fn busybox_module(dir: &Path) -> std::path::PathBuf {
    let module = dir.join("busybox.wasm");
    build(&BuildOptions {
        input: BUSYBOX.into(),
        output: module.clone(),
        env: vec!["A=1".into(), "B=2".into()],
        cmd: Some(vec!["echo".into(), "default".into()]),
        ..BuildOptions::default()
    })
    .unwrap();
    module
}

fn run_captured(module: &Path, args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> RunOutput {
    run(&RunOptions {
        module: module.into(),
        args: args.iter().map(|a| a.to_string()).collect(),
        env: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        stdin: Stdin::Bytes(stdin.to_vec()),
        capture: true,
        // BusyBox translated is large: the baseline compiler is quick.
        compiler: Compiler::Winch,
        ..RunOptions::default()
    })
    .unwrap()
}

fn stdout(output: &RunOutput) -> String {
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn busybox_arguments_environment_stdin_and_status() {
    let dir = TempDir::new().unwrap();
    let module = busybox_module(dir.path());

    // Default arguments, then arguments given at run time replace them.
    let output = run_captured(&module, &[], &[], b"");
    assert_eq!((stdout(&output).as_str(), output.status), ("default\n", 0));
    let output = run_captured(&module, &["echo", "given"], &[], b"");
    assert_eq!(stdout(&output), "given\n");

    // The image's environment, overridden and extended at run time.
    let output = run_captured(&module, &["env"], &[("B", "3"), ("C", "4")], b"");
    let mut env: Vec<String> = stdout(&output).lines().map(String::from).collect();
    env.sort();
    assert_eq!(env, ["A=1", "B=3", "C=4"]);

    let output = run_captured(&module, &["wc", "-c"], &[], b"four");
    assert_eq!(stdout(&output).trim(), "4");

    // Every Linux exit status passes through, 126 and above included.
    for status in [3, 126, 200, 255] {
        let output = run_captured(&module, &["sh", "-c", &format!("exit {status}")], &[], b"");
        assert_eq!(output.status, status);
    }
}

#[test]
fn busybox_reads_a_mapped_directory() {
    let dir = TempDir::new().unwrap();
    let module = busybox_module(dir.path());
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("file"), b"mapped\n").unwrap();
    let output = run(&RunOptions {
        module,
        dirs: vec![(data, "/mnt".into())],
        args: vec!["cat".into(), "/mnt/file".into()],
        stdin: Stdin::Bytes(Vec::new()),
        capture: true,
        compiler: Compiler::Winch,
        ..RunOptions::default()
    })
    .unwrap();
    assert_eq!((stdout(&output).as_str(), output.status), ("mapped\n", 0));
}
