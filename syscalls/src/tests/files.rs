//! The file tree through syscalls: image files, the overlay, symlinks,
//! directories, host mounts, devices, pipes and descriptors.

use super::{err, ArgValue, Guest};
use crate::errno::Errno;
use crate::linux::*;
use crate::native::ImageBuilder;
use crate::table::Sys;

const HOSTS: &[u8] = b"127.0.0.1 localhost\n";

fn image() -> ImageBuilder {
    let mut b = ImageBuilder::new();
    b.file("/bin/busybox", b"\x7fELF not really", 0o755)
        .symlink("/bin/sh", "busybox")
        .symlink("/usr/bin/env", "/bin/busybox")
        .symlink("/loop/a", "b")
        .symlink("/loop/b", "a")
        .symlink("/etc/link-to-dir", "../usr")
        .file("/etc/hosts", HOSTS, 0o644)
        .dir("/scratch", 0o1777);
    b
}

#[test]
fn overlay_create_write_seek_rename_unlink_getdents() {
    let mut g = Guest::new(&image());
    let fd = g.open("/scratch/a", O_CREAT | O_RDWR | O_EXCL, 0o666);
    assert_eq!(fd, 3);
    assert_eq!(g.write_fd(fd, b"hello world"), 11);
    assert_eq!(g.sys(Sys::Lseek, [fd as u64, 6, SEEK_SET as u64]), 6);
    assert_eq!(g.read_fd(fd, 100).unwrap(), b"world");
    assert_eq!(
        g.sys(Sys::Lseek, [fd as u64, (-5i64).raw(), SEEK_END as u64]),
        6
    );
    assert_eq!(g.write_fd(fd, b"there!"), 6);
    assert_eq!(g.sys(Sys::Pread64, [fd as u64, 0x2000, 5, 0]), 5);
    assert_eq!(g.read(0x2000, 5), b"hello");
    let st = g.stat("/scratch/a", 0).unwrap();
    assert_eq!(
        (st.mode, st.size, st.blocks, st.nlink),
        (S_IFREG | 0o644, 12, 8, 1),
        "umask 022 applied"
    );
    assert_eq!(
        g.open("/scratch/a", O_CREAT | O_EXCL | O_RDWR, 0o644),
        err(Errno::EEXIST)
    );

    let (old, new) = (g.str("/scratch/a"), g.str("/scratch/b"));
    let cwd = AT_FDCWD.raw();
    assert_eq!(g.sys(Sys::Renameat2, [cwd, old, cwd, new, 0]), 0);
    assert_eq!(g.open("/scratch/a", O_RDONLY, 0), err(Errno::ENOENT));
    assert_eq!(g.list("/scratch"), [".", "..", "b"]);
    // The open descriptor still reads the renamed file.
    assert_eq!(g.sys(Sys::Lseek, [fd as u64, 0, SEEK_SET as u64]), 0);
    assert_eq!(g.read_fd(fd, 100).unwrap(), b"hello there!");

    let b = g.str("/scratch/b");
    assert_eq!(g.sys(Sys::Unlinkat, [cwd, b, 0]), 0);
    assert_eq!(g.list("/scratch"), [".", ".."]);
    // Unlinked but open: still readable until closed.
    assert_eq!(g.sys(Sys::Pread64, [fd as u64, 0x2000, 5, 6]), 5);
    assert_eq!(g.read(0x2000, 5), b"there");
    assert_eq!(g.sys(Sys::Close, [fd as u64]), 0);
    assert_eq!(g.sys(Sys::Close, [fd as u64]), err(Errno::EBADF));
}

#[test]
fn image_files_are_a_read_only_base_with_copy_up() {
    let mut g = Guest::new(&image());
    let st = g.stat("/etc/hosts", 0).unwrap();
    assert_eq!(
        (st.mode, st.size, st.mtime, st.blksize),
        (S_IFREG | 0o644, HOSTS.len() as u64, 1_700_000_000, 4096)
    );
    let fd = g.open("/etc/hosts", O_RDONLY, 0);
    assert_eq!(g.read_fd(fd, 100).unwrap(), HOSTS);
    assert_eq!(g.write_fd(fd, b"x"), err(Errno::EBADF));

    let w = g.open("/etc/hosts", O_WRONLY, 0);
    assert_eq!(g.write_fd(w, b"10"), 2);
    // Both descriptions see the overlay copy; the image's segment is untouched.
    assert_eq!(g.sys(Sys::Pread64, [fd as u64, 0x2000, 9, 0]), 9);
    assert_eq!(g.read(0x2000, 9), b"107.0.0.1");
    let seg =
        g.k.manifest
            .files
            .iter()
            .find(|f| f.path == "/etc/hosts")
            .unwrap()
            .segment;
    let mut original = vec![0; HOSTS.len()];
    crate::host::Host::data_read(g.k.host_mut(), seg, 0, &mut original);
    assert_eq!(original, HOSTS);

    assert!(g.open("/etc/hosts", O_WRONLY | O_TRUNC, 0) >= 0);
    assert_eq!(g.stat("/etc/hosts", 0).unwrap().size, 0);
    assert_eq!(
        g.stat("/etc/hosts", 0).unwrap().ino,
        st.ino,
        "inode numbers are stable"
    );
}

