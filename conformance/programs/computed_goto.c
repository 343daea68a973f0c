// A bytecode interpreter that dispatches through a computed-goto table
// (`goto *labels[op]`): indirect jumps to blocks that recursive descent
// cannot follow.
#include <stdio.h>

enum { SETA, SETN, MULA, ADDAN, XORA, DECN, JNZN, PRINTA, HALT };

static unsigned long run(const int *code, int trace) {
    static void *labels[] = {&&seta, &&setn, &&mula, &&addan, &&xora, &&decn, &&jnzn, &&printa, &&halt};
    unsigned long a = 0, n = 0, steps = 0;
    int pc = 0;
#define NEXT                      \
    do {                          \
        steps++;                  \
        goto *labels[code[pc++]]; \
    } while (0)
    NEXT;
seta:
    a = (unsigned long)code[pc++];
    NEXT;
setn:
    n = (unsigned long)code[pc++];
    NEXT;
mula:
    a *= (unsigned long)code[pc++];
    NEXT;
addan:
    a += n;
    NEXT;
xora:
    a ^= a >> 7;
    NEXT;
decn:
    n--;
    NEXT;
jnzn: {
    int target = code[pc++];
    if (n != 0) pc = target;
    NEXT;
}
printa:
    if (trace) printf("a = %lu\n", a);
    NEXT;
halt:
    printf("steps %lu\n", steps);
    return a;
#undef NEXT
}

int main(void) {
    // a = 1; n = 20; do { a = a * 3 + n; print; n--; } while (n);
    const int small[] = {SETA, 1, SETN, 20, MULA, 3, ADDAN, PRINTA, DECN, JNZN, 4, HALT};
    printf("small %lu\n", run(small, 1));
    // The same shape, many iterations: a hot indirect-jump loop.
    const int big[] = {SETA, 7, SETN, 500000, MULA, 31, ADDAN, XORA, DECN, JNZN, 4, HALT};
    printf("big %lu\n", run(big, 0));
    return 0;
}
