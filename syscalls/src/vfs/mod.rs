//! The file tree the guest sees: the image's files (read-only bytes in data
//! segments), an in-memory overlay of everything written (new files, writes
//! copy-up image files, renames, unlinks), host directories mounted at their
//! guest paths, and the few /dev and /proc files programs expect.

mod ops;
mod resolve;

use std::collections::BTreeMap;

use crate::errno::{Errno, SysResult};
use crate::host::{FileType, Host, HostFd, HostStat};
use crate::image::{FileKind, Manifest};
use crate::linux::*;

pub use resolve::{Lookup, Pos, Resolved};

/// A node of the tree (index into the node table).
pub type Ino = usize;

/// The root directory.
pub const ROOT: Ino = 0;

/// Device number of the image/overlay file system.
const TREE_DEV: u64 = 0x2a;
/// Block size reported by `stat`.
pub const BLKSIZE: u32 = 4096;

/// Character devices the kernel implements itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dev {
    Null,
    Zero,
    Full,
    Random,
    /// `/dev/stdin` etc.: the guest's own fd.
    Fd(i32),
}

impl Dev {
    fn rdev(self) -> u64 {
        match self {
            Dev::Null => makedev(1, 3),
            Dev::Zero => makedev(1, 5),
            Dev::Full => makedev(1, 7),
            Dev::Random => makedev(1, 9),
            Dev::Fd(_) => makedev(136, 0),
        }
    }
}

/// A regular file's bytes.
#[derive(Debug)]
pub enum Data {
    /// Still the image's: `len` bytes of data segment `seg`.
    Image { seg: u32, len: u64 },
    /// In the overlay.
    Mem(Vec<u8>),
}

/// A directory.
#[derive(Debug, Default)]
pub struct Dir {
    pub entries: BTreeMap<String, Ino>,
    pub parent: Ino,
    /// Name in the parent ("" for the root).
    pub name: String,
    /// Host directory mounted here (index into [`Vfs::mounts`]).
    pub mount: Option<usize>,
    /// Removed by rmdir while still in use (cwd, open fd).
    pub removed: bool,
}

/// What a node is.
#[derive(Debug)]
pub enum NodeKind {
    Dir(Dir),
    File(Data),
    Symlink(String),
    Dev(Dev),
}

/// A node: a file, directory, symlink or device, with its metadata.
#[derive(Debug)]
pub struct Node {
    pub kind: NodeKind,
    /// Permission bits (no file type).
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub atime: Timespec,
    pub mtime: Timespec,
    pub ctime: Timespec,
    /// Directory entries naming this node.
    pub links: u32,
    /// Open file descriptions referring to it.
    pub opens: u32,
}

impl Node {
    fn new(kind: NodeKind, mode: u32, now: Timespec) -> Self {
        Node {
            kind,
            mode,
            uid: 0,
            gid: 0,
            atime: now,
            mtime: now,
            ctime: now,
            links: 0,
            opens: 0,
        }
    }

    /// File type bits of `st_mode`.
    pub fn file_type(&self) -> u32 {
        match self.kind {
            NodeKind::Dir(_) => S_IFDIR,
            NodeKind::File(_) => S_IFREG,
            NodeKind::Symlink(_) => S_IFLNK,
            NodeKind::Dev(_) => S_IFCHR,
        }
    }

    /// Size as `stat` reports it.
    pub fn size(&self) -> u64 {
        match &self.kind {
            NodeKind::Dir(_) => BLKSIZE as u64,
            NodeKind::File(Data::Image { len, .. }) => *len,
            NodeKind::File(Data::Mem(v)) => v.len() as u64,
            NodeKind::Symlink(t) => t.len() as u64,
            NodeKind::Dev(_) => 0,
        }
    }

    /// The directory, if this is one.
    pub fn as_dir(&self) -> Option<&Dir> {
        match &self.kind {
            NodeKind::Dir(d) => Some(d),
            _ => None,
        }
    }
}

/// A host directory mounted into the tree.
#[derive(Clone, Debug)]
pub struct Mount {
    /// The preopened host directory.
    pub fd: HostFd,
    /// Where it is mounted (absolute guest path).
    pub path: String,
    /// The mount point's node.
    pub ino: Ino,
}

impl Mount {
    /// `st_dev` for files of this mount.
    pub fn dev(index: usize) -> u64 {
        makedev(0, 64 + index as u32)
    }
}

