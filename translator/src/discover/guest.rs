//! What discovery needs to know of a guest ISA beyond [`Isa`].

use c2w_isa::riscv64::{self, Riscv64};
use c2w_isa::x86_64::{self, X86_64};
use c2w_isa::Isa;
use goblin::elf::header;

/// A guest ISA as code discovery sees it.
pub trait Guest: Isa {
    /// The ELF `e_machine` of its programs.
    const E_MACHINE: u16;

    /// The length of the alignment padding that starts `bytes` (the code
    /// at `pc`), if it is padding: compilers and linkers fill the gaps
    /// between functions with it.
    fn padding(bytes: &[u8], pc: u64) -> Option<u64>;

    /// An address that `inst` at `pc`, with the instructions just before it
    /// (`recent`, oldest first), puts in a register or uses as the base of a
    /// memory operand: a jump table's address, if the function has one.
    fn address_constant(recent: &[(u64, Self::Inst)], inst: &Self::Inst, pc: u64)
        -> Option<u64>;
}

impl Guest for Riscv64 {
    const E_MACHINE: u16 = header::EM_RISCV;

    /// Zero bytes (`c.unimp`), `c.nop`, `nop` or `unimp`.
    fn padding(bytes: &[u8], _pc: u64) -> Option<u64> {
        let low = u16::from_le_bytes([*bytes.first()?, *bytes.get(1)?]);
        match low {
            0x0000 | 0x0001 => return Some(2),
            _ if low & 3 != 3 => return None,
            _ => {}
        }
        let word = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?);
        matches!(word, 0x0000_0013 | 0xc000_1073).then_some(4)
    }

    /// `lui`/`auipc` then an `addi` of the same register.
    fn address_constant(recent: &[(u64, riscv64::Inst)], inst: &riscv64::Inst, _pc: u64) -> Option<u64> {
        recent
            .iter()
            .find_map(|(at, first)| riscv64::address_constant(first, *at, inst).map(|(_, a)| a))
    }
}

impl Guest for X86_64 {
    const E_MACHINE: u16 = header::EM_X86_64;

    /// Every form of `nop` (the multi-byte ones included), and `int3`,
    /// which some linkers fill gaps with.
    fn padding(bytes: &[u8], pc: u64) -> Option<u64> {
        let inst = x86_64::decode(bytes, pc)?;
        x86_64::is_padding(&inst).then(|| u64::from(inst.len()))
    }

    /// A RIP-relative `lea` (position-independent tables: gcc's
    /// `lea T(%rip), %reg; movslq (%reg,%idx,4), ...; add; jmp *`), or the
    /// displacement of an indexed memory operand (absolute tables:
    /// `jmp *T(,%idx,8)`, `mov T(,%idx,8), %reg`).
    fn address_constant(_recent: &[(u64, x86_64::Inst)], inst: &x86_64::Inst, _pc: u64) -> Option<u64> {
        x86_64::table_address(inst)
    }
}
