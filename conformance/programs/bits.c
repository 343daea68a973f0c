// Bit manipulation: shifts by every amount, clz/ctz/popcount/parity,
// byte swaps, rotates and sign/zero extension.
#include <stdint.h>
#include <stdio.h>
#include "common.h"

static uint64_t rotl64(uint64_t x, unsigned r) { return (x << (r & 63)) | (x >> ((64 - r) & 63)); }
static uint32_t rotr32(uint32_t x, unsigned r) { return (x >> (r & 31)) | (x << ((32 - r) & 31)); }

int main(void) {
    volatile uint64_t v = 0x8000000000000001ull;
    volatile int64_t sv = -0x123456789ll;
    volatile uint32_t w = 0x80000001u;
    volatile int32_t sw = -123456789;
    for (int s = 0; s < 64; s++) {
        printf("%2d %016llx %016llx %016llx", s, (unsigned long long)(v << s),
               (unsigned long long)(v >> s), (unsigned long long)(sv >> s));
        if (s < 32)
            printf(" %08x %08x %08x", w << s, w >> s, (uint32_t)(sw >> s));
        putchar('\n');
    }

    prng_seed(7);
    for (int i = 0; i < 40; i++) {
        uint64_t x = prng_next() >> prng_below(64);
        uint32_t y = (uint32_t)prng_next() >> prng_below(32);
        if (x == 0) x = 1;
        if (y == 0) y = 1;
        printf("%016llx clz %2d ctz %2d pop %2d par %d clrsb %2d ffs %2d | %08x clz %2d ctz %2d pop %2d\n",
               (unsigned long long)x, __builtin_clzll(x), __builtin_ctzll(x), __builtin_popcountll(x),
               __builtin_parityll(x), __builtin_clrsbll((long long)x), __builtin_ffsll((long long)x), y,
               __builtin_clz(y), __builtin_ctz(y), __builtin_popcount(y));
        printf("  bswap %016llx %08x %04x rot %016llx %08x\n", (unsigned long long)__builtin_bswap64(x),
               __builtin_bswap32(y), __builtin_bswap16((uint16_t)y), (unsigned long long)rotl64(x, i),
               rotr32(y, i));
    }

    volatile int64_t wide = 0x1234567890abcdefll;
    printf("%lld %lld %lld %llu %llu\n", (long long)(int8_t)wide, (long long)(int16_t)wide,
           (long long)(int32_t)wide, (unsigned long long)(uint8_t)wide, (unsigned long long)(uint32_t)(wide | 0x80000000));
    // Bit fields.
    struct { unsigned a : 3; signed b : 5; unsigned long long c : 40; int d : 1; } bf = {0};
    for (int i = 0; i < 10; i++) {
        bf.a += 3; bf.b -= 7; bf.c = bf.c * 31 + 17; bf.d = ~bf.d;
        printf("bf %u %d %llu %d\n", bf.a, bf.b, (unsigned long long)bf.c, bf.d);
    }
    return 0;
}
