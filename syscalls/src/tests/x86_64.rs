//! The x86_64 ABI: its numbering, the legacy calls (each against its `*at`
//! counterpart), struct layouts (against this machine's kernel when it is
//! x86_64 Linux), arch_prctl, and loading real x86_64 programs.

use super::exec::{
    cstr, elf, exe_link, kernel, parse_stack, start_error, EM_AARCH64, EM_X86_64, PT_LOAD,
};
use super::{err, ArgValue, Guest, StatView};
use crate::errno::Errno;
use crate::linux::*;
use crate::loader::{at, PIE_BASE};
use crate::native::ImageBuilder;
use crate::table::Sys;
use crate::{riscv64, x86_64};
use c2w_isa::{Arch, Cpu};

fn image() -> ImageBuilder {
    let mut b = ImageBuilder::new();
    b.file("/bin/busybox", b"\x7fELF not really", 0o755)
        .symlink("/bin/sh", "busybox")
        .file("/etc/hosts", b"127.0.0.1 localhost\n", 0o644)
        .dir("/scratch", 0o1777);
    b
}

/// An address outside guest memory.
const BAD: u64 = u64::MAX - 4;

fn cwd() -> u64 {
    AT_FDCWD.raw()
}

/// The syscall numbers of `<asm/unistd_64.h>`, when this machine has it.
fn kernel_header_numbers() -> Option<std::collections::HashMap<String, u64>> {
    let text = [
        "/usr/include/x86_64-linux-gnu/asm/unistd_64.h",
        "/usr/include/asm/unistd_64.h",
    ]
    .iter()
    .find_map(|p| std::fs::read_to_string(p).ok())?;
    Some(
        text.lines()
            .filter_map(|l| {
                let mut w = l.strip_prefix("#define __NR_")?.split_whitespace();
                Some((w.next()?.to_string(), w.next()?.parse().ok()?))
            })
            .collect(),
    )
}

#[test]
fn numbers_are_the_x86_64_table() {
    for &sys in Sys::ALL {
        if let Some(nr) = x86_64::number(sys) {
            assert_eq!(x86_64::sys(nr), Some(sys), "{}", sys.name());
        }
    }
    let legacy = [
        (2, Sys::Open),
        (4, Sys::Stat),
        (6, Sys::Lstat),
        (7, Sys::Poll),
        (21, Sys::Access),
        (22, Sys::Pipe),
        (23, Sys::Select),
        (33, Sys::Dup2),
        (37, Sys::Alarm),
        (57, Sys::Fork),
        (58, Sys::Vfork),
        (78, Sys::Getdents),
        (82, Sys::Rename),
        (83, Sys::Mkdir),
        (84, Sys::Rmdir),
        (85, Sys::Creat),
        (86, Sys::Link),
        (87, Sys::Unlink),
        (88, Sys::Symlink),
        (89, Sys::Readlink),
        (90, Sys::Chmod),
        (92, Sys::Chown),
        (94, Sys::Lchown),
        (111, Sys::Getpgrp),
        (132, Sys::Utime),
        (158, Sys::ArchPrctl),
        (201, Sys::Time),
        (235, Sys::Utimes),
        (261, Sys::Futimesat),
    ];
    for (nr, sys) in legacy {
        assert_eq!(x86_64::sys(nr), Some(sys), "x86_64 {nr}");
        assert_eq!(riscv64::number(sys), None, "riscv64 has no {}", sys.name());
    }
    assert_eq!(x86_64::sys(0), Some(Sys::Read));
    assert_eq!(x86_64::sys(60), Some(Sys::Exit));
    assert_eq!(x86_64::sys(231), Some(Sys::ExitGroup));
    assert_eq!(x86_64::sys(264), Some(Sys::Renameat));
    assert_eq!(x86_64::number(Sys::RiscvHwprobe), None);
    assert_eq!(x86_64::number(Sys::RiscvFlushIcache), None);
    // Every call the kernel knows has a number on at least one ISA.
    for &sys in Sys::ALL {
        assert!(
            x86_64::number(sys).is_some() || riscv64::number(sys).is_some(),
            "{} is unreachable",
            sys.name()
        );
    }
    // The numbers of this machine's kernel headers, by name.
    let Some(header) = kernel_header_numbers() else {
        eprintln!("notice: no <asm/unistd_64.h> here; names not checked against it");
        return;
    };
    for &sys in Sys::ALL {
        if let Some(nr) = x86_64::number(sys) {
            assert_eq!(header.get(sys.name()), Some(&nr), "__NR_{}", sys.name());
        }
    }
}

