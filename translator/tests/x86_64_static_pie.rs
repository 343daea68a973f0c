//! Static-pie programs (ET_DYN without an interpreter): the runtime loads
//! them at a bias, and discovery reports run-time addresses, so translated
//! code is found by address and nearly everything runs translated. An
//! x86_64 program built by gcc with glibc, and a freestanding riscv64 one
//! (Debian's riscv64 glibc has no static-pie support: no `rcrt1.o`), which
//! applies its own relocations; both compared with the real thing.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;
use tempfile::TempDir;

/// Sorting, a jump table (`switch`), strings and floating point, on glibc.
const X86_64_PROGRAM: &str = r#"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

static const char *kind(int x) {
    switch (x % 9) {
    case 0: return "zero"; case 1: return "one"; case 2: return "two";
    case 3: return "three"; case 4: return "four"; case 5: return "five";
    case 6: return "six"; case 7: return "seven"; default: return "eight";
    }
}

int main(int argc, char **argv) {
    int n = 20000;
    int *v = malloc(n * sizeof *v);
    unsigned s = 12345;
    for (int i = 0; i < n; i++) { s = s * 1103515245u + 12345u; v[i] = (s >> 8) % 100000; }
    qsort(v, n, sizeof *v, cmp);
    unsigned long h = 0;
    for (int r = 0; r < 50; r++)
        for (int i = 0; i < n; i++) h = h * 31 + v[i] + strlen(kind(v[i] + r));
    double d = 0;
    for (int i = 1; i < 100000; i++) d += 1.0 / i;
    printf("min %d max %d hash %lu harmonic %.6f %s argc %d\n", v[0], v[n - 1], h, d, kind(argc), argc);
    free(v);
    return 3;
}
"#;

/// Applies its own `R_RISCV_RELATIVE` relocations, then runs a constructor
/// from `.init_array`, a jump table and function pointers in relocated data.
const RISCV64_PROGRAM: &str = r#"
/* A freestanding riscv64 static-pie program: it applies its own relative
   relocations (Debian's riscv64 glibc has no static-pie support), then
   uses a jump table, function pointers in relocated data and a
   constructor. */
typedef unsigned long u64;
typedef struct { long tag; u64 val; } Dyn;
typedef struct { u64 offset, info; long addend; } Rela;
extern Dyn _DYNAMIC[] __attribute__((visibility("hidden")));
extern const char __ehdr_start[] __attribute__((visibility("hidden")));

static long sys(long n, long a, long b, long c) {
    register long a0 asm("a0") = a, a1 asm("a1") = b, a2 asm("a2") = c, a7 asm("a7") = n;
    asm volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    return a0;
}

static char out[4096];
static int len;
static void put(const char *s) { while (*s) out[len++] = *s++; }
static void num(u64 v) {
    char b[24]; int n = 0;
    do { b[n++] = '0' + v % 10; v /= 10; } while (v);
    while (n) out[len++] = b[--n];
}

static int ctor_ran;
__attribute__((constructor)) static void ctor(void) { ctor_ran = 7; }

__attribute__((noinline)) static u64 step(u64 x, int k) {
    switch (k & 7) {
    case 0: return x * 3 + 1;
    case 1: return x ^ (x >> 7);
    case 2: return x + 0x9e3779b9;
    case 3: return x * 0x5bd1e995;
    case 4: return (x << 3) | (x >> 61);
    case 5: return x - 12345;
    case 6: return ~x;
    default: return x / 3 + 5;
    }
}
static u64 add(u64 a, u64 b) { return a + b; }
static u64 mul(u64 a, u64 b) { return a * b + 1; }
static u64 (*const ops[])(u64, u64) = { add, mul };
static const char *const names[] = { "add", "mul" };

typedef void (*fn)(void);
extern fn __init_array_start[] __attribute__((visibility("hidden")));
extern fn __init_array_end[] __attribute__((visibility("hidden")));

