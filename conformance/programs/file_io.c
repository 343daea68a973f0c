// dir: overlay
// File operations in a directory the program creates itself (in the image's
// writable overlay when translated): create, write, read, lseek (with holes),
// pread/pwrite, ftruncate, O_APPEND, O_EXCL, rename, unlink, dup/dup2,
// buffered stdio, and the errno values of the failing cases.
// argv[1]: a path that does not exist yet; the program creates it.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"

#define CHECK(expr)                                                                   \
    do {                                                                              \
        if ((expr) < 0) {                                                             \
            printf("line %d: %s failed: %s\n", __LINE__, #expr, strerror(errno));     \
            exit(1);                                                                  \
        }                                                                             \
    } while (0)

// mkdir -p, silent about components that already exist.
static void mkdir_p(const char *path) {
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST) { printf("mkdir failed: %s\n", strerror(errno)); exit(1); }
        *p = '/';
    }
    CHECK(mkdir(buf, 0755));
}

static void show_errno(const char *what, int rc) {
    printf("%-28s rc %d errno %s\n", what, rc, rc < 0 ? strerror(errno) : "-");
}

static void show_stat(const char *name) {
    struct stat st;
    if (stat(name, &st) < 0) { printf("stat %s: %s\n", name, strerror(errno)); return; }
    printf("stat %s: %s size %lld mode %o\n", name, S_ISDIR(st.st_mode) ? "dir" : S_ISREG(st.st_mode) ? "file" : "other",
           S_ISREG(st.st_mode) ? (long long)st.st_size : 0LL, (unsigned)(st.st_mode & 0777));
}

int main(int argc, char **argv) {
    if (argc < 2) { printf("usage: file_io DIR\n"); return 2; }
    umask(022);
    mkdir_p(argv[1]);
    CHECK(chdir(argv[1]));

    int fd = open("data.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK(fd);
    char block[1000];
    prng_seed(3);
    for (size_t i = 0; i < sizeof block; i++) block[i] = (char)prng_next();
    for (int i = 0; i < 70; i++) CHECK(write(fd, block, sizeof block));
    printf("size after writes %lld\n", (long long)lseek(fd, 0, SEEK_END));
    printf("seek set %lld cur %lld end %lld\n", (long long)lseek(fd, 12345, SEEK_SET),
           (long long)lseek(fd, -345, SEEK_CUR), (long long)lseek(fd, -10, SEEK_END));
    char rb[64];
    ssize_t n = read(fd, rb, sizeof rb);
    printf("short read at end: %zd %016llx\n", n, (unsigned long long)fnv1a(FNV_INIT, rb, (size_t)n));
    printf("read at eof: %zd\n", read(fd, rb, sizeof rb));

    // A hole: write past the end, the gap reads as zeros.
    CHECK(lseek(fd, 100000, SEEK_SET));
    CHECK(write(fd, "tail", 4));
    CHECK(pread(fd, rb, 16, 99990));
    int zeros = 0;
    for (int i = 0; i < 10; i++) zeros += rb[i] == 0;
    printf("hole zeros %d then %.4s\n", zeros, rb + 10);
    CHECK(pwrite(fd, "PW", 2, 5));
    CHECK(pread(fd, rb, 4, 4));
    printf("pwrite/pread %02x %.2s %02x, offset still %lld\n", (unsigned char)rb[0], rb + 1, (unsigned char)rb[3],
           (long long)lseek(fd, 0, SEEK_CUR));
    CHECK(ftruncate(fd, 2500));
    show_stat("data.bin");
    CHECK(lseek(fd, 0, SEEK_SET));
    uint64_t h = FNV_INIT;
    while ((n = read(fd, rb, sizeof rb)) > 0) h = fnv1a(h, rb, (size_t)n);
    printf("content after truncate %016llx\n", (unsigned long long)h);
    CHECK(close(fd));

    // O_APPEND, O_EXCL, opening missing files, rename and unlink.
    fd = open("log.txt", O_CREAT | O_WRONLY | O_APPEND, 0600);
    CHECK(fd);
    CHECK(write(fd, "one\n", 4));
    CHECK(lseek(fd, 0, SEEK_SET));
    CHECK(write(fd, "two\n", 4));
    CHECK(close(fd));
    show_errno("open O_EXCL existing", open("log.txt", O_CREAT | O_EXCL | O_WRONLY, 0644));
    show_errno("open missing", open("missing.txt", O_RDONLY));
    show_errno("open missing dir", open("nodir/x", O_CREAT | O_WRONLY, 0644));
    show_errno("rename", rename("log.txt", "renamed.txt"));
    show_errno("open old name", open("log.txt", O_RDONLY));
    show_stat("renamed.txt");
    show_stat(".");

    FILE *f = fopen("renamed.txt", "r+");
    if (!f) { printf("fopen failed\n"); return 1; }
    char line[32];
    while (fgets(line, sizeof line, f)) printf("line: %s", line);
    fseek(f, 0, SEEK_END);
    fprintf(f, "three %d\n", 3);
    rewind(f);
    int lines = 0;
    while (fgets(line, sizeof line, f)) lines++;
    printf("lines now %d, ftell %ld\n", lines, ftell(f));
    fclose(f);

    // dup/dup2 share the offset.
    fd = open("renamed.txt", O_RDONLY);
    CHECK(fd);
    int fd2 = dup(fd);
    CHECK(fd2);
    CHECK(read(fd, rb, 4));
    CHECK(dup2(fd, 42));
    printf("dup offset %lld dup2 offset %lld\n", (long long)lseek(fd2, 0, SEEK_CUR), (long long)lseek(42, 0, SEEK_CUR));
    close(fd);
    close(fd2);
    close(42);
    show_errno("close closed fd", close(42));
    show_errno("read bad fd", (int)read(77, rb, 1));

    CHECK(mkdir("sub", 0755));
    show_errno("mkdir existing", mkdir("sub", 0755));
    CHECK(rename("renamed.txt", "sub/moved.txt"));
    show_errno("rmdir non-empty", rmdir("sub"));
    show_errno("unlink dir", unlink("sub"));
    show_stat("sub/moved.txt");
    CHECK(unlink("sub/moved.txt"));
    CHECK(rmdir("sub"));
    show_errno("stat removed", access("sub", F_OK));
    CHECK(unlink("data.bin"));
    show_errno("unlink again", unlink("data.bin"));
    char cwd[4096];
    printf("getcwd equals argv[1]: %d\n", getcwd(cwd, sizeof cwd) && strcmp(cwd, argv[1]) == 0);
    return 0;
}
