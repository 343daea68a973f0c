//! SSE integer instructions (SSE2 to SSE4.2 subsets): logic, lane-wise
//! arithmetic, shifts, shuffles, packs, inserts and extracts, blends.

use iced_x86::{Instruction, Mnemonic, OpKind, Register};

use super::operand::{self, address};
use super::sse::{
    add_imm, and_imm, ext, from_lanes, get, get_lo, imm8, lane, lanes, map1, map2, mask, ones, or,
    set, set_rflags, shl, shr, src, src_low, V, X,
};
use crate::{Backend, BinOp, Cond, UnOp, Width};

/// Runs `i` if it is an integer SSE instruction this module implements.
pub(super) fn execute<B: Backend>(b: &mut B, i: &Instruction) -> bool {
    use Mnemonic::*;
    let m = i.mnemonic();
    let reg0 = i.op_register(0);
    let dst_xmm = i.op_kind(0) == OpKind::Register && reg0.is_xmm();
    // Instructions whose destination is not an xmm register.
    match m {
        Pextrb | Pextrw | Pextrd | Pextrq | Extractps => {
            let (bits, n) = match m {
                Pextrb => (8, 16),
                Pextrw => (16, 8),
                Pextrd | Extractps => (32, 4),
                _ => (64, 2),
            };
            let x = get(b, i.op_register(1));
            let v = lane(b, x, bits, (imm8(i) % n) as u32, false);
            if i.op_kind(0) == OpKind::Register {
                operand::write_reg(b, reg0, v);
            } else {
                let a = address(b, i);
                b.store(operand::width(bits / 8), a, v);
            }
            return true;
        }
        Ptest => {
            let y = src(b, i, 1);
            let x = get(b, reg0);
            let a0 = b.bin(BinOp::And, x[0], y[0]);
            let a1 = b.bin(BinOp::And, x[1], y[1]);
            let any = or(b, a0, a1);
            let na0 = b.un(UnOp::Bswap, x[0]);
            let _ = na0;
            let all = b.imm(u64::MAX);
            let nx0 = b.bin(BinOp::Xor, x[0], all);
            let nx1 = b.bin(BinOp::Xor, x[1], all);
            let c0 = b.bin(BinOp::And, nx0, y[0]);
            let c1 = b.bin(BinOp::And, nx1, y[1]);
            let c = or(b, c0, c1);
            let zero = b.imm(0);
            let zf = b.cmp(Cond::Eq, any, zero);
            let cf = b.cmp(Cond::Eq, c, zero);
            let zf = shl(b, zf, 6);
            let w = or(b, zf, cf);
            set_rflags(b, w);
            return true;
        }
        Crc32 => {
            crc32(b, i);
            return true;
        }
        Pcmpistri | Pcmpistrm | Pcmpestri | Pcmpestrm | Pcmpestri64 | Pcmpestrm64 => {
            pcmpstr(b, i);
            return true;
        }
        _ => {}
    }
    if !dst_xmm {
        return false;
    }
    let r = match m {
        Pand | Andps | Andpd | Por | Orps | Orpd | Pxor | Xorps | Xorpd | Pandn | Andnps
        | Andnpd => {
            let y = src(b, i, 1);
            let x = get(b, reg0);
            let mut out = x;
            for h in 0..2 {
                out[h] = match m {
                    Pand | Andps | Andpd => b.bin(BinOp::And, x[h], y[h]),
                    Por | Orps | Orpd => b.bin(BinOp::Or, x[h], y[h]),
                    Pxor | Xorps | Xorpd => b.bin(BinOp::Xor, x[h], y[h]),
                    _ => {
                        let all = b.imm(u64::MAX);
                        let nx = b.bin(BinOp::Xor, x[h], all);
                        b.bin(BinOp::And, nx, y[h])
                    }
                };
            }
            out
        }
        Paddb | Paddw | Paddd | Paddq | Psubb | Psubw | Psubd | Psubq => {
            let bits = lane_bits(m);
            let op = if matches!(m, Paddb | Paddw | Paddd | Paddq) {
                BinOp::Add
            } else {
                BinOp::Sub
            };
            let (x, y) = two(b, i);
            if bits == 64 {
                [b.bin(op, x[0], y[0]), b.bin(op, x[1], y[1])]
            } else {
                map2(b, x, y, bits, false, |b, p, q| b.bin(op, p, q))
            }
        }
        Paddsb | Paddsw | Psubsb | Psubsw | Paddusb | Paddusw | Psubusb | Psubusw => {
            let bits = lane_bits(m);
            let signed = matches!(m, Paddsb | Paddsw | Psubsb | Psubsw);
            let op = if matches!(m, Paddsb | Paddsw | Paddusb | Paddusw) {
                BinOp::Add
            } else {
                BinOp::Sub
            };
            let (x, y) = two(b, i);
            map2(b, x, y, bits, signed, |b, p, q| {
                let v = b.bin(op, p, q);
                saturate(b, v, bits, signed)
            })
        }
        Pcmpeqb | Pcmpeqw | Pcmpeqd | Pcmpeqq | Pcmpgtb | Pcmpgtw | Pcmpgtd | Pcmpgtq => {
            let bits = lane_bits(m);
            let eq = matches!(m, Pcmpeqb | Pcmpeqw | Pcmpeqd | Pcmpeqq);
            let (x, y) = two(b, i);
            map2(b, x, y, bits, true, |b, p, q| {
                let c = if eq {
                    b.cmp(Cond::Eq, p, q)
                } else {
                    b.cmp(Cond::LtS, q, p)
                };
                mask(b, c)
            })
        }
        Pminub | Pmaxub | Pminsw | Pmaxsw | Pminsb | Pmaxsb | Pminsd | Pmaxsd | Pminuw | Pmaxuw
        | Pminud | Pmaxud => {
            let bits = lane_bits(m);
            let signed = matches!(m, Pminsw | Pmaxsw | Pminsb | Pmaxsb | Pminsd | Pmaxsd);
            let min = matches!(m, Pminub | Pminsw | Pminsb | Pminsd | Pminuw | Pminud);
            let c = if signed { Cond::LtS } else { Cond::LtU };
            let (x, y) = two(b, i);
            map2(b, x, y, bits, signed, |b, p, q| {
                let lt = b.cmp(c, p, q);
                if min {
                    b.select(lt, p, q)
                } else {
                    b.select(lt, q, p)
                }
            })
        }
        Pavgb | Pavgw => {
            let bits = lane_bits(m);
            let (x, y) = two(b, i);
            map2(b, x, y, bits, false, |b, p, q| {
                let s = b.bin(BinOp::Add, p, q);
                let s = add_imm(b, s, 1);
                shr(b, s, 1)
            })
        }
        Psadbw => {
            let (x, y) = two(b, i);
            let xs = lanes(b, x, 8, false);
            let ys = lanes(b, y, 8, false);
            let mut out = x;
            for (h, slot) in out.iter_mut().enumerate() {
                let mut acc = b.imm(0);
                for k in 8 * h..8 * h + 8 {
                    let d = absdiff(b, xs[k], ys[k]);
                    acc = b.bin(BinOp::Add, acc, d);
                }
                *slot = acc;
            }
            out
        }
        Pmullw | Pmulhw | Pmulhuw | Pmulld | Pmulhrsw => {
            let bits = lane_bits(m);
            let signed = m != Pmulhuw;
            let (x, y) = two(b, i);
            map2(b, x, y, bits, signed, |b, p, q| {
                let v = b.bin(BinOp::Mul, p, q);
                match m {
                    Pmulhw | Pmulhuw => {
                        let s = b.imm(16);
                        b.bin(BinOp::ShrS, v, s)
                    }
                    Pmulhrsw => {
                        let s = b.imm(14);
                        let v = b.bin(BinOp::ShrS, v, s);
                        let v = add_imm(b, v, 1);
                        let one = b.imm(1);
                        b.bin(BinOp::ShrS, v, one)
                    }
                    _ => v,
                }
            })
        }
        Pmuludq | Pmuldq => {
            let (x, y) = two(b, i);
            let signed = m == Pmuldq;
            let mut out = x;
            for h in 0..2 {
                let p = ext(b, x[h], 32, signed);
                let q = ext(b, y[h], 32, signed);
                out[h] = b.bin(BinOp::Mul, p, q);
            }
            out
        }
        Pmaddwd | Pmaddubsw => {
            let (x, y) = two(b, i);
            let (bits, xs, ys) = if m == Pmaddwd {
                (32, lanes(b, x, 16, true), lanes(b, y, 16, true))
            } else {
                (16, lanes(b, x, 8, false), lanes(b, y, 8, true))
            };
            let rs: Vec<_> = (0..xs.len() / 2)
                .map(|k| {
                    let p0 = b.bin(BinOp::Mul, xs[2 * k], ys[2 * k]);
                    let p1 = b.bin(BinOp::Mul, xs[2 * k + 1], ys[2 * k + 1]);
                    let s = b.bin(BinOp::Add, p0, p1);
                    if m == Pmaddubsw {
                        saturate(b, s, 16, true)
                    } else {
                        s
                    }
                })
                .collect();
            from_lanes(b, bits, &rs)
        }
        Pabsb | Pabsw | Pabsd => {
            let bits = lane_bits(m);
            let y = src(b, i, 1);
            map1(b, y, bits, true, |b, p| {
                let zero = b.imm(0);
                let neg = b.bin(BinOp::Sub, zero, p);
                let lt = b.cmp(Cond::LtS, p, zero);
                b.select(lt, neg, p)
            })
        }
        Psignb | Psignw | Psignd => {
            let bits = lane_bits(m);
            let (x, y) = two(b, i);
            map2(b, x, y, bits, true, |b, p, q| {
                let zero = b.imm(0);
                let neg = b.bin(BinOp::Sub, zero, p);
                let lt = b.cmp(Cond::LtS, q, zero);
                let is0 = b.cmp(Cond::Eq, q, zero);
                let v = b.select(lt, neg, p);
                b.select(is0, zero, v)
            })
        }
        Phaddw | Phaddd | Phsubw | Phsubd | Phaddsw | Phsubsw => {
            let bits = lane_bits(m);
            let (x, y) = two(b, i);
            let mut xs = lanes(b, x, bits, true);
            xs.extend(lanes(b, y, bits, true));
            let sub = matches!(m, Phsubw | Phsubd | Phsubsw);
            let sat = matches!(m, Phaddsw | Phsubsw);
            let rs: Vec<_> = xs
                .chunks(2)
                .map(|p| {
                    let op = if sub { BinOp::Sub } else { BinOp::Add };
                    let v = b.bin(op, p[0], p[1]);
                    if sat {
                        saturate(b, v, 16, true)
                    } else {
                        v
                    }
                })
                .collect();
            from_lanes(b, bits, &rs)
        }
        Psllw | Pslld | Psllq | Psrlw | Psrld | Psrlq | Psraw | Psrad => {
            let bits = lane_bits(m);
            let count = if i.op_kind(1) == OpKind::Immediate8 {
                b.imm(i.immediate(1) & 0xff)
            } else {
                src_low(b, i, 1, 8)
            };
            let x = get(b, reg0);
            shift(b, m, x, bits, count)
        }
        Pslldq | Psrldq => {
            let n = i.immediate(1) & 0xff;
            let x = get(b, reg0);
            let n = n.min(16) as u32;
            if m == Pslldq {
                shift_bytes(b, &[x[0], x[1]], 16 - n as i32, true)
            } else {
                shift_bytes(b, &[x[0], x[1]], n as i32, false)
            }
        }
        Palignr => {
            let y = src(b, i, 1);
            let x = get(b, reg0);
            let n = (imm8(i)).min(32) as i32;
            shift_bytes(b, &[y[0], y[1], x[0], x[1]], n, false)
        }
        Punpcklbw | Punpcklwd | Punpckldq | Punpcklqdq | Punpckhbw | Punpckhwd | Punpckhdq
        | Punpckhqdq | Unpcklps | Unpckhps | Unpcklpd | Unpckhpd => {
            let bits = lane_bits(m);
            let high = matches!(
                m,
                Punpckhbw | Punpckhwd | Punpckhdq | Punpckhqdq | Unpckhps | Unpckhpd
            );
            let (x, y) = two(b, i);
            let n = 128 / bits;
            let base = if high { n / 2 } else { 0 };
            let mut rs = Vec::new();
            for k in 0..n / 2 {
                rs.push(lane(b, x, bits, base + k, false));
                rs.push(lane(b, y, bits, base + k, false));
            }
            from_lanes(b, bits, &rs)
        }
        Packsswb | Packssdw | Packuswb | Packusdw => {
            let from = if matches!(m, Packsswb | Packuswb) {
                16
            } else {
                32
            };
            let signed = matches!(m, Packsswb | Packssdw);
            let (x, y) = two(b, i);
            let mut xs = lanes(b, x, from, true);
            xs.extend(lanes(b, y, from, true));
            let rs: Vec<_> = xs
                .into_iter()
                .map(|v| saturate(b, v, from / 2, signed))
                .collect();
            from_lanes(b, from / 2, &rs)
        }
        Pshufd | Pshuflw | Pshufhw => {
            let imm = imm8(i);
            let y = src(b, i, 1);
            match m {
                Pshufd => {
                    let rs: Vec<_> = (0..4)
                        .map(|k| lane(b, y, 32, ((imm >> (2 * k)) & 3) as u32, false))
                        .collect();
                    from_lanes(b, 32, &rs)
                }
                _ => {
                    let h = usize::from(m == Pshufhw);
                    let half = [y[h], y[h]];
                    let rs: Vec<_> = (0..4)
                        .map(|k| lane(b, half, 16, ((imm >> (2 * k)) & 3) as u32, false))
                        .collect();
                    let w = from_lanes(
                        b,
                        16,
                        &[rs[0], rs[1], rs[2], rs[3], rs[0], rs[1], rs[2], rs[3]],
                    );
                    let mut out = y;
                    out[h] = w[0];
                    out
                }
            }
        }
        Shufps => {
            let imm = imm8(i);
            let (x, y) = two(b, i);
            let rs = [
                lane(b, x, 32, (imm & 3) as u32, false),
                lane(b, x, 32, ((imm >> 2) & 3) as u32, false),
                lane(b, y, 32, ((imm >> 4) & 3) as u32, false),
                lane(b, y, 32, ((imm >> 6) & 3) as u32, false),
            ];
            from_lanes(b, 32, &rs)
        }
        Shufpd => {
            let imm = imm8(i);
            let (x, y) = two(b, i);
            [x[(imm & 1) as usize], y[((imm >> 1) & 1) as usize]]
        }
        Pshufb => {
            let (x, y) = two(b, i);
            let rs: Vec<_> = (0..16)
                .map(|k| {
                    let idx = lane(b, y, 8, k, false);
                    let hi = shr(b, idx, 3);
                    let hi = and_imm(b, hi, 1);
                    let q = b.select(hi, x[1], x[0]);
                    let s = and_imm(b, idx, 7);
                    let three = b.imm(3);
                    let s = b.bin(BinOp::Shl, s, three);
                    let v = b.bin(BinOp::ShrU, q, s);
                    let v = and_imm(b, v, 0xff);
                    let z = shr(b, idx, 7);
                    let zero = b.imm(0);
                    b.select(z, zero, v)
                })
                .collect();
            from_lanes(b, 8, &rs)
        }
        Pinsrb | Pinsrw | Pinsrd | Pinsrq => {
            let (bits, n) = match m {
                Pinsrb => (8, 16),
                Pinsrw => (16, 8),
                Pinsrd => (32, 4),
                _ => (64, 2),
            };
            let v = src_low(b, i, 1, bits / 8);
            let x = get(b, reg0);
            let k = (imm8(i) % n) as u32;
            let mut ls = lanes(b, x, bits, false);
            ls[k as usize] = v;
            from_lanes(b, bits, &ls)
        }
        Insertps => {
            let imm = imm8(i);
            let v = if i.op_kind(1) == OpKind::Register {
                let y = get(b, i.op_register(1));
                lane(b, y, 32, ((imm >> 6) & 3) as u32, false)
            } else {
                src_low(b, i, 1, 4)
            };
            let x = get(b, reg0);
            let mut ls = lanes(b, x, 32, false);
            ls[((imm >> 4) & 3) as usize] = v;
            for (k, l) in ls.iter_mut().enumerate() {
                if imm >> k & 1 != 0 {
                    *l = b.imm(0);
                }
            }
            from_lanes(b, 32, &ls)
        }
        Pblendw | Blendps | Blendpd => {
            let bits = lane_bits(m);
            let imm = imm8(i);
            let (x, y) = two(b, i);
            let mut ls = lanes(b, x, bits, false);
            let ys = lanes(b, y, bits, false);
            for (k, l) in ls.iter_mut().enumerate() {
                if imm >> k & 1 != 0 {
                    *l = ys[k];
                }
            }
            from_lanes(b, bits, &ls)
        }
        Pblendvb | Blendvps | Blendvpd => {
            let bits = lane_bits(m);
            let (x, y) = two(b, i);
            let sel = get(b, Register::XMM0);
            let ss = lanes(b, sel, bits, false);
            let mut k = 0;
            map2(b, x, y, bits, false, |b, p, q| {
                let s = shr(b, ss[k], bits - 1);
                k += 1;
                b.select(s, q, p)
            })
        }
        Pmovzxbw | Pmovzxbd | Pmovzxbq | Pmovzxwd | Pmovzxwq | Pmovzxdq | Pmovsxbw | Pmovsxbd
        | Pmovsxbq | Pmovsxwd | Pmovsxwq | Pmovsxdq => {
            let (from, to) = match m {
                Pmovzxbw | Pmovsxbw => (8, 16),
                Pmovzxbd | Pmovsxbd => (8, 32),
                Pmovzxbq | Pmovsxbq => (8, 64),
                Pmovzxwd | Pmovsxwd => (16, 32),
                Pmovzxwq | Pmovsxwq => (16, 64),
                _ => (32, 64),
            };
            let signed = matches!(
                m,
                Pmovsxbw | Pmovsxbd | Pmovsxbq | Pmovsxwd | Pmovsxwq | Pmovsxdq
            );
            let n = 128 / to;
            let v = src_low(b, i, 1, (n * from / 8).min(8));
            let zero = b.imm(0);
            let y = [v, zero];
            let ls: Vec<_> = (0..n).map(|k| lane(b, y, from, k, signed)).collect();
            from_lanes(b, to, &ls)
        }
        Phminposuw => {
            let y = src(b, i, 1);
            let ws = lanes(b, y, 16, false);
            let mut best = ws[0];
            let mut idx = b.imm(0);
            for (k, &w) in ws.iter().enumerate().skip(1) {
                let lt = b.cmp(Cond::LtU, w, best);
                best = b.select(lt, w, best);
                let kv = b.imm(k as u64);
                idx = b.select(lt, kv, idx);
            }
            let idx = shl(b, idx, 16);
            let lo = or(b, best, idx);
            let zero = b.imm(0);
            [lo, zero]
        }
        _ => return false,
    };
    set(b, reg0, r);
    true
}

