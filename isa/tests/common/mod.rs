//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod elf;
pub mod machine;
pub mod riscv64_encode;

/// The BusyBox binary of the shared test fixtures, if present.
pub fn busybox() -> Option<Vec<u8>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/fixtures/riscv64/busybox"
    );
    let found = std::fs::read(path).ok();
    if found.is_none() {
        eprintln!("notice: {path} not found; skipping");
    }
    found
}

/// A small deterministic pseudo-random generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A random 32-bit instruction word with one of the opcodes of
    /// RV64GC, and small register fields half of the time.
    pub fn instruction_word(&mut self) -> u32 {
        const OPCODES: [u32; 21] = [
            0x03, 0x07, 0x0f, 0x13, 0x17, 0x1b, 0x23, 0x27, 0x2f, 0x33, 0x37, 0x3b, 0x43, 0x47,
            0x4b, 0x4f, 0x53, 0x63, 0x67, 0x6f, 0x73,
        ];
        let v = self.next();
        let word = (v as u32 & !0x7f) | OPCODES[(v >> 32) as usize % OPCODES.len()];
        if v >> 40 & 1 == 1 {
            // rs2 (or a fcvt/fsqrt selector) in 0..=3.
            word & !(0x1c << 20)
        } else {
            word
        }
    }
}
