// Arbitrary-precision arithmetic on base-10^9 limbs: 1000!, 2^4000, a
// Fibonacci number with ~2000 digits, and their digit sums.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE 1000000000u

struct big { uint32_t *limb; size_t n, cap; };

static void reserve(struct big *b, size_t n) {
    if (n <= b->cap) return;
    if (!b->cap) b->cap = 16;
    while (b->cap < n) b->cap *= 2;
    b->limb = realloc(b->limb, b->cap * sizeof *b->limb);
}

static void big_set(struct big *b, uint32_t v) {
    reserve(b, 1);
    b->limb[0] = v;
    b->n = 1;
}

static void mul_small(struct big *b, uint32_t m) {
    uint64_t carry = 0;
    for (size_t i = 0; i < b->n; i++) {
        uint64_t v = (uint64_t)b->limb[i] * m + carry;
        b->limb[i] = (uint32_t)(v % BASE);
        carry = v / BASE;
    }
    while (carry) { reserve(b, b->n + 1); b->limb[b->n++] = (uint32_t)(carry % BASE); carry /= BASE; }
}

static void add(struct big *dst, const struct big *a, const struct big *b) {
    size_t n = a->n > b->n ? a->n : b->n;
    reserve(dst, n + 1);
    uint32_t carry = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t v = (i < a->n ? a->limb[i] : 0) + (i < b->n ? b->limb[i] : 0) + carry;
        carry = v >= BASE;
        dst->limb[i] = carry ? v - BASE : v;
    }
    dst->n = n;
    if (carry) dst->limb[dst->n++] = 1;
}

static void big_mul(struct big *dst, const struct big *a, const struct big *b) {
    uint64_t *acc = calloc(a->n + b->n, sizeof *acc);
    for (size_t i = 0; i < a->n; i++) {
        uint64_t carry = 0;
        for (size_t j = 0; j < b->n; j++) {
            uint64_t v = acc[i + j] + (uint64_t)a->limb[i] * b->limb[j] + carry;
            acc[i + j] = v % BASE;
            carry = v / BASE;
        }
        for (size_t k = i + b->n; carry; k++) { uint64_t v = acc[k] + carry; acc[k] = v % BASE; carry = v / BASE; }
    }
    size_t n = a->n + b->n;
    while (n > 1 && acc[n - 1] == 0) n--;
    reserve(dst, n);
    for (size_t i = 0; i < n; i++) dst->limb[i] = (uint32_t)acc[i];
    dst->n = n;
    free(acc);
}

static char *to_string(const struct big *b) {
    char *s = malloc(b->n * 9 + 1), *p = s;
    p += sprintf(p, "%u", b->limb[b->n - 1]);
    for (size_t i = b->n - 1; i-- > 0;) p += sprintf(p, "%09u", b->limb[i]);
    return s;
}

static void report(const char *name, const struct big *b) {
    char *s = to_string(b);
    size_t len = strlen(s);
    unsigned digit_sum = 0;
    for (size_t i = 0; i < len; i++) digit_sum += (unsigned)(s[i] - '0');
    printf("%s: %zu digits, digit sum %u, starts %.30s, ends %s\n", name, len, digit_sum, s, s + (len > 30 ? len - 30 : 0));
    free(s);
}

int main(void) {
    struct big f = {0}, p = {0}, a = {0}, b = {0}, c = {0}, sq = {0};
    big_set(&f, 1);
    for (uint32_t i = 2; i <= 1000; i++) mul_small(&f, i);
    report("1000!", &f);
    big_set(&p, 1);
    for (int i = 0; i < 4000; i++) mul_small(&p, 2);
    report("2^4000", &p);
    big_set(&a, 0);
    big_set(&b, 1);
    for (int i = 0; i < 9000; i++) {
        add(&c, &a, &b);
        struct big t = a; a = b; b = c; c = t;
    }
    report("fib(9000)", &a);
    big_mul(&sq, &f, &f);
    report("(1000!)^2", &sq);
    return 0;
}
