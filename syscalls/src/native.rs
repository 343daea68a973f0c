//! A [`Host`] on the native OS (std::fs, an in-process guest memory region,
//! an in-memory image), for tests and tools.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::fs::{self, File};
use std::hash::{BuildHasher, Hasher};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{DirEntryExt, FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::errno::{Errno, SysResult};
use crate::host::*;
use crate::image::{FileEntry, FileKind, Manifest, MANIFEST_VERSION};
use crate::layout::GUEST_LIMIT;

/// Guest memory: one zeroed allocation, committed lazily by the OS.
struct GuestRegion {
    ptr: *mut u8,
    capacity: u64,
    /// Bytes addressable so far (grows like a Wasm memory).
    len: u64,
}

const WASM_PAGE: u64 = 64 * 1024;

impl GuestRegion {
    fn layout(capacity: u64) -> std::alloc::Layout {
        // A small alignment lets the system allocator use calloc, which maps
        // fresh zero pages lazily instead of clearing them all up front.
        std::alloc::Layout::from_size_align(capacity as usize, 16).unwrap()
    }

    fn new(capacity: u64) -> Self {
        // SAFETY: the layout has a non-zero size.
        let ptr = unsafe { std::alloc::alloc_zeroed(Self::layout(capacity)) };
        assert!(
            !ptr.is_null(),
            "cannot reserve {capacity:#x} bytes of guest memory"
        );
        GuestRegion {
            ptr,
            capacity,
            len: 0,
        }
    }
}

impl Drop for GuestRegion {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout.
        unsafe { std::alloc::dealloc(self.ptr, Self::layout(self.capacity)) }
    }
}

/// Where a stdio stream goes.
enum Stdio {
    /// The process's own stdin/stdout/stderr.
    Inherit,
    /// Input from, or output into, a buffer.
    Buffer(Vec<u8>, usize),
}

enum Handle {
    File(File),
    Dir(PathBuf),
}

/// The native host.
pub struct NativeHost {
    memory: GuestRegion,
    segments: Vec<Vec<u8>>,
    stdio: [Stdio; 3],
    /// Whether stdio fds count as terminals.
    pub tty: [bool; 3],
    preopens: Vec<(HostFd, String)>,
    handles: HashMap<HostFd, Handle>,
    next_fd: HostFd,
    start: Instant,
    rng: u64,
}

impl NativeHost {
    /// A host with image data segments `segments` (index = segment number),
    /// stdio captured in buffers (see [`NativeHost::stdout`]), and room for
    /// the whole guest address space.
    pub fn new(segments: Vec<Vec<u8>>) -> Self {
        Self::with_memory(segments, GUEST_LIMIT)
    }

    /// Like [`NativeHost::new`] with at most `capacity` bytes of guest memory.
    pub fn with_memory(segments: Vec<Vec<u8>>, capacity: u64) -> Self {
        NativeHost {
            memory: GuestRegion::new(capacity),
            segments,
            stdio: [
                Stdio::Buffer(Vec::new(), 0),
                Stdio::Buffer(Vec::new(), 0),
                Stdio::Buffer(Vec::new(), 0),
            ],
            tty: [false; 3],
            preopens: Vec::new(),
            handles: HashMap::new(),
            next_fd: 3,
            start: Instant::now(),
            rng: RandomState::new().build_hasher().finish() | 1,
        }
    }

    /// Uses this process's stdin, stdout and stderr instead of buffers.
    pub fn inherit_stdio(mut self) -> Self {
        self.stdio = [Stdio::Inherit, Stdio::Inherit, Stdio::Inherit];
        self
    }

    /// Sets what the guest reads from stdin.
    pub fn set_stdin(&mut self, data: &[u8]) {
        self.stdio[0] = Stdio::Buffer(data.to_vec(), 0);
    }

    /// Mounts host directory `host` at guest path `guest` (a preopen).
    pub fn preopen(&mut self, host: impl Into<PathBuf>, guest: &str) -> HostFd {
        let fd = self.insert(Handle::Dir(host.into()));
        self.preopens.push((fd, guest.to_string()));
        fd
    }

    /// What the guest wrote to stdout so far (empty when inherited).
    pub fn stdout(&self) -> &[u8] {
        Self::buffer(&self.stdio[1])
    }

    /// What the guest wrote to stderr so far (empty when inherited).
    pub fn stderr(&self) -> &[u8] {
        Self::buffer(&self.stdio[2])
    }

    fn buffer(s: &Stdio) -> &[u8] {
        match s {
            Stdio::Buffer(b, _) => b,
            Stdio::Inherit => &[],
        }
    }

    fn insert(&mut self, h: Handle) -> HostFd {
        let fd = self.next_fd;
        self.next_fd += 1;
        self.handles.insert(fd, h);
        fd
    }

