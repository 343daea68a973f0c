//! What a guest program is given: arguments, environment, standard input and
//! a host directory it sees at a fixed guest path.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use tempfile::TempDir;

/// A host directory visible to the guest at `guest`.
#[derive(Clone, Debug)]
pub struct Mount {
    pub host: PathBuf,
    pub guest: String,
}

/// One run of a guest program, independent of the runner.
#[derive(Clone, Debug, Default)]
pub struct Invocation {
    /// Arguments after `argv[0]` (which differs between runners and is never
    /// part of a comparison).
    pub args: Vec<String>,
    /// The complete environment (runners start from an empty one).
    pub env: Vec<(String, String)>,
    pub stdin: Vec<u8>,
    pub mount: Option<Mount>,
}

/// Scratch directories for the two sides of a comparison that the guest sees
/// at one and the same path.
///
/// The reference (qemu-user) shares the host's file system, so its directory
/// is a real host directory, and its host path is the guest path. The
/// translated side gets a second, separate host directory mounted at that
/// same guest path. Whatever the guest prints about paths is then identical,
/// and the two directories can be compared afterwards.
pub struct Scratch {
    root: TempDir,
    /// Where both sides see the scratch directory.
    pub guest: String,
}

impl Scratch {
    /// Creates the reference directory (empty) and a place for the others.
    pub fn new() -> Result<Self> {
        let root = tempfile::Builder::new()
            .prefix("c2w-conformance-")
            .tempdir()
            .context("cannot create a scratch directory")?;
        let reference = root.path().join("scratch");
        let guest = reference
            .to_str()
            .context("the temporary directory's path is not UTF-8")?
            .to_owned();
        Ok(Self { root, guest })
    }

    /// The reference side's directory: created empty on first use.
    pub fn reference(&self) -> Result<PathBuf> {
        self.side("scratch")
    }

    /// Another side's directory (one per `name`), created empty.
    pub fn side(&self, name: &str) -> Result<PathBuf> {
        let dir = self.root.path().join(name);
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(dir)
    }

    /// A guest path below the scratch path that does not exist yet, for
    /// programs that create their directories themselves (in the image's
    /// overlay when translated).
    pub fn fresh_guest_path(&self, name: &str) -> String {
        format!("{}/{name}", self.guest)
    }

    /// Mounts `host` at the common guest path.
    pub fn mount(&self, host: &Path) -> Mount {
        Mount {
            host: host.to_owned(),
            guest: self.guest.clone(),
        }
    }
}
