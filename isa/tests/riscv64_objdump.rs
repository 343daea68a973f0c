//! Cross-check of the riscv64 decoder against GNU objdump: every
//! instruction of an assembled test file and of a real BusyBox binary must
//! decode to the same length, mnemonic and operands that
//! `objdump -d -M no-aliases,numeric` prints; random encodings may differ
//! only where we decide differently on purpose (see [`deliberate`]).
//! Skipped, with a notice, when the riscv64 binutils are not installed.

mod common;

use std::collections::HashMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use c2w_isa::riscv64::{decode, Syntax};

const TOOL_PREFIX: &str = "riscv64-linux-gnu-";

/// Run binutils tool `tool` with `args`; its stdout.
fn run(tool: &str, args: &[&str]) -> String {
    let out = Command::new(format!("{TOOL_PREFIX}{tool}"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// Whether the riscv64 binutils are available; prints a notice if not.
fn have_binutils() -> bool {
    let found = ["as", "ld", "objdump"].iter().all(|t| {
        Command::new(format!("{TOOL_PREFIX}{t}"))
            .arg("--version")
            .output()
            .is_ok()
    });
    if !found {
        eprintln!("notice: {TOOL_PREFIX}binutils not installed; skipping the objdump cross-check");
    }
    found
}

/// objdump's text for each instruction address of `.text`, without
/// comments and symbol annotations, in the form `mnemonic\toperands`.
fn objdump_text(elf: &Path) -> HashMap<u64, String> {
    let out = run(
        "objdump",
        &[
            "-d",
            "-z",
            "-M",
            "no-aliases,numeric",
            "-j",
            ".text",
            elf.to_str().unwrap(),
        ],
    );
    let mut map = HashMap::new();
    for line in out.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        let Some(addr) = fields[0].trim().strip_suffix(':') else {
            continue;
        };
        let (Ok(addr), true) = (u64::from_str_radix(addr, 16), fields.len() >= 3) else {
            continue;
        };
        let text = fields[2..].join("\t");
        let text = text.split(" #").next().unwrap();
        let text = text.split(" <").next().unwrap();
        map.insert(addr, text.trim_end().to_string());
    }
    map
}

/// An instruction that objdump and we print differently.
#[derive(Debug)]
struct Mismatch {
    pc: u64,
    /// objdump's text; `None` when objdump has no instruction at `pc`.
    theirs: Option<String>,
    ours: String,
}

/// Outcome of walking a `.text` section with our decoder.
struct Comparison {
    matched: usize,
    mismatches: Vec<Mismatch>,
}

/// Decode `.text` of `elf` instruction by instruction and compare each
/// with objdump.
fn compare(elf: &Path) -> Comparison {
    let expected = objdump_text(elf);
    let file = std::fs::read(elf).unwrap();
    let (vma, bytes) = common::elf::section(&file, ".text").expect(".text");
    let mut result = Comparison {
        matched: 0,
        mismatches: Vec::new(),
    };
    let mut offset = 0;
    while offset < bytes.len() {
        let mut parcel = [0u8; 4];
        let available = (bytes.len() - offset).min(4);
        parcel[..available].copy_from_slice(&bytes[offset..offset + available]);
        let inst = decode(u32::from_le_bytes(parcel));
        let pc = vma + offset as u64;
        let ours = inst.disasm(Some(pc), Syntax::Objdump).to_string();
        match expected.get(&pc) {
            Some(theirs) if *theirs == ours => result.matched += 1,
            theirs => result.mismatches.push(Mismatch {
                pc,
                theirs: theirs.cloned(),
                ours,
            }),
        }
        offset += inst.len as usize;
    }
    result
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn report(what: &str, c: &Comparison) {
    eprintln!(
        "{what}: {} instructions match objdump, {} differ",
        c.matched,
        c.mismatches.len()
    );
    for m in c.mismatches.iter().take(40) {
        eprintln!("  {:#x}: objdump {:?}, ours {:?}", m.pc, m.theirs, m.ours);
    }
}

#[test]
fn every_form_matches_objdump() {
    if !have_binutils() {
        return;
    }
    let dir = scratch_dir("riscv64-all");
    let source = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/riscv64_all.S"
    ));
    let c = compare(&assemble(&dir, source));
    report("riscv64_all.S", &c);
    assert!(c.matched > 500, "too few instructions: {}", c.matched);
    assert!(c.mismatches.is_empty());
}

/// Assemble `source` (in `dir`) into a stripped executable; its path.
fn assemble(dir: &Path, source: &Path) -> PathBuf {
    let (obj, elf) = (dir.join("out.o"), dir.join("out.elf"));
    run(
        "as",
        &[
            "-march=rv64gc",
            "-o",
            obj.to_str().unwrap(),
            source.to_str().unwrap(),
        ],
    );
    run(
        "ld",
        &[
            "-s",
            "-Ttext=0x10000",
            "-e",
            "0x10000",
            "-o",
            elf.to_str().unwrap(),
            obj.to_str().unwrap(),
        ],
    );
    elf
}

#[test]
fn busybox_matches_objdump() {
    let busybox = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/fixtures/riscv64/busybox"
    ));
    if !busybox.exists() {
        eprintln!("notice: {} not found; skipping", busybox.display());
        return;
    }
    if !have_binutils() {
        return;
    }
    let c = compare(busybox);
    report("busybox .text", &c);
    assert!(c.matched > 100_000, "too few instructions: {}", c.matched);
    assert!(c.mismatches.is_empty());
}

