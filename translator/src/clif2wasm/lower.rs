//! The Wasm sequence of each CLIF instruction.
//!
//! Conventions:
//! - i8 and i16 values live in i32 locals, always zero-extended. Operations
//!   that can set bits above the type's width mask their result; operations
//!   that need the signed value sign-extend their operands first.
//! - Lowering an instruction leaves its results on the operand stack; the
//!   caller either stores them in locals or (for an inline value) leaves the
//!   single result there for its user.
//! - Operands are evaluated exactly once, in the order given by
//!   [`evaluation_order`](super::analysis::evaluation_order): either pushed
//!   ([`Emitter::push`]) or, when a sequence needs them several times,
//!   fetched into a local first ([`Emitter::operand_local`]).

use super::analysis::Plan;
use super::code::Code;
use super::{unsupported, val_type, Env, Error};
use cranelift_codegen::entity::SecondaryMap;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    types, Block, BlockArg, BlockCall, Endianness, ExternalName, Function, Inst, InstructionData,
    Opcode, Type, Value, ValueDef,
};
use wasm_encoder::{BlockType, Ieee32, Ieee64, Instruction as I, MemArg, ValType};

/// "No local yet" in [`Emitter::locals`].
const NO_LOCAL: u32 = u32::MAX;

/// An integer type, as far as its Wasm representation is concerned.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Int {
    I8,
    I16,
    I32,
    I64,
}

impl Int {
    fn of(ty: Type) -> Option<Int> {
        match ty {
            types::I8 => Some(Int::I8),
            types::I16 => Some(Int::I16),
            types::I32 => Some(Int::I32),
            types::I64 => Some(Int::I64),
            _ => None,
        }
    }

    fn bits(self) -> u32 {
        match self {
            Int::I8 => 8,
            Int::I16 => 16,
            Int::I32 => 32,
            Int::I64 => 64,
        }
    }

    /// Whether the Wasm representation is an i64.
    fn wide(self) -> bool {
        self == Int::I64
    }

    /// The bit width of the Wasm representation.
    fn container_bits(self) -> u32 {
        if self.wide() {
            64
        } else {
            32
        }
    }

    fn val_type(self) -> ValType {
        if self.wide() {
            ValType::I64
        } else {
            ValType::I32
        }
    }

    /// The mask of the type's bits, for i8 and i16 (kept in i32 containers).
    fn narrow_mask(self) -> Option<i32> {
        match self {
            Int::I8 => Some(0xff),
            Int::I16 => Some(0xffff),
            _ => None,
        }
    }
}

/// Emits the body of one function.
pub(super) struct Emitter<'a> {
    pub func: &'a Function,
    env: &'a dyn Env,
    plan: &'a Plan,
    pub code: Code,
    /// The (virtual) local of each value, allocated on first use.
    locals: SecondaryMap<Value, u32>,
}

impl<'a> Emitter<'a> {
    pub fn new(
        func: &'a Function,
        env: &'a dyn Env,
        plan: &'a Plan,
        params: &[ValType],
        entry: Block,
    ) -> Result<Self, Error> {
        let mut locals = SecondaryMap::with_default(NO_LOCAL);
        let entry_params = func.dfg.block_params(entry);
        if entry_params.len() != params.len() {
            return Err(Error::Unsupported {
                what: "entry block parameters differ from the signature".into(),
                inst: format!("{entry}"),
            });
        }
        for (i, &p) in entry_params.iter().enumerate() {
            locals[p] = i as u32;
        }
        Ok(Self {
            func,
            env,
            plan,
            code: Code::new(params),
            locals,
        })
    }

    pub fn finish(self) -> Result<wasm_encoder::Function, Error> {
        Ok(self.code.finish())
    }

    pub fn ins(&mut self, inst: I<'static>) {
        self.code.push(inst);
    }

    /// The local holding `v` (allocated on first use); `inst` is only named
    /// in the error for an unsupported type.
    fn value_local(&mut self, v: Value, inst: Inst) -> Result<u32, Error> {
        if self.locals[v] == NO_LOCAL {
            let ty = self.func.dfg.value_type(v);
            let vt =
                val_type(ty).ok_or_else(|| unsupported(self.func, inst, format!("type {ty}")))?;
            self.locals[v] = self.code.new_local(vt)?;
        }
        Ok(self.locals[v])
    }

    /// Pushes the value `v` (used by `user`): either its local, or the
    /// instruction defining it when it is emitted inline.
    pub fn push(&mut self, v: Value, user: Inst) -> Result<(), Error> {
        let v = self.func.dfg.resolve_aliases(v);
        if self.plan.inline[v] {
            if let ValueDef::Result(def, _) = self.func.dfg.value_def(v) {
                let mark = self.code.scratch_mark();
                self.lower(def)?;
                self.code.release_scratch(mark);
                return Ok(());
            }
        }
        let local = self.value_local(v, user)?;
        self.ins(I::LocalGet(local));
        Ok(())
    }

    /// A local holding the operand `v` of `user`, to read it several times:
    /// its own local, or a scratch local for an inline value.
    fn operand_local(&mut self, v: Value, user: Inst) -> Result<u32, Error> {
        let v = self.func.dfg.resolve_aliases(v);
        if !self.plan.inline[v] {
            return self.value_local(v, user);
        }
        self.push(v, user)?;
        let ty = self.func.dfg.value_type(v);
        let vt = val_type(ty).ok_or_else(|| unsupported(self.func, user, format!("type {ty}")))?;
        let local = self.code.scratch(vt)?;
        self.ins(I::LocalSet(local));
        Ok(local)
    }

