//! Changes to the tree's namespace: create, link, unlink, rmdir, rename.

use super::{Data, Dir, Ino, Node, NodeKind, Vfs};
use crate::errno::{Errno, SysResult};
use crate::linux::{Timespec, RENAME_EXCHANGE, RENAME_NOREPLACE, RENAME_WHITEOUT};

/// Longest file name (Linux `NAME_MAX`).
const NAME_MAX: usize = 255;

impl Vfs {
    /// Checks that `name` can be added to directory `parent`.
    fn check_new(&self, parent: Ino, name: &str) -> SysResult<()> {
        let d = self.node(parent).as_dir().ok_or(Errno::ENOTDIR)?;
        if d.removed {
            return Err(Errno::ENOENT);
        }
        if name.len() > NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        if name.is_empty() || d.entries.contains_key(name) {
            return Err(Errno::EEXIST);
        }
        Ok(())
    }

    fn touch_dir(&mut self, dir: Ino, now: Timespec) {
        let n = self.node_mut(dir);
        (n.mtime, n.ctime) = (now, now);
    }

    fn create(
        &mut self,
        parent: Ino,
        name: &str,
        kind: NodeKind,
        mode: u32,
        now: Timespec,
    ) -> SysResult<Ino> {
        self.check_new(parent, name)?;
        let ino = self.add(parent, name, Node::new(kind, mode & 0o7777, now));
        self.touch_dir(parent, now);
        Ok(ino)
    }

    /// Creates an empty regular file.
    pub fn create_file(
        &mut self,
        parent: Ino,
        name: &str,
        mode: u32,
        now: Timespec,
    ) -> SysResult<Ino> {
        self.create(
            parent,
            name,
            NodeKind::File(Data::Mem(Vec::new())),
            mode,
            now,
        )
    }

    /// Creates a directory.
    pub fn mkdir(&mut self, parent: Ino, name: &str, mode: u32, now: Timespec) -> SysResult<Ino> {
        self.create(parent, name, NodeKind::Dir(Dir::default()), mode, now)
    }

    /// Creates a symlink.
    pub fn symlink(
        &mut self,
        parent: Ino,
        name: &str,
        target: &str,
        now: Timespec,
    ) -> SysResult<Ino> {
        self.create(
            parent,
            name,
            NodeKind::Symlink(target.to_string()),
            0o777,
            now,
        )
    }

    /// Adds another name for a non-directory.
    pub fn link(&mut self, parent: Ino, name: &str, ino: Ino, now: Timespec) -> SysResult<()> {
        if self.node(ino).as_dir().is_some() {
            return Err(Errno::EPERM);
        }
        self.check_new(parent, name)?;
        self.dir_mut(parent).entries.insert(name.to_string(), ino);
        let n = self.node_mut(ino);
        n.links += 1;
        n.ctime = now;
        self.touch_dir(parent, now);
        Ok(())
    }

    fn entry(&self, parent: Ino, name: &str) -> SysResult<Ino> {
        let d = self.node(parent).as_dir().ok_or(Errno::ENOTDIR)?;
        d.entries.get(name).copied().ok_or(Errno::ENOENT)
    }

    /// Removes the entry `name` of `parent` and drops the node's link.
    fn detach(&mut self, parent: Ino, name: &str, now: Timespec) -> Ino {
        let ino = self
            .dir_mut(parent)
            .entries
            .remove(name)
            .expect("entry exists");
        self.touch_dir(parent, now);
        let n = self.node_mut(ino);
        n.links = n.links.saturating_sub(1);
        n.ctime = now;
        if let NodeKind::Dir(d) = &mut n.kind {
            d.removed = true;
        }
        self.maybe_free(ino);
        ino
    }

    /// Removes a non-directory.
    pub fn unlink(&mut self, parent: Ino, name: &str, now: Timespec) -> SysResult<()> {
        let ino = self.entry(parent, name)?;
        if self.node(ino).as_dir().is_some() {
            return Err(Errno::EISDIR);
        }
        self.detach(parent, name, now);
        Ok(())
    }

    /// Checks that directory `ino` can be removed or replaced.
    fn check_removable_dir(&self, ino: Ino) -> SysResult<()> {
        let d = self.node(ino).as_dir().ok_or(Errno::ENOTDIR)?;
        if d.mount.is_some() || ino == super::ROOT {
            return Err(Errno::EBUSY);
        }
        if !d.entries.is_empty() {
            return Err(Errno::ENOTEMPTY);
        }
        Ok(())
    }

    /// Removes an empty directory.
    pub fn rmdir(&mut self, parent: Ino, name: &str, now: Timespec) -> SysResult<()> {
        let ino = self.entry(parent, name)?;
        self.check_removable_dir(ino)?;
        self.detach(parent, name, now);
        Ok(())
    }

    /// Whether `ino` is `dir` or inside it.
    fn is_within(&self, mut ino: Ino, dir: Ino) -> bool {
        loop {
            if ino == dir {
                return true;
            }
            match self.node(ino).as_dir() {
                Some(d) if ino != super::ROOT => ino = d.parent,
                _ => return false,
            }
        }
    }

    /// Points entry `name` of `parent` at `ino` (a directory learns its new place).
    fn attach(&mut self, parent: Ino, name: &str, ino: Ino) {
        self.dir_mut(parent).entries.insert(name.to_string(), ino);
        if let NodeKind::Dir(d) = &mut self.node_mut(ino).kind {
            d.parent = parent;
            d.name = name.to_string();
        }
    }

    /// `renameat2` within the tree.
    pub fn rename(
        &mut self,
        op: Ino,
        on: &str,
        np: Ino,
        nn: &str,
        flags: u32,
        now: Timespec,
    ) -> SysResult<()> {
        if flags & !(RENAME_NOREPLACE | RENAME_EXCHANGE) != 0
            || flags & RENAME_WHITEOUT != 0
            || flags == RENAME_NOREPLACE | RENAME_EXCHANGE
        {
            return Err(Errno::EINVAL);
        }
        let src = self.entry(op, on)?;
        let dst = match self.entry(np, nn) {
            Ok(d) => Some(d),
            Err(Errno::ENOENT) => {
                self.check_new(np, nn)?;
                None
            }
            Err(e) => return Err(e),
        };
        let src_dir = self.node(src).as_dir().is_some();
        if src_dir && self.node(src).as_dir().unwrap().mount.is_some() {
            return Err(Errno::EBUSY);
        }
        if src_dir && self.is_within(np, src) {
            return Err(Errno::EINVAL);
        }
        if flags & RENAME_EXCHANGE != 0 {
            let dst = dst.ok_or(Errno::ENOENT)?;
            if self.node(dst).as_dir().is_some() && self.is_within(op, dst) {
                return Err(Errno::EINVAL);
            }
            self.attach(op, on, dst);
            self.attach(np, nn, src);
            self.touch_dir(op, now);
            self.touch_dir(np, now);
            return Ok(());
        }
        if let Some(dst) = dst {
            if flags & RENAME_NOREPLACE != 0 {
                return Err(Errno::EEXIST);
            }
            if dst == src {
                return Ok(());
            }
            match (src_dir, self.node(dst).as_dir().is_some()) {
                (true, true) => self.check_removable_dir(dst)?,
                (true, false) => return Err(Errno::ENOTDIR),
                (false, true) => return Err(Errno::EISDIR),
                (false, false) => {}
            }
            self.detach(np, nn, now);
        }
        self.dir_mut(op).entries.remove(on);
        self.attach(np, nn, src);
        self.node_mut(src).ctime = now;
        self.touch_dir(op, now);
        self.touch_dir(np, now);
        Ok(())
    }
}
