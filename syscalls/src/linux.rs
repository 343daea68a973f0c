//! The parts of the Linux ABI shared by the 64-bit ISAs we run (riscv64's
//! asm-generic and x86_64 agree on all of these): flag values, and the
//! layouts of the structs that are the same on both (`timespec`, `iovec`,
//! `dirent64` and the legacy `dirent`, `statx`, `utsname`, `sysinfo`,
//! `rlimit`, `sigaction`'s fields). The kernel works with these values
//! internally; what differs per ISA (numbers, `struct stat`, `struct
//! sigaction`'s layout) is in [`crate::riscv64`] and [`crate::x86_64`],
//! chosen through [`crate::abi`].

#![allow(missing_docs)]

/// `openat` dirfd meaning "relative to the working directory".
pub const AT_FDCWD: i32 = -100;
pub const AT_SYMLINK_NOFOLLOW: u32 = 0x100;
pub const AT_REMOVEDIR: u32 = 0x200;
pub const AT_EACCESS: u32 = 0x200;
pub const AT_SYMLINK_FOLLOW: u32 = 0x400;
pub const AT_NO_AUTOMOUNT: u32 = 0x800;
pub const AT_EMPTY_PATH: u32 = 0x1000;
pub const AT_STATX_SYNC_TYPE: u32 = 0x6000;

pub const O_ACCMODE: u32 = 0o3;
pub const O_RDONLY: u32 = 0o0;
pub const O_WRONLY: u32 = 0o1;
pub const O_RDWR: u32 = 0o2;
pub const O_CREAT: u32 = 0o100;
pub const O_EXCL: u32 = 0o200;
pub const O_NOCTTY: u32 = 0o400;
pub const O_TRUNC: u32 = 0o1000;
pub const O_APPEND: u32 = 0o2000;
pub const O_NONBLOCK: u32 = 0o4000;
pub const O_DSYNC: u32 = 0o10000;
pub const O_ASYNC: u32 = 0o20000;
pub const O_DIRECT: u32 = 0o40000;
pub const O_LARGEFILE: u32 = 0o100000;
pub const O_DIRECTORY: u32 = 0o200000;
pub const O_NOFOLLOW: u32 = 0o400000;
pub const O_NOATIME: u32 = 0o1000000;
pub const O_CLOEXEC: u32 = 0o2000000;
pub const O_SYNC: u32 = 0o4010000;
pub const O_PATH: u32 = 0o10000000;
pub const O_TMPFILE: u32 = 0o20200000;

pub const F_OK: u32 = 0;
pub const X_OK: u32 = 1;
pub const W_OK: u32 = 2;
pub const R_OK: u32 = 4;

pub const S_IFMT: u32 = 0o170000;
pub const S_IFSOCK: u32 = 0o140000;
pub const S_IFLNK: u32 = 0o120000;
pub const S_IFREG: u32 = 0o100000;
pub const S_IFBLK: u32 = 0o060000;
pub const S_IFDIR: u32 = 0o040000;
pub const S_IFCHR: u32 = 0o020000;
pub const S_IFIFO: u32 = 0o010000;

pub const DT_UNKNOWN: u8 = 0;
pub const DT_FIFO: u8 = 1;
pub const DT_CHR: u8 = 2;
pub const DT_DIR: u8 = 4;
pub const DT_BLK: u8 = 6;
pub const DT_REG: u8 = 8;
pub const DT_LNK: u8 = 10;
pub const DT_SOCK: u8 = 12;

pub const SEEK_SET: u32 = 0;
pub const SEEK_CUR: u32 = 1;
pub const SEEK_END: u32 = 2;
pub const SEEK_DATA: u32 = 3;
pub const SEEK_HOLE: u32 = 4;

pub const F_DUPFD: u32 = 0;
pub const F_GETFD: u32 = 1;
pub const F_SETFD: u32 = 2;
pub const F_GETFL: u32 = 3;
pub const F_SETFL: u32 = 4;
pub const F_GETLK: u32 = 5;
pub const F_SETLK: u32 = 6;
pub const F_SETLKW: u32 = 7;
pub const F_OFD_GETLK: u32 = 36;
pub const F_OFD_SETLK: u32 = 37;
pub const F_OFD_SETLKW: u32 = 38;
pub const F_DUPFD_CLOEXEC: u32 = 1030;
pub const F_GETPIPE_SZ: u32 = 1032;
pub const FD_CLOEXEC: u64 = 1;
pub const F_UNLCK: u16 = 2;

pub const RENAME_NOREPLACE: u32 = 1;
pub const RENAME_EXCHANGE: u32 = 2;
pub const RENAME_WHITEOUT: u32 = 4;

