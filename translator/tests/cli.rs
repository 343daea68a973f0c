//! The `c2w-aot` binary on bad input: a clear message, a non-zero exit, no
//! panic, and no output (or temporary) file left behind.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;
use tempfile::TempDir;

/// Runs `c2w-aot build INPUT -o OUT [extra...]` expecting a failure whose
/// message contains `expected`; checks that `dir` then holds exactly the
/// files it held before.
fn build_fails(dir: &Path, input: &Path, out: &Path, extra: &[&str], expected: &str) -> String {
    let before = listing(dir);
    let mut args = vec!["build", s(input), "-o", s(out)];
    args.extend_from_slice(extra);
    let output = c2w_aot(&args);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert!(stderr.starts_with("c2w-aot: error: "), "stderr: {stderr}");
    assert!(
        stderr.contains(expected),
        "expected {expected:?} in: {stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "stderr: {stderr}"
    );
    assert!(
        output.stdout.is_empty(),
        "stdout: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert_eq!(listing(dir), before, "the build left files behind");
    stderr
}

/// Writes `bytes` as the executable `name` in a new folder and expects
/// `c2w-aot build` of it to fail with `expected` (see [`build_fails`]).
/// Returns the input path and stderr.
fn single_file_fails(name: &str, bytes: &[u8], expected: &str) -> (TempDir, String, String) {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join(name);
    write_executable(&input, bytes);
    let stderr = build_fails(
        dir.path(),
        &input,
        &dir.path().join("out.wasm"),
        &[],
        expected,
    );
    let input = s(&input).to_string();
    (dir, input, stderr)
}

#[test]
fn not_an_elf_file() {
    let (_dir, input, stderr) =
        single_file_fails("script", b"#!/bin/sh\necho hi\n", "not an ELF file");
    assert!(
        stderr.contains(&format!(
            "{input}: not an ELF file (starts with \"#!/bin/sh\\n\")"
        )),
        "{stderr}"
    );
}

#[test]
fn empty_file() {
    single_file_fails("empty", b"", "the file is empty");
}

#[test]
fn dynamically_linked_x86_64_program() {
    single_file_fails(
        "x86",
        &tiny_elf(EM_X86_64, Some("/lib64/ld-linux-x86-64.so.2")),
        "dynamically linked programs are not supported yet (needs /lib64/ld-linux-x86-64.so.2)",
    );
    // The host's own dynamically linked programs, when there are any.
    let host_true = Path::new("/bin/true");
    let is_x86_64_elf = fs::read(host_true)
        .is_ok_and(|b| b.starts_with(b"\x7fELF") && b.get(18..20) == Some(&[62, 0]));
    if !is_x86_64_elf {
        eprintln!("skipped the /bin/true case: not an x86_64 ELF here");
        return;
    }
    let dir = TempDir::new().unwrap();
    let stderr = build_fails(
        dir.path(),
        host_true,
        &dir.path().join("out.wasm"),
        &[],
        "dynamically linked programs are not supported yet (needs /lib64/ld-linux-x86-64.so.2)",
    );
    assert!(stderr.contains("/bin/true: "), "{stderr}");
}

#[test]
fn other_machines_are_named() {
    single_file_fails(
        "arm",
        &tiny_elf(EM_AARCH64, None),
        "aarch64 programs are not supported (riscv64 and x86_64 only)",
    );
    // A 32-bit x86 program: ELFCLASS32, e_machine EM_386.
    let mut i386 = tiny_elf(3, None);
    i386[4] = 1;
    single_file_fails(
        "i386",
        &i386,
        "i386 programs are not supported (riscv64 and x86_64 only)",
    );
}

/// A static x86_64 program compiled by the host's gcc from C `source`, as
/// `dir/name`; None (with a notice) without an x86_64 gcc.
fn x86_64_program(dir: &Path, name: &str, source: &str) -> Option<PathBuf> {
    if std::env::consts::ARCH != "x86_64" {
        eprintln!("skipped: the host is not x86_64");
        return None;
    }
    let c = dir.join(format!("{name}.c"));
    fs::write(&c, source).unwrap();
    let out = dir.join(name);
    let status = std::process::Command::new("gcc")
        .args(["-static", "-O2", "-o"])
        .arg(&out)
        .arg(&c)
        .status();
    match status {
        Ok(s) if s.success() => {
            fs::remove_file(&c).unwrap();
            Some(out)
        }
        _ => {
            eprintln!("skipped: gcc cannot build static x86_64 programs here");
            None
        }
    }
}

/// `vaddps %ymm1,%ymm2,%ymm3` in the middle of `main`: an AVX instruction,
/// which the x86_64 semantics do not implement (CPUID does not advertise
/// AVX), at the global label `avx_here`.
const AVX_PROGRAM: &str = r#"
#include <stdio.h>
int main(void) {
    puts("before");
    fflush(stdout);
    __asm__ volatile(".globl avx_here\navx_here:\n.byte 0xc5, 0xec, 0x58, 0xd9");
    puts("after");
    return 0;
}
"#;

#[test]
fn truncated_x86_64_program() {
    let dir = TempDir::new().unwrap();
    let Some(prog) = x86_64_program(dir.path(), "prog", AVX_PROGRAM) else {
        return;
    };
    let bytes = fs::read(&prog).unwrap();
    fs::remove_file(&prog).unwrap();
    for (len, expected) in [
        (100_000, "truncated: segment "),
        (100, "truncated: the program header table is cut off"),
        (
            30,
            "truncated: the ELF header is cut off (it ends at byte 64,",
        ),
    ] {
        let (_dir, _input, stderr) = single_file_fails("prog", &bytes[..len], expected);
        assert!(
            stderr.contains(&format!("the file has only {len} bytes")),
            "{stderr}"
        );
    }
}

#[test]
fn unimplemented_x86_64_instruction_ends_with_sigill() {
    let dir = TempDir::new().unwrap();
    let Some(prog) = x86_64_program(dir.path(), "avx", AVX_PROGRAM) else {
        return;
    };
    // Where the instruction is: `nm` of the label, else inspect's example.
    let inspect = c2w_aot(&["inspect", s(&prog)]);
    let text = String::from_utf8_lossy(&inspect.stdout).into_owned();
    assert!(inspect.status.success(), "{text}");
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("vaddps "))
        .unwrap_or_else(|| panic!("vaddps is not listed as unimplemented:\n{text}"));
    let address = line
        .split("e.g. at ")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .expect("an example address")
        .to_string();
    if let Ok(nm) = std::process::Command::new("nm").arg(&prog).output() {
        let nm = String::from_utf8_lossy(&nm.stdout);
        if let Some(label) = nm.lines().find(|l| l.ends_with(" avx_here")) {
            let value = u64::from_str_radix(label.split(' ').next().unwrap(), 16).unwrap();
            assert_eq!(address, format!("{value:#x}"), "{line}");
        }
    }

    for extra in [&[][..], &["--interp-only"][..]] {
        let module = dir.path().join("avx.wasm");
        let mut args = vec!["build", s(&prog), "-o", s(&module)];
        args.extend_from_slice(extra);
        let build = c2w_aot(&args);
        assert!(
            build.status.success(),
            "{}",
            String::from_utf8_lossy(&build.stderr)
        );
        let run = c2w_aot(&["run", s(&module)]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(132), "{extra:?}: {stderr}");
        assert_eq!(
            String::from_utf8_lossy(&run.stdout),
            "before\n",
            "{extra:?}"
        );
        assert!(
            stderr.contains(&format!(
                "illegal instruction at {address}: vaddps %ymm1,%ymm2,%ymm3"
            )),
            "{extra:?}: {stderr}"
        );
    }
}

