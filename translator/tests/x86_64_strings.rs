//! glibc's string functions on x86_64 with SSE4.2 advertised: `strcmp`,
//! `strcasecmp`, `strspn`... take their SSE4.2 paths (`pcmpistri` and
//! friends) in the module, whatever the host picks natively. A static
//! program built by gcc runs natively and as a module, translated and
//! `--interp-only`, with the same output.

mod common;

use std::fs;
use std::process::Command;

use common::*;
use tempfile::TempDir;

const PROGRAM: &str = r#"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <nmmintrin.h>

/* The SSE4.2 string instructions themselves, in a few modes. */
__attribute__((target("sse4.2"), noinline)) static unsigned long direct(const char *a, const char *b) {
    __m128i x = _mm_loadu_si128((const __m128i *)a), y = _mm_loadu_si128((const __m128i *)b);
    unsigned long h = 0;
    h = h * 33 + _mm_cmpistri(x, y, _SIDD_UBYTE_OPS | _SIDD_CMP_EQUAL_ANY);
    h = h * 33 + _mm_cmpistri(x, y, _SIDD_UBYTE_OPS | _SIDD_CMP_RANGES | _SIDD_MOST_SIGNIFICANT);
    h = h * 33 + _mm_cmpistri(x, y, _SIDD_UBYTE_OPS | _SIDD_CMP_EQUAL_EACH | _SIDD_NEGATIVE_POLARITY);
    h = h * 33 + _mm_cmpistri(x, y, _SIDD_SWORD_OPS | _SIDD_CMP_EQUAL_ORDERED);
    h = h * 33 + _mm_cmpistrc(x, y, _SIDD_UBYTE_OPS | _SIDD_CMP_EQUAL_ORDERED);
    h = h * 33 + _mm_cmpistrz(x, y, _SIDD_UBYTE_OPS | _SIDD_CMP_EQUAL_ANY);
    h = h * 33 + _mm_cmpestri(x, 7, y, 11, _SIDD_UBYTE_OPS | _SIDD_CMP_EQUAL_ANY | _SIDD_MASKED_NEGATIVE_POLARITY);
    __m128i m = _mm_cmpistrm(x, y, _SIDD_UBYTE_OPS | _SIDD_CMP_EQUAL_ANY | _SIDD_UNIT_MASK);
    h = h * 33 + (unsigned long)_mm_movemask_epi8(m);
    m = _mm_cmpestrm(x, 5, y, 16, _SIDD_UWORD_OPS | _SIDD_CMP_RANGES);
    h = h * 33 + (unsigned long)_mm_cvtsi128_si32(m);
    return h;
}

static unsigned long long seed = 0x9e3779b97f4a7c15ull;
static unsigned rnd(void) {
    seed ^= seed >> 12; seed ^= seed << 25; seed ^= seed >> 27;
    return (unsigned)((seed * 0x2545f4914f6cdd1dull) >> 32);
}
static int sgn(long v) { return (v > 0) - (v < 0); }

/* Random text over a small alphabet (so that matches happen), with
   upper case and bytes >= 0x80 now and then. */
static void fill(char *s, int n, int alpha) {
    static const char extra[] = "AbC\x80\xff\x7f .";
    for (int i = 0; i < n; i++) {
        unsigned r = rnd() % 64;
        s[i] = r < 56 ? 'a' + (char)(rnd() % alpha) : extra[r - 56];
    }
    s[n] = 0;
}

