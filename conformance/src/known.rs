//! `known-failures.txt`: tests that fail for a known reason not yet fixed,
//! per target. Each line is `TARGET NAME REASON`:
//!
//! * TARGET: a target (`riscv64`, `x86_64-glibc`, `x86_64-musl`), an ISA
//!   (`x86_64`: both of its C libraries) or `*` (every target);
//! * NAME: a test name without the target prefix (`c/signals/O2/aot`), or a
//!   prefix of such names ending in `/` (`c/signals/`);
//! * REASON: what the failure looks like and why, one line.
//!
//! Blank lines and lines starting with `#` are comments.

use anyhow::{bail, Context as _, Result};

use crate::target::{Target, TARGETS};

/// The list, as committed.
pub const KNOWN_FAILURES: &str = include_str!("../known-failures.txt");

/// One line of the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The targets the line is about.
    pub targets: Vec<Target>,
    /// A test name (without the target prefix), or a prefix ending in `/`.
    pub name: String,
    pub reason: String,
    /// The line's number in the file, 1-based.
    pub line: usize,
}

impl Entry {
    /// Whether the test named `test` (with its target prefix) is listed.
    pub fn matches(&self, test: &str) -> bool {
        let (target, name) = Target::of_test(test);
        self.targets.contains(&target)
            && (name == self.name || (self.name.ends_with('/') && name.starts_with(&self.name)))
    }
}

/// Parses the list's text.
pub fn parse(text: &str) -> Result<Vec<Entry>> {
    let mut entries = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.splitn(3, char::is_whitespace);
        let (Some(target), Some(name)) = (words.next(), words.next()) else {
            bail!("known-failures.txt:{line_no}: expected TARGET NAME REASON");
        };
        let reason = words.next().unwrap_or_default().trim().to_owned();
        let targets: Vec<Target> = match target {
            "*" => TARGETS.to_vec(),
            t => match Target::from_name(t) {
                Some(target) => vec![target],
                None => TARGETS
                    .iter()
                    .copied()
                    .filter(|x| x.arch().name() == t)
                    .collect(),
            },
        };
        if targets.is_empty() {
            bail!("known-failures.txt:{line_no}: unknown target {target:?}");
        }
        if reason.is_empty() {
            bail!("known-failures.txt:{line_no}: {name} has no reason");
        }
        entries.push(Entry {
            targets,
            name: name.to_owned(),
            reason,
            line: line_no,
        });
    }
    Ok(entries)
}

/// The committed list, parsed.
pub fn entries() -> Result<Vec<Entry>> {
    parse(KNOWN_FAILURES).context("in known-failures.txt")
}

/// The first entry listing the test named `test`.
pub fn find<'a>(entries: &'a [Entry], test: &str) -> Option<&'a Entry> {
    entries.iter().find(|e| e.matches(test))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_name_a_target_a_test_or_prefix_and_a_reason() {
        let entries = parse(
            "# comment\n\nriscv64 c/signals/ no handlers\n\
             x86_64 c/jit/O2/aot  code changes at run time\n\
             x86_64-musl busybox/ all of them\n* node/x/aot why\n",
        )
        .unwrap();
        assert_eq!(entries.len(), 4);
        let listed = |test: &str| find(&entries, test).map(|e| e.line);
        assert_eq!(listed("c/signals/O0/interp"), Some(3));
        assert_eq!(listed("x86_64-glibc/c/signals/O0/interp"), None);
        assert_eq!(listed("x86_64-glibc/c/jit/O2/aot"), Some(4));
        assert_eq!(listed("x86_64-musl/c/jit/O2/aot"), Some(4));
        assert_eq!(listed("c/jit/O2/aot"), None);
        assert_eq!(listed("x86_64-musl/c/jit/O2/aotx"), None);
        assert_eq!(listed("x86_64-musl/busybox/ls/aot"), Some(5));
        assert_eq!(listed("x86_64-glibc/busybox/ls/aot"), None);
        assert_eq!(listed("node/x/aot"), Some(6));
        assert_eq!(listed("x86_64-musl/node/x/aot"), Some(6));
        assert_eq!(entries[1].reason, "code changes at run time");
    }

    #[test]
    fn bad_lines_are_errors() {
        assert!(parse("c/signals/ reason without a target\n").is_err());
        assert!(parse("arm64 c/x/ reason\n").is_err());
        assert!(parse("riscv64 c/x/\n").is_err());
    }

    #[test]
    fn the_committed_list_parses_and_names_existing_programs() {
        let programs = crate::cprog::discover(&crate::cprog::programs_dir()).unwrap();
        for entry in entries().unwrap() {
            if let Some(rest) = entry.name.strip_prefix("c/") {
                let program = rest.split('/').next().unwrap_or_default();
                assert!(
                    programs.iter().any(|p| p.name == program),
                    "known-failures.txt:{}: no program {program}",
                    entry.line
                );
            } else {
                assert!(
                    ["busybox/", "node/", "rust/"]
                        .iter()
                        .any(|k| entry.name.starts_with(k)),
                    "known-failures.txt:{}: {} is no test kind",
                    entry.line,
                    entry.name
                );
            }
        }
    }
}
