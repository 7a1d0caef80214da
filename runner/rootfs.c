#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dev.h"
#include "mounts.h"
#include "passwd.h"
#include "pathres.h"
#include "procfs.h"
#include "rootfs.h"
#include "util.h"

/* Where the staging tmpfs goes in the (private) mount namespace: any
 * directory will do, since everything on it is reached through fds. */
#define STAGE "/tmp"

void jc_prep_close(struct jc_prep *prep)
{
        size_t i;

        if (prep->image_fd >= 0)
                close(prep->image_fd);
        for (i = 0; i < prep->nmounts; i++)
                if (prep->mount_fds[i] >= 0)
                        close(prep->mount_fds[i]);
        for (i = 0; prep->paths != NULL && i <= prep->nmounts; i++)
                free(prep->paths[i]);
        free(prep->paths);
        free(prep->mount_fds);
        prep->image_fd = -1;
        prep->mount_fds = NULL;
        prep->paths = NULL;
        prep->nmounts = 0;
}

static int write_at(int dirfd, const char *name, const char *text, struct jc_error *err)
{
        _cleanup_close_ int fd = -1;
        size_t len = strlen(text);

        fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, text, len) != (ssize_t)len)
                return jc_error_set(err, errno, "write staging `%s'", name);
        return 0;
}

/* The staging tmpfs: upper and work dirs of the overlay, the mount point
 * of the new root, and the generated files. */
