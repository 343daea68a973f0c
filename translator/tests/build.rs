//! `build` with the embedded runtime: what goes into the module, and
//! `inspect` on the BusyBox fixture.

mod common;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;

use c2w_aot::elf::{Arch, Linking};
use c2w_aot::link::OUTPUT_FEATURES;
use c2w_aot::runtime::RUNTIME_WASM;
use c2w_aot::{build, inspect, BuildOptions};
use c2w_syscalls::image::{FileKind, Manifest, MANIFEST_VERSION};
use common::*;
use tempfile::TempDir;
use wasmparser::{Parser, Payload, Validator};

/// What a linked module holds that the tests look at.
struct Contents {
    imports: Vec<(String, String)>,
    /// Data segments after the runtime's own.
    segments: Vec<Vec<u8>>,
}

fn data_segments(module: &[u8]) -> Vec<Vec<u8>> {
    let mut segments = Vec::new();
    for payload in Parser::new(0).parse_all(module) {
        if let Payload::DataSection(reader) = payload.unwrap() {
            segments.extend(reader.into_iter().map(|d| d.unwrap().data.to_vec()));
        }
    }
    segments
}

fn contents(module: &[u8]) -> Contents {
    Validator::new_with_features(OUTPUT_FEATURES)
        .validate_all(module)
        .unwrap();
    let mut imports = Vec::new();
    for payload in Parser::new(0).parse_all(module) {
        if let Payload::ImportSection(reader) = payload.unwrap() {
            for import in reader.into_imports() {
                let import = import.unwrap();
                imports.push((import.module.to_string(), import.name.to_string()));
            }
        }
    }
    let runtime_segments = data_segments(RUNTIME_WASM).len();
    Contents {
        imports,
        segments: data_segments(module).split_off(runtime_segments),
    }
}

fn options(input: &Path, output: &Path) -> BuildOptions {
    BuildOptions {
        input: input.into(),
        output: output.into(),
        ..BuildOptions::default()
    }
}

#[test]
fn single_elf_module() {
    let dir = TempDir::new().unwrap();
    let elf = tiny_elf(EM_RISCV, None);
    let input = dir.path().join("tiny");
    write_executable(&input, &elf);
    let out = dir.path().join("tiny.wasm");
    let opts = BuildOptions {
        env: vec!["A=1".into(), "B=x=y".into()],
        cmd: Some(vec!["first".into(), "second".into()]),
        interp_only: true,
        ..options(&input, &out)
    };
    let report = build(&opts).unwrap();
    let module = fs::read(&out).unwrap();
    assert_eq!(report.module_size, module.len());
    assert_eq!(
        (report.files, report.directories, report.symlinks),
        (1, 1, 0)
    );
    assert_eq!(report.arch, Arch::Riscv64);

    let contents = contents(&module);
    assert!(
        contents.imports.iter().all(|(module, _)| module != "c2w"),
        "{:?}",
        contents.imports
    );
    assert_eq!(contents.segments.len(), 2);
    let manifest: Manifest = serde_json::from_slice(&contents.segments[0]).unwrap();
    assert_eq!(manifest.version, MANIFEST_VERSION);
    assert_eq!(manifest.arch, "riscv64");
    assert_eq!(manifest.entrypoint, ["/tiny"]);
    assert_eq!(manifest.cmd, ["first", "second"]);
    assert_eq!(manifest.env, ["A=1", "B=x=y"]);
    assert_eq!(manifest.workdir, "/");
    assert!(manifest.interp_only);
    let paths: Vec<_> = manifest
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.kind))
        .collect();
    assert_eq!(paths, [("/", FileKind::Dir), ("/tiny", FileKind::File)]);
    let file = &manifest.files[1];
    assert_eq!(
        (file.segment, file.size, file.mode),
        (1, elf.len() as u64, 0o755)
    );
    assert_eq!(contents.segments[1], elf);

    // The same input gives the same bytes.
    let again = dir.path().join("again.wasm");
    build(&options(&input, &again)).unwrap();
    build(&opts).unwrap();
    assert_eq!(fs::read(&out).unwrap(), module);
    assert_ne!(
        fs::read(&again).unwrap(),
        module,
        "different options, different manifest"
    );
    let third = dir.path().join("third.wasm");
    build(&BuildOptions {
        output: third.clone(),
        ..opts.clone()
    })
    .unwrap();
    assert_eq!(fs::read(&third).unwrap(), module);
}

#[test]
fn single_elf_at_a_chosen_path() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("tiny");
    write_executable(&input, &tiny_elf(EM_RISCV, None));
    let out = dir.path().join("tiny.wasm");
    build(&BuildOptions {
        entrypoint: Some("/usr/bin/tiny".into()),
        ..options(&input, &out)
    })
    .unwrap();
    let segments = contents(&fs::read(&out).unwrap()).segments;
    let manifest: Manifest = serde_json::from_slice(&segments[0]).unwrap();
    let paths: Vec<_> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["/", "/usr", "/usr/bin", "/usr/bin/tiny"]);
    assert_eq!(manifest.entrypoint, ["/usr/bin/tiny"]);
}

