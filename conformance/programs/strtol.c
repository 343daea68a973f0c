// Number parsing: strtol/strtoul/strtoll/strtoull/atoi with bases 0, 2, 8,
// 10, 16, 36, overflow to LONG_MAX/LONG_MIN with ERANGE, signs, whitespace,
// prefixes and the end pointer.
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const inputs[] = {
    "0", "-0", "42", "  -42abc", "+17", "0x1F", "0X1f", "0x", "0xg", "017", "08", "0b101", "1010",
    "zz", "ZZtop", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
    "-9223372036854775809", "18446744073709551615", "18446744073709551616", "-1", "   ", "",
    "\t\n 123", "1e5", "0777777777777777777777", "1000000000000000000000000", "-0x8000000000000000",
};

int main(void) {
    static const int bases[] = {0, 2, 8, 10, 16, 36};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        printf("\"%s\":", inputs[i]);
        for (size_t k = 0; k < sizeof bases / sizeof bases[0]; k++) {
            char *end;
            errno = 0;
            long v = strtol(inputs[i], &end, bases[k]);
            int e1 = errno;
            errno = 0;
            unsigned long u = strtoul(inputs[i], NULL, bases[k]);
            int e2 = errno;
            printf(" b%d=%ld/%lu/%td%s%s", bases[k], v, u, end - inputs[i], e1 == ERANGE ? "/R" : "",
                   e2 == ERANGE ? "/r" : "");
        }
        printf(" atoi=%d atol=%ld\n", atoi(inputs[i]), atol(inputs[i]));
    }
    errno = 0;
    long bad = strtol("10", NULL, 1);
    printf("base 1: %ld %s\n", bad, errno == EINVAL ? "EINVAL" : "no error");
    intmax_t im = strtoimax("-123456789012", NULL, 10);
    uintmax_t um = strtoumax("0xFFFFFFFFFFFF", NULL, 16);
    printf("strtoimax %" PRIdMAX " strtoumax %" PRIuMAX " %" PRIx64 "\n", im, um, (uint64_t)LLONG_MIN);
    long long ll;
    unsigned long long ull;
    int n = sscanf("  -77 0x1fff rest", "%lld %llx", &ll, &ull);
    printf("sscanf %d %lld %llu\n", n, ll, ull);
    return 0;
}
