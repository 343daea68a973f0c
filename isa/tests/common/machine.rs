//! A concrete reference backend for testing instruction semantics: u64
//! registers, byte-addressed sparse memory, and a record of the
//! control-flow outcome and of every floating-point call. It checks the
//! contract of `Backend` (no x0 access, guarded division, at most one
//! control-flow call) with assertions.
#![allow(dead_code)]

use std::collections::HashMap;

use c2w_isa::riscv64::{decode, ends_block, execute};
use c2w_isa::{
    Backend, BinOp, Cond, Counter, Fmt, FpOp, IndirectKind, IntTy, StateReg, Trap, UnOp, Width,
};

/// How an instruction left the straight-line path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Branch { taken: bool, to: u64 },
    Jump(u64),
    Call { target: u64, ret: u64 },
    Indirect { target: u64, kind: IndirectKind },
    Syscall(u64),
    Trap(Trap, u64),
    FenceI(u64),
}

/// One call of `Backend::fp`.
#[derive(Clone, Debug, PartialEq)]
pub struct FpCall {
    pub op: FpOp,
    pub fmt: Fmt,
    pub args: Vec<u64>,
    pub rm: u64,
}

/// The value each counter reads as.
pub const TIME: u64 = 1_000;
pub const CYCLE: u64 = 2_000;
pub const INSTRET: u64 = 3_000;

#[derive(Default)]
pub struct Machine {
    pub x: [u64; 32],
    pub f: [u64; 32],
    pub fflags: u64,
    pub frm: u64,
    pub reservation: u64,
    pub mem: HashMap<u64, u8>,
    pub exit: Option<Exit>,
    pub fp_calls: Vec<FpCall>,
    /// Number of `set_state` calls, by register.
    pub state_writes: HashMap<String, usize>,
}

impl Machine {
    pub fn new() -> Machine {
        Machine {
            reservation: u64::MAX,
            ..Machine::default()
        }
    }

    /// Decode and execute the instruction whose first parcel is `parcel`
    /// at `pc`; the control-flow outcome, if any. Checks that exactly the
    /// instructions that `ends_block` names leave the straight-line path.
    pub fn step(&mut self, parcel: u32, pc: u64) -> Option<Exit> {
        let inst = decode(parcel);
        self.exit = None;
        execute(self, &inst, pc);
        assert_eq!(
            ends_block(&inst),
            self.exit.is_some(),
            "{inst}: ends_block disagrees with execute"
        );
        self.exit.take()
    }

    pub fn read(&self, addr: u64, bytes: u32) -> u64 {
        (0..bytes).rev().fold(0, |v, i| {
            v << 8 | *self.mem.get(&(addr + i as u64)).unwrap_or(&0) as u64
        })
    }

    pub fn write(&mut self, addr: u64, bytes: u32, v: u64) {
        for i in 0..bytes {
            self.mem.insert(addr + i as u64, (v >> (8 * i)) as u8);
        }
    }

    fn exit(&mut self, e: Exit) {
        assert!(
            self.exit.is_none(),
            "two control-flow calls: {:?} then {e:?}",
            self.exit
        );
        self.exit = Some(e);
    }

    fn state_reg(&mut self, r: StateReg) -> &mut u64 {
        match r {
            StateReg::FFlags => &mut self.fflags,
            StateReg::Frm => &mut self.frm,
            StateReg::Reservation => &mut self.reservation,
            other => unreachable!("riscv64 has no {other:?}"),
        }
    }
}

fn sign_extend(v: u64, bits: u32) -> u64 {
    let shift = 64 - bits;
    ((v << shift) as i64 >> shift) as u64
}

fn zero_extend(v: u64, bits: u32) -> u64 {
    v & (u64::MAX >> (64 - bits))
}

impl Backend for Machine {
    type V = u64;

    fn imm(&mut self, x: u64) -> u64 {
        x
    }

    fn known(&mut self, v: u64) -> Option<u64> {
        Some(v)
    }

    fn x87(&mut self, _code: u32, _arg: u64) -> u64 {
        panic!("riscv64 has no x87")
    }
    fn xreg(&mut self, r: u8) -> u64 {
        assert!((1..32).contains(&r), "read of x{r}");
        self.x[r as usize]
    }
    fn set_xreg(&mut self, r: u8, v: u64) {
        assert!((1..32).contains(&r), "write of x{r}");
        self.x[r as usize] = v;
    }
    fn freg(&mut self, r: u8) -> u64 {
        self.f[r as usize]
    }
    fn set_freg(&mut self, r: u8, v: u64) {
        self.f[r as usize] = v;
    }
    fn state(&mut self, r: StateReg) -> u64 {
        *self.state_reg(r)
    }
    fn set_state(&mut self, r: StateReg, v: u64) {
        *self.state_writes.entry(format!("{r:?}")).or_default() += 1;
        *self.state_reg(r) = v;
    }

