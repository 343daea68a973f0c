// libm over a spread of arguments: trigonometric, exponential, logarithmic,
// power, roots, fma, hypot, gamma/erf and float variants, printed in %a so
// that every bit of the result is compared.
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>

typedef double (*fn1)(double);
typedef double (*fn2)(double, double);

static const struct { const char *name; fn1 f; } unary[] = {
    {"sin", sin}, {"cos", cos}, {"tan", tan}, {"asin", asin}, {"acos", acos}, {"atan", atan},
    {"sinh", sinh}, {"cosh", cosh}, {"tanh", tanh}, {"asinh", asinh}, {"acosh", acosh}, {"atanh", atanh},
    {"exp", exp}, {"exp2", exp2}, {"expm1", expm1}, {"log", log}, {"log2", log2}, {"log10", log10},
    {"log1p", log1p}, {"sqrt", sqrt}, {"cbrt", cbrt}, {"erf", erf}, {"erfc", erfc}, {"tgamma", tgamma},
    {"lgamma", lgamma}, {"fabs", fabs}, {"logb", logb},
};

static const struct { const char *name; fn2 f; } binary[] = {
    {"pow", pow}, {"atan2", atan2}, {"hypot", hypot}, {"fmod", fmod}, {"remainder", remainder},
    {"fdim", fdim}, {"copysign", copysign}, {"nextafter", nextafter},
};

int main(void) {
    const double args[] = {0.0, -0.0, 0.5, -0.75, 1.0, 2.0, 3.141592653589793, 10.0, -33.3, 100.25, 1e-7,
                           710.0, -745.5, 1e10, INFINITY, -INFINITY, NAN};
    const size_t nargs = sizeof args / sizeof args[0];
    for (size_t f = 0; f < sizeof unary / sizeof unary[0]; f++) {
        printf("%-9s", unary[f].name);
        for (size_t i = 0; i < nargs; i++) printf(" %a", unary[f].f(args[i]));
        putchar('\n');
    }
    for (size_t f = 0; f < sizeof binary / sizeof binary[0]; f++) {
        printf("%s:\n", binary[f].name);
        for (size_t i = 0; i < nargs; i += 2) {
            printf(" ");
            for (size_t j = 1; j < nargs; j += 3) printf(" %a", binary[f].f(args[i], args[j]));
            putchar('\n');
        }
    }
    volatile double a = 0.1, b = 10.0, c = -1.0;
    printf("fma %a %a %a\n", fma(a, b, c), fma(1e308, 10.0, -1e308), fma(-0.0, 0.0, 0.0));
    printf("float: %a %a %a %a %a %a %a\n", (double)sinf(1.0f), (double)expf(10.5f), (double)logf(3.0f),
           (double)powf(2.5f, 3.3f), (double)sqrtf(2.0f), (double)cbrtf(-27.5f), (double)atan2f(1.0f, -2.0f));
    double s, co;
    sincos(0.7, &s, &co);
    int q;
    double rq = remquo(29.0, 3.0, &q);
    printf("sincos %a %a remquo %a %d scalbn %a ilogb %d\n", s, co, rq, q, scalbn(1.5, 1000), ilogb(1e-300));
    // Sums over a few thousand calls, to catch rare last-bit differences
    // (no products in the sum, so that -O2 cannot contract it into fma).
    double acc = 0;
    for (int i = 1; i <= 4000; i++) {
        double x = i * 0.0123;
        acc += sin(x) + cos(x * 0.5) + log(x) - exp(-x) + pow(x, 0.37) + atan(x) + sqrt(x) + cbrt(-x);
    }
    printf("sum %a\n", acc);
    return 0;
}
