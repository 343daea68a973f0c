//! The meaning of every implemented x86_64 integer instruction, written
//! once over [`Backend`]; SSE and x87 instructions are in `sse` and `fpu`.
//!
//! Conventions: operands are read zero-extended from their size with
//! [`operand::read`] and written with [`operand::write`] (a 32-bit register
//! write zero-extends, 8- and 16-bit ones merge); the arithmetic flags are
//! recorded lazily with [`flags::set`]; shift amounts reaching the backend
//! are below 64; division guards its divisor before the backend sees it.
//! Whatever this module cannot run traps as an illegal instruction
//! unconditionally, so that `probe` can tell it apart.

use iced_x86::{Code, ConditionCode, Instruction, Mnemonic, OpKind, Register};

use super::flags::{self, Flag, Kind};
use super::operand::{self, address, read, read_reg, sext, width, write, write_reg, zext};
use super::{cpuid, fpu, regs, sse, Inst};
use crate::{Backend, BinOp, Cond, Counter, IndirectKind, StateReg, Trap, UnOp, Width};

/// Runs `inst` (at guest address `pc`) on backend `b`.
pub fn execute<B: Backend>(b: &mut B, inst: &Inst, pc: u64) {
    if integer(b, inst, pc) || sse::execute(b, inst, pc) || fpu::execute(b, inst, pc) {
        return;
    }
    b.trap(Trap::IllegalInstruction, pc);
}

/// Runs `inst` if it is an integer instruction this module implements.
fn integer<B: Backend>(b: &mut B, inst: &Inst, pc: u64) -> bool {
    let i = &inst.i;
    let next = pc.wrapping_add(u64::from(inst.len()));
    if i.is_string_instruction() {
        return string(b, i, pc, next);
    }
    // Register operands other than general-purpose ones (segment, control,
    // vector registers) are never integer instructions of ours; `mov` and
    // `push`/`pop` of segment registers are not implemented.
    let gprs = (0..i.op_count())
        .all(|n| i.op_kind(n) != OpKind::Register || operand::gpr(i.op_register(n)).is_some());
    if !gprs {
        if matches!(i.mnemonic(), Mnemonic::Mov | Mnemonic::Push | Mnemonic::Pop) {
            b.trap(Trap::IllegalInstruction, pc);
            return true;
        }
        return false;
    }
    run(b, i, pc, next)
}

/// The dispatch on the mnemonic; `false` for one this module does not know.
fn run<B: Backend>(b: &mut B, i: &Instruction, pc: u64, next: u64) -> bool {
    use Mnemonic as M;
    match i.mnemonic() {
        M::Add => alu(b, i, Alu::Add),
        M::Adc => alu(b, i, Alu::Adc),
        M::Sub => alu(b, i, Alu::Sub),
        M::Sbb => alu(b, i, Alu::Sbb),
        M::Cmp => alu(b, i, Alu::Cmp),
        M::And => alu(b, i, Alu::And),
        M::Or => alu(b, i, Alu::Or),
        M::Xor => alu(b, i, Alu::Xor),
        M::Test => alu(b, i, Alu::Test),
        M::Inc | M::Dec => inc_dec(b, i),
        M::Neg | M::Not => neg_not(b, i),
        M::Mov | M::Movnti => {
            let size = op_size(i, 0);
            let v = read(b, i, 1, size);
            write(b, i, 0, size, v, None);
        }
        M::Movzx | M::Movsx | M::Movsxd => {
            let v = read(b, i, 1, op_size(i, 1));
            let v = if i.mnemonic() == M::Movzx {
                v
            } else {
                sext(b, op_size(i, 1), v)
            };
            write(b, i, 0, op_size(i, 0), v, None);
        }
        M::Lea => {
            if !operand::is_memory(i, 1) {
                return illegal(b, pc);
            }
            // The segment does not take part in the effective address.
            let mut j = *i;
            j.set_segment_prefix(Register::None);
            let a = address(b, &j);
            write_reg(b, i.op0_register(), a);
        }
        M::Xchg => {
            let size = op_size(i, 0);
            let (x, at) = read_rm(b, i, 0, size);
            let (y, _) = read_rm(b, i, 1, size);
            write(b, i, 1, size, x, at);
            write(b, i, 0, size, y, at);
        }
        M::Bswap => {
            let r = i.op0_register();
            let v = read_reg(b, r);
            let v = match op_size(i, 0) {
                8 => b.un(UnOp::Bswap, v),
                4 => {
                    let v = b.un(UnOp::Bswap, v);
                    shr_imm(b, v, 32)
                }
                // 16-bit bswap clears the register's low word.
                _ => b.imm(0),
            };
            write_reg(b, r, v);
        }
        M::Cbw | M::Cwde | M::Cdqe => {
            let size = acc_size(i.mnemonic());
            let v = b.xreg(regs::RAX);
            let v = sext(b, size / 2, v);
            write_reg(b, acc(size), v);
        }
        M::Cwd | M::Cdq | M::Cqo => {
            let size = acc_size(i.mnemonic());
            let v = b.xreg(regs::RAX);
            let v = sext(b, size, v);
            let v = sar_imm(b, v, 63);
            write_reg(b, dx(size), v);
        }
        M::Mul | M::Imul if i.op_count() == 1 => widening_mul(b, i),
        M::Imul => imul(b, i),
        M::Div | M::Idiv => divide(b, i, pc),
        M::Shl | M::Sal | M::Shr | M::Sar => shift(b, i),
        M::Rol | M::Ror | M::Rcl | M::Rcr => rotate(b, i),
        M::Shld | M::Shrd => double_shift(b, i),
        M::Bt | M::Bts | M::Btr | M::Btc => bit_test(b, i),
        M::Bsf | M::Bsr | M::Tzcnt | M::Lzcnt | M::Popcnt => bit_count(b, i),
        M::Cmpxchg => cmpxchg(b, i),
        M::Cmpxchg8b | M::Cmpxchg16b => cmpxchg_double(b, i),
        M::Xadd => {
            let size = op_size(i, 0);
            let (x, at) = read_rm(b, i, 0, size);
            let y = read(b, i, 1, size);
            let sum = b.bin(BinOp::Add, x, y);
            write(b, i, 1, size, x, None);
            write(b, i, 0, size, sum, at);
            flags::set(b, Kind::Add, size, x, y, sum);
        }
        M::Push => push_inst(b, i, pc),
        M::Pop => pop_inst(b, i, pc),
        M::Pushf | M::Pushfq => {
            let w = rflags_word(b);
            let size = (-i.stack_pointer_increment()) as u32;
            push(b, size, w);
        }
        M::Popf | M::Popfq => {
            let size = i.stack_pointer_increment() as u32;
            let w = pop(b, size);
            flags::set_rflags(b, w);
            let df = bit(b, w, flags::DF_SHIFT);
            b.set_state(StateReg::Df, df);
        }
        M::Lahf => {
            let w = flags::materialize(b);
            let m = b.imm(flags::ARITH & 0xff);
            let w = b.bin(BinOp::And, w, m);
            let two = b.imm(2);
            let w = b.bin(BinOp::Or, w, two);
            write_reg(b, Register::AH, w);
        }
        M::Sahf => {
            let ah = read_reg(b, Register::AH);
            let m = b.imm(flags::ARITH & 0xff);
            let v = b.bin(BinOp::And, ah, m);
            flags::update(b, flags::ARITH & 0xff, v);
        }
        M::Clc | M::Stc => {
            let v = b.imm(if i.mnemonic() == M::Stc { flags::CF } else { 0 });
            flags::update(b, flags::CF, v);
        }
        M::Cmc => {
            let c = flags::flag(b, Flag::C);
            let c = xor1(b, c);
            flags::update(b, flags::CF, c);
        }
        M::Cld | M::Std => {
            let v = b.imm(u64::from(i.mnemonic() == M::Std));
            b.set_state(StateReg::Df, v);
        }
        M::Enter => {
            if i.code() != Code::Enterq_imm16_imm8 || i.immediate8_2nd() & 31 != 0 {
                return illegal(b, pc);
            }
            let rbp = b.xreg(regs::RBP);
            push(b, 8, rbp);
            let sp = b.xreg(regs::RSP);
            b.set_xreg(regs::RBP, sp);
            let frame = b.imm(u64::from(i.immediate16()));
            let sp = b.bin(BinOp::Sub, sp, frame);
            b.set_xreg(regs::RSP, sp);
        }
        M::Leave => {
            if i.code() != Code::Leaveq {
                return illegal(b, pc);
            }
            let rbp = b.xreg(regs::RBP);
            b.set_xreg(regs::RSP, rbp);
            let v = pop(b, 8);
            b.set_xreg(regs::RBP, v);
        }
        M::Xlatb => {
            let rbx = b.xreg(regs::RBX);
            let al = read_reg(b, Register::AL);
            let a = b.bin(BinOp::Add, rbx, al);
            let v = b.load(Width::B8, false, a);
            write_reg(b, Register::AL, v);
        }
        M::Cpuid => cpuid_inst(b),
        M::Rdtsc => {
            let t = b.counter(Counter::Cycle);
            split_edx_eax(b, t);
        }
        M::Xgetbv => {
            // XCR0 = x87 | SSE; other registers read as 0.
            let ecx = read_reg(b, Register::ECX);
            let zero = b.imm(0);
            let is0 = b.cmp(Cond::Eq, ecx, zero);
            let three = b.imm(3);
            let v = b.select(is0, three, zero);
            split_edx_eax(b, v);
        }
        M::Syscall => {
            // The kernel's clobbers: rcx = the return address, r11 = rflags.
            let ret = b.imm(next);
            b.set_xreg(regs::RCX, ret);
            let w = rflags_word(b);
            b.set_xreg(regs::R11, w);
            b.syscall(next);
        }
        M::Call | M::Jmp | M::Ret => branch(b, i, pc, next),
        M::Jrcxz | M::Jecxz | M::Loop | M::Loope | M::Loopne => count_branch(b, i, pc, next),
        M::Nop
        | M::Reservednop
        | M::Pause
        | M::Endbr64
        | M::Endbr32
        | M::Lfence
        | M::Mfence
        | M::Sfence
        | M::Prefetch
        | M::Prefetchnta
        | M::Prefetcht0
        | M::Prefetcht1
        | M::Prefetcht2
        | M::Prefetchw => {}
        M::Ud2 | M::Hlt => return illegal(b, pc),
        M::Int3 => b.trap(Trap::Breakpoint, pc),
        m if i.is_jcc_short_or_near() => {
            let _ = m;
            let c = flags::cond(b, i.condition_code());
            b.branch(c, i.near_branch_target(), next);
        }
        m if SETCC.contains(&m) => {
            let c = flags::cond(b, i.condition_code());
            write(b, i, 0, 1, c, None);
        }
        m if CMOVCC.contains(&m) => {
            let size = op_size(i, 0);
            let c = flags::cond(b, i.condition_code());
            // The source is read (and may fault) whatever the condition.
            let v = read(b, i, 1, size);
            let old = read(b, i, 0, size);
            let v = b.select(c, v, old);
            write(b, i, 0, size, v, None);
        }
        _ => return false,
    }
    true
}

