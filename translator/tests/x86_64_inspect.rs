//! `c2w-aot inspect` on Debian's x86_64 BusyBox (`/bin/busybox` from
//! busybox-static): discovery's figures and the unimplemented instructions
//! it meets. Skipped with a notice when that BusyBox is not installed.

mod common;

use std::path::Path;

use c2w_aot::elf::{Arch, Linking};
use c2w_aot::inspect;
use common::*;

const HOST_BUSYBOX: &str = "/bin/busybox";

/// The host's BusyBox if it is a static x86_64 one.
fn host_busybox() -> Option<&'static Path> {
    let path = Path::new(HOST_BUSYBOX);
    let static_x86_64 = inspect(path).is_ok_and(|r| {
        r.machine == "x86_64" && matches!(r.linking, Linking::Static | Linking::StaticPie)
    });
    if !static_x86_64 {
        eprintln!(
            "skipped: {HOST_BUSYBOX} is not a static x86_64 BusyBox (install busybox-static)"
        );
        return None;
    }
    Some(path)
}

#[test]
fn inspect_x86_64_busybox() {
    let Some(path) = host_busybox() else { return };
    let report = inspect(path).unwrap();
    assert_eq!(report.runnable, Ok(Arch::X86_64));
    let coverage = report
        .discovery
        .clone()
        .expect("x86_64 files are discovered")
        .expect("discovery succeeds");
    assert_eq!(
        coverage.code_bytes,
        coverage.covered + coverage.padding + coverage.data + coverage.unreached
    );
    assert!(coverage.functions.total() > 1000, "{coverage}");
    // 55 % today: BusyBox has FDEs for only part of its functions, and
    // code reached only through function pointers outside every FDE's
    // extent is not swept (the riscv64 fixture has FDEs everywhere: 99.98 %).
    assert!(coverage.covered_percent() > 50.0, "{coverage}");
    // glibc's ifunc variants for AVX2/EVEX are reached (through their
    // symbols or FDEs) and listed, each with an example.
    let total: usize = coverage.unimplemented.iter().map(|u| u.count).sum();
    assert!(total > 0, "{coverage}");
    for u in &coverage.unimplemented {
        assert!(u.count > 0, "{u:?}");
        assert!(!u.example_text.is_empty());
    }
    assert!(
        coverage
            .unimplemented
            .iter()
            .any(|u| u.mnemonic.starts_with('v')),
        "no AVX instruction listed: {coverage}"
    );

    let output = c2w_aot(&["inspect", HOST_BUSYBOX]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    for start in [
        "  functions: ",
        "  covered:  ",
        "  rest:     ",
        "  unimplemented: ",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(start)),
            "no {start:?} in:\n{text}"
        );
    }
    let first = &coverage.unimplemented[0];
    assert!(
        text.contains(&format!(
            "e.g. at {:#x}: {}",
            first.example, first.example_text
        )),
        "{text}"
    );
    eprintln!("{text}");
}
