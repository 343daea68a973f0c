//! Unit tests of decoding, compressed expansion and the block helpers.

use super::op::COp;
use super::*;

#[path = "../../tests/common/riscv64_encode.rs"]
mod encode;
use encode::{b, i, jal, r, s};

#[test]
fn inst_is_small() {
    assert!(
        std::mem::size_of::<Inst>() <= 16,
        "{}",
        std::mem::size_of::<Inst>()
    );
}

#[test]
fn immediate_encoders_round_trip() {
    for imm in [-4096, -2, 2, 4094, 0x7fe] {
        assert_eq!(decode(b(0, 1, 2, imm)).imm, imm);
    }
    for imm in [-(1 << 20), -2, 2, (1 << 20) - 2] {
        assert_eq!(decode(jal(0, imm)).imm, imm);
    }
    for imm in [-2048, -1, 0, 2047] {
        assert_eq!(decode(s(0x23, 3, 1, 2, imm)).imm, imm);
        assert_eq!(decode(i(0x13, 0, 1, 2, imm)).imm, imm);
    }
}

/// Compressed instructions and the 32-bit instruction each stands for.
const EXPANSIONS: &[(u16, u32)] = &[
    (0x0001, i(0x13, 0, 0, 0, 0)),           // c.nop = addi x0, x0, 0
    (0x0085, i(0x13, 0, 1, 1, 1)),           // c.addi x1, 1
    (0x1f81, i(0x13, 0, 31, 31, -32)),       // c.addi x31, -32
    (0x217d, i(0x1b, 0, 2, 2, 31)),          // c.addiw x2, 31
    (0x527d, i(0x13, 0, 4, 0, -1)),          // c.li x4, -1
    (0x6085, 0x1 << 12 | 1 << 7 | 0x37),     // c.lui x1, 0x1
    (0x71fd, 0xfffff << 12 | 3 << 7 | 0x37), // c.lui x3, 0xfffff
    (0x6ffd, 0x1f << 12 | 31 << 7 | 0x37),   // c.lui x31, 0x1f
    (0x7101, i(0x13, 0, 2, 2, -512)),        // c.addi16sp x2, -512
    (0x617d, i(0x13, 0, 2, 2, 496)),         // c.addi16sp x2, 496
    (0x6141, i(0x13, 0, 2, 2, 16)),          // c.addi16sp x2, 16
    (0x1fe0, i(0x13, 0, 8, 2, 1020)),        // c.addi4spn x8, x2, 1020
    (0x005c, i(0x13, 0, 15, 2, 4)),          // c.addi4spn x15, x2, 4
    (0x10fe, i(0x13, 1, 1, 1, 63)),          // c.slli x1, 63
    (0x93fd, i(0x13, 5, 15, 15, 63)),        // c.srli x15, 63
    (0x9401, i(0x13, 5, 8, 8, 0x420)),       // c.srai x8, 32
    (0x8485, i(0x13, 5, 9, 9, 0x401)),       // c.srai x9, 1
    (0x9801, i(0x13, 7, 8, 8, -32)),         // c.andi x8, -32
    (0x8bfd, i(0x13, 7, 15, 15, 31)),        // c.andi x15, 31
    (0x50fe, i(0x03, 2, 1, 2, 252)),         // c.lwsp x1, 252(x2)
    (0x6fa2, i(0x03, 3, 31, 2, 8)),          // c.ldsp x31, 8(x2)
    (0x30fe, i(0x07, 3, 1, 2, 504)),         // c.fldsp f1, 504(x2)
    (0xdf86, s(0x23, 2, 2, 1, 252)),         // c.swsp x1, 252(x2)
    (0xe47e, s(0x23, 3, 2, 31, 8)),          // c.sdsp x31, 8(x2)
    (0xbf86, s(0x27, 3, 2, 1, 504)),         // c.fsdsp f1, 504(x2)
    (0x405c, i(0x03, 2, 15, 8, 4)),          // c.lw x15, 4(x8)
    (0x6504, i(0x03, 3, 9, 10, 8)),          // c.ld x9, 8(x10)
    (0x3fe0, i(0x07, 3, 8, 15, 248)),        // c.fld f8, 248(x15)
    (0xc20c, s(0x23, 2, 12, 11, 0)),         // c.sw x11, 0(x12)
    (0xeb14, s(0x23, 3, 14, 13, 16)),        // c.sd x13, 16(x14)
    (0xa404, s(0x27, 3, 8, 9, 8)),           // c.fsd f9, 8(x8)
    (0xa099, jal(0, 0x46)),                  // c.j .+0x46
    (0xb001, jal(0, -2048)),                 // c.j .-2048
    (0xc031, b(0, 8, 0, 0x44)),              // c.beqz x8, .+0x44
    (0xdfe5, b(0, 15, 0, -8)),               // c.beqz x15, .-8
    (0xf8f5, b(1, 9, 0, -12)),               // c.bnez x9, .-12
    (0xec7d, b(1, 8, 0, 254)),               // c.bnez x8, .+254
    (0x8282, i(0x67, 0, 0, 5, 0)),           // c.jr x5
    (0x9f82, i(0x67, 0, 1, 31, 0)),          // c.jalr x31
    (0x808a, r(0x33, 0, 0, 1, 0, 2)),        // c.mv x1, x2
    (0x908a, r(0x33, 0, 0, 1, 1, 2)),        // c.add x1, x2
    (0x8c05, r(0x33, 0, 0x20, 8, 8, 9)),     // c.sub x8, x9
    (0x8d2d, r(0x33, 4, 0, 10, 10, 11)),     // c.xor x10, x11
    (0x8e55, r(0x33, 6, 0, 12, 12, 13)),     // c.or x12, x13
    (0x8f7d, r(0x33, 7, 0, 14, 14, 15)),     // c.and x14, x15
    (0x9c1d, r(0x3b, 0, 0x20, 8, 8, 15)),    // c.subw x8, x15
    (0x9fa1, r(0x3b, 0, 0, 15, 15, 8)),      // c.addw x15, x8
    (0x9002, 0x0010_0073),                   // c.ebreak
];