const SETCC: [Mnemonic; 16] = [
    Mnemonic::Seto,
    Mnemonic::Setno,
    Mnemonic::Setb,
    Mnemonic::Setae,
    Mnemonic::Sete,
    Mnemonic::Setne,
    Mnemonic::Setbe,
    Mnemonic::Seta,
    Mnemonic::Sets,
    Mnemonic::Setns,
    Mnemonic::Setp,
    Mnemonic::Setnp,
    Mnemonic::Setl,
    Mnemonic::Setge,
    Mnemonic::Setle,
    Mnemonic::Setg,
];

const CMOVCC: [Mnemonic; 16] = [
    Mnemonic::Cmovo,
    Mnemonic::Cmovno,
    Mnemonic::Cmovb,
    Mnemonic::Cmovae,
    Mnemonic::Cmove,
    Mnemonic::Cmovne,
    Mnemonic::Cmovbe,
    Mnemonic::Cmova,
    Mnemonic::Cmovs,
    Mnemonic::Cmovns,
    Mnemonic::Cmovp,
    Mnemonic::Cmovnp,
    Mnemonic::Cmovl,
    Mnemonic::Cmovge,
    Mnemonic::Cmovle,
    Mnemonic::Cmovg,
];

/// Traps as an illegal instruction; `true` (the instruction is handled).
fn illegal<B: Backend>(b: &mut B, pc: u64) -> bool {
    b.trap(Trap::IllegalInstruction, pc);
    true
}

/// Size in bytes of operand `n` (a register or memory operand).
fn op_size(i: &Instruction, n: u32) -> u32 {
    match i.op_kind(n) {
        OpKind::Register => operand::gpr(i.op_register(n)).map_or(8, |g| u32::from(g.size)),
        OpKind::Memory => (i.memory_size().size() as u32).clamp(1, 8),
        _ => 8,
    }
}

/// Operand `n` and, for a memory operand, its address (to write it back).
fn read_rm<B: Backend>(b: &mut B, i: &Instruction, n: u32, size: u32) -> (B::V, Option<B::V>) {
    if operand::is_memory(i, n) {
        let a = address(b, i);
        (b.load(width(size), false, a), Some(a))
    } else {
        (read(b, i, n, size), None)
    }
}

/// al, ax, eax or rax.
fn acc(size: u32) -> Register {
    match size {
        1 => Register::AL,
        2 => Register::AX,
        4 => Register::EAX,
        _ => Register::RAX,
    }
}

/// dx, edx or rdx (ah for byte operands: the high half of ax).
fn dx(size: u32) -> Register {
    match size {
        1 => Register::AH,
        2 => Register::DX,
        4 => Register::EDX,
        _ => Register::RDX,
    }
}

/// The accumulator size of cbw/cwd (2), cwde/cdq (4), cdqe/cqo (8).
fn acc_size(m: Mnemonic) -> u32 {
    match m {
        Mnemonic::Cbw | Mnemonic::Cwd => 2,
        Mnemonic::Cwde | Mnemonic::Cdq => 4,
        _ => 8,
    }
}

fn shr_imm<B: Backend>(b: &mut B, v: B::V, n: u64) -> B::V {
    let s = b.imm(n);
    b.bin(BinOp::ShrU, v, s)
}

fn sar_imm<B: Backend>(b: &mut B, v: B::V, n: u64) -> B::V {
    let s = b.imm(n);
    b.bin(BinOp::ShrS, v, s)
}

fn shl_imm<B: Backend>(b: &mut B, v: B::V, n: u64) -> B::V {
    let s = b.imm(n);
    b.bin(BinOp::Shl, v, s)
}

