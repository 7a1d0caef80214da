#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "mounts.h"
#include "pathres.h"
#include "util.h"

int jc_mount_fs(int rootfd, const char *dst, const char *fstype, unsigned long flags,
                const char *data, struct jc_error *err)
{
        _cleanup_close_ int target = -1;
        char path[32];

        target = jc_mkpath_in_root(rootfd, dst, false, err);
        if (target < 0)
                return jc_error_wrap(err, "mount %s on %s", fstype, dst);
        if (mount(fstype, jc_fd_path(target, path, sizeof(path)), fstype, flags, data) < 0)
                return jc_error_set(err, errno, "mount %s on `%s'", fstype, dst);
        return 0;
}

/* The MS_* flags to keep from the mount holding FD: in a user namespace
 * a remount may not drop flags locked from the outer namespace. */
static unsigned long locked_flags(int fd)
{
        struct statvfs st;
        unsigned long f = 0;

        if (fstatvfs(fd, &st) < 0)
                return 0;
        if (st.f_flag & ST_RDONLY)
                f |= MS_RDONLY;
        if (st.f_flag & ST_NODEV)
                f |= MS_NODEV;
        if (st.f_flag & ST_NOEXEC)
                f |= MS_NOEXEC;
        if (st.f_flag & ST_NOATIME)
                f |= MS_NOATIME;
        if (st.f_flag & ST_NODIRATIME)
                f |= MS_NODIRATIME;
        if (st.f_flag & ST_RELATIME)
                f |= MS_RELATIME;
        return f;
}

static int remount(int rootfd, const char *dst, unsigned long flags, struct jc_error *err)
{
        _cleanup_close_ int fd = -1;
        char path[32];

        /* Re-resolve: DST now names the mount just made, not what it covers. */
        fd = jc_open_in_root(rootfd, dst, O_PATH, err);
        if (fd < 0)
                return -1;
        flags |= locked_flags(fd);
        if (mount(NULL, jc_fd_path(fd, path, sizeof(path)), NULL, MS_REMOUNT | MS_BIND | flags,
                  NULL) < 0)
                return jc_error_set(err, errno, "remount `%s'", dst);
        return 0;
}

static int attach(int rootfd, int srcfd, bool tree, const char *name, const char *dst,
                  struct jc_error *err)
{
        _cleanup_close_ int target = -1;
        char src[32], tgt[32];
        struct stat st;

        if (fstat(srcfd, &st) < 0)
                return jc_error_set(err, errno, "stat `%s'", name);
        target = jc_mkpath_in_root(rootfd, dst, !S_ISDIR(st.st_mode), err);
        if (target < 0)
                return jc_error_wrap(err, "bind `%s'", name);
        if (tree && move_mount(srcfd, "", target, "",
                               MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return jc_error_set(err, errno, "attach `%s' on `%s'", name, dst);
        if (!tree && mount(jc_fd_path(srcfd, src, sizeof(src)),
                           jc_fd_path(target, tgt, sizeof(tgt)), NULL, MS_BIND | MS_REC, NULL) < 0)
                return jc_error_set(err, errno, "bind `%s' on `%s'", name, dst);
        return 0;
}

int jc_bind_plain(int rootfd, int srcfd, bool tree, const char *name, const char *dst,
                  struct jc_error *err)
{
        return attach(rootfd, srcfd, tree, name, dst, err);
}

int jc_bind_fd(int rootfd, int srcfd, bool tree, const char *name, const char *dst, bool rw,
               unsigned long flags, struct jc_error *err)
{
        if (attach(rootfd, srcfd, tree, name, dst, err) < 0)
                return -1;
        if (!rw)
                flags |= MS_RDONLY;
        if (rw && (locked_flags(srcfd) & MS_RDONLY))
                return jc_error_set(err, EROFS, "bind `%s' read-write", name);
        if (remount(rootfd, dst, MS_NOSUID | flags, err) < 0)
                return jc_error_wrap(err, "bind `%s'", name);
        return 0;
}

int jc_remount_ro(int rootfd, const char *dst, unsigned long flags, struct jc_error *err)
{
        return remount(rootfd, dst, MS_RDONLY | flags, err);
}
