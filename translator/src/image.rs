//! Image input: a single ELF file or a rootfs folder, read into the
//! manifest's file list plus the bytes of every regular file.
//!
//! A rootfs folder is walked without following symlinks (they are recorded as
//! symlinks, so nothing outside the folder is read); sockets, devices and
//! fifos are skipped with a warning. Hard links share one data segment.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, Metadata};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};
use c2w_syscalls::image::{FileEntry, FileKind};

/// Symlinks followed at most while resolving one path (Linux's limit).
const MAX_SYMLINK_HOPS: usize = 40;

/// Permission bits of the directories made up around a single-file input.
const DIR_MODE: u32 = 0o755;

/// The image's tree, ready to be embedded.
#[derive(Debug)]
pub struct Image {
    /// Every path, parents before children, sorted by path; regular files
    /// carry their data segment (numbered from 1 in this order).
    pub files: Vec<FileEntry>,
    /// The bytes of data segment `k` are `contents[k - 1]`.
    pub contents: Vec<Vec<u8>>,
    /// Where the bytes of data segment `k` come from: `sources[k - 1]`.
    pub sources: Vec<PathBuf>,
    /// The program to run: an absolute path in the image.
    pub entrypoint: String,
    /// Things left out of the image (sockets, devices, fifos).
    pub warnings: Vec<String>,
}

/// Reads `input`: a single ELF file (placed at `entrypoint`, by default
/// `/<file name>`) or a rootfs folder (`entrypoint` names the program in it
/// and is required).
pub fn load(input: &Path, entrypoint: Option<&str>) -> Result<Image> {
    let meta = fs::metadata(input).with_context(|| format!("cannot read {}", input.display()))?;
    if let Some(entrypoint) = entrypoint {
        check_image_path(entrypoint).context("--entrypoint")?;
    }
    if meta.is_file() {
        load_file(input, &meta, entrypoint)
    } else if meta.is_dir() {
        let Some(entrypoint) = entrypoint else {
            bail!(
                "{} is a folder: --entrypoint is required (the program's absolute path inside it)",
                input.display()
            );
        };
        load_folder(input, entrypoint)
    } else {
        bail!("{} is neither a file nor a folder", input.display());
    }
}

impl Image {
    /// The regular file a path leads to, following symlinks inside the image
    /// the way the kernel would in a chroot.
    pub fn resolve(&self, path: &str) -> Result<&FileEntry> {
        let index: BTreeMap<&str, &FileEntry> =
            self.files.iter().map(|f| (f.path.as_str(), f)).collect();
        // Components still to walk, last first, and the directory reached.
        let mut pending: Vec<String> = components(path).rev().map(String::from).collect();
        let mut current: Vec<String> = Vec::new();
        let mut hops = 0;
        while let Some(name) = pending.pop() {
            match name.as_str() {
                "." => continue,
                ".." => {
                    current.pop();
                    continue;
                }
                _ => {}
            }
            current.push(name);
            let joined = format!("/{}", current.join("/"));
            let Some(entry) = index.get(joined.as_str()) else {
                if joined == path {
                    bail!("{path} not found in the image");
                }
                bail!("{path} not found in the image ({joined} does not exist)");
            };
            match entry.kind {
                FileKind::Symlink => {
                    hops += 1;
                    if hops > MAX_SYMLINK_HOPS {
                        bail!("{path}: too many levels of symbolic links (a symlink loop)");
                    }
                    current.pop();
                    if entry.target.starts_with('/') {
                        current.clear();
                    }
                    pending.extend(components(&entry.target).rev().map(String::from));
                }
                FileKind::File if !pending.is_empty() => {
                    bail!("{path}: {joined} is a file, not a directory");
                }
                FileKind::File | FileKind::Dir => {}
            }
        }
        let joined = format!("/{}", current.join("/"));
        match index.get(joined.as_str()) {
            Some(entry) if entry.kind == FileKind::File => Ok(entry),
            _ => bail!("{path} is a directory, not a program"),
        }
    }