/// `(v >> n) & 1`.
fn bit<B: Backend>(b: &mut B, v: B::V, n: u64) -> B::V {
    let v = shr_imm(b, v, n);
    let one = b.imm(1);
    b.bin(BinOp::And, v, one)
}

fn xor1<B: Backend>(b: &mut B, v: B::V) -> B::V {
    let one = b.imm(1);
    b.bin(BinOp::Xor, v, one)
}

/// `op` by a run-time amount, reduced modulo 64 first.
fn shift_by<B: Backend>(b: &mut B, op: BinOp, v: B::V, n: B::V) -> B::V {
    let n = match b.known(n) {
        Some(k) => b.imm(k & 63),
        None => {
            let m = b.imm(63);
            b.bin(BinOp::And, n, m)
        }
    };
    b.bin(op, v, n)
}

/// `v != 0` as 0/1, folded when `v` is known.
fn nonzero<B: Backend>(b: &mut B, v: B::V) -> B::V {
    match b.known(v) {
        Some(k) => b.imm(u64::from(k != 0)),
        None => {
            let zero = b.imm(0);
            b.cmp(Cond::Ne, v, zero)
        }
    }
}

/// The mask of a `size`-byte value.
fn mask(size: u32) -> u64 {
    u64::MAX >> (64 - 8 * size)
}

/// The flags as `pushf` and `syscall` show them: the arithmetic flags, DF,
/// IF and the always-one bit 1.
fn rflags_word<B: Backend>(b: &mut B) -> B::V {
    let w = flags::materialize(b);
    let df = b.state(StateReg::Df);
    let df = shl_imm(b, df, flags::DF_SHIFT);
    let w = b.bin(BinOp::Or, w, df);
    let fixed = b.imm(flags::FIXED);
    b.bin(BinOp::Or, w, fixed)
}

/// edx:eax = the 64-bit `v` (both zero-extended into rdx and rax).
fn split_edx_eax<B: Backend>(b: &mut B, v: B::V) {
    let lo = b.un(UnOp::Zext32, v);
    let hi = shr_imm(b, v, 32);
    b.set_xreg(regs::RAX, lo);
    b.set_xreg(regs::RDX, hi);
}

/// The two-operand ALU instructions.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Alu {
    Add,
    Adc,
    Sub,
    Sbb,
    Cmp,
    And,
    Or,
    Xor,
    Test,
}

/// `op0 = op0 <op> op1` (`cmp` and `test` only set the flags).
fn alu<B: Backend>(b: &mut B, i: &Instruction, op: Alu) {
    let size = op_size(i, 0);
    let (x, at) = read_rm(b, i, 0, size);
    let y = read(b, i, 1, size);
    let (kind, r) = match op {
        Alu::Add => (Kind::Add, b.bin(BinOp::Add, x, y)),
        Alu::Sub | Alu::Cmp => (Kind::Sub, b.bin(BinOp::Sub, x, y)),
        Alu::Adc | Alu::Sbb => {
            let c = flags::flag(b, Flag::C);
            if op == Alu::Adc {
                let s = b.bin(BinOp::Add, x, y);
                (Kind::Adc, b.bin(BinOp::Add, s, c))
            } else {
                let s = b.bin(BinOp::Sub, x, y);
                (Kind::Sbb, b.bin(BinOp::Sub, s, c))
            }
        }
        Alu::And | Alu::Test => (Kind::Logic, b.bin(BinOp::And, x, y)),
        Alu::Or => (Kind::Logic, b.bin(BinOp::Or, x, y)),
        Alu::Xor => (Kind::Logic, b.bin(BinOp::Xor, x, y)),
    };
    if !matches!(op, Alu::Cmp | Alu::Test) {
        write(b, i, 0, size, r, at);
    }
    flags::set(b, kind, size, x, y, r);
}

/// inc and dec: CF is kept (recorded in the thunk).
fn inc_dec<B: Backend>(b: &mut B, i: &Instruction) {
    let size = op_size(i, 0);
    let (x, at) = read_rm(b, i, 0, size);
    let one = b.imm(1);
    let (kind, r) = if i.mnemonic() == Mnemonic::Inc {
        (Kind::Inc, b.bin(BinOp::Add, x, one))
    } else {
        (Kind::Dec, b.bin(BinOp::Sub, x, one))
    };
    let c = flags::flag(b, Flag::C);
    write(b, i, 0, size, r, at);
    flags::set(b, kind, size, c, one, r);
}

/// neg (0 - x, flags as that subtraction) and not (no flags).
fn neg_not<B: Backend>(b: &mut B, i: &Instruction) {
    let size = op_size(i, 0);
    let (x, at) = read_rm(b, i, 0, size);
    if i.mnemonic() == Mnemonic::Neg {
        let zero = b.imm(0);
        let r = b.bin(BinOp::Sub, zero, x);
        write(b, i, 0, size, r, at);
        flags::set(b, Kind::Sub, size, zero, x, r);
    } else {
        let ones = b.imm(u64::MAX);
        let r = b.bin(BinOp::Xor, x, ones);
        write(b, i, 0, size, r, at);
    }
}

/// Sets CF and OF to `overflow` (0/1), as multiplications do (SF, ZF, AF
/// and PF are undefined: cleared).
fn set_mul_flags<B: Backend>(b: &mut B, overflow: B::V) {
    let both = b.imm(flags::CF | flags::OF);
    let zero = b.imm(0);
    let w = b.select(overflow, both, zero);
    flags::set_rflags(b, w);
}

/// The product of two `size`-byte values (zero- or sign-extended) as low
/// and high halves of `size` bytes each (zero-extended), and whether the
/// high half is significant (the product does not fit `size` bytes).
fn multiply<B: Backend>(
    b: &mut B,
    size: u32,
    x: B::V,
    y: B::V,
    signed: bool,
) -> (B::V, B::V, B::V) {
    if size == 8 {
        let lo = b.bin(BinOp::Mul, x, y);
        let op = if signed { BinOp::MulHS } else { BinOp::MulHU };
        let hi = b.bin(op, x, y);
        let ext = if signed { sar_imm(b, lo, 63) } else { b.imm(0) };
        let overflow = b.cmp(Cond::Ne, hi, ext);
        return (lo, hi, overflow);
    }
    let (x, y) = if signed {
        (sext(b, size, x), sext(b, size, y))
    } else {
        (x, y)
    };
    // The whole product fits 64 bits.
    let p = b.bin(BinOp::Mul, x, y);
    let lo = zext(b, size, p);
    let hi = shr_imm(b, p, u64::from(8 * size));
    let hi = zext(b, size, hi);
    let ext = if signed { sext(b, size, p) } else { lo };
    let overflow = b.cmp(Cond::Ne, p, ext);
    (lo, hi, overflow)
}

/// One-operand mul and imul: rdx:rax (dx:ax, ax) = rax * operand.
fn widening_mul<B: Backend>(b: &mut B, i: &Instruction) {
    let size = op_size(i, 0);
    let signed = i.mnemonic() == Mnemonic::Imul;
    let y = read(b, i, 0, size);
    let x = read_reg(b, acc(size));
    let (lo, hi, overflow) = multiply(b, size, x, y, signed);
    if size == 1 {
        let hi = shl_imm(b, hi, 8);
        let ax = b.bin(BinOp::Or, hi, lo);
        write_reg(b, Register::AX, ax);
    } else {
        write_reg(b, acc(size), lo);
        write_reg(b, dx(size), hi);
    }
    set_mul_flags(b, overflow);
}

