// Function pointers (tables, callbacks, returned pointers) and dense switch
// statements that compile to jump tables, driven by a deterministic sequence.
#include <stdint.h>
#include <stdio.h>
#include "common.h"

typedef uint64_t (*op_fn)(uint64_t, uint64_t);

static uint64_t op_add(uint64_t a, uint64_t b) { return a + b; }
static uint64_t op_sub(uint64_t a, uint64_t b) { return a - b; }
static uint64_t op_mul(uint64_t a, uint64_t b) { return a * b; }
static uint64_t op_xor(uint64_t a, uint64_t b) { return a ^ b; }
static uint64_t op_rot(uint64_t a, uint64_t b) { return (a << (b & 63)) | (a >> ((64 - b) & 63)); }
static uint64_t op_div(uint64_t a, uint64_t b) { return b ? a / b : a; }

static const op_fn table[] = {op_add, op_sub, op_mul, op_xor, op_rot, op_div};

static __attribute__((noinline)) uint64_t dispatch(unsigned code, uint64_t x) {
    switch (code) {
    case 0: return x + 1;
    case 1: return x * 3;
    case 2: return x ^ 0xdeadbeef;
    case 3: return x >> 3;
    case 4: return x << 5;
    case 5: return ~x;
    case 6: return x - 12345;
    case 7: return x * x;
    case 8: return x | 0x100;
    case 9: return x & 0xffff0000ffffull;
    case 10: return x + (x >> 7);
    case 11: return x ^ (x << 13);
    case 12: return x / 7;
    case 13: return x % 1000003;
    case 14: return -x;
    case 15: return x + 0x9e3779b97f4a7c15ull;
    default: return x;
    }
}

static const char *name_of(int c) {
    switch (c) {
    case 'a': return "alpha";
    case 'b': return "bravo";
    case 'c': return "charlie";
    case 'd': return "delta";
    case 'e': return "echo";
    case 'f': return "foxtrot";
    case 'g': return "golf";
    case 'h': return "hotel";
    default: return "?";
    }
}

static op_fn pick(unsigned i) { return table[i % (sizeof table / sizeof table[0])]; }

static int compare_desc(const void *a, const void *b) { return *(const int *)b - *(const int *)a; }

static void apply(int (*cb)(const void *, const void *), int *arr, int n) {
    for (int i = 0; i + 1 < n; i++)
        if (cb(&arr[i], &arr[i + 1]) > 0) { int t = arr[i]; arr[i] = arr[i + 1]; arr[i + 1] = t; }
}

int main(void) {
    prng_seed(99);
    uint64_t acc = 1, h = FNV_INIT;
    for (int i = 0; i < 200000; i++) {
        unsigned r = prng_below(1000);
        acc = pick(r)(acc, prng_next());
        acc = dispatch(r % 17, acc);
        h = fnv1a(h, &acc, sizeof acc);
        if (i % 20000 == 0) printf("step %6d acc %016llx\n", i, (unsigned long long)acc);
    }
    printf("final %016llx history %016llx\n", (unsigned long long)acc, (unsigned long long)h);
    for (const char *s = "abcdefghz"; *s; s++) printf("%s ", name_of(*s));
    putchar('\n');
    int arr[] = {5, 1, 9, 3, 7};
    for (int pass = 0; pass < 5; pass++) apply(compare_desc, arr, 5);
    for (int i = 0; i < 5; i++) printf("%d ", arr[i]);
    putchar('\n');
    return 0;
}
