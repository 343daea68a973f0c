//! Kernel tests on the native host: syscalls issued as a guest would, with
//! arguments in a scratch area of guest memory.

mod exec;
mod files;
mod memory;
mod process;
mod x86_64;

use crate::host::Host;
use crate::image::Manifest;
use crate::kernel::{Kernel, Outcome};
use crate::native::{ImageBuilder, NativeHost};
use crate::table::Sys;
use c2w_isa::{Arch, Cpu};

/// Scratch guest memory for syscall arguments: below where the kernel puts
/// anything when no program is loaded.
const SCRATCH: u64 = 0x1000;
const SCRATCH_END: u64 = 0x10_0000;

/// Guest memory the test harness reserves (the scratch area and then some).
const TEST_MEMORY: u64 = 64 << 20;

/// Syscall argument: anything convertible to a raw register value.
pub trait ArgValue {
    fn raw(self) -> u64;
}

macro_rules! arg_value {
    ($($t:ty),*) => { $(impl ArgValue for $t { fn raw(self) -> u64 { self as i64 as u64 } })* };
}
arg_value!(i32, i64, u32, usize);

impl ArgValue for u64 {
    fn raw(self) -> u64 {
        self
    }
}

pub struct Guest {
    pub k: Kernel<NativeHost>,
    next: u64,
}

impl Guest {
    /// A kernel for `image` with `host` customisations applied.
    pub fn with_host(image: &ImageBuilder, setup: impl FnOnce(&mut NativeHost)) -> Self {
        let (manifest, segments) = image.build(&["/bin/app"]);
        Self::from_manifest(manifest, segments, setup, vec![])
    }

    pub fn from_manifest(
        manifest: Manifest,
        segments: Vec<Vec<u8>>,
        setup: impl FnOnce(&mut NativeHost),
        env: Vec<String>,
    ) -> Self {
        let mut host = NativeHost::new(segments);
        setup(&mut host);
        let mut k = Kernel::new(host, manifest, vec![], env).expect("kernel");
        k.host_mut().guest_reserve(TEST_MEMORY).unwrap();
        Guest { k, next: SCRATCH }
    }

    pub fn new(image: &ImageBuilder) -> Self {
        Self::with_host(image, |_| {})
    }

    /// A kernel for `image` whose guest is an x86_64 program.
    pub fn x86_64(image: &ImageBuilder) -> Self {
        let mut g = Self::new(image);
        g.k.set_arch(Arch::X86_64);
        g
    }

    /// Runs a syscall by its number on the guest's arch, returning the raw
    /// result as signed.
    pub fn sys<const N: usize>(&mut self, sys: Sys, args: [u64; N]) -> i64 {
        self.sys_on(&mut Cpu::default(), sys, args)
    }

    /// Runs a syscall for `cpu`.
    pub fn sys_on<const N: usize>(&mut self, cpu: &mut Cpu, sys: Sys, args: [u64; N]) -> i64 {
        let arch = self.k.arch();
        let nr = crate::abi::number(arch, sys)
            .unwrap_or_else(|| panic!("{} has no {}", arch.name(), sys.name()));
        let mut a = [0u64; 6];
        a[..N].copy_from_slice(&args);
        match self.k.syscall_on(arch, nr, a, cpu) {
            Outcome::Return(v) => v as i64,
            Outcome::Exit(code) => panic!("unexpected exit({code})"),
        }
    }

    /// Allocates `len` scratch bytes (zeroed).
    pub fn alloc(&mut self, len: u64) -> u64 {
        let addr = self.next;
        self.next = (addr + len).next_multiple_of(16);
        assert!(self.next <= SCRATCH_END, "scratch area exhausted");
        self.write(addr, &vec![0; len as usize]);
        addr
    }

    /// A NUL-terminated copy of `s` in guest memory.
    pub fn str(&mut self, s: &str) -> u64 {
        let addr = self.alloc(s.len() as u64 + 1);
        self.write(addr, s.as_bytes());
        addr
    }

    pub fn write(&mut self, addr: u64, data: &[u8]) {
        self.k.mem().write(addr, data).unwrap();
    }

    pub fn read(&self, addr: u64, len: u64) -> Vec<u8> {
        self.k.mem().bytes(addr, len).unwrap().to_vec()
    }

    pub fn read_u64(&self, addr: u64) -> u64 {
        self.k.mem().read_u64(addr).unwrap()
    }

    /// openat(AT_FDCWD, path, flags, mode).
    pub fn open(&mut self, path: &str, flags: u32, mode: u32) -> i64 {
        let p = self.str(path);
        self.sys(
            Sys::Openat,
            [crate::linux::AT_FDCWD.raw(), p, flags as u64, mode as u64],
        )
    }