    fn bin(&mut self, op: BinOp, a: u64, b: u64) -> u64 {
        let (sa, sb) = (a as i64, b as i64);
        if matches!(op, BinOp::DivS | BinOp::DivU | BinOp::RemS | BinOp::RemU) {
            assert_ne!(b, 0, "{op:?} by zero reached the backend");
        }
        if matches!(op, BinOp::DivS | BinOp::RemS) {
            assert!(
                !(sa == i64::MIN && sb == -1),
                "{op:?} overflow reached the backend"
            );
        }
        if matches!(op, BinOp::Shl | BinOp::ShrU | BinOp::ShrS) {
            assert!(b < 64, "unreduced shift amount {b}");
        }
        match op {
            BinOp::Add => a.wrapping_add(b),
            BinOp::Sub => a.wrapping_sub(b),
            BinOp::Mul => a.wrapping_mul(b),
            BinOp::MulHS => ((sa as i128 * sb as i128) >> 64) as u64,
            BinOp::MulHU => ((a as u128 * b as u128) >> 64) as u64,
            BinOp::MulHSU => ((sa as i128 * b as i128) >> 64) as u64,
            BinOp::DivS => (sa / sb) as u64,
            BinOp::DivU => a / b,
            BinOp::RemS => (sa % sb) as u64,
            BinOp::RemU => a % b,
            BinOp::And => a & b,
            BinOp::Or => a | b,
            BinOp::Xor => a ^ b,
            BinOp::Shl => a << b,
            BinOp::ShrU => a >> b,
            BinOp::ShrS => (sa >> b) as u64,
        }
    }
    fn un(&mut self, op: UnOp, a: u64) -> u64 {
        match op {
            UnOp::Sext8 => sign_extend(a, 8),
            UnOp::Sext16 => sign_extend(a, 16),
            UnOp::Sext32 => sign_extend(a, 32),
            UnOp::Zext8 => zero_extend(a, 8),
            UnOp::Zext16 => zero_extend(a, 16),
            UnOp::Zext32 => zero_extend(a, 32),
            UnOp::Clz => a.leading_zeros() as u64,
            UnOp::Ctz => a.trailing_zeros() as u64,
            UnOp::Popcnt => a.count_ones() as u64,
            UnOp::Bswap => a.swap_bytes(),
        }
    }
    fn cmp(&mut self, c: Cond, a: u64, b: u64) -> u64 {
        let (sa, sb) = (a as i64, b as i64);
        (match c {
            Cond::Eq => a == b,
            Cond::Ne => a != b,
            Cond::LtS => sa < sb,
            Cond::GeS => sa >= sb,
            Cond::LtU => a < b,
            Cond::GeU => a >= b,
        }) as u64
    }
    fn select(&mut self, c: u64, a: u64, b: u64) -> u64 {
        if c != 0 {
            a
        } else {
            b
        }
    }

    fn load(&mut self, w: Width, signed: bool, addr: u64) -> u64 {
        let v = self.read(addr, w.bytes());
        if signed {
            sign_extend(v, w.bits())
        } else {
            v
        }
    }
    fn store(&mut self, w: Width, addr: u64, v: u64) {
        self.write(addr, w.bytes(), v);
    }

    fn fp(&mut self, op: FpOp, fmt: Fmt, args: &[u64], rm: u64) -> u64 {
        self.fp_calls.push(FpCall {
            op,
            fmt,
            args: args.to_vec(),
            rm,
        });
        fp_model(op, fmt, args)
    }

    fn counter(&mut self, c: Counter) -> u64 {
        match c {
            Counter::Time => TIME,
            Counter::Cycle => CYCLE,
            Counter::InstRet => INSTRET,
        }
    }

    fn branch(&mut self, c: u64, taken: u64, not_taken: u64) {
        let to = if c != 0 { taken } else { not_taken };
        self.exit(Exit::Branch { taken: c != 0, to });
    }
    fn jump(&mut self, target: u64) {
        self.exit(Exit::Jump(target));
    }
    fn call(&mut self, target: u64, ret: u64) {
        self.exit(Exit::Call { target, ret });
    }
    fn jump_indirect(&mut self, target: u64, kind: IndirectKind) {
        self.exit(Exit::Indirect { target, kind });
    }
    fn syscall(&mut self, next: u64) {
        self.exit(Exit::Syscall(next));
    }
    fn trap_if(&mut self, c: u64, t: Trap, pc: u64) {
        if c != 0 {
            self.trap(t, pc);
        }
    }

    fn trap(&mut self, t: Trap, pc: u64) {
        self.exit(Exit::Trap(t, pc));
    }
    fn fence_i(&mut self, next: u64) {
        self.exit(Exit::FenceI(next));
    }
}

/// A small model of `Backend::fp` (round to nearest, no flags), enough to
/// check that operands and results travel through the right registers.
fn fp_model(op: FpOp, fmt: Fmt, args: &[u64]) -> u64 {
    let val = |bits: u64, fmt: Fmt| match fmt {
        Fmt::S => f32::from_bits(bits as u32) as f64,
        Fmt::D => f64::from_bits(bits),
    };
    let out = |v: f64| match fmt {
        Fmt::S => (v as f32).to_bits() as u64,
        Fmt::D => v.to_bits(),
    };
    let a = |i: usize| val(args[i], fmt);
    match op {
        FpOp::Add => out(a(0) + a(1)),
        FpOp::Sub => out(a(0) - a(1)),
        FpOp::Mul => out(a(0) * a(1)),
        FpOp::Div => out(a(0) / a(1)),
        FpOp::MulAdd => out(a(0) * a(1) + a(2)),
        FpOp::Eq => (a(0) == a(1)) as u64,
        FpOp::Lt => (a(0) < a(1)) as u64,
        FpOp::Le => (a(0) <= a(1)) as u64,
        FpOp::Convert => {
            let from = if fmt == Fmt::S { Fmt::D } else { Fmt::S };
            out(val(args[0], from))
        }
        FpOp::ToInt(IntTy::I32) => a(0) as i32 as i64 as u64,
        FpOp::ToInt(IntTy::I64) => a(0) as i64 as u64,
        FpOp::FromInt(IntTy::I64) => out(args[0] as i64 as f64),
        FpOp::FromInt(IntTy::I32) => out(args[0] as i32 as f64),
        _ => 0,
    }
}
