//! Semantics of RV64GC instructions, executed on a concrete reference
//! backend.

mod common;

use c2w_isa::{Fmt, FpOp, IndirectKind, IntTy, Trap};
use common::machine::{Exit, FpCall, Machine, CYCLE, TIME};
use common::riscv64_encode::{b, i, jal, r, r4, s, u};
use common::Rng;

const PC: u64 = 0x1_0000;
const MIN: u64 = i64::MIN as u64;
const NEG1: u64 = u64::MAX;

/// (opcode, funct3, funct7) of register-register ALU instructions.
type RType = (u32, u32, u32);
const ADD: RType = (0x33, 0, 0);
const SUB: RType = (0x33, 0, 0x20);
const SLL: RType = (0x33, 1, 0);
const SLT: RType = (0x33, 2, 0);
const SLTU: RType = (0x33, 3, 0);
const SRL: RType = (0x33, 5, 0);
const SRA: RType = (0x33, 5, 0x20);
const MUL: RType = (0x33, 0, 1);
const MULH: RType = (0x33, 1, 1);
const MULHSU: RType = (0x33, 2, 1);
const MULHU: RType = (0x33, 3, 1);
const DIV: RType = (0x33, 4, 1);
const DIVU: RType = (0x33, 5, 1);
const REM: RType = (0x33, 6, 1);
const REMU: RType = (0x33, 7, 1);
const ADDW: RType = (0x3b, 0, 0);
const SUBW: RType = (0x3b, 0, 0x20);
const SLLW: RType = (0x3b, 1, 0);
const SRLW: RType = (0x3b, 5, 0);
const SRAW: RType = (0x3b, 5, 0x20);
const MULW: RType = (0x3b, 0, 1);
const DIVW: RType = (0x3b, 4, 1);
const DIVUW: RType = (0x3b, 5, 1);
const REMW: RType = (0x3b, 6, 1);
const REMUW: RType = (0x3b, 7, 1);

/// `op x3, x1, x2` with x1 = `a`, x2 = `b`: the result.
fn rr(op: RType, a: u64, b: u64) -> u64 {
    let mut m = Machine::new();
    m.x[1] = a;
    m.x[2] = b;
    assert_eq!(m.step(r(op.0, op.1, op.2, 3, 1, 2), PC), None);
    m.x[3]
}

fn sext32(v: u32) -> u64 {
    v as i32 as i64 as u64
}

#[test]
fn register_alu_operations() {
    let cases: &[(RType, u64, u64, u64)] = &[
        (ADD, NEG1, 2, 1),
        (SUB, 0, 1, NEG1),
        (SLT, NEG1, 0, 1),
        (SLT, 0, NEG1, 0),
        (SLTU, NEG1, 0, 0),
        (SLTU, 0, NEG1, 1),
        // Shift amounts use the low 6 bits.
        (SLL, 1, 64 + 3, 8),
        (SRL, MIN, 63, 1),
        (SRL, MIN, 64, MIN),
        (SRA, MIN, 127, NEG1),
        (SRA, MIN, 4, 0xf800_0000_0000_0000),
        (MUL, NEG1, NEG1, 1),
        (MULH, NEG1, NEG1, 0),
        (MULH, MIN, MIN, 0x4000_0000_0000_0000),
        (MULH, MIN, 2, NEG1),
        (MULHU, NEG1, NEG1, NEG1 - 1),
        (MULHU, MIN, 2, 1),
        (MULHSU, NEG1, NEG1, NEG1),
        (MULHSU, 2, NEG1, 1),
        (MULHSU, MIN, MIN, 0xc000_0000_0000_0000),
    ];
    for &(op, a, b, want) in cases {
        assert_eq!(rr(op, a, b), want, "{op:?} {a:#x} {b:#x}");
    }
}

