//! A concrete x86_64 backend for tests: 16 registers, the state registers,
//! and memory as a few byte regions at fixed guest addresses. It checks the
//! `Backend` contract (guarded division, shift amounts below 64, at most one
//! control-flow call, last) with assertions.
//!
//! In [`Mode::Lifter`] it behaves like the lifter as far as the semantics can
//! tell: a value is known only when it derives from constants, registers and
//! state read at a block boundary are not, and the flags are settled
//! wherever control leaves a block.
#![allow(dead_code)]

use c2w_isa::x86_64::{decode, flags, X86_64};
use c2w_isa::{
    Backend, BinOp, Cond, Counter, Fmt, FpOp, IndirectKind, Isa, StateReg, Trap, UnOp, Width,
};

/// How the machine answers `known`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Always (the interpreter).
    Interp,
    /// Only for values computed from constants (the lifter).
    Lifter,
}

/// A value and whether the backend knows it while building.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Val {
    pub v: u64,
    pub k: bool,
}

/// How an instruction ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Next,
    Branch { taken: bool, target: u64, next: u64 },
    Jump(u64),
    Call { target: u64, ret: u64 },
    Indirect(u64, IndirectKind),
    Syscall(u64),
    Trap(Trap),
}

/// Why a run stopped before reaching its end address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    Trap(Trap, u64),
    /// A memory access outside every region.
    Fault(u64),
    Syscall(u64),
    /// Fetching outside the code, or too many steps.
    Lost(u64),
}

pub struct X86Machine {
    pub mode: Mode,
    pub x: [Val; 16],
    pub state: [Val; StateReg::ALL.len()],
    /// (guest address, bytes).
    pub regions: Vec<(u64, Vec<u8>)>,
    pub flow: Option<Flow>,
    pub fault: Option<u64>,
    pub cycles: u64,
}

impl X86Machine {
    pub fn new(mode: Mode) -> X86Machine {
        let zero = Val { v: 0, k: false };
        X86Machine {
            mode,
            x: [zero; 16],
            state: [zero; StateReg::ALL.len()],
            regions: Vec::new(),
            flow: None,
            fault: None,
            cycles: 0x1234_5678_9abc,
        }
    }

    pub fn reg(&self, r: usize) -> u64 {
        self.x[r].v
    }

    pub fn set_reg(&mut self, r: usize, v: u64) {
        self.x[r] = Val { v, k: false };
    }

    pub fn get_state(&self, r: StateReg) -> u64 {
        self.state[r.index()].v
    }

    pub fn put_state(&mut self, r: StateReg, v: u64) {
        self.state[r.index()] = Val { v, k: false };
    }

    /// Sets the flags to the RFLAGS word `w` (arithmetic flags and DF).
    pub fn set_rflags(&mut self, w: u64) {
        self.put_state(StateReg::FlagsOp, 0);
        self.put_state(StateReg::FlagsA, 0);
        self.put_state(StateReg::FlagsB, 0);
        self.put_state(StateReg::FlagsR, w & flags::ARITH);
        self.put_state(StateReg::Df, (w >> 10) & 1);
    }

    /// The arithmetic flags and DF as an RFLAGS word.
    pub fn rflags(&mut self) -> u64 {
        let w = flags::materialize(self).v;
        w | self.get_state(StateReg::Df) << 10
    }

    /// Forgets what is known: a block boundary of the lifter.
    fn boundary(&mut self) {
        self.flow = None;
        if self.mode == Mode::Lifter {
            X86_64::settle(self);
            for v in self.x.iter_mut().chain(self.state.iter_mut()) {
                v.k = false;
            }
        }
    }

    fn locate(&mut self, addr: u64, len: usize) -> Option<(usize, usize)> {
        for (n, (base, bytes)) in self.regions.iter().enumerate() {
            if addr >= *base && addr - base + len as u64 <= bytes.len() as u64 {
                return Some((n, (addr - base) as usize));
            }
        }
        if self.fault.is_none() {
            self.fault = Some(addr);
        }
        None
    }

    pub fn read_mem(&mut self, addr: u64, len: usize) -> u64 {
        let Some((n, at)) = self.locate(addr, len) else {
            return 0;
        };
        let mut b = [0u8; 8];
        b[..len].copy_from_slice(&self.regions[n].1[at..at + len]);
        u64::from_le_bytes(b)
    }