#[test]
fn symlinks_dot_dot_and_errors() {
    let mut g = Guest::new(&image());
    let busybox = g.stat("/bin/busybox", 0).unwrap();
    assert_eq!(g.stat("/bin/sh", 0).unwrap().ino, busybox.ino);
    assert_eq!(g.stat("/usr/bin/env", 0).unwrap().ino, busybox.ino);
    let link = g.stat("/bin/sh", AT_SYMLINK_NOFOLLOW).unwrap();
    assert_eq!((link.mode & S_IFMT, link.size), (S_IFLNK, 7));
    assert_eq!(
        g.stat("/usr/../etc/./hosts", 0).unwrap().size,
        HOSTS.len() as u64
    );
    assert_eq!(
        g.stat("/etc/link-to-dir/bin/env", 0).unwrap().ino,
        busybox.ino
    );
    assert_eq!(
        g.stat("/etc/link-to-dir/..", 0).unwrap().ino,
        g.stat("/", 0).unwrap().ino
    );
    assert_eq!(g.stat("/loop/a", 0), Err(err(Errno::ELOOP)));
    assert_eq!(g.stat("/etc/hosts/x", 0), Err(err(Errno::ENOTDIR)));
    assert_eq!(g.stat("/etc/hosts/", 0), Err(err(Errno::ENOTDIR)));
    assert_eq!(g.stat("/nope/x", 0), Err(err(Errno::ENOENT)));
    assert_eq!(g.stat("", 0), Err(err(Errno::ENOENT)));
    assert_eq!(
        g.open("/bin/sh", O_RDONLY | O_NOFOLLOW, 0),
        err(Errno::ELOOP)
    );
    assert_eq!(
        g.open("/etc/hosts", O_RDONLY | O_DIRECTORY, 0),
        err(Errno::ENOTDIR)
    );
    assert_eq!(g.open("/etc", O_RDWR, 0), err(Errno::EISDIR));

    let (p, buf) = (g.str("/bin/sh"), g.alloc(64));
    assert_eq!(g.sys(Sys::Readlinkat, [AT_FDCWD.raw(), p, buf, 64]), 7);
    assert_eq!(g.read(buf, 7), b"busybox");
    let p = g.str("/etc/hosts");
    assert_eq!(
        g.sys(Sys::Readlinkat, [AT_FDCWD.raw(), p, buf, 64]),
        err(Errno::EINVAL)
    );
    let p = g.str("/proc/self/exe");
    assert_eq!(g.sys(Sys::Readlinkat, [AT_FDCWD.raw(), p, buf, 64]), 8);
    assert_eq!(g.read(buf, 8), b"/bin/app");

    // New symlinks in the overlay, relative to a dirfd.
    let dir = g.open("/scratch", O_RDONLY | O_DIRECTORY, 0);
    let (target, name) = (g.str("../etc/hosts"), g.str("h"));
    assert_eq!(g.sys(Sys::Symlinkat, [target, dir as u64, name]), 0);
    assert_eq!(
        g.sys(Sys::Openat, [dir as u64, name, O_RDONLY as u64, 0]),
        4
    );
    assert_eq!(g.read_fd(4, 9).unwrap(), b"127.0.0.1");
    assert_eq!(
        g.sys(Sys::Symlinkat, [target, dir as u64, name]),
        err(Errno::EEXIST)
    );
}