#[test]
fn compressed_expands_to_the_32_bit_instruction() {
    for &(half, word) in EXPANSIONS {
        // The upper half of the parcel must not matter.
        let c = decode(0xdead_0000 | half as u32);
        assert_eq!(c.len, 2, "{half:#06x}");
        assert_ne!(c.c, COp::None, "{half:#06x}");
        assert_eq!(
            Inst {
                len: 4,
                c: COp::None,
                ..c
            },
            decode(word),
            "{half:#06x} ({c})"
        );
    }
}

#[test]
fn reserved_compressed_encodings_are_illegal() {
    for half in [
        0x0000, // all zero
        0x0004, // c.addi4spn with nzuimm 0
        0x4002, // c.lwsp x0
        0x6002, // c.ldsp x0
        0x2001, // c.addiw x0
        0x6001, // c.lui x0, 0
        0x6081, // c.lui x1, 0
        0x6101, // c.addi16sp 0
        0x8002, // c.jr x0
        0x9c41, // reserved c.subw/c.addw slot
        0x9c61, // reserved c.subw/c.addw slot
        0x8000, // quadrant 0, funct3 100
    ] {
        let inst = decode(half);
        assert!(inst.is_illegal(), "{half:#06x} decoded as {inst}");
        assert_eq!(inst.len, 2);
        assert!(ends_block(&inst));
    }
}

#[test]
fn compressed_hints_are_no_ops_on_x0() {
    // c.li x0, 3; c.mv x0, x1; c.add x0, x1; c.slli64 x0; c.lui x0, 1
    for half in [0x400d, 0x8006, 0x9006, 0x0002, 0x6005] {
        let inst = decode(half);
        assert!(!inst.is_illegal(), "{half:#06x}");
        assert_eq!(inst.rd, 0, "{half:#06x}");
    }
}