    pub fn write_mem(&mut self, addr: u64, len: usize, v: u64) {
        let Some((n, at)) = self.locate(addr, len) else {
            return;
        };
        self.regions[n].1[at..at + len].copy_from_slice(&v.to_le_bytes()[..len]);
    }

    /// Runs from `pc` until `end`, fetching from `code` at `code_base`.
    pub fn run(&mut self, code: &[u8], code_base: u64, mut pc: u64, end: u64) -> Result<(), Stop> {
        self.boundary();
        for _ in 0..10_000 {
            if pc == end {
                self.boundary();
                return Ok(());
            }
            let off = pc.wrapping_sub(code_base) as usize;
            if off >= code.len() {
                return Err(Stop::Lost(pc));
            }
            let inst = decode(&code[off..], pc).ok_or(Stop::Lost(pc))?;
            self.flow = None;
            X86_64::execute(self, &inst, pc);
            if let Some(addr) = self.fault {
                return Err(Stop::Fault(addr));
            }
            let next = pc + u64::from(inst.len());
            let flow = self.flow.unwrap_or(Flow::Next);
            pc = match flow {
                Flow::Next => next,
                Flow::Branch {
                    taken,
                    target,
                    next,
                } => {
                    if taken {
                        target
                    } else {
                        next
                    }
                }
                Flow::Jump(t) | Flow::Call { target: t, .. } | Flow::Indirect(t, _) => t,
                Flow::Syscall(n) => return Err(Stop::Syscall(n)),
                Flow::Trap(t) => return Err(Stop::Trap(t, pc)),
            };
            if flow != Flow::Next {
                self.boundary();
            }
        }
        Err(Stop::Lost(pc))
    }

    fn val(&self, v: u64, k: bool) -> Val {
        Val {
            v,
            k: k || self.mode == Mode::Interp,
        }
    }

    fn end(&mut self, f: Flow) {
        assert!(self.flow.is_none(), "two control-flow calls: {f:?}");
        self.flow = Some(f);
    }
}

fn shift_ok(n: u64) {
    assert!(n < 64, "shift amount {n} reached the backend");
}

impl Backend for X86Machine {
    type V = Val;

