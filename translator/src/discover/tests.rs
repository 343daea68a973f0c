//! Discovery on the BusyBox fixture, on small C programs and on malformed
//! input, checking the invariants the lifter relies on.

use std::path::Path;
use std::time::Instant;

use c2w_isa::riscv64::{direct_targets, ends_block, Riscv64};

use super::*;

/// The BusyBox riscv64 fixture (static, stripped, with `.eh_frame`).
const BUSYBOX: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/fixtures/riscv64/busybox"
);

fn busybox() -> Option<Vec<u8>> {
    if !Path::new(BUSYBOX).exists() {
        eprintln!("skipped: the BusyBox fixture is not at {BUSYBOX}");
        return None;
    }
    Some(std::fs::read(BUSYBOX).expect("the BusyBox fixture reads"))
}

/// Checks the invariants [`Function`] documents; returns the number of
/// dangling successors seen (see [`Problems::dangling_successors`]).
fn check_invariants(d: &Discovery<'_, Riscv64>) -> usize {
    let mut dangling = 0;
    for pair in d.functions.windows(2) {
        assert!(pair[0].start < pair[1].start, "functions sorted and unique");
    }
    let is_start = |pc: u64| d.function(pc).is_some();
    for f in &d.functions {
        let name = format!("function {:#x}", f.start);
        assert!(!f.blocks.is_empty(), "{name} has no block");
        assert!(
            f.block(f.start).is_some(),
            "{name}: its start is not a block"
        );
        for pair in f.blocks.windows(2) {
            assert!(
                pair[0].end <= pair[1].start,
                "{name}: blocks overlap or are unsorted"
            );
        }
        for pair in f.entries.windows(2) {
            assert!(pair[0] < pair[1], "{name}: entries unsorted");
        }
        assert!(
            f.entries.contains(&f.start),
            "{name}: start is not an entry"
        );
        for &e in &f.entries {
            assert!(
                f.block(e).is_some(),
                "{name}: entry {e:#x} is not a block start"
            );
        }
        for b in &f.blocks {
            assert!(b.start < b.end, "{name}: empty block {b:?}");
            let mut pc = b.start;
            let mut last = None;
            while pc < b.end {
                assert!(d.code.contains(pc), "{name}: {pc:#x} outside the code");
                let inst = d
                    .code
                    .decode(pc)
                    .unwrap_or_else(|| panic!("{name}: no instruction at {pc:#x}"));
                if pc + u64::from(inst.len) < b.end {
                    assert!(
                        !ends_block(&inst),
                        "{name}: block {b:?} goes on after {pc:#x}"
                    );
                }
                last = Some((pc, inst));
                pc += u64::from(inst.len);
            }
            assert_eq!(pc, b.end, "{name}: block {b:?} ends inside an instruction");
            let (pc, inst) = last.unwrap();
            let follows = f.block(b.end).is_some() || is_start(b.end);
            if !ends_block(&inst) && !follows {
                dangling += 1;
            }
            let targets = direct_targets(&inst, pc);
            for succ in [targets.target, targets.fallthrough].into_iter().flatten() {
                if f.block(succ).is_none() && !is_start(succ) {
                    dangling += 1;
                }
            }
        }
    }
    dangling
}

#[test]
fn busybox_discovery() {
    let Some(bytes) = busybox() else { return };
    let started = Instant::now();
    let d = discover::<Riscv64>(&bytes).unwrap();
    eprintln!("BusyBox discovered in {:?}", started.elapsed());
    eprintln!("{}", d.coverage);
    eprintln!("{:?}", d.problems);
    assert_eq!(check_invariants(&d), 0);
    assert_eq!(d.problems, Problems::default());
    let c = &d.coverage;
    assert!(c.code_from_sections);
    assert_eq!(c.code_bytes, c.covered + c.padding + c.data + c.unreached);
    assert!(c.covered_percent() > 99.0, "{c}");
    // Every FDE start (1853 distinct ones) is a function, and the entry.
    assert_eq!(c.functions.eh_frame, 1853);
    assert_eq!(
        d.function(d.code.entry()).map(|f| f.source),
        Some(Source::EhFrame)
    );
    assert!(c.functions.total() > 3000, "{c}");
    assert_eq!(c.functions.total(), d.functions.len());
}

/// A C program with a dense `switch` (compiled to a jump table) and a
/// computed-goto table: their targets are reached only through `jr`.
const JUMP_TABLES_C: &str = r#"
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) long helper(long x) { return x * 5 + 3; }