#[test]
fn division_corner_cases() {
    let cases: &[(RType, u64, u64, u64)] = &[
        (DIV, -7i64 as u64, 2, -3i64 as u64),
        (DIV, 7, 0, NEG1),
        (DIV, MIN, NEG1, MIN),
        (DIVU, 7, 0, NEG1),
        (DIVU, NEG1, 2, i64::MAX as u64),
        (REM, -7i64 as u64, 2, NEG1),
        (REM, 7, 0, 7),
        (REM, MIN, NEG1, 0),
        (REMU, 7, 0, 7),
        (REMU, NEG1, 10, 5),
        // Word forms: 32-bit operands, sign-extended 32-bit results.
        (DIVW, 0x8000_0000, NEG1, sext32(0x8000_0000)),
        (DIVW, 0x1_0000_0007, 2, 3),
        (DIVW, 5, 0x1_0000_0000, NEG1),
        (DIVW, -9i64 as u64, 2, -4i64 as u64),
        (DIVUW, 5, 0, NEG1),
        (DIVUW, 0xffff_fffe, 1, sext32(0xffff_fffe)),
        (DIVUW, 0x1_0000_0010, 0x1_0000_0004, 4),
        (REMW, 0x8000_0000, NEG1, 0),
        (REMW, 0x1_0000_0007, 0, 7),
        (REMW, 0xffff_fff9, 2, NEG1),
        (REMUW, 0x1_8000_0000, 0, sext32(0x8000_0000)),
        (REMUW, 0xffff_ffff, 0x1_0000_0010, 15),
    ];
    for &(op, a, b, want) in cases {
        assert_eq!(rr(op, a, b), want, "{op:?} {a:#x} {b:#x}");
    }
}

#[test]
fn word_operations_sign_extend() {
    let cases: &[(RType, u64, u64, u64)] = &[
        (ADDW, 0x7fff_ffff, 1, sext32(0x8000_0000)),
        (ADDW, 0xffff_ffff_0000_0001, 0, 1),
        (SUBW, 0, 1, NEG1),
        (MULW, 0x1_0000_0002, 0x8000_0000, 0),
        (MULW, 0x1_0000, 0x8000, sext32(0x8000_0000)),
        // Shift amounts use the low 5 bits.
        (SLLW, 1, 31, sext32(0x8000_0000)),
        (SLLW, 1, 33, 2),
        (SRLW, 0xffff_ffff_8000_0000, 31, 1),
        (SRLW, 0xffff_ffff_0000_0010, 4, 1),
        (SRLW, 0x8000_0000, 0, sext32(0x8000_0000)),
        (SRAW, 0x8000_0000, 4, sext32(0xf800_0000)),
        (SRAW, 0x1_7fff_ffff, 32, 0x7fff_ffff),
    ];
    for &(op, a, b, want) in cases {
        assert_eq!(rr(op, a, b), want, "{op:?} {a:#x} {b:#x}");
    }
}

#[test]
fn immediate_operations() {
    let mut m = Machine::new();
    m.x[1] = 0x7fff_ffff;
    let cases: &[(u32, u64)] = &[
        (i(0x13, 0, 3, 1, -1), 0x7fff_fffe),            // addi
        (i(0x1b, 0, 3, 1, 1), sext32(0x8000_0000)),     // addiw
        (i(0x13, 3, 3, 1, 1), 0),                       // sltiu (seqz)
        (i(0x13, 3, 3, 0, 1), 1),                       // sltiu x0 < 1
        (i(0x13, 2, 3, 1, -1), 0),                      // slti
        (i(0x13, 4, 3, 1, -1), 0xffff_ffff_8000_0000),  // xori (not)
        (i(0x13, 1, 3, 1, 63), 1 << 63),                // slli 63
        (i(0x13, 5, 3, 1, 0x400 | 16), 0x7fff),         // srai
        (i(0x1b, 1, 3, 1, 1), NEG1 - 1),                // slliw
        (i(0x1b, 5, 3, 1, 0x400 | 31), 0),              // sraiw
        (u(0x37, 3, 0x80000), sext32(0x8000_0000)),     // lui
        (u(0x17, 3, 0xfffff), PC.wrapping_sub(0x1000)), // auipc
    ];
    for &(word, want) in cases {
        m.x[3] = 0xdead;
        assert_eq!(m.step(word, PC), None);
        assert_eq!(m.x[3], want, "{word:#010x}");
    }
    // Writes to x0 are dropped (the machine asserts it is never written).
    assert_eq!(m.step(i(0x13, 0, 0, 1, 5), PC), None);
}