/// Two- and three-operand imul: op0 = op1 * op2 (or op0 * op1), truncated.
fn imul<B: Backend>(b: &mut B, i: &Instruction) {
    let size = op_size(i, 0);
    let (x, y) = if i.op_count() == 3 {
        (read(b, i, 1, size), read(b, i, 2, size))
    } else {
        (read(b, i, 0, size), read(b, i, 1, size))
    };
    let (lo, _, overflow) = multiply(b, size, x, y, true);
    write(b, i, 0, size, lo, None);
    set_mul_flags(b, overflow);
}

/// Traps with `t` when `c` (0/1) is 1; `true` if it certainly does.
///
/// When `c` is known the instruction traps or not now (`true`: it trapped,
/// and must do nothing more); otherwise the backend traps at run time if `c`
/// holds (the lifter leaves the instruction to the interpreter then).
fn trap_if<B: Backend>(b: &mut B, c: B::V, t: Trap, pc: u64) -> bool {
    match b.known(c) {
        Some(0) => false,
        Some(_) => {
            b.trap(t, pc);
            true
        }
        None => {
            b.trap_if(c, t, pc);
            false
        }
    }
}

/// div and idiv: rdx:rax (edx:eax, dx:ax, ax) divided by the operand;
/// the quotient to rax, the remainder to rdx; `#DE` when the divisor is 0
/// or the quotient does not fit.
fn divide<B: Backend>(b: &mut B, i: &Instruction, pc: u64) {
    let size = op_size(i, 0);
    let signed = i.mnemonic() == Mnemonic::Idiv;
    let d = read(b, i, 0, size);
    let zero = b.imm(0);
    let one = b.imm(1);
    let d_zero = b.cmp(Cond::Eq, d, zero);
    let (q, r, bad) = if size == 8 {
        let lo = b.xreg(regs::RAX);
        let hi = b.xreg(regs::RDX);
        if signed {
            divide_128_signed(b, hi, lo, d)
        } else {
            divide_128(b, hi, lo, d)
        }
    } else {
        let bits = u64::from(8 * size);
        // The dividend: ax for bytes, else dx:ax / edx:eax.
        let n = if size == 1 {
            read_reg(b, Register::AX)
        } else {
            let lo = read_reg(b, acc(size));
            let hi = read_reg(b, dx(size));
            let hi = shl_imm(b, hi, bits);
            b.bin(BinOp::Or, hi, lo)
        };
        if signed {
            let n = sext(b, 2 * size, n);
            let d = sext(b, size, d);
            let ones = b.imm(u64::MAX);
            let minus1 = b.cmp(Cond::Eq, d, ones);
            let guard = b.bin(BinOp::Or, d_zero, minus1);
            let safe = b.select(guard, one, d);
            let q = b.bin(BinOp::DivS, n, safe);
            let r = b.bin(BinOp::RemS, n, safe);
            // x / -1 = -x (which may not fit, even in 64 bits).
            let neg = b.bin(BinOp::Sub, zero, n);
            let q = b.select(minus1, neg, q);
            let r = b.select(minus1, zero, r);
            let fits = sext(b, size, q);
            let overflow = b.cmp(Cond::Ne, fits, q);
            let bad = b.bin(BinOp::Or, d_zero, overflow);
            (q, r, bad)
        } else {
            let safe = b.select(d_zero, one, d);
            let q = b.bin(BinOp::DivU, n, safe);
            let r = b.bin(BinOp::RemU, n, safe);
            let max = b.imm(mask(size));
            let overflow = b.cmp(Cond::LtU, max, q);
            let bad = b.bin(BinOp::Or, d_zero, overflow);
            (q, r, bad)
        }
    };
    if trap_if(b, bad, Trap::DivideError, pc) {
        return;
    }
    if size == 1 {
        let q = b.un(UnOp::Zext8, q);
        let r = b.un(UnOp::Zext8, r);
        let r = shl_imm(b, r, 8);
        let ax = b.bin(BinOp::Or, r, q);
        write_reg(b, Register::AX, ax);
    } else {
        write_reg(b, acc(size), q);
        write_reg(b, dx(size), r);
    }
}

/// Unsigned hi:lo / d: quotient, remainder, and whether it faults (d == 0
/// or hi >= d: the quotient does not fit 64 bits).
fn divide_128<B: Backend>(b: &mut B, hi: B::V, lo: B::V, d: B::V) -> (B::V, B::V, B::V) {
    let zero = b.imm(0);
    let one = b.imm(1);
    let d_zero = b.cmp(Cond::Eq, d, zero);
    let safe = b.select(d_zero, one, d);
    if b.known(hi) == Some(0) {
        // A 64-bit dividend (`xor edx, edx; div`).
        let q = b.bin(BinOp::DivU, lo, safe);
        let r = b.bin(BinOp::RemU, lo, safe);
        return (q, r, d_zero);
    }
    let too_big = b.cmp(Cond::GeU, hi, safe);
    let bad = b.bin(BinOp::Or, d_zero, too_big);
    let hi = b.select(bad, zero, hi);
    let (q, r) = divide_128_by_64(b, hi, lo, safe);
    (q, r, bad)
}

/// Signed hi:lo / d (see [`divide_128`]).
fn divide_128_signed<B: Backend>(b: &mut B, hi: B::V, lo: B::V, d: B::V) -> (B::V, B::V, B::V) {
    let zero = b.imm(0);
    let one = b.imm(1);
    let ones = b.imm(u64::MAX);
    let d_zero = b.cmp(Cond::Eq, d, zero);
    let ext = sar_imm(b, lo, 63);
    if b.known(hi).is_some() && b.known(hi) == b.known(ext) {
        // A 64-bit dividend (`cqo; idiv`): only MIN / -1 overflows.
        let minus1 = b.cmp(Cond::Eq, d, ones);
        let guard = b.bin(BinOp::Or, d_zero, minus1);
        let safe = b.select(guard, one, d);
        let q = b.bin(BinOp::DivS, lo, safe);
        let r = b.bin(BinOp::RemS, lo, safe);
        let min = b.imm(1 << 63);
        let is_min = b.cmp(Cond::Eq, lo, min);
        let overflow = b.bin(BinOp::And, minus1, is_min);
        let neg = b.bin(BinOp::Sub, zero, lo);
        let q = b.select(minus1, neg, q);
        let r = b.select(minus1, zero, r);
        let bad = b.bin(BinOp::Or, d_zero, overflow);
        return (q, r, bad);
    }
    // |hi:lo| and |d|, divided unsigned.
    let n_neg = b.cmp(Cond::LtS, hi, zero);
    let neg_lo = b.bin(BinOp::Sub, zero, lo);
    let not_hi = b.bin(BinOp::Xor, hi, ones);
    let lo_zero = b.cmp(Cond::Eq, lo, zero);
    let neg_hi = b.bin(BinOp::Add, not_hi, lo_zero);
    let abs_lo = b.select(n_neg, neg_lo, lo);
    let abs_hi = b.select(n_neg, neg_hi, hi);
    let d_neg = b.cmp(Cond::LtS, d, zero);
    let neg_d = b.bin(BinOp::Sub, zero, d);
    let abs_d = b.select(d_neg, neg_d, d);
    let (q, r, bad) = divide_128(b, abs_hi, abs_lo, abs_d);
    // The quotient's magnitude limit: 2^63 when negative, 2^63 - 1 else.
    let q_neg = b.bin(BinOp::Xor, n_neg, d_neg);
    let max = b.imm(i64::MAX as u64);
    let limit = b.bin(BinOp::Add, max, q_neg);
    let overflow = b.cmp(Cond::LtU, limit, q);
    let bad = b.bin(BinOp::Or, bad, overflow);
    let neg_q = b.bin(BinOp::Sub, zero, q);
    let q = b.select(q_neg, neg_q, q);
    let neg_r = b.bin(BinOp::Sub, zero, r);
    let r = b.select(n_neg, neg_r, r);
    (q, r, bad)
}

