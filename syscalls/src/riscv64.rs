//! What is specific to riscv64 Linux: syscall numbers, the layouts of `struct
//! stat` and `struct sigaction`, the hardware capabilities we advertise
//! (`AT_HWCAP`, `riscv_hwprobe`) and `uname`'s machine name.

use crate::linux::{put, put32, put_n, Stat};

/// `uname -m` and `AT_PLATFORM`.
pub const MACHINE: &str = "riscv64";

// asm-generic/unistd.h with __ARCH_WANT_NEW_STAT and __ARCH_WANT_SET_GET_RLIMIT
// (riscv64 has no renameat, only renameat2), plus the riscv ones.
crate::table::numbers! {
    17 => Getcwd,
    23 => Dup,
    24 => Dup3,
    25 => Fcntl,
    29 => Ioctl,
    32 => Flock,
    34 => Mkdirat,
    35 => Unlinkat,
    36 => Symlinkat,
    37 => Linkat,
    45 => Truncate,
    46 => Ftruncate,
    48 => Faccessat,
    49 => Chdir,
    50 => Fchdir,
    52 => Fchmod,
    53 => Fchmodat,
    54 => Fchownat,
    55 => Fchown,
    56 => Openat,
    57 => Close,
    59 => Pipe2,
    61 => Getdents64,
    62 => Lseek,
    63 => Read,
    64 => Write,
    65 => Readv,
    66 => Writev,
    67 => Pread64,
    68 => Pwrite64,
    69 => Preadv,
    70 => Pwritev,
    71 => Sendfile,
    72 => Pselect6,
    73 => Ppoll,
    78 => Readlinkat,
    79 => Newfstatat,
    80 => Fstat,
    81 => Sync,
    82 => Fsync,
    83 => Fdatasync,
    88 => Utimensat,
    93 => Exit,
    94 => ExitGroup,
    96 => SetTidAddress,
    99 => SetRobustList,
    101 => Nanosleep,
    113 => ClockGettime,
    114 => ClockGetres,
    115 => ClockNanosleep,
    123 => SchedGetaffinity,
    124 => SchedYield,
    129 => Kill,
    130 => Tkill,
    131 => Tgkill,
    132 => Sigaltstack,
    134 => RtSigaction,
    135 => RtSigprocmask,
    136 => RtSigpending,
    148 => Getresuid,
    150 => Getresgid,
    155 => Getpgid,
    156 => Getsid,
    158 => Getgroups,
    160 => Uname,
    163 => Getrlimit,
    164 => Setrlimit,
    165 => Getrusage,
    166 => Umask,
    167 => Prctl,
    169 => Gettimeofday,
    172 => Getpid,
    173 => Getppid,
    174 => Getuid,
    175 => Geteuid,
    176 => Getgid,
    177 => Getegid,
    178 => Gettid,
    179 => Sysinfo,
    214 => Brk,
    215 => Munmap,
    216 => Mremap,
    222 => Mmap,
    223 => Fadvise64,
    226 => Mprotect,
    227 => Msync,
    233 => Madvise,
    258 => RiscvHwprobe,
    259 => RiscvFlushIcache,
    261 => Prlimit64,
    276 => Renameat2,
    278 => Getrandom,
    291 => Statx,
    293 => Rseq,
    436 => CloseRange,
    439 => Faccessat2,
}

/// Size of riscv64's `struct stat` (asm-generic).
pub const STAT_SIZE: usize = 128;

/// Encodes asm-generic `struct stat`.
pub fn encode_stat(st: &Stat) -> [u8; STAT_SIZE] {
    let mut b = [0u8; STAT_SIZE];
    put(&mut b, 0, st.dev);
    put(&mut b, 8, st.ino);
    put32(&mut b, 16, st.mode);
    put32(&mut b, 20, st.nlink);
    put32(&mut b, 24, st.uid);
    put32(&mut b, 28, st.gid);
    put(&mut b, 32, st.rdev);
    put(&mut b, 48, st.size);
    put32(&mut b, 56, st.blksize);
    put(&mut b, 64, st.blocks);
    for (off, t) in [(72, st.atime), (88, st.mtime), (104, st.ctime)] {
        put(&mut b, off, t.sec as u64);
        put(&mut b, off + 8, t.nsec as u64);
    }
    b
}