#[test]
fn directories_cwd_and_metadata() {
    let mut g = Guest::new(&image());
    let cwd = AT_FDCWD.raw();
    let d = g.str("/scratch/d");
    assert_eq!(g.sys(Sys::Mkdirat, [cwd, d, 0o777]), 0);
    assert_eq!(g.sys(Sys::Mkdirat, [cwd, d, 0o777]), err(Errno::EEXIST));
    let st = g.stat("/scratch/d", 0).unwrap();
    assert_eq!((st.mode, st.nlink), (S_IFDIR | 0o755, 2));
    assert_eq!(g.stat("/scratch", 0).unwrap().nlink, 3);

    assert_eq!(g.sys(Sys::Chdir, [d]), 0);
    let buf = g.alloc(64);
    assert_eq!(g.sys(Sys::Getcwd, [buf, 64]), 11);
    assert_eq!(g.read(buf, 11), b"/scratch/d\0");
    assert_eq!(g.sys(Sys::Getcwd, [buf, 3]), err(Errno::ERANGE));
    let f = g.open("f", O_CREAT | O_WRONLY, 0o600);
    assert!(f >= 0);
    assert_eq!(g.stat("/scratch/d/f", 0).unwrap().mode, S_IFREG | 0o600);
    assert_eq!(g.sys(Sys::Unlinkat, [cwd, d, 0]), err(Errno::EISDIR));
    assert_eq!(
        g.sys(Sys::Unlinkat, [cwd, d, AT_REMOVEDIR as u64]),
        err(Errno::ENOTEMPTY)
    );
    let fname = g.str("f");
    assert_eq!(g.sys(Sys::Fchmodat, [cwd, fname, 0o751]), 0);
    assert_eq!(g.stat("f", 0).unwrap().mode, S_IFREG | 0o751);
    let x = g.str("/etc/hosts");
    assert_eq!(
        g.sys(Sys::Faccessat, [cwd, x, X_OK as u64]),
        err(Errno::EACCES)
    );
    assert_eq!(g.sys(Sys::Faccessat, [cwd, fname, X_OK as u64]), 0);
    assert_eq!(g.sys(Sys::Unlinkat, [cwd, fname, 0]), 0);
    let up = g.str("..");
    assert_eq!(g.sys(Sys::Chdir, [up]), 0);
    assert_eq!(g.sys(Sys::Unlinkat, [cwd, d, AT_REMOVEDIR as u64]), 0);
    assert_eq!(g.list("/scratch"), [".", ".."]);

    // utimensat on an image file copies nothing but records the time.
    let times = g.alloc(32);
    g.write(times, &Timespec { sec: 1234, nsec: 0 }.encode());
    g.write(
        times + 16,
        &Timespec {
            sec: 5678,
            nsec: UTIME_OMIT as i64,
        }
        .encode(),
    );
    assert_eq!(g.sys(Sys::Utimensat, [cwd, x, times, 0]), 0);
    assert_eq!(
        g.stat("/etc/hosts", 0).unwrap().mtime,
        1_700_000_000,
        "mtime omitted"
    );
    g.write(times + 16, &Timespec { sec: 5678, nsec: 0 }.encode());
    assert_eq!(g.sys(Sys::Utimensat, [cwd, x, times, 0]), 0);
    assert_eq!(g.stat("/etc/hosts", 0).unwrap().mtime, 5678);

    // Renaming a directory into itself is refused; renaming over a file is not.
    let (a, b) = (g.str("/scratch/x"), g.str("/scratch/x/y"));
    assert_eq!(g.sys(Sys::Mkdirat, [cwd, a, 0o755]), 0);
    assert_eq!(
        g.sys(Sys::Renameat2, [cwd, a, cwd, b, 0]),
        err(Errno::EINVAL)
    );
    let listing = g.list("/");
    assert!(
        listing.contains(&"dev".to_string()) && listing.contains(&"proc".to_string()),
        "{listing:?}"
    );
}

