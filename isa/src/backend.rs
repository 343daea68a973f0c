//! The backend trait: what an instruction's meaning is written against.
//!
//! Every guest instruction is defined once, in an ISA module of this crate, as
//! a function generic over [`Backend`]. Two backends implement it:
//!
//! * `Eval` (in `c2w-runtime`) executes on concrete values: the bundled
//!   interpreter.
//! * `Clif` (in the translator) emits Cranelift IR: the ahead-of-time lifter.
//!
//! The operations here are deliberately small and total: anything with a
//! guest-visible corner case (division by zero, shift amounts, NaN boxing,
//! register zero) is spelled out by the ISA semantics from these primitives,
//! so that both backends inherit exactly the same behaviour.
//!
//! Values are untyped 64-bit integers ([`Backend::V`]); narrower results are
//! zero- or sign-extended explicitly. Floating-point values travel as their
//! IEEE bit patterns in the low 32 (single) or all 64 (double) bits.

/// Access width of a memory operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Width {
    B8,
    B16,
    B32,
    B64,
}

impl Width {
    pub fn bytes(self) -> u32 {
        match self {
            Width::B8 => 1,
            Width::B16 => 2,
            Width::B32 => 4,
            Width::B64 => 8,
        }
    }
    pub fn bits(self) -> u32 {
        self.bytes() * 8
    }
}

/// Two-operand integer operations on 64-bit values.
///
/// Division and remainder are only ever called with a non-zero divisor and
/// never with `i64::MIN / -1` (signed): the ISA semantics guard those cases
/// the way their architecture defines them. Shift amounts are already
/// reduced modulo 64 by the semantics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    /// High 64 bits of the signed x signed 128-bit product.
    MulHS,
    /// High 64 bits of the unsigned x unsigned 128-bit product.
    MulHU,
    /// High 64 bits of the signed (first) x unsigned (second) product.
    MulHSU,
    DivS,
    DivU,
    RemS,
    RemU,
    And,
    Or,
    Xor,
    Shl,
    ShrU,
    ShrS,
}

/// One-operand integer operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    /// Sign-extend from the low 8/16/32 bits.
    Sext8,
    Sext16,
    Sext32,
    /// Zero-extend from the low 8/16/32 bits.
    Zext8,
    Zext16,
    Zext32,
    Clz,
    Ctz,
    Popcnt,
    /// Byte swap of all 8 bytes.
    Bswap,
}

/// Integer comparisons; the result is 1 when true, 0 when false.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cond {
    Eq,
    Ne,
    LtS,
    GeS,
    LtU,
    GeU,
}

/// IEEE formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fmt {
    /// binary32, bits in the low 32 bits of a value (upper bits zero).
    S,
    /// binary64.
    D,
}

/// Integer types of float <-> integer conversions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntTy {
    I32,
    U32,
    I64,
    U64,
}

/// Floating-point operations. Each one rounds according to its rounding-mode
/// operand and accrues its IEEE exception flags into the guest's accrued
/// flags (the backend owns how: the interpreter ORs them into the CPU state,
/// the lifter may take a fast path when the result is known not to change
/// them). Results follow the RISC-V rules for NaNs (canonical NaN results) and
/// for out-of-range conversions to integers (saturation; NaN -> the maximum).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FpOp {
    /// a + b
    Add,
    /// a - b
    Sub,
    /// a * b
    Mul,
    /// a / b
    Div,
    /// sqrt(a)
    Sqrt,
    /// IEEE 754-2019 minimumNumber (RISC-V fmin): NaN only if both are NaN, -0 < +0.
    Min,
    /// maximumNumber (RISC-V fmax).
    Max,
    /// a * b + c, one rounding.
    MulAdd,
    /// a * b - c
    MulSub,
    /// -(a * b) + c
    NegMulAdd,
    /// -(a * b) - c
    NegMulSub,
    /// a == b (quiet); result 0 or 1.
    Eq,
    /// a < b (signalling); result 0 or 1.
    Lt,
    /// a <= b (signalling); result 0 or 1.
    Le,
    /// RISC-V fclass: a one-hot 10-bit mask.
    Class,
    /// Float (of `fmt`) to integer (`IntTy`) with the given rounding; the
    /// result is sign-extended to 64 bits for the 32-bit integer types.
    ToInt(IntTy),
    /// Integer (`IntTy`, read from the low bits of a) to float of `fmt`.
    FromInt(IntTy),
    /// Convert a value of the other format to `fmt` (S->D exact, D->S rounds).
    Convert,
}

/// Added to a rounding mode of [`Backend::fp`]: x86 (SSE) rules.
pub const RM_X86: u64 = 8;
/// Added to an x86 mode ([`RM_X86`]): MXCSR.FTZ (flush to zero). A tiny
/// result (after rounding, exact or not) of a rounded operation is replaced
/// by the zero of its sign, and underflow and inexact are raised (the
/// hardware's behaviour with underflow masked).
pub const RM_FTZ: u64 = 16;
/// Added to an x86 mode ([`RM_X86`]): MXCSR.DAZ (denormals are zeros).
/// Denormal float operands are read as the zero of their sign, so no
/// denormal flag is raised.
pub const RM_DAZ: u64 = 32;
/// Every bit of an x86 mode beyond its RISC-V rounding mode (0..=4).
pub const RM_X86_BITS: u64 = RM_X86 | RM_FTZ | RM_DAZ;
/// x86's denormal-operand flag in the accrued flags (x86 rules only).
pub const FLAG_DENORMAL: u64 = 1 << 5;

