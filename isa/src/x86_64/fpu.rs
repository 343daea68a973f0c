//! x87 instructions over [`Backend::x87`](crate::Backend::x87) (the
//! operations themselves are in the runtime, see [`super::x87`]).

use iced_x86::{ConditionCode, Instruction, MemorySize, Mnemonic, OpKind, Register};

use super::x87::*;
use super::{flags, operand, Inst};
use crate::{Backend, Width};

/// Runs `inst` if it is an x87 instruction; `false` if it is not one this
/// module implements.
pub(super) fn execute<B: Backend>(b: &mut B, inst: &Inst, pc: u64) -> bool {
    let _ = pc;
    let i = &inst.i;
    use Mnemonic::*;
    let m = i.mnemonic();
    let sti = sti_of(i);
    let arg_addr = |b: &mut B| {
        if has_memory(i) {
            operand::address(b, i)
        } else {
            b.imm(0)
        }
    };
    let simple = |b: &mut B, code: u32| {
        let zero = b.imm(0);
        b.x87(code, zero);
    };
    match m {
        Fld | Fild => {
            let src = if has_memory(i) { mem_src(i) } else { SRC_ST };
            let a = arg_addr(b);
            b.x87(code(LOAD, sti, src, 0), a);
        }
        Fldz | Fld1 | Fldpi | Fldl2e | Fldl2t | Fldlg2 | Fldln2 => {
            let k = match m {
                Fldz => 0,
                Fld1 => 1,
                Fldpi => 2,
                Fldl2e => 3,
                Fldl2t => 4,
                Fldlg2 => 5,
                _ => 6,
            };
            simple(b, code(CONST, k, 0, 0));
        }
        Fst | Fstp | Fist | Fistp | Fisttp => {
            let src = if has_memory(i) { mem_src(i) } else { SRC_ST };
            let pop = if matches!(m, Fstp | Fistp | Fisttp) {
                POP
            } else {
                0
            };
            let op = if m == Fisttp { STORE_TRUNC } else { STORE };
            let a = arg_addr(b);
            b.x87(code(op, sti, src, pop), a);
        }
        Fadd | Faddp | Fiadd | Fmul | Fmulp | Fimul | Fsub | Fsubp | Fisub | Fsubr | Fsubrp
        | Fisubr | Fdiv | Fdivp | Fidiv | Fdivr | Fdivrp | Fidivr => {
            let op = match m {
                Fadd | Faddp | Fiadd => ADD,
                Fmul | Fmulp | Fimul => MUL,
                Fsub | Fsubp | Fisub => SUB,
                Fsubr | Fsubrp | Fisubr => SUBR,
                Fdiv | Fdivp | Fidiv => DIV,
                _ => DIVR,
            };
            let pop = if matches!(m, Faddp | Fmulp | Fsubp | Fsubrp | Fdivp | Fdivrp) {
                POP
            } else {
                0
            };
            let (src, to) = if has_memory(i) {
                (mem_src(i), 0)
            } else if i.op_count() == 2 && i.op_register(0) != Register::ST0 {
                (SRC_ST, TO_STI)
            } else {
                (SRC_ST, 0)
            };
            let a = arg_addr(b);
            b.x87(code(op, sti, src, pop | to), a);
        }
        Fcom | Fcomp | Fcompp | Fucom | Fucomp | Fucompp | Ficom | Ficomp => {
            let op = if matches!(m, Fucom | Fucomp | Fucompp) {
                UCOM
            } else {
                COM
            };
            let pop = match m {
                Fcomp | Fucomp | Ficomp => POP,
                Fcompp | Fucompp => POP2,
                _ => 0,
            };
            let src = if has_memory(i) { mem_src(i) } else { SRC_ST };
            let sti = if i.op_count() == 0 { 1 } else { sti };
            let a = arg_addr(b);
            b.x87(code(op, sti, src, pop), a);
        }
        Fcomi | Fcomip | Fucomi | Fucomip => {
            let op = if matches!(m, Fucomi | Fucomip) {
                UCOMI
            } else {
                COMI
            };
            let pop = if matches!(m, Fcomip | Fucomip) {
                POP
            } else {
                0
            };
            let zero = b.imm(0);
            let w = b.x87(code(op, sti, SRC_ST, pop), zero);
            flags::set_rflags(b, w);
        }
        Ftst => simple(b, code(TST, 0, 0, 0)),
        Fxam => simple(b, code(XAM, 0, 0, 0)),
        Fchs => simple(b, code(CHS, 0, 0, 0)),
        Fabs => simple(b, code(ABS, 0, 0, 0)),
        Fsqrt => simple(b, code(SQRT, 0, 0, 0)),
        Frndint => simple(b, code(RNDINT, 0, 0, 0)),
        Fscale => simple(b, code(SCALE, 0, 0, 0)),
        Fxtract => simple(b, code(XTRACT, 0, 0, 0)),
        Fprem => simple(b, code(PREM, 0, 0, 0)),
        Fprem1 => simple(b, code(PREM1, 0, 0, 0)),
        F2xm1 => simple(b, code(F2XM1, 0, 0, 0)),
        Fyl2x => simple(b, code(YL2X, 0, 0, 0)),
        Fyl2xp1 => simple(b, code(YL2XP1, 0, 0, 0)),
        Fptan => simple(b, code(PTAN, 0, 0, 0)),
        Fpatan => simple(b, code(PATAN, 0, 0, 0)),
        Fsin => simple(b, code(SIN, 0, 0, 0)),
        Fcos => simple(b, code(COS, 0, 0, 0)),
        Fsincos => simple(b, code(SINCOS, 0, 0, 0)),
        Fxch => {
            let sti = if i.op_count() == 0 { 1 } else { sti };
            simple(b, code(XCH, sti, 0, 0));
        }
        Ffree => simple(b, code(FREE, sti, 0, 0)),
        Ffreep => simple(b, code(FREE, sti, 0, POP)),
        Fincstp => simple(b, code(INCSTP, 0, 0, 0)),
        Fdecstp => simple(b, code(DECSTP, 0, 0, 0)),
        Fninit | Finit => simple(b, code(INIT, 0, 0, 0)),
        Fnclex | Fclex => simple(b, code(CLEX, 0, 0, 0)),
        Wait | Fnop => {}
        Fnstsw | Fstsw => {
            let zero = b.imm(0);
            let v = b.x87(code(STSW, 0, 0, 0), zero);
            if has_memory(i) {
                let a = operand::address(b, i);
                b.store(Width::B16, a, v);
            } else {
                operand::write_reg(b, Register::AX, v);
            }
        }
        Fnstcw | Fstcw => {
            let a = operand::address(b, i);
            let zero = b.imm(0);
            let v = b.x87(code(STCW, 0, 0, 0), zero);
            b.store(Width::B16, a, v);
        }
        Fldcw => {
            let a = operand::address(b, i);
            let v = b.load(Width::B16, false, a);
            b.x87(code(LDCW, 0, 0, 0), v);
        }
        Fnstenv | Fstenv | Fldenv | Fxsave | Fxsave64 | Fxrstor | Fxrstor64 | Fnsave | Fsave
        | Frstor => {
            let op = match m {
                Fnstenv | Fstenv => STENV,
                Fldenv => LDENV,
                Fxsave | Fxsave64 => FXSAVE,
                Fxrstor | Fxrstor64 => FXRSTOR,
                Fnsave | Fsave => SAVE,
                _ => RSTOR,
            };
            let a = operand::address(b, i);
            b.x87(code(op, 0, 0, 0), a);
        }
        Fcmovb | Fcmove | Fcmovbe | Fcmovu | Fcmovnb | Fcmovne | Fcmovnbe | Fcmovnu => {
            let cc = match m {
                Fcmovb => ConditionCode::b,
                Fcmove => ConditionCode::e,
                Fcmovbe => ConditionCode::be,
                Fcmovu => ConditionCode::p,
                Fcmovnb => ConditionCode::ae,
                Fcmovne => ConditionCode::ne,
                Fcmovnbe => ConditionCode::a,
                _ => ConditionCode::np,
            };
            let c = flags::cond(b, cc);
            let sti = if i.op_count() == 2 {
                st_num(i.op_register(1))
            } else {
                sti
            };
            b.x87(code(CMOV, sti, 0, 0), c);
        }
        _ => return false,
    }
    true
}

fn has_memory(i: &Instruction) -> bool {
    (0..i.op_count()).any(|n| i.op_kind(n) == OpKind::Memory)
}

fn st_num(r: Register) -> u32 {
    r as u32 - Register::ST0 as u32
}

/// The st(i) operand of `i` that is not st(0) (or st(0) when that is the
/// only one).
fn sti_of(i: &Instruction) -> u32 {
    let regs: Vec<Register> = (0..i.op_count())
        .filter(|&n| i.op_kind(n) == OpKind::Register)
        .map(|n| i.op_register(n))
        .filter(|r| r.is_st())
        .collect();
    match regs.as_slice() {
        [] => 0,
        [r] => st_num(*r),
        [a, b] => {
            if *a == Register::ST0 {
                st_num(*b)
            } else {
                st_num(*a)
            }
        }
        _ => 0,
    }
}

/// The source code of `i`'s memory operand.
fn mem_src(i: &Instruction) -> u32 {
    match i.memory_size() {
        MemorySize::Float32 => SRC_F32,
        MemorySize::Float64 => SRC_F64,
        MemorySize::Float80 => SRC_F80,
        MemorySize::Int16 => SRC_I16,
        MemorySize::Int32 => SRC_I32,
        _ => SRC_I64,
    }
}