#[test]
fn rootfs_folder() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = TempDir::new().unwrap();
    let root = dir.path().join("rootfs");
    let elf = tiny_elf(EM_RISCV, None);
    write_executable(&root.join("bin/prog"), &elf);
    fs::hard_link(root.join("bin/prog"), root.join("bin/prog-link")).unwrap();
    symlink("prog", root.join("bin/sh")).unwrap();
    symlink("/bin/sh", root.join("sh")).unwrap();
    fs::create_dir_all(root.join("etc")).unwrap();
    fs::write(root.join("etc/hostname"), b"box\n").unwrap();
    fs::set_permissions(root.join("etc/hostname"), fs::Permissions::from_mode(0o600)).unwrap();
    fs::write(root.join("etc-file"), b"").unwrap();
    fs::create_dir(root.join("empty")).unwrap();
    let fifo = Command::new("mkfifo")
        .arg(root.join("etc/fifo"))
        .status()
        .is_ok_and(|s| s.success());

    let out = dir.path().join("rootfs.wasm");
    let report = build(&BuildOptions {
        entrypoint: Some("/sh".into()),
        ..options(&root, &out)
    })
    .unwrap();
    assert_eq!(
        report.warnings.len(),
        usize::from(fifo),
        "{:?}",
        report.warnings
    );
    if fifo {
        assert!(
            report.warnings[0].contains("/etc/fifo in the image): it is a fifo"),
            "{:?}",
            report.warnings
        );
    }

    let segments = contents(&fs::read(&out).unwrap()).segments;
    let manifest: Manifest = serde_json::from_slice(&segments[0]).unwrap();
    assert_eq!(manifest.entrypoint, ["/sh"]);
    let paths: Vec<_> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    // Sorted by path: parents before children.
    assert_eq!(
        paths,
        [
            "/",
            "/bin",
            "/bin/prog",
            "/bin/prog-link",
            "/bin/sh",
            "/empty",
            "/etc",
            "/etc-file",
            "/etc/hostname",
            "/sh"
        ]
    );
    let by_path = |path: &str| manifest.files.iter().find(|f| f.path == path).unwrap();
    let prog = by_path("/bin/prog");
    assert_eq!(prog.kind, FileKind::File);
    // Hard links share their segment.
    assert_eq!(by_path("/bin/prog-link").segment, prog.segment);
    assert_eq!(segments[prog.segment as usize], elf);
    let sh = by_path("/bin/sh");
    assert_eq!(
        (sh.kind, sh.target.as_str(), sh.size),
        (FileKind::Symlink, "prog", 4)
    );
    assert_eq!(by_path("/sh").target, "/bin/sh");
    let hostname = by_path("/etc/hostname");
    assert_eq!(hostname.mode, 0o600);
    assert_eq!(segments[hostname.segment as usize], b"box\n");
    let meta = fs::metadata(root.join("etc/hostname")).unwrap();
    assert_eq!(
        (hostname.mtime, hostname.uid, hostname.gid),
        (meta.mtime(), meta.uid(), meta.gid())
    );
    assert_eq!(by_path("/empty").kind, FileKind::Dir);
    assert_eq!(segments[by_path("/etc-file").segment as usize], b"");
    // Segments are numbered in path order, one per distinct file.
    let numbered: Vec<u32> = manifest
        .files
        .iter()
        .filter(|f| f.kind == FileKind::File)
        .map(|f| f.segment)
        .collect();
    assert_eq!(numbered, [1, 1, 2, 3]);
    // The files, then the entry table of the translated code.
    let translation = manifest.translation.expect("translated");
    assert_eq!(translation.table_segment, 4);
    assert_eq!(segments.len(), 5);
}

