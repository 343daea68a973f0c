//! Memory syscalls: mmap, munmap, mprotect, mremap, madvise, msync.

use crate::errno::{Errno, SysResult};
use crate::fd::Object;
use crate::host::Host;
use crate::kernel::Kernel;
use crate::layout::{GUEST_LIMIT, PAGE_SIZE};
use crate::linux::*;
use crate::mm::{page_up, VmaKind};
use crate::vfs::Dev;

/// Page-aligned length of a request; `err` if it is zero or overflows.
fn length(len: u64, err: Errno) -> SysResult<u64> {
    match len {
        0 => Err(Errno::EINVAL),
        l if l > GUEST_LIMIT => Err(err),
        l => Ok(page_up(l)),
    }
}

/// Checks that `[addr, addr + len)` lies in the guest address space.
fn in_space(addr: u64, len: u64, err: Errno) -> SysResult<()> {
    match addr.checked_add(len) {
        Some(end) if end <= GUEST_LIMIT => Ok(()),
        _ => Err(err),
    }
}

/// Checks that `addr` is page aligned.
fn aligned(addr: u64) -> SysResult<()> {
    if addr.is_multiple_of(PAGE_SIZE) {
        Ok(())
    } else {
        Err(Errno::EINVAL)
    }
}

impl<H: Host> Kernel<H> {
    pub(crate) fn sys_mmap(
        &mut self,
        addr: u64,
        len: u64,
        prot: u32,
        flags: u32,
        fd: i32,
        off: u64,
    ) -> SysResult<u64> {
        let len = length(len, Errno::ENOMEM)?;
        aligned(off)?;
        off.checked_add(len).ok_or(Errno::EOVERFLOW)?;
        let shared = match flags & MAP_TYPE {
            MAP_SHARED | MAP_SHARED_VALIDATE => true,
            MAP_PRIVATE => false,
            _ => return Err(Errno::EINVAL),
        };
        let file = if flags & MAP_ANONYMOUS != 0 {
            None
        } else {
            let file = self.fds.file(fd)?;
            let f = file.borrow();
            if !f.readable() || (shared && prot & PROT_WRITE != 0 && !f.writable()) {
                return Err(Errno::EACCES);
            }
            match &f.obj {
                Object::Dev { dev: Dev::Zero, .. } => None,
                Object::File(_) | Object::HostFile { .. } => Some((file.clone(), f.path.clone())),
                _ => return Err(Errno::ENODEV),
            }
        };
        let start = if flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) != 0 {
            aligned(addr)?;
            in_space(addr, len, Errno::ENOMEM)?;
            if flags & MAP_FIXED == 0 && !self.mm.is_free(addr, len) {
                return Err(Errno::EEXIST);
            }
            addr
        } else {
            let hint = addr & !(PAGE_SIZE - 1);
            let usable =
                hint >= PAGE_SIZE && hint.checked_add(len).is_some_and(|end| end <= GUEST_LIMIT);
            if usable && self.mm.is_free(hint, len) {
                hint
            } else {
                self.mm.find_free(len).ok_or(Errno::ENOMEM)?
            }
        };
        self.mm.unmap(start, len);
        self.mm.fresh(&mut self.host, start, len)?;
        let kind = match file {
            None => VmaKind::Anon { shared },
            Some((file, path)) => {
                let mem = self.mem();
                let buf = mem.bytes_mut(start, len)?;
                let mut done = 0;
                while done < buf.len() {
                    match self.read_buf(&file, &mut buf[done..], Some(off + done as u64)) {
                        Ok(0) => break,
                        Ok(n) => done += n,
                        Err(e) => {
                            self.mm.unmap(start, len);
                            return Err(e);
                        }
                    }
                }
                VmaKind::File { shared, path }
            }
        };
        self.mm.insert(start, len, prot, kind);
        Ok(start)
    }

    pub(crate) fn sys_munmap(&mut self, addr: u64, len: u64) -> SysResult<u64> {
        aligned(addr)?;
        let len = length(len, Errno::EINVAL)?;
        in_space(addr, len, Errno::EINVAL)?;
        self.mm.unmap(addr, len);
        Ok(0)
    }

    pub(crate) fn sys_mprotect(&mut self, addr: u64, len: u64, prot: u32) -> SysResult<u64> {
        const PROT_GROWSDOWN: u32 = 0x0100_0000;
        const PROT_GROWSUP: u32 = 0x0200_0000;
        aligned(addr)?;
        if prot & !(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP) != 0 {
            return Err(Errno::EINVAL);
        }
        if len == 0 {
            return Ok(0);
        }
        let len = length(len, Errno::ENOMEM)?;
        in_space(addr, len, Errno::ENOMEM)?;
        self.mm
            .protect(addr, len, prot & (PROT_READ | PROT_WRITE | PROT_EXEC))?;
        Ok(0)
    }

    pub(crate) fn sys_mremap(
        &mut self,
        old: u64,
        old_len: u64,
        new_len: u64,
        flags: u32,
        new_addr: u64,
    ) -> SysResult<u64> {
        aligned(old)?;
        if flags & !(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP) != 0
            || (flags & MREMAP_FIXED != 0 && flags & MREMAP_MAYMOVE == 0)
            || flags & MREMAP_DONTUNMAP != 0
        {
            return Err(Errno::EINVAL);
        }
        let old_len = length(old_len, Errno::EFAULT)?;
        let new_len = length(new_len, Errno::ENOMEM)?;
        let (_, vma) = self.mm.find(old).ok_or(Errno::EFAULT)?;
        if old + old_len > vma.end {
            return Err(Errno::EFAULT);
        }
        let (prot, kind) = (vma.prot, vma.kind.clone());
        if flags & MREMAP_FIXED == 0 {
            if new_len <= old_len {
                self.mm.unmap(old + new_len, old_len - new_len);
                return Ok(old);
            }
            let grow = new_len - old_len;
            if old + new_len <= GUEST_LIMIT && self.mm.is_free(old + old_len, grow) {
                self.mm.fresh(&mut self.host, old + old_len, grow)?;
                self.mm.insert(old + old_len, grow, prot, kind);
                return Ok(old);
            }
            if flags & MREMAP_MAYMOVE == 0 {
                return Err(Errno::ENOMEM);
            }
        }
        let dest = if flags & MREMAP_FIXED != 0 {
            aligned(new_addr)?;
            in_space(new_addr, new_len, Errno::EINVAL)?;
            if new_addr < old + old_len && old < new_addr + new_len {
                return Err(Errno::EINVAL);
            }
            self.mm.unmap(new_addr, new_len);
            new_addr
        } else {
            self.mm.find_free(new_len).ok_or(Errno::ENOMEM)?
        };
        self.mm.fresh(&mut self.host, dest, new_len)?;
        self.mem().copy_within(old, dest, old_len.min(new_len))?;
        self.mm.unmap(old, old_len);
        self.mm.insert(dest, new_len, prot, kind);
        if prot & PROT_EXEC != 0 {
            self.mm.set_code_changed(dest, dest + new_len);
        }
        Ok(dest)
    }

    pub(crate) fn sys_madvise(&mut self, addr: u64, len: u64, advice: u32) -> SysResult<u64> {
        aligned(addr)?;
        if len == 0 {
            return Ok(0);
        }
        let len = length(len, Errno::ENOMEM)?;
        in_space(addr, len, Errno::ENOMEM)?;
        if !self.mm.is_mapped(addr, len) {
            return Err(Errno::ENOMEM);
        }
        if advice == MADV_DONTNEED {
            let end = addr + len;
            let private_anon: Vec<(u64, u64)> = self
                .mm
                .vmas()
                .filter(|(s, v)| *s < end && v.end > addr)
                .filter(|(_, v)| {
                    matches!(
                        v.kind,
                        VmaKind::Anon { shared: false } | VmaKind::Brk | VmaKind::Stack
                    )
                })
                .map(|(s, v)| (s.max(addr), v.end.min(end)))
                .collect();
            let mem = self.mem();
            for (s, e) in private_anon {
                // Only what is addressable can hold data (brk may be short).
                let e = e.min(mem.len());
                if e > s {
                    mem.zero(s, e - s)?;
                }
            }
        }
        Ok(0)
    }

    pub(crate) fn sys_msync(&mut self, addr: u64, len: u64) -> SysResult<u64> {
        aligned(addr)?;
        if len > 0 {
            let len = length(len, Errno::ENOMEM)?;
            in_space(addr, len, Errno::ENOMEM)?;
            if !self.mm.is_mapped(addr, len) {
                return Err(Errno::ENOMEM);
            }
        }
        Ok(0)
    }

    pub(crate) fn sys_fadvise(&mut self, fd: i32) -> SysResult<u64> {
        match self.fds.file(fd)?.borrow().obj {
            Object::PipeRead(_) | Object::PipeWrite(_) => Err(Errno::ESPIPE),
            _ => Ok(0),
        }
    }
}
