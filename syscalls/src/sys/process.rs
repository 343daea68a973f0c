//! Process-level syscalls: identity, limits, system information, signals,
//! randomness, hardware probing.

use crate::errno::{Errno, SysResult};
use crate::host::{Clock, Host};
use crate::kernel::Kernel;
use crate::layout::GUEST_LIMIT;
use crate::linux::*;
use crate::riscv64;
use crate::{abi, x86_64};
use c2w_isa::Cpu;

/// The guest's pid (and tid, pgid, sid): it is alone, like init.
pub const PID: u64 = 1;
/// Its only thread.
pub const TID: u64 = 1;

/// `uname` fields after sysname/nodename.
const RELEASE: &str = "6.1.0";
const VERSION: &str = "#1 SMP PREEMPT_DYNAMIC";
const NODENAME: &str = "localhost";

/// Size of the process name (`TASK_COMM_LEN`), NUL included.
pub const COMM_LEN: usize = 16;

/// The initial process name: the program's file name, cut to fit.
pub fn comm_of(path: &str) -> [u8; COMM_LEN] {
    let name = path.rsplit('/').next().unwrap_or(path).as_bytes();
    let mut comm = [0u8; COMM_LEN];
    let n = name.len().min(COMM_LEN - 1);
    comm[..n].copy_from_slice(&name[..n]);
    comm
}

/// Size of `struct rusage`.
const RUSAGE_SIZE: u64 = 144;
/// Size of `stack_t`.
const STACK_T_SIZE: u64 = 24;
/// Size of the kernel's sigset_t.
const SIGSET_SIZE: u64 = 8;

/// Accepts pid 0 (self) or the guest's own pid.
pub fn check_pid(pid: i32) -> SysResult<()> {
    if pid == 0 || pid as u64 == PID {
        Ok(())
    } else {
        Err(Errno::ESRCH)
    }
}

/// Signals whose default action is to do nothing.
fn ignored_by_default(sig: u32) -> bool {
    const SIGCHLD: u32 = 17;
    const SIGCONT: u32 = 18;
    const SIGURG: u32 = 23;
    const SIGWINCH: u32 = 28;
    matches!(sig, SIGCHLD | SIGCONT | SIGURG | SIGWINCH)
}

impl<H: Host> Kernel<H> {
    pub(crate) fn sys_uname(&mut self, buf: u64) -> SysResult<u64> {
        let fields = [
            "Linux",
            NODENAME,
            RELEASE,
            VERSION,
            abi::machine(self.arch),
            "(none)",
        ];
        self.mem().write(buf, &encode_utsname(fields))?;
        Ok(0)
    }

    pub(crate) fn sys_getres_ids(&mut self, r: u64, e: u64, s: u64) -> SysResult<u64> {
        let mem = self.mem();
        for addr in [r, e, s] {
            mem.write_u32(addr, 0)?;
        }
        Ok(0)
    }

    pub(crate) fn sys_prlimit64(
        &mut self,
        pid: i32,
        resource: u32,
        new: u64,
        old: u64,
    ) -> SysResult<u64> {
        check_pid(pid)?;
        let slot = self
            .rlimits
            .get(resource as usize)
            .copied()
            .ok_or(Errno::EINVAL)?;
        let mem = self.mem();
        let new_limit = if new != 0 {
            Some(decode_rlimit(&mem.read_array(new)?))
        } else {
            None
        };
        if old != 0 {
            mem.write(old, &encode_rlimit(slot.0, slot.1))?;
        }
        if let Some((cur, max)) = new_limit {
            if cur > max {
                return Err(Errno::EINVAL);
            }
            if resource == RLIMIT_NOFILE {
                self.fds.limit = cur.min(1 << 20);
            }
            self.rlimits[resource as usize] = (cur, max);
        }
        Ok(0)
    }

    pub(crate) fn sys_getrusage(&mut self, who: i32, buf: u64) -> SysResult<u64> {
        if !(-1..=1).contains(&who) {
            return Err(Errno::EINVAL);
        }
        let mem = self.mem();
        mem.zero(buf, RUSAGE_SIZE)?;
        if who != -1 {
            let cpu = self.host.clock_time(Clock::ProcessCpu).unwrap_or(0);
            let user = Timespec::from_nanos(cpu).encode_timeval();
            mem.write(buf, &user)?;
        }
        Ok(0)
    }

    pub(crate) fn sys_sysinfo(&mut self, buf: u64) -> SysResult<u64> {
        let used: u64 = self.mm.vmas().map(|(s, v)| v.end - s).sum();
        let info = SysInfo {
            uptime: self.host.clock_time(Clock::Monotonic).unwrap_or(0) / 1_000_000_000,
            totalram: GUEST_LIMIT,
            freeram: GUEST_LIMIT.saturating_sub(used),
            procs: 1,
        };
        self.mem().write(buf, &encode_sysinfo(&info))?;
        Ok(0)
    }

