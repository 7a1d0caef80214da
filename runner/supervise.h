/* The runner's life while the job runs: it forwards signals to the job
 * and collects its exit status. */
#ifndef JC_SUPERVISE_H
#define JC_SUPERVISE_H

#include <signal.h>
#include <sys/types.h>

#include "error.h"

struct jc_supervisor {
        int sfd;          /* signalfd of the forwarded signals and SIGCHLD */
        sigset_t saved;   /* the mask to give the job */
        sigset_t ignored; /* forwarded signals the runner was started ignoring */
};

/* In the job, before execve: the signal mask and the ignored signals the
 * job would have had without the sandbox (async-signal-safe). */
void jc_supervisor_child(const struct jc_supervisor *s);

/* Block the signals to forward (before any fork, so none is lost). */
int jc_supervisor_init(struct jc_supervisor *s, struct jc_error *err);
/* Something to do every PERIOD seconds while the job runs (sampling the
 * cgroups, --stats-interval): a timerfd in the same poll as the signals. */
struct jc_tick {
        double period; /* seconds; <= 0: never */
        void (*fn)(void *arg);
        void *arg;
};

/* Wait for JOB, forwarding SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1,
 * SIGUSR2 and SIGCONT, calling TICK (may be NULL) on its period; *WSTATUS
 * is the job's wait status. */
int jc_supervise(struct jc_supervisor *s, pid_t job, const struct jc_tick *tick, int *wstatus,
                 struct jc_error *err);
void jc_supervisor_close(struct jc_supervisor *s);

#endif
