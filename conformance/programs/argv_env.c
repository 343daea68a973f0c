// args: first "" --flag=value x y
// env: C2WT_GREETING=hello world
// env: C2WT_EMPTY=
// env: C2WT_NUMBER=42
// Command-line arguments and the environment: argc/argv (argv[0] is not
// printed, it differs between runners), getenv, setenv/unsetenv/putenv,
// and the C2WT_ variables of environ, sorted.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void print_test_env(const char *when) {
    char *vars[64];
    int n = 0;
    for (char **e = environ; *e && n < 64; e++)
        if (strncmp(*e, "C2WT_", 5) == 0) vars[n++] = *e;
    qsort(vars, (size_t)n, sizeof vars[0], cmp_str);
    printf("%s:", when);
    for (int i = 0; i < n; i++) printf(" [%s]", vars[i]);
    printf("\n");
}

int main(int argc, char **argv) {
    printf("argc %d\n", argc);
    for (int i = 1; i < argc; i++) printf("argv[%d] = [%s] (%zu)\n", i, argv[i], strlen(argv[i]));
    printf("argv[argc] is NULL: %d\n", argv[argc] == NULL);
    const char *g = getenv("C2WT_GREETING"), *e = getenv("C2WT_EMPTY"), *m = getenv("C2WT_MISSING");
    printf("getenv: [%s] [%s] %s\n", g ? g : "(null)", e ? e : "(null)", m ? m : "(null)");
    print_test_env("initial");
    setenv("C2WT_NEW", "value", 0);
    setenv("C2WT_NUMBER", "43", 0);
    setenv("C2WT_GREETING", "replaced", 1);
    unsetenv("C2WT_EMPTY");
    static char put[] = "C2WT_PUT=via putenv";
    putenv(put);
    print_test_env("modified");
    printf("atoi(C2WT_NUMBER) + 1 = %d\n", atoi(getenv("C2WT_NUMBER")) + 1);
    return argc;
}
