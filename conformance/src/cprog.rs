//! The C test programs in `programs/`: their specs and their compilation.
//!
//! A program's leading `//` comment may hold spec lines, `// key: value`:
//!
//! * `args: a "b c" ""` - arguments (whitespace-separated, `"` quotes);
//! * `env: K=V` - an environment variable (repeatable);
//! * `stdin: text` - a line of standard input (repeatable; each line gets a
//!   newline);
//! * `dir: mount` - a fresh empty host directory is mounted, and its guest
//!   path passed as the first argument; what the program leaves in it is
//!   compared too;
//! * `dir: overlay` - the first argument is a guest path that does not
//!   exist, for the program to create (in the image's overlay when
//!   translated);
//! * `arch: riscv64` - the ISAs the program is written for (its inline
//!   assembly), space-separated; without the line, every target's.
//!
//! Other comment lines are prose.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, ensure, Context as _, Result};

use crate::invocation::{Invocation, Scratch};
use crate::target::{Arch, Target};
use crate::tools;

/// Where a program's scratch directory comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Dir {
    #[default]
    None,
    Mount,
    Overlay,
}

/// What a program is run with (see the module documentation).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Spec {
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub stdin: Vec<u8>,
    pub dir: Dir,
    /// The ISAs the program is for; empty: all.
    pub arch: Vec<Arch>,
}

impl Spec {
    /// Reads the spec lines of a program's leading comment.
    pub fn parse(source: &str) -> Result<Self> {
        let mut spec = Spec::default();
        for line in source.lines() {
            let Some(comment) = line.strip_prefix("//") else {
                break;
            };
            let comment = comment.strip_prefix(' ').unwrap_or(comment);
            let Some((key, value)) = comment.split_once(':') else {
                continue;
            };
            let value = value.strip_prefix(' ').unwrap_or(value);
            match key {
                "args" => spec.args.extend(split_args(value)?),
                "env" => {
                    let (k, v) = value
                        .split_once('=')
                        .with_context(|| format!("env line without '=': {value}"))?;
                    spec.env.push((k.to_owned(), v.to_owned()));
                }
                "stdin" => {
                    spec.stdin.extend_from_slice(value.as_bytes());
                    spec.stdin.push(b'\n');
                }
                "dir" => {
                    spec.dir = match value.trim() {
                        "mount" => Dir::Mount,
                        "overlay" => Dir::Overlay,
                        other => bail!("unknown dir kind {other:?} (mount or overlay)"),
                    }
                }
                "arch" => {
                    for name in value.split_whitespace() {
                        let arch = [Arch::Riscv64, Arch::X86_64]
                            .into_iter()
                            .find(|a| a.name() == name)
                            .with_context(|| format!("unknown arch {name:?}"))?;
                        spec.arch.push(arch);
                    }
                }
                _ => {}
            }
        }
        Ok(spec)
    }
}

/// Splits on whitespace; double quotes group words and allow empty ones.
pub fn split_args(text: &str) -> Result<Vec<String>> {
    let mut args = Vec::new();
    let mut current: Option<String> = None;
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.get_or_insert_with(String::new);
            }
            c if c.is_whitespace() && !quoted => args.extend(current.take()),
            c => current.get_or_insert_with(String::new).push(c),
        }
    }
    ensure!(!quoted, "unbalanced quote in {text:?}");
    args.extend(current);
    Ok(args)
}

/// A C test program.
#[derive(Clone, Debug)]
pub struct Program {
    pub name: String,
    pub source: PathBuf,
    pub spec: Spec,
}

impl Program {
    /// Whether the program can be built for `target`.
    pub fn supports(&self, target: Target) -> bool {
        self.spec.arch.is_empty() || self.spec.arch.contains(&target.arch())
    }

    /// How the reference side runs the program: the spec's arguments,
    /// environment and standard input, with the scratch path first for
    /// programs that use one (mounted from `scratch`'s reference directory
    /// for [`Dir::Mount`]). Other sides replace the mount's host directory.
    pub fn invocation(&self, scratch: &Scratch) -> Result<Invocation> {
        let mut invocation = Invocation {
            args: self.spec.args.clone(),
            env: self.spec.env.clone(),
            stdin: self.spec.stdin.clone(),
            mount: None,
        };
        match self.spec.dir {
            Dir::None => {}
            Dir::Mount => {
                invocation.mount = Some(scratch.mount(&scratch.reference()?));
                invocation.args.insert(0, scratch.guest.clone());
            }
            Dir::Overlay => invocation.args.insert(0, scratch.fresh_guest_path("work")),
        }
        Ok(invocation)
    }
}

/// The directory holding the C programs.
pub fn programs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("programs")
}

/// Every `*.c` file of `dir` with its spec, sorted by name.
pub fn discover(dir: &Path) -> Result<Vec<Program>> {
    discover_sources(dir, "c")
}

/// Every file of `dir` whose extension is `ext` with its spec (its leading
/// `//` comment, whatever the language), sorted by name.
pub fn discover_sources(dir: &Path, ext: &str) -> Result<Vec<Program>> {
    let mut programs = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != ext) {
            continue;
        }
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .context("program names are UTF-8")?
            .to_owned();
        let text = fs::read_to_string(&path)?;
        let spec =
            Spec::parse(&text).with_context(|| format!("in the spec of {}", path.display()))?;
        programs.push(Program {
            name,
            source: path,
            spec,
        });
    }
    programs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(programs)
}

