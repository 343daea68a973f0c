// exit() from deep inside nested calls with atexit handlers (run in reverse
// order) and stdio buffers that must still be flushed; status 42.
#include <stdio.h>
#include <stdlib.h>

static void handler1(void) { printf("atexit handler 1\n"); }
static void handler2(void) { printf("atexit handler 2\n"); fprintf(stderr, "handler 2 on stderr\n"); }

static int level(int n) {
    printf("level %d\n", n);
    if (n == 5) {
        printf("exiting from level %d (buffered, no newline)", n);
        exit(42);
    }
    if (n > 5) return 0;
    return level(n + 1) + 1;
}

int main(void) {
    atexit(handler1);
    atexit(handler2);
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    fprintf(stderr, "stderr is unbuffered\n");
    return level(0);
}