#[test]
fn open_and_creat_are_openat() {
    let mut g = Guest::x86_64(&image());
    let p = g.str("/etc/hosts");
    let fd = g.sys(Sys::Open, [p, O_RDONLY as u64, 0]);
    assert_eq!(fd, 3);
    assert_eq!(g.read_fd(fd, 9).unwrap(), b"127.0.0.1");
    let fd2 = g.sys(Sys::Openat, [cwd(), p, O_RDONLY as u64, 0]);
    assert_eq!(fd2, 4);
    let missing = g.str("/nope");
    assert_eq!(
        g.sys(Sys::Open, [missing, O_RDONLY as u64, 0]),
        g.sys(Sys::Openat, [cwd(), missing, O_RDONLY as u64, 0])
    );
    assert_eq!(g.sys(Sys::Open, [missing, 0, 0]), err(Errno::ENOENT));

    // creat = O_CREAT|O_WRONLY|O_TRUNC.
    let f = g.str("/scratch/c");
    let fd = g.sys(Sys::Creat, [f, 0o640]);
    assert!(fd >= 0);
    assert_eq!(g.write_fd(fd, b"hello"), 5);
    assert_eq!(g.read_fd(fd, 5), Err(err(Errno::EBADF)), "write-only");
    let fd = g.sys(Sys::Creat, [f, 0o600]);
    assert_eq!(g.sys(Sys::Fstat, [fd as u64, 0x9000]), 0);
    let st = StatView::decode_x86_64(&g.read(0x9000, x86_64::STAT_SIZE as u64));
    assert_eq!(
        (st.mode, st.size),
        (S_IFREG | 0o640, 0),
        "truncated, mode kept"
    );
}

#[test]
fn stat_and_lstat_are_newfstatat() {
    let mut b = image();
    b.symlink("/etc/link", "hosts");
    let mut g = Guest::x86_64(&b);
    let size = x86_64::STAT_SIZE as u64;
    for (path, legacy, flags) in [
        ("/etc/hosts", Sys::Stat, 0),
        ("/etc/link", Sys::Stat, 0),
        ("/etc/link", Sys::Lstat, AT_SYMLINK_NOFOLLOW),
        ("/etc", Sys::Lstat, AT_SYMLINK_NOFOLLOW),
    ] {
        let p = g.str(path);
        let (b1, b2) = (g.alloc(size), g.alloc(size));
        assert_eq!(g.sys(legacy, [p, b1]), 0, "{path}");
        assert_eq!(g.sys(Sys::Newfstatat, [cwd(), p, b2, flags as u64]), 0);
        assert_eq!(g.read(b1, size), g.read(b2, size), "{path}");
    }
    let p = g.str("/etc/link");
    let buf = g.alloc(size);
    g.sys(Sys::Lstat, [p, buf]);
    let link = StatView::decode_x86_64(&g.read(buf, size));
    assert_eq!(link.mode & S_IFMT, S_IFLNK);
    assert_eq!(link.size, 5);
    g.sys(Sys::Stat, [p, buf]);
    let file = StatView::decode_x86_64(&g.read(buf, size));
    assert_eq!((file.mode, file.size, file.nlink), (S_IFREG | 0o644, 20, 1));
    assert_eq!(file.mtime, 1_700_000_000);
    // The bytes past riscv64's 128 are x86_64's (zero) reserved words, and
    // nothing is written beyond 144.
    g.write(buf + size, &[0xaa; 8]);
    g.sys(Sys::Stat, [p, buf]);
    assert_eq!(g.read(buf + 120, 24), [0; 24]);
    assert_eq!(g.read(buf + size, 8), [0xaa; 8]);
    let missing = g.str("/nope");
    assert_eq!(g.sys(Sys::Stat, [missing, buf]), err(Errno::ENOENT));
    assert_eq!(g.sys(Sys::Lstat, [p, BAD]), err(Errno::EFAULT));
}

