//! What `cpuid` answers: exactly the features the semantics implement.
//!
//! One table, [`LEAVES`]; any leaf (or sub-leaf) not in it reads as zeros.

use super::sse;

/// Leaf 1 EDX: FPU, TSC, CX8, CMOV, plus the SSE module's bits.
pub const LEAF1_EDX: u32 = 1 << 0 | 1 << 4 | 1 << 8 | 1 << 15 | sse::CPUID_1_EDX;
/// Leaf 1 ECX: CX16, POPCNT, plus the SSE module's bits. Never OSXSAVE,
/// AVX, XSAVE or MOVBE.
pub const LEAF1_ECX: u32 = 1 << 13 | 1 << 23 | sse::CPUID_1_ECX;
/// Leaf 7 sub-leaf 0 EBX: none (BMI1 and BMI2 are not implemented).
pub const LEAF7_EBX: u32 = 0;
/// Leaf 0x80000001 ECX: LAHF/SAHF in 64-bit mode (bit 0), LZCNT (bit 5).
pub const EXT1_ECX: u32 = 1 << 0 | 1 << 5;
/// Leaf 0x80000001 EDX: SYSCALL (bit 11), NX (bit 20), long mode (bit 29).
pub const EXT1_EDX: u32 = 1 << 11 | 1 << 20 | 1 << 29;

/// The processor brand string (leaves 0x80000002..=0x80000004).
const BRAND: &[u8] = b"c2w-aot virtual CPU";

/// Four little-endian bytes of `s` from `at` (zero past its end).
const fn chars(s: &[u8], at: usize) -> u32 {
    let mut v = 0u32;
    let mut k = 0;
    while k < 4 {
        if at + k < s.len() {
            v |= (s[at + k] as u32) << (8 * k);
        }
        k += 1;
    }
    v
}

/// Brand leaf `n` (0..3): 16 bytes of the brand string in eax, ebx, ecx,
/// edx.
const fn brand(n: usize) -> [u32; 4] {
    let at = 16 * n;
    [
        chars(BRAND, at),
        chars(BRAND, at + 4),
        chars(BRAND, at + 8),
        chars(BRAND, at + 12),
    ]
}

/// One answer: leaf (eax), sub-leaf (ecx) if the leaf has sub-leaves, and
/// eax, ebx, ecx, edx.
pub struct Leaf {
    pub leaf: u32,
    pub subleaf: Option<u32>,
    pub regs: [u32; 4],
}

/// Every leaf that is not all zeros.
pub const LEAVES: &[Leaf] = &[
    // Highest basic leaf; "GenuineIntel" in ebx, edx, ecx.
    Leaf {
        leaf: 0,
        subleaf: None,
        regs: [
            7,
            chars(b"GenuineIntel", 0),
            chars(b"GenuineIntel", 8),
            chars(b"GenuineIntel", 4),
        ],
    },
    // Family 6 model 0x3a stepping 9; 64-byte clflush lines, one logical
    // processor.
    Leaf {
        leaf: 1,
        subleaf: None,
        regs: [0x0003_06a9, 0x0001_0800, LEAF1_ECX, LEAF1_EDX],
    },
    Leaf {
        leaf: 7,
        subleaf: Some(0),
        regs: [0, LEAF7_EBX, 0, 0],
    },
    Leaf {
        leaf: 0x8000_0000,
        subleaf: None,
        regs: [0x8000_0004, 0, 0, 0],
    },
    Leaf {
        leaf: 0x8000_0001,
        subleaf: None,
        regs: [0, 0, EXT1_ECX, EXT1_EDX],
    },
    Leaf {
        leaf: 0x8000_0002,
        subleaf: None,
        regs: brand(0),
    },
    Leaf {
        leaf: 0x8000_0003,
        subleaf: None,
        regs: brand(1),
    },
    Leaf {
        leaf: 0x8000_0004,
        subleaf: None,
        regs: brand(2),
    },
];

/// eax, ebx, ecx, edx for `cpuid` with `leaf` in eax and `subleaf` in ecx.
pub fn query(leaf: u32, subleaf: u32) -> [u32; 4] {
    LEAVES
        .iter()
        .find(|l| l.leaf == leaf && l.subleaf.is_none_or(|s| s == subleaf))
        .map_or([0; 4], |l| l.regs)
}
