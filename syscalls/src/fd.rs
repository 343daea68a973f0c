//! File descriptors and the open file descriptions they share.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use crate::errno::{Errno, SysResult};
use crate::host::{Host, HostFd};
use crate::linux::{O_ACCMODE, O_RDONLY, O_RDWR, O_WRONLY};
use crate::vfs::{Dev, Ino, Pos, Vfs};

/// An in-memory pipe.
#[derive(Debug, Default)]
pub struct Pipe {
    pub buf: VecDeque<u8>,
    pub readers: u32,
    pub writers: u32,
}

/// What an open file description refers to.
#[derive(Debug)]
pub enum Object {
    /// A host stdio stream (never closed on the host).
    Stdio(HostFd),
    /// A file in a mounted host directory.
    HostFile {
        fd: HostFd,
        mount: usize,
        path: String,
    },
    /// A directory in a mounted host directory.
    HostDir {
        fd: HostFd,
        mount: usize,
        path: String,
    },
    /// A regular file (or symlink, with O_PATH) of the tree.
    File(Ino),
    /// A directory of the tree.
    Dir(Ino),
    /// A device the kernel implements (its node is `ino`).
    Dev {
        dev: Dev,
        ino: Ino,
    },
    PipeRead(Rc<RefCell<Pipe>>),
    PipeWrite(Rc<RefCell<Pipe>>),
}

/// A directory listing being read by getdents64.
#[derive(Debug, Default)]
pub struct DirStream {
    /// (name, inode, d_type), "." and ".." first.
    pub entries: Vec<(String, u64, u8)>,
    pub pos: usize,
}

/// An open file description: the object, status flags and offset, shared by
/// dup'ed descriptors.
#[derive(Debug)]
pub struct OpenFile {
    pub obj: Object,
    /// `O_ACCMODE` plus status flags (`O_APPEND`, `O_NONBLOCK`, ...).
    pub flags: u32,
    pub offset: u64,
    /// Listing snapshot of a directory, taken at the first getdents64.
    pub dir: Option<DirStream>,
    /// Path it was opened with (for strace and /proc).
    pub path: String,
}

/// Shared handle to an open file description.
pub type FileRef = Rc<RefCell<OpenFile>>;

impl OpenFile {
    /// A new description of `obj`.
    pub fn new(obj: Object, flags: u32, path: impl Into<String>) -> FileRef {
        Rc::new(RefCell::new(OpenFile {
            obj,
            flags,
            offset: 0,
            dir: None,
            path: path.into(),
        }))
    }

    /// Whether it was opened for reading.
    pub fn readable(&self) -> bool {
        matches!(self.flags & O_ACCMODE, O_RDONLY | O_RDWR)
    }

    /// Whether it was opened for writing.
    pub fn writable(&self) -> bool {
        matches!(self.flags & O_ACCMODE, O_WRONLY | O_RDWR)
    }

    /// The directory position it stands for, if it is a directory.
    pub fn dir_pos(&self) -> Option<Pos> {
        match &self.obj {
            Object::Dir(ino) => Some(Pos::Tree(*ino)),
            Object::HostDir { mount, path, .. } => Some(Pos::Host {
                mount: *mount,
                path: if path == "." {
                    String::new()
                } else {
                    path.clone()
                },
            }),
            _ => None,
        }
    }

    /// Releases what the description holds once its last descriptor closes.
    fn release<H: Host>(&self, host: &mut H, vfs: &mut Vfs) {
        match &self.obj {
            Object::HostFile { fd, .. } | Object::HostDir { fd, .. } => host.close(*fd),
            Object::File(ino) | Object::Dir(ino) | Object::Dev { ino, .. } => vfs.close_ref(*ino),
            Object::PipeRead(p) => p.borrow_mut().readers -= 1,
            Object::PipeWrite(p) => p.borrow_mut().writers -= 1,
            Object::Stdio(_) => {}
        }
    }
}