#[test]
fn access_readlink_and_path_changes_are_their_at_calls() {
    let mut b = image();
    b.symlink("/etc/link", "hosts");
    let mut g = Guest::x86_64(&b);
    let hosts = g.str("/etc/hosts");
    let missing = g.str("/nope");
    for (p, mode) in [(hosts, R_OK), (hosts, X_OK), (missing, F_OK), (hosts, 0x40)] {
        assert_eq!(
            g.sys(Sys::Access, [p, mode as u64]),
            g.sys(Sys::Faccessat, [cwd(), p, mode as u64])
        );
    }
    assert_eq!(g.sys(Sys::Access, [hosts, X_OK as u64]), err(Errno::EACCES));

    let link = g.str("/etc/link");
    let (b1, b2) = (g.alloc(64), g.alloc(64));
    assert_eq!(g.sys(Sys::Readlink, [link, b1, 64]), 5);
    assert_eq!(g.sys(Sys::Readlinkat, [cwd(), link, b2, 64]), 5);
    assert_eq!(g.read(b1, 5), b"hosts");
    assert_eq!(g.read(b1, 64), g.read(b2, 64));
    assert_eq!(g.sys(Sys::Readlink, [hosts, b1, 64]), err(Errno::EINVAL));

    // mkdir / rmdir.
    let d = g.str("/scratch/d");
    assert_eq!(g.sys(Sys::Mkdir, [d, 0o750]), 0);
    assert_eq!(g.stat("/scratch/d", 0).unwrap().mode, S_IFDIR | 0o750);
    assert_eq!(g.sys(Sys::Mkdir, [d, 0o750]), err(Errno::EEXIST));
    assert_eq!(g.sys(Sys::Unlink, [d]), err(Errno::EISDIR));
    assert_eq!(g.sys(Sys::Rmdir, [d]), 0);
    assert_eq!(g.sys(Sys::Rmdir, [d]), err(Errno::ENOENT));
    assert_eq!(g.sys(Sys::Rmdir, [hosts]), err(Errno::ENOTDIR));

    // link / rename / unlink.
    let (a, bb, c) = (
        g.str("/scratch/a"),
        g.str("/scratch/b"),
        g.str("/scratch/c"),
    );
    let fd = g.sys(Sys::Creat, [a, 0o644]);
    assert_eq!(g.write_fd(fd, b"data"), 4);
    assert_eq!(g.sys(Sys::Link, [a, bb]), 0);
    assert_eq!(g.stat("/scratch/a", 0).unwrap().nlink, 2);
    assert_eq!(g.sys(Sys::Link, [a, bb]), err(Errno::EEXIST));
    assert_eq!(g.sys(Sys::Rename, [bb, c]), 0);
    assert_eq!(g.stat("/scratch/b", 0), Err(err(Errno::ENOENT)));
    assert_eq!(g.stat("/scratch/c", 0).unwrap().size, 4);
    assert_eq!(g.sys(Sys::Rename, [bb, c]), err(Errno::ENOENT));
    assert_eq!(g.sys(Sys::Unlink, [c]), 0);
    assert_eq!(g.stat("/scratch/a", 0).unwrap().nlink, 1);

    // symlink, chmod, chown / lchown.
    let s = g.str("/scratch/s");
    assert_eq!(g.sys(Sys::Symlink, [a, s]), 0);
    assert_eq!(
        g.stat("/scratch/s", AT_SYMLINK_NOFOLLOW).unwrap().mode & S_IFMT,
        S_IFLNK
    );
    assert_eq!(g.sys(Sys::Chmod, [s, 0o600]), 0, "follows the link");
    assert_eq!(g.stat("/scratch/a", 0).unwrap().mode, S_IFREG | 0o600);
    assert_eq!(g.sys(Sys::Chown, [s, 7, 8]), 0);
    let st = g.stat("/scratch/a", 0).unwrap();
    assert_eq!((st.uid, st.gid), (7, 8));
    assert_eq!(g.sys(Sys::Lchown, [s, 9, u32::MAX as u64]), 0);
    let st = g.stat("/scratch/s", AT_SYMLINK_NOFOLLOW).unwrap();
    assert_eq!((st.uid, st.gid), (9, 0), "the link itself, gid kept");
    assert_eq!(g.stat("/scratch/a", 0).unwrap().uid, 7);
    assert_eq!(g.sys(Sys::Chmod, [missing, 0o600]), err(Errno::ENOENT));
}

