//! The generator: random instruction sequences as GNU assembler text
//! (Intel syntax), built from templates per instruction class, with the
//! arithmetic flags each instruction leaves undefined tracked (Intel SDM
//! vol. 2 and appendix A's flag table) so the output can be masked to the
//! flags the sequence defines, and flag readers never read an undefined
//! flag.
//!
//! Register conventions: rbp holds the scratch buffer's address (the base
//! of every memory operand) and rsp the stack; no generated instruction
//! writes either. Generated code uses xmm0..xmm7 only.

use super::{known_bugs, Rng, SCRATCH, XMMS};

pub const CF: u64 = 0x1;
pub const PF: u64 = 0x4;
pub const AF: u64 = 0x10;
pub const ZF: u64 = 0x40;
pub const SF: u64 = 0x80;
pub const OF: u64 = 0x800;
pub const ARITH: u64 = CF | PF | AF | ZF | SF | OF;
pub const DF: u64 = 0x400;

const R64: [&str; 16] = [
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12",
    "r13", "r14", "r15",
];
const R32: [&str; 16] = [
    "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d", "r10d", "r11d", "r12d",
    "r13d", "r14d", "r15d",
];
const R16: [&str; 16] = [
    "ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r9w", "r10w", "r11w", "r12w", "r13w",
    "r14w", "r15w",
];
const R8: [&str; 16] = [
    "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil", "r8b", "r9b", "r10b", "r11b", "r12b",
    "r13b", "r14b", "r15b",
];
/// Byte registers that need no REX prefix (the only ones an instruction
/// naming ah..bh may use).
const LEGACY8: [&str; 8] = ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"];
/// Byte registers that need (or allow) a REX prefix.
const REX8: [&str; 14] = [
    "al", "cl", "dl", "bl", "sil", "dil", "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b",
    "r15b",
];

/// Registers generated code may write: all but rsp and rbp.
const FREE: [usize; 14] = [0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

pub fn reg(size: u32, i: usize) -> &'static str {
    match size {
        1 => R8[i],
        2 => R16[i],
        4 => R32[i],
        _ => R64[i],
    }
}

fn ptr(size: u32) -> &'static str {
    match size {
        1 => "byte",
        2 => "word",
        4 => "dword",
        8 => "qword",
        10 => "tbyte",
        _ => "xmmword",
    }
}

/// The condition codes and the flags each reads.
const CONDS: [(&str, u64); 16] = [
    ("o", OF),
    ("no", OF),
    ("b", CF),
    ("ae", CF),
    ("e", ZF),
    ("ne", ZF),
    ("be", CF | ZF),
    ("a", CF | ZF),
    ("s", SF),
    ("ns", SF),
    ("p", PF),
    ("np", PF),
    ("l", SF | OF),
    ("ge", SF | OF),
    ("le", ZF | SF | OF),
    ("g", ZF | SF | OF),
];

/// One case's instructions, the class of each, and the flags undefined
/// after them.
pub struct Seq {
    pub lines: Vec<(&'static str, String)>,
    pub undef: u64,
    x87_depth: u32,
}

/// A template's output before it is accepted (templates whose text hits
/// the known-bug list are dropped whole).
struct T<'r> {
    rng: &'r mut Rng,
    lines: Vec<(&'static str, String)>,
    undef: u64,
    class: &'static str,
}

impl T<'_> {
    /// An instruction that defines `def` and leaves `undef` undefined.
    fn op(&mut self, text: String, def: u64, undef: u64) {
        self.undef = (self.undef & !def) | undef;
        self.lines.push((self.class, text));
    }
    /// An instruction that may leave the flags as they were (a shift by
    /// a count not known here) or define what it defines: a flag is
    /// defined after it only if it was before.
    fn op_maybe(&mut self, text: String, undef: u64) {
        self.undef |= undef;
        self.lines.push((self.class, text));
    }
    /// Makes sure `flags` are defined (an instruction defining all of
    /// them first, if not).
    fn need(&mut self, flags: u64) {
        if self.undef & flags != 0 {
            let c = self.class;
            self.class = "int-alu";
            let size = self.size();
            let (a, b) = (self.gpr(), self.gpr());
            let op = self.rng.pick(&["cmp", "add", "sub"]);
            let t = if self.rng.chance(2) {
                format!("{op} {}, {}", reg(size, a), reg(size, b))
            } else {
                let imm = self.imm(size);
                format!("{op} {}, {imm}", reg(size, a))
            };
            self.op(t, ARITH, 0);
            self.class = c;
        }
    }

    fn size(&mut self) -> u32 {
        self.rng.pick(&[1, 2, 4, 8, 4, 8])
    }
    fn size_wide(&mut self) -> u32 {
        self.rng.pick(&[2, 4, 8, 4, 8])
    }
    fn gpr(&mut self) -> usize {
        self.rng.pick(&FREE)
    }
    fn r(&mut self, size: u32) -> &'static str {
        let i = self.gpr();
        reg(size, i)
    }
    /// `n` byte registers that one instruction may name together.
    fn r8s(&mut self, n: usize) -> Vec<&'static str> {
        let set: &[&str] = if self.rng.chance(2) { &LEGACY8 } else { &REX8 };
        (0..n).map(|_| self.rng.pick(set)).collect()
    }
    /// A memory operand of `size` bytes at an offset in the scratch buffer
    /// aligned to `align`.
    fn mem_at(&mut self, size: u32, align: u32) -> String {
        let room = SCRATCH as u32 - size.max(16);
        let d = (self.rng.below((room / align + 1) as u64) as u32) * align;
        format!("{} ptr [rbp+{d}]", ptr(size))
    }
    fn mem(&mut self, size: u32) -> String {
        // Mostly naturally aligned, sometimes not.
        let align = if self.rng.chance(4) { 1 } else { size.min(16) };
        self.mem_at(size, align)
    }
    /// A register or memory operand of `size` bytes.
    fn rm(&mut self, size: u32) -> String {
        if self.rng.chance(2) {
            self.mem(size)
        } else if size == 1 {
            self.r8s(1)[0].to_string()
        } else {
            self.r(size).to_string()
        }
    }
    /// An immediate for an operand of `size` bytes (sign-extended to 64 for
    /// quadwords), as the assembler reads it.
    fn imm(&mut self, size: u32) -> String {
        let v = self.rng.value();
        match size {
            1 => format!("{:#x}", v as u8),
            2 => format!("{:#x}", v as u16),
            4 => format!("{:#x}", v as u32),
            _ => format!("{}", v as i32),
        }
    }
    fn xmm(&mut self) -> String {
        format!("xmm{}", self.rng.below(XMMS as u64))
    }
    /// An xmm register or a 16-byte-aligned memory operand.
    fn xm128(&mut self) -> String {
        if self.rng.chance(3) {
            self.mem_at(16, 16)
        } else {
            self.xmm()
        }
    }
    fn xm(&mut self, size: u32) -> String {
        if self.rng.chance(3) {
            self.mem(size)
        } else {
            self.xmm()
        }
    }
}