#[test]
fn loads_and_stores_extend() {
    let mut m = Machine::new();
    m.x[1] = 0x2000;
    m.x[2] = 0x8182_8384_8586_8788;
    m.step(s(0x23, 3, 1, 2, 8), PC); // sd x2, 8(x1)
    assert_eq!(m.read(0x2008, 8), 0x8182_8384_8586_8788);
    let cases: &[(u32, u32, u64)] = &[
        (0, 8, sext32(0xffff_ff88)),  // lb
        (4, 8, 0x88),                 // lbu
        (1, 8, sext32(0xffff_8788)),  // lh
        (5, 8, 0x8788),               // lhu
        (2, 12, sext32(0x8182_8384)), // lw
        (6, 12, 0x8182_8384),         // lwu
        (3, 8, 0x8182_8384_8586_8788),
    ];
    for &(f3, offset, want) in cases {
        m.step(i(0x03, f3, 3, 1, offset as i32), PC);
        assert_eq!(m.x[3], want, "load funct3 {f3}");
    }
    m.step(s(0x23, 0, 1, 0, 9), PC); // sb x0, 9(x1)
    m.step(s(0x23, 1, 1, 2, -2), PC); // sh x2, -2(x1)
    assert_eq!(m.read(0x2008, 8), 0x8182_8384_8586_0088);
    assert_eq!(m.read(0x1ffe, 2), 0x8788);
}

#[test]
fn branches() {
    let mut m = Machine::new();
    m.x[1] = NEG1;
    m.x[2] = 1;
    let cases: &[(u32, bool)] = &[
        (0, false),
        (1, true),
        (4, true),
        (5, false),
        (6, false),
        (7, true),
    ];
    for &(f3, taken) in cases {
        let to = if taken { PC - 16 } else { PC + 4 };
        assert_eq!(
            m.step(b(f3, 1, 2, -16), PC),
            Some(Exit::Branch { taken, to }),
            "funct3 {f3}"
        );
    }
    // c.beqz x8 / c.bnez x8 compare with x0.
    m.x[8] = 0;
    assert_eq!(
        m.step(0xc031, PC),
        Some(Exit::Branch {
            taken: true,
            to: PC + 0x44
        })
    );
    assert_eq!(
        m.step(0xe021, PC),
        Some(Exit::Branch {
            taken: false,
            to: PC + 2
        })
    );
}

#[test]
fn jumps_calls_and_returns() {
    let mut m = Machine::new();
    assert_eq!(m.step(jal(0, 0x800), PC), Some(Exit::Jump(PC + 0x800)));
    assert_eq!(
        m.step(jal(1, -4), PC),
        Some(Exit::Call {
            target: PC - 4,
            ret: PC + 4
        })
    );
    assert_eq!(m.x[1], PC + 4);
    assert_eq!(m.step(jal(7, 8), PC), Some(Exit::Jump(PC + 8)));
    assert_eq!(m.x[7], PC + 4);

    // jalr with rd == rs1: the target uses the old value; bit 0 is cleared.
    m.x[1] = 0x2001;
    let call = Exit::Indirect {
        target: 0x2004,
        kind: IndirectKind::Call { ret: PC + 4 },
    };
    assert_eq!(m.step(i(0x67, 0, 1, 1, 3), PC), Some(call));
    assert_eq!(m.x[1], PC + 4);

    m.x[1] = 0x3000;
    let ret = Exit::Indirect {
        target: 0x3000,
        kind: IndirectKind::Return,
    };
    assert_eq!(m.step(0x8082, PC), Some(ret), "c.jr ra");
    m.x[6] = 0x4000;
    let jump = Exit::Indirect {
        target: 0x3ffc,
        kind: IndirectKind::Jump,
    };
    assert_eq!(
        m.step(i(0x67, 0, 0, 6, -4), PC),
        Some(jump),
        "jalr x0, -4(t1)"
    );
    let call = Exit::Indirect {
        target: 0x4000,
        kind: IndirectKind::Call { ret: PC + 2 },
    };
    assert_eq!(m.step(0x9302, PC), Some(call), "c.jalr t1");
    assert_eq!(m.x[1], PC + 2);
}