#[test]
fn pipe_dup2_poll_and_select() {
    let mut g = Guest::x86_64(&image());
    let fds = g.alloc(8);
    assert_eq!(g.sys(Sys::Pipe, [fds]), 0);
    let (r, w) = (
        u32::from_le_bytes(g.read(fds, 4).try_into().unwrap()) as i64,
        u32::from_le_bytes(g.read(fds + 4, 4).try_into().unwrap()) as i64,
    );
    assert_eq!((r, w), (3, 4));
    assert_eq!(
        g.sys(Sys::Fcntl, [r as u64, F_GETFD as u64]),
        0,
        "no cloexec"
    );

    // poll: nothing to read yet, writable; timeout 0 returns at once.
    let pfd = g.alloc(16);
    let set = |g: &mut Guest, fd: i64, events: u16, at: u64| {
        let mut e = [0u8; 8];
        e[..4].copy_from_slice(&(fd as i32).to_le_bytes());
        e[4..6].copy_from_slice(&events.to_le_bytes());
        g.write(at, &e);
    };
    set(&mut g, r, 1, pfd);
    set(&mut g, w, 4, pfd + 8);
    assert_eq!(g.sys(Sys::Poll, [pfd, 2, 0]), 1);
    assert_eq!(g.read(pfd + 6, 2), [0, 0]);
    assert_eq!(g.read(pfd + 14, 2), [4, 0]);
    assert_eq!(g.write_fd(w, b"x"), 1);
    let ts = g.alloc(16);
    assert_eq!(g.sys(Sys::Ppoll, [pfd, 2, ts, 0, 8]), 2);
    assert_eq!(g.sys(Sys::Poll, [pfd, 2, (-1i32).raw()]), 2);
    assert_eq!(g.read(pfd + 6, 2), [1, 0]);
    // An empty poll with a 1 ms timeout sleeps it out.
    let t0 = std::time::Instant::now();
    assert_eq!(g.sys(Sys::Poll, [pfd, 0, 1]), 0);
    assert!(t0.elapsed() >= std::time::Duration::from_millis(1));

    // select with a timeval, against pselect6 with a timespec.
    let rset = g.alloc(8);
    g.write(rset, &(1u64 << r).to_le_bytes());
    let tv = g.alloc(16);
    g.write(tv, &[0; 16]);
    assert_eq!(g.sys(Sys::Select, [5, rset, 0, 0, tv]), 1);
    assert_eq!(g.read_u64(rset), 1 << r);
    g.write(rset, &(1u64 << r).to_le_bytes());
    assert_eq!(g.sys(Sys::Pselect6, [5, rset, 0, 0, ts, 0]), 1);
    assert_eq!(g.read_fd(r, 1).unwrap(), b"x");
    // Nothing ready: the timeout (1 us) expires and is zeroed.
    g.write(rset, &(1u64 << r).to_le_bytes());
    g.write(tv, &[0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(g.sys(Sys::Select, [5, rset, 0, 0, tv]), 0);
    assert_eq!(g.read_u64(rset), 0);
    assert_eq!(g.read(tv, 16), [0; 16]);
    g.write(tv + 8, &1_000_000u64.to_le_bytes());
    assert_eq!(g.sys(Sys::Select, [5, rset, 0, 0, tv]), err(Errno::EINVAL));
    g.write(rset, &(1u64 << 9).to_le_bytes());
    assert_eq!(g.sys(Sys::Select, [10, rset, 0, 0, 0]), err(Errno::EBADF));

    // dup2: like dup3 without flags, but the same fd is returned if open.
    assert_eq!(g.sys(Sys::Dup2, [w as u64, w as u64]), w);
    assert_eq!(g.sys(Sys::Dup2, [9, 9]), err(Errno::EBADF));
    assert_eq!(
        g.sys(Sys::Dup3, [w as u64, w as u64, 0]),
        err(Errno::EINVAL)
    );
    assert_eq!(g.sys(Sys::Dup2, [w as u64, 10]), 10);
    assert_eq!(g.write_fd(10, b"yz"), 2);
    assert_eq!(g.read_fd(r, 2).unwrap(), b"yz");
    assert_eq!(g.sys(Sys::Dup2, [r as u64, 10]), 10, "replaces 10");
    assert_eq!(g.sys(Sys::Dup2, [99, 11]), err(Errno::EBADF));
}

#[test]
fn getdents_lists_like_getdents64() {
    let mut b = image();
    b.file("/d/a-long-file-name", b"", 0o644)
        .dir("/d/sub", 0o755)
        .symlink("/d/l", "x");
    let mut g = Guest::x86_64(&b);
    let names64 = g.list("/d");
    let fd = g.open("/d", O_RDONLY | O_DIRECTORY, 0);
    let mut entries = Vec::new();
    loop {
        // Small buffers: several calls.
        let buf = g.alloc(64);
        let n = g.sys(Sys::Getdents, [fd as u64, buf, 64]);
        assert!(n >= 0, "getdents: {n}");
        if n == 0 {
            break;
        }
        let data = g.read(buf, n as u64);
        let mut off = 0;
        while off < data.len() {
            let reclen = u16::from_le_bytes([data[off + 16], data[off + 17]]) as usize;
            assert_eq!(reclen % 8, 0);
            let name = &data[off + 18..off + reclen];
            let end = name.iter().position(|&b| b == 0).unwrap();
            let dtype = data[off + reclen - 1];
            entries.push((String::from_utf8(name[..end].to_vec()).unwrap(), dtype));
            off += reclen;
        }
    }
    let names: Vec<String> = entries.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(names, names64);
    let dtype = |n: &str| entries.iter().find(|(e, _)| e == n).unwrap().1;
    assert_eq!(
        (
            dtype("a-long-file-name"),
            dtype("sub"),
            dtype("l"),
            dtype(".")
        ),
        (DT_REG, DT_DIR, DT_LNK, DT_DIR)
    );
    assert_eq!(g.sys(Sys::Lseek, [fd as u64, 0, 0]), 0);
    assert_eq!(
        g.sys(Sys::Getdents, [fd as u64, 0x9000, 8]),
        err(Errno::EINVAL)
    );
    assert_eq!(dirent_len(1), 24);
    assert_eq!(dirent_len(4), 24);
    assert_eq!(dirent_len(5), 32);
}

#[test]
fn time_and_the_utime_family() {
    let mut g = Guest::x86_64(&image());
    let tloc = g.alloc(8);
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let t = g.sys(Sys::Time, [tloc]);
    assert!((t - before).abs() <= 2, "{t} vs {before}");
    assert_eq!(g.read_u64(tloc) as i64, t);
    assert!(g.sys(Sys::Time, [0]) >= t);
    assert_eq!(g.sys(Sys::Time, [BAD]), err(Errno::EFAULT));

    let f = g.str("/scratch/f");
    let fd = g.sys(Sys::Creat, [f, 0o644]);
    assert!(fd >= 0);
    // utime: struct utimbuf (actime, modtime) in seconds.
    let buf = g.alloc(32);
    g.write(
        buf,
        &[1000u64.to_le_bytes(), 2000u64.to_le_bytes()].concat(),
    );
    assert_eq!(g.sys(Sys::Utime, [f, buf]), 0);
    assert_eq!(g.stat("/scratch/f", 0).unwrap().mtime, 2000);
    // utimes / futimesat: struct timeval[2].
    let tv = [3000u64, 5, 4000, 999_999].map(u64::to_le_bytes).concat();
    g.write(buf, &tv);
    assert_eq!(g.sys(Sys::Utimes, [f, buf]), 0);
    assert_eq!(g.stat("/scratch/f", 0).unwrap().mtime, 4000);
    let scratch = g.open("/scratch", O_RDONLY | O_DIRECTORY, 0);
    let rel = g.str("f");
    g.write(buf + 16, &5000u64.to_le_bytes());
    assert_eq!(g.sys(Sys::Futimesat, [scratch as u64, rel, buf]), 0);
    assert_eq!(g.stat("/scratch/f", 0).unwrap().mtime, 5000);
    // The same as utimensat with those times.
    let ts = [3000u64, 5000, 6000, 999_999_000]
        .map(u64::to_le_bytes)
        .concat();
    g.write(buf, &ts);
    assert_eq!(g.sys(Sys::Utimensat, [cwd(), f, buf, 0]), 0);
    assert_eq!(g.stat("/scratch/f", 0).unwrap().mtime, 6000);
    g.write(buf + 24, &1_000_000u64.to_le_bytes());
    assert_eq!(g.sys(Sys::Utimes, [f, buf]), err(Errno::EINVAL));
    // NULL: now.
    assert_eq!(g.sys(Sys::Utime, [f, 0]), 0);
    assert!((g.stat("/scratch/f", 0).unwrap().mtime - before).abs() <= 2);
    let missing = g.str("/nope");
    assert_eq!(g.sys(Sys::Utimes, [missing, 0]), err(Errno::ENOENT));
}

#[test]
fn process_calls_follow_the_x86_64_abi() {
    let mut g = Guest::x86_64(&image());
    assert_eq!(g.sys(Sys::Getpgrp, []), 1);
    for sys in [Sys::Fork, Sys::Vfork] {
        assert_eq!(g.sys(sys, []), err(Errno::ENOSYS));
    }
    assert_eq!(g.sys(Sys::Alarm, [5]), err(Errno::ENOSYS));
    assert!(g.k.unimplemented().is_empty());

    // uname says x86_64.
    let buf = g.alloc(UTSNAME_SIZE as u64);
    assert_eq!(g.sys(Sys::Uname, [buf]), 0);
    assert_eq!(&g.read(buf + 4 * 65, 7), b"x86_64\0");

    // rt_sigaction: x86_64's 32-byte struct with sa_restorer, kept.
    let act = SigAction {
        handler: 0x401000,
        flags: x86_64::SA_RESTORER | 4,
        restorer: 0x402000,
        mask: (1 << 8) | (1 << 1),
    };
    let (new, old) = (g.alloc(40), g.alloc(40));
    g.write(new, &x86_64::encode_sigaction(&act));
    g.write(old + 32, &[0xaa; 8]);
    assert_eq!(g.sys(Sys::RtSigaction, [10, new, 0, 8]), 0);
    assert_eq!(g.sys(Sys::RtSigaction, [10, 0, old, 8]), 0);
    let got = x86_64::decode_sigaction(&g.read(old, 32).try_into().unwrap());
    assert_eq!(
        got,
        SigAction {
            mask: 1 << 1,
            ..act
        },
        "SIGKILL cannot be blocked"
    );
    assert_eq!(g.read(old + 32, 8), [0xaa; 8], "32 bytes, no more");

    // sigaltstack: x86_64's MINSIGSTKSZ.
    let ss = g.alloc(24);
    g.write(ss, &[0x5000u64, 0, 2047].map(u64::to_le_bytes).concat());
    assert_eq!(g.sys(Sys::Sigaltstack, [ss, 0]), err(Errno::ENOMEM));
    g.write(ss + 16, &2048u64.to_le_bytes());
    assert_eq!(g.sys(Sys::Sigaltstack, [ss, 0]), 0);

    // Unknown numbers are ENOSYS, and reported.
    use crate::kernel::Outcome;
    let n =
        g.k.syscall_on(Arch::X86_64, 500, [0; 6], &mut Cpu::default());
    assert_eq!(n, Outcome::Return(err(Errno::ENOSYS) as u64));
    assert_eq!(g.k.unimplemented().get(&500), Some(&1));
}

#[test]
fn arch_prctl_sets_and_gets_the_segment_bases() {
    let mut g = Guest::x86_64(&image());
    let mut cpu = Cpu::default();
    let code = |c: u32| c as u64;
    assert_eq!(
        g.sys_on(
            &mut cpu,
            Sys::ArchPrctl,
            [code(x86_64::ARCH_SET_FS), 0x12345678]
        ),
        0
    );
    assert_eq!(
        g.sys_on(
            &mut cpu,
            Sys::ArchPrctl,
            [code(x86_64::ARCH_SET_GS), 0x9abc_def0]
        ),
        0
    );
    assert_eq!((cpu.fs_base, cpu.gs_base), (0x12345678, 0x9abc_def0));
    let out = g.alloc(16);
    assert_eq!(
        g.sys_on(&mut cpu, Sys::ArchPrctl, [code(x86_64::ARCH_GET_FS), out]),
        0
    );
    assert_eq!(
        g.sys_on(
            &mut cpu,
            Sys::ArchPrctl,
            [code(x86_64::ARCH_GET_GS), out + 8]
        ),
        0
    );
    assert_eq!(
        (g.read_u64(out), g.read_u64(out + 8)),
        (0x12345678, 0x9abc_def0)
    );
    assert_eq!(
        g.sys_on(&mut cpu, Sys::ArchPrctl, [code(x86_64::ARCH_GET_FS), BAD]),
        err(Errno::EFAULT)
    );
    assert_eq!(
        g.sys_on(
            &mut cpu,
            Sys::ArchPrctl,
            [code(x86_64::ARCH_SET_FS), 1 << 47]
        ),
        err(Errno::EPERM)
    );
    assert_eq!(cpu.fs_base, 0x12345678, "unchanged");
    for other in [0x3001, 0x1011, 0x1012, 0x5001, 0] {
        assert_eq!(
            g.sys_on(&mut cpu, Sys::ArchPrctl, [other, out]),
            err(Errno::EINVAL),
            "{other:#x}"
        );
    }
    // Through the CPU's registers: rax = 158, rdi = code, rsi = addr.
    let abi = Arch::X86_64.syscall_abi();
    cpu.x[usize::from(abi.nr)] = 158;
    cpu.x[usize::from(abi.args[0])] = code(x86_64::ARCH_SET_FS);
    cpu.x[usize::from(abi.args[1])] = 0x7000_0000;
    assert_eq!(
        g.k.syscall(Arch::X86_64, &mut cpu),
        crate::kernel::Outcome::Return(0)
    );
    assert_eq!((cpu.fs_base, cpu.x[usize::from(abi.ret)]), (0x7000_0000, 0));
}

/// The layouts the kernel encodes, against this machine's kernel.
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
mod native_layouts {
    use super::*;
    use std::ffi::CString;
    use std::os::raw::{c_int, c_long};
    use std::os::unix::fs::MetadataExt;

    extern "C" {
        fn syscall(nr: c_long, ...) -> c_long;
        fn sigaction(sig: c_int, act: *const u8, old: *mut u8) -> c_int;
    }

    #[test]
    fn stat_is_byte_for_byte_the_kernels() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, vec![7u8; 5000]).unwrap();
        let c = CString::new(path.to_str().unwrap()).unwrap();
        let mut real = [0xffu8; 160];
        // SAFETY: stat(2) writes its 144-byte struct into the buffer.
        let r = unsafe { syscall(4, c.as_ptr(), real.as_mut_ptr()) };
        assert_eq!(r, 0);
        assert_eq!(real[144..], [0xff; 16], "x86_64's struct stat is 144 bytes");
        let m = std::fs::metadata(&path).unwrap();
        let ts = |sec: i64, nsec: i64| Timespec { sec, nsec };
        let st = Stat {
            dev: m.dev(),
            ino: m.ino(),
            mode: m.mode(),
            nlink: m.nlink() as u32,
            uid: m.uid(),
            gid: m.gid(),
            rdev: m.rdev(),
            size: m.size(),
            blksize: m.blksize() as u32,
            blocks: m.blocks(),
            atime: ts(m.atime(), m.atime_nsec()),
            mtime: ts(m.mtime(), m.mtime_nsec()),
            ctime: ts(m.ctime(), m.ctime_nsec()),
        };
        assert_eq!(x86_64::encode_stat(&st), real[..144]);
        // And the decoder the tests use reads it back.
        let v = StatView::decode_x86_64(&real[..144]);
        assert_eq!((v.size, v.mode, v.ino), (5000, m.mode(), m.ino()));
    }

    extern "C" fn handler(_: c_int) {}

    #[test]
    fn sigaction_is_the_kernels() {
        const SIGUSR2: c_long = 12;
        const SA_SIGINFO: u64 = 4;
        let act = SigAction {
            handler: handler as *const () as u64,
            flags: x86_64::SA_RESTORER | SA_SIGINFO,
            restorer: handler as *const () as u64 + 1,
            mask: (1 << 1) | (1 << 14),
        };
        let mine = x86_64::encode_sigaction(&act);
        let mut saved = [0u8; 32];
        let mut back = [0u8; 32];
        // SAFETY: rt_sigaction(2) with x86_64's 32-byte struct; the handler
        // is a real function, the signal is never raised, and the old action
        // is put back.
        unsafe {
            assert_eq!(
                syscall(13, SIGUSR2, mine.as_ptr(), saved.as_mut_ptr(), 8),
                0
            );
            assert_eq!(
                syscall(13, SIGUSR2, std::ptr::null::<u8>(), back.as_mut_ptr(), 8),
                0
            );
        }
        assert_eq!(back, mine, "the kernel keeps every field");
        assert_eq!(x86_64::decode_sigaction(&back), act);
        // glibc's struct sigaction (handler, sa_mask[16 words], int flags,
        // restorer) as glibc decodes the kernel's.
        let mut user = [0u8; 152];
        // SAFETY: glibc's sigaction fills its 152-byte struct.
        unsafe {
            assert_eq!(
                sigaction(SIGUSR2 as c_int, std::ptr::null(), user.as_mut_ptr()),
                0
            );
            assert_eq!(
                syscall(13, SIGUSR2, saved.as_ptr(), std::ptr::null_mut::<u8>(), 8),
                0
            );
        }
        let word = |o: usize| u64::from_le_bytes(user[o..o + 8].try_into().unwrap());
        assert_eq!(word(0), act.handler);
        assert_eq!(word(8), act.mask);
        assert_eq!(
            u32::from_le_bytes(user[136..140].try_into().unwrap()) as u64,
            act.flags
        );
        assert_eq!(word(144), act.restorer);
    }

    #[test]
    fn shared_layouts_are_the_kernels() {
        // sigaltstack's stack_t: sp, flags (int), size. The test harness's
        // threads have one (Rust's stack-overflow handler) or none.
        let mut old = [0xffu8; 24];
        // SAFETY: sigaltstack(2) writes a 24-byte stack_t.
        assert_eq!(
            unsafe { syscall(131, std::ptr::null::<u8>(), old.as_mut_ptr()) },
            0
        );
        let flags = u32::from_le_bytes(old[8..12].try_into().unwrap());
        let (sp, size) = (get_u64(&old, 0), get_u64(&old, 16));
        assert!(
            flags == SS_DISABLE || (flags == 0 && sp != 0 && size >= x86_64::MINSIGSTKSZ),
            "{flags} {sp:#x} {size}"
        );
        // sysinfo: mem_unit at 104 of 112 bytes, procs at 80.
        let mut si = [0u8; SYSINFO_SIZE];
        // SAFETY: sysinfo(2) writes its struct.
        assert_eq!(unsafe { syscall(99, si.as_mut_ptr()) }, 0);
        assert!(u32::from_le_bytes(si[104..108].try_into().unwrap()) >= 1);
        assert!(u16::from_le_bytes([si[80], si[81]]) >= 1);
        // getrlimit's struct rlimit.
        let mut rl = [0u8; 16];
        // SAFETY: getrlimit(2) writes 16 bytes.
        assert_eq!(
            unsafe { syscall(97, RLIMIT_NOFILE as c_long, rl.as_mut_ptr()) },
            0
        );
        let (cur, max) = decode_rlimit(&rl);
        assert!(cur <= max && cur > 0);
        // uname's struct utsname: six 65-byte fields, machine fifth.
        let mut u = [0u8; UTSNAME_SIZE];
        // SAFETY: uname(2) writes the struct.
        assert_eq!(unsafe { syscall(63, u.as_mut_ptr()) }, 0);
        assert_eq!(&u[4 * 65..4 * 65 + 7], b"x86_64\0");
    }
}