/// (u1:u0) / v for u1 < v, v != 0, with 64-bit operations: Knuth's
/// algorithm D on 32-bit digits (Hacker's Delight `divlu`), its two
/// quotient corrections unrolled into selects.
fn divide_128_by_64<B: Backend>(b: &mut B, u1: B::V, u0: B::V, v: B::V) -> (B::V, B::V) {
    let zero = b.imm(0);
    let low32 = b.imm(0xffff_ffff);
    // Normalise: the divisor's top bit set.
    let s = b.un(UnOp::Clz, v);
    let vn = b.bin(BinOp::Shl, v, s);
    let sixty_four = b.imm(64);
    let rs = b.bin(BinOp::Sub, sixty_four, s);
    let carry = shift_by(b, BinOp::ShrU, u0, rs);
    let s_nonzero = b.cmp(Cond::Ne, s, zero);
    let carry = b.select(s_nonzero, carry, zero);
    let un32 = b.bin(BinOp::Shl, u1, s);
    let un32 = b.bin(BinOp::Or, un32, carry);
    let un10 = b.bin(BinOp::Shl, u0, s);
    let vn1 = shr_imm(b, vn, 32);
    let vn0 = b.bin(BinOp::And, vn, low32);
    let un1 = shr_imm(b, un10, 32);
    let un0 = b.bin(BinOp::And, un10, low32);
    let q1 = quotient_digit(b, un32, un1, vn1, vn0);
    // un21 = un32:un1 - q1 * vn (fits 64 bits).
    let t = shl_imm(b, un32, 32);
    let t = b.bin(BinOp::Add, t, un1);
    let p = b.bin(BinOp::Mul, q1, vn);
    let un21 = b.bin(BinOp::Sub, t, p);
    let q0 = quotient_digit(b, un21, un0, vn1, vn0);
    let t = shl_imm(b, un21, 32);
    let t = b.bin(BinOp::Add, t, un0);
    let p = b.bin(BinOp::Mul, q0, vn);
    let r = b.bin(BinOp::Sub, t, p);
    let r = b.bin(BinOp::ShrU, r, s);
    let q = shl_imm(b, q1, 32);
    let q = b.bin(BinOp::Or, q, q0);
    (q, r)
}

/// One 32-bit quotient digit of (hi:next) / (vn1:vn0): estimate with a
/// 64-bit division by `vn1` (non-zero: the divisor is normalised), then
/// correct at most twice.
fn quotient_digit<B: Backend>(b: &mut B, hi: B::V, next: B::V, vn1: B::V, vn0: B::V) -> B::V {
    let base = b.imm(1 << 32);
    let mut q = b.bin(BinOp::DivU, hi, vn1);
    let p = b.bin(BinOp::Mul, q, vn1);
    let mut rhat = b.bin(BinOp::Sub, hi, p);
    let mut go_on = b.imm(1);
    for _ in 0..2 {
        // q >= b || q * vn0 > rhat:next, while rhat < b.
        let big = b.cmp(Cond::GeU, q, base);
        let lhs = b.bin(BinOp::Mul, q, vn0);
        let rhs = shl_imm(b, rhat, 32);
        let rhs = b.bin(BinOp::Or, rhs, next);
        let over = b.cmp(Cond::LtU, rhs, lhs);
        let c = b.bin(BinOp::Or, big, over);
        let small = b.cmp(Cond::LtU, rhat, base);
        let c = b.bin(BinOp::And, c, small);
        let c = b.bin(BinOp::And, c, go_on);
        q = b.bin(BinOp::Sub, q, c);
        let add = b.bin(BinOp::Mul, c, vn1);
        rhat = b.bin(BinOp::Add, rhat, add);
        go_on = c;
    }
    q
}

/// How a shift count is given: an immediate (masked, known at decode
/// time) or cl.
fn count<B: Backend>(b: &mut B, i: &Instruction, n: u32, size: u32) -> B::V {
    let m = if size == 8 { 63 } else { 31 };
    match i.op_kind(n) {
        OpKind::Register => {
            let c = read_reg(b, i.op_register(n));
            let m = b.imm(m);
            b.bin(BinOp::And, c, m)
        }
        _ => b.imm(i.immediate(n) & m),
    }
}

/// shl/sal, shr, sar: the count masked to 5 bits (6 for 64-bit operands);
/// a zero count leaves the flags alone.
fn shift<B: Backend>(b: &mut B, i: &Instruction) {
    let size = op_size(i, 0);
    let (x, at) = read_rm(b, i, 0, size);
    let c = count(b, i, 1, size);
    let (kind, r) = match i.mnemonic() {
        Mnemonic::Shr => (Kind::Shr, b.bin(BinOp::ShrU, x, c)),
        Mnemonic::Sar => {
            let s = sext(b, size, x);
            (Kind::Sar, b.bin(BinOp::ShrS, s, c))
        }
        _ => (Kind::Shl, b.bin(BinOp::Shl, x, c)),
    };
    write(b, i, 0, size, r, at);
    let live = nonzero(b, c);
    flags::set_if(b, live, kind, size, x, c, r);
}

