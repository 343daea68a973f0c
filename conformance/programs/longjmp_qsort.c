// longjmp out of a qsort comparison callback: the jump crosses libc's qsort
// frames (and, translated, the Wasm frames of the callback and of qsort).
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

static jmp_buf escape;
static int calls, limit;

static int cmp(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    if (++calls == limit) longjmp(escape, calls);
    return (x > y) - (x < y);
}

int main(void) {
    int values[200];
    for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 200; i++) values[i] = (i * 7919 + round * 104729) % 1000;
        calls = 0;
        limit = 50 + round * 150;
        int got = setjmp(escape);
        if (got == 0) {
            qsort(values, 200, sizeof values[0], cmp);
            printf("round %d: sorted without escaping after %d calls\n", round, calls);
        } else {
            printf("round %d: escaped after %d comparisons\n", round, got);
        }
    }
    // Sorting still works after all the escapes.
    calls = 0;
    limit = -1;
    qsort(values, 200, sizeof values[0], cmp);
    int ok = 1;
    for (int i = 1; i < 200; i++) ok &= values[i - 1] <= values[i];
    printf("final sort %s, first %d last %d\n", ok ? "ok" : "BROKEN", values[0], values[199]);
    return 0;
}