__attribute__((noinline)) long dispatch(long op, long x) {
    switch (op) {
    case 0: return x * 3 + 1;
    case 1: return x ^ 0x55;
    case 2: return x << 3;
    case 3: return helper(x) + 1;
    case 4: return x / 7;
    case 5: return -x * 9;
    case 6: return x * x;
    case 7: return x - 100;
    case 8: return (x | 1024) * 3;
    case 9: return x % 13;
    /* Reached through the table and by falling through from case 10: an
       entry even though direct control flow reaches it. */
    case 10: x = helper(x) ^ 0x3c; /* fall through */
    case 11: x = x * 11 + (x >> 3); if (x & 1) return x; /* fall through */
    case 12: return x - 12;
    }
    return 0;
}

__attribute__((noinline)) long interp(const unsigned char *code, long acc) {
    static const void *const ops[] = { &&op_inc, &&op_dbl, &&op_neg, &&op_halt, &&op_sq };
    goto *ops[*code++];
op_inc: acc += 1; goto *ops[*code++];
op_dbl: acc *= 2; goto *ops[*code++];
op_neg: acc = -acc; goto *ops[*code++];
op_sq: acc = acc * acc; goto *ops[*code++];
op_halt: return acc;
}

int main(int argc, char **argv) {
    static const unsigned char prog[] = { 0, 1, 4, 2, 0, 3 };
    long sum = 0;
    for (long i = 0; i < 13 + argc; i++) sum += dispatch(i % 13, i + argc);
    sum += interp(prog, argc);
    printf("%ld\n", sum);
    return argc > 5 ? (int)strtol(argv[1], 0, 10) : 0;
}
"#;

const CC: &str = "riscv64-linux-gnu-gcc";

/// Compiles [`JUMP_TABLES_C`] statically at -O2 (unstripped, with
/// `.eh_frame_hdr`), renaming the jump tables' target labels so they stay in
/// the symbol table as `jt_*`. None (with a notice) without the compiler.
fn jump_tables_program() -> Option<(Vec<u8>, Vec<String>)> {
    let dir = tempfile::TempDir::new().unwrap();
    let c = dir.path().join("jt.c");
    let s = dir.path().join("jt.s");
    let exe = dir.path().join("jt");
    std::fs::write(&c, JUMP_TABLES_C).unwrap();
    let compiled = std::process::Command::new(CC)
        .args(["-O2", "-fno-pie", "-S", "-o"])
        .arg(&s)
        .arg(&c)
        .status();
    match compiled {
        Ok(status) => assert!(status.success(), "{CC} -S failed"),
        Err(_) => {
            eprintln!("skipped: {CC} is not installed");
            return None;
        }
    }
    let mut asm = std::fs::read_to_string(&s).unwrap();
    // Table entries are `.word .L15` (switch) or `.dword .L22` (goto).
    let mut labels: Vec<String> = asm
        .lines()
        .filter_map(|line| {
            let entry = line.trim();
            let label = entry
                .strip_prefix(".word\t")
                .or_else(|| entry.strip_prefix(".dword\t"))?;
            (label.starts_with(".L") && label[2..].bytes().all(|b| b.is_ascii_digit()))
                .then(|| label.to_string())
        })
        .collect();
    labels.sort();
    labels.dedup();
    assert!(labels.len() >= 15, "expected two jump tables in:\n{asm}");
    for label in &labels {
        asm = rename_label(&asm, label, &format!("jt_{}", &label[1..]));
    }
    std::fs::write(&s, asm).unwrap();
    let status = std::process::Command::new(CC)
        .args(["-static", "-no-pie", "-Wl,--eh-frame-hdr", "-o"])
        .arg(&exe)
        .arg(&s)
        .status()
        .unwrap();
    assert!(status.success(), "{CC} -static failed");
    let names = labels.iter().map(|l| format!("jt_{}", &l[1..])).collect();
    Some((std::fs::read(&exe).unwrap(), names))
}