    /// The bytes of a regular file.
    pub fn data(&self, file: &FileEntry) -> &[u8] {
        &self.contents[file.segment as usize - 1]
    }

    /// The host file a regular file was read from.
    pub fn source(&self, file: &FileEntry) -> &Path {
        &self.sources[file.segment as usize - 1]
    }
}

/// The non-empty components of an image path.
fn components(path: &str) -> impl DoubleEndedIterator<Item = &str> {
    path.split('/').filter(|c| !c.is_empty())
}

/// Checks that `path` is a clean absolute path: `/`, then names that are not
/// `.` or `..`, no empty components.
fn check_image_path(path: &str) -> Result<()> {
    let clean = path.len() > 1
        && path.starts_with('/')
        && path[1..]
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..");
    if !clean {
        bail!("{path:?} is not an absolute path inside the image (like /bin/prog)");
    }
    Ok(())
}

/// A path in the image and where its bytes come from (regular files).
struct Node {
    entry: FileEntry,
    blob: Option<usize>,
}

/// The bytes of one host file.
struct Blob {
    source: PathBuf,
    bytes: Vec<u8>,
}

/// Collects nodes, then numbers segments in path order.
#[derive(Default)]
struct Builder {
    nodes: Vec<Node>,
    blobs: Vec<Blob>,
    /// Blob of each multiply-linked host file, by (device, inode).
    links: HashMap<(u64, u64), usize>,
    warnings: Vec<String>,
}

impl Builder {
    fn dir(&mut self, path: String, meta: &Metadata) {
        self.push(entry(path, FileKind::Dir, meta), None);
    }

    fn file(&mut self, path: String, host: &Path, meta: &Metadata) -> Result<()> {
        let key = (meta.dev(), meta.ino());
        let blob = match self.links.get(&key) {
            Some(&blob) if meta.nlink() > 1 => blob,
            _ => {
                let bytes =
                    fs::read(host).with_context(|| format!("cannot read {}", host.display()))?;
                self.blobs.push(Blob {
                    source: host.to_path_buf(),
                    bytes,
                });
                let blob = self.blobs.len() - 1;
                if meta.nlink() > 1 {
                    self.links.insert(key, blob);
                }
                blob
            }
        };
        let mut entry = entry(path, FileKind::File, meta);
        entry.size = self.blobs[blob].bytes.len() as u64;
        self.push(entry, Some(blob));
        Ok(())
    }

    fn symlink(&mut self, path: String, host: &Path, meta: &Metadata) -> Result<()> {
        let target = fs::read_link(host)
            .with_context(|| format!("cannot read the symlink {}", host.display()))?;
        let Some(target) = target.to_str() else {
            bail!("{}: the symlink target is not valid UTF-8", host.display());
        };
        let mut entry = entry(path, FileKind::Symlink, meta);
        entry.size = target.len() as u64;
        entry.target = target.to_string();
        self.push(entry, None);
        Ok(())
    }

    fn push(&mut self, entry: FileEntry, blob: Option<usize>) {
        self.nodes.push(Node { entry, blob });
    }

    /// Sorts the tree and numbers the data segments in that order.
    fn finish(mut self, entrypoint: String) -> Image {
        self.nodes.sort_by(|a, b| a.entry.path.cmp(&b.entry.path));
        let mut segment_of_blob: HashMap<usize, u32> = HashMap::new();
        let mut blobs: Vec<Option<Blob>> = self.blobs.into_iter().map(Some).collect();
        let (mut contents, mut sources) = (Vec::new(), Vec::new());
        let mut files = Vec::with_capacity(self.nodes.len());
        for Node { mut entry, blob } in self.nodes {
            if let Some(blob) = blob {
                entry.segment = *segment_of_blob.entry(blob).or_insert_with(|| {
                    let Blob { source, bytes } =
                        blobs[blob].take().expect("each blob is numbered once");
                    contents.push(bytes);
                    sources.push(source);
                    contents.len() as u32
                });
            }
            files.push(entry);
        }
        Image {
            files,
            contents,
            sources,
            entrypoint,
            warnings: self.warnings,
        }
    }
}

