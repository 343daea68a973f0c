//! BusyBox applets, run by the reference and from one module built from the
//! same BusyBox, in every mode: the riscv64 BusyBox fixture under
//! qemu-riscv64, and the host's x86_64 BusyBox (Debian's `busybox-static`,
//! `/bin/busybox`, or the one `C2W_X86_64_BUSYBOX` names) natively. Each
//! case runs one or more `busybox APPLET ARGS...` commands in a scratch
//! directory filled with generated input files; each command's stdout,
//! stderr and exit status, and the scratch directory after it, must be
//! identical.
//!
//! Tests are named `[TARGET/]busybox/CASE/MODE`, e.g. `busybox/sort/interp`
//! (riscv64) or `x86_64-glibc/busybox/sort/aot`.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use c2w_conformance::outcome::{compare, Sides};
use c2w_conformance::tools;
use c2w_conformance::{translated, Invocation, Mode, Outcome, Scratch, Target, MODES};
use common::{failed, shared, Shared};
use filetime::FileTime;
use libtest_mimic::{Arguments, Failed, Trial};

/// The riscv64 fixture.
const RISCV64_BUSYBOX: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/fixtures/riscv64/busybox"
);

/// Where Debian's `busybox-static` puts the x86_64 BusyBox.
const X86_64_BUSYBOX: &str = "/bin/busybox";

/// A BusyBox executable and the target it is built for.
struct Fixture {
    target: Target,
    busybox: PathBuf,
    /// Where it comes from, for the notice when it is missing.
    origin: &'static str,
}

/// The BusyBoxes under test.
fn fixtures() -> Vec<Fixture> {
    vec![
        Fixture {
            target: Target::Riscv64,
            busybox: PathBuf::from(RISCV64_BUSYBOX),
            origin: "the riscv64 BusyBox fixture",
        },
        Fixture {
            target: Target::X86_64Glibc,
            busybox: std::env::var_os("C2W_X86_64_BUSYBOX")
                .map_or_else(|| PathBuf::from(X86_64_BUSYBOX), PathBuf::from),
            origin: "the x86_64 BusyBox (Debian package busybox-static)",
        },
    ]
}

/// Seconds one reference run may take.
const REFERENCE_LIMIT: u64 = 60;
/// Seconds one translated run may take.
const TRANSLATED_LIMIT: u64 = 300;

/// Stands for the scratch directory's guest path in arguments.
const DIR: &str = "{d}";

/// The environment of every run: local time is UTC without zoneinfo files.
const ENV: &[(&str, &str)] = &[("TZ", "UTC0"), ("C2WT_VAR", "some value")];

/// Commands run in one scratch directory, in order.
struct Case {
    name: &'static str,
    commands: &'static [&'static [&'static str]],
    stdin: &'static [u8],
}

const fn case(name: &'static str, commands: &'static [&'static [&'static str]]) -> Case {
    Case {
        name,
        commands,
        stdin: b"",
    }
}

impl Case {
    /// Gives every command of the case this standard input.
    const fn stdin(self, stdin: &'static [u8]) -> Case {
        Case { stdin, ..self }
    }
}