    /// prctl: the process name, and options that only matter with other
    /// processes around.
    pub(crate) fn sys_prctl(&mut self, option: i32, arg: u64) -> SysResult<u64> {
        const PR_SET_PDEATHSIG: i32 = 1;
        const PR_GET_PDEATHSIG: i32 = 2;
        const PR_GET_DUMPABLE: i32 = 3;
        const PR_SET_DUMPABLE: i32 = 4;
        const PR_SET_NAME: i32 = 15;
        const PR_GET_NAME: i32 = 16;
        const PR_SET_NO_NEW_PRIVS: i32 = 38;
        const PR_GET_NO_NEW_PRIVS: i32 = 39;
        let mem = self.mem();
        match option {
            PR_SET_NAME => {
                let name = match mem.read_cstr(arg, COMM_LEN - 1) {
                    Err(Errno::ENAMETOOLONG) => mem.bytes(arg, COMM_LEN as u64 - 1)?,
                    other => other?,
                };
                let n = name.len().min(COMM_LEN - 1);
                self.comm = [0; COMM_LEN];
                self.comm[..n].copy_from_slice(&name[..n]);
                Ok(0)
            }
            PR_GET_NAME => mem.write(arg, &self.comm).map(|_| 0),
            PR_GET_PDEATHSIG => mem.write_u32(arg, 0).map(|_| 0),
            PR_GET_DUMPABLE => Ok(1),
            PR_SET_PDEATHSIG | PR_SET_DUMPABLE | PR_SET_NO_NEW_PRIVS => Ok(0),
            PR_GET_NO_NEW_PRIVS => Ok(0),
            _ => Err(Errno::EINVAL),
        }
    }

    pub(crate) fn sys_sched_getaffinity(
        &mut self,
        pid: i32,
        size: u64,
        mask: u64,
    ) -> SysResult<u64> {
        check_pid(pid)?;
        if size < 8 || !size.is_multiple_of(8) {
            return Err(Errno::EINVAL);
        }
        self.mem().write_u64(mask, 1)?;
        Ok(8)
    }

    pub(crate) fn sys_set_robust_list(&mut self, head: u64, len: u64) -> SysResult<u64> {
        if len != 24 {
            return Err(Errno::EINVAL);
        }
        self.robust_list = (head, len);
        Ok(0)
    }

    /// kill/tkill/tgkill: signals can only go to the guest itself; without
    /// signal delivery yet, a signal that would terminate it ends the process
    /// with status 128 + signal, others are dropped.
    pub(crate) fn sys_kill(&mut self, pid: i32, sig: u32) -> SysResult<u64> {
        if pid != -1 {
            check_pid(pid)?;
        }
        if sig > NSIG {
            return Err(Errno::EINVAL);
        }
        if sig == 0 {
            return Ok(0);
        }
        let action = self.signals.actions[sig as usize - 1];
        let blocked = self.signals.mask & (1 << (sig - 1)) != 0 && sig != SIGKILL && sig != SIGSTOP;
        if action.handler == SIG_DFL && !ignored_by_default(sig) && !blocked {
            self.exit = Some(128 + sig as i32);
        }
        Ok(0)
    }

