//! Starting the entrypoint: ELF validation, loading, the initial stack.

use super::Guest;
use crate::image::Manifest;
use crate::kernel::{Error, Kernel};
use crate::loader::{at, ExecError, PIE_BASE};
use crate::native::{ImageBuilder, NativeHost};

const BUSYBOX: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/fixtures/riscv64/busybox"
);

fn busybox() -> Vec<u8> {
    std::fs::read(BUSYBOX).unwrap_or_else(|e| panic!("the BusyBox fixture {BUSYBOX}: {e}"))
}

pub(super) fn kernel(
    image: &ImageBuilder,
    entry: &[&str],
    args: &[&str],
    env: &[&str],
) -> Kernel<NativeHost> {
    let (manifest, segments) = image.build(entry);
    kernel_for(manifest, segments, args, env)
}

fn kernel_for(
    manifest: Manifest,
    segments: Vec<Vec<u8>>,
    args: &[&str],
    env: &[&str],
) -> Kernel<NativeHost> {
    let args = args.iter().map(|s| s.to_string()).collect();
    let env = env.iter().map(|s| s.to_string()).collect();
    Kernel::new(NativeHost::new(segments), manifest, args, env).unwrap()
}

pub(super) fn start_error(file: &[u8]) -> String {
    let mut b = ImageBuilder::new();
    b.file("/bin/app", file, 0o755);
    let mut k = kernel(&b, &["/bin/app"], &[], &[]);
    k.start().unwrap_err().to_string()
}

/// A minimal 64-bit little-endian ELF header with `machine`, `etype` and
/// `phnum` program headers of `phdrs` right after it.
pub(super) fn elf(machine: u16, etype: u16, phdrs: &[(u32, u64, u64, u64, u64)]) -> Vec<u8> {
    let mut b = vec![0u8; 64];
    b[..4].copy_from_slice(b"\x7fELF");
    b[4] = 2; // ELFCLASS64
    b[5] = 1; // little endian
    b[6] = 1;
    b[16..18].copy_from_slice(&etype.to_le_bytes());
    b[18..20].copy_from_slice(&machine.to_le_bytes());
    b[20..24].copy_from_slice(&1u32.to_le_bytes());
    b[24..32].copy_from_slice(&0x1000u64.to_le_bytes()); // entry
    b[32..40].copy_from_slice(&64u64.to_le_bytes()); // phoff
    b[52..54].copy_from_slice(&64u16.to_le_bytes());
    b[54..56].copy_from_slice(&56u16.to_le_bytes());
    b[56..58].copy_from_slice(&(phdrs.len() as u16).to_le_bytes());
    for &(ptype, offset, vaddr, filesz, memsz) in phdrs {
        let mut p = [0u8; 56];
        p[0..4].copy_from_slice(&ptype.to_le_bytes());
        p[4..8].copy_from_slice(&5u32.to_le_bytes()); // R X
        p[8..16].copy_from_slice(&offset.to_le_bytes());
        p[16..24].copy_from_slice(&vaddr.to_le_bytes());
        p[32..40].copy_from_slice(&filesz.to_le_bytes());
        p[40..48].copy_from_slice(&memsz.to_le_bytes());
        b.extend_from_slice(&p);
    }
    b
}

const EM_RISCV: u16 = 243;
pub(super) const EM_X86_64: u16 = 62;
pub(super) const EM_AARCH64: u16 = 183;
pub(super) const PT_LOAD: u32 = 1;
pub(super) const PT_INTERP: u32 = 3;

