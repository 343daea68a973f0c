// Dynamic rounding modes: fesetround/fegetround, nearbyint/rint/lrint and
// plain arithmetic (+ - * / sqrt fma, conversions) under each mode.
#include <fenv.h>
#include <math.h>
#include <stdio.h>

static const struct { int mode; const char *name; } modes[] = {
    {FE_TONEAREST, "nearest"}, {FE_TOWARDZERO, "toward-zero"}, {FE_DOWNWARD, "downward"}, {FE_UPWARD, "upward"},
};

int main(void) {
    const double values[] = {0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999999999999996, 1e16 + 1, -7.25, 1e300};
    volatile double one = 1.0, three = 3.0, tiny = 1e-308, big = 1e308, two = 2.0, ten = 10.0;
    volatile float fone = 1.0f, fthree = 3.0f;
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        if (fesetround(modes[m].mode) != 0) {
            printf("fesetround %s failed\n", modes[m].name);
            continue;
        }
        printf("== %s (fegetround matches: %d)\n", modes[m].name, fegetround() == modes[m].mode);
        for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
            volatile double v = values[i];
            printf("%-22.17g nearbyint %-8g rint %-8g lrint %-6ld llrint %-6lld round %-5g trunc %-5g floor %-5g ceil %g\n",
                   v, nearbyint(v), rint(v), lrint(v), llrint(v), round(v), trunc(v), floor(v), ceil(v));
        }
        printf("1/3   %a  -1/3 %a  float %a\n", one / three, -one / three, (double)(fone / fthree));
        printf("2/3*3 %a  1+2^-53 %a  1-2^-54 %a\n", two / three * three, one + 0x1p-53, one - 0x1p-54);
        printf("sqrt2 %a  sqrt3f %a  fma %a\n", sqrt(two), (double)sqrtf(fthree), fma(one / three, three, -one));
        printf("big*10 %g  -big*10 %g  tiny/1e10 %a  -tiny/1e10 %a\n", big * ten, -big * ten, tiny / 1e10, -tiny / 1e10);
        printf("(float)1/3 %a  (int)2.7 %d  0.1+0.2 %.17g  exp(1) %.17g  sin(1e22) %.17g\n",
               (double)(float)(one / three), (int)(2.7 * one), 0.1 * one + 0.2, exp(one), sin(1e22 * one));
        char buf[64];
        snprintf(buf, sizeof buf, "%.3f %.0f %.1e", 2.0005 * one, 0.5 * one, 1.25 * one);
        printf("printf under mode: %s\n", buf);
    }
    fesetround(FE_TONEAREST);
    printf("restored: %d\n", fegetround() == FE_TONEAREST);
    return 0;
}