#[rustfmt::skip]
const CASES: &[Case] = &[
    case("echo", &[
        &["echo", "hello", "  spaced  world  ", "-n"],
        &["echo", "-n", "no newline"],
        &["echo", "-e", "tab\\there\\nnew line \\x41\\0101 \\c not printed"],
    ]),
    case("cat", &[&["cat", "{d}/small.txt", "{d}/text.txt"], &["cat", "-n", "{d}/small.txt"], &["cat"]])
        .stdin(b"from stdin\n"),
    case("head", &[&["head", "-n", "5", "{d}/text.txt"], &["head", "-c", "100", "{d}/binary.bin"]]),
    case("tail", &[
        &["tail", "-n", "7", "{d}/text.txt"],
        &["tail", "-c", "64", "{d}/binary.bin"],
        &["tail", "-n", "+195", "{d}/text.txt"],
    ]),
    case("sort", &[
        &["sort", "{d}/words.txt"],
        &["sort", "-r", "-n", "-k", "2", "{d}/numbers.txt"],
        &["sort", "-u", "-t", ":", "-k", "3,3n", "{d}/passwd.txt"],
        &["sort", "-g", "-k", "3", "{d}/numbers.txt"],
    ]),
    case("uniq", &[&["uniq", "-c", "{d}/sorted.txt"], &["uniq", "-d", "{d}/sorted.txt"], &["uniq", "-u", "{d}/sorted.txt"]]),
    case("wc", &[&["wc", "{d}/text.txt", "{d}/words.txt"], &["wc", "-l"], &["wc", "-c", "{d}/binary.bin"]])
        .stdin(b"one\ntwo\nthree"),
    case("tr", &[
        &["tr", "a-z", "A-Z"],
        &["tr", "-d", "aeiou"],
        &["tr", "-s", " "],
        &["tr", "-c", "a-z\\n", "_"],
    ])
    .stdin(b"The  quick   brown fox, 123 jumps!\nover the lazy dog\n"),
    case("cut", &[&["cut", "-d", ":", "-f", "1,3", "{d}/passwd.txt"], &["cut", "-c", "2-5", "{d}/small.txt"]]),
    case("sed", &[
        &["sed", "-e", "s/[aeiou]/_/g", "-e", "3d", "{d}/text.txt"],
        &["sed", "-n", "/^b/p", "{d}/words.txt"],
        &["sed", "-i", "s/hello/HELLO/;2a\\\ninserted line", "{d}/small.txt"],
        &["cat", "{d}/small.txt"],
    ]),
    case("awk", &[
        &["awk", "{ s += $2; c[$1]++ } END { n = 0; for (k in c) n++; print s, NR, n }", "{d}/numbers.txt"],
        &["awk", "-F", ":", "$3 > 5000 { printf \"%-10s %6d %s\\n\", $1, $3, toupper($5) }", "{d}/passwd.txt"],
        &["awk", "BEGIN { printf \"%.10f %.6e %d %s %d\\n\", sin(1) + exp(2), atan2(1, 2), 2^31, substr(\"hello\", 2, 3), index(\"abc\", \"c\") }"],
        &["awk", "{ gsub(/o/, \"0\"); if (length($0) > 40) print NR\": \"$0 }", "{d}/text.txt"],
    ]),
    case("grep", &[
        &["grep", "-n", "-i", "lorem", "{d}/text.txt"],
        &["grep", "-c", "ipsum", "{d}/text.txt"],
        &["grep", "-v", "-e", "a", "-e", "e", "{d}/words.txt"],
        &["grep", "-E", "^(dolor|sit)[a-z]*$", "{d}/words.txt"],
        &["grep", "-o", "[0-9][0-9]*", "{d}/numbers.txt"],
        &["grep", "no-such-word", "{d}/text.txt"],
        &["grep", "x", "{d}/missing.txt"],
    ]),
    case("expr", &[
        &["expr", "7", "*", "6"],
        &["expr", "length", "hello"],
        &["expr", "substr", "abcdef", "2", "3"],
        &["expr", "1", "=", "2"],
        &["expr", "10", "/", "0"],
        &["expr", "abc123", ":", "[a-z]*"],
    ]),
    case("seq", &[&["seq", "1", "3", "100"], &["seq", "-w", "8", "12"], &["seq", "-s", ",", "5"], &["seq", "1.5", "0.25", "3"]]),
    case("printf", &[
        &["printf", "%5d|%-5s|%x|%o|%e|%c|%%\\n", "42", "ab", "255", "8", "1234.5", "xyz"],
        &["printf", "%s\\n", "a", "b", "c"],
        &["printf", "%d\\n", "notanumber"],
        &["printf", "%.3f %10.4s|%b\\n", "3.14159", "truncate", "tab\\there"],
    ]),
    case("md5sum", &[&["md5sum", "{d}/binary.bin", "{d}/text.txt", "{d}/small.txt"]]),
    case("sha256sum", &[&["sha256sum", "{d}/binary.bin", "{d}/text.txt"], &["sha256sum"]]).stdin(b"abc"),
    case("sha512sum", &[&["sha512sum", "{d}/binary.bin", "{d}/words.txt"]]),
    case("sha1sum", &[&["sha1sum", "{d}/binary.bin"], &["sha3sum", "{d}/binary.bin"], &["crc32", "{d}/binary.bin"]]),
    case("base64", &[&["base64", "{d}/binary.bin"], &["base64", "-d"]]).stdin(b"aGVsbG8gd29ybGQK"),
    case("od", &[
        &["od", "-A", "x", "-t", "x1z", "-N", "96", "{d}/binary.bin"],
        &["od", "-c", "{d}/small.txt"],
        &["od", "-t", "d4", "-N", "32", "{d}/binary.bin"],
    ]),
    case("hexdump", &[&["hexdump", "-C", "-n", "200", "{d}/binary.bin"], &["xxd", "-l", "64", "{d}/binary.bin"]]),
    case("ls", &[
        &["ls", "-la", "{d}/lsdir"],
        &["ls", "-ln", "{d}/lsdir"],
        &["ls", "-1", "{d}/lsdir"],
        &["ls", "-1R", "{d}/sub"],
        &["ls", "-d", "{d}/sub", "{d}/nowhere"],
    ]),
    case("find", &[
        &["find", "{d}/sub"],
        &["find", "{d}", "-name", "*.txt", "-type", "f"],
        &["find", "{d}/lsdir", "-size", "+1k"],
    ]),
    case("stat", &[
        &["stat", "-c", "%n %s %F %a %h", "{d}/text.txt", "{d}/lsdir", "{d}/sub/nested/deep.txt"],
        &["stat", "-c", "%n %Y %y", "{d}/text.txt", "{d}/lsdir/f2.txt"],
    ]),
    case("cp", &[
        &["cp", "{d}/text.txt", "{d}/copy.txt"],
        &["cp", "-r", "{d}/sub", "{d}/sub2"],
        &["cmp", "{d}/text.txt", "{d}/copy.txt"],
        &["cp", "{d}/missing.txt", "{d}/x"],
    ]),
    case("mv", &[
        &["mv", "{d}/small.txt", "{d}/sub/moved.txt"],
        &["mv", "{d}/sub", "{d}/renamed"],
        &["ls", "-1R", "{d}/renamed"],
        &["mv", "{d}/small.txt", "{d}/again.txt"],
    ]),
    case("rm", &[
        &["rm", "{d}/small.txt"],
        &["rm", "-r", "{d}/sub"],
        &["rm", "{d}/missing.txt"],
        &["rm", "-f", "{d}/missing.txt"],
        &["rm", "{d}/lsdir"],
    ]),
    case("mkdir", &[
        &["mkdir", "-p", "{d}/a/b/c"],
        &["mkdir", "{d}/a"],
        // Not `-m 700`: WASI has no way to set permissions on a mounted
        // directory (a documented limitation of `--dir`).
        &["mkdir", "{d}/private"],
        &["rmdir", "{d}/a/b/c"],
        &["rmdir", "{d}/a"],
        &["stat", "-c", "%n %F", "{d}/private", "{d}/a/b"],
    ]),
    case("gzip", &[
        &["gzip", "-9", "{d}/text.txt"],
        &["ls", "-1", "{d}"],
        &["gzip", "-c", "{d}/binary.bin"],
        &["gzip", "-t", "{d}/text.txt.gz"],
    ]),
    case("gunzip", &[
        &["gzip", "{d}/words.txt"],
        &["gunzip", "-c", "{d}/words.txt.gz"],
        &["gunzip", "{d}/words.txt.gz"],
        &["md5sum", "{d}/words.txt"],
        &["gunzip", "{d}/small.txt"],
    ]),
    case("true", &[&["true"]]),
    case("false", &[&["false"]]),
    case("test", &[
        &["test", "5", "-gt", "3"],
        &["[", "-f", "{d}/text.txt", "]"],
        &["test", "-d", "{d}/text.txt"],
        &["test", "abc", "=", "abd"],
    ]),
    case("basename", &[
        &["basename", "/a/b/c.txt", ".txt"],
        &["basename", "{d}/"],
        &["dirname", "/a/b/c.txt"],
        &["dirname", "relative"],
    ]),
    case("rev", &[&["rev", "{d}/text.txt"]]),
    case("fold", &[&["fold", "-w", "17", "{d}/text.txt"], &["fold", "-s", "-w", "30", "{d}/text.txt"]]),
    case("tac", &[&["tac", "{d}/text.txt"]]),
    case("nl", &[&["nl", "-b", "a", "{d}/small.txt"], &["paste", "-d", ",", "{d}/small.txt", "{d}/small.txt"]]),
    case("diff", &[&["diff", "{d}/text.txt", "{d}/text2.txt"], &["diff", "-u", "{d}/text.txt", "{d}/text2.txt"], &["cmp", "{d}/text.txt", "{d}/text2.txt"]]),
    case("dd", &[
        &["dd", "if={d}/binary.bin", "of={d}/dd.out", "bs=100", "count=7", "skip=3", "status=none"],
        &["dd", "if={d}/binary.bin", "bs=1000", "skip=4", "status=none"],
    ]),
    case("env", &[&["env"], &["printenv", "C2WT_VAR"], &["printenv", "NOT_SET"]]),
    case("date", &[
        &["date", "-u", "-d", "@1700000000", "+%F %T %s %j %a %b"],
        &["date", "-r", "{d}/text.txt", "+%Y-%m-%d %H:%M:%S"],
    ]),
    case("ln", &[
        &["ln", "-s", "text.txt", "{d}/link"],
        &["readlink", "{d}/link"],
        &["head", "-n", "2", "{d}/link"],
        &["realpath", "{d}/sub/../sub/nested"],
    ]),
    case("touch", &[
        &["touch", "-d", "2020-01-02 03:04:05", "{d}/new.txt"],
        &["stat", "-c", "%n %s %Y", "{d}/new.txt"],
        &["truncate", "-s", "1000", "{d}/small.txt"],
        &["stat", "-c", "%n %s", "{d}/small.txt"],
    ]),
    case("factor", &[&["factor", "1234567890", "97", "1000000007", "600851475143"]]),
    case("bc", &[&["bc", "-l"], &["dc", "-e", "2 128 ^ p 7 k 22 7 / p"]])
        .stdin(b"scale=30\n4*a(1)\n2^100\nsqrt(2)\n"),
    case("expand", &[&["expand", "{d}/tabs.txt"], &["unexpand", "-a", "{d}/tabs.txt"]]),
    case("sh", &[&[
        "sh",
        "-c",
        "for i in 1 2 3; do echo item $i; done; x=abcdef; echo ${#x} ${x%def} $((6 * 7)); \
         case $x in abc*) echo matched;; esac; set -- a b c; echo $# \"$2\"; exit 3",
    ]]),
    case("uname", &[&["uname", "-s", "-m"]]),
    case("strings", &[&["strings", "-n", "3", "{d}/binary.bin"]]),
];