/// ELF header fields: (e_type, e_entry, e_phoff, e_phnum).
fn ehdr(file: &[u8]) -> (u16, u64, u64, u16) {
    let u64_at = |o: usize| u64::from_le_bytes(file[o..o + 8].try_into().unwrap());
    (
        u16::from_le_bytes([file[16], file[17]]),
        u64_at(24),
        u64_at(32),
        u16::from_le_bytes([file[56], file[57]]),
    )
}

/// Loads `file` as /bin/prog and checks the x86_64 start: entry, stack and
/// auxv; returns the guest and the load bias.
fn start_x86_64(file: &[u8], bias: u64) -> Guest {
    let mut b = ImageBuilder::new();
    b.file("/bin/prog", file, 0o755);
    let mut k = kernel(&b, &["/bin/prog", "one"], &[], &["A=b"]);
    let start = k.start().unwrap();
    assert_eq!(start.arch, Arch::X86_64);
    assert_eq!(k.arch(), Arch::X86_64);
    let (_, entry, phoff, phnum) = ehdr(file);
    assert_eq!(start.pc, entry + bias);
    assert_eq!(start.sp % 16, 0, "rsp 16-byte aligned at argc");
    let g = Guest { k, next: 0 };
    let stack = parse_stack(&g, start.sp);
    assert_eq!(stack.argv, ["/bin/prog", "one"]);
    assert_eq!(stack.envp.last().map(String::as_str), Some("A=b"));
    let aux = |key| stack.auxv.iter().find(|(k, _)| *k == key).map(|&(_, v)| v);
    assert_eq!(
        stack.auxv[0],
        (at::MINSIGSTKSZ, 2048),
        "x86_64's ARCH_DLINFO first"
    );
    assert_eq!(aux(33), None, "no AT_SYSINFO_EHDR: no vDSO");
    let leaf1 = c2w_isa::x86_64::cpuid::query(1, 0);
    assert_eq!(aux(at::HWCAP), Some(leaf1[3] as u64), "CPUID.1:EDX");
    assert_eq!(leaf1[3] & 1, 1, "an FPU at least");
    assert_eq!(aux(at::HWCAP2), Some(0));
    assert_eq!(aux(at::PAGESZ), Some(4096));
    assert_eq!(aux(at::CLKTCK), Some(100));
    assert_eq!(aux(at::PHENT), Some(56));
    assert_eq!(aux(at::PHNUM), Some(phnum as u64));
    assert_eq!(aux(at::BASE), Some(0));
    assert_eq!(aux(at::FLAGS), Some(0));
    assert_eq!(aux(at::ENTRY), Some(entry + bias));
    for key in [at::UID, at::EUID, at::GID, at::EGID, at::SECURE] {
        assert_eq!(aux(key), Some(0));
    }
    assert_eq!(cstr(&g, aux(at::PLATFORM).unwrap()), "x86_64");
    assert_eq!(cstr(&g, aux(at::EXECFN).unwrap()), "/bin/prog");
    assert!(aux(at::RANDOM).unwrap() > start.sp);
    assert_eq!(stack.auxv.last(), Some(&(at::NULL, 0)));
    // AT_PHDR points at the program headers, in memory.
    let phdr = aux(at::PHDR).unwrap();
    let n = phnum as u64 * 56;
    assert_eq!(g.read(phdr, n), &file[phoff as usize..(phoff + n) as usize]);
    assert_eq!(exe_link(&g.k), "/bin/prog");
    g
}

