//! The entry table and the generated functions that search it.
//!
//! Every entry of every translated function is a slot of a hash table in
//! linear memory (the runtime copies it from a data segment and publishes
//! its address in `Links`): 16 bytes, the guest pc (0: empty), the
//! function's ordinal (u32) and the entry's index (u32). Slots are found by
//! linear probing from `hash(pc)`; the table is at most half full, so a
//! search always meets an empty slot.
//!
//! The generated functions:
//! * `probe(pc: i64) -> i64`: `function << 32 | entry`, or -1;
//! * `find(pc: i64) -> i64`: `probe` that counts lookups and misses in
//!   `Links` (translated code's indirect branches, for `C2W_STATS`);
//! * `call_pc(pc: i64) -> i64` / the runtime's `c2w.enter`: run the entry at
//!   `pc` through `call_indirect` and return its result, or return `pc` when
//!   there is none (with or without counting);
//! * the runtime's `c2w.lookup(pc: i64) -> i32`: whether `pc` is an entry.

use c2w_syscalls::layout::{Links, LINKS_ADDR};
use wasm_encoder::{BlockType, Function, Instruction as I, MemArg, ValType};

/// Multiplier of the hash (Fibonacci hashing).
const HASH_MUL: u64 = 0x9E37_79B9_7F4A_7C15;

/// Slot of `pc` before probing (masked by the slot count - 1).
fn hash(pc: u64) -> u32 {
    ((pc >> 1).wrapping_mul(HASH_MUL) >> 32) as u32
}

/// Bit 31 of the entry index (`lift::INTERNAL_ENTRY`) in `probe`'s result.
const INTERNAL_BIT: i64 = crate::lift::INTERNAL_ENTRY as i64;

/// Bytes per slot.
const SLOT: usize = 16;

/// The entry table for `entries` (guest pc, function ordinal, entry index;
/// pcs unique and non-zero): its bytes and slot count.
pub fn table(entries: &[(u64, u32, u32)]) -> (Vec<u8>, u32) {
    let slots = (entries.len() * 2).next_power_of_two().max(16);
    let mask = slots - 1;
    let mut bytes = vec![0u8; slots * SLOT];
    for &(pc, function, entry) in entries {
        let mut h = hash(pc) as usize;
        loop {
            let at = (h & mask) * SLOT;
            let slot = &mut bytes[at..at + SLOT];
            if slot[..8] == [0; 8] {
                slot[..8].copy_from_slice(&pc.to_le_bytes());
                slot[8..12].copy_from_slice(&function.to_le_bytes());
                slot[12..].copy_from_slice(&entry.to_le_bytes());
                break;
            }
            h += 1;
        }
    }
    (bytes, slots as u32)
}

/// A memory access at a fixed linear address (`offset`).
fn at(offset: u64, align: u32) -> MemArg {
    MemArg {
        offset,
        align,
        memory_index: 0,
    }
}

fn links(field: u32) -> u64 {
    LINKS_ADDR + u64::from(field)
}

/// `probe(pc: i64) -> i64`.
pub fn probe() -> Function {
    // Locals: 1 = probe position (i32), 2 = slot address (i32).
    let mut f = Function::new([(2, ValType::I32)]);
    let body = [
        I::LocalGet(0),
        I::I64Const(1),
        I::I64ShrU,
        I::I64Const(HASH_MUL as i64),
        I::I64Mul,
        I::I64Const(32),
        I::I64ShrU,
        I::I32WrapI64,
        I::LocalSet(1),
        I::Loop(BlockType::Empty),
        // slot = table + (h & mask) * 16
        I::I32Const(0),
        I::I32Load(at(links(Links::TABLE), 2)),
        I::LocalGet(1),
        I::I32Const(0),
        I::I32Load(at(links(Links::MASK), 2)),
        I::I32And,
        I::I32Const(4),
        I::I32Shl,
        I::I32Add,
        I::LocalTee(2),
        I::I64Load(at(0, 3)),
        I::LocalGet(0),
        I::I64Eq,
        I::If(BlockType::Empty),
        // function | entry << 32, rotated to function << 32 | entry.
        I::LocalGet(2),
        I::I64Load(at(8, 3)),
        I::I64Const(32),
        I::I64Rotl,
        I::Return,
        I::End,
        I::LocalGet(2),
        I::I64Load(at(0, 3)),
        I::I64Eqz,
        I::If(BlockType::Empty),
        I::I64Const(-1),
        I::Return,
        I::End,
        I::LocalGet(1),
        I::I32Const(1),
        I::I32Add,
        I::LocalSet(1),
        I::Br(0),
        I::End,
        I::Unreachable,
        I::End,
    ];
    for i in &body {
        f.instruction(i);
    }
    f
}