/// A manifest entry with the metadata of a host file.
fn entry(path: String, kind: FileKind, meta: &Metadata) -> FileEntry {
    FileEntry {
        path,
        kind,
        mode: meta.mode() & 0o7777,
        size: 0,
        segment: 0,
        target: String::new(),
        mtime: meta.mtime(),
        uid: meta.uid(),
        gid: meta.gid(),
    }
}

/// A single ELF file, placed at `entrypoint` (default `/<file name>`) with
/// root-owned directories made up around it. The file is root-owned and
/// executable in the image.
fn load_file(input: &Path, meta: &Metadata, entrypoint: Option<&str>) -> Result<Image> {
    let entrypoint = match entrypoint {
        Some(path) => path.to_string(),
        None => {
            let name = input
                .file_name()
                .and_then(|n| n.to_str())
                .with_context(|| {
                    format!(
                        "{}: the file name is not valid UTF-8; give --entrypoint",
                        input.display()
                    )
                })?;
            format!("/{name}")
        }
    };
    let mut builder = Builder::default();
    let dir = |path: String| FileEntry {
        path,
        kind: FileKind::Dir,
        mode: DIR_MODE,
        size: 0,
        segment: 0,
        target: String::new(),
        mtime: meta.mtime(),
        uid: 0,
        gid: 0,
    };
    builder.push(dir("/".into()), None);
    let parents: Vec<&str> = components(&entrypoint).collect();
    for depth in 1..parents.len() {
        builder.push(dir(format!("/{}", parents[..depth].join("/"))), None);
    }
    builder.file(entrypoint.clone(), input, meta)?;
    // The program given is meant to run, whatever its host permissions.
    let file = &mut builder
        .nodes
        .last_mut()
        .expect("the file was just added")
        .entry;
    (file.uid, file.gid, file.mode) = (0, 0, file.mode | 0o111);
    Ok(builder.finish(entrypoint))
}

/// A rootfs folder, walked in sorted order.
fn load_folder(root: &Path, entrypoint: &str) -> Result<Image> {
    let mut builder = Builder::default();
    let meta = fs::metadata(root).with_context(|| format!("cannot read {}", root.display()))?;
    builder.dir("/".into(), &meta);
    walk(&mut builder, root, "")?;
    Ok(builder.finish(entrypoint.to_string()))
}

/// Adds the contents of host folder `dir`, which is image path `prefix`
/// (empty for the root).
fn walk(builder: &mut Builder, dir: &Path, prefix: &str) -> Result<()> {
    let read_error = || format!("cannot read the folder {}", dir.display());
    let mut children = fs::read_dir(dir)
        .with_context(read_error)?
        .map(|child| child.map(|c| c.path()))
        .collect::<Result<Vec<_>, _>>()
        .with_context(read_error)?;
    children.sort();
    for host in children {
        let Some(name) = host.file_name().and_then(|n| n.to_str()) else {
            bail!("{}: the file name is not valid UTF-8", host.display());
        };
        let path = format!("{prefix}/{name}");
        let meta = fs::symlink_metadata(&host)
            .with_context(|| format!("cannot read {}", host.display()))?;
        let kind = meta.file_type();
        if kind.is_dir() {
            builder.dir(path.clone(), &meta);
            walk(builder, &host, &path)?;
        } else if kind.is_file() {
            builder.file(path, &host, &meta)?;
        } else if kind.is_symlink() {
            builder.symlink(path, &host, &meta)?;
        } else {
            let what = if kind.is_socket() {
                "a socket"
            } else if kind.is_fifo() {
                "a fifo"
            } else if kind.is_char_device() {
                "a character device"
            } else if kind.is_block_device() {
                "a block device"
            } else {
                "of an unknown file type"
            };
            builder.warnings.push(format!(
                "skipped {} ({path} in the image): it is {what}",
                host.display()
            ));
        }
    }
    Ok(())
}