/// The destination and source of a two-operand instruction (the source
/// first read, so that a memory fault happens before any change).
fn two<B: Backend>(b: &mut B, i: &Instruction) -> (X<B>, X<B>) {
    let y = src(b, i, 1);
    let x = get(b, i.op_register(0));
    (x, y)
}

/// Lane width of an instruction, in bits.
fn lane_bits(m: Mnemonic) -> u32 {
    use Mnemonic::*;
    match m {
        Paddb | Psubb | Paddsb | Psubsb | Paddusb | Psubusb | Pcmpeqb | Pcmpgtb | Pminub
        | Pmaxub | Pminsb | Pmaxsb | Pavgb | Pabsb | Psignb | Punpcklbw | Punpckhbw | Pblendvb => 8,
        Paddw | Psubw | Paddsw | Psubsw | Paddusw | Psubusw | Pcmpeqw | Pcmpgtw | Pminsw
        | Pmaxsw | Pminuw | Pmaxuw | Pavgw | Pmullw | Pmulhw | Pmulhuw | Pmulhrsw | Pabsw
        | Psignw | Phaddw | Phsubw | Phaddsw | Phsubsw | Psllw | Psrlw | Psraw | Punpcklwd
        | Punpckhwd | Pblendw => 16,
        Paddq | Psubq | Pcmpeqq | Pcmpgtq | Psllq | Psrlq | Punpcklqdq | Punpckhqdq | Unpcklpd
        | Unpckhpd | Blendpd | Blendvpd => 64,
        _ => 32,
    }
}