/// Generates one case: `n` templates.
pub fn case(rng: &mut Rng, n: usize) -> Seq {
    let mut seq = Seq {
        lines: Vec::new(),
        undef: 0,
        x87_depth: 0,
    };
    let mut made = 0;
    let mut tries = 0;
    while made < n {
        tries += 1;
        assert!(tries < 10_000, "the known-bug list excludes everything");
        let mut t = T {
            rng,
            lines: Vec::new(),
            undef: seq.undef,
            class: "",
        };
        template(&mut t);
        let bad = t.lines.iter().any(|(_, l)| known_bugs::excluded(l));
        if !bad {
            seq.undef = t.undef;
            seq.lines.extend(t.lines);
            made += 1;
        }
        let _ = &mut seq.x87_depth;
    }
    seq
}

fn template(t: &mut T) {
    match t.rng.below(100) {
        0..=11 => {
            t.class = "int-alu";
            alu(t)
        }
        12..=17 => {
            t.class = "int-move";
            moves(t)
        }
        18..=25 => {
            t.class = "int-shift";
            shift(t)
        }
        26..=31 => {
            t.class = "int-muldiv";
            muldiv(t)
        }
        32..=37 => {
            t.class = "int-bits";
            bits(t)
        }
        38..=42 => {
            t.class = "int-cond";
            cond(t)
        }
        43..=46 => {
            t.class = "int-atomic";
            atomic(t)
        }
        47..=49 => {
            t.class = "int-string";
            string(t)
        }
        50..=61 => {
            t.class = "sse-int";
            sse_int(t)
        }
        62..=71 => {
            t.class = "sse-fp";
            sse_fp(t)
        }
        72..=76 => {
            t.class = "sse-cvt";
            sse_cvt(t)
        }
        77..=81 => {
            t.class = "sse-move";
            sse_move(t)
        }
        82..=85 => {
            t.class = "sse4.2";
            sse42(t)
        }
        _ => {
            t.class = "x87";
            x87(t)
        }
    }
}

// ---------------------------------------------------------------------------
// Integer.

fn alu(t: &mut T) {
    let size = t.size();
    match t.rng.below(10) {
        0..=5 => {
            let (op, def, undef, reads) = t.rng.pick(&[
                ("add", ARITH, 0, 0),
                ("sub", ARITH, 0, 0),
                ("cmp", ARITH, 0, 0),
                ("adc", ARITH, 0, CF),
                ("sbb", ARITH, 0, CF),
                ("and", ARITH & !AF, AF, 0),
                ("or", ARITH & !AF, AF, 0),
                ("xor", ARITH & !AF, AF, 0),
                ("test", ARITH & !AF, AF, 0),
            ]);
            t.need(reads);
            let text = match t.rng.below(5) {
                0 | 1 if size == 1 => {
                    let r = t.r8s(2);
                    format!("{op} {}, {}", r[0], r[1])
                }
                0 | 1 => format!("{op} {}, {}", t.r(size), t.r(size)),
                2 if op != "test" => {
                    let m = t.mem(size);
                    let r = if size == 1 { t.r8s(1)[0] } else { t.r(size) };
                    format!("{op} {r}, {m}")
                }
                3 => {
                    let m = t.mem(size);
                    let r = if size == 1 { t.r8s(1)[0] } else { t.r(size) };
                    let lock = if op != "cmp" && op != "test" && t.rng.chance(3) {
                        "lock "
                    } else {
                        ""
                    };
                    format!("{lock}{op} {m}, {r}")
                }
                _ => {
                    let d = t.rm(size);
                    let imm = if size > 1 && t.rng.chance(2) {
                        // The sign-extended 8-bit immediate forms.
                        format!("{}", t.rng.value() as i8)
                    } else {
                        t.imm(size)
                    };
                    format!("{op} {d}, {imm}")
                }
            };
            t.op(text, def, undef);
        }
        6 => {
            let op = t.rng.pick(&["inc", "dec"]);
            let d = t.rm(size);
            t.op(format!("{op} {d}"), ARITH & !CF, 0);
        }
        7 => {
            let d = t.rm(size);
            t.op(format!("neg {d}"), ARITH, 0);
        }
        8 => {
            let d = t.rm(size);
            t.op(format!("not {d}"), 0, 0);
        }
        _ => {
            let (text, def) = t.rng.pick(&[
                ("clc", CF),
                ("stc", CF),
                ("cmc", 0),
                ("cbw", 0),
                ("cwde", 0),
                ("cdqe", 0),
                ("cwd", 0),
                ("cdq", 0),
                ("cqo", 0),
                ("lahf", 0),
                ("sahf", CF | PF | AF | ZF | SF),
            ]);
            if text == "cmc" {
                t.need(CF);
                t.op(text.into(), CF, 0);
            } else if text == "lahf" {
                t.need(CF | PF | AF | ZF | SF);
                t.op(text.into(), 0, 0);
            } else {
                t.op(text.into(), def, 0);
            }
        }
    }
}

