//! SSE instructions run natively and through the semantics, from random
//! states rich in edge cases (NaNs, infinities, denormals, rounding modes,
//! out-of-range conversions): the xmm and general-purpose registers, MXCSR,
//! the arithmetic flags and memory must agree.

#![cfg(target_arch = "x86_64")]

mod x86_64_native;

use x86_64_native::{check_all, report, Case, RUNS};


#[test]
fn sse2_moves_and_logic() {
    let cases: &[Case] = &[
        native!("movaps xmm0, xmm1"),
        native!("movups xmm2, [rsi + 3]"),
        native!("movups [rsi + 5], xmm3"),
        native!("movapd xmm4, [rsi + 16]"),
        native!("movdqa [rsi + 32], xmm5"),
        native!("movdqu xmm6, [rsi + 1]"),
        native!("movss xmm0, xmm1"),
        native!("movss xmm0, [rsi + 4]"),
        native!("movss [rsi + 4], xmm2"),
        native!("movsd xmm0, xmm1"),
        native!("movsd xmm0, [rsi + 8]"),
        native!("movsd [rsi + 8], xmm2"),
        native!("movd xmm0, eax"),
        native!("movd xmm1, [rsi]"),
        native!("movd ecx, xmm2"),
        native!("movd [rsi + 2], xmm3"),
        native!("movq xmm0, rax"),
        native!("movq rdx, xmm1"),
        native!("movq xmm2, xmm3"),
        native!("movq xmm2, [rsi + 8]"),
        native!("movq [rsi + 8], xmm4"),
        native!("movhps xmm0, [rsi]"),
        native!("movhps [rsi], xmm1"),
        native!("movlps xmm0, [rsi]"),
        native!("movlpd [rsi], xmm1"),
        native!("movhpd xmm2, [rsi + 8]"),
        native!("movhlps xmm0, xmm1"),
        native!("movlhps xmm0, xmm1"),
        native!("movntdq [rsi + 16], xmm1"),
        native!("movnti [rsi + 4], eax"),
        native!("movnti [rsi + 4], rax"),
        native!("movmskps eax, xmm1"),
        native!("movmskpd ecx, xmm2"),
        native!("pmovmskb edx, xmm3"),
        native!("mov rdi, rsi\nmaskmovdqu xmm1, xmm2"),
        native!("pxor xmm0, xmm1"),
        native!("por xmm0, [rsi]"),
        native!("pand xmm0, xmm1"),
        native!("pandn xmm0, xmm1"),
        native!("xorps xmm0, xmm1"),
        native!("xorpd xmm0, [rsi + 16]"),
        native!("andps xmm0, xmm1"),
        native!("andpd xmm0, xmm1"),
        native!("andnps xmm0, xmm1"),
        native!("andnpd xmm0, xmm1"),
        native!("orps xmm0, xmm1"),
        native!("orpd xmm0, xmm1"),
        native!("stmxcsr [rsi]"),
        native!("mov eax, [rsi + 64]\nand eax, 0xffff\nor eax, 0x1f80\nmov [rsi + 64], eax\nldmxcsr [rsi + 64]\nstmxcsr [rsi + 4]"),
        native!("movddup xmm0, xmm1"),
        native!("movddup xmm0, [rsi]"),
        native!("movshdup xmm0, xmm1"),
        native!("movsldup xmm0, [rsi]"),
        native!("lddqu xmm0, [rsi + 7]"),
    ];
    report(check_all(cases, RUNS, false, 1));
}

