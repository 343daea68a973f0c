//! The workloads: our C programs in `bench/programs/` and real binaries
//! (applets of the BusyBox fixture), with their arguments and inputs.

use std::fs;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};
use c2w_conformance::cprog::split_args;

/// Where a workload's program comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A C source, compiled for each configuration.
    C(PathBuf),
    /// The BusyBox fixture (riscv64) and the host's BusyBox (native).
    BusyBox,
}

impl Source {
    /// A short name for build products.
    pub fn key(&self) -> String {
        match self {
            Source::C(path) => path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            Source::BusyBox => "busybox".to_owned(),
        }
    }
}

/// One thing to time.
#[derive(Clone, Debug)]
pub struct Workload {
    pub name: String,
    /// What it measures, one line.
    pub description: String,
    pub source: Source,
    /// Arguments (after the scratch directory, before the input file).
    pub args: Vec<String>,
    /// Whether the first argument is an empty scratch directory.
    pub scratch: bool,
    /// Size of a generated text file passed as the last argument.
    pub input: Option<u64>,
}

/// The directory of the C programs.
pub fn programs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("programs")
}

/// The riscv64 BusyBox fixture.
pub fn busybox_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/riscv64/busybox")
}

/// The program that measures start-up; it is not a timed workload.
pub const HELLO: &str = "hello";

/// Every workload, with the full or the quick arguments.
pub fn all(quick: bool) -> Result<Vec<Workload>> {
    let mut workloads = Vec::new();
    for program in c_programs()? {
        let text = fs::read_to_string(&program)?;
        let name = Source::C(program.clone()).key();
        if name == HELLO {
            continue;
        }
        let spec = Spec::parse(&text)
            .with_context(|| format!("in the leading comment of {}", program.display()))?;
        workloads.push(Workload {
            name,
            description: spec.description,
            source: Source::C(program),
            args: if quick { spec.quick } else { spec.full },
            scratch: spec.scratch,
            input: None,
        });
    }
    let input = if quick { 1 << 20 } else { 32 << 20 };
    let mib = input >> 20;
    for (applet, args, description) in [
        (
            "sha256sum",
            &["sha256sum"][..],
            format!("BusyBox `sha256sum` of a {mib} MiB text file"),
        ),
        (
            "gzip",
            &["gzip", "-c"][..],
            format!("BusyBox `gzip -c` of a {mib} MiB text file"),
        ),
    ] {
        workloads.push(Workload {
            name: format!("busybox_{applet}"),
            description,
            source: Source::BusyBox,
            args: args.iter().map(|a| a.to_string()).collect(),
            scratch: false,
            input: Some(input),
        });
    }
    Ok(workloads)
}

/// The `*.c` files of [`programs_dir`], sorted.
pub fn c_programs() -> Result<Vec<PathBuf>> {
    let dir = programs_dir();
    let mut programs: Vec<PathBuf> = fs::read_dir(&dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    programs.retain(|p| p.extension().is_some_and(|e| e == "c"));
    programs.sort();
    Ok(programs)
}

/// What a program's leading `//` comment says: `full: ARGS`, `quick: ARGS`,
/// `dir: scratch`, and prose (the description).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Spec {
    full: Vec<String>,
    quick: Vec<String>,
    scratch: bool,
    description: String,
}

impl Spec {
    fn parse(source: &str) -> Result<Spec> {
        let mut spec = Spec::default();
        let (mut full, mut quick) = (false, false);
        let mut prose = Vec::new();
        for line in source.lines() {
            let Some(comment) = line.strip_prefix("//") else {
                break;
            };
            let comment = comment.trim();
            match comment.split_once(':') {
                Some(("full", args)) => {
                    spec.full = split_args(args)?;
                    full = true;
                }
                Some(("quick", args)) => {
                    spec.quick = split_args(args)?;
                    quick = true;
                }
                Some(("dir", kind)) => match kind.trim() {
                    "scratch" => spec.scratch = true,
                    other => bail!("unknown dir kind {other:?} (scratch)"),
                },
                _ if !comment.is_empty() => prose.push(comment),
                _ => {}
            }
        }
        if !full || !quick {
            bail!("a program needs both a `// full:` and a `// quick:` line");
        }
        spec.description = prose.join(" ");
        Ok(spec)
    }
}

/// Makes (once) a deterministic text file of `size` bytes in `dir`: lines of
/// words from a small vocabulary, so that compression has real work to do.
pub fn input_file(dir: &Path, size: u64) -> Result<PathBuf> {
    let path = dir.join(format!("text-{size}"));
    if fs::metadata(&path).is_ok_and(|m| m.len() == size) {
        return Ok(path);
    }
    fs::create_dir_all(dir)?;
    let partial = tempfile::NamedTempFile::new_in(dir)?;
    let mut out = BufWriter::new(partial.as_file());
    const WORDS: &[&str] = &[
        "the",
        "container",
        "module",
        "wasm",
        "guest",
        "register",
        "block",
        "of",
        "and",
        "translation",
        "interpreter",
        "a",
        "memory",
        "page",
        "to",
        "syscall",
        "in",
        "function",
        "is",
        "branch",
        "entry",
        "code",
        "value",
        "stack",
    ];
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut written = 0;
    let mut line = String::new();
    while written < size {
        line.clear();
        for _ in 0..12 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let word = WORDS[(state >> 40) as usize % WORDS.len()];
            line.push_str(word);
            line.push(if state & 0xf == 0 { ',' } else { ' ' });
            if state >> 60 == 0 {
                line.push_str(&(state >> 20 & 0xffff).to_string());
                line.push(' ');
            }
        }
        line.pop();
        line.push('\n');
        let take = line.len().min((size - written) as usize);
        out.write_all(&line.as_bytes()[..take])?;
        written += take as u64;
    }
    out.flush()?;
    drop(out);
    partial
        .persist(&path)
        .context("cannot keep the generated input")?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_are_read_from_the_leading_comment() {
        let spec = Spec::parse(
            "// full: 64 x\n// quick: 4\n// dir: scratch\n// What it does,\n\
             //   in two lines.\nint main;\n// full: late\n",
        )
        .unwrap();
        assert_eq!(spec.full, ["64", "x"]);
        assert_eq!(spec.quick, ["4"]);
        assert!(spec.scratch);
        assert_eq!(spec.description, "What it does, in two lines.");
        assert!(Spec::parse("// full:\n// quick:\n")
            .unwrap()
            .full
            .is_empty());
        assert!(Spec::parse("// full: 1\n").is_err());
        assert!(Spec::parse("// full:\n// quick:\n// dir: up\n").is_err());
    }

    #[test]
    fn every_program_has_a_spec() {
        let workloads = all(false).unwrap();
        assert!(workloads.iter().any(|w| w.source == Source::BusyBox));
        for program in c_programs().unwrap() {
            Spec::parse(&fs::read_to_string(&program).unwrap()).unwrap();
        }
    }

    #[test]
    fn generated_inputs_are_deterministic_text_of_the_size_asked() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let first = fs::read(input_file(a.path(), 100_003).unwrap()).unwrap();
        let second = fs::read(input_file(b.path(), 100_003).unwrap()).unwrap();
        assert_eq!(first.len(), 100_003);
        assert_eq!(first, second);
        assert!(first
            .iter()
            .all(|&b| b.is_ascii_graphic() || b == b' ' || b == b'\n'));
        assert!(first.iter().filter(|&&b| b == b'\n').count() > 1000);
    }
}