#[test]
fn dynamically_linked_riscv64_program() {
    single_file_fails(
        "dyn",
        &tiny_elf(EM_RISCV, Some("/lib/ld-linux-riscv64-lp64d.so.1")),
        "dynamically linked programs are not supported yet (needs /lib/ld-linux-riscv64-lp64d.so.1)",
    );
}

#[test]
fn truncated_busybox() {
    let busybox = fs::read(BUSYBOX).expect("the BusyBox fixture");
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("busybox");
    // Cut inside the code segment, inside the program headers, and inside the
    // ELF header.
    for (len, expected) in [
        (
            100_000,
            "truncated: segment 1 (LOAD at 0x10000) is cut off (it ends at byte 1573952,",
        ),
        (
            200,
            "truncated: the program header table is cut off (it ends at byte 512,",
        ),
        (
            40,
            "truncated: the ELF header is cut off (it ends at byte 64,",
        ),
    ] {
        write_executable(&input, &busybox[..len]);
        let stderr = build_fails(
            dir.path(),
            &input,
            &dir.path().join("out.wasm"),
            &[],
            expected,
        );
        assert!(
            stderr.contains(&format!("the file has only {len} bytes")),
            "{stderr}"
        );
    }
}

#[test]
fn folder_without_the_entrypoint() {
    let dir = TempDir::new().unwrap();
    let rootfs = dir.path().join("rootfs");
    write_executable(&rootfs.join("bin/prog"), &tiny_elf(EM_RISCV, None));
    let out = dir.path().join("out.wasm");
    build_fails(
        dir.path(),
        &rootfs,
        &out,
        &["--entrypoint", "/bin/missing"],
        "/bin/missing not found in the image",
    );
    build_fails(
        dir.path(),
        &rootfs,
        &out,
        &["--entrypoint", "/usr/bin/prog"],
        "(/usr does not exist)",
    );
    build_fails(dir.path(), &rootfs, &out, &[], "--entrypoint is required");
    build_fails(
        dir.path(),
        &rootfs,
        &out,
        &["--entrypoint", "bin/prog"],
        "not an absolute path inside the image",
    );
}

