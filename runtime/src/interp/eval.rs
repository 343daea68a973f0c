//! `Eval`: the c2w-isa backend that executes on concrete values.

use c2w_isa::{
    Backend, BinOp, Cond, Counter, Fmt, FpOp, IndirectKind, StateReg, Trap, UnOp, Width,
};

use super::fp;
use super::mem::GuestMem;
use super::Cpu;

/// Why the current instruction stops the run (beyond continuing at
/// [`Eval::next_pc`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The instruction completes normally.
    None,
    /// A system call (completed: the runtime handles it next).
    Syscall,
    /// Instruction-stream synchronisation (completed).
    FenceI,
    /// The instruction cannot run; it had no effect.
    Trap(Trap),
    /// A memory access to guest address `addr` was out of range; the
    /// instruction had no effect.
    Fault(u64),
}

/// Clock callback: the current time in nanoseconds.
pub type Clock<'a> = &'a mut dyn FnMut() -> u64;

/// Executes guest instructions on a [`Cpu`] and a [`GuestMem`].
///
/// One `Eval` runs basic blocks one after another: before each one the
/// caller sets the block's fall-through pc with [`Eval::start`]; before each
/// instruction, its index in the block with [`Eval::set_index`]. It runs the
/// instruction's semantics, then reads [`Eval::stop`]; after the block,
/// it retires the block's instructions with [`Eval::retire`] and continues
/// at [`Eval::next_pc`]. Only the last instruction of a block may change the
/// flow. An instruction that faults or traps has no effect: the CPU state is
/// rolled back to what it was before it (see [`Eval::stop`]).
/// After such a stop, memory accesses through this `Eval` all fail, so it
/// must not run further instructions.
pub struct Eval<'a> {
    cpu: &'a mut Cpu,
    mem: GuestMem<'a>,
    clock: Clock<'a>,
    next: u64,
    /// Index of the current instruction in its block: the instructions
    /// before it have run but are not counted in `cpu.instret` yet.
    index: u64,
    stop: Stop,
    /// The CPU state when the current instruction was aborted.
    saved: Option<Box<Cpu>>,
}

