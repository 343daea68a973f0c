// System identity as a Linux guest sees it, printed only where it is fixed:
// uname's sysname and machine, ids that are consistent with each other,
// getpid/getppid positive, sysconf values, rlimits, and the auxiliary vector
// entries a static binary relies on.
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(void) {
    struct utsname u;
    if (uname(&u) == 0) printf("sysname %s machine %s release-nonempty %d\n", u.sysname, u.machine, u.release[0] != 0);
    printf("pid positive %d ppid non-negative %d gettid==getpid %d\n", getpid() > 0, getppid() >= 0, gettid() == getpid());
    printf("uid==euid %d gid==egid %d\n", getuid() == geteuid(), getgid() == getegid());
    printf("page size %ld, AT_PAGESZ %lu, clock ticks %ld\n", sysconf(_SC_PAGESIZE), getauxval(AT_PAGESZ), sysconf(_SC_CLK_TCK));
    printf("online cpus positive %d\n", sysconf(_SC_NPROCESSORS_ONLN) > 0);
    printf("AT_PHDR set %d AT_ENTRY set %d AT_RANDOM set %d AT_SECURE %lu\n", getauxval(AT_PHDR) != 0,
           getauxval(AT_ENTRY) != 0, getauxval(AT_RANDOM) != 0, getauxval(AT_SECURE));
    struct rlimit rl;
    getrlimit(RLIMIT_STACK, &rl);
    printf("stack rlimit at least 8 MiB %d\n", rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= 8u << 20);
    printf("isatty(0,1,2) %d %d %d\n", isatty(0), isatty(1), isatty(2));
    char host[256];
    printf("gethostname %d\n", gethostname(host, sizeof host));
    return 0;
}
