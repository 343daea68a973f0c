// Sorting algorithms (insertion, merge, heap, quick, radix, shell) on the
// same pseudo-random data, each verified sorted and checksummed: a small
// "benchmark" whose output is the checksums only.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"

typedef void (*sorter)(uint32_t *, size_t);

static void insertion(uint32_t *a, size_t n) {
    for (size_t i = 1; i < n; i++) {
        uint32_t v = a[i];
        size_t j = i;
        while (j > 0 && a[j - 1] > v) { a[j] = a[j - 1]; j--; }
        a[j] = v;
    }
}

static void merge_rec(uint32_t *a, uint32_t *tmp, size_t n) {
    if (n < 2) return;
    size_t h = n / 2;
    merge_rec(a, tmp, h);
    merge_rec(a + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) tmp[k++] = a[j] < a[i] ? a[j++] : a[i++];
    while (i < h) tmp[k++] = a[i++];
    while (j < n) tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof *a);
}

static void merge(uint32_t *a, size_t n) {
    uint32_t *tmp = malloc(n * sizeof *a);
    merge_rec(a, tmp, n);
    free(tmp);
}

static void sift(uint32_t *a, size_t root, size_t n) {
    for (;;) {
        size_t c = 2 * root + 1;
        if (c >= n) return;
        if (c + 1 < n && a[c + 1] > a[c]) c++;
        if (a[root] >= a[c]) return;
        uint32_t t = a[root]; a[root] = a[c]; a[c] = t;
        root = c;
    }
}

static void heap(uint32_t *a, size_t n) {
    for (size_t i = n / 2; i-- > 0;) sift(a, i, n);
    for (size_t end = n; end-- > 1;) {
        uint32_t t = a[0]; a[0] = a[end]; a[end] = t;
        sift(a, 0, end);
    }
}

static void quick(uint32_t *a, size_t n) {
    while (n > 16) {
        uint32_t p = a[n / 2];
        size_t i = 0, j = n - 1;
        for (;;) {
            while (a[i] < p) i++;
            while (a[j] > p) j--;
            if (i >= j) break;
            uint32_t t = a[i]; a[i] = a[j]; a[j] = t;
            i++; j--;
        }
        quick(a, j + 1);
        a += j + 1;
        n -= j + 1;
    }
    insertion(a, n);
}

static void radix(uint32_t *a, size_t n) {
    uint32_t *tmp = malloc(n * sizeof *a);
    for (int shift = 0; shift < 32; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++) count[((a[i] >> shift) & 255) + 1]++;
        for (int b = 0; b < 256; b++) count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++) tmp[count[(a[i] >> shift) & 255]++] = a[i];
        memcpy(a, tmp, n * sizeof *a);
    }
    free(tmp);
}

static void shell(uint32_t *a, size_t n) {
    static const size_t gaps[] = {701, 301, 132, 57, 23, 10, 4, 1};
    for (size_t g = 0; g < sizeof gaps / sizeof gaps[0]; g++)
        for (size_t i = gaps[g]; i < n; i++) {
            uint32_t v = a[i];
            size_t j = i;
            for (; j >= gaps[g] && a[j - gaps[g]] > v; j -= gaps[g]) a[j] = a[j - gaps[g]];
            a[j] = v;
        }
}

int main(void) {
    static const struct { const char *name; sorter fn; size_t n; } algos[] = {
        {"insertion", insertion, 1000}, {"merge", merge, 12000}, {"heap", heap, 12000},
        {"quick", quick, 12000},        {"radix", radix, 12000}, {"shell", shell, 12000},
    };
    static uint32_t data[12000];
    for (size_t k = 0; k < sizeof algos / sizeof algos[0]; k++) {
        for (int pattern = 0; pattern < 3; pattern++) {
            prng_seed(1000 + (uint64_t)pattern);
            size_t n = algos[k].n;
            for (size_t i = 0; i < n; i++) {
                uint32_t r = (uint32_t)prng_next();
                data[i] = pattern == 0 ? r : pattern == 1 ? r % 16 : (uint32_t)(n - i) ^ (r & 1);
            }
            algos[k].fn(data, n);
            int ok = 1;
            for (size_t i = 1; i < n; i++) ok &= data[i - 1] <= data[i];
            printf("%-9s pattern %d n %5zu sorted %d checksum %016llx\n", algos[k].name, pattern, n, ok,
                   (unsigned long long)fnv1a(FNV_INIT, data, n * sizeof data[0]));
        }
    }
    return 0;
}