#[test]
fn entrypoint_directory_or_symlink_loop() {
    let dir = TempDir::new().unwrap();
    let rootfs = dir.path().join("rootfs");
    write_executable(&rootfs.join("bin/prog"), &tiny_elf(EM_RISCV, None));
    std::os::unix::fs::symlink("b", rootfs.join("bin/a")).unwrap();
    std::os::unix::fs::symlink("a", rootfs.join("bin/b")).unwrap();
    // Symlinks resolve inside the image, never to the host's files.
    std::os::unix::fs::symlink("/bin/true", rootfs.join("bin/host")).unwrap();
    std::os::unix::fs::symlink("../../../../../../bin/true", rootfs.join("bin/up")).unwrap();
    let out = dir.path().join("out.wasm");
    build_fails(
        dir.path(),
        &rootfs,
        &out,
        &["--entrypoint", "/bin"],
        "/bin is a directory, not a program",
    );
    build_fails(
        dir.path(),
        &rootfs,
        &out,
        &["--entrypoint", "/bin/a"],
        "too many levels of symbolic links",
    );
    build_fails(
        dir.path(),
        &rootfs,
        &out,
        &["--entrypoint", "/bin/host"],
        "/bin/host not found in the image (/bin/true does not exist)",
    );
    build_fails(
        dir.path(),
        &rootfs,
        &out,
        &["--entrypoint", "/bin/up"],
        "/bin/up not found in the image (/bin/true does not exist)",
    );
}

#[test]
fn entrypoint_not_executable() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new().unwrap();
    let rootfs = dir.path().join("rootfs");
    let prog = rootfs.join("prog");
    write_executable(&prog, &tiny_elf(EM_RISCV, None));
    fs::set_permissions(&prog, fs::Permissions::from_mode(0o644)).unwrap();
    build_fails(
        dir.path(),
        &rootfs,
        &dir.path().join("out.wasm"),
        &["--entrypoint", "/prog"],
        "not executable (mode 0644)",
    );
}

#[test]
fn missing_input() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("nothing");
    build_fails(
        dir.path(),
        &input,
        &dir.path().join("out.wasm"),
        &[],
        "cannot read",
    );
}

#[test]
fn bad_env_entry() {
    let dir = TempDir::new().unwrap();
    let input = tiny_program(dir.path());
    build_fails(
        dir.path(),
        &input,
        &dir.path().join("out.wasm"),
        &["--env", "NOVALUE"],
        "expected KEY=VALUE",
    );
}

#[test]
fn unwritable_output() {
    let dir = TempDir::new().unwrap();
    let input = tiny_program(dir.path());
    build_fails(
        dir.path(),
        &input,
        &dir.path().join("missing/out.wasm"),
        &[],
        "cannot create the output",
    );
    // A regular file where a folder should be.
    build_fails(
        dir.path(),
        &input,
        &input.join("out.wasm"),
        &[],
        "cannot create the output",
    );
    // The output is a folder.
    let folder = dir.path().join("folder");
    fs::create_dir(&folder).unwrap();
    build_fails(dir.path(), &input, &folder, &[], "is a directory");
    assert!(listing(&folder).is_empty());
}

