//! x87 instructions run natively and through the semantics (the runtime's
//! x87 unit), from random stacks rich in edge cases: the registers, the
//! control, status and tag words, EFLAGS and memory must agree.

#![cfg(target_arch = "x86_64")]

mod x86_64_native;

use x86_64_native::{check_all, report, Case, RUNS};


#[test]
fn x87_load_store() {
    let cases: &[Case] = &[
        native!("fld dword ptr [rsi]"),
        native!("fld qword ptr [rsi + 8]"),
        native!("fld tbyte ptr [rsi + 16]"),
        native!("fld st(2)"),
        native!("fild word ptr [rsi]"),
        native!("fild dword ptr [rsi]"),
        native!("fild qword ptr [rsi]"),
        native!("fldz"),
        native!("fld1"),
        native!("fldpi"),
        native!("fldl2e"),
        native!("fldl2t"),
        native!("fldlg2"),
        native!("fldln2"),
        native!("fstp tbyte ptr [rsi]"),
        native!("fst st(3)"),
        native!("fstp st(1)"),
        native!("fist word ptr [rsi]"),
        native!("fist dword ptr [rsi]"),
        native!("fistp qword ptr [rsi]"),
        native!("fisttp word ptr [rsi]"),
        native!("fisttp dword ptr [rsi]"),
        native!("fisttp qword ptr [rsi]"),
        native!("fxch st(3)"),
        native!("fchs"),
        native!("fabs"),
        native!("ffree st(1)"),
        native!("fincstp"),
        native!("fdecstp"),
        native!("fninit"),
        native!("fnclex"),
        native!("fnstsw ax"),
        native!("fnstsw [rsi]"),
        native!("fnstcw [rsi]"),
        native!("mov word ptr [rsi], 0x0b7f\nfldcw [rsi]\nfld1\nfldpi\nfdiv st(0), st(1)"),
        native!("fnstenv [rsi]\nmov dword ptr [rsi + 12], 0\nmov qword ptr [rsi + 16], 0\nmov dword ptr [rsi + 24], 0\nfldenv [rsi]"),
        native!("fxam"),
        native!("ftst"),
        native!("fcmovb st(0), st(2)"),
        native!("fcmove st(0), st(1)"),
        native!("fcmovnbe st(0), st(3)"),
        native!("fcmovu st(0), st(1)"),
    ];
    report(check_all(cases, RUNS, true, 11));
}

/// Precision control below 64 bits rounds once with the full exponent
/// range (overflow, denormals and their OE/UE flags), and fscale raises
/// OE/UE/PE.
#[test]
fn x87_arith() {
    let cases: &[Case] = &[
        native!("fadd st(0), st(1)"),
        native!("fadd st(2), st(0)"),
        native!("faddp st(1), st(0)"),
        native!("fadd dword ptr [rsi]"),
        native!("fadd qword ptr [rsi]"),
        native!("fiadd word ptr [rsi]"),
        native!("fiadd dword ptr [rsi]"),
        native!("fsub st(0), st(1)"),
        native!("fsub st(1), st(0)"),
        native!("fsubp st(1), st(0)"),
        native!("fsubr st(0), st(2)"),
        native!("fsubr st(2), st(0)"),
        native!("fsubrp st(1), st(0)"),
        native!("fisub word ptr [rsi]"),
        native!("fisubr dword ptr [rsi]"),
        native!("fmul st(0), st(1)"),
        native!("fmulp st(2), st(0)"),
        native!("fmul qword ptr [rsi]"),
        native!("fimul dword ptr [rsi]"),
        native!("fdiv st(0), st(1)"),
        native!("fdiv st(1), st(0)"),
        native!("fdivp st(1), st(0)"),
        native!("fdivr st(0), st(1)"),
        native!("fdivrp st(1), st(0)"),
        native!("fdiv dword ptr [rsi]"),
        native!("fidiv word ptr [rsi]"),
        native!("fidivr dword ptr [rsi]"),
        native!("fsqrt"),
        native!("frndint"),
        native!("fscale"),
        native!("fxtract"),
        native!("fprem"),
        native!("fprem1"),
    ];
    report(check_all(cases, RUNS, true, 12));
}

#[test]
fn x87_compare() {
    let cases: &[Case] = &[
        native!("fcom st(1)"),
        native!("fcomp st(2)"),
        native!("fcompp"),
        native!("fucom st(1)"),
        native!("fucomp st(1)"),
        native!("fucompp"),
        native!("fcom dword ptr [rsi]"),
        native!("fcom qword ptr [rsi]"),
        native!("ficom word ptr [rsi]"),
        native!("ficomp dword ptr [rsi]"),
        native!("fcomi st(0), st(1)"),
        native!("fcomip st(0), st(2)"),
        native!("fucomi st(0), st(1)"),
        native!("fucomip st(0), st(1)"),
    ];
    report(check_all(cases, RUNS, true, 13));
}

/// Known differences: overflow (OE) on a store to m32 is not flagged, and
/// the fxsave area's reserved bytes differ.
#[test]
#[ignore]
fn x87_known_differences() {
    let cases: &[Case] = &[
        native!("fst dword ptr [rsi]"),
        native!("fstp qword ptr [rsi]"),
        native!("fxsave [rsi]\nmov word ptr [rsi + 6], 0\nmov qword ptr [rsi + 8], 0\nmov qword ptr [rsi + 16], 0\nfxrstor [rsi]"),
    ];
    report(check_all(cases, RUNS, true, 14));
}
