//! The syscall layer's [`Host`] over WASI preview 1, plus the translator's
//! `c2w` imports for the image's data segments, and linear-memory growth for
//! guest memory.

use core::arch::wasm32;

use c2w_syscalls::errno::{Errno, SysResult};
use c2w_syscalls::host::*;
use c2w_syscalls::layout::{GUEST_BASE, GUEST_LIMIT};

#[link(wasm_import_module = "c2w")]
extern "C" {
    /// Length of data segment `seg`.
    fn data_len(seg: i32) -> i32;
    /// `memory.init`: copies `len` bytes of segment `seg` from `off` to
    /// linear address `dst`.
    fn data_copy(seg: i32, dst: i32, off: i32, len: i32);
}

const WASM_PAGE: u64 = 65536;
/// Longest symlink target read back.
const READLINK_MAX: usize = 4096;
/// Size of the buffer fd_readdir fills per call.
const READDIR_BUF: usize = 16 * 1024;
/// Size of WASI's `dirent` header before the name.
const DIRENT_SIZE: usize = core::mem::size_of::<wasi::Dirent>();

/// WASI errno -> Linux errno.
const ERRNOS: &[(wasi::Errno, Errno)] = &[
    (wasi::ERRNO_2BIG, Errno::E2BIG),
    (wasi::ERRNO_ACCES, Errno::EACCES),
    (wasi::ERRNO_ADDRINUSE, Errno::EADDRINUSE),
    (wasi::ERRNO_ADDRNOTAVAIL, Errno::EADDRNOTAVAIL),
    (wasi::ERRNO_AFNOSUPPORT, Errno::EAFNOSUPPORT),
    (wasi::ERRNO_AGAIN, Errno::EAGAIN),
    (wasi::ERRNO_ALREADY, Errno::EALREADY),
    (wasi::ERRNO_BADF, Errno::EBADF),
    (wasi::ERRNO_BADMSG, Errno::EBADMSG),
    (wasi::ERRNO_BUSY, Errno::EBUSY),
    (wasi::ERRNO_CANCELED, Errno::ECANCELED),
    (wasi::ERRNO_CHILD, Errno::ECHILD),
    (wasi::ERRNO_CONNABORTED, Errno::ECONNABORTED),
    (wasi::ERRNO_CONNREFUSED, Errno::ECONNREFUSED),
    (wasi::ERRNO_CONNRESET, Errno::ECONNRESET),
    (wasi::ERRNO_DEADLK, Errno::EDEADLK),
    (wasi::ERRNO_DESTADDRREQ, Errno::EDESTADDRREQ),
    (wasi::ERRNO_DOM, Errno::EDOM),
    (wasi::ERRNO_DQUOT, Errno::EDQUOT),
    (wasi::ERRNO_EXIST, Errno::EEXIST),
    (wasi::ERRNO_FAULT, Errno::EFAULT),
    (wasi::ERRNO_FBIG, Errno::EFBIG),
    (wasi::ERRNO_HOSTUNREACH, Errno::EHOSTUNREACH),
    (wasi::ERRNO_IDRM, Errno::EIDRM),
    (wasi::ERRNO_ILSEQ, Errno::EILSEQ),
    (wasi::ERRNO_INPROGRESS, Errno::EINPROGRESS),
    (wasi::ERRNO_INTR, Errno::EINTR),
    (wasi::ERRNO_INVAL, Errno::EINVAL),
    (wasi::ERRNO_IO, Errno::EIO),
    (wasi::ERRNO_ISCONN, Errno::EISCONN),
    (wasi::ERRNO_ISDIR, Errno::EISDIR),
    (wasi::ERRNO_LOOP, Errno::ELOOP),
    (wasi::ERRNO_MFILE, Errno::EMFILE),
    (wasi::ERRNO_MLINK, Errno::EMLINK),
    (wasi::ERRNO_MSGSIZE, Errno::EMSGSIZE),
    (wasi::ERRNO_MULTIHOP, Errno::EMULTIHOP),
    (wasi::ERRNO_NAMETOOLONG, Errno::ENAMETOOLONG),
    (wasi::ERRNO_NETDOWN, Errno::ENETDOWN),
    (wasi::ERRNO_NETRESET, Errno::ENETRESET),
    (wasi::ERRNO_NETUNREACH, Errno::ENETUNREACH),
    (wasi::ERRNO_NFILE, Errno::ENFILE),
    (wasi::ERRNO_NOBUFS, Errno::ENOBUFS),
    (wasi::ERRNO_NODEV, Errno::ENODEV),
    (wasi::ERRNO_NOENT, Errno::ENOENT),
    (wasi::ERRNO_NOEXEC, Errno::ENOEXEC),
    (wasi::ERRNO_NOLCK, Errno::ENOLCK),
    (wasi::ERRNO_NOLINK, Errno::ENOLINK),
    (wasi::ERRNO_NOMEM, Errno::ENOMEM),
    (wasi::ERRNO_NOMSG, Errno::ENOMSG),
    (wasi::ERRNO_NOPROTOOPT, Errno::ENOPROTOOPT),
    (wasi::ERRNO_NOSPC, Errno::ENOSPC),
    (wasi::ERRNO_NOSYS, Errno::ENOSYS),
    (wasi::ERRNO_NOTCONN, Errno::ENOTCONN),
    (wasi::ERRNO_NOTDIR, Errno::ENOTDIR),
    (wasi::ERRNO_NOTEMPTY, Errno::ENOTEMPTY),
    (wasi::ERRNO_NOTRECOVERABLE, Errno::ENOTRECOVERABLE),
    (wasi::ERRNO_NOTSOCK, Errno::ENOTSOCK),
    (wasi::ERRNO_NOTSUP, Errno::EOPNOTSUPP),
    (wasi::ERRNO_NOTTY, Errno::ENOTTY),
    (wasi::ERRNO_NXIO, Errno::ENXIO),
    (wasi::ERRNO_OVERFLOW, Errno::EOVERFLOW),
    (wasi::ERRNO_OWNERDEAD, Errno::EOWNERDEAD),
    (wasi::ERRNO_PERM, Errno::EPERM),
    (wasi::ERRNO_PIPE, Errno::EPIPE),
    (wasi::ERRNO_PROTO, Errno::EPROTO),
    (wasi::ERRNO_PROTONOSUPPORT, Errno::EPROTONOSUPPORT),
    (wasi::ERRNO_PROTOTYPE, Errno::EPROTOTYPE),
    (wasi::ERRNO_RANGE, Errno::ERANGE),
    (wasi::ERRNO_ROFS, Errno::EROFS),
    (wasi::ERRNO_SPIPE, Errno::ESPIPE),
    (wasi::ERRNO_SRCH, Errno::ESRCH),
    (wasi::ERRNO_STALE, Errno::ESTALE),
    (wasi::ERRNO_TIMEDOUT, Errno::ETIMEDOUT),
    (wasi::ERRNO_TXTBSY, Errno::ETXTBSY),
    (wasi::ERRNO_XDEV, Errno::EXDEV),
    // Leaving the preopened directory (e.g. an absolute symlink).
    (wasi::ERRNO_NOTCAPABLE, Errno::EACCES),
];

