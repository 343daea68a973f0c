//! The syscalls the kernel knows, independent of any ISA's numbering: their
//! names and how strace shows their arguments and results. Each ISA maps its
//! numbers onto [`Sys`] (see [`crate::riscv64`]).

use crate::strace::{Arg, Arg::*, Ret};

macro_rules! syscalls {
    ($($variant:ident $name:literal ($($arg:expr),*) $ret:ident;)*) => {
        /// A syscall, independent of its number on a given ISA.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Sys { $($variant,)* }

        impl Sys {
            /// Every syscall, in table order.
            pub const ALL: &'static [Sys] = &[$(Sys::$variant,)*];

            /// The name strace uses, e.g. `"openat"`.
            pub fn name(self) -> &'static str {
                match self { $(Sys::$variant => $name,)* }
            }

            /// How strace formats each argument.
            pub fn args(self) -> &'static [Arg] {
                match self { $(Sys::$variant => &[$($arg),*],)* }
            }

            /// How strace formats the result.
            pub fn ret(self) -> Ret {
                match self { $(Sys::$variant => Ret::$ret,)* }
            }
        }
    };
}

syscalls! {
    Getcwd "getcwd" (OutStr, UInt) Int;
    Dup "dup" (Fd) Int;
    Dup3 "dup3" (Fd, Fd, OpenFlags) Int;
    Fcntl "fcntl" (Fd, FcntlCmd, Hex) Int;
    Ioctl "ioctl" (Fd, IoctlReq, Hex) Int;
    Flock "flock" (Fd, Int) Int;
    Mkdirat "mkdirat" (Dirfd, Path, Oct) Int;
    Unlinkat "unlinkat" (Dirfd, Path, AtFlags) Int;
    Symlinkat "symlinkat" (Path, Dirfd, Path) Int;
    Linkat "linkat" (Dirfd, Path, Dirfd, Path, AtFlags) Int;
    Renameat "renameat" (Dirfd, Path, Dirfd, Path) Int;
    Renameat2 "renameat2" (Dirfd, Path, Dirfd, Path, Hex) Int;
    Truncate "truncate" (Path, Int) Int;
    Ftruncate "ftruncate" (Fd, Int) Int;
    Faccessat "faccessat" (Dirfd, Path, AccessMode) Int;
    Faccessat2 "faccessat2" (Dirfd, Path, AccessMode, AtFlags) Int;
    Chdir "chdir" (Path) Int;
    Fchdir "fchdir" (Fd) Int;
    Fchmod "fchmod" (Fd, Oct) Int;
    Fchmodat "fchmodat" (Dirfd, Path, Oct) Int;
    Fchownat "fchownat" (Dirfd, Path, Int, Int, AtFlags) Int;
    Fchown "fchown" (Fd, Int, Int) Int;
    Openat "openat" (Dirfd, Path, OpenFlags, OpenMode(2)) Int;
    Close "close" (Fd) Int;
    CloseRange "close_range" (Fd, Fd, Hex) Int;
    Pipe2 "pipe2" (Hex, OpenFlags) Int;
    Getdents64 "getdents64" (Fd, Hex, UInt) Int;
    Lseek "lseek" (Fd, Int, Whence) Int;
    Read "read" (Fd, OutBuf, UInt) Int;
    Write "write" (Fd, InBuf(2), UInt) Int;
    Readv "readv" (Fd, Hex, Int) Int;
    Writev "writev" (Fd, Hex, Int) Int;
    Pread64 "pread64" (Fd, OutBuf, UInt, Int) Int;
    Pwrite64 "pwrite64" (Fd, InBuf(2), UInt, Int) Int;
    Preadv "preadv" (Fd, Hex, Int, Int) Int;
    Pwritev "pwritev" (Fd, Hex, Int, Int) Int;
    Sendfile "sendfile" (Fd, Fd, Hex, UInt) Int;
    Pselect6 "pselect6" (Int, Hex, Hex, Hex, Hex, Hex) Int;
    Ppoll "ppoll" (Hex, UInt, Hex, Hex, UInt) Int;
    Readlinkat "readlinkat" (Dirfd, Path, OutBuf, UInt) Int;
    Newfstatat "newfstatat" (Dirfd, Path, Hex, AtFlags) Int;
    Fstat "fstat" (Fd, Hex) Int;
    Statx "statx" (Dirfd, Path, AtFlags, Hex, Hex) Int;
    Sync "sync" () Int;
    Fsync "fsync" (Fd) Int;
    Fdatasync "fdatasync" (Fd) Int;
    Utimensat "utimensat" (Dirfd, Path, Hex, AtFlags) Int;
    Exit "exit" (Int) Never;
    ExitGroup "exit_group" (Int) Never;
    SetTidAddress "set_tid_address" (Hex) Int;
    SetRobustList "set_robust_list" (Hex, UInt) Int;
    Nanosleep "nanosleep" (Hex, Hex) Int;
    ClockGettime "clock_gettime" (Clock, Hex) Int;
    ClockGetres "clock_getres" (Clock, Hex) Int;
    ClockNanosleep "clock_nanosleep" (Clock, Int, Hex, Hex) Int;
    SchedGetaffinity "sched_getaffinity" (Int, UInt, Hex) Int;
    SchedYield "sched_yield" () Int;
    Kill "kill" (Int, Signal) Int;
    Tkill "tkill" (Int, Signal) Int;
    Tgkill "tgkill" (Int, Int, Signal) Int;
    Sigaltstack "sigaltstack" (Hex, Hex) Int;
    RtSigaction "rt_sigaction" (Signal, Hex, Hex, UInt) Int;
    RtSigprocmask "rt_sigprocmask" (SigHow, Hex, Hex, UInt) Int;
    RtSigpending "rt_sigpending" (Hex, UInt) Int;
    Getresuid "getresuid" (Hex, Hex, Hex) Int;
    Getresgid "getresgid" (Hex, Hex, Hex) Int;
    Getpgid "getpgid" (Int) Int;
    Getsid "getsid" (Int) Int;
    Getgroups "getgroups" (Int, Hex) Int;
    Uname "uname" (Hex) Int;
    Getrlimit "getrlimit" (Resource, Hex) Int;
    Setrlimit "setrlimit" (Resource, Hex) Int;
    Getrusage "getrusage" (Int, Hex) Int;
    Umask "umask" (Oct) Oct;
    Prctl "prctl" (Int, Hex, Hex, Hex, Hex) Int;
    Gettimeofday "gettimeofday" (Hex, Hex) Int;
    Getpid "getpid" () Int;
    Getppid "getppid" () Int;
    Getuid "getuid" () Int;
    Geteuid "geteuid" () Int;
    Getgid "getgid" () Int;
    Getegid "getegid" () Int;
    Gettid "gettid" () Int;
    Sysinfo "sysinfo" (Hex) Int;
    Brk "brk" (Hex) Hex;
    Munmap "munmap" (Hex, UInt) Int;
    Mremap "mremap" (Hex, UInt, UInt, Hex, Hex) Hex;
    Mmap "mmap" (Hex, UInt, Prot, MapFlags, Fd, Hex) Hex;
    Fadvise64 "fadvise64" (Fd, Int, Int, Int) Int;
    Mprotect "mprotect" (Hex, UInt, Prot) Int;
    Msync "msync" (Hex, UInt, Int) Int;
    Madvise "madvise" (Hex, UInt, Int) Int;
    Prlimit64 "prlimit64" (Int, Resource, Hex, Hex) Int;
    Getrandom "getrandom" (Hex, UInt, Hex) Int;
    Rseq "rseq" (Hex, UInt, Int, Hex) Int;
    RiscvHwprobe "riscv_hwprobe" (Hex, UInt, UInt, Hex, Hex) Int;
    RiscvFlushIcache "riscv_flush_icache" (Hex, Hex, Hex) Int;
    // The legacy calls of x86_64 (and other pre-asm-generic ISAs): each is an
    // adaptor over its `*at` (or newer) counterpart.
    Open "open" (Path, OpenFlags, OpenMode(1)) Int;
    Creat "creat" (Path, Oct) Int;
    Stat "stat" (Path, Hex) Int;
    Lstat "lstat" (Path, Hex) Int;
    Access "access" (Path, AccessMode) Int;
    Pipe "pipe" (Hex) Int;
    Dup2 "dup2" (Fd, Fd) Int;
    Poll "poll" (Hex, UInt, Int) Int;
    Select "select" (Int, Hex, Hex, Hex, Hex) Int;
    Readlink "readlink" (Path, OutBuf, UInt) Int;
    Unlink "unlink" (Path) Int;
    Rmdir "rmdir" (Path) Int;
    Mkdir "mkdir" (Path, Oct) Int;
    Rename "rename" (Path, Path) Int;
    Link "link" (Path, Path) Int;
    Symlink "symlink" (Path, Path) Int;
    Chmod "chmod" (Path, Oct) Int;
    Chown "chown" (Path, Int, Int) Int;
    Lchown "lchown" (Path, Int, Int) Int;
    Getdents "getdents" (Fd, Hex, UInt) Int;
    Time "time" (Hex) Int;
    Utime "utime" (Path, Hex) Int;
    Utimes "utimes" (Path, Hex) Int;
    Futimesat "futimesat" (Dirfd, Path, Hex) Int;
    Getpgrp "getpgrp" () Int;
    Alarm "alarm" (UInt) Int;
    Fork "fork" () Int;
    Vfork "vfork" () Int;
    ArchPrctl "arch_prctl" (ArchPrctlCode, Hex) Int;
}

/// Defines an ISA's numbering: `sys(nr)` and `number(sys)` from a list of
/// `nr => Variant` pairs.
macro_rules! numbers {
    ($($nr:literal => $sys:ident,)*) => {
        /// The syscall with this ISA's number `nr`, if the kernel knows it.
        pub fn sys(nr: u64) -> Option<$crate::table::Sys> {
            match nr {
                $($nr => Some($crate::table::Sys::$sys),)*
                _ => None,
            }
        }

        /// This ISA's number of `sys`, if the ISA has it.
        pub fn number(sys: $crate::table::Sys) -> Option<u64> {
            match sys {
                $($crate::table::Sys::$sys => Some($nr),)*
                #[allow(unreachable_patterns)]
                _ => None,
            }
        }
    };
}
pub(crate) use numbers;