/// Fills `dir` with the input files (identical on every call).
fn populate(dir: &Path) -> anyhow::Result<()> {
    const VOCABULARY: &str = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod \
        tempor incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud \
        exercitation ullamco laboris nisi aliquip ex ea commodo consequat Duis aute irure in Lorem bravo";
    let vocabulary: Vec<&str> = VOCABULARY.split_whitespace().collect();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let word = |rng: &mut Rng| vocabulary[rng.below(vocabulary.len())];

    let text: Vec<String> = (0..200)
        .map(|_| {
            let n = 3 + rng.below(12);
            (0..n).map(|_| word(&mut rng)).collect::<Vec<_>>().join(" ")
        })
        .collect();
    let mut text2 = text.clone();
    text2.remove(17);
    text2[60] = "a changed line".to_owned();
    text2.insert(150, "an inserted line".to_owned());
    let words: Vec<String> = (0..400)
        .map(|i| match i % 7 {
            0 => format!("{}{}", word(&mut rng), rng.below(10)),
            _ => word(&mut rng).to_owned(),
        })
        .collect();
    let mut sorted = words.clone();
    sorted.sort();
    let numbers: Vec<String> = (0..120)
        .map(|i| {
            format!(
                "{}{} {} {}.{}",
                word(&mut rng),
                i % 9,
                rng.below(100_000),
                rng.below(1000),
                rng.below(100)
            )
        })
        .collect();
    let passwd: Vec<String> = (0..30)
        .map(|i| {
            format!(
                "user{i}:x:{}:{}:Name {}:/home/user{i}:/bin/sh",
                rng.below(10_000),
                rng.below(100),
                word(&mut rng)
            )
        })
        .collect();
    let binary: Vec<u8> = (0..5000).map(|_| rng.next() as u8).collect();
    let tabs = "a\tb\tc\n\tindented\n12345678\tx\n  \t mixed \t\n";

    let lines = |v: &[String]| v.iter().map(|l| format!("{l}\n")).collect::<String>();
    let [text, text2, words, sorted, numbers, passwd] =
        [&text, &text2, &words, &sorted, &numbers, &passwd].map(|v| lines(v));
    let big = binary.repeat(14);
    let files: &[(&str, &[u8])] = &[
        ("small.txt", b"hello world\nsecond line\n\nlast line\n"),
        ("text.txt", text.as_bytes()),
        ("text2.txt", text2.as_bytes()),
        ("words.txt", words.as_bytes()),
        ("sorted.txt", sorted.as_bytes()),
        ("numbers.txt", numbers.as_bytes()),
        ("passwd.txt", passwd.as_bytes()),
        ("binary.bin", &binary),
        ("tabs.txt", tabs.as_bytes()),
        ("sub/a.txt", b"file a\n"),
        ("sub/b.dat", &binary[..300]),
        ("sub/nested/deep.txt", b"deep inside\n"),
        ("lsdir/f1", b""),
        ("lsdir/f2.txt", &binary[..123]),
        ("lsdir/big.bin", &big),
        ("lsdir/subdir/x", b"x"),
    ];
    for (name, content) in files {
        let path = dir.join(name);
        fs::create_dir_all(path.parent().expect("files are inside dir"))?;
        fs::write(&path, content)?;
    }
    // Fixed, distinct modification times; directories last (creating their
    // entries changed them), the scratch directory itself at the very end.
    let mut stamp = 1_614_834_367; // 2021-03-04 05:06:07 UTC
    let mut set = |path: &Path| -> anyhow::Result<()> {
        stamp += 3_600;
        filetime::set_symlink_file_times(
            path,
            FileTime::from_unix_time(stamp, 0),
            FileTime::from_unix_time(stamp, 0),
        )
        .with_context(|| format!("cannot set the times of {}", path.display()))
    };
    for (name, _) in files {
        set(&dir.join(name))?;
    }
    for sub in ["sub/nested", "sub", "lsdir/subdir", "lsdir"] {
        set(&dir.join(sub))?;
    }
    set(dir)?;
    Ok(())
}

