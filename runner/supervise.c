#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervise.h"
#include "util.h"

static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCONT };

int jc_supervisor_init(struct jc_supervisor *s, struct jc_error *err)
{
        struct sigaction sa;
        sigset_t set;
        size_t i;

        sigemptyset(&set);
        sigemptyset(&s->ignored);
        sigaddset(&set, SIGCHLD);
        for (i = 0; i < JC_ARRAY_SIZE(forwarded); i++) {
                sigaddset(&set, forwarded[i]);
                /* An ignored signal is discarded before it reaches a
                 * signalfd (a shell starts background commands ignoring
                 * SIGINT and SIGQUIT): take it, and give the job back the
                 * ignoring at exec, as it would have had. */
                if (sigaction(forwarded[i], NULL, &sa) == 0 && sa.sa_handler == SIG_IGN) {
                        sigaddset(&s->ignored, forwarded[i]);
                        signal(forwarded[i], SIG_DFL);
                }
        }
        if (sigprocmask(SIG_BLOCK, &set, &s->saved) < 0)
                return jc_error_set(err, errno, "block signals");
        s->sfd = signalfd(-1, &set, SFD_CLOEXEC);
        if (s->sfd < 0)
                return jc_error_set(err, errno, "signalfd");
        return 0;
}

void jc_supervisor_child(const struct jc_supervisor *s)
{
        size_t i;

        for (i = 0; i < JC_ARRAY_SIZE(forwarded); i++)
                if (sigismember(&s->ignored, forwarded[i]))
                        signal(forwarded[i], SIG_IGN);
        sigprocmask(SIG_SETMASK, &s->saved, NULL);
}

void jc_supervisor_close(struct jc_supervisor *s)
{
        if (s->sfd >= 0)
                close(s->sfd);
        s->sfd = -1;
        sigprocmask(SIG_SETMASK, &s->saved, NULL);
}

/* A timerfd firing every TICK->period seconds. */
static int tick_timer(const struct jc_tick *tick, struct jc_error *err)
{
        struct itimerspec its = { 0 };
        int fd;

        fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        if (fd < 0)
                return jc_error_set(err, errno, "timerfd");
        its.it_interval.tv_sec = (time_t)tick->period;
        its.it_interval.tv_nsec = (long)((tick->period - (double)(time_t)tick->period) * 1e9);
        if (its.it_interval.tv_sec == 0 && its.it_interval.tv_nsec == 0)
                its.it_interval.tv_nsec = 1;
        its.it_value = its.it_interval;
        if (timerfd_settime(fd, 0, &its, NULL) < 0) {
                close(fd);
                return jc_error_set(err, errno, "timerfd");
        }
        return fd;
}

/* Wait until a signal is there, calling the tick on its way. */
static int wait_signal(int sfd, int tfd, const struct jc_tick *tick, struct jc_error *err)
{
        struct pollfd pfd[2] = { { .fd = sfd, .events = POLLIN }, { .fd = tfd, .events = POLLIN } };
        uint64_t expirations;

        for (;;) {
                if (poll(pfd, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return jc_error_set(err, errno, "poll");
                }
                if (pfd[1].revents & POLLIN) {
                        if (read(tfd, &expirations, sizeof(expirations)) > 0)
                                tick->fn(tick->arg);
                }
                if (pfd[0].revents)
                        return 0;
        }
}

int jc_supervise(struct jc_supervisor *s, pid_t job, const struct jc_tick *tick, int *wstatus,
                 struct jc_error *err)
{
        struct signalfd_siginfo si;
        int st, tfd = -1, rc = -1;
        pid_t pid;

        if (tick != NULL && tick->period > 0 && (tfd = tick_timer(tick, err)) < 0)
                return -1;
        for (;;) {
                ssize_t n;

                /* Without a tick the read blocks, as it always did. */
                if (tfd >= 0 && wait_signal(s->sfd, tfd, tick, err) < 0)
                        goto out;
                n = read(s->sfd, &si, sizeof(si));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n != sizeof(si)) {
                        jc_error_set(err, errno, "read signals");
                        goto out;
                }
                if (si.ssi_signo != SIGCHLD) {
                        /* A terminal sends its signals to the whole
                         * foreground process group, the job included
                         * (si_code SI_KERNEL): passing them on would
                         * deliver them twice. */
                        if (si.ssi_code != SI_KERNEL)
                                kill(job, (int)si.ssi_signo);
                        continue;
                }
                /* Reap every child that ended (a keeper or an adopted
                 * orphan too), keeping the job's status. */
                while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
                        if (pid == job) {
                                *wstatus = st;
                                rc = 0;
                                goto out;
                        }
                }
        }
out:
        if (tfd >= 0)
                close(tfd);
        return rc;
}
