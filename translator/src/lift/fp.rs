//! Floating point in translated code.
//!
//! Every operation has an exact path: a call of the runtime's routine
//! (`c2w_fp`, the interpreter's own implementation), which rounds in any
//! mode and accrues the exception flags in the CPU state. The common cases
//! take a fast path of Wasm float instructions when they cannot differ from
//! it: round-to-nearest-even, operands and result of the ordinary kind, and
//! the only flag the operation could raise (inexact) already set.

use c2w_isa::{Fmt, FpOp, IntTy, StateReg};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::types::{F32, F64, I32, I64};
use cranelift_codegen::ir::{BlockArg, InstBuilder, MemFlagsData, Value};

use super::Clif;

/// The inexact flag in `fflags`.
const NX: i64 = 1;

/// Which operations have a fast path, and what it needs.
enum Fast {
    /// Rounded arithmetic: needs round-to-nearest-even, inexact already
    /// set, and a normal finite result.
    Rounded,
    /// Comparisons, min and max: need operands that are not NaN (then no
    /// flag is raised and the Wasm instruction gives the RISC-V result).
    Ordered,
    /// Exact conversions (32-bit integers to double): no condition.
    Exact,
}

fn fast(op: FpOp, fmt: Fmt) -> Option<Fast> {
    match op {
        FpOp::Add | FpOp::Sub | FpOp::Mul | FpOp::Div | FpOp::Sqrt => Some(Fast::Rounded),
        FpOp::Min | FpOp::Max | FpOp::Eq | FpOp::Lt | FpOp::Le => Some(Fast::Ordered),
        FpOp::FromInt(IntTy::I32 | IntTy::U32) if fmt == Fmt::D => Some(Fast::Exact),
        _ => None,
    }
}

impl<I: crate::discover::Guest> Clif<'_, '_, I> {
    /// `op` on `args` (raw register bits) rounded by `rm` (a valid mode).
    pub(super) fn fp_op(&mut self, op: FpOp, fmt: Fmt, args: &[Value], rm: Value) -> Value {
        // x86 rules (RM_X86, with RM_FTZ and RM_DAZ from MXCSR): the rounded
        // fast path already requires mode 0, which x86 modes never are; the
        // ordered one gives RISC-V's min/max and no denormal flag, and DAZ
        // changes comparisons, so it is taken only for a mode known to be
        // RISC-V's (x86 modes that depend on MXCSR are not constants).
        let x86 = !self
            .consts
            .get(&rm)
            .is_some_and(|&m| m & c2w_isa::RM_X86 == 0);
        let kind = match fast(op, fmt) {
            Some(Fast::Ordered) if x86 => None,
            k => k,
        };
        let Some(kind) = kind else {
            return self.fp_call(op, fmt, args, rm);
        };
        let (fast_value, ok) = self.fp_fast(op, fmt, kind, args, rm);
        let slow = self.b.create_block();
        let join = self.b.create_block();
        let result = self.b.append_block_param(join, I64);
        self.b
            .ins()
            .brif(ok, join, &[BlockArg::Value(fast_value)], slow, &[]);
        self.b.switch_to_block(slow);
        let v = self.fp_call(op, fmt, args, rm);
        self.b.ins().jump(join, &[BlockArg::Value(v)]);
        self.b.switch_to_block(join);
        result
    }

    /// The exact path: the runtime's routine.
    fn fp_call(&mut self, op: FpOp, fmt: Fmt, args: &[Value], rm: Value) -> Value {
        let fflags = self.regs.state[StateReg::FFlags.index()].expect("fp operations use fflags");
        let flags = self.b.use_var(fflags);
        self.store_cpu(super::Cpu::FFLAGS, flags);
        let code = self.b.ins().iconst(I32, i64::from(op.code(fmt)));
        let zero = self.iconst(0);
        let arg = |i: usize| args.get(i).copied().unwrap_or(zero);
        let v = self.call_helper(super::Helper::Fp, &[code, arg(0), arg(1), arg(2), rm]);
        let flags = self.load_cpu(super::Cpu::FFLAGS);
        self.b.def_var(fflags, flags);
        v
    }

