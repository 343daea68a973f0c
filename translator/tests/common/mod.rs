//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// The BusyBox riscv64 fixture (static, stripped).
pub const BUSYBOX: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/fixtures/riscv64/busybox"
);

/// `e_machine` values used by the tests.
pub const EM_RISCV: u16 = 243;
pub const EM_X86_64: u16 = 62;
pub const EM_AARCH64: u16 = 183;

/// Load address of [`tiny_elf`]'s only segment.
pub const TINY_BASE: u64 = 0x10000;

/// A minimal static ELF64 little-endian executable for `machine`: one
/// R+X segment holding riscv64 code for `exit(42)` (with a `PT_INTERP`
/// naming `interp` first, if given).
pub fn tiny_elf(machine: u16, interp: Option<&str>) -> Vec<u8> {
    const EHDR: usize = 64;
    const PHDR: usize = 56;
    let phnum = 1 + usize::from(interp.is_some());
    let interp_bytes = interp
        .map(|i| [i.as_bytes(), b"\0"].concat())
        .unwrap_or_default();
    let interp_off = EHDR + PHDR * phnum;
    let code_off = interp_off + interp_bytes.len();
    // li a0, 42; li a7, 93 (exit); ecall
    let code: [u32; 3] = [0x02a0_0513, 0x05d0_0893, 0x0000_0073];
    let size = code_off + code.len() * 4;

    let mut elf = Vec::with_capacity(size);
    elf.extend_from_slice(b"\x7fELF\x02\x01\x01\x00");
    elf.extend_from_slice(&[0; 8]);
    elf.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    elf.extend_from_slice(&machine.to_le_bytes());
    elf.extend_from_slice(&1u32.to_le_bytes()); // EV_CURRENT
    elf.extend_from_slice(&(TINY_BASE + code_off as u64).to_le_bytes()); // e_entry
    elf.extend_from_slice(&(EHDR as u64).to_le_bytes()); // e_phoff
    elf.extend_from_slice(&0u64.to_le_bytes()); // e_shoff
    elf.extend_from_slice(&5u32.to_le_bytes()); // e_flags: RVC, double-float
    for half in [EHDR, PHDR, phnum, 64, 0, 0] {
        elf.extend_from_slice(&(half as u16).to_le_bytes());
    }
    let mut phdr = |p_type: u32, flags: u32, offset: usize, vaddr: u64, len: usize| {
        elf.extend_from_slice(&p_type.to_le_bytes());
        elf.extend_from_slice(&flags.to_le_bytes());
        for field in [offset as u64, vaddr, vaddr, len as u64, len as u64, 0x1000] {
            elf.extend_from_slice(&field.to_le_bytes());
        }
    };
    if interp.is_some() {
        phdr(
            3,
            4,
            interp_off,
            TINY_BASE + interp_off as u64,
            interp_bytes.len(),
        ); // PT_INTERP, R
    }
    phdr(1, 5, 0, TINY_BASE, size); // PT_LOAD, R+X
    elf.extend_from_slice(&interp_bytes);
    for word in code {
        elf.extend_from_slice(&word.to_le_bytes());
    }
    assert_eq!(elf.len(), size);
    elf
}

/// Writes an executable file.
pub fn write_executable(path: &Path, bytes: &[u8]) {
    use std::os::unix::fs::PermissionsExt;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, bytes).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Runs the `c2w-aot` binary.
pub fn c2w_aot(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_c2w-aot"))
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("the c2w-aot binary runs")
}

/// The names in a directory, sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `path` as a `&str` (test paths are UTF-8).
pub fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}
