// Large stack frames: a 1 MiB local array filled and checksummed, plus a
// variable-length array and alloca, several levels deep.
#include <alloca.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "common.h"

static __attribute__((noinline)) uint64_t megabyte(int seed) {
    unsigned char buf[1 << 20];
    prng_seed((uint64_t)seed);
    for (size_t i = 0; i < sizeof buf; i += 8) {
        uint64_t r = prng_next();
        memcpy(buf + i, &r, 8);
    }
    return fnv1a(FNV_INIT, buf, sizeof buf);
}

static __attribute__((noinline)) uint64_t vla(size_t n, int level) {
    uint32_t arr[n];
    for (size_t i = 0; i < n; i++) arr[i] = (uint32_t)(i * 2654435761u) ^ (uint32_t)level;
    uint64_t h = fnv1a(FNV_INIT, arr, sizeof arr);
    if (level > 0) h ^= vla(n / 2 + 1, level - 1);
    return h;
}

static __attribute__((noinline)) uint64_t with_alloca(size_t n) {
    char *p = alloca(n);
    memset(p, 0xa5, n);
    p[n / 2] = 1;
    return fnv1a(FNV_INIT, p, n);
}

int main(void) {
    printf("megabyte(1) %016llx\n", (unsigned long long)megabyte(1));
    printf("megabyte(2) %016llx\n", (unsigned long long)megabyte(2));
    printf("vla %016llx\n", (unsigned long long)vla(200000, 6));
    printf("alloca %016llx\n", (unsigned long long)with_alloca(3 << 20));
    return 0;
}