#[test]
fn sse2_integer() {
    let cases: &[Case] = &[
        native!("paddb xmm0, xmm1"),
        native!("paddw xmm0, xmm1"),
        native!("paddd xmm0, [rsi]"),
        native!("paddq xmm0, xmm1"),
        native!("psubb xmm0, xmm1"),
        native!("psubw xmm0, xmm1"),
        native!("psubd xmm0, xmm1"),
        native!("psubq xmm0, xmm1"),
        native!("paddsb xmm0, xmm1"),
        native!("paddsw xmm0, xmm1"),
        native!("paddusb xmm0, xmm1"),
        native!("paddusw xmm0, xmm1"),
        native!("psubsb xmm0, xmm1"),
        native!("psubsw xmm0, xmm1"),
        native!("psubusb xmm0, xmm1"),
        native!("psubusw xmm0, xmm1"),
        native!("pcmpeqb xmm0, xmm1"),
        native!("pcmpeqw xmm0, xmm1"),
        native!("pcmpeqd xmm0, xmm1"),
        native!("pcmpgtb xmm0, xmm1"),
        native!("pcmpgtw xmm0, xmm1"),
        native!("pcmpgtd xmm0, xmm1"),
        native!("pminub xmm0, xmm1"),
        native!("pmaxub xmm0, xmm1"),
        native!("pminsw xmm0, xmm1"),
        native!("pmaxsw xmm0, xmm1"),
        native!("pavgb xmm0, xmm1"),
        native!("pavgw xmm0, xmm1"),
        native!("psadbw xmm0, xmm1"),
        native!("pmullw xmm0, xmm1"),
        native!("pmulhw xmm0, xmm1"),
        native!("pmulhuw xmm0, xmm1"),
        native!("pmuludq xmm0, xmm1"),
        native!("pmaddwd xmm0, xmm1"),
        native!("psllw xmm0, 3"),
        native!("pslld xmm0, 17"),
        native!("psllq xmm0, 63"),
        native!("psrlw xmm0, 16"),
        native!("psrld xmm0, 5"),
        native!("psrlq xmm0, 64"),
        native!("psraw xmm0, 3"),
        native!("psrad xmm0, 40"),
        native!("and rax, 0x3f\nmovq xmm1, rax\npsllw xmm0, xmm1"),
        native!("and rax, 0x3f\nmovq xmm1, rax\npsrld xmm0, xmm1"),
        native!("and rax, 0x7f\nmovq xmm1, rax\npsrlq xmm0, xmm1"),
        native!("and rax, 0x3f\nmovq xmm1, rax\npsraw xmm0, xmm1"),
        native!("and rax, 0x3f\nmovq xmm1, rax\npsrad xmm0, xmm1"),
        native!("psrad xmm0, xmm1"),
        native!("pslldq xmm0, 3"),
        native!("pslldq xmm0, 8"),
        native!("pslldq xmm0, 17"),
        native!("psrldq xmm0, 1"),
        native!("psrldq xmm0, 12"),
        native!("punpcklbw xmm0, xmm1"),
        native!("punpcklwd xmm0, xmm1"),
        native!("punpckldq xmm0, xmm1"),
        native!("punpcklqdq xmm0, xmm1"),
        native!("punpckhbw xmm0, xmm1"),
        native!("punpckhwd xmm0, xmm1"),
        native!("punpckhdq xmm0, xmm1"),
        native!("punpckhqdq xmm0, xmm1"),
        native!("packsswb xmm0, xmm1"),
        native!("packssdw xmm0, xmm1"),
        native!("packuswb xmm0, xmm1"),
        native!("pshufd xmm0, xmm1, 0x1b"),
        native!("pshufd xmm0, [rsi], 0xe4"),
        native!("pshuflw xmm0, xmm1, 0x93"),
        native!("pshufhw xmm0, xmm1, 0x39"),
        native!("shufps xmm0, xmm1, 0x4e"),
        native!("shufpd xmm0, xmm1, 1"),
        native!("shufpd xmm0, xmm1, 2"),
        native!("unpcklps xmm0, xmm1"),
        native!("unpckhps xmm0, xmm1"),
        native!("unpcklpd xmm0, xmm1"),
        native!("unpckhpd xmm0, xmm1"),
        native!("pextrw eax, xmm1, 5"),
        native!("pinsrw xmm0, eax, 3"),
        native!("pinsrw xmm0, [rsi], 7"),
    ];
    report(check_all(cases, RUNS, false, 2));
}

