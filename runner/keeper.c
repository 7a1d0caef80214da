/* The keeper: the cell's one process outside the sandbox.  It keeps the
 * runner's own credentials (host root, or the user when rootless), so it
 * can check who connects (SO_PEERCRED in the host's user namespace) and
 * clean up what lives on the host.  It starts the init, hands the
 * namespaces to every member, and when the last member has gone it kills
 * the init, which takes every process of the cell with it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cell.h"
#include "cgroup.h"
#include "privs.h"
#include "resources.h"
#include "sync.h"

/* A member, as the keeper knows it. */
struct member {
        pid_t pid;                  /* its runner (host PID namespace) */
        struct jc_cgroup_note note; /* its cgroup set; name "" until told */
};

struct keeper {
        const struct jc_cell_args *a;
        pid_t init;
        int fds[JC_NS_COUNT];
        struct jc_cell_info info;
        struct pollfd *pfd; /* [0] init, [1] listener, [2...] members */
        struct member *m;   /* parallel to pfd */
        size_t npfd, cap;
        struct jc_cgroup *own; /* cgroup v2 nesting: the keeper's plain set */
};

/* Show the image's files with the owners they have on disk mapped through
 * the cell's user namespace (an idmapped mount, mount_setattr(2)): what
 * host root owns is owned by root inside, not by "nobody", so root inside
 * may write a writable root and programs that check owners are content.
 * Only the host's root may do this (CAP_SYS_ADMIN where the filesystem was
 * mounted), and not every filesystem supports it (NFS does not): without
 * it the files show as nobody, which is safe, just less convenient. */
static void idmap_image(const struct keeper *k)
{
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP };
        char path[64];
        int ns;

        if (!k->a->prep->trees)
                return;
        jc_format(path, sizeof(path), "/proc/%d/ns/user", (int)k->init);
        ns = open(path, O_RDONLY | O_CLOEXEC);
        if (ns < 0)
                return;
        attr.userns_fd = (uint64_t)ns;
        mount_setattr(k->a->prep->image_fd, "", AT_EMPTY_PATH, &attr, sizeof(attr));
        close(ns);
}

static int start_init(struct keeper *k, struct jc_error *err)
{
        unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC |
                              CLONE_NEWUTS | CLONE_NEWCGROUP;
        size_t nfds = JC_NS_COUNT;
        int sp[2];

        if (k->a->spec->network == JC_NET_NONE)
                flags |= CLONE_NEWNET;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
                return jc_error_set(err, errno, "socketpair");
        /* clone(2) used like fork: the child runs on a copy of our stack. */
        k->init = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
        if (k->init < 0) {
                close(sp[0]);
                close(sp[1]);
                return jc_error_set(err, errno, "clone the sandbox's namespaces");
        }
        if (k->init == 0) {
                close(sp[0]);
                jc_init_main(k->a, sp[1]);
        }
        close(sp[1]);
        k->pfd[0] = (struct pollfd){ .fd = sp[0], .events = POLLIN };
        if (jc_ids_write(k->init, k->a->ids, err) < 0)
                return jc_error_wrap(err, "user namespace");
        idmap_image(k);
        if (jc_msg_send(sp[0], JC_MSG_GO, NULL, 0, NULL, 0) < 0)
                return jc_error_set(err, EPIPE, "start the init");
        if (jc_msg_expect(sp[0], JC_MSG_READY, &k->info, sizeof(k->info), k->fds, &nfds,
                          "build the sandbox", err) < 0)
                return -1;
        if (nfds != JC_NS_COUNT)
                return jc_error_set(err, EPROTO, "init sent %zu descriptors", nfds);
        k->info.host_net = k->a->spec->network == JC_NET_HOST;
        k->info.init_pid = k->init;
        k->info.keeper_pid = getpid();
        return 0;
}