    /// Pushes the truth of the integer `c` as an i32 (nonzero is true).
    pub fn push_condition(&mut self, c: Value, user: Inst) -> Result<(), Error> {
        self.push(c, user)?;
        if self.int_type(c, user)?.wide() {
            self.ins(I::I64Eqz);
            self.ins(I::I32Eqz);
        }
        Ok(())
    }

    /// Emits the non-terminator instructions of `block` that are neither
    /// inline nor dead, storing their results.
    pub fn block_body(&mut self, block: Block) -> Result<(), Error> {
        let func = self.func;
        let Some(last) = func.layout.last_inst(block) else {
            return Ok(());
        };
        for inst in func.layout.block_insts(block) {
            if inst == last {
                break;
            }
            let results = func.dfg.inst_results(inst);
            if self.plan.dead[inst] || results.first().is_some_and(|r| self.plan.inline[*r]) {
                continue;
            }
            let mark = self.code.scratch_mark();
            self.lower(inst)?;
            self.code.release_scratch(mark);
            for &r in results.iter().rev() {
                if self.plan.uses[r] > 0 {
                    let local = self.value_local(r, inst)?;
                    self.ins(I::LocalSet(local));
                } else {
                    self.ins(I::Drop);
                }
            }
        }
        Ok(())
    }

    /// Assigns the arguments of the edge `call` (of the branch `inst`) to the
    /// target's parameters as a parallel move: all arguments are pushed
    /// first, then the parameters are set in reverse order, so that
    /// permutations (e.g. swaps) are correct.
    pub fn parallel_move(&mut self, call: BlockCall, inst: Inst) -> Result<(), Error> {
        let dfg = &self.func.dfg;
        let params = dfg.block_params(call.block(&dfg.value_lists));
        let mut moves = Vec::new();
        for (arg, &param) in call.args(&dfg.value_lists).zip(params) {
            let BlockArg::Value(v) = arg else {
                return Err(unsupported(
                    self.func,
                    inst,
                    "exception-related block argument",
                ));
            };
            let v = dfg.resolve_aliases(v);
            let param_used = self.plan.uses[param] > 0;
            // Self-assignments are no-ops; unused parameters need no value,
            // except that an inline argument must still be evaluated.
            if v != param && (param_used || self.plan.inline[v]) {
                moves.push((v, param, param_used));
            }
        }
        for &(v, _, _) in &moves {
            self.push(v, inst)?;
        }
        for &(_, param, used) in moves.iter().rev() {
            if used {
                let local = self.value_local(param, inst)?;
                self.ins(I::LocalSet(local));
            } else {
                self.ins(I::Drop);
            }
        }
        Ok(())
    }

    fn int_type(&self, v: Value, user: Inst) -> Result<Int, Error> {
        let ty = self.func.dfg.value_type(v);
        Int::of(ty).ok_or_else(|| unsupported(self.func, user, format!("type {ty}")))
    }

    /// Checks that all operands and results of `inst` have supported types.
    fn check_types(&self, inst: Inst) -> Result<(), Error> {
        let dfg = &self.func.dfg;
        for &v in dfg.inst_args(inst).iter().chain(dfg.inst_results(inst)) {
            let ty = dfg.value_type(v);
            if val_type(ty).is_none() {
                return Err(unsupported(self.func, inst, format!("type {ty}")));
            }
        }
        Ok(())
    }

    fn iconst(&mut self, ty: Int, value: i64) {
        self.ins(if ty.wide() {
            I::I64Const(value)
        } else {
            I::I32Const(value as i32)
        });
    }

    /// Masks the top of the stack to the width of an i8/i16 result.
    fn mask(&mut self, ty: Int) {
        if let Some(m) = ty.narrow_mask() {
            self.ins(I::I32Const(m));
            self.ins(I::I32And);
        }
    }

    /// Sign-extends the i8/i16 on top of the stack to its i32 container.
    fn sext(&mut self, ty: Int) {
        match ty {
            Int::I8 => self.ins(I::I32Extend8S),
            Int::I16 => self.ins(I::I32Extend16S),
            _ => {}
        }
    }

    /// `narrow` for an i32 container, `wide` for an i64 one.
    fn pick(&mut self, ty: Int, narrow: I<'static>, wide: I<'static>) {
        self.ins(if ty.wide() { wide } else { narrow });
    }