/// Replaces the whole-word occurrences of `label` in `asm`.
fn rename_label(asm: &str, label: &str, new: &str) -> String {
    let mut out = String::with_capacity(asm.len());
    let mut rest = asm;
    while let Some(at) = rest.find(label) {
        let after = &rest[at + label.len()..];
        out.push_str(&rest[..at]);
        if after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
            out.push_str(label);
        } else {
            out.push_str(new);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[test]
fn jump_tables_and_computed_goto() {
    let Some((bytes, labels)) = jump_tables_program() else {
        return;
    };
    let d = discover::<Riscv64>(&bytes).unwrap();
    eprintln!("{}", d.coverage);
    assert_eq!(check_invariants(&d), 0);
    assert_eq!(d.problems.dangling_successors, 0);
    let elf = goblin::elf::Elf::parse(&bytes).unwrap();
    let mut functions = 0;
    let mut targets = Vec::new();
    for sym in elf.syms.iter() {
        let name = elf.strtab.get_at(sym.st_name).unwrap_or_default();
        if sym.is_function() && sym.st_value != 0 && d.code.contains(sym.st_value) {
            let f = d.function(sym.st_value);
            assert!(
                f.is_some(),
                "function {name} at {:#x} not found",
                sym.st_value
            );
            functions += 1;
        }
        if labels.iter().any(|l| l == name) {
            targets.push((name.to_string(), sym.st_value));
        }
    }
    assert!(functions > 100, "only {functions} function symbols");
    assert_eq!(targets.len(), labels.len(), "jump table labels in .symtab");
    let interp = elf
        .syms
        .iter()
        .find(|s| elf.strtab.get_at(s.st_name) == Some("interp"));
    let dispatch = elf
        .syms
        .iter()
        .find(|s| elf.strtab.get_at(s.st_name) == Some("dispatch"));
    for (name, addr) in targets {
        let owner = [interp, dispatch]
            .into_iter()
            .flatten()
            .find(|s| addr >= s.st_value && addr < s.st_value + s.st_size)
            .unwrap_or_else(|| panic!("{name} at {addr:#x} is in neither function"));
        let f = d.function(owner.st_value).unwrap();
        assert!(
            f.block(addr).is_some(),
            "{name} at {addr:#x} is not a block"
        );
        assert!(
            f.entries.contains(&addr),
            "{name} at {addr:#x} is not an entry"
        );
    }

    // Without section headers: `.eh_frame` through PT_GNU_EH_FRAME.
    let mut stripped = bytes.clone();
    stripped[0x28..0x30].fill(0); // e_shoff
    stripped[0x3c..0x40].fill(0); // e_shnum, e_shstrndx
    let without = discover(&stripped).unwrap();
    eprintln!("without section headers: {}", without.coverage);
    assert_eq!(check_invariants(&without), 0);
    assert!(!without.coverage.code_from_sections);
    assert!(without.coverage.functions.eh_frame > 100);
    // Functions whose address is only taken (no FDE, never called) are
    // orphan entries of their neighbours then.
    let symbols: Vec<_> = d
        .functions
        .iter()
        .filter(|f| f.source == Source::Symbol)
        .collect();
    let found = symbols
        .iter()
        .filter(|f| without.function(f.start).is_some())
        .count();
    assert!(
        found * 10 >= symbols.len() * 7,
        "{found} of {} functions",
        symbols.len()
    );
    assert!(without.coverage.covered_percent() > 95.0);
}

/// Where [`tiny_elf`] loads its file.
const BASE: u64 = 0x10000;
/// Where [`tiny_elf`]'s code starts (after the ELF and program headers).
const CODE: u64 = BASE + 64 + 56;

/// A static riscv64 ELF file without section headers whose one R+X segment
/// maps the whole file; `code` follows the headers and the entry point is
/// its first byte.
fn tiny_elf(code: &[u8]) -> Vec<u8> {
    let mut elf = Vec::new();
    elf.extend_from_slice(b"\x7fELF\x02\x01\x01\x00");
    elf.extend_from_slice(&[0; 8]);
    elf.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    elf.extend_from_slice(&243u16.to_le_bytes()); // EM_RISCV
    elf.extend_from_slice(&1u32.to_le_bytes());
    elf.extend_from_slice(&CODE.to_le_bytes()); // e_entry
    elf.extend_from_slice(&64u64.to_le_bytes()); // e_phoff
    elf.extend_from_slice(&0u64.to_le_bytes()); // e_shoff
    elf.extend_from_slice(&5u32.to_le_bytes()); // e_flags: RVC, double-float
    for half in [64u16, 56, 1, 64, 0, 0] {
        elf.extend_from_slice(&half.to_le_bytes());
    }
    let size = (64 + 56 + code.len()) as u64;
    elf.extend_from_slice(&1u32.to_le_bytes()); // PT_LOAD
    elf.extend_from_slice(&5u32.to_le_bytes()); // R+X
    for word in [0, BASE, BASE, size, size, 0x1000] {
        elf.extend_from_slice(&word.to_le_bytes());
    }
    elf.extend_from_slice(code);
    elf
}

/// `jal rd, offset`.
fn jal(rd: u32, offset: i32) -> u32 {
    let imm = offset as u32;
    let bits = (imm >> 20 & 1) << 31
        | (imm >> 1 & 0x3ff) << 21
        | (imm >> 11 & 1) << 20
        | (imm >> 12 & 0xff) << 12;
    bits | rd << 7 | 0x6f
}

const ECALL: u32 = 0x0000_0073;
const RET: u32 = 0x0000_8067;
/// `addi a0, a0, 1`.
const ADDI: u32 = 0x0015_0513;

fn words(code: &[u32]) -> Vec<u8> {
    code.iter().flat_map(|w| w.to_le_bytes()).collect()
}

#[test]
fn calls_tail_calls_syscalls_and_shared_code() {
    let code = words(&[
        jal(1, 16), // 0: call B
        ECALL,      // 4
        jal(0, 16), // 8: jump into the middle of B (shared code)
        jal(0, 4),  // 12: only after a jump: an orphan; a tail call to B
        ADDI,       // 16: B
        ADDI,       // 20
        RET,        // 24
    ]);
    let bytes = tiny_elf(&code);
    let d = discover::<Riscv64>(&bytes).unwrap();
    assert_eq!(check_invariants(&d), 0);
    assert_eq!(d.problems, Problems::default());
    let block = |start: u64, end: u64| Block {
        start: CODE + start,
        end: CODE + end,
    };
    let a = d.function(CODE).unwrap();
    assert_eq!(a.source, Source::Entry);
    assert_eq!(
        a.blocks,
        [
            block(0, 4),
            block(4, 8),
            block(8, 12),
            block(12, 16),
            block(24, 28)
        ]
    );
    assert_eq!(a.entries, [CODE, CODE + 4, CODE + 8, CODE + 12]);
    let b = d.function(CODE + 16).unwrap();
    assert_eq!(b.source, Source::Call);
    assert_eq!(b.blocks, [block(16, 24), block(24, 28)]);
    assert_eq!(b.entries, [CODE + 16, CODE + 24]);
    assert_eq!(d.functions.len(), 2);
    let c = &d.coverage;
    assert_eq!((c.code_bytes, c.covered), (28, 28));
    assert_eq!(c.orphan_entries, 1);
}

#[test]
fn successors_outside_the_code_are_counted() {
    // A jump past the end of the segment, then a 32-bit instruction cut off
    // by the end of the segment (only its first half is in the file).
    let mut code = words(&[ADDI, jal(0, 8), ADDI, ADDI]);
    code[4..8].copy_from_slice(&jal(0, 0x1000).to_le_bytes());
    code.truncate(14);
    code[8..12].copy_from_slice(&jal(0, 4).to_le_bytes());
    let bytes = tiny_elf(&code);
    let d = discover::<Riscv64>(&bytes).unwrap();
    assert!(d.problems.dangling_successors >= 1);
    let f = d.function(CODE).unwrap();
    assert_eq!(
        f.blocks[0],
        Block {
            start: CODE,
            end: CODE + 8
        }
    );
}

/// A small deterministic pseudo-random generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn random_code_and_headers_do_not_panic() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for round in 0..300 {
        let len = rng.below(600);
        let mut code: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        // Mostly plausible instructions: keep some real ones around.
        for chunk in code.chunks_mut(8) {
            if rng.below(3) == 0 && chunk.len() == 8 {
                let inst = [ADDI, RET, ECALL, jal(1, 8), jal(0, -16)][rng.below(5)];
                chunk[..4].copy_from_slice(&inst.to_le_bytes());
            }
        }
        let mut bytes = tiny_elf(&code);
        if round % 3 == 0 {
            // Scribble over the headers too.
            for _ in 0..4 {
                let at = rng.below(120);
                bytes[at] = rng.next() as u8;
            }
        }
        if let Ok(d) = discover::<Riscv64>(&bytes) {
            let dangling = check_invariants(&d);
            assert!(dangling == 0 || d.problems.dangling_successors > 0);
            let c = &d.coverage;
            assert_eq!(c.code_bytes, c.covered + c.padding + c.data + c.unreached);
        }
    }
}

