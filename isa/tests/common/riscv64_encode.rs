//! RISC-V instruction encoders for tests (shared by the unit tests in
//! `src/riscv64` and the integration tests).
#![allow(dead_code)]

/// R-type encoding.
pub const fn r(opcode: u32, f3: u32, f7: u32, rd: u32, rs1: u32, rs2: u32) -> u32 {
    f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opcode
}

/// R4-type encoding (fused multiply-add): `fmt` is 0 for S, 1 for D.
pub const fn r4(opcode: u32, rm: u32, fmt: u32, rd: u32, rs1: u32, rs2: u32, rs3: u32) -> u32 {
    r(opcode, rm, rs3 << 2 | fmt, rd, rs1, rs2)
}

/// I-type encoding.
pub const fn i(opcode: u32, f3: u32, rd: u32, rs1: u32, imm: i32) -> u32 {
    (imm as u32) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opcode
}

/// S-type encoding.
pub const fn s(opcode: u32, f3: u32, rs1: u32, rs2: u32, imm: i32) -> u32 {
    let imm = imm as u32;
    (imm >> 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (imm & 31) << 7 | opcode
}

/// B-type encoding (opcode BRANCH).
pub const fn b(f3: u32, rs1: u32, rs2: u32, imm: i32) -> u32 {
    let imm = imm as u32;
    (imm >> 12 & 1) << 31
        | (imm >> 5 & 0x3f) << 25
        | rs2 << 20
        | rs1 << 15
        | f3 << 12
        | (imm >> 1 & 0xf) << 8
        | (imm >> 11 & 1) << 7
        | 0x63
}

/// U-type encoding: `imm20` is the upper 20 bits.
pub const fn u(opcode: u32, rd: u32, imm20: u32) -> u32 {
    imm20 << 12 | rd << 7 | opcode
}

/// `jal rd, imm`.
pub const fn jal(rd: u32, imm: i32) -> u32 {
    let imm = imm as u32;
    (imm >> 20 & 1) << 31
        | (imm >> 1 & 0x3ff) << 21
        | (imm >> 11 & 1) << 20
        | (imm & 0xff000)
        | rd << 7
        | 0x6f
}
