//! The image manifest: what the translator embeds and the runtime reads.
//!
//! The linked module carries the image as passive data segments. Segment 0
//! holds this manifest as JSON; every regular file's bytes are one segment of
//! their own (`FileEntry::segment`). The runtime reaches segments through two
//! functions the translator's linker defines (Wasm import module `c2w`):
//!
//! * `data_len(seg: i32) -> i32`: the segment's length in bytes;
//! * `data_copy(seg: i32, dst: i32, src_offset: i32, len: i32)`: copy bytes of
//!   the segment to linear-memory address `dst` (`memory.init`).

use serde::{Deserialize, Serialize};

/// Version of the manifest format; the runtime refuses other versions.
pub const MANIFEST_VERSION: u32 = 1;

/// Segment number of the manifest itself.
pub const MANIFEST_SEGMENT: u32 = 0;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub version: u32,
    /// Guest ISA of the entrypoint: "riscv64" (later "x86_64").
    pub arch: String,
    /// Program path inside the image plus its fixed arguments (Docker's
    /// ENTRYPOINT). Never empty.
    pub entrypoint: Vec<String>,
    /// Default arguments after the entrypoint (Docker's CMD). Arguments given
    /// at run time replace them.
    pub cmd: Vec<String>,
    /// Environment, `KEY=VALUE`. Variables given at run time are added and
    /// override these.
    pub env: Vec<String>,
    /// Initial working directory (absolute).
    pub workdir: String,
    /// Every path of the image's tree, parents before children, sorted.
    pub files: Vec<FileEntry>,
    /// Run everything in the interpreter (`--interp-only`).
    #[serde(default)]
    pub interp_only: bool,
    /// The entrypoint's translated code, if any.
    #[serde(default)]
    pub translation: Option<Translation>,
}

/// What the runtime needs to know about the translated functions linked into
/// the module.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Translation {
    /// Data segment holding the entry table (`layout::Links::table`).
    pub table_segment: u32,
    /// Slots in the entry table (a power of two).
    pub slots: u32,
    /// Guest address ranges `[start, end)` whose code was translated: if the
    /// guest changes code there, translated code is no longer used.
    pub ranges: Vec<(u64, u64)>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileEntry {
    /// Absolute path inside the image, e.g. "/bin/busybox".
    pub path: String,
    pub kind: FileKind,
    /// Permission bits (e.g. 0o755), without the file type.
    pub mode: u32,
    /// Size in bytes (regular files).
    #[serde(default)]
    pub size: u64,
    /// Data segment with the bytes (regular files).
    #[serde(default)]
    pub segment: u32,
    /// Link target (symlinks).
    #[serde(default)]
    pub target: String,
    /// Modification time, seconds since the epoch.
    #[serde(default)]
    pub mtime: i64,
    #[serde(default)]
    pub uid: u32,
    #[serde(default)]
    pub gid: u32,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    File,
    Dir,
    Symlink,
}