    fn file(&mut self, fd: HostFd) -> SysResult<&mut File> {
        match self.handles.get_mut(&fd) {
            Some(Handle::File(f)) => Ok(f),
            Some(Handle::Dir(_)) => Err(Errno::EISDIR),
            None => Err(Errno::EBADF),
        }
    }

    fn path(&self, dir: HostFd, path: &str) -> SysResult<PathBuf> {
        match self.handles.get(&dir) {
            Some(Handle::Dir(base)) => Ok(if path.is_empty() || path == "." {
                base.clone()
            } else {
                base.join(path)
            }),
            Some(Handle::File(_)) => Err(Errno::ENOTDIR),
            None => Err(Errno::EBADF),
        }
    }
}

fn file_type(ft: fs::FileType) -> FileType {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_symlink() {
        FileType::Symlink
    } else if ft.is_dir() {
        FileType::Directory
    } else if ft.is_file() {
        FileType::Regular
    } else if ft.is_char_device() {
        FileType::CharDevice
    } else if ft.is_block_device() {
        FileType::BlockDevice
    } else if ft.is_socket() {
        FileType::Socket
    } else {
        FileType::Unknown
    }
}

fn host_stat(m: &fs::Metadata) -> HostStat {
    let ns = |s: i64, n: i64| (s.max(0) as u64) * 1_000_000_000 + n as u64;
    HostStat {
        dev: m.dev(),
        ino: m.ino(),
        kind: file_type(m.file_type()),
        nlink: m.nlink(),
        size: m.size(),
        atime: ns(m.atime(), m.atime_nsec()),
        mtime: ns(m.mtime(), m.mtime_nsec()),
        ctime: ns(m.ctime(), m.ctime_nsec()),
    }
}

fn system_time(t: SetTime) -> Option<SystemTime> {
    match t {
        SetTime::Omit => None,
        SetTime::Now => Some(SystemTime::now()),
        SetTime::At(ns) => Some(UNIX_EPOCH + std::time::Duration::from_nanos(ns)),
    }
}

fn set_file_times(f: &File, atime: SetTime, mtime: SetTime) -> SysResult<()> {
    let mut times = fs::FileTimes::new();
    if let Some(t) = system_time(atime) {
        times = times.set_accessed(t);
    }
    if let Some(t) = system_time(mtime) {
        times = times.set_modified(t);
    }
    Ok(f.set_times(times)?)
}

impl Host for NativeHost {
    fn read(&mut self, fd: HostFd, buf: &mut [u8]) -> SysResult<usize> {
        match (fd, self.stdio.get_mut(fd as usize)) {
            (0, Some(Stdio::Inherit)) => Ok(std::io::stdin().read(buf)?),
            (0, Some(Stdio::Buffer(data, pos))) => {
                let n = buf.len().min(data.len() - *pos);
                buf[..n].copy_from_slice(&data[*pos..*pos + n]);
                *pos += n;
                Ok(n)
            }
            (1 | 2, _) => Err(Errno::EBADF),
            _ => Ok(self.file(fd)?.read(buf)?),
        }
    }

    fn write(&mut self, fd: HostFd, buf: &[u8]) -> SysResult<usize> {
        match (fd, self.stdio.get_mut(fd as usize)) {
            (0, _) => Err(Errno::EBADF),
            (1, Some(Stdio::Inherit)) => Ok(std::io::stdout().write(buf)?),
            (2, Some(Stdio::Inherit)) => Ok(std::io::stderr().write(buf)?),
            (1 | 2, Some(Stdio::Buffer(data, _))) => {
                data.extend_from_slice(buf);
                Ok(buf.len())
            }
            _ => Ok(self.file(fd)?.write(buf)?),
        }
    }

    fn pread(&mut self, fd: HostFd, buf: &mut [u8], offset: u64) -> SysResult<usize> {
        if fd < 3 {
            return Err(Errno::ESPIPE);
        }
        Ok(self.file(fd)?.read_at(buf, offset)?)
    }

    fn pwrite(&mut self, fd: HostFd, buf: &[u8], offset: u64) -> SysResult<usize> {
        if fd < 3 {
            return Err(Errno::ESPIPE);
        }
        Ok(self.file(fd)?.write_at(buf, offset)?)
    }

    fn seek(&mut self, fd: HostFd, offset: i64, whence: Whence) -> SysResult<u64> {
        if fd < 3 {
            return Err(Errno::ESPIPE);
        }
        let pos = match whence {
            Whence::Set => SeekFrom::Start(u64::try_from(offset).map_err(|_| Errno::EINVAL)?),
            Whence::Cur => SeekFrom::Current(offset),
            Whence::End => SeekFrom::End(offset),
        };
        Ok(self.file(fd)?.seek(pos)?)
    }

