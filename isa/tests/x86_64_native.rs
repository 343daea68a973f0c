//! Differential tests of the x86_64 integer semantics against the machine
//! running the tests (an x86_64 host): random instruction sequences run
//! natively in-process and on a concrete backend, in both of the modes a
//! backend can be in (interpreter: every value known; lifter: only
//! constants), and their registers, flags and memory compared.
//!
//! The generator is a table: every encoding (iced-x86 `Code`) of the
//! mnemonics in [`GENERIC`], with random operands of the kinds its opcode
//! describes, plus hand-written templates for what needs set-up (the stack,
//! calls, string instructions).
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

#[path = "common/x86_machine.rs"]
mod x86_machine;

use c2w_isa::x86_64::decode;
use c2w_isa::Trap;
use iced_x86::code_asm::{self as asm, CodeAssembler, CodeLabel};
use iced_x86::{
    Code, EncodingKind, Instruction, MemoryOperand, Mnemonic, OpCodeOperandKind, Register,
    RepPrefixKind, RflagsBits,
};
use x86_machine::{Mode, Stop, X86Machine};

/// A small deterministic generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
    /// A value biased towards the edges of every width.
    fn value(&mut self) -> u64 {
        const EDGES: [u64; 16] = [
            0,
            1,
            2,
            u64::MAX,
            0x7f,
            0x80,
            0xff,
            0x7fff,
            0x8000,
            0xffff,
            0x7fff_ffff,
            0x8000_0000,
            0xffff_ffff,
            i64::MAX as u64,
            i64::MIN as u64,
            0x1_0000_0000,
        ];
        match self.below(8) {
            0 | 1 => self.pick(&EDGES),
            2 => self.below(64),
            3 => self
                .pick(&EDGES)
                .wrapping_add(self.below(5))
                .wrapping_sub(2),
            4 => self.next() >> self.below(64),
            5 => (self.next() as i64 >> self.below(64)) as u64,
            _ => self.next(),
        }
    }
}

// ---------------------------------------------------------------------------
// Running code natively.

/// What the trampoline loads before and stores after the code under test.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
struct NativeState {
    regs: [u64; 16],
    rflags: u64,
}

