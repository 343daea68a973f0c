//! Bounds-checked access to guest memory from the kernel.

use crate::errno::{Errno, SysResult};

/// Longest path the kernel accepts (Linux `PATH_MAX`).
pub const PATH_MAX: usize = 4096;

/// A view of guest memory: guest address 0 is at `base`, and `len` bytes from
/// it are addressable. Out-of-range accesses fail with `EFAULT`.
///
/// The kernel runs while the guest is stopped, and takes at most one mutable
/// slice of guest memory at a time, so the slices it hands out never alias.
#[derive(Clone, Copy, Debug)]
pub struct GuestMem {
    base: *mut u8,
    len: u64,
}

impl GuestMem {
    /// A view of `len` bytes at `base`.
    ///
    /// # Safety
    /// `base .. base + len` must be valid for reads and writes while the view
    /// and the slices from it are in use.
    pub unsafe fn new(base: *mut u8, len: u64) -> Self {
        GuestMem { base, len }
    }

    /// How many guest bytes are addressable.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether no guest byte is addressable.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn check(&self, addr: u64, len: u64) -> SysResult<usize> {
        match addr.checked_add(len) {
            Some(end) if end <= self.len => Ok(addr as usize),
            _ => Err(Errno::EFAULT),
        }
    }

    /// Guest bytes `[addr, addr + len)`.
    pub fn bytes(&self, addr: u64, len: u64) -> SysResult<&[u8]> {
        let off = self.check(addr, len)?;
        // SAFETY: in bounds (checked), valid per `new`'s contract.
        Ok(unsafe { std::slice::from_raw_parts(self.base.add(off), len as usize) })
    }

    /// Guest bytes `[addr, addr + len)`, writable.
    #[allow(clippy::mut_from_ref)]
    pub fn bytes_mut(&self, addr: u64, len: u64) -> SysResult<&mut [u8]> {
        let off = self.check(addr, len)?;
        // SAFETY: in bounds (checked), valid per `new`'s contract; the kernel
        // holds one such slice at a time.
        Ok(unsafe { std::slice::from_raw_parts_mut(self.base.add(off), len as usize) })
    }

    /// Copies `data` to guest address `addr`.
    pub fn write(&self, addr: u64, data: &[u8]) -> SysResult<()> {
        self.bytes_mut(addr, data.len() as u64)?
            .copy_from_slice(data);
        Ok(())
    }

    /// Reads a fixed-size array from guest address `addr`.
    pub fn read_array<const N: usize>(&self, addr: u64) -> SysResult<[u8; N]> {
        Ok(self.bytes(addr, N as u64)?.try_into().unwrap())
    }

    /// Reads a little-endian u64.
    pub fn read_u64(&self, addr: u64) -> SysResult<u64> {
        Ok(u64::from_le_bytes(self.read_array(addr)?))
    }

    /// Writes a little-endian u64.
    pub fn write_u64(&self, addr: u64, v: u64) -> SysResult<()> {
        self.write(addr, &v.to_le_bytes())
    }

    /// Writes a little-endian u32.
    pub fn write_u32(&self, addr: u64, v: u32) -> SysResult<()> {
        self.write(addr, &v.to_le_bytes())
    }

    /// Fills `[addr, addr + len)` with zeros.
    pub fn zero(&self, addr: u64, len: u64) -> SysResult<()> {
        self.bytes_mut(addr, len)?.fill(0);
        Ok(())
    }

    /// Reads a NUL-terminated string of at most `max` bytes (without the
    /// NUL); `ENAMETOOLONG` if longer.
    pub fn read_cstr(&self, addr: u64, max: usize) -> SysResult<&[u8]> {
        if addr >= self.len {
            return Err(Errno::EFAULT);
        }
        let avail = (self.len - addr).min(max as u64 + 1);
        let bytes = self.bytes(addr, avail)?;
        match bytes.iter().position(|&b| b == 0) {
            Some(n) => Ok(&bytes[..n]),
            None if avail == max as u64 + 1 => Err(Errno::ENAMETOOLONG),
            None => Err(Errno::EFAULT),
        }
    }

    /// Reads a path argument: NUL-terminated, at most `PATH_MAX`, UTF-8.
    pub fn read_path(&self, addr: u64) -> SysResult<String> {
        let bytes = self.read_cstr(addr, PATH_MAX - 1)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| Errno::EILSEQ)
    }

    /// Copies `len` bytes from guest `src` to guest `dst` (ranges may overlap).
    pub fn copy_within(&self, src: u64, dst: u64, len: u64) -> SysResult<()> {
        let s = self.check(src, len)?;
        let d = self.check(dst, len)?;
        // SAFETY: both ranges are in bounds; `copy` handles overlap.
        unsafe { std::ptr::copy(self.base.add(s), self.base.add(d), len as usize) };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_and_strings() {
        let mut buf = vec![0u8; 64];
        buf[10..15].copy_from_slice(b"/etc\0");
        let mem = unsafe { GuestMem::new(buf.as_mut_ptr(), 64) };
        assert_eq!(mem.read_path(10).unwrap(), "/etc");
        assert_eq!(mem.bytes(60, 5), Err(Errno::EFAULT));
        assert_eq!(mem.bytes(u64::MAX, 2), Err(Errno::EFAULT));
        mem.write_u64(0, 0x1122).unwrap();
        assert_eq!(mem.read_u64(0).unwrap(), 0x1122);
        assert_eq!(mem.read_cstr(20, 4), Ok(&[][..]));
        buf[30..64].fill(b'a');
        let mem = unsafe { GuestMem::new(buf.as_mut_ptr(), 64) };
        assert_eq!(mem.read_cstr(30, 10), Err(Errno::ENAMETOOLONG));
        assert_eq!(mem.read_cstr(30, 100), Err(Errno::EFAULT));
    }
}