/// Whether a difference from objdump is one we make on purpose.
fn deliberate(theirs: &str, ours: &str) -> bool {
    let mnemonic = |s: &str| s.split('\t').next().unwrap_or("").to_string();
    let (their_op, our_op) = (mnemonic(theirs), mnemonic(ours));
    let csr_of = |s: &str| s.split(',').nth(1).unwrap_or("").to_string();
    // A reserved rounding mode is an illegal instruction.
    theirs.ends_with(",unknown") && our_op == ".4byte"
        // Reserved fields of fences are ignored, as the ISA manual asks.
        || their_op == ".4byte" && our_op.starts_with("fence")
        // binutils 2.40 wants rm = 0 on exact conversions; any rm is valid.
        || their_op == ".4byte" && ["fcvt.d.w", "fcvt.d.wu", "fcvt.d.s"].contains(&our_op.as_str())
        // CSRs beyond the user-level ones are not named here.
        || their_op == our_op && our_op.starts_with("csr") && csr_of(ours).starts_with("0x")
        // A zero c.addi16sp immediate is reserved.
        || theirs == "c.addi16sp\tx2,0" && our_op == ".2byte"
}

#[test]
fn random_encodings_agree_with_objdump() {
    if !have_binutils() {
        return;
    }
    let dir = scratch_dir("riscv64-random");
    let mut source = String::from("\t.text\n");
    let mut rng = common::Rng::new(0xc2f);
    for _ in 0..30_000 {
        writeln!(source, "\t.4byte {:#010x}", rng.instruction_word()).unwrap();
    }
    for half in (0..=u16::MAX).filter(|h| h & 3 != 3) {
        writeln!(source, "\t.2byte {half:#06x}").unwrap();
    }
    // End in rvc mode so that objdump decodes compressed instructions.
    source.push_str("\t.option rvc\n\tc.nop\n");
    let path = dir.join("random.S");
    std::fs::write(&path, source).unwrap();
    let c = compare(&assemble(&dir, &path));
    let unexpected: Vec<_> = c
        .mismatches
        .iter()
        .filter(|m| !m.theirs.as_ref().is_some_and(|t| deliberate(t, &m.ours)))
        .collect();
    report("random encodings", &c);
    assert!(
        unexpected.is_empty(),
        "unexpected differences: {unexpected:#?}"
    );
}
