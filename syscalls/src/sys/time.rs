//! Clocks and sleeping.

use crate::errno::{Errno, SysResult};
use crate::host::{Clock, Host};
use crate::kernel::Kernel;
use crate::linux::*;

/// The host clock behind a Linux clock id.
fn clock_of(id: i32) -> SysResult<Clock> {
    match id {
        CLOCK_REALTIME | CLOCK_REALTIME_COARSE | CLOCK_REALTIME_ALARM | CLOCK_TAI => {
            Ok(Clock::Realtime)
        }
        CLOCK_MONOTONIC
        | CLOCK_MONOTONIC_RAW
        | CLOCK_MONOTONIC_COARSE
        | CLOCK_BOOTTIME
        | CLOCK_BOOTTIME_ALARM => Ok(Clock::Monotonic),
        CLOCK_PROCESS_CPUTIME_ID => Ok(Clock::ProcessCpu),
        CLOCK_THREAD_CPUTIME_ID => Ok(Clock::ThreadCpu),
        _ => Err(Errno::EINVAL),
    }
}

/// Reads a `struct timespec` duration, validating it.
fn read_duration(ts: Timespec) -> SysResult<u64> {
    if ts.sec < 0 || !(0..1_000_000_000).contains(&ts.nsec) {
        return Err(Errno::EINVAL);
    }
    Ok(ts.to_nanos())
}

impl<H: Host> Kernel<H> {
    /// Current time of `clock`; CPU clocks fall back to the monotonic clock
    /// on hosts without them.
    fn clock_now(&mut self, clock: Clock) -> SysResult<u64> {
        match self.host.clock_time(clock) {
            Err(_) if matches!(clock, Clock::ProcessCpu | Clock::ThreadCpu) => {
                self.host.clock_time(Clock::Monotonic)
            }
            r => r,
        }
    }

    pub(crate) fn sys_clock_gettime(&mut self, id: i32, tp: u64) -> SysResult<u64> {
        let ns = self.clock_now(clock_of(id)?)?;
        self.mem().write(tp, &Timespec::from_nanos(ns).encode())?;
        Ok(0)
    }

    pub(crate) fn sys_clock_getres(&mut self, id: i32, res: u64) -> SysResult<u64> {
        let clock = clock_of(id)?;
        if res != 0 {
            let ns = self
                .host
                .clock_res(clock)
                .or_else(|_| self.host.clock_res(Clock::Monotonic))?;
            self.mem().write(res, &Timespec::from_nanos(ns).encode())?;
        }
        Ok(0)
    }

    pub(crate) fn sys_gettimeofday(&mut self, tv: u64, tz: u64) -> SysResult<u64> {
        let mem = self.mem();
        if tv != 0 {
            let ns = self.host.clock_time(Clock::Realtime)?;
            mem.write(tv, &Timespec::from_nanos(ns).encode_timeval())?;
        }
        if tz != 0 {
            mem.write(tz, &[0u8; 8])?;
        }
        Ok(0)
    }

    /// time: the seconds of CLOCK_REALTIME, also stored at `tloc` unless
    /// it is NULL.
    pub(crate) fn sys_time(&mut self, tloc: u64) -> SysResult<u64> {
        let sec = self.host.clock_time(Clock::Realtime)? / 1_000_000_000;
        if tloc != 0 {
            self.mem().write_u64(tloc, sec)?;
        }
        Ok(sec)
    }

    pub(crate) fn sys_nanosleep(&mut self, req: u64) -> SysResult<u64> {
        let ns = read_duration(Timespec::decode(&self.mem().read_array(req)?))?;
        self.sleep_monotonic(ns)?;
        Ok(0)
    }

    pub(crate) fn sys_clock_nanosleep(&mut self, id: i32, flags: u32, req: u64) -> SysResult<u64> {
        let clock = clock_of(id)?;
        if clock == Clock::ThreadCpu {
            return Err(Errno::EINVAL);
        }
        let ns = read_duration(Timespec::decode(&self.mem().read_array(req)?))?;
        let wait = if flags & TIMER_ABSTIME != 0 {
            ns.saturating_sub(self.clock_now(clock)?)
        } else {
            ns
        };
        self.sleep_monotonic(wait)?;
        Ok(0)
    }

    /// Sleeps until CLOCK_MONOTONIC has advanced by `ns`, as Linux
    /// guarantees; some hosts wake a little early.
    fn sleep_monotonic(&mut self, ns: u64) -> SysResult<()> {
        if ns == 0 {
            return Ok(());
        }
        let deadline = self.host.clock_time(Clock::Monotonic)?.saturating_add(ns);
        loop {
            let now = self.host.clock_time(Clock::Monotonic)?;
            if now >= deadline {
                return Ok(());
            }
            self.host.sleep(deadline - now);
        }
    }
}
