//! The primitives the kernel needs from whatever runs it: WASI preview 1 in
//! the runtime (`c2w-runtime`'s `host` module), [`crate::native::NativeHost`]
//! in tests. Paths are relative to a host directory handle (a WASI preopen);
//! errors are Linux errno values.

use crate::errno::{Errno, SysResult};

/// A host file descriptor (a WASI fd).
pub type HostFd = u32;

/// Host file types, as WASI reports them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileType {
    Unknown,
    Regular,
    Directory,
    Symlink,
    CharDevice,
    BlockDevice,
    Socket,
}

/// What the host reports about a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostStat {
    pub dev: u64,
    pub ino: u64,
    pub kind: FileType,
    pub nlink: u64,
    pub size: u64,
    /// Nanoseconds since the epoch.
    pub atime: u64,
    pub mtime: u64,
    pub ctime: u64,
}

/// One entry of a host directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostDirEntry {
    pub name: String,
    pub ino: u64,
    pub kind: FileType,
}

/// How to open a host path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenOptions {
    pub read: bool,
    pub write: bool,
    pub create: bool,
    pub exclusive: bool,
    pub truncate: bool,
    pub append: bool,
    pub directory: bool,
    /// Follow a symlink in the last component.
    pub follow: bool,
}

/// A timestamp update (`utimensat`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetTime {
    Omit,
    Now,
    /// Nanoseconds since the epoch.
    At(u64),
}

/// `lseek` origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Whence {
    Set,
    Cur,
    End,
}

/// Host clocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    Realtime,
    Monotonic,
    ProcessCpu,
    ThreadCpu,
}

/// What the kernel needs from its host.
pub trait Host {
    /// Reads from a host fd at its current offset.
    fn read(&mut self, fd: HostFd, buf: &mut [u8]) -> SysResult<usize>;
    /// Writes to a host fd at its current offset (or its end, if appending).
    fn write(&mut self, fd: HostFd, buf: &[u8]) -> SysResult<usize>;
    /// Reads at `offset`, leaving the fd's offset alone.
    fn pread(&mut self, fd: HostFd, buf: &mut [u8], offset: u64) -> SysResult<usize>;
    /// Writes at `offset`, leaving the fd's offset alone.
    fn pwrite(&mut self, fd: HostFd, buf: &[u8], offset: u64) -> SysResult<usize>;
    /// Moves the fd's offset; returns the new one.
    fn seek(&mut self, fd: HostFd, offset: i64, whence: Whence) -> SysResult<u64>;
    /// Closes a host fd the kernel opened.
    fn close(&mut self, fd: HostFd);
    /// Metadata of an open fd.
    fn fstat(&mut self, fd: HostFd) -> SysResult<HostStat>;
    /// Truncates or extends an open file.
    fn set_size(&mut self, fd: HostFd, size: u64) -> SysResult<()>;
    /// Sets the times of an open file.
    fn set_fd_times(&mut self, fd: HostFd, atime: SetTime, mtime: SetTime) -> SysResult<()>;
    /// All entries of an open directory, without "." and "..".
    fn readdir(&mut self, fd: HostFd) -> SysResult<Vec<HostDirEntry>>;

    /// Opens `path` relative to the directory `dir`.
    fn open(&mut self, dir: HostFd, path: &str, opts: &OpenOptions) -> SysResult<HostFd>;
    /// Metadata of `path` relative to `dir`.
    fn stat(&mut self, dir: HostFd, path: &str, follow: bool) -> SysResult<HostStat>;
    fn mkdir(&mut self, dir: HostFd, path: &str) -> SysResult<()>;
    fn unlink(&mut self, dir: HostFd, path: &str) -> SysResult<()>;
    fn rmdir(&mut self, dir: HostFd, path: &str) -> SysResult<()>;
    fn rename(&mut self, old_dir: HostFd, old: &str, new_dir: HostFd, new: &str) -> SysResult<()>;
    fn readlink(&mut self, dir: HostFd, path: &str) -> SysResult<String>;
    fn symlink(&mut self, target: &str, dir: HostFd, path: &str) -> SysResult<()>;
    fn link(&mut self, old_dir: HostFd, old: &str, new_dir: HostFd, new: &str) -> SysResult<()>;
    fn set_times(
        &mut self,
        dir: HostFd,
        path: &str,
        atime: SetTime,
        mtime: SetTime,
        follow: bool,
    ) -> SysResult<()>;
    /// The preopened directories: their fd and the guest path to mount them at.
    fn preopens(&mut self) -> Vec<(HostFd, String)>;

    /// Current time of `clock` in nanoseconds.
    fn clock_time(&mut self, clock: Clock) -> SysResult<u64>;
    /// Resolution of `clock` in nanoseconds.
    fn clock_res(&mut self, clock: Clock) -> SysResult<u64>;
    /// Fills `buf` with random bytes.
    fn random(&mut self, buf: &mut [u8]);
    /// Sleeps for `ns` nanoseconds.
    fn sleep(&mut self, ns: u64);
    /// Whether a host stdio fd (0, 1, 2) is a terminal.
    fn isatty(&mut self, fd: HostFd) -> bool;

    /// Length of image data segment `seg`.
    fn data_len(&mut self, seg: u32) -> u64;
    /// Copies `buf.len()` bytes of segment `seg` from `offset` into `buf`,
    /// which may be guest memory. The range must be within the segment.
    fn data_read(&mut self, seg: u32, offset: u64, buf: &mut [u8]);

    /// Pointer to guest address 0 and how many bytes from it are addressable.
    fn guest_memory(&self) -> (*mut u8, u64);
    /// Makes guest addresses [0, len) addressable (never shrinks); new bytes
    /// read as zero.
    fn guest_reserve(&mut self, len: u64) -> Result<(), Errno>;
}