#[test]
fn bad_programs_get_clear_errors() {
    assert_eq!(
        start_error(b"#!/bin/sh\necho hi\n"),
        "/bin/app: not an ELF file"
    );
    assert_eq!(start_error(b""), "/bin/app: not an ELF file");
    let truncated = &busybox()[..100];
    assert_eq!(
        start_error(truncated),
        "/bin/app: truncated ELF (program headers end at 0x200 past the file's 0x64 bytes)"
    );
    let arm = elf(EM_AARCH64, 2, &[(PT_LOAD, 0, 0x400000, 0x100, 0x100)]);
    assert_eq!(
        start_error(&arm),
        "/bin/app: aarch64 programs are not supported yet"
    );
    let dynamic = elf(
        EM_RISCV,
        3,
        &[(PT_INTERP, 0, 0, 0, 0), (PT_LOAD, 0, 0x10000, 0x100, 0x100)],
    );
    assert_eq!(
        start_error(&dynamic),
        "/bin/app: dynamically linked programs are not supported yet"
    );
    let short_segment = elf(EM_RISCV, 2, &[(PT_LOAD, 0, 0x10000, 0x5000, 0x5000)]);
    assert_eq!(
        start_error(&short_segment),
        "/bin/app: truncated ELF (segment 0 ends at 0x5000 past the file's 0x78 bytes)"
    );
    let relocatable = elf(EM_RISCV, 1, &[]);
    assert_eq!(
        start_error(&relocatable),
        "/bin/app: not an executable (ELF type REL)"
    );
    let too_high = elf(EM_RISCV, 2, &[(PT_LOAD, 0, 0xff00_0000, 0x78, 0x78)]);
    assert_eq!(
        start_error(&too_high),
        "/bin/app: segment at 0xff000000 does not fit in the guest address space"
    );

    let b = ImageBuilder::new();
    let mut k = kernel(&b, &["/bin/app"], &[], &[]);
    assert!(matches!(k.start(), Err(Error::EntrypointMissing(_))));
    assert_eq!(
        k.start().unwrap_err().to_string(),
        "entrypoint /bin/app: no such file in the image"
    );
    let mut b = ImageBuilder::new();
    b.dir("/bin/app", 0o755);
    let mut k = kernel(&b, &["/bin/app"], &[], &[]);
    assert_eq!(
        k.start().unwrap_err().to_string(),
        "/bin/app: is a directory"
    );
}

#[test]
fn a_native_program_of_the_test_host_is_refused() {
    // This test binary is an ELF for the machine running it.
    let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
    let arch = std::env::consts::ARCH;
    if !me.starts_with(b"\x7fELF") || arch == "riscv64" {
        return;
    }
    let err = start_error(&me);
    if arch == "x86_64" {
        // A machine we run, but a dynamically linked program.
        assert!(
            err.starts_with("/bin/app: dynamically linked programs are not supported yet"),
            "{err}"
        );
    } else {
        assert_eq!(
            err,
            format!("/bin/app: {arch} programs are not supported yet")
        );
    }
}

/// Where /proc/self/exe points.
pub(super) fn exe_link(k: &Kernel<NativeHost>) -> String {
    let me = k.vfs().lookup_tree("/proc/self").unwrap();
    let exe = k.vfs().node(me).as_dir().unwrap().entries["exe"];
    match &k.vfs().node(exe).kind {
        crate::vfs::NodeKind::Symlink(target) => target.clone(),
        other => panic!("/proc/self/exe is {other:?}"),
    }
}

/// The initial stack, parsed back.
pub(super) struct InitialStack {
    pub argv: Vec<String>,
    pub envp: Vec<String>,
    pub auxv: Vec<(u64, u64)>,
}

pub(super) fn cstr(g: &Guest, addr: u64) -> String {
    let mem = g.k.mem();
    String::from_utf8(mem.read_cstr(addr, 4096).unwrap().to_vec()).unwrap()
}

pub(super) fn parse_stack(g: &Guest, sp: u64) -> InitialStack {
    let argc = g.read_u64(sp);
    let mut at = sp + 8;
    let strings = |at: &mut u64| {
        let mut v = Vec::new();
        loop {
            let p = g.read_u64(*at);
            *at += 8;
            if p == 0 {
                return v;
            }
            v.push(cstr(g, p));
        }
    };
    let argv = strings(&mut at);
    assert_eq!(argv.len() as u64, argc);
    let envp = strings(&mut at);
    let mut auxv = Vec::new();
    loop {
        let (k, v) = (g.read_u64(at), g.read_u64(at + 8));
        at += 16;
        auxv.push((k, v));
        if k == at::NULL {
            return InitialStack { argv, envp, auxv };
        }
    }
}

