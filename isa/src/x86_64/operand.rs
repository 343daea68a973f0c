//! Operands: general-purpose registers of every width, effective addresses,
//! and memory operands, over [`Backend`].

use iced_x86::{Instruction, OpKind, Register};

use super::regs;
use crate::{Backend, BinOp, StateReg, UnOp, Width};

/// Where a general-purpose register lives in `Cpu::x`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gpr {
    /// Index in `Cpu::x` (0..16).
    pub index: u8,
    /// Operand size in bytes (1, 2, 4, 8).
    pub size: u8,
    /// ah, ch, dh, bh: bits 8..16 of the register.
    pub high: bool,
}

/// The general-purpose register `r` names, or `None` for any other kind.
pub fn gpr(r: Register) -> Option<Gpr> {
    let (index, size, high) = if r.is_gpr64() {
        (r.number() as u8, 8, false)
    } else if r.is_gpr32() {
        (r.number() as u8, 4, false)
    } else if r.is_gpr16() {
        (r.number() as u8, 2, false)
    } else if r.is_gpr8() {
        match r {
            Register::AH | Register::CH | Register::DH | Register::BH => {
                ((r as u32 - Register::AH as u32) as u8, 1, true)
            }
            // al, cl, dl, bl, then (after ah..bh in iced's numbering) spl,
            // bpl, sil, dil, r8b..r15b.
            _ => {
                let n = r.number() as u8;
                (if n < 4 { n } else { n - 4 }, 1, false)
            }
        }
    } else {
        return None;
    };
    Some(Gpr { index, size, high })
}

/// The access width of `size` bytes (1, 2, 4 or 8).
pub fn width(size: u32) -> Width {
    match size {
        1 => Width::B8,
        2 => Width::B16,
        4 => Width::B32,
        _ => Width::B64,
    }
}

/// `v` zero-extended from its low `size` bytes.
pub fn zext<B: Backend>(b: &mut B, size: u32, v: B::V) -> B::V {
    match size {
        1 => b.un(UnOp::Zext8, v),
        2 => b.un(UnOp::Zext16, v),
        4 => b.un(UnOp::Zext32, v),
        _ => v,
    }
}

/// `v` sign-extended from its low `size` bytes.
pub fn sext<B: Backend>(b: &mut B, size: u32, v: B::V) -> B::V {
    match size {
        1 => b.un(UnOp::Sext8, v),
        2 => b.un(UnOp::Sext16, v),
        4 => b.un(UnOp::Sext32, v),
        _ => v,
    }
}

/// The value of register `r`, zero-extended to 64 bits.
pub fn read_reg<B: Backend>(b: &mut B, r: Register) -> B::V {
    let g = gpr(r).expect("a general-purpose register");
    let full = b.xreg(g.index);
    if g.high {
        let eight = b.imm(8);
        let v = b.bin(BinOp::ShrU, full, eight);
        return b.un(UnOp::Zext8, v);
    }
    zext(b, u32::from(g.size), full)
}

/// Writes `v` to register `r` as the hardware does: a 32-bit write
/// zero-extends into the whole register, 8- and 16-bit writes keep the other
/// bits.
pub fn write_reg<B: Backend>(b: &mut B, r: Register, v: B::V) {
    let g = gpr(r).expect("a general-purpose register");
    let v = merged(b, r, v);
    b.set_xreg(g.index, v);
}

/// The whole 64-bit register that writing `v` to `r` leaves (see
/// [`write_reg`]).
pub fn merged<B: Backend>(b: &mut B, r: Register, v: B::V) -> B::V {
    let g = gpr(r).expect("a general-purpose register");
    match (g.size, g.high) {
        (8, _) => v,
        (4, _) => b.un(UnOp::Zext32, v),
        (size, high) => {
            let shift = if high { 8 } else { 0 };
            let mask = ((1u64 << (8 * u32::from(size))) - 1) << shift;
            let old = b.xreg(g.index);
            let keep = b.imm(!mask);
            let old = b.bin(BinOp::And, old, keep);
            let v = zext(b, u32::from(size), v);
            let v = if shift == 0 {
                v
            } else {
                let s = b.imm(shift);
                b.bin(BinOp::Shl, v, s)
            };
            b.bin(BinOp::Or, old, v)
        }
    }
}

