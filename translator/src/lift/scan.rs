//! Which guest registers a function uses: its instructions run on a backend
//! that only records register accesses.

use c2w_isa::riscv64::{execute, Inst};
use c2w_isa::{
    Backend, BinOp, Cond, Counter, Fmt, FpOp, IndirectKind, StateReg, Trap, UnOp, Width,
};

/// Registers read or written by some instructions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Used {
    /// Bit `r` for integer register `r` (x0 never appears).
    pub x: u32,
    /// Bit `r` for floating-point register `r`.
    pub f: u32,
    pub fflags: bool,
    pub frm: bool,
    pub reservation: bool,
    /// The registers among those that are written.
    pub written: Written,
}

/// Registers written by some instructions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Written {
    pub x: u32,
    pub f: u32,
    pub fflags: bool,
    pub frm: bool,
    pub reservation: bool,
}

impl Used {
    /// Adds the registers `inst` at `pc` uses.
    pub fn add(&mut self, inst: &Inst, pc: u64) {
        execute(self, inst, pc);
    }
}

impl Backend for Used {
    type V = ();

    fn imm(&mut self, _: u64) {}
    fn xreg(&mut self, r: u8) {
        self.x |= 1 << (r & 31);
    }
    fn set_xreg(&mut self, r: u8, _: ()) {
        self.x |= 1 << (r & 31);
        self.written.x |= 1 << (r & 31);
    }
    fn freg(&mut self, r: u8) {
        self.f |= 1 << (r & 31);
    }
    fn set_freg(&mut self, r: u8, _: ()) {
        self.f |= 1 << (r & 31);
        self.written.f |= 1 << (r & 31);
    }
    fn state(&mut self, r: StateReg) {
        match r {
            StateReg::FFlags => self.fflags = true,
            StateReg::Frm => self.frm = true,
            StateReg::Reservation => self.reservation = true,
        }
    }
    fn set_state(&mut self, r: StateReg, _: ()) {
        self.state(r);
        match r {
            StateReg::FFlags => self.written.fflags = true,
            StateReg::Frm => self.written.frm = true,
            StateReg::Reservation => self.written.reservation = true,
        }
    }
    fn bin(&mut self, _: BinOp, _: (), _: ()) {}
    fn un(&mut self, _: UnOp, _: ()) {}
    fn cmp(&mut self, _: Cond, _: (), _: ()) {}
    fn select(&mut self, _: (), _: (), _: ()) {}
    fn load(&mut self, _: Width, _: bool, _: ()) {}
    fn store(&mut self, _: Width, _: (), _: ()) {}
    /// Floating-point operations accrue exception flags.
    fn fp(&mut self, _: FpOp, _: Fmt, _: &[()], _: ()) {
        self.set_state(StateReg::FFlags, ());
    }
    fn counter(&mut self, _: Counter) {}
    fn branch(&mut self, _: (), _: u64, _: u64) {}
    fn jump(&mut self, _: u64) {}
    fn call(&mut self, _: u64, _: u64) {}
    fn jump_indirect(&mut self, _: (), _: IndirectKind) {}
    fn syscall(&mut self, _: u64) {}
    fn trap(&mut self, _: Trap, _: u64) {}
    fn fence_i(&mut self, _: u64) {}
}
