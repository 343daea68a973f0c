// Signals without other processes: raise() runs handlers synchronously,
// sigaction with SA_SIGINFO, blocked signals stay pending until unblocked,
// SIG_IGN, and kill(getpid()) with the default action ending the program
// (status 128 + signal number as reported by the runner, here SIGTERM).
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t hits, last_sig, last_code_user;

static void handler(int sig) { hits++; last_sig = sig; }

static void info_handler(int sig, siginfo_t *info, void *ctx) {
    (void)ctx;
    hits++;
    last_sig = sig;
    last_code_user = info->si_code == SI_USER || info->si_code == SI_TKILL;
}

int main(void) {
    signal(SIGUSR1, handler);
    raise(SIGUSR1);
    printf("after raise: hits %d sig %s\n", hits, last_sig == SIGUSR1 ? "SIGUSR1" : "?");

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = info_handler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR2, &sa, NULL);
    raise(SIGUSR2);
    printf("siginfo handler: hits %d sig %s user %d\n", hits, last_sig == SIGUSR2 ? "SIGUSR2" : "?", last_code_user);

    sigset_t block, pending, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    raise(SIGUSR1);
    sigpending(&pending);
    printf("blocked: hits %d pending %d\n", hits, sigismember(&pending, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: hits %d\n", hits);

    signal(SIGUSR1, SIG_IGN);
    raise(SIGUSR1);
    printf("ignored: hits %d\n", hits);

    struct sigaction query;
    sigaction(SIGUSR2, NULL, &query);
    printf("query: siginfo flag %d\n", (query.sa_flags & SA_SIGINFO) != 0);
    fflush(stdout);
    kill(getpid(), SIGTERM);
    printf("not reached\n");
    return 0;
}