#[test]
fn sse2_float() {
    let cases: &[Case] = &[
        native!("addss xmm0, xmm1"),
        native!("addsd xmm0, xmm1"),
        native!("addps xmm0, xmm1"),
        native!("addpd xmm0, [rsi]"),
        native!("subss xmm0, xmm1"),
        native!("subsd xmm0, xmm1"),
        native!("subps xmm0, xmm1"),
        native!("subpd xmm0, xmm1"),
        native!("mulss xmm0, xmm1"),
        native!("mulsd xmm0, xmm1"),
        native!("mulps xmm0, xmm1"),
        native!("mulpd xmm0, xmm1"),
        native!("divss xmm0, xmm1"),
        native!("divsd xmm0, xmm1"),
        native!("divps xmm0, xmm1"),
        native!("divpd xmm0, xmm1"),
        native!("sqrtss xmm0, xmm1"),
        native!("sqrtsd xmm0, xmm1"),
        native!("sqrtps xmm0, xmm1"),
        native!("sqrtpd xmm0, xmm1"),
        native!("minss xmm0, xmm1"),
        native!("minsd xmm0, xmm1"),
        native!("minps xmm0, xmm1"),
        native!("minpd xmm0, xmm1"),
        native!("maxss xmm0, xmm1"),
        native!("maxsd xmm0, [rsi + 8]"),
        native!("maxps xmm0, xmm1"),
        native!("maxpd xmm0, xmm1"),
        native!("cmpss xmm0, xmm1, 0"),
        native!("cmpss xmm0, xmm1, 1"),
        native!("cmpss xmm0, xmm1, 2"),
        native!("cmpss xmm0, xmm1, 3"),
        native!("cmpsd xmm0, xmm1, 4"),
        native!("cmpsd xmm0, xmm1, 5"),
        native!("cmpsd xmm0, xmm1, 6"),
        native!("cmpsd xmm0, xmm1, 7"),
        native!("cmpps xmm0, xmm1, 1"),
        native!("cmpps xmm0, xmm1, 3"),
        native!("cmppd xmm0, xmm1, 2"),
        native!("cmppd xmm0, xmm1, 7"),
        native!("ucomiss xmm0, xmm1"),
        native!("ucomisd xmm0, xmm1"),
        native!("comiss xmm0, xmm1"),
        native!("comisd xmm0, [rsi]"),
        native!("cvtsi2ss xmm0, eax"),
        native!("cvtsi2ss xmm0, rax"),
        native!("cvtsi2sd xmm0, eax"),
        native!("cvtsi2sd xmm0, rax"),
        native!("cvtsi2sd xmm0, dword ptr [rsi]"),
        native!("cvtss2si eax, xmm1"),
        native!("cvtss2si rax, xmm1"),
        native!("cvtsd2si eax, xmm1"),
        native!("cvtsd2si rax, xmm1"),
        native!("cvttss2si eax, xmm1"),
        native!("cvttss2si rax, xmm1"),
        native!("cvttsd2si eax, xmm1"),
        native!("cvttsd2si rax, [rsi]"),
        native!("cvtss2sd xmm0, xmm1"),
        native!("cvtsd2ss xmm0, xmm1"),
        native!("cvtdq2pd xmm0, xmm1"),
        native!("cvtdq2ps xmm0, xmm1"),
        native!("cvtpd2dq xmm0, xmm1"),
        native!("cvttpd2dq xmm0, xmm1"),
        native!("cvtps2dq xmm0, xmm1"),
        native!("cvttps2dq xmm0, xmm1"),
        native!("cvtps2pd xmm0, xmm1"),
        native!("cvtpd2ps xmm0, xmm1"),
    ];
    report(check_all(cases, RUNS, false, 3));
}

#[test]
fn sse3_ssse3() {
    let cases: &[Case] = &[
        native!("haddps xmm0, xmm1"),
        native!("haddpd xmm0, xmm1"),
        native!("hsubps xmm0, xmm1"),
        native!("hsubpd xmm0, xmm1"),
        native!("addsubps xmm0, xmm1"),
        native!("addsubpd xmm0, xmm1"),
        native!("pshufb xmm0, xmm1"),
        native!("palignr xmm0, xmm1, 5"),
        native!("palignr xmm0, xmm1, 16"),
        native!("palignr xmm0, xmm1, 21"),
        native!("palignr xmm0, xmm1, 33"),
        native!("pabsb xmm0, xmm1"),
        native!("pabsw xmm0, xmm1"),
        native!("pabsd xmm0, xmm1"),
        native!("phaddw xmm0, xmm1"),
        native!("phaddd xmm0, xmm1"),
        native!("phsubw xmm0, xmm1"),
        native!("phsubd xmm0, xmm1"),
        native!("phaddsw xmm0, xmm1"),
        native!("phsubsw xmm0, xmm1"),
        native!("pmaddubsw xmm0, xmm1"),
        native!("pmulhrsw xmm0, xmm1"),
        native!("psignb xmm0, xmm1"),
        native!("psignw xmm0, xmm1"),
        native!("psignd xmm0, xmm1"),
    ];
    report(check_all(cases, RUNS, false, 4));
}