/// Guest-visible counters (RISC-V `time`, `cycle`, `instret`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Counter {
    /// Wall-clock based timer, in ticks of the ISA's timebase.
    Time,
    Cycle,
    InstRet,
}

/// A register of the guest CPU state beyond the general-purpose files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StateReg {
    /// RISC-V accrued exception flags (fflags, 5 bits: NV DZ OF UF NX).
    FFlags,
    /// RISC-V dynamic rounding mode (frm, 3 bits).
    Frm,
    /// Address reserved by the last load-reserved, or u64::MAX for none.
    Reservation,
    /// x86_64 lazy flags: the operation that last set the arithmetic flags
    /// and its operands and result (`x86_64::flags` defines the encoding).
    FlagsOp,
    FlagsA,
    FlagsB,
    FlagsR,
    /// x86_64 direction flag (0 or 1).
    Df,
    /// x86_64 segment bases (`arch_prctl`).
    FsBase,
    GsBase,
}

impl StateReg {
    /// Every state register.
    pub const ALL: [StateReg; 10] = [
        StateReg::FFlags,
        StateReg::Frm,
        StateReg::Reservation,
        StateReg::FlagsOp,
        StateReg::FlagsA,
        StateReg::FlagsB,
        StateReg::FlagsR,
        StateReg::Df,
        StateReg::FsBase,
        StateReg::GsBase,
    ];

    /// Position in [`StateReg::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }
}

/// Why execution leaves translated/interpreted code for the runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Trap {
    /// An encoding that no supported extension defines (or a reserved
    /// rounding mode, or a CSR we do not implement).
    IllegalInstruction,
    /// `ebreak` / `int3`.
    Breakpoint,
    /// x86_64 `#DE`: division by zero or a quotient that does not fit
    /// (SIGFPE).
    DivideError,
}

/// What an indirect jump is, as far as the encoding tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IndirectKind {
    /// A call: `ret` is the guest address of the instruction after it.
    Call { ret: u64 },
    /// A return (RISC-V `jalr x0, 0(ra)`).
    Return,
    /// Any other computed jump (switch tables, tail calls, PLT).
    Jump,
}

/// The operations a guest instruction's meaning is made of.
///
/// Control-flow methods (`branch`, `jump`, `call`, `jump_indirect`,
/// `syscall`, `trap`, `fence_i`) end the instruction: the semantics call at
/// most one of them, as the instruction's last action, and an instruction
/// that calls none falls through to the next one.
pub trait Backend {
    /// A 64-bit integer value.
    type V: Copy;

    fn imm(&mut self, x: u64) -> Self::V;

    /// The value of `v` if the backend knows it while building the
    /// instruction (the interpreter always does; the lifter does for
    /// constants). The semantics use it to pick a cheaper but equivalent
    /// expansion, never to change a result.
    fn known(&mut self, v: Self::V) -> Option<u64>;

    /// General-purpose register `r` (the ISA semantics never ask for a
    /// hard-wired zero register: they use `imm(0)`).
    fn xreg(&mut self, r: u8) -> Self::V;
    fn set_xreg(&mut self, r: u8, v: Self::V);
    /// Floating-point register `r`, raw 64 bits (NaN-boxing is the
    /// semantics' business).
    fn freg(&mut self, r: u8) -> Self::V;
    fn set_freg(&mut self, r: u8, v: Self::V);
    fn state(&mut self, r: StateReg) -> Self::V;
    fn set_state(&mut self, r: StateReg, v: Self::V);

    fn bin(&mut self, op: BinOp, a: Self::V, b: Self::V) -> Self::V;
    fn un(&mut self, op: UnOp, a: Self::V) -> Self::V;
    fn cmp(&mut self, c: Cond, a: Self::V, b: Self::V) -> Self::V;
    /// `c != 0 ? a : b`
    fn select(&mut self, c: Self::V, a: Self::V, b: Self::V) -> Self::V;

    /// Load `w` bytes at guest address `addr`, zero- or sign-extended.
    fn load(&mut self, w: Width, signed: bool, addr: Self::V) -> Self::V;
    /// Store the low `w` bytes of `v` at guest address `addr`.
    fn store(&mut self, w: Width, addr: Self::V, v: Self::V);

