//! Process-level syscalls, exit, unknown syscalls, and strace output.

use super::{err, Guest};
use crate::errno::Errno;
use crate::kernel::Outcome;
use crate::linux::*;
use crate::native::ImageBuilder;
use crate::riscv64;
use crate::table::Sys;

fn guest() -> Guest {
    let mut b = ImageBuilder::new();
    b.file("/etc/hosts", b"127.0.0.1 localhost\n", 0o644);
    Guest::new(&b)
}

#[test]
fn exit_and_unknown_syscalls() {
    let mut g = guest();
    assert_eq!(
        g.k.syscall_riscv64(999, [0; 6]),
        Outcome::Return(err(Errno::ENOSYS) as u64)
    );
    assert_eq!(
        g.k.syscall_riscv64(999, [0; 6]),
        Outcome::Return(err(Errno::ENOSYS) as u64)
    );
    assert_eq!(
        g.k.syscall_riscv64(220, [0; 6]),
        Outcome::Return(err(Errno::ENOSYS) as u64),
        "clone"
    );
    assert_eq!(g.k.unimplemented_count(), 3);
    assert_eq!(g.k.unimplemented().get(&999), Some(&2));
    // rseq is refused on purpose, not counted.
    assert_eq!(g.sys(Sys::Rseq, [0, 32, 0, 0]), err(Errno::ENOSYS));
    assert_eq!(g.k.unimplemented_count(), 3);
    assert_eq!(
        g.k.syscall_riscv64(94, [0x1_0000_0102, 0, 0, 0, 0, 0]),
        Outcome::Exit(2)
    );
}

#[test]
fn identity_uname_limits_and_sysinfo() {
    let mut g = guest();
    for (sys, want) in [
        (Sys::Getpid, 1),
        (Sys::Gettid, 1),
        (Sys::Getppid, 0),
        (Sys::Getuid, 0),
        (Sys::Getegid, 0),
    ] {
        assert_eq!(g.sys(sys, []), want, "{}", sys.name());
    }
    let tid = g.alloc(4);
    assert_eq!(g.sys(Sys::SetTidAddress, [tid]), 1);
    let buf = g.alloc(390);
    assert_eq!(g.sys(Sys::Uname, [buf]), 0);
    let uts = g.read(buf, 390);
    let field = |i: usize| {
        let f = &uts[i * 65..(i + 1) * 65];
        String::from_utf8(f[..f.iter().position(|&b| b == 0).unwrap()].to_vec()).unwrap()
    };
    assert_eq!(
        (field(0).as_str(), field(2).as_str(), field(4).as_str()),
        ("Linux", "6.1.0", "riscv64")
    );

    let rl = g.alloc(16);
    assert_eq!(g.sys(Sys::Prlimit64, [0, RLIMIT_STACK as u64, 0, rl]), 0);
    assert_eq!(
        (g.read_u64(rl), g.read_u64(rl + 8)),
        (8 << 20, RLIM_INFINITY)
    );
    assert_eq!(g.sys(Sys::Getrlimit, [RLIMIT_NOFILE as u64, rl]), 0);
    assert_eq!((g.read_u64(rl), g.read_u64(rl + 8)), (1024, 4096));
    g.write(rl, &encode_rlimit(3, 4096));
    assert_eq!(g.sys(Sys::Setrlimit, [RLIMIT_NOFILE as u64, rl]), 0);
    assert_eq!(
        g.open("/etc/hosts", O_RDONLY, 0),
        err(Errno::EMFILE),
        "only fds 0..3 allowed now"
    );
    assert_eq!(g.sys(Sys::Prlimit64, [5, 0, 0, rl]), err(Errno::ESRCH));
    assert_eq!(g.sys(Sys::Getrlimit, [99, rl]), err(Errno::EINVAL));

    let info = g.alloc(SYSINFO_SIZE as u64);
    assert_eq!(g.sys(Sys::Sysinfo, [info]), 0);
    assert_eq!(g.read_u64(info + 32), crate::layout::GUEST_LIMIT);
    let mask = g.alloc(128);
    assert_eq!(g.sys(Sys::SchedGetaffinity, [0, 128, mask]), 8);
    assert_eq!(g.read_u64(mask), 1);
    assert_eq!(g.sys(Sys::Umask, [0o077]), 0o022);
    assert_eq!(g.sys(Sys::Umask, [0o022]), 0o077);
}

