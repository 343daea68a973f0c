//! strace-style lines for `C2W_STRACE=1`:
//! `openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3`.

use std::fmt::Write;

use crate::errno::{Errno, SysResult};
use crate::linux::*;
use crate::mem::GuestMem;
use crate::table::Sys;

/// How an argument is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    /// Signed decimal.
    Int,
    /// Unsigned decimal.
    UInt,
    /// Pointer or opaque value: hex, NULL for 0.
    Hex,
    /// Octal (modes).
    Oct,
    /// openat's mode: octal, shown only when the flags in argument N create.
    OpenMode(usize),
    /// A file descriptor.
    Fd,
    /// A dirfd: `AT_FDCWD` or a descriptor.
    Dirfd,
    /// A NUL-terminated string read before the call.
    Path,
    /// A NUL-terminated string the call writes (shown on success).
    OutStr,
    /// A buffer the call reads, its length in argument N.
    InBuf(usize),
    /// A buffer the call fills; its length is the result.
    OutBuf,
    OpenFlags,
    AtFlags,
    AccessMode,
    Prot,
    MapFlags,
    Whence,
    Clock,
    Signal,
    SigHow,
    Resource,
    FcntlCmd,
    IoctlReq,
    /// arch_prctl's code.
    ArchPrctlCode,
}

/// How a result is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ret {
    Int,
    Hex,
    Oct,
    /// The call does not return (exit).
    Never,
}

/// How many bytes of a buffer argument are shown.
const BUF_SHOWN: usize = 32;

const OPEN_FLAGS: &[(u32, &str)] = &[
    (O_CREAT, "O_CREAT"),
    (O_EXCL, "O_EXCL"),
    (O_NOCTTY, "O_NOCTTY"),
    (O_TRUNC, "O_TRUNC"),
    (O_APPEND, "O_APPEND"),
    (O_NONBLOCK, "O_NONBLOCK"),
    (O_SYNC, "O_SYNC"),
    (O_DSYNC, "O_DSYNC"),
    (O_ASYNC, "O_ASYNC"),
    (O_DIRECT, "O_DIRECT"),
    (O_LARGEFILE, "O_LARGEFILE"),
    (O_DIRECTORY, "O_DIRECTORY"),
    (O_NOFOLLOW, "O_NOFOLLOW"),
    (O_NOATIME, "O_NOATIME"),
    (O_CLOEXEC, "O_CLOEXEC"),
    (O_PATH, "O_PATH"),
];

