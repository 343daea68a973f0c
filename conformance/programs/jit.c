// Code the translator cannot see: copy a function's machine code into an
// mmap'd buffer, make it executable, and call it (with the instruction-cache
// flush a JIT does); then change the code in place and call it again.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

// Position-independent leaf functions: their code works at any address.
__attribute__((noinline)) static long mix(long a, long b) { return a * 31 + (b ^ 0x5a5a); }
__attribute__((noinline)) static long end_of_mix(void) { return 0; }
__attribute__((noinline)) static long add3(long a, long b) { return a + b + 3; }
__attribute__((noinline)) static long end_of_add3(void) { return 0; }

typedef long (*binop)(long, long);

static binop load(void *buf, void *start, void *end) {
    size_t len = (size_t)((char *)end - (char *)start);
    if (len == 0 || len > 4096) len = 64;
    memcpy(buf, start, len);
    __builtin___clear_cache((char *)buf, (char *)buf + len);
    return (binop)buf;
}

int main(void) {
    void *buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    binop f = load(buf, (void *)mix, (void *)end_of_mix);
    if (mprotect(buf, 4096, PROT_READ | PROT_EXEC) != 0) {
        perror("mprotect");
        return 1;
    }
    long sum = 0;
    for (long i = 0; i < 1000; i++) sum += f(i, sum & 0xffff);
    printf("jit mix: %ld (direct %ld)\n", f(7, 9), mix(7, 9));
    printf("jit loop: %ld\n", sum);

    // Replace the code and run the new one from the same address.
    mprotect(buf, 4096, PROT_READ | PROT_WRITE);
    f = load(buf, (void *)add3, (void *)end_of_add3);
    mprotect(buf, 4096, PROT_READ | PROT_EXEC);
    printf("jit add3: %ld (direct %ld)\n", f(40, 2), add3(40, 2));
    munmap(buf, 4096);
    return 0;
}
