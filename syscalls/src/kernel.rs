//! The kernel: state of the one guest process and its entry points.

use std::collections::BTreeMap;

use crate::errno::{Errno, SysResult};
use crate::fd::{FdTable, FileRef, Object, OpenFile};
use crate::host::{Clock, FileType, Host, HostFd, OpenOptions};
use crate::image::{FileKind, Manifest, MANIFEST_VERSION};
use crate::linux::SigAction;
use crate::linux::{Timespec, O_RDWR, RLIMIT_NOFILE, RLIMIT_STACK, RLIM_INFINITY, RLIM_NLIMITS};
use crate::loader::{self, ElfInfo, ExecError, ReadAt, StackImage};
use crate::mem::GuestMem;
use crate::mm::{self, page_down, page_up, MemoryMap, VmaKind, STACK_SIZE};
use crate::vfs::{NodeKind, Pos, Resolved, Vfs, ROOT};
use c2w_isa::{Arch, Cpu};

/// Where the guest starts: its first instruction and stack pointer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Start {
    pub pc: u64,
    pub sp: u64,
    /// The program's ISA (from its ELF `e_machine`); system calls follow
    /// its conventions.
    pub arch: Arch,
}

/// What a syscall did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Continue; the value goes to the return register (a negative errno as
    /// two's complement on failure).
    Return(u64),
    /// The process exited with this status.
    Exit(i32),
}

/// Why the kernel could not be set up or the program not started.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("image manifest: version {found}, but this runtime reads version {expected}")]
    ManifestVersion { found: u32, expected: u32 },
    #[error("image manifest: {path}: {reason}")]
    Manifest { path: String, reason: &'static str },
    #[error("image manifest: the entrypoint is empty")]
    NoEntrypoint,
    #[error("entrypoint {0}: no such file in the image")]
    EntrypointMissing(String),
    #[error("{path}: {err}")]
    Exec { path: String, err: ExecError },
    #[error("{0}: the program and its stack do not fit in the guest address space")]
    NoRoom(String),
}

/// Signal state: dispositions, the blocked mask, the alternate stack.
#[derive(Debug, Clone)]
pub(crate) struct Signals {
    pub actions: [SigAction; 64],
    pub mask: u64,
    /// (sp, flags, size) of sigaltstack.
    pub altstack: Option<(u64, u32, u64)>,
}

/// The Linux kernel for one guest process, over host `H`.
pub struct Kernel<H: Host> {
    pub(crate) host: H,
    /// The guest's ISA: riscv64 until a program is loaded, then the
    /// program's. Struct layouts, `uname`, auxv and signal-stack sizes
    /// follow it.
    pub(crate) arch: Arch,
    pub(crate) manifest: Manifest,
    pub(crate) argv: Vec<String>,
    pub(crate) envp: Vec<String>,
    pub(crate) vfs: Vfs,
    pub(crate) fds: FdTable,
    pub(crate) mm: MemoryMap,
    pub(crate) cwd: Pos,
    pub(crate) umask: u32,
    pub(crate) strace: bool,
    pub(crate) tty: [bool; 3],
    pub(crate) signals: Signals,
    pub(crate) rlimits: [(u64, u64); RLIM_NLIMITS as usize],
    pub(crate) robust_list: (u64, u64),
    pub(crate) tid_address: u64,
    pub(crate) exit: Option<i32>,
    /// Process name (prctl PR_SET_NAME / PR_GET_NAME).
    pub(crate) comm: [u8; crate::sys::COMM_LEN],
    unimplemented: BTreeMap<u64, u64>,
}

/// `KEY` of a `KEY=VALUE` environment entry.
fn env_key(entry: &str) -> &str {
    entry.split_once('=').map_or(entry, |(k, _)| k)
}

/// The guest path a preopen named `name` is mounted at, if any.
fn mount_path(name: &str) -> Option<String> {
    let trimmed = name.trim_start_matches("./");
    match trimmed {
        "" | "." | "/" => None,
        p if p.starts_with('/') => Some(p.to_string()),
        p => Some(format!("/{p}")),
    }
}

/// Where the program's bytes come from.
enum Source {
    Tree(usize),
    Host { fd: HostFd, size: u64 },
}

