#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mounts.h"
#include "pathres.h"
#include "procfs.h"
#include "util.h"

/* Docker's default masked paths (moby oci/defaults.go): what they show
 * about the host (kernel memory, keys, timers, firmware) is none of the
 * job's business. */
static const char *const masked[] = {
        "/proc/asound",      "/proc/acpi",          "/proc/kcore",
        "/proc/keys",        "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug",   "/proc/scsi",
        "/proc/interrupts",  "/sys/firmware",       "/sys/devices/virtual/powercap",
};

/* ... and the read-only ones: writing there would change the host. */
static const char *const readonly[] = {
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

static int mask(int rootfd, const char *path, int devnull, struct jc_error *err)
{
        _cleanup_close_ int fd = -1;
        struct stat st;

        fd = jc_open_in_root(rootfd, path, O_PATH | O_NOFOLLOW, err);
        if (fd < 0 && err->errnum == ENOENT)
                return 0;
        if (fd < 0 || fstat(fd, &st) < 0)
                return jc_error_set(err, errno, "mask `%s'", path);
        if (S_ISDIR(st.st_mode))
                return jc_mount_fs(
                        rootfd, path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                        "size=0,mode=555",
                        err); /* /dev/null, as it is: the masked file opens and reads nothing. */
        return jc_bind_plain(rootfd, devnull, false, "/dev/null", path, err);
}

static int mount_sys(int rootfd, const struct jc_spec *spec, struct jc_error *err)
{
        _cleanup_close_ int host = -1;

        /* A sysfs instance shows the network devices of the mounter's
         * network namespace, and the kernel lets a user namespace mount one
         * only for a namespace it owns: with the host's network, bind the
         * host's (read-only, without its submounts). */
        if (spec->network == JC_NET_NONE)
                return jc_mount_fs(rootfd, "/sys", "sysfs",
                                   MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err);
        host = open("/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (host < 0)
                return jc_error_set(err, errno, "open host /sys");
        return jc_bind_fd(rootfd, host, false, "/sys", "/sys", false, MS_NODEV | MS_NOEXEC, err);
}

int jc_procfs_setup(int rootfd, const struct jc_spec *spec, struct jc_error *err)
{
        _cleanup_close_ int devnull = -1;
        size_t i;

        if (jc_mount_fs(rootfd, "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err) < 0 ||
            mount_sys(rootfd, spec, err) < 0)
                return -1;
        if (spec->privileged)
                return 0;
        devnull = open("/dev/null", O_PATH | O_CLOEXEC);
        if (devnull < 0)
                return jc_error_set(err, errno, "open /dev/null");
        for (i = 0; i < JC_ARRAY_SIZE(masked); i++)
                if (mask(rootfd, masked[i], devnull, err) < 0)
                        return -1;
        for (i = 0; i < JC_ARRAY_SIZE(readonly); i++) {
                _cleanup_close_ int fd = jc_open_in_root(rootfd, readonly[i], O_PATH, err);

                if (fd < 0 && err->errnum == ENOENT)
                        continue;
                if (fd < 0 || jc_bind_fd(rootfd, fd, false, readonly[i], readonly[i], false,
                                         MS_NODEV | MS_NOEXEC, err) < 0)
                        return -1;
        }
        return 0;
}
