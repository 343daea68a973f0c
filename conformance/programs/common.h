// Helpers shared by the conformance programs: a deterministic PRNG and a
// checksum, so that programs print short digests instead of bulk data.
#ifndef C2W_CONFORMANCE_COMMON_H
#define C2W_CONFORMANCE_COMMON_H

#include <stddef.h>
#include <stdint.h>

// xorshift64*: small, fast, fully deterministic.
static uint64_t prng_state = 0x9E3779B97F4A7C15ull;

static inline void prng_seed(uint64_t seed) { prng_state = seed ? seed : 1; }

static inline uint64_t prng_next(void) {
    prng_state ^= prng_state >> 12;
    prng_state ^= prng_state << 25;
    prng_state ^= prng_state >> 27;
    return prng_state * 0x2545F4914F6CDD1Dull;
}

static inline uint32_t prng_below(uint32_t n) { return (uint32_t)(prng_next() >> 32) % n; }

// 64-bit FNV-1a over a byte range, chainable through `h`.
static inline uint64_t fnv1a(uint64_t h, const void *data, size_t len) {
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001B3ull;
    }
    return h;
}

#define FNV_INIT 0xCBF29CE484222325ull

#endif