fn moves(t: &mut T) {
    match t.rng.below(9) {
        0 => {
            let size = t.size();
            let text = match t.rng.below(4) {
                0 if size == 1 => {
                    let r = t.r8s(2);
                    format!("mov {}, {}", r[0], r[1])
                }
                0 => format!("mov {}, {}", t.r(size), t.r(size)),
                1 => {
                    let m = t.mem(size);
                    let r = if size == 1 { t.r8s(1)[0] } else { t.r(size) };
                    format!("mov {r}, {m}")
                }
                2 => {
                    let m = t.mem(size);
                    let r = if size == 1 { t.r8s(1)[0] } else { t.r(size) };
                    format!("mov {m}, {r}")
                }
                _ => {
                    let d = t.rm(size);
                    let i = t.imm(size);
                    format!("mov {d}, {i}")
                }
            };
            t.op(text, 0, 0);
        }
        1 => {
            let v = t.rng.value();
            let r = t.r(8);
            t.op(format!("movabs {r}, {v:#x}"), 0, 0);
        }
        2 => {
            // movzx / movsx from a byte.
            let op = t.rng.pick(&["movzx", "movsx"]);
            if t.rng.chance(3) {
                // From a high byte register: no REX prefix.
                let s = t.rng.pick(&["ah", "ch", "dh", "bh", "al", "bl"]);
                let d = reg(t.rng.pick(&[2, 4]), t.rng.pick(&[0, 1, 2, 3, 6, 7]));
                t.op(format!("{op} {d}, {s}"), 0, 0);
            } else {
                let size = t.size_wide();
                let d = t.r(size);
                let s = if t.rng.chance(2) {
                    t.mem(1)
                } else {
                    t.rng.pick(&REX8).to_string()
                };
                t.op(format!("{op} {d}, {s}"), 0, 0);
            }
        }
        3 => {
            let op = t.rng.pick(&["movzx", "movsx"]);
            let size = t.rng.pick(&[4, 8]);
            let d = t.r(size);
            let s = t.rm(2);
            t.op(format!("{op} {d}, {s}"), 0, 0);
        }
        4 => {
            let d = t.r(8);
            let s = t.rm(4);
            t.op(format!("movsxd {d}, {s}"), 0, 0);
        }
        5 => {
            // lea: address arithmetic on any registers but rsp.
            let size = t.rng.pick(&[2, 4, 8, 8]);
            let d = t.r(size);
            let asize = if t.rng.chance(5) { 4 } else { 8 };
            let nosp = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
            let b = reg(asize, t.rng.pick(&nosp));
            let i = reg(asize, t.rng.pick(&nosp));
            let s = t.rng.pick(&[1, 2, 4, 8]);
            let disp = t.rng.value() as i32;
            let addr = match t.rng.below(4) {
                0 => format!("[{b}+{disp}]"),
                1 => format!("[{b}+{i}*{s}]"),
                2 => format!("[{i}*{s}+{disp}]"),
                _ => format!("[{b}+{i}*{s}+{disp}]"),
            };
            t.op(format!("lea {d}, {}", addr.replace("+-", "-")), 0, 0);
        }
        6 => {
            let size = t.rng.pick(&[4, 8]);
            let r = t.r(size);
            t.op(format!("bswap {r}"), 0, 0);
        }
        7 => {
            // push / pop pairs.
            let size = t.rng.pick(&[2, 8, 8, 8]);
            let src = match t.rng.below(3) {
                0 => t.r(size).to_string(),
                1 => t.mem(size),
                _ if size == 8 => format!("{}", t.rng.value() as i32),
                _ => t.r(size).to_string(),
            };
            let dst = if t.rng.chance(3) {
                t.mem(size)
            } else {
                t.r(size).to_string()
            };
            t.op(format!("push {src}"), 0, 0);
            t.op(format!("pop {dst}"), 0, 0);
        }
        _ => {
            let size = t.size();
            let text = if t.rng.chance(2) {
                if size == 1 {
                    let r = t.r8s(2);
                    format!("xchg {}, {}", r[0], r[1])
                } else {
                    format!("xchg {}, {}", t.r(size), t.r(size))
                }
            } else {
                let m = t.mem(size);
                let r = if size == 1 { t.r8s(1)[0] } else { t.r(size) };
                format!("xchg {m}, {r}")
            };
            t.op(text, 0, 0);
        }
    }
}

fn shift(t: &mut T) {
    if t.rng.chance(4) {
        return double_shift(t);
    }
    let size = t.size();
    let bits = size * 8;
    let op = t.rng.pick(&["shl", "sal", "shr", "sar", "rol", "ror", "rcl", "rcr"]);
    let rotate = op.starts_with('r');
    if op.starts_with("rc") {
        t.need(CF);
    }
    let d = t.rm(size);
    let d = if size == 1 && d == "cl" { "al".to_string() } else { d };
    let d = if d.ends_with("cx") || d == "ecx" || d == "rcx" {
        reg(size, 0).to_string()
    } else {
        d
    };
    match t.rng.below(3) {
        0 => {
            // By one (the D0/D1 encodings).
            let def = if rotate { CF | OF } else { ARITH & !AF };
            t.op(format!("{op} {d}, 1"), def, if rotate { 0 } else { AF });
        }
        1 => {
            let c = if t.rng.chance(2) {
                t.rng.below(bits as u64 + 2)
            } else {
                t.rng.below(256)
            };
            let masked = c as u32 & if size == 8 { 63 } else { 31 };
            let (mut def, mut undef) = if rotate {
                (CF | OF, 0)
            } else {
                (ARITH & !AF, AF)
            };
            if masked == 0 {
                def = 0;
                undef = 0;
            } else {
                if masked != 1 {
                    def &= !OF;
                    undef |= OF;
                }
                if !rotate && masked >= bits {
                    def &= !CF;
                    undef |= CF;
                }
            }
            let undef = undef & ARITH;
            t.op(format!("{op} {d}, {c}"), def, undef);
        }
        _ => {
            let undef = if rotate {
                OF
            } else if bits < 32 {
                AF | OF | CF
            } else {
                AF | OF
            };
            t.op_maybe(format!("{op} {d}, cl"), undef);
        }
    }
}