#[test]
fn reserved_32_bit_encodings_are_illegal() {
    for word in [
        0xffff_ffff,
        0x0000_001f,               // 48-bit encoding space
        r(0x53, 5, 0x00, 1, 2, 3), // fadd.s with rm 5
        r(0x53, 6, 0x01, 1, 2, 3), // fadd.d with rm 6
        r(0x53, 0, 0x02, 1, 2, 3), // fadd.h (Zfh)
        r(0x53, 0, 0x03, 1, 2, 3), // fadd.q
        r(0x43, 5, 0x00, 1, 2, 3), // fmadd.s with rm 5
        r(0x53, 0, 0x2c, 1, 2, 1), // fsqrt.s with rs2 != 0
        r(0x53, 0, 0x60, 1, 2, 4), // fcvt with integer type 4
        r(0x53, 0, 0x20, 1, 2, 0), // fcvt.s.s
        r(0x53, 3, 0x14, 1, 2, 3), // feq/flt/fle funct3 3
        r(0x53, 3, 0x10, 1, 2, 3), // fsgnj funct3 3
        r(0x53, 1, 0x78, 1, 2, 0), // fmv.w.x with funct3 1
        0x3020_0073,               // mret
        0x1050_0073,               // wfi
        0x0000_4073,               // SYSTEM funct3 4
        0x0000_200f,               // MISC-MEM funct3 2
        r(0x2f, 2, 0x08, 1, 2, 3), // lr.w with rs2 != 0
        r(0x2f, 2, 0x28, 1, 2, 3), // AMO funct5 00101
        r(0x2f, 0, 0x04, 1, 2, 3), // AMO funct3 0
        r(0x33, 0, 0x02, 1, 2, 3), // OP funct7 2
        r(0x3b, 2, 0x00, 1, 2, 3), // OP-32 funct3 2
        r(0x3b, 1, 0x01, 1, 2, 3), // mulhw does not exist
        i(0x13, 1, 1, 2, 0x040),   // slli with funct6 1
        i(0x1b, 1, 1, 2, 0x020),   // slliw with shamt bit 5
        i(0x1b, 5, 1, 2, 0x420),   // sraiw with shamt bit 5
        i(0x67, 1, 1, 2, 0),       // jalr funct3 1
        b(2, 1, 2, 8),             // branch funct3 2
        i(0x03, 7, 1, 2, 0),       // load funct3 7
        s(0x23, 4, 1, 2, 0),       // store funct3 4
        i(0x07, 1, 1, 2, 0),       // FP load funct3 1 (vector)
    ] {
        let inst = decode(word);
        assert!(inst.is_illegal(), "{word:#010x} decoded as {inst}");
        assert_eq!(inst.len, 4);
        assert!(ends_block(&inst));
    }
}

#[test]
fn display_is_readable_assembly() {
    let cases: &[(u32, &str)] = &[
        (i(0x13, 0, 10, 10, 1), "addi a0, a0, 1"),
        (0x0085, "c.addi ra, 1"),
        (i(0x03, 3, 8, 2, -16), "ld s0, -16(sp)"),
        (r(0x33, 0, 0x20, 5, 6, 7), "sub t0, t1, t2"),
        (b(1, 10, 0, -8), "bne a0, zero, .-8"),
        (r(0x53, 1, 0x61, 10, 10, 0), "fcvt.w.d a0, fa0, rtz"),
        (
            r(0x43, 7, 0x01, 10, 11, 12) | 13 << 27,
            "fmadd.d fa0, fa1, fa2, fa3",
        ),
        (r(0x2f, 3, 0x0b, 10, 11, 0), "lr.d.aqrl a0, (a1)"),
        (i(0x73, 2, 10, 0, 3), "csrrs a0, fcsr, zero"),
        (0x0ff0_000f, "fence iorw, iorw"),
        (0x0000_0000, "c.unimp"),
        (0x0000_7003, ".4byte 0x7003"),
    ];
    for &(word, text) in cases {
        assert_eq!(decode(word).to_string(), text);
    }
    let j = decode(jal(1, 0x100));
    assert_eq!(
        j.disasm(Some(0x1000), Syntax::Abi).to_string(),
        "jal ra, 0x1100"
    );
    assert_eq!(
        j.disasm(Some(0x1000), Syntax::Objdump).to_string(),
        "jal\tx1,0x1100"
    );
}

