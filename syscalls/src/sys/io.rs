//! Descriptor I/O: read/write and friends, lseek, getdents64, close/dup,
//! fcntl, ioctl, pipes.

use std::cell::RefCell;
use std::rc::Rc;

use super::{int, uint};
use crate::errno::{Errno, SysResult};
use crate::fd::{drop_entry, DirStream, FileRef, Object, OpenFile, Pipe};
use crate::host::{Host, Whence};
use crate::kernel::Kernel;
use crate::linux::*;
use crate::mem::GuestMem;
use crate::vfs::{host_dtype, Dev};

/// Most bytes one read or write transfers (Linux `MAX_RW_COUNT`).
const MAX_RW: u64 = 0x7fff_f000;
/// Pipe capacity reported by F_GETPIPE_SZ.
const PIPE_SIZE: u64 = 65536;
/// Size of the kernel's `struct termios` (TCGETS).
const TERMIOS_SIZE: usize = 36;

/// A terminal's settings after `stty sane`, as TCGETS reports them.
fn default_termios() -> [u8; TERMIOS_SIZE] {
    let mut b = [0u8; TERMIOS_SIZE];
    put32(&mut b, 0, 0x500); // ICRNL | IXON
    put32(&mut b, 4, 0x5); // OPOST | ONLCR
    put32(&mut b, 8, 0xbf); // B38400 | CS8 | CREAD
    put32(&mut b, 12, 0x8a3b); // ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN
    let cc = [
        3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0,
    ];
    b[17..17 + cc.len()].copy_from_slice(&cc);
    b
}

/// Guest bytes for a transfer of up to `len` at `addr`, cut at `MAX_RW` and
/// at the end of addressable memory.
fn io_slice(mem: &GuestMem, addr: u64, len: u64) -> SysResult<&mut [u8]> {
    let len = len.min(MAX_RW);
    if len == 0 {
        return Ok(&mut []);
    }
    let avail = mem
        .len()
        .checked_sub(addr)
        .filter(|&n| n > 0)
        .ok_or(Errno::EFAULT)?;
    mem.bytes_mut(addr, len.min(avail))
}

/// A file offset argument: negative is invalid.
fn offset(at: Option<i64>) -> SysResult<Option<u64>> {
    at.map(|o| u64::try_from(o).map_err(|_| Errno::EINVAL))
        .transpose()
}

impl<H: Host> Kernel<H> {
    /// Reads from an open file into `buf` (guest memory or a kernel buffer),
    /// at its offset or at `at`.
    pub(crate) fn read_buf(
        &mut self,
        file: &FileRef,
        buf: &mut [u8],
        at: Option<u64>,
    ) -> SysResult<usize> {
        let mut f = file.borrow_mut();
        if f.flags & O_PATH != 0 || !f.readable() {
            return Err(Errno::EBADF);
        }
        let pos = at.unwrap_or(f.offset);
        let n = match &f.obj {
            Object::Stdio(h) | Object::HostFile { fd: h, .. } => match at {
                None => self.host.read(*h, buf)?,
                Some(o) => self.host.pread(*h, buf, o)?,
            },
            Object::HostDir { .. } | Object::Dir(_) => return Err(Errno::EISDIR),
            Object::File(ino) => self.vfs.read(&mut self.host, *ino, pos, buf)?,
            Object::Dev { dev, .. } => match dev {
                Dev::Null => 0,
                Dev::Zero | Dev::Full | Dev::Fd(_) => {
                    buf.fill(0);
                    buf.len()
                }
                Dev::Random => {
                    self.host.random(buf);
                    buf.len()
                }
            },
            Object::PipeRead(_) if at.is_some() => return Err(Errno::ESPIPE),
            Object::PipeRead(p) => {
                let mut p = p.borrow_mut();
                if p.buf.is_empty() {
                    // Nobody else can write while we wait: a blocking read
                    // would never return, so it fails like a non-blocking one.
                    return if p.writers == 0 {
                        Ok(0)
                    } else {
                        Err(Errno::EAGAIN)
                    };
                }
                let n = buf.len().min(p.buf.len());
                for (dst, src) in buf.iter_mut().zip(p.buf.drain(..n)) {
                    *dst = src;
                }
                n
            }
            Object::PipeWrite(_) => return Err(Errno::EBADF),
        };
        if at.is_none() && matches!(f.obj, Object::File(_)) {
            f.offset = pos + n as u64;
        }
        Ok(n)
    }

