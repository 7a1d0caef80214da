#include "config.h"

#include <errno.h>
#include <sys/signalfd.h>
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

int jc_supervise(struct jc_supervisor *s, pid_t job, int *wstatus, struct jc_error *err)
{
        struct signalfd_siginfo si;
        int st;
        pid_t pid;

        for (;;) {
                ssize_t n = read(s->sfd, &si, sizeof(si));

                if (n < 0 && errno == EINTR)
                        continue;
                if (n != sizeof(si))
                        return jc_error_set(err, errno, "read signals");
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
                                return 0;
                        }
                }
        }
}