__attribute__((used)) void start_c(u64 *sp) {
    u64 bias = (u64)__ehdr_start;
    const Rela *rela = 0; u64 size = 0;
    for (Dyn *d = _DYNAMIC; d->tag; d++) {
        if (d->tag == 7) rela = (const Rela *)(d->val + bias);
        if (d->tag == 8) size = d->val;
    }
    for (u64 i = 0; i < size / sizeof(Rela); i++)
        if ((rela[i].info & 0xffffffff) == 3)
            *(u64 *)(rela[i].offset + bias) = bias + rela[i].addend;
    for (fn *f = __init_array_start; f < __init_array_end; f++) (*f)();
    u64 x = 1, acc = 0;
    for (int i = 0; i < 3000000; i++) {
        x = step(x, i);
        acc = ops[i & 1](acc, x);
    }
    put("argc "); num(*sp); put(" ctor "); num(ctor_ran);
    put(" acc "); num(acc); put(" "); put(names[acc & 1]); put("\n");
    sys(64, 1, (long)out, len);
    sys(93, 5, 0, 0);
}
asm(".globl _start\n_start:\n  mv a0, sp\n  call start_c\n");
"#;

/// Compiles `source` with `compiler` and `flags` to `dir/name`; None (with a
/// notice) when the compiler is missing or cannot link.
fn compile(
    dir: &Path,
    compiler: &str,
    flags: &[&str],
    name: &str,
    source: &str,
) -> Option<PathBuf> {
    let c = dir.join(format!("{name}.c"));
    fs::write(&c, source).unwrap();
    let out = dir.join(name);
    let status = Command::new(compiler)
        .args(flags)
        .arg("-o")
        .arg(&out)
        .arg(&c)
        .status();
    fs::remove_file(&c).unwrap();
    match status {
        Ok(s) if s.success() => Some(out),
        _ => {
            eprintln!(
                "skipped: {compiler} {} cannot build the program",
                flags.join(" ")
            );
            None
        }
    }
}

/// Builds `program` (translated) into `dir`, runs it with `C2W_STATS=1` and
/// checks its output and status against `expected`, and that more than 90 %
/// of the instructions ran translated.
fn build_and_compare(dir: &Path, program: &Path, args: &[&str], expected: &Output) {
    let module = dir.join("prog.wasm");
    let build = c2w_aot(&["build", s(program), "-o", s(&module)]);
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let mut run_args = vec!["run", s(&module), "--"];
    run_args.extend_from_slice(args);
    let run = Command::new(env!("CARGO_BIN_EXE_c2w-aot"))
        .args(&run_args)
        .env("C2W_STATS", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&expected.stdout),
        "{stderr}"
    );
    assert_eq!(run.status.code(), expected.status.code(), "{stderr}");
    let share: f64 = stderr
        .split("translated ")
        .nth(1)
        .and_then(|rest| rest.split(['(', '%']).nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no translated share in {stderr}"));
    assert!(share > 90.0, "{stderr}");

    // inspect says where the program runs.
    let inspect = c2w_aot(&["inspect", s(program)]);
    let text = String::from_utf8_lossy(&inspect.stdout);
    assert!(
        text.contains("linking:  static-pie") && text.contains("loaded:   at bias 0x400000"),
        "{text}"
    );
}

#[test]
fn x86_64_static_pie_runs_translated() {
    if std::env::consts::ARCH != "x86_64" {
        eprintln!("skipped: the host is not x86_64");
        return;
    }
    let dir = TempDir::new().unwrap();
    let flags = ["-static-pie", "-O2"];
    let Some(program) = compile(dir.path(), "gcc", &flags, "pie", X86_64_PROGRAM) else {
        return;
    };
    let native = Command::new(&program).args(["a", "b"]).output().unwrap();
    assert_eq!(native.status.code(), Some(3));
    build_and_compare(dir.path(), &program, &["a", "b"], &native);
}

#[test]
fn riscv64_static_pie_runs_translated() {
    let dir = TempDir::new().unwrap();
    let flags = [
        "-O2",
        "-fPIE",
        "-static-pie",
        "-Wl,--no-dynamic-linker",
        "-nostdlib",
        "-nostartfiles",
        "-ffreestanding",
        "-fno-tree-loop-distribute-patterns",
    ];
    let Some(program) = compile(
        dir.path(),
        "riscv64-linux-gnu-gcc",
        &flags,
        "pie",
        RISCV64_PROGRAM,
    ) else {
        return;
    };
    let Ok(qemu) = Command::new("qemu-riscv64")
        .arg(&program)
        .args(["a", "b"])
        .output()
    else {
        eprintln!("skipped: qemu-riscv64 is not installed");
        return;
    };
    assert_eq!(qemu.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&qemu.stdout).contains("ctor 7"));
    build_and_compare(dir.path(), &program, &["a", "b"], &qemu);
}
