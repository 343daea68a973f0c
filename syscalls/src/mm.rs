//! The guest's memory map: which ranges are mapped, with what protection, and
//! where new mappings go. Addresses are chosen as the kernel would: the ELF at
//! its link address, a guard gap, the main stack, brk above it (with a
//! limit, so malloc falls back to mmap), then mmap bottom-up first-fit up to
//! [`GUEST_LIMIT`]. Linear memory covers only as far as the highest mapping.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::errno::{Errno, SysResult};
use crate::host::Host;
use crate::layout::{GUEST_LIMIT, PAGE_SIZE};
use crate::linux::PROT_EXEC;
use crate::mem::GuestMem;

/// Size of the main thread's stack.
pub const STACK_SIZE: u64 = 8 << 20;
/// Unmapped gap between the program's image and its stack.
pub const GUARD_GAP: u64 = 1 << 20;
/// How far brk may grow; past it glibc's malloc uses mmap.
pub const BRK_MAX: u64 = 256 << 20;

/// Rounds up to a page boundary (saturating at the top of the address space).
pub fn page_up(x: u64) -> u64 {
    x.checked_next_multiple_of(PAGE_SIZE)
        .unwrap_or(!(PAGE_SIZE - 1))
}

/// Rounds down to a page boundary.
pub fn page_down(x: u64) -> u64 {
    x & !(PAGE_SIZE - 1)
}

/// What a mapping holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VmaKind {
    /// A PT_LOAD segment of the program.
    Elf,
    /// The main stack.
    Stack,
    /// Room reserved for brk.
    Brk,
    /// Anonymous memory.
    Anon { shared: bool },
    /// A file's bytes (copied in).
    File { shared: bool, path: String },
}

/// One mapping, keyed by its start in [`MemoryMap`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vma {
    pub end: u64,
    pub prot: u32,
    pub kind: VmaKind,
}

/// The guest's mappings, brk and mmap allocation.
#[derive(Debug)]
pub struct MemoryMap {
    vmas: BTreeMap<u64, Vma>,
    brk_start: u64,
    brk: u64,
    mmap_base: u64,
    /// Ranges ever handed out; anything else still reads as zero.
    dirty: RangeSet,
    /// Addresses where code may have changed since it was last reported.
    code_changed: Option<Range<u64>>,
}

impl MemoryMap {
    /// A map with the stack and brk placed after the program image, which
    /// ends at `image_end`. Fails if they do not fit the address space.
    pub fn new(image_end: u64) -> Option<Self> {
        let stack_bottom = page_up(image_end).checked_add(GUARD_GAP)?;
        let stack_top = stack_bottom + STACK_SIZE;
        let brk_start = stack_top + PAGE_SIZE;
        let mmap_base = brk_start + BRK_MAX;
        if mmap_base >= GUEST_LIMIT {
            return None;
        }
        let mut map = MemoryMap {
            vmas: BTreeMap::new(),
            brk_start,
            brk: brk_start,
            mmap_base,
            dirty: RangeSet::default(),
            code_changed: None,
        };
        map.insert(stack_bottom, STACK_SIZE, 3, VmaKind::Stack);
        map.insert(brk_start, BRK_MAX, 3, VmaKind::Brk);
        Some(map)
    }

    /// The top of the main stack (exclusive).
    pub fn stack_top(&self) -> u64 {
        self.vmas
            .iter()
            .find(|(_, v)| v.kind == VmaKind::Stack)
            .map_or(0, |(_, v)| v.end)
    }

    /// Where brk starts, where it is, and where mmap allocation starts.
    pub fn brk_range(&self) -> (u64, u64, u64) {
        (self.brk_start, self.brk, self.mmap_base)
    }

    /// The mappings, in address order.
    pub fn vmas(&self) -> impl Iterator<Item = (u64, &Vma)> {
        self.vmas.iter().map(|(&s, v)| (s, v))
    }

    /// Once after changes that may have replaced code: the addresses they
    /// span.
    pub fn take_code_changed(&mut self) -> Option<Range<u64>> {
        self.code_changed.take()
    }

    /// Marks code in `[start, end)` as changed (e.g. `riscv_flush_icache`).
    pub fn set_code_changed(&mut self, start: u64, end: u64) {
        self.code_changed = Some(match self.code_changed.take() {
            Some(r) => r.start.min(start)..r.end.max(end),
            None => start..end,
        });
    }

    /// Splits the mapping containing `addr` so that one starts there.
    fn split_at(&mut self, addr: u64) {
        let Some((&start, vma)) = self.vmas.range(..addr).next_back() else {
            return;
        };
        if vma.end > addr {
            let tail = vma.clone();
            self.vmas.get_mut(&start).unwrap().end = addr;
            self.vmas.insert(addr, tail);
        }
    }

