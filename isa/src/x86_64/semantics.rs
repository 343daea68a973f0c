//! The meaning of every implemented x86_64 integer instruction, written
//! once over [`Backend`]; SSE and x87 instructions are in `sse` and `fpu`.

use super::{fpu, sse, Inst};
use crate::{Backend, Trap};

/// Runs `inst` (at guest address `pc`) on backend `b`.
pub fn execute<B: Backend>(b: &mut B, inst: &Inst, pc: u64) {
    if integer(b, inst, pc) || sse::execute(b, inst, pc) || fpu::execute(b, inst, pc) {
        return;
    }
    b.trap(Trap::IllegalInstruction, pc);
}

/// Runs `inst` if it is an integer instruction this module implements.
fn integer<B: Backend>(b: &mut B, inst: &Inst, pc: u64) -> bool {
    let _ = (b, inst, pc);
    false
}