    /// Emits the Wasm sequence of `inst`, leaving its results on the stack.
    pub fn lower(&mut self, inst: Inst) -> Result<(), Error> {
        self.check_types(inst)?;
        let func = self.func;
        let dfg = &func.dfg;
        let data = dfg.insts[inst];
        let op = data.opcode();
        let args = dfg.inst_args(inst);
        let result_ty = dfg.inst_results(inst).first().map(|r| dfg.value_type(*r));
        let res_int = result_ty.and_then(Int::of);
        let bad = || unsupported(func, inst, format!("opcode {op}"));

        match data {
            InstructionData::NullAry {
                opcode: Opcode::Nop | Opcode::SequencePoint,
            } => {}
            InstructionData::UnaryImm {
                opcode: Opcode::Iconst,
                imm,
            } => {
                let ty = res_int.ok_or_else(bad)?;
                let mut value = imm.bits();
                if let Some(m) = ty.narrow_mask() {
                    value &= i64::from(m);
                }
                self.iconst(ty, value);
            }
            InstructionData::UnaryIeee32 {
                opcode: Opcode::F32const,
                imm,
            } => {
                self.ins(I::F32Const(Ieee32::new(imm.bits())));
            }
            InstructionData::UnaryIeee64 {
                opcode: Opcode::F64const,
                imm,
            } => {
                self.ins(I::F64Const(Ieee64::new(imm.bits())));
            }
            InstructionData::Binary {
                opcode,
                args: [a, b],
            } => {
                if let Some(ty) = res_int {
                    self.int_binary(inst, opcode, ty, a, b)?;
                } else {
                    self.float_binary(inst, opcode, result_ty == Some(types::F64), a, b)?;
                }
            }
            InstructionData::Unary { opcode, arg } => self.unary(inst, opcode, arg)?,
            InstructionData::IntCompare {
                cond, args: [a, b], ..
            } => {
                self.icmp(inst, cond, a, b)?;
            }
            InstructionData::FloatCompare {
                cond, args: [a, b], ..
            } => {
                self.fcmp(inst, cond, a, b)?;
            }
            InstructionData::Ternary {
                opcode: Opcode::Select | Opcode::SelectSpectreGuard,
                args: [c, x, y],
            } => {
                self.push(x, inst)?;
                self.push(y, inst)?;
                self.push_condition(c, inst)?;
                self.ins(I::Select);
            }
            InstructionData::Ternary {
                opcode: Opcode::Bitselect,
                args: [c, x, y],
            } => self.bitselect(inst, c, x, y)?,
            InstructionData::IntAddTrap {
                opcode: Opcode::UaddOverflowTrap,
                args: [a, b],
                ..
            } => {
                let ty = res_int.ok_or_else(bad)?;
                let a = self.operand_local(a, inst)?;
                self.ins(I::LocalGet(a));
                self.push(b, inst)?;
                self.pick(ty, I::I32Add, I::I64Add);
                let sum = self.code.scratch(ty.val_type())?;
                self.ins(I::LocalTee(sum));
                self.ins(I::LocalGet(a));
                self.pick(ty, I::I32LtU, I::I64LtU);
                self.trap_if_top();
                self.ins(I::LocalGet(sum));
            }
            InstructionData::Load {
                opcode,
                arg,
                offset,
                ..
            } => {
                self.check_endianness(inst)?;
                let offset = self.address(inst, arg, offset.into())?;
                let ty = result_ty.ok_or_else(bad)?;
                let (load, post_mask) = load_instruction(opcode, ty, offset).ok_or_else(bad)?;
                self.ins(load);
                if post_mask {
                    self.mask(Int::I16);
                }
            }
            InstructionData::Store {
                opcode,
                args: [x, p],
                offset,
                ..
            } => {
                self.check_endianness(inst)?;
                let offset = self.address(inst, p, offset.into())?;
                let store = store_instruction(opcode, dfg.value_type(x), offset).ok_or_else(bad)?;
                self.push(x, inst)?;
                self.ins(store);
            }
            InstructionData::LoadNoOffset {
                opcode: Opcode::Bitcast,
                arg,
                ..
            } => {
                let from = dfg.value_type(arg);
                let to = result_ty.ok_or_else(bad)?;
                let convert = match (from, to) {
                    (types::I32, types::F32) => Some(I::F32ReinterpretI32),
                    (types::F32, types::I32) => Some(I::I32ReinterpretF32),
                    (types::I64, types::F64) => Some(I::F64ReinterpretI64),
                    (types::F64, types::I64) => Some(I::I64ReinterpretF64),
                    _ if from == to => None,
                    _ => return Err(bad()),
                };
                self.push(arg, inst)?;
                if let Some(convert) = convert {
                    self.ins(convert);
                }
            }
            InstructionData::Call { func_ref, .. } => {
                let ext = &dfg.ext_funcs[func_ref];
                let index = match &ext.name {
                    ExternalName::User(r) => func
                        .params
                        .user_named_funcs()
                        .get(*r)
                        .and_then(|name| self.env.function_index(name)),
                    _ => None,
                };
                let index = index.ok_or_else(|| Error::UnknownCallee {
                    name: ext.name.display(Some(&func.params)).to_string(),
                })?;
                for &a in args {
                    self.push(a, inst)?;
                }
                self.ins(I::Call(index));
            }
            InstructionData::CondTrap { opcode, arg, .. } => {
                self.push_condition(arg, inst)?;
                if opcode == Opcode::Trapz {
                    self.ins(I::I32Eqz);
                }
                self.trap_if_top();
            }
            _ => return Err(bad()),
        }
        Ok(())
    }

    /// Traps if the i32 on top of the stack is nonzero.
    fn trap_if_top(&mut self) {
        self.ins(I::If(BlockType::Empty));
        self.ins(I::Unreachable);
        self.ins(I::End);
    }

    fn check_endianness(&self, inst: Inst) -> Result<(), Error> {
        let flags = self.func.dfg.insts[inst].memflags_data(&self.func.dfg);
        if flags.and_then(|f| f.explicit_endianness()) == Some(Endianness::Big) {
            return Err(unsupported(self.func, inst, "big-endian memory access"));
        }
        Ok(())
    }

    /// Pushes the address `p + offset` as far as needed and returns the
    /// offset left for the memarg (Wasm offsets are unsigned).
    fn address(&mut self, inst: Inst, p: Value, offset: i64) -> Result<u64, Error> {
        let ty = self.func.dfg.value_type(p);
        if ty != types::I32 {
            return Err(unsupported(self.func, inst, format!("{ty} address")));
        }
        self.push(p, inst)?;
        if offset >= 0 {
            Ok(offset as u64)
        } else {
            self.ins(I::I32Const(offset as i32));
            self.ins(I::I32Add);
            Ok(0)
        }
    }

