//! RV64GC (RV64IMAFDC + Zicsr + Zifencei): decoding and semantics.
//! (Interface stub: the decoder and semantics are being written.)

use crate::Backend;

/// One decoded instruction (compressed forms are expanded to their 32-bit
/// equivalents). Unknown encodings decode to an instruction whose semantics
/// is `trap(IllegalInstruction)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inst {
    /// Length in bytes: 2 (compressed) or 4.
    pub len: u8,
    raw: u32,
}

/// Decode the instruction whose first 32 bits (little-endian) are `parcel`;
/// for a compressed instruction only the low 16 bits matter.
pub fn decode(parcel: u32) -> Inst {
    let len = if parcel & 3 == 3 { 4 } else { 2 };
    Inst { len, raw: parcel }
}

/// Run `inst` (at guest address `pc`) on backend `b`.
pub fn execute<B: Backend>(_b: &mut B, _inst: &Inst, _pc: u64) {
    todo!("riscv64 semantics")
}

/// Whether `inst` ends a basic block (it transfers control or traps).
pub fn ends_block(_inst: &Inst) -> bool {
    todo!()
}