/// xorshift64*: the input files' randomness.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() >> 33) as usize % n
    }
}

/// Where BusyBox is in the image.
const ENTRYPOINT: &str = "/bin/busybox";

/// The image: `busybox`, and the host's user and group databases, which the
/// reference's BusyBox reads (it shares the host's files), so that both
/// sides turn uids and gids into the same names. Made under `work`.
fn rootfs(busybox: &Path, work: &Path) -> anyhow::Result<PathBuf> {
    let root = work.join("rootfs");
    fs::create_dir_all(root.join("bin"))?;
    fs::create_dir_all(root.join("etc"))?;
    fs::copy(busybox, root.join(ENTRYPOINT.trim_start_matches('/')))?;
    for db in ["etc/passwd", "etc/group"] {
        let host = Path::new("/").join(db);
        if host.is_file() {
            fs::copy(&host, root.join(db))?;
        }
    }
    Ok(root)
}

/// One side's run of a case: the outcome of each command.
fn run_case(
    case: &Case,
    scratch: &Scratch,
    host_dir: &Path,
    mut run: impl FnMut(&Invocation) -> anyhow::Result<Outcome>,
) -> anyhow::Result<Vec<Outcome>> {
    populate(host_dir)?;
    case.commands
        .iter()
        .map(|command| {
            let invocation = Invocation {
                args: command
                    .iter()
                    .map(|a| a.replace(DIR, &scratch.guest))
                    .collect(),
                env: ENV
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                stdin: case.stdin.to_vec(),
                mount: Some(scratch.mount(host_dir)),
            };
            run(&invocation)
        })
        .collect()
}