#[test]
fn system_instructions() {
    let mut m = Machine::new();
    assert_eq!(m.step(0x0000_0073, PC), Some(Exit::Syscall(PC + 4)));
    assert_eq!(
        m.step(0x0010_0073, PC),
        Some(Exit::Trap(Trap::Breakpoint, PC))
    );
    assert_eq!(m.step(0x9002, PC), Some(Exit::Trap(Trap::Breakpoint, PC)));
    assert_eq!(m.step(0x0000_100f, PC), Some(Exit::FenceI(PC + 4)));
    assert_eq!(m.step(0x0ff0_000f, PC), None, "fence");
    assert_eq!(m.step(0x8330_000f, PC), None, "fence.tso");
    assert_eq!(m.step(0x0100_000f, PC), None, "pause");
    for illegal in [0, 0xffff_ffff, 0x3020_0073] {
        assert_eq!(
            m.step(illegal, PC),
            Some(Exit::Trap(Trap::IllegalInstruction, PC))
        );
    }
}

/// lr/sc opcode words: `aq`/`rl` bits clear.
fn lr(w: u32, rd: u32, rs1: u32) -> u32 {
    r(0x2f, w, 0b00010 << 2, rd, rs1, 0)
}
fn sc(w: u32, rd: u32, rs1: u32, rs2: u32) -> u32 {
    r(0x2f, w, 0b00011 << 2, rd, rs1, rs2)
}
/// An AMO with funct5 `f5` on width funct3 `w` (2 = W, 3 = D).
fn amo(f5: u32, w: u32, rd: u32, rs1: u32, rs2: u32) -> u32 {
    r(0x2f, w, f5 << 2, rd, rs1, rs2)
}

#[test]
fn load_reserved_store_conditional() {
    let mut m = Machine::new();
    m.x[1] = 0x2000;
    m.write(0x2000, 8, 0x1_8000_0000);
    m.step(lr(2, 3, 1), PC);
    assert_eq!(m.x[3], sext32(0x8000_0000), "lr.w sign-extends");
    assert_eq!(m.reservation, 0x2000);

    m.x[2] = 0xaaaa_bbbb_cccc_dddd;
    m.step(sc(2, 4, 1, 2), PC);
    assert_eq!(m.x[4], 0, "sc.w succeeds");
    assert_eq!(m.read(0x2000, 8), 0x1_cccc_dddd);
    assert_eq!(m.reservation, u64::MAX);

    m.x[4] = 7;
    m.step(sc(2, 4, 1, 0), PC);
    assert_eq!(m.x[4], 1, "sc.w without a reservation fails");
    assert_eq!(m.read(0x2000, 8), 0x1_cccc_dddd);

    m.step(lr(3, 3, 1), PC);
    assert_eq!(m.x[3], 0x1_cccc_dddd);
    m.x[5] = 0x2008;
    m.step(sc(3, 4, 5, 2), PC);
    assert_eq!(m.x[4], 1, "sc.d to another address fails");
    assert_eq!(m.read(0x2008, 8), 0);
    assert_eq!(
        m.reservation,
        u64::MAX,
        "a failed sc clears the reservation"
    );
    m.step(lr(3, 3, 1), PC);
    m.step(sc(3, 1, 1, 2), PC);
    assert_eq!(
        (m.x[1], m.read(0x2000, 8)),
        (0, 0xaaaa_bbbb_cccc_dddd),
        "sc.d with rd == rs1"
    );
}

#[test]
fn atomic_memory_operations() {
    // (funct5, funct3, memory before, rs2, rd after, memory after)
    let cases: &[(u32, u32, u64, u64, u64, u64)] = &[
        (0b00000, 2, 0x5_ffff_ffff, 2, NEG1, 0x5_0000_0001), // amoadd.w
        (0b00000, 3, 0xffff_ffff, 1, 0xffff_ffff, 0x1_0000_0000), // amoadd.d
        (
            0b00001,
            2,
            0x5_8000_0000,
            0x7_0000_0001,
            sext32(0x8000_0000),
            0x5_0000_0001,
        ), // amoswap.w
        (0b00100, 2, 0x0f0f, 0xffff, 0x0f0f, 0xf0f0),        // amoxor.w
        (0b01100, 3, 0xff00, 0x0ff0, 0xff00, 0x0f00),        // amoand.d
        (0b01000, 2, 0x9_0000_0001, 2, 1, 0x9_0000_0003),    // amoor.w
        (0b10000, 2, 0x8000_0000, 1, sext32(0x8000_0000), 0x8000_0000), // amomin.w: signed
        (0b10100, 2, 0x8000_0000, 1, sext32(0x8000_0000), 1), // amomax.w
        (0b11000, 2, 0x8000_0000, 1, sext32(0x8000_0000), 1), // amominu.w: unsigned
        (0b11100, 2, 2, 0x1_0000_0001, 2, 2),                // amomaxu.w: low 32 bits only
        (0b10000, 2, 5, 0x1_ffff_fffe, 5, 0xffff_fffe),      // amomin.w: -2 < 5
        (0b10000, 3, MIN, 1, MIN, MIN),                      // amomin.d
        (0b11100, 3, MIN, 1, MIN, MIN),                      // amomaxu.d
        (0b11000, 3, MIN, 1, MIN, 1),                        // amominu.d
    ];
    for &(f5, w, before, src, rd, after) in cases {
        let mut m = Machine::new();
        m.x[1] = 0x3000;
        m.x[2] = src;
        m.write(0x3000, 8, before);
        m.step(amo(f5, w, 3, 1, 2), PC);
        assert_eq!(m.x[3], rd, "funct5 {f5:#b} width {w}: rd");
        assert_eq!(m.read(0x3000, 8), after, "funct5 {f5:#b} width {w}: memory");
    }
}