fn double_shift(t: &mut T) {
    let size = t.size_wide();
    let bits = size * 8;
    let op = t.rng.pick(&["shld", "shrd"]);
    let d = t.rm(size);
    let s = t.r(size);
    if t.rng.chance(2) {
        let c = if size == 2 {
            t.rng.below(17)
        } else {
            t.rng.below(bits as u64 + 2)
        };
        let masked = c as u32 & if size == 8 { 63 } else { 31 };
        if masked == 0 {
            t.op(format!("{op} {d}, {s}, {c}"), 0, 0);
        } else if masked == 1 {
            t.op(format!("{op} {d}, {s}, {c}"), ARITH & !AF, AF);
        } else {
            t.op(format!("{op} {d}, {s}, {c}"), ARITH & !AF & !OF, AF | OF);
        }
    } else {
        if size == 2 {
            // Counts above 16 have no defined result.
            t.op("and cl, 15".into(), ARITH & !AF, AF);
        }
        let s = if s.contains("cx") { reg(size, 0) } else { s };
        let d = if d.contains("cx") {
            reg(size, 2).to_string()
        } else {
            d
        };
        t.op_maybe(format!("{op} {d}, {s}, cl"), AF | OF);
    }
}

fn muldiv(t: &mut T) {
    let size = t.size();
    match t.rng.below(6) {
        0 | 1 => {
            let op = t.rng.pick(&["mul", "imul"]);
            let s = t.rm(size);
            t.op(format!("{op} {s}"), CF | OF, SF | ZF | AF | PF);
        }
        2 => {
            let size = t.size_wide();
            let d = t.r(size);
            let s = t.rm(size);
            t.op(format!("imul {d}, {s}"), CF | OF, SF | ZF | AF | PF);
        }
        3 => {
            let size = t.size_wide();
            let d = t.r(size);
            let s = t.rm(size);
            let i = if t.rng.chance(2) {
                format!("{}", t.rng.value() as i8)
            } else {
                t.imm(size.min(4))
            };
            let i = if size == 8 {
                format!("{}", t.rng.value() as i32)
            } else {
                i
            };
            t.op(format!("imul {d}, {s}, {i}"), CF | OF, SF | ZF | AF | PF);
        }
        _ => divide(t, size),
    }
}

/// div / idiv with a divisor made non-zero (and not -1 for idiv) and a
/// dividend whose quotient fits.
fn divide(t: &mut T, size: u32) {
    let signed = t.rng.chance(2);
    let bits = size * 8;
    // The divisor: not rax or rdx (nor ah for bytes).
    let div = if t.rng.chance(3) {
        t.mem(size)
    } else if size == 1 {
        t.rng.pick(&["bl", "cl", "dl", "bh", "ch", "dh"]).to_string()
    } else {
        reg(size, t.rng.pick(&[1, 3, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15])).to_string()
    };
    let high = match size {
        1 => "ah",
        2 => "dx",
        4 => "edx",
        _ => "rdx",
    };
    if signed {
        if t.rng.chance(2) {
            // A positive divisor.
            if size == 8 {
                t.op(format!("btr {div}, 63"), CF, OF | SF | AF | PF);
            } else {
                let m = (1u64 << (bits - 1)) - 1;
                t.op(format!("and {div}, {m:#x}"), ARITH & !AF, AF);
            }
            t.op(format!("or {div}, 1"), ARITH & !AF, AF);
        } else {
            // An even divisor of either sign, at least 2 in magnitude.
            t.op(format!("or {div}, 2"), ARITH & !AF, AF);
            t.op(format!("and {div}, -2"), ARITH & !AF, AF);
        }
        let ext = match size {
            1 => "cbw",
            2 => "cwd",
            4 => "cdq",
            _ => "cqo",
        };
        t.op(ext.into(), 0, 0);
        t.op(format!("idiv {div}"), 0, ARITH);
    } else {
        t.op(format!("or {div}, 1"), ARITH & !AF, AF);
        if t.rng.chance(3) {
            t.op(format!("xor {high}, {high}"), ARITH & !AF, AF);
        } else {
            // A high half below the divisor.
            let k = t.rng.range(1, bits as i64 - 1);
            t.op(format!("mov {high}, {div}"), 0, 0);
            t.op(format!("shr {high}, {k}"), ARITH & !AF & !OF, AF | OF);
        }
        t.op(format!("div {div}"), 0, ARITH);
    }
}

fn bits(t: &mut T) {
    match t.rng.below(7) {
        0..=2 => {
            let op = t.rng.pick(&["bt", "bts", "btr", "btc"]);
            let size = t.size_wide();
            let (def, undef) = (CF, OF | SF | AF | PF);
            match t.rng.below(3) {
                0 => {
                    let d = t.rm(size);
                    let i = t.rng.below(256);
                    t.op(format!("{op} {d}, {i}"), def, undef);
                }
                1 => {
                    let d = t.r(size);
                    let s = t.r(size);
                    t.op(format!("{op} {d}, {s}"), def, undef);
                }
                _ => {
                    // A register bit offset into memory: kept in the
                    // buffer.
                    let s = t.gpr();
                    t.op(format!("and {}, 127", reg(size, s)), ARITH & !AF, AF);
                    let d = t.mem_at(size + 16, size);
                    let d = d.replacen(ptr(size + 16), ptr(size), 1);
                    t.op(format!("{op} {d}, {}", reg(size, s)), def, undef);
                }
            }
        }
        3 => {
            let op = t.rng.pick(&["bsf", "bsr"]);
            let size = t.size_wide();
            let d = t.r(size);
            let s = t.rm(size);
            t.op(format!("{op} {d}, {s}"), ZF, CF | OF | SF | AF | PF);
        }
        4 => {
            let op = t.rng.pick(&["lzcnt", "tzcnt"]);
            let size = t.size_wide();
            let d = t.r(size);
            let s = t.rm(size);
            t.op(format!("{op} {d}, {s}"), CF | ZF, OF | SF | AF | PF);
        }
        5 => {
            let size = t.size_wide();
            let d = t.r(size);
            let s = t.rm(size);
            t.op(format!("popcnt {d}, {s}"), ARITH, 0);
        }
        _ => {
            // cmpxchg8b / cmpxchg16b.
            let (op, size) = t.rng.pick(&[("cmpxchg8b", 8), ("cmpxchg16b", 16)]);
            let m = t.mem_at(size, size);
            let lock = if t.rng.chance(2) { "lock " } else { "" };
            t.op(format!("{lock}{op} {m}"), ZF, 0);
        }
    }
}

