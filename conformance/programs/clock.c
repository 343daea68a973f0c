// Clocks: CLOCK_MONOTONIC never goes backwards across many reads and across
// a nanosleep, CLOCK_REALTIME is after 2020, resolutions are sane. Prints
// only verdicts, never times.
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

static long long ns(const struct timespec *t) { return t->tv_sec * 1000000000ll + t->tv_nsec; }

static void verdict(const char *what, int ok) { printf("%s: %s\n", what, ok ? "ok" : "FAILED"); }

int main(void) {
    struct timespec prev, cur, res;
    int mono_ok = clock_gettime(CLOCK_MONOTONIC, &prev) == 0;
    for (int i = 0; i < 10000 && mono_ok; i++) {
        mono_ok = clock_gettime(CLOCK_MONOTONIC, &cur) == 0 && ns(&cur) >= ns(&prev);
        prev = cur;
    }
    verdict("monotonic non-decreasing", mono_ok);

    struct timespec before, after, nap = {0, 20 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &before);
    int slept = nanosleep(&nap, NULL) == 0;
    clock_gettime(CLOCK_MONOTONIC, &after);
    verdict("nanosleep returns 0", slept);
    verdict("monotonic advanced by at least the sleep", ns(&after) - ns(&before) >= 20 * 1000 * 1000);

    struct timespec real;
    clock_gettime(CLOCK_REALTIME, &real);
    verdict("realtime after 2020", real.tv_sec > 1577836800);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    verdict("gettimeofday agrees with realtime", tv.tv_sec - real.tv_sec >= 0 && tv.tv_sec - real.tv_sec < 5);
    // glibc's time() may read a coarse clock that lags CLOCK_REALTIME by a
    // tick, so it can still show the previous second.
    time_t now = time(NULL);
    verdict("time() agrees", now - real.tv_sec >= -1 && now - real.tv_sec < 5);
    verdict("usec in range", tv.tv_usec >= 0 && tv.tv_usec < 1000000);

    verdict("monotonic resolution", clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec > 0 &&
                                        res.tv_nsec <= 1000000);
    struct timespec cpu1, cpu2;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu1);
    volatile unsigned long spin = 0;
    for (unsigned long i = 0; i < 2000000; i++) spin += i;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu2);
    verdict("process cputime non-decreasing", ns(&cpu2) >= ns(&cpu1));
    verdict("clock() non-negative", clock() >= 0);
    return 0;
}
