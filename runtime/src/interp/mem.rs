//! Bounds-checked access to guest memory.

use std::marker::PhantomData;

use c2w_isa::Width;

/// The guest's memory as the interpreter sees it: guest address `g` is at
/// `base + g`, and addresses `0..len` are accessible.
///
/// Every access is checked against `len`; an access that does not fit is
/// refused (`None` / `false`) rather than touching memory outside the range.
/// Unaligned accesses are allowed.
#[derive(Clone, Copy, Debug)]
pub struct GuestMem<'a> {
    base: *mut u8,
    /// Lowest accessible address (Linux never maps page zero, so that null
    /// pointers fault).
    lo: u64,
    len: u64,
    _memory: PhantomData<&'a mut [u8]>,
}

impl<'a> GuestMem<'a> {
    /// Guest memory backed by `bytes` (guest address 0 is `bytes[0]`).
    pub fn new(bytes: &'a mut [u8]) -> GuestMem<'a> {
        GuestMem {
            base: bytes.as_mut_ptr(),
            lo: 0,
            len: bytes.len() as u64,
            _memory: PhantomData,
        }
    }

    /// Guest memory at `base`, `len` bytes long, of which addresses below
    /// `lo` are not accessible.
    ///
    /// # Safety
    ///
    /// `base..base + len` must be valid for reads and writes for as long as
    /// the returned value (or a copy) is used, and nothing else may hold a
    /// Rust reference into that range meanwhile.
    pub unsafe fn from_raw(base: *mut u8, lo: u64, len: u64) -> GuestMem<'static> {
        GuestMem {
            base,
            lo,
            len,
            _memory: PhantomData,
        }
    }

    /// Number of accessible bytes (guest addresses `0..len`).
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether no byte is accessible.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Makes every later access through this handle fail.
    pub(super) fn revoke(&mut self) {
        self.len = 0;
    }

    /// Pointer to `n` accessible bytes at `addr`, if they are all in range.
    #[inline(always)]
    fn at(&self, addr: u64, n: u64) -> Option<*mut u8> {
        match addr.checked_add(n) {
            // SAFETY: addr + n <= len, so the offset stays inside the range
            // that `new`/`from_raw` vouched for (and fits in usize).
            Some(end) if end <= self.len && addr >= self.lo => {
                Some(unsafe { self.base.add(addr as usize) })
            }
            _ => None,
        }
    }

    /// Reads `w` bytes at `addr`, zero-extended.
    #[inline(always)]
    pub fn read(&self, w: Width, addr: u64) -> Option<u64> {
        let p = self.at(addr, u64::from(w.bytes()))?;
        // SAFETY: `at` checked that the bytes are in range.
        Some(unsafe {
            match w {
                Width::B8 => u64::from(p.read()),
                Width::B16 => u64::from(u16::from_le(p.cast::<u16>().read_unaligned())),
                Width::B32 => u64::from(u32::from_le(p.cast::<u32>().read_unaligned())),
                Width::B64 => u64::from_le(p.cast::<u64>().read_unaligned()),
            }
        })
    }

    /// Writes the low `w` bytes of `v` at `addr`; `false` if out of range.
    #[inline(always)]
    pub fn write(&self, w: Width, addr: u64, v: u64) -> bool {
        let Some(p) = self.at(addr, u64::from(w.bytes())) else {
            return false;
        };
        // SAFETY: `at` checked that the bytes are in range.
        unsafe {
            match w {
                Width::B8 => p.write(v as u8),
                Width::B16 => p.cast::<u16>().write_unaligned((v as u16).to_le()),
                Width::B32 => p.cast::<u32>().write_unaligned((v as u32).to_le()),
                Width::B64 => p.cast::<u64>().write_unaligned(v.to_le()),
            }
        }
        true
    }

    /// The instruction at `pc`, decoded. `None` if its bytes are not all
    /// accessible.
    #[inline]
    pub fn fetch<I: c2w_isa::Isa>(&self, pc: u64) -> Option<I::Inst> {
        if pc < self.lo || pc >= self.len {
            return None;
        }
        let n = (self.len - pc).min(I::MAX_LEN as u64);
        // SAFETY: `pc..pc + n` is in range, checked above.
        let bytes = unsafe { core::slice::from_raw_parts(self.base.add(pc as usize), n as usize) };
        I::decode(bytes, pc)
    }
}