    /// Reads up to `len` bytes from `fd`.
    pub fn read_fd(&mut self, fd: i64, len: u64) -> Result<Vec<u8>, i64> {
        let buf = self.alloc(len);
        let n = self.sys(Sys::Read, [fd as u64, buf, len]);
        if n < 0 {
            Err(n)
        } else {
            Ok(self.read(buf, n as u64))
        }
    }

    /// Writes `data` to `fd`.
    pub fn write_fd(&mut self, fd: i64, data: &[u8]) -> i64 {
        let buf = self.alloc(data.len() as u64);
        self.write(buf, data);
        self.sys(Sys::Write, [fd as u64, buf, data.len() as u64])
    }

    /// newfstatat(AT_FDCWD, path, flags) decoded as (mode, size, ino, nlink, uid, gid, mtime).
    pub fn stat(&mut self, path: &str, flags: u32) -> Result<StatView, i64> {
        let p = self.str(path);
        let size = crate::abi::stat_size(self.k.arch()) as u64;
        let buf = self.alloc(size);
        let r = self.sys(
            Sys::Newfstatat,
            [crate::linux::AT_FDCWD.raw(), p, buf, flags as u64],
        );
        if r < 0 {
            return Err(r);
        }
        Ok(StatView::decode_for(self.k.arch(), &self.read(buf, size)))
    }

    /// The names getdents64 lists for directory `path`.
    pub fn list(&mut self, path: &str) -> Vec<String> {
        let fd = self.open(path, crate::linux::O_RDONLY | crate::linux::O_DIRECTORY, 0);
        assert!(fd >= 0, "open {path}: {fd}");
        let mut names = Vec::new();
        loop {
            let buf = self.alloc(100);
            let n = self.sys(Sys::Getdents64, [fd as u64, buf, 100]);
            assert!(n >= 0, "getdents64: {n}");
            if n == 0 {
                break;
            }
            let data = self.read(buf, n as u64);
            let mut off = 0;
            while off < data.len() {
                let reclen = u16::from_le_bytes([data[off + 16], data[off + 17]]) as usize;
                let name = &data[off + 19..off + reclen];
                let end = name.iter().position(|&b| b == 0).unwrap();
                names.push(String::from_utf8(name[..end].to_vec()).unwrap());
                off += reclen;
            }
        }
        assert_eq!(self.sys(Sys::Close, [fd as u64]), 0);
        names
    }
}

/// The fields of `struct stat` tests look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatView {
    pub dev: u64,
    pub ino: u64,
    pub mode: u32,
    pub nlink: u32,
    pub uid: u32,
    pub gid: u32,
    pub size: u64,
    pub blksize: u32,
    pub blocks: u64,
    pub mtime: i64,
}

impl StatView {
    /// Decodes `arch`'s `struct stat`.
    pub fn decode_for(arch: Arch, b: &[u8]) -> Self {
        match arch {
            Arch::Riscv64 => Self::decode(b),
            Arch::X86_64 => Self::decode_x86_64(b),
        }
    }

    /// Decodes x86_64's `struct stat`.
    pub fn decode_x86_64(b: &[u8]) -> Self {
        assert_eq!(b.len(), crate::x86_64::STAT_SIZE);
        let u64_at = |o: usize| u64::from_le_bytes(b[o..o + 8].try_into().unwrap());
        let u32_at = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap());
        StatView {
            dev: u64_at(0),
            ino: u64_at(8),
            nlink: u64_at(16) as u32,
            mode: u32_at(24),
            uid: u32_at(28),
            gid: u32_at(32),
            size: u64_at(48),
            blksize: u64_at(56) as u32,
            blocks: u64_at(64),
            mtime: u64_at(88) as i64,
        }
    }

    /// Decodes riscv64's `struct stat`.
    pub fn decode(b: &[u8]) -> Self {
        let u64_at = |o: usize| u64::from_le_bytes(b[o..o + 8].try_into().unwrap());
        let u32_at = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap());
        StatView {
            dev: u64_at(0),
            ino: u64_at(8),
            mode: u32_at(16),
            nlink: u32_at(20),
            uid: u32_at(24),
            gid: u32_at(28),
            size: u64_at(48),
            blksize: u32_at(56),
            blocks: u64_at(64),
            mtime: u64_at(88) as i64,
        }
    }
}

/// Linux errno as the raw negative return value.
pub fn err(e: crate::Errno) -> i64 {
    -(e.0 as i64)
}