    /// Writes `buf` to an open file, at its offset (its end with O_APPEND)
    /// or at `at`.
    pub(crate) fn write_buf(
        &mut self,
        file: &FileRef,
        buf: &[u8],
        at: Option<u64>,
    ) -> SysResult<usize> {
        let mut f = file.borrow_mut();
        if f.flags & O_PATH != 0 || !f.writable() {
            return Err(Errno::EBADF);
        }
        let n = match &f.obj {
            Object::Stdio(h) | Object::HostFile { fd: h, .. } => match at {
                None => self.host.write(*h, buf)?,
                Some(o) => self.host.pwrite(*h, buf, o)?,
            },
            Object::HostDir { .. } | Object::Dir(_) => return Err(Errno::EISDIR),
            &Object::File(ino) => {
                let pos = match at {
                    Some(o) => o,
                    None if f.flags & O_APPEND != 0 => self.vfs.len(ino),
                    None => f.offset,
                };
                let now = self.now();
                let n = self.vfs.write(&mut self.host, ino, pos, buf, now)?;
                if at.is_none() {
                    f.offset = pos + n as u64;
                }
                n
            }
            Object::Dev { dev: Dev::Full, .. } => return Err(Errno::ENOSPC),
            Object::Dev { .. } => buf.len(),
            Object::PipeWrite(_) if at.is_some() => return Err(Errno::ESPIPE),
            Object::PipeWrite(p) => {
                let mut p = p.borrow_mut();
                if p.readers == 0 {
                    return Err(Errno::EPIPE);
                }
                let n = pipe_write_len(p.buf.len() as u64, buf.len(), f.flags & O_NONBLOCK != 0)?;
                p.buf.try_reserve(n).map_err(|_| Errno::ENOMEM)?;
                p.buf.extend(&buf[..n]);
                n
            }
            Object::PipeRead(_) => return Err(Errno::EBADF),
        };
        Ok(n)
    }

    pub(crate) fn sys_read(
        &mut self,
        fd: i32,
        addr: u64,
        len: u64,
        at: Option<i64>,
    ) -> SysResult<u64> {
        let file = self.fds.file(fd)?;
        let at = offset(at)?;
        let mem = self.mem();
        let buf = io_slice(&mem, addr, len)?;
        Ok(self.read_buf(&file, buf, at)? as u64)
    }

    pub(crate) fn sys_write(
        &mut self,
        fd: i32,
        addr: u64,
        len: u64,
        at: Option<i64>,
    ) -> SysResult<u64> {
        let file = self.fds.file(fd)?;
        let at = offset(at)?;
        let mem = self.mem();
        let buf = io_slice(&mem, addr, len)?;
        Ok(self.write_buf(&file, buf, at)? as u64)
    }

    /// The (base, len) pairs of an iovec array.
    fn iovecs(&self, addr: u64, count: u64) -> SysResult<Vec<(u64, u64)>> {
        if count > IOV_MAX {
            return Err(Errno::EINVAL);
        }
        let mem = self.mem();
        let bytes = mem.bytes(addr, count * IOVEC_SIZE as u64)?;
        Ok(bytes.chunks(IOVEC_SIZE).map(decode_iovec).collect())
    }

