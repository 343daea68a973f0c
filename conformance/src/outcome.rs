//! How a run ended, and readable reports of how two runs differ.

use std::fmt::Write as _;

use anyhow::Result;

use crate::invocation::Invocation;
use crate::tree::Tree;

/// Everything a run produced that the comparison looks at.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Exit status; a death by signal N counts as 128 + N, as shells report it.
    pub status: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// The mounted scratch directory after the run, if there was one.
    pub files: Option<Tree>,
}

impl Outcome {
    /// What a run of `inv` produced: its status and output, and the mounted
    /// scratch directory as the run left it.
    pub fn after_run(
        status: i32,
        stdout: Vec<u8>,
        stderr: Vec<u8>,
        inv: &Invocation,
    ) -> Result<Self> {
        let files = inv
            .mount
            .as_ref()
            .map(|m| Tree::read(&m.host))
            .transpose()?;
        Ok(Outcome {
            status,
            stdout,
            stderr,
            files,
        })
    }
}

/// Names the two sides in reports, e.g. ("qemu", "interp").
#[derive(Clone, Copy, Debug)]
pub struct Sides<'a> {
    pub expected: &'a str,
    pub actual: &'a str,
}

/// Compares two outcomes; on a difference, returns a report naming each
/// differing part with its first differing line on both sides.
pub fn compare(sides: Sides<'_>, expected: &Outcome, actual: &Outcome) -> Result<(), String> {
    let mut report = String::new();
    if expected.status != actual.status {
        let _ = writeln!(
            report,
            "exit status: {} {}, {} {}",
            sides.expected, expected.status, sides.actual, actual.status
        );
    }
    for (name, e, a) in [
        ("stdout", &expected.stdout, &actual.stdout),
        ("stderr", &expected.stderr, &actual.stderr),
    ] {
        if let Some(diff) = diff_bytes(sides, e, a) {
            let _ = writeln!(report, "{name} differs: {diff}");
        }
    }
    if let (Some(e), Some(a)) = (&expected.files, &actual.files) {
        if let Some(diff) = e.diff(a) {
            let _ = writeln!(report, "files in the scratch directory differ: {diff}");
        }
    }
    if report.is_empty() {
        return Ok(());
    }
    // A failing run often explains itself on stderr (a trap, an unsupported
    // system call): show its end unless the report already quotes it.
    if expected.stderr == actual.stderr || actual.status == expected.status {
        return Err(report);
    }
    if !actual.stderr.is_empty() {
        let _ = writeln!(
            report,
            "{} stderr ends with:\n{}",
            sides.actual,
            tail(&actual.stderr, 12)
        );
    }
    Err(report)
}

/// Lines of each side shown from the first difference on.
const CONTEXT_LINES: usize = 4;

/// Describes where `actual` first departs from `expected`, or `None` if they
/// are equal.
pub fn diff_bytes(sides: Sides<'_>, expected: &[u8], actual: &[u8]) -> Option<String> {
    if expected == actual {
        return None;
    }
    let prefix = expected
        .iter()
        .zip(actual)
        .take_while(|(e, a)| e == a)
        .count();
    let line_start = expected[..prefix]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line_no = expected[..prefix].iter().filter(|&&b| b == b'\n').count() + 1;
    const BEFORE: &str = "(before)";
    let width = (sides.expected.len().max(sides.actual.len()) + 1).max(BEFORE.len());
    let mut out = format!(
        "{} {} bytes, {} {} bytes; first difference at line {line_no}, byte {prefix}\n",
        sides.expected,
        expected.len(),
        sides.actual,
        actual.len()
    );
    if line_start > 0 {
        let prev_start = expected[..line_start - 1]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let before = quote(&expected[prev_start..line_start - 1]);
        let _ = writeln!(out, "  {BEFORE:width$} {before}");
    }
    // Each side from the differing line on, a few lines of it.
    for (side, bytes) in [(sides.expected, expected), (sides.actual, actual)] {
        let rest = &bytes[line_start.min(bytes.len())..];
        let shown: Vec<String> = if rest.is_empty() {
            Vec::new()
        } else {
            let rest = rest.strip_suffix(b"\n").unwrap_or(rest);
            rest.split(|&b| b == b'\n')
                .take(CONTEXT_LINES)
                .map(quote)
                .collect()
        };
        let label = format!("{side}:");
        if shown.is_empty() {
            let _ = writeln!(out, "  {label:width$} (end of output)");
        }
        for (i, line) in shown.iter().enumerate() {
            let label = if i == 0 { label.as_str() } else { "" };
            let _ = writeln!(out, "  {label:width$} {line}");
        }
    }
    out.pop();
    Some(out)
}

/// A byte string as a readable, escaped, length-limited line.
pub fn quote(bytes: &[u8]) -> String {
    const LIMIT: usize = 300;
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(LIMIT)]);
    let mut quoted = format!("\"{}\"", text.escape_debug());
    if bytes.len() > LIMIT {
        let _ = write!(quoted, " ... ({} bytes)", bytes.len());
    }
    quoted
}

/// The last `lines` lines of `bytes`, indented.
fn tail(bytes: &[u8], lines: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..]
        .iter()
        .map(|l| format!("  | {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIDES: Sides<'static> = Sides {
        expected: "qemu",
        actual: "interp",
    };

    #[test]
    fn equal_outputs_have_no_diff() {
        assert_eq!(diff_bytes(SIDES, b"a\nb\n", b"a\nb\n"), None);
    }

    #[test]
    fn diff_names_the_first_differing_line_and_both_sides() {
        let diff = diff_bytes(SIDES, b"one\ntwo\nthree\n", b"one\ntwo\nthr33\n").unwrap();
        assert!(diff.contains("line 3"), "{diff}");
        assert!(diff.contains("\"two\""), "{diff}");
        assert!(diff.contains("qemu:    \"three\""), "{diff}");
        assert!(diff.contains("interp:  \"thr33\""), "{diff}");
    }

    #[test]
    fn diff_reports_a_missing_tail() {
        let diff = diff_bytes(SIDES, b"one\ntwo\n", b"one\n").unwrap();
        assert!(diff.contains("line 2"), "{diff}");
        assert!(diff.contains("(end of output)"), "{diff}");
    }

    #[test]
    fn compare_reports_status_and_stderr() {
        let expected = Outcome {
            status: 0,
            stdout: b"ok\n".to_vec(),
            ..Outcome::default()
        };
        let actual = Outcome {
            status: 134,
            stdout: Vec::new(),
            stderr: b"trap: unreachable\n".to_vec(),
            files: None,
        };
        let report = compare(SIDES, &expected, &actual).unwrap_err();
        assert!(
            report.contains("exit status: qemu 0, interp 134"),
            "{report}"
        );
        assert!(report.contains("stdout differs"), "{report}");
        assert!(report.contains("| trap: unreachable"), "{report}");
        assert!(compare(SIDES, &expected, &expected).is_ok());
    }
}
