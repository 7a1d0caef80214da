#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "member.h"
#include "privs.h"
#include "seccomp.h"
#include "sync.h"

extern char **environ;

/* The job, after the intermediate forked it inside the cell. */
static void job_main(const struct jc_launch *l, int go, int report) __attribute__((noreturn));

static void job_main(const struct jc_launch *l, int go, int report)
{
        struct jc_error err = { 0 };
        struct pollfd pfd = { .fd = go, .events = POLLIN };
        int keep[16], e;
        size_t i;

        /* GO: the intermediate has exited and we are the supervisor's child. */
        if (jc_msg_expect(go, JC_MSG_GO, NULL, 0, NULL, NULL, "job", &err) < 0)
                _exit(125);
        if (jc_privs_drop(l->ids->job_uid, l->ids->job_gid, l->spec->capabilities, &err) < 0)
                jc_child_fail(report, &err);
        /* Armed after the last uid change (which clears it): if the runner
         * is killed, so is the job.  If it died just before, GO's pipe
         * shows it. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
                jc_child_fail(report, &err);
        if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR)))
                _exit(125);
        if (jc_rlimits_apply(l->spec, &err) < 0)
                jc_child_fail(report, &err);
        if (l->workdir != NULL) {
                if (chdir(l->workdir) < 0) {
                        jc_error_set(&err, errno, "working directory `%s'", l->workdir);
                        jc_child_fail(report, &err);
                }
        } else if (l->job->cwd == NULL || chdir(l->job->cwd) < 0) {
                if (chdir("/") < 0)
                        jc_child_fail(report, &err);
        }
        for (i = 0; i < l->job->nkeep && i < JC_ARRAY_SIZE(keep); i++)
                keep[i] = l->job->keep_fds[i];
        if (jc_fds_close(keep, i, true, &err) < 0)
                jc_child_fail(report, &err);
        jc_supervisor_child(l->sup);
        /* The filter is the last thing before execve (bubblewrap's order). */
        e = jc_seccomp_load(l->bpf);
        if (e < 0) {
                jc_error_set(&err, -e, "load the seccomp filter");
                jc_child_fail(report, &err);
        }
        environ = l->env;
        execvp(l->job->argv[0], l->job->argv);
        e = errno;
        jc_msg_send(report, JC_MSG_EXEC_ERRNO, &e, sizeof(e), NULL, 0);
        _exit(e == ENOENT ? 127 : 126);
}

static int enter(const struct jc_cell *cell, int type, int fd, struct jc_error *err)
{
        if (setns(fd, type) < 0)
                return jc_error_set(err, errno, "join the cell's %s namespace",
                                    type == CLONE_NEWUSER  ? "user"
                                    : type == CLONE_NEWNS  ? "mount"
                                    : type == CLONE_NEWPID ? "PID"
                                    : type == CLONE_NEWNET ? "network"
                                                           : "other");
        (void)cell;
        return 0;
}

/* The intermediate: enter the cell, fork the job, report its pid, exit. */
static void intermediate(const struct jc_launch *l, int go, int report) __attribute__((noreturn));