/// The signed value `v` saturated to `bits` bits, signed or unsigned.
fn saturate<B: Backend>(b: &mut B, v: V<B>, bits: u32, signed: bool) -> V<B> {
    let (lo, hi) = if signed {
        (-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1)
    } else {
        (0, (1i64 << bits) - 1)
    };
    let lo = b.imm(lo as u64);
    let hi = b.imm(hi as u64);
    let below = b.cmp(Cond::LtS, v, lo);
    let above = b.cmp(Cond::LtS, hi, v);
    let v = b.select(below, lo, v);
    b.select(above, hi, v)
}

/// |p - q| of two zero-extended values.
fn absdiff<B: Backend>(b: &mut B, p: V<B>, q: V<B>) -> V<B> {
    let d = b.bin(BinOp::Sub, p, q);
    let e = b.bin(BinOp::Sub, q, p);
    let lt = b.cmp(Cond::LtU, p, q);
    b.select(lt, e, d)
}

/// A shift of each lane of `x` by `count` (64-bit, from the instruction).
fn shift<B: Backend>(b: &mut B, m: Mnemonic, x: X<B>, bits: u32, count: V<B>) -> X<B> {
    use Mnemonic::*;
    let arith = matches!(m, Psraw | Psrad);
    let left = matches!(m, Psllw | Pslld | Psllq);
    if let Some(c) = b.known(count) {
        if c >= u64::from(bits) && !arith {
            let zero = b.imm(0);
            return [zero, zero];
        }
    }
    let limit = b.imm(u64::from(bits));
    let big = b.cmp(Cond::GeU, count, limit);
    let max = b.imm(u64::from(bits - 1));
    // Arithmetic shifts by the width or more fill with the sign.
    let c = b.select(big, max, count);
    let op = if left {
        BinOp::Shl
    } else if arith {
        BinOp::ShrS
    } else {
        BinOp::ShrU
    };
    if bits == 64 {
        let mut out = x;
        for h in 0..2 {
            let v = b.bin(op, x[h], c);
            let zero = b.imm(0);
            out[h] = b.select(big, zero, v);
        }
        return out;
    }
    map1(b, x, bits, arith, |b, p| {
        let v = b.bin(op, p, c);
        if arith {
            v
        } else {
            let zero = b.imm(0);
            b.select(big, zero, v)
        }
    })
}