/// Optimisation levels every program is compiled at.
pub const OPT_LEVELS: &[&str] = &["O0", "O2"];

/// Compiles `program` for riscv64 statically at `opt` into `cache` (see
/// [`compile_for`]).
pub fn compile(program: &Program, opt: &str, cache: &Path) -> Result<PathBuf> {
    compile_for(Target::Riscv64, program, opt, cache)
}

/// Compiles `program` for `target` statically at `opt` into `cache` (kept
/// between runs, keyed by a hash of the sources, the flags and the compiler
/// version) and returns the executable's path.
pub fn compile_for(target: Target, program: &Program, opt: &str, cache: &Path) -> Result<PathBuf> {
    let opt_flag = format!("-{opt}");
    let toolchain = Toolchain {
        cc: target.cc(),
        flags: &[opt_flag.as_str(), "-static", "-std=gnu11", "-Wall"],
        libs: &["-lm", "-latomic"],
    };
    toolchain.compile(&program.source, &format!("{}-{opt}", program.name), cache)
}

/// A C compiler and how it builds a program.
#[derive(Clone, Copy, Debug)]
pub struct Toolchain<'a> {
    /// The compiler command.
    pub cc: &'a str,
    /// Flags before the source file.
    pub flags: &'a [&'a str],
    /// Libraries after it.
    pub libs: &'a [&'a str],
}

impl Toolchain<'_> {
    /// Compiles `source` into `cache` as `<stem>-<key>`, the key being a
    /// hash of the source, the headers next to it, the flags and the
    /// compiler's version (so a cached executable is reused only while all
    /// of them are unchanged), and returns the executable's path.
    pub fn compile(&self, source: &Path, stem: &str, cache: &Path) -> Result<PathBuf> {
        let Toolchain { cc, flags, libs } = *self;
        let dir = source.parent().context("a program has a directory")?;
        let mut key = fnv1a(FNV_INIT, fs::read(source)?.as_slice());
        for header in headers(dir)? {
            key = fnv1a(key, &fs::read(header)?);
        }
        key = fnv1a(
            key,
            format!("{flags:?}{libs:?}{}", tools::version(cc)?).as_bytes(),
        );
        fs::create_dir_all(cache)?;
        let exe = cache.join(format!("{stem}-{key:016x}"));
        if exe.is_file() {
            return Ok(exe);
        }
        // Build under a unique name, then rename: concurrent test processes
        // may compile the same program at once.
        // Only a path, no open file: a write descriptor held here would be
        // inherited by processes other threads start, and executing the
        // program while one of them holds it fails (ETXTBSY).
        let partial = tempfile::Builder::new()
            .prefix(".partial-")
            .tempfile_in(cache)?
            .into_temp_path();
        let mut cmd = Command::new(cc);
        cmd.args(flags)
            .arg("-o")
            .arg(&*partial)
            .arg(source)
            .args(libs);
        let out = tools::run_with_limit(&mut cmd, &[], Duration::from_secs(300))?;
        if out.status != 0 {
            bail!(
                "{cc} failed to compile {}:\n{}",
                source.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        partial
            .persist(&exe)
            .context("cannot keep the compiled program")?;
        // Older builds of the same stem are stale now.
        let prefix = format!("{stem}-");
        for entry in fs::read_dir(cache)?.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name
                .strip_prefix(&prefix)
                .is_some_and(|key| key.len() == 16)
                && entry.path() != exe
            {
                let _ = fs::remove_file(entry.path());
            }
        }
        Ok(exe)
    }
}

/// The `*.h` files next to the programs (all part of every cache key).
fn headers(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut headers: Vec<PathBuf> = fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    headers.retain(|p| p.extension().is_some_and(|e| e == "h"));
    headers.sort();
    Ok(headers)
}

const FNV_INIT: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_lines_are_read_from_the_leading_comment_only() {
        let spec = Spec::parse(
            "// args: a \"b c\" \"\"\n// env: K=V=W\n// stdin: one\n// stdin:\n\
             // Prose: not a key.\n// dir: mount\nint main;\n// args: late\n",
        )
        .unwrap();
        assert_eq!(spec.args, ["a", "b c", ""]);
        assert_eq!(spec.env, [("K".to_owned(), "V=W".to_owned())]);
        assert_eq!(spec.stdin, b"one\n\n");
        assert_eq!(spec.dir, Dir::Mount);
        assert!(spec.arch.is_empty());
        let spec = Spec::parse("// arch: riscv64\n").unwrap();
        assert_eq!(spec.arch, [Arch::Riscv64]);
    }

    #[test]
    fn bad_specs_are_errors() {
        assert!(Spec::parse("// dir: sideways\n").is_err());
        assert!(Spec::parse("// env: NOEQUALS\n").is_err());
        assert!(Spec::parse("// arch: z80\n").is_err());
        assert!(split_args("\"open").is_err());
    }

    #[test]
    fn every_program_has_a_valid_spec() {
        let programs = discover(&programs_dir()).unwrap();
        assert!(programs.len() >= 32, "only {} programs", programs.len());
    }
}