/// A CSR instruction: funct3 1..=3 register forms, 5..=7 immediate forms.
fn csr(f3: u32, rd: u32, rs1: u32, num: i32) -> u32 {
    i(0x73, f3, rd, rs1, num)
}
const FFLAGS: i32 = 0x001;
const FRM: i32 = 0x002;
const FCSR: i32 = 0x003;

#[test]
fn floating_point_csrs() {
    let mut m = Machine::new();
    m.x[1] = 0xffff_ffff;
    m.step(csr(1, 2, 1, FCSR), PC); // csrrw x2, fcsr, x1
    assert_eq!((m.x[2], m.fflags, m.frm), (0, 0x1f, 7));

    m.step(csr(7, 3, 0b00101, FFLAGS), PC); // csrrci x3, fflags, 5
    assert_eq!((m.x[3], m.fflags), (0x1f, 0x1a));
    m.step(csr(2, 4, 0, FCSR), PC); // csrrs x4, fcsr, x0: read only
    assert_eq!(m.x[4], 7 << 5 | 0x1a);

    m.x[1] = 0x2d;
    m.step(csr(1, 5, 1, FRM), PC); // csrrw x5, frm, x1: 3 bits kept
    assert_eq!((m.x[5], m.frm), (7, 5));
    m.step(csr(5, 0, 1, FRM), PC); // csrrwi x0, frm, 1
    assert_eq!(m.frm, 1);
    m.x[1] = 0x04;
    m.step(csr(2, 6, 1, FFLAGS), PC); // csrrs x6, fflags, x1
    assert_eq!((m.x[6], m.fflags), (0x1a, 0x1e));
    m.step(csr(3, 6, 1, FCSR), PC); // csrrc x6, fcsr, x1
    assert_eq!((m.x[6], m.fflags, m.frm), (1 << 5 | 0x1e, 0x1a, 1));
}

#[test]
fn csr_set_and_clear_without_source_do_not_write() {
    let mut m = Machine::new();
    m.fflags = 3;
    for word in [
        csr(2, 1, 0, FFLAGS),
        csr(3, 1, 0, FFLAGS),
        csr(6, 1, 0, FFLAGS),
        csr(7, 1, 0, FFLAGS),
    ] {
        m.step(word, PC);
        assert_eq!(m.x[1], 3);
    }
    assert!(m.state_writes.is_empty(), "{:?}", m.state_writes);
}

#[test]
fn counters_are_read_only() {
    let mut m = Machine::new();
    m.step(csr(2, 1, 0, 0xc01), PC); // rdtime
    m.step(csr(3, 2, 0, 0xc00), PC); // csrrc x2, cycle, x0
    assert_eq!((m.x[1], m.x[2]), (TIME, CYCLE));
    m.x[3] = 1;
    let illegal = Some(Exit::Trap(Trap::IllegalInstruction, PC));
    for word in [
        csr(1, 0, 3, 0xc00), // csrrw x0, cycle, x3
        csr(2, 1, 3, 0xc02), // csrrs x1, instret, x3
        csr(6, 1, 1, 0xc01), // csrrsi x1, time, 1
        csr(2, 1, 0, 0xc22), // vlenb: not implemented
        csr(2, 1, 0, 0x300), // mstatus
    ] {
        m.x[1] = 42;
        assert_eq!(m.step(word, PC), illegal, "{word:#010x}");
        assert_eq!(m.x[1], 42, "a trapping CSR access writes nothing");
    }
}