fn cond(t: &mut T) {
    let (cc, reads) = t.rng.pick(&CONDS);
    t.need(reads);
    if t.rng.chance(2) {
        let d = t.rm(1);
        t.op(format!("set{cc} {d}"), 0, 0);
    } else {
        let size = t.size_wide();
        let d = t.r(size);
        let s = t.rm(size);
        t.op(format!("cmov{cc} {d}, {s}"), 0, 0);
    }
}

fn atomic(t: &mut T) {
    let size = t.size();
    let op = t.rng.pick(&["xadd", "cmpxchg"]);
    let (d, s) = if t.rng.chance(2) {
        let lock = if t.rng.chance(2) { "lock " } else { "" };
        let m = t.mem(size);
        let r = if size == 1 { t.r8s(1)[0] } else { t.r(size) };
        (format!("{lock}{op} {m}"), r)
    } else if size == 1 {
        let r = t.r8s(2);
        (format!("{op} {}", r[0]), r[1])
    } else {
        (format!("{op} {}", t.r(size)), t.r(size))
    };
    t.op(format!("{d}, {s}"), ARITH, 0);
}

fn string(t: &mut T) {
    let size: u32 = t.rng.pick(&[1, 2, 4, 8]);
    let suffix = match size {
        1 => "b",
        2 => "w",
        4 => "d",
        _ => "q",
    };
    let op = t.rng.pick(&["movs", "stos", "lods", "cmps", "scas"]);
    let rep = match op {
        "movs" | "stos" => t.rng.pick(&["", "rep "]),
        "lods" => "",
        _ => t.rng.pick(&["", "repe ", "repne "]),
    };
    let n = if rep.is_empty() {
        1
    } else {
        t.rng.range(0, 8) as u32
    };
    let down = t.rng.chance(3);
    let span = n.max(1) * size;
    let at = |t: &mut T| {
        if down {
            t.rng.range((span - size) as i64, (SCRATCH as u32 - size) as i64)
        } else {
            t.rng.range(0, (SCRATCH as u32 - span) as i64)
        }
    };
    let (a, b) = (at(t), at(t));
    t.op(format!("lea rsi, [rbp+{a}]"), 0, 0);
    t.op(format!("lea rdi, [rbp+{b}]"), 0, 0);
    if !rep.is_empty() {
        t.op(format!("mov ecx, {n}"), 0, 0);
    }
    t.op(if down { "std" } else { "cld" }.into(), 0, 0);
    let text = format!("{rep}{op}{suffix}");
    if matches!(op, "cmps" | "scas") && n > 0 {
        t.op(text, ARITH, 0);
    } else {
        t.op(text, 0, 0);
    }
}

// ---------------------------------------------------------------------------
// SSE.

