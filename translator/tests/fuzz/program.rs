//! The test program: one static x86_64 ELF per batch of cases. `_start`
//! calls every case's function in turn; a case loads its inputs (the
//! scratch buffer, x87 control word, MXCSR, xmm0..7, the GPRs, then the
//! flags with popfq) from its input record, runs its instructions, and
//! stores GPRs, flags (masked to the ones its instructions define), MXCSR,
//! the x87 exception flags, xmm0..7 and the scratch buffer into its output
//! record. The records go to stdout every 64 cases (so a crash still
//! shows how far the program got), then exit_group(0).

use super::{gen::Seq, Input, OFF_FLAGS, OFF_MXCSR, OFF_SCRATCH, OFF_X87, OFF_XMM, RECORD};
use super::{SCRATCH, XMMS};
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Case {
    pub input: Input,
    pub seq: Seq,
}

impl Case {
    /// Flags compared: the arithmetic ones the case defines, and DF.
    pub fn flag_mask(&self) -> u64 {
        (super::gen::ARITH & !self.seq.undef) | super::gen::DF
    }
}

const FLUSH: usize = 64;

/// The assembler text of a program running `cases`; the inputs come from
/// `inputs` (a file of records, included with .incbin).
pub fn assembly(cases: &[Case], inputs: &Path, group: usize) -> String {
    let mut s = String::with_capacity(cases.len() * 400);
    s += ".intel_syntax noprefix\n.text\n.globl _start\n_start:\n";
    s += "    lea rax, [rip+inputs]\n    mov [rip+in_ptr], rax\n";
    s += "    lea rax, [rip+outputs]\n    mov [rip+out_ptr], rax\n";
    s += "    mov [rip+flushed], rax\n";
    for i in 0..cases.len().div_ceil(group) {
        let _ = writeln!(s, "    call case_{i}");
        if (i + 1) % (FLUSH / group).max(1) == 0 {
            s += "    call flush\n";
        }
    }
    s += "    call flush\n    mov eax, 231\n    xor edi, edi\n    syscall\n    hlt\n";
    // flush: write out_ptr - flushed bytes from flushed.
    s += "flush:\n    mov rsi, [rip+flushed]\n    mov rdx, [rip+out_ptr]\n    sub rdx, rsi\n";
    s += "1:\n    test rdx, rdx\n    jz 2f\n    mov eax, 1\n    mov edi, 1\n    push rdx\n    push rsi\n";
    s += "    syscall\n    pop rsi\n    pop rdx\n    test rax, rax\n    jle 3f\n    add rsi, rax\n";
    s += "    sub rdx, rax\n    jmp 1b\n2:\n    mov [rip+flushed], rsi\n    ret\n";
    s += "3:\n    mov eax, 231\n    mov edi, 3\n    syscall\n    hlt\n";
    // load_state
    s += "load_state:\n    mov rax, [rip+in_ptr]\n    lea rcx, [rip+scratch]\n";
    for k in 0..SCRATCH / 16 {
        let _ = writeln!(
            s,
            "    movdqu xmm0, [rax+{}]\n    movdqa [rcx+{}], xmm0",
            OFF_SCRATCH + 16 * k,
            16 * k
        );
    }
    let _ = writeln!(s, "    mov rcx, [rax+{OFF_FLAGS}]\n    mov [rip+in_flags], rcx");
    s += "    fninit\n";
    let _ = writeln!(s, "    fldcw word ptr [rax+{OFF_X87}]");
    let _ = writeln!(s, "    ldmxcsr dword ptr [rax+{OFF_MXCSR}]");
    for x in 0..XMMS {
        let _ = writeln!(s, "    movdqu xmm{x}, [rax+{}]", OFF_XMM + 16 * x);
    }
    for r in [1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] {
        let _ = writeln!(s, "    mov {}, [rax+{}]", super::GPR64[r], 8 * r);
    }
    s += "    lea rbp, [rip+scratch]\n";
    s += "    mov rax, [rax]\n    ret\n";
    // save_state
    s += "save_state:\n    push rax\n    mov rax, [rip+out_ptr]\n";
    for r in [1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] {
        let _ = writeln!(s, "    mov [rax+{}], {}", 8 * r, super::GPR64[r]);
    }
    s += "    pop rcx\n    mov [rax], rcx\n    mov qword ptr [rax+32], 0\n";
    let _ = writeln!(
        s,
        "    mov rcx, [rip+out_flags]\n    and ecx, dword ptr [rip+flag_mask]\n    mov [rax+{OFF_FLAGS}], rcx"
    );
    let _ = writeln!(s, "    stmxcsr dword ptr [rax+{OFF_MXCSR}]");
    let _ = writeln!(
        s,
        "    mov dword ptr [rax+{OFF_X87}], 0\n    fnstsw word ptr [rax+{OFF_X87}]\n    and word ptr [rax+{OFF_X87}], {:#x}",
        super::known_bugs::x87_exceptions()
    );
    for x in 0..XMMS {
        let _ = writeln!(s, "    movdqu [rax+{}], xmm{x}", OFF_XMM + 16 * x);
    }
    s += "    lea rcx, [rip+scratch]\n";
    for k in 0..SCRATCH / 16 {
        let _ = writeln!(
            s,
            "    movdqa xmm0, [rcx+{}]\n    movdqu [rax+{}], xmm0",
            16 * k,
            OFF_SCRATCH + 16 * k
        );
    }
    let _ = writeln!(
        s,
        "    add qword ptr [rip+in_ptr], {RECORD}\n    add qword ptr [rip+out_ptr], {RECORD}"
    );
    s += "    cld\n    ret\n";
    // The flags go in and out within the case's function: the translator
    // may assume (as the ABI says) that no flag lives across a call or
    // return.
    for (i, c) in cases.iter().enumerate() {
        if i % group == 0 {
            if i > 0 {
                s += "    ret\n";
            }
            let _ = writeln!(s, "case_{}:", i / group);
        }
        let _ = writeln!(s, "case_{i}_:\n    call load_state");
        s += "    push qword ptr [rip+in_flags]\n    popfq\n";
        for (_, l) in &c.seq.lines {
            let _ = writeln!(s, "    {l}");
        }
        let _ = writeln!(
            s,
            "    pushfq\n    pop qword ptr [rip+out_flags]\n    cld\n    mov dword ptr [rip+flag_mask], {:#x}\n    call save_state",
            c.flag_mask()
        );
    }
    s += "    ret\n";
    s += ".data\n.balign 16\n";
    let _ = writeln!(s, "inputs:\n    .incbin \"{}\"", inputs.display());
    s += "in_ptr: .quad 0\nout_ptr: .quad 0\nflushed: .quad 0\nflag_mask: .quad 0\n";
    s += "in_flags: .quad 0\nout_flags: .quad 0\n";
    s += ".bss\n.balign 64\n";
    let _ = writeln!(s, "scratch: .skip {SCRATCH}");
    let _ = writeln!(s, "outputs: .skip {}", RECORD * cases.len());
    s
}

