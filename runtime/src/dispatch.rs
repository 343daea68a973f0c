//! The dispatcher: starts the guest and runs it until it exits.
//!
//! `loop { run guest code until it leaves; serve the syscall or report the
//! fault }`. Guest code runs in the interpreter; translated code will take
//! over here once the lifter exists, with the interpreter as its fallback.

use c2w_isa::Trap;
use c2w_syscalls::host::{Clock, Host};
use c2w_syscalls::image::{Manifest, MANIFEST_SEGMENT};
use c2w_syscalls::kernel::{Kernel, Outcome};
use c2w_syscalls::layout::MMAP_MIN_ADDR;

use crate::interp::{Cpu, Exit, GuestMem, Interp};

/// Exit status when the image cannot be started (like a shell's "cannot
/// execute").
const STATUS_CANNOT_START: i32 = 126;
/// Exit statuses of a guest killed by a signal, as a shell reports them.
const STATUS_SIGILL: i32 = 128 + 4;
const STATUS_SIGTRAP: i32 = 128 + 5;
const STATUS_SIGSEGV: i32 = 128 + 11;

/// riscv64 registers of the syscall ABI.
const REG_A0: usize = 10;
const REG_A7: usize = 17;
const REG_SP: usize = 2;

/// Runs the image's entrypoint on `host`; returns the exit status.
pub fn run<H: Host>(mut host: H, args: Vec<String>, env: Vec<String>) -> i32 {
    let manifest = match read_manifest(&mut host) {
        Ok(m) => m,
        Err(e) => return fail(&e),
    };
    let mut kernel = match Kernel::new(host, manifest, args, env) {
        Ok(k) => k,
        Err(e) => return fail(&e.to_string()),
    };
    let start = match kernel.start() {
        Ok(s) => s,
        Err(e) => return fail(&e.to_string()),
    };
    let mut cpu = Cpu::new(start.pc);
    cpu.x[REG_SP] = start.sp;
    run_loop(&mut kernel, &mut cpu)
}

fn run_loop<H: Host>(kernel: &mut Kernel<H>, cpu: &mut Cpu) -> i32 {
    let mut interp = Interp::new();
    loop {
        let (base, len) = kernel.guest_memory();
        // SAFETY: the kernel's guest memory stays valid and unaliased while
        // the interpreter runs; it only changes inside syscalls.
        let mem = unsafe { GuestMem::from_raw(base, MMAP_MIN_ADDR, len) };
        let exit = {
            let mut clock = || kernel.host_mut().clock_time(Clock::Monotonic).unwrap_or(0);
            interp.run(cpu, mem, &mut clock)
        };
        match exit {
            Exit::Syscall => {
                let nr = cpu.x[REG_A7];
                let mut args = [0u64; 6];
                args.copy_from_slice(&cpu.x[REG_A0..REG_A0 + 6]);
                match kernel.syscall_riscv64(nr, args) {
                    Outcome::Return(v) => cpu.x[REG_A0] = v,
                    Outcome::Exit(status) => return status,
                }
                if kernel.take_code_changed() {
                    interp.flush();
                }
            }
            Exit::Trap {
                trap: Trap::IllegalInstruction,
                pc,
                inst,
            } => {
                eprintln!("c2w-aot: illegal instruction at {pc:#x}: {inst}");
                return STATUS_SIGILL;
            }
            Exit::Trap {
                trap: Trap::Breakpoint,
                pc,
                ..
            } => {
                eprintln!("c2w-aot: breakpoint at {pc:#x}");
                return STATUS_SIGTRAP;
            }
            Exit::Fault { addr, pc } => {
                eprintln!("c2w-aot: segmentation fault: access to {addr:#x} at pc {pc:#x}");
                return STATUS_SIGSEGV;
            }
            Exit::Fetch { pc } => {
                eprintln!("c2w-aot: segmentation fault: jump to unmapped address {pc:#x}");
                return STATUS_SIGSEGV;
            }
        }
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