    /// readv/writev/preadv/pwritev: transfers each iovec in turn, stopping
    /// at the first short one.
    fn vectored(
        &mut self,
        fd: i32,
        iov: u64,
        count: u64,
        at: Option<i64>,
        write: bool,
    ) -> SysResult<u64> {
        let file = self.fds.file(fd)?;
        let mut at = offset(at)?;
        let mut total = 0u64;
        let mem = self.mem();
        for (base, len) in self.iovecs(iov, count)? {
            let buf = io_slice(&mem, base, len)?;
            let result = if write {
                self.write_buf(&file, buf, at)
            } else {
                self.read_buf(&file, buf, at)
            };
            let n = match result {
                Ok(n) => n as u64,
                Err(e) if total == 0 => return Err(e),
                Err(_) => break,
            };
            total += n;
            at = at.map(|o| o + n);
            if n < len {
                break;
            }
        }
        Ok(total)
    }

    pub(crate) fn sys_readv(
        &mut self,
        fd: i32,
        iov: u64,
        count: u64,
        at: Option<i64>,
    ) -> SysResult<u64> {
        self.vectored(fd, iov, count, at, false)
    }

    pub(crate) fn sys_writev(
        &mut self,
        fd: i32,
        iov: u64,
        count: u64,
        at: Option<i64>,
    ) -> SysResult<u64> {
        self.vectored(fd, iov, count, at, true)
    }

    pub(crate) fn sys_sendfile(
        &mut self,
        out_fd: i32,
        in_fd: i32,
        off_addr: u64,
        count: u64,
    ) -> SysResult<u64> {
        let (out, input) = (self.fds.file(out_fd)?, self.fds.file(in_fd)?);
        let mem = self.mem();
        let mut at = if off_addr != 0 {
            Some(mem.read_u64(off_addr)?)
        } else {
            None
        };
        let mut chunk = vec![0u8; count.min(PIPE_SIZE) as usize];
        let mut total = 0u64;
        while total < count {
            let want = (count - total).min(chunk.len() as u64) as usize;
            let n = match self.read_buf(&input, &mut chunk[..want], at) {
                Ok(n) => n,
                Err(e) if total == 0 => return Err(e),
                Err(_) => break,
            };
            if n == 0 {
                break;
            }
            let written = match self.write_buf(&out, &chunk[..n], None) {
                Ok(w) => w,
                Err(e) if total == 0 => return Err(e),
                Err(_) => break,
            };
            total += written as u64;
            at = at.map(|o| o.saturating_add(written as u64));
            if written < n {
                break;
            }
        }
        if let Some(o) = at {
            mem.write_u64(off_addr, o)?;
        }
        Ok(total)
    }

    pub(crate) fn sys_lseek(&mut self, fd: i32, off: i64, whence: u32) -> SysResult<u64> {
        let file = self.fds.file(fd)?;
        let mut f = file.borrow_mut();
        let host_whence = match whence {
            SEEK_SET => Whence::Set,
            SEEK_CUR => Whence::Cur,
            SEEK_END => Whence::End,
            SEEK_DATA | SEEK_HOLE => Whence::Set,
            _ => return Err(Errno::EINVAL),
        };
        match &mut *f {
            OpenFile {
                obj: Object::Stdio(h) | Object::HostFile { fd: h, .. },
                ..
            } => {
                if whence == SEEK_DATA || whence == SEEK_HOLE {
                    return Err(Errno::EINVAL);
                }
                self.host.seek(*h, off, host_whence)
            }
            OpenFile {
                obj: Object::PipeRead(_) | Object::PipeWrite(_),
                ..
            } => Err(Errno::ESPIPE),
            OpenFile {
                obj: Object::Dev { .. },
                ..
            } => Ok(0),
            OpenFile {
                obj: Object::Dir(_) | Object::HostDir { .. },
                dir,
                offset,
                ..
            } => {
                if whence != SEEK_SET || off < 0 {
                    return Err(Errno::EINVAL);
                }
                match dir {
                    Some(stream) if off > 0 => stream.pos = off as usize,
                    _ => *dir = None,
                }
                *offset = off as u64;
                Ok(off as u64)
            }
            OpenFile {
                obj: Object::File(ino),
                offset,
                ..
            } => {
                let size = self.vfs.len(*ino) as i64;
                let new = match whence {
                    SEEK_SET => off,
                    SEEK_CUR => (*offset as i64).checked_add(off).ok_or(Errno::EOVERFLOW)?,
                    SEEK_END => size.checked_add(off).ok_or(Errno::EOVERFLOW)?,
                    _ if off >= size => return Err(Errno::ENXIO),
                    SEEK_DATA => off,
                    _ => size,
                };
                if new < 0 {
                    return Err(Errno::EINVAL);
                }
                *offset = new as u64;
                Ok(new as u64)
            }
        }
    }