#[test]
fn busybox_static_starts() {
    let Ok(file) = std::fs::read("/bin/busybox") else {
        eprintln!("notice: no /bin/busybox here; the x86_64 BusyBox start is not tested");
        return;
    };
    if file.get(18..20) != Some(&EM_X86_64.to_le_bytes()[..]) {
        eprintln!("notice: /bin/busybox is not an x86_64 program; not tested");
        return;
    }
    let (etype, ..) = ehdr(&file);
    let bias = if etype == 3 { PIE_BASE } else { 0 };
    if start_error_or_none(&file).is_some_and(|m| m.contains("dynamically linked")) {
        eprintln!("notice: /bin/busybox is dynamically linked; not tested");
        return;
    }
    let mut g = start_x86_64(&file, bias);
    // Its first page is in memory, and it can make x86_64 calls.
    assert_eq!(g.read(0x400000 + bias, 4), b"\x7fELF");
    let buf = g.alloc(UTSNAME_SIZE as u64);
    assert_eq!(g.sys(Sys::Uname, [buf]), 0);
    assert_eq!(&g.read(buf + 4 * 65, 7), b"x86_64\0");
}

/// Why `file` does not start, if it does not.
fn start_error_or_none(file: &[u8]) -> Option<String> {
    let mut b = ImageBuilder::new();
    b.file("/bin/app", file, 0o755);
    let mut k = kernel(&b, &["/bin/app"], &[], &[]);
    k.start().err().map(|e| e.to_string())
}