#[test]
fn host_directories_are_mounted_and_written_through() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.txt"), b"from the host").unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let path = dir.path().to_path_buf();
    let mut g = Guest::with_host(&image(), |h| {
        h.preopen(path, "/mnt/data");
    });
    assert_eq!(g.stat("/mnt/data/in.txt", 0).unwrap().size, 13);
    let fd = g.open("/mnt/data/in.txt", O_RDONLY, 0);
    assert_eq!(g.read_fd(fd, 100).unwrap(), b"from the host");
    let out = g.open("/mnt/data/sub/out.txt", O_CREAT | O_WRONLY | O_TRUNC, 0o644);
    assert!(out >= 0, "{out}");
    assert_eq!(g.write_fd(out, b"written by the guest"), 20);
    assert_eq!(g.sys(Sys::Close, [out as u64]), 0);
    assert_eq!(
        std::fs::read(dir.path().join("sub/out.txt")).unwrap(),
        b"written by the guest"
    );
    let mut names = g.list("/mnt/data");
    names.sort();
    assert_eq!(names, [".", "..", "in.txt", "sub"]);

    let (a, b) = (g.str("/mnt/data/in.txt"), g.str("/mnt/data/sub/moved.txt"));
    let cwd = AT_FDCWD.raw();
    assert_eq!(g.sys(Sys::Renameat2, [cwd, a, cwd, b, 0]), 0);
    assert!(dir.path().join("sub/moved.txt").exists());
    let tmp = g.str("/scratch/x");
    assert_eq!(
        g.sys(Sys::Renameat2, [cwd, b, cwd, tmp, 0]),
        err(Errno::EXDEV)
    );
    let sub = g.str("/mnt/data/sub");
    assert_eq!(g.sys(Sys::Chdir, [sub]), 0);
    let buf = g.alloc(64);
    let n = g.sys(Sys::Getcwd, [buf, 64]);
    assert_eq!(g.read(buf, n as u64), b"/mnt/data/sub\0");
    assert_eq!(g.stat("../sub/moved.txt", 0).unwrap().size, 13);
    assert_eq!(
        g.stat("../../../etc/hosts", 0).unwrap().size,
        HOSTS.len() as u64
    );
    let m = g.str("moved.txt");
    assert_eq!(g.sys(Sys::Unlinkat, [cwd, m, 0]), 0);
    assert!(!dir.path().join("sub/moved.txt").exists());
    let data = g.str("/mnt/data");
    assert_eq!(
        g.sys(Sys::Unlinkat, [cwd, data, AT_REMOVEDIR as u64]),
        err(Errno::EBUSY)
    );
}

#[test]
fn devices() {
    let mut g = Guest::new(&image());
    let null = g.open("/dev/null", O_RDWR, 0);
    assert_eq!(g.read_fd(null, 10).unwrap(), b"");
    assert_eq!(g.write_fd(null, b"gone"), 4);
    let zero = g.open("/dev/zero", O_RDONLY, 0);
    let buf = g.alloc(8);
    g.write(buf, &[0xff; 8]);
    assert_eq!(g.sys(Sys::Read, [zero as u64, buf, 8]), 8);
    assert_eq!(g.read(buf, 8), [0; 8]);
    let random = g.open("/dev/urandom", O_RDONLY, 0);
    assert_eq!(g.read_fd(random, 32).unwrap().len(), 32);
    let st = g.stat("/dev/null", 0).unwrap();
    assert_eq!(st.mode, S_IFCHR | 0o666);
    let out = g.open("/dev/stdout", O_WRONLY, 0);
    assert_eq!(g.write_fd(out, b"via /dev/stdout\n"), 16);
    assert_eq!(g.k.host().stdout(), b"via /dev/stdout\n");
}

#[test]
fn pipes_dup_and_fcntl() {
    let mut g = Guest::new(&image());
    let fds = g.alloc(8);
    assert_eq!(g.sys(Sys::Pipe2, [fds, O_CLOEXEC as u64]), 0);
    let (r, w) = (g.read(fds, 4), g.read(fds + 4, 4));
    let (r, w) = (
        u32::from_le_bytes(r.try_into().unwrap()) as i64,
        u32::from_le_bytes(w.try_into().unwrap()) as i64,
    );
    assert_eq!((r, w), (3, 4));
    assert_eq!(g.sys(Sys::Fcntl, [r as u64, F_GETFD as u64, 0]), 1);
    assert_eq!(
        g.read_fd(r, 10),
        Err(err(Errno::EAGAIN)),
        "empty pipe with a writer"
    );
    assert_eq!(g.write_fd(w, b"through the pipe"), 16);
    assert_eq!(g.read_fd(r, 7).unwrap(), b"through");
    let w2 = g.sys(Sys::Dup, [w as u64]);
    assert_eq!(w2, 5);
    assert_eq!(g.sys(Sys::Fcntl, [w2 as u64, F_GETFD as u64, 0]), 0);
    assert_eq!(g.sys(Sys::Close, [w as u64]), 0);
    assert_eq!(g.read_fd(r, 100).unwrap(), b" the pipe");
    assert_eq!(
        g.read_fd(r, 100),
        Err(err(Errno::EAGAIN)),
        "a dup'ed writer is still open"
    );
    assert_eq!(g.sys(Sys::Close, [w2 as u64]), 0);
    assert_eq!(
        g.read_fd(r, 100).unwrap(),
        b"",
        "EOF once all writers are closed"
    );

    // dup3 onto stdout redirects it.
    let fds2 = g.alloc(8);
    assert_eq!(g.sys(Sys::Pipe2, [fds2, 0]), 0);
    let (r2, w2) = (g.read(fds2, 4)[0] as u64, g.read(fds2 + 4, 4)[0] as u64);
    assert_eq!(g.sys(Sys::Dup3, [w2, 1, 0]), 1);
    assert_eq!(g.write_fd(1, b"captured"), 8);
    assert_eq!(g.read_fd(r2 as i64, 100).unwrap(), b"captured");
    assert_eq!(g.sys(Sys::Fcntl, [1, F_GETFL as u64, 0]), (O_WRONLY) as i64);
    assert_eq!(g.sys(Sys::Fcntl, [1, F_DUPFD_CLOEXEC as u64, 10]), 10);
    assert_eq!(g.sys(Sys::Fcntl, [10, F_GETFD as u64, 0]), 1);
    assert_eq!(g.sys(Sys::Close, [r as u64]), 0);
    assert_eq!(g.sys(Sys::Close, [r2]), 0);
    assert_eq!(g.write_fd(1, b"x"), err(Errno::EPIPE));
}