#[test]
fn busybox_loads_with_a_linux_initial_stack() {
    let mut b = ImageBuilder::new();
    b.file("/bin/busybox", &busybox(), 0o755)
        .symlink("/bin/sh", "busybox");
    let (mut manifest, segments) = b.build(&["/bin/sh", "-c"]);
    manifest.cmd = vec!["echo default".into()];
    manifest.env = vec!["PATH=/bin".into(), "HOME=/root".into()];
    let env = ["HOME=/home/me".into(), "C2W_X=1".into()];
    let args = vec!["runtime.wasm".into(), "echo hi".into()];
    let k = Kernel::new(NativeHost::new(segments), manifest, args, env.to_vec()).unwrap();
    let mut g = Guest { k, next: 0 };
    let start = g.k.start().unwrap();
    assert_eq!(start.pc, 0x103a0, "busybox's entry point");
    assert_eq!(start.arch, c2w_isa::Arch::Riscv64);
    assert_eq!(start.sp % 16, 0);
    let stack = parse_stack(&g, start.sp);
    assert_eq!(stack.argv, ["/bin/sh", "-c", "echo hi"]);
    assert_eq!(stack.envp, ["PATH=/bin", "HOME=/home/me", "C2W_X=1"]);
    let aux = |key| stack.auxv.iter().find(|(k, _)| *k == key).map(|&(_, v)| v);
    assert_eq!(aux(at::PHDR), Some(0x10040));
    assert_eq!(aux(at::PHENT), Some(56));
    assert_eq!(aux(at::PHNUM), Some(8));
    assert_eq!(aux(at::PAGESZ), Some(4096));
    assert_eq!(aux(at::ENTRY), Some(0x103a0));
    assert_eq!(aux(at::BASE), Some(0));
    assert_eq!(aux(at::UID), Some(0));
    assert_eq!(aux(at::SECURE), Some(0));
    assert_eq!(aux(at::CLKTCK), Some(100));
    assert_eq!(aux(at::HWCAP), Some(crate::riscv64::HWCAP));
    assert_eq!(cstr(&g, aux(at::EXECFN).unwrap()), "/bin/sh");
    assert_eq!(
        exe_link(&g.k),
        "/bin/busybox",
        "/proc/self/exe is the resolved program"
    );
    assert_eq!(cstr(&g, aux(at::PLATFORM).unwrap()), "riscv64");
    let random = aux(at::RANDOM).unwrap();
    assert!(random > start.sp && random + 16 <= g.k.memory_map().stack_top());
    assert_eq!(stack.auxv.last(), Some(&(at::NULL, 0)));
    let n = stack.auxv.len();
    assert_eq!(
        stack.auxv[n - 2],
        (at::MINSIGSTKSZ, crate::riscv64::MINSIGSTKSZ)
    );

    // The segments are in memory: text from the file, bss zeroed.
    let bytes = busybox();
    assert_eq!(g.read(0x10000, 64), &bytes[..64]);
    assert_eq!(g.read(0x191c20, 16), &bytes[0x180c20..0x180c30]);
    assert_eq!(g.read(0x191c20 + 0x9008, 0x100), [0; 0x100]);
    // Stack, then brk above it, and mmap above brk's limit.
    let (brk_start, brk, mmap_base) = g.k.memory_map().brk_range();
    assert!(brk_start >= g.k.memory_map().stack_top() && brk == brk_start);
    assert!(mmap_base >= brk_start + crate::mm::BRK_MAX);
    assert!(g.k.take_code_changed().is_none());
}

#[test]
fn static_pie_is_placed_at_the_fixed_base() {
    let mut file = elf(EM_RISCV, 3, &[(PT_LOAD, 0, 0, 0x78, 0x2000)]);
    file.resize(0x78, 0);
    let mut b = ImageBuilder::new();
    b.file("/app", &file, 0o755);
    let mut k = kernel(&b, &["app"], &[], &["PATH=/"]);
    let start = k.start().unwrap();
    assert_eq!(start.pc, PIE_BASE + 0x1000);
    let g = Guest { k, next: 0 };
    assert_eq!(g.read(PIE_BASE, 4), b"\x7fELF");
    assert_eq!(g.read(PIE_BASE + 0x78, 0x100), [0; 0x100]);
    let stack = parse_stack(&g, start.sp);
    assert_eq!(stack.argv, ["app"]);
    let execfn = stack.auxv.iter().find(|(k, _)| *k == at::EXECFN).unwrap().1;
    assert_eq!(cstr(&g, execfn), "/app", "found on PATH");
    assert_eq!(exe_link(&g.k), "/app");
    assert!(stack.auxv.contains(&(at::PHDR, PIE_BASE + 64)));
}

#[test]
fn exe_parse_errors_carry_the_reason() {
    let err = ExecError::Truncated {
        what: "program headers end".into(),
        end: 0x240,
        size: 0x64,
    };
    assert_eq!(
        err.to_string(),
        "truncated ELF (program headers end at 0x240 past the file's 0x64 bytes)"
    );
}