    fn imm(&mut self, x: u64) -> Val {
        Val { v: x, k: true }
    }
    fn known(&mut self, v: Val) -> Option<u64> {
        assert!(self.flow.is_none(), "work after a control-flow call");
        (v.k || self.mode == Mode::Interp).then_some(v.v)
    }
    fn xreg(&mut self, r: u8) -> Val {
        self.x[r as usize]
    }
    fn set_xreg(&mut self, r: u8, v: Val) {
        assert!(self.flow.is_none(), "work after a control-flow call");
        self.x[r as usize] = v;
    }
    fn freg(&mut self, _: u8) -> Val {
        Val { v: 0, k: false }
    }
    fn set_freg(&mut self, _: u8, _: Val) {}
    fn state(&mut self, r: StateReg) -> Val {
        self.state[r.index()]
    }
    fn set_state(&mut self, r: StateReg, v: Val) {
        self.state[r.index()] = v;
    }
    fn bin(&mut self, op: BinOp, a: Val, b: Val) -> Val {
        let (x, y) = (a.v, b.v);
        let v = match op {
            BinOp::Add => x.wrapping_add(y),
            BinOp::Sub => x.wrapping_sub(y),
            BinOp::Mul => x.wrapping_mul(y),
            BinOp::MulHS => ((i128::from(x as i64) * i128::from(y as i64)) >> 64) as u64,
            BinOp::MulHU => ((u128::from(x) * u128::from(y)) >> 64) as u64,
            BinOp::MulHSU => ((i128::from(x as i64) * (u128::from(y) as i128)) >> 64) as u64,
            BinOp::DivS | BinOp::RemS => {
                assert!(y != 0, "DivS/RemS by zero reached the backend");
                assert!(
                    !(x == 1 << 63 && y == u64::MAX),
                    "DivS/RemS MIN / -1 reached the backend"
                );
                if op == BinOp::DivS {
                    (x as i64 / y as i64) as u64
                } else {
                    (x as i64 % y as i64) as u64
                }
            }
            BinOp::DivU | BinOp::RemU => {
                assert!(y != 0, "DivU/RemU by zero reached the backend");
                if op == BinOp::DivU {
                    x / y
                } else {
                    x % y
                }
            }
            BinOp::And => x & y,
            BinOp::Or => x | y,
            BinOp::Xor => x ^ y,
            BinOp::Shl => {
                shift_ok(y);
                x << y
            }
            BinOp::ShrU => {
                shift_ok(y);
                x >> y
            }
            BinOp::ShrS => {
                shift_ok(y);
                ((x as i64) >> y) as u64
            }
        };
        self.val(v, a.k && b.k)
    }
    fn un(&mut self, op: UnOp, a: Val) -> Val {
        let x = a.v;
        let v = match op {
            UnOp::Sext8 => x as i8 as i64 as u64,
            UnOp::Sext16 => x as i16 as i64 as u64,
            UnOp::Sext32 => x as i32 as i64 as u64,
            UnOp::Zext8 => x as u8 as u64,
            UnOp::Zext16 => x as u16 as u64,
            UnOp::Zext32 => x as u32 as u64,
            UnOp::Clz => u64::from(x.leading_zeros()),
            UnOp::Ctz => u64::from(x.trailing_zeros()),
            UnOp::Popcnt => u64::from(x.count_ones()),
            UnOp::Bswap => x.swap_bytes(),
        };
        self.val(v, a.k)
    }
    fn cmp(&mut self, c: Cond, a: Val, b: Val) -> Val {
        let (x, y) = (a.v, b.v);
        let v = match c {
            Cond::Eq => x == y,
            Cond::Ne => x != y,
            Cond::LtS => (x as i64) < (y as i64),
            Cond::GeS => (x as i64) >= (y as i64),
            Cond::LtU => x < y,
            Cond::GeU => x >= y,
        };
        self.val(u64::from(v), a.k && b.k)
    }
    fn select(&mut self, c: Val, a: Val, b: Val) -> Val {
        let r = if c.v != 0 { a } else { b };
        self.val(r.v, c.k && a.k && b.k)
    }
    fn load(&mut self, w: Width, signed: bool, addr: Val) -> Val {
        let n = w.bytes() as usize;
        let v = self.read_mem(addr.v, n);
        let v = if signed && n < 8 {
            let s = 64 - 8 * n as u32;
            (((v << s) as i64) >> s) as u64
        } else {
            v
        };
        Val {
            v,
            k: self.mode == Mode::Interp,
        }
    }
    fn store(&mut self, w: Width, addr: Val, v: Val) {
        assert!(self.flow.is_none(), "work after a control-flow call");
        self.write_mem(addr.v, w.bytes() as usize, v.v);
    }
    fn fp(&mut self, _: FpOp, _: Fmt, _: &[Val], _: Val) -> Val {
        panic!("floating point in the integer tests")
    }
    fn counter(&mut self, _: Counter) -> Val {
        self.cycles += 1;
        Val {
            v: self.cycles,
            k: self.mode == Mode::Interp,
        }
    }
    fn x87(&mut self, _: u32, _: Val) -> Val {
        panic!("x87 in the integer tests")
    }
    fn branch(&mut self, c: Val, taken: u64, not_taken: u64) {
        self.end(Flow::Branch {
            taken: c.v != 0,
            target: taken,
            next: not_taken,
        });
    }
    fn jump(&mut self, target: u64) {
        self.end(Flow::Jump(target));
    }
    fn call(&mut self, target: u64, ret: u64) {
        self.end(Flow::Call { target, ret });
    }
    fn jump_indirect(&mut self, target: Val, kind: IndirectKind) {
        self.end(Flow::Indirect(target.v, kind));
    }
    fn syscall(&mut self, next: u64) {
        self.end(Flow::Syscall(next));
    }
    fn trap(&mut self, t: Trap, _pc: u64) {
        self.end(Flow::Trap(t));
    }
    fn trap_if(&mut self, c: Val, t: Trap, _pc: u64) {
        if c.v != 0 {
            self.end(Flow::Trap(t));
        }
    }
    fn fence_i(&mut self, _: u64) {
        panic!("fence.i on x86_64")
    }
}
