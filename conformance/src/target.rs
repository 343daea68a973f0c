//! The guest targets the suite covers: which compiler builds a program for
//! it, what runs it as the reference, and how its tests are named.
//!
//! * `riscv64`: `riscv64-linux-gnu-gcc -static` (glibc), run under
//!   `qemu-riscv64`;
//! * `x86_64-glibc`: `gcc -static`, run natively (the host is x86_64);
//! * `x86_64-musl`: `musl-gcc -static`, run natively.
//!
//! Test names of riscv64 are unprefixed (`c/PROGRAM/OPT/MODE`, as they have
//! always been); the others start with the target's name
//! (`x86_64-glibc/c/PROGRAM/OPT/MODE`).

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;

use crate::invocation::Invocation;
use crate::outcome::Outcome;
use crate::reference::Runner;
use crate::tools::{CC, QEMU};

/// A guest ISA and C library.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    Riscv64,
    X86_64Glibc,
    X86_64Musl,
}

/// Every target, riscv64 first.
pub const TARGETS: &[Target] = &[Target::Riscv64, Target::X86_64Glibc, Target::X86_64Musl];

/// The instruction set of a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arch {
    Riscv64,
    X86_64,
}

impl Arch {
    pub fn name(self) -> &'static str {
        match self {
            Arch::Riscv64 => "riscv64",
            Arch::X86_64 => "x86_64",
        }
    }

    /// What `std::env::consts::ARCH` says on a host of this ISA.
    fn host_name(self) -> &'static str {
        self.name()
    }
}

impl Target {
    /// The name used in test names and in `known-failures.txt`.
    pub fn name(self) -> &'static str {
        match self {
            Target::Riscv64 => "riscv64",
            Target::X86_64Glibc => "x86_64-glibc",
            Target::X86_64Musl => "x86_64-musl",
        }
    }

    /// The target named `name`, if any.
    pub fn from_name(name: &str) -> Option<Target> {
        TARGETS.iter().copied().find(|t| t.name() == name)
    }

    pub fn arch(self) -> Arch {
        match self {
            Target::Riscv64 => Arch::Riscv64,
            Target::X86_64Glibc | Target::X86_64Musl => Arch::X86_64,
        }
    }

    /// What runs the target's executables as the reference.
    pub fn runner(self) -> Runner {
        if self.arch().host_name() == std::env::consts::ARCH {
            Runner::Native
        } else {
            match self.arch() {
                Arch::Riscv64 => Runner::Qemu(QEMU),
                Arch::X86_64 => Runner::Qemu("qemu-x86_64"),
            }
        }
    }

    /// The C compiler for the target's test programs.
    pub fn cc(self) -> &'static str {
        match self {
            Target::Riscv64 => CC,
            Target::X86_64Glibc => "gcc",
            Target::X86_64Musl => "musl-gcc",
        }
    }

    /// The tools the target's C programs need: the compiler and, for a
    /// foreign ISA, qemu-user.
    pub fn tools(self) -> Vec<&'static str> {
        let mut tools = vec![self.cc()];
        tools.extend(self.runner().tool());
        tools
    }

    /// The prefix of the target's test names: empty for riscv64 (whose
    /// names predate the other targets), else `TARGET/`.
    pub fn test_prefix(self) -> String {
        match self {
            Target::Riscv64 => String::new(),
            other => format!("{}/", other.name()),
        }
    }

    /// The target's cache directory for compiled programs under `cache`.
    pub fn cache(self, cache: &Path) -> PathBuf {
        match self {
            Target::Riscv64 => cache.join("programs"),
            other => cache.join(format!("programs-{}", other.name())),
        }
    }

    /// Runs `exe` (built for this target) as the reference with `inv`.
    pub fn reference(self, exe: &Path, inv: &Invocation, limit: Duration) -> Result<Outcome> {
        self.runner().run(exe, inv, limit)
    }

    /// The target a test name belongs to, and the name without the target.
    pub fn of_test(name: &str) -> (Target, &str) {
        for &target in TARGETS {
            if target == Target::Riscv64 {
                continue;
            }
            if let Some(rest) = name
                .strip_prefix(target.name())
                .and_then(|r| r.strip_prefix('/'))
            {
                return (target, rest);
            }
        }
        (Target::Riscv64, name)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_names_carry_the_target_except_riscv64() {
        assert_eq!(
            Target::of_test("c/a/O2/aot"),
            (Target::Riscv64, "c/a/O2/aot")
        );
        assert_eq!(
            Target::of_test("x86_64-musl/c/a/O2/aot"),
            (Target::X86_64Musl, "c/a/O2/aot")
        );
        for &t in TARGETS {
            let name = format!("{}busybox/x/aot", t.test_prefix());
            assert_eq!(Target::of_test(&name), (t, "busybox/x/aot"));
            assert_eq!(Target::from_name(t.name()), Some(t));
        }
    }

    #[test]
    fn x86_64_runs_natively_on_an_x86_64_host() {
        if std::env::consts::ARCH == "x86_64" {
            assert_eq!(Target::X86_64Glibc.runner(), Runner::Native);
            assert_eq!(Target::Riscv64.runner(), Runner::Qemu(QEMU));
        }
    }
}
