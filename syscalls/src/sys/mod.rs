//! Syscall implementations, grouped by area, and the dispatch from [`Sys`].

mod fs;
mod io;
mod memory;
mod poll;
mod process;
mod time;

use crate::errno::{Errno, SysResult};
use crate::host::Host;
use crate::kernel::Kernel;
use crate::linux::{AT_FDCWD, AT_REMOVEDIR, AT_SYMLINK_NOFOLLOW, O_CREAT, O_TRUNC, O_WRONLY};
use crate::table::Sys;
use c2w_isa::Cpu;

pub(crate) use process::{comm_of, COMM_LEN};

/// Argument as a C `int`.
fn int(a: u64) -> i32 {
    a as i32
}

/// Argument as a C `unsigned int` (flags, modes).
fn uint(a: u64) -> u32 {
    a as u32
}

impl<H: Host> Kernel<H> {
    /// Runs one syscall for `cpu` (only `arch_prctl` uses it).
    pub(crate) fn dispatch(&mut self, sys: Sys, a: [u64; 6], cpu: &mut Cpu) -> SysResult<u64> {
        use Sys::*;
        match sys {
            Getcwd => self.sys_getcwd(a[0], a[1]),
            Dup => self.sys_dup(int(a[0])),
            Dup3 => self.sys_dup3(int(a[0]), int(a[1]), uint(a[2])),
            Fcntl => self.sys_fcntl(int(a[0]), uint(a[1]), a[2]),
            Ioctl => self.sys_ioctl(int(a[0]), uint(a[1]), a[2]),
            Flock => self.file(a[0]).map(|_| 0),
            Mkdirat => self.sys_mkdirat(int(a[0]), a[1], uint(a[2])),
            Unlinkat => self.sys_unlinkat(int(a[0]), a[1], uint(a[2])),
            Symlinkat => self.sys_symlinkat(a[0], int(a[1]), a[2]),
            Linkat => self.sys_linkat(int(a[0]), a[1], int(a[2]), a[3], uint(a[4])),
            Renameat => self.sys_renameat2(int(a[0]), a[1], int(a[2]), a[3], 0),
            Renameat2 => self.sys_renameat2(int(a[0]), a[1], int(a[2]), a[3], uint(a[4])),
            Truncate => self.sys_truncate(a[0], a[1] as i64),
            Ftruncate => self.sys_ftruncate(int(a[0]), a[1] as i64),
            Faccessat => self.sys_faccessat(int(a[0]), a[1], uint(a[2]), 0),
            Faccessat2 => self.sys_faccessat(int(a[0]), a[1], uint(a[2]), uint(a[3])),
            Chdir => self.sys_chdir(a[0]),
            Fchdir => self.sys_fchdir(int(a[0])),
            Fchmod => self.sys_fchmod(int(a[0]), uint(a[1])),
            Fchmodat => self.sys_fchmodat(int(a[0]), a[1], uint(a[2])),
            Fchownat => self.sys_fchownat(int(a[0]), a[1], uint(a[2]), uint(a[3]), uint(a[4])),
            Fchown => self.sys_fchown(int(a[0]), uint(a[1]), uint(a[2])),
            Openat => self.sys_openat(int(a[0]), a[1], uint(a[2]), uint(a[3])),
            Close => self.sys_close(int(a[0])),
            CloseRange => self.sys_close_range(uint(a[0]), uint(a[1]), uint(a[2])),
            Pipe2 => self.sys_pipe2(a[0], uint(a[1])),
            Getdents64 => self.sys_getdents64(int(a[0]), a[1], a[2]),
            Lseek => self.sys_lseek(int(a[0]), a[1] as i64, uint(a[2])),
            Read => self.sys_read(int(a[0]), a[1], a[2], None),
            Write => self.sys_write(int(a[0]), a[1], a[2], None),
            Readv => self.sys_readv(int(a[0]), a[1], a[2], None),
            Writev => self.sys_writev(int(a[0]), a[1], a[2], None),
            Pread64 => self.sys_read(int(a[0]), a[1], a[2], Some(a[3] as i64)),
            Pwrite64 => self.sys_write(int(a[0]), a[1], a[2], Some(a[3] as i64)),
            Preadv => self.sys_readv(int(a[0]), a[1], a[2], Some(a[3] as i64)),
            Pwritev => self.sys_writev(int(a[0]), a[1], a[2], Some(a[3] as i64)),
            Sendfile => self.sys_sendfile(int(a[0]), int(a[1]), a[2], a[3]),
            Pselect6 => self.sys_pselect6(int(a[0]), [a[1], a[2], a[3]], a[4]),
            Ppoll => self.sys_ppoll(a[0], a[1], a[2]),
            Readlinkat => self.sys_readlinkat(int(a[0]), a[1], a[2], a[3] as i64),
            Newfstatat => self.sys_newfstatat(int(a[0]), a[1], a[2], uint(a[3])),
            Fstat => self.sys_fstat(int(a[0]), a[1]),
            Statx => self.sys_statx(int(a[0]), a[1], uint(a[2]), a[4]),
            Sync => Ok(0),
            Fsync | Fdatasync => self.file(a[0]).map(|_| 0),
            Utimensat => self.sys_utimensat(int(a[0]), a[1], a[2], uint(a[3])),
            Exit | ExitGroup => {
                self.exit = Some(int(a[0]) & 0xff);
                Ok(0)
            }
            SetTidAddress => {
                self.tid_address = a[0];
                Ok(process::TID)
            }
            SetRobustList => self.sys_set_robust_list(a[0], a[1]),
            Nanosleep => self.sys_nanosleep(a[0]),
            ClockGettime => self.sys_clock_gettime(int(a[0]), a[1]),
            ClockGetres => self.sys_clock_getres(int(a[0]), a[1]),
            ClockNanosleep => self.sys_clock_nanosleep(int(a[0]), uint(a[1]), a[2]),
            SchedGetaffinity => self.sys_sched_getaffinity(int(a[0]), a[1], a[2]),
            SchedYield => Ok(0),
            Kill => self.sys_kill(int(a[0]), uint(a[1])),
            Tkill => self.sys_kill(int(a[0]), uint(a[1])),
            Tgkill => self.sys_kill(int(a[1]), uint(a[2])),
            Sigaltstack => self.sys_sigaltstack(a[0], a[1]),
            RtSigaction => self.sys_rt_sigaction(uint(a[0]), a[1], a[2], a[3]),
            RtSigprocmask => self.sys_rt_sigprocmask(uint(a[0]), a[1], a[2], a[3]),
            RtSigpending => self.sys_rt_sigpending(a[0], a[1]),
            Getresuid | Getresgid => self.sys_getres_ids(a[0], a[1], a[2]),
            Getpgid | Getsid => process::check_pid(int(a[0])).map(|_| process::PID),
            Getgroups => Ok(0),
            Uname => self.sys_uname(a[0]),
            Getrlimit => self.sys_prlimit64(0, uint(a[0]), 0, a[1]),
            Setrlimit => self.sys_prlimit64(0, uint(a[0]), a[1], 0),
            Prlimit64 => self.sys_prlimit64(int(a[0]), uint(a[1]), a[2], a[3]),
            Getrusage => self.sys_getrusage(int(a[0]), a[1]),
            Prctl => self.sys_prctl(int(a[0]), a[1]),
            Umask => Ok(std::mem::replace(&mut self.umask, uint(a[0]) & 0o777) as u64),
            Gettimeofday => self.sys_gettimeofday(a[0], a[1]),
            Getpid | Gettid => Ok(process::PID),
            Getppid => Ok(0),
            Getuid | Geteuid | Getgid | Getegid => Ok(0),
            Sysinfo => self.sys_sysinfo(a[0]),
            Brk => Ok(self.mm.brk(&mut self.host, a[0])),
            Munmap => self.sys_munmap(a[0], a[1]),
            Mremap => self.sys_mremap(a[0], a[1], a[2], uint(a[3]), a[4]),
            Mmap => self.sys_mmap(a[0], a[1], uint(a[2]), uint(a[3]), int(a[4]), a[5]),
            Fadvise64 => self.sys_fadvise(int(a[0])),
            Mprotect => self.sys_mprotect(a[0], a[1], uint(a[2])),
            Msync => self.sys_msync(a[0], a[1]),
            Madvise => self.sys_madvise(a[0], a[1], uint(a[2])),
            Getrandom => self.sys_getrandom(a[0], a[1], uint(a[2])),
            Rseq => Err(Errno::ENOSYS),
            RiscvHwprobe => self.sys_riscv_hwprobe(a[0], a[1], a[4]),
            RiscvFlushIcache => {
                // (start, end, flags); flags only narrow which harts see it.
                self.mm.set_code_changed(a[0], a[1].max(a[0]));
                Ok(0)
            }
            // The legacy calls, over their `*at` counterparts.
            Open => self.sys_openat(AT_FDCWD, a[0], uint(a[1]), uint(a[2])),
            Creat => self.sys_openat(AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC, uint(a[1])),
            Stat => self.sys_newfstatat(AT_FDCWD, a[0], a[1], 0),
            Lstat => self.sys_newfstatat(AT_FDCWD, a[0], a[1], AT_SYMLINK_NOFOLLOW),
            Access => self.sys_faccessat(AT_FDCWD, a[0], uint(a[1]), 0),
            Pipe => self.sys_pipe2(a[0], 0),
            Dup2 => self.sys_dup2(int(a[0]), int(a[1])),
            Poll => self.sys_poll(a[0], a[1], int(a[2])),
            Select => self.sys_select(int(a[0]), [a[1], a[2], a[3]], a[4]),
            Readlink => self.sys_readlinkat(AT_FDCWD, a[0], a[1], int(a[2]) as i64),
            Unlink => self.sys_unlinkat(AT_FDCWD, a[0], 0),
            Rmdir => self.sys_unlinkat(AT_FDCWD, a[0], AT_REMOVEDIR),
            Mkdir => self.sys_mkdirat(AT_FDCWD, a[0], uint(a[1])),
            Rename => self.sys_renameat2(AT_FDCWD, a[0], AT_FDCWD, a[1], 0),
            Link => self.sys_linkat(AT_FDCWD, a[0], AT_FDCWD, a[1], 0),
            Symlink => self.sys_symlinkat(a[0], AT_FDCWD, a[1]),
            Chmod => self.sys_fchmodat(AT_FDCWD, a[0], uint(a[1])),
            Chown => self.sys_fchownat(AT_FDCWD, a[0], uint(a[1]), uint(a[2]), 0),
            Lchown => {
                self.sys_fchownat(AT_FDCWD, a[0], uint(a[1]), uint(a[2]), AT_SYMLINK_NOFOLLOW)
            }
            Getdents => self.sys_getdents(int(a[0]), a[1], a[2]),
            Time => self.sys_time(a[0]),
            Utime => self.sys_utimes(AT_FDCWD, a[0], a[1], false),
            Utimes => self.sys_utimes(AT_FDCWD, a[0], a[1], true),
            Futimesat => self.sys_utimes(int(a[0]), a[1], a[2], true),
            Getpgrp => Ok(process::PID),
            // No timers or other processes yet.
            Alarm | Fork | Vfork => Err(Errno::ENOSYS),
            ArchPrctl => self.sys_arch_prctl(uint(a[0]), a[1], cpu),
        }
    }
}