#[test]
fn address_constants_from_upper_and_add() {
    let pc = 0x10b18;
    let auipc = decode(0x0004_2f17); // auipc t5, 0x42
    let addi = decode(i(0x13, 0, 30, 30, 1640)); // addi t5, t5, 1640
    assert_eq!(address_constant(&auipc, pc, &addi), Some((30, 0x53180)));
    let lui = decode(0x0007_8537); // lui a0, 0x78
    let addi = decode(i(0x13, 0, 10, 10, -1904));
    assert_eq!(address_constant(&lui, pc, &addi), Some((10, 0x77890)));
    // Another register, or not an add: no constant.
    let other = decode(i(0x13, 0, 11, 10, 4));
    assert_eq!(address_constant(&lui, pc, &other), None);
    assert_eq!(address_constant(&addi, pc, &addi), None);
}

#[test]
fn control_flow_classification() {
    let pc = 0x1000;
    let call = decode(jal(1, 0x40));
    assert!(is_call(&call) && !is_return(&call) && ends_block(&call));
    assert_eq!(
        direct_targets(&call, pc),
        Targets {
            target: Some(0x1040),
            fallthrough: Some(0x1004)
        }
    );

    let jump = decode(0xa099); // c.j .+0x46
    assert!(!is_call(&jump));
    assert_eq!(
        direct_targets(&jump, pc),
        Targets {
            target: Some(0x1046),
            fallthrough: None
        }
    );

    let branch = decode(b(0, 1, 2, -8));
    assert_eq!(
        direct_targets(&branch, pc),
        Targets {
            target: Some(0xff8),
            fallthrough: Some(0x1004)
        }
    );

    let ret = decode(0x8082); // c.jr ra
    assert!(is_return(&ret) && !is_call(&ret));
    assert_eq!(direct_targets(&ret, pc), Targets::default());
    assert!(
        !is_return(&decode(i(0x67, 0, 0, 1, 8))),
        "jalr x0, 8(ra) is not a return"
    );

    let table_jump = decode(0x8782); // c.jr a5
    assert!(is_computed_jump(&table_jump) && !is_computed_jump(&ret));
    assert!(!is_computed_jump(&call) && !is_computed_jump(&jump));

    let indirect_call = decode(0x9f82); // c.jalr t6
    assert!(is_call(&indirect_call));
    assert_eq!(
        direct_targets(&indirect_call, pc),
        Targets {
            target: None,
            fallthrough: Some(0x1002)
        }
    );

    let ecall = decode(0x0000_0073);
    assert!(ends_block(&ecall));
    assert_eq!(
        direct_targets(&ecall, pc),
        Targets {
            target: None,
            fallthrough: Some(0x1004)
        }
    );
    assert!(ends_block(&decode(0x0000_100f)), "fence.i");
    assert!(ends_block(&decode(0x9002)), "c.ebreak");

    let add = decode(r(0x33, 0, 0, 1, 2, 3));
    assert!(!ends_block(&add));
    assert_eq!(
        direct_targets(&add, pc),
        Targets {
            target: None,
            fallthrough: Some(0x1004)
        }
    );

    // CSR accesses: legal ones fall through, the others trap.
    assert!(!ends_block(&decode(i(0x73, 2, 10, 0, 0xc01))), "rdtime");
    assert!(
        ends_block(&decode(i(0x73, 1, 0, 10, 0xc01))),
        "write to time"
    );
    assert!(ends_block(&decode(i(0x73, 2, 10, 0, 0xc22))), "vlenb");
    assert!(ends_block(&decode(0xc000_1073)), "unimp");
}