fn sse_int(t: &mut T) {
    const BINARY: [&str; 87] = [
        "paddb", "paddw", "paddd", "paddq", "psubb", "psubw", "psubd", "psubq", "paddsb",
        "paddsw", "psubsb", "psubsw", "paddusb", "paddusw", "psubusb", "psubusw", "pcmpeqb",
        "pcmpeqw", "pcmpeqd", "pcmpeqq", "pcmpgtb", "pcmpgtw", "pcmpgtd", "pcmpgtq", "pminub",
        "pmaxub", "pminsw", "pmaxsw", "pminsb", "pmaxsb", "pminsd", "pmaxsd", "pminuw", "pmaxuw",
        "pminud", "pmaxud", "pavgb", "pavgw", "psadbw", "pmullw", "pmulhw", "pmulhuw", "pmulld",
        "pmulhrsw", "pmuludq", "pmuldq", "pmaddwd", "pmaddubsw", "pabsb", "pabsw", "pabsd",
        "psignb", "psignw", "psignd", "phaddw", "phaddd", "phsubw", "phsubd", "phaddsw",
        "phsubsw", "psllw", "pslld", "psllq", "psrlw", "psrld", "psrlq", "psraw", "psrad",
        "punpcklbw", "punpcklwd", "punpckldq", "punpcklqdq", "punpckhbw", "punpckhwd",
        "punpckhdq", "punpckhqdq", "packsswb", "packssdw", "packuswb", "packusdw", "pshufb",
        "pand", "pandn", "por", "pxor", "phminposuw", "ptest",
    ];
    const LOGIC_FP: [&str; 12] = [
        "andps", "andpd", "andnps", "andnpd", "orps", "orpd", "xorps", "xorpd", "unpcklps",
        "unpckhps", "unpcklpd", "unpckhpd",
    ];
    match t.rng.below(12) {
        0..=5 => {
            let op = t.rng.pick(&BINARY);
            let (d, s) = (t.xmm(), t.xm128());
            let s = if op.starts_with("ps") && t.rng.chance(3) && !op.ends_with("b") {
                // Shift counts that are small often enough to matter.
                let c = t.rng.below(70);
                let x = t.xmm();
                t.op(format!("movq {x}, {}", reg(8, 0)), 0, 0);
                t.op_replace_last_input(c);
                x
            } else {
                s
            };
            let (def, undef) = if op == "ptest" { (ARITH, 0) } else { (0, 0) };
            t.op(format!("{op} {d}, {s}"), def, undef);
        }
        6 => {
            let op = t.rng.pick(&LOGIC_FP);
            let (d, s) = (t.xmm(), t.xm128());
            t.op(format!("{op} {d}, {s}"), 0, 0);
        }
        7 => {
            let op = t.rng.pick(&[
                "pshufd", "pshuflw", "pshufhw", "shufps", "shufpd", "palignr", "pblendw", "blendps",
                "blendpd",
            ]);
            let (d, s) = (t.xmm(), t.xm128());
            let i = t.rng.below(256);
            t.op(format!("{op} {d}, {s}, {i}"), 0, 0);
        }
        8 => {
            let op = t.rng.pick(&[
                "psllw", "pslld", "psllq", "psrlw", "psrld", "psrlq", "psraw", "psrad", "pslldq",
                "psrldq",
            ]);
            let d = t.xmm();
            let i = if t.rng.chance(2) {
                t.rng.below(70)
            } else {
                t.rng.below(256)
            };
            t.op(format!("{op} {d}, {i}"), 0, 0);
        }
        9 => {
            let op = t.rng.pick(&["pblendvb", "blendvps", "blendvpd"]);
            let d = format!("xmm{}", t.rng.range(1, XMMS as i64 - 1));
            let s = t.xm128();
            t.op(format!("{op} {d}, {s}, xmm0"), 0, 0);
        }
        10 => {
            let (op, size) = t.rng.pick(&[
                ("pmovzxbw", 8),
                ("pmovzxbd", 4),
                ("pmovzxbq", 2),
                ("pmovzxwd", 8),
                ("pmovzxwq", 4),
                ("pmovzxdq", 8),
                ("pmovsxbw", 8),
                ("pmovsxbd", 4),
                ("pmovsxbq", 2),
                ("pmovsxwd", 8),
                ("pmovsxwq", 4),
                ("pmovsxdq", 8),
            ]);
            let d = t.xmm();
            let s = t.xm(size);
            t.op(format!("{op} {d}, {s}"), 0, 0);
        }
        _ => {
            // Inserts and extracts.
            let x = t.xmm();
            match t.rng.below(9) {
                0 => {
                    let s = if t.rng.chance(2) { t.mem(1) } else { t.r(4).into() };
                    let i = t.rng.below(16);
                    t.op(format!("pinsrb {x}, {s}, {i}"), 0, 0);
                }
                1 => {
                    let s = if t.rng.chance(2) { t.mem(2) } else { t.r(4).into() };
                    let i = t.rng.below(8);
                    t.op(format!("pinsrw {x}, {s}, {i}"), 0, 0);
                }
                2 => {
                    let s = t.rm(4);
                    let i = t.rng.below(4);
                    t.op(format!("pinsrd {x}, {s}, {i}"), 0, 0);
                }
                3 => {
                    let s = t.rm(8);
                    let i = t.rng.below(2);
                    t.op(format!("pinsrq {x}, {s}, {i}"), 0, 0);
                }
                4 => {
                    let d = if t.rng.chance(2) { t.mem(1) } else { t.r(4).into() };
                    let i = t.rng.below(16);
                    t.op(format!("pextrb {d}, {x}, {i}"), 0, 0);
                }
                5 => {
                    let d = if t.rng.chance(2) { t.mem(2) } else { t.r(4).into() };
                    let i = t.rng.below(8);
                    t.op(format!("pextrw {d}, {x}, {i}"), 0, 0);
                }
                6 => {
                    let d = t.rm(4);
                    let i = t.rng.below(4);
                    let op = t.rng.pick(&["pextrd", "extractps"]);
                    t.op(format!("{op} {d}, {x}, {i}"), 0, 0);
                }
                7 => {
                    let d = t.rm(8);
                    let i = t.rng.below(2);
                    t.op(format!("pextrq {d}, {x}, {i}"), 0, 0);
                }
                _ => {
                    let s = t.xm(4);
                    let i = t.rng.below(256);
                    t.op(format!("insertps {x}, {s}, {i}"), 0, 0);
                }
            }
        }
    }
}

impl T<'_> {
    /// Rewrites the last instruction (a `movq xmm, rax`) to load a small
    /// shift count instead: `mov eax, c` first.
    fn op_replace_last_input(&mut self, c: u64) {
        let last = self.lines.pop().unwrap();
        self.lines.push((self.class, format!("mov eax, {c}")));
        self.lines.push(last);
    }
}

fn sse_fp(t: &mut T) {
    match t.rng.below(8) {
        0..=3 => {
            let base = t.rng.pick(&["add", "sub", "mul", "div", "min", "max", "sqrt"]);
            let (sfx, size) = t.rng.pick(&[("ss", 4), ("sd", 8), ("ps", 16), ("pd", 16)]);
            let d = t.xmm();
            let s = if size == 16 { t.xm128() } else { t.xm(size) };
            t.op(format!("{base}{sfx} {d}, {s}"), 0, 0);
        }
        4 => {
            let (sfx, size) = t.rng.pick(&[("ss", 4), ("sd", 8), ("ps", 16), ("pd", 16)]);
            let d = t.xmm();
            let s = if size == 16 { t.xm128() } else { t.xm(size) };
            let p = t.rng.below(8);
            t.op(format!("cmp{sfx} {d}, {s}, {p}"), 0, 0);
        }
        5 => {
            let (op, size) = t.rng.pick(&[
                ("ucomiss", 4),
                ("ucomisd", 8),
                ("comiss", 4),
                ("comisd", 8),
            ]);
            let d = t.xmm();
            let s = t.xm(size);
            t.op(format!("{op} {d}, {s}"), ARITH, 0);
        }
        6 => {
            let op = t.rng.pick(&[
                "haddps", "haddpd", "hsubps", "hsubpd", "addsubps", "addsubpd",
            ]);
            let (d, s) = (t.xmm(), t.xm128());
            t.op(format!("{op} {d}, {s}"), 0, 0);
        }
        _ => {
            let (op, size) = t.rng.pick(&[
                ("roundss", 4),
                ("roundsd", 8),
                ("roundps", 16),
                ("roundpd", 16),
            ]);
            let d = t.xmm();
            let s = if size == 16 { t.xm128() } else { t.xm(size) };
            let i = t.rng.below(16);
            t.op(format!("{op} {d}, {s}, {i}"), 0, 0);
        }
    }
}

