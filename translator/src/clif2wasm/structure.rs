//! Structured control flow from the CFG.
//!
//! Reducible CFGs follow Norman Ramsey, "Beyond Relooper" (ICFP 2022): the
//! code of a block `x` is generated from the dominator tree. Its dominator
//! children that are *merge nodes* (two or more forward in-edges) become
//! Wasm `block`s that end right before them, nested so that the child with
//! the highest reverse-postorder number ends outermost. If `x` is a loop
//! header (target of a back edge), all this is wrapped in a Wasm `loop`.
//! A branch to a loop header is a `br` to its `loop` (continue), a branch to
//! a merge node a `br` to the end of its `block`; any other forward branch
//! targets a block with a single in-edge, whose code is emitted right there.
//!
//! Irreducible CFGs (a retreating edge whose target does not dominate its
//! source) are first rewritten by [`super::reduce`], which gives each
//! multi-entry loop a dispatch header of its own. If that fails, the last
//! resort always works: one `loop` around a `br_table` over a "next block"
//! local; every edge sets the local and continues. Caveat: that fallback
//! covers the whole function, and engines pay for it: wasmtime's compile
//! time grows with blocks x locals across the dispatch loop (about 30 s for
//! 3,000 blocks).
//!
//! Emission is driven by an explicit task stack rather than recursion, as
//! dominator trees of lifted code can be thousands of blocks deep.

use super::lower::Emitter;
use super::{unsupported, Error};
use cranelift_codegen::dominator_tree::DominatorTree;
use cranelift_codegen::entity::SecondaryMap;
use cranelift_codegen::flowgraph::ControlFlowGraph;
use cranelift_codegen::ir::{Block, BlockCall, Function, Inst, InstructionData, Opcode};
use std::collections::HashMap;
use wasm_encoder::{BlockType, Instruction as I, ValType};

/// "Not reachable" in [`Cfg::rpo`], and "no frame" in frame positions.
const NONE: u32 = u32::MAX;

/// The control-flow facts the structuring needs.
pub(super) struct Cfg {
    /// The reachable blocks in reverse postorder (the entry first).
    pub blocks: Vec<Block>,
    /// The index of each reachable block in `blocks`.
    rpo: SecondaryMap<Block, u32>,
    /// Targets of back edges.
    loop_header: SecondaryMap<Block, bool>,
    /// Targets of two or more forward edges.
    merge: SecondaryMap<Block, bool>,
    /// The dominator children of each block that are merge nodes, in
    /// increasing reverse postorder.
    merge_children: SecondaryMap<Block, Vec<Block>>,
    /// Whether every back edge goes to a block dominating its source.
    pub(super) reducible: bool,
}

impl Cfg {
    pub fn new(func: &Function) -> Self {
        let cfg = ControlFlowGraph::with_function(func);
        let domtree = DominatorTree::with_function(func, &cfg);
        let blocks: Vec<Block> = domtree.cfg_rpo().copied().collect();
        let mut rpo = SecondaryMap::with_default(NONE);
        for (i, &b) in blocks.iter().enumerate() {
            rpo[b] = i as u32;
        }
        let mut loop_header = SecondaryMap::new();
        let mut forward_edges = SecondaryMap::<Block, u32>::new();
        let mut reducible = true;
        let dfg = &func.dfg;
        for &b in &blocks {
            let Some(last) = func.layout.last_inst(b) else {
                continue;
            };
            // Every edge counts, even several to the same block: a block
            // is emitted in place only for its single forward edge.
            for call in dfg.insts[last].branch_destination(&dfg.jump_tables, &dfg.exception_tables)
            {
                let t = call.block(&dfg.value_lists);
                if rpo[t] <= rpo[b] {
                    loop_header[t] = true;
                    reducible &= domtree.block_dominates(t, b);
                } else {
                    forward_edges[t] += 1;
                }
            }
        }
        let mut merge = SecondaryMap::new();
        for &b in &blocks {
            merge[b] = forward_edges[b] >= 2;
        }
        let mut merge_children = SecondaryMap::<Block, Vec<Block>>::new();
        for &b in &blocks {
            let mut kids: Vec<Block> = domtree.children(b).filter(|k| merge[*k]).collect();
            kids.sort_by_key(|k| rpo[*k]);
            merge_children[b] = kids;
        }
        Self {
            blocks,
            rpo,
            loop_header,
            merge,
            merge_children,
            reducible,
        }
    }
}