/// Adds 1 to the `Links` counter at `field`.
fn count(f: &mut Function, field: u32) {
    for i in [
        I::I32Const(0),
        I::I32Const(0),
        I::I64Load(at(links(field), 3)),
        I::I64Const(1),
        I::I64Add,
        I::I64Store(at(links(field), 3)),
    ] {
        f.instruction(&i);
    }
}

/// `find(pc: i64) -> i64`: `probe` (function `probe_index`) counting
/// lookups and misses.
pub fn find(probe_index: u32) -> Function {
    let mut f = Function::new([(1, ValType::I64)]);
    count(&mut f, Links::LOOKUPS);
    for i in [
        I::LocalGet(0),
        I::Call(probe_index),
        I::LocalTee(1),
        I::I64Const(0),
        I::I64LtS,
        I::If(BlockType::Empty),
    ] {
        f.instruction(&i);
    }
    count(&mut f, Links::MISSES);
    for i in [I::End, I::LocalGet(1), I::End] {
        f.instruction(&i);
    }
    f
}

/// `(pc: i64) -> i64`: looks `pc` up with function `finder` (`probe` or
/// `find`) and runs the entry found through `call_indirect` of type
/// `entry_type` in table 0, whose translated functions start at slot
/// `first_slot`; returns `pc` when there is no entry.
pub fn call_pc(finder: u32, entry_type: u32, first_slot: u32) -> Function {
    let mut f = Function::new([(1, ValType::I64)]);
    let body = [
        I::LocalGet(0),
        I::Call(finder),
        I::LocalTee(1),
        // Missing, or internal (bit 31 of the entry index).
        I::I64Const(INTERNAL_BIT),
        I::I64And,
        I::I64Const(0),
        I::I64Ne,
        I::LocalGet(1),
        I::I64Const(0),
        I::I64LtS,
        I::I32Or,
        I::If(BlockType::Empty),
        I::LocalGet(0),
        I::Return,
        I::End,
        // call_indirect (entry) table[first_slot + function]
        I::LocalGet(1),
        I::I32WrapI64,
        I::LocalGet(1),
        I::I64Const(32),
        I::I64ShrU,
        I::I32WrapI64,
        I::I32Const(first_slot as i32),
        I::I32Add,
        I::CallIndirect {
            type_index: entry_type,
            table_index: 0,
        },
        I::End,
    ];
    for i in &body {
        f.instruction(i);
    }
    f
}

/// `lookup(pc: i64) -> i32`: whether `probe` (function `probe_index`)
/// finds `pc` as an entry others may enter.
pub fn lookup(probe_index: u32) -> Function {
    let mut f = Function::new([(1, ValType::I64)]);
    for i in [
        I::LocalGet(0),
        I::Call(probe_index),
        I::LocalTee(1),
        I::I64Const(0),
        I::I64GeS,
        I::LocalGet(1),
        I::I64Const(INTERNAL_BIT),
        I::I64And,
        I::I64Eqz,
        I::I32And,
        I::End,
    ] {
        f.instruction(&i);
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table holds every entry where a linear probe from its hash finds
    /// it first.
    #[test]
    fn table_finds_every_entry() {
        let entries: Vec<_> = (0..1000u64)
            .map(|i| (0x10000 + i * 6, i as u32 % 7, i as u32))
            .collect();
        let (bytes, slots) = table(&entries);
        assert!(slots as usize >= entries.len() * 2);
        let mask = slots as usize - 1;
        for &(pc, function, entry) in &entries {
            let mut h = hash(pc) as usize;
            loop {
                let at = (h & mask) * SLOT;
                let key = u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
                assert_ne!(key, 0, "{pc:#x} not found");
                if key == pc {
                    assert_eq!(
                        u32::from_le_bytes(bytes[at + 8..at + 12].try_into().unwrap()),
                        function
                    );
                    assert_eq!(
                        u32::from_le_bytes(bytes[at + 12..at + 16].try_into().unwrap()),
                        entry
                    );
                    break;
                }
                h += 1;
            }
        }
    }
}
