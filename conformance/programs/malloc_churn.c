// malloc/calloc/realloc/free churn driven by a deterministic PRNG: blocks of
// many sizes (some large enough for mmap), content verified after every move.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"

#define SLOTS 256

struct block { unsigned char *p; size_t len; unsigned char tag; };

// Blocks are filled and checked at every STRIDE-th byte only, to keep the
// program fast when interpreted.
#define STRIDE 61

static int check(const struct block *b) {
    for (size_t i = 0; i < b->len; i += STRIDE)
        if (b->p[i] != (unsigned char)(b->tag + i)) return 0;
    return 1;
}

static void fill(struct block *b, size_t from) {
    for (size_t i = (from + STRIDE - 1) / STRIDE * STRIDE; i < b->len; i += STRIDE) b->p[i] = (unsigned char)(b->tag + i);
}

static size_t pick_size(void) {
    switch (prng_below(64)) {
    case 0: return 0;
    case 1: return 140000 + prng_below(200000);   // mmap-sized
    case 2: case 3: case 4: case 5: case 6: case 7: return 1024 + prng_below(16384);
    default: return 1 + prng_below(200);
    }
}

int main(void) {
    static struct block slots[SLOTS];
    prng_seed(2024);
    unsigned long mallocs = 0, reallocs = 0, frees = 0, bad = 0;
    size_t live_bytes = 0, peak = 0;
    for (int step = 0; step < 30000; step++) {
        struct block *b = &slots[prng_below(SLOTS)];
        if (b->p && !check(b)) bad++;
        switch (prng_below(4)) {
        case 0:
        case 1:
            live_bytes -= b->len;
            free(b->p);
            frees += b->p != NULL;
            b->len = pick_size();
            b->tag = (unsigned char)step;
            b->p = prng_below(2) ? malloc(b->len ? b->len : 1) : calloc(b->len ? b->len : 1, 1);
            if (!b->p) { printf("allocation failed\n"); return 1; }
            mallocs++;
            fill(b, 0);
            live_bytes += b->len;
            break;
        case 2: {
            size_t len = pick_size();
            unsigned char *p = realloc(b->p, len ? len : 1);
            if (!p) { printf("realloc failed\n"); return 1; }
            reallocs++;
            size_t keep = len < b->len ? len : b->len;
            b->p = p;
            live_bytes = live_bytes - b->len + len;
            size_t old = b->len;
            b->len = keep;
            if (!check(b)) bad++;
            b->len = len;
            fill(b, old < len ? old : len);
            break;
        }
        default:
            if (b->p) { live_bytes -= b->len; free(b->p); frees++; b->p = NULL; b->len = 0; }
            break;
        }
        if (live_bytes > peak) peak = live_bytes;
    }
    uint64_t h = FNV_INIT;
    for (int i = 0; i < SLOTS; i++) {
        if (slots[i].p && !check(&slots[i])) bad++;
        h = fnv1a(h, &slots[i].len, sizeof slots[i].len);
        free(slots[i].p);
    }
    // One big allocation touched sparsely, and posix_memalign/aligned_alloc.
    unsigned char *big = malloc(64u << 20);
    for (size_t i = 0; i < (64u << 20); i += 4096) big[i] = (unsigned char)i;
    free(big);
    void *al = NULL;
    int rc = posix_memalign(&al, 4096, 100);
    void *al2 = aligned_alloc(256, 512);
    printf("memalign rc %d aligned %d %d\n", rc, ((uintptr_t)al & 4095) == 0, ((uintptr_t)al2 & 255) == 0);
    free(al);
    free(al2);
    printf("mallocs %lu reallocs %lu frees %lu bad %lu peak %zu sizes %016llx\n", mallocs, reallocs, frees, bad,
           peak, (unsigned long long)h);
    return bad != 0;
}