/// A case run by the reference: shared by the modes.
struct Reference {
    scratch: Scratch,
    outcomes: Vec<Outcome>,
}

fn reference(fixture: &Fixture, case: &Case) -> anyhow::Result<Reference> {
    let scratch = Scratch::new()?;
    let limit = tools::timeout(REFERENCE_LIMIT);
    let outcomes = run_case(case, &scratch, &scratch.reference()?, |inv| {
        fixture.target.reference(&fixture.busybox, inv, limit)
    })?;
    Ok(Reference { scratch, outcomes })
}

fn check(
    fixture: &Fixture,
    case: &Case,
    reference: &Reference,
    module: &Path,
    mode: Mode,
) -> anyhow::Result<Result<(), String>> {
    let limit = tools::timeout(TRANSLATED_LIMIT);
    let dir = reference.scratch.side(mode.name())?;
    let outcomes = run_case(case, &reference.scratch, &dir, |inv| {
        translated::run(module, inv, limit)
    })?;
    let sides = Sides {
        expected: fixture.target.runner().name(),
        actual: mode.name(),
    };
    let reports: Vec<String> = case
        .commands
        .iter()
        .zip(reference.outcomes.iter().zip(&outcomes))
        .enumerate()
        .filter_map(|(i, (command, (expected, actual)))| {
            compare(sides, expected, actual).err().map(|report| {
                format!(
                    "command {} `busybox {}`:\n{report}",
                    i + 1,
                    command.join(" ")
                )
            })
        })
        .collect();
    Ok(if reports.is_empty() {
        Ok(())
    } else {
        Err(reports.join("\n"))
    })
}

