//! Which values need a Wasm local and which ones stay on the operand stack.
//!
//! Every CLIF value gets its own local, except a value with exactly one use,
//! in the same block, by an operand that the user's lowering pushes exactly
//! once (see [`evaluation_order`]). Such a value is emitted *inline*: its
//! defining instruction is emitted at the use, as part of the user's operand
//! tree, so the value never touches a local.
//!
//! Moving an instruction down to its user is only correct when it does not
//! reorder effects. The rule used here: an instruction is *pure* when it
//! cannot trap, read or write memory, or have any other effect; pure
//! instructions may move freely (their operands are immutable SSA values).
//! An impure instruction may move down only if every impure instruction
//! between it and the root of the tree (the instruction emitted in place) is
//! already part of the tree, evaluated after it. Trees are built from the
//! last operand to the first, so that condition amounts to "the instruction
//! is the nearest impure one before the root not taken yet", tracked by a
//! single `frontier` position per tree, which keeps the analysis linear.

use cranelift_codegen::entity::SecondaryMap;
use cranelift_codegen::ir::{
    Block, BlockArg, Function, Inst, InstructionData, Opcode, Value, ValueDef,
};

/// The deepest operand tree emitted inline. It bounds the recursion of the
/// emitter (and of this analysis) on long chains of single-use values.
const MAX_TREE_DEPTH: u32 = 48;

/// The storage decisions for the values of one function.
pub(super) struct Plan {
    /// How many times each (alias-resolved) value is used by reachable code.
    pub uses: SecondaryMap<Value, u32>,
    /// Values emitted at their only use instead of going through a local.
    pub inline: SecondaryMap<Value, bool>,
    /// Pure instructions whose results are never used: not emitted at all.
    pub dead: SecondaryMap<Inst, bool>,
}

impl Plan {
    /// Analyses the instructions of `blocks` (the reachable blocks);
    /// `inline` enables the inline emission of single-use values.
    pub fn new(func: &Function, blocks: &[Block], inline_values: bool) -> Self {
        let dfg = &func.dfg;
        let mut uses = SecondaryMap::<Value, u32>::new();
        for &block in blocks {
            for inst in func.layout.block_insts(block) {
                for &arg in dfg.inst_args(inst) {
                    uses[dfg.resolve_aliases(arg)] += 1;
                }
                for call in
                    dfg.insts[inst].branch_destination(&dfg.jump_tables, &dfg.exception_tables)
                {
                    for arg in call.args(&dfg.value_lists) {
                        if let BlockArg::Value(v) = arg {
                            uses[dfg.resolve_aliases(v)] += 1;
                        }
                    }
                }
            }
        }
        let mut dead = SecondaryMap::<Inst, bool>::new();
        let mut insts = Vec::new();
        let mut inline = SecondaryMap::<Value, bool>::new();
        let mut position = SecondaryMap::<Inst, u32>::new();
        let mut prev_impure = Vec::new();
        let mut order = Vec::new();
        for &block in blocks {
            insts.clear();
            insts.extend(func.layout.block_insts(block));
            // `prev_impure[i]`: the nearest impure instruction before position i.
            prev_impure.clear();
            let mut last = None;
            for (i, &inst) in insts.iter().enumerate() {
                position[inst] = i as u32;
                prev_impure.push(last);
                if is_pure(func, inst) {
                    dead[inst] = dfg.inst_results(inst).iter().all(|r| uses[*r] == 0);
                } else {
                    last = Some(i as u32);
                }
            }
            let mut tree = Tree {
                func,
                block,
                uses: &uses,
                inline: &mut inline,
                position: &position,
                prev_impure: &prev_impure,
                order: &mut order,
            };
            for (i, &inst) in insts.iter().enumerate().rev() {
                let is_root = !dead[inst]
                    && !dfg
                        .inst_results(inst)
                        .first()
                        .is_some_and(|r| tree.inline[*r]);
                if is_root && inline_values {
                    let mut frontier = prev_impure[i];
                    tree.grow(inst, 0, &mut frontier);
                }
            }
        }
        Self { uses, inline, dead }
    }
}

/// The state of the tree building in one block.
struct Tree<'a> {
    func: &'a Function,
    block: Block,
    uses: &'a SecondaryMap<Value, u32>,
    inline: &'a mut SecondaryMap<Value, bool>,
    position: &'a SecondaryMap<Inst, u32>,
    prev_impure: &'a [Option<u32>],
    /// A reusable buffer for operand lists.
    order: &'a mut Vec<Value>,
}

impl Tree<'_> {
    /// Takes into the tree whichever operands of `user` can be inlined,
    /// last operand first, and recursively their operands.
    fn grow(&mut self, user: Inst, depth: u32, frontier: &mut Option<u32>) {
        if depth >= MAX_TREE_DEPTH {
            return;
        }
        let dfg = &self.func.dfg;
        let start = self.order.len();
        evaluation_order(self.func, user, self.order);
        let operands: Vec<Value> = self.order.drain(start..).collect();
        for &v in operands.iter().rev() {
            let v = dfg.resolve_aliases(v);
            let ValueDef::Result(def, 0) = dfg.value_def(v) else {
                continue;
            };
            if self.uses[v] != 1
                || self.inline[v]
                || dfg.inst_results(def).len() != 1
                || self.func.layout.inst_block(def) != Some(self.block)
            {
                continue;
            }
            if !is_pure(self.func, def) {
                if *frontier != Some(self.position[def]) {
                    continue;
                }
                *frontier = self.prev_impure[self.position[def] as usize];
            }
            self.inline[v] = true;
            self.grow(def, depth + 1, frontier);
        }
    }
}

/// Whether `inst` may be moved or dropped freely: it has no effect, cannot
/// trap and does not read memory.
pub(super) fn is_pure(func: &Function, inst: Inst) -> bool {
    let op = func.dfg.insts[inst].opcode();
    !(op.can_trap()
        || op.can_load()
        || op.can_store()
        || op.is_call()
        || op.is_branch()
        || op.is_terminator()
        || op.other_side_effects())
}

/// Appends to `out` the operands of `inst` that its lowering evaluates onto
/// the operand stack, exactly once each and in this order, before anything
/// with an effect. Only these operands may be emitted inline; the lowering
/// of each instruction must push or fetch them in exactly this order.
pub(super) fn evaluation_order(func: &Function, inst: Inst, out: &mut Vec<Value>) {
    let dfg = &func.dfg;
    let args = dfg.inst_args(inst);
    match &dfg.insts[inst] {
        // Wasm stores take the address first, then the value.
        InstructionData::Store { .. } | InstructionData::StoreNoOffset { .. } => {
            out.extend(args.iter().rev())
        }
        // Wasm `select` takes both values first, then the condition.
        InstructionData::Ternary {
            opcode: Opcode::Select | Opcode::SelectSpectreGuard,
            args: [c, x, y],
        } => out.extend([*x, *y, *c]),
        // Block arguments of a `jump` are pushed in order by its parallel
        // move; those of conditional branches are evaluated in one arm only,
        // where moving an impure instruction would change behaviour.
        InstructionData::Jump { destination, .. } => out.extend(
            destination
                .args(&dfg.value_lists)
                .filter_map(|arg| arg.as_value()),
        ),
        _ => out.extend_from_slice(args),
    }
}
