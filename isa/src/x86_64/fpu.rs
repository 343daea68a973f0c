//! x87 instructions over [`Backend::x87`](crate::Backend::x87) (the
//! operations themselves are in the runtime, see [`super::x87`]).

use super::Inst;
use crate::Backend;

/// Runs `inst` if it is an x87 instruction; `false` if it is not one this
/// module implements.
pub(super) fn execute<B: Backend>(b: &mut B, inst: &Inst, pc: u64) -> bool {
    let _ = (b, inst, pc);
    false
}
