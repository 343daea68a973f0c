// full: 750
// quick: 15
// String handling dominated by libc's memcpy, strlen and strcmp: each of
// ROUNDS rounds copies 2048 generated strings (shared prefixes, lengths 4 to
// ~450) into a pool, sorts them with strcmp, inserts some into a sorted
// array, and packs them into long lines measured with strlen.
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define NSTR 2048u       /* strings per round (a power of two, see below) */
#define NPREFIX 8u       /* shared prefixes, so strcmp scans past them */
#define NINSERT 256u     /* strings inserted into a sorted array per round */
#define LINE_BYTES 8192u /* size of the line buffer of the packing step */
#define MAX_ROUNDS 1000000u

static const char alphabet[] = "acgt"; /* small, so sorted neighbours share long runs */

static char *src[NSTR];      /* the generated strings, fixed for the run */
static size_t pool_bytes;    /* total size of src including terminators */
static char *pool;           /* per-round copies */
static char *work[NSTR];     /* pointers into pool, sorted each round */
static char *scratch[NSTR];  /* merge sort buffer */
static char *sorted[NINSERT]; /* the sorted-insertion array */
static char line[LINE_BYTES];

/* Builds the strings: one of NPREFIX prefixes (0 to 47 chars) followed by
 * a body over a 4-letter alphabet, mostly short, sometimes a few hundred. */
static void generate(void)
{
    uint64_t rng = 0x6a09e667f3bcc908u;
    char prefixes[NPREFIX][48];
    size_t prefix_len[NPREFIX];
    for (uint32_t p = 0; p < NPREFIX; p++) {
        prefix_len[p] = (size_t)(splitmix64(&rng) % 48u);
        for (size_t i = 0; i < prefix_len[p]; i++)
            prefixes[p][i] = (char)('A' + splitmix64(&rng) % 26u);
    }

    pool_bytes = 0;
    for (uint32_t i = 0; i < NSTR; i++) {
        uint64_t r = splitmix64(&rng);
        uint32_t p = (uint32_t)(r % NPREFIX);
        size_t body = 4 + (size_t)((r >> 8) % 60u);
        if ((r >> 16) % 8u == 0)
            body += (size_t)((r >> 24) % 400u);
        size_t len = prefix_len[p] + body;
        char *s = xmalloc(len + 1);
        memcpy(s, prefixes[p], prefix_len[p]);
        for (size_t k = prefix_len[p]; k < len; k += 16) {
            uint64_t bits = splitmix64(&rng);
            for (size_t b = k; b < len && b < k + 16; b++, bits >>= 2)
                s[b] = alphabet[bits & 3u];
        }
        s[len] = '\0';
        src[i] = s;
        pool_bytes += len + 1;
    }
    pool = xmalloc(pool_bytes);
}

/* Stable top-down merge sort of v[0..n) by strcmp, using tmp[0..n). */
static void sort_strings(char **v, char **tmp, size_t n)
{
    if (n < 2)
        return;
    size_t half = n / 2;
    sort_strings(v, tmp, half);
    sort_strings(v + half, tmp, n - half);
    if (strcmp(v[half - 1], v[half]) <= 0)
        return; /* already in order */
    memcpy(tmp, v, half * sizeof *v);
    size_t a = 0, b = half, out = 0;
    while (a < half && b < n)
        v[out++] = (strcmp(v[b], tmp[a]) < 0) ? v[b++] : tmp[a++];
    while (a < half)
        v[out++] = tmp[a++];
}

/* Inserts s into the sorted array sorted[0..*n) after any equal strings. */
static void insert_sorted(char *s, size_t *n)
{
    size_t lo = 0, hi = *n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(sorted[mid], s) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    memmove(&sorted[lo + 1], &sorted[lo], (*n - lo) * sizeof sorted[0]);
    sorted[lo] = s;
    (*n)++;
}

static uint64_t round_digest(uint32_t r)
{
    uint64_t h = 0;

    /* Copy: visit src in an order that depends on the round (7 is odd and
     * NSTR a power of two, so i*7 mod NSTR is a permutation), measure each
     * string with strlen and copy it with its terminator into the pool. */
    size_t off = 0;
    for (uint32_t i = 0; i < NSTR; i++) {
        const char *s = src[(i * 7u + r) % NSTR];
        size_t len = strlen(s);
        memcpy(pool + off, s, len + 1);
        work[i] = pool + off;
        off += len + 1;
    }
    /* Change one character in every 16th string so rounds differ. */
    for (uint32_t i = r % 16u; i < NSTR; i += 16) {
        size_t len = strlen(work[i]);
        work[i][(r * 31u + i) % len] = alphabet[(r + i) & 3u];
    }

    /* Sort, then check the order and digest the strings in sorted order. */
    sort_strings(work, scratch, NSTR);
    uint32_t dups = 0;
    for (uint32_t i = 0; i < NSTR; i++) {
        size_t len = strlen(work[i]);
        if (i > 0) {
            int c = strcmp(work[i - 1], work[i]);
            if (c > 0) {
                fprintf(stderr, "strings: sort order broken at %" PRIu32 "\n", i);
                exit(1);
            }
            dups += (c == 0);
        }
        h = mix(h, ((uint64_t)len << 8) | (unsigned char)work[i][len / 2]);
    }
    h = mix(h, dups);

    /* Sorted insertion: binary search with strcmp plus memmove. */
    size_t n = 0;
    for (uint32_t k = 0; k < NINSERT; k++)
        insert_sorted(work[(k * 37u + r * 5u) % NSTR], &n);
    for (size_t k = 0; k < n; k++)
        h = mix(h, (unsigned char)sorted[k][strlen(sorted[k]) / 3]);

    /* Packing: append strings to a line with memcpy until it is full, then
     * measure the line with strlen. */
    size_t used = 0;
    uint64_t line_sum = 0;
    for (uint32_t i = 0; i < NSTR; i++) {
        const char *s = work[(i * 3u + r) % NSTR];
        size_t len = strlen(s);
        if (used + len + 2 > LINE_BYTES) {
            line_sum = line_sum * 31u + strlen(line);
            used = 0;
        }
        memcpy(line + used, s, len);
        used += len;
        line[used++] = ' ';
        line[used] = '\0';
    }
    line_sum = line_sum * 31u + strlen(line);
    return mix(h, line_sum);
}

int main(int argc, char **argv)
{
    uint32_t rounds;
    if (argc != 2 || !parse_count(argv[1], MAX_ROUNDS, &rounds)) {
        fprintf(stderr, "usage: strings ROUNDS   (1..%u)\n", MAX_ROUNDS);
        return 2;
    }

    generate();
    uint64_t digest = 0;
    for (uint32_t r = 0; r < rounds; r++)
        digest = mix(digest, round_digest(r));

    printf("strings %" PRIu32 " x %" PRIu32 " (%zu bytes)\n", NSTR, rounds, pool_bytes);
    printf("digest %016" PRIx64 "\n", digest);

    for (uint32_t i = 0; i < NSTR; i++)
        free(src[i]);
    free(pool);
    return 0;
}