    pub(crate) fn sys_getdents64(&mut self, fd: i32, addr: u64, count: u64) -> SysResult<u64> {
        self.getdents(fd, addr, count, dirent64_len, encode_dirent64)
    }

    /// The legacy getdents: getdents64 with `struct linux_dirent` records.
    pub(crate) fn sys_getdents(&mut self, fd: i32, addr: u64, count: u64) -> SysResult<u64> {
        self.getdents(fd, addr, count, dirent_len, encode_dirent)
    }

    /// Lists directory `fd` into `addr` with records of `len` bytes (for a
    /// name length) that `encode` appends.
    fn getdents(
        &mut self,
        fd: i32,
        addr: u64,
        count: u64,
        len: fn(usize) -> usize,
        encode: fn(&mut Vec<u8>, u64, i64, u8, &str),
    ) -> SysResult<u64> {
        let file = self.fds.file(fd)?;
        let mut f = file.borrow_mut();
        if f.dir.is_none() {
            let entries = match &f.obj {
                &Object::Dir(ino) => self.vfs.list(ino)?,
                Object::HostDir { fd: h, .. } => {
                    let me = self.host.fstat(*h).map(|s| s.ino).unwrap_or(0);
                    let me = guest_visible_ino(me, ".");
                    let mut v = vec![(".".to_string(), me, DT_DIR), ("..".to_string(), 1, DT_DIR)];
                    for e in self.host.readdir(*h)? {
                        if e.name != "." && e.name != ".." {
                            let ino = guest_visible_ino(e.ino, &e.name);
                            v.push((e.name, ino, host_dtype(e.kind)));
                        }
                    }
                    v
                }
                _ => return Err(Errno::ENOTDIR),
            };
            let pos = f.offset as usize;
            f.dir = Some(DirStream { entries, pos });
        }
        let stream = f.dir.as_mut().unwrap();
        let mut out = Vec::new();
        while let Some((name, ino, dtype)) = stream.entries.get(stream.pos) {
            if (out.len() + len(name.len())) as u64 > count {
                if out.is_empty() {
                    return Err(Errno::EINVAL);
                }
                break;
            }
            encode(&mut out, *ino, stream.pos as i64 + 1, *dtype, name);
            stream.pos += 1;
        }
        f.offset = stream.pos as u64;
        self.mem().write(addr, &out)?;
        Ok(out.len() as u64)
    }

    /// Installs `file` as a new descriptor, releasing it if none is free.
    pub(crate) fn install(&mut self, file: FileRef, cloexec: bool) -> SysResult<u64> {
        match self.fds.insert(file.clone(), cloexec) {
            Ok(fd) => Ok(fd as u64),
            Err(e) => {
                drop_entry(
                    crate::fd::FdEntry { file, cloexec },
                    &mut self.host,
                    &mut self.vfs,
                );
                Err(e)
            }
        }
    }

    pub(crate) fn close_fd(&mut self, fd: i32) -> SysResult<()> {
        let entry = self.fds.remove(fd)?;
        drop_entry(entry, &mut self.host, &mut self.vfs);
        Ok(())
    }

    pub(crate) fn sys_close(&mut self, fd: i32) -> SysResult<u64> {
        self.close_fd(fd).map(|_| 0)
    }