/// The guest's file tree.
#[derive(Debug)]
pub struct Vfs {
    nodes: Vec<Option<Node>>,
    free: Vec<Ino>,
    pub mounts: Vec<Mount>,
}

/// Why the manifest could not become a tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadEntry {
    pub path: String,
    pub reason: &'static str,
}

/// Splits an absolute, normalised path into its components.
fn components(path: &str) -> Option<Vec<&str>> {
    let rest = path.strip_prefix('/')?;
    let comps: Vec<&str> = rest.split('/').filter(|c| !c.is_empty()).collect();
    comps
        .iter()
        .all(|c| *c != "." && *c != "..")
        .then_some(comps)
}

impl Vfs {
    /// The tree of `manifest`'s files, plus /dev and /proc/self essentials the
    /// image lacks (`exe` names the entrypoint until it is started).
    pub fn from_manifest(manifest: &Manifest, now: Timespec) -> Result<Self, BadEntry> {
        let mut vfs = Vfs {
            nodes: Vec::new(),
            free: Vec::new(),
            mounts: Vec::new(),
        };
        let mut root = Node::new(NodeKind::Dir(Dir::default()), 0o755, now);
        root.links = 1;
        vfs.nodes.push(Some(root));
        for e in &manifest.files {
            let bad = |reason| BadEntry {
                path: e.path.clone(),
                reason,
            };
            let comps =
                components(&e.path).ok_or_else(|| bad("not an absolute normalised path"))?;
            let time = Timespec {
                sec: e.mtime,
                nsec: 0,
            };
            let ino = match comps.split_last() {
                None => ROOT,
                Some((name, parents)) => {
                    let parent = vfs
                        .mkdir_p(parents, time)
                        .ok_or_else(|| bad("a parent is not a directory"))?;
                    let kind = match e.kind {
                        FileKind::Dir => NodeKind::Dir(Dir::default()),
                        FileKind::File => NodeKind::File(Data::Image {
                            seg: e.segment,
                            len: e.size,
                        }),
                        FileKind::Symlink => NodeKind::Symlink(e.target.clone()),
                    };
                    match vfs.dir(parent).entries.get(*name) {
                        Some(&existing)
                            if e.kind == FileKind::Dir && vfs.node(existing).as_dir().is_some() =>
                        {
                            existing
                        }
                        Some(_) => return Err(bad("listed twice")),
                        None => vfs.add(parent, name, Node::new(kind, 0, time)),
                    }
                }
            };
            let node = vfs.node_mut(ino);
            node.mode = e.mode & 0o7777;
            node.uid = e.uid;
            node.gid = e.gid;
            (node.atime, node.mtime, node.ctime) = (time, time, time);
        }
        vfs.add_essentials(manifest, now);
        Ok(vfs)
    }

    /// Creates missing directories along `comps` from the root; `None` if
    /// one of them is not a directory.
    fn mkdir_p(&mut self, comps: &[&str], now: Timespec) -> Option<Ino> {
        let mut at = ROOT;
        for c in comps {
            at = match self.node(at).as_dir()?.entries.get(*c) {
                Some(&child) => {
                    self.node(child).as_dir()?;
                    child
                }
                None => self.add(at, c, Node::new(NodeKind::Dir(Dir::default()), 0o755, now)),
            };
        }
        Some(at)
    }

    /// Creates the directories of absolute path `path` that are missing
    /// (`mkdir -p`, no symlinks followed); `None` if a component is not a
    /// directory.
    pub fn ensure_dir(&mut self, path: &str, now: Timespec) -> Option<Ino> {
        let comps = components(path)?;
        self.mkdir_p(&comps, now)
    }

    fn add_essentials(&mut self, manifest: &Manifest, now: Timespec) {
        let devices = [
            ("null", Dev::Null),
            ("zero", Dev::Zero),
            ("full", Dev::Full),
            ("random", Dev::Random),
            ("urandom", Dev::Random),
            ("stdin", Dev::Fd(0)),
            ("stdout", Dev::Fd(1)),
            ("stderr", Dev::Fd(2)),
        ];
        if let Some(dev) = self.mkdir_p(&["dev"], now) {
            for (name, d) in devices {
                if !self.dir(dev).entries.contains_key(name) {
                    self.add(dev, name, Node::new(NodeKind::Dev(d), 0o666, now));
                }
            }
            if !self.dir(dev).entries.contains_key("shm") {
                self.add(
                    dev,
                    "shm",
                    Node::new(NodeKind::Dir(Dir::default()), 0o1777, now),
                );
            }
        }
        if let Some(me) = self.mkdir_p(&["proc", "self"], now) {
            let exe = manifest.entrypoint.first().cloned().unwrap_or_default();
            if !self.dir(me).entries.contains_key("exe") {
                self.add(me, "exe", Node::new(NodeKind::Symlink(exe), 0o777, now));
            }
        }
    }

