#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dev.h"
#include "mounts.h"
#include "pathres.h"
#include "util.h"

static const char *const devices[] = { "null", "zero", "full", "random", "urandom", "tty" };

/* The links shells and programs expect (bash's <(...) uses /dev/fd). */
static const char *const links[][2] = {
        { "fd", "/proc/self/fd" },       { "stdin", "/proc/self/fd/0" },
        { "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
        { "ptmx", "pts/ptmx" },
};

/* Bind the host device HOST onto the same path inside the root: a user
 * namespace may not mknod, but it may bind a node the host made. */
static int bind_host_device(int rootfd, const char *host, struct jc_error *err)
{
        _cleanup_close_ int src = open(host, O_PATH | O_CLOEXEC);

        if (src < 0)
                return jc_error_set(err, errno, "open host device `%s'", host);
        return jc_bind_plain(rootfd, src, false, host, host, err);
}

static int extra_devices(int rootfd, const struct jc_spec *spec, struct jc_error *err)
{
        size_t i, k;

        for (i = 0; i < spec->devices.n; i++) {
                glob_t g;
                int rc = glob(spec->devices.v[i], GLOB_NOSORT, NULL, &g);

                if (rc == GLOB_NOMATCH)
                        continue; /* a GPU node on some nodes only */
                if (rc != 0)
                        return jc_error_set(err, ENOMEM, "expand device `%s'", spec->devices.v[i]);
                for (k = 0, rc = 0; k < g.gl_pathc && rc == 0; k++)
                        if (strncmp(g.gl_pathv[k], "/dev/", 5) == 0 &&
                            strstr(g.gl_pathv[k], "/../") == NULL)
                                rc = bind_host_device(rootfd, g.gl_pathv[k], err);
                globfree(&g);
                if (rc < 0)
                        return -1;
        }
        return 0;
}

int jc_dev_setup(int rootfd, const struct jc_spec *spec, struct jc_error *err)
{
        _cleanup_close_ int dev = -1, host = -1;
        char path[64];
        size_t i;

        if (spec->privileged) {
                host = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (host < 0)
                        return jc_error_set(err, errno, "open host /dev");
                return jc_bind_fd(rootfd, host, false, "/dev", "/dev", true, 0, err);
        }
        if (jc_mount_fs(rootfd, "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=64k", err) <
            0)
                return -1;
        dev = jc_open_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY, err);
        if (dev < 0)
                return -1;
        for (i = 0; i < JC_ARRAY_SIZE(devices); i++) {
                jc_format(path, sizeof(path), "/dev/%s", devices[i]);
                if (bind_host_device(rootfd, path, err) < 0)
                        return -1;
        }
        for (i = 0; i < JC_ARRAY_SIZE(links); i++)
                if (symlinkat(links[i][1], dev, links[i][0]) < 0)
                        return jc_error_set(err, errno, "symlink /dev/%s", links[i][0]);
        /* A devpts instance of its own: the job sees only its own ptys. */
        if (jc_mount_fs(rootfd, "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                        "newinstance,ptmxmode=0666,mode=0620", err) < 0 ||
            jc_mount_fs(rootfd, "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777",
                        err) < 0 ||
            jc_mount_fs(rootfd, "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
                        err) < 0)
                return -1;
        if (extra_devices(rootfd, spec, err) < 0)
                return -1;
        /* Nothing may be added to /dev once it is built. */
        return jc_remount_ro(rootfd, "/dev", MS_NOSUID | MS_NOEXEC, err);
}
