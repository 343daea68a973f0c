// _exit: atexit handlers do not run and unflushed stdio data is lost, but
// data already written with write(2) stays. Status 7.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void never(void) { printf("atexit handler must not run after _exit\n"); }

int main(void) {
    atexit(never);
    const char *msg = "written with write(2)\n";
    if (write(1, msg, strlen(msg)) < 0) return 1;
    setvbuf(stdout, NULL, _IOFBF, 4096);
    printf("this stays in the stdio buffer and is lost\n");
    _exit(7);
}
