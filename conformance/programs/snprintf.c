// printf-family formatting: flags, widths, precisions, length modifiers,
// %n, positional arguments, truncation by snprintf and its return value.
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

static int vformat(char *buf, size_t n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return r;
}

int main(void) {
    const char *int_fmts[] = {"%d", "%5d", "%-5d|", "%05d", "%+d", "% d", "%.3d", "%8.3d", "%-+8.3d|", "%x", "%#x",
                              "%#o", "%X", "%#10.4x", "%u", "%c", "%hhd", "%hd", "%o"};
    const int ints[] = {0, 1, -1, 42, -42, 255, INT_MAX, INT_MIN, 65, 1000000};
    for (size_t f = 0; f < sizeof int_fmts / sizeof int_fmts[0]; f++) {
        printf("%-10s", int_fmts[f]);
        for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
            if (f == 14 && ints[i] < 0) continue;
            printf(" [");
            printf(int_fmts[f], ints[i]);
            printf("]");
        }
        printf("\n");
    }
    printf("%ld %lu %lld %llx %zu %zd %td %jd %" PRId64 " %" PRIu32 "\n", LONG_MIN, ULONG_MAX, LLONG_MIN,
           0xdeadbeefcafeull, (size_t)-1, (ptrdiff_t)-5, (ptrdiff_t)7, (intmax_t)-99, INT64_C(-1), UINT32_MAX);
    printf("[%s] [%10s] [%-10s] [%.3s] [%10.2s] [%*s] [%-*.*s] [%%]\n", "str", "str", "str", "string", "string", 6,
           "ab", 7, 2, "abcdef");
    printf("[%*d] [%-*d] [%.*f]\n", 5, 42, 5, 42, 2, 3.14159);
    printf("%2$s %1$s %3$d\n", "world", "hello", 3);
    int count = 0;
    printf("abc%n def\n", &count);
    printf("count %d\n", count);

    char small[8];
    const char *volatile word = "truncated";
    int r = snprintf(small, sizeof small, "%s-%d", word, 12345);
    printf("snprintf returned %d buffer [%s]\n", r, small);
    r = snprintf(NULL, 0, "%0*d", 40, 7);
    printf("length only %d\n", r);
    char big[256];
    r = vformat(big, sizeof big, "%s|%c|%5.1f|%e|%g|%#g|%a", "va", 'Z', 2.25, 12345.678, 0.0001, 1.0, 1.0);
    printf("vsnprintf %d [%s]\n", r, big);
    wchar_t wbuf[32];
    swprintf(wbuf, 32, L"%ls-%d", L"wide", 5);
    printf("swprintf %ls %zu\n", wbuf, wcslen(wbuf));
    char line[64];
    sprintf(line, "%08.3f|%-8.2e|%+.0e|%#.0e|%G", -3.14159, 1234.5, 5e-5, 7.0, 1e-20);
    printf("%s\n", line);
    fprintf(stderr, "to stderr: %d %s\n", 12, "ok");
    return 0;
}