    fn close(&mut self, fd: HostFd) {
        self.handles.remove(&fd);
    }

    fn fstat(&mut self, fd: HostFd) -> SysResult<HostStat> {
        if fd < 3 {
            let kind = if self.tty[fd as usize] {
                FileType::CharDevice
            } else {
                FileType::Unknown
            };
            return Ok(HostStat {
                dev: 0,
                ino: 0,
                kind,
                nlink: 1,
                size: 0,
                atime: 0,
                mtime: 0,
                ctime: 0,
            });
        }
        match self.handles.get(&fd) {
            Some(Handle::File(f)) => Ok(host_stat(&f.metadata()?)),
            Some(Handle::Dir(p)) => Ok(host_stat(&fs::metadata(p)?)),
            None => Err(Errno::EBADF),
        }
    }

    fn set_size(&mut self, fd: HostFd, size: u64) -> SysResult<()> {
        Ok(self.file(fd)?.set_len(size)?)
    }

    fn set_fd_times(&mut self, fd: HostFd, atime: SetTime, mtime: SetTime) -> SysResult<()> {
        set_file_times(self.file(fd)?, atime, mtime)
    }

    fn readdir(&mut self, fd: HostFd) -> SysResult<Vec<HostDirEntry>> {
        let dir = self.path(fd, "")?;
        let mut out = Vec::new();
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            out.push(HostDirEntry {
                name: entry.file_name().to_string_lossy().into_owned(),
                ino: entry.ino(),
                kind: file_type(entry.file_type()?),
            });
        }
        Ok(out)
    }

    fn open(&mut self, dir: HostFd, path: &str, opts: &OpenOptions) -> SysResult<HostFd> {
        let p = self.path(dir, path)?;
        let meta = fs::symlink_metadata(&p);
        if let Ok(m) = &meta {
            if m.file_type().is_symlink() && !opts.follow {
                return Err(Errno::ELOOP);
            }
            if opts.create && opts.exclusive {
                return Err(Errno::EEXIST);
            }
        }
        let is_dir = fs::metadata(&p).map(|m| m.is_dir()).unwrap_or(false);
        if opts.directory && !is_dir && meta.is_ok() {
            return Err(Errno::ENOTDIR);
        }
        if is_dir {
            if opts.write {
                return Err(Errno::EISDIR);
            }
            return Ok(self.insert(Handle::Dir(p)));
        }
        let f = fs::OpenOptions::new()
            .read(opts.read || !opts.write)
            .write(opts.write && !opts.append)
            .append(opts.append)
            .create(opts.create)
            .create_new(opts.create && opts.exclusive)
            .truncate(opts.truncate)
            .open(&p)?;
        Ok(self.insert(Handle::File(f)))
    }

    fn stat(&mut self, dir: HostFd, path: &str, follow: bool) -> SysResult<HostStat> {
        let p = self.path(dir, path)?;
        let m = if follow {
            fs::metadata(p)?
        } else {
            fs::symlink_metadata(p)?
        };
        Ok(host_stat(&m))
    }

    fn mkdir(&mut self, dir: HostFd, path: &str) -> SysResult<()> {
        Ok(fs::create_dir(self.path(dir, path)?)?)
    }

    fn unlink(&mut self, dir: HostFd, path: &str) -> SysResult<()> {
        let p = self.path(dir, path)?;
        if fs::symlink_metadata(&p)?.is_dir() {
            return Err(Errno::EISDIR);
        }
        Ok(fs::remove_file(p)?)
    }

    fn rmdir(&mut self, dir: HostFd, path: &str) -> SysResult<()> {
        Ok(fs::remove_dir(self.path(dir, path)?)?)
    }

    fn rename(&mut self, old_dir: HostFd, old: &str, new_dir: HostFd, new: &str) -> SysResult<()> {
        Ok(fs::rename(
            self.path(old_dir, old)?,
            self.path(new_dir, new)?,
        )?)
    }

    fn readlink(&mut self, dir: HostFd, path: &str) -> SysResult<String> {
        let target = fs::read_link(self.path(dir, path)?)?;
        Ok(target.to_string_lossy().into_owned())
    }

    fn symlink(&mut self, target: &str, dir: HostFd, path: &str) -> SysResult<()> {
        Ok(std::os::unix::fs::symlink(target, self.path(dir, path)?)?)
    }

    fn link(&mut self, old_dir: HostFd, old: &str, new_dir: HostFd, new: &str) -> SysResult<()> {
        Ok(fs::hard_link(
            self.path(old_dir, old)?,
            self.path(new_dir, new)?,
        )?)
    }

    fn set_times(
        &mut self,
        dir: HostFd,
        path: &str,
        atime: SetTime,
        mtime: SetTime,
        _follow: bool,
    ) -> SysResult<()> {
        let p = self.path(dir, path)?;
        let f = File::open(&p).or_else(|_| File::options().write(true).open(&p))?;
        set_file_times(&f, atime, mtime)
    }

    fn preopens(&mut self) -> Vec<(HostFd, String)> {
        self.preopens.clone()
    }

    fn clock_time(&mut self, clock: Clock) -> SysResult<u64> {
        Ok(match clock {
            Clock::Realtime => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_err(|_| Errno::EINVAL)?
                .as_nanos() as u64,
            Clock::Monotonic | Clock::ProcessCpu | Clock::ThreadCpu => {
                self.start.elapsed().as_nanos() as u64
            }
        })
    }

    fn clock_res(&mut self, _clock: Clock) -> SysResult<u64> {
        Ok(1)
    }

    fn random(&mut self, buf: &mut [u8]) {
        // xorshift64, seeded from the OS's randomness: enough for tests.
        for b in buf {
            let mut x = self.rng;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.rng = x;
            *b = (x >> 24) as u8;
        }
    }

    fn sleep(&mut self, ns: u64) {
        std::thread::sleep(std::time::Duration::from_nanos(ns));
    }

    fn isatty(&mut self, fd: HostFd) -> bool {
        self.tty.get(fd as usize).copied().unwrap_or(false)
    }

    fn data_len(&mut self, seg: u32) -> u64 {
        self.segments
            .get(seg as usize)
            .map_or(0, |s| s.len() as u64)
    }

    fn data_read(&mut self, seg: u32, offset: u64, buf: &mut [u8]) {
        let data = &self.segments[seg as usize];
        let start = offset as usize;
        buf.copy_from_slice(&data[start..start + buf.len()]);
    }

    fn guest_memory(&self) -> (*mut u8, u64) {
        (self.memory.ptr, self.memory.len)
    }

    fn guest_reserve(&mut self, len: u64) -> Result<(), Errno> {
        let len = len.next_multiple_of(WASM_PAGE);
        if len > self.memory.capacity {
            return Err(Errno::ENOMEM);
        }
        self.memory.len = self.memory.len.max(len);
        Ok(())
    }
}