#[test]
fn ioctl_reports_terminals_only_when_the_host_has_one() {
    let mut g = Guest::new(&image());
    let buf = g.alloc(64);
    assert_eq!(
        g.sys(Sys::Ioctl, [1, TCGETS as u64, buf]),
        err(Errno::ENOTTY)
    );
    assert_eq!(
        g.sys(Sys::Ioctl, [1, TIOCGWINSZ as u64, buf]),
        err(Errno::ENOTTY)
    );
    let mut g = Guest::with_host(&image(), |h| h.tty = [true, true, false]);
    assert_eq!(g.sys(Sys::Ioctl, [1, TCGETS as u64, buf]), 0);
    assert_eq!(g.sys(Sys::Ioctl, [1, TIOCGWINSZ as u64, buf]), 0);
    assert_eq!(g.read(buf, 4), [24, 0, 80, 0]);
    assert_eq!(
        g.sys(Sys::Ioctl, [2, TCGETS as u64, buf]),
        err(Errno::ENOTTY)
    );
    g.write(buf, &1u32.to_le_bytes());
    assert_eq!(g.sys(Sys::Ioctl, [2, FIONBIO as u64, buf]), 0);
    assert_eq!(
        g.sys(Sys::Fcntl, [2, F_GETFL as u64, 0]) as u32 & O_NONBLOCK,
        O_NONBLOCK
    );
}

#[test]
fn statx_and_fstat_agree() {
    let mut g = Guest::new(&image());
    let fd = g.open("/etc/hosts", O_RDONLY, 0);
    let buf = g.alloc(256);
    assert_eq!(g.sys(Sys::Fstat, [fd as u64, buf]), 0);
    let st = super::StatView::decode(&g.read(buf, 128));
    let (empty, sx) = (g.str(""), g.alloc(256));
    assert_eq!(
        g.sys(
            Sys::Statx,
            [fd as u64, empty, AT_EMPTY_PATH as u64, 0x7ff, sx]
        ),
        0
    );
    let b = g.read(sx, 256);
    assert_eq!(u16::from_le_bytes([b[28], b[29]]) as u32, st.mode);
    assert_eq!(u64::from_le_bytes(b[32..40].try_into().unwrap()), st.ino);
    assert_eq!(u64::from_le_bytes(b[40..48].try_into().unwrap()), st.size);
    assert_eq!(
        u64::from_le_bytes(b[112..120].try_into().unwrap()) as i64,
        st.mtime
    );
}

