//! Path-based syscalls: open, stat, directories, links, renames, metadata.

use std::rc::Rc;

use crate::abi;
use crate::errno::{Errno, SysResult};
use crate::fd::{FileRef, Object, OpenFile};
use crate::host::{FileType, Host, OpenOptions, SetTime};
use crate::kernel::Kernel;
use crate::linux::*;
use crate::vfs::{host_to_stat, Dev, Ino, Lookup, Node, NodeKind, Pos, Resolved, ROOT};

/// What an `*at` syscall operates on: a path, or a descriptor itself
/// (`AT_EMPTY_PATH`, or a NULL path for `utimensat`).
enum Target {
    Path(Lookup),
    File(FileRef),
}

/// A timestamp argument of `utimensat`.
#[derive(Clone, Copy)]
enum TimeArg {
    Omit,
    Now,
    At(Timespec),
}

impl TimeArg {
    fn decode(b: &[u8; 16]) -> SysResult<Self> {
        let t = Timespec::decode(b);
        Ok(match t.nsec as u64 {
            UTIME_NOW => TimeArg::Now,
            UTIME_OMIT => TimeArg::Omit,
            n if n < 1_000_000_000 => TimeArg::At(t),
            _ => return Err(Errno::EINVAL),
        })
    }

    fn host(self) -> SetTime {
        match self {
            TimeArg::Omit => SetTime::Omit,
            TimeArg::Now => SetTime::Now,
            TimeArg::At(t) => SetTime::At(t.to_nanos()),
        }
    }

    fn apply(self, field: &mut Timespec, now: Timespec) {
        match self {
            TimeArg::Omit => {}
            TimeArg::Now => *field = now,
            TimeArg::At(t) => *field = t,
        }
    }
}

/// Status flags an open file description keeps.
const KEPT_FLAGS: u32 =
    O_ACCMODE | O_APPEND | O_NONBLOCK | O_SYNC | O_DIRECT | O_NOATIME | O_PATH | O_ASYNC;

/// `stat` of something that is not a file of the tree or a mount.
fn special_stat(mode: u32, ino: u64, rdev: u64) -> Stat {
    Stat {
        dev: makedev(0, 12),
        ino,
        mode,
        nlink: 1,
        rdev,
        blksize: crate::vfs::BLKSIZE,
        ..Stat::default()
    }
}

impl<H: Host> Kernel<H> {
    /// The directory relative paths start from.
    fn start_pos(&self, dirfd: i32, path: &str) -> SysResult<Pos> {
        if path.starts_with('/') {
            Ok(Pos::Tree(ROOT))
        } else if dirfd == AT_FDCWD {
            Ok(self.cwd.clone())
        } else {
            self.fds
                .file(dirfd)?
                .borrow()
                .dir_pos()
                .ok_or(Errno::ENOTDIR)
        }
    }

    /// Resolves `path` relative to `dirfd`.
    pub(crate) fn lookup(&mut self, dirfd: i32, path: &str, follow: bool) -> SysResult<Lookup> {
        let start = self.start_pos(dirfd, path)?;
        self.vfs.resolve(&mut self.host, &start, path, follow)
    }

    /// The target of an `*at` call with `AT_EMPTY_PATH` / `AT_SYMLINK_NOFOLLOW`
    /// in `flags`.
    fn target(
        &mut self,
        dirfd: i32,
        path_addr: u64,
        flags: u32,
        follow: bool,
    ) -> SysResult<Target> {
        let path = if path_addr == 0 && flags & AT_EMPTY_PATH != 0 {
            String::new()
        } else {
            self.mem().read_path(path_addr)?
        };
        if path.is_empty() && flags & AT_EMPTY_PATH != 0 {
            if dirfd == AT_FDCWD {
                return Ok(Target::Path(self.lookup(AT_FDCWD, ".", true)?));
            }
            return Ok(Target::File(self.fds.file(dirfd)?));
        }
        Ok(Target::Path(self.lookup(
            dirfd,
            &path,
            follow && flags & AT_SYMLINK_NOFOLLOW == 0,
        )?))
    }

