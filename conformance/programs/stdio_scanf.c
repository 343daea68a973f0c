// stdin: 3 records
// stdin: alpha 12 3.5 0x1f
// stdin: beta -7 -0.25 0777
// stdin: gamma 2147483647 1e10 z
// stdin: tail text that is read with fgets, then getc until EOF
// stdio: scanf-family parsing of standard input, ungetc, fgets/getc, and a
// large stdout volume through different buffering modes, with stderr between.
#include <stdio.h>
#include <string.h>
#include "common.h"

int main(void) {
    int count;
    if (scanf("%d records", &count) != 1) { printf("no header\n"); return 1; }
    for (int i = 0; i < count; i++) {
        char name[16], extra[8];
        long num;
        double d;
        int got = scanf("%15s %ld %lf %7s", name, &num, &d, extra);
        unsigned x = 0;
        int conv = sscanf(extra, "%i", (int *)&x);
        printf("record %d: got %d name %s num %ld d %g extra %s -> %d %u\n", i, got, name, num, d, extra, conv, x);
    }
    int c = getchar();
    printf("after scanf: next char %d\n", c);
    ungetc('X', stdin);
    char line[128];
    if (fgets(line, sizeof line, stdin)) printf("fgets: [%.*s]\n", (int)strcspn(line, "\n"), line);
    int n = 0;
    while ((c = getc(stdin)) != EOF) n++;
    printf("getc read %d more, feof %d ferror %d\n", n, feof(stdin) != 0, ferror(stdin) != 0);

    // Volume: ~300 KB through line buffering, full buffering and unbuffered.
    prng_seed(8);
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 0; i < 2000; i++) printf("line %5d %016llx %016llx\n", i, (unsigned long long)prng_next(), (unsigned long long)prng_next());
    fprintf(stderr, "switching to full buffering\n");
    fflush(stdout);
    setvbuf(stdout, NULL, _IOFBF, 1000);
    for (int i = 0; i < 2000; i++) printf("full %5d %08x\n", i, (unsigned)prng_next());
    fflush(stdout);
    setvbuf(stdout, NULL, _IONBF, 0);
    for (int i = 0; i < 200; i++) putchar('a' + i % 26);
    char block[65536];
    for (size_t i = 0; i < sizeof block; i++) block[i] = (char)('0' + i % 10);
    printf("\nfwrite %zu\n", fwrite(block, 1, sizeof block, stdout));
    fprintf(stderr, "done\n");
    return 0;
}
