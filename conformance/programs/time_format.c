// env: TZ=EST5EDT,M3.2.0,M11.1.0
// Calendar arithmetic on fixed timestamps: gmtime/localtime with a POSIX TZ
// rule (no zoneinfo files needed), mktime/timegm round trips, strftime with
// many conversions, strptime, difftime.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(void) {
    tzset();
    const time_t stamps[] = {0, 951782400, 1709251199, 1710054000, 1710057600, 1730613600, 2147483647, 4102444800, -86400 * 365};
    for (size_t i = 0; i < sizeof stamps / sizeof stamps[0]; i++) {
        struct tm g, l;
        gmtime_r(&stamps[i], &g);
        localtime_r(&stamps[i], &l);
        char a[128], b[128];
        strftime(a, sizeof a, "%Y-%m-%d %H:%M:%S %a %b %j %U %W %u %w", &g);
        strftime(b, sizeof b, "%F %T %Z %z dst=%%d %G-W%V %I%p %e %C %y", &l);
        printf("%11lld | %s | ", (long long)stamps[i], a);
        printf(b, l.tm_isdst);
        time_t back = mktime(&l), back_utc = timegm(&g);
        printf(" | roundtrip %d %d\n", back == stamps[i], back_utc == stamps[i]);
    }
    struct tm t;
    memset(&t, 0, sizeof t);
    const char *rest = strptime("2024-02-29 13:45:07", "%Y-%m-%d %H:%M:%S", &t);
    printf("strptime rest [%s] %d-%d-%d %d:%d:%d wday %d yday %d\n", rest ? rest : "(null)", t.tm_year + 1900,
           t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, t.tm_wday, t.tm_yday);
    // mktime normalises out-of-range fields.
    struct tm n = {.tm_year = 124, .tm_mon = 13, .tm_mday = 35, .tm_hour = 25, .tm_min = -10, .tm_isdst = -1};
    time_t norm = mktime(&n);
    char buf[64];
    strftime(buf, sizeof buf, "%c", &n);
    printf("normalised: %lld %s isdst %d\n", (long long)norm, buf, n.tm_isdst);
    printf("difftime %.1f tzname %s/%s timezone %ld daylight %d\n", difftime(stamps[2], stamps[1]), tzname[0],
           tzname[1], timezone, daylight);
    char asc[32];
    struct tm e;
    gmtime_r(&stamps[1], &e);
    printf("asctime %s", asctime_r(&e, asc));
    return 0;
}