static void intermediate(const struct jc_launch *l, int go, int report)
{
        const struct jc_cell *c = l->cell;
        struct jc_error err = { 0 };
        pid_t pid;

        /* Host root picks the groups the job keeps; rootless runners keep
         * their own (setgroups is denied to them). */
        if (l->job->privileged && setgroups(l->job->ngroups, l->job->groups) < 0) {
                jc_error_set(&err, errno, "set the job's groups");
                jc_child_fail(report, &err);
        }
        /* The user namespace first: joining it gives the capabilities the
         * others need (a rootless runner has none of its own). */
        if (enter(c, CLONE_NEWUSER, c->fds[JC_NS_USER], &err) < 0 ||
            enter(c, CLONE_NEWNS, c->fds[JC_NS_MNT], &err) < 0)
                jc_child_fail(report, &err);
        if (fchdir(c->fds[JC_NS_ROOT]) < 0 || chroot(".") < 0 || chdir("/") < 0) {
                jc_error_set(&err, errno, "enter the cell's root");
                jc_child_fail(report, &err);
        }
        if ((!c->info.host_net && enter(c, CLONE_NEWNET, c->fds[JC_NS_NET], &err) < 0) ||
            enter(c, CLONE_NEWIPC, c->fds[JC_NS_IPC], &err) < 0 ||
            enter(c, CLONE_NEWUTS, c->fds[JC_NS_UTS], &err) < 0 ||
            enter(c, CLONE_NEWPID, c->fds[JC_NS_PID], &err) < 0)
                jc_child_fail(report, &err);
        /* A cgroup namespace of our own, rooted where we are: in this
         * runner's cgroup set (runner/resources.h).  The cell's (rooted
         * at the keeper's cgroups) would show the job a path like
         * "/anon.123" or, for a task whose cgroups are not the creator's,
         * "/../task_1/..."; this one shows "/" in every hierarchy.  We
         * hold CAP_SYS_ADMIN in the cell's user namespace, which owns it. */
        if (unshare(CLONE_NEWCGROUP) < 0) {
                jc_error_set(&err, errno, "a cgroup namespace for the job");
                jc_child_fail(report, &err);
        }
        pid = fork();
        if (pid < 0) {
                jc_error_set(&err, errno, "fork the job in the cell");
                jc_child_fail(report, &err);
        }
        if (pid == 0)
                job_main(l, go, report);
        jc_msg_send(report, JC_MSG_PID, &pid, sizeof(pid), NULL, 0);
        _exit(0);
}

void jc_member_close(struct jc_member *m)
{
        if (m->report >= 0)
                close(m->report);
        if (m->go >= 0)
                close(m->go);
        m->report = m->go = -1;
}

int jc_member_start(const struct jc_launch *l, struct jc_member *m, struct jc_error *err)
{
        int go[2] = { -1, -1 }, rep[2] = { -1, -1 }, status;
        pid_t mid;

        /* The job's pid arrives through the pipe; the job is re-parented
         * to us because we are a subreaper (find_new_reaper walks up the
         * exiting parent's PID namespace level, which is ours). */
        if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
                return jc_error_set(err, errno, "become a child subreaper");
        if (pipe2(go, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0) {
                jc_error_set(err, errno, "pipe");
                goto fail;
        }
        mid = fork();
        if (mid < 0) {
                jc_error_set(err, errno, "fork");
                goto fail;
        }
        if (mid == 0) {
                close(go[1]);
                close(rep[0]);
                intermediate(l, go[0], rep[1]);
        }
        close(go[0]);
        close(rep[1]);
        go[0] = rep[1] = -1;
        waitpid(mid, &status, 0);
        if (jc_msg_expect(rep[0], JC_MSG_PID, &m->pid, sizeof(m->pid), NULL, NULL, "start the job",
                          err) < 0)
                goto fail;
        if (jc_msg_send(go[1], JC_MSG_GO, NULL, 0, NULL, 0) < 0) {
                jc_error_set(err, EPIPE, "start the job");
                goto fail;
        }
        m->report = rep[0];
        m->go = go[1];
        return 0;
fail:
        if (go[0] >= 0)
                close(go[0]);
        if (go[1] >= 0)
                close(go[1]);
        if (rep[0] >= 0)
                close(rep[0]);
        if (rep[1] >= 0)
                close(rep[1]);
        return -1;
}

int jc_member_started(int report, int *exit_status, struct jc_error *err)
{
        char buf[sizeof(struct jc_error)];
        enum jc_msg_type type = 0;
        ssize_t n;
        int e;

        n = jc_msg_recv(report, &type, buf, sizeof(buf), NULL, NULL);
        if (n == 0 && type == 0)
                return 0; /* closed by execve */
        if (type == JC_MSG_EXEC_ERRNO && n == sizeof(int)) {
                memcpy(&e, buf, sizeof(e));
                *exit_status = e == ENOENT ? 127 : 126;
                return jc_error_set(err, e, "exec");
        }
        if (type == JC_MSG_ERROR && n == sizeof(struct jc_error)) {
                memcpy(err, buf, sizeof(*err));
                err->msg[sizeof(err->msg) - 1] = '\0';
                *exit_status = 125;
                return -1;
        }
        *exit_status = 125;
        return jc_error_set(err, n < 0 ? (int)-n : EPROTO, "start the job");
}