/// The Linux errno for a WASI one.
fn errno(e: wasi::Errno) -> Errno {
    ERRNOS
        .iter()
        .find(|(w, _)| *w == e)
        .map_or(Errno::EIO, |&(_, l)| l)
}

trait Wasi<T> {
    /// Converts a WASI result to the kernel's.
    fn linux(self) -> SysResult<T>;
}

impl<T> Wasi<T> for Result<T, wasi::Errno> {
    fn linux(self) -> SysResult<T> {
        self.map_err(errno)
    }
}

fn file_type(t: wasi::Filetype) -> FileType {
    match t {
        wasi::FILETYPE_REGULAR_FILE => FileType::Regular,
        wasi::FILETYPE_DIRECTORY => FileType::Directory,
        wasi::FILETYPE_SYMBOLIC_LINK => FileType::Symlink,
        wasi::FILETYPE_CHARACTER_DEVICE => FileType::CharDevice,
        wasi::FILETYPE_BLOCK_DEVICE => FileType::BlockDevice,
        wasi::FILETYPE_SOCKET_DGRAM | wasi::FILETYPE_SOCKET_STREAM => FileType::Socket,
        _ => FileType::Unknown,
    }
}

fn host_stat(s: &wasi::Filestat) -> HostStat {
    HostStat {
        dev: s.dev,
        ino: s.ino,
        kind: file_type(s.filetype),
        nlink: s.nlink,
        size: s.size,
        atime: s.atim,
        mtime: s.mtim,
        ctime: s.ctim,
    }
}