#[test]
fn corrupt_eh_frame_and_truncation_do_not_panic() {
    let Some((bytes, _)) = jump_tables_program() else {
        return;
    };
    let elf = goblin::elf::Elf::parse(&bytes).unwrap();
    let eh_frame = elf
        .section_headers
        .iter()
        .find(|sh| elf.shdr_strtab.get_at(sh.sh_name) == Some(".eh_frame"))
        .map(|sh| sh.sh_offset as usize..(sh.sh_offset + sh.sh_size) as usize)
        .expect(".eh_frame");
    let mut rng = Rng(42);
    for round in 0..6 {
        let mut bad = bytes.clone();
        for _ in 0..20 {
            let at = eh_frame.start + rng.below(eh_frame.len());
            bad[at] = rng.next() as u8;
        }
        if round % 2 == 1 {
            // Without section headers, .eh_frame is found through its header.
            bad[0x28..0x30].fill(0);
            bad[0x3c..0x40].fill(0);
        }
        let d = discover(&bad).unwrap();
        let dangling = check_invariants(&d);
        assert!(dangling == 0 || d.problems.dangling_successors > 0);
    }
    for len in [0, 10, 64, 100, 4096, bytes.len() / 2] {
        let _ = discover::<Riscv64>(&bytes[..len]);
    }
}