/// The 16 bytes starting at byte `n` of the little-endian concatenation of
/// `qwords` (zeros beyond its end, and before it for negative `n`). With
/// `left`, the 16 bytes ending at byte `n + 16` of `[0; 16] ++ qwords`
/// instead: a left shift by `16 - n` bytes.
fn shift_bytes<B: Backend>(b: &mut B, qwords: &[V<B>], n: i32, left: bool) -> X<B> {
    let zero = b.imm(0);
    let mut q: Vec<V<B>> = Vec::new();
    if left {
        q.push(zero);
        q.push(zero);
    }
    q.extend_from_slice(qwords);
    q.push(zero);
    q.push(zero);
    q.push(zero);
    let n = n as u32;
    let mut out = [zero, zero];
    for (h, slot) in out.iter_mut().enumerate() {
        let off = n + 8 * h as u32;
        let j = (off / 8) as usize;
        let s = (off % 8) * 8;
        let get = |j: usize| q.get(j).copied().unwrap_or(zero);
        *slot = if s == 0 {
            get(j)
        } else {
            let lo = shr(b, get(j), s);
            let hi = shl(b, get(j + 1), 64 - s);
            or(b, lo, hi)
        };
    }
    out
}

/// crc32 r32/r64, r/m8/16/32/64: CRC-32C (Castagnoli), bit-reflected.
fn crc32<B: Backend>(b: &mut B, i: &Instruction) {
    let size = if i.op_kind(1) == OpKind::Register {
        i.op_register(1).size() as u32
    } else {
        i.memory_size().size() as u32
    };
    let data = operand::read(b, i, 1, size);
    let crc = operand::read_reg(b, i.op_register(0));
    let crc = and_imm(b, crc, ones(32));
    let mut v = b.bin(BinOp::Xor, crc, data);
    let poly = b.imm(0x82F6_3B78);
    let zero = b.imm(0);
    for _ in 0..size * 8 {
        let low = and_imm(b, v, 1);
        let m = b.bin(BinOp::Sub, zero, low);
        let p = b.bin(BinOp::And, m, poly);
        let s = shr(b, v, 1);
        v = b.bin(BinOp::Xor, s, p);
    }
    let v = and_imm(b, v, ones(32));
    operand::write_reg(b, i.op_register(0), v);
}