    /// A floating-point operation (see [`FpOp`]). `args` holds 1 to 3
    /// operands; `rm` is the RISC-V rounding mode (0 RNE, 1 RTZ, 2 RDN,
    /// 3 RUP, 4 RMM). For dynamic-mode instructions it is the raw `frm`
    /// value, which may be a reserved mode (5..=7): the backend must then end
    /// the instruction as `Trap::IllegalInstruction` with no other effect.
    /// Static reserved modes never reach the backend (the semantics trap).
    ///
    /// With [`RM_X86`] added to the mode, x86 rules apply instead of RISC-V's:
    /// a NaN result is the first NaN operand made quiet (the default NaN,
    /// negative, when no operand is NaN); an out-of-range or NaN conversion
    /// to an integer gives the integer indefinite (the minimum signed value
    /// of the width; unsigned types are not used); `Min`/`Max` are `minsd`/
    /// `maxsd` (`a < b ? a : b`, `a > b ? a : b`: the second operand when
    /// either is NaN or both are zero), with no flags but invalid on NaN;
    /// `Lt`/`Le`/`Eq` return 1/0 the same way; the accrued flags are
    /// RISC-V's five plus `FLAG_DENORMAL` when an input is denormal.
    fn fp(&mut self, op: FpOp, fmt: Fmt, args: &[Self::V], rm: Self::V) -> Self::V;

    fn counter(&mut self, c: Counter) -> Self::V;

    /// An x87 operation (`code` from `x86_64::x87`), with its memory operand's
    /// guest address or its integer operand in `arg`. The x87 registers live
    /// only in the CPU state, so the backend runs the operation there (the
    /// interpreter directly, the lifter through the runtime's routine). The
    /// result is what the operation defines (a status word, flags), else 0.
    /// A memory access outside guest memory faults as a load or store would.
    fn x87(&mut self, code: u32, arg: Self::V) -> Self::V;

    /// Conditional branch: continue at `taken` if `c != 0`, else at `not_taken`.
    fn branch(&mut self, c: Self::V, taken: u64, not_taken: u64);
    /// Unconditional direct jump.
    fn jump(&mut self, target: u64);
    /// Direct call; the return address has already been written by the
    /// semantics. `ret` is where the callee is expected to return to.
    fn call(&mut self, target: u64, ret: u64);
    /// Computed jump, call or return.
    fn jump_indirect(&mut self, target: Self::V, kind: IndirectKind);
    /// System call; arguments are in guest registers. Execution continues at
    /// `next` unless the runtime decides otherwise.
    fn syscall(&mut self, next: u64);
    /// The instruction at `pc` cannot run.
    fn trap(&mut self, t: Trap, pc: u64);
    /// The instruction at `pc` cannot run if `c != 0` (it then has no
    /// effect); otherwise it goes on. Unlike [`trap`](Backend::trap) this
    /// does not end the instruction. The semantics call it only with a value
    /// the backend does not know (see [`known`](Backend::known)).
    fn trap_if(&mut self, c: Self::V, t: Trap, pc: u64);
    /// Instruction-stream synchronisation (`fence.i`): code may have changed.
    fn fence_i(&mut self, next: u64);
}

impl FpOp {
    /// Every operation, in the order of their [`code`](FpOp::code)s.
    const ALL: [FpOp; 23] = [
        FpOp::Add,
        FpOp::Sub,
        FpOp::Mul,
        FpOp::Div,
        FpOp::Sqrt,
        FpOp::Min,
        FpOp::Max,
        FpOp::MulAdd,
        FpOp::MulSub,
        FpOp::NegMulAdd,
        FpOp::NegMulSub,
        FpOp::Eq,
        FpOp::Lt,
        FpOp::Le,
        FpOp::Class,
        FpOp::ToInt(IntTy::I32),
        FpOp::ToInt(IntTy::U32),
        FpOp::ToInt(IntTy::I64),
        FpOp::ToInt(IntTy::U64),
        FpOp::FromInt(IntTy::I32),
        FpOp::FromInt(IntTy::U32),
        FpOp::FromInt(IntTy::I64),
        FpOp::FromInt(IntTy::U64),
    ];

    /// A number naming this operation on `fmt`: how translated code tells
    /// the runtime's floating-point routine what to compute.
    pub fn code(self, fmt: Fmt) -> u32 {
        let index = match self {
            FpOp::Convert => Self::ALL.len(),
            op => Self::ALL.iter().position(|&o| o == op).unwrap_or(0),
        };
        (index as u32) << 1 | u32::from(fmt == Fmt::D)
    }

    /// The operation and format a [`code`](FpOp::code) names.
    pub fn from_code(code: u32) -> Option<(FpOp, Fmt)> {
        let fmt = if code & 1 == 1 { Fmt::D } else { Fmt::S };
        let index = (code >> 1) as usize;
        let op = match Self::ALL.get(index) {
            Some(&op) => op,
            None if index == Self::ALL.len() => FpOp::Convert,
            None => return None,
        };
        Some((op, fmt))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fp_codes_round_trip() {
        let mut seen = std::collections::BTreeSet::new();
        for op in FpOp::ALL.iter().copied().chain([FpOp::Convert]) {
            for fmt in [Fmt::S, Fmt::D] {
                let code = op.code(fmt);
                assert!(seen.insert(code), "{op:?} {fmt:?} shares code {code}");
                assert_eq!(FpOp::from_code(code), Some((op, fmt)));
            }
        }
        assert_eq!(FpOp::from_code(1000), None);
    }
}
