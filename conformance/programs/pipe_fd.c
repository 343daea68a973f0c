// File descriptors inside one process: pipe() written and read back, pipe
// capacity with O_NONBLOCK (EAGAIN), EOF after the write end closes,
// EPIPE/SIGPIPE ignored, dup2 of stdout into a pipe and back, fcntl flags,
// and lowest-free-number allocation of descriptors.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    int p[2];
    if (pipe(p) < 0) { printf("pipe: %s\n", strerror(errno)); return 1; }
    printf("pipe fds %d %d\n", p[0], p[1]);
    printf("write %zd\n", write(p[1], "hello through a pipe", 20));
    char buf[256];
    ssize_t n = read(p[0], buf, 5);
    printf("read %zd [%.*s]\n", n, (int)n, buf);
    n = read(p[0], buf, sizeof buf);
    printf("read %zd [%.*s]\n", n, (int)n, buf);

    // Fill the pipe without blocking.
    int fl = fcntl(p[1], F_GETFL);
    printf("F_GETFL write end: O_WRONLY %d O_NONBLOCK %d\n", (fl & O_ACCMODE) == O_WRONLY, (fl & O_NONBLOCK) != 0);
    fcntl(p[1], F_SETFL, fl | O_NONBLOCK);
    char block[4096];
    memset(block, 'z', sizeof block);
    long total = 0;
    for (;;) {
        n = write(p[1], block, sizeof block);
        if (n < 0) break;
        total += n;
    }
    printf("filled %s after %s bytes, errno %s\n", total >= 4096 ? "pipe" : "nothing", total >= 4096 ? "some" : "no",
           errno == EAGAIN ? "EAGAIN" : strerror(errno));
    long drained = 0;
    fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
    while ((n = read(p[0], buf, sizeof buf)) > 0) drained += n;
    printf("drained all: %d, then %s\n", drained == total, errno == EAGAIN ? "EAGAIN" : strerror(errno));

    close(p[1]);
    printf("read after writer closed: %zd\n", read(p[0], buf, sizeof buf));
    close(p[0]);

    signal(SIGPIPE, SIG_IGN);
    pipe(p);
    close(p[0]);
    errno = 0;
    printf("write without reader: %zd %s\n", write(p[1], "x", 1), errno == EPIPE ? "EPIPE" : strerror(errno));
    close(p[1]);

    // Redirect stdout into a pipe, then restore it.
    pipe(p);
    fflush(stdout);
    int saved = dup(1);
    dup2(p[1], 1);
    printf("captured line\n");
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    close(p[1]);
    n = read(p[0], buf, sizeof buf);
    printf("captured %zd bytes: %.*s", n, (int)n, buf);
    close(p[0]);

    // Descriptor numbers: the lowest free one is reused.
    int a = dup(0), b = dup(0);
    close(a);
    int c = dup(0);
    printf("lowest free reused: %d, F_DUPFD from 20: %d\n", c == a, fcntl(0, F_DUPFD, 20));
    int cl = fcntl(b, F_GETFD);
    fcntl(b, F_SETFD, FD_CLOEXEC);
    printf("FD_CLOEXEC %d -> %d\n", cl & FD_CLOEXEC, fcntl(b, F_GETFD) & FD_CLOEXEC);
    int q[2];
    printf("pipe2 O_CLOEXEC %d flag %d\n", pipe2(q, O_CLOEXEC), fcntl(q[0], F_GETFD) & FD_CLOEXEC);
    return 0;
}