    fn int_binary(
        &mut self,
        inst: Inst,
        op: Opcode,
        ty: Int,
        a: Value,
        b: Value,
    ) -> Result<(), Error> {
        use Opcode::*;
        // Operations whose Wasm form on zero-extended operands is exact,
        // with a mask when the result can have bits above the width.
        let simple = match op {
            Iadd => Some((I::I32Add, I::I64Add, true)),
            Isub => Some((I::I32Sub, I::I64Sub, true)),
            Imul => Some((I::I32Mul, I::I64Mul, true)),
            Band => Some((I::I32And, I::I64And, false)),
            Bor => Some((I::I32Or, I::I64Or, false)),
            Bxor => Some((I::I32Xor, I::I64Xor, false)),
            Udiv => Some((I::I32DivU, I::I64DivU, false)),
            Urem => Some((I::I32RemU, I::I64RemU, false)),
            _ => None,
        };
        if let Some((narrow, wide, mask)) = simple {
            self.push(a, inst)?;
            self.push(b, inst)?;
            self.pick(ty, narrow, wide);
            if mask {
                self.mask(ty);
            }
            return Ok(());
        }
        match op {
            Sdiv | Srem if ty.narrow_mask().is_some() => {
                let a = self.operand_local(a, inst)?;
                let b = self.operand_local(b, inst)?;
                if op == Sdiv {
                    // MIN / -1 overflows the type: CLIF traps, but the
                    // sign-extended i32 division would not.
                    let min = 1i32 << (ty.bits() - 1);
                    self.ins(I::LocalGet(a));
                    self.ins(I::I32Const(min));
                    self.ins(I::I32Eq);
                    self.ins(I::LocalGet(b));
                    self.ins(I::I32Const(ty.narrow_mask().unwrap_or(-1)));
                    self.ins(I::I32Eq);
                    self.ins(I::I32And);
                    self.trap_if_top();
                }
                self.ins(I::LocalGet(a));
                self.sext(ty);
                self.ins(I::LocalGet(b));
                self.sext(ty);
                self.ins(if op == Sdiv { I::I32DivS } else { I::I32RemS });
                self.mask(ty);
            }
            Sdiv | Srem => {
                self.push(a, inst)?;
                self.push(b, inst)?;
                match op {
                    Sdiv => self.pick(ty, I::I32DivS, I::I64DivS),
                    _ => self.pick(ty, I::I32RemS, I::I64RemS),
                }
            }
            Ishl | Ushr | Sshr => {
                self.push(a, inst)?;
                if op == Sshr {
                    self.sext(ty);
                }
                self.push_shift_amount(inst, ty, b)?;
                match op {
                    Ishl => self.pick(ty, I::I32Shl, I::I64Shl),
                    Ushr => self.pick(ty, I::I32ShrU, I::I64ShrU),
                    _ => self.pick(ty, I::I32ShrS, I::I64ShrS),
                }
                if op != Ushr {
                    self.mask(ty);
                }
            }
            Rotl | Rotr if ty.narrow_mask().is_some() => {
                // (x << n) | (x >> ((bits - n) & (bits - 1))), n = amount & (bits - 1)
                let x = self.operand_local(a, inst)?;
                self.push_shift_amount(inst, ty, b)?;
                let n = self.code.scratch(ValType::I32)?;
                self.ins(I::LocalSet(n));
                let (first, second) = if op == Rotl {
                    (I::I32Shl, I::I32ShrU)
                } else {
                    (I::I32ShrU, I::I32Shl)
                };
                self.ins(I::LocalGet(x));
                self.ins(I::LocalGet(n));
                self.ins(first);
                self.ins(I::LocalGet(x));
                self.ins(I::I32Const(ty.bits() as i32));
                self.ins(I::LocalGet(n));
                self.ins(I::I32Sub);
                self.ins(I::I32Const(ty.bits() as i32 - 1));
                self.ins(I::I32And);
                self.ins(second);
                self.ins(I::I32Or);
                self.mask(ty);
            }
            Rotl | Rotr => {
                self.push(a, inst)?;
                self.push_shift_amount(inst, ty, b)?;
                match op {
                    Rotl => self.pick(ty, I::I32Rotl, I::I64Rotl),
                    _ => self.pick(ty, I::I32Rotr, I::I64Rotr),
                }
            }
            Smin | Smax | Umin | Umax => {
                let a = self.operand_local(a, inst)?;
                let b = self.operand_local(b, inst)?;
                let signed = matches!(op, Smin | Smax);
                self.ins(I::LocalGet(a));
                self.ins(I::LocalGet(b));
                self.ins(I::LocalGet(a));
                if signed {
                    self.sext(ty);
                }
                self.ins(I::LocalGet(b));
                if signed {
                    self.sext(ty);
                }
                match op {
                    Smin => self.pick(ty, I::I32LtS, I::I64LtS),
                    Smax => self.pick(ty, I::I32GtS, I::I64GtS),
                    Umin => self.pick(ty, I::I32LtU, I::I64LtU),
                    _ => self.pick(ty, I::I32GtU, I::I64GtU),
                }
                self.ins(I::Select);
            }
            Umulhi | Smulhi => self.mulhi(inst, op == Smulhi, ty, a, b)?,
            _ => return Err(unsupported(self.func, inst, format!("opcode {op}"))),
        }
        Ok(())
    }