/// A Wasm construct enclosing the code being emitted.
#[derive(Clone, Copy)]
enum Frame {
    /// The `loop` of a loop header: `br` continues the loop.
    Loop(Block),
    /// A `block` ending right before a merge node: `br` reaches it.
    Follow(Block),
    /// The `loop` of the dispatch fallback.
    Dispatch,
    /// Anything else (`if`, the blocks of `br_table` arms).
    Other,
}

/// Pending emission work, executed last-in first-out.
enum Task {
    /// The code of a block and of its dominator subtree (Ramsey's doTree).
    Tree(Block),
    /// The code of a block within the `block`s of its first `n` merge
    /// children (Ramsey's nodeWithin).
    Within(Block, usize),
    /// The end of the innermost frame.
    End,
    /// The `else` of a conditional branch.
    Else,
    /// Taking the edge `call` out of block `from` (whose branch is `inst`).
    Edge {
        from: Block,
        inst: Inst,
        call: BlockCall,
    },
}

/// Emits the whole body of the function into `em`.
pub(super) fn emit_body(em: &mut Emitter, cfg: &Cfg) -> Result<(), Error> {
    let mut s = Structurer {
        cfg,
        frames: Vec::new(),
        loop_frame: SecondaryMap::with_default(NONE),
        follow_frame: SecondaryMap::with_default(NONE),
        dispatch: None,
        tasks: Vec::new(),
    };
    if cfg.reducible {
        s.tasks.push(Task::Tree(cfg.blocks[0]));
    } else {
        s.start_dispatch(em)?;
    }
    while let Some(task) = s.tasks.pop() {
        s.run(em, task)?;
    }
    // Every path ends in a branch, return or trap, but the validator sees
    // the end of the outermost construct as reachable.
    em.ins(I::Unreachable);
    em.ins(I::End);
    Ok(())
}

struct Structurer<'c> {
    cfg: &'c Cfg,
    frames: Vec<Frame>,
    /// The index in `frames` of the `loop` of each loop header, if open.
    loop_frame: SecondaryMap<Block, u32>,
    /// The index in `frames` of the `block` followed by each merge node, if open.
    follow_frame: SecondaryMap<Block, u32>,
    /// In the fallback: the local holding the index of the next block.
    dispatch: Option<u32>,
    tasks: Vec<Task>,
}

