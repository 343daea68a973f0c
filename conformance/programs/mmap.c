// Memory mapping: anonymous mmap, munmap, mremap (grow, move), mprotect,
// MAP_FIXED over an existing range, brk/sbrk, and a file mapped from a
// file the program writes (in a directory it creates).
// dir: overlay
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"

int main(int argc, char **argv) {
    long page = sysconf(_SC_PAGESIZE);
    printf("page size %ld\n", page);
    size_t len = 1 << 20;
    unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) { printf("mmap failed\n"); return 1; }
    int zero = 1;
    for (size_t i = 0; i < len; i += 777) zero &= p[i] == 0;
    printf("anonymous memory is zeroed: %d, aligned: %d\n", zero, ((uintptr_t)p % (uintptr_t)page) == 0);
    for (size_t i = 0; i < len; i++) p[i] = (unsigned char)(i * 7);
    unsigned char *q = mremap(p, len, 4 * len, MREMAP_MAYMOVE);
    if (q == MAP_FAILED) { printf("mremap failed\n"); return 1; }
    int kept = 1;
    for (size_t i = 0; i < len; i++) kept &= q[i] == (unsigned char)(i * 7);
    int tail_zero = 1;
    for (size_t i = len; i < 4 * len; i += 4096) tail_zero &= q[i] == 0;
    printf("mremap kept contents %d, new tail zeroed %d\n", kept, tail_zero);
    q = mremap(q, 4 * len, 2 * len, 0);
    printf("mremap shrink in place ok %d\n", q != MAP_FAILED);
    printf("munmap %d, munmap again %d\n", munmap(q, 2 * len), munmap(q, 2 * len));

    // MAP_FIXED replaces part of an existing mapping.
    unsigned char *r = mmap(NULL, 8 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(r, 0xaa, 8 * page);
    unsigned char *fixed = mmap(r + 2 * page, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED at requested address %d, contents %02x %02x %02x\n", fixed == r + 2 * page, r[page],
           r[2 * page], r[4 * page]);
    printf("mprotect read-only %d, munmap middle %d\n", mprotect(r, page, PROT_READ), munmap(r + 5 * page, page));
    printf("still readable %02x\n", r[0]);

    // brk.
    void *b0 = sbrk(0);
    void *b1 = sbrk(100000);
    // musl's sbrk only reports the break: move it with the system call.
    int raw_brk = b1 == (void *)-1;
    if (raw_brk) {
        b1 = (void *)syscall(SYS_brk, 0);
        syscall(SYS_brk, (char *)b1 + 100000);
    }
    memset(b1, 1, 100000);
    void *b2 = sbrk(0);
    printf("sbrk grew by %td, first break unchanged %d\n", (char *)b2 - (char *)b1, b0 == b1);
    if (raw_brk) syscall(SYS_brk, b0);
    else sbrk(-100000);
    printf("sbrk shrank back %d\n", sbrk(0) == b0);

    // A file mapping.
    if (argc < 2) return 2;
    char path[4096];
    snprintf(path, sizeof path, "%s", argv[1]);
    for (char *s = path + 1; *s; s++)
        if (*s == '/') { *s = '\0'; mkdir(path, 0755); *s = '/'; }
    if (mkdir(path, 0755) || chdir(path)) { printf("setup: %s\n", strerror(errno)); return 1; }
    int fd = open("mapped.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
    unsigned char buf[10000];
    prng_seed(77);
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (unsigned char)prng_next();
    if (write(fd, buf, sizeof buf) != sizeof buf) return 1;
    unsigned char *m = mmap(NULL, sizeof buf, PROT_READ, MAP_PRIVATE, fd, 0);
    printf("file mapping %s, equal %d\n", m == MAP_FAILED ? "failed" : "ok", m != MAP_FAILED && memcmp(m, buf, sizeof buf) == 0);
    unsigned char *m2 = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, page);
    int off_ok = m2 != MAP_FAILED && memcmp(m2, buf + page, (size_t)page) == 0;
    if (m2 != MAP_FAILED) m2[0] ^= 0xff;
    unsigned char first;
    pread(fd, &first, 1, page);
    printf("offset mapping equal %d, private write not in file %d\n", off_ok, first == buf[page]);
    close(fd);
    printf("mapping outlives close: %02x\n", m[9999]);
    unsigned char *bad = mmap(NULL, page, PROT_READ, MAP_PRIVATE, 99, 0);
    printf("mmap bad fd: %s\n", bad == MAP_FAILED ? strerror(errno) : "mapped");
    return 0;
}