const BOX: u64 = 0xffff_ffff_0000_0000;
const ONE_S: u64 = 0x3f80_0000;
const TWO_S: u64 = 0x4000_0000;
const NAN_S: u64 = 0x7fc0_0000;
const ONE_D: u64 = 0x3ff0_0000_0000_0000;

/// An OP-FP instruction: funct7, rm (funct3), registers.
fn opfp(f7: u32, rm: u32, rd: u32, rs1: u32, rs2: u32) -> u32 {
    r(0x53, rm, f7, rd, rs1, rs2)
}

#[test]
fn single_precision_operands_are_nan_unboxed() {
    let mut m = Machine::new();
    m.f[1] = BOX | ONE_S;
    m.f[2] = ONE_S; // not boxed: reads as the canonical NaN
    m.f[3] = 0xffff_fffe_0000_0000 | TWO_S; // one upper bit clear
    m.step(opfp(0x00, 0, 4, 1, 2), PC); // fadd.s f4, f1, f2, rne
    m.step(opfp(0x00, 1, 4, 1, 3), PC); // fadd.s f4, f1, f3, rtz
    m.step(opfp(0x00, 0, 5, 1, 1), PC); // fadd.s f5, f1, f1
    let call = |args: Vec<u64>, rm| FpCall {
        op: FpOp::Add,
        fmt: Fmt::S,
        args,
        rm,
    };
    assert_eq!(
        m.fp_calls,
        vec![
            call(vec![ONE_S, NAN_S], 0),
            call(vec![ONE_S, NAN_S], 1),
            call(vec![ONE_S, ONE_S], 0)
        ]
    );
    assert_eq!(m.f[5], BOX | TWO_S, "single results are NaN-boxed");
}

#[test]
fn float_loads_stores_and_moves() {
    let mut m = Machine::new();
    m.x[1] = 0x4000;
    m.write(0x4000, 8, 0x1234_5678_8765_4321);
    m.step(i(0x07, 2, 1, 1, 0), PC); // flw f1, 0(x1)
    assert_eq!(m.f[1], BOX | 0x8765_4321);
    m.step(i(0x07, 3, 2, 1, 0), PC); // fld f2, 0(x1)
    assert_eq!(m.f[2], 0x1234_5678_8765_4321);
    m.f[3] = 0x1111_2222_3333_4444; // fsw stores the low bits, boxed or not
    m.step(s(0x27, 2, 1, 3, 8), PC); // fsw f3, 8(x1)
    assert_eq!(m.read(0x4008, 8), 0x3333_4444);
    m.step(s(0x27, 3, 1, 3, 16), PC); // fsd f3, 16(x1)
    assert_eq!(m.read(0x4010, 8), 0x1111_2222_3333_4444);

    m.f[4] = 0x0000_0000_8000_0001; // fmv.x.w ignores boxing, sign-extends
    m.step(opfp(0x70, 0, 5, 4, 0), PC);
    assert_eq!(m.x[5], sext32(0x8000_0001));
    m.step(opfp(0x71, 0, 5, 3, 0), PC); // fmv.x.d
    assert_eq!(m.x[5], 0x1111_2222_3333_4444);
    m.x[6] = 0xaaaa_bbbb_cccc_dddd;
    m.step(opfp(0x78, 0, 7, 6, 0), PC); // fmv.w.x
    assert_eq!(m.f[7], BOX | 0xcccc_dddd);
    m.step(opfp(0x79, 0, 8, 6, 0), PC); // fmv.d.x
    assert_eq!(m.f[8], 0xaaaa_bbbb_cccc_dddd);
    m.step(opfp(0x79, 0, 8, 0, 0), PC); // fmv.d.x f8, x0
    assert_eq!(m.f[8], 0);
    assert!(
        m.fp_calls.is_empty(),
        "moves, loads and stores do not compute"
    );
}

