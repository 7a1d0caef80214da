/* The cell's pid 1.  It builds the sandbox from the inside (it is the
 * first process of the new namespaces), hands the namespaces to the
 * keeper, then only reaps: orphans of every member are re-parented to
 * it.  It holds no capability and dies with the keeper (PDEATHSIG);
 * when it dies the kernel kills every process of the cell. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cell.h"
#include "netns.h"
#include "privs.h"
#include "relay.h"
#include "sync.h"

static const char *const ns_names[JC_NS_COUNT] = {
        [JC_NS_USER] = "user", [JC_NS_MNT] = "mnt", [JC_NS_PID] = "pid",       [JC_NS_NET] = "net",
        [JC_NS_IPC] = "ipc",   [JC_NS_UTS] = "uts", [JC_NS_CGROUP] = "cgroup", [JC_NS_ROOT] = NULL,
};

static int open_namespaces(int *fds, struct jc_error *err)
{
        char path[64];
        int i;

        for (i = 0; i < JC_NS_COUNT; i++) {
                if (ns_names[i] != NULL)
                        jc_format(path, sizeof(path), "/proc/self/ns/%s", ns_names[i]);
                else
                        jc_format(path, sizeof(path), "/");
                fds[i] = open(path, (ns_names[i] ? O_RDONLY : O_PATH | O_DIRECTORY) | O_CLOEXEC);
                if (fds[i] < 0)
                        return jc_error_set(err, errno, "open `%s'", path);
        }
        return 0;
}

/* Everything from GO to the namespaces being ready. */
static int build(const struct jc_cell_args *a, int sync, int *fds, struct jc_error *err)
{
        const struct jc_spec *spec = a->spec;
        int rootfd, keep[JC_NS_COUNT + 1], i, devnull;

        if (setresgid(a->ids->init_gid, a->ids->init_gid, a->ids->init_gid) < 0 ||
            setresuid(a->ids->init_uid, a->ids->init_uid, a->ids->init_uid) < 0)
                return jc_error_set(err, errno, "become root inside");
        /* Set after the last uid change, which clears it (prctl(2)). */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
                return jc_error_set(err, errno, "parent-death signal");
        rootfd = jc_rootfs_build(spec, a->job, a->ids, a->prep, err);
        if (rootfd < 0)
                return -1;
        if (spec->hostname[0] != '\0' && sethostname(spec->hostname, strlen(spec->hostname)) < 0)
                return jc_error_set(err, errno, "sethostname `%s'", spec->hostname);
        if (spec->network == JC_NET_NONE && jc_loopback_up(err) < 0)
                return -1;
        /* In the cell's network namespace, with lo up: the relay's
         * listening sockets go to the keeper (runner/relay.h). */
        if (jc_relay_wanted(spec) && jc_relay_listen(spec, sync, err) < 0)
                return -1;
        if (jc_rootfs_pivot(rootfd, spec, err) < 0)
                return -1;
        close(rootfd);
        if (open_namespaces(fds, err) < 0)
                return -1;
        /* Hold nothing of the runner's: not its stdio (a pipe held open
         * here would keep a reader waiting), not its descriptors. */
        devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (devnull < 0)
                return jc_error_set(err, errno, "open /dev/null");
        for (i = 0; i < 3; i++)
                if (dup2(devnull, i) < 0)
                        return jc_error_set(err, errno, "stdio to /dev/null");
        close(devnull);
        memcpy(keep, fds, sizeof(int) * JC_NS_COUNT);
        keep[JC_NS_COUNT] = sync;
        if (jc_fds_close(keep, JC_NS_COUNT + 1, false, err) < 0)
                return -1;
        if (jc_privs_drop(a->ids->init_uid, a->ids->init_gid, 0, err) < 0)
                return jc_error_wrap(err, "init");
        /* Nobody inside may read or trace pid 1. */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return jc_error_set(err, errno, "init: not dumpable");
        return 0;
}

static void reap_loop(int sync) __attribute__((noreturn));

static void reap_loop(int sync)
{
        struct pollfd pfd[2];
        sigset_t chld;
        int sfd;

        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        sigprocmask(SIG_BLOCK, &chld, NULL);
        sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sfd < 0)
                _exit(125);
        pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
        pfd[1] = (struct pollfd){ .fd = sync, .events = POLLIN };
        for (;;) {
                struct signalfd_siginfo si;

                if (poll(pfd, 2, -1) < 0 && errno != EINTR)
                        _exit(125);
                if (pfd[1].revents)
                        _exit(0); /* the keeper is gone: so is the cell */
                while (read(sfd, &si, sizeof(si)) == sizeof(si))
                        ;
                while (waitpid(-1, NULL, WNOHANG) > 0)
                        ;
        }
}

void jc_init_main(const struct jc_cell_args *a, int sync)
{
        struct jc_cell_info info = { .version = 1 };
        struct jc_error err = { 0 };
        int fds[JC_NS_COUNT], i, rc, tree = -1;
        size_t ntree = 1;

        prctl(PR_SET_NAME, "jobcell-init", 0, 0, 0);
        /* GO may carry the image's root, mounted once our namespaces
         * existed (a rootless squashfs, runner/cell_image.h). */
        if (jc_msg_expect(sync, JC_MSG_GO, NULL, 0, &tree, &ntree, "init", &err) < 0)
                _exit(125);
        if (ntree == 1) {
                a->prep->image_fd = tree;
                a->prep->image_tree = true;
        }
        if (build(a, sync, fds, &err) < 0)
                jc_child_fail(sync, &err);
        rc = jc_msg_send(sync, JC_MSG_READY, &info, sizeof(info), fds, JC_NS_COUNT);
        for (i = 0; i < JC_NS_COUNT; i++)
                close(fds[i]);
        if (rc < 0)
                _exit(125);
        reap_loop(sync);
}