#[test]
fn read_only_output_folder() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new().unwrap();
    let input = tiny_program(dir.path());
    let read_only = dir.path().join("ro");
    fs::create_dir(&read_only).unwrap();
    fs::set_permissions(&read_only, fs::Permissions::from_mode(0o555)).unwrap();
    if fs::write(read_only.join("probe"), b"").is_ok() {
        // Privileged users write anyway: nothing to test here.
        fs::remove_file(read_only.join("probe")).unwrap();
        return;
    }
    build_fails(
        dir.path(),
        &input,
        &read_only.join("out.wasm"),
        &[],
        "cannot create the output",
    );
    assert!(listing(&read_only).is_empty());
}

#[test]
fn failed_build_keeps_the_existing_output() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("script");
    write_executable(&input, b"not a program");
    let out = dir.path().join("out.wasm");
    fs::write(&out, b"previous module").unwrap();
    build_fails(dir.path(), &input, &out, &[], "not an ELF file");
    assert_eq!(fs::read(&out).unwrap(), b"previous module");
}

#[test]
fn inspect_bad_input() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("text");
    fs::write(&input, b"hello").unwrap();
    let output = c2w_aot(&["inspect", s(&input)]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr.starts_with("c2w-aot: error: ") && stderr.contains("not an ELF file"),
        "{stderr}"
    );
}

#[test]
fn inspect_prints_discovered_functions() {
    if !Path::new(BUSYBOX).exists() {
        eprintln!("skipped: the BusyBox fixture is missing");
        return;
    }
    let output = c2w_aot(&["inspect", BUSYBOX]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for start in [
        "  functions: ",
        "  blocks:   ",
        "  covered:  ",
        "  rest:     ",
    ] {
        assert!(
            stdout.lines().any(|line| line.starts_with(start)),
            "no {start:?} line in:\n{stdout}"
        );
    }
    assert!(
        stdout.contains(".eh_frame 1853") && stdout.contains("data in text"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  unimplemented: 0 instructions of 0 kinds in reached code"),
        "{stdout}"
    );
    // Neither riscv64 nor x86_64: no discovery lines.
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("arm");
    write_executable(&input, &tiny_elf(EM_AARCH64, None));
    let output = c2w_aot(&["inspect", s(&input)]);
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("functions:"), "{stdout}");
    assert!(
        stdout.contains("not supported: aarch64 programs are not supported"),
        "{stdout}"
    );
}

#[test]
fn run_missing_module() {
    let dir = TempDir::new().unwrap();
    let output = c2w_aot(&["run", s(&dir.path().join("none.wasm"))]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr.starts_with("c2w-aot: error: cannot load the module"),
        "{stderr}"
    );
}

#[test]
fn build_then_run_cli() {
    let dir = TempDir::new().unwrap();
    let input = tiny_program(dir.path());
    let out = dir.path().join("prog.wasm");
    let output = c2w_aot(&["build", s(&input), "-o", s(&out), "--env", "A=1", "--", "x"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(&format!("wrote {}", s(&out))), "{stdout}");
    assert_eq!(listing(dir.path()), ["prog", "prog.wasm"]);
    // The program calls exit(42).
    let output = c2w_aot(&["run", s(&out)]);
    assert_eq!(
        output.status.code(),
        Some(42),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn run_with_a_missing_directory() {
    let dir = TempDir::new().unwrap();
    let module = tiny_module(dir.path());
    let missing = dir.path().join("missing");
    let output = c2w_aot(&[
        "run",
        s(&module),
        "--dir",
        &format!("{}::/data", s(&missing)),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr.contains(&format!(
            "cannot open the directory {} (for /data)",
            s(&missing)
        )),
        "{stderr}"
    );
}

#[test]
fn strace_from_our_environment_reaches_the_runtime() {
    let dir = TempDir::new().unwrap();
    let out = tiny_module(dir.path());
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_c2w-aot"))
        .args(["run", s(&out)])
        .env("C2W_STRACE", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(42));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("exit"), "no syscall log in: {stderr}");
    assert!(
        stderr.contains("42"),
        "the log shows the exit status: {stderr}"
    );
}

/// The tiny riscv64 program (`exit(42)`) as `dir/prog`.
fn tiny_program(dir: &Path) -> PathBuf {
    let input = dir.join("prog");
    write_executable(&input, &tiny_elf(EM_RISCV, None));
    input
}

/// [`tiny_program`] built into `dir/prog.wasm`.
fn tiny_module(dir: &Path) -> PathBuf {
    let input = tiny_program(dir);
    let module = dir.join("prog.wasm");
    let output = c2w_aot(&["build", s(&input), "-o", s(&module)]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    module
}