/// The tests of one BusyBox, with their image and modules under `work`.
fn trials(fixture: Fixture, work: &Path) -> Vec<Trial> {
    let fixture = Arc::new(fixture);
    let work = work.join(fixture.target.name());
    // One image, and one module per mode, made by the first test needing it.
    let image: Shared<PathBuf> = Shared::default();
    let modules: Vec<(Mode, Shared<PathBuf>)> =
        MODES.iter().map(|&m| (m, Shared::default())).collect();
    let mut trials = Vec::new();
    for (index, case) in CASES.iter().enumerate() {
        let reference: Shared<Reference> = Shared::default();
        for (mode, module) in &modules {
            let (mode, module, reference) = (*mode, module.clone(), reference.clone());
            let (image, fixture, work) = (image.clone(), fixture.clone(), work.clone());
            let output = work.join(format!("busybox-{mode}.wasm"));
            let name = format!(
                "{}busybox/{}/{mode}",
                fixture.target.test_prefix(),
                case.name
            );
            trials.push(common::trial(name, move || {
                let case = &CASES[index];
                let image = shared(&image, "making the image", || {
                    rootfs(&fixture.busybox, &work)
                })?;
                let module = shared(&module, "building the module", || {
                    translated::build(image, Some(ENTRYPOINT), mode, &output)
                })?;
                let what = format!("the {} run", fixture.target.runner().name());
                let reference = shared(&reference, &what, || self::reference(&fixture, case))?;
                check(&fixture, case, reference, module, mode)
                    .map_err(failed)?
                    .map_err(Failed::from)
            }));
        }
    }
    if !fixture.busybox.is_file() {
        let why = format!(
            "{} is missing ({})",
            fixture.origin,
            fixture.busybox.display()
        );
        common::skip_all(trials, &why)
    } else if let Some(why) = tools::missing(&fixture.target.tools()) {
        common::skip_all(trials, &why)
    } else {
        trials
    }
}

fn main() {
    let args = Arguments::from_args();
    let work = tempfile::tempdir().expect("cannot create a temporary directory");
    let trials: Vec<Trial> = fixtures()
        .into_iter()
        .flat_map(|fixture| trials(fixture, work.path()))
        .collect();
    common::report_known_failures(&trials);
    let conclusion = libtest_mimic::run(&args, trials);
    drop(work);
    conclusion.exit();
}