int main(void) {
    /* Strings near the end of a page, at every alignment. */
    char *page = aligned_alloc(4096, 3 * 4096);
    unsigned long h = 0;
    __builtin_cpu_init();
    printf("sse4.2 %d\n", __builtin_cpu_supports("sse4.2") != 0);
    for (int it = 0; it < 6000; it++) {
        int alpha = 1 + rnd() % 6;
        int la = rnd() % 70, lb = rnd() % 70;
        char *a = page + 4096 - (rnd() % 2 ? la + 1 : 200 + rnd() % 100);
        char *b = page + 2 * 4096 - (rnd() % 2 ? lb + 1 : 300 + rnd() % 100);
        fill(a, la, alpha);
        if (rnd() % 3 == 0) {
            /* b shares a prefix with a. */
            int k = la ? rnd() % (la + 1) : 0;
            if (k > lb) lb = k;
            fill(b, lb, alpha);
            memcpy(b, a, k);
            if (rnd() % 2 && k < lb) b[k] = 0;
        } else {
            fill(b, lb, alpha);
        }
        int n = rnd() % 80;
        int c = rnd() % 4 == 0 ? 0 : (unsigned char)("abcdAC\x80 "[rnd() % 8]);
        char set[8];
        fill(set, rnd() % 7, alpha + 1);
        char *needle = b + (lb ? rnd() % (lb + 1) : 0);
        char nd[16];
        int nl = rnd() % 6;
        if (rnd() % 2) { memcpy(nd, needle, nl); nd[nl] = 0; } else fill(nd, nl, alpha);
        const char *p;
        long r[12];
        r[0] = sgn(strcmp(a, b));
        r[1] = sgn(strncmp(a, b, n));
        r[2] = (p = strchr(a, c)) ? p - a : -1;
        r[3] = (p = strrchr(a, c)) ? p - a : -1;
        r[4] = (p = strstr(b, nd)) ? p - b : -1;
        r[5] = strspn(a, set);
        r[6] = strcspn(a, set);
        r[7] = (p = strpbrk(a, set)) ? p - a : -1;
        r[8] = sgn(strcasecmp(a, b));
        r[9] = (p = memchr(a, c, la)) ? p - a : -1;
        r[10] = sgn(strncasecmp(a, b, n));
        r[11] = strlen(a) + strnlen(b, n);
        for (int k = 0; k < 12; k++) h = h * 1000003 + (unsigned long)r[k];
        if (it % 500 == 0)
            printf("%d: %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld\n", it, r[0], r[1], r[2], r[3],
                   r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11]);
        if (la >= 16 && lb >= 16) h = h * 7 + direct(a, b);
        /* self comparisons */
        h = h * 31 + (strcmp(a, a) == 0) + (strstr(a, "") == a) + sgn(strcmp(a, a + (la > 0)));
    }
    printf("hash %lx\n", h);
    return 0;
}
"#;

#[test]
fn x86_64_string_functions_match_native() {
    if std::env::consts::ARCH != "x86_64" {
        eprintln!("skipped: the host is not x86_64");
        return;
    }
    let dir = TempDir::new().unwrap();
    let c = dir.path().join("strings.c");
    fs::write(&c, PROGRAM).unwrap();
    let exe = dir.path().join("strings");
    let status = Command::new("gcc")
        .args(["-static", "-O2", "-o", s(&exe), s(&c)])
        .status();
    if !matches!(status, Ok(st) if st.success()) {
        eprintln!("skipped: gcc -static cannot build the program");
        return;
    }
    let native = Command::new(&exe).output().unwrap();
    assert_eq!(native.status.code(), Some(0));
    let text = String::from_utf8_lossy(&native.stdout);
    assert!(text.starts_with("sse4.2 1\n"), "{text}");
    for extra in [&[][..], &["--interp-only"][..]] {
        let module = dir.path().join("strings.wasm");
        let mut args = vec!["build", s(&exe), "-o", s(&module)];
        args.extend_from_slice(extra);
        let build = c2w_aot(&args);
        assert!(build.status.success(), "{}", String::from_utf8_lossy(&build.stderr));
        let run = c2w_aot(&["run", s(&module)]);
        assert_eq!(
            String::from_utf8_lossy(&run.stdout),
            text,
            "{extra:?}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert_eq!(run.status.code(), Some(0), "{extra:?}");
    }
}
