//! The instruction buffer of one function body and its locals.
//!
//! Locals are handed out while the body is emitted, in whatever order the
//! emitter needs them, as *virtual* indices. Wasm declares locals in runs of
//! one type, so [`Code::finish`] numbers them grouped by type (i32, i64, f32,
//! f64, each group in allocation order) and rewrites every local access.

use super::{Error, MAX_LOCALS};
use wasm_encoder::{Instruction, ValType};

/// The value types locals can have, in the order their groups are declared.
const LOCAL_TYPES: [ValType; 4] = [ValType::I32, ValType::I64, ValType::F32, ValType::F64];

fn type_slot(ty: ValType) -> usize {
    LOCAL_TYPES.iter().position(|t| *t == ty).unwrap_or(0)
}

/// A function body under construction.
pub(super) struct Code {
    insts: Vec<Instruction<'static>>,
    /// The parameters keep their indices; virtual indices of other locals
    /// start right after them.
    num_params: u32,
    /// The type of each non-parameter local, by virtual index - `num_params`.
    local_types: Vec<ValType>,
    /// Scratch locals per type. They hold intermediate values inside the
    /// sequence of one instruction and are reused by later instructions.
    scratch_pool: [Vec<u32>; 4],
    /// How many scratch locals of each type are currently in use.
    scratch_used: [usize; 4],
}

/// The scratch locals in use at some point, to release later ones.
#[derive(Clone, Copy)]
pub(super) struct ScratchMark([usize; 4]);

impl Code {
    pub(super) fn new(params: &[ValType]) -> Self {
        Self {
            insts: Vec::new(),
            num_params: params.len() as u32,
            local_types: Vec::new(),
            scratch_pool: Default::default(),
            scratch_used: [0; 4],
        }
    }

    pub(super) fn push(&mut self, inst: Instruction<'static>) {
        self.insts.push(inst);
    }

    /// A new local of type `ty`.
    pub(super) fn new_local(&mut self, ty: ValType) -> Result<u32, Error> {
        let total = self.num_params as usize + self.local_types.len();
        if total >= MAX_LOCALS {
            return Err(Error::Limit {
                what: format!("more than {MAX_LOCALS} locals"),
            });
        }
        self.local_types.push(ty);
        Ok(total as u32)
    }

    /// A scratch local of type `ty`, free until released by
    /// [`Code::release_scratch`] with a mark taken before this call.
    pub(super) fn scratch(&mut self, ty: ValType) -> Result<u32, Error> {
        let slot = type_slot(ty);
        let used = self.scratch_used[slot];
        let local = match self.scratch_pool[slot].get(used) {
            Some(&local) => local,
            None => {
                let local = self.new_local(ty)?;
                self.scratch_pool[slot].push(local);
                local
            }
        };
        self.scratch_used[slot] = used + 1;
        Ok(local)
    }

    pub(super) fn scratch_mark(&self) -> ScratchMark {
        ScratchMark(self.scratch_used)
    }

    pub(super) fn release_scratch(&mut self, mark: ScratchMark) {
        self.scratch_used = mark.0;
    }

    /// The finished body: locals declared grouped by type, accesses renumbered.
    pub(super) fn finish(self) -> wasm_encoder::Function {
        let mut counts = [0u32; 4];
        for ty in &self.local_types {
            counts[type_slot(*ty)] += 1;
        }
        let mut next = [0u32; 4];
        let mut base = self.num_params;
        for (slot, count) in counts.iter().enumerate() {
            next[slot] = base;
            base += count;
        }
        let renumber: Vec<u32> = self
            .local_types
            .iter()
            .map(|ty| {
                let slot = type_slot(*ty);
                next[slot] += 1;
                next[slot] - 1
            })
            .collect();
        let map = |index: u32| match index.checked_sub(self.num_params) {
            Some(virt) => renumber[virt as usize],
            None => index,
        };
        let groups: Vec<(u32, ValType)> = counts
            .iter()
            .zip(LOCAL_TYPES)
            .filter(|(count, _)| **count > 0)
            .map(|(count, ty)| (*count, ty))
            .collect();
        let mut body = wasm_encoder::Function::new(groups);
        for inst in &self.insts {
            match inst {
                Instruction::LocalGet(i) => body.instruction(&Instruction::LocalGet(map(*i))),
                Instruction::LocalSet(i) => body.instruction(&Instruction::LocalSet(map(*i))),
                Instruction::LocalTee(i) => body.instruction(&Instruction::LocalTee(map(*i))),
                other => body.instruction(other),
            };
        }
        body
    }
}