#[test]
fn busybox_module() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("busybox.wasm");
    let opts = BuildOptions {
        cmd: Some(vec!["echo".into(), "hi".into()]),
        ..options(Path::new(BUSYBOX), &out)
    };
    let report = build(&opts).unwrap();
    let module = fs::read(&out).unwrap();
    let segments = contents(&module).segments;
    let manifest: Manifest = serde_json::from_slice(&segments[0]).unwrap();
    assert_eq!(manifest.entrypoint, ["/busybox"]);
    assert_eq!(manifest.cmd, ["echo", "hi"]);
    assert_eq!(segments[1], fs::read(BUSYBOX).unwrap());

    // Translated ahead of time: the entry table follows the files.
    let stats = report.translation.expect("translated by default");
    assert!(stats.translated > 3000, "{stats:?}");
    let translation = manifest
        .translation
        .expect("the manifest describes the translation");
    assert_eq!(translation.table_segment, 2);
    assert_eq!(segments[2].len(), translation.slots as usize * 16);
    assert!(translation.ranges.iter().all(|&(lo, hi)| lo < hi));

    // Byte-identical whatever the thread count.
    let one = dir.path().join("one.wasm");
    let one_report = build(&BuildOptions {
        threads: Some(1),
        ..options(Path::new(BUSYBOX), &one)
    })
    .unwrap();
    let two = dir.path().join("two.wasm");
    let two_report = build(&BuildOptions {
        threads: Some(2),
        ..options(Path::new(BUSYBOX), &two)
    })
    .unwrap();
    let (one_stats, two_stats) = (
        one_report.translation.unwrap(),
        two_report.translation.unwrap(),
    );
    assert_eq!((one_stats.threads, two_stats.threads), (1, 2));
    eprintln!(
        "BusyBox translated in {:.2?} on 1 thread, {:.2?} on 2",
        one_stats.elapsed, two_stats.elapsed
    );
    assert!(
        fs::read(&one).unwrap() == fs::read(&two).unwrap(),
        "1 and 2 threads differ"
    );

    // Without translation: no entry table, no translated functions.
    let interp = dir.path().join("interp.wasm");
    build(&BuildOptions {
        interp_only: true,
        ..options(Path::new(BUSYBOX), &interp)
    })
    .unwrap();
    let interp = fs::read(&interp).unwrap();
    let segments = contents(&interp).segments;
    let manifest: Manifest = serde_json::from_slice(&segments[0]).unwrap();
    assert!(manifest.translation.is_none() && manifest.interp_only);
    assert_eq!(segments.len(), 2);
    assert!(interp.len() < module.len());
}

#[test]
fn inspect_busybox() {
    let report = inspect(Path::new(BUSYBOX)).unwrap();
    assert_eq!(report.machine, "riscv64");
    assert_eq!(report.class, 64);
    assert!(report.little_endian);
    assert_eq!(report.linking, Linking::Static);
    assert_eq!(report.file_type, "EXEC");
    assert_eq!(report.runnable, Ok(Arch::Riscv64));
    let loads: Vec<_> = report
        .segments
        .iter()
        .filter(|s| s.kind == "LOAD")
        .collect();
    assert_eq!(loads.len(), 2);
    assert_eq!(loads[0].flags, "R-X");
    assert!(report.code_size > 0 && report.code_size <= loads[0].filesz);
    let text = report.to_string();
    assert!(
        text.contains("riscv64")
            && text.contains("static")
            && text.contains(&format!("{:#x}", report.entry))
    );

    // Code discovery: every .eh_frame function, nearly all code covered, and
    // the rest classified.
    let coverage = report
        .discovery
        .clone()
        .expect("riscv64 files are discovered")
        .expect("discovery succeeds");
    assert_eq!(coverage.functions.eh_frame, 1853);
    assert!(coverage.functions.total() > 3000, "{coverage}");
    assert_eq!(coverage.code_bytes, report.code_size);
    assert_eq!(
        coverage.code_bytes,
        coverage.covered + coverage.padding + coverage.data + coverage.unreached
    );
    assert!(coverage.covered_percent() > 99.0, "{coverage}");
    for line in [
        format!(
            "  functions: {} (symbols 0, .eh_frame 1853, ",
            coverage.functions.total()
        ),
        format!(
            "  covered:  {} of {} code bytes (",
            coverage.covered, coverage.code_bytes
        ),
        format!("  rest:     {} padding, ", coverage.padding),
    ] {
        assert!(text.contains(&line), "{line:?} not in:\n{text}");
    }

    // Cross-check with binutils when it is installed.
    let Ok(readelf) = Command::new("riscv64-linux-gnu-readelf")
        .arg("-h")
        .arg(BUSYBOX)
        .output()
    else {
        eprintln!("riscv64-linux-gnu-readelf not found: entry not cross-checked");
        return;
    };
    let readelf = String::from_utf8_lossy(&readelf.stdout);
    let entry = readelf
        .lines()
        .find_map(|line| line.trim().strip_prefix("Entry point address:"))
        .expect("readelf prints the entry point");
    assert_eq!(format!("{:#x}", report.entry), entry.trim());
    assert!(readelf.contains("RISC-V") && readelf.contains("EXEC"));
}

#[test]
fn inspect_dynamic_program() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("dyn");
    write_executable(&input, &tiny_elf(EM_RISCV, Some("/lib/ld.so.1")));
    let report = inspect(&input).unwrap();
    assert_eq!(
        report.linking,
        Linking::Dynamic {
            interpreter: "/lib/ld.so.1".into()
        }
    );
    assert!(report.runnable.is_err());
    assert_eq!(
        report.entry,
        TINY_BASE + 64 + 2 * 56 + "/lib/ld.so.1\0".len() as u64
    );
}
