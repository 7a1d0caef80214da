#include "config.h"

#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "member.h"
#include "privs.h"
#include "jc_seccomp.h"
#include "sync.h"

extern char **environ;

/* The job: the runner's child (CLONE_PARENT), inside the cell. */
static void job_main(const struct jc_launch *l, int alive, int report) __attribute__((noreturn));

static void job_main(const struct jc_launch *l, int alive, int report)
{
        struct jc_error err = { 0 };
        struct pollfd pfd = { .fd = alive, .events = POLLIN };
        int keep[16], e;
        size_t i;

        if (jc_privs_drop(l->ids->job_uid, l->ids->job_gid, l->spec->capabilities, &err) < 0)
                jc_child_fail(report, &err);
        /* Armed after the last uid change (which clears it): if the runner
         * is killed, so is the job.  If it died before, the pipe whose
         * write end only the runner holds shows it. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
                jc_child_fail(report, &err);
        if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR)))
                _exit(125);
        if (jc_rlimits_apply(l->job->rlimits, l->spec, &err) < 0)
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

/* Enter the cell's namespaces and root, all but the PID namespace (which
 * only a process's children can enter). */
static int enter_cell(const struct jc_launch *l, struct jc_error *err)
{
        const struct jc_cell *c = l->cell;

        /* Host root picks the groups the job keeps; rootless runners keep
         * their own (setgroups is denied to them). */
        if (l->job->privileged && setgroups(l->job->ngroups, l->job->groups) < 0)
                return jc_error_set(err, errno, "set the job's groups");
        /* The user namespace first: joining it gives the capabilities the
         * others need (a rootless runner has none of its own). */
        if (enter(c, CLONE_NEWUSER, c->fds[JC_NS_USER], err) < 0 ||
            enter(c, CLONE_NEWNS, c->fds[JC_NS_MNT], err) < 0)
                return -1;
        if (fchdir(c->fds[JC_NS_ROOT]) < 0 || chroot(".") < 0 || chdir("/") < 0)
                return jc_error_set(err, errno, "enter the cell's root");
        if ((!c->info.host_net && enter(c, CLONE_NEWNET, c->fds[JC_NS_NET], err) < 0) ||
            enter(c, CLONE_NEWIPC, c->fds[JC_NS_IPC], err) < 0 ||
            enter(c, CLONE_NEWUTS, c->fds[JC_NS_UTS], err) < 0)
                return -1;
        /* A cgroup namespace of our own, rooted where we are: in this
         * runner's cgroup set (runner/resources.h).  The cell's (rooted at
         * the keeper's cgroups) would show the job a path like "/anon.123"
         * or, for a task whose cgroups are not the creator's,
         * "/../task_1/..."; this one shows "/" in every hierarchy.  We hold
         * CAP_SYS_ADMIN in the cell's user namespace, which owns it. */
        if (unshare(CLONE_NEWCGROUP) < 0)
                return jc_error_set(err, errno, "a cgroup namespace for the job");
        return 0;
}

/* Rootless: an intermediate enters the cell (the runner, without
 * CAP_SYS_ADMIN of its own, cannot enter the PID namespace) and clones
 * the job with CLONE_PARENT: the job is the runner's child from its first
 * instant (the runner waits for it and forwards it signals; its
 * parent-death signal follows the runner). */
static void intermediate(const struct jc_launch *l, int alive, int report)
        __attribute__((noreturn));

static void intermediate(const struct jc_launch *l, int alive, int report)
{
        struct jc_error err = { 0 };
        pid_t pid;

        if (enter_cell(l, &err) < 0 ||
            enter(l->cell, CLONE_NEWPID, l->cell->fds[JC_NS_PID], &err) < 0)
                jc_child_fail(report, &err);
        pid = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, NULL);
        if (pid < 0) {
                jc_error_set(&err, errno, "start the job in the cell");
                jc_child_fail(report, &err);
        }
        if (pid == 0)
                job_main(l, alive, report);
        jc_msg_send(report, JC_MSG_PID, &pid, sizeof(pid), NULL, 0);
        _exit(0);
}

void jc_member_close(struct jc_member *m)
{
        if (m->report >= 0)
                close(m->report);
        if (m->alive >= 0)
                close(m->alive);
        m->report = m->alive = -1;
}