/// The effective address of `i`'s memory operand: base + index * scale +
/// displacement (RIP-relative already resolved by the decoder), plus the
/// fs or gs base under a segment override, wrapped to 64 bits (or to 32 with
/// an address-size prefix).
pub fn address<B: Backend>(b: &mut B, i: &Instruction) -> B::V {
    let base = i.memory_base();
    let index = i.memory_index();
    let mut addr = if base == Register::RIP || base == Register::EIP {
        None
    } else if base != Register::None {
        Some(read_reg(b, base))
    } else {
        None
    };
    if index != Register::None {
        let mut x = read_reg(b, index);
        let scale = i.memory_index_scale();
        if scale > 1 {
            let shift = b.imm(u64::from(scale.trailing_zeros()));
            x = b.bin(BinOp::Shl, x, shift);
        }
        addr = Some(match addr {
            Some(a) => b.bin(BinOp::Add, a, x),
            None => x,
        });
    }
    let disp = i.memory_displacement64();
    let mut addr = match addr {
        None => b.imm(disp),
        Some(a) if disp == 0 => a,
        Some(a) => {
            let d = b.imm(disp);
            b.bin(BinOp::Add, a, d)
        }
    };
    // An address-size prefix: 32-bit addressing.
    if base == Register::EIP || base.is_gpr32() || index.is_gpr32() {
        addr = b.un(UnOp::Zext32, addr);
    }
    let segment = match i.segment_prefix() {
        Register::FS => Some(StateReg::FsBase),
        Register::GS => Some(StateReg::GsBase),
        _ => None,
    };
    if let Some(seg) = segment {
        let s = b.state(seg);
        addr = b.bin(BinOp::Add, addr, s);
    }
    addr
}

/// Whether operand `n` of `i` is a memory operand.
pub fn is_memory(i: &Instruction, n: u32) -> bool {
    i.op_kind(n) == OpKind::Memory
}

/// The value of integer operand `n` of `i` (register, memory or
/// immediate), zero-extended from `size` bytes; immediates come
/// sign-extended to the operand size as the encoding defines, then
/// truncated to `size`.
pub fn read<B: Backend>(b: &mut B, i: &Instruction, n: u32, size: u32) -> B::V {
    match i.op_kind(n) {
        OpKind::Register => read_reg(b, i.op_register(n)),
        OpKind::Memory => {
            let a = address(b, i);
            b.load(width(size), false, a)
        }
        OpKind::Immediate8
        | OpKind::Immediate16
        | OpKind::Immediate32
        | OpKind::Immediate64
        | OpKind::Immediate8to16
        | OpKind::Immediate8to32
        | OpKind::Immediate8to64
        | OpKind::Immediate32to64 => {
            let v = i.immediate(n);
            let mask = if size >= 8 {
                u64::MAX
            } else {
                (1u64 << (8 * size)) - 1
            };
            b.imm(v & mask)
        }
        OpKind::Immediate8_2nd => b.imm(u64::from(i.immediate8_2nd())),
        _ => b.imm(0),
    }
}

/// Writes integer operand `n` of `i` (register or memory) with the low
/// `size` bytes of `v`. `addr` is the memory operand's address when the
/// caller computed it already (read-modify-write).
pub fn write<B: Backend>(
    b: &mut B,
    i: &Instruction,
    n: u32,
    size: u32,
    v: B::V,
    addr: Option<B::V>,
) {
    match i.op_kind(n) {
        OpKind::Register => write_reg(b, i.op_register(n), v),
        OpKind::Memory => {
            let a = match addr {
                Some(a) => a,
                None => address(b, i),
            };
            b.store(width(size), a, v);
        }
        _ => {}
    }
}

/// The stack pointer register.
pub fn rsp<B: Backend>(b: &mut B) -> B::V {
    b.xreg(regs::RSP)
}