static int add_member(struct keeper *k, int fd, pid_t pid)
{
        if (k->npfd == k->cap) {
                struct pollfd *n = realloc(k->pfd, (k->cap * 2) * sizeof(*n));
                struct member *nm;

                if (n == NULL)
                        return -1;
                k->pfd = n;
                nm = realloc(k->m, (k->cap * 2) * sizeof(*nm));
                if (nm == NULL)
                        return -1;
                k->m = nm;
                k->cap *= 2;
        }
        k->pfd[k->npfd] = (struct pollfd){ .fd = fd, .events = POLLIN };
        memset(&k->m[k->npfd], 0, sizeof(k->m[k->npfd]));
        k->m[k->npfd++].pid = pid;
        return 0;
}

/* A member's connection closed: its runner is gone or going.  If it was
 * killed before it removed its cgroup set, remove it now, but only a set
 * whose record still names that runner as its owner (a name is no proof:
 * another live runner may own a set of that name). */
static void member_left(const struct member *m)
{
        struct jc_cgroup_config c = { .state_dir = m->note.state_dir, .name = m->note.name };
        struct jc_error err = { 0 };
        struct jc_cgroup *cg;

        if (m->note.name[0] == '\0' || jc_cgroup_open(&c, &cg, &err) < 0)
                return; /* none, or its runner removed it */
        if (jc_cgroup_owner(cg) != m->pid) {
                jc_cgroup_free(cg);
                return;
        }
        /* On failure the record stays for `jobcell gc'. */
        (void)jc_cgroup_destroy(cg, &err);
}

static void finish(struct keeper *k) __attribute__((noreturn));

/* A member wrote or closed: 1 while it stays, 0 when it has left. */
static int member_read(struct keeper *k, struct member *m, int fd)
{
        static char buf[JC_MSG_MAX];
        enum jc_msg_type type = 0;
        ssize_t n;

        n = jc_msg_recv(fd, &type, buf, sizeof(buf), NULL, NULL);
        if (n < 0 || (n == 0 && type == 0))
                return 0;
        if (type == JC_MSG_BYE) {
                /* The last member: tear down before it goes, so that
                 * nothing of the cell outlives it (its end of file tells it
                 * we are done).  Any other: it may go. */
                if (k->npfd == 3)
                        finish(k);
                jc_msg_send(fd, JC_MSG_GO, NULL, 0, NULL, 0);
                return 0;
        }
        if (type == JC_MSG_CGROUP && (size_t)n == sizeof(m->note)) {
                memcpy(&m->note, buf, sizeof(m->note));
                m->note.state_dir[sizeof(m->note.state_dir) - 1] = '\0';
                m->note.name[sizeof(m->note.name) - 1] = '\0';
                if (m->note.state_dir[0] != '/')
                        m->note.name[0] = '\0';
        }
        return 1;
}

static int send_cell(struct keeper *k, int sock)
{
        return jc_msg_send(sock, JC_MSG_FDS, &k->info, sizeof(k->info), k->fds, JC_NS_COUNT);
}

/* A runner asks to join: it must be one of ours (root for a privileged
 * cell, the same user for a rootless one) and present the same spec. */
static void welcome(struct keeper *k, int listener)
{
        static char hello[JC_MSG_MAX];
        struct timeval tv = { .tv_sec = 10 };
        enum jc_msg_type type = 0;
        struct jc_error err = { 0 };
        struct ucred cred;
        socklen_t len = sizeof(cred);
        ssize_t n;
        int fd;

        fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
                return;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
            cred.uid != (k->a->job->privileged ? 0 : getuid())) {
                close(fd);
                return;
        }
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        n = jc_msg_recv(fd, &type, hello, sizeof(hello) - 1, NULL, NULL);
        if (n < 0 || type != JC_MSG_HELLO) {
                close(fd);
                return;
        }
        hello[n] = '\0';
        if (strcmp(hello, k->a->spec_json) != 0) {
                jc_error_set(&err, 0, "cell `%s' was built from another spec", k->a->job->cell);
                jc_msg_send(fd, JC_MSG_ERROR, &err, sizeof(err), NULL, 0);
                close(fd);
                return;
        }
        if (send_cell(k, fd) < 0 || add_member(k, fd, cred.pid) < 0)
                close(fd);
}