/// Reads a tree file for the loader.
struct TreeFile<'a, H: Host> {
    vfs: &'a Vfs,
    host: &'a mut H,
    ino: usize,
}

impl<H: Host> ReadAt for TreeFile<'_, H> {
    fn size(&self) -> u64 {
        self.vfs.len(self.ino)
    }
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> SysResult<usize> {
        self.vfs.read(self.host, self.ino, offset, buf)
    }
}

/// Reads a host file for the loader.
struct HostFile<'a, H: Host> {
    host: &'a mut H,
    fd: HostFd,
    size: u64,
}

impl<H: Host> ReadAt for HostFile<'_, H> {
    fn size(&self) -> u64 {
        self.size
    }
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> SysResult<usize> {
        self.host.pread(self.fd, buf, offset)
    }
}

impl<H: Host> Kernel<H> {
    /// Sets up the process: the file tree from `manifest` plus the host's
    /// preopens, stdio, argv (entrypoint, then `wasi_args[1..]` or the
    /// manifest's cmd) and the environment (the manifest's, overridden by
    /// `wasi_env`). `C2W_STRACE=1` in `wasi_env` turns on syscall tracing.
    pub fn new(
        mut host: H,
        manifest: Manifest,
        wasi_args: Vec<String>,
        wasi_env: Vec<String>,
    ) -> Result<Self, Error> {
        if manifest.version != MANIFEST_VERSION {
            return Err(Error::ManifestVersion {
                found: manifest.version,
                expected: MANIFEST_VERSION,
            });
        }
        if manifest.entrypoint.is_empty() {
            return Err(Error::NoEntrypoint);
        }
        let short = manifest
            .files
            .iter()
            .find(|f| f.kind == FileKind::File && host.data_len(f.segment) < f.size);
        if let Some(f) = short {
            return Err(Error::Manifest {
                path: f.path.clone(),
                reason: "its data segment is shorter than its size",
            });
        }
        let now = Timespec::from_nanos(host.clock_time(Clock::Realtime).unwrap_or(0));
        let mut vfs = Vfs::from_manifest(&manifest, now).map_err(|e| Error::Manifest {
            path: e.path,
            reason: e.reason,
        })?;
        for (fd, name) in host.preopens() {
            if let Some(path) = mount_path(&name) {
                vfs.mount(fd, &path, now);
            }
        }
        let mut argv = manifest.entrypoint.clone();
        argv.extend(if wasi_args.len() > 1 {
            wasi_args[1..].to_vec()
        } else {
            manifest.cmd.clone()
        });
        let mut envp = manifest.env.clone();
        for entry in &wasi_env {
            match envp.iter_mut().find(|e| env_key(e) == env_key(entry)) {
                Some(e) => *e = entry.clone(),
                None => envp.push(entry.clone()),
            }
        }
        let argv0 = argv[0].clone();
        let strace = wasi_env.iter().any(|e| e == "C2W_STRACE=1");
        let tty = [0, 1, 2].map(|fd| host.isatty(fd));
        let mut rlimits = [(RLIM_INFINITY, RLIM_INFINITY); RLIM_NLIMITS as usize];
        rlimits[RLIMIT_STACK as usize] = (STACK_SIZE, RLIM_INFINITY);
        rlimits[RLIMIT_NOFILE as usize] = (1024, 4096);
        let mut fds = FdTable::new(1024);
        for fd in 0..3 {
            fds.insert(
                OpenFile::new(
                    Object::Stdio(fd),
                    O_RDWR,
                    format!("/dev/std{}", ["in", "out", "err"][fd as usize]),
                ),
                false,
            )
            .expect("stdio fits");
        }
        let mut kernel = Kernel {
            host,
            arch: Arch::Riscv64,
            manifest,
            argv,
            envp,
            vfs,
            fds,
            mm: MemoryMap::new(0).expect("empty map fits"),
            cwd: Pos::Tree(ROOT),
            umask: 0o022,
            strace,
            tty,
            signals: Signals {
                actions: [SigAction::default(); 64],
                mask: 0,
                altstack: None,
            },
            rlimits,
            robust_list: (0, 0),
            tid_address: 0,
            exit: None,
            comm: crate::sys::comm_of(&argv0),
            unimplemented: BTreeMap::new(),
        };
        kernel.cwd = kernel.initial_cwd(now);
        Ok(kernel)
    }