/// WASI's (timestamp, flags) for an atime and an mtime update.
fn times(atime: SetTime, mtime: SetTime) -> (u64, u64, wasi::Fstflags) {
    let part = |t: SetTime, set: wasi::Fstflags, now: wasi::Fstflags| match t {
        SetTime::Omit => (0, 0),
        SetTime::Now => (0, now),
        SetTime::At(ns) => (ns, set),
    };
    let (a, af) = part(atime, wasi::FSTFLAGS_ATIM, wasi::FSTFLAGS_ATIM_NOW);
    let (m, mf) = part(mtime, wasi::FSTFLAGS_MTIM, wasi::FSTFLAGS_MTIM_NOW);
    (a, m, af | mf)
}

fn lookup(follow: bool) -> wasi::Lookupflags {
    if follow {
        wasi::LOOKUPFLAGS_SYMLINK_FOLLOW
    } else {
        0
    }
}

fn clock_id(c: Clock) -> wasi::Clockid {
    match c {
        Clock::Realtime => wasi::CLOCKID_REALTIME,
        Clock::Monotonic => wasi::CLOCKID_MONOTONIC,
        Clock::ProcessCpu => wasi::CLOCKID_PROCESS_CPUTIME_ID,
        Clock::ThreadCpu => wasi::CLOCKID_THREAD_CPUTIME_ID,
    }
}

/// Rights every opened file or directory gets; reading and writing are
/// asked for separately (WASI runtimes derive the access mode from them).
const COMMON_RIGHTS: wasi::Rights = wasi::RIGHTS_FD_SEEK
    | wasi::RIGHTS_FD_TELL
    | wasi::RIGHTS_FD_ADVISE
    | wasi::RIGHTS_FD_FDSTAT_SET_FLAGS
    | wasi::RIGHTS_FD_FILESTAT_GET
    | wasi::RIGHTS_FD_FILESTAT_SET_TIMES
    | wasi::RIGHTS_FD_READDIR
    | wasi::RIGHTS_PATH_CREATE_DIRECTORY
    | wasi::RIGHTS_PATH_CREATE_FILE
    | wasi::RIGHTS_PATH_LINK_SOURCE
    | wasi::RIGHTS_PATH_LINK_TARGET
    | wasi::RIGHTS_PATH_OPEN
    | wasi::RIGHTS_PATH_READLINK
    | wasi::RIGHTS_PATH_RENAME_SOURCE
    | wasi::RIGHTS_PATH_RENAME_TARGET
    | wasi::RIGHTS_PATH_FILESTAT_GET
    | wasi::RIGHTS_PATH_FILESTAT_SET_SIZE
    | wasi::RIGHTS_PATH_FILESTAT_SET_TIMES
    | wasi::RIGHTS_PATH_SYMLINK
    | wasi::RIGHTS_PATH_REMOVE_DIRECTORY
    | wasi::RIGHTS_PATH_UNLINK_FILE;
const WRITE_RIGHTS: wasi::Rights = wasi::RIGHTS_FD_WRITE
    | wasi::RIGHTS_FD_DATASYNC
    | wasi::RIGHTS_FD_SYNC
    | wasi::RIGHTS_FD_ALLOCATE
    | wasi::RIGHTS_FD_FILESTAT_SET_SIZE;

/// The WASI preview 1 host.
#[derive(Debug, Default)]
pub struct WasiHost;

