// Floating-point formatting and parsing: printf %.17g/%a/%e/%f/%g of
// doubles and floats, and strtod/strtof round trips of tricky decimals.
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"

static const char *const inputs[] = {
    "0", "-0", "1", "0.1", "0.2", "0.3", "1e23", "9007199254740993", "2.2250738585072011e-308",
    "2.2250738585072014e-308", "4.9e-324", "2.4703282292062327e-324", "1.7976931348623157e308",
    "1.7976931348623159e308", "123456789012345678901234567890", "3.14159265358979323846264338327950288",
    "0x1.fffffffffffffp1023", "0x1p-1074", "-0x1.8p+1", "inf", "-Infinity", "nan", "1e-400", "1e400",
    "   42.5xyz", "5e-324", "0.000001", "123.456e-7", ".5", "5.", "1_000", "",
};

int main(void) {
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char *end;
        double d = strtod(inputs[i], &end);
        float f = strtof(inputs[i], NULL);
        printf("[%s] -> %.17g %a %e rest=[%s] | %.9g %a\n", inputs[i], d, d, d, end, (double)f, (double)f);
    }

    // Round trips of random bit patterns through %.17g and %a.
    prng_seed(42);
    int bad = 0;
    uint64_t h = FNV_INIT;
    for (int i = 0; i < 3000; i++) {
        uint64_t bits = prng_next();
        double d;
        memcpy(&d, &bits, sizeof d);
        if (isnan(d)) continue;
        char buf[64], buf2[64];
        snprintf(buf, sizeof buf, "%.17g", d);
        snprintf(buf2, sizeof buf2, "%a", d);
        double back = strtod(buf, NULL), back2 = strtod(buf2, NULL);
        if (memcmp(&back, &d, sizeof d) || memcmp(&back2, &d, sizeof d)) bad++;
        h = fnv1a(h, buf, strlen(buf));
        h = fnv1a(h, buf2, strlen(buf2));
        float fl = (float)d;
        snprintf(buf, sizeof buf, "%.9g", (double)fl);
        float fback = strtof(buf, NULL);
        if (memcmp(&fback, &fl, sizeof fl)) bad++;
        h = fnv1a(h, buf, strlen(buf));
    }
    printf("round trips bad=%d checksum=%016llx\n", bad, (unsigned long long)h);

    const double samples[] = {M_PI, -M_E, 1e-10, 123456.789, 0.5, 1.5, 2.5, -0.0, 1e21, 1e22, DBL_MIN, DBL_MAX, DBL_TRUE_MIN, DBL_EPSILON};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        double s = samples[i];
        printf("%g|%.0f|%.3f|%10.4e|%-12.5g|%+.2a|%G|%#.0f|%A\n", s, s, s, s, s, s, s, s, s);
    }
    printf("%.60f\n%.40e\n%.0f\n", 0.1, 1.0 / 3.0, DBL_MAX);
    return 0;
}