/// The elements of a 128-bit value equal to `v` (zero-extended from `bits`
/// bits), as a bit mask over the elements: each half is xor-ed with `v`
/// broadcast, the zero elements found exactly (no carries between
/// elements), and their top bits gathered by one multiplication.
fn eq_mask<B: Backend>(b: &mut B, x: X<B>, bits: u32, v: Option<V<B>>) -> V<B> {
    let (rep, low, high, gather, per) = if bits == 8 {
        (0x0101_0101_0101_0101u64, 0x7f7f_7f7f_7f7f_7f7fu64, 0x8080_8080_8080_8080u64, 0x0102_0408_1020_4080u64, 8)
    } else {
        (0x0001_0001_0001_0001, 0x7fff_7fff_7fff_7fff, 0x8000_8000_8000_8000, 0x0001_0002_0004_0008, 4)
    };
    let splat = v.map(|v| {
        let r = b.imm(rep);
        b.bin(BinOp::Mul, v, r)
    });
    let mut acc = b.imm(0);
    for h in 0..2 {
        let y = match splat {
            Some(s) => b.bin(BinOp::Xor, x[h], s),
            None => x[h],
        };
        // 0x80.. in each element of y that is zero.
        let t = and_imm(b, y, low);
        let t = add_imm(b, t, low);
        let t = or(b, t, y);
        let all = b.imm(u64::MAX);
        let t = b.bin(BinOp::Xor, t, all);
        let t = and_imm(b, t, high);
        let t = shr(b, t, bits - 1);
        let g = b.imm(gather);
        let t = b.bin(BinOp::Mul, t, g);
        let t = shr(b, t, 64 - bits);
        let t = shl(b, t, per * h as u32);
        acc = or(b, acc, t);
    }
    acc
}