pub use crate::linux::SigAction;

/// Size of riscv64's kernel `struct sigaction` (no `sa_restorer`).
pub const SIGACTION_SIZE: usize = 24;

/// Decodes riscv64's `struct sigaction`: handler, flags, mask.
pub fn decode_sigaction(b: &[u8; SIGACTION_SIZE]) -> SigAction {
    let word = |i: usize| u64::from_le_bytes(b[i * 8..i * 8 + 8].try_into().unwrap());
    SigAction {
        handler: word(0),
        flags: word(1),
        restorer: 0,
        mask: word(2),
    }
}

/// Encodes riscv64's `struct sigaction`.
pub fn encode_sigaction(a: &SigAction) -> [u8; SIGACTION_SIZE] {
    let mut b = [0u8; SIGACTION_SIZE];
    put(&mut b, 0, a.handler);
    put(&mut b, 8, a.flags);
    put(&mut b, 16, a.mask);
    b
}

/// `AT_HWCAP`: one bit per single-letter extension, bit (letter - 'a');
/// we implement RV64IMAFDC.
pub const HWCAP: u64 = {
    let letters = b"imafdc";
    let mut bits = 0u64;
    let mut i = 0;
    while i < letters.len() {
        bits |= 1 << (letters[i] - b'a');
        i += 1;
    }
    bits
};

/// `AT_MINSIGSTKSZ` for riscv64 without the vector extension.
pub const MINSIGSTKSZ: u64 = 2048;

/// Size of one `struct riscv_hwprobe` pair (key, value).
pub const HWPROBE_PAIR_SIZE: usize = 16;

/// `riscv_hwprobe` value for `key`, or `None` for keys we do not report (the
/// kernel then sets the key to -1).
pub fn hwprobe(key: i64) -> Option<u64> {
    const BASE_BEHAVIOR: i64 = 3;
    const BASE_BEHAVIOR_IMA: u64 = 1;
    const IMA_EXT_0: i64 = 4;
    const IMA_FD: u64 = 1 << 0;
    const IMA_C: u64 = 1 << 1;
    const CPUPERF_0: i64 = 5;
    const MISALIGNED_UNKNOWN: u64 = 0;
    match key {
        BASE_BEHAVIOR => Some(BASE_BEHAVIOR_IMA),
        IMA_EXT_0 => Some(IMA_FD | IMA_C),
        CPUPERF_0 => Some(MISALIGNED_UNKNOWN),
        _ => None,
    }
}

/// Encodes one hwprobe pair.
pub fn encode_hwprobe_pair(key: i64, value: u64) -> [u8; HWPROBE_PAIR_SIZE] {
    let mut b = [0u8; HWPROBE_PAIR_SIZE];
    put(&mut b, 0, key as u64);
    put_n(&mut b, 8, 8, value);
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Sys;

    #[test]
    fn numbers_round_trip() {
        for &sys in Sys::ALL {
            if let Some(nr) = number(sys) {
                assert_eq!(super::sys(nr), Some(sys), "{}", sys.name());
            }
        }
        assert_eq!(super::sys(56), Some(Sys::Openat));
        assert_eq!(super::sys(38), None, "riscv64 has no renameat");
    }

    #[test]
    fn hwcap_is_imafdc() {
        assert_eq!(HWCAP, 0x112d);
    }

    #[test]
    fn stat_layout() {
        let st = Stat {
            ino: 5,
            mode: 0o100644,
            size: 1000,
            blksize: 4096,
            ..Stat::default()
        };
        let b = encode_stat(&st);
        assert_eq!(u64::from_le_bytes(b[8..16].try_into().unwrap()), 5);
        assert_eq!(u32::from_le_bytes(b[16..20].try_into().unwrap()), 0o100644);
        assert_eq!(u64::from_le_bytes(b[48..56].try_into().unwrap()), 1000);
        assert_eq!(u32::from_le_bytes(b[56..60].try_into().unwrap()), 4096);
    }
}