#[test]
fn time_and_randomness() {
    let mut g = guest();
    let ts = g.alloc(16);
    assert_eq!(g.sys(Sys::ClockGettime, [CLOCK_REALTIME as u64, ts]), 0);
    assert!(
        g.read_u64(ts) > 1_600_000_000,
        "realtime is wall-clock time"
    );
    assert_eq!(g.sys(Sys::ClockGettime, [CLOCK_MONOTONIC as u64, ts]), 0);
    let t0 = Timespec::decode(&g.read(ts, 16).try_into().unwrap());
    g.write(
        ts,
        &Timespec {
            sec: 0,
            nsec: 2_000_000,
        }
        .encode(),
    );
    assert_eq!(g.sys(Sys::Nanosleep, [ts, 0]), 0);
    assert_eq!(g.sys(Sys::ClockGettime, [CLOCK_MONOTONIC as u64, ts]), 0);
    let t1 = Timespec::decode(&g.read(ts, 16).try_into().unwrap());
    assert!(t1.to_nanos() - t0.to_nanos() >= 2_000_000);
    g.write(
        ts,
        &Timespec {
            sec: 0,
            nsec: 1_000_000_000,
        }
        .encode(),
    );
    assert_eq!(g.sys(Sys::Nanosleep, [ts, 0]), err(Errno::EINVAL));
    assert_eq!(g.sys(Sys::ClockGettime, [77, ts]), err(Errno::EINVAL));
    assert_eq!(g.sys(Sys::Gettimeofday, [ts, 0]), 0);
    assert!(g.read_u64(ts + 8) < 1_000_000, "microseconds");

    let buf = g.alloc(64);
    assert_eq!(g.sys(Sys::Getrandom, [buf, 64, 0]), 64);
    assert_ne!(g.read(buf, 64), [0; 64]);
    assert_eq!(g.sys(Sys::Getrandom, [buf, 64, 0x100]), err(Errno::EINVAL));
}

#[test]
fn signals_are_recorded() {
    let mut g = guest();
    let (act, old) = (g.alloc(24), g.alloc(24));
    g.write(
        act,
        &riscv64::encode_sigaction(&riscv64::SigAction {
            handler: 0x1234,
            flags: 4,
            restorer: 0,
            mask: 2,
        }),
    );
    assert_eq!(g.sys(Sys::RtSigaction, [2, act, old, 8]), 0);
    assert_eq!(g.read(old, 24), [0; 24]);
    assert_eq!(g.sys(Sys::RtSigaction, [2, 0, old, 8]), 0);
    assert_eq!(g.read(old, 24), g.read(act, 24));
    assert_eq!(g.sys(Sys::RtSigaction, [9, act, 0, 8]), err(Errno::EINVAL));
    assert_eq!(g.sys(Sys::RtSigaction, [2, act, 0, 16]), err(Errno::EINVAL));

    let (set, oset) = (g.alloc(8), g.alloc(8));
    g.write(set, &((1u64 << 1) | (1 << 8)).to_le_bytes());
    assert_eq!(
        g.sys(Sys::RtSigprocmask, [SIG_BLOCK as u64, set, oset, 8]),
        0
    );
    assert_eq!(
        g.sys(Sys::RtSigprocmask, [SIG_SETMASK as u64, 0, oset, 8]),
        0
    );
    assert_eq!(g.read_u64(oset), 1 << 1, "SIGKILL cannot be blocked");

    let ss = g.alloc(24);
    assert_eq!(g.sys(Sys::Sigaltstack, [0, ss]), 0);
    assert_eq!(
        u32::from_le_bytes(g.read(ss + 8, 4).try_into().unwrap()),
        SS_DISABLE
    );

    // A signal with a handler cannot be delivered yet and is dropped; a
    // default fatal one ends the process like the kernel would.
    assert_eq!(g.sys(Sys::Tgkill, [1, 1, 2]), 0);
    assert_eq!(
        g.sys(Sys::Kill, [1, 17]),
        0,
        "SIGCHLD is ignored by default"
    );
    assert_eq!(
        g.k.syscall_riscv64(131, [1, 1, 6, 0, 0, 0]),
        Outcome::Exit(128 + 6)
    );
}

