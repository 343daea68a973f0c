// Recursion 100 000 frames deep (non-tail, so each call keeps its frame),
// mutual recursion, and Ackermann for many short-lived frames.
#include <stdint.h>
#include <stdio.h>

static __attribute__((noinline)) uint64_t sum_to(uint64_t n) {
    if (n == 0) return 0;
    return n + sum_to(n - 1) * 1;
}

static __attribute__((noinline)) uint64_t weighted(uint64_t n, volatile uint64_t *sink) {
    uint64_t local[4] = {n, n * 2, n * 3, n ^ 0x55};
    *sink += local[n % 4];
    if (n == 0) return *sink;
    uint64_t r = weighted(n - 1, sink);
    return r ^ (local[(n + 1) % 4] << 1);
}

static int is_odd(unsigned n);
static __attribute__((noinline)) int is_even(unsigned n) { return n == 0 ? 1 : is_odd(n - 1); }
static __attribute__((noinline)) int is_odd(unsigned n) { return n == 0 ? 0 : is_even(n - 1); }

static unsigned ackermann(unsigned m, unsigned n) {
    if (m == 0) return n + 1;
    if (n == 0) return ackermann(m - 1, 1);
    return ackermann(m - 1, ackermann(m, n - 1));
}

int main(void) {
    printf("sum_to(100000) = %llu\n", (unsigned long long)sum_to(100000));
    volatile uint64_t sink = 0;
    printf("weighted(100000) = %016llx\n", (unsigned long long)weighted(100000, &sink));
    printf("is_even(50001) = %d\n", is_even(50001));
    printf("ackermann(2, 300) = %u, ackermann(3, 6) = %u\n", ackermann(2, 300), ackermann(3, 6));
    return 0;
}