    /// The manifest's working directory, created in the tree if missing
    /// (as container runtimes do).
    fn initial_cwd(&mut self, now: Timespec) -> Pos {
        let workdir = self.manifest.workdir.clone();
        match self
            .vfs
            .resolve(&mut self.host, &Pos::Tree(ROOT), &workdir, true)
            .map(|l| l.res)
        {
            Ok(Resolved::Node { ino, .. }) if self.vfs.node(ino).as_dir().is_some() => {
                Pos::Tree(ino)
            }
            Ok(Resolved::Host { mount, path }) => Pos::Host {
                mount,
                path: if path == "." { String::new() } else { path },
            },
            _ => self
                .vfs
                .ensure_dir(&workdir, now)
                .map_or(Pos::Tree(ROOT), Pos::Tree),
        }
    }

    /// Finds the entrypoint like a container runtime: a path with a slash
    /// as is (relative to the working directory), a bare name on `PATH`.
    fn find_entrypoint(&mut self, name: &str) -> Option<(String, Resolved)> {
        let candidates: Vec<String> = if name.contains('/') {
            vec![name.to_string()]
        } else {
            let path = self
                .envp
                .iter()
                .find(|e| env_key(e) == "PATH")
                .and_then(|e| e.split_once('='))
                .map(|(_, v)| v);
            path.unwrap_or("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
                .split(':')
                .map(|dir| match dir {
                    "" => format!("./{name}"),
                    dir => format!("{}/{name}", dir.trim_end_matches('/')),
                })
                .collect()
        };
        let cwd = self.cwd.clone();
        candidates.into_iter().find_map(|c| {
            let res = self.vfs.resolve(&mut self.host, &cwd, &c, true).ok()?.res;
            match res {
                Resolved::Node { .. } => Some((c, res)),
                Resolved::Host { .. } if name.contains('/') || self.host_exists(&res) => {
                    Some((c, res))
                }
                _ => None,
            }
        })
    }

    fn host_exists(&mut self, r: &Resolved) -> bool {
        match r {
            Resolved::Host { mount, path } => self
                .host
                .stat(self.vfs.mounts[*mount].fd, path, true)
                .is_ok(),
            _ => false,
        }
    }

    /// Loads the entrypoint like execve and builds its initial stack.
    pub fn start(&mut self) -> Result<Start, Error> {
        let name = self.argv[0].clone();
        let exec_err = |err| Error::Exec {
            path: name.clone(),
            err,
        };
        let (path, target) = self
            .find_entrypoint(&name)
            .ok_or_else(|| Error::EntrypointMissing(name.clone()))?;
        let source = match target {
            Resolved::Node { ino, .. } => match &self.vfs.node(ino).kind {
                NodeKind::File(_) => Source::Tree(ino),
                NodeKind::Dir(_) => return Err(exec_err(ExecError::IsDir)),
                _ => return Err(exec_err(ExecError::NotRegular)),
            },
            Resolved::Host { mount, path: rel } => {
                let dir = self.vfs.mounts[mount].fd;
                let opts = OpenOptions {
                    read: true,
                    follow: true,
                    ..Default::default()
                };
                let fd = self
                    .host
                    .open(dir, &rel, &opts)
                    .map_err(|e| exec_err(ExecError::Read(e)))?;
                match self.host.fstat(fd) {
                    Ok(st) if st.kind == FileType::Regular => Source::Host { fd, size: st.size },
                    other => {
                        self.host.close(fd);
                        return Err(exec_err(match other {
                            Ok(st) if st.kind == FileType::Directory => ExecError::IsDir,
                            Ok(_) => ExecError::NotRegular,
                            Err(e) => ExecError::Read(e),
                        }));
                    }
                }
            }
            Resolved::Missing { .. } => return Err(Error::EntrypointMissing(name.clone())),
        };
        let result = self.exec(&name, &path, &source);
        if let Source::Host { fd, .. } = source {
            self.host.close(fd);
        }
        result
    }

    /// A reader of the program's file.
    fn reader(&mut self, source: &Source) -> Box<dyn ReadAt + '_> {
        match *source {
            Source::Tree(ino) => Box::new(TreeFile {
                vfs: &self.vfs,
                host: &mut self.host,
                ino,
            }),
            Source::Host { fd, size } => Box::new(HostFile {
                host: &mut self.host,
                fd,
                size,
            }),
        }
    }