/// `n` if `a` is at least `n`, else `a` (unsigned).
fn min_u<B: Backend>(b: &mut B, a: V<B>, n: u64) -> V<B> {
    let nv = b.imm(n);
    let lt = b.cmp(Cond::LtU, a, nv);
    b.select(lt, a, nv)
}

/// The valid length of an explicit-length operand: |reg| (32 or 64 bits,
/// signed) saturated to `n`.
fn explicit_len<B: Backend>(b: &mut B, i: &Instruction, reg: Register, n: u64) -> V<B> {
    let wide = matches!(i.mnemonic(), Mnemonic::Pcmpestri64 | Mnemonic::Pcmpestrm64);
    let v = operand::read_reg(b, reg);
    let v = if wide { v } else { b.un(UnOp::Sext32, v) };
    let zero = b.imm(0);
    let neg = b.bin(BinOp::Sub, zero, v);
    let lt = b.cmp(Cond::LtS, v, zero);
    let abs = b.select(lt, neg, v);
    min_u(b, abs, n)
}

/// `(1 << len) - 1`: the valid elements of a length `len` (at most 16).
fn valid_mask<B: Backend>(b: &mut B, len: V<B>) -> V<B> {
    let one = b.imm(1);
    let m = b.bin(BinOp::Shl, one, len);
    b.bin(BinOp::Sub, m, one)
}