fn sse_cvt(t: &mut T) {
    match t.rng.below(5) {
        0 => {
            let op = t.rng.pick(&["cvtsi2ss", "cvtsi2sd"]);
            let d = t.xmm();
            let size = t.rng.pick(&[4, 8]);
            let s = t.rm(size);
            t.op(format!("{op} {d}, {s}"), 0, 0);
        }
        1 => {
            let (op, size) = t.rng.pick(&[
                ("cvtss2si", 4),
                ("cvtsd2si", 8),
                ("cvttss2si", 4),
                ("cvttsd2si", 8),
            ]);
            let dsize = t.rng.pick(&[4, 8]);
            let d = t.r(dsize);
            let s = t.xm(size);
            t.op(format!("{op} {d}, {s}"), 0, 0);
        }
        2 => {
            let (op, size) = t.rng.pick(&[("cvtss2sd", 4), ("cvtsd2ss", 8)]);
            let d = t.xmm();
            let s = t.xm(size);
            t.op(format!("{op} {d}, {s}"), 0, 0);
        }
        _ => {
            let (op, size) = t.rng.pick(&[
                ("cvtdq2ps", 16),
                ("cvtps2dq", 16),
                ("cvttps2dq", 16),
                ("cvtdq2pd", 8),
                ("cvtps2pd", 8),
                ("cvtpd2dq", 16),
                ("cvttpd2dq", 16),
                ("cvtpd2ps", 16),
            ]);
            let d = t.xmm();
            let s = if size == 16 { t.xm128() } else { t.xm(size) };
            t.op(format!("{op} {d}, {s}"), 0, 0);
        }
    }
}

fn sse_move(t: &mut T) {
    let x = t.xmm();
    match t.rng.below(12) {
        0 => {
            let op = t.rng.pick(&["movd", "movq"]);
            let size = if op == "movd" { 4 } else { 8 };
            let g = t.rm(size);
            let g = if op == "movq" && g.starts_with('q') {
                // movq xmm, m64 / m64, xmm are the SSE2 forms.
                g
            } else {
                g
            };
            if t.rng.chance(2) {
                t.op(format!("{op} {x}, {g}"), 0, 0);
            } else {
                t.op(format!("{op} {g}, {x}"), 0, 0);
            }
        }
        1 => {
            let s = t.xm(8);
            t.op(format!("movq {x}, {s}"), 0, 0);
        }
        2 | 3 => {
            let (op, size) = t.rng.pick(&[("movss", 4), ("movsd", 8)]);
            match t.rng.below(3) {
                0 => {
                    let y = t.xmm();
                    t.op(format!("{op} {x}, {y}"), 0, 0);
                }
                1 => {
                    let m = t.mem(size);
                    t.op(format!("{op} {x}, {m}"), 0, 0);
                }
                _ => {
                    let m = t.mem(size);
                    t.op(format!("{op} {m}, {x}"), 0, 0);
                }
            }
        }
        4 => {
            let op = t.rng.pick(&["movaps", "movapd", "movdqa"]);
            if t.rng.chance(2) {
                let s = t.xm128();
                t.op(format!("{op} {x}, {s}"), 0, 0);
            } else {
                let m = t.mem_at(16, 16);
                t.op(format!("{op} {m}, {x}"), 0, 0);
            }
        }
        5 => {
            let op = t.rng.pick(&["movups", "movupd", "movdqu", "lddqu"]);
            let m = t.mem_at(16, 1);
            if op != "lddqu" && t.rng.chance(2) {
                t.op(format!("{op} {m}, {x}"), 0, 0);
            } else {
                t.op(format!("{op} {x}, {m}"), 0, 0);
            }
        }
        6 => {
            let op = t.rng.pick(&["movhps", "movhpd", "movlps", "movlpd"]);
            let m = t.mem(8);
            if t.rng.chance(2) {
                t.op(format!("{op} {m}, {x}"), 0, 0);
            } else {
                t.op(format!("{op} {x}, {m}"), 0, 0);
            }
        }
        7 => {
            let op = t.rng.pick(&["movhlps", "movlhps"]);
            let y = t.xmm();
            t.op(format!("{op} {x}, {y}"), 0, 0);
        }
        8 => {
            let op = t.rng.pick(&["movddup", "movshdup", "movsldup"]);
            let s = if op == "movddup" { t.xm(8) } else { t.xm128() };
            t.op(format!("{op} {x}, {s}"), 0, 0);
        }
        9 => {
            let op = t.rng.pick(&["movmskps", "movmskpd", "pmovmskb"]);
            let size = t.rng.pick(&[4, 8]);
            let d = t.r(size);
            t.op(format!("{op} {d}, {x}"), 0, 0);
        }
        10 => {
            match t.rng.below(3) {
                0 => {
                    let op = t.rng.pick(&["movntdq", "movntps", "movntpd"]);
                    let m = t.mem_at(16, 16);
                    t.op(format!("{op} {m}, {x}"), 0, 0);
                }
                1 => {
                    let m = t.mem_at(16, 16);
                    t.op(format!("movntdqa {x}, {m}"), 0, 0);
                }
                _ => {
                    let size = t.rng.pick(&[4, 8]);
                    let m = t.mem(size);
                    let r = t.r(size);
                    t.op(format!("movnti {m}, {r}"), 0, 0);
                }
            }
        }
        _ => {
            // The rounding mode, changed through memory.
            let m = t.mem_at(4, 4);
            let rc = t.rng.below(4) << 13;
            t.op(format!("stmxcsr {m}"), 0, 0);
            t.op(format!("xor {m}, {rc:#x}"), ARITH & !AF, AF);
            t.op(format!("ldmxcsr {m}"), 0, 0);
        }
    }
}

fn sse42(t: &mut T) {
    match t.rng.below(3) {
        0 | 1 => {
            let (dsize, ssize) =
                t.rng
                    .pick(&[(4, 1), (4, 2), (4, 4), (8, 1), (8, 8), (8, 8)]);
            let d = t.r(dsize);
            let s = if ssize == 1 && t.rng.chance(2) {
                t.rng.pick(&REX8).to_string()
            } else if ssize == 1 {
                t.mem(1)
            } else {
                t.rm(ssize)
            };
            t.op(format!("crc32 {d}, {s}"), 0, 0);
        }
        _ => {
            let op = t.rng.pick(&["pcmpistri", "pcmpistrm", "pcmpestri", "pcmpestrm"]);
            if op.starts_with("pcmpe") {
                // Explicit lengths in eax and edx, -20..20.
                let (a, b) = (t.rng.range(-20, 20), t.rng.range(-20, 20));
                t.op(format!("mov eax, {a}"), 0, 0);
                t.op(format!("mov edx, {b}"), 0, 0);
            }
            let d = t.xmm();
            let s = t.xm128();
            let i = t.rng.below(128);
            t.op(format!("{op} {d}, {s}, {i}"), ARITH, 0);
        }
    }
}

