// arch: x86_64
// Floating point as x86-64 defines it, with inline asm so the compiler
// cannot fold: SSE conversions out of range and of NaN (the "integer
// indefinite" 0x80...0), the four MXCSR rounding modes (ldmxcsr/stmxcsr)
// for conversions and arithmetic, the MXCSR exception flags each operation
// raises, NaN propagation (the first operand's NaN, quieted), min/max
// returning the second operand on NaN or equal zeros, the default NaN of
// invalid operations (negative), comisd/ucomisd flags; x87 precision
// control (fldcw), rounding of frndint and fistp, and 80-bit results.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t bits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static double from_bits(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }
static uint32_t fbits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

static uint32_t get_mxcsr(void) { uint32_t m; __asm__ volatile("stmxcsr %0" : "=m"(m)); return m; }
static void set_mxcsr(uint32_t m) { __asm__ volatile("ldmxcsr %0" : : "m"(m)); }
static void clear_flags(void) { set_mxcsr(get_mxcsr() & ~0x3fu); }
static uint32_t flags(void) { return get_mxcsr() & 0x3f; }
static void set_rc(unsigned rc) { set_mxcsr((get_mxcsr() & ~0x6000u) | (rc << 13)); }

int main(void) {
    printf("mxcsr at start %08x\n", get_mxcsr());
    static const double inputs[] = {0.0, -0.0, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, 1e19, -1e19,
                                    9.2233720368547758e18, -9.2233720368547758e18, 4294967295.5, 1e-310,
                                    __builtin_inf(), -__builtin_inf(), __builtin_nan("")};
    for (unsigned i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        double x = inputs[i];
        int64_t r64, t64;
        int32_t r32, t32;
        clear_flags();
        __asm__ volatile("cvtsd2si %1, %0" : "=r"(r64) : "x"(x));
        uint32_t f1 = flags();
        clear_flags();
        __asm__ volatile("cvttsd2si %1, %0" : "=r"(t64) : "x"(x));
        uint32_t f2 = flags();
        __asm__ volatile("cvtsd2si %1, %k0" : "=r"(r32) : "x"(x));
        __asm__ volatile("cvttsd2si %1, %k0" : "=r"(t32) : "x"(x));
        float f;
        clear_flags();
        __asm__ volatile("cvtsd2ss %1, %0" : "=x"(f) : "x"(x));
        printf("cvt %-24.17g %lld/%02x %lld/%02x %d %d ss %08x/%02x\n", x, (long long)r64, f1, (long long)t64, f2, r32, t32,
               fbits(f), flags());
    }
    // Rounding modes: conversion, division, square root, int -> double.
    static const char *const modes[] = {"nearest", "down", "up", "zero"};
    for (unsigned rc = 0; rc < 4; rc++) {
        set_rc(rc);
        int64_t a, b;
        double third = 1.0, sq = 2.0, big;
        __asm__ volatile("cvtsd2si %1, %0" : "=r"(a) : "x"(2.5));
        __asm__ volatile("cvtsd2si %1, %0" : "=r"(b) : "x"(-3.5));
        __asm__ volatile("divsd %1, %0" : "+x"(third) : "x"(3.0));
        __asm__ volatile("sqrtsd %0, %0" : "+x"(sq));
        __asm__ volatile("cvtsi2sdq %1, %0" : "=x"(big) : "r"((int64_t)0x7fffffffffffffffll));
        float fs = 1.0f;
        __asm__ volatile("divss %1, %0" : "+x"(fs) : "x"(10.0f));
        printf("rc %-7s %lld %lld %016llx %016llx %016llx %08x\n", modes[rc], (long long)a, (long long)b,
               (unsigned long long)bits(third), (unsigned long long)bits(sq), (unsigned long long)bits(big), fbits(fs));
    }
    set_rc(0);
    // Exception flags (IE DE ZE OE UE PE) raised by single operations.
    struct { const char *name; double a, b; } ops[] = {
        {"1/0", 1.0, 0.0}, {"0/0", 0.0, 0.0}, {"max*2", 1.7976931348623157e308, 2.0},
        {"min/3", 2.2250738585072014e-308, 3.0}, {"1/3", 1.0, 3.0}, {"exact", 6.0, 3.0}, {"inf-inf", __builtin_inf(), __builtin_inf()},
    };
    for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        double q = ops[i].a, m = ops[i].a, s = ops[i].a;
        clear_flags();
        __asm__ volatile("divsd %1, %0" : "+x"(q) : "x"(ops[i].b));
        uint32_t fd = flags();
        clear_flags();
        __asm__ volatile("mulsd %1, %0" : "+x"(m) : "x"(ops[i].b));
        uint32_t fm = flags();
        clear_flags();
        __asm__ volatile("subsd %1, %0" : "+x"(s) : "x"(ops[i].b));
        printf("flags %-8s div %016llx/%02x mul %016llx/%02x sub %016llx/%02x\n", ops[i].name, (unsigned long long)bits(q), fd,
               (unsigned long long)bits(m), fm, (unsigned long long)bits(s), flags());
    }
    // NaN propagation and min/max operand order.
    double qnan1 = from_bits(0x7ff8000000000001ull), snan2 = from_bits(0x7ff0000000000002ull), nnan = from_bits(0xfff8000000000003ull);
    double pairs[][2] = {{qnan1, snan2}, {snan2, qnan1}, {1.0, nnan}, {nnan, 1.0}, {0.0, -0.0}, {-0.0, 0.0}, {1.0, 2.0}, {qnan1, qnan1}};
    for (unsigned i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        double add = pairs[i][0], mn = pairs[i][0], mx = pairs[i][0];
        clear_flags();
        __asm__ volatile("addsd %1, %0" : "+x"(add) : "x"(pairs[i][1]));
        uint32_t fa = flags();
        __asm__ volatile("minsd %1, %0" : "+x"(mn) : "x"(pairs[i][1]));
        __asm__ volatile("maxsd %1, %0" : "+x"(mx) : "x"(pairs[i][1]));
        uint64_t cf_zf_pf;
        __asm__ volatile("ucomisd %1, %2\n\tpushfq\n\tpop %0" : "=r"(cf_zf_pf) : "x"(pairs[i][1]), "x"(pairs[i][0]) : "cc");
        printf("nan %d add %016llx/%02x min %016llx max %016llx ucomisd %02llx\n", i, (unsigned long long)bits(add), fa,
               (unsigned long long)bits(mn), (unsigned long long)bits(mx), (unsigned long long)(cf_zf_pf & 0x45));
    }
    double neg = -1.0;
    __asm__ volatile("sqrtsd %0, %0" : "+x"(neg));
    printf("sqrt(-1) %016llx\n", (unsigned long long)bits(neg));
    // x87: precision control, rounding of frndint and fistp, 80-bit results.
    uint16_t cw;
    __asm__ volatile("fnstcw %0" : "=m"(cw));
    printf("x87 cw %04x\n", cw);
    for (unsigned pc = 0; pc < 4; pc++) {
        if (pc == 1) continue;  // reserved
        uint16_t ncw = (uint16_t)((cw & ~0x300u) | (pc << 8));
        long double r;
        __asm__ volatile("fldcw %1\n\tfld1\n\tfldl %2\n\tfdivrp\n\tfldcw %3" : "=t"(r) : "m"(ncw), "m"(inputs[2]), "m"(cw));
        unsigned char raw[10];
        memcpy(raw, &r, 10);
        printf("pc %u 1/1.5:", pc);
        for (int k = 9; k >= 0; k--) printf(" %02x", raw[k]);
        printf("\n");
    }
    for (unsigned rc = 0; rc < 4; rc++) {
        uint16_t ncw = (uint16_t)((cw & ~0xc00u) | (rc << 10));
        long double x = -2.5L, rounded;
        int64_t stored;
        __asm__ volatile("fldcw %2\n\tfrndint\n\tfldcw %3" : "=t"(rounded) : "0"(x), "m"(ncw), "m"(cw));
        __asm__ volatile("fldcw %2\n\tfistpll %0\n\tfldcw %3" : "=m"(stored) : "t"(3.5L), "m"(ncw), "m"(cw) : "st");
        printf("x87 rc %-7s frndint(-2.5) %.1Lf fistp(3.5) %lld\n", modes[rc], rounded, (long long)stored);
    }
    long double third = 1.0L / 3.0L, tiny = 1e-4940L, huge = 1e4931L;
    printf("x87 %.25Lg %.10Lg %.10Lg %La\n", third, tiny, huge * 10.0L, third);
    return 0;
}