    /// Register bits as a float of `fmt`.
    fn as_float(&mut self, fmt: Fmt, v: Value) -> Value {
        match fmt {
            Fmt::D => self.b.ins().bitcast(F64, MemFlagsData::new(), v),
            Fmt::S => {
                let low = self.b.ins().ireduce(I32, v);
                self.b.ins().bitcast(F32, MemFlagsData::new(), low)
            }
        }
    }

    /// A float of `fmt` as register bits (single: zero-extended; the
    /// semantics NaN-box it).
    fn float_bits(&mut self, fmt: Fmt, v: Value) -> Value {
        match fmt {
            Fmt::D => self.b.ins().bitcast(I64, MemFlagsData::new(), v),
            Fmt::S => {
                let bits = self.b.ins().bitcast(I32, MemFlagsData::new(), v);
                self.b.ins().uextend(I64, bits)
            }
        }
    }

    /// The fast result and whether it may be used (an i8 condition).
    fn fp_fast(
        &mut self,
        op: FpOp,
        fmt: Fmt,
        kind: Fast,
        args: &[Value],
        rm: Value,
    ) -> (Value, Value) {
        if let Fast::Exact = kind {
            let low = self.b.ins().ireduce(I32, args[0]);
            let f = match op {
                FpOp::FromInt(IntTy::U32) => self.b.ins().fcvt_from_uint(F64, low),
                _ => self.b.ins().fcvt_from_sint(F64, low),
            };
            let v = self.float_bits(Fmt::D, f);
            let yes = self.b.ins().iconst(cranelift_codegen::ir::types::I8, 1);
            return (v, yes);
        }
        let a = self.as_float(fmt, args[0]);
        let b = match args.get(1) {
            Some(&b) => self.as_float(fmt, b),
            None => a,
        };
        let ins = self.b.ins();
        match kind {
            Fast::Rounded => {
                let r = match op {
                    FpOp::Add => ins.fadd(a, b),
                    FpOp::Sub => ins.fsub(a, b),
                    FpOp::Mul => ins.fmul(a, b),
                    FpOp::Div => ins.fdiv(a, b),
                    _ => ins.sqrt(a),
                };
                let (min, max) = match fmt {
                    Fmt::S => (
                        self.b.ins().f32const(f32::MIN_POSITIVE),
                        self.b.ins().f32const(f32::MAX),
                    ),
                    Fmt::D => (
                        self.b.ins().f64const(f64::MIN_POSITIVE),
                        self.b.ins().f64const(f64::MAX),
                    ),
                };
                let magnitude = self.b.ins().fabs(r);
                let normal = self
                    .b
                    .ins()
                    .fcmp(FloatCC::GreaterThanOrEqual, magnitude, min);
                let finite = self.b.ins().fcmp(FloatCC::LessThanOrEqual, magnitude, max);
                let nearest = self.b.ins().icmp_imm_s(IntCC::Equal, rm, 0);
                let fflags =
                    self.regs.state[StateReg::FFlags.index()].expect("fp operations use fflags");
                let flags = self.b.use_var(fflags);
                let inexact = self.b.ins().band_imm_s(flags, NX);
                let inexact = self.b.ins().icmp_imm_s(IntCC::NotEqual, inexact, 0);
                let ok = self.b.ins().band(normal, finite);
                let ok = self.b.ins().band(ok, nearest);
                let ok = self.b.ins().band(ok, inexact);
                (self.float_bits(fmt, r), ok)
            }
            Fast::Ordered => {
                let ordered = ins.fcmp(FloatCC::Ordered, a, b);
                let v = match op {
                    FpOp::Min => {
                        let r = self.b.ins().fmin(a, b);
                        self.float_bits(fmt, r)
                    }
                    FpOp::Max => {
                        let r = self.b.ins().fmax(a, b);
                        self.float_bits(fmt, r)
                    }
                    _ => {
                        let cc = match op {
                            FpOp::Eq => FloatCC::Equal,
                            FpOp::Lt => FloatCC::LessThan,
                            _ => FloatCC::LessThanOrEqual,
                        };
                        let c = self.b.ins().fcmp(cc, a, b);
                        self.b.ins().uextend(I64, c)
                    }
                };
                (v, ordered)
            }
            Fast::Exact => unreachable!("handled above"),
        }
    }
}