impl<'a> Eval<'a> {
    /// An evaluator of instructions on `cpu` and `mem`; `clock` gives the
    /// time in nanoseconds for the `time` counter.
    pub fn new(cpu: &'a mut Cpu, mem: GuestMem<'a>, clock: Clock<'a>) -> Eval<'a> {
        let next = cpu.pc;
        Eval {
            cpu,
            mem,
            clock,
            next,
            index: 0,
            stop: Stop::None,
            saved: None,
        }
    }

    /// Prepares for a block (or an instruction) whose fall-through
    /// successor is `next`.
    #[inline(always)]
    pub fn start(&mut self, next: u64) {
        self.next = next;
    }

    /// Makes the current instruction the `index`th (from 0) of its block.
    #[inline(always)]
    pub fn set_index(&mut self, index: u64) {
        self.index = index;
    }

    /// Where execution continues after the current instruction.
    #[inline(always)]
    pub fn next_pc(&self) -> u64 {
        self.next
    }

    /// What stopped the current instruction, if anything. After a `Trap` or
    /// a `Fault`, the caller restores the CPU state with [`Eval::rollback`].
    #[inline(always)]
    pub fn stop(&self) -> Stop {
        self.stop
    }

    /// Clears a completed stop (`Syscall`, `FenceI`) to go on running.
    pub fn resume(&mut self) {
        self.stop = Stop::None;
    }

    /// The CPU being run.
    pub fn cpu(&mut self) -> &mut Cpu {
        self.cpu
    }

    /// Undoes the effects of an aborted instruction on the CPU state (a no-op
    /// if nothing was aborted).
    #[inline]
    pub fn rollback(&mut self) {
        if let Some(saved) = self.saved.take() {
            *self.cpu = *saved;
        }
    }

    /// Retires the current instruction and those before it in its block.
    #[inline(always)]
    pub fn retire(&mut self) {
        self.cpu.instret = self.cpu.instret.wrapping_add(self.index + 1);
    }

    /// Retires the instructions before the current one in its block (which
    /// was aborted and rolled back).
    pub fn retire_preceding(&mut self) {
        self.cpu.instret = self.cpu.instret.wrapping_add(self.index);
    }

    /// Records a stop reason, keeping the first one.
    #[inline]
    fn set_stop(&mut self, stop: Stop) {
        if self.stop == Stop::None {
            self.stop = stop;
        }
    }

    /// Ends the current instruction without effect. The rest of its
    /// semantics still runs, so keep a copy of the CPU state to restore and
    /// make every further memory access fail (no store happens). The copy is
    /// the state before the instruction because the semantics compute (load,
    /// run `fp`, trap) before they write any register.
    ///
    /// Inlined (only the copy is out of line) so that the `Eval` of the
    /// interpreter loop never has its address taken and can live in locals.
    #[inline(always)]
    fn abort(&mut self, stop: Stop) {
        if self.stop == Stop::None {
            self.saved = Some(snapshot(self.cpu));
            self.stop = stop;
            self.mem.revoke();
        }
    }
}

/// A copy of `cpu` on the heap.
#[cold]
#[inline(never)]
fn snapshot(cpu: &Cpu) -> Box<Cpu> {
    Box::new(*cpu)
}

/// `v`, the low `w` bytes of a loaded value, extended to 64 bits.
#[inline(always)]
fn extend(w: Width, signed: bool, v: u64) -> u64 {
    if !signed {
        return v;
    }
    match w {
        Width::B8 => v as i8 as u64,
        Width::B16 => v as i16 as u64,
        Width::B32 => v as i32 as u64,
        Width::B64 => v,
    }
}

/// Integer binary operations. Division by zero and signed overflow are
/// excluded by the `Backend` contract; they still get the RISC-V results so
/// that no input can panic.
#[inline(always)]
fn bin(op: BinOp, a: u64, b: u64) -> u64 {
    let (sa, sb) = (a as i64, b as i64);
    match op {
        BinOp::Add => a.wrapping_add(b),
        BinOp::Sub => a.wrapping_sub(b),
        BinOp::Mul => a.wrapping_mul(b),
        BinOp::MulHS => ((i128::from(sa) * i128::from(sb)) >> 64) as u64,
        BinOp::MulHU => ((u128::from(a) * u128::from(b)) >> 64) as u64,
        BinOp::MulHSU => ((i128::from(sa) * i128::from(b)) >> 64) as u64,
        BinOp::DivS => match sb {
            0 => u64::MAX,
            _ => sa.wrapping_div(sb) as u64,
        },
        BinOp::DivU => a.checked_div(b).unwrap_or(u64::MAX),
        BinOp::RemS => match sb {
            0 => a,
            _ => sa.wrapping_rem(sb) as u64,
        },
        BinOp::RemU => a.checked_rem(b).unwrap_or(a),
        BinOp::And => a & b,
        BinOp::Or => a | b,
        BinOp::Xor => a ^ b,
        BinOp::Shl => a.wrapping_shl(b as u32),
        BinOp::ShrU => a.wrapping_shr(b as u32),
        BinOp::ShrS => sa.wrapping_shr(b as u32) as u64,
    }
}

#[inline(always)]
fn un(op: UnOp, a: u64) -> u64 {
    match op {
        UnOp::Sext8 => a as i8 as u64,
        UnOp::Sext16 => a as i16 as u64,
        UnOp::Sext32 => a as i32 as u64,
        UnOp::Zext8 => a as u8 as u64,
        UnOp::Zext16 => a as u16 as u64,
        UnOp::Zext32 => a as u32 as u64,
        UnOp::Clz => u64::from(a.leading_zeros()),
        UnOp::Ctz => u64::from(a.trailing_zeros()),
        UnOp::Popcnt => u64::from(a.count_ones()),
        UnOp::Bswap => a.swap_bytes(),
    }
}

#[inline(always)]
fn cmp(c: Cond, a: u64, b: u64) -> bool {
    let (sa, sb) = (a as i64, b as i64);
    match c {
        Cond::Eq => a == b,
        Cond::Ne => a != b,
        Cond::LtS => sa < sb,
        Cond::GeS => sa >= sb,
        Cond::LtU => a < b,
        Cond::GeU => a >= b,
    }
}

/// RISC-V timebase: 10 MHz, one tick per 100 ns.
const NS_PER_TICK: u64 = 100;

impl Backend for Eval<'_> {
    type V = u64;

