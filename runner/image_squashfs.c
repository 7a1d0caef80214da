/* Mounting squashfs images without unpacking them (doc/images.md,
 * "squashfs: squashfuse or the kernel").
 *
 * A kernel squashfs mount makes the kernel parse a file the user wrote:
 * a filesystem driver bug becomes a kernel bug (such bugs were found by
 * fuzzing squashfs and other drivers).  squashfuse parses it in user
 * space instead; here it also runs without privilege: the runner opens
 * /dev/fuse and mounts the connection itself (that needs root), then
 * hands the connection to squashfuse as /dev/fd/N (libfuse >= 3.3), which
 * runs as the job's user, with no capability and no_new_privs, in the
 * foreground, and dies with the runner (PR_SET_PDEATHSIG), so no daemon
 * and no mount outlives the job. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/loop.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image_internal.h"
#include "sync.h"

#ifndef LOOP_CONFIGURE
#define LOOP_CONFIGURE 0x4C0A
struct loop_config {
        __u32 fd;
        __u32 block_size;
        struct loop_info64 info;
        __u64 __reserved[8];
};
#endif

/* A new superblock of FSFD's type, configured by the fsconfig calls the
 * caller made, as a detached read-only, nosuid, nodev mount: nothing
 * appears in any mount namespace until someone attaches it (move_mount). */
