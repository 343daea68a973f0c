//! The memory map: brk, mmap/munmap/mremap/mprotect/madvise.

use super::{err, Guest};
use crate::errno::Errno;
use crate::linux::*;
use crate::native::ImageBuilder;
use crate::table::Sys;

const ANON: u64 = (MAP_PRIVATE | MAP_ANONYMOUS) as u64;
const RW: u64 = (PROT_READ | PROT_WRITE) as u64;
const NO_FD: u64 = u64::MAX;

fn guest() -> Guest {
    let mut b = ImageBuilder::new();
    let data: Vec<u8> = (0..10000u32).map(|i| (i % 251) as u8).collect();
    b.file("/data.bin", &data, 0o644);
    Guest::new(&b)
}

fn mmap(g: &mut Guest, addr: u64, len: u64, prot: u64, flags: u64, fd: u64, off: u64) -> i64 {
    g.sys(Sys::Mmap, [addr, len, prot, flags, fd, off])
}

#[test]
fn brk_grows_shrinks_and_regrows_zeroed() {
    let mut g = guest();
    let start = g.sys(Sys::Brk, [0]) as u64;
    assert_eq!(start % 4096, 0);
    assert_eq!(g.sys(Sys::Brk, [start + 0x10000]) as u64, start + 0x10000);
    g.write(start + 0x8000, b"heap data");
    assert_eq!(g.sys(Sys::Brk, [start + 0x1000]) as u64, start + 0x1000);
    assert_eq!(g.sys(Sys::Brk, [start + 0x10000]) as u64, start + 0x10000);
    assert_eq!(
        g.read(start + 0x8000, 9),
        [0; 9],
        "memory given back and taken again reads as zero"
    );
    // Past the limit, brk stays put (and malloc falls back to mmap).
    assert_eq!(g.sys(Sys::Brk, [start + (1 << 30)]) as u64, start + 0x10000);
    assert_eq!(g.sys(Sys::Brk, [start - 4096]) as u64, start + 0x10000);
}

#[test]
fn mmap_reuses_freed_ranges_zeroed() {
    let mut g = guest();
    let (_, _, base) = g.k.memory_map().brk_range();
    let a = mmap(&mut g, 0, 0x3000, RW, ANON, NO_FD, 0) as u64;
    assert_eq!(a, base);
    let b = mmap(&mut g, 0, 5000, RW, ANON, NO_FD, 0) as u64;
    assert_eq!(b, a + 0x3000, "length rounded to pages, placed first-fit");
    g.write(a + 0x1000, b"old contents");
    // Partial munmap splits the mapping; the hole is reused first and is zero.
    assert_eq!(g.sys(Sys::Munmap, [a + 0x1000, 0x1000]), 0);
    let c = mmap(&mut g, 0, 0x1000, RW, ANON, NO_FD, 0) as u64;
    assert_eq!(c, a + 0x1000);
    assert_eq!(g.read(c, 12), [0; 12]);
    assert_eq!(g.sys(Sys::Munmap, [a + 1, 0x1000]), err(Errno::EINVAL));
    assert_eq!(mmap(&mut g, 0, 0, RW, ANON, NO_FD, 0), err(Errno::EINVAL));
    assert!(
        g.k.guest_memory().1 >= b + 0x2000,
        "linear memory covers the highest mapping"
    );
}

#[test]
fn map_fixed_replaces_and_noreplace_refuses() {
    let mut g = guest();
    let a = mmap(&mut g, 0, 0x4000, RW, ANON, NO_FD, 0) as u64;
    g.write(a + 0x2000, b"will be replaced");
    let fixed = ANON | MAP_FIXED as u64;
    assert_eq!(
        mmap(&mut g, a + 0x2000, 0x1000, RW, fixed, NO_FD, 0) as u64,
        a + 0x2000
    );
    assert_eq!(g.read(a + 0x2000, 16), [0; 16]);
    let noreplace = ANON | MAP_FIXED_NOREPLACE as u64;
    assert_eq!(
        mmap(&mut g, a, 0x1000, RW, noreplace, NO_FD, 0),
        err(Errno::EEXIST)
    );
    assert_eq!(
        mmap(&mut g, a + 0x1001, 0x1000, RW, fixed, NO_FD, 0),
        err(Errno::EINVAL)
    );
    // A free hint is honoured.
    let hint = a + 0x100_0000;
    assert_eq!(mmap(&mut g, hint, 0x1000, RW, ANON, NO_FD, 0) as u64, hint);
}

#[test]
fn mremap_grows_in_place_or_moves() {
    let mut g = guest();
    let a = mmap(&mut g, 0, 0x2000, RW, ANON, NO_FD, 0) as u64;
    g.write(a, b"start of mapping");
    // Nothing after it: grows in place.
    assert_eq!(g.sys(Sys::Mremap, [a, 0x2000, 0x4000, 0, 0]) as u64, a);
    let blocker = mmap(&mut g, 0, 0x1000, RW, ANON, NO_FD, 0) as u64;
    assert_eq!(blocker, a + 0x4000);
    assert_eq!(
        g.sys(Sys::Mremap, [a, 0x4000, 0x8000, 0, 0]),
        err(Errno::ENOMEM)
    );
    let moved = g.sys(Sys::Mremap, [a, 0x4000, 0x8000, MREMAP_MAYMOVE as u64, 0]) as u64;
    assert_ne!(moved, a);
    assert_eq!(g.read(moved, 16), b"start of mapping");
    assert_eq!(g.read(moved + 0x7000, 8), [0; 8]);
    assert!(
        !g.k.memory_map().is_mapped(a, 0x1000),
        "the old range is gone"
    );
    // Shrinking unmaps the tail.
    assert_eq!(
        g.sys(Sys::Mremap, [moved, 0x8000, 0x1000, 0, 0]) as u64,
        moved
    );
    assert!(!g.k.memory_map().is_mapped(moved + 0x1000, 0x1000));
    assert_eq!(
        g.sys(Sys::Mremap, [a, 0x1000, 0x2000, 0, 0]),
        err(Errno::EFAULT)
    );
}