#[test]
fn poll_and_select_report_readiness() {
    let mut g = Guest::new(&image());
    let fds = g.alloc(8);
    assert_eq!(g.sys(Sys::Pipe2, [fds, 0]), 0);
    let (r, w) = (g.read(fds, 1)[0] as u64, g.read(fds + 4, 1)[0] as u64);
    const POLLIN: u16 = 1;
    const POLLOUT: u16 = 4;
    const POLLHUP: u16 = 0x10;
    const POLLNVAL: u16 = 0x20;
    let pollfds = g.alloc(24);
    let set = |g: &mut Guest, i: u64, fd: i32, events: u16| {
        g.write(pollfds + 8 * i, &fd.to_le_bytes());
        g.write(pollfds + 8 * i + 4, &events.to_le_bytes());
    };
    let revents =
        |g: &Guest, i: u64| u16::from_le_bytes(g.read(pollfds + 8 * i + 6, 2).try_into().unwrap());
    set(&mut g, 0, r as i32, POLLIN);
    set(&mut g, 1, w as i32, POLLOUT);
    set(&mut g, 2, 42, POLLIN);
    assert_eq!(g.sys(Sys::Ppoll, [pollfds, 3, 0, 0, 8]), 2);
    assert_eq!(
        (revents(&g, 0), revents(&g, 1), revents(&g, 2)),
        (0, POLLOUT, POLLNVAL)
    );
    assert_eq!(g.write_fd(w as i64, b"x"), 1);
    assert_eq!(g.sys(Sys::Ppoll, [pollfds, 1, 0, 0, 8]), 1);
    assert_eq!(revents(&g, 0), POLLIN);
    assert_eq!(g.sys(Sys::Close, [w]), 0);
    assert_eq!(g.read_fd(r as i64, 1).unwrap(), b"x");
    assert_eq!(g.sys(Sys::Ppoll, [pollfds, 1, 0, 0, 8]), 1);
    assert_eq!(revents(&g, 0), POLLHUP, "writer gone");

    // select: the pipe's read end is readable (EOF), stdout writable.
    let (rset, wset) = (g.alloc(8), g.alloc(8));
    g.write(rset, &(1u64 << r).to_le_bytes());
    g.write(wset, &(1u64 << 1).to_le_bytes());
    assert_eq!(g.sys(Sys::Pselect6, [r + 1, rset, wset, 0, 0, 0]), 2);
    assert_eq!((g.read_u64(rset), g.read_u64(wset)), (1 << r, 1 << 1));
    g.write(rset, &(1u64 << 9).to_le_bytes());
    assert_eq!(
        g.sys(Sys::Pselect6, [10, rset, 0, 0, 0, 0]),
        err(Errno::EBADF)
    );
}

#[test]
fn reads_past_the_end_and_truncation() {
    let mut g = Guest::new(&image());
    let fd = g.open("/etc/hosts", O_RDWR, 0) as u64;
    let buf = g.alloc(16);
    assert_eq!(
        g.sys(Sys::Pread64, [fd, buf, 16, 1000]),
        0,
        "image file, past its end"
    );
    assert_eq!(g.sys(Sys::Ftruncate, [fd, 4]), 0);
    assert_eq!(
        g.sys(Sys::Pread64, [fd, buf, 16, 1000]),
        0,
        "overlay file, past its end"
    );
    assert_eq!(g.sys(Sys::Ftruncate, [fd, 8]), 0);
    assert_eq!(g.sys(Sys::Pread64, [fd, buf, 16, 0]), 8);
    assert_eq!(g.read(buf, 8), b"127.\0\0\0\0", "extended with zeros");
    assert_eq!(
        g.sys(Sys::Ftruncate, [fd, (-1i64).raw()]),
        err(Errno::EINVAL)
    );
    let path = g.str("/etc/hosts");
    assert_eq!(g.sys(Sys::Truncate, [path, 2]), 0);
    assert_eq!(g.stat("/etc/hosts", 0).unwrap().size, 2);
    let ro = g.open("/etc/hosts", O_RDONLY, 0) as u64;
    assert_eq!(g.sys(Sys::Ftruncate, [ro, 0]), err(Errno::EINVAL));
    let dir = g.str("/etc");
    assert_eq!(g.sys(Sys::Truncate, [dir, 0]), err(Errno::EISDIR));
    // A write far past the end makes a sparse-looking (zero-filled) file.
    g.write(buf, b"z");
    assert_eq!(g.sys(Sys::Pwrite64, [fd, buf, 1, 100]), 1);
    assert_eq!(g.stat("/etc/hosts", 0).unwrap().size, 101);
}

#[test]
fn manifests_with_missing_data_are_refused() {
    let (mut manifest, segments) = image().build(&["/bin/busybox"]);
    let hosts = manifest
        .files
        .iter_mut()
        .find(|f| f.path == "/etc/hosts")
        .unwrap();
    hosts.size = 1 << 20;
    let host = crate::native::NativeHost::new(segments);
    let e = crate::Kernel::new(host, manifest, vec![], vec![])
        .err()
        .unwrap();
    assert_eq!(
        e.to_string(),
        "image manifest: /etc/hosts: its data segment is shorter than its size"
    );
}
