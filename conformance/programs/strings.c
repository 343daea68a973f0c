// String and memory functions at many lengths and alignments (the vectorised
// paths of libc differ by alignment): strlen/strcmp/strncmp/memcmp/memcpy/
// memmove/memset/memchr/strchr/strrchr/strstr/strspn/strtok/strdup.
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"

static int sign(int x) { return (x > 0) - (x < 0); }

int main(void) {
    static char a[512], b[512];
    uint64_t h = FNV_INIT;
    prng_seed(11);
    for (int off = 0; off < 16; off++) {
        for (int len = 0; len < 300; len += 7) {
            memset(a, 0, sizeof a);
            for (int i = 0; i < len; i++) a[off + i] = (char)('A' + prng_below(26));
            memcpy(b + (15 - off), a + off, (size_t)len + 1);
            char *s = a + off, *t = b + (15 - off);
            h = fnv1a(h, t, strlen(t));
            int c1 = sign(strcmp(s, t));
            if (len) t[len - 1]++;
            int c2 = sign(strcmp(s, t)), c3 = sign(strncmp(s, t, len ? (size_t)len - 1 : 0));
            int c4 = sign(memcmp(s, t, (size_t)len));
            char *ch = memchr(s, 'Q', (size_t)len), *rch = strrchr(s, 'Q');
            printf("%d:%d %zu %d %d %d %d %td %td\n", off, len, strlen(s), c1, c2, c3, c4, ch ? ch - s : -1,
                   rch ? rch - s : -1);
        }
    }
    printf("copies %016llx\n", (unsigned long long)h);

    // Overlapping memmove in both directions.
    char buf[64];
    for (int shift = -5; shift <= 5; shift++) {
        strcpy(buf, "0123456789abcdefghijklmnopqrstuvwxyz");
        memmove(buf + 10 + shift, buf + 10, 20);
        printf("memmove %+d: %s\n", shift, buf);
    }
    memset(buf, 'x', 10);
    buf[10] = '\0';
    printf("memset %s\n", buf);

    const char *hay = "the quick brown fox jumps over the lazy dog; the end";
    printf("strstr %s | %s | %p\n", strstr(hay, "the l"), strstr(hay, "end"), (void *)strstr(hay, "cat"));
    printf("strchr %s | strspn %zu strcspn %zu | strpbrk %s\n", strchr(hay, 'q'), strspn(hay, "the "),
           strcspn(hay, "xyz"), strpbrk(hay, "jz"));
    printf("strcasecmp %d %d strncasecmp %d\n", sign(strcasecmp("HeLLo", "hello")), sign(strcasecmp("abc", "abd")),
           sign(strncasecmp("ABCx", "abcy", 3)));

    char text[] = "  alpha, beta,,gamma ;delta;  ";
    for (char *tok = strtok(text, " ,;"); tok; tok = strtok(NULL, " ,;")) printf("[%s]", tok);
    printf("\n");
    char text2[] = "k1=v1&k2=&=v3&k4";
    char *save, *rest = text2;
    for (char *tok = strtok_r(rest, "&", &save); tok; tok = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(tok, '=');
        printf("(%.*s|%s)", eq ? (int)(eq - tok) : (int)strlen(tok), tok, eq ? eq + 1 : "-");
    }
    printf("\n");
    char *dup = strdup(hay), *ndup = strndup(hay, 9);
    printf("strdup %d strndup [%s]\n", strcmp(dup, hay), ndup);
    free(dup);
    free(ndup);
    char cat[32] = "abc";
    const char *volatile tail = "defghijkl";
    strncat(cat, tail, 4);
    printf("strncat %s strnlen %zu\n", cat, strnlen(cat, 5));
    char dst[8];
    memset(dst, '#', sizeof dst);
    strncpy(dst, "hi", sizeof dst);
    printf("strncpy pads: %d %d\n", dst[2], dst[7]);
    return 0;
}