    pub(crate) fn sys_close_range(&mut self, first: u32, last: u32, flags: u32) -> SysResult<u64> {
        const UNSHARE: u32 = 2;
        const CLOEXEC: u32 = 4;
        if flags & !(UNSHARE | CLOEXEC) != 0 || first > last {
            return Err(Errno::EINVAL);
        }
        for fd in self.fds.open_in(first, last) {
            if flags & CLOEXEC != 0 {
                self.fds.get_mut(fd)?.cloexec = true;
            } else {
                self.close_fd(fd)?;
            }
        }
        Ok(0)
    }

    pub(crate) fn sys_dup(&mut self, fd: i32) -> SysResult<u64> {
        let file = self.fds.file(fd)?;
        Ok(self.fds.insert(file, false)? as u64)
    }

    pub(crate) fn sys_dup3(&mut self, old: i32, new: i32, flags: u32) -> SysResult<u64> {
        if flags & !O_CLOEXEC != 0 || old == new {
            return Err(Errno::EINVAL);
        }
        let file = self.fds.file(old)?;
        if let Some(prev) = self.fds.replace(new, file, flags & O_CLOEXEC != 0)? {
            drop_entry(prev, &mut self.host, &mut self.vfs);
        }
        Ok(new as u64)
    }

    /// dup2: dup3 without flags, except that `old == new` returns `new`
    /// if it is open.
    pub(crate) fn sys_dup2(&mut self, old: i32, new: i32) -> SysResult<u64> {
        if old == new {
            return self.fds.file(old).map(|_| new as u64);
        }
        self.sys_dup3(old, new, 0)
    }

    pub(crate) fn sys_fcntl(&mut self, fd: i32, cmd: u32, arg: u64) -> SysResult<u64> {
        const SETTABLE: u32 = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;
        let entry = self.fds.get(fd)?.clone();
        match cmd {
            F_DUPFD | F_DUPFD_CLOEXEC => {
                let min = int(arg);
                if min < 0 || min as u64 >= self.fds.limit {
                    return Err(Errno::EINVAL);
                }
                Ok(self
                    .fds
                    .insert_from(min, entry.file, cmd == F_DUPFD_CLOEXEC)?
                    as u64)
            }
            F_GETFD => Ok(entry.cloexec as u64),
            F_SETFD => {
                self.fds.get_mut(fd)?.cloexec = arg & FD_CLOEXEC != 0;
                Ok(0)
            }
            F_GETFL => Ok(entry.file.borrow().flags as u64),
            F_SETFL => {
                let mut f = entry.file.borrow_mut();
                f.flags = (f.flags & !SETTABLE) | (uint(arg) & SETTABLE);
                Ok(0)
            }
            F_GETLK | F_OFD_GETLK => {
                self.mem().write(arg, &F_UNLCK.to_le_bytes())?;
                Ok(0)
            }
            F_SETLK | F_SETLKW | F_OFD_SETLK | F_OFD_SETLKW => Ok(0),
            F_GETPIPE_SZ => match entry.file.borrow().obj {
                Object::PipeRead(_) | Object::PipeWrite(_) => Ok(PIPE_SIZE),
                _ => Err(Errno::EBADF),
            },
            _ => Err(Errno::EINVAL),
        }
    }

    /// Whether `file` is a host stdio stream that is a terminal.
    fn is_tty(&self, file: &FileRef) -> bool {
        matches!(file.borrow().obj, Object::Stdio(h) if self.tty.get(h as usize).copied().unwrap_or(false))
    }

