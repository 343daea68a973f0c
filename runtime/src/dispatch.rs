//! The dispatcher: starts the guest and runs it until it exits.
//!
//! `loop { run translated code while the pc is a translated entry; run the
//! interpreter until it leaves (a syscall, a fault) or reaches a translated
//! entry; serve the syscall or report the fault }`.

use c2w_isa::riscv64::Riscv64;
use c2w_isa::x86_64::X86_64;
use c2w_isa::{Isa, Trap};
use c2w_syscalls::host::{Clock, Host};
use c2w_syscalls::image::{Manifest, MANIFEST_SEGMENT};
use c2w_syscalls::kernel::{Kernel, Outcome};
use c2w_syscalls::layout::{
    Links, EXIT_BAIL, EXIT_INTERPRET, MMAP_MIN_ADDR, SYSCALL_CONTINUE, SYSCALL_LEAVE,
};

use crate::interp::{Cpu, Eval, Exit, GuestMem, Interp};
use crate::translated::{self, Stats, Translated, Why, STACK_BUDGET};

/// Exit status when the image cannot be started (like a shell's "cannot
/// execute").
const STATUS_CANNOT_START: i32 = 126;
/// Exit statuses of a guest killed by a signal, as a shell reports them.
const STATUS_SIGILL: i32 = 128 + 4;
const STATUS_SIGTRAP: i32 = 128 + 5;
const STATUS_SIGFPE: i32 = 128 + 8;
const STATUS_SIGSEGV: i32 = 128 + 11;

/// Runs the image's entrypoint on `host`; returns the exit status.
pub fn run<H: Host>(mut host: H, args: Vec<String>, env: Vec<String>) -> i32 {
    let manifest = match read_manifest(&mut host) {
        Ok(m) => m,
        Err(e) => return fail(&e),
    };
    match manifest.arch.as_str() {
        "riscv64" => run_isa::<H, Riscv64>(host, manifest, args, env),
        "x86_64" => run_isa::<H, X86_64>(host, manifest, args, env),
        other => fail(&format!("image manifest: unknown guest ISA {other:?}")),
    }
}

/// Runs the image's entrypoint, whose ISA is `I`.
fn run_isa<H: Host, I: Isa>(
    mut host: H,
    manifest: Manifest,
    args: Vec<String>,
    env: Vec<String>,
) -> i32 {
    let translated = match &manifest.translation {
        Some(t) if !manifest.interp_only => match Translated::load(&mut host, t) {
            Ok(t) => t,
            Err(e) => return fail(&e),
        },
        _ => Translated::none(),
    };
    let stats = env.iter().any(|e| e == "C2W_STATS=1");
    let mut kernel = match Kernel::new(host, manifest, args, env) {
        Ok(k) => k,
        Err(e) => return fail(&e.to_string()),
    };
    let start = match kernel.start() {
        Ok(s) => s,
        Err(e) => return fail(&e.to_string()),
    };
    // SAFETY: the kernel has mapped the guest, so memory reaches past the
    // shared page. The dispatcher only ever makes short-lived references to
    // it, never across a call into translated code (which changes it).
    let (cpu, links) = unsafe { translated::shared() };
    let mut dispatcher = Dispatcher::<H, I> {
        kernel,
        interp: Interp::new(),
        translated,
        stats: Stats {
            enabled: stats,
            ..Stats::default()
        },
        cpu,
        links,
    };
    {
        let cpu = dispatcher.cpu();
        *cpu = Cpu::new(start.pc);
        cpu.x[usize::from(I::SYSCALL.sp)] = start.sp;
        I::reset(cpu);
    }
    *dispatcher.links() = Links::default();
    let links = dispatcher.links;
    // SAFETY: as above.
    dispatcher.translated.publish(unsafe { &mut *links });
    let status = dispatcher.run();
    if stats {
        let instret = dispatcher.cpu().instret;
        let links = *dispatcher.links();
        eprintln!("{}", dispatcher.stats.report(instret, &links));
    }
    status
}

struct Dispatcher<H: Host, I: Isa> {
    kernel: Kernel<H>,
    interp: Interp<I>,
    translated: Translated,
    stats: Stats,
    /// The shared page (see [`translated::shared`]).
    cpu: *mut Cpu,
    links: *mut Links,
}

/// What a system call made of the run.
enum Served {
    /// Go on.
    Continue,
    /// Go on, but translated code must leave first: code changed.
    CodeChanged,
    /// The program exited with this status.
    Exit(i32),
}

impl<H: Host, I: Isa> Dispatcher<H, I> {
    fn cpu(&mut self) -> &mut Cpu {
        // SAFETY: see `run`; `&mut self` keeps this reference unique.
        unsafe { &mut *self.cpu }
    }

    fn links(&mut self) -> &mut Links {
        // SAFETY: as for `cpu`.
        unsafe { &mut *self.links }
    }