/* The end of the cell: the init and with it every process inside, then
 * the keeper's own cgroup (it moves back first). */
static void finish(struct keeper *k)
{
        struct jc_error err = { 0 };

        if (k->init > 0) {
                kill(k->init, SIGKILL);
                waitpid(k->init, NULL, 0);
        }
        if (k->own != NULL)
                (void)jc_cgroup_destroy(k->own, &err); /* else gc's */
        _exit(0);
}

static void serve(struct keeper *k) __attribute__((noreturn));

static void serve(struct keeper *k)
{
        size_t i;

        for (;;) {
                if (poll(k->pfd, k->npfd, -1) < 0 && errno != EINTR)
                        break;
                /* The init died: nothing is left to keep.  (The members'
                 * runners live on and remove their own sets.) */
                if (k->pfd[0].revents)
                        finish(k);
                if (k->pfd[1].fd >= 0 && (k->pfd[1].revents & POLLIN))
                        welcome(k, k->pfd[1].fd);
                for (i = 2; i < k->npfd; i++) {
                        if (k->pfd[i].revents == 0 || member_read(k, &k->m[i], k->pfd[i].fd))
                                continue;
                        close(k->pfd[i].fd);
                        member_left(&k->m[i]);
                        k->m[i] = k->m[k->npfd - 1];
                        k->pfd[i--] = k->pfd[--k->npfd];
                }
                if (k->npfd == 2)
                        break; /* the last member left */
        }
        finish(k);
}

void jc_keeper_main(const struct jc_cell_args *a, int member, int listener)
{
        struct keeper k = { .a = a, .init = -1, .npfd = 3, .cap = 8 };
        struct jc_error err = { 0 };
        _cleanup_free_ int *keep = NULL;
        size_t nkeep = 0, i;
        pid_t creator = getppid();
        int devnull;

        prctl(PR_SET_NAME, "jobcell-keeper", 0, 0, 0);
        /* A session of its own: a terminal's Ctrl-C (sent to the whole
         * foreground process group) is for the job, never for the keeper. */
        setsid();
        /* Not the runner's stdio: a pipe held open here would keep its
         * reader waiting until the whole cell ends. */
        devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        for (i = 0; devnull >= 0 && i < 3; i++)
                dup2(devnull, (int)i);
        keep = malloc((3 + a->prep->nmounts) * sizeof(int));
        if (keep == NULL)
                _exit(125);
        keep[nkeep++] = member;
        keep[nkeep++] = listener;
        keep[nkeep++] = a->prep->image_fd;
        for (i = 0; i < a->prep->nmounts; i++)
                keep[nkeep++] = a->prep->mount_fds[i];
        jc_fds_close(keep, nkeep, false, &err);
        k.pfd = calloc(k.cap, sizeof(*k.pfd));
        k.m = calloc(k.cap, sizeof(*k.m));
        if (k.pfd == NULL || k.m == NULL)
                _exit(125);
        k.pfd[1] = (struct pollfd){ .fd = listener, .events = POLLIN };
        k.pfd[2] = (struct pollfd){ .fd = member, .events = POLLIN };
        k.m[2].pid = creator;
        /* Out of the cgroup the members' sets go below (cgroup v2), before
         * the init is cloned: it and its cgroup namespace follow us.  A
         * failure shows when the runner makes its own set. */
        if (a->keeper_cgroup != NULL && jc_res_cgroup_create(a->keeper_cgroup, &k.own, &err) < 0)
                memset(&err, 0, sizeof(err));
        if (start_init(&k, &err) < 0) {
                if (k.init > 0) {
                        kill(k.init, SIGKILL);
                        waitpid(k.init, NULL, 0);
                        k.init = -1;
                }
                if (k.own != NULL) {
                        struct jc_error e2;

                        (void)jc_cgroup_destroy(k.own, &e2);
                }
                jc_child_fail(member, &err);
        }
        jc_prep_close(a->prep);
        if (jc_msg_send(member, JC_MSG_READY, &k.info, sizeof(k.info), k.fds, JC_NS_COUNT) < 0)
                finish(&k);
        serve(&k);
}
