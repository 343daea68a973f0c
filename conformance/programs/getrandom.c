// Randomness: getrandom(2) and /dev/urandom fill whole buffers, two draws
// differ, and the bytes are not all zero. Prints only these properties.
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

static int nonzero(const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++) if (p[i]) return 1;
    return 0;
}

int main(void) {
    unsigned char a[32], b[32], big[4096];
    printf("getrandom sizes: %zd %zd\n", getrandom(a, sizeof a, 0), getrandom(b, sizeof b, 0));
    printf("draws differ: %d, nonzero: %d\n", memcmp(a, b, sizeof a) != 0, nonzero(a, sizeof a));
    printf("GRND_NONBLOCK: %zd\n", getrandom(big, sizeof big, GRND_NONBLOCK));
    int histogram[256] = {0}, empty = 0;
    for (size_t i = 0; i < sizeof big; i++) histogram[big[i]]++;
    for (int i = 0; i < 256; i++) empty += histogram[i] == 0;
    printf("byte values never seen in 4096 bytes: %s\n", empty < 16 ? "few" : "too many");

    int fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0) { printf("/dev/urandom: cannot open\n"); return 1; }
    ssize_t n1 = read(fd, a, sizeof a), n2 = read(fd, b, sizeof b);
    close(fd);
    printf("/dev/urandom reads: %zd %zd, differ: %d\n", n1, n2, memcmp(a, b, sizeof a) != 0);
    unsigned int seed;
    printf("getentropy: %d\n", getentropy(&seed, sizeof seed));
    return 0;
}