#[test]
fn mprotect_madvise_and_code_changes() {
    let mut g = guest();
    let a = mmap(&mut g, 0, 0x3000, RW, ANON, NO_FD, 0) as u64;
    assert!(g.k.take_code_changed().is_none());
    assert_eq!(
        g.sys(Sys::Mprotect, [a, 0x1000, (PROT_READ | PROT_EXEC) as u64]),
        0
    );
    assert!(g.k.take_code_changed().is_some());
    assert!(g.k.take_code_changed().is_none(), "reported once");
    assert_eq!(
        g.sys(Sys::Mprotect, [a + 0x1000, 0x1000, PROT_READ as u64]),
        0
    );
    assert!(g.k.take_code_changed().is_none(), "no code involved");
    assert_eq!(g.sys(Sys::Munmap, [a, 0x1000]), 0);
    assert!(
        g.k.take_code_changed().is_some(),
        "executable pages unmapped"
    );
    assert_eq!(
        g.sys(Sys::Mprotect, [a, 0x2000, RW]),
        err(Errno::ENOMEM),
        "part is unmapped"
    );

    g.write(a + 0x2000, b"scratch");
    assert_eq!(
        g.sys(Sys::Madvise, [a + 0x2000, 0x1000, MADV_DONTNEED as u64]),
        0
    );
    assert_eq!(g.read(a + 0x2000, 7), [0; 7]);
    assert_eq!(
        g.sys(Sys::Madvise, [a, 0x1000, MADV_DONTNEED as u64]),
        err(Errno::ENOMEM)
    );
}

#[test]
fn file_mappings_copy_the_file() {
    let mut g = guest();
    let fd = g.open("/data.bin", O_RDONLY, 0) as u64;
    let m = mmap(
        &mut g,
        0,
        10000,
        PROT_READ as u64,
        MAP_PRIVATE as u64,
        fd,
        4096,
    ) as u64;
    let expect: Vec<u8> = (4096..10000u32).map(|i| (i % 251) as u8).collect();
    assert_eq!(g.read(m, expect.len() as u64), expect);
    assert_eq!(
        g.read(m + expect.len() as u64, 100),
        [0; 100],
        "past the end of the file: zero"
    );
    assert_eq!(
        mmap(&mut g, 0, 4096, RW, MAP_SHARED as u64, fd, 0),
        err(Errno::EACCES)
    );
    assert_eq!(
        mmap(&mut g, 0, 4096, RW, MAP_PRIVATE as u64, 99, 0),
        err(Errno::EBADF)
    );
    assert_eq!(
        mmap(&mut g, 0, 4096, RW, MAP_PRIVATE as u64, fd, 100),
        err(Errno::EINVAL)
    );
}

#[test]
fn hostile_arguments_fail_cleanly() {
    let mut g = guest();
    let fd = g.open("/data.bin", O_RDONLY, 0) as u64;
    let page_max: u64 = !4095;
    assert_eq!(
        mmap(&mut g, 0, 4096, RW, MAP_PRIVATE as u64, fd, page_max),
        err(Errno::EOVERFLOW)
    );
    let fixed = ANON | MAP_FIXED as u64;
    assert_eq!(
        mmap(&mut g, page_max, 4096, RW, fixed, NO_FD, 0),
        err(Errno::ENOMEM)
    );
    assert_eq!(
        mmap(&mut g, 0, u64::MAX, RW, ANON, NO_FD, 0),
        err(Errno::ENOMEM)
    );
    assert_eq!(
        g.sys(Sys::Mprotect, [page_max, 8192, RW]),
        err(Errno::ENOMEM)
    );
    assert_eq!(g.sys(Sys::Munmap, [page_max, 8192]), err(Errno::EINVAL));
    assert_eq!(g.sys(Sys::Madvise, [page_max, 8192, 4]), err(Errno::ENOMEM));
    assert_eq!(g.sys(Sys::Msync, [page_max, 8192, 0]), err(Errno::ENOMEM));
    assert_eq!(
        g.sys(Sys::Mremap, [page_max, 4096, 8192, 0, 0]),
        err(Errno::EFAULT)
    );
    let a = mmap(&mut g, 0, 4096, RW, ANON, NO_FD, 0) as u64;
    let flags = (MREMAP_MAYMOVE | MREMAP_FIXED) as u64;
    assert_eq!(
        g.sys(Sys::Mremap, [a, 4096, 8192, flags, page_max]),
        err(Errno::EINVAL)
    );
    assert_eq!(
        g.sys(Sys::Ppoll, [u64::MAX - 4, 2, 0, 0, 8]),
        err(Errno::EFAULT)
    );
    assert_eq!(
        g.sys(Sys::RiscvHwprobe, [u64::MAX - 4, u64::MAX / 2, 0, 0, 0]),
        err(Errno::EFAULT)
    );
    assert_eq!(g.sys(Sys::Getcwd, [u64::MAX - 1, 100]), err(Errno::EFAULT));
    assert_eq!(
        g.sys(Sys::Read, [fd, u64::MAX - 1, 100]),
        err(Errno::EFAULT)
    );
    let bad_path = g.sys(Sys::Openat, [AT_FDCWD as i64 as u64, u64::MAX - 1, 0, 0]);
    assert_eq!(bad_path, err(Errno::EFAULT));
}
