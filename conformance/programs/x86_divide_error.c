// arch: x86_64
// x86-64 traps a division whose quotient does not fit (here INT64_MIN / -1;
// division by zero alike) with #DE: Linux delivers SIGFPE, whose default
// action ends the program (status 128 + 8). Output before the fault must
// have been written.
#include <stdint.h>
#include <stdio.h>

int main(void) {
    volatile int64_t big = INT64_MIN, minus_one = -1;
    int64_t quot, rem;
    __asm__ volatile("cqo\n\tidivq %3" : "=a"(quot), "=&d"(rem) : "a"((int64_t)7), "r"((int64_t)2) : "cc");
    printf("7 / 2 = %lld rem %lld\n", (long long)quot, (long long)rem);
    fflush(stdout);
    __asm__ volatile("cqo\n\tidivq %3" : "=a"(quot), "=&d"(rem) : "a"(big), "r"(minus_one) : "cc");
    printf("not reached %lld %lld\n", (long long)quot, (long long)rem);
    return 0;
}