/// rol, ror, rcl, rcr: only CF and OF change, and only for a non-zero
/// (masked) count.
fn rotate<B: Backend>(b: &mut B, i: &Instruction) {
    let size = op_size(i, 0);
    let bits = u64::from(8 * size);
    let (x, at) = read_rm(b, i, 0, size);
    let c = count(b, i, 1, size);
    let top = bits - 1;
    let (r, cf, of) = match i.mnemonic() {
        Mnemonic::Rol | Mnemonic::Ror => {
            let m = b.imm(top);
            let k = b.bin(BinOp::And, c, m);
            let width_ = b.imm(bits);
            let back = b.bin(BinOp::Sub, width_, k);
            let back = b.bin(BinOp::And, back, m);
            let rol = i.mnemonic() == Mnemonic::Rol;
            let (first, second) = if rol {
                (BinOp::Shl, BinOp::ShrU)
            } else {
                (BinOp::ShrU, BinOp::Shl)
            };
            let p = b.bin(first, x, k);
            let q = b.bin(second, x, back);
            let r = b.bin(BinOp::Or, p, q);
            let r = zext(b, size, r);
            let msb = bit(b, r, top);
            if rol {
                let cf = bit(b, r, 0);
                let of = b.bin(BinOp::Xor, msb, cf);
                (r, cf, of)
            } else {
                let next = bit(b, r, top - 1);
                let of = b.bin(BinOp::Xor, msb, next);
                (r, msb, of)
            }
        }
        _ => {
            // Through CF: a rotation of size * 8 + 1 bits.
            let k = match size {
                1 | 2 => {
                    let n = b.imm(bits + 1);
                    b.bin(BinOp::RemU, c, n)
                }
                _ => c,
            };
            let old_cf = flags::flag(b, Flag::C);
            let one = b.imm(1);
            let width_ = b.imm(bits);
            let km1 = b.bin(BinOp::Sub, k, one);
            let rest = b.bin(BinOp::Sub, width_, k);
            let (r, cf) = if i.mnemonic() == Mnemonic::Rcl {
                let p = shift_by(b, BinOp::Shl, x, k);
                let q = shift_by(b, BinOp::Shl, old_cf, km1);
                let s = shr_imm(b, x, 1);
                let s = shift_by(b, BinOp::ShrU, s, rest);
                let r = b.bin(BinOp::Or, p, q);
                let r = b.bin(BinOp::Or, r, s);
                let cf = shift_by(b, BinOp::ShrU, x, rest);
                (r, cf)
            } else {
                let p = shift_by(b, BinOp::ShrU, x, k);
                let q = shift_by(b, BinOp::Shl, old_cf, rest);
                let s = shl_imm(b, x, 1);
                let s = shift_by(b, BinOp::Shl, s, rest);
                let r = b.bin(BinOp::Or, p, q);
                let r = b.bin(BinOp::Or, r, s);
                let cf = shift_by(b, BinOp::ShrU, x, km1);
                (r, cf)
            };
            let r = zext(b, size, r);
            let cf = b.bin(BinOp::And, cf, one);
            let zero = b.imm(0);
            let k_zero = b.cmp(Cond::Eq, k, zero);
            let r = b.select(k_zero, x, r);
            let cf = b.select(k_zero, old_cf, cf);
            let msb = bit(b, r, top);
            let of = if i.mnemonic() == Mnemonic::Rcl {
                b.bin(BinOp::Xor, msb, cf)
            } else {
                let next = bit(b, r, top - 1);
                b.bin(BinOp::Xor, msb, next)
            };
            (r, cf, of)
        }
    };
    write(b, i, 0, size, r, at);
    let live = nonzero(b, c);
    let of = shl_imm(b, of, 11);
    let bits = b.bin(BinOp::Or, cf, of);
    let old = flags::materialize(b);
    let keep = b.imm(!(flags::CF | flags::OF));
    let kept = b.bin(BinOp::And, old, keep);
    let new = b.bin(BinOp::Or, kept, bits);
    let w = match b.known(live) {
        Some(0) => return,
        Some(_) => new,
        None => b.select(live, new, old),
    };
    flags::set_rflags(b, w);
}

/// shld and shrd: op0 shifted, filled from op1; flags as shl/shr of op0.
fn double_shift<B: Backend>(b: &mut B, i: &Instruction) {
    let size = op_size(i, 0);
    let bits = u64::from(8 * size);
    let (x, at) = read_rm(b, i, 0, size);
    let y = read(b, i, 1, size);
    let c = count(b, i, 2, size);
    let left = i.mnemonic() == Mnemonic::Shld;
    let r = if size == 8 {
        let k = b.imm(63);
        let back = b.bin(BinOp::Sub, k, c);
        if left {
            let p = b.bin(BinOp::Shl, x, c);
            let q = shr_imm(b, y, 1);
            let q = b.bin(BinOp::ShrU, q, back);
            b.bin(BinOp::Or, p, q)
        } else {
            let p = b.bin(BinOp::ShrU, x, c);
            let q = shl_imm(b, y, 1);
            let q = b.bin(BinOp::Shl, q, back);
            b.bin(BinOp::Or, p, q)
        }
    } else if left {
        // (x:y << c) >> bits, in 64 bits.
        let p = shl_imm(b, x, bits);
        let p = b.bin(BinOp::Or, p, y);
        let p = b.bin(BinOp::Shl, p, c);
        shr_imm(b, p, bits)
    } else {
        // (y:x >> c).
        let p = shl_imm(b, y, bits);
        let p = b.bin(BinOp::Or, p, x);
        b.bin(BinOp::ShrU, p, c)
    };
    let r = zext(b, size, r);
    write(b, i, 0, size, r, at);
    let kind = if left { Kind::Shl } else { Kind::Shr };
    let live = nonzero(b, c);
    flags::set_if(b, live, kind, size, x, c, r);
}

/// bt, bts, btr, btc: CF = the selected bit, then set, clear or flip it. A
/// register bit offset with a memory operand reaches beyond the operand.
fn bit_test<B: Backend>(b: &mut B, i: &Instruction) {
    let size = op_size(i, 0);
    let bits = u64::from(8 * size);
    let m = b.imm(bits - 1);
    let (x, at, off) = if operand::is_memory(i, 0) {
        let base = address(b, i);
        if i.op_kind(1) == OpKind::Register {
            // The signed offset's high part selects the operand.
            let off = read(b, i, 1, size);
            let off = sext(b, size, off);
            let unit = sar_imm(b, off, u64::from(bits.trailing_zeros()));
            let bytes = shl_imm(b, unit, u64::from(size.trailing_zeros()));
            let a = b.bin(BinOp::Add, base, bytes);
            let off = b.bin(BinOp::And, off, m);
            (b.load(width(size), false, a), Some(a), off)
        } else {
            let off = b.imm(i.immediate(1) & (bits - 1));
            (b.load(width(size), false, base), Some(base), off)
        }
    } else {
        let x = read(b, i, 0, size);
        let off = read(b, i, 1, size);
        let off = b.bin(BinOp::And, off, m);
        (x, None, off)
    };
    let v = b.bin(BinOp::ShrU, x, off);
    let one = b.imm(1);
    let cf = b.bin(BinOp::And, v, one);
    let sel = b.bin(BinOp::Shl, one, off);
    let new = match i.mnemonic() {
        Mnemonic::Bts => Some(b.bin(BinOp::Or, x, sel)),
        Mnemonic::Btr => {
            let ones = b.imm(u64::MAX);
            let keep = b.bin(BinOp::Xor, sel, ones);
            Some(b.bin(BinOp::And, x, keep))
        }
        Mnemonic::Btc => Some(b.bin(BinOp::Xor, x, sel)),
        _ => None,
    };
    if let Some(new) = new {
        write(b, i, 0, size, new, at);
    }
    flags::update(b, flags::CF, cf);
}

/// bsf, bsr, tzcnt, lzcnt, popcnt.
fn bit_count<B: Backend>(b: &mut B, i: &Instruction) {
    let size = op_size(i, 0);
    let bits = u64::from(8 * size);
    let x = read(b, i, 1, size);
    let zero = b.imm(0);
    let is_zero = b.cmp(Cond::Eq, x, zero);
    let zf = b.imm(flags::ZF);
    let (r, word) = match i.mnemonic() {
        Mnemonic::Bsf | Mnemonic::Bsr => {
            // A zero source leaves the whole destination register alone
            // (even a 32-bit one) and sets ZF.
            let r = if i.mnemonic() == Mnemonic::Bsf {
                b.un(UnOp::Ctz, x)
            } else {
                let lz = b.un(UnOp::Clz, x);
                let k = b.imm(63);
                b.bin(BinOp::Sub, k, lz)
            };
            let word = b.select(is_zero, zf, zero);
            let dst = i.op0_register();
            if let Some(g) = operand::gpr(dst) {
                let old = b.xreg(g.index);
                let new = operand::merged(b, dst, r);
                let v = b.select(is_zero, old, new);
                b.set_xreg(g.index, v);
            }
            flags::set_rflags(b, word);
            return;
        }
        Mnemonic::Popcnt => (b.un(UnOp::Popcnt, x), b.select(is_zero, zf, zero)),
        m => {
            // tzcnt, lzcnt: the operand size for 0; CF = source is 0,
            // ZF = result is 0.
            let r = if m == Mnemonic::Tzcnt {
                b.un(UnOp::Ctz, x)
            } else {
                let lz = b.un(UnOp::Clz, x);
                let k = b.imm(64 - bits);
                b.bin(BinOp::Sub, lz, k)
            };
            let n = b.imm(bits);
            let r = b.select(is_zero, n, r);
            let r_zero = b.cmp(Cond::Eq, r, zero);
            let z = b.select(r_zero, zf, zero);
            (r, b.bin(BinOp::Or, z, is_zero))
        }
    };
    write(b, i, 0, size, r, None);
    flags::set_rflags(b, word);
}

