// An open-addressing hash table with string keys (insert, update, lookup,
// delete with tombstones, growth), checked against a word-frequency count.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"

struct entry { char *key; long value; int state; };  // state: 0 empty, 1 used, 2 deleted
struct table { struct entry *slots; size_t cap, used, tombstones; };

static uint64_t hash_str(const char *s) { return fnv1a(FNV_INIT, s, strlen(s)); }

static struct entry *find_slot(struct table *t, const char *key, int for_insert) {
    size_t i = hash_str(key) & (t->cap - 1);
    struct entry *tomb = NULL;
    for (;;) {
        struct entry *e = &t->slots[i];
        if (e->state == 0) return for_insert && tomb ? tomb : e;
        if (e->state == 2) { if (!tomb) tomb = e; }
        else if (strcmp(e->key, key) == 0) return e;
        i = (i + 1) & (t->cap - 1);
    }
}

static void grow(struct table *t) {
    struct table bigger = {calloc(t->cap * 2, sizeof(struct entry)), t->cap * 2, 0, 0};
    for (size_t i = 0; i < t->cap; i++) {
        if (t->slots[i].state != 1) continue;
        *find_slot(&bigger, t->slots[i].key, 1) = t->slots[i];
        bigger.used++;
    }
    free(t->slots);
    *t = bigger;
}

static void put(struct table *t, const char *key, long delta) {
    if ((t->used + t->tombstones + 1) * 4 > t->cap * 3) grow(t);
    struct entry *e = find_slot(t, key, 1);
    if (e->state == 1) { e->value += delta; return; }
    if (e->state == 2) t->tombstones--;
    *e = (struct entry){strdup(key), delta, 1};
    t->used++;
}

static long get(struct table *t, const char *key) {
    struct entry *e = find_slot(t, key, 0);
    return e->state == 1 ? e->value : -1;
}

static int del(struct table *t, const char *key) {
    struct entry *e = find_slot(t, key, 0);
    if (e->state != 1) return 0;
    free(e->key);
    e->key = NULL;
    e->state = 2;
    t->used--;
    t->tombstones++;
    return 1;
}

static int cmp_entry(const void *a, const void *b) {
    const struct entry *x = a, *y = b;
    if (x->value != y->value) return x->value < y->value ? 1 : -1;
    return strcmp(x->key, y->key);
}

int main(void) {
    static const char *const syll[] = {"ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "qu"};
    struct table t = {calloc(8, sizeof(struct entry)), 8, 0, 0};
    prng_seed(31337);
    char word[32];
    for (int i = 0; i < 60000; i++) {
        int n = 1 + (int)prng_below(3);
        word[0] = '\0';
        for (int j = 0; j < n; j++) strcat(word, syll[prng_below(10 - (unsigned)j * 3)]);
        put(&t, word, 1);
    }
    printf("distinct %zu capacity %zu\n", t.used, t.cap);
    printf("lookups: kaka=%ld lo=%ld zezeze=%ld missing=%ld\n", get(&t, "kaka"), get(&t, "lo"), get(&t, "zezeze"),
           get(&t, "nope"));
    int deleted = 0;
    for (size_t i = 0; i < t.cap; i++)
        if (t.slots[i].state == 1 && t.slots[i].value % 3 == 0) deleted += del(&t, t.slots[i].key);
    printf("deleted %d, now %zu used %zu tombstones\n", deleted, t.used, t.tombstones);
    for (int i = 0; i < 500; i++) { snprintf(word, sizeof word, "new%d", i); put(&t, word, i); }

    struct entry *all = malloc(t.used * sizeof *all);
    size_t n = 0;
    long total = 0;
    for (size_t i = 0; i < t.cap; i++)
        if (t.slots[i].state == 1) { all[n++] = t.slots[i]; total += t.slots[i].value; }
    qsort(all, n, sizeof *all, cmp_entry);
    printf("entries %zu total %ld capacity %zu\n", n, total, t.cap);
    for (size_t i = 0; i < 12 && i < n; i++) printf("  %-8s %ld\n", all[i].key, all[i].value);
    uint64_t h = FNV_INIT;
    for (size_t i = 0; i < n; i++) { h = fnv1a(h, all[i].key, strlen(all[i].key)); h = fnv1a(h, &all[i].value, sizeof(long)); }
    printf("digest %016llx\n", (unsigned long long)h);
    return 0;
}
