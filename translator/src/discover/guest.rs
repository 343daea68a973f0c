//! What discovery needs to know of a guest ISA beyond [`Isa`].

use c2w_isa::riscv64::{self, Riscv64};
use c2w_isa::x86_64::{self, X86_64};
use c2w_isa::Isa;
use goblin::elf::header;

/// A guest ISA as code discovery sees it.
pub trait Guest: Isa {
    /// The ELF `e_machine` of its programs.
    const E_MACHINE: u16;
    /// The ELF relocation type `R_*_RELATIVE` (base + addend), which a
    /// static-pie program applies to itself at startup.
    const R_RELATIVE: u32;

    /// The length of the alignment padding that starts `bytes` (the code
    /// at `pc`), if it is padding: compilers and linkers fill the gaps
    /// between functions with it.
    fn padding(bytes: &[u8], pc: u64) -> Option<u64>;

    /// An address that `inst` at `pc`, with the instructions just before it
    /// (`recent`, oldest first), puts in a register or uses as the base of a
    /// memory operand: a jump table's address, if the function has one.
    fn address_constant(recent: &[(u64, Self::Inst)], inst: &Self::Inst, pc: u64) -> Option<u64>;

    /// What `c2w-aot inspect` calls an illegal instruction (see
    /// [`Isa::is_illegal`]) when it lists them: its mnemonic, or for an
    /// encoding without one, its disassembly.
    fn mnemonic(inst: &Self::Inst) -> String;

    /// Whether illegal `inst` traps on purpose (`ud2`, `c.unimp`): compilers
    /// put these after calls that do not return and in `abort` paths. Such
    /// instructions are not listed as unimplemented.
    fn is_deliberate_trap(inst: &Self::Inst) -> bool;
}

impl Guest for Riscv64 {
    const E_MACHINE: u16 = header::EM_RISCV;
    const R_RELATIVE: u32 = goblin::elf::reloc::R_RISCV_RELATIVE;

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
    fn address_constant(
        recent: &[(u64, riscv64::Inst)],
        inst: &riscv64::Inst,
        _pc: u64,
    ) -> Option<u64> {
        recent
            .iter()
            .find_map(|(at, first)| riscv64::address_constant(first, *at, inst).map(|(_, a)| a))
    }

    /// The disassembly: `.4byte 0x...` names the encoding.
    fn mnemonic(inst: &riscv64::Inst) -> String {
        inst.to_string()
    }

    /// `c.unimp` (two zero bytes).
    fn is_deliberate_trap(inst: &riscv64::Inst) -> bool {
        inst.to_string() == "c.unimp"
    }
}

impl Guest for X86_64 {
    const E_MACHINE: u16 = header::EM_X86_64;
    const R_RELATIVE: u32 = goblin::elf::reloc::R_X86_64_RELATIVE;

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
    fn address_constant(
        _recent: &[(u64, x86_64::Inst)],
        inst: &x86_64::Inst,
        _pc: u64,
    ) -> Option<u64> {
        x86_64::table_address(inst)
    }

    /// iced-x86's mnemonic in lower case (`vaddps`), `(bad)` for an
    /// undefined encoding.
    fn mnemonic(inst: &x86_64::Inst) -> String {
        match format!("{:?}", inst.mnemonic()).to_ascii_lowercase() {
            invalid if invalid == "invalid" => "(bad)".to_string(),
            name => name,
        }
    }

    /// `ud2`, `ud0`, `ud1` and `hlt`.
    fn is_deliberate_trap(inst: &x86_64::Inst) -> bool {
        matches!(Self::mnemonic(inst).as_str(), "ud2" | "ud0" | "ud1" | "hlt")
    }
}