/// Assembles and links the program for `cases` in `dir` as `name`.
pub fn build(dir: &Path, name: &str, cases: &[Case], group: usize) -> Result<PathBuf, String> {
    let inputs = dir.join(format!("{name}.in"));
    let mut bytes = Vec::with_capacity(cases.len() * RECORD);
    for c in cases {
        bytes.extend(c.input.bytes());
    }
    std::fs::write(&inputs, bytes).unwrap();
    let asm = dir.join(format!("{name}.s"));
    std::fs::write(&asm, assembly(cases, &inputs, group)).unwrap();
    let obj = dir.join(format!("{name}.o"));
    let exe = dir.join(name);
    let out = Command::new("as")
        .arg("-o")
        .arg(&obj)
        .arg(&asm)
        .output()
        .map_err(|e| format!("as: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "as failed on {}:\n{}",
            asm.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let out = Command::new("ld")
        .args(["-static", "-o"])
        .arg(&exe)
        .arg(&obj)
        .output()
        .map_err(|e| format!("ld: {e}"))?;
    if !out.status.success() {
        return Err(format!("ld failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(exe)
}

/// The address of every `case_N` symbol (for naming the case a crash
/// address is in), sorted.
pub fn case_addresses(exe: &Path) -> Vec<(u64, usize)> {
    let out = Command::new("nm").arg(exe).output();
    let mut v = Vec::new();
    if let Ok(out) = out {
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let mut it = line.split_whitespace();
            if let (Some(a), Some(_), Some(n)) = (it.next(), it.next(), it.next()) {
                if let (Ok(a), Some(Ok(i))) = (
                    u64::from_str_radix(a, 16),
                    n.strip_prefix("case_")
                        .and_then(|i| i.strip_suffix('_'))
                        .map(|i| i.parse()),
                ) {
                    v.push((a, i));
                }
            }
        }
    }
    v.sort();
    v
}
