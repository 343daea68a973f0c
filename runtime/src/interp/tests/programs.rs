//! Whole programs, assembled and linked at test time with the riscv64 GNU
//! binutils (a test prints a notice and passes vacuously when they are not
//! installed), run by `Interp`.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use c2w_isa::Trap;

use crate::interp::fp::NX;
use c2w_isa::riscv64::Riscv64;

use crate::interp::{Cpu, Exit, GuestMem, Interp};

/// Where programs are loaded.
const BASE: u64 = 0x1000;
/// Size of the guest memory.
const MEM_SIZE: usize = 0x10000;

const A0: usize = 10;
const A1: usize = 11;
const A2: usize = 12;
const A3: usize = 13;
const A4: usize = 14;
const A7: usize = 17;

/// Assembles `src` (RV64GC) to flat binary, or `None` when the toolchain
/// is missing.
fn assemble(src: &str) -> Option<Vec<u8>> {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let n = COUNT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("c2w-interp-test-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let result = assemble_in(&dir, src);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn assemble_in(dir: &Path, src: &str) -> Option<Vec<u8>> {
    let path = |name: &str| dir.join(name).into_os_string().into_string().unwrap();
    let (asm, obj, elf, bin) = (path("t.s"), path("t.o"), path("t.elf"), path("t.bin"));
    std::fs::write(&asm, src).unwrap();
    let text = format!("-Ttext={BASE:#x}");
    let steps: [(&str, &[&str]); 3] = [
        ("riscv64-linux-gnu-as", &["-march=rv64gc", &asm, "-o", &obj]),
        (
            "riscv64-linux-gnu-ld",
            &[&text, "-e", &text[7..], &obj, "-o", &elf],
        ),
        (
            "riscv64-linux-gnu-objcopy",
            &["-O", "binary", "-j", ".text", &elf, &bin],
        ),
    ];
    for (tool, args) in steps {
        let out = match Command::new(tool).args(args).output() {
            Ok(out) => out,
            Err(e) => {
                eprintln!("skipping: cannot run {tool} ({e})");
                return None;
            }
        };
        assert!(
            out.status.success(),
            "{tool} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Some(std::fs::read(&bin).unwrap())
}

/// A guest: CPU, memory with the program at `BASE`, and an interpreter.
struct Machine {
    cpu: Cpu,
    mem: Vec<u8>,
    interp: Interp<Riscv64>,
    /// What the clock reads, in nanoseconds.
    ns: u64,
}

impl Machine {
    fn new(code: &[u8]) -> Machine {
        let mut mem = vec![0; MEM_SIZE];
        mem[BASE as usize..][..code.len()].copy_from_slice(code);
        let mut cpu = Cpu::new(BASE);
        cpu.x[2] = MEM_SIZE as u64 - 16;
        Machine {
            cpu,
            mem,
            interp: Interp::new(),
            ns: 0,
        }
    }

    /// Assembles `src` into a new machine, or `None` without assembler.
    fn with(src: &str) -> Option<Machine> {
        assemble(src).map(|code| Machine::new(&code))
    }

    fn run(&mut self) -> Exit<Riscv64> {
        let ns = self.ns;
        self.interp.run(
            &mut self.cpu,
            GuestMem::new(&mut self.mem),
            &mut || ns,
            None,
        )
    }

    /// The address of the end of the program (`len` bytes long).
    fn end(len: usize) -> u64 {
        BASE + len as u64
    }
}

#[test]
fn a_loop_sums_numbers() {
    let src = "
        li a0, 0
        li t0, 1
        li t1, 100
    1:  add a0, a0, t0
        addi t0, t0, 1
        ble t0, t1, 1b
        li a7, 93
        ecall
    end:";
    let Some(code) = assemble(src) else { return };
    let mut m = Machine::new(&code);
    assert_eq!(m.run(), Exit::Syscall);
    assert_eq!((m.cpu.x[A0], m.cpu.x[A7]), (5050, 93));
    assert_eq!(m.cpu.pc, Machine::end(code.len()));
    assert_eq!(m.cpu.instret, 3 + 100 * 3 + 2);
}

#[test]
fn recursive_calls_use_the_stack() {
    let src = "
        li a0, 15
        call fib
        ecall
    fib:
        li t0, 2
        blt a0, t0, 1f
        addi sp, sp, -16
        sd ra, 8(sp)
        sd a0, 0(sp)
        addi a0, a0, -1
        call fib
        ld t1, 0(sp)
        sd a0, 0(sp)
        addi a0, t1, -2
        call fib
        ld t1, 0(sp)
        add a0, a0, t1
        ld ra, 8(sp)
        addi sp, sp, 16
    1:  ret";
    let Some(mut m) = Machine::with(src) else {
        return;
    };
    assert_eq!(m.run(), Exit::Syscall);
    assert_eq!(m.cpu.x[A0], 610);
    assert_eq!(m.cpu.x[2], MEM_SIZE as u64 - 16);
}

#[test]
fn a_system_call_resumes_at_the_next_instruction() {
    let src = "
        li a7, 1
        ecall
        addi a7, a7, 1
        ecall";
    let Some(mut m) = Machine::with(src) else {
        return;
    };
    assert_eq!(m.run(), Exit::Syscall);
    assert_eq!(m.cpu.x[A7], 1);
    m.cpu.x[A0] = 77; // the syscall's result
    assert_eq!(m.run(), Exit::Syscall);
    assert_eq!((m.cpu.x[A7], m.cpu.x[A0]), (2, 77));
}

/// Floating point under each dynamic rounding mode: `a1` selects it.
#[test]
fn float_sequence_under_each_rounding_mode() {
    let src = "
        csrw frm, a1
        li t0, 1
        li t1, 3
        fcvt.d.w ft0, t0
        fcvt.d.w ft1, t1
        fdiv.d fa0, ft0, ft1
        fneg.d ft2, ft0
        fdiv.d fa1, ft2, ft1
        fcvt.s.w ft3, t0
        fcvt.s.w ft4, t1
        fdiv.s fa2, ft3, ft4
        li t2, 2
        fcvt.d.w ft5, t2
        fsqrt.d fa3, ft5
        li t3, 5
        fcvt.d.w ft6, t3
        fdiv.d ft6, ft6, ft5
        fcvt.w.d a2, ft6
        frflags a3
        frrm a4
        ecall";
    let Some(code) = assemble(src) else { return };
    // Per rounding mode: 1/3 and -1/3 (double), 1/3 (single), sqrt(2)
    // (double), 2.5 to int32.
    let expected: [(u64, u64, u64, u64, u64); 5] = [
        (
            0x3fd5555555555555,
            0xbfd5555555555555,
            0x3eaaaaab,
            0x3ff6a09e667f3bcd,
            2,
        ),
        (
            0x3fd5555555555555,
            0xbfd5555555555555,
            0x3eaaaaaa,
            0x3ff6a09e667f3bcc,
            2,
        ),
        (
            0x3fd5555555555555,
            0xbfd5555555555556,
            0x3eaaaaaa,
            0x3ff6a09e667f3bcc,
            2,
        ),
        (
            0x3fd5555555555556,
            0xbfd5555555555555,
            0x3eaaaaab,
            0x3ff6a09e667f3bcd,
            3,
        ),
        (
            0x3fd5555555555555,
            0xbfd5555555555555,
            0x3eaaaaab,
            0x3ff6a09e667f3bcd,
            3,
        ),
    ];
    for (rm, (third, minus_third, third_s, sqrt2, half5)) in expected.into_iter().enumerate() {
        let mut m = Machine::new(&code);
        m.cpu.x[A1] = rm as u64;
        assert_eq!(m.run(), Exit::Syscall);
        let f = &m.cpu.f;
        assert_eq!(
            [f[10], f[11], f[12], f[13]],
            [third, minus_third, 0xffff_ffff_0000_0000 | third_s, sqrt2],
            "rm {rm}"
        );
        assert_eq!(m.cpu.x[A2], half5, "rm {rm}");
        assert_eq!((m.cpu.x[A3], m.cpu.x[A4]), (NX, rm as u64), "rm {rm}");
    }
}

/// A dynamic rounding mode with a reserved `frm` is an illegal instruction,
/// which does not execute.
#[test]
fn a_reserved_dynamic_rounding_mode_traps() {
    let src = "
        csrw frm, a1
        fdiv.d fa0, fa1, fa2
        ecall";
    let Some(mut m) = Machine::with(src) else {
        return;
    };
    m.cpu.x[A1] = 5;
    m.cpu.f[11] = 1f64.to_bits();
    m.cpu.f[12] = 3f64.to_bits();
    let pc = BASE + 4;
    match m.run() {
        Exit::Trap {
            trap: Trap::IllegalInstruction,
            pc: p,
            inst,
        } => {
            assert_eq!(p, pc);
            assert!(inst.to_string().starts_with("fdiv.d"), "{inst}");
        }
        exit => panic!("unexpected {exit:?}"),
    }
    assert_eq!(
        (m.cpu.pc, m.cpu.f[10], m.cpu.fflags, m.cpu.instret),
        (pc, 0, 0, 1)
    );
}

#[test]
fn ebreak_and_illegal_encodings_trap() {
    // Both assemble to compressed instructions.
    let Some(mut m) = Machine::with("nop\n ebreak\n .word 0") else {
        return;
    };
    assert!(matches!(m.run(), Exit::Trap { trap: Trap::Breakpoint, pc, .. } if pc == BASE + 2));
    m.cpu.pc += 2;
    assert!(
        matches!(m.run(), Exit::Trap { trap: Trap::IllegalInstruction, pc, .. } if pc == BASE + 4)
    );
}

#[test]
fn out_of_range_accesses_fault_without_effect() {
    let src = "
        li t0, 0x20000
        li a0, 7
        ld a0, 0(t0)
        sd a0, -8(t0)";
    let Some(mut m) = Machine::with(src) else {
        return;
    };
    let load_pc = BASE + 6;
    assert_eq!(
        m.run(),
        Exit::Fault {
            addr: 0x20000,
            pc: load_pc
        }
    );
    // The instructions before the load in its block retired.
    assert_eq!((m.cpu.pc, m.cpu.x[A0], m.cpu.instret), (load_pc, 7, 2));
    // Skip the load: the store's last byte is out of range.
    m.cpu.pc += 4;
    m.cpu.x[5] = MEM_SIZE as u64 + 7;
    assert_eq!(
        m.run(),
        Exit::Fault {
            addr: MEM_SIZE as u64 - 1,
            pc: load_pc + 4
        }
    );
    assert_eq!(m.mem[MEM_SIZE - 1], 0);
}

#[test]
fn jumping_outside_memory_is_a_fetch_fault() {
    let Some(mut m) = Machine::with("li t0, 0x20000\n jr t0") else {
        return;
    };
    assert_eq!(m.run(), Exit::Fetch { pc: 0x20000 });
    assert_eq!(m.cpu.pc, 0x20000);
}

/// A 32-bit instruction whose second half is past the end cannot be
/// fetched; a compressed one in the last two bytes runs.
#[test]
fn instructions_at_the_end_of_memory() {
    let end = MEM_SIZE as u64;
    let mut m = Machine::new(&[]);
    m.mem[MEM_SIZE - 2..].copy_from_slice(&[0x13, 0x00]);
    m.cpu.pc = end - 2;
    assert_eq!(m.run(), Exit::Fetch { pc: end - 2 });
    m.mem[MEM_SIZE - 2..].copy_from_slice(&[0x01, 0x00]); // c.nop
    assert_eq!(m.run(), Exit::Fetch { pc: end });
    assert_eq!(m.cpu.instret, 1);
}

#[test]
fn counters_read_time_and_retired_instructions() {
    let src = "
        nop
        nop
        rdinstret a1
        rdtime a0
        rdcycle a2
        ecall";
    let Some(mut m) = Machine::with(src) else {
        return;
    };
    m.ns = 5_000_000_123;
    assert_eq!(m.run(), Exit::Syscall);
    assert_eq!([m.cpu.x[A0], m.cpu.x[A1], m.cpu.x[A2]], [50_000_001, 2, 4]);
}

#[test]
fn atomics() {
    let src = "
        la t0, data
        li t1, 5
        sd t1, 0(t0)
        lr.d a0, (t0)
        addi a0, a0, 1
        sc.d a1, a0, (t0)
        sc.d a2, a0, (t0)
        li t2, 10
        amoadd.d a3, t2, (t0)
        ld a4, 0(t0)
        ecall
        .balign 8
    data:
        .dword 0";
    let Some(mut m) = Machine::with(src) else {
        return;
    };
    assert_eq!(m.run(), Exit::Syscall);
    let x = &m.cpu.x;
    assert_eq!([x[A0], x[A1], x[A2], x[A3], x[A4]], [6, 0, 1, 6, 16]);
}

/// Code that rewrites an instruction it already ran sees the new one after
/// `fence.i`.
#[test]
fn fence_i_makes_modified_code_visible() {
    let src = "
        li a0, 0
        li t2, 0
        la t0, patch
        lw t1, new
        .option norvc
    patch:
        addi a0, a0, 1
        .option rvc
        addi t2, t2, 1
        li t3, 2
        beq t2, t3, 1f
        sw t1, 0(t0)
        fence.i
        j patch
    1:  ecall
        .balign 4
    new:
        addi a0, a0, 100";
    let Some(mut m) = Machine::with(src) else {
        return;
    };
    assert_eq!(m.run(), Exit::Syscall);
    assert_eq!(m.cpu.x[A0], 101);
}

/// After `Interp::flush`, code changed by the runtime is decoded afresh.
#[test]
fn flush_forgets_decoded_instructions() {
    let (Some(one), Some(two)) = (assemble("li a0, 1\n ecall"), assemble("li a0, 2\n ecall"))
    else {
        return;
    };
    let mut m = Machine::new(&one);
    assert_eq!(m.run(), Exit::Syscall);
    assert_eq!(m.cpu.x[A0], 1);
    m.mem[BASE as usize..][..two.len()].copy_from_slice(&two);
    m.interp.flush();
    m.cpu.pc = BASE;
    assert_eq!(m.run(), Exit::Syscall);
    assert_eq!(m.cpu.x[A0], 2);
}

#[test]
fn single_precision_values_are_nan_boxed() {
    let src = "
        la t0, data
        flw ft0, 0(t0)
        flw ft1, 4(t0)
        fadd.s fa0, ft0, ft1
        fsw fa0, 8(t0)
        lwu a0, 8(t0)
        fmv.x.w a1, fa0
        ecall
        .balign 4
    data:
        .float 1.5, -4.0, 0";
    let Some(mut m) = Machine::with(src) else {
        return;
    };
    assert_eq!(m.run(), Exit::Syscall);
    assert_eq!(m.cpu.f[10], 0xffff_ffff_c020_0000);
    assert_eq!(
        (m.cpu.x[A0], m.cpu.x[A1]),
        (0xc020_0000, 0xffff_ffff_c020_0000)
    );
    assert_eq!(m.cpu.fflags, 0);
}