    /// Starts of the mappings overlapping `[start, end)`.
    fn overlapping(&self, start: u64, end: u64) -> Vec<u64> {
        let mut keys: Vec<u64> = self.vmas.range(start..end).map(|(&s, _)| s).collect();
        if let Some((&s, v)) = self.vmas.range(..start).next_back() {
            if v.end > start {
                keys.insert(0, s);
            }
        }
        keys
    }

    /// Whether nothing is mapped in `[start, start + len)`.
    pub fn is_free(&self, start: u64, len: u64) -> bool {
        self.overlapping(start, start + len).is_empty()
    }

    /// Whether all of `[start, start + len)` is mapped.
    pub fn is_mapped(&self, start: u64, len: u64) -> bool {
        let end = start + len;
        let mut at = start;
        for s in self.overlapping(start, end) {
            if s > at {
                return false;
            }
            at = at.max(self.vmas[&s].end);
        }
        at >= end
    }

    /// The mapping containing `addr`.
    pub fn find(&self, addr: u64) -> Option<(u64, &Vma)> {
        let (&s, v) = self.vmas.range(..=addr).next_back()?;
        (v.end > addr).then_some((s, v))
    }

    /// Lowest free range of `len` bytes at or above the mmap base.
    pub fn find_free(&self, len: u64) -> Option<u64> {
        let mut at = self.mmap_base;
        for (&s, v) in self.vmas.range(..) {
            if v.end <= at {
                continue;
            }
            if s >= at && s - at >= len {
                return Some(at);
            }
            at = at.max(v.end);
        }
        (GUEST_LIMIT.checked_sub(at)? >= len).then_some(at)
    }

    /// Removes all mappings in `[start, start + len)`; returns whether any
    /// existed.
    pub fn unmap(&mut self, start: u64, len: u64) -> bool {
        let end = start + len;
        self.split_at(start);
        self.split_at(end);
        let keys = self.overlapping(start, end);
        for s in &keys {
            let vma = self.vmas.remove(s).unwrap();
            if vma.prot & PROT_EXEC != 0 {
                self.set_code_changed(*s, vma.end);
            }
        }
        !keys.is_empty()
    }

    /// Records a mapping over `[start, start + len)`, replacing what was
    /// there.
    pub fn insert(&mut self, start: u64, len: u64, prot: u32, kind: VmaKind) {
        self.unmap(start, len);
        self.vmas.insert(
            start,
            Vma {
                end: start + len,
                prot,
                kind,
            },
        );
        self.merge(start, start + len);
    }

    /// Merges equal neighbouring mappings that touch `[start, end]`, as
    /// Linux merges VMAs.
    fn merge(&mut self, start: u64, end: u64) {
        let first = self
            .vmas
            .range(..start)
            .next_back()
            .map_or(start, |(&s, _)| s);
        let keys: Vec<u64> = self.vmas.range(first..=end).map(|(&s, _)| s).collect();
        let mut current = None::<u64>;
        for s in keys {
            match current {
                Some(c) => {
                    let (a, b) = (&self.vmas[&c], &self.vmas[&s]);
                    if a.end == s && a.prot == b.prot && a.kind == b.kind {
                        let end = self.vmas.remove(&s).unwrap().end;
                        self.vmas.get_mut(&c).unwrap().end = end;
                    } else {
                        current = Some(s);
                    }
                }
                None => current = Some(s),
            }
        }
    }

    /// Changes the protection of `[start, start + len)`; `ENOMEM` if part of
    /// it is not mapped.
    pub fn protect(&mut self, start: u64, len: u64, prot: u32) -> SysResult<()> {
        if !self.is_mapped(start, len) {
            return Err(Errno::ENOMEM);
        }
        self.split_at(start);
        self.split_at(start + len);
        for s in self.overlapping(start, start + len) {
            let vma = self.vmas.get_mut(&s).unwrap();
            let changed = (vma.prot | prot) & PROT_EXEC != 0 && vma.prot != prot;
            vma.prot = prot;
            if changed {
                let end = vma.end;
                self.set_code_changed(s, end);
            }
        }
        self.merge(start, start + len);
        Ok(())
    }

    /// Makes `[start, start + len)` addressable and zero: bytes handed out
    /// before are cleared, the others are zero already.
    pub fn fresh<H: Host>(&mut self, host: &mut H, start: u64, len: u64) -> SysResult<()> {
        let end = start
            .checked_add(len)
            .filter(|&e| e <= GUEST_LIMIT)
            .ok_or(Errno::ENOMEM)?;
        host.guest_reserve(end).map_err(|_| Errno::ENOMEM)?;
        let mem = guest_mem(host);
        for (s, e) in self.dirty.overlaps(start, end) {
            mem.zero(s, e - s)?;
        }
        self.dirty.insert(start, end);
        Ok(())
    }

