// stdin: The quick brown fox
// stdin: jumps over the lazy dog.
// stdin:
// stdin:   tabs	and   spaces   
// stdin: last line without newline
// A wc-like counter over standard input (lines, words, bytes, longest line,
// character classes), reading in small chunks with read(2).
#include <ctype.h>
#include <stdio.h>
#include <unistd.h>
#include "common.h"

int main(void) {
    unsigned char buf[7];
    long lines = 0, words = 0, bytes = 0, longest = 0, cur = 0, alpha = 0, digit = 0, space = 0;
    int in_word = 0;
    uint64_t h = FNV_INIT;
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0) {
        h = fnv1a(h, buf, (size_t)n);
        for (ssize_t i = 0; i < n; i++) {
            int c = buf[i];
            bytes++;
            alpha += isalpha(c) != 0;
            digit += isdigit(c) != 0;
            space += isspace(c) != 0;
            if (c == '\n') { lines++; if (cur > longest) longest = cur; cur = 0; }
            else cur++;
            if (isspace(c)) in_word = 0;
            else if (!in_word) { in_word = 1; words++; }
        }
    }
    if (cur > longest) longest = cur;
    printf("lines %ld words %ld bytes %ld longest %ld alpha %ld digit %ld space %ld hash %016llx\n", lines, words,
           bytes, longest, alpha, digit, space, (unsigned long long)h);
    printf("read at eof again: %zd\n", read(0, buf, sizeof buf));
    return 0;
}