#[test]
fn hwprobe_reports_what_we_implement() {
    let mut g = guest();
    let pairs = g.alloc(64);
    for (i, key) in [3i64, 4, 5, 99].iter().enumerate() {
        g.write(pairs + 16 * i as u64, &key.to_le_bytes());
    }
    assert_eq!(g.sys(Sys::RiscvHwprobe, [pairs, 4, 0, 0, 0]), 0);
    let pair = |i: u64| {
        (
            g.read_u64(pairs + 16 * i) as i64,
            g.read_u64(pairs + 16 * i + 8),
        )
    };
    assert_eq!(pair(0), (3, 1));
    assert_eq!(pair(1), (4, 3));
    assert_eq!(pair(2), (5, 0));
    assert_eq!(pair(3), (-1, 0));
}

#[test]
fn strace_logs_calls_to_stderr() {
    let mut b = ImageBuilder::new();
    b.file("/etc/hosts", b"127.0.0.1 localhost\n", 0o644);
    let (manifest, segments) = b.build(&["/bin/app"]);
    let mut g = Guest::from_manifest(manifest, segments, |_| {}, vec!["C2W_STRACE=1".into()]);
    let fd = g.open("/etc/hosts", O_RDONLY, 0);
    assert_eq!(g.read_fd(fd, 9).unwrap(), b"127.0.0.1");
    g.open("/missing", O_RDONLY | O_CLOEXEC, 0);
    let log = String::from_utf8(g.k.host().stderr().to_vec()).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines[0], r#"openat(AT_FDCWD, "/etc/hosts", O_RDONLY) = 3"#);
    assert!(
        lines[1].starts_with("read(3, \"127.0.0.1\", 9) = 9"),
        "{}",
        lines[1]
    );
    assert_eq!(
        lines[2],
        r#"openat(AT_FDCWD, "/missing", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)"#
    );
    assert!(g.k.envp().contains(&"C2W_STRACE=1".to_string()));

    // At exit, the syscalls the kernel lacks are summed up.
    g.k.syscall_riscv64(999, [0; 6]);
    g.k.syscall_riscv64(999, [0; 6]);
    g.k.syscall_riscv64(998, [0; 6]);
    assert!(matches!(
        g.k.syscall_riscv64(94, [3, 0, 0, 0, 0, 0]),
        Outcome::Exit(3)
    ));
    let log = String::from_utf8(g.k.host().stderr().to_vec()).unwrap();
    assert!(
        log.ends_with("c2w-aot: unimplemented syscalls: 998 (1 call), 999 (2 calls)\n"),
        "{log}"
    );
}

#[test]
fn prctl_names_the_process() {
    let mut g = guest();
    let buf = g.alloc(16);
    assert_eq!(g.sys(Sys::Prctl, [16, buf]), 0);
    assert_eq!(&g.read(buf, 4), b"app\0", "named after the entrypoint");
    let name = g.str("a-rather-long-process-name");
    assert_eq!(g.sys(Sys::Prctl, [15, name]), 0);
    assert_eq!(g.sys(Sys::Prctl, [16, buf]), 0);
    assert_eq!(&g.read(buf, 16), b"a-rather-long-p\0");
    assert_eq!(g.sys(Sys::Prctl, [12345, 0]), err(Errno::EINVAL));
}