static int fs_detached(int fsfd, const char *what, int *mnt, struct jc_error *err)
{
        if (fsconfig(fsfd, FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0)
                return jc_error_set(err, errno, "%s: read-only", what);
        if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return jc_error_set(err, errno, "%s: mount (not a squashfs file?)", what);
        *mnt = fsmount(fsfd, FSMOUNT_CLOEXEC,
                       MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        if (*mnt < 0)
                return jc_error_set(err, errno, "%s: make the mount", what);
        return 0;
}

static int kernel_tree(int fd, int *mnt, struct jc_error *err)
{
        struct loop_config cfg;
        char dev[64];
        int ctl, lfd = -1, fsfd = -1, n, tries, rc = -1;

        ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
        if (ctl < 0)
                return jc_error_set(err, errno, "squashfs: open `/dev/loop-control'");
        /* Another process may take the free device first: try again. */
        for (tries = 0; tries < 32; tries++) {
                n = ioctl(ctl, LOOP_CTL_GET_FREE);
                if (n < 0) {
                        jc_error_set(err, errno, "squashfs: find a free loop device");
                        goto out;
                }
                jc_format(dev, sizeof(dev), "/dev/loop%d", n);
                lfd = open(dev, O_RDONLY | O_CLOEXEC);
                if (lfd < 0) {
                        jc_error_set(err, errno, "squashfs: open `%s'", dev);
                        goto out;
                }
                memset(&cfg, 0, sizeof(cfg));
                cfg.fd = (__u32)fd;
                /* Read-only, and freed by the kernel when the last mount
                 * of it goes (autoclear): nothing is left if we die. */
                cfg.info.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR;
                if (ioctl(lfd, LOOP_CONFIGURE, &cfg) == 0)
                        break;
                if (errno == EINVAL || errno == ENOTTY) {
                        /* Linux < 5.8: the two-step way. */
                        struct loop_info64 info;

                        memset(&info, 0, sizeof(info));
                        info.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR;
                        if (ioctl(lfd, LOOP_SET_FD, fd) == 0) {
                                if (ioctl(lfd, LOOP_SET_STATUS64, &info) == 0)
                                        break;
                                ioctl(lfd, LOOP_CLR_FD, 0);
                        }
                }
                if (errno != EBUSY) {
                        jc_error_set(err, errno, "squashfs: set up `%s'", dev);
                        goto out;
                }
                close(lfd);
                lfd = -1;
        }
        if (lfd < 0) {
                jc_error_set(err, EBUSY, "squashfs: no free loop device");
                goto out;
        }
        fsfd = fsopen("squashfs", FSOPEN_CLOEXEC);
        if (fsfd < 0) {
                jc_error_set(err, errno, "squashfs: fsopen");
                goto out;
        }
        if (fsconfig(fsfd, FSCONFIG_SET_STRING, "source", dev, 0) < 0) {
                jc_error_set(err, errno, "squashfs: source `%s'", dev);
                goto out;
        }
        rc = fs_detached(fsfd, "squashfs", mnt, err);
out:
        /* With autoclear, closing our fd detaches the device once no
         * superblock holds it (at once if the mount failed). */
        if (fsfd >= 0)
                close(fsfd);
        if (lfd >= 0)
                close(lfd);
        close(ctl);
        return rc;
}

/* In the child, between fork and exec: async-signal-safe calls only. */
static void squashfuse_child(int fuse_fd, int img_fd, pid_t parent,
                             const struct jc_squashfs_ids *ids)
{
        static char *const env[] = { "PATH=/usr/bin:/bin", NULL };
        char *const argv[] = { "squashfuse", "-f", "/dev/fd/4", "/dev/fd/3", NULL };
        sigset_t held;

        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                _exit(127);
        /* The signals libfuse ends on stay blocked, whatever the runner's
         * mask: Slurm sends SIGTERM to every process of a cancelled step,
         * and the job, in its grace period, may still read its image.
         * The keeper ends squashfuse with SIGKILL (jc_squashfs_umount). */
        sigemptyset(&held);
        sigaddset(&held, SIGTERM);
        sigaddset(&held, SIGINT);
        sigaddset(&held, SIGHUP);
        if (sigprocmask(SIG_SETMASK, &held, NULL) < 0)
                _exit(127);
        /* Out of the way first, so that neither lands on the other. */
        fuse_fd = fcntl(fuse_fd, F_DUPFD, 10);
        img_fd = fcntl(img_fd, F_DUPFD, 10);
        if (fuse_fd < 0 || img_fd < 0 || dup2(fuse_fd, 3) < 0 || dup2(img_fd, 4) < 0)
                _exit(127);
        /* Only 0-2 and the two fds reach squashfuse. */
        if (syscall(SYS_close_range, 5, ~0U, 0) < 0) {
                int i;

                for (i = 5; i < 1024; i++)
                        close(i);
        }
        if (ids != NULL) {
                if (getuid() == 0 && setgroups(0, NULL) < 0)
                        _exit(127);
                if (setresgid(ids->gid, ids->gid, ids->gid) < 0 ||
                    setresuid(ids->uid, ids->uid, ids->uid) < 0)
                        _exit(127);
        }
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                _exit(127);
        execve(JC_SQUASHFUSE, argv, env);
        _exit(127);
}

/* An unsigned number as text, without stdio (it runs after fork). */
static void utoa(unsigned v, char *buf, size_t len)
{
        char tmp[16];
        size_t n = 0, i;

        do
                tmp[n++] = (char)('0' + v % 10);
        while ((v /= 10) != 0 && n < sizeof(tmp));
        for (i = 0; i < n && i + 1 < len; i++)
                buf[i] = tmp[n - 1 - i];
        buf[i] = '\0';
}

/* The FUSE device: the kernel takes a connection only from a descriptor
 * opened in the user namespace that mounts it. */
static int fuse_open(int *fuse_fd, struct jc_error *err)
{
        *fuse_fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
        if (*fuse_fd < 0)
                return jc_error_set(err, errno, "squashfuse: open `/dev/fuse'");
        return 0;
}

/* A FUSE filesystem of the current user namespace on the connection
 * FUSE_FD, detached, in *MNT.  UID and GID own it (in this user
 * namespace); allow_other lets the job in, default_permissions has the
 * kernel check modes, as on a disk. */
static int fuse_tree(int fuse_fd, uid_t uid, gid_t gid, int *mnt, struct jc_error *err)
{
        char num[16];
        int fsfd, rc = -1;

        *mnt = -1;
        fsfd = fsopen("fuse", FSOPEN_CLOEXEC);
        if (fsfd < 0)
                return jc_error_set(err, errno, "squashfuse: fsopen fuse");
        utoa((unsigned)fuse_fd, num, sizeof(num));
        if (fsconfig(fsfd, FSCONFIG_SET_STRING, "fd", num, 0) < 0 ||
            fsconfig(fsfd, FSCONFIG_SET_STRING, "rootmode", "40000", 0) < 0 ||
            fsconfig(fsfd, FSCONFIG_SET_STRING, "source", "squashfuse", 0) < 0 ||
            fsconfig(fsfd, FSCONFIG_SET_STRING, "subtype", "squashfuse", 0) < 0 ||
            fsconfig(fsfd, FSCONFIG_SET_FLAG, "allow_other", NULL, 0) < 0 ||
            fsconfig(fsfd, FSCONFIG_SET_FLAG, "default_permissions", NULL, 0) < 0) {
                jc_error_set(err, errno, "squashfuse: configure the FUSE mount");
                goto out;
        }
        utoa((unsigned)uid, num, sizeof(num));
        if (fsconfig(fsfd, FSCONFIG_SET_STRING, "user_id", num, 0) < 0) {
                jc_error_set(err, errno, "squashfuse: user_id %s", num);
                goto out;
        }
        utoa((unsigned)gid, num, sizeof(num));
        if (fsconfig(fsfd, FSCONFIG_SET_STRING, "group_id", num, 0) < 0) {
                jc_error_set(err, errno, "squashfuse: group_id %s", num);
                goto out;
        }
        rc = fs_detached(fsfd, "squashfuse", mnt, err);
out:
        close(fsfd);
        return rc;
}

/* Start squashfuse on the connection FUSE_FD (ours is closed: the
 * child's copy is then the only one, so if squashfuse dies the
 * connection aborts and nothing waits on it forever). */
static int squashfuse_start(int fuse_fd, int img_fd, const struct jc_squashfs_ids *ids, pid_t *pid,
                            struct jc_error *err)
{
        pid_t parent = getpid(), child;

        child = fork();
        if (child == 0)
                squashfuse_child(fuse_fd, img_fd, parent, ids);
        close(fuse_fd);
        if (child < 0)
                return jc_error_set(err, errno, "squashfuse: fork");
        *pid = child;
        return 0;
}

/* Why squashfuse did not serve: it is reaped here. */
static int squashfuse_failed(pid_t pid, int e, struct jc_error *err)
{
        int status = 0;

        kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
                return jc_error_set(err, e, "squashfuse: could not run `%s'", JC_SQUASHFUSE);
        return jc_error_set(err, e,
                            "squashfuse: the image is not a squashfs it can read "
                            "(it exited with %d)",
                            WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

/* Opening the root needs squashfuse to have read the file and answered:
 * this waits until it serves, or fails when it quit.  0 or an errno. */
static int probe(int mnt)
{
        int fd = openat(mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return errno;
        close(fd);
        return 0;
}

static int fuse_here(int fd, const struct jc_squashfs_ids *ids, pid_t *pid, int *mnt,
                     struct jc_error *err)
{
        int fuse_fd, e;

        if (fuse_open(&fuse_fd, err) < 0)
                return -1;
        if (fuse_tree(fuse_fd, ids ? ids->uid : 0, ids ? ids->gid : 0, mnt, err) < 0) {
                close(fuse_fd);
                return -1;
        }
        if (squashfuse_start(fuse_fd, fd, ids, pid, err) < 0)
                goto fail;
        e = probe(*mnt);
        if (e == 0)
                return 0;
        squashfuse_failed(*pid, e, err);
        *pid = 0;
fail:
        close(*mnt);
        *mnt = -1;
        return -1;
}

/* In NS_PID's user and mount namespaces (the sandbox's): an unprivileged
 * user may make a FUSE filesystem only in a user namespace of its own,
 * and only in a mount namespace that user namespace owns.  Made there,
 * the filesystem's owners are those of that user namespace: squashfuse
 * says uid 0, the kernel reads root inside; what the sandbox does not map
 * shows as nobody.  A child joins the two namespaces, makes the
 * filesystem and sends the connection and the mount back; squashfuse is
 * then started here, as our child, and the joined child checks that it
 * serves (a process outside the user namespace may not look: allow_other
 * admits only those inside). */
static void fuse_in_child(pid_t ns_pid, int sock) __attribute__((noreturn));

static void fuse_in_child(pid_t ns_pid, int sock)
{
        struct jc_error err = { 0 };
        bool host_root = geteuid() == 0;
        char path[64];
        int userns, mntns, fds[2], e;

        jc_format(path, sizeof(path), "/proc/%d/ns/user", (int)ns_pid);
        userns = open(path, O_RDONLY | O_CLOEXEC);
        jc_format(path, sizeof(path), "/proc/%d/ns/mnt", (int)ns_pid);
        mntns = open(path, O_RDONLY | O_CLOEXEC);
        if (userns < 0 || mntns < 0 || setns(userns, CLONE_NEWUSER) < 0 ||
            setns(mntns, CLONE_NEWNS) < 0) {
                jc_error_set(&err, errno, "squashfuse: enter the sandbox's namespaces");
                jc_child_fail(sock, &err);
        }
        if (fuse_open(&fds[0], &err) < 0) {
                jc_error_wrap(&err, "squashfs images need FUSE, which is not available to %s",
                              host_root ? "root" : "this user");
                jc_child_fail(sock, &err);
        }
        /* Host root is not mapped in the sandbox, and FUSE refuses
         * requests (the probe's too) from ids it cannot map (EOVERFLOW):
         * become root inside, which is.  Rootless, we are mapped. */
        if (host_root && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
                jc_error_set(&err, errno, "squashfuse: become root inside");
                jc_child_fail(sock, &err);
        }
        if (fuse_tree(fds[0], getuid(), getgid(), &fds[1], &err) < 0)
                jc_child_fail(sock, &err);
        if (jc_msg_send(sock, JC_MSG_FDS, NULL, 0, fds, 2) < 0)
                _exit(125);
        close(fds[0]);
        if (jc_msg_expect(sock, JC_MSG_GO, NULL, 0, NULL, NULL, "squashfuse", &err) < 0)
                _exit(125);
        e = probe(fds[1]);
        jc_msg_send(sock, JC_MSG_READY, &e, sizeof(e), NULL, 0);
        _exit(0);
}

static int fuse_in(pid_t ns_pid, int fd, pid_t *pid, int *mnt, struct jc_error *err)
{
        int sp[2], fds[2], e = 0, rc = -1;
        size_t nfds = 2;
        pid_t child;

        *mnt = -1;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
                return jc_error_set(err, errno, "socketpair");
        child = fork();
        if (child < 0) {
                close(sp[0]);
                close(sp[1]);
                return jc_error_set(err, errno, "squashfuse: fork");
        }
        if (child == 0) {
                close(sp[0]);
                fuse_in_child(ns_pid, sp[1]);
        }
        close(sp[1]);
        if (jc_msg_expect(sp[0], JC_MSG_FDS, NULL, 0, fds, &nfds, "squashfuse", err) < 0)
                goto out;
        if (nfds != 2) {
                for (e = 0; e < (int)nfds; e++)
                        close(fds[e]);
                jc_error_set(err, EPROTO, "squashfuse: %zu descriptors", nfds);
                goto out;
        }
        *mnt = fds[1];
        if (squashfuse_start(fds[0], fd, NULL, pid, err) < 0)
                goto out;
        if (jc_msg_send(sp[0], JC_MSG_GO, NULL, 0, NULL, 0) < 0 ||
            jc_msg_expect(sp[0], JC_MSG_READY, &e, sizeof(e), NULL, NULL, "squashfuse", err) < 0)
                e = EPIPE;
        if (e != 0) {
                squashfuse_failed(*pid, e, err);
                *pid = 0;
                goto out;
        }
        rc = 0;
out:
        close(sp[0]);
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
                ;
        if (rc < 0 && *mnt >= 0) {
                close(*mnt);
                *mnt = -1;
        }
        return rc;
}

int jc_squashfs_open(int fd, enum jc_squashfs_mount how, const struct jc_squashfs_ids *ids,
                     pid_t ns_pid, struct jc_squashfs *m, int *mnt, struct jc_error *err)
{
        memset(m, 0, sizeof(*m));
        m->how = how;
        *mnt = -1;
        if (ns_pid > 0 && how == JC_SQFS_KERNEL)
                return jc_error_set(err, EPERM, "squashfs: the kernel's driver needs privilege");
        if (how == JC_SQFS_KERNEL)
                return kernel_tree(fd, mnt, err);
        if (ns_pid > 0)
                return fuse_in(ns_pid, fd, &m->daemon, mnt, err);
        return fuse_here(fd, ids, &m->daemon, mnt, err);
}

int jc_squashfs_mount(int fd, const char *target, enum jc_squashfs_mount how,
                      const struct jc_squashfs_ids *ids, struct jc_squashfs *m,
                      struct jc_error *err)
{
        struct jc_error ignored;
        int mnt;

        if (jc_squashfs_open(fd, how, ids, 0, m, &mnt, err) < 0)
                return -1;
        m->target = jc_strdup(target, err);
        if (m->target == NULL ||
            move_mount(mnt, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
                if (m->target != NULL)
                        jc_error_set(err, errno, "squashfs: attach the mount on `%s'", target);
                close(mnt);
                free(m->target);
                m->target = NULL;
                jc_squashfs_umount(m, &ignored);
                return -1;
        }
        close(mnt);
        return 0;
}

int jc_squashfs_umount(struct jc_squashfs *m, struct jc_error *err)
{
        int rc = 0, status;

        if (m->target != NULL && umount2(m->target, MNT_DETACH) < 0)
                rc = jc_error_set(err, errno, "unmount image `%s'", m->target);
        if (m->daemon > 0) {
                /* Not SIGTERM, which it never takes (squashfuse_child).
                 * Nothing reads through it any more: an unmount would end
                 * it only once the last mount namespace holding its mount
                 * is gone, and a member's runner may still hold the cell's
                 * while it waits for us. */
                kill(m->daemon, SIGKILL);
                while (waitpid(m->daemon, &status, 0) < 0 && errno == EINTR)
                        ;
        }
        free(m->target);
        memset(m, 0, sizeof(*m));
        return rc;
}