/// Compiles `src` with `cc args` into a temporary program, or `None` (with
/// a notice) when the toolchain cannot.
fn compile(cc: &str, args: &[&str], src: &str) -> Option<Vec<u8>> {
    let dir = tempfile::tempdir().ok()?;
    let c = dir.path().join("t.c");
    let out = dir.path().join("t");
    std::fs::write(&c, src).ok()?;
    let status = std::process::Command::new(cc)
        .args(args)
        .arg("-o")
        .arg(&out)
        .arg(&c)
        .output();
    match status {
        Ok(o) if o.status.success() => std::fs::read(&out).ok(),
        Ok(o) => {
            eprintln!(
                "notice: {cc} {args:?} failed; not tested: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            None
        }
        Err(e) => {
            eprintln!("notice: no {cc} ({e}); not tested");
            None
        }
    }
}

const HELLO: &str = "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n";

#[test]
fn gcc_static_pie_is_loaded_at_the_kernel_base() {
    let Some(file) = compile("gcc", &["-static-pie", "-O1"], HELLO) else {
        return;
    };
    let (etype, ..) = ehdr(&file);
    assert_eq!(etype, 3, "static-pie is ET_DYN");
    let g = start_x86_64(&file, PIE_BASE);
    assert_eq!(g.read(PIE_BASE, 4), b"\x7fELF");
}

#[test]
fn musl_static_and_gcc_static_are_loaded_at_their_link_address() {
    for (cc, args) in [
        ("musl-gcc", &["-static"][..]),
        ("gcc", &["-static", "-no-pie"][..]),
    ] {
        let Some(file) = compile(cc, args, HELLO) else {
            continue;
        };
        let (etype, ..) = ehdr(&file);
        assert_eq!(etype, 2, "{cc}: ET_EXEC");
        start_x86_64(&file, 0);
    }
}

#[test]
fn dynamic_programs_name_their_interpreter() {
    if let Some(file) = compile("gcc", &[], HELLO) {
        let msg = start_error(&file);
        assert!(
            msg.starts_with(
                "/bin/app: dynamically linked programs are not supported yet (interpreter /"
            ),
            "{msg}"
        );
    }
    // A crafted one.
    let mut file = elf(
        EM_X86_64,
        3,
        &[(3, 0xb0, 0, 9, 9), (PT_LOAD, 0, 0, 0xb9, 0xb9)],
    );
    file.extend_from_slice(b"/lib/ld\0\0");
    assert_eq!(
        start_error(&file),
        "/bin/app: dynamically linked programs are not supported yet (interpreter /lib/ld)"
    );
}

#[test]
fn other_machines_are_refused_by_name() {
    let load = [(PT_LOAD, 0, 0x400000, 0x78, 0x78)];
    let arm = elf(EM_AARCH64, 2, &load);
    assert_eq!(
        start_error(&arm),
        "/bin/app: aarch64 programs are not supported yet"
    );
    // i386: a 32-bit ELF of machine EM_386.
    let mut i386 = elf(3, 2, &load);
    i386[4] = 1;
    assert_eq!(
        start_error(&i386),
        "/bin/app: i386 programs are not supported yet"
    );
    let mut x32 = elf(EM_X86_64, 2, &load);
    x32[4] = 1;
    assert_eq!(
        start_error(&x32),
        "/bin/app: x32 programs are not supported yet"
    );
    let mut rv32 = elf(243, 2, &load);
    rv32[4] = 1;
    assert_eq!(
        start_error(&rv32),
        "/bin/app: riscv32 programs are not supported yet"
    );
    // A crafted x86_64 ET_EXEC is accepted, its arch recorded.
    let mut ok = elf(EM_X86_64, 2, &[(PT_LOAD, 0, 0x400000, 0x78, 0x1000)]);
    ok[24..32].copy_from_slice(&0x400078u64.to_le_bytes());
    let g = start_x86_64(&ok, 0);
    assert_eq!(g.read(0x400078, 16), [0; 16], "bss");
}