#[test]
fn sse41() {
    let cases: &[Case] = &[
        native!("pminsb xmm0, xmm1"),
        native!("pminsd xmm0, xmm1"),
        native!("pminuw xmm0, xmm1"),
        native!("pminud xmm0, xmm1"),
        native!("pmaxsb xmm0, xmm1"),
        native!("pmaxsd xmm0, xmm1"),
        native!("pmaxuw xmm0, xmm1"),
        native!("pmaxud xmm0, xmm1"),
        native!("pmulld xmm0, xmm1"),
        native!("pmuldq xmm0, xmm1"),
        native!("pextrb eax, xmm1, 9"),
        native!("pextrb [rsi], xmm1, 3"),
        native!("pextrd ecx, xmm1, 2"),
        native!("pextrq rdx, xmm1, 1"),
        native!("pextrw [rsi], xmm1, 6"),
        native!("pinsrb xmm0, eax, 13"),
        native!("pinsrd xmm0, ecx, 1"),
        native!("pinsrq xmm0, rdx, 1"),
        native!("extractps eax, xmm1, 3"),
        native!("insertps xmm0, xmm1, 0x9a"),
        native!("insertps xmm0, [rsi], 0x21"),
        native!("ptest xmm0, xmm1"),
        native!("movdqa xmm1, xmm0\nptest xmm0, xmm1"),
        native!("pxor xmm1, xmm1\nptest xmm0, xmm1"),
        native!("pblendw xmm0, xmm1, 0xa5"),
        native!("pblendvb xmm2, xmm1"),
        native!("blendps xmm0, xmm1, 5"),
        native!("blendpd xmm0, xmm1, 2"),
        native!("blendvps xmm2, xmm1"),
        native!("blendvpd xmm2, xmm1"),
        native!("roundss xmm0, xmm1, 0"),
        native!("roundss xmm0, xmm1, 9"),
        native!("roundsd xmm0, xmm1, 1"),
        native!("roundsd xmm0, xmm1, 4"),
        native!("roundps xmm0, xmm1, 2"),
        native!("roundpd xmm0, xmm1, 11"),
        native!("pmovzxbw xmm0, xmm1"),
        native!("pmovzxbd xmm0, [rsi]"),
        native!("pmovzxbq xmm0, xmm1"),
        native!("pmovzxwd xmm0, xmm1"),
        native!("pmovzxwq xmm0, xmm1"),
        native!("pmovzxdq xmm0, xmm1"),
        native!("pmovsxbw xmm0, xmm1"),
        native!("pmovsxbd xmm0, xmm1"),
        native!("pmovsxbq xmm0, xmm1"),
        native!("pmovsxwd xmm0, [rsi]"),
        native!("pmovsxwq xmm0, xmm1"),
        native!("pmovsxdq xmm0, xmm1"),
        native!("packusdw xmm0, xmm1"),
        native!("pcmpeqq xmm0, xmm1"),
        native!("phminposuw xmm0, xmm1"),
        native!("movntdqa xmm0, [rsi + 16]"),
    ];
    report(check_all(cases, RUNS, false, 5));
}

#[test]
fn sse42_bits() {
    let cases: &[Case] = &[
        native!("pcmpgtq xmm0, xmm1"),
        native!("crc32 eax, cl"),
        native!("crc32 eax, dx"),
        native!("crc32 eax, ecx"),
        native!("crc32 rax, rcx"),
        native!("crc32 eax, byte ptr [rsi]"),
    ];
    report(check_all(cases, RUNS, false, 6));
}

/// `native!` cases of `$insn` followed by each immediate.
macro_rules! with_imm {
    ($insn:literal, $($imm:literal)*) => {
        [$(native!(concat!($insn, ", ", stringify!($imm)))),*]
    };
}