/* The ends of the two pipes: ALIVE's write end and REPORT's read end
 * stay with the runner; a child closes them at once (were the job to hold
 * ALIVE's write end, it could never see the runner die). */
struct pipes {
        int alive[2];
        int report[2];
};

static void child_ends(const struct pipes *p)
{
        close(p->alive[1]);
        close(p->report[0]);
}

/* The job's process, by vfork: it borrows our memory until it execs,
 * instead of a copy of it (a fork and the copy-on-write faults on both
 * sides cost about a millisecond of every start).  Its ids, namespaces,
 * root, descriptors, limits and filter are its own; what it writes in our
 * memory is libcap-ng's state (its thread id included) and environ, which
 * the caller puts back.  A function of its own: no caller's variable
 * lives in the frame the job shares. */
static __attribute__((noinline)) pid_t vfork_job(const struct jc_launch *l, const struct pipes *p)
{
        pid_t pid = vfork();

        if (pid == 0) {
                struct jc_error err = { 0 };

                child_ends(p);
                if (enter_cell(l, &err) < 0)
                        jc_child_fail(p->report[1], &err);
                job_main(l, p->alive[0], p->report[1]);
        }
        return pid;
}

/* Privileged: the runner enters the cell's PID namespace itself (it
 * holds CAP_SYS_ADMIN; setns(CLONE_NEWPID) moves only its future
 * children), so the job is a plain child, one process fewer.  The runner
 * goes back to its own at once: once the cell's init is gone, a fork
 * into that namespace fails (ENOMEM), and the runner may fork later. */
static pid_t start_direct(const struct jc_launch *l, const struct pipes *p, struct jc_error *err)
{
        int own = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC), e;
        char **env = environ;
        void *caps;
        pid_t pid;

        if (own < 0)
                return jc_error_set(err, errno, "open /proc/self/ns/pid");
        if (enter(l->cell, CLONE_NEWPID, l->cell->fds[JC_NS_PID], err) < 0) {
                close(own);
                return -1;
        }
        caps = capng_save_state();
        pid = vfork_job(l, p);
        e = errno;
        environ = env;
        capng_restore_state(&caps);
        if (pid < 0)
                jc_error_set(err, e, "fork the job");
        if (setns(own, CLONE_NEWPID) < 0) {
                struct jc_error e2 = { 0 }; /* not fatal: the job is started, or not */

                jc_error_set(&e2, errno, "setns back to the runner's PID namespace");
                jc_error_print(&e2, "jobcell run");
        }
        close(own);
        return pid;
}

static pid_t start_intermediate(const struct jc_launch *l, const struct pipes *p,
                                struct jc_error *err)
{
        pid_t mid, pid;

        mid = fork();
        if (mid < 0)
                return jc_error_set(err, errno, "fork");
        if (mid == 0) {
                child_ends(p);
                intermediate(l, p->alive[0], p->report[1]);
        }
        if (jc_msg_expect(p->report[0], JC_MSG_PID, &pid, sizeof(pid), NULL, NULL, "start the job",
                          err) < 0) {
                waitpid(mid, NULL, 0);
                return -1;
        }
        /* The intermediate exits at once; the supervisor reaps it. */
        return pid;
}

int jc_member_start(const struct jc_launch *l, struct jc_member *m, struct jc_error *err)
{
        struct pipes p = { { -1, -1 }, { -1, -1 } };
        pid_t pid = -1;
        int i;

        if (pipe2(p.alive, O_CLOEXEC) < 0 || pipe2(p.report, O_CLOEXEC) < 0)
                jc_error_set(err, errno, "pipe");
        else if (l->job->privileged)
                pid = start_direct(l, &p, err);
        else
                pid = start_intermediate(l, &p, err);
        /* Ours are ALIVE's write end (the job's sign of our life) and
         * REPORT's read end (end of file: the job exec'd). */
        for (i = 0; i < 2; i++) {
                if (p.alive[i] >= 0 && (i == 0 || pid < 0))
                        close(p.alive[i]);
                if (p.report[i] >= 0 && (i == 1 || pid < 0))
                        close(p.report[i]);
        }
        if (pid < 0)
                return -1;
        m->pid = pid;
        m->alive = p.alive[1];
        m->report = p.report[0];
        return 0;
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