    /// `brk(addr)`: moves the break within its reserved range and returns the
    /// resulting break (the old one on failure or for `brk(0)`).
    pub fn brk<H: Host>(&mut self, host: &mut H, addr: u64) -> u64 {
        if addr < self.brk_start || addr > self.brk_start + BRK_MAX {
            return self.brk;
        }
        if addr > self.brk && self.fresh(host, self.brk, addr - self.brk).is_err() {
            return self.brk;
        }
        self.brk = addr;
        self.brk
    }
}

/// A set of disjoint half-open ranges.
#[derive(Debug, Default)]
struct RangeSet(BTreeMap<u64, u64>);

impl RangeSet {
    /// Adds `[start, end)`, merging with touching ranges.
    fn insert(&mut self, mut start: u64, mut end: u64) {
        if let Some((&s, &e)) = self.0.range(..=start).next_back() {
            if e >= start {
                start = s;
                end = end.max(e);
            }
        }
        let absorbed: Vec<(u64, u64)> = self.0.range(start..=end).map(|(&s, &e)| (s, e)).collect();
        for (s, e) in absorbed {
            self.0.remove(&s);
            end = end.max(e);
        }
        self.0.insert(start, end);
    }

    /// The parts of `[start, end)` in the set.
    fn overlaps(&self, start: u64, end: u64) -> Vec<(u64, u64)> {
        let first = self
            .0
            .range(..=start)
            .next_back()
            .map_or(start, |(&s, _)| s);
        self.0
            .range(first..end)
            .map(|(&s, &e)| (s.max(start), e.min(end)))
            .filter(|(s, e)| s < e)
            .collect()
    }
}

/// The host's guest memory as a [`GuestMem`].
pub fn guest_mem<H: Host>(host: &H) -> GuestMem {
    let (base, len) = host.guest_memory();
    // SAFETY: the host guarantees `len` addressable bytes at `base`.
    unsafe { GuestMem::new(base, len) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_fit_and_split() {
        let mut m = MemoryMap::new(0x20_0000).unwrap();
        let (_, _, base) = m.brk_range();
        let a = m.find_free(0x3000).unwrap();
        assert_eq!(a, base);
        m.insert(a, 0x3000, 3, VmaKind::Anon { shared: false });
        let b = m.find_free(0x1000).unwrap();
        assert_eq!(b, a + 0x3000);
        m.insert(b, 0x1000, 3, VmaKind::Anon { shared: false });
        // A hole in the middle of the first mapping is found first.
        assert!(m.unmap(a + 0x1000, 0x1000));
        assert!(!m.is_mapped(a, 0x3000));
        assert!(m.is_mapped(a, 0x1000) && m.is_mapped(a + 0x2000, 0x2000));
        assert_eq!(m.find_free(0x1000), Some(a + 0x1000));
        assert_eq!(m.find_free(0x2000), Some(b + 0x1000));
        m.protect(a, 0x1000, 1).unwrap();
        assert_eq!(m.find(a).unwrap().1.prot, 1);
        assert_eq!(m.protect(a, 0x3000, 1), Err(Errno::ENOMEM));
    }

    #[test]
    fn range_set_merges() {
        let mut r = RangeSet::default();
        r.insert(10, 20);
        r.insert(30, 40);
        assert_eq!(r.overlaps(0, 100), vec![(10, 20), (30, 40)]);
        assert_eq!(r.overlaps(15, 35), vec![(15, 20), (30, 35)]);
        r.insert(20, 30);
        assert_eq!(r.overlaps(0, 100), vec![(10, 40)]);
        r.insert(5, 50);
        assert_eq!(r.0.len(), 1);
        assert_eq!(r.overlaps(45, 60), vec![(45, 50)]);
    }

    #[test]
    fn exec_changes_are_reported_once() {
        let mut m = MemoryMap::new(0x20_0000).unwrap();
        let a = m.find_free(0x2000).unwrap();
        m.insert(a, 0x2000, 3, VmaKind::Anon { shared: false });
        assert!(m.take_code_changed().is_none());
        m.protect(a, 0x1000, 5).unwrap();
        assert!(m.take_code_changed().is_some());
        assert!(m.take_code_changed().is_none());
        m.unmap(a + 0x1000, 0x1000);
        assert!(
            m.take_code_changed().is_none(),
            "that page was never executable"
        );
        m.unmap(a, 0x1000);
        assert!(m.take_code_changed().is_some());
    }
}
