//! What is specific to x86_64 Linux: syscall numbers (including the legacy
//! calls asm-generic dropped, served by adaptors over their `*at`
//! counterparts), the layouts of `struct stat` and `struct sigaction`,
//! `arch_prctl`'s codes, `AT_HWCAP` and `uname`'s machine name. Every other
//! struct the kernel encodes (`timespec`, `timeval`, `stack_t`, `rlimit`,
//! `rusage`, `sysinfo`, `dirent64`, `statx`, `utsname`, `iovec`, `pollfd`,
//! `termios`, `flock`) has the same layout as on riscv64, and so do the flag
//! values of [`crate::linux`].

use crate::linux::{get_u64, put, put32, SigAction, Stat};

/// `uname -m` and `AT_PLATFORM`.
pub const MACHINE: &str = "x86_64";

// arch/x86/entry/syscalls/syscall_64.tbl (the 64-bit ABI), for every call
// the kernel serves.
crate::table::numbers! {
    0 => Read,
    1 => Write,
    2 => Open,
    3 => Close,
    4 => Stat,
    5 => Fstat,
    6 => Lstat,
    7 => Poll,
    8 => Lseek,
    9 => Mmap,
    10 => Mprotect,
    11 => Munmap,
    12 => Brk,
    13 => RtSigaction,
    14 => RtSigprocmask,
    16 => Ioctl,
    17 => Pread64,
    18 => Pwrite64,
    19 => Readv,
    20 => Writev,
    21 => Access,
    22 => Pipe,
    23 => Select,
    24 => SchedYield,
    25 => Mremap,
    26 => Msync,
    28 => Madvise,
    32 => Dup,
    33 => Dup2,
    35 => Nanosleep,
    37 => Alarm,
    39 => Getpid,
    40 => Sendfile,
    57 => Fork,
    58 => Vfork,
    60 => Exit,
    62 => Kill,
    63 => Uname,
    72 => Fcntl,
    73 => Flock,
    74 => Fsync,
    75 => Fdatasync,
    76 => Truncate,
    77 => Ftruncate,
    78 => Getdents,
    79 => Getcwd,
    80 => Chdir,
    81 => Fchdir,
    82 => Rename,
    83 => Mkdir,
    84 => Rmdir,
    85 => Creat,
    86 => Link,
    87 => Unlink,
    88 => Symlink,
    89 => Readlink,
    90 => Chmod,
    91 => Fchmod,
    92 => Chown,
    93 => Fchown,
    94 => Lchown,
    95 => Umask,
    96 => Gettimeofday,
    97 => Getrlimit,
    98 => Getrusage,
    99 => Sysinfo,
    102 => Getuid,
    104 => Getgid,
    107 => Geteuid,
    108 => Getegid,
    110 => Getppid,
    111 => Getpgrp,
    115 => Getgroups,
    118 => Getresuid,
    120 => Getresgid,
    121 => Getpgid,
    124 => Getsid,
    127 => RtSigpending,
    131 => Sigaltstack,
    132 => Utime,
    157 => Prctl,
    158 => ArchPrctl,
    160 => Setrlimit,
    162 => Sync,
    186 => Gettid,
    200 => Tkill,
    201 => Time,
    204 => SchedGetaffinity,
    217 => Getdents64,
    218 => SetTidAddress,
    221 => Fadvise64,
    228 => ClockGettime,
    229 => ClockGetres,
    230 => ClockNanosleep,
    231 => ExitGroup,
    234 => Tgkill,
    235 => Utimes,
    257 => Openat,
    258 => Mkdirat,
    260 => Fchownat,
    261 => Futimesat,
    262 => Newfstatat,
    263 => Unlinkat,
    264 => Renameat,
    265 => Linkat,
    266 => Symlinkat,
    267 => Readlinkat,
    268 => Fchmodat,
    269 => Faccessat,
    270 => Pselect6,
    271 => Ppoll,
    273 => SetRobustList,
    280 => Utimensat,
    292 => Dup3,
    293 => Pipe2,
    295 => Preadv,
    296 => Pwritev,
    302 => Prlimit64,
    316 => Renameat2,
    318 => Getrandom,
    332 => Statx,
    334 => Rseq,
    436 => CloseRange,
    439 => Faccessat2,
}

/// Size of x86_64's `struct stat`.
pub const STAT_SIZE: usize = 144;

/// Encodes x86_64's `struct stat`: dev, ino, nlink (64-bit, before mode),
/// mode, uid, gid, padding, rdev, size, blksize and blocks (64-bit), the
/// three timestamps, three reserved words.
pub fn encode_stat(st: &Stat) -> [u8; STAT_SIZE] {
    let mut b = [0u8; STAT_SIZE];
    put(&mut b, 0, st.dev);
    put(&mut b, 8, st.ino);
    put(&mut b, 16, st.nlink as u64);
    put32(&mut b, 24, st.mode);
    put32(&mut b, 28, st.uid);
    put32(&mut b, 32, st.gid);
    put(&mut b, 40, st.rdev);
    put(&mut b, 48, st.size);
    put(&mut b, 56, st.blksize as u64);
    put(&mut b, 64, st.blocks);
    for (off, t) in [(72, st.atime), (88, st.mtime), (104, st.ctime)] {
        put(&mut b, off, t.sec as u64);
        put(&mut b, off + 8, t.nsec as u64);
    }
    b
}

/// `sa_flags` bit saying `sa_restorer` is set (x86_64 signal return goes
/// through it; the kernel keeps it with the disposition).
pub const SA_RESTORER: u64 = 0x0400_0000;

/// Size of x86_64's kernel `struct sigaction`.
pub const SIGACTION_SIZE: usize = 32;

/// Decodes x86_64's `struct sigaction`: handler, flags, restorer, mask.
pub fn decode_sigaction(b: &[u8; SIGACTION_SIZE]) -> SigAction {
    SigAction {
        handler: get_u64(b, 0),
        flags: get_u64(b, 8),
        restorer: get_u64(b, 16),
        mask: get_u64(b, 24),
    }
}

/// Encodes x86_64's `struct sigaction`.
pub fn encode_sigaction(a: &SigAction) -> [u8; SIGACTION_SIZE] {
    let mut b = [0u8; SIGACTION_SIZE];
    put(&mut b, 0, a.handler);
    put(&mut b, 8, a.flags);
    put(&mut b, 16, a.restorer);
    put(&mut b, 24, a.mask);
    b
}

/// `MINSIGSTKSZ` / `AT_MINSIGSTKSZ` (the uapi value; Linux computes the
/// auxv value from the XSAVE size, which our virtual CPU does not need).
pub const MINSIGSTKSZ: u64 = 2048;

/// `arch_prctl` codes.
pub const ARCH_SET_GS: u32 = 0x1001;
pub const ARCH_SET_FS: u32 = 0x1002;
pub const ARCH_GET_FS: u32 = 0x1003;
pub const ARCH_GET_GS: u32 = 0x1004;

/// Highest user address + 1 with 4-level paging (`TASK_SIZE_MAX`): a
/// segment base at or past it is refused with EPERM, as Linux does.
pub const TASK_SIZE_MAX: u64 = (1 << 47) - 4096;

/// `AT_HWCAP`: CPUID leaf 1's EDX of the virtual CPU, as Linux reports it
/// on x86.
pub fn hwcap() -> u64 {
    c2w_isa::x86_64::cpuid::query(1, 0)[3] as u64
}
