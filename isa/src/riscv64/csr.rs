//! The control and status registers user code may touch.

use super::op::{CsrOp, Op};
use super::Inst;
use crate::Counter;

/// A CSR this crate implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Csr {
    /// Accrued exception flags (5 bits).
    FFlags,
    /// Dynamic rounding mode (3 bits).
    Frm,
    /// `frm << 5 | fflags`.
    Fcsr,
    /// A read-only counter.
    Counter(Counter),
}

/// User-level CSRs by number: their assembler name and, when implemented,
/// what they are. The vector CSRs are named only so that disassembly of code
/// probing them reads well; accessing them is an illegal instruction.
const CSRS: &[(u16, &str, Option<Csr>)] = &[
    (0x001, "fflags", Some(Csr::FFlags)),
    (0x002, "frm", Some(Csr::Frm)),
    (0x003, "fcsr", Some(Csr::Fcsr)),
    (0x008, "vstart", None),
    (0x009, "vxsat", None),
    (0x00a, "vxrm", None),
    (0x00f, "vcsr", None),
    (0xc00, "cycle", Some(Csr::Counter(Counter::Cycle))),
    (0xc01, "time", Some(Csr::Counter(Counter::Time))),
    (0xc02, "instret", Some(Csr::Counter(Counter::InstRet))),
    (0xc20, "vl", None),
    (0xc21, "vtype", None),
    (0xc22, "vlenb", None),
];

fn entry(num: i32) -> Option<&'static (u16, &'static str, Option<Csr>)> {
    CSRS.iter().find(|e| e.0 as i32 == num)
}

/// The assembler name of CSR `num`, if it has one here.
pub(crate) fn name(num: i32) -> Option<&'static str> {
    entry(num).map(|e| e.1)
}

/// The implemented CSR numbered `num`.
pub(crate) fn kind(num: i32) -> Option<Csr> {
    entry(num).and_then(|e| e.2)
}

/// Whether CSR instruction `inst` writes its CSR: `csrrw` always, set and
/// clear only with a non-zero source register or immediate.
pub(crate) fn writes(inst: &Inst) -> bool {
    match inst.op {
        Op::Csr(CsrOp::Rw, _) => true,
        Op::Csr(_, _) => inst.rs1 != 0,
        _ => false,
    }
}

/// Whether CSR instruction `inst` may run: the CSR is implemented and, for
/// a read-only counter, not written.
pub(crate) fn is_legal(inst: &Inst) -> bool {
    match kind(inst.imm) {
        None => false,
        Some(Csr::Counter(_)) => !writes(inst),
        Some(_) => true,
    }
}