    /// Pushes a shift amount converted to the container type of `ty`, and
    /// masked to the width for i8/i16 (Wasm masks i32/i64 amounts itself).
    fn push_shift_amount(&mut self, inst: Inst, ty: Int, amount: Value) -> Result<(), Error> {
        let amount_ty = self.int_type(amount, inst)?;
        self.push(amount, inst)?;
        match (ty.wide(), amount_ty.wide()) {
            (true, false) => self.ins(I::I64ExtendI32U),
            (false, true) => self.ins(I::I32WrapI64),
            _ => {}
        }
        if ty.narrow_mask().is_some() {
            self.ins(I::I32Const(ty.bits() as i32 - 1));
            self.ins(I::I32And);
        }
        Ok(())
    }

    /// The high half of the double-width product.
    fn mulhi(
        &mut self,
        inst: Inst,
        signed: bool,
        ty: Int,
        a: Value,
        b: Value,
    ) -> Result<(), Error> {
        match ty {
            Int::I8 | Int::I16 => {
                // The full product fits in 32 bits.
                self.push(a, inst)?;
                if signed {
                    self.sext(ty);
                }
                self.push(b, inst)?;
                if signed {
                    self.sext(ty);
                }
                self.ins(I::I32Mul);
                self.ins(I::I32Const(ty.bits() as i32));
                self.ins(if signed { I::I32ShrS } else { I::I32ShrU });
                self.mask(ty);
            }
            Int::I32 => {
                let extend = if signed {
                    I::I64ExtendI32S
                } else {
                    I::I64ExtendI32U
                };
                self.push(a, inst)?;
                self.ins(extend.clone());
                self.push(b, inst)?;
                self.ins(extend);
                self.ins(I::I64Mul);
                self.ins(I::I64Const(32));
                self.ins(I::I64ShrU);
                self.ins(I::I32WrapI64);
            }
            Int::I64 => {
                // Schoolbook multiplication on 32-bit halves:
                // p1 = lo(a)*hi(b), p2 = hi(a)*lo(b),
                // mid = hi(lo(a)*lo(b)) + lo(p1) + lo(p2),
                // high = hi(a)*hi(b) + hi(p1) + hi(p2) + hi(mid).
                let a = self.operand_local(a, inst)?;
                let b = self.operand_local(b, inst)?;
                let p1 = self.code.scratch(ValType::I64)?;
                let p2 = self.code.scratch(ValType::I64)?;
                self.half(a, false);
                self.half(b, true);
                self.ins(I::I64Mul);
                self.ins(I::LocalSet(p1));
                self.half(a, true);
                self.half(b, false);
                self.ins(I::I64Mul);
                self.ins(I::LocalSet(p2));
                self.half(a, false);
                self.half(b, false);
                self.ins(I::I64Mul);
                self.ins(I::I64Const(32));
                self.ins(I::I64ShrU);
                self.half(p1, false);
                self.ins(I::I64Add);
                self.half(p2, false);
                self.ins(I::I64Add);
                self.ins(I::I64Const(32));
                self.ins(I::I64ShrU);
                self.half(a, true);
                self.half(b, true);
                self.ins(I::I64Mul);
                self.ins(I::I64Add);
                self.half(p1, true);
                self.ins(I::I64Add);
                self.half(p2, true);
                self.ins(I::I64Add);
                if signed {
                    // smulhi = umulhi - (a < 0 ? b : 0) - (b < 0 ? a : 0)
                    for (x, y) in [(a, b), (b, a)] {
                        self.ins(I::LocalGet(x));
                        self.ins(I::I64Const(63));
                        self.ins(I::I64ShrS);
                        self.ins(I::LocalGet(y));
                        self.ins(I::I64And);
                        self.ins(I::I64Sub);
                    }
                }
            }
        }
        Ok(())
    }

    /// Pushes the low (or high) 32 bits of the i64 in `local`, zero-extended.
    fn half(&mut self, local: u32, high: bool) {
        self.ins(I::LocalGet(local));
        if high {
            self.ins(I::I64Const(32));
            self.ins(I::I64ShrU);
        } else {
            self.ins(I::I64Const(0xffff_ffff));
            self.ins(I::I64And);
        }
    }