    fn read_path(&self, addr: u64) -> SysResult<String> {
        self.mem().read_path(addr)
    }

    fn mount_fd(&self, mount: usize) -> u32 {
        self.vfs.mounts[mount].fd
    }

    /// `stat` of a resolved path.
    fn stat_resolved(&mut self, res: &Resolved, follow: bool) -> SysResult<Stat> {
        match res {
            Resolved::Node { ino, .. } => Ok(self.vfs.stat(*ino)),
            Resolved::Missing { .. } => Err(Errno::ENOENT),
            Resolved::Host { mount, path } => {
                let st = self.host.stat(self.mount_fd(*mount), path, follow)?;
                Ok(host_to_stat(&st, *mount))
            }
        }
    }

    /// `stat` of an open file.
    pub(crate) fn stat_file(&mut self, file: &FileRef) -> SysResult<Stat> {
        let f = file.borrow();
        match &f.obj {
            Object::Stdio(h) => {
                let st = self.host.fstat(*h)?;
                let tty = self.tty.get(*h as usize).copied().unwrap_or(false);
                Ok(match st.kind {
                    _ if tty => special_stat(S_IFCHR | 0o620, st.ino, makedev(136, 0)),
                    FileType::CharDevice => special_stat(S_IFCHR | 0o666, st.ino, makedev(1, 3)),
                    FileType::Regular => Stat {
                        dev: makedev(0, 13),
                        ..host_to_stat(&st, 0)
                    },
                    _ => special_stat(S_IFIFO | 0o600, st.ino, 0),
                })
            }
            Object::HostFile { fd, mount, .. } | Object::HostDir { fd, mount, .. } => {
                Ok(host_to_stat(&self.host.fstat(*fd)?, *mount))
            }
            Object::File(ino) | Object::Dir(ino) | Object::Dev { ino, .. } => {
                Ok(self.vfs.stat(*ino))
            }
            Object::PipeRead(p) | Object::PipeWrite(p) => Ok(special_stat(
                S_IFIFO | 0o600,
                Rc::as_ptr(p) as usize as u64 & 0xffff_ffff,
                0,
            )),
        }
    }

    fn stat_target(&mut self, t: &Target, follow: bool) -> SysResult<Stat> {
        match t {
            Target::Path(l) => self.stat_resolved(&l.res, follow),
            Target::File(f) => self.stat_file(f),
        }
    }