static int stage(int *stagefd, struct jc_error *err)
{
        static const char *const dirs[] = { "lower", "upper", "work", "root" };
        size_t i;

        if (mount("tmpfs", STAGE, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755") < 0)
                return jc_error_set(err, errno, "mount staging tmpfs on " STAGE);
        *stagefd = open(STAGE, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (*stagefd < 0)
                return jc_error_set(err, errno, "open staging tmpfs");
        for (i = 0; i < JC_ARRAY_SIZE(dirs); i++)
                if (mkdirat(*stagefd, dirs[i], 0755) < 0)
                        return jc_error_set(err, errno, "mkdir staging `%s'", dirs[i]);
        return 0;
}

static bool is_tree(const struct jc_prep *prep, size_t i)
{
        return i == 0 ? prep->image_tree : prep->trees;
}

/* Source I of PREP (0: the image, 1 + k: mount k) as a descriptor of
 * this mount namespace: the detached tree itself (borrowed), or the path
 * opened again here and checked to be the very file the runner opened. */
static int source(const struct jc_prep *prep, size_t i, int *fd, struct jc_error *err)
{
        int given = i == 0 ? prep->image_fd : prep->mount_fds[i - 1];
        struct stat a, b;

        if (is_tree(prep, i)) {
                *fd = given;
                return 0;
        }
        *fd = open(prep->paths[i], O_PATH | O_CLOEXEC);
        if (*fd < 0)
                return jc_error_set(err, errno, "open `%s'", prep->paths[i]);
        if (fstat(given, &a) < 0 || fstat(*fd, &b) < 0 || a.st_dev != b.st_dev ||
            a.st_ino != b.st_ino) {
                close(*fd);
                return jc_error_set(err, ESTALE, "`%s' changed since it was checked",
                                    prep->paths[i]);
        }
        return 0;
}

/* Every source, resolved in this mount namespace before the staging
 * tmpfs can hide any of them (an image under /tmp, say). */
static int open_sources(const struct jc_prep *prep, int *src, struct jc_error *err)
{
        size_t i;

        for (i = 0; i <= prep->nmounts; i++)
                src[i] = -1;
        for (i = 0; i <= prep->nmounts; i++)
                if (source(prep, i, &src[i], err) < 0)
                        return -1;
        return 0;
}

static void close_sources(const struct jc_prep *prep, int *src)
{
        size_t i;

        for (i = 0; i <= prep->nmounts; i++)
                if (!is_tree(prep, i) && src[i] >= 0)
                        close(src[i]);
}

static int overlay(int stagefd, const struct jc_prep *prep, const int *src, struct jc_error *err)
{
        if (jc_bind_plain(stagefd, src[0], prep->image_tree, prep->paths[0], "/lower", err) < 0)
                return jc_error_wrap(err, "image");
        /* The image is the read-only lower layer; writes (mount points, and
         * the job's files when the root is writable) land in the tmpfs. */
        if (mount("overlay", STAGE "/root", "overlay", MS_NOSUID | MS_NODEV,
                  "lowerdir=" STAGE "/lower,upperdir=" STAGE "/upper,workdir=" STAGE "/work") < 0)
                return jc_error_set(err, errno, "mount the image `%s' (overlay)", prep->paths[0]);
        return 0;
}

/* /etc/passwd and /etc/group go into the overlay's upper layer before it
 * is mounted: they shadow the image's without a mount of their own. */
static int users(int stagefd, const struct jc_job *job, const struct jc_ids *ids, int imagefd,
                 struct jc_error *err)
{
        _cleanup_free_ char *passwd = NULL, *group = NULL;
        _cleanup_close_ int etc = -1;

        if (jc_passwd_build(imagefd, job, ids, &passwd, &group, err) < 0)
                return -1;
        if (mkdirat(stagefd, "upper/etc", 0755) < 0)
                return jc_error_set(err, errno, "mkdir staging upper/etc");
        etc = openat(stagefd, "upper/etc", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (etc < 0)
                return jc_error_set(err, errno, "open staging upper/etc");
        if (write_at(etc, "passwd", passwd, err) < 0 || write_at(etc, "group", group, err) < 0)
                return -1;
        return 0;
}

static int binds(int rootfd, const struct jc_spec *spec, const struct jc_prep *prep, const int *src,
                 struct jc_error *err)
{
        size_t i;

        for (i = 0; i < spec->mounts.n; i++) {
                const struct jc_mount *m = &spec->mounts.v[i];

                if (jc_bind_fd(rootfd, src[i + 1], prep->trees, m->src, m->dst, m->rw, MS_NODEV,
                               err) < 0)
                        return -1;
        }
        return 0;
}

static int tmp(int rootfd, const struct jc_spec *spec, struct jc_error *err)
{
        char opts[64];

        if (spec->tmp_size > 0)
                jc_format(opts, sizeof(opts), "mode=1777,size=%lld", (long long)spec->tmp_size);
        else
                jc_format(opts, sizeof(opts), "mode=1777");
        return jc_mount_fs(rootfd, "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, opts, err);
}

int jc_rootfs_build(const struct jc_spec *spec, const struct jc_job *job, const struct jc_ids *ids,
                    const struct jc_prep *prep, struct jc_error *err)
{
        _cleanup_close_ int stagefd = -1;
        _cleanup_free_ int *src = NULL;
        int rootfd = -1;

        /* Nothing we mount may propagate back to the host. */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return jc_error_set(err, errno, "make mounts private");
        src = malloc((prep->nmounts + 1) * sizeof(int));
        if (src == NULL)
                return jc_error_set(err, errno, "build the root");
        if (open_sources(prep, src, err) < 0 || stage(&stagefd, err) < 0 ||
            users(stagefd, job, ids, src[0], err) < 0 || overlay(stagefd, prep, src, err) < 0)
                goto fail;
        rootfd = openat(stagefd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0) {
                jc_error_set(err, errno, "open the new root");
                goto fail;
        }
        if (jc_dev_setup(rootfd, spec, err) < 0 || jc_procfs_setup(rootfd, spec, err) < 0 ||
            tmp(rootfd, spec, err) < 0 || binds(rootfd, spec, prep, src, err) < 0)
                goto fail;
        close_sources(prep, src);
        return rootfd;
fail:
        close_sources(prep, src);
        if (rootfd >= 0)
                close(rootfd);
        return -1;
}

int jc_rootfs_pivot(int rootfd, const struct jc_spec *spec, struct jc_error *err)
{
        /* pivot_root(".", ".") stacks the old root on the new one; detaching
         * it leaves nothing of the host reachable (crun's do_pivot). */
        if (fchdir(rootfd) < 0)
                return jc_error_set(err, errno, "chdir to the new root");
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return jc_error_set(err, errno, "pivot_root");
        if (umount2(".", MNT_DETACH) < 0)
                return jc_error_set(err, errno, "detach the old root");
        if (chdir("/") < 0)
                return jc_error_set(err, errno, "chdir /");
        if (spec->readonly_root &&
            mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) <
                    0)
                return jc_error_set(err, errno, "make the root read-only");
        return 0;
}