#[test]
fn sse42_strings_implicit() {
    let mut cases: Vec<Case> = Vec::new();
    cases.extend(with_imm!("pcmpistri xmm0, xmm1", 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95 96 97 98 99 100 101 102 103 104 105 106 107 108 109 110 111 112 113 114 115 116 117 118 119 120 121 122 123 124 125 126 127));
    cases.extend(with_imm!("pcmpistrm xmm2, xmm3", 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95 96 97 98 99 100 101 102 103 104 105 106 107 108 109 110 111 112 113 114 115 116 117 118 119 120 121 122 123 124 125 126 127));
    cases.extend([
        native!("pcmpistri xmm3, [rsi + 5], 0x0c"),
        native!("pcmpistrm xmm4, [rsi + 1], 0x44"),
        native!("punpcklbw xmm1, xmm0\npcmpistri xmm0, xmm1, 0x00"),
        native!("punpcklbw xmm1, xmm0\npcmpistri xmm0, xmm1, 0x1a"),
        native!("movdqa xmm1, xmm0\npsrldq xmm1, 3\npcmpistri xmm1, xmm0, 0x0c"),
        native!("movdqa xmm1, xmm0\npslldq xmm1, 5\npcmpistri xmm0, xmm1, 0x0c"),
        native!("movdqa xmm1, xmm0\npsrldq xmm1, 4\npcmpistri xmm1, xmm0, 0x4d"),
        native!("movdqa xmm1, xmm0\npcmpistri xmm0, xmm1, 0x18"),
        native!("movdqa xmm1, xmm0\npcmpistrm xmm0, xmm1, 0x59"),
        native!("pcmpistri xmm0, xmm0, 0x3a"),
    ]);
    report(check_all(&cases, RUNS, false, 7));
}

#[test]
fn sse42_strings_explicit() {
    let mut cases: Vec<Case> = Vec::new();
    cases.extend(with_imm!("pcmpestri xmm0, xmm1", 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95 96 97 98 99 100 101 102 103 104 105 106 107 108 109 110 111 112 113 114 115 116 117 118 119 120 121 122 123 124 125 126 127));
    cases.extend(with_imm!("pcmpestrm xmm2, xmm3", 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95 96 97 98 99 100 101 102 103 104 105 106 107 108 109 110 111 112 113 114 115 116 117 118 119 120 121 122 123 124 125 126 127));
    cases.extend([
        native!("pcmpestri xmm3, [rsi + 5], 0x0c"),
        native!("pcmpestrm xmm4, [rsi + 1], 0x44"),
        native!("sub rax, 20\nsub rdx, 20\npcmpestri xmm0, xmm1, 0x0c"),
        native!("sub rax, 20\nsub rdx, 20\n.byte 0x66, 0x48, 0x0f, 0x3a, 0x61, 0xc1, 0x0c"),
        native!("sub rdx, 20\n.byte 0x66, 0x48, 0x0f, 0x3a, 0x60, 0xc1, 0x44"),
        native!("sub eax, 20\nsub edx, 20\npcmpestri xmm0, xmm1, 0x39"),
        native!("sub rax, 20\nsub rdx, 20\npcmpestrm xmm0, xmm1, 0x65"),
        native!("and eax, 31\nand edx, 31\npunpcklbw xmm1, xmm0\npcmpestri xmm0, xmm1, 0x00"),
        native!("and eax, 31\nand edx, 31\nmovdqa xmm1, xmm0\npsrldq xmm1, 3\npcmpestri xmm1, xmm0, 0x0c"),
        native!("and eax, 31\nand edx, 31\nmovdqa xmm1, xmm0\npcmpestri xmm0, xmm1, 0x08"),
    ]);
    report(check_all(&cases, RUNS, false, 8));
}

/// The harness itself: a different instruction must be caught.
#[test]
fn harness_detects_differences() {
    let (_, add) = native!("addsd xmm0, xmm1");
    let (_, sub) = native!("subsd xmm0, xmm1");
    let mut rng = x86_64_native::Rng(7);
    let (mut s, data) = x86_64_native::random_state(&mut rng);
    s.set_xmm(0, [1f64.to_bits(), 0]);
    s.set_xmm(1, [2f64.to_bits(), 0]);
    let (mut d1, mut d2) = (data, data);
    let want = x86_64_native::run_native(add, &s, &mut d1);
    let other = x86_64_native::run_native(sub, &s, &mut d2);
    let got = x86_64_native::run_emulated(x86_64_native::code(&other), &s, &mut d2).unwrap();
    assert!(!x86_64_native::diff(&want, &got, false).is_empty());
}
