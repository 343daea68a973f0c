//! Placeholder until code discovery lands.
use c2w_isa::riscv64::{decode, Inst};
pub struct Code<'a> { pub segs: Vec<(u64, &'a [u8])> }
impl<'a> Code<'a> {
    pub fn fetch(&self, pc: u64) -> Option<u32> {
        for (va, b) in &self.segs { if pc >= *va && pc + 2 <= va + b.len() as u64 { let o = (pc - va) as usize; let lo = u16::from_le_bytes([b[o], b[o+1]]) as u32; if lo & 3 != 3 { return Some(lo) } if o + 4 > b.len() { return None } return Some(u32::from_le_bytes([b[o],b[o+1],b[o+2],b[o+3]])) } }
        None
    }
    pub fn decode(&self, pc: u64) -> Option<Inst> { self.fetch(pc).map(decode) }
}
pub struct Block { pub start: u64, pub end: u64 }
pub struct Function { pub start: u64, pub blocks: Vec<Block>, pub entries: Vec<u64> }
pub fn discover(_b: &[u8]) -> anyhow::Result<Discovery<'_>> { anyhow::bail!("not yet") }
pub struct Discovery<'a> { pub code: Code<'a>, pub functions: Vec<Function> }