impl WasiHost {
    /// The host of this WASI instance.
    pub fn new() -> Self {
        WasiHost
    }
}

impl Host for WasiHost {
    fn read(&mut self, fd: HostFd, buf: &mut [u8]) -> SysResult<usize> {
        let iov = [wasi::Iovec {
            buf: buf.as_mut_ptr(),
            buf_len: buf.len(),
        }];
        // SAFETY: the iovec describes `buf`.
        unsafe { wasi::fd_read(fd, &iov) }.linux()
    }

    fn write(&mut self, fd: HostFd, buf: &[u8]) -> SysResult<usize> {
        let iov = [wasi::Ciovec {
            buf: buf.as_ptr(),
            buf_len: buf.len(),
        }];
        // SAFETY: the iovec describes `buf`.
        unsafe { wasi::fd_write(fd, &iov) }.linux()
    }

    fn pread(&mut self, fd: HostFd, buf: &mut [u8], offset: u64) -> SysResult<usize> {
        let iov = [wasi::Iovec {
            buf: buf.as_mut_ptr(),
            buf_len: buf.len(),
        }];
        // SAFETY: the iovec describes `buf`.
        unsafe { wasi::fd_pread(fd, &iov, offset) }.linux()
    }

    fn pwrite(&mut self, fd: HostFd, buf: &[u8], offset: u64) -> SysResult<usize> {
        let iov = [wasi::Ciovec {
            buf: buf.as_ptr(),
            buf_len: buf.len(),
        }];
        // SAFETY: the iovec describes `buf`.
        unsafe { wasi::fd_pwrite(fd, &iov, offset) }.linux()
    }

    fn seek(&mut self, fd: HostFd, offset: i64, whence: Whence) -> SysResult<u64> {
        let whence = match whence {
            Whence::Set => wasi::WHENCE_SET,
            Whence::Cur => wasi::WHENCE_CUR,
            Whence::End => wasi::WHENCE_END,
        };
        // SAFETY: plain WASI call.
        unsafe { wasi::fd_seek(fd, offset, whence) }.linux()
    }

    fn close(&mut self, fd: HostFd) {
        // SAFETY: the kernel closes only fds it opened.
        let _ = unsafe { wasi::fd_close(fd) };
    }

    fn fstat(&mut self, fd: HostFd) -> SysResult<HostStat> {
        // SAFETY: plain WASI call.
        unsafe { wasi::fd_filestat_get(fd) }
            .linux()
            .map(|s| host_stat(&s))
    }

    fn set_size(&mut self, fd: HostFd, size: u64) -> SysResult<()> {
        // SAFETY: plain WASI call.
        unsafe { wasi::fd_filestat_set_size(fd, size) }.linux()
    }

    fn set_fd_times(&mut self, fd: HostFd, atime: SetTime, mtime: SetTime) -> SysResult<()> {
        let (a, m, flags) = times(atime, mtime);
        // SAFETY: plain WASI call.
        unsafe { wasi::fd_filestat_set_times(fd, a, m, flags) }.linux()
    }

    fn readdir(&mut self, fd: HostFd) -> SysResult<Vec<HostDirEntry>> {
        let mut out = Vec::new();
        let mut buf = vec![0u8; READDIR_BUF];
        let mut cookie = 0;
        loop {
            // SAFETY: `buf` is valid for its length.
            let used =
                unsafe { wasi::fd_readdir(fd, buf.as_mut_ptr(), buf.len(), cookie) }.linux()?;
            let mut off = 0;
            let mut progressed = false;
            while off + DIRENT_SIZE <= used {
                // SAFETY: in bounds; `Dirent` is plain data, read unaligned.
                let d: wasi::Dirent =
                    unsafe { core::ptr::read_unaligned(buf[off..].as_ptr().cast()) };
                let name_start = off + DIRENT_SIZE;
                let name_end = name_start + d.d_namlen as usize;
                if name_end > used {
                    break;
                }
                let name = String::from_utf8_lossy(&buf[name_start..name_end]).into_owned();
                if name != "." && name != ".." {
                    out.push(HostDirEntry {
                        name,
                        ino: d.d_ino,
                        kind: file_type(d.d_type),
                    });
                }
                cookie = d.d_next;
                off = name_end;
                progressed = true;
            }
            if used < buf.len() {
                return Ok(out);
            }
            if !progressed {
                // One name longer than the buffer: grow it and retry.
                let len = buf.len() * 2;
                buf.resize(len, 0);
            }
        }
    }

