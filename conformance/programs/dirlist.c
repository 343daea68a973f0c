// dir: overlay
// Directory listings: readdir with d_type, scandir+alphasort, nftw over a
// tree the program builds itself, seekdir/rewinddir, and empty directories.
// argv[1]: a path that does not exist yet; the program creates it.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void touch(const char *path, int size) {
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0) { printf("create %s: %s\n", path, strerror(errno)); exit(1); }
    for (int i = 0; i < size; i++) if (write(fd, "x", 1) != 1) exit(1);
    close(fd);
}

static const char *type_name(unsigned char t) {
    switch (t) {
    case DT_REG: return "reg";
    case DT_DIR: return "dir";
    case DT_LNK: return "lnk";
    case DT_UNKNOWN: return "unknown";
    default: return "other";
    }
}

// nftw visits in directory order, which is unspecified: collect, then sort.
static char *visited[64];
static int nvisited;

static int visit(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    char line[512];
    snprintf(line, sizeof line, "  nftw level %d %s %s size %lld", ftw->level,
             flag == FTW_D ? "dir " : flag == FTW_F ? "file" : "else", path,
             flag == FTW_F ? (long long)st->st_size : 0LL);
    if (nvisited < 64) visited[nvisited++] = strdup(line);
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    char path[4096];
    snprintf(path, sizeof path, "%s", argv[1]);
    for (char *p = path + 1; *p; p++)
        if (*p == '/') { *p = '\0'; mkdir(path, 0755); *p = '/'; }
    if (mkdir(path, 0755) || chdir(path)) { printf("setup: %s\n", strerror(errno)); return 1; }

    const char *names[] = {"zeta", "alpha", "Beta", "_under", "123", "a.b.c", "long-name-with-many-characters-0123456789"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) touch(names[i], (int)i * 3);
    mkdir("dir1", 0755);
    mkdir("dir1/nested", 0755);
    mkdir("empty", 0755);
    touch("dir1/f1", 1);
    touch("dir1/nested/f2", 2);
    symlink("alpha", "link-to-alpha");
    for (int i = 0; i < 100; i++) {
        char name[32];
        snprintf(name, sizeof name, "dir1/many%03d", (i * 37) % 100);
        touch(name, 0);
    }

    DIR *d = opendir(".");
    char *entries[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64) {
        char buf[320];
        snprintf(buf, sizeof buf, "%s (%s)", e->d_name, type_name(e->d_type));
        entries[n++] = strdup(buf);
    }
    qsort(entries, (size_t)n, sizeof entries[0], cmp_str);
    printf("readdir: %d entries\n", n);
    for (int i = 0; i < n; i++) { printf("  %s\n", entries[i]); free(entries[i]); }

    rewinddir(d);
    int again = 0;
    while (readdir(d)) again++;
    printf("after rewinddir: %d entries\n", again);
    closedir(d);

    struct dirent **list;
    int m = scandir("dir1", &list, NULL, alphasort);
    printf("scandir dir1: %d\n", m);
    for (int i = 0; i < m; i++) {
        if (i < 6 || i > m - 3) printf("  %s\n", list[i]->d_name);
        free(list[i]);
    }
    free(list);
    m = scandir("empty", &list, NULL, alphasort);
    printf("scandir empty: %d\n", m);
    for (int i = 0; i < m; i++) free(list[i]);
    free(list);
    printf("opendir missing: %s\n", opendir("nope") ? "opened" : strerror(errno));
    printf("opendir file: %s\n", opendir("alpha") ? "opened" : strerror(errno));

    nftw("dir1/nested", visit, 8, FTW_PHYS);
    nftw("empty", visit, 8, FTW_PHYS);
    qsort(visited, (size_t)nvisited, sizeof visited[0], cmp_str);
    for (int i = 0; i < nvisited; i++) printf("%s\n", visited[i]);
    return 0;
}