/// An anonymous read-write-execute mapping (a raw `mmap` system call: the
/// tests use no libc crate).
fn map_rwx(len: usize) -> *mut u8 {
    let ret: isize;
    // SAFETY: mmap with no address hint and an anonymous private mapping
    // has no effect on existing memory.
    unsafe {
        core::arch::asm!(
            "syscall",
            inlateout("rax") 9isize => ret,
            in("rdi") 0usize,
            in("rsi") len,
            in("rdx") 7usize,
            in("r10") 0x22usize,
            in("r8") -1isize,
            in("r9") 0usize,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    assert!(ret > 0, "mmap failed: {ret}");
    ret as *mut u8
}

const PAGE: usize = 1 << 16;

/// A test program: prologue, the code under test (`start..end`), epilogue.
struct Program {
    bytes: Vec<u8>,
    start: u64,
    end: u64,
}

/// Builds a program at `base` around the instructions `body` emits; `body`
/// gets the label of the end of the code under test.
fn build(
    base: u64,
    body: &mut dyn FnMut(&mut CodeAssembler, CodeLabel) -> Result<(), iced_x86::IcedError>,
) -> Result<Program, iced_x86::IcedError> {
    use asm::*;
    let mut a = CodeAssembler::new(64)?;
    let mut host_rsp = a.create_label();
    let mut state_ptr = a.create_label();
    let mut tmp = a.create_label();
    let mut start = a.create_label();
    let mut end = a.create_label();
    for r in [rbx, rbp, r12, r13, r14, r15] {
        a.push(r)?;
    }
    a.mov(qword_ptr(host_rsp), rsp)?;
    a.mov(qword_ptr(state_ptr), rdi)?;
    a.push(qword_ptr(rdi + 128))?;
    a.popfq()?;
    let all = [
        rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15,
    ];
    for (n, &r) in all.iter().enumerate() {
        if n != 7 {
            a.mov(r, qword_ptr(rdi + 8 * n))?;
        }
    }
    a.mov(rdi, qword_ptr(rdi + 56))?;
    a.set_label(&mut start)?;
    body(&mut a, end)?;
    a.set_label(&mut end)?;
    a.mov(qword_ptr(tmp), rax)?;
    a.mov(rax, qword_ptr(state_ptr))?;
    for (n, &r) in all.iter().enumerate().skip(1) {
        a.mov(qword_ptr(rax + 8 * n), r)?;
    }
    a.mov(rcx, qword_ptr(tmp))?;
    a.mov(qword_ptr(rax), rcx)?;
    a.mov(rsp, qword_ptr(host_rsp))?;
    a.pushfq()?;
    a.pop(rcx)?;
    a.mov(qword_ptr(rax + 128), rcx)?;
    a.cld()?;
    for r in [r15, r14, r13, r12, rbp, rbx] {
        a.pop(r)?;
    }
    a.ret()?;
    for l in [&mut host_rsp, &mut state_ptr, &mut tmp] {
        a.set_label(l)?;
        a.dq(&[0])?;
    }
    let out = a.assemble_options(
        base,
        iced_x86::BlockEncoderOptions::RETURN_NEW_INSTRUCTION_OFFSETS,
    )?;
    let start = out.label_ip(&start)?;
    let end = out.label_ip(&end)?;
    Ok(Program {
        bytes: out.inner.code_buffer,
        start,
        end,
    })
}

/// Where a test's memory lives: code page, data buffer, stack buffer.
struct Arena {
    code: *mut u8,
    data: Vec<u64>,
    stack: Vec<u64>,
}

const DATA_WORDS: usize = 512;
const STACK_WORDS: usize = 256;

impl Arena {
    fn new() -> Arena {
        Arena {
            code: map_rwx(PAGE),
            data: vec![0; DATA_WORDS],
            stack: vec![0; STACK_WORDS],
        }
    }
    fn code_base(&self) -> u64 {
        self.code as u64
    }
    /// The middle of the data buffer, 16-byte aligned.
    fn data_mid(&self) -> u64 {
        (self.data.as_ptr() as u64 + (DATA_WORDS as u64 * 4)) & !15
    }
    fn stack_mid(&self) -> u64 {
        (self.stack.as_ptr() as u64 + (STACK_WORDS as u64 * 4)) & !15
    }
    fn bytes(v: &[u64]) -> Vec<u8> {
        v.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    /// Runs `p` natively from `input`.
    fn run(&mut self, p: &Program, input: &NativeState) -> NativeState {
        assert!(p.bytes.len() <= PAGE);
        // SAFETY: the page is ours and large enough.
        unsafe { core::ptr::copy_nonoverlapping(p.bytes.as_ptr(), self.code, p.bytes.len()) };
        let mut state = *input;
        // SAFETY: the program is the trampoline built by `build`, which
        // saves and restores the callee-saved registers and the host stack
        // pointer; the code under test only touches the arena (the
        // reference run checked that first).
        unsafe {
            let f: extern "sysv64" fn(*mut NativeState) = core::mem::transmute(self.code);
            f(&mut state);
        }
        state
    }
}

// ---------------------------------------------------------------------------
// Comparing.

/// iced-x86's flag bits as RFLAGS bits.
fn rflags_of(iced: u32) -> u64 {
    let mut w = 0;
    for (i, r) in [
        (RflagsBits::CF, 1u64),
        (RflagsBits::PF, 1 << 2),
        (RflagsBits::AF, 1 << 4),
        (RflagsBits::ZF, 1 << 6),
        (RflagsBits::SF, 1 << 7),
        (RflagsBits::OF, 1 << 11),
        (RflagsBits::DF, 1 << 10),
    ] {
        if iced & i != 0 {
            w |= r;
        }
    }
    w
}

const CHECKED_FLAGS: u64 = 0x8d5 | 1 << 10;

struct Case {
    program: Program,
    input: NativeState,
    data: Vec<u64>,
    stack: Vec<u64>,
    /// Flags the code leaves undefined.
    undefined: u64,
    text: String,
}

#[derive(Default, Debug)]
struct Counts {
    compared: u64,
    divide_errors: u64,
    mismatches: u64,
}

/// Runs `case` on the reference machine in `mode`; `None` when it raised a
/// divide error (checked separately).
fn emulate(arena: &Arena, case: &Case, mode: Mode) -> Result<X86Machine, Stop> {
    let mut m = X86Machine::new(mode);
    for r in 0..16 {
        m.set_reg(r, case.input.regs[r]);
    }
    m.set_rflags(case.input.rflags);
    m.regions = vec![
        (arena.code_base(), case.program.bytes.clone()),
        (arena.data.as_ptr() as u64, Arena::bytes(&case.data)),
        (arena.stack.as_ptr() as u64, Arena::bytes(&case.stack)),
    ];
    m.run(
        &case.program.bytes,
        arena.code_base(),
        case.program.start,
        case.program.end,
    )?;
    Ok(m)
}

/// Runs `case` natively and on the machine in both modes; compares.
fn check(arena: &mut Arena, case: &Case, counts: &mut Counts, report: &mut Vec<String>) {
    let mut results = Vec::new();
    for mode in [Mode::Interp, Mode::Lifter] {
        match emulate(arena, case, mode) {
            Ok(m) => results.push(m),
            Err(Stop::Trap(Trap::DivideError, _)) if mode == Mode::Interp => {
                counts.divide_errors += 1;
                return;
            }
            Err(e) => {
                counts.mismatches += 1;
                report.push(format!("{}: stopped in {mode:?}: {e:?}", case.text));
                return;
            }
        }
    }
    arena.data.copy_from_slice(&case.data);
    arena.stack.copy_from_slice(&case.stack);
    let native = arena.run(&case.program, &case.input);
    let data = Arena::bytes(&arena.data);
    let stack = Arena::bytes(&arena.stack);
    let mask = CHECKED_FLAGS & !case.undefined;
    for (mode, m) in [Mode::Interp, Mode::Lifter]
        .into_iter()
        .zip(results.iter_mut())
    {
        counts.compared += 1;
        let mut diffs = Vec::new();
        for r in 0..16 {
            if m.reg(r) != native.regs[r] {
                diffs.push(format!(
                    "r{r}: {:#x} (native {:#x})",
                    m.reg(r),
                    native.regs[r]
                ));
            }
        }
        let f = m.rflags();
        if (f ^ native.rflags) & mask != 0 {
            diffs.push(format!(
                "rflags {:#x} (native {:#x}, checked {mask:#x})",
                f & mask,
                native.rflags & mask
            ));
        }
        if m.regions[1].1 != data {
            let at = (0..data.len()).find(|&k| m.regions[1].1[k] != data[k]);
            diffs.push(format!("data memory differs at byte {at:?}"));
        }
        if m.regions[2].1 != stack {
            let at = (0..stack.len()).find(|&k| m.regions[2].1[k] != stack[k]);
            diffs.push(format!("stack memory differs at byte {at:?}"));
        }
        if !diffs.is_empty() {
            counts.mismatches += 1;
            if report.len() < 40 {
                report.push(format!(
                    "{} [{mode:?}] in {:x?} flags {:#x}: {}",
                    case.text,
                    case.input.regs,
                    case.input.rflags,
                    diffs.join(", ")
                ));
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Generating.

/// The mnemonics generated from their opcode tables.
const GENERIC: &[Mnemonic] = {
    use Mnemonic::*;
    &[
        Add,
        Or,
        Adc,
        Sbb,
        And,
        Sub,
        Xor,
        Cmp,
        Test,
        Inc,
        Dec,
        Neg,
        Not,
        Mov,
        Movzx,
        Movsx,
        Movsxd,
        Lea,
        Xchg,
        Bswap,
        Cbw,
        Cwde,
        Cdqe,
        Cwd,
        Cdq,
        Cqo,
        Mul,
        Imul,
        Div,
        Idiv,
        Shl,
        Sal,
        Shr,
        Sar,
        Rol,
        Ror,
        Rcl,
        Rcr,
        Shld,
        Shrd,
        Bt,
        Bts,
        Btr,
        Btc,
        Bsf,
        Bsr,
        Tzcnt,
        Lzcnt,
        Popcnt,
        Cmpxchg,
        Cmpxchg8b,
        Cmpxchg16b,
        Xadd,
        Lahf,
        Sahf,
        Clc,
        Stc,
        Cmc,
        Cld,
        Std,
        Seto,
        Setno,
        Setb,
        Setae,
        Sete,
        Setne,
        Setbe,
        Seta,
        Sets,
        Setns,
        Setp,
        Setnp,
        Setl,
        Setge,
        Setle,
        Setg,
        Cmovo,
        Cmovno,
        Cmovb,
        Cmovae,
        Cmove,
        Cmovne,
        Cmovbe,
        Cmova,
        Cmovs,
        Cmovns,
        Cmovp,
        Cmovnp,
        Cmovl,
        Cmovge,
        Cmovle,
        Cmovg,
        Nop,
        Pause,
        Lfence,
        Mfence,
        Sfence,
        Prefetchnta,
        Prefetcht0,
        Prefetcht1,
        Prefetcht2,
        Prefetchw,
        Endbr64,
        Movnti,
    ]
};

/// Mnemonics a `lock` prefix is valid on (with a memory destination).
const LOCKABLE: &[Mnemonic] = {
    use Mnemonic::*;
    &[
        Add, Adc, And, Btc, Btr, Bts, Cmpxchg, Cmpxchg8b, Cmpxchg16b, Dec, Inc, Neg, Not, Or, Sbb,
        Sub, Xadd, Xchg, Xor,
    ]
};

/// Every 64-bit-mode legacy encoding of the generic mnemonics whose
/// operands the generator can make.
fn generic_codes() -> Vec<Code> {
    Code::values()
        .filter(|c| {
            let op = c.op_code();
            op.is_instruction()
                && op.mode64()
                && op.encoding() == EncodingKind::Legacy
                && GENERIC.contains(&c.mnemonic())
                && (0..op.op_count()).all(|n| supported(op.op_kind(n)))
        })
        .collect()
}

fn supported(k: OpCodeOperandKind) -> bool {
    use OpCodeOperandKind as K;
    matches!(
        k,
        K::r8_or_mem
            | K::r16_or_mem
            | K::r32_or_mem
            | K::r64_or_mem
            | K::mem
            | K::r8_reg
            | K::r8_opcode
            | K::r16_reg
            | K::r16_rm
            | K::r16_opcode
            | K::r32_reg
            | K::r32_rm
            | K::r32_opcode
            | K::r64_reg
            | K::r64_rm
            | K::r64_opcode
            | K::al
            | K::cl
            | K::ax
            | K::eax
            | K::rax
            | K::imm8
            | K::imm8_const_1
            | K::imm8sex16
            | K::imm8sex32
            | K::imm8sex64
            | K::imm16
            | K::imm32
            | K::imm32sex64
            | K::imm64
    )
}

/// Registers that hold memory bases: never implicit operands of the
/// generic instructions.
const BASES: [usize; 7] = [5, 6, 7, 12, 13, 14, 15];

/// One generated operand.
#[derive(Clone, Copy)]
enum Opnd {
    R(Register),
    M(MemoryOperand),
    I(i64),
}

fn gpr(size: u32, index: usize) -> Register {
    let base = match size {
        1 => Register::AL,
        2 => Register::AX,
        4 => Register::EAX,
        _ => Register::RAX,
    };
    // iced's registers of one size are consecutive: al..r15b (without the
    // high-byte ones, which come after bl? no: al cl dl bl ah ch dh bh spl..),
    // so byte registers are looked up by name.
    if size == 1 {
        const B: [Register; 16] = [
            Register::AL,
            Register::CL,
            Register::DL,
            Register::BL,
            Register::SPL,
            Register::BPL,
            Register::SIL,
            Register::DIL,
            Register::R8L,
            Register::R9L,
            Register::R10L,
            Register::R11L,
            Register::R12L,
            Register::R13L,
            Register::R14L,
            Register::R15L,
        ];
        return B[index];
    }
    Register::values()
        .find(|r| r.size() == base.size() && r.number() == index && r.is_gpr())
        .unwrap()
}

/// A random register of `size` bytes other than rsp and `avoid`.
fn random_reg(rng: &mut Rng, size: u32, avoid: usize) -> Register {
    loop {
        let k = rng.below(16) as usize;
        if k == 4 || k == avoid {
            continue;
        }
        if size == 1 && k < 4 && rng.chance(3) {
            // ah, ch, dh, bh.
            const H: [Register; 4] = [Register::AH, Register::CH, Register::DH, Register::BH];
            return H[k];
        }
        return gpr(size, k);
    }
}

/// A random instance of `code` with memory operands based on register
/// `base`.
fn instance(rng: &mut Rng, code: Code, base: usize) -> Option<Instruction> {
    use OpCodeOperandKind as K;
    let op = code.op_code();
    let mem_disp = |rng: &mut Rng| {
        if matches!(code.mnemonic(), Mnemonic::Cmpxchg16b) {
            (rng.below(8) as i64 - 4) * 16
        } else {
            rng.below(112) as i64 - 56
        }
    };
    let mut ops = Vec::new();
    for n in 0..op.op_count() {
        let k = op.op_kind(n);
        let size = match k {
            K::r8_or_mem | K::r8_reg | K::r8_opcode => 1,
            K::r16_or_mem | K::r16_reg | K::r16_rm | K::r16_opcode => 2,
            K::r32_or_mem | K::r32_reg | K::r32_rm | K::r32_opcode => 4,
            _ => 8,
        };
        let o = match k {
            K::r8_or_mem | K::r16_or_mem | K::r32_or_mem | K::r64_or_mem | K::mem => {
                if k == K::mem || rng.chance(2) {
                    let b = gpr(8, base);
                    Opnd::M(MemoryOperand::with_base_displ(b, mem_disp(rng)))
                } else {
                    Opnd::R(random_reg(rng, size, base))
                }
            }
            K::al => Opnd::R(Register::AL),
            K::cl => Opnd::R(Register::CL),
            K::ax => Opnd::R(Register::AX),
            K::eax => Opnd::R(Register::EAX),
            K::rax => Opnd::R(Register::RAX),
            K::imm8_const_1 => Opnd::I(1),
            K::imm8 => Opnd::I(if rng.chance(4) {
                rng.below(4) as i64
            } else {
                rng.below(256) as i64
            }),
            K::imm8sex16 | K::imm8sex32 | K::imm8sex64 => Opnd::I(rng.value() as i8 as i64),
            K::imm16 => Opnd::I(rng.value() as u16 as i64),
            K::imm32 | K::imm32sex64 => Opnd::I(rng.value() as i32 as i64),
            K::imm64 => Opnd::I(rng.value() as i64),
            _ => Opnd::R(random_reg(rng, size, base)),
        };
        ops.push(o);
    }
    use Opnd::*;
    let i = match ops.as_slice() {
        [] => Instruction::with(code),
        [R(r)] => Instruction::with1(code, *r).ok()?,
        [M(m)] => Instruction::with1(code, *m).ok()?,
        [I(x)] => Instruction::with1(code, *x as i32).ok()?,
        [R(r), R(s)] => Instruction::with2(code, *r, *s).ok()?,
        [R(r), M(m)] => Instruction::with2(code, *r, *m).ok()?,
        [M(m), R(r)] => Instruction::with2(code, *m, *r).ok()?,
        [R(r), I(x)] if code.op_code().op_kind(1) == K::imm64 => {
            Instruction::with2(code, *r, *x).ok()?
        }
        [R(r), I(x)] => Instruction::with2(code, *r, *x as i32).ok()?,
        [M(m), I(x)] => Instruction::with2(code, *m, *x as i32).ok()?,
        [R(r), R(s), R(t)] => Instruction::with3(code, *r, *s, *t).ok()?,
        [R(r), R(s), I(x)] => Instruction::with3(code, *r, *s, *x as i32).ok()?,
        [R(r), M(m), I(x)] => Instruction::with3(code, *r, *m, *x as i32).ok()?,
        [M(m), R(r), R(s)] => Instruction::with3(code, *m, *r, *s).ok()?,
        [M(m), R(r), I(x)] => Instruction::with3(code, *m, *r, *x as i32).ok()?,
        _ => return None,
    };
    let mut i = i;
    if LOCKABLE.contains(&code.mnemonic()) && ops.first().is_some_and(|o| matches!(o, M(_))) {
        i.set_has_lock_prefix(rng.chance(4));
    }
    Some(i)
}

/// Random register inputs; register `base` points into the data buffer.
fn random_input(rng: &mut Rng, arena: &Arena, base: usize) -> NativeState {
    let mut s = NativeState::default();
    for r in 0..16 {
        s.regs[r] = rng.value();
    }
    s.regs[4] = arena.stack_mid();
    s.regs[base] = arena.data_mid();
    s.rflags = (rng.next() & 0x8d5) | 2;
    s
}

fn random_words(rng: &mut Rng, n: usize) -> Vec<u64> {
    (0..n).map(|_| rng.value()).collect()
}

/// Whether the manual defines what `i` does for every input its case can
/// give it (`alone`: the inputs are set up for it, not computed by earlier
/// instructions).
fn defined(i: &Instruction, alone: bool) -> bool {
    use iced_x86::OpKind;
    let m = i.mnemonic();
    if matches!(m, Mnemonic::Shld | Mnemonic::Shrd) && i.op1_register().size() == 2 {
        // 16-bit double shifts by more than 16 have no defined result.
        return match i.op2_kind() {
            OpKind::Register => alone,
            _ => i.immediate8() & 31 <= 16,
        };
    }
    if matches!(
        m,
        Mnemonic::Bt | Mnemonic::Bts | Mnemonic::Btr | Mnemonic::Btc
    ) && i.op0_kind() == OpKind::Memory
        && i.op1_kind() == OpKind::Register
    {
        // The bit offset must keep the access in the buffer.
        return alone;
    }
    true
}

/// Shifts and rotates: flags they leave may be the ones before them.
fn keeps_flags_sometimes(m: Mnemonic) -> bool {
    use Mnemonic::*;
    matches!(
        m,
        Shl | Sal | Shr | Sar | Rol | Ror | Rcl | Rcr | Shld | Shrd
    )
}

/// Emits a conditional or counting branch to `target`.
fn emit_branch(
    a: &mut CodeAssembler,
    rng: &mut Rng,
    target: CodeLabel,
    flag_free: bool,
) -> Result<(), iced_x86::IcedError> {
    let k = if flag_free {
        rng.pick(&[16, 17, 20])
    } else {
        rng.below(21)
    };
    a.set_prefer_short_branch(rng.chance(2));
    match k {
        0 => a.jo(target)?,
        1 => a.jno(target)?,
        2 => a.jb(target)?,
        3 => a.jae(target)?,
        4 => a.je(target)?,
        5 => a.jne(target)?,
        6 => a.jbe(target)?,
        7 => a.ja(target)?,
        8 => a.js(target)?,
        9 => a.jns(target)?,
        10 => a.jp(target)?,
        11 => a.jnp(target)?,
        12 => a.jl(target)?,
        13 => a.jge(target)?,
        14 => a.jle(target)?,
        15 => a.jg(target)?,
        16 => a.jrcxz(target)?,
        17 => a.loop_(target)?,
        18 => a.loope(target)?,
        19 => a.loopne(target)?,
        _ => a.jmp(target)?,
    }
    a.set_prefer_short_branch(true);
    Ok(())
}

/// A random sequence of `n` generic instructions (and branches to the end)
/// whose flag readers never read a flag an earlier one left undefined.
fn generic_case(rng: &mut Rng, arena: &Arena, codes: &[Code], n: usize) -> Case {
    let base = rng.pick(&BASES);
    let mut insts = Vec::new();
    // Flags undefined at this point, and at every exit.
    let mut undefined = 0u64;
    let mut exits = 0u64;
    while insts.len() < n {
        if !insts.is_empty() && rng.chance(4) {
            // A branch to the end, reading only defined flags.
            insts.push(Err(undefined));
            exits |= undefined;
            continue;
        }
        let code = rng.pick(codes);
        let Some(i) = instance(rng, code, base) else {
            continue;
        };
        if !defined(&i, n == 1) {
            continue;
        }
        if rflags_of(i.rflags_read()) & undefined != 0 {
            continue;
        }
        let modified = rflags_of(i.rflags_modified());
        let und = rflags_of(i.rflags_undefined());
        if !keeps_flags_sometimes(i.mnemonic()) {
            undefined &= !modified;
        }
        undefined |= und;
        insts.push(Ok(i));
    }
    exits |= undefined;
    let seed = rng.next();
    let program = build(arena.code_base(), &mut |a, end| {
        let mut r = Rng(seed);
        for i in &insts {
            match i {
                Ok(i) => a.add_instruction(*i)?,
                Err(und) => emit_branch(a, &mut r, end, *und != 0)?,
            }
        }
        Ok(())
    });
    let Ok(program) = program else {
        // An operand combination the assembler rejects: try another.
        return generic_case(rng, arena, codes, n);
    };
    let text = disassemble_range(&program, arena.code_base());
    let mut input = random_input(rng, arena, base);
    if insts
        .iter()
        .flatten()
        .any(|i| matches!(i.mnemonic(), Mnemonic::Div | Mnemonic::Idiv))
        && rng.chance(2)
    {
        // Small dividends (or rdx the sign of rax) so that most divide.
        input.regs[2] = if rng.chance(2) {
            0
        } else {
            (input.regs[0] as i64 >> 63) as u64
        };
    }
    if insts.iter().flatten().any(|i| {
        matches!(
            i.mnemonic(),
            Mnemonic::Bt | Mnemonic::Bts | Mnemonic::Btr | Mnemonic::Btc
        ) && i.op0_kind() == iced_x86::OpKind::Memory
    }) {
        // Bit offsets that stay within the data buffer.
        for r in 0..16 {
            if r != 4 && r != base {
                input.regs[r] = (rng.below(1024) as i64 - 512) as u64;
            }
        }
    }
    if insts.iter().flatten().any(|i| {
        matches!(i.mnemonic(), Mnemonic::Shld | Mnemonic::Shrd) && i.op1_register().size() == 2
    }) {
        // 16-bit double shifts by at most 16.
        input.regs[1] = input.regs[1] & !31 | rng.below(17);
    }
    Case {
        program,
        input,
        data: random_words(rng, DATA_WORDS),
        stack: random_words(rng, STACK_WORDS),
        undefined: exits,
        text,
    }
}

fn disassemble_range(p: &Program, base: u64) -> String {
    let mut out = String::new();
    let mut pc = p.start;
    while pc < p.end {
        let Some(i) = decode(&p.bytes[(pc - base) as usize..], pc) else {
            break;
        };
        out += &format!("{i}; ");
        pc += u64::from(i.len());
    }
    out
}

/// `n` in optimised builds, a quarter of it in debug builds.
fn scaled(n: usize) -> usize {
    if cfg!(debug_assertions) {
        n / 4
    } else {
        n
    }
}

fn finish(name: &str, counts: &Counts, report: &[String]) {
    eprintln!("{name}: {counts:?}");
    for r in report {
        eprintln!("  {r}");
    }
    assert_eq!(counts.mismatches, 0, "{name}: mismatches (see above)");
}

#[test]
fn every_generic_encoding_matches_the_cpu() {
    let codes = generic_codes();
    assert!(codes.len() > 300, "only {} encodings", codes.len());
    let mut arena = Arena::new();
    let mut rng = Rng(1);
    let (mut counts, mut report) = (Counts::default(), Vec::new());
    for &code in &codes {
        for _ in 0..scaled(150) {
            let case = generic_case_of(&mut rng, &arena, code);
            check(&mut arena, &case, &mut counts, &mut report);
        }
    }
    finish("single instructions", &counts, &report);
}

/// One instance of `code`, sometimes with a flag reader after it.
fn generic_case_of(rng: &mut Rng, arena: &Arena, code: Code) -> Case {
    generic_case(rng, arena, &[code], 1)
}

#[test]
fn random_sequences_match_the_cpu() {
    let codes = generic_codes();
    let mut arena = Arena::new();
    let mut rng = Rng(2);
    let (mut counts, mut report) = (Counts::default(), Vec::new());
    for _ in 0..scaled(40_000) {
        let n = 2 + rng.below(4) as usize;
        let case = generic_case(&mut rng, &arena, &codes, n);
        check(&mut arena, &case, &mut counts, &mut report);
    }
    finish("sequences", &counts, &report);
}

/// Every generic encoding decodes as implemented (not illegal).
#[test]
fn generic_encodings_are_implemented() {
    let mut rng = Rng(3);
    let arena = Arena::new();
    let mut missing = Vec::new();
    for code in generic_codes() {
        for _ in 0..20 {
            let Some(i) = instance(&mut rng, code, 5) else {
                continue;
            };
            let mut e = iced_x86::Encoder::new(64);
            if e.encode(&i, arena.code_base()).is_err() {
                continue;
            }
            let bytes = e.take_buffer();
            let d = decode(&bytes, arena.code_base()).unwrap();
            if d.is_illegal() {
                missing.push(format!("{code:?}: {d}"));
            }
            break;
        }
    }
    assert!(missing.is_empty(), "not implemented: {missing:#?}");
}

// ---------------------------------------------------------------------------
// Templates.

/// A case from a hand-written body; `setup` adjusts the inputs.
fn template_case(
    rng: &mut Rng,
    arena: &Arena,
    name: &str,
    undefined: u64,
    body: &mut dyn FnMut(&mut CodeAssembler, CodeLabel) -> Result<(), iced_x86::IcedError>,
    setup: &mut dyn FnMut(&mut Rng, &mut NativeState, &mut Vec<u64>),
) -> Case {
    let program = build(arena.code_base(), body).expect("template assembles");
    let base = 5;
    let mut input = random_input(rng, arena, base);
    let mut data = random_words(rng, DATA_WORDS);
    setup(rng, &mut input, &mut data);
    let text = format!("{name}: {}", disassemble_range(&program, arena.code_base()));
    Case {
        program,
        input,
        data,
        stack: random_words(rng, STACK_WORDS),
        undefined,
        text,
    }
}

#[test]
fn stack_and_calls_match_the_cpu() {
    use asm::*;
    let mut arena = Arena::new();
    let mut rng = Rng(4);
    let (mut counts, mut report) = (Counts::default(), Vec::new());
    for round in 0..scaled(3000) {
        let seed = rng.next();
        let kind = round % 8;
        let mut r = Rng(seed);
        let regs64 = [
            rax, rcx, rdx, rbx, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15,
        ];
        let regs16 = [
            ax, cx, dx, bx, si, di, r8w, r9w, r10w, r11w, r12w, r13w, r14w, r15w,
        ];
        let mut body = |a: &mut CodeAssembler, end: CodeLabel| -> Result<(), iced_x86::IcedError> {
            match kind {
                0 => {
                    // pushes and pops of every form.
                    for _ in 0..1 + r.below(5) {
                        match r.below(11) {
                            0 => a.push(r.pick(&regs64))?,
                            1 => a.push(r.pick(&regs16))?,
                            2 => a.push(rsp)?,
                            3 => a.push(r.value() as i32)?,
                            4 => a.add_instruction(
                                Instruction::with1(Code::Push_imm16, r.value() as u16 as u32)
                                    .unwrap(),
                            )?,
                            5 => a.push(qword_ptr(rbp + (r.below(64) as i32 - 32)))?,
                            6 => a.push(word_ptr(rbp + (r.below(64) as i32 - 32)))?,
                            7 => a.pop(r.pick(&regs64))?,
                            8 => a.pop(r.pick(&regs16))?,
                            9 => a.pop(qword_ptr(rbp + (r.below(64) as i32 - 32)))?,
                            _ => a.pop(qword_ptr(rsp + 8))?,
                        }
                    }
                }
                1 => {
                    // pushf; popf of a chosen word; pop rsp.
                    a.pushfq()?;
                    a.push((r.next() & 0xcd5) as i32)?;
                    a.popfq()?;
                    a.pushfq()?;
                    a.pop(rax)?;
                    if r.chance(2) {
                        a.lahf()?;
                    }
                    if r.chance(3) {
                        a.pop(rsp)?;
                    }
                }
                2 => {
                    // A direct call and a return (with an immediate).
                    let mut f = a.create_label();
                    let imm = r.below(3) * 8;
                    for _ in 0..imm / 8 {
                        a.push(r.value() as i32)?;
                    }
                    a.call(f)?;
                    a.jmp(end)?;
                    a.set_label(&mut f)?;
                    a.add(rax, rbx)?;
                    if imm == 0 {
                        a.ret()?;
                    } else {
                        a.ret_1(imm as i32)?;
                    }
                }
                3 => {
                    // Indirect calls and jumps through registers and memory.
                    let mut f = a.create_label();
                    let reg = r.pick(&[rax, rcx, rdx, rbx, r8, r11]);
                    a.lea(reg, qword_ptr(f))?;
                    match r.below(4) {
                        0 => a.call(reg)?,
                        1 => {
                            a.mov(qword_ptr(rbp + 8), reg)?;
                            a.call(qword_ptr(rbp + 8))?;
                        }
                        2 => a.jmp(reg)?,
                        _ => {
                            a.mov(qword_ptr(rbp - 16), reg)?;
                            a.jmp(qword_ptr(rbp - 16))?;
                        }
                    }
                    a.jmp(end)?;
                    a.set_label(&mut f)?;
                    a.xor(rax, rsp)?;
                    a.jmp(end)?;
                }
                4 => {
                    // enter and leave.
                    a.enter((r.below(8) * 8) as u32, 0u32)?;
                    a.mov(qword_ptr(rbp - 8), rcx)?;
                    a.leave()?;
                }
                5 => {
                    // xlat.
                    a.mov(rbx, rbp)?;
                    a.xlatb()?;
                }
                6 => {
                    // cmc, stc, clc with flag readers; sahf.
                    match r.below(4) {
                        0 => a.cmc()?,
                        1 => a.stc()?,
                        2 => a.clc()?,
                        _ => a.sahf()?,
                    }
                    a.adc(rax, rcx)?;
                    a.sbb(edx, esi)?;
                    a.lahf()?;
                }
                _ => {
                    // A shift by cl (maybe zero) between a producer and
                    // readers.
                    a.sub(rax, rdx)?;
                    match r.below(4) {
                        0 => a.shl(ecx, cl)?,
                        1 => a.rcr(edx, cl)?,
                        2 => a.sar(bx, cl)?,
                        _ => a.shrd(rsi, rdi, cl)?,
                    }
                    a.setb(al)?;
                    a.sete(bl)?;
                    a.sets(dl)?;
                    a.setp(sil)?;
                }
            }
            Ok(())
        };
        let undefined = if kind == 7 {
            flags_bits(&["AF", "OF"])
        } else {
            0
        };
        let mut setup = |r: &mut Rng, s: &mut NativeState, _: &mut Vec<u64>| {
            if kind == 7 && r.chance(2) {
                s.regs[1] &= !0x3f;
            }
        };
        let case = template_case(&mut rng, &arena, "stack", undefined, &mut body, &mut setup);
        check(&mut arena, &case, &mut counts, &mut report);
    }
    finish("stack and calls", &counts, &report);
}

fn flags_bits(names: &[&str]) -> u64 {
    names
        .iter()
        .map(|n| match *n {
            "CF" => 1,
            "PF" => 4,
            "AF" => 0x10,
            "ZF" => 0x40,
            "SF" => 0x80,
            "OF" => 0x800,
            _ => 0,
        })
        .sum()
}

#[test]
fn string_instructions_match_the_cpu() {
    let mut arena = Arena::new();
    let mut rng = Rng(5);
    let (mut counts, mut report) = (Counts::default(), Vec::new());
    let data_mid = arena.data_mid();
    for _ in 0..scaled(6000) {
        let size = rng.pick(&[1u32, 2, 4, 8]);
        let op = rng.below(5);
        let rep = match rng.below(3) {
            0 => RepPrefixKind::None,
            1 => RepPrefixKind::Repe,
            _ => RepPrefixKind::Repne,
        };
        let down = rng.chance(2);
        let i = {
            use Instruction as I;
            let none = Register::None;
            match (op, size) {
                (0, 1) => I::with_movsb(64, none, rep),
                (0, 2) => I::with_movsw(64, none, rep),
                (0, 4) => I::with_movsd(64, none, rep),
                (0, _) => I::with_movsq(64, none, rep),
                (1, 1) => I::with_stosb(64, rep),
                (1, 2) => I::with_stosw(64, rep),
                (1, 4) => I::with_stosd(64, rep),
                (1, _) => I::with_stosq(64, rep),
                (2, 1) => I::with_lodsb(64, none, rep),
                (2, 2) => I::with_lodsw(64, none, rep),
                (2, 4) => I::with_lodsd(64, none, rep),
                (2, _) => I::with_lodsq(64, none, rep),
                (3, 1) => I::with_cmpsb(64, none, rep),
                (3, 2) => I::with_cmpsw(64, none, rep),
                (3, 4) => I::with_cmpsd(64, none, rep),
                (3, _) => I::with_cmpsq(64, none, rep),
                (_, 1) => I::with_scasb(64, rep),
                (_, 2) => I::with_scasw(64, rep),
                (_, 4) => I::with_scasd(64, rep),
                (_, _) => I::with_scasq(64, rep),
            }
            .unwrap()
        };
        let mut body = |a: &mut CodeAssembler, _end: CodeLabel| {
            if down {
                a.std()?;
            }
            a.add_instruction(i)?;
            // A reader of the flags after cmps/scas.
            a.add_instruction(Instruction::with1(Code::Setne_rm8, Register::R8L).unwrap())
        };
        let mut setup = |r: &mut Rng, s: &mut NativeState, data: &mut Vec<u64>| {
            s.regs[1] = r.below(7);
            s.regs[6] = data_mid - 256 + r.below(64) * 4;
            s.regs[7] = data_mid + 256 - r.below(64) * 4;
            // Few distinct values, so that runs compare equal.
            for w in data.iter_mut() {
                *w = if r.chance(4) {
                    r.next()
                } else {
                    0x0101_0101_0101_0101
                };
            }
            s.regs[0] = if r.chance(2) {
                0x0101_0101_0101_0101
            } else {
                r.next()
            };
        };
        let case = template_case(&mut rng, &arena, "string", 0, &mut body, &mut setup);
        check(&mut arena, &case, &mut counts, &mut report);
    }
    finish("string instructions", &counts, &report);
}
