// arch: riscv64
// Integer <-> floating-point conversions, including the out-of-range and NaN
// inputs whose results RISC-V defines (saturation; NaN -> the maximum), issued
// with inline asm fcvt so that C's undefined behaviour never comes into play.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define FCVT_TO_INT(insn, rm, in_reg, x)                                             \
    ({                                                                               \
        int64_t r_;                                                                  \
        __asm__ volatile(insn " %0, %1, " rm : "=r"(r_) : in_reg(x));                \
        r_;                                                                          \
    })

// Reads fflags (the accumulated exception flags) and clears them.
static unsigned take_flags(void) {
    unsigned f;
    __asm__ volatile("csrrw %0, fflags, zero" : "=r"(f));
    return f;
}

// double -> float with fcvt.s.d, ordered with respect to take_flags().
static float narrow(double d) {
    float f;
    __asm__ volatile("fcvt.s.d %0, %1" : "=f"(f) : "f"(d));
    return f;
}

static void to_int(double d) {
    float f = narrow(d);
    take_flags();
    printf("%-24.17g", d);
// Converts x with insn under each static rounding mode, then prints the
// results and the flags they raised (in that order: volatile asm keeps it).
#define ALL_MODES(insn, reg, x)                                                                    \
    do {                                                                                           \
        unsigned long long r_[5] = {FCVT_TO_INT(insn, "rne", reg, x), FCVT_TO_INT(insn, "rtz", reg, x), \
                                    FCVT_TO_INT(insn, "rdn", reg, x), FCVT_TO_INT(insn, "rup", reg, x), \
                                    FCVT_TO_INT(insn, "rmm", reg, x)};                             \
        unsigned flags_ = take_flags();                                                            \
        printf(" " insn " %llx/%llx/%llx/%llx/%llx f%02x", r_[0], r_[1], r_[2], r_[3], r_[4], flags_); \
    } while (0)
    ALL_MODES("fcvt.w.d", "f", d);
    ALL_MODES("fcvt.wu.d", "f", d);
    ALL_MODES("fcvt.l.d", "f", d);
    ALL_MODES("fcvt.lu.d", "f", d);
    putchar('\n');
    printf("%-24s", "  (as float)");
    ALL_MODES("fcvt.w.s", "f", f);
    ALL_MODES("fcvt.wu.s", "f", f);
    ALL_MODES("fcvt.l.s", "f", f);
    ALL_MODES("fcvt.lu.s", "f", f);
    putchar('\n');
}

static void from_int(int64_t v) {
    double d1, d2, d3, d4;
    float f1, f2, f3, f4;
    __asm__ volatile("fcvt.d.l %0, %1" : "=f"(d1) : "r"(v));
    __asm__ volatile("fcvt.d.lu %0, %1" : "=f"(d2) : "r"(v));
    __asm__ volatile("fcvt.d.w %0, %1" : "=f"(d3) : "r"(v));
    __asm__ volatile("fcvt.d.wu %0, %1" : "=f"(d4) : "r"(v));
    __asm__ volatile("fcvt.s.l %0, %1" : "=f"(f1) : "r"(v));
    __asm__ volatile("fcvt.s.lu %0, %1" : "=f"(f2) : "r"(v));
    __asm__ volatile("fcvt.s.w %0, %1" : "=f"(f3) : "r"(v));
    __asm__ volatile("fcvt.s.wu %0, %1" : "=f"(f4) : "r"(v));
    printf("%20lld -> %a %a %a %a | %a %a %a %a f%02x\n", (long long)v, d1, d2, d3, d4, (double)f1, (double)f2,
           (double)f3, (double)f4, take_flags());
}

int main(void) {
    const double doubles[] = {0.0, -0.0, 0.5, -0.5, 1.5, 2.5, -2.5, 3.7, -3.7, 2147483647.0, 2147483647.5,
                              2147483648.0, -2147483648.0, -2147483649.0, 4294967295.0, 4294967296.0,
                              9.2233720368547758e18, -9.2233720368547758e18, 1.8446744073709552e19,
                              1e30, -1e30, INFINITY, -INFINITY, NAN, -NAN, 1e-300};
    for (size_t i = 0; i < sizeof doubles / sizeof doubles[0]; i++) to_int(doubles[i]);

    const int64_t ints[] = {0, 1, -1, 16777217, -16777217, 9007199254740993ll, INT64_MAX, INT64_MIN,
                            0x7fffffff, 0xffffffff, 0x80000000, 0x123456789abcdefll};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) from_int(ints[i]);

    // float <-> double, with NaN payloads canonicalised as RISC-V requires.
    volatile double dn;
    uint64_t payload = 0x7ff4000000000123ull;
    memcpy((void *)&dn, &payload, sizeof payload);
    take_flags();
    float fn = narrow(dn);
    uint32_t fbits;
    memcpy(&fbits, &fn, sizeof fbits);
    printf("narrow nan %08x f%02x", fbits, take_flags());
    double wide[] = {1e300, 1e-300, 1.0 / 3.0, 0.5};
    for (int i = 0; i < 4; i++) {
        float n = narrow(wide[i]);
        printf(" %a f%02x", (double)n, take_flags());
    }
    printf("\n");

    // Plain C conversions in range.
    volatile double vd = -123456.875;
    volatile float vf = 3e9f;
    printf("%d %u %lld %llu %ld\n", (int)vd, (unsigned)vf, (long long)vd, (unsigned long long)vf, lround(vd));
    printf("%.17g %.9g %.17g\n", (double)(unsigned long long)-1, (float)(long long)0x7fffffffffffffffll,
           (double)(uint32_t)0xffffffffu);
    return 0;
}
