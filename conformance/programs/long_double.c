// long double on riscv64 is IEEE binary128, implemented in software:
// arithmetic, conversions, printf/strtold and a few libm functions.
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    volatile long double one = 1.0L, three = 3.0L, ten = 10.0L;
    long double third = one / three;
    printf("LDBL_MANT_DIG %d LDBL_MAX_EXP %d sizeof %zu\n", LDBL_MANT_DIG, LDBL_MAX_EXP, sizeof(long double));
    printf("1/3  %.36Lg\n     %La\n     %.40Le\n", third, third, third);
    printf("max  %Lg %La\nmin  %Lg\neps  %Lg\n", LDBL_MAX, LDBL_MAX, LDBL_MIN, LDBL_EPSILON);
    printf("sqrt2 %.36Lf\npi   %.36Lf\n", sqrtl(2.0L * one), acosl(-one));
    printf("exp1 %.36Lg\nlog10 %.36Lg\n", expl(one), logl(ten));
    printf("pow  %.36Lg\nsin  %.36Lg\n", powl(ten * 1.5L, 7.25L * one), sinl(ten));

    long double f = 1;
    for (int i = 1; i <= 30; i++) f *= i;
    printf("30!  %.0Lf\n", f);
    long double s = 0;
    for (int i = 1; i <= 1000; i++) s += one / ((long double)i * i);
    printf("zeta2 %.34Lg\n", s);

    const char *inputs[] = {"0.1", "1e4932", "1e-4950", "3.14159265358979323846264338327950288419716939937510",
                            "-0x1.23456789abcdef0123456789abcdp+1000", "inf", "nan"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        long double v = strtold(inputs[i], NULL);
        printf("strtold %s -> %.36Lg %La\n", inputs[i], v, v);
    }

    // Conversions to and from integers and doubles.
    volatile long double big = 1e30L, neg = -123456789.987654321L;
    printf("%lld %llu %.17g %.9g %Lg\n", (long long)neg, (unsigned long long)(big / 1e12L), (double)neg,
           (double)(float)third, (long double)(unsigned __int128)big);
    printf("cmp %d %d %d %d\n", third < 0.3334L, third > 0.3333L, neg == neg, isnan(big - big * 1e4900L * 1e4900L));
    printf("%10.3Lf|%-12.5Le|%+Lg|%Lg|%Lg\n", neg, big, third, (long double)INFINITY, -(long double)NAN);
    return 0;
}
