// arch: riscv64
// NaNs, infinities, signed zeros and subnormals: classification, comparisons,
// min/max, sign manipulation, fclass and the canonical NaN RISC-V produces.
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t bits_of(double d) { uint64_t b; memcpy(&b, &d, sizeof b); return b; }
static uint32_t bits_of_f(float f) { uint32_t b; memcpy(&b, &f, sizeof b); return b; }
static double from_bits(uint64_t b) { double d; memcpy(&d, &b, sizeof d); return d; }

static unsigned fclass_d(double d) { unsigned long r; __asm__ volatile("fclass.d %0, %1" : "=r"(r) : "f"(d)); return (unsigned)r; }
static unsigned fclass_s(float f) { unsigned long r; __asm__ volatile("fclass.s %0, %1" : "=r"(r) : "f"(f)); return (unsigned)r; }

int main(void) {
    const double vals[] = {0.0, -0.0, 1.0, -1.0, INFINITY, -INFINITY, NAN, -NAN, DBL_MIN, DBL_TRUE_MIN,
                           -DBL_TRUE_MIN, DBL_MAX, from_bits(0x7ff0000000000001ull), from_bits(0x7ff8dead0000beefull)};
    const size_t n = sizeof vals / sizeof vals[0];
    for (size_t i = 0; i < n; i++) {
        volatile double a = vals[i];
        float f = (float)a;
        printf("%016llx class %3x/%3x fpclassify %d isnan %d isinf %d isfinite %d isnormal %d signbit %d | %08x\n",
               (unsigned long long)bits_of(a), fclass_d(a), fclass_s(f), fpclassify(a), isnan(a) != 0,
               isinf(a) != 0, isfinite(a) != 0, isnormal(a) != 0, signbit(a) != 0, bits_of_f(f));
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j += 3) {
            volatile double a = vals[i], b = vals[j];
            printf("%zu,%zu: < %d <= %d == %d != %d unord %d | min %016llx max %016llx | + %016llx * %016llx / %016llx copysign %016llx\n",
                   i, j, a < b, a <= b, a == b, a != b, isunordered(a, b), (unsigned long long)bits_of(fmin(a, b)),
                   (unsigned long long)bits_of(fmax(a, b)), (unsigned long long)bits_of(a + b),
                   (unsigned long long)bits_of(a * b), (unsigned long long)bits_of(a / b),
                   (unsigned long long)bits_of(copysign(a, b)));
        }
    }
    // Raw fmin/fmax/fsgnj instructions (fmin.d of a signalling NaN, -0 vs +0).
    double r1, r2, r3, r4;
    double snan = from_bits(0x7ff0000000000001ull), nz = -0.0, pz = 0.0;
    __asm__ volatile("fmin.d %0, %1, %2" : "=f"(r1) : "f"(snan), "f"(pz));
    __asm__ volatile("fmax.d %0, %1, %2" : "=f"(r2) : "f"(nz), "f"(pz));
    __asm__ volatile("fmin.d %0, %1, %2" : "=f"(r3) : "f"(nz), "f"(pz));
    __asm__ volatile("fsgnjx.d %0, %1, %2" : "=f"(r4) : "f"(snan), "f"(nz));
    printf("fmin(snan,0) %016llx fmax(-0,0) %016llx fmin(-0,0) %016llx fsgnjx %016llx\n",
           (unsigned long long)bits_of(r1), (unsigned long long)bits_of(r2), (unsigned long long)bits_of(r3),
           (unsigned long long)bits_of(r4));
    // NaN boxing: a float register holding a non-boxed value reads as the canonical NaN.
    uint64_t raw = 0x000000003f800000ull, boxed = 0xffffffff3f800000ull, unboxed_sum, boxed_sum;
    __asm__ volatile("fmv.d.x ft0, %1\n\tfadd.s ft0, ft0, ft0\n\tfmv.x.w %0, ft0" : "=r"(unboxed_sum) : "r"(raw) : "ft0");
    __asm__ volatile("fmv.d.x ft0, %1\n\tfadd.s ft0, ft0, ft0\n\tfmv.x.w %0, ft0" : "=r"(boxed_sum) : "r"(boxed) : "ft0");
    float sum;
    uint32_t sum_bits = (uint32_t)boxed_sum;
    memcpy(&sum, &sum_bits, sizeof sum);
    printf("unboxed+unboxed %08x boxed+boxed %08x (%g)\n", (uint32_t)unboxed_sum, (uint32_t)boxed_sum, (double)sum);
    volatile double x = 1e-310, half = x * 0.5;
    printf("subnormal ops %a %a %a %a\n", x * 2, x / 3, x - half, sqrt(x));
    printf("frexp/ldexp/modf:");
    int e;
    double ip;
    for (size_t i = 0; i < n; i++) {
        double m = frexp(vals[i], &e);
        double fr = modf(vals[i] * 1.75, &ip);
        printf(" %a/%d/%a/%a/%a", m, isfinite(vals[i]) ? e : 0, ldexp(vals[i], -3), fr, ip);
    }
    printf("\nnextafter %a %a %a\n", nextafter(0.0, 1.0), nextafter(1.0, 0.0), nextafter(DBL_MAX, INFINITY));
    return 0;
}
