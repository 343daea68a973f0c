// 128-bit integer arithmetic: multiply, divide, modulo, shifts, comparisons
// and decimal conversion, over values chosen to cross the 64-bit boundary.
#include <stdint.h>
#include <stdio.h>
#include "common.h"

typedef unsigned __int128 u128;
typedef __int128 i128;

static void print_u128(u128 v) {
    char buf[48];
    int i = sizeof buf - 1;
    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    fputs(buf + i, stdout);
}

static void print_i128(i128 v) {
    if (v < 0) {
        putchar('-');
        print_u128(-(u128)v);
    } else {
        print_u128((u128)v);
    }
}

static void hex(u128 v) { printf("%016llx%016llx", (unsigned long long)(v >> 64), (unsigned long long)v); }

int main(void) {
    // Volatile so that -O2 cannot fold the library calls (__udivti3 etc.).
    volatile u128 a = ((u128)0xfedcba9876543210ull << 64) | 0x0123456789abcdefull;
    volatile u128 b = 0xffffffffffffffffull;
    volatile i128 c = -(i128)170141183460469231ll * 1000000007;
    volatile u128 max = ~(u128)0;

    hex(a * b); putchar('\n');
    hex(a / b); putchar(' '); hex(a % b); putchar('\n');
    print_u128(max); putchar('\n');
    print_i128((i128)(max >> 1)); putchar(' '); print_i128(-(i128)(max >> 1) - 1); putchar('\n');
    print_i128(c); putchar(' '); print_i128(c / 12345); putchar(' '); print_i128(c % 12345); putchar('\n');
    for (int s = 0; s < 128; s += 13) {
        hex(a << s); putchar(' '); hex(a >> s); putchar(' ');
        hex((u128)((i128)a >> s)); putchar('\n');
    }

    // Random products checked against the 64x64->128 identity via mulhu.
    prng_seed(128);
    uint64_t h = FNV_INIT;
    for (int i = 0; i < 2000; i++) {
        uint64_t x = prng_next(), y = prng_next() >> (i % 64);
        u128 p = (u128)x * y;
        u128 q = y ? p / y : 0;
        if (y && q != x) printf("division mismatch at %d\n", i);
        i128 sp = (i128)(int64_t)x * (int64_t)y;
        h = fnv1a(h, &p, sizeof p);
        h = fnv1a(h, &sp, sizeof sp);
        u128 r = (p | 1) % ((u128)x | 3);
        h = fnv1a(h, &r, sizeof r);
    }
    printf("checksum %016llx\n", (unsigned long long)h);

    // Comparisons and overflow builtins.
    u128 big = (u128)1 << 100;
    i128 neg = -(i128)big;
    printf("%d %d %d %d\n", big > b, neg < 0, (i128)big > neg, (u128)neg > big);
    u128 ov;
    printf("overflow %d ", __builtin_add_overflow(max, (u128)1, &ov)); hex(ov); putchar('\n');
    i128 sov;
    printf("overflow %d ", __builtin_mul_overflow((i128)big, (i128)big, &sov)); hex((u128)sov); putchar('\n');
    return 0;
}