/// cmpxchg: compare the accumulator with op0 (flags as `cmp`); equal: op0 =
/// op1, else the accumulator = op0. A memory operand is always written.
fn cmpxchg<B: Backend>(b: &mut B, i: &Instruction) {
    let size = op_size(i, 0);
    let (x, at) = read_rm(b, i, 0, size);
    let y = read(b, i, 1, size);
    let a = read_reg(b, acc(size));
    let eq = b.cmp(Cond::Eq, a, x);
    let r = b.bin(BinOp::Sub, a, x);
    flags::set(b, Kind::Sub, size, a, x, r);
    // The accumulator is written only on a mismatch.
    let old = b.xreg(regs::RAX);
    let new = operand::merged(b, acc(size), x);
    let rax = b.select(eq, old, new);
    b.set_xreg(regs::RAX, rax);
    if at.is_some() {
        let v = b.select(eq, y, x);
        write(b, i, 0, size, v, at);
    } else {
        // The destination register is written only on a match.
        let r = i.op0_register();
        let Some(g) = operand::gpr(r) else { return };
        let old = b.xreg(g.index);
        let new = operand::merged(b, r, y);
        let v = b.select(eq, new, old);
        b.set_xreg(g.index, v);
    }
}

/// cmpxchg8b / cmpxchg16b: edx:eax (rdx:rax) against the memory operand;
/// equal: ZF = 1 and memory = ecx:ebx (rcx:rbx); else ZF = 0 and edx:eax =
/// memory.
fn cmpxchg_double<B: Backend>(b: &mut B, i: &Instruction) {
    let wide = i.mnemonic() == Mnemonic::Cmpxchg16b;
    let half = if wide { 8 } else { 4 };
    let a = address(b, i);
    let step = b.imm(u64::from(half));
    let a_hi = b.bin(BinOp::Add, a, step);
    let w = width(half);
    let lo = b.load(w, false, a);
    let hi = b.load(w, false, a_hi);
    let rax = b.xreg(regs::RAX);
    let rdx = b.xreg(regs::RDX);
    let (eax, edx) = (zext(b, half, rax), zext(b, half, rdx));
    let e1 = b.cmp(Cond::Eq, lo, eax);
    let e2 = b.cmp(Cond::Eq, hi, edx);
    let eq = b.bin(BinOp::And, e1, e2);
    let rbx = b.xreg(regs::RBX);
    let rcx = b.xreg(regs::RCX);
    let new_lo = b.select(eq, rbx, lo);
    let new_hi = b.select(eq, rcx, hi);
    b.store(w, a, new_lo);
    b.store(w, a_hi, new_hi);
    let rax = b.select(eq, rax, lo);
    let rdx = b.select(eq, rdx, hi);
    b.set_xreg(regs::RAX, rax);
    b.set_xreg(regs::RDX, rdx);
    let z = shl_imm(b, eq, 6);
    flags::update(b, flags::ZF, z);
}

/// Pushes the low `size` bytes of `v`.
fn push<B: Backend>(b: &mut B, size: u32, v: B::V) {
    let sp = b.xreg(regs::RSP);
    let n = b.imm(u64::from(size));
    let sp = b.bin(BinOp::Sub, sp, n);
    b.store(width(size), sp, v);
    b.set_xreg(regs::RSP, sp);
}

/// Pops `size` bytes (zero-extended).
fn pop<B: Backend>(b: &mut B, size: u32) -> B::V {
    let sp = b.xreg(regs::RSP);
    let v = b.load(width(size), false, sp);
    let n = b.imm(u64::from(size));
    let sp = b.bin(BinOp::Add, sp, n);
    b.set_xreg(regs::RSP, sp);
    v
}

/// push r/m/imm: the operand is read before rsp moves (`push rsp` pushes
/// the old value).
fn push_inst<B: Backend>(b: &mut B, i: &Instruction, pc: u64) {
    let size = match -i.stack_pointer_increment() {
        2 => 2,
        8 => 8,
        _ => {
            illegal(b, pc);
            return;
        }
    };
    let v = read(b, i, 0, size);
    push(b, size, v);
}

/// pop r/m: rsp moves first (a memory operand's address uses the new rsp;
/// `pop rsp` loads rsp).
fn pop_inst<B: Backend>(b: &mut B, i: &Instruction, pc: u64) {
    let size = match i.stack_pointer_increment() {
        2 => 2,
        8 => 8,
        _ => {
            illegal(b, pc);
            return;
        }
    };
    let v = pop(b, size);
    write(b, i, 0, size, v, None);
}

/// call, jmp, ret (near, 64-bit forms).
fn branch<B: Backend>(b: &mut B, i: &Instruction, pc: u64, next: u64) {
    match i.code() {
        Code::Call_rel32_64 => {
            let ret = b.imm(next);
            push(b, 8, ret);
            b.call(i.near_branch_target(), next);
        }
        Code::Call_rm64 => {
            let target = read(b, i, 0, 8);
            let ret = b.imm(next);
            push(b, 8, ret);
            b.jump_indirect(target, IndirectKind::Call { ret: next });
        }
        Code::Jmp_rel8_64 | Code::Jmp_rel32_64 => b.jump(i.near_branch_target()),
        Code::Jmp_rm64 => {
            let target = read(b, i, 0, 8);
            b.jump_indirect(target, IndirectKind::Jump);
        }
        Code::Retnq | Code::Retnq_imm16 => {
            let target = pop(b, 8);
            if i.code() == Code::Retnq_imm16 && i.immediate16() != 0 {
                let sp = b.xreg(regs::RSP);
                let n = b.imm(u64::from(i.immediate16()));
                let sp = b.bin(BinOp::Add, sp, n);
                b.set_xreg(regs::RSP, sp);
            }
            b.jump_indirect(target, IndirectKind::Return);
        }
        _ => {
            illegal(b, pc);
        }
    }
}

/// jrcxz/jecxz and loop/loope/loopne (the count in rcx, or ecx with an
/// address-size prefix).
fn count_branch<B: Backend>(b: &mut B, i: &Instruction, pc: u64, next: u64) {
    let target = i.near_branch_target();
    let (cx, zf_cond) = match i.code() {
        Code::Jrcxz_rel8_64 | Code::Loop_rel8_64_RCX => (Register::RCX, None),
        Code::Jecxz_rel8_64 | Code::Loop_rel8_64_ECX => (Register::ECX, None),
        Code::Loope_rel8_64_RCX => (Register::RCX, Some(ConditionCode::e)),
        Code::Loope_rel8_64_ECX => (Register::ECX, Some(ConditionCode::e)),
        Code::Loopne_rel8_64_RCX => (Register::RCX, Some(ConditionCode::ne)),
        Code::Loopne_rel8_64_ECX => (Register::ECX, Some(ConditionCode::ne)),
        _ => {
            illegal(b, pc);
            return;
        }
    };
    let v = read_reg(b, cx);
    let zero = b.imm(0);
    if matches!(i.mnemonic(), Mnemonic::Jrcxz | Mnemonic::Jecxz) {
        let c = b.cmp(Cond::Eq, v, zero);
        b.branch(c, target, next);
        return;
    }
    let one = b.imm(1);
    let v = b.bin(BinOp::Sub, v, one);
    write_reg(b, cx, v);
    let v = read_reg(b, cx);
    let mut c = b.cmp(Cond::Ne, v, zero);
    if let Some(cc) = zf_cond {
        let z = flags::cond(b, cc);
        c = b.bin(BinOp::And, c, z);
    }
    b.branch(c, target, next);
}

