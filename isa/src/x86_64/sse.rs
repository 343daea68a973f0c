//! SSE to SSE4.2: the meaning of each implemented instruction over
//! [`Backend`](crate::Backend), with xmm*n* as `f[2n]` / `f[2n+1]`.

use super::Inst;
use crate::Backend;

/// CPUID leaf 1 feature bits (ecx, edx) for what this module implements.
pub const CPUID_1_ECX: u32 = 0;
pub const CPUID_1_EDX: u32 = 0;

/// Runs `inst` if it is an SSE instruction; `false` if it is not one this
/// module implements.
pub(super) fn execute<B: Backend>(b: &mut B, inst: &Inst, pc: u64) -> bool {
    let _ = (b, inst, pc);
    false
}