    fn unary(&mut self, inst: Inst, op: Opcode, x: Value) -> Result<(), Error> {
        use Opcode::*;
        let dfg = &self.func.dfg;
        let from = dfg.value_type(x);
        let to = dfg.inst_results(inst).first().map(|r| dfg.value_type(*r));
        let bad = || unsupported(self.func, inst, format!("opcode {op}"));
        let to = to.ok_or_else(bad)?;
        let is64 = |t: Type| t == types::F64;
        // Float -> float operations that map to one Wasm instruction.
        let float_op = match op {
            Sqrt => Some((I::F32Sqrt, I::F64Sqrt)),
            Fneg => Some((I::F32Neg, I::F64Neg)),
            Fabs => Some((I::F32Abs, I::F64Abs)),
            Ceil => Some((I::F32Ceil, I::F64Ceil)),
            Floor => Some((I::F32Floor, I::F64Floor)),
            Trunc => Some((I::F32Trunc, I::F64Trunc)),
            Nearest => Some((I::F32Nearest, I::F64Nearest)),
            _ => None,
        };
        if let Some((f32op, f64op)) = float_op {
            self.push(x, inst)?;
            self.ins(if is64(to) { f64op } else { f32op });
            return Ok(());
        }
        match op {
            Fpromote | Fdemote => {
                self.push(x, inst)?;
                match (from, to) {
                    (types::F32, types::F64) => self.ins(I::F64PromoteF32),
                    (types::F64, types::F32) => self.ins(I::F32DemoteF64),
                    _ => return Err(bad()),
                }
            }
            FcvtToSint | FcvtToUint | FcvtToSintSat | FcvtToUintSat => {
                let conv = match (op, to, from) {
                    (FcvtToSint, types::I32, types::F32) => I::I32TruncF32S,
                    (FcvtToSint, types::I32, types::F64) => I::I32TruncF64S,
                    (FcvtToSint, types::I64, types::F32) => I::I64TruncF32S,
                    (FcvtToSint, types::I64, types::F64) => I::I64TruncF64S,
                    (FcvtToUint, types::I32, types::F32) => I::I32TruncF32U,
                    (FcvtToUint, types::I32, types::F64) => I::I32TruncF64U,
                    (FcvtToUint, types::I64, types::F32) => I::I64TruncF32U,
                    (FcvtToUint, types::I64, types::F64) => I::I64TruncF64U,
                    (FcvtToSintSat, types::I32, types::F32) => I::I32TruncSatF32S,
                    (FcvtToSintSat, types::I32, types::F64) => I::I32TruncSatF64S,
                    (FcvtToSintSat, types::I64, types::F32) => I::I64TruncSatF32S,
                    (FcvtToSintSat, types::I64, types::F64) => I::I64TruncSatF64S,
                    (FcvtToUintSat, types::I32, types::F32) => I::I32TruncSatF32U,
                    (FcvtToUintSat, types::I32, types::F64) => I::I32TruncSatF64U,
                    (FcvtToUintSat, types::I64, types::F32) => I::I64TruncSatF32U,
                    (FcvtToUintSat, types::I64, types::F64) => I::I64TruncSatF64U,
                    _ => return Err(unsupported(self.func, inst, format!("opcode {op} to {to}"))),
                };
                self.push(x, inst)?;
                self.ins(conv);
            }
            FcvtFromSint | FcvtFromUint => {
                let ity = self.int_type(x, inst)?;
                let signed = op == FcvtFromSint;
                self.push(x, inst)?;
                if signed {
                    self.sext(ity);
                }
                self.ins(match (ity.wide(), signed, is64(to)) {
                    (false, true, false) => I::F32ConvertI32S,
                    (false, true, true) => I::F64ConvertI32S,
                    (false, false, false) => I::F32ConvertI32U,
                    (false, false, true) => I::F64ConvertI32U,
                    (true, true, false) => I::F32ConvertI64S,
                    (true, true, true) => I::F64ConvertI64S,
                    (true, false, false) => I::F32ConvertI64U,
                    (true, false, true) => I::F64ConvertI64U,
                });
            }
            _ => {
                let ty = self.int_type(x, inst)?;
                let out = Int::of(to).ok_or_else(bad)?;
                self.int_unary(inst, op, ty, out, x)?;
            }
        }
        Ok(())
    }

    fn int_unary(
        &mut self,
        inst: Inst,
        op: Opcode,
        ty: Int,
        out: Int,
        x: Value,
    ) -> Result<(), Error> {
        use Opcode::*;
        match op {
            Ineg => {
                self.iconst(ty, 0);
                self.push(x, inst)?;
                self.pick(ty, I::I32Sub, I::I64Sub);
                self.mask(ty);
            }
            Bnot => {
                self.push(x, inst)?;
                // Xor with the type's mask keeps i8/i16 zero-extended.
                self.iconst(ty, ty.narrow_mask().map_or(-1, i64::from));
                self.pick(ty, I::I32Xor, I::I64Xor);
            }
            Clz => {
                self.push(x, inst)?;
                self.pick(ty, I::I32Clz, I::I64Clz);
                if ty.narrow_mask().is_some() {
                    self.ins(I::I32Const(32 - ty.bits() as i32));
                    self.ins(I::I32Sub);
                }
            }
            Ctz => {
                self.push(x, inst)?;
                if ty.narrow_mask().is_some() {
                    // A sentinel bit right above the width caps the count.
                    self.ins(I::I32Const(1 << ty.bits()));
                    self.ins(I::I32Or);
                }
                self.pick(ty, I::I32Ctz, I::I64Ctz);
            }
            Popcnt => {
                self.push(x, inst)?;
                self.pick(ty, I::I32Popcnt, I::I64Popcnt);
            }
            Cls => {
                // cls(x) = clz(s ^ (s >> (container - 1))) - (container - bits) - 1,
                // with s the sign-extended value.
                self.push(x, inst)?;
                self.sext(ty);
                let s = self.code.scratch(ty.val_type())?;
                self.ins(I::LocalTee(s));
                self.ins(I::LocalGet(s));
                self.iconst(ty, i64::from(ty.container_bits()) - 1);
                self.pick(ty, I::I32ShrS, I::I64ShrS);
                self.pick(ty, I::I32Xor, I::I64Xor);
                self.pick(ty, I::I32Clz, I::I64Clz);
                self.iconst(ty, i64::from(ty.container_bits() - ty.bits() + 1));
                self.pick(ty, I::I32Sub, I::I64Sub);
            }
            Bswap | Bitrev => {
                if op == Bswap && ty == Int::I8 {
                    return Err(unsupported(self.func, inst, "bswap.i8"));
                }
                self.push(x, inst)?;
                let t = self.code.scratch(ty.val_type())?;
                self.ins(I::LocalSet(t));
                let first_step = if op == Bswap { 8 } else { 1 };
                let mut step = first_step;
                while step < ty.bits() {
                    self.swap_step(ty, t, step);
                    step *= 2;
                }
                self.ins(I::LocalGet(t));
            }
            Iabs => {
                self.push(x, inst)?;
                self.sext(ty);
                let s = self.code.scratch(ty.val_type())?;
                self.ins(I::LocalSet(s));
                self.iconst(ty, 0);
                self.ins(I::LocalGet(s));
                self.pick(ty, I::I32Sub, I::I64Sub);
                self.ins(I::LocalGet(s));
                self.ins(I::LocalGet(s));
                self.iconst(ty, 0);
                self.pick(ty, I::I32LtS, I::I64LtS);
                self.ins(I::Select);
                self.mask(ty);
            }
            Bmask => {
                // 0 - (x != 0), in the result type.
                self.iconst(out, 0);
                self.push(x, inst)?;
                self.iconst(ty, 0);
                self.pick(ty, I::I32Ne, I::I64Ne);
                if out.wide() {
                    self.ins(I::I64ExtendI32U);
                }
                self.pick(out, I::I32Sub, I::I64Sub);
                self.mask(out);
            }
            Sextend => {
                self.push(x, inst)?;
                self.sext(ty);
                if out.wide() && !ty.wide() {
                    self.ins(I::I64ExtendI32S);
                }
                self.mask(out);
            }
            Uextend => {
                self.push(x, inst)?;
                if out.wide() && !ty.wide() {
                    self.ins(I::I64ExtendI32U);
                }
            }
            Ireduce => {
                self.push(x, inst)?;
                if ty.wide() && !out.wide() {
                    self.ins(I::I32WrapI64);
                }
                self.mask(out);
            }
            _ => return Err(unsupported(self.func, inst, format!("opcode {op}"))),
        }
        Ok(())
    }