    #[inline(always)]
    fn imm(&mut self, x: u64) -> u64 {
        x
    }

    #[inline(always)]
    fn known(&mut self, v: u64) -> Option<u64> {
        Some(v)
    }

    #[inline(always)]
    fn xreg(&mut self, r: u8) -> u64 {
        self.cpu.x[usize::from(r & 31)]
    }

    #[inline(always)]
    fn set_xreg(&mut self, r: u8, v: u64) {
        self.cpu.x[usize::from(r & 31)] = v;
    }

    #[inline(always)]
    fn freg(&mut self, r: u8) -> u64 {
        self.cpu.f[usize::from(r & 31)]
    }

    #[inline(always)]
    fn set_freg(&mut self, r: u8, v: u64) {
        self.cpu.f[usize::from(r & 31)] = v;
    }

    #[inline(always)]
    fn state(&mut self, r: StateReg) -> u64 {
        self.cpu.state(r)
    }

    #[inline(always)]
    fn set_state(&mut self, r: StateReg, v: u64) {
        self.cpu.set_state(r, v);
    }

    #[inline(always)]
    fn bin(&mut self, op: BinOp, a: u64, b: u64) -> u64 {
        bin(op, a, b)
    }

    #[inline(always)]
    fn un(&mut self, op: UnOp, a: u64) -> u64 {
        un(op, a)
    }

    #[inline(always)]
    fn cmp(&mut self, c: Cond, a: u64, b: u64) -> u64 {
        u64::from(cmp(c, a, b))
    }

    #[inline(always)]
    fn select(&mut self, c: u64, a: u64, b: u64) -> u64 {
        if c != 0 {
            a
        } else {
            b
        }
    }

    #[inline(always)]
    fn load(&mut self, w: Width, signed: bool, addr: u64) -> u64 {
        match self.mem.read(w, addr) {
            Some(v) => extend(w, signed, v),
            None => {
                self.abort(Stop::Fault(addr));
                0
            }
        }
    }

    #[inline(always)]
    fn store(&mut self, w: Width, addr: u64, v: u64) {
        if !self.mem.write(w, addr, v) {
            self.abort(Stop::Fault(addr));
        }
    }

    #[inline]
    fn fp(&mut self, op: FpOp, fmt: Fmt, args: &[u64], rm: u64) -> u64 {
        match fp::fp(op, fmt, args, rm, self.cpu.fflags) {
            Ok(r) => {
                self.cpu.fflags |= r.flags;
                r.value
            }
            Err(fp::ReservedRm) => {
                self.abort(Stop::Trap(Trap::IllegalInstruction));
                0
            }
        }
    }

    fn x87(&mut self, code: u32, arg: u64) -> u64 {
        match super::x87::run(self.cpu, &self.mem, code, arg) {
            Ok(v) => v,
            Err(super::x87::Fault(addr)) => {
                self.abort(Stop::Fault(addr));
                0
            }
        }
    }

    fn counter(&mut self, c: Counter) -> u64 {
        match c {
            Counter::Time => (self.clock)() / NS_PER_TICK,
            Counter::Cycle | Counter::InstRet => self.cpu.instret.wrapping_add(self.index),
        }
    }

    #[inline(always)]
    fn branch(&mut self, c: u64, taken: u64, not_taken: u64) {
        self.next = if c != 0 { taken } else { not_taken };
    }

    #[inline(always)]
    fn jump(&mut self, target: u64) {
        self.next = target;
    }

    #[inline(always)]
    fn call(&mut self, target: u64, _ret: u64) {
        self.next = target;
    }

    #[inline(always)]
    fn jump_indirect(&mut self, target: u64, _kind: IndirectKind) {
        self.next = target;
    }

    fn syscall(&mut self, next: u64) {
        self.next = next;
        self.set_stop(Stop::Syscall);
    }

    /// The trapping instruction is the current one: its pc is the caller's.
    fn trap(&mut self, t: Trap, _pc: u64) {
        self.abort(Stop::Trap(t));
    }

    fn trap_if(&mut self, c: u64, t: Trap, _pc: u64) {
        if c != 0 {
            self.abort(Stop::Trap(t));
        }
    }

    fn fence_i(&mut self, next: u64) {
        self.next = next;
        self.set_stop(Stop::FenceI);
    }
}
