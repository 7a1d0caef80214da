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
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image_internal.h"

#ifndef LOOP_CONFIGURE
#define LOOP_CONFIGURE 0x4C0A
struct loop_config {
        __u32 fd;
        __u32 block_size;
        struct loop_info64 info;
        __u64 __reserved[8];
};
#endif

static int kernel_mount(int fd, const char *target, struct jc_error *err)
{
        struct loop_config cfg;
        char dev[64];
        int ctl, lfd = -1, n, tries, rc = -1;

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
        if (mount(dev, target, "squashfs", MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0) {
                jc_error_set(err, errno, "squashfs: mount `%s' on `%s' (not a squashfs file?)", dev,
                             target);
                goto out;
        }
        rc = 0;
out:
        /* With autoclear, closing our fd detaches the device once it is
         * not mounted (at once if the mount failed). */
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

        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
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

static int fuse_mount(int fd, const char *target, const struct jc_squashfs_ids *ids, pid_t *pid,
                      struct jc_error *err)
{
        char opts[256];
        pid_t parent = getpid(), child;
        int fuse_fd, probe, status;

        fuse_fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
        if (fuse_fd < 0)
                return jc_error_set(err, errno, "squashfuse: open `/dev/fuse'");
        /* allow_other: the job's uid differs from the mounter's;
         * default_permissions: the kernel checks modes, as on a disk. */
        jc_format(opts, sizeof(opts),
                  "fd=%d,rootmode=40000,user_id=%u,group_id=%u,allow_other,default_permissions",
                  fuse_fd, ids ? (unsigned)ids->uid : 0, ids ? (unsigned)ids->gid : 0);
        if (mount("squashfuse", target, "fuse.squashfuse", MS_RDONLY | MS_NOSUID | MS_NODEV, opts) <
            0) {
                jc_error_set(err, errno, "squashfuse: mount fuse on `%s'", target);
                close(fuse_fd);
                return -1;
        }
        child = fork();
        if (child == 0)
                squashfuse_child(fuse_fd, fd, parent, ids);
        /* Ours closed, the child's copy is the only one: if squashfuse
         * dies, the connection aborts and nothing waits on it forever. */
        close(fuse_fd);
        if (child < 0) {
                jc_error_set(err, errno, "squashfuse: fork");
                umount2(target, MNT_DETACH);
                return -1;
        }
        /* Opening the root needs squashfuse to have read the file and
         * answered: this waits until it serves, or fails when it quit. */
        probe = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (probe < 0) {
                int e = errno;

                umount2(target, MNT_DETACH);
                kill(child, SIGKILL);
                while (waitpid(child, &status, 0) < 0 && errno == EINTR)
                        ;
                if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
                        return jc_error_set(err, e, "squashfuse: could not run `%s'",
                                            JC_SQUASHFUSE);
                return jc_error_set(err, e,
                                    "squashfuse: the image is not a squashfs it can read "
                                    "(it exited with %d)",
                                    WIFEXITED(status) ? WEXITSTATUS(status)
                                                      : 128 + WTERMSIG(status));
        }
        close(probe);
        *pid = child;
        return 0;
}

int jc_squashfs_mount(int fd, const char *target, enum jc_squashfs_mount how,
                      const struct jc_squashfs_ids *ids, struct jc_squashfs *m,
                      struct jc_error *err)
{
        memset(m, 0, sizeof(*m));
        m->how = how;
        m->target = jc_strdup(target, err);
        if (m->target == NULL)
                return -1;
        if ((how == JC_SQFS_KERNEL ? kernel_mount(fd, target, err)
                                   : fuse_mount(fd, target, ids, &m->daemon, err)) < 0) {
                free(m->target);
                m->target = NULL;
                return -1;
        }
        return 0;
}

int jc_squashfs_umount(struct jc_squashfs *m, struct jc_error *err)
{
        int rc = 0, status;

        if (m->target != NULL && umount2(m->target, MNT_DETACH) < 0)
                rc = jc_error_set(err, errno, "unmount image `%s'", m->target);
        if (m->daemon > 0) {
                /* Unmounted, squashfuse sees the connection end and
                 * exits; a kill makes sure. */
                kill(m->daemon, SIGTERM);
                while (waitpid(m->daemon, &status, 0) < 0 && errno == EINTR)
                        ;
        }
        free(m->target);
        memset(m, 0, sizeof(*m));
        return rc;
}