pub const UTIME_NOW: u64 = (1 << 30) - 1;
pub const UTIME_OMIT: u64 = (1 << 30) - 2;

pub const PROT_READ: u32 = 1;
pub const PROT_WRITE: u32 = 2;
pub const PROT_EXEC: u32 = 4;
pub const MAP_SHARED: u32 = 0x01;
pub const MAP_PRIVATE: u32 = 0x02;
pub const MAP_SHARED_VALIDATE: u32 = 0x03;
pub const MAP_TYPE: u32 = 0x0f;
pub const MAP_FIXED: u32 = 0x10;
pub const MAP_ANONYMOUS: u32 = 0x20;
pub const MAP_GROWSDOWN: u32 = 0x100;
pub const MAP_DENYWRITE: u32 = 0x800;
pub const MAP_EXECUTABLE: u32 = 0x1000;
pub const MAP_LOCKED: u32 = 0x2000;
pub const MAP_NORESERVE: u32 = 0x4000;
pub const MAP_POPULATE: u32 = 0x8000;
pub const MAP_NONBLOCK: u32 = 0x10000;
pub const MAP_STACK: u32 = 0x20000;
pub const MAP_HUGETLB: u32 = 0x40000;
pub const MAP_FIXED_NOREPLACE: u32 = 0x100000;
pub const MREMAP_MAYMOVE: u32 = 1;
pub const MREMAP_FIXED: u32 = 2;
pub const MREMAP_DONTUNMAP: u32 = 4;
pub const MADV_DONTNEED: u32 = 4;

pub const CLOCK_REALTIME: i32 = 0;
pub const CLOCK_MONOTONIC: i32 = 1;
pub const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;
pub const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
pub const CLOCK_MONOTONIC_RAW: i32 = 4;
pub const CLOCK_REALTIME_COARSE: i32 = 5;
pub const CLOCK_MONOTONIC_COARSE: i32 = 6;
pub const CLOCK_BOOTTIME: i32 = 7;
pub const CLOCK_REALTIME_ALARM: i32 = 8;
pub const CLOCK_BOOTTIME_ALARM: i32 = 9;
pub const CLOCK_TAI: i32 = 11;
pub const TIMER_ABSTIME: u32 = 1;

pub const GRND_NONBLOCK: u32 = 1;
pub const GRND_RANDOM: u32 = 2;
pub const GRND_INSECURE: u32 = 4;

pub const SIG_BLOCK: u32 = 0;
pub const SIG_UNBLOCK: u32 = 1;
pub const SIG_SETMASK: u32 = 2;
pub const SIG_DFL: u64 = 0;
pub const SIG_IGN: u64 = 1;
pub const SIGKILL: u32 = 9;
pub const SIGSTOP: u32 = 19;
/// Signals are 1..=NSIG.
pub const NSIG: u32 = 64;
pub const SS_DISABLE: u32 = 2;

pub const TCGETS: u32 = 0x5401;
pub const TCSETS: u32 = 0x5402;
pub const TCSETSW: u32 = 0x5403;
pub const TCSETSF: u32 = 0x5404;
pub const TIOCGPGRP: u32 = 0x540f;
pub const TIOCSPGRP: u32 = 0x5410;
pub const TIOCGWINSZ: u32 = 0x5413;
pub const TIOCSWINSZ: u32 = 0x5414;
pub const FIONREAD: u32 = 0x541b;
pub const FIONBIO: u32 = 0x5421;
pub const FIONCLEX: u32 = 0x5450;
pub const FIOCLEX: u32 = 0x5451;

pub const RLIMIT_STACK: u32 = 3;
pub const RLIMIT_NOFILE: u32 = 7;
pub const RLIM_NLIMITS: u32 = 16;
pub const RLIM_INFINITY: u64 = u64::MAX;

pub const STATX_BASIC_STATS: u32 = 0x7ff;
pub const STATX_BTIME: u32 = 0x800;

/// `struct timespec` / an instant: seconds and nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timespec {
    pub sec: i64,
    pub nsec: i64,
}

impl Timespec {
    /// From nanoseconds since the epoch (or any origin).
    pub fn from_nanos(ns: u64) -> Self {
        Timespec {
            sec: (ns / 1_000_000_000) as i64,
            nsec: (ns % 1_000_000_000) as i64,
        }
    }

    /// Nanoseconds, saturating at 0 for negative times.
    pub fn to_nanos(self) -> u64 {
        if self.sec < 0 {
            return 0;
        }
        (self.sec as u64)
            .saturating_mul(1_000_000_000)
            .saturating_add(self.nsec as u64)
    }