/// cpuid: the answer of [`cpuid::LEAVES`] for eax (leaf) and ecx (sub-leaf).
fn cpuid_inst<B: Backend>(b: &mut B) {
    let leaf = read_reg(b, Register::EAX);
    let sub = read_reg(b, Register::ECX);
    let out = match (b.known(leaf), b.known(sub)) {
        (Some(l), Some(s)) => cpuid::query(l as u32, s as u32).map(|v| b.imm(u64::from(v))),
        _ => {
            // A chain of selects over the table.
            let zero = b.imm(0);
            let mut out = [zero; 4];
            for l in cpuid::LEAVES {
                let want = b.imm(u64::from(l.leaf));
                let mut hit = b.cmp(Cond::Eq, leaf, want);
                if let Some(s) = l.subleaf {
                    let want = b.imm(u64::from(s));
                    let h = b.cmp(Cond::Eq, sub, want);
                    hit = b.bin(BinOp::And, hit, h);
                }
                for (o, &v) in out.iter_mut().zip(&l.regs) {
                    let v = b.imm(u64::from(v));
                    *o = b.select(hit, v, *o);
                }
            }
            out
        }
    };
    for (r, v) in [regs::RAX, regs::RBX, regs::RCX, regs::RDX]
        .into_iter()
        .zip(out)
    {
        b.set_xreg(r, v);
    }
}

/// The string operations.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Str {
    Movs,
    Stos,
    Lods,
    Cmps,
    Scas,
}

/// movs, stos, lods, cmps, scas of every width, with rep/repe/repne: a
/// repeated one does one iteration per execution and branches back to
/// itself while it goes on; with rcx == 0 it does nothing.
fn string<B: Backend>(b: &mut B, i: &Instruction, pc: u64, next: u64) -> bool {
    use Code as C;
    let (op, size) = match i.code() {
        C::Movsb_m8_m8 => (Str::Movs, 1),
        C::Movsw_m16_m16 => (Str::Movs, 2),
        C::Movsd_m32_m32 => (Str::Movs, 4),
        C::Movsq_m64_m64 => (Str::Movs, 8),
        C::Stosb_m8_AL => (Str::Stos, 1),
        C::Stosw_m16_AX => (Str::Stos, 2),
        C::Stosd_m32_EAX => (Str::Stos, 4),
        C::Stosq_m64_RAX => (Str::Stos, 8),
        C::Lodsb_AL_m8 => (Str::Lods, 1),
        C::Lodsw_AX_m16 => (Str::Lods, 2),
        C::Lodsd_EAX_m32 => (Str::Lods, 4),
        C::Lodsq_RAX_m64 => (Str::Lods, 8),
        C::Cmpsb_m8_m8 => (Str::Cmps, 1),
        C::Cmpsw_m16_m16 => (Str::Cmps, 2),
        C::Cmpsd_m32_m32 => (Str::Cmps, 4),
        C::Cmpsq_m64_m64 => (Str::Cmps, 8),
        C::Scasb_AL_m8 => (Str::Scas, 1),
        C::Scasw_AX_m16 => (Str::Scas, 2),
        C::Scasd_EAX_m32 => (Str::Scas, 4),
        C::Scasq_RAX_m64 => (Str::Scas, 8),
        // ins, outs.
        _ => return false,
    };
    // 32-bit addressing and fs/gs sources are not implemented.
    let addr32 = (0..i.op_count()).any(|n| {
        matches!(
            i.op_kind(n),
            OpKind::MemorySegESI | OpKind::MemorySegSI | OpKind::MemoryESEDI | OpKind::MemoryESDI
        )
    });
    if addr32 || matches!(i.segment_prefix(), Register::FS | Register::GS) {
        return illegal(b, pc);
    }
    let rep = i.has_rep_prefix() || i.has_repne_prefix();
    let w = width(size);
    let zero = b.imm(0);
    let rcx = b.xreg(regs::RCX);
    // Whether this execution does an iteration.
    let live = if rep {
        b.cmp(Cond::Ne, rcx, zero)
    } else {
        b.imm(1)
    };
    let known = b.known(live);
    if known == Some(0) {
        b.branch(zero, pc, next);
        return true;
    }
    // When it is not known whether the iteration happens, the accesses go
    // to [rsp] instead (always mapped) and leave it as it was.
    let rsp = b.xreg(regs::RSP);
    let at = |b: &mut B, r: u8| {
        let v = b.xreg(r);
        match known {
            Some(_) => v,
            None => b.select(live, v, rsp),
        }
    };
    let src = at(b, regs::RSI);
    let dst = at(b, regs::RDI);
    let a = read_reg(b, acc(size));
    let mut compared = None;
    match op {
        Str::Movs => {
            let v = b.load(w, false, src);
            b.store(w, dst, v);
        }
        Str::Stos => {
            let v = match known {
                Some(_) => a,
                None => {
                    let old = b.load(w, false, dst);
                    b.select(live, a, old)
                }
            };
            b.store(w, dst, v);
        }
        Str::Lods => {
            let v = b.load(w, false, src);
            let new = operand::merged(b, acc(size), v);
            let old = b.xreg(regs::RAX);
            let v = b.select(live, new, old);
            b.set_xreg(regs::RAX, v);
        }
        Str::Cmps | Str::Scas => {
            let x = if op == Str::Cmps {
                b.load(w, false, src)
            } else {
                a
            };
            let y = b.load(w, false, dst);
            let r = b.bin(BinOp::Sub, x, y);
            flags::set_if(b, live, Kind::Sub, size, x, y, r);
            compared = Some(b.cmp(Cond::Eq, x, y));
        }
    }
    // rsi/rdi move by the size, down with DF.
    let df = b.state(StateReg::Df);
    let up = b.imm(u64::from(size));
    let down = b.imm(u64::from(size).wrapping_neg());
    let delta = b.select(df, down, up);
    let delta = b.select(live, delta, zero);
    let regs_used: &[u8] = match op {
        Str::Movs | Str::Cmps => &[regs::RSI, regs::RDI],
        Str::Stos | Str::Scas => &[regs::RDI],
        Str::Lods => &[regs::RSI],
    };
    for &r in regs_used {
        let v = b.xreg(r);
        let v = b.bin(BinOp::Add, v, delta);
        b.set_xreg(r, v);
    }
    if !rep {
        return true;
    }
    let one = b.imm(1);
    let dec = b.select(live, one, zero);
    let rcx = b.bin(BinOp::Sub, rcx, dec);
    b.set_xreg(regs::RCX, rcx);
    let more = b.cmp(Cond::Ne, rcx, zero);
    let mut again = b.bin(BinOp::And, live, more);
    if let Some(eq) = compared {
        // repe goes on while equal, repne while not.
        let go = if i.has_repne_prefix() {
            xor1(b, eq)
        } else {
            eq
        };
        again = b.bin(BinOp::And, again, go);
    }
    b.branch(again, pc, next);
    true
}
