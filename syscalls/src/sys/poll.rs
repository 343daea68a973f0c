//! ppoll and pselect6, and the legacy poll and select over them. The guest is the only process, so nothing becomes
//! ready while it waits: they report what is ready now, and sleep out their
//! timeout when nothing is. Host stdio counts as ready (a read then blocks
//! on the host, which is where the data comes from).

use crate::errno::{Errno, SysResult};
use crate::fd::{FileRef, Object};
use crate::host::Host;
use crate::kernel::Kernel;
use crate::linux::{get_i64, Timespec};

const POLLIN: u16 = 0x1;
const POLLOUT: u16 = 0x4;
const POLLERR: u16 = 0x8;
const POLLHUP: u16 = 0x10;
const POLLNVAL: u16 = 0x20;
const POLLRDNORM: u16 = 0x40;
const POLLWRNORM: u16 = 0x100;
/// Size of `struct pollfd` (int fd; short events; short revents).
const POLLFD_SIZE: u64 = 8;

/// What can be done with `file` right now, as poll bits.
fn readiness(file: &FileRef) -> u16 {
    const READ: u16 = POLLIN | POLLRDNORM;
    const WRITE: u16 = POLLOUT | POLLWRNORM;
    let f = file.borrow();
    match &f.obj {
        Object::Stdio(0) => READ,
        Object::Stdio(_) => WRITE,
        Object::PipeRead(p) => {
            let p = p.borrow();
            (if p.buf.is_empty() { 0 } else { READ }) | (if p.writers == 0 { POLLHUP } else { 0 })
        }
        Object::PipeWrite(p) => {
            if p.borrow().readers == 0 {
                POLLERR
            } else {
                WRITE
            }
        }
        _ => READ | WRITE,
    }
}

impl<H: Host> Kernel<H> {
    /// The `struct timespec` timeout at `addr` (NULL: none).
    fn read_timeout(&self, addr: u64) -> SysResult<Option<Timespec>> {
        if addr == 0 {
            return Ok(None);
        }
        let t = Timespec::decode(&self.mem().read_array(addr)?);
        if t.sec < 0 || !(0..1_000_000_000).contains(&t.nsec) {
            return Err(Errno::EINVAL);
        }
        Ok(Some(t))
    }

    /// Sleeps for `timeout` (none: return at once).
    fn wait_timeout(&mut self, timeout: Option<Timespec>) {
        if let Some(t) = timeout {
            self.host.sleep(t.to_nanos());
        }
    }

    pub(crate) fn sys_ppoll(&mut self, fds: u64, nfds: u64, timeout: u64) -> SysResult<u64> {
        let timeout = self.read_timeout(timeout)?;
        self.poll_fds(fds, nfds, timeout)
    }

    /// poll: ppoll with a timeout in milliseconds (negative: none).
    pub(crate) fn sys_poll(&mut self, fds: u64, nfds: u64, ms: i32) -> SysResult<u64> {
        let timeout = (ms >= 0).then(|| Timespec::from_nanos(ms as u64 * 1_000_000));
        self.poll_fds(fds, nfds, timeout)
    }

    fn poll_fds(&mut self, fds: u64, nfds: u64, timeout: Option<Timespec>) -> SysResult<u64> {
        if nfds > self.fds.limit {
            return Err(Errno::EINVAL);
        }
        fds.checked_add(nfds * POLLFD_SIZE).ok_or(Errno::EFAULT)?;
        let mem = self.mem();
        let mut ready = 0;
        for i in 0..nfds {
            let at = fds + i * POLLFD_SIZE;
            let entry: [u8; 8] = mem.read_array(at)?;
            let fd = i32::from_le_bytes(entry[..4].try_into().unwrap());
            let events = u16::from_le_bytes([entry[4], entry[5]]);
            let revents = if fd < 0 {
                0
            } else {
                match self.fds.file(fd) {
                    Ok(file) => readiness(&file) & (events | POLLERR | POLLHUP),
                    Err(_) => POLLNVAL,
                }
            };
            mem.write(at + 6, &revents.to_le_bytes())?;
            ready += (revents != 0) as u64;
        }
        if ready == 0 {
            self.wait_timeout(timeout);
        }
        Ok(ready)
    }

    pub(crate) fn sys_pselect6(
        &mut self,
        nfds: i32,
        sets: [u64; 3],
        timeout: u64,
    ) -> SysResult<u64> {
        let timeout = self.read_timeout(timeout)?;
        self.select_fds(nfds, sets, timeout)
    }

    /// select: pselect6 with a `struct timeval` timeout, which it updates
    /// to the time left (zero once it expired), as Linux does.
    pub(crate) fn sys_select(&mut self, nfds: i32, sets: [u64; 3], tv: u64) -> SysResult<u64> {
        let timeout = if tv == 0 {
            None
        } else {
            let b: [u8; 16] = self.mem().read_array(tv)?;
            let (sec, usec) = (get_i64(&b, 0), get_i64(&b, 8));
            if sec < 0 || !(0..1_000_000).contains(&usec) {
                return Err(Errno::EINVAL);
            }
            Some(Timespec {
                sec,
                nsec: usec * 1000,
            })
        };
        let ready = self.select_fds(nfds, sets, timeout)?;
        if ready == 0 && tv != 0 {
            self.mem().write(tv, &[0; 16])?;
        }
        Ok(ready)
    }

    fn select_fds(
        &mut self,
        nfds: i32,
        sets: [u64; 3],
        timeout: Option<Timespec>,
    ) -> SysResult<u64> {
        if nfds < 0 || nfds as u64 > self.fds.limit {
            return Err(Errno::EINVAL);
        }
        let words = (nfds as u64).div_ceil(64);
        let mem = self.mem();
        let mut bits = [
            vec![0u64; words as usize],
            vec![0u64; words as usize],
            vec![0u64; words as usize],
        ];
        if sets.iter().any(|&a| a.checked_add(8 * words).is_none()) {
            return Err(Errno::EFAULT);
        }
        for (set, addr) in bits.iter_mut().zip(sets) {
            if addr != 0 {
                for (w, word) in set.iter_mut().enumerate() {
                    *word = mem.read_u64(addr + 8 * w as u64)?;
                }
            }
        }
        // (read, write, except) conditions.
        let wanted = [POLLIN | POLLHUP | POLLERR, POLLOUT | POLLERR, 0];
        let mut out = [
            vec![0u64; words as usize],
            vec![0u64; words as usize],
            vec![0u64; words as usize],
        ];
        let mut ready = 0;
        for fd in 0..nfds {
            let (w, bit) = (fd as usize / 64, 1u64 << (fd % 64));
            if bits.iter().all(|set| set[w] & bit == 0) {
                continue;
            }
            let now = readiness(&self.fds.file(fd)?);
            for k in 0..3 {
                if bits[k][w] & bit != 0 && now & wanted[k] != 0 {
                    out[k][w] |= bit;
                    ready += 1;
                }
            }
        }
        for (set, addr) in out.iter().zip(sets) {
            if addr != 0 {
                for (w, word) in set.iter().enumerate() {
                    mem.write_u64(addr + 8 * w as u64, *word)?;
                }
            }
        }
        if ready == 0 {
            self.wait_timeout(timeout);
        }
        Ok(ready)
    }
}
