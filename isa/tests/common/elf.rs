//! Just enough ELF64 parsing for tests: find a section's address and bytes.

fn u16_at(b: &[u8], at: usize) -> usize {
    u16::from_le_bytes(b[at..at + 2].try_into().unwrap()) as usize
}
fn u32_at(b: &[u8], at: usize) -> usize {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap()) as usize
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

/// The address and contents of section `name` of the little-endian ELF64
/// file `elf`.
pub fn section<'a>(elf: &'a [u8], name: &str) -> Option<(u64, &'a [u8])> {
    assert_eq!(
        &elf[..6],
        b"\x7fELF\x02\x01",
        "not a little-endian ELF64 file"
    );
    let (shoff, shentsize) = (u64_at(elf, 0x28) as usize, u16_at(elf, 0x3a));
    let (shnum, shstrndx) = (u16_at(elf, 0x3c), u16_at(elf, 0x3e));
    let header = |i: usize| shoff + i * shentsize;
    let names = u64_at(elf, header(shstrndx) + 0x18) as usize;
    (0..shnum).find_map(|i| {
        let h = header(i);
        let start = names + u32_at(elf, h);
        let end = start + elf[start..].iter().position(|&c| c == 0)?;
        if &elf[start..end] != name.as_bytes() {
            return None;
        }
        let (offset, size) = (
            u64_at(elf, h + 0x18) as usize,
            u64_at(elf, h + 0x20) as usize,
        );
        Some((u64_at(elf, h + 0x10), &elf[offset..offset + size]))
    })
}