/// One descriptor.
#[derive(Debug, Clone)]
pub struct FdEntry {
    pub file: FileRef,
    pub cloexec: bool,
}

/// The descriptor table.
#[derive(Debug, Default)]
pub struct FdTable {
    fds: Vec<Option<FdEntry>>,
    /// Descriptors are below this (RLIMIT_NOFILE).
    pub limit: u64,
}

impl FdTable {
    /// An empty table allowing `limit` descriptors.
    pub fn new(limit: u64) -> Self {
        FdTable {
            fds: Vec::new(),
            limit,
        }
    }

    /// The entry of descriptor `fd`; `EBADF` if it is not open.
    pub fn get(&self, fd: i32) -> SysResult<&FdEntry> {
        usize::try_from(fd)
            .ok()
            .and_then(|i| self.fds.get(i)?.as_ref())
            .ok_or(Errno::EBADF)
    }

    /// The entry of descriptor `fd`, writable.
    pub fn get_mut(&mut self, fd: i32) -> SysResult<&mut FdEntry> {
        usize::try_from(fd)
            .ok()
            .and_then(|i| self.fds.get_mut(i)?.as_mut())
            .ok_or(Errno::EBADF)
    }

    /// The open file of descriptor `fd`.
    pub fn file(&self, fd: i32) -> SysResult<FileRef> {
        Ok(self.get(fd)?.file.clone())
    }

    /// Installs `file` at the lowest free descriptor `>= min`.
    pub fn insert_from(&mut self, min: i32, file: FileRef, cloexec: bool) -> SysResult<i32> {
        let min = usize::try_from(min).map_err(|_| Errno::EINVAL)?;
        let free = (min..)
            .find(|&i| self.fds.get(i).is_none_or(|e| e.is_none()))
            .unwrap();
        if free as u64 >= self.limit {
            return Err(Errno::EMFILE);
        }
        if self.fds.len() <= free {
            self.fds.resize(free + 1, None);
        }
        self.fds[free] = Some(FdEntry { file, cloexec });
        Ok(free as i32)
    }

    /// Installs `file` at the lowest free descriptor.
    pub fn insert(&mut self, file: FileRef, cloexec: bool) -> SysResult<i32> {
        self.insert_from(0, file, cloexec)
    }

    /// Installs `file` at exactly `fd`, returning what was there.
    pub fn replace(&mut self, fd: i32, file: FileRef, cloexec: bool) -> SysResult<Option<FdEntry>> {
        let i = usize::try_from(fd).map_err(|_| Errno::EBADF)?;
        if i as u64 >= self.limit {
            return Err(Errno::EBADF);
        }
        if self.fds.len() <= i {
            self.fds.resize(i + 1, None);
        }
        Ok(self.fds[i].replace(FdEntry { file, cloexec }))
    }

    /// Removes descriptor `fd`.
    pub fn remove(&mut self, fd: i32) -> SysResult<FdEntry> {
        usize::try_from(fd)
            .ok()
            .and_then(|i| self.fds.get_mut(i)?.take())
            .ok_or(Errno::EBADF)
    }

    /// Open descriptors in `[first, last]`.
    pub fn open_in(&self, first: u32, last: u32) -> Vec<i32> {
        let end = (last as usize).saturating_add(1).min(self.fds.len());
        (first as usize..end)
            .filter(|&i| self.fds[i].is_some())
            .map(|i| i as i32)
            .collect()
    }

    /// How many descriptors are open.
    pub fn count(&self) -> usize {
        self.fds.iter().flatten().count()
    }
}

/// Drops a descriptor entry, releasing its description if it was the last.
pub fn drop_entry<H: Host>(entry: FdEntry, host: &mut H, vfs: &mut Vfs) {
    if Rc::strong_count(&entry.file) == 1 {
        entry.file.borrow().release(host, vfs);
    }
}