    /// t = ((t & m) << step) | ((t >> step) & m), with m the mask of the
    /// low `step` bits of every `2 * step`-bit group: one round of a byte
    /// swap or bit reversal.
    fn swap_step(&mut self, ty: Int, t: u32, step: u32) {
        let all = if ty.bits() == 64 {
            u64::MAX
        } else {
            (1u64 << ty.bits()) - 1
        };
        let m = (all / ((1u64 << step) + 1)) as i64;
        self.ins(I::LocalGet(t));
        self.iconst(ty, m);
        self.pick(ty, I::I32And, I::I64And);
        self.iconst(ty, i64::from(step));
        self.pick(ty, I::I32Shl, I::I64Shl);
        self.ins(I::LocalGet(t));
        self.iconst(ty, i64::from(step));
        self.pick(ty, I::I32ShrU, I::I64ShrU);
        self.iconst(ty, m);
        self.pick(ty, I::I32And, I::I64And);
        self.pick(ty, I::I32Or, I::I64Or);
        self.ins(I::LocalSet(t));
    }

    fn icmp(&mut self, inst: Inst, cond: IntCC, a: Value, b: Value) -> Result<(), Error> {
        use IntCC::*;
        let ty = self.int_type(a, inst)?;
        let signed = matches!(
            cond,
            SignedLessThan | SignedGreaterThanOrEqual | SignedGreaterThan | SignedLessThanOrEqual
        );
        self.push(a, inst)?;
        if signed {
            self.sext(ty);
        }
        self.push(b, inst)?;
        if signed {
            self.sext(ty);
        }
        let (narrow, wide) = match cond {
            Equal => (I::I32Eq, I::I64Eq),
            NotEqual => (I::I32Ne, I::I64Ne),
            SignedLessThan => (I::I32LtS, I::I64LtS),
            SignedGreaterThanOrEqual => (I::I32GeS, I::I64GeS),
            SignedGreaterThan => (I::I32GtS, I::I64GtS),
            SignedLessThanOrEqual => (I::I32LeS, I::I64LeS),
            UnsignedLessThan => (I::I32LtU, I::I64LtU),
            UnsignedGreaterThanOrEqual => (I::I32GeU, I::I64GeU),
            UnsignedGreaterThan => (I::I32GtU, I::I64GtU),
            UnsignedLessThanOrEqual => (I::I32LeU, I::I64LeU),
        };
        self.pick(ty, narrow, wide);
        Ok(())
    }

    fn fcmp(&mut self, inst: Inst, cond: FloatCC, a: Value, b: Value) -> Result<(), Error> {
        use FloatCC::*;
        let f64 = self.func.dfg.value_type(a) == types::F64;
        let cmp = |f32op: I<'static>, f64op: I<'static>| if f64 { f64op } else { f32op };
        let eq = || cmp(I::F32Eq, I::F64Eq);
        let ne = || cmp(I::F32Ne, I::F64Ne);
        let lt = || cmp(I::F32Lt, I::F64Lt);
        let le = || cmp(I::F32Le, I::F64Le);
        let gt = || cmp(I::F32Gt, I::F64Gt);
        let ge = || cmp(I::F32Ge, I::F64Ge);
        // One comparison of a and b, possibly negated (unordered variants
        // are the negation of the opposite ordered comparison).
        let single = match cond {
            Equal => Some((eq(), false)),
            NotEqual => Some((ne(), false)),
            LessThan => Some((lt(), false)),
            LessThanOrEqual => Some((le(), false)),
            GreaterThan => Some((gt(), false)),
            GreaterThanOrEqual => Some((ge(), false)),
            UnorderedOrLessThan => Some((ge(), true)),
            UnorderedOrLessThanOrEqual => Some((gt(), true)),
            UnorderedOrGreaterThan => Some((le(), true)),
            UnorderedOrGreaterThanOrEqual => Some((lt(), true)),
            _ => None,
        };
        if let Some((op, negate)) = single {
            self.push(a, inst)?;
            self.push(b, inst)?;
            self.ins(op);
            if negate {
                self.ins(I::I32Eqz);
            }
            return Ok(());
        }
        let a = self.operand_local(a, inst)?;
        let b = self.operand_local(b, inst)?;
        // Two comparisons combined, possibly negated.
        let (first, second, combine, negate) = match cond {
            Ordered => ((a, a, eq()), (b, b, eq()), I::I32And, false),
            Unordered => ((a, a, ne()), (b, b, ne()), I::I32Or, false),
            OrderedNotEqual => ((a, b, lt()), (a, b, gt()), I::I32Or, false),
            _ => ((a, b, lt()), (a, b, gt()), I::I32Or, true), // UnorderedOrEqual
        };
        for (x, y, op) in [first, second] {
            self.ins(I::LocalGet(x));
            self.ins(I::LocalGet(y));
            self.ins(op);
        }
        self.ins(combine);
        if negate {
            self.ins(I::I32Eqz);
        }
        Ok(())
    }