#[test]
fn sign_injection() {
    let neg_one_s = 0xbf80_0000;
    let neg_one_d = ONE_D | 1 << 63;
    // (funct7, funct3, rs1, rs2, result)
    let cases: &[(u32, u32, u64, u64, u64)] = &[
        (0x10, 0, BOX | ONE_S, BOX | neg_one_s, BOX | neg_one_s), // fsgnj.s
        (0x10, 1, BOX | ONE_S, BOX | neg_one_s, BOX | ONE_S),     // fsgnjn.s
        (0x10, 1, BOX | ONE_S, BOX | ONE_S, BOX | neg_one_s),     // fneg.s
        (0x10, 2, BOX | neg_one_s, BOX | neg_one_s, BOX | ONE_S), // fabs.s
        (0x10, 2, BOX | neg_one_s, BOX | ONE_S, BOX | neg_one_s), // fsgnjx.s
        (0x10, 0, ONE_S, BOX | neg_one_s, BOX | 0xffc0_0000),     // unboxed rs1: -NaN
        (0x10, 1, BOX | ONE_S, 0, BOX | neg_one_s),               // unboxed rs2: +NaN sign
        (0x11, 0, ONE_D, neg_one_d, neg_one_d),                   // fsgnj.d
        (0x11, 1, neg_one_d, neg_one_d, ONE_D),                   // fsgnjn.d
        (0x11, 2, neg_one_d, neg_one_d, ONE_D),                   // fsgnjx.d
        (0x11, 2, neg_one_d, ONE_D, neg_one_d),                   // fsgnjx.d
    ];
    for &(f7, f3, a, b, want) in cases {
        let mut m = Machine::new();
        m.f[1] = a;
        m.f[2] = b;
        m.step(opfp(f7, f3, 3, 1, 2), PC);
        assert_eq!(m.f[3], want, "funct7 {f7:#x} funct3 {f3} {a:#x} {b:#x}");
        assert!(m.fp_calls.is_empty(), "sign injection raises no flags");
    }
}

#[test]
fn fused_multiply_add_mapping_and_rounding_modes() {
    // (opcode, FpOp): fnmsub is -(a*b)+c, fnmadd is -(a*b)-c.
    let cases = [
        (0x43, FpOp::MulAdd),
        (0x47, FpOp::MulSub),
        (0x4b, FpOp::NegMulAdd),
        (0x4f, FpOp::NegMulSub),
    ];
    for (opcode, op) in cases {
        let mut m = Machine::new();
        m.f[1] = ONE_D;
        m.f[2] = 2;
        m.f[3] = 3;
        m.frm = 3;
        m.step(r4(opcode, 4, 1, 4, 1, 2, 3), PC); // static rmm
        m.step(r4(opcode, 7, 1, 4, 1, 2, 3), PC); // dynamic: frm
        let call = |rm| FpCall {
            op,
            fmt: Fmt::D,
            args: vec![ONE_D, 2, 3],
            rm,
        };
        assert_eq!(m.fp_calls, vec![call(4), call(3)]);
    }
    let mut m = Machine::new();
    let illegal = Some(Exit::Trap(Trap::IllegalInstruction, PC));
    assert_eq!(
        m.step(r4(0x43, 5, 1, 4, 1, 2, 3), PC),
        illegal,
        "rm 5 is reserved"
    );
    assert_eq!(
        m.step(opfp(0x01, 6, 4, 1, 2), PC),
        illegal,
        "rm 6 is reserved"
    );
    m.frm = 6;
    m.step(opfp(0x01, 7, 4, 1, 2), PC);
    assert_eq!(
        m.fp_calls[0].rm, 6,
        "an invalid frm is passed on for the backend to reject"
    );
}

