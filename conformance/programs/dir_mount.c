// dir: mount
// Files on a host directory mounted into the guest: nested directories,
// writes that must reach the host, reads back, renames across directories,
// symlinks, a sorted listing, and removal. What is left behind is compared
// by the harness as well.
// argv[1]: the mounted directory (empty at start).
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) { printf("opendir %s: %s\n", dir, strerror(errno)); return; }
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64) names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], cmp_names);
    printf("%s:", dir);
    for (int i = 0; i < n; i++) {
        char path[512];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (lstat(path, &st) < 0) printf(" %s(?)", names[i]);
        else if (S_ISDIR(st.st_mode)) printf(" %s/", names[i]);
        else if (S_ISLNK(st.st_mode)) printf(" %s@", names[i]);
        else printf(" %s(%lld)", names[i], (long long)st.st_size);
        free(names[i]);
    }
    printf("\n");
}

static void write_file(const char *path, const char *text, int copies) {
    FILE *f = fopen(path, "w");
    if (!f) { printf("fopen %s: %s\n", path, strerror(errno)); exit(1); }
    for (int i = 0; i < copies; i++) fprintf(f, "%s %d\n", text, i);
    fclose(f);
}

static void cat(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) { printf("cat %s: %s\n", path, strerror(errno)); return; }
    char buf[256];
    size_t n, total = 0;
    uint64_t h = FNV_INIT;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) { h = fnv1a(h, buf, n); total += n; }
    fclose(f);
    printf("cat %s: %zu bytes %016llx\n", path, total, (unsigned long long)h);
}

int main(int argc, char **argv) {
    if (argc < 2 || chdir(argv[1]) < 0) { printf("cannot enter the mounted directory\n"); return 2; }
    list(".");
    if (mkdir("a", 0755) || mkdir("a/b", 0755) || mkdir("c", 0755)) { printf("mkdir: %s\n", strerror(errno)); return 1; }
    write_file("a/one.txt", "first file", 10);
    write_file("a/b/two.txt", "second", 1000);
    write_file("c/three.txt", "third", 3);
    write_file("top.txt", "top level", 1);
    int fd = open("binary.dat", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    unsigned char bin[4096];
    prng_seed(17);
    for (size_t i = 0; i < sizeof bin; i++) bin[i] = (unsigned char)prng_next();
    for (int i = 0; i < 16; i++) if (write(fd, bin, sizeof bin) != sizeof bin) printf("short write\n");
    close(fd);
    list(".");
    list("a");
    list("a/b");
    cat("a/b/two.txt");
    cat("binary.dat");

    printf("rename across dirs: %d\n", rename("a/one.txt", "c/one-moved.txt"));
    printf("rename over existing: %d\n", rename("c/three.txt", "top.txt"));
    printf("symlink: %d\n", symlink("c/one-moved.txt", "link"));
    char target[64] = {0};
    printf("readlink: %zd %s\n", readlink("link", target, sizeof target - 1), target);
    cat("link");
    printf("rmdir non-empty: %d %s\n", rmdir("a"), strerror(errno));
    printf("unlink: %d, rmdir: %d\n", unlink("a/b/two.txt"), rmdir("a/b"));
    list(".");
    list("a");
    list("c");
    cat("top.txt");

    // Append to an existing file and truncate another, then leave them.
    fd = open("top.txt", O_WRONLY | O_APPEND);
    printf("append: %zd\n", write(fd, "appended\n", 9));
    close(fd);
    printf("truncate: %d\n", truncate("binary.dat", 1000));
    struct stat st;
    stat("binary.dat", &st);
    printf("binary.dat size %lld\n", (long long)st.st_size);
    cat("top.txt");
    return 0;
}
