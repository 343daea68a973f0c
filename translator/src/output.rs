//! Writing an output file all at once: the bytes go to a temporary file next
//! to it, renamed over it only when complete, so a failed build leaves no
//! partial file behind and an existing output untouched.

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{bail, Context as _, Result};

/// Writes `bytes` to `path`, replacing it only once they are all written.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .with_context(|| format!("output {}: not a file name", path.display()))?;
    if path.is_dir() {
        bail!("output {} is a directory", path.display());
    }
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
    temp_name.push(format!(".{}-{unique}.tmp", std::process::id()));
    let temp = TempFile::create(path.with_file_name(temp_name))
        .with_context(|| format!("cannot create the output {}", path.display()))?;
    temp.write_and_rename(bytes, path)
        .with_context(|| format!("cannot write the output {}", path.display()))
}

/// A new file, removed on drop unless renamed into place.
struct TempFile {
    path: PathBuf,
    file: File,
    renamed: bool,
}

impl TempFile {
    fn create(path: PathBuf) -> std::io::Result<Self> {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        Ok(TempFile {
            path,
            file,
            renamed: false,
        })
    }

    fn write_and_rename(mut self, bytes: &[u8], to: &Path) -> std::io::Result<()> {
        self.file.write_all(bytes)?;
        self.file.flush()?;
        fs::rename(&self.path, to)?;
        self.renamed = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.renamed {
            let _ = fs::remove_file(&self.path);
        }
    }
}