    fn open(&mut self, dir: HostFd, path: &str, opts: &OpenOptions) -> SysResult<HostFd> {
        let mut oflags = 0;
        for (on, flag) in [
            (opts.create, wasi::OFLAGS_CREAT),
            (opts.exclusive, wasi::OFLAGS_EXCL),
            (opts.truncate, wasi::OFLAGS_TRUNC),
            (opts.directory, wasi::OFLAGS_DIRECTORY),
        ] {
            if on {
                oflags |= flag;
            }
        }
        let mut rights = COMMON_RIGHTS;
        if opts.read || !opts.write {
            rights |= wasi::RIGHTS_FD_READ;
        }
        if opts.write {
            rights |= WRITE_RIGHTS;
        }
        let fdflags = if opts.append { wasi::FDFLAGS_APPEND } else { 0 };
        // SAFETY: plain WASI call.
        unsafe {
            wasi::path_open(
                dir,
                lookup(opts.follow),
                path,
                oflags,
                rights,
                COMMON_RIGHTS | WRITE_RIGHTS | wasi::RIGHTS_FD_READ,
                fdflags,
            )
        }
        .linux()
    }

    fn stat(&mut self, dir: HostFd, path: &str, follow: bool) -> SysResult<HostStat> {
        // SAFETY: plain WASI call.
        unsafe { wasi::path_filestat_get(dir, lookup(follow), path) }
            .linux()
            .map(|s| host_stat(&s))
    }

    fn mkdir(&mut self, dir: HostFd, path: &str) -> SysResult<()> {
        // SAFETY: plain WASI call.
        unsafe { wasi::path_create_directory(dir, path) }.linux()
    }

    fn unlink(&mut self, dir: HostFd, path: &str) -> SysResult<()> {
        // SAFETY: plain WASI call.
        unsafe { wasi::path_unlink_file(dir, path) }.linux()
    }

    fn rmdir(&mut self, dir: HostFd, path: &str) -> SysResult<()> {
        // SAFETY: plain WASI call.
        unsafe { wasi::path_remove_directory(dir, path) }.linux()
    }

    fn rename(&mut self, old_dir: HostFd, old: &str, new_dir: HostFd, new: &str) -> SysResult<()> {
        // SAFETY: plain WASI call.
        unsafe { wasi::path_rename(old_dir, old, new_dir, new) }.linux()
    }

    fn readlink(&mut self, dir: HostFd, path: &str) -> SysResult<String> {
        let mut buf = vec![0u8; READLINK_MAX];
        // SAFETY: `buf` is valid for its length.
        let n = unsafe { wasi::path_readlink(dir, path, buf.as_mut_ptr(), buf.len()) }.linux()?;
        buf.truncate(n);
        String::from_utf8(buf).map_err(|_| Errno::EILSEQ)
    }

    fn symlink(&mut self, target: &str, dir: HostFd, path: &str) -> SysResult<()> {
        // SAFETY: plain WASI call.
        unsafe { wasi::path_symlink(target, dir, path) }.linux()
    }

    fn link(&mut self, old_dir: HostFd, old: &str, new_dir: HostFd, new: &str) -> SysResult<()> {
        // SAFETY: plain WASI call.
        unsafe { wasi::path_link(old_dir, 0, old, new_dir, new) }.linux()
    }

    fn set_times(
        &mut self,
        dir: HostFd,
        path: &str,
        atime: SetTime,
        mtime: SetTime,
        follow: bool,
    ) -> SysResult<()> {
        let (a, m, flags) = times(atime, mtime);
        // SAFETY: plain WASI call.
        unsafe { wasi::path_filestat_set_times(dir, lookup(follow), path, a, m, flags) }.linux()
    }