    /// Decodes a guest `struct timespec` (16 bytes).
    pub fn decode(b: &[u8; 16]) -> Self {
        Timespec {
            sec: get_i64(b, 0),
            nsec: get_i64(b, 8),
        }
    }

    /// Encodes a guest `struct timespec` (16 bytes).
    pub fn encode(self) -> [u8; 16] {
        let mut b = [0; 16];
        put(&mut b, 0, self.sec as u64);
        put(&mut b, 8, self.nsec as u64);
        b
    }

    /// Encodes a guest `struct timeval` (16 bytes: seconds, microseconds).
    pub fn encode_timeval(self) -> [u8; 16] {
        Timespec {
            sec: self.sec,
            nsec: self.nsec / 1000,
        }
        .encode()
    }
}

/// What `stat` reports, before an ISA lays it out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stat {
    pub dev: u64,
    pub ino: u64,
    /// File type and permission bits.
    pub mode: u32,
    pub nlink: u32,
    pub uid: u32,
    pub gid: u32,
    pub rdev: u64,
    pub size: u64,
    pub blksize: u32,
    /// 512-byte blocks.
    pub blocks: u64,
    pub atime: Timespec,
    pub mtime: Timespec,
    pub ctime: Timespec,
}

/// A signal's disposition, as `rt_sigaction` stores it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SigAction {
    pub handler: u64,
    pub flags: u64,
    pub restorer: u64,
    pub mask: u64,
}

/// Linux `makedev`.
pub fn makedev(major: u32, minor: u32) -> u64 {
    let (major, minor) = (major as u64, minor as u64);
    ((major & 0xfff) << 8) | ((major & !0xfff) << 32) | (minor & 0xff) | ((minor & !0xff) << 12)
}

/// Linux `major` / `minor` of a device number.
pub fn major_minor(dev: u64) -> (u32, u32) {
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    (major as u32, minor as u32)
}

/// `d_type` of `dirent64` for a file mode.
pub fn dtype_of_mode(mode: u32) -> u8 {
    match mode & S_IFMT {
        S_IFREG => DT_REG,
        S_IFDIR => DT_DIR,
        S_IFLNK => DT_LNK,
        S_IFCHR => DT_CHR,
        S_IFBLK => DT_BLK,
        S_IFIFO => DT_FIFO,
        S_IFSOCK => DT_SOCK,
        _ => DT_UNKNOWN,
    }
}

/// Writes `v`'s low bytes little-endian at `off` (width = size of the field).
pub(crate) fn put_n(b: &mut [u8], off: usize, width: usize, v: u64) {
    b[off..off + width].copy_from_slice(&v.to_le_bytes()[..width]);
}

pub(crate) fn put(b: &mut [u8], off: usize, v: u64) {
    put_n(b, off, 8, v);
}

pub(crate) fn put32(b: &mut [u8], off: usize, v: u32) {
    put_n(b, off, 4, v as u64);
}

pub(crate) fn get_u64(b: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(b[off..off + 8].try_into().unwrap())
}

pub(crate) fn get_i64(b: &[u8], off: usize) -> i64 {
    get_u64(b, off) as i64
}

/// Size of `struct iovec`.
pub const IOVEC_SIZE: usize = 16;
/// At most this many iovecs per call.
pub const IOV_MAX: u64 = 1024;

/// Decodes `struct iovec` (base, len).
pub fn decode_iovec(b: &[u8]) -> (u64, u64) {
    (get_u64(b, 0), get_u64(b, 8))
}

/// Fixed part of `struct linux_dirent64` before the name.
const DIRENT64_HEADER: usize = 19;

/// Size of one `linux_dirent64` record for a name of `name_len` bytes.
pub fn dirent64_len(name_len: usize) -> usize {
    (DIRENT64_HEADER + name_len + 1).next_multiple_of(8)
}

/// Appends one `linux_dirent64` record.
pub fn encode_dirent64(out: &mut Vec<u8>, ino: u64, next_off: i64, dtype: u8, name: &str) {
    let len = dirent64_len(name.len());
    let start = out.len();
    out.resize(start + len, 0);
    let rec = &mut out[start..];
    put(rec, 0, ino);
    put(rec, 8, next_off as u64);
    put_n(rec, 16, 2, len as u64);
    rec[18] = dtype;
    rec[DIRENT64_HEADER..DIRENT64_HEADER + name.len()].copy_from_slice(name.as_bytes());
}

/// Fixed part of the legacy `struct linux_dirent` (getdents) before the
/// name: d_ino, d_off (both `unsigned long`), d_reclen.
const DIRENT_HEADER: usize = 18;