    /// execve's work once the program file is found: `name` as the guest
    /// named it (for messages), `path` where it was found.
    fn exec(&mut self, name: &str, path: &str, source: &Source) -> Result<Start, Error> {
        let exec_err = |err| Error::Exec {
            path: name.to_string(),
            err,
        };
        let elf = loader::parse_elf(&mut *self.reader(source)).map_err(exec_err)?;
        self.arch = elf.arch;
        let mem = self.load(name, &elf)?;
        copy_segments(&elf, &mut *self.reader(source), &mem)
            .map_err(|e| exec_err(ExecError::Read(e)))?;
        let exe = match source {
            Source::Tree(_) => self.vfs.canonical(path),
            Source::Host { .. } => None,
        };
        self.vfs.set_exe(exe.as_deref().unwrap_or(path));
        self.finish_start(name, path, &elf)
    }

    /// Sets up the memory map for `elf` and makes its range addressable;
    /// returns the resulting view of guest memory.
    fn load(&mut self, path: &str, elf: &ElfInfo) -> Result<GuestMem, Error> {
        let no_room = || Error::NoRoom(path.to_string());
        let (lo, hi) = elf.extent();
        self.mm = MemoryMap::new(hi).ok_or_else(no_room)?;
        self.mm
            .fresh(&mut self.host, page_down(lo), page_up(hi) - page_down(lo))
            .map_err(|_| no_room())?;
        for s in &elf.segments {
            let start = page_down(s.vaddr);
            self.mm.insert(
                start,
                page_up(s.vaddr + s.memsz) - start,
                s.prot,
                VmaKind::Elf,
            );
        }
        Ok(self.mem())
    }

    /// Builds the stack once the segments are in place; `path` becomes
    /// AT_EXECFN.
    fn finish_start(&mut self, name: &str, path: &str, elf: &ElfInfo) -> Result<Start, Error> {
        let top = self.mm.stack_top();
        self.mm
            .fresh(&mut self.host, top - STACK_SIZE, STACK_SIZE)
            .map_err(|_| Error::NoRoom(name.to_string()))?;
        let mut random = [0u8; 16];
        self.host.random(&mut random);
        let img = StackImage {
            arch: self.arch,
            argv: &self.argv,
            envp: &self.envp,
            execfn: path,
            elf,
            random,
        };
        let sp =
            loader::build_stack(&self.mem(), top, STACK_SIZE, &img).map_err(|err| Error::Exec {
                path: name.to_string(),
                err,
            })?;
        self.mm.take_code_changed();
        Ok(Start {
            pc: elf.entry,
            sp,
            arch: self.arch,
        })
    }

    /// Runs riscv64 syscall `nr` with arguments a0..a5.
    pub fn syscall_riscv64(&mut self, nr: u64, args: [u64; 6]) -> Outcome {
        self.syscall_on(Arch::Riscv64, nr, args, &mut Cpu::default())
    }

    /// Runs the system call in `cpu`'s registers (the convention of
    /// `arch`) and puts its result in the result register. Some calls
    /// change more of the CPU state (`arch_prctl`).
    pub fn syscall(&mut self, arch: Arch, cpu: &mut Cpu) -> Outcome {
        let abi = arch.syscall_abi();
        let nr = cpu.x[usize::from(abi.nr)];
        let args = abi.args.map(|r| cpu.x[usize::from(r)]);
        let outcome = self.syscall_on(arch, nr, args, cpu);
        if let Outcome::Return(v) = outcome {
            cpu.x[usize::from(abi.ret)] = v;
        }
        outcome
    }

