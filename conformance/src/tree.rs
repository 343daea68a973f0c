//! Snapshots of a directory tree (names, kinds, contents, link targets), to
//! compare what two runs left behind in their scratch directories.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use anyhow::{Context as _, Result};

use crate::outcome::quote;

/// One entry of a tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Dir,
    File(Vec<u8>),
    Symlink(String),
}

/// A directory's contents by relative path ("a/b.txt"), recursively.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tree(pub BTreeMap<String, Node>);

impl Tree {
    /// Reads the tree under `root` (symlinks are recorded, not followed).
    pub fn read(root: &Path) -> Result<Self> {
        let mut tree = Tree::default();
        tree.walk(root, "")?;
        Ok(tree)
    }

    fn walk(&mut self, dir: &Path, prefix: &str) -> Result<()> {
        let entries =
            fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
        for entry in entries {
            let entry = entry?;
            let path = entry.path();
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            let kind = entry.file_type()?;
            let node = if kind.is_symlink() {
                Node::Symlink(fs::read_link(&path)?.to_string_lossy().into_owned())
            } else if kind.is_dir() {
                self.walk(&path, &format!("{name}/"))?;
                Node::Dir
            } else {
                Node::File(
                    fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?,
                )
            };
            self.0.insert(name, node);
        }
        Ok(())
    }

    /// Describes the differences from `self` (expected) to `other`.
    pub fn diff(&self, other: &Tree) -> Option<String> {
        let mut lines = Vec::new();
        for (name, node) in &self.0 {
            match other.0.get(name) {
                None => lines.push(format!("missing {name} ({})", describe(node))),
                Some(o) if o != node => lines.push(format!(
                    "{name}: expected {}, found {}",
                    describe(node),
                    describe(o)
                )),
                Some(_) => {}
            }
        }
        for (name, node) in &other.0 {
            if !self.0.contains_key(name) {
                lines.push(format!("unexpected {name} ({})", describe(node)));
            }
        }
        (!lines.is_empty()).then(|| format!("\n  {}", lines.join("\n  ")))
    }
}

fn describe(node: &Node) -> String {
    match node {
        Node::Dir => "directory".to_owned(),
        Node::Symlink(target) => format!("symlink to {target}"),
        Node::File(bytes) => {
            let shown = &bytes[..bytes.len().min(60)];
            format!("file of {} bytes starting {}", bytes.len(), quote(shown))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_record_files_dirs_and_links_and_diff_them() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("d")).unwrap();
        fs::write(dir.path().join("d/f"), b"x").unwrap();
        std::os::unix::fs::symlink("d/f", dir.path().join("l")).unwrap();
        let tree = Tree::read(dir.path()).unwrap();
        assert_eq!(tree.0.len(), 3);
        assert_eq!(tree.0["l"], Node::Symlink("d/f".into()));
        assert_eq!(tree.diff(&tree), None);

        fs::write(dir.path().join("d/f"), b"y").unwrap();
        fs::write(dir.path().join("new"), b"").unwrap();
        let diff = tree.diff(&Tree::read(dir.path()).unwrap()).unwrap();
        assert!(diff.contains("d/f: expected file of 1 bytes"), "{diff}");
        assert!(diff.contains("unexpected new"), "{diff}");
    }
}
