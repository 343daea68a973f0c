//! The guest ISA's side of the ABI, chosen by [`Arch`]: syscall numbers,
//! the layouts that differ between ISAs, and what the process is told about
//! its machine. The rest of the kernel asks here instead of naming an ISA.

use c2w_isa::Arch;

use crate::linux::{SigAction, Stat};
use crate::table::Sys;
use crate::{riscv64, x86_64};

/// The syscall numbered `nr` on `arch`, if the kernel knows it.
pub fn sys(arch: Arch, nr: u64) -> Option<Sys> {
    match arch {
        Arch::Riscv64 => riscv64::sys(nr),
        Arch::X86_64 => x86_64::sys(nr),
    }
}

/// `sys`'s number on `arch`, if `arch` has it.
pub fn number(arch: Arch, sys: Sys) -> Option<u64> {
    match arch {
        Arch::Riscv64 => riscv64::number(sys),
        Arch::X86_64 => x86_64::number(sys),
    }
}

/// `uname -m` and `AT_PLATFORM`.
pub fn machine(arch: Arch) -> &'static str {
    match arch {
        Arch::Riscv64 => riscv64::MACHINE,
        Arch::X86_64 => x86_64::MACHINE,
    }
}

/// `struct stat` as `arch` lays it out.
pub fn encode_stat(arch: Arch, st: &Stat) -> Vec<u8> {
    match arch {
        Arch::Riscv64 => riscv64::encode_stat(st).to_vec(),
        Arch::X86_64 => x86_64::encode_stat(st).to_vec(),
    }
}

/// Size of `arch`'s `struct stat`.
pub fn stat_size(arch: Arch) -> usize {
    match arch {
        Arch::Riscv64 => riscv64::STAT_SIZE,
        Arch::X86_64 => x86_64::STAT_SIZE,
    }
}

/// Size of `arch`'s kernel `struct sigaction`.
pub fn sigaction_size(arch: Arch) -> usize {
    match arch {
        Arch::Riscv64 => riscv64::SIGACTION_SIZE,
        Arch::X86_64 => x86_64::SIGACTION_SIZE,
    }
}

/// Decodes `arch`'s `struct sigaction` from `b` (of [`sigaction_size`]
/// bytes).
pub fn decode_sigaction(arch: Arch, b: &[u8]) -> SigAction {
    match arch {
        Arch::Riscv64 => riscv64::decode_sigaction(b.try_into().expect("sigaction size")),
        Arch::X86_64 => x86_64::decode_sigaction(b.try_into().expect("sigaction size")),
    }
}

/// Encodes `arch`'s `struct sigaction`.
pub fn encode_sigaction(arch: Arch, a: &SigAction) -> Vec<u8> {
    match arch {
        Arch::Riscv64 => riscv64::encode_sigaction(a).to_vec(),
        Arch::X86_64 => x86_64::encode_sigaction(a).to_vec(),
    }
}

/// `MINSIGSTKSZ`, also `AT_MINSIGSTKSZ`.
pub fn minsigstksz(arch: Arch) -> u64 {
    match arch {
        Arch::Riscv64 => riscv64::MINSIGSTKSZ,
        Arch::X86_64 => x86_64::MINSIGSTKSZ,
    }
}

/// `AT_HWCAP`.
pub fn hwcap(arch: Arch) -> u64 {
    match arch {
        Arch::Riscv64 => riscv64::HWCAP,
        Arch::X86_64 => x86_64::hwcap(),
    }
}