impl Structurer<'_> {
    fn open(&mut self, em: &mut Emitter, inst: I<'static>, frame: Frame) {
        em.ins(inst);
        let index = self.frames.len() as u32;
        match frame {
            Frame::Loop(b) => self.loop_frame[b] = index,
            Frame::Follow(b) => self.follow_frame[b] = index,
            Frame::Dispatch | Frame::Other => {}
        }
        self.frames.push(frame);
    }

    fn close(&mut self, em: &mut Emitter) {
        em.ins(I::End);
        match self.frames.pop() {
            Some(Frame::Loop(b)) => self.loop_frame[b] = NONE,
            Some(Frame::Follow(b)) => self.follow_frame[b] = NONE,
            _ => {}
        }
    }

    /// The `br` label depth of the frame at `index`.
    fn depth(&self, index: u32) -> u32 {
        self.frames.len() as u32 - 1 - index
    }

    /// The fallback for irreducible CFGs: `loop { block^n { br_table } ... }`
    /// where the code of block i follows the end of the i-th `block`.
    fn start_dispatch(&mut self, em: &mut Emitter) -> Result<(), Error> {
        let next = em.code.new_local(ValType::I32)?;
        self.dispatch = Some(next);
        let n = self.cfg.blocks.len();
        self.open(em, I::Loop(BlockType::Empty), Frame::Dispatch);
        self.tasks.push(Task::End);
        for &b in self.cfg.blocks.iter().rev() {
            self.tasks.push(Task::Within(b, 0));
            self.tasks.push(Task::End);
        }
        for _ in 0..n {
            self.open(em, I::Block(BlockType::Empty), Frame::Other);
        }
        // The local starts at 0, the index of the entry block.
        em.ins(I::LocalGet(next));
        let targets: Vec<u32> = (0..n as u32).collect();
        em.ins(I::BrTable(targets.into(), n as u32 - 1));
        Ok(())
    }

    fn run(&mut self, em: &mut Emitter, task: Task) -> Result<(), Error> {
        match task {
            Task::Tree(x) => {
                let n = self.cfg.merge_children[x].len();
                if self.cfg.loop_header[x] {
                    self.open(em, I::Loop(BlockType::Empty), Frame::Loop(x));
                    self.tasks.push(Task::End);
                }
                self.tasks.push(Task::Within(x, n));
            }
            Task::Within(x, 0) => {
                em.block_body(x)?;
                self.terminator(em, x)?;
            }
            Task::Within(x, n) => {
                let y = self.cfg.merge_children[x][n - 1];
                self.open(em, I::Block(BlockType::Empty), Frame::Follow(y));
                self.tasks.push(Task::Tree(y));
                self.tasks.push(Task::End);
                self.tasks.push(Task::Within(x, n - 1));
            }
            Task::End => self.close(em),
            Task::Else => em.ins(I::Else),
            Task::Edge { from, inst, call } => self.edge(em, from, inst, call)?,
        }
        Ok(())
    }

    /// Emits the terminator of `block`, scheduling the code of its edges.
    fn terminator(&mut self, em: &mut Emitter, block: Block) -> Result<(), Error> {
        let func = em.func;
        let dfg = &func.dfg;
        let Some(inst) = func.layout.last_inst(block) else {
            return Err(Error::Unsupported {
                what: "empty block".into(),
                inst: format!("{block}"),
            });
        };
        let edge = |call: BlockCall| Task::Edge {
            from: block,
            inst,
            call,
        };
        match dfg.insts[inst] {
            InstructionData::Jump { destination, .. } => self.tasks.push(edge(destination)),
            InstructionData::Brif {
                arg,
                blocks: [then, other],
                ..
            } => {
                em.push_condition(arg, inst)?;
                self.open(em, I::If(BlockType::Empty), Frame::Other);
                self.tasks.push(Task::End);
                self.tasks.push(edge(other));
                self.tasks.push(Task::Else);
                self.tasks.push(edge(then));
            }
            InstructionData::BranchTable { arg, table, .. } => {
                let calls = dfg.jump_tables[table].all_branches();
                // One arm per distinct edge (same block and arguments),
                // numbered by first occurrence; the default comes first.
                let mut arm_of = HashMap::new();
                let mut arms = Vec::new();
                let mut arm_index = Vec::with_capacity(calls.len());
                for &call in calls {
                    let key = (
                        call.block(&dfg.value_lists),
                        call.args(&dfg.value_lists).collect::<Vec<_>>(),
                    );
                    let index = *arm_of.entry(key).or_insert_with(|| {
                        arms.push(call);
                        arms.len() as u32 - 1
                    });
                    arm_index.push(index);
                }
                for _ in &arms {
                    self.open(em, I::Block(BlockType::Empty), Frame::Other);
                }
                // The verifier only accepts i32 indices, as Wasm does.
                em.push(arg, inst)?;
                em.ins(I::BrTable(arm_index[1..].to_vec().into(), arm_index[0]));
                for &call in arms.iter().rev() {
                    self.tasks.push(edge(call));
                    self.tasks.push(Task::End);
                }
            }
            InstructionData::MultiAry {
                opcode: Opcode::Return,
                ..
            } => {
                for &v in dfg.inst_args(inst) {
                    em.push(v, inst)?;
                }
                em.ins(I::Return);
            }
            InstructionData::Trap {
                opcode: Opcode::Trap,
                ..
            } => em.ins(I::Unreachable),
            data => {
                return Err(unsupported(func, inst, format!("opcode {}", data.opcode())));
            }
        }
        Ok(())
    }

    /// Takes the edge `call`: parallel move of its arguments, then a `br`
    /// (to a loop header, a merge node or the dispatcher) or the target's
    /// code in place.
    fn edge(
        &mut self,
        em: &mut Emitter,
        from: Block,
        inst: Inst,
        call: BlockCall,
    ) -> Result<(), Error> {
        let target = call.block(&em.func.dfg.value_lists);
        em.parallel_move(call, inst)?;
        let cfg = self.cfg;
        let frame = if let Some(next) = self.dispatch {
            em.ins(I::I32Const(cfg.rpo[target] as i32));
            em.ins(I::LocalSet(next));
            Some(0)
        } else if cfg.rpo[target] <= cfg.rpo[from] {
            Some(self.loop_frame[target])
        } else if cfg.merge[target] {
            Some(self.follow_frame[target])
        } else {
            None
        };
        match frame {
            None => self.tasks.push(Task::Tree(target)),
            Some(index) if (index as usize) < self.frames.len() => em.ins(I::Br(self.depth(index))),
            Some(_) => {
                // Cannot happen for the CFGs classified as reducible.
                return Err(unsupported(
                    em.func,
                    inst,
                    "branch target without an enclosing label",
                ));
            }
        }
        Ok(())
    }
}