    /// Runs syscall `nr` of `arch` with its six arguments, for `cpu`
    /// (whose registers other than the arguments only `arch_prctl` reads
    /// or changes). `arch` is the loaded program's ([`Kernel::arch`]).
    pub fn syscall_on(&mut self, arch: Arch, nr: u64, args: [u64; 6], cpu: &mut Cpu) -> Outcome {
        debug_assert_eq!(
            arch, self.arch,
            "a syscall of another ISA than the program's"
        );
        let sys = crate::abi::sys(arch, nr);
        let result = match sys {
            Some(sys) => self.dispatch(sys, args, cpu),
            None => {
                *self.unimplemented.entry(nr).or_default() += 1;
                Err(Errno::ENOSYS)
            }
        };
        if self.strace {
            let line = crate::strace::format_call(sys, nr, &args, &result, &self.mem());
            let _ = self.host.write(2, format!("{line}\n").as_bytes());
        }
        if let Some(status) = self.exit.take() {
            if self.strace {
                self.report_unimplemented();
            }
            return Outcome::Exit(status);
        }
        Outcome::Return(match result {
            Ok(v) => v,
            Err(e) => e.to_raw(),
        })
    }

    /// Guest address 0 in this process's memory, and how many bytes from it
    /// are addressable.
    pub fn guest_memory(&self) -> (*mut u8, u64) {
        self.host.guest_memory()
    }

    /// Once after changes to the memory map that may have replaced code:
    /// the guest addresses they span (the interpreter then flushes its
    /// decode cache, and translated code of that range is dropped).
    pub fn take_code_changed(&mut self) -> Option<std::ops::Range<u64>> {
        self.mm.take_code_changed()
    }

    /// Tells stderr which syscalls the guest asked for that the kernel lacks
    /// (they returned -ENOSYS), e.g. `c2w-aot: unimplemented syscalls: 999 (2 calls)`.
    fn report_unimplemented(&mut self) {
        if self.unimplemented.is_empty() {
            return;
        }
        let calls: Vec<String> = self
            .unimplemented
            .iter()
            .map(|(nr, n)| format!("{nr} ({n} call{})", if *n == 1 { "" } else { "s" }))
            .collect();
        let line = format!("c2w-aot: unimplemented syscalls: {}\n", calls.join(", "));
        let _ = self.host.write(2, line.as_bytes());
    }

    /// How many syscalls returned -ENOSYS because the kernel lacks them.
    pub fn unimplemented_count(&self) -> u64 {
        self.unimplemented.values().sum()
    }

    /// Unimplemented syscall numbers and how often each was called.
    pub fn unimplemented(&self) -> &BTreeMap<u64, u64> {
        &self.unimplemented
    }

    /// The guest's ISA: the loaded program's (riscv64 before one is).
    pub fn arch(&self) -> Arch {
        self.arch
    }

    /// Sets the guest's ISA without loading a program (tests that issue
    /// system calls directly).
    pub fn set_arch(&mut self, arch: Arch) {
        self.arch = arch;
    }

    /// The guest's argv.
    pub fn argv(&self) -> &[String] {
        &self.argv
    }

    /// The guest's environment.
    pub fn envp(&self) -> &[String] {
        &self.envp
    }

    /// The host.
    pub fn host(&self) -> &H {
        &self.host
    }

    /// The host, writable.
    pub fn host_mut(&mut self) -> &mut H {
        &mut self.host
    }

    /// The file tree.
    pub fn vfs(&self) -> &Vfs {
        &self.vfs
    }

    /// The memory map.
    pub fn memory_map(&self) -> &MemoryMap {
        &self.mm
    }

    /// Guest memory as the kernel sees it.
    pub(crate) fn mem(&self) -> GuestMem {
        mm::guest_mem(&self.host)
    }

    /// Current wall-clock time.
    pub(crate) fn now(&mut self) -> Timespec {
        Timespec::from_nanos(self.host.clock_time(Clock::Realtime).unwrap_or(0))
    }

    /// The open file of `fd`.
    pub(crate) fn file(&self, fd: u64) -> SysResult<FileRef> {
        self.fds.file(fd as i32)
    }
}

/// Copies each segment's file bytes to its place in guest memory (the rest
/// of the segment, bss, is fresh and so zero).
fn copy_segments(elf: &ElfInfo, file: &mut dyn ReadAt, mem: &GuestMem) -> SysResult<()> {
    for s in &elf.segments {
        let buf = mem.bytes_mut(s.vaddr, s.filesz)?;
        file.read_exact_at(s.offset, buf)?;
    }
    Ok(())
}
