//! x87 operation codes for [`Backend::x87`](crate::Backend::x87), shared by
//! the semantics (`fpu`) and the runtime's x87 unit.
//!
//! A code is `op | sti << 8 | src << 12 | flags`: `op` one of the
//! operations below, `sti` a stack register number, `src` where the
//! second operand of an arithmetic operation or comparison comes from.

/// Bits of the operation.
pub const OP_MASK: u32 = 0xff;
pub const STI_SHIFT: u32 = 8;
pub const SRC_SHIFT: u32 = 12;
/// Pop the stack once after the operation.
pub const POP: u32 = 1 << 16;
/// Pop twice (fcompp, fucompp).
pub const POP2: u32 = 1 << 17;
/// The destination is st(i) instead of st(0) (`fadd st(i), st`).
pub const TO_STI: u32 = 1 << 18;

/// Operand sources (`src`): st(i), or memory at `arg` of these types.
pub const SRC_ST: u32 = 0;
pub const SRC_F32: u32 = 1;
pub const SRC_F64: u32 = 2;
pub const SRC_F80: u32 = 3;
pub const SRC_I16: u32 = 4;
pub const SRC_I32: u32 = 5;
pub const SRC_I64: u32 = 6;

/// Push a value from `src` (st(i) or memory at `arg`).
pub const LOAD: u32 = 1;
/// Push constant `sti`: 0 +0, 1 +1, 2 pi, 3 log2(e), 4 log2(10), 5 log10(2),
/// 6 ln(2).
pub const CONST: u32 = 2;
/// Store st(0) to `src` (st(i) or memory at `arg`), rounding by RC.
pub const STORE: u32 = 3;
/// Store st(0) to an integer at `arg` truncating (fisttp).
pub const STORE_TRUNC: u32 = 4;

/// Arithmetic: st(0) = st(0) op src (or st(i) = st(i) op st(0) with
/// [`TO_STI`]).
pub const ADD: u32 = 10;
pub const MUL: u32 = 11;
pub const SUB: u32 = 12;
pub const SUBR: u32 = 13;
pub const DIV: u32 = 14;
pub const DIVR: u32 = 15;

/// Compare st(0) with src into C0 C2 C3 (signalling on NaNs).
pub const COM: u32 = 20;
/// Compare, quiet on quiet NaNs.
pub const UCOM: u32 = 21;
/// Compare st(0) with st(i) into ZF PF CF: returns the RFLAGS word.
pub const COMI: u32 = 22;
pub const UCOMI: u32 = 23;
/// Compare st(0) with +0.
pub const TST: u32 = 24;
/// Classify st(0) into C0 C2 C3 (C1 its sign).
pub const XAM: u32 = 25;

pub const CHS: u32 = 30;
pub const ABS: u32 = 31;
pub const SQRT: u32 = 32;
pub const RNDINT: u32 = 33;
pub const SCALE: u32 = 34;
pub const XTRACT: u32 = 35;
pub const PREM: u32 = 36;
pub const PREM1: u32 = 37;
pub const F2XM1: u32 = 38;
pub const YL2X: u32 = 39;
pub const YL2XP1: u32 = 40;
pub const PTAN: u32 = 41;
pub const PATAN: u32 = 42;
pub const SIN: u32 = 43;
pub const COS: u32 = 44;
pub const SINCOS: u32 = 45;

/// Exchange st(0) and st(i).
pub const XCH: u32 = 50;
/// Mark st(i) empty.
pub const FREE: u32 = 51;
pub const INCSTP: u32 = 52;
pub const DECSTP: u32 = 53;
/// fninit.
pub const INIT: u32 = 54;
/// fnclex.
pub const CLEX: u32 = 55;
/// Returns the status word (with TOP).
pub const STSW: u32 = 56;
/// Returns the control word.
pub const STCW: u32 = 57;
/// Loads the control word from `arg`'s low 16 bits.
pub const LDCW: u32 = 58;
/// fnstenv / fldenv at `arg` (64-bit layout, 28 bytes).
pub const STENV: u32 = 59;
pub const LDENV: u32 = 60;
/// fxsave / fxrstor at `arg` (512 bytes; x87, MXCSR, xmm0..15).
pub const FXSAVE: u32 = 61;
pub const FXRSTOR: u32 = 62;
/// st(0) = st(i) if `arg` is non-zero (fcmovcc; the semantics evaluate the
/// condition).
pub const CMOV: u32 = 63;
/// fnsave / frstor at `arg` (108 bytes).
pub const SAVE: u32 = 64;
pub const RSTOR: u32 = 65;

/// The code of operation `op` on st(`sti`) with source `src` and `flags`.
pub const fn code(op: u32, sti: u32, src: u32, flags: u32) -> u32 {
    op | (sti & 7) << STI_SHIFT | src << SRC_SHIFT | flags
}