    fn run(&mut self) -> i32 {
        loop {
            let exit = match self.run_translated() {
                Ok(()) => self.interpret(),
                Err(status) => return status,
            };
            let status = match exit {
                Exit::Translated => {
                    self.stats.why = Why::Interpreter;
                    continue;
                }
                Exit::Syscall => match self.serve_syscall() {
                    Served::Exit(status) => return status,
                    Served::Continue | Served::CodeChanged => {
                        self.stats.why = Why::Other;
                        continue;
                    }
                },
                Exit::Trap {
                    trap: Trap::IllegalInstruction,
                    pc,
                    inst,
                } => {
                    eprintln!("c2w-aot: illegal instruction at {pc:#x}: {inst}");
                    STATUS_SIGILL
                }
                Exit::Trap {
                    trap: Trap::Breakpoint,
                    pc,
                    ..
                } => {
                    eprintln!("c2w-aot: breakpoint at {pc:#x}");
                    STATUS_SIGTRAP
                }
                Exit::Trap {
                    trap: Trap::DivideError,
                    pc,
                    inst,
                } => {
                    eprintln!("c2w-aot: divide error at {pc:#x}: {inst}");
                    STATUS_SIGFPE
                }
                Exit::Fault { addr, pc } => {
                    eprintln!("c2w-aot: segmentation fault: access to {addr:#x} at pc {pc:#x}");
                    STATUS_SIGSEGV
                }
                Exit::Fetch { pc } => {
                    eprintln!("c2w-aot: segmentation fault: jump to unmapped address {pc:#x}");
                    STATUS_SIGSEGV
                }
            };
            return status;
        }
    }

    /// Serves the system call in the guest registers (the ISA's convention).
    fn serve_syscall(&mut self) -> Served {
        // SAFETY: see `run`; the kernel does not reach the shared page.
        let cpu = unsafe { &mut *self.cpu };
        match self.kernel.syscall(I::ARCH, cpu) {
            Outcome::Return(_) => {}
            Outcome::Exit(status) => return Served::Exit(status),
        }
        match self.kernel.take_code_changed() {
            Some(range) => {
                self.interp.flush();
                let links = self.links;
                // SAFETY: see `run`.
                self.translated
                    .code_changed(range.start, range.end, unsafe { &mut *links });
                Served::CodeChanged
            }
            None => Served::Continue,
        }
    }

    /// Runs translated code while the pc is a translated entry. `Ok` when
    /// the interpreter must go on from `cpu.pc`; the exit status when the
    /// program exited in a system call of translated code.
    fn run_translated(&mut self) -> Result<(), i32> {
        let mut exited = None;
        loop {
            let pc = self.cpu().pc;
            if !self.translated.is_entry(pc) {
                self.stats.interpreting();
                break;
            }
            self.links().budget = STACK_BUDGET;
            self.settle();
            self.stats.entries += 1;
            self.stats.entered();
            // System calls of translated code come back here.
            let mut serve = || match self.serve_syscall() {
                Served::Continue => SYSCALL_CONTINUE,
                Served::CodeChanged => SYSCALL_LEAVE,
                Served::Exit(status) => {
                    exited = Some(status);
                    SYSCALL_LEAVE
                }
            };
            let next = translated::enter_with_syscalls(pc, &mut serve);
            if let Some(status) = exited {
                return Err(status);
            }
            match next {
                // Translated code has set cpu.pc to the call it gave up on.
                EXIT_BAIL => self.stats.why = Why::Bail,
                next if next & EXIT_INTERPRET != 0 => {
                    self.stats.handed_over += 1;
                    self.stats.why = Why::Other;
                    self.cpu().pc = next & !EXIT_INTERPRET;
                    return Ok(());
                }
                next => {
                    self.stats.why = Why::Returned;
                    self.stats.left(pc, next);
                    self.cpu().pc = next;
                }
            }
        }
        Ok(())
    }

    /// Brings the CPU state to the form translated code expects at its
    /// entries (`Isa::settle`).
    fn settle(&mut self) {
        let mut clock = || 0;
        let mut eval = Eval::new(self.cpu(), GuestMem::new(&mut []), &mut clock);
        I::settle(&mut eval);
    }

    /// Interprets from `cpu.pc` (at least one block) until the guest leaves
    /// the interpreter or reaches a translated entry.
    fn interpret(&mut self) -> Exit<I> {
        let (base, len) = self.kernel.guest_memory();
        // SAFETY: the kernel's guest memory stays valid and unaliased while
        // the interpreter runs; it only changes inside syscalls.
        let mem = unsafe { GuestMem::from_raw(base, MMAP_MIN_ADDR, len) };
        // SAFETY: see `run`; nothing else uses the CPU state meanwhile.
        let cpu = unsafe { &mut *self.cpu };
        let before = cpu.instret;
        let pc = cpu.pc;
        let translated = &self.translated;
        let mut is_entry = |pc| translated.is_entry(pc);
        let entries: Option<&mut dyn FnMut(u64) -> bool> = if translated.enabled() {
            Some(&mut is_entry)
        } else {
            None
        };
        let kernel = &mut self.kernel;
        let mut clock = || kernel.host_mut().clock_time(Clock::Monotonic).unwrap_or(0);
        let exit = self.interp.run(cpu, mem, &mut clock, entries);
        let ran = cpu.instret.wrapping_sub(before);
        self.stats.interpreted += ran;
        if self.stats.enabled {
            *self.stats.interpreted_at.entry(pc).or_default() += ran;
        }
        exit
    }
}

/// Reads the image manifest from data segment 0.
fn read_manifest<H: Host>(host: &mut H) -> Result<Manifest, String> {
    let len = host.data_len(MANIFEST_SEGMENT) as usize;
    let mut bytes = vec![0u8; len];
    host.data_read(MANIFEST_SEGMENT, 0, &mut bytes);
    serde_json::from_slice(&bytes).map_err(|e| format!("image manifest: {e}"))
}

fn fail(msg: &str) -> i32 {
    eprintln!("c2w-aot: {msg}");
    STATUS_CANNOT_START
}
