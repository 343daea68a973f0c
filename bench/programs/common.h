/* What the benchmark programs share. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stdint.h>

/* Parses a decimal integer in [1, max]; returns 0 on malformed input. */
static int parse_count(const char *s, uint32_t max, uint32_t *out)
{
    uint64_t v = 0;
    if (*s == '\0')
        return 0;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        v = v * 10u + (uint64_t)(*s - '0');
        if (v > max)
            return 0;
    }
    if (v == 0)
        return 0;
    *out = (uint32_t)v;
    return 1;
}

#endif