    fn float_binary(
        &mut self,
        inst: Inst,
        op: Opcode,
        f64: bool,
        a: Value,
        b: Value,
    ) -> Result<(), Error> {
        use Opcode::*;
        let (f32op, f64op) = match op {
            Fadd => (I::F32Add, I::F64Add),
            Fsub => (I::F32Sub, I::F64Sub),
            Fmul => (I::F32Mul, I::F64Mul),
            Fdiv => (I::F32Div, I::F64Div),
            Fmin => (I::F32Min, I::F64Min),
            Fmax => (I::F32Max, I::F64Max),
            Fcopysign => (I::F32Copysign, I::F64Copysign),
            _ => return Err(unsupported(self.func, inst, format!("opcode {op}"))),
        };
        self.push(a, inst)?;
        self.push(b, inst)?;
        self.ins(if f64 { f64op } else { f32op });
        Ok(())
    }

    /// (x & c) | (y & !c), on the bits of floats too.
    fn bitselect(&mut self, inst: Inst, c: Value, x: Value, y: Value) -> Result<(), Error> {
        let ty = self.func.dfg.value_type(c);
        let (int, to_int, from_int) = match ty {
            types::F32 => (
                Int::I32,
                Some(I::I32ReinterpretF32),
                Some(I::F32ReinterpretI32),
            ),
            types::F64 => (
                Int::I64,
                Some(I::I64ReinterpretF64),
                Some(I::F64ReinterpretI64),
            ),
            _ => (self.int_type(c, inst)?, None, None),
        };
        let c = self.operand_local(c, inst)?;
        for (v, invert) in [(x, false), (y, true)] {
            self.push(v, inst)?;
            if let Some(conv) = &to_int {
                self.ins(conv.clone());
            }
            self.ins(I::LocalGet(c));
            if let Some(conv) = &to_int {
                self.ins(conv.clone());
            }
            if invert {
                self.iconst(int, -1);
                self.pick(int, I::I32Xor, I::I64Xor);
            }
            self.pick(int, I::I32And, I::I64And);
        }
        self.pick(int, I::I32Or, I::I64Or);
        if let Some(conv) = from_int {
            self.ins(conv);
        }
        Ok(())
    }
}

fn memarg(offset: u64) -> MemArg {
    // Alignment hint 0: guest accesses may be unaligned.
    MemArg {
        offset,
        align: 0,
        memory_index: 0,
    }
}

/// The Wasm load for a CLIF load opcode and result type, and whether the
/// result must be masked to 16 bits (a sign-extending load into an i16).
fn load_instruction(op: Opcode, ty: Type, offset: u64) -> Option<(I<'static>, bool)> {
    use Opcode::*;
    let m = memarg(offset);
    let inst = match (op, ty) {
        (Load, types::I8) | (Uload8, types::I16 | types::I32) => I::I32Load8U(m),
        (Load, types::I16) | (Uload16, types::I32) => I::I32Load16U(m),
        (Load, types::I32) => I::I32Load(m),
        (Load, types::I64) => I::I64Load(m),
        (Load, types::F32) => I::F32Load(m),
        (Load, types::F64) => I::F64Load(m),
        (Uload8, types::I64) => I::I64Load8U(m),
        (Sload8, types::I16) => return Some((I::I32Load8S(m), true)),
        (Sload8, types::I32) => I::I32Load8S(m),
        (Sload8, types::I64) => I::I64Load8S(m),
        (Uload16, types::I64) => I::I64Load16U(m),
        (Sload16, types::I32) => I::I32Load16S(m),
        (Sload16, types::I64) => I::I64Load16S(m),
        (Uload32, types::I64) => I::I64Load32U(m),
        (Sload32, types::I64) => I::I64Load32S(m),
        _ => return None,
    };
    Some((inst, false))
}

/// The Wasm store for a CLIF store opcode and stored value type.
fn store_instruction(op: Opcode, ty: Type, offset: u64) -> Option<I<'static>> {
    use Opcode::*;
    let m = memarg(offset);
    Some(match (op, ty) {
        (Store, types::I8) | (Istore8, types::I16 | types::I32) => I::I32Store8(m),
        (Store, types::I16) | (Istore16, types::I32) => I::I32Store16(m),
        (Store, types::I32) => I::I32Store(m),
        (Store, types::I64) => I::I64Store(m),
        (Store, types::F32) => I::F32Store(m),
        (Store, types::F64) => I::F64Store(m),
        (Istore8, types::I64) => I::I64Store8(m),
        (Istore16, types::I64) => I::I64Store16(m),
        (Istore32, types::I64) => I::I64Store32(m),
        _ => return None,
    })
}
