// dir: overlay
// Path resolution in a tree the program builds: relative paths, "." and
// "..", chdir/fchdir/getcwd, *at() calls relative to directory fds,
// symlinks (relative, absolute, dangling, loops), realpath, readlink and
// the errno of the failing cases.
// argv[1]: a path that does not exist yet; the program creates it.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *root;

// Paths are printed relative to argv[1], which differs between runs.
static const char *rel(const char *path) {
    size_t n = strlen(root);
    return strncmp(path, root, n) == 0 ? (path[n] ? path + n : "<root>") : path;
}

static void show(const char *what, long rc) {
    printf("%-36s %ld%s%s\n", what, rc, rc < 0 ? " " : "", rc < 0 ? strerror(errno) : "");
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    root = argv[1];
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", root);
    for (char *p = path + 1; *p; p++)
        if (*p == '/') { *p = '\0'; mkdir(path, 0755); *p = '/'; }
    show("mkdir root", mkdir(root, 0755));
    show("chdir root", chdir(root));
    show("mkdir a/b/c (missing parents)", mkdir("a/b/c", 0755));
    show("mkdir a", mkdir("a", 0755));
    show("mkdir a/b", mkdir("a/b", 0755));
    show("mkdir ./a/b/../b/c", mkdir("./a/b/../b/c", 0755));
    int fd = open("a/b/c/file.txt", O_CREAT | O_WRONLY, 0644);
    show("write a/b/c/file.txt", write(fd, "content\n", 8));
    close(fd);

    char cwd[PATH_MAX];
    show("chdir a/b", chdir("a/b"));
    printf("getcwd %s\n", rel(getcwd(cwd, sizeof cwd)));
    show("access c/file.txt", access("c/file.txt", R_OK));
    show("access ../../a/b/c/file.txt", access("../../a/b/c/file.txt", F_OK));
    show("chdir ../..", chdir("../.."));
    printf("getcwd %s\n", rel(getcwd(cwd, sizeof cwd)));

    int dfd = open("a/b", O_RDONLY | O_DIRECTORY);
    show("open a/b O_DIRECTORY", dfd >= 0 ? 0 : -1);
    struct stat st;
    show("fstatat(dfd, c/file.txt)", fstatat(dfd, "c/file.txt", &st, 0));
    printf("  size %lld regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));
    int f2 = openat(dfd, "new.txt", O_CREAT | O_WRONLY | O_EXCL, 0644);
    show("openat(dfd, new.txt)", f2 >= 0 ? 0 : -1);
    close(f2);
    show("renameat(dfd, new.txt -> c/renamed)", renameat(dfd, "new.txt", dfd, "c/renamed.txt"));
    show("mkdirat(dfd, d)", mkdirat(dfd, "d", 0755));
    show("unlinkat(dfd, d, AT_REMOVEDIR)", unlinkat(dfd, "d", AT_REMOVEDIR));
    show("fchdir(dfd)", fchdir(dfd));
    printf("getcwd %s\n", rel(getcwd(cwd, sizeof cwd)));
    close(dfd);
    show("chdir root", chdir(root));

    show("symlink a/b/c/file.txt -> rel", symlink("a/b/c/file.txt", "rel-link"));
    snprintf(path, sizeof path, "%s/a/b", root);
    show("symlink abs", symlink(path, "abs-link"));
    show("symlink dangling", symlink("nowhere", "dangling"));
    show("symlink loop1", symlink("loop2", "loop1"));
    show("symlink loop2", symlink("loop1", "loop2"));
    char target[PATH_MAX] = {0};
    ssize_t n = readlink("rel-link", target, sizeof target - 1);
    printf("readlink rel-link %zd %s\n", n, target);
    show("stat rel-link", stat("rel-link", &st));
    printf("  size %lld\n", (long long)st.st_size);
    show("lstat rel-link", lstat("rel-link", &st));
    printf("  is link %d\n", S_ISLNK(st.st_mode));
    show("stat abs-link/c/file.txt", stat("abs-link/c/file.txt", &st));
    show("stat dangling", stat("dangling", &st));
    show("lstat dangling", lstat("dangling", &st));
    show("stat loop1", stat("loop1", &st));
    show("open through dir symlink", open("abs-link/c/renamed.txt", O_RDONLY) >= 0 ? 0 : -1);
    char *real = realpath("abs-link/../b/./c//file.txt", NULL);
    printf("realpath %s\n", real ? rel(real) : strerror(errno));
    free(real);
    real = realpath("a/missing/x", NULL);
    printf("realpath missing: %s\n", real ? rel(real) : strerror(errno));
    show("readlink on a file", readlink("a/b/c/file.txt", target, sizeof target));
    show("open file as dir", open("a/b/c/file.txt/x", O_RDONLY));
    show("mkdir over file", mkdir("a/b/c/file.txt", 0755));
    show("rmdir of a file", rmdir("a/b/c/file.txt"));
    show("rename dir into itself", rename("a", "a/b/inside"));
    show("unlink symlink to dir", unlink("abs-link"));
    show("stat a/b after unlinking link", stat("a/b", &st));
    char longname[300];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    show("open 299-char name", open(longname, O_CREAT | O_WRONLY, 0644));
    return 0;
}
