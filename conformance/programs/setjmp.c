// setjmp/longjmp across many frames, repeated jumps to the same buffer,
// nested buffers, and sigsetjmp/siglongjmp; locals that must survive are volatile.
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>

static jmp_buf outer, inner;
static int depth_reached;

static int descend(int depth, int target) {
    volatile char pad[64];
    pad[depth % 64] = (char)depth;
    depth_reached = depth;
    if (depth == target) longjmp(outer, depth);
    if (depth > target) return -1;
    return descend(depth + 1, target) + pad[0];
}

static void inner_work(int n) {
    if (n == 0) longjmp(inner, 7);
    if (n < 0) return;
    inner_work(n - 1);
}

static int nested(void) {
    volatile int stage = 0;
    int r = setjmp(inner);
    if (r == 0) {
        stage = 1;
        inner_work(50);
        stage = 99;
    }
    printf("nested: inner longjmp returned %d at stage %d\n", r, stage);
    return r;
}

int main(void) {
    volatile int count = 0;
    int targets[] = {1, 10, 1000, 20000};
    for (int i = 0; i < 4; i++) {
        int r = setjmp(outer);
        if (r == 0) {
            descend(0, targets[i]);
            printf("unreachable\n");
        } else {
            count++;
            printf("jumped back from depth %d (value %d), count %d\n", depth_reached, r, count);
        }
    }

    // longjmp with value 0 delivers 1.
    if (setjmp(outer) == 0) longjmp(outer, 0);
    else printf("longjmp(0) returns 1\n");

    // Jump many times to one buffer.
    volatile int loops = 0;
    int v = setjmp(outer);
    if (v < 1000) {
        loops++;
        longjmp(outer, v + 1);
    }
    printf("looped %d times, last value %d\n", loops, v);

    printf("nested returned %d\n", nested());

    sigjmp_buf sj;
    volatile int sig_round = 0;
    if (sigsetjmp(sj, 1) < 3) {
        sig_round++;
        siglongjmp(sj, sig_round);
    }
    printf("siglongjmp rounds %d\n", sig_round);
    return count == 4 ? 0 : 1;
}