    fn preopens(&mut self) -> Vec<(HostFd, String)> {
        let mut out = Vec::new();
        for fd in 3.. {
            // SAFETY: plain WASI call; preopens are numbered from 3 without gaps.
            let Ok(pre) = (unsafe { wasi::fd_prestat_get(fd) }) else {
                break;
            };
            if pre.tag != wasi::PREOPENTYPE_DIR.raw() {
                continue;
            }
            // SAFETY: the tag says the `dir` variant is set.
            let len = unsafe { pre.u.dir.pr_name_len };
            let mut name = vec![0u8; len];
            // SAFETY: `name` is valid for `len` bytes.
            if unsafe { wasi::fd_prestat_dir_name(fd, name.as_mut_ptr(), len) }.is_ok() {
                // Some runtimes count a trailing NUL.
                while name.last() == Some(&0) {
                    name.pop();
                }
                out.push((fd, String::from_utf8_lossy(&name).into_owned()));
            }
        }
        out
    }

    fn clock_time(&mut self, clock: Clock) -> SysResult<u64> {
        // SAFETY: plain WASI call.
        unsafe { wasi::clock_time_get(clock_id(clock), 1) }.linux()
    }

    fn clock_res(&mut self, clock: Clock) -> SysResult<u64> {
        // SAFETY: plain WASI call.
        unsafe { wasi::clock_res_get(clock_id(clock)) }.linux()
    }

    fn random(&mut self, buf: &mut [u8]) {
        // SAFETY: `buf` is valid for its length.
        let _ = unsafe { wasi::random_get(buf.as_mut_ptr(), buf.len()) };
    }

    fn sleep(&mut self, ns: u64) {
        let sub = wasi::Subscription {
            userdata: 0,
            u: wasi::SubscriptionU {
                tag: wasi::EVENTTYPE_CLOCK.raw(),
                u: wasi::SubscriptionUU {
                    clock: wasi::SubscriptionClock {
                        id: wasi::CLOCKID_MONOTONIC,
                        timeout: ns,
                        precision: 0,
                        flags: 0,
                    },
                },
            },
        };
        let mut event = core::mem::MaybeUninit::<wasi::Event>::uninit();
        // SAFETY: one subscription in, room for one event out.
        let _ = unsafe { wasi::poll_oneoff(&sub, event.as_mut_ptr(), 1) };
    }

    fn isatty(&mut self, fd: HostFd) -> bool {
        // SAFETY: plain WASI call.
        matches!(unsafe { wasi::fd_fdstat_get(fd) }, Ok(s) if s.fs_filetype == wasi::FILETYPE_CHARACTER_DEVICE)
    }

    fn data_len(&mut self, seg: u32) -> u64 {
        // SAFETY: the import only reads the segment table.
        unsafe { data_len(seg as i32) as u32 as u64 }
    }

    fn data_read(&mut self, seg: u32, offset: u64, buf: &mut [u8]) {
        if buf.is_empty() {
            return;
        }
        // SAFETY: `buf` is linear memory (the runtime's heap or guest memory)
        // valid for its length; linear addresses fit in 32 bits.
        unsafe {
            data_copy(
                seg as i32,
                buf.as_mut_ptr() as usize as i32,
                offset as u32 as i32,
                buf.len() as i32,
            )
        }
    }

    fn guest_memory(&self) -> (*mut u8, u64) {
        let size = wasm32::memory_size(0) as u64 * WASM_PAGE;
        (
            GUEST_BASE as usize as *mut u8,
            size.saturating_sub(GUEST_BASE),
        )
    }

    fn guest_reserve(&mut self, len: u64) -> Result<(), Errno> {
        if len > GUEST_LIMIT {
            return Err(Errno::ENOMEM);
        }
        let need = (GUEST_BASE + len).div_ceil(WASM_PAGE);
        let have = wasm32::memory_size(0) as u64;
        if need > have && wasm32::memory_grow(0, (need - have) as usize) == usize::MAX {
            return Err(Errno::ENOMEM);
        }
        Ok(())
    }
}