const AT_FLAGS: &[(u32, &str)] = &[
    (AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW"),
    (AT_REMOVEDIR, "AT_REMOVEDIR"),
    (AT_SYMLINK_FOLLOW, "AT_SYMLINK_FOLLOW"),
    (AT_NO_AUTOMOUNT, "AT_NO_AUTOMOUNT"),
    (AT_EMPTY_PATH, "AT_EMPTY_PATH"),
];

const ACCESS_MODES: &[(u32, &str)] = &[(R_OK, "R_OK"), (W_OK, "W_OK"), (X_OK, "X_OK")];

const PROTS: &[(u32, &str)] = &[
    (PROT_READ, "PROT_READ"),
    (PROT_WRITE, "PROT_WRITE"),
    (PROT_EXEC, "PROT_EXEC"),
];

const MAP_FLAGS: &[(u32, &str)] = &[
    (MAP_FIXED, "MAP_FIXED"),
    (MAP_ANONYMOUS, "MAP_ANONYMOUS"),
    (MAP_GROWSDOWN, "MAP_GROWSDOWN"),
    (MAP_DENYWRITE, "MAP_DENYWRITE"),
    (MAP_EXECUTABLE, "MAP_EXECUTABLE"),
    (MAP_LOCKED, "MAP_LOCKED"),
    (MAP_NORESERVE, "MAP_NORESERVE"),
    (MAP_POPULATE, "MAP_POPULATE"),
    (MAP_NONBLOCK, "MAP_NONBLOCK"),
    (MAP_STACK, "MAP_STACK"),
    (MAP_HUGETLB, "MAP_HUGETLB"),
    (MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE"),
];

const MAP_TYPES: &[(u32, &str)] = &[
    (MAP_SHARED, "MAP_SHARED"),
    (MAP_PRIVATE, "MAP_PRIVATE"),
    (MAP_SHARED_VALIDATE, "MAP_SHARED_VALIDATE"),
];

const WHENCES: &[(u32, &str)] = &[
    (SEEK_SET, "SEEK_SET"),
    (SEEK_CUR, "SEEK_CUR"),
    (SEEK_END, "SEEK_END"),
    (SEEK_DATA, "SEEK_DATA"),
    (SEEK_HOLE, "SEEK_HOLE"),
];

const CLOCKS: &[(u32, &str)] = &[
    (CLOCK_REALTIME as u32, "CLOCK_REALTIME"),
    (CLOCK_MONOTONIC as u32, "CLOCK_MONOTONIC"),
    (CLOCK_PROCESS_CPUTIME_ID as u32, "CLOCK_PROCESS_CPUTIME_ID"),
    (CLOCK_THREAD_CPUTIME_ID as u32, "CLOCK_THREAD_CPUTIME_ID"),
    (CLOCK_MONOTONIC_RAW as u32, "CLOCK_MONOTONIC_RAW"),
    (CLOCK_REALTIME_COARSE as u32, "CLOCK_REALTIME_COARSE"),
    (CLOCK_MONOTONIC_COARSE as u32, "CLOCK_MONOTONIC_COARSE"),
    (CLOCK_BOOTTIME as u32, "CLOCK_BOOTTIME"),
    (CLOCK_REALTIME_ALARM as u32, "CLOCK_REALTIME_ALARM"),
    (CLOCK_BOOTTIME_ALARM as u32, "CLOCK_BOOTTIME_ALARM"),
    (CLOCK_TAI as u32, "CLOCK_TAI"),
];

const SIGNALS: &[&str] = &[
    "SIGHUP",
    "SIGINT",
    "SIGQUIT",
    "SIGILL",
    "SIGTRAP",
    "SIGABRT",
    "SIGBUS",
    "SIGFPE",
    "SIGKILL",
    "SIGUSR1",
    "SIGSEGV",
    "SIGUSR2",
    "SIGPIPE",
    "SIGALRM",
    "SIGTERM",
    "SIGSTKFLT",
    "SIGCHLD",
    "SIGCONT",
    "SIGSTOP",
    "SIGTSTP",
    "SIGTTIN",
    "SIGTTOU",
    "SIGURG",
    "SIGXCPU",
    "SIGXFSZ",
    "SIGVTALRM",
    "SIGPROF",
    "SIGWINCH",
    "SIGIO",
    "SIGPWR",
    "SIGSYS",
];

const SIG_HOWS: &[(u32, &str)] = &[
    (SIG_BLOCK, "SIG_BLOCK"),
    (SIG_UNBLOCK, "SIG_UNBLOCK"),
    (SIG_SETMASK, "SIG_SETMASK"),
];

const RESOURCES: &[&str] = &[
    "RLIMIT_CPU",
    "RLIMIT_FSIZE",
    "RLIMIT_DATA",
    "RLIMIT_STACK",
    "RLIMIT_CORE",
    "RLIMIT_RSS",
    "RLIMIT_NPROC",
    "RLIMIT_NOFILE",
    "RLIMIT_MEMLOCK",
    "RLIMIT_AS",
    "RLIMIT_LOCKS",
    "RLIMIT_SIGPENDING",
    "RLIMIT_MSGQUEUE",
    "RLIMIT_NICE",
    "RLIMIT_RTPRIO",
    "RLIMIT_RTTIME",
];

const FCNTL_CMDS: &[(u32, &str)] = &[
    (F_DUPFD, "F_DUPFD"),
    (F_GETFD, "F_GETFD"),
    (F_SETFD, "F_SETFD"),
    (F_GETFL, "F_GETFL"),
    (F_SETFL, "F_SETFL"),
    (F_GETLK, "F_GETLK"),
    (F_SETLK, "F_SETLK"),
    (F_SETLKW, "F_SETLKW"),
    (F_OFD_GETLK, "F_OFD_GETLK"),
    (F_OFD_SETLK, "F_OFD_SETLK"),
    (F_OFD_SETLKW, "F_OFD_SETLKW"),
    (F_DUPFD_CLOEXEC, "F_DUPFD_CLOEXEC"),
    (F_GETPIPE_SZ, "F_GETPIPE_SZ"),
];

const IOCTLS: &[(u32, &str)] = &[
    (TCGETS, "TCGETS"),
    (TCSETS, "TCSETS"),
    (TCSETSW, "TCSETSW"),
    (TCSETSF, "TCSETSF"),
    (TIOCGPGRP, "TIOCGPGRP"),
    (TIOCSPGRP, "TIOCSPGRP"),
    (TIOCGWINSZ, "TIOCGWINSZ"),
    (TIOCSWINSZ, "TIOCSWINSZ"),
    (FIONREAD, "FIONREAD"),
    (FIONBIO, "FIONBIO"),
    (FIONCLEX, "FIONCLEX"),
    (FIOCLEX, "FIOCLEX"),
];

const ARCH_PRCTL_CODES: &[(u32, &str)] = &[
    (0x1001, "ARCH_SET_GS"),
    (0x1002, "ARCH_SET_FS"),
    (0x1003, "ARCH_GET_FS"),
    (0x1004, "ARCH_GET_GS"),
    (0x1011, "ARCH_GET_CPUID"),
    (0x1012, "ARCH_SET_CPUID"),
    (0x3001, "ARCH_CET_STATUS"),
];

/// `v`'s name in `table`, or its value in hex.
fn enum_name(v: u32, table: &[(u32, &str)]) -> String {
    table
        .iter()
        .find(|(k, _)| *k == v)
        .map_or_else(|| format!("{v:#x}"), |(_, n)| n.to_string())
}

/// `A|B|0x..` for the bits of `v` named in `table`; `zero` when nothing.
fn flag_names(v: u32, table: &[(u32, &str)], zero: &str) -> String {
    let mut parts = Vec::new();
    let mut rest = v;
    for &(bit, name) in table {
        if bit != 0 && v & bit == bit && rest & bit != 0 {
            parts.push(name.to_string());
            rest &= !bit;
        }
    }
    if rest != 0 {
        parts.push(format!("{rest:#x}"));
    }
    if parts.is_empty() {
        zero.to_string()
    } else {
        parts.join("|")
    }
}

/// A C string literal of `bytes`, cut at `max` with "...".
pub fn quote(bytes: &[u8], max: usize) -> String {
    let mut s = String::from("\"");
    for &b in bytes.iter().take(max) {
        match b {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\r' => s.push_str("\\r"),
            0x20..=0x7e => s.push(b as char),
            _ => {
                let _ = write!(s, "\\{b:o}");
            }
        }
    }
    s.push('"');
    if bytes.len() > max {
        s.push_str("...");
    }
    s
}

fn hex(v: u64) -> String {
    if v == 0 {
        "NULL".into()
    } else {
        format!("{v:#x}")
    }
}

/// Octal as C writes it: `0`, `0644`.
fn octal(v: u64) -> String {
    if v == 0 {
        "0".into()
    } else {
        format!("0{v:o}")
    }
}

/// The argument as shown, or `None` when strace leaves it out.
fn format_arg(
    arg: Arg,
    v: u64,
    args: &[u64; 6],
    result: &SysResult<u64>,
    mem: &GuestMem,
) -> Option<String> {
    if let Arg::OpenMode(flags) = arg {
        let creates =
            args[flags] as u32 & O_CREAT != 0 || args[flags] as u32 & O_TMPFILE == O_TMPFILE;
        return creates.then(|| octal(v));
    }
    Some(format_value(arg, v, args, result, mem))
}

fn format_value(
    arg: Arg,
    v: u64,
    args: &[u64; 6],
    result: &SysResult<u64>,
    mem: &GuestMem,
) -> String {
    let string_at = |addr: u64| match mem.read_cstr(addr, crate::mem::PATH_MAX) {
        Ok(b) => quote(b, crate::mem::PATH_MAX),
        Err(_) => hex(addr),
    };
    let v32 = v as u32;
    match arg {
        Arg::Int => (v as i64).to_string(),
        Arg::UInt => v.to_string(),
        Arg::Hex => hex(v),
        Arg::Oct | Arg::OpenMode(_) => octal(v32 as u64),
        Arg::Fd => (v as i32).to_string(),
        Arg::Dirfd if v as i32 == AT_FDCWD => "AT_FDCWD".into(),
        Arg::Dirfd => (v as i32).to_string(),
        Arg::Path if v == 0 => "NULL".into(),
        Arg::Path => string_at(v),
        Arg::OutStr if result.is_ok() => string_at(v),
        Arg::OutStr => hex(v),
        Arg::InBuf(len) => match mem.bytes(v, args[len].min(BUF_SHOWN as u64 + 1)) {
            Ok(b) => quote(b, BUF_SHOWN),
            Err(_) => hex(v),
        },
        Arg::OutBuf => match result {
            Ok(n) => match mem.bytes(v, (*n).min(BUF_SHOWN as u64 + 1)) {
                Ok(b) => quote(b, BUF_SHOWN),
                Err(_) => hex(v),
            },
            Err(_) => hex(v),
        },
        Arg::OpenFlags => {
            let acc = ["O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"][(v32 & O_ACCMODE) as usize];
            let rest = flag_names(v32 & !O_ACCMODE, OPEN_FLAGS, "");
            if rest.is_empty() {
                acc.into()
            } else {
                format!("{acc}|{rest}")
            }
        }
        Arg::AtFlags => flag_names(v32, AT_FLAGS, "0"),
        Arg::AccessMode => flag_names(v32, ACCESS_MODES, "F_OK"),
        Arg::Prot => flag_names(v32, PROTS, "PROT_NONE"),
        Arg::MapFlags => {
            let kind = enum_name(v32 & MAP_TYPE, MAP_TYPES);
            let rest = flag_names(v32 & !MAP_TYPE, MAP_FLAGS, "");
            if rest.is_empty() {
                kind
            } else {
                format!("{kind}|{rest}")
            }
        }
        Arg::Whence => enum_name(v32, WHENCES),
        Arg::Clock => enum_name(v32, CLOCKS),
        Arg::Signal => match SIGNALS.get((v32 as usize).wrapping_sub(1)) {
            Some(name) => name.to_string(),
            None if (32..=64).contains(&v32) => format!("SIGRT_{}", v32 - 32),
            None => v32.to_string(),
        },
        Arg::SigHow => enum_name(v32, SIG_HOWS),
        Arg::Resource => RESOURCES
            .get(v32 as usize)
            .map_or_else(|| v32.to_string(), |n| n.to_string()),
        Arg::FcntlCmd => enum_name(v32, FCNTL_CMDS),
        Arg::IoctlReq => enum_name(v32, IOCTLS),
        Arg::ArchPrctlCode => enum_name(v32, ARCH_PRCTL_CODES),
    }
}

/// ` = value` or ` = -1 ENOENT (No such file or directory)`.
fn format_result(ret: Ret, result: &SysResult<u64>) -> String {
    match (ret, result) {
        (Ret::Never, _) => "?".into(),
        (_, Err(e)) => match (e.name(), e.description()) {
            (Some(name), Some(text)) => format!("-1 {name} ({text})"),
            _ => format!("-1 errno {}", e.0),
        },
        (Ret::Int, Ok(v)) => (*v as i64).to_string(),
        (Ret::Hex, Ok(v)) => format!("{v:#x}"),
        (Ret::Oct, Ok(v)) => octal(*v),
    }
}

/// One strace line (without newline) for syscall `sys` (`None` for a number
/// the kernel does not know) called with `args`.
pub fn format_call(
    sys: Option<Sys>,
    nr: u64,
    args: &[u64; 6],
    result: &SysResult<u64>,
    mem: &GuestMem,
) -> String {
    let Some(sys) = sys else {
        let shown: Vec<String> = args.iter().map(|&a| hex(a)).collect();
        return format!(
            "syscall_{nr}({}) = {}",
            shown.join(", "),
            format_result(Ret::Int, &Err(Errno::ENOSYS))
        );
    };
    let shown: Vec<String> = sys
        .args()
        .iter()
        .zip(args)
        .filter_map(|(&arg, &v)| format_arg(arg, v, args, result, mem))
        .collect();
    format!(
        "{}({}) = {}",
        sys.name(),
        shown.join(", "),
        format_result(sys.ret(), result)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_mem<R>(f: impl FnOnce(&GuestMem, &mut [u8]) -> R) -> R {
        let mut buf = vec![0u8; 256];
        let mem = unsafe { GuestMem::new(buf.as_mut_ptr(), 256) };
        f(&mem, &mut buf)
    }

    #[test]
    fn openat_line() {
        with_mem(|mem, _| {
            mem.write(16, b"/etc/passwd\0").unwrap();
            let args = [
                AT_FDCWD as i64 as u64,
                16,
                (O_RDONLY | O_CLOEXEC) as u64,
                0,
                0,
                0,
            ];
            let line = format_call(Some(Sys::Openat), 56, &args, &Ok(3), mem);
            assert_eq!(
                line,
                r#"openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3"#
            );
            let create = [
                args[0],
                16,
                (O_WRONLY | O_CREAT | O_TRUNC) as u64,
                0o644,
                0,
                0,
            ];
            let line = format_call(Some(Sys::Openat), 56, &create, &Ok(4), mem);
            assert_eq!(
                line,
                r#"openat(AT_FDCWD, "/etc/passwd", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 4"#
            );
            let line = format_call(Some(Sys::Openat), 56, &args, &Err(Errno::ENOENT), mem);
            assert!(
                line.ends_with("= -1 ENOENT (No such file or directory)"),
                "{line}"
            );
        });
    }

    #[test]
    fn buffers_mmap_and_unknown() {
        with_mem(|mem, _| {
            mem.write(0, b"hello\nworld, this is a long line of output\n")
                .unwrap();
            let line = format_call(Some(Sys::Write), 64, &[1, 0, 6, 0, 0, 0], &Ok(6), mem);
            assert_eq!(line, r#"write(1, "hello\n", 6) = 6"#);
            let line = format_call(Some(Sys::Write), 64, &[1, 0, 43, 0, 0, 0], &Ok(43), mem);
            assert_eq!(
                line,
                r#"write(1, "hello\nworld, this is a long line"..., 43) = 43"#
            );
            let flags = (MAP_PRIVATE | MAP_ANONYMOUS) as u64;
            let line = format_call(
                Some(Sys::Mmap),
                222,
                &[0, 8192, 3, flags, u64::MAX, 0],
                &Ok(0x1000_0000),
                mem,
            );
            assert_eq!(line, "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, NULL) = 0x10000000");
            let line = format_call(None, 999, &[1, 0, 0, 0, 0, 0], &Err(Errno::ENOSYS), mem);
            assert_eq!(line, "syscall_999(0x1, NULL, NULL, NULL, NULL, NULL) = -1 ENOSYS (Function not implemented)");
            let line = format_call(Some(Sys::ExitGroup), 94, &[3, 0, 0, 0, 0, 0], &Ok(0), mem);
            assert_eq!(line, "exit_group(3) = ?");
        });
    }

    #[test]
    fn legacy_x86_64_lines() {
        with_mem(|mem, _| {
            mem.write(16, b"/etc/hosts\0").unwrap();
            let line = format_call(Some(Sys::Open), 2, &[16, 0, 0, 0, 0, 0], &Ok(3), mem);
            assert_eq!(line, r#"open("/etc/hosts", O_RDONLY) = 3"#);
            let creat = [16, (O_WRONLY | O_CREAT) as u64, 0o600, 0, 0, 0];
            let line = format_call(Some(Sys::Open), 2, &creat, &Ok(3), mem);
            assert_eq!(line, r#"open("/etc/hosts", O_WRONLY|O_CREAT, 0600) = 3"#);
            let line = format_call(Some(Sys::Stat), 4, &[16, 64, 0, 0, 0, 0], &Ok(0), mem);
            assert_eq!(line, r#"stat("/etc/hosts", 0x40) = 0"#);
            let set_fs = [0x1002, 0x4a0000, 0, 0, 0, 0];
            let line = format_call(Some(Sys::ArchPrctl), 158, &set_fs, &Ok(0), mem);
            assert_eq!(line, "arch_prctl(ARCH_SET_FS, 0x4a0000) = 0");
            let cet = [0x3001, 0x40, 0, 0, 0, 0];
            let line = format_call(Some(Sys::ArchPrctl), 158, &cet, &Err(Errno::EINVAL), mem);
            assert_eq!(
                line,
                "arch_prctl(ARCH_CET_STATUS, 0x40) = -1 EINVAL (Invalid argument)"
            );
            let line = format_call(Some(Sys::Fork), 57, &[0; 6], &Err(Errno::ENOSYS), mem);
            assert_eq!(line, "fork() = -1 ENOSYS (Function not implemented)");
        });
    }
}