    pub(crate) fn sys_rt_sigaction(
        &mut self,
        sig: u32,
        act: u64,
        oldact: u64,
        size: u64,
    ) -> SysResult<u64> {
        if size != SIGSET_SIZE || sig == 0 || sig > NSIG {
            return Err(Errno::EINVAL);
        }
        let mem = self.mem();
        let new = if act != 0 {
            if sig == SIGKILL || sig == SIGSTOP {
                return Err(Errno::EINVAL);
            }
            let size = abi::sigaction_size(self.arch) as u64;
            Some(abi::decode_sigaction(self.arch, mem.bytes(act, size)?))
        } else {
            None
        };
        let arch = self.arch;
        let slot = &mut self.signals.actions[sig as usize - 1];
        if oldact != 0 {
            mem.write(oldact, &abi::encode_sigaction(arch, slot))?;
        }
        if let Some(mut new) = new {
            new.mask &= !((1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1)));
            *slot = new;
        }
        Ok(0)
    }

    pub(crate) fn sys_rt_sigprocmask(
        &mut self,
        how: u32,
        set: u64,
        oldset: u64,
        size: u64,
    ) -> SysResult<u64> {
        if size != SIGSET_SIZE {
            return Err(Errno::EINVAL);
        }
        let mem = self.mem();
        let new = if set != 0 {
            Some(mem.read_u64(set)?)
        } else {
            None
        };
        if oldset != 0 {
            mem.write_u64(oldset, self.signals.mask)?;
        }
        if let Some(set) = new {
            let mask = self.signals.mask;
            self.signals.mask = match how {
                SIG_BLOCK => mask | set,
                SIG_UNBLOCK => mask & !set,
                SIG_SETMASK => set,
                _ => return Err(Errno::EINVAL),
            } & !((1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1)));
        }
        Ok(0)
    }

    pub(crate) fn sys_rt_sigpending(&mut self, set: u64, size: u64) -> SysResult<u64> {
        if size > SIGSET_SIZE {
            return Err(Errno::EINVAL);
        }
        self.mem().zero(set, size)?;
        Ok(0)
    }

    pub(crate) fn sys_sigaltstack(&mut self, ss: u64, old: u64) -> SysResult<u64> {
        let mem = self.mem();
        let new = if ss != 0 {
            let b: [u8; STACK_T_SIZE as usize] = mem.read_array(ss)?;
            Some((
                get_u64(&b, 0),
                u32::from_le_bytes(b[8..12].try_into().unwrap()),
                get_u64(&b, 16),
            ))
        } else {
            None
        };
        if old != 0 {
            let (sp, flags, size) = self.signals.altstack.unwrap_or((0, SS_DISABLE, 0));
            let mut b = [0u8; STACK_T_SIZE as usize];
            put(&mut b, 0, sp);
            put32(&mut b, 8, flags);
            put(&mut b, 16, size);
            mem.write(old, &b)?;
        }
        if let Some((sp, flags, size)) = new {
            const SS_AUTODISARM: u32 = 1 << 31;
            if flags & !(SS_DISABLE | SS_AUTODISARM) != 0 {
                return Err(Errno::EINVAL);
            }
            if flags & SS_DISABLE != 0 {
                self.signals.altstack = None;
            } else if size < abi::minsigstksz(self.arch) {
                return Err(Errno::ENOMEM);
            } else {
                self.signals.altstack = Some((sp, 0, size));
            }
        }
        Ok(0)
    }

    pub(crate) fn sys_getrandom(&mut self, buf: u64, len: u64, flags: u32) -> SysResult<u64> {
        if flags & !(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE) != 0
            || flags & (GRND_RANDOM | GRND_INSECURE) == GRND_RANDOM | GRND_INSECURE
        {
            return Err(Errno::EINVAL);
        }
        let len = len.min(i32::MAX as u64 >> 6);
        let mem = self.mem();
        let out = mem.bytes_mut(buf, len)?;
        self.host.random(out);
        Ok(len)
    }

    pub(crate) fn sys_riscv_hwprobe(
        &mut self,
        pairs: u64,
        count: u64,
        flags: u64,
    ) -> SysResult<u64> {
        if flags != 0 {
            return Err(Errno::EINVAL);
        }
        let size = riscv64::HWPROBE_PAIR_SIZE as u64;
        count
            .checked_mul(size)
            .and_then(|n| pairs.checked_add(n))
            .ok_or(Errno::EFAULT)?;
        let mem = self.mem();
        for i in 0..count {
            let addr = pairs + i * size;
            let key = mem.read_u64(addr)? as i64;
            let pair = match riscv64::hwprobe(key) {
                Some(v) => riscv64::encode_hwprobe_pair(key, v),
                None => riscv64::encode_hwprobe_pair(-1, 0),
            };
            mem.write(addr, &pair)?;
        }
        Ok(0)
    }

    /// arch_prctl (x86_64): the FS and GS segment bases of `cpu`.
    pub(crate) fn sys_arch_prctl(&mut self, code: u32, addr: u64, cpu: &mut Cpu) -> SysResult<u64> {
        match code {
            x86_64::ARCH_SET_FS | x86_64::ARCH_SET_GS => {
                if addr >= x86_64::TASK_SIZE_MAX {
                    return Err(Errno::EPERM);
                }
                if code == x86_64::ARCH_SET_FS {
                    cpu.fs_base = addr;
                } else {
                    cpu.gs_base = addr;
                }
                Ok(0)
            }
            x86_64::ARCH_GET_FS => self.mem().write_u64(addr, cpu.fs_base).map(|_| 0),
            x86_64::ARCH_GET_GS => self.mem().write_u64(addr, cpu.gs_base).map(|_| 0),
            // ARCH_CET_STATUS, ARCH_GET_CPUID, ARCH_SHSTK_*, ...: glibc goes
            // on without them.
            _ => Err(Errno::EINVAL),
        }
    }
}