    pub(crate) fn sys_newfstatat(
        &mut self,
        dirfd: i32,
        path: u64,
        buf: u64,
        flags: u32,
    ) -> SysResult<u64> {
        if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT) != 0 {
            return Err(Errno::EINVAL);
        }
        let t = self.target(dirfd, path, flags, true)?;
        let st = self.stat_target(&t, flags & AT_SYMLINK_NOFOLLOW == 0)?;
        self.mem().write(buf, &abi::encode_stat(self.arch, &st))?;
        Ok(0)
    }

    pub(crate) fn sys_fstat(&mut self, fd: i32, buf: u64) -> SysResult<u64> {
        let file = self.fds.file(fd)?;
        let st = self.stat_file(&file)?;
        self.mem().write(buf, &abi::encode_stat(self.arch, &st))?;
        Ok(0)
    }

    pub(crate) fn sys_statx(
        &mut self,
        dirfd: i32,
        path: u64,
        flags: u32,
        buf: u64,
    ) -> SysResult<u64> {
        if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE)
            != 0
        {
            return Err(Errno::EINVAL);
        }
        let t = self.target(dirfd, path, flags, true)?;
        let st = self.stat_target(&t, flags & AT_SYMLINK_NOFOLLOW == 0)?;
        self.mem().write(buf, &encode_statx(&st))?;
        Ok(0)
    }

    /// Opens `path` like openat(2) and returns the new description.
    pub(crate) fn open_path(
        &mut self,
        dirfd: i32,
        path: &str,
        flags: u32,
        mode: u32,
    ) -> SysResult<FileRef> {
        if flags & O_TMPFILE == O_TMPFILE {
            return Err(Errno::EOPNOTSUPP);
        }
        let (creat, excl) = (flags & O_CREAT != 0, flags & O_EXCL != 0);
        let follow = flags & O_NOFOLLOW == 0 && !(creat && excl);
        let look = self.lookup(dirfd, path, follow)?;
        let status = (flags & KEPT_FLAGS) | O_LARGEFILE;
        let writable = matches!(flags & O_ACCMODE, O_WRONLY | O_RDWR) && flags & O_PATH == 0;
        let obj = match look.res {
            Resolved::Missing { parent, name } => {
                if !creat {
                    return Err(Errno::ENOENT);
                }
                if look.trailing_slash {
                    return Err(Errno::EISDIR);
                }
                let now = self.now();
                let ino = self
                    .vfs
                    .create_file(parent, &name, mode & !self.umask, now)?;
                Object::File(ino)
            }
            Resolved::Node { ino, .. } => {
                if creat && excl {
                    return Err(Errno::EEXIST);
                }
                match &self.vfs.node(ino).kind {
                    NodeKind::Symlink(_) if flags & O_PATH != 0 => Object::File(ino),
                    NodeKind::Symlink(_) => return Err(Errno::ELOOP),
                    NodeKind::Dir(_) if writable || creat => return Err(Errno::EISDIR),
                    NodeKind::Dir(_) => Object::Dir(ino),
                    _ if flags & O_DIRECTORY != 0 => return Err(Errno::ENOTDIR),
                    &NodeKind::Dev(Dev::Fd(fd)) => {
                        return self.fds.file(fd).map_err(|_| Errno::ENXIO)
                    }
                    &NodeKind::Dev(dev) => Object::Dev { dev, ino },
                    NodeKind::File(_) => {
                        if writable && flags & O_TRUNC != 0 {
                            let now = self.now();
                            self.vfs.truncate(&mut self.host, ino, 0, now)?;
                        }
                        Object::File(ino)
                    }
                }
            }
            Resolved::Host { mount, path } => {
                let opts = OpenOptions {
                    read: !writable || flags & O_ACCMODE == O_RDWR,
                    write: writable,
                    create: creat,
                    exclusive: excl,
                    truncate: flags & O_TRUNC != 0 && writable,
                    append: flags & O_APPEND != 0,
                    directory: flags & O_DIRECTORY != 0,
                    follow,
                };
                let fd = self.host.open(self.mount_fd(mount), &path, &opts)?;
                let is_dir = self
                    .host
                    .fstat(fd)
                    .map(|s| s.kind == FileType::Directory)
                    .unwrap_or(false);
                if is_dir && (writable || creat) {
                    self.host.close(fd);
                    return Err(Errno::EISDIR);
                }
                if is_dir {
                    Object::HostDir { fd, mount, path }
                } else {
                    Object::HostFile { fd, mount, path }
                }
            }
        };
        if let Object::File(ino) | Object::Dir(ino) | Object::Dev { ino, .. } = obj {
            self.vfs.open_ref(ino);
        }
        Ok(OpenFile::new(obj, status, path))
    }

    pub(crate) fn sys_openat(
        &mut self,
        dirfd: i32,
        path: u64,
        flags: u32,
        mode: u32,
    ) -> SysResult<u64> {
        let path = self.read_path(path)?;
        let file = self.open_path(dirfd, &path, flags, mode)?;
        self.install(file, flags & O_CLOEXEC != 0)
    }

    pub(crate) fn sys_getcwd(&mut self, buf: u64, size: u64) -> SysResult<u64> {
        let path = self.vfs.pos_path(&self.cwd)?;
        let len = path.len() as u64 + 1;
        if len > size {
            return Err(Errno::ERANGE);
        }
        let mut bytes = path.into_bytes();
        bytes.push(0);
        self.mem().write(buf, &bytes)?;
        Ok(len)
    }

    /// The directory position of a resolved path (chdir).
    fn dir_of(&mut self, res: Resolved) -> SysResult<Pos> {
        match res {
            Resolved::Node { ino, .. } if self.vfs.node(ino).as_dir().is_some() => {
                Ok(Pos::Tree(ino))
            }
            Resolved::Node { .. } => Err(Errno::ENOTDIR),
            Resolved::Missing { .. } => Err(Errno::ENOENT),
            Resolved::Host { mount, path } => {
                if self.host.stat(self.mount_fd(mount), &path, true)?.kind != FileType::Directory {
                    return Err(Errno::ENOTDIR);
                }
                Ok(Pos::Host {
                    mount,
                    path: if path == "." { String::new() } else { path },
                })
            }
        }
    }

    pub(crate) fn sys_chdir(&mut self, path: u64) -> SysResult<u64> {
        let path = self.read_path(path)?;
        let look = self.lookup(AT_FDCWD, &path, true)?;
        self.cwd = self.dir_of(look.res)?;
        Ok(0)
    }

    pub(crate) fn sys_fchdir(&mut self, fd: i32) -> SysResult<u64> {
        self.cwd = self
            .fds
            .file(fd)?
            .borrow()
            .dir_pos()
            .ok_or(Errno::ENOTDIR)?;
        Ok(0)
    }

    pub(crate) fn sys_mkdirat(&mut self, dirfd: i32, path: u64, mode: u32) -> SysResult<u64> {
        let path = self.read_path(path)?;
        let look = self.lookup(dirfd, &path, false)?;
        match look.res {
            Resolved::Missing { parent, name } => {
                let now = self.now();
                self.vfs.mkdir(parent, &name, mode & !self.umask, now)?;
            }
            Resolved::Node { .. } => return Err(Errno::EEXIST),
            Resolved::Host { path, .. } if path == "." => return Err(Errno::EEXIST),
            Resolved::Host { mount, path } => self.host.mkdir(self.mount_fd(mount), &path)?,
        }
        Ok(0)
    }

    pub(crate) fn sys_unlinkat(&mut self, dirfd: i32, path: u64, flags: u32) -> SysResult<u64> {
        if flags & !AT_REMOVEDIR != 0 {
            return Err(Errno::EINVAL);
        }
        let rmdir = flags & AT_REMOVEDIR != 0;
        let path = self.read_path(path)?;
        let look = self.lookup(dirfd, &path, false)?;
        let now = self.now();
        match look.res {
            Resolved::Missing { .. } => return Err(Errno::ENOENT),
            Resolved::Node { ino, name, .. } if name.is_empty() => {
                return Err(if ino == ROOT || !rmdir {
                    Errno::EBUSY
                } else {
                    Errno::EINVAL
                });
            }
            Resolved::Node { parent, name, .. } if rmdir => self.vfs.rmdir(parent, &name, now)?,
            Resolved::Node { parent, name, .. } => self.vfs.unlink(parent, &name, now)?,
            Resolved::Host { path, .. } if path == "." => return Err(Errno::EBUSY),
            Resolved::Host { mount, path } if rmdir => {
                self.host.rmdir(self.mount_fd(mount), &path)?
            }
            Resolved::Host { mount, path } => self.host.unlink(self.mount_fd(mount), &path)?,
        }
        Ok(0)
    }

    pub(crate) fn sys_symlinkat(&mut self, target: u64, dirfd: i32, path: u64) -> SysResult<u64> {
        let target = self.read_path(target)?;
        if target.is_empty() {
            return Err(Errno::ENOENT);
        }
        let path = self.read_path(path)?;
        let look = self.lookup(dirfd, &path, false)?;
        match look.res {
            Resolved::Missing { parent, name } => {
                let now = self.now();
                self.vfs.symlink(parent, &name, &target, now)?;
            }
            Resolved::Node { .. } => return Err(Errno::EEXIST),
            Resolved::Host { mount, path } => {
                self.host.symlink(&target, self.mount_fd(mount), &path)?
            }
        }
        Ok(0)
    }

    pub(crate) fn sys_linkat(
        &mut self,
        olddirfd: i32,
        old: u64,
        newdirfd: i32,
        new: u64,
        flags: u32,
    ) -> SysResult<u64> {
        if flags & !(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH) != 0 {
            return Err(Errno::EINVAL);
        }
        let src = match self.target(olddirfd, old, flags, flags & AT_SYMLINK_FOLLOW != 0)? {
            Target::Path(l) => l.res,
            Target::File(f) => match f.borrow().obj {
                Object::File(ino) => Resolved::Node {
                    ino,
                    parent: ROOT,
                    name: String::new(),
                },
                _ => return Err(Errno::EXDEV),
            },
        };
        let new = self.read_path(new)?;
        let dst = self.lookup(newdirfd, &new, false)?.res;
        if let Some((mount, p1, p2)) = Resolved::same_mount(&src, &dst) {
            let fd = self.mount_fd(mount);
            self.host.link(fd, p1, fd, p2)?;
            return Ok(0);
        }
        match (src, dst) {
            (Resolved::Missing { .. }, _) => Err(Errno::ENOENT),
            (_, Resolved::Node { .. }) => Err(Errno::EEXIST),
            (Resolved::Node { ino, .. }, Resolved::Missing { parent, name }) => {
                let now = self.now();
                self.vfs.link(parent, &name, ino, now)?;
                Ok(0)
            }
            _ => Err(Errno::EXDEV),
        }
    }

    pub(crate) fn sys_renameat2(
        &mut self,
        olddirfd: i32,
        old: u64,
        newdirfd: i32,
        new: u64,
        flags: u32,
    ) -> SysResult<u64> {
        let (old, new) = (self.read_path(old)?, self.read_path(new)?);
        let src = self.lookup(olddirfd, &old, false)?.res;
        let dst = self.lookup(newdirfd, &new, false)?.res;
        if let Some((mount, p1, p2)) = Resolved::same_mount(&src, &dst) {
            return self.rename_on_host(mount, p1, p2, flags);
        }
        let now = self.now();
        match (src, dst) {
            (Resolved::Missing { .. }, _) => return Err(Errno::ENOENT),
            (Resolved::Node { name, .. }, _) | (_, Resolved::Node { name, .. })
                if name.is_empty() =>
            {
                return Err(Errno::EBUSY)
            }
            (
                Resolved::Node {
                    parent: op,
                    name: on,
                    ..
                },
                Resolved::Node {
                    parent: np,
                    name: nn,
                    ..
                }
                | Resolved::Missing {
                    parent: np,
                    name: nn,
                },
            ) => self.vfs.rename(op, &on, np, &nn, flags, now)?,
            _ => return Err(Errno::EXDEV),
        }
        Ok(0)
    }

    /// renameat2 within one mounted host directory.
    fn rename_on_host(&mut self, mount: usize, p1: &str, p2: &str, flags: u32) -> SysResult<u64> {
        if p1 == "." || p2 == "." {
            return Err(Errno::EBUSY);
        }
        if flags & RENAME_EXCHANGE != 0 || flags & !(RENAME_NOREPLACE | RENAME_EXCHANGE) != 0 {
            return Err(Errno::EINVAL);
        }
        let fd = self.mount_fd(mount);
        if flags & RENAME_NOREPLACE != 0 && self.host.stat(fd, p2, false).is_ok() {
            return Err(Errno::EEXIST);
        }
        self.host.rename(fd, p1, fd, p2)?;
        Ok(0)
    }

    pub(crate) fn sys_truncate(&mut self, path: u64, len: i64) -> SysResult<u64> {
        let len = u64::try_from(len).map_err(|_| Errno::EINVAL)?;
        let path = self.read_path(path)?;
        let look = self.lookup(AT_FDCWD, &path, true)?;
        match look.res {
            Resolved::Missing { .. } => Err(Errno::ENOENT),
            Resolved::Node { ino, .. } => {
                let now = self.now();
                self.vfs.truncate(&mut self.host, ino, len, now)?;
                Ok(0)
            }
            Resolved::Host { mount, path } => {
                let opts = OpenOptions {
                    write: true,
                    follow: true,
                    ..Default::default()
                };
                let fd = self.host.open(self.mount_fd(mount), &path, &opts)?;
                let r = self.host.set_size(fd, len);
                self.host.close(fd);
                r.map(|_| 0)
            }
        }
    }

    pub(crate) fn sys_ftruncate(&mut self, fd: i32, len: i64) -> SysResult<u64> {
        let len = u64::try_from(len).map_err(|_| Errno::EINVAL)?;
        let file = self.fds.file(fd)?;
        let f = file.borrow();
        if !f.writable() {
            return Err(Errno::EINVAL);
        }
        match f.obj {
            Object::File(ino) => {
                let now = self.now();
                self.vfs.truncate(&mut self.host, ino, len, now)?;
            }
            Object::HostFile { fd, .. } => self.host.set_size(fd, len)?,
            _ => return Err(Errno::EINVAL),
        }
        Ok(0)
    }

    pub(crate) fn sys_faccessat(
        &mut self,
        dirfd: i32,
        path: u64,
        mode: u32,
        flags: u32,
    ) -> SysResult<u64> {
        if mode & !(R_OK | W_OK | X_OK) != 0
            || flags & !(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0
        {
            return Err(Errno::EINVAL);
        }
        let t = self.target(dirfd, path, flags, true)?;
        let st = self.stat_target(&t, flags & AT_SYMLINK_NOFOLLOW == 0)?;
        // We are root: only execute permission needs some x bit on files.
        if mode & X_OK != 0 && st.mode & S_IFMT != S_IFDIR && st.mode & 0o111 == 0 {
            return Err(Errno::EACCES);
        }
        Ok(0)
    }

    /// Applies `f` to the tree node a target names; host files ignore
    /// metadata changes WASI cannot make.
    fn update_node(&mut self, t: Target, f: impl FnOnce(&mut Node)) -> SysResult<u64> {
        let ino: Option<Ino> = match t {
            Target::Path(l) => match l.res {
                Resolved::Node { ino, .. } => Some(ino),
                Resolved::Missing { .. } => return Err(Errno::ENOENT),
                Resolved::Host { .. } => None,
            },
            Target::File(file) => match file.borrow().obj {
                Object::File(ino) | Object::Dir(ino) | Object::Dev { ino, .. } => Some(ino),
                _ => None,
            },
        };
        if let Some(ino) = ino {
            let now = self.now();
            let node = self.vfs.node_mut(ino);
            f(node);
            node.ctime = now;
        }
        Ok(0)
    }

    pub(crate) fn sys_fchmod(&mut self, fd: i32, mode: u32) -> SysResult<u64> {
        let t = Target::File(self.fds.file(fd)?);
        self.update_node(t, |n| n.mode = mode & 0o7777)
    }

    pub(crate) fn sys_fchmodat(&mut self, dirfd: i32, path: u64, mode: u32) -> SysResult<u64> {
        let t = self.target(dirfd, path, 0, true)?;
        self.update_node(t, |n| n.mode = mode & 0o7777)
    }

    fn chown(n: &mut Node, uid: u32, gid: u32) {
        if uid != u32::MAX {
            n.uid = uid;
        }
        if gid != u32::MAX {
            n.gid = gid;
        }
    }

    pub(crate) fn sys_fchownat(
        &mut self,
        dirfd: i32,
        path: u64,
        uid: u32,
        gid: u32,
        flags: u32,
    ) -> SysResult<u64> {
        if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
            return Err(Errno::EINVAL);
        }
        let t = self.target(dirfd, path, flags, true)?;
        self.update_node(t, |n| Self::chown(n, uid, gid))
    }

    pub(crate) fn sys_fchown(&mut self, fd: i32, uid: u32, gid: u32) -> SysResult<u64> {
        let t = Target::File(self.fds.file(fd)?);
        self.update_node(t, |n| Self::chown(n, uid, gid))
    }

    pub(crate) fn sys_utimensat(
        &mut self,
        dirfd: i32,
        path: u64,
        times: u64,
        flags: u32,
    ) -> SysResult<u64> {
        if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
            return Err(Errno::EINVAL);
        }
        let times = if times == 0 {
            (TimeArg::Now, TimeArg::Now)
        } else {
            let mem = self.mem();
            (
                TimeArg::decode(&mem.read_array(times)?)?,
                TimeArg::decode(&mem.read_array(times + 16)?)?,
            )
        };
        self.set_times(dirfd, path, times, flags)
    }

    /// utime, utimes and futimesat: utimensat with the times at `times`
    /// (NULL: now) as `struct utimbuf` (seconds) or `struct timeval[2]`
    /// (`timeval`).
    pub(crate) fn sys_utimes(
        &mut self,
        dirfd: i32,
        path: u64,
        times: u64,
        timeval: bool,
    ) -> SysResult<u64> {
        let times = if times == 0 {
            (TimeArg::Now, TimeArg::Now)
        } else if timeval {
            let mem = self.mem();
            let mut t = [TimeArg::Now; 2];
            for (i, slot) in t.iter_mut().enumerate() {
                let b: [u8; 16] = mem.read_array(times + 16 * i as u64)?;
                let (sec, usec) = (get_i64(&b, 0), get_i64(&b, 8));
                if !(0..1_000_000).contains(&usec) {
                    return Err(Errno::EINVAL);
                }
                *slot = TimeArg::At(Timespec {
                    sec,
                    nsec: usec * 1000,
                });
            }
            (t[0], t[1])
        } else {
            let b: [u8; 16] = self.mem().read_array(times)?;
            let at = |sec| TimeArg::At(Timespec { sec, nsec: 0 });
            (at(get_i64(&b, 0)), at(get_i64(&b, 8)))
        };
        self.set_times(dirfd, path, times, 0)
    }

    /// utimensat's work once the times are decoded.
    fn set_times(
        &mut self,
        dirfd: i32,
        path: u64,
        (atime, mtime): (TimeArg, TimeArg),
        flags: u32,
    ) -> SysResult<u64> {
        let follow = flags & AT_SYMLINK_NOFOLLOW == 0;
        let t = if path == 0 {
            Target::File(self.fds.file(dirfd)?)
        } else {
            self.target(dirfd, path, flags, follow)?
        };
        let host_fd = match &t {
            Target::Path(Lookup {
                res: Resolved::Host { mount, path },
                ..
            }) => {
                let fd = self.mount_fd(*mount);
                self.host
                    .set_times(fd, path, atime.host(), mtime.host(), follow)?;
                return Ok(0);
            }
            Target::File(f) => match f.borrow().obj {
                Object::HostFile { fd, .. } | Object::HostDir { fd, .. } => Some(fd),
                _ => None,
            },
            _ => None,
        };
        if let Some(fd) = host_fd {
            self.host.set_fd_times(fd, atime.host(), mtime.host())?;
            return Ok(0);
        }
        let now = self.now();
        self.update_node(t, |n| {
            atime.apply(&mut n.atime, now);
            mtime.apply(&mut n.mtime, now);
        })
    }

    pub(crate) fn sys_readlinkat(
        &mut self,
        dirfd: i32,
        path: u64,
        buf: u64,
        size: i64,
    ) -> SysResult<u64> {
        if size <= 0 {
            return Err(Errno::EINVAL);
        }
        let path = self.read_path(path)?;
        let look = self.lookup(dirfd, &path, false)?;
        let target = match look.res {
            Resolved::Node { ino, .. } => match &self.vfs.node(ino).kind {
                NodeKind::Symlink(t) => t.clone(),
                _ => return Err(Errno::EINVAL),
            },
            Resolved::Missing { .. } => return Err(Errno::ENOENT),
            Resolved::Host { path, .. } if path == "." => return Err(Errno::EINVAL),
            Resolved::Host { mount, path } => self.host.readlink(self.mount_fd(mount), &path)?,
        };
        let n = target.len().min(size as usize);
        self.mem().write(buf, &target.as_bytes()[..n])?;
        Ok(n as u64)
    }
}