/// pcmpistri, pcmpistrm, pcmpestri, pcmpestrm: every mode of the 8-bit
/// immediate (element format, aggregation, polarity, output selection),
/// with CF ZF SF OF as the SDM defines them and AF PF clear.
fn pcmpstr<B: Backend>(b: &mut B, i: &Instruction) {
    use Mnemonic::*;
    let m = i.mnemonic();
    let imm = imm8(i);
    let bits = if imm & 1 != 0 { 16 } else { 8 };
    let signed = imm & 2 != 0;
    let n = 128 / bits;
    let full = ones(n);
    let y = src(b, i, 1);
    let x = get(b, i.op_register(0));
    // Valid lengths of the first (la) and second (lb) operands.
    let (la, lb) = if matches!(m, Pcmpestri | Pcmpestrm | Pcmpestri64 | Pcmpestrm64) {
        let la = explicit_len(b, i, Register::RAX, u64::from(n));
        let lb = explicit_len(b, i, Register::RDX, u64::from(n));
        (la, lb)
    } else {
        let len = |b: &mut B, v: X<B>| {
            let z = eq_mask(b, v, bits, None);
            let stop = b.imm(1 << n);
            let z = or(b, z, stop);
            b.un(UnOp::Ctz, z)
        };
        (len(b, x), len(b, y))
    };
    let va = valid_mask(b, la);
    let vb = valid_mask(b, lb);
    let xs = lanes(b, x, bits, signed);
    let zero = b.imm(0);
    let res1 = match imm >> 2 & 3 {
        // Equal any: the elements of the second operand found in the first.
        0 => {
            let mut acc = zero;
            for (k, &a) in xs.iter().enumerate() {
                let a = and_imm(b, a, ones(bits));
                let row = eq_mask(b, y, bits, Some(a));
                let kv = b.imm(k as u64);
                let valid = b.cmp(Cond::LtU, kv, la);
                let row = b.select(valid, row, zero);
                acc = or(b, acc, row);
            }
            b.bin(BinOp::And, acc, vb)
        }
        // Ranges: pairs (lo, hi) of the first operand.
        1 => {
            let ys = lanes(b, y, bits, signed);
            let ge = if signed { Cond::GeS } else { Cond::GeU };
            let mut acc = zero;
            for k in 0..(n / 2) as usize {
                let (lo, hi) = (xs[2 * k], xs[2 * k + 1]);
                let mut row = zero;
                for (j, &c) in ys.iter().enumerate() {
                    let above = b.cmp(ge, c, lo);
                    let below = b.cmp(ge, hi, c);
                    let both = b.bin(BinOp::And, above, below);
                    let both = shl(b, both, j as u32);
                    row = or(b, row, both);
                }
                let kv = b.imm(2 * k as u64 + 1);
                let valid = b.cmp(Cond::LtU, kv, la);
                let row = b.select(valid, row, zero);
                acc = or(b, acc, row);
            }
            b.bin(BinOp::And, acc, vb)
        }
        // Equal each: element by element; two invalid elements match.
        2 => {
            let ys = lanes(b, y, bits, signed);
            let mut diag = zero;
            for j in 0..n as usize {
                let e = b.cmp(Cond::Eq, xs[j], ys[j]);
                let e = shl(b, e, j as u32);
                diag = or(b, diag, e);
            }
            let both = b.bin(BinOp::And, va, vb);
            let diag = b.bin(BinOp::And, diag, both);
            let either = or(b, va, vb);
            let f = b.imm(full);
            let none = b.bin(BinOp::Xor, either, f);
            or(b, diag, none)
        }
        // Equal ordered: where the first operand starts as a substring of
        // the second (running past the second's end matches).
        _ => {
            let mut acc = b.imm(full);
            for (k, &a) in xs.iter().enumerate() {
                let a = and_imm(b, a, ones(bits));
                let row = eq_mask(b, y, bits, Some(a));
                let row = b.bin(BinOp::And, row, vb);
                let row = shr(b, row, k as u32);
                let tail = full & !(ones(n - k as u32));
                let tail = b.imm(tail);
                let row = or(b, row, tail);
                let kv = b.imm(k as u64);
                let valid = b.cmp(Cond::LtU, kv, la);
                let all = b.imm(full);
                let row = b.select(valid, row, all);
                acc = b.bin(BinOp::And, acc, row);
            }
            acc
        }
    };
    let res2 = match imm >> 4 & 3 {
        1 => {
            let f = b.imm(full);
            b.bin(BinOp::Xor, res1, f)
        }
        3 => b.bin(BinOp::Xor, res1, vb),
        _ => res1,
    };
    let nv = b.imm(u64::from(n));
    if matches!(m, Pcmpistri | Pcmpestri | Pcmpestri64) {
        let idx = if imm & 0x40 == 0 {
            let stop = b.imm(1 << n);
            let v = or(b, res2, stop);
            b.un(UnOp::Ctz, v)
        } else {
            let c = b.un(UnOp::Clz, res2);
            let top = b.imm(63);
            let msb = b.bin(BinOp::Sub, top, c);
            let is0 = b.cmp(Cond::Eq, res2, zero);
            b.select(is0, nv, msb)
        };
        operand::write_reg(b, Register::ECX, idx);
    } else {
        let out = if imm & 0x40 == 0 {
            [res2, zero]
        } else {
            let ls: Vec<_> = (0..n)
                .map(|k| {
                    let bit = shr(b, res2, k);
                    let bit = and_imm(b, bit, 1);
                    b.bin(BinOp::Sub, zero, bit)
                })
                .collect();
            from_lanes(b, bits, &ls)
        };
        set(b, Register::XMM0, out);
    }
    // CF: any result; ZF: the second operand ends early; SF: the first
    // does; OF: result bit 0.
    let cf = b.cmp(Cond::Ne, res2, zero);
    let zf = b.cmp(Cond::LtU, lb, nv);
    let sf = b.cmp(Cond::LtU, la, nv);
    let of = and_imm(b, res2, 1);
    let zf = shl(b, zf, 6);
    let sf = shl(b, sf, 7);
    let of = shl(b, of, 11);
    let w = or(b, cf, zf);
    let w = or(b, w, sf);
    let w = or(b, w, of);
    set_rflags(b, w);
}

// Keep the 128-bit helpers reachable for the callers above.
#[allow(dead_code)]
fn _unused<B: Backend>(b: &mut B, r: Register) -> V<B> {
    let _ = Width::B8;
    get_lo(b, r)
}
