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
#include "cell_image.h"
#include "cgroup.h"
#include "prep.h"
#include "privs.h"
#include "relay.h"
#include "resources.h"
#include "sync.h"

/* A member, as the keeper knows it. */
struct member {
        pid_t pid;                  /* its runner (host PID namespace) */
        struct jc_cgroup_note note; /* its cgroup set; name "" until told */
};

struct keeper {
        const struct jc_cell_args *a; /* with the keeper's own prep */
        pid_t init;
        pid_t relay; /* runner/relay.h; 0: none */
        int fds[JC_NS_COUNT];
        struct jc_cell_info info;
        struct jc_cell_image image; /* held for the cell's whole life */
        struct pollfd *pfd;         /* [0] init, [1] listener, [2...] members */
        struct member *m;           /* parallel to pfd */
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
        int sp[2], tree = -1, rc;

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
        /* A squashfs that squashfuse serves is mounted in the init's
         * namespaces, now that they exist; the init gets it with GO. */
        if (k->image.late && jc_cell_image_late(&k->image, k->init, &tree, err) < 0)
                return -1;
        rc = jc_msg_send(sp[0], JC_MSG_GO, NULL, 0, &tree, tree >= 0 ? 1 : 0);
        if (tree >= 0)
                close(tree);
        if (rc < 0)
                return jc_error_set(err, EPIPE, "start the init");
        if (jc_relay_wanted(k->a->spec) &&
            jc_relay_start(k->a->spec, sp[0], k->a->job->uid, k->a->job->gid, &k->relay, err) < 0)
                return -1;
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

static void teardown(struct keeper *k, int status) __attribute__((noreturn));

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
                        teardown(k, 0);
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

/* The namespaces (TYPE: READY for the creator, FDS for a joiner), then
 * what the image's config says: every member runs the same image. */
static int send_cell(struct keeper *k, int sock, enum jc_msg_type type)
{
        if (jc_msg_send(sock, type, &k->info, sizeof(k->info), k->fds, JC_NS_COUNT) < 0)
                return -1;
        return jc_msg_send(sock, JC_MSG_IMAGE, k->image.json, strlen(k->image.json), NULL, 0);
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
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
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
        if (send_cell(k, fd, JC_MSG_FDS) < 0 || add_member(k, fd, cred.pid) < 0)
                close(fd);
}

/* The cell ends: its processes, then what the image held, then the
 * keeper's own cgroup (it moves back first).  The image's mount lives in
 * the cell's mount namespace and goes with it; squashfuse (our child, in
 * our set) is reaped and the cache entry released before the set is
 * removed (were the keeper killed instead, squashfuse's parent-death
 * signal and the kernel would do the same, and the creator or `jobcell
 * gc' the set). */
static void teardown(struct keeper *k, int status)
{
        struct jc_error err = { 0 };
        size_t i;

        if (k->init > 0) {
                kill(k->init, SIGKILL);
                waitpid(k->init, NULL, 0);
        }
        jc_relay_stop(k->relay);
        for (i = 0; i < JC_NS_COUNT; i++)
                if (k->fds[i] >= 0)
                        close(k->fds[i]);
        jc_cell_image_close(&k->image);
        if (k->own != NULL)
                (void)jc_cgroup_destroy(k->own, &err); /* else gc's */
        _exit(status);
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
                        break;
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
        teardown(k, 0);
}

/* The cell could not be built: runners already waiting to join hear why.
 * Those that come later are refused at connect(2) (a listener shut down
 * for reading takes no one) and try to build the cell themselves. */
static void refuse_waiting(int listener, const struct jc_error *err)
{
        static char hello[JC_MSG_MAX];
        struct timeval tv = { .tv_sec = 1 };
        enum jc_msg_type type;
        int fd;

        if (listener < 0 || shutdown(listener, SHUT_RD) < 0 ||
            fcntl(listener, F_SETFL, O_NONBLOCK) < 0)
                return;
        while ((fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
                /* Its hello read first: a joiner still about to send it
                 * when we close would fail there (EPIPE) and never read
                 * our answer. */
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
                jc_msg_recv(fd, &type, hello, sizeof(hello), NULL, NULL);
                jc_msg_send(fd, JC_MSG_ERROR, err, sizeof(*err), NULL, 0);
                close(fd);
        }
}

/* Everything the init is made of: the job's paths, opened with the
 * user's rights, and the image, which may take an import. */
static int prepare(struct keeper *k, struct jc_prep *prep, struct jc_error *err)
{
        if (jc_prep_open(k->a->spec, k->a->job, prep, err) < 0)
                return -1;
        return jc_cell_image_open(k->a->spec, k->a->job, prep, &k->image, err);
}

void jc_keeper_main(const struct jc_cell_args *a, int member, int listener)
{
        struct jc_cell_args args = *a;
        struct jc_prep prep = { .image_fd = -1 };
        struct keeper k = { .a = &args, .init = -1, .npfd = 3, .cap = 8 };
        struct jc_error err = { 0 };
        int keep[2] = { member, listener }, devnull;
        pid_t creator = getppid();
        size_t i;

        for (i = 0; i < JC_NS_COUNT; i++)
                k.fds[i] = -1;
        k.image.img.squashfs_fd = k.image.img.lock_fd = -1;
        args.prep = &prep;
        prctl(PR_SET_NAME, "jobcell-keeper", 0, 0, 0);
        /* A session of its own: a terminal's Ctrl-C (sent to the whole
         * foreground process group) is for the job, never for the keeper. */
        setsid();
        /* Not the runner's stdio: a pipe held open here would keep its
         * reader waiting until the whole cell ends. */
        devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        for (i = 0; devnull >= 0 && i < 3; i++)
                dup2(devnull, (int)i);
        jc_fds_close(keep, listener >= 0 ? 2 : 1, false, &err);
        k.pfd = calloc(k.cap, sizeof(*k.pfd));
        k.m = calloc(k.cap, sizeof(*k.m));
        if (k.pfd == NULL || k.m == NULL)
                _exit(125);
        k.pfd[1] = (struct pollfd){ .fd = listener, .events = POLLIN };
        k.pfd[2] = (struct pollfd){ .fd = member, .events = POLLIN };
        k.m[2].pid = creator;
        /* Out of the cgroup the members' sets go below (cgroup v2), before
         * the image is opened (squashfuse is our child) and the init is
         * cloned: they and the init's cgroup namespace follow us.  A
         * failure shows when the runner makes its own set. */
        if (a->keeper_cgroup != NULL && jc_res_cgroup_create(a->keeper_cgroup, &k.own, &err) < 0)
                memset(&err, 0, sizeof(err));
        if (prepare(&k, &prep, &err) < 0 || start_init(&k, &err) < 0) {
                jc_prep_close(&prep);
                refuse_waiting(listener, &err);
                jc_msg_send(member, JC_MSG_ERROR, &err, sizeof(err), NULL, 0);
                teardown(&k, 125);
        }
        jc_prep_close(&prep);
        if (send_cell(&k, member, JC_MSG_READY) < 0)
                teardown(&k, 125);
        serve(&k);
}
