//! Which guest registers instructions read and write: they run on a backend
//! that only records register accesses.

use c2w_isa::{
    Backend, BinOp, Cond, Counter, Fmt, FpOp, IndirectKind, Isa, StateReg, Trap, UnOp, Width,
};

/// A set of guest registers: bits 0-31 the integer registers, 32-63 the
/// floating-point ones, then the state registers in the order of
/// [`StateReg::ALL`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RegSet(pub u128);

impl RegSet {
    pub fn x(r: u8) -> u32 {
        u32::from(r & 31)
    }

    pub fn f(r: u8) -> u32 {
        32 + u32::from(r & 31)
    }

    pub fn state(r: StateReg) -> u32 {
        64 + r.index() as u32
    }

    /// The x86_64 lazy arithmetic flags.
    pub fn flags() -> RegSet {
        let mut set = RegSet::default();
        for r in [
            StateReg::FlagsOp,
            StateReg::FlagsA,
            StateReg::FlagsB,
            StateReg::FlagsR,
        ] {
            set.insert(Self::state(r));
        }
        set
    }

    pub fn contains(self, bit: u32) -> bool {
        self.0 & (1 << bit) != 0
    }

    pub fn insert(&mut self, bit: u32) {
        self.0 |= 1 << bit;
    }

    pub fn union(self, other: RegSet) -> RegSet {
        RegSet(self.0 | other.0)
    }

    pub fn minus(self, other: RegSet) -> RegSet {
        RegSet(self.0 & !other.0)
    }
}

/// The registers an instruction reads and writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Access {
    pub reads: RegSet,
    pub writes: RegSet,
}

impl Access {
    /// What `inst` at `pc` accesses.
    pub fn of<I: Isa>(inst: &I::Inst, pc: u64) -> Access {
        let mut access = Access::default();
        I::execute(&mut access, inst, pc);
        access
    }
}

impl Backend for Access {
    type V = ();

    fn imm(&mut self, _: u64) {}
    fn known(&mut self, _: ()) -> Option<u64> {
        None
    }
    fn xreg(&mut self, r: u8) {
        self.reads.insert(RegSet::x(r));
    }
    fn set_xreg(&mut self, r: u8, _: ()) {
        self.writes.insert(RegSet::x(r));
    }
    fn freg(&mut self, r: u8) {
        self.reads.insert(RegSet::f(r));
    }
    fn set_freg(&mut self, r: u8, _: ()) {
        self.writes.insert(RegSet::f(r));
    }
    fn state(&mut self, r: StateReg) {
        self.reads.insert(RegSet::state(r));
    }
    fn set_state(&mut self, r: StateReg, _: ()) {
        self.writes.insert(RegSet::state(r));
    }
    fn bin(&mut self, _: BinOp, _: (), _: ()) {}
    fn un(&mut self, _: UnOp, _: ()) {}
    fn cmp(&mut self, _: Cond, _: (), _: ()) {}
    fn select(&mut self, _: (), _: (), _: ()) {}
    fn load(&mut self, _: Width, _: bool, _: ()) {}
    fn store(&mut self, _: Width, _: (), _: ()) {}
    /// Floating-point operations accrue exception flags.
    fn fp(&mut self, _: FpOp, _: Fmt, _: &[()], _: ()) {
        self.state(StateReg::FFlags);
        self.set_state(StateReg::FFlags, ());
    }
    fn counter(&mut self, _: Counter) {}
    fn x87(&mut self, _: u32, _: ()) {}
    fn branch(&mut self, _: (), _: u64, _: u64) {}
    fn jump(&mut self, _: u64) {}
    fn call(&mut self, _: u64, _: u64) {}
    fn jump_indirect(&mut self, _: (), _: IndirectKind) {}
    fn syscall(&mut self, _: u64) {}
    fn trap(&mut self, _: Trap, _: u64) {}
    fn trap_if(&mut self, _: (), _: Trap, _: u64) {}
    fn fence_i(&mut self, _: u64) {}
}