    pub(crate) fn sys_ioctl(&mut self, fd: i32, req: u32, arg: u64) -> SysResult<u64> {
        let file = self.fds.file(fd)?;
        let mem = self.mem();
        match req {
            TCGETS | TCSETS | TCSETSW | TCSETSF | TIOCGWINSZ | TIOCSWINSZ | TIOCGPGRP
            | TIOCSPGRP => {
                if !self.is_tty(&file) {
                    return Err(Errno::ENOTTY);
                }
                match req {
                    TCGETS => mem.write(arg, &default_termios())?,
                    TIOCGWINSZ => {
                        let mut ws = [0u8; 8];
                        put_n(&mut ws, 0, 2, 24);
                        put_n(&mut ws, 2, 2, 80);
                        mem.write(arg, &ws)?;
                    }
                    TIOCGPGRP => mem.write_u32(arg, 1)?,
                    _ => {}
                }
                Ok(0)
            }
            FIONBIO => {
                let on = u32::from_le_bytes(mem.read_array(arg)?) != 0;
                let mut f = file.borrow_mut();
                f.flags = if on {
                    f.flags | O_NONBLOCK
                } else {
                    f.flags & !O_NONBLOCK
                };
                Ok(0)
            }
            FIONREAD => {
                let f = file.borrow();
                let n = match &f.obj {
                    Object::PipeRead(p) => p.borrow().buf.len() as u64,
                    &Object::File(ino) => self.vfs.len(ino).saturating_sub(f.offset),
                    Object::Stdio(_) => 0,
                    _ => return Err(Errno::ENOTTY),
                };
                mem.write_u32(arg, n.min(i32::MAX as u64) as u32)?;
                Ok(0)
            }
            FIOCLEX | FIONCLEX => {
                self.fds.get_mut(fd)?.cloexec = req == FIOCLEX;
                Ok(0)
            }
            _ => Err(Errno::ENOTTY),
        }
    }

    pub(crate) fn sys_pipe2(&mut self, addr: u64, flags: u32) -> SysResult<u64> {
        if flags & !(O_CLOEXEC | O_NONBLOCK | O_DIRECT) != 0 {
            return Err(Errno::EINVAL);
        }
        let pipe = Rc::new(RefCell::new(Pipe {
            readers: 1,
            writers: 1,
            ..Default::default()
        }));
        let status = flags & O_NONBLOCK;
        let cloexec = flags & O_CLOEXEC != 0;
        let r = self.install(
            OpenFile::new(Object::PipeRead(pipe.clone()), O_RDONLY | status, "pipe"),
            cloexec,
        )?;
        let w = match self.install(
            OpenFile::new(Object::PipeWrite(pipe), O_WRONLY | status, "pipe"),
            cloexec,
        ) {
            Ok(w) => w,
            Err(e) => {
                self.close_fd(r as i32)?;
                return Err(e);
            }
        };
        let mut fds = [0u8; 8];
        put32(&mut fds, 0, r as u32);
        put32(&mut fds, 4, w as u32);
        if let Err(e) = self.mem().write(addr, &fds) {
            self.close_fd(r as i32)?;
            self.close_fd(w as i32)?;
            return Err(e);
        }
        Ok(0)
    }
}

/// Inode number of a host directory entry as the guest sees it. Some WASI
/// hosts (node) report 0, which glibc's readdir treats as a deleted entry and
/// skips; give those a stable non-zero number derived from the name.
fn guest_visible_ino(ino: u64, name: &str) -> u64 {
    if ino != 0 {
        return ino;
    }
    // FNV-1a: stable across runs, cheap.
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    hash | 1
}

/// Writes of at most this many bytes to a pipe are atomic.
const PIPE_BUF: usize = 4096;

/// How many of `len` bytes a write to a pipe holding `queued` bytes takes.
/// Non-blocking writers see Linux's capacity (`PIPE_SIZE`): `EAGAIN` when a
/// write does not fit (all of it, for an atomic one), else a partial write.
/// A blocking writer cannot wait for a reader in a single-process guest, so
/// its bytes are queued beyond the capacity instead.
fn pipe_write_len(queued: u64, len: usize, nonblocking: bool) -> SysResult<usize> {
    if !nonblocking {
        return Ok(len);
    }
    let free = PIPE_SIZE.saturating_sub(queued) as usize;
    if free == 0 || (len <= PIPE_BUF && free < len) {
        return Err(Errno::EAGAIN);
    }
    Ok(len.min(free))
}
