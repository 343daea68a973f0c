// full:
// quick:
// Prints a greeting and exits: measures start-up and exit cost (loading,
// instantiation, libc initialisation) with next to no work in between.
#include <stdio.h>

int main(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        fputs("usage: hello   (takes no arguments)\n", stderr);
        return 2;
    }
    puts("hello, world");
    return 0;
}
