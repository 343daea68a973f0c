// args: 300
// The status returned from main is truncated to 8 bits: returning 300 gives
// 44; the buffered output is flushed on the way out.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int code = argc > 1 ? atoi(argv[1]) : 0;
    printf("returning %d\n", code);
    return code;
}