/// Size of one legacy `linux_dirent` record for a name of `name_len` bytes:
/// the name, its NUL and the trailing `d_type` byte, aligned to 8.
pub fn dirent_len(name_len: usize) -> usize {
    (DIRENT_HEADER + name_len + 2).next_multiple_of(8)
}

/// Appends one legacy `linux_dirent` record (`d_type` in its last byte).
pub fn encode_dirent(out: &mut Vec<u8>, ino: u64, next_off: i64, dtype: u8, name: &str) {
    let len = dirent_len(name.len());
    let start = out.len();
    out.resize(start + len, 0);
    let rec = &mut out[start..];
    put(rec, 0, ino);
    put(rec, 8, next_off as u64);
    put_n(rec, 16, 2, len as u64);
    rec[DIRENT_HEADER..DIRENT_HEADER + name.len()].copy_from_slice(name.as_bytes());
    rec[len - 1] = dtype;
}

/// Size of `struct statx`.
pub const STATX_SIZE: usize = 256;

/// Encodes `struct statx` with the basic stats.
pub fn encode_statx(st: &Stat) -> [u8; STATX_SIZE] {
    let mut b = [0u8; STATX_SIZE];
    put32(&mut b, 0, STATX_BASIC_STATS);
    put32(&mut b, 4, st.blksize);
    put32(&mut b, 16, st.nlink);
    put32(&mut b, 20, st.uid);
    put32(&mut b, 24, st.gid);
    put_n(&mut b, 28, 2, st.mode as u64);
    put(&mut b, 32, st.ino);
    put(&mut b, 40, st.size);
    put(&mut b, 48, st.blocks);
    for (off, t) in [(64, st.atime), (96, st.ctime), (112, st.mtime)] {
        put(&mut b, off, t.sec as u64);
        put32(&mut b, off + 8, t.nsec as u32);
    }
    let (rmaj, rmin) = major_minor(st.rdev);
    let (dmaj, dmin) = major_minor(st.dev);
    for (off, v) in [(128, rmaj), (132, rmin), (136, dmaj), (140, dmin)] {
        put32(&mut b, off, v);
    }
    b
}

/// Length of each `struct utsname` field.
const UTSNAME_FIELD: usize = 65;
/// Size of `struct utsname`.
pub const UTSNAME_SIZE: usize = 6 * UTSNAME_FIELD;

/// Encodes `struct utsname` from its six fields (sysname, nodename, release,
/// version, machine, domainname).
pub fn encode_utsname(fields: [&str; 6]) -> [u8; UTSNAME_SIZE] {
    let mut b = [0u8; UTSNAME_SIZE];
    for (i, f) in fields.iter().enumerate() {
        let n = f.len().min(UTSNAME_FIELD - 1);
        b[i * UTSNAME_FIELD..i * UTSNAME_FIELD + n].copy_from_slice(&f.as_bytes()[..n]);
    }
    b
}

/// What `sysinfo` reports.
#[derive(Clone, Copy, Debug, Default)]
pub struct SysInfo {
    pub uptime: u64,
    pub totalram: u64,
    pub freeram: u64,
    pub procs: u16,
}

/// Size of `struct sysinfo` on 64-bit.
pub const SYSINFO_SIZE: usize = 112;

/// Encodes `struct sysinfo` (64-bit layout, mem_unit 1).
pub fn encode_sysinfo(s: &SysInfo) -> [u8; SYSINFO_SIZE] {
    let mut b = [0u8; SYSINFO_SIZE];
    put(&mut b, 0, s.uptime);
    put(&mut b, 32, s.totalram);
    put(&mut b, 40, s.freeram);
    put_n(&mut b, 80, 2, s.procs as u64);
    put32(&mut b, 104, 1);
    b
}

/// Encodes `struct rlimit` / `struct rlimit64` (current, maximum).
pub fn encode_rlimit(cur: u64, max: u64) -> [u8; 16] {
    let mut b = [0u8; 16];
    put(&mut b, 0, cur);
    put(&mut b, 8, max);
    b
}

/// Decodes `struct rlimit`.
pub fn decode_rlimit(b: &[u8; 16]) -> (u64, u64) {
    (get_u64(b, 0), get_u64(b, 8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dirent_records_are_aligned() {
        let mut out = Vec::new();
        encode_dirent64(&mut out, 7, 1, DT_REG, "abcde");
        assert_eq!(out.len(), 32); // 19 + 5 + 1 = 25 -> 32
        assert_eq!(u16::from_le_bytes([out[16], out[17]]), 32);
        assert_eq!(&out[19..25], b"abcde\0");
    }

    #[test]
    fn devices_round_trip() {
        assert_eq!(makedev(1, 3), 0x103);
        assert_eq!(major_minor(makedev(136, 300)), (136, 300));
    }
}
