//! Path resolution: components, "..", symlinks (in the tree and on mounted
//! host directories), the working directory or a dirfd as the start.

use super::{Ino, NodeKind, Vfs, ROOT};
use crate::errno::{Errno, SysResult};
use crate::host::{FileType, Host};

/// Most symlinks one resolution follows (Linux's `MAXSYMLINKS`).
const MAX_LINKS: u32 = 40;

/// A directory to resolve relative paths from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pos {
    /// A directory of the tree.
    Tree(Ino),
    /// A directory inside mount `mount`, `path` relative to its root ("" for
    /// the root itself).
    Host { mount: usize, path: String },
}

impl Resolved {
    /// When `a` and `b` are both paths in the same mounted host directory:
    /// that mount and the two paths (operations the host can only do within
    /// one directory tree: link, rename).
    pub fn same_mount<'a>(a: &'a Resolved, b: &'a Resolved) -> Option<(usize, &'a str, &'a str)> {
        match (a, b) {
            (
                Resolved::Host {
                    mount: m1,
                    path: p1,
                },
                Resolved::Host {
                    mount: m2,
                    path: p2,
                },
            ) if m1 == m2 => Some((*m1, p1, p2)),
            _ => None,
        }
    }
}

/// What a path names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// An existing tree node, with the directory entry that led to it
    /// (`name` is "" when there is none: "/", or a path ending in "." or "..").
    Node { ino: Ino, parent: Ino, name: String },
    /// A name that does not exist (yet) in tree directory `parent`.
    Missing { parent: Ino, name: String },
    /// A path inside a mounted host directory ("." for its root); it may or
    /// may not exist.
    Host { mount: usize, path: String },
}

/// The result of resolving a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lookup {
    pub res: Resolved,
    /// The path ended in "/": it must be a directory.
    pub trailing_slash: bool,
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Pushes `path`'s components onto the to-do stack (so they pop in order).
fn push_components(todo: &mut Vec<String>, path: &str) {
    todo.extend(
        path.split('/')
            .filter(|c| !c.is_empty())
            .rev()
            .map(str::to_string),
    );
}

impl Vfs {
    /// The directory above `pos`.
    fn parent_pos(&self, pos: &Pos) -> Pos {
        match pos {
            Pos::Tree(ino) => Pos::Tree(self.node(*ino).as_dir().map_or(ROOT, |d| d.parent)),
            Pos::Host { mount, path } if path.is_empty() => {
                let m = &self.mounts[*mount];
                Pos::Tree(self.node(m.ino).as_dir().map_or(ROOT, |d| d.parent))
            }
            Pos::Host { mount, path } => {
                let parent = path.rsplit_once('/').map_or("", |(p, _)| p);
                Pos::Host {
                    mount: *mount,
                    path: parent.to_string(),
                }
            }
        }
    }

    /// Resolves `path` from `start` (used when it is relative). `follow`:
    /// follow a symlink in the last component.
    pub fn resolve<H: Host>(
        &self,
        host: &mut H,
        start: &Pos,
        path: &str,
        follow: bool,
    ) -> SysResult<Lookup> {
        if path.is_empty() {
            return Err(Errno::ENOENT);
        }
        let trailing_slash = path.ends_with('/') && !path.trim_matches('/').is_empty();
        let mut pos = if path.starts_with('/') {
            Pos::Tree(ROOT)
        } else {
            start.clone()
        };
        let mut todo = Vec::new();
        push_components(&mut todo, path);
        let mut links = 0;
        // The directory entry that led to `pos`, if the last step was a name.
        let mut entry: Option<(Ino, String)> = None;
        let mut follow_link = |todo: &mut Vec<String>, target: &str| -> SysResult<bool> {
            links += 1;
            if links > MAX_LINKS {
                return Err(Errno::ELOOP);
            }
            if target.is_empty() {
                return Err(Errno::ENOENT);
            }
            push_components(todo, target);
            Ok(target.starts_with('/'))
        };
        while let Some(comp) = todo.pop() {
            let last = todo.is_empty();
            let want_follow = !last || follow || trailing_slash;
            match comp.as_str() {
                "." | ".." => {
                    if let Pos::Tree(ino) = pos {
                        if self.node(ino).as_dir().is_none() {
                            return Err(Errno::ENOTDIR);
                        }
                    }
                    if comp == ".." {
                        pos = self.parent_pos(&pos);
                    }
                    entry = None;
                    continue;
                }
                _ => {}
            }
            match pos.clone() {
                Pos::Tree(dir) => {
                    let d = self.node(dir).as_dir().ok_or(Errno::ENOTDIR)?;
                    if d.removed {
                        return Err(Errno::ENOENT);
                    }
                    let Some(&child) = d.entries.get(&comp) else {
                        if last {
                            return Ok(Lookup {
                                res: Resolved::Missing {
                                    parent: dir,
                                    name: comp,
                                },
                                trailing_slash,
                            });
                        }
                        return Err(Errno::ENOENT);
                    };
                    match &self.node(child).kind {
                        NodeKind::Symlink(target) if want_follow => {
                            if follow_link(&mut todo, target)? {
                                pos = Pos::Tree(ROOT);
                            }
                            entry = None;
                        }
                        NodeKind::Dir(cd) if cd.mount.is_some() => {
                            pos = Pos::Host {
                                mount: cd.mount.unwrap(),
                                path: String::new(),
                            };
                            entry = Some((dir, comp));
                        }
                        _ => {
                            pos = Pos::Tree(child);
                            entry = Some((dir, comp));
                        }
                    }
                }
                Pos::Host { mount, path: dir } => {
                    let path = join(&dir, &comp);
                    let fd = self.mounts[mount].fd;
                    if want_follow {
                        match host.stat(fd, &path, false) {
                            Ok(st) if st.kind == FileType::Symlink => {
                                let target = host.readlink(fd, &path)?;
                                if follow_link(&mut todo, &target)? {
                                    pos = Pos::Tree(ROOT);
                                }
                                continue;
                            }
                            Ok(st) if !last && st.kind != FileType::Directory => {
                                return Err(Errno::ENOTDIR)
                            }
                            Err(e) if !last => return Err(e),
                            _ => {}
                        }
                    }
                    pos = Pos::Host { mount, path };
                }
            }
        }
        let res = match pos {
            Pos::Tree(ino) => {
                if trailing_slash && self.node(ino).as_dir().is_none() {
                    return Err(Errno::ENOTDIR);
                }
                let (parent, name) = entry.unwrap_or_else(|| {
                    (
                        self.node(ino).as_dir().map_or(ROOT, |d| d.parent),
                        String::new(),
                    )
                });
                Resolved::Node { ino, parent, name }
            }
            Pos::Host { mount, path } => Resolved::Host {
                mount,
                path: if path.is_empty() { ".".into() } else { path },
            },
        };
        Ok(Lookup {
            res,
            trailing_slash,
        })
    }

    /// The absolute guest path of a directory position (getcwd).
    pub fn pos_path(&self, pos: &Pos) -> SysResult<String> {
        match pos {
            Pos::Tree(ino) => self.path_of(*ino),
            Pos::Host { mount, path } => {
                let base = &self.mounts[*mount].path;
                Ok(if path.is_empty() {
                    base.clone()
                } else {
                    format!("{base}/{path}")
                })
            }
        }
    }
}