    /// Absolute path of the tree file or directory `path` names, with every
    /// symlink resolved (no host mounts).
    pub fn canonical(&self, path: &str) -> Option<String> {
        let mut path = path.to_string();
        for _ in 0..40 {
            let (dir, name) = path.rsplit_once('/')?;
            let parent = self.lookup_tree(if dir.is_empty() { "/" } else { dir })?;
            let parent_path = self.path_of(parent).ok()?;
            let join = |name: &str| {
                if parent_path == "/" {
                    format!("/{name}")
                } else {
                    format!("{parent_path}/{name}")
                }
            };
            let child = match name {
                "" | "." | ".." => return self.path_of(self.lookup_tree(&path)?).ok(),
                name => *self.node(parent).as_dir()?.entries.get(name)?,
            };
            match &self.node(child).kind {
                NodeKind::Symlink(t) if t.starts_with('/') => path = t.clone(),
                NodeKind::Symlink(t) => path = join(t),
                _ => return Some(join(name)),
            }
        }
        None
    }

    /// Points /proc/self/exe at `path` (when it is the kernel's own link).
    pub fn set_exe(&mut self, path: &str) {
        let Some(me) = self.lookup_tree("/proc/self") else {
            return;
        };
        let Some(&exe) = self.node(me).as_dir().and_then(|d| d.entries.get("exe")) else {
            return;
        };
        if let NodeKind::Symlink(target) = &mut self.node_mut(exe).kind {
            *target = path.to_string();
        }
    }

    /// Finds an absolute path in the tree (following symlinks), without host
    /// mounts.
    pub fn lookup_tree(&self, path: &str) -> Option<Ino> {
        let mut todo: Vec<String> = path.split('/').rev().map(str::to_string).collect();
        let mut at = ROOT;
        let mut links = 0;
        while let Some(c) = todo.pop() {
            let dir = self.node(at).as_dir()?;
            at = match c.as_str() {
                "" | "." => at,
                ".." => dir.parent,
                name => {
                    let child = *dir.entries.get(name)?;
                    if let NodeKind::Symlink(t) = &self.node(child).kind {
                        links += 1;
                        if links > 40 {
                            return None;
                        }
                        todo.extend(t.split('/').rev().map(str::to_string));
                        if t.starts_with('/') {
                            ROOT
                        } else {
                            at
                        }
                    } else {
                        child
                    }
                }
            };
        }
        Some(at)
    }

    /// Mounts host directory `fd` at absolute guest path `path`, creating the
    /// mount point in the tree if needed. `None` if the path is unusable.
    pub fn mount(&mut self, fd: HostFd, path: &str, now: Timespec) -> Option<usize> {
        let comps = components(path)?;
        if comps.is_empty() {
            return None;
        }
        let ino = self.mkdir_p(&comps, now)?;
        let index = self.mounts.len();
        let normal = format!("/{}", comps.join("/"));
        self.mounts.push(Mount {
            fd,
            path: normal,
            ino,
        });
        self.dir_mut(ino).mount = Some(index);
        Some(index)
    }

    /// The node `ino`.
    pub fn node(&self, ino: Ino) -> &Node {
        self.nodes[ino].as_ref().expect("live node")
    }

    /// The node `ino`, writable.
    pub fn node_mut(&mut self, ino: Ino) -> &mut Node {
        self.nodes[ino].as_mut().expect("live node")
    }

    fn dir(&self, ino: Ino) -> &Dir {
        self.node(ino).as_dir().expect("directory")
    }

    fn dir_mut(&mut self, ino: Ino) -> &mut Dir {
        match &mut self.node_mut(ino).kind {
            NodeKind::Dir(d) => d,
            _ => panic!("not a directory"),
        }
    }

    /// Adds `node` as `name` in directory `parent`.
    fn add(&mut self, parent: Ino, name: &str, mut node: Node) -> Ino {
        node.links += 1;
        if let NodeKind::Dir(d) = &mut node.kind {
            d.parent = parent;
            d.name = name.to_string();
        }
        let ino = match self.free.pop() {
            Some(i) => {
                self.nodes[i] = Some(node);
                i
            }
            None => {
                self.nodes.push(Some(node));
                self.nodes.len() - 1
            }
        };
        self.dir_mut(parent).entries.insert(name.to_string(), ino);
        ino
    }