#[test]
fn comparisons_conversions_and_classification() {
    let mut m = Machine::new();
    m.f[1] = BOX | ONE_S;
    m.f[2] = ONE_D;
    m.x[3] = -5i64 as u64;
    m.frm = 2;
    m.step(opfp(0x50, 2, 4, 1, 1), PC); // feq.s x4, f1, f1
    assert_eq!(m.x[4], 1);
    m.step(opfp(0x51, 1, 4, 2, 2), PC); // flt.d x4, f2, f2
    assert_eq!(m.x[4], 0);
    m.step(opfp(0x14, 0, 5, 1, 1), PC); // fmin.s: no rounding mode
    m.step(opfp(0x20, 7, 6, 2, 1), PC); // fcvt.s.d f6, f2 (dyn)
    assert_eq!(m.f[6], BOX | ONE_S);
    m.step(opfp(0x21, 0, 7, 1, 0), PC); // fcvt.d.s f7, f1
    assert_eq!(m.f[7], ONE_D);
    m.step(opfp(0x69, 0, 8, 3, 0), PC); // fcvt.d.w f8, x3
    m.step(opfp(0x60, 1, 9, 1, 0), PC); // fcvt.w.s x9, f1, rtz
    assert_eq!(m.x[9], 1);
    m.step(opfp(0x71, 1, 10, 2, 0), PC); // fclass.d x10, f2
    let calls: Vec<_> = m
        .fp_calls
        .iter()
        .map(|c| (c.op, c.fmt, c.args.clone(), c.rm))
        .collect();
    assert_eq!(
        calls,
        vec![
            (FpOp::Eq, Fmt::S, vec![ONE_S, ONE_S], 0),
            (FpOp::Lt, Fmt::D, vec![ONE_D, ONE_D], 0),
            (FpOp::Min, Fmt::S, vec![ONE_S, ONE_S], 0),
            (FpOp::Convert, Fmt::S, vec![ONE_D], 2),
            (FpOp::Convert, Fmt::D, vec![ONE_S], 0),
            (FpOp::FromInt(IntTy::I32), Fmt::D, vec![-5i64 as u64], 0),
            (FpOp::ToInt(IntTy::I32), Fmt::S, vec![ONE_S], 1),
            (FpOp::Class, Fmt::D, vec![ONE_D], 0),
        ]
    );
    assert_eq!(m.f[8], (-5.0f64).to_bits());
}

#[test]
fn compressed_instructions_execute_like_their_expansion() {
    let mut m = Machine::new();
    m.x[2] = 0x8000;
    m.step(0x7101, PC); // c.addi16sp sp, -512
    assert_eq!(m.x[2], 0x8000 - 512);
    m.x[1] = 0x1234;
    m.step(0xff86, PC); // c.sdsp ra, 504(sp)
    m.write(0x8000 - 512 + 8, 8, 0x55);
    m.step(0x6fa2, PC); // c.ldsp t6, 8(sp)
    assert_eq!(m.x[31], 0x55);
    assert_eq!(m.read(0x8000 - 512 + 504, 8), 0x1234);
    m.x[15] = 0x7fff_ffff;
    m.x[8] = 0x1_0000_0001;
    m.step(0x9fa1, PC); // c.addw a5, s0
    assert_eq!(m.x[15], sext32(0x8000_0000));
    m.step(0x71fd, PC); // c.lui gp, 0xfffff
    assert_eq!(m.x[3], sext32(0xffff_f000));
    m.step(0x808a, PC); // c.mv ra, sp
    assert_eq!(m.x[1], m.x[2]);
    assert_eq!(m.step(0xa099, PC), Some(Exit::Jump(PC + 0x46)), "c.j");
    assert_eq!(
        m.step(0x0000, PC),
        Some(Exit::Trap(Trap::IllegalInstruction, PC))
    );
}

/// Execute `parcel` on a machine with random registers: the machine's
/// assertions check the backend contract (no x0 access, guarded division,
/// reduced shifts, at most one control-flow call, agreement with
/// `ends_block`).
fn execute_on_random_state(rng: &mut Rng, parcel: u32, pc: u64) {
    let mut m = Machine::new();
    for r in 1..32 {
        m.x[r] = rng.next();
        m.f[r] = rng.next();
    }
    m.frm = rng.next() % 5;
    m.step(parcel, pc);
}

#[test]
fn every_encoding_respects_the_backend_contract() {
    let mut rng = Rng::new(0x5eed);
    for half in 0..=u16::MAX {
        if half & 3 != 3 {
            execute_on_random_state(&mut rng, half as u32, PC);
        }
    }
    for _ in 0..200_000 {
        let word = rng.instruction_word();
        execute_on_random_state(&mut rng, word, PC);
    }
}

#[test]
fn busybox_instructions_respect_the_backend_contract() {
    let Some(elf) = common::busybox() else { return };
    let (addr, text) = common::elf::section(&elf, ".text").expect(".text");
    let mut rng = Rng::new(7);
    let (mut offset, mut count) = (0, 0);
    while offset + 4 <= text.len() {
        let parcel = u32::from_le_bytes(text[offset..offset + 4].try_into().unwrap());
        execute_on_random_state(&mut rng, parcel, addr + offset as u64);
        offset += c2w_isa::riscv64::decode(parcel).len as usize;
        count += 1;
    }
    assert!(count > 100_000, "{count}");
}
