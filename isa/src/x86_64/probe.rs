//! Whether the semantics can run an instruction: they are run once on a
//! backend that only notes an illegal-instruction trap, so that what is
//! implemented is decided in one place, the semantics.

use super::{execute, Inst};
use crate::{Backend, BinOp, Cond, Counter, Fmt, FpOp, IndirectKind, StateReg, Trap, UnOp, Width};

/// Whether `inst` traps as an illegal instruction whatever the state.
pub(super) fn traps(inst: &Inst) -> bool {
    let mut probe = Probe(false);
    execute(&mut probe, inst, inst.i.ip());
    probe.0
}

struct Probe(bool);

impl Backend for Probe {
    type V = ();

    fn imm(&mut self, _: u64) {}
    fn known(&mut self, _: ()) -> Option<u64> {
        None
    }
    fn xreg(&mut self, _: u8) {}
    fn set_xreg(&mut self, _: u8, _: ()) {}
    fn freg(&mut self, _: u8) {}
    fn set_freg(&mut self, _: u8, _: ()) {}
    fn state(&mut self, _: StateReg) {}
    fn set_state(&mut self, _: StateReg, _: ()) {}
    fn bin(&mut self, _: BinOp, _: (), _: ()) {}
    fn un(&mut self, _: UnOp, _: ()) {}
    fn cmp(&mut self, _: Cond, _: (), _: ()) {}
    fn select(&mut self, _: (), _: (), _: ()) {}
    fn load(&mut self, _: Width, _: bool, _: ()) {}
    fn store(&mut self, _: Width, _: (), _: ()) {}
    fn fp(&mut self, _: FpOp, _: Fmt, _: &[()], _: ()) {}
    fn counter(&mut self, _: Counter) {}
    fn x87(&mut self, _: u32, _: ()) {}
    fn branch(&mut self, _: (), _: u64, _: u64) {}
    fn jump(&mut self, _: u64) {}
    fn call(&mut self, _: u64, _: u64) {}
    fn jump_indirect(&mut self, _: (), _: IndirectKind) {}
    fn syscall(&mut self, _: u64) {}
    fn trap(&mut self, t: Trap, _: u64) {
        self.0 |= t == Trap::IllegalInstruction;
    }
    fn trap_if(&mut self, _: (), _: Trap, _: u64) {}
    fn fence_i(&mut self, _: u64) {}
}