/// Builds an image (manifest plus data segments) in memory, for tests.
#[derive(Default)]
pub struct ImageBuilder {
    files: std::collections::BTreeMap<String, FileEntry>,
    segments: Vec<Vec<u8>>,
}

impl ImageBuilder {
    /// An empty image (just "/").
    pub fn new() -> Self {
        let mut b = ImageBuilder {
            files: Default::default(),
            segments: vec![Vec::new()],
        };
        b.dir("/", 0o755);
        b
    }

    fn entry(&mut self, path: &str, kind: FileKind, mode: u32) -> &mut FileEntry {
        if let Some(parent) = Path::new(path).parent() {
            let parent = parent.to_str().unwrap();
            if !self.files.contains_key(parent) {
                self.dir(parent, 0o755);
            }
        }
        self.files.entry(path.to_string()).or_insert(FileEntry {
            path: path.to_string(),
            kind,
            mode,
            size: 0,
            segment: 0,
            target: String::new(),
            mtime: 1_700_000_000,
            uid: 0,
            gid: 0,
        })
    }

    /// Adds a directory (and its parents).
    pub fn dir(&mut self, path: &str, mode: u32) -> &mut Self {
        self.entry(path, FileKind::Dir, mode);
        self
    }

    /// Adds a regular file (and its parents).
    pub fn file(&mut self, path: &str, data: &[u8], mode: u32) -> &mut Self {
        let segment = self.segments.len() as u32;
        self.segments.push(data.to_vec());
        let e = self.entry(path, FileKind::File, mode);
        e.size = data.len() as u64;
        e.segment = segment;
        self
    }

    /// Adds a symlink (and its parents).
    pub fn symlink(&mut self, path: &str, target: &str) -> &mut Self {
        self.entry(path, FileKind::Symlink, 0o777).target = target.to_string();
        self
    }

    /// The manifest (with `entrypoint`) and the segments, segment 0 being
    /// the manifest's JSON.
    pub fn build(&self, entrypoint: &[&str]) -> (Manifest, Vec<Vec<u8>>) {
        let manifest = Manifest {
            version: MANIFEST_VERSION,
            arch: "riscv64".into(),
            entrypoint: entrypoint.iter().map(|s| s.to_string()).collect(),
            cmd: Vec::new(),
            env: vec!["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into()],
            workdir: "/".into(),
            files: self.files.values().cloned().collect(),
            interp_only: false,
            translation: None,
        };
        let mut segments = self.segments.clone();
        segments[0] = serde_json::to_vec(&manifest).unwrap();
        (manifest, segments)
    }
}
