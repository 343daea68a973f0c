// qsort on integers, strings and structs (stable tie-breaking by index),
// then bsearch for present and absent keys.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"

struct rec { int key; int index; char name[12]; };

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int cmp_rec(const void *a, const void *b) {
    const struct rec *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->index - y->index;
}

int main(void) {
    enum { N = 50000 };
    static int nums[N];
    prng_seed(5);
    for (int i = 0; i < N; i++) nums[i] = (int)(prng_next() % 100000) - 50000;
    qsort(nums, N, sizeof nums[0], cmp_int);
    int sorted = 1;
    for (int i = 1; i < N; i++) sorted &= nums[i - 1] <= nums[i];
    printf("ints sorted %d min %d max %d median %d checksum %016llx\n", sorted, nums[0], nums[N - 1], nums[N / 2],
           (unsigned long long)fnv1a(FNV_INIT, nums, sizeof nums));
    int found = 0, absent = 0;
    for (int k = -50100; k < 50100; k += 37) {
        int *p = bsearch(&k, nums, N, sizeof nums[0], cmp_int);
        if (p) { found++; if (*p != k) printf("bsearch returned a wrong element\n"); }
        else absent++;
    }
    printf("bsearch found %d absent %d\n", found, absent);

    static char storage[2000][16];
    static char *words[2000];
    for (int i = 0; i < 2000; i++) {
        int len = 1 + (int)prng_below(10);
        for (int j = 0; j < len; j++) storage[i][j] = (char)('a' + prng_below(6));
        storage[i][len] = '\0';
        words[i] = storage[i];
    }
    qsort(words, 2000, sizeof words[0], cmp_str);
    for (int i = 0; i < 2000; i += 250) printf("%s ", words[i]);
    printf("\n");

    static struct rec recs[5000];
    for (int i = 0; i < 5000; i++) {
        recs[i].key = (int)prng_below(50);
        recs[i].index = i;
        snprintf(recs[i].name, sizeof recs[i].name, "r%d", i);
    }
    qsort(recs, 5000, sizeof recs[0], cmp_rec);
    for (int i = 0; i < 5000; i += 500) printf("%d:%s ", recs[i].key, recs[i].name);
    printf("\n");
    struct rec key = {.key = 25, .index = 0};
    struct rec *r = bsearch(&key, recs, 5000, sizeof recs[0], cmp_rec);
    printf("rec key 25 index 0 %s\n", r ? "found" : "absent");
    return 0;
}
