/* What the benchmark programs share. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Deterministic PRNG (splitmix64). */
static inline uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Folds a value into a running digest so that order matters. */
static inline uint64_t mix(uint64_t acc, uint64_t v)
{
    acc ^= v + 0x9e3779b97f4a7c15u + (acc << 6) + (acc >> 2);
    return acc * 0x100000001b3u;
}

/* malloc, or exit 1 with a message. */
static inline void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return p;
}

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