// ---------------------------------------------------------------------------
// x87: balanced sequences (everything pushed is popped again).

fn x87(t: &mut T) {
    let mut depth = 0u32;
    let pushes = t.rng.range(1, 3) as u32;
    for _ in 0..pushes {
        x87_push(t, depth);
        depth += 1;
    }
    if t.rng.chance(8) {
        // A rounding mode through the control word.
        let m = t.mem_at(2, 2);
        let rc = t.rng.below(4) << 10;
        t.op(format!("fnstcw {m}"), 0, 0);
        t.op(format!("xor {m}, {rc:#x}"), ARITH & !AF, AF);
        t.op(format!("fldcw {m}"), 0, 0);
    }
    for _ in 0..t.rng.range(0, 4) {
        match t.rng.below(12) {
            0..=2 if depth >= 2 => {
                let op = t.rng.pick(&["faddp", "fsubp", "fsubrp", "fmulp", "fdivp", "fdivrp"]);
                t.op(format!("{op} st(1), st"), 0, 0);
                depth -= 1;
            }
            3 if depth >= 2 => {
                let op = t.rng.pick(&["fadd", "fsub", "fsubr", "fmul", "fdiv", "fdivr"]);
                let i = t.rng.range(1, depth as i64 - 1);
                if t.rng.chance(2) {
                    t.op(format!("{op} st, st({i})"), 0, 0);
                } else {
                    t.op(format!("{op} st({i}), st"), 0, 0);
                }
            }
            4 | 5 => {
                let op = t.rng.pick(&["fadd", "fsub", "fsubr", "fmul", "fdiv", "fdivr"]);
                let size = t.rng.pick(&[4, 8]);
                let m = t.mem(size);
                t.op(format!("{op} {m}"), 0, 0);
            }
            6 => {
                let op = t.rng.pick(&["fiadd", "fisub", "fisubr", "fimul", "fidiv", "fidivr"]);
                let size = t.rng.pick(&[2, 4]);
                let m = t.mem(size);
                t.op(format!("{op} {m}"), 0, 0);
            }
            7 | 8 => {
                let op = t.rng.pick(&["fsqrt", "fabs", "fchs", "frndint"]);
                t.op(op.into(), 0, 0);
            }
            9 if depth >= 2 => {
                let op = t.rng.pick(&["fcomi", "fucomi", "fcomip", "fucomip"]);
                let i = t.rng.range(1, depth as i64 - 1);
                t.op(format!("{op} st, st({i})"), ARITH, 0);
                if op.ends_with('p') {
                    depth -= 1;
                }
            }
            10 if depth >= 2 => {
                let op = t.rng.pick(&["fxch", "fprem", "fprem1", "fscale", "fucom", "fcom"]);
                match op {
                    "fxch" => {
                        let i = t.rng.range(1, depth as i64 - 1);
                        t.op(format!("fxch st({i})"), 0, 0);
                    }
                    "fucom" | "fcom" => {
                        let i = t.rng.range(1, depth as i64 - 1);
                        t.op(format!("{op} st({i})"), 0, 0);
                        t.op("fnstsw ax".into(), 0, 0);
                        // Condition codes, TOP and the exception flags
                        // compared (see known_bugs::X87_EXCEPTIONS).
                        let keep = 0xff00 | known_bugs::x87_exceptions();
                        t.op(format!("and ax, {keep:#x}"), ARITH & !AF, AF);
                        t.op("sahf".into(), CF | PF | AF | ZF | SF, 0);
                    }
                    _ => t.op(op.into(), 0, 0),
                }
            }
            _ => {
                x87_push(t, depth);
                depth += 1;
            }
        }
    }
    while depth > 0 {
        let m = |t: &mut T, size| t.mem(size);
        match t.rng.below(8) {
            0 | 1 => {
                let x = m(t, 8);
                t.op(format!("fstp {x}"), 0, 0);
            }
            2 => {
                let x = m(t, 4);
                t.op(format!("fstp {x}"), 0, 0);
            }
            3 => {
                let x = m(t, 10);
                t.op(format!("fstp {x}"), 0, 0);
            }
            4 | 5 => {
                let size = t.rng.pick(&[2, 4, 8]);
                let x = m(t, size);
                let op = t.rng.pick(&["fistp", "fisttp"]);
                t.op(format!("{op} {x}"), 0, 0);
            }
            6 => {
                let size = t.rng.pick(&[2, 4]);
                let x = m(t, size);
                t.op(format!("fist {x}"), 0, 0);
                t.op("fstp st(0)".into(), 0, 0);
            }
            _ => {
                let size = t.rng.pick(&[4, 8]);
                let x = m(t, size);
                t.op(format!("fst {x}"), 0, 0);
                t.op("fstp st(0)".into(), 0, 0);
            }
        }
        depth -= 1;
    }
}

fn x87_push(t: &mut T, depth: u32) {
    match t.rng.below(10) {
        0..=3 => {
            let size = t.rng.pick(&[4, 8, 8]);
            let m = t.mem(size);
            t.op(format!("fld {m}"), 0, 0);
        }
        4 => {
            let m = t.mem(10);
            t.op(format!("fld {m}"), 0, 0);
        }
        5 | 6 => {
            let size = t.rng.pick(&[2, 4, 8]);
            let m = t.mem(size);
            t.op(format!("fild {m}"), 0, 0);
        }
        7 if depth > 0 => {
            let i = t.rng.range(0, depth as i64 - 1);
            t.op(format!("fld st({i})"), 0, 0);
        }
        _ => {
            let op = t.rng.pick(&["fld1", "fldz", "fldpi", "fldl2e", "fldln2", "fldlg2", "fldl2t"]);
            t.op(op.into(), 0, 0);
        }
    }
}
