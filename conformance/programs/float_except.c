// Floating-point exception flags: feclearexcept/fetestexcept/feraiseexcept
// after operations that raise exactly one (or a known set of) flags.
#include <fenv.h>
#include <math.h>
#include <stdio.h>

static void show(const char *what) {
    int f = fetestexcept(FE_ALL_EXCEPT);
    printf("%-28s%s%s%s%s%s%s\n", what, f & FE_INVALID ? " invalid" : "", f & FE_DIVBYZERO ? " divbyzero" : "",
           f & FE_OVERFLOW ? " overflow" : "", f & FE_UNDERFLOW ? " underflow" : "",
           f & FE_INEXACT ? " inexact" : "", f ? "" : " none");
    feclearexcept(FE_ALL_EXCEPT);
}

// Each operation goes through volatile storage so it happens at run time,
// between the show() calls that sample the flags.
#define OP(expr)                 \
    do {                         \
        volatile double r_ = (expr); \
        (void)r_;                \
        show(#expr);             \
    } while (0)

int main(void) {
    volatile double zero = 0.0, one = 1.0, three = 3.0, big = 1e308, tiny = 1e-308, minus = -1.0;
    volatile double inf = INFINITY, qnan = NAN;
    volatile float fbig = 3e38f, fone = 1.0f;
    feclearexcept(FE_ALL_EXCEPT);
    show("start");
    OP(one + one);
    OP(one / three);
    OP(one / zero);
    OP(zero / zero);
    OP(big * big);
    OP(tiny * tiny);
    OP(tiny / 3.0);
    OP(sqrt(minus));
    OP(inf - inf);
    OP(inf * zero);
    OP(qnan + one);
    OP(qnan < one);
    OP(qnan == one);
    OP(fbig * 10.0f);
    OP(fone / 3.0f);
    OP((float)big);
    OP((double)(long)(one * 3.5));
    OP(fma(big, big, -inf));
    OP(log(zero));
    OP(log(minus));
    OP(exp(1000.0 * one));
    OP(exp(-1000.0 * one));
    OP(pow(zero, minus));
    OP(one * 2.0);

    feraiseexcept(FE_OVERFLOW | FE_INEXACT);
    show("feraiseexcept(OF|NX)");
    feraiseexcept(FE_DIVBYZERO);
    feclearexcept(FE_DIVBYZERO);
    show("raise then clear DZ");

    fexcept_t saved;
    volatile double r = one / zero;
    (void)r;
    fegetexceptflag(&saved, FE_ALL_EXCEPT);
    feclearexcept(FE_ALL_EXCEPT);
    fesetexceptflag(&saved, FE_DIVBYZERO);
    show("fesetexceptflag(saved, DZ)");

    fenv_t env;
    feholdexcept(&env);
    r = zero / zero;
    feupdateenv(&env);
    show("feholdexcept/feupdateenv");
    return 0;
}