    /// Frees `ino` if nothing names or opens it any more (directories stay,
    /// so a removed cwd keeps working).
    fn maybe_free(&mut self, ino: Ino) {
        let n = self.node(ino);
        if n.links == 0 && n.opens == 0 && n.as_dir().is_none() {
            self.nodes[ino] = None;
            self.free.push(ino);
        }
    }

    /// An open file description now refers to `ino`.
    pub fn open_ref(&mut self, ino: Ino) {
        self.node_mut(ino).opens += 1;
    }

    /// An open file description referring to `ino` was closed.
    pub fn close_ref(&mut self, ino: Ino) {
        let n = self.node_mut(ino);
        n.opens = n.opens.saturating_sub(1);
        self.maybe_free(ino);
    }

    /// `stat` of a tree node.
    pub fn stat(&self, ino: Ino) -> Stat {
        let n = self.node(ino);
        let size = n.size();
        let nlink = match &n.kind {
            NodeKind::Dir(d) => {
                let subdirs = d
                    .entries
                    .values()
                    .filter(|&&c| self.node(c).as_dir().is_some())
                    .count();
                2 + subdirs as u32
            }
            _ => n.links,
        };
        Stat {
            dev: TREE_DEV,
            ino: ino as u64 + 1,
            mode: n.file_type() | n.mode,
            nlink,
            uid: n.uid,
            gid: n.gid,
            rdev: if let NodeKind::Dev(d) = n.kind {
                d.rdev()
            } else {
                0
            },
            size,
            blksize: BLKSIZE,
            blocks: blocks_of(size),
            atime: n.atime,
            mtime: n.mtime,
            ctime: n.ctime,
        }
    }

    /// Absolute path of a tree node (a directory, or anything with one link
    /// found by search), for getcwd and /proc/self/exe.
    pub fn path_of(&self, ino: Ino) -> SysResult<String> {
        let mut parts = Vec::new();
        let mut at = ino;
        while at != ROOT {
            let d = self.node(at).as_dir().ok_or(Errno::ENOENT)?;
            if d.removed {
                return Err(Errno::ENOENT);
            }
            parts.push(d.name.clone());
            at = d.parent;
        }
        parts.reverse();
        Ok(format!("/{}", parts.join("/")))
    }

    /// The entries of directory `ino` for getdents: ".", "..", then the
    /// names in order, each with its inode number and `d_type`.
    pub fn list(&self, ino: Ino) -> SysResult<Vec<(String, u64, u8)>> {
        let d = self.node(ino).as_dir().ok_or(Errno::ENOTDIR)?;
        if d.removed {
            return Err(Errno::ENOENT);
        }
        let mut out = vec![
            (".".to_string(), ino as u64 + 1, DT_DIR),
            ("..".to_string(), d.parent as u64 + 1, DT_DIR),
        ];
        for (name, &c) in &d.entries {
            out.push((
                name.clone(),
                c as u64 + 1,
                dtype_of_mode(self.node(c).file_type()),
            ));
        }
        Ok(out)
    }

    /// Reads file bytes at `offset` into `buf` (which may be guest memory);
    /// returns how many.
    pub fn read<H: Host>(
        &self,
        host: &mut H,
        ino: Ino,
        offset: u64,
        buf: &mut [u8],
    ) -> SysResult<usize> {
        let data = match &self.node(ino).kind {
            NodeKind::File(data) => data,
            NodeKind::Dir(_) => return Err(Errno::EISDIR),
            _ => return Err(Errno::EINVAL),
        };
        let len = match data {
            Data::Image { len, .. } => *len,
            Data::Mem(v) => v.len() as u64,
        };
        let n = len.saturating_sub(offset).min(buf.len() as u64) as usize;
        if n == 0 {
            return Ok(0);
        }
        match data {
            Data::Image { seg, .. } => host.data_read(*seg, offset, &mut buf[..n]),
            Data::Mem(v) => buf[..n].copy_from_slice(&v[offset as usize..offset as usize + n]),
        }
        Ok(n)
    }

    /// The file's bytes in the overlay. An image file is copied up first,
    /// its first `keep` bytes at most (the rest would be cut off anyway).
    fn data_mut<H: Host>(&mut self, host: &mut H, ino: Ino, keep: u64) -> SysResult<&mut Vec<u8>> {
        let NodeKind::File(data) = &mut self.node_mut(ino).kind else {
            return Err(Errno::EINVAL);
        };
        if let Data::Image { seg, len } = *data {
            let mut bytes = Vec::new();
            resize(&mut bytes, len.min(keep))?;
            host.data_read(seg, 0, &mut bytes);
            *data = Data::Mem(bytes);
        }
        match data {
            Data::Mem(v) => Ok(v),
            Data::Image { .. } => unreachable!("copied up above"),
        }
    }

    /// Writes `buf` at `offset` (extending with zeros as needed).
    pub fn write<H: Host>(
        &mut self,
        host: &mut H,
        ino: Ino,
        offset: u64,
        buf: &[u8],
        now: Timespec,
    ) -> SysResult<usize> {
        let end = offset.checked_add(buf.len() as u64).ok_or(Errno::EFBIG)?;
        let data = self.data_mut(host, ino, u64::MAX)?;
        if (data.len() as u64) < end {
            resize(data, end)?;
        }
        data[offset as usize..end as usize].copy_from_slice(buf);
        let n = self.node_mut(ino);
        (n.mtime, n.ctime) = (now, now);
        Ok(buf.len())
    }

    /// Sets a file's length.
    pub fn truncate<H: Host>(
        &mut self,
        host: &mut H,
        ino: Ino,
        len: u64,
        now: Timespec,
    ) -> SysResult<()> {
        match &self.node(ino).kind {
            NodeKind::Dir(_) => return Err(Errno::EISDIR),
            NodeKind::File(Data::Image { len: l, .. }) if *l == len => {}
            NodeKind::File(_) => resize(self.data_mut(host, ino, len)?, len)?,
            _ => return Err(Errno::EINVAL),
        }
        let n = self.node_mut(ino);
        (n.mtime, n.ctime) = (now, now);
        Ok(())
    }

    /// Current length of a regular file.
    pub fn len(&self, ino: Ino) -> u64 {
        self.node(ino).size()
    }
}

/// Sets `v`'s length, zero-filling; `ENOSPC` when memory runs out (the
/// overlay is the file system's space).
fn resize(v: &mut Vec<u8>, len: u64) -> SysResult<()> {
    let len = usize::try_from(len).map_err(|_| Errno::EFBIG)?;
    if len > v.len() {
        v.try_reserve_exact(len - v.len())
            .map_err(|_| Errno::ENOSPC)?;
    }
    v.resize(len, 0);
    Ok(())
}

/// Converts a host `stat` to Linux's, for files of mount `mount`.
pub fn host_to_stat(st: &HostStat, mount: usize) -> Stat {
    let (ftype, perm) = match st.kind {
        FileType::Regular => (S_IFREG, 0o644),
        FileType::Directory => (S_IFDIR, 0o755),
        FileType::Symlink => (S_IFLNK, 0o777),
        FileType::CharDevice => (S_IFCHR, 0o620),
        FileType::BlockDevice => (S_IFBLK, 0o660),
        FileType::Socket => (S_IFSOCK, 0o755),
        FileType::Unknown => (S_IFIFO, 0o600),
    };
    Stat {
        dev: Mount::dev(mount),
        ino: st.ino,
        mode: ftype | perm,
        nlink: st.nlink.max(1) as u32,
        uid: 0,
        gid: 0,
        rdev: 0,
        size: st.size,
        blksize: BLKSIZE,
        blocks: blocks_of(st.size),
        atime: Timespec::from_nanos(st.atime),
        mtime: Timespec::from_nanos(st.mtime),
        ctime: Timespec::from_nanos(st.ctime),
    }
}

/// `d_type` of a host file type.
pub fn host_dtype(kind: FileType) -> u8 {
    match kind {
        FileType::Regular => DT_REG,
        FileType::Directory => DT_DIR,
        FileType::Symlink => DT_LNK,
        FileType::CharDevice => DT_CHR,
        FileType::BlockDevice => DT_BLK,
        FileType::Socket => DT_SOCK,
        FileType::Unknown => DT_UNKNOWN,
    }
}

/// `st_blocks` (512-byte units) of a file of `size` bytes, allocated in
/// 4 KiB blocks as on the usual Linux filesystems (WASI does not tell).
fn blocks_of(size: u64) -> u64 {
    size.div_ceil(BLKSIZE as u64) * (BLKSIZE as u64 / 512)
}
