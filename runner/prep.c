#include "config.h"

#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "prep.h"
#include "values.h"

/* Which paths the user's side opens: the image, then each job mount. */
static bool users_path(const struct jc_spec *spec, size_t i)
{
        return i == 0 || !spec->mounts.v[i - 1].policy;
}

static const char *path_of(const struct jc_spec *spec, size_t i)
{
        return i == 0 ? spec->image : spec->mounts.v[i - 1].src;
}

static int open_one(const char *path, int *fd, struct jc_error *err)
{
        *fd = open(path, O_PATH | O_CLOEXEC);
        if (*fd < 0)
                return jc_error_set(err, errno, "open `%s'", path);
        return 0;
}

/* The image: a directory, or a file the image library reads (a tar, a
 * squashfs), which must be opened readable.  An O_PATH descriptor gives
 * no read access, so a file is opened again through /proc/self/fd: that
 * checks the caller's rights on the very inode the path led to. */
static int open_image(const char *path, int *fd, struct jc_error *err)
{
        struct stat st;
        char link[32];
        int rfd;

        if (open_one(path, fd, err) < 0)
                return -1;
        if (fstat(*fd, &st) < 0 || !(S_ISDIR(st.st_mode) || S_ISREG(st.st_mode))) {
                jc_error_set(err, errno, "image `%s' is neither a directory nor a file", path);
                close(*fd);
                *fd = -1;
                return -1;
        }
        if (S_ISDIR(st.st_mode))
                return 0;
        jc_format(link, sizeof(link), "/proc/self/fd/%d", *fd);
        rfd = open(link, O_RDONLY | O_NOCTTY | O_CLOEXEC);
        if (rfd < 0)
                jc_error_set(err, errno, "open `%s'", path);
        close(*fd);
        *fd = rfd;
        return rfd < 0 ? -1 : 0;
}

static int open_path(const struct jc_spec *spec, size_t i, int *fd, struct jc_error *err)
{
        if (i == 0)
                return open_image(spec->image, fd, err);
        if (open_one(path_of(spec, i), fd, err) < 0)
                return jc_error_wrap(err, "mount %s:%s", spec->mounts.v[i - 1].src,
                                     spec->mounts.v[i - 1].dst);
        return 0;
}

/* The helper that opens the job's paths as the job's user. */
struct helper {
        const struct jc_spec *spec;
        const struct jc_job *job;
        int *all; /* where it leaves each descriptor */
        struct jc_error err;
};

/* The helper's body: become the user for real, its groups and ids, and
 * no capability (not even with the securebits the Slurm hand-over sets,
 * under which a uid change keeps them), so that DAC applies in full; then
 * open each path the job named. */
static int as_user(void *arg)
{
        struct helper *h = arg;
        const struct jc_job *job = h->job;
        size_t i;

        if (prctl(PR_SET_SECUREBITS, 0, 0, 0, 0) < 0 || setgroups(job->ngroups, job->groups) < 0 ||
            setresgid(job->gid, job->gid, job->gid) < 0 ||
            setresuid(job->uid, job->uid, job->uid) < 0) {
                jc_error_set(&h->err, errno, "become uid %u to open the job's paths",
                             (unsigned)job->uid);
                return 1;
        }
        capng_clear(CAPNG_SELECT_ALL);
        capng_setpid(getpid()); /* not our parent's, whose memory we share */
        if (capng_apply(CAPNG_SELECT_CAPS) < 0) {
                jc_error_set(&h->err, EPERM, "drop capabilities to open the job's paths");
                return 1;
        }
        for (i = 0; i <= h->spec->mounts.n; i++)
                if (users_path(h->spec, i) && open_path(h->spec, i, &h->all[i], &h->err) < 0)
                        return 1;
        return 0;
}

/* The helper shares our memory and descriptor table and we wait while it
 * runs (CLONE_VM | CLONE_FILES | CLONE_VFORK): what it opens is ours, with
 * no copy of our memory to make (a fork and its copy-on-write faults cost
 * about a millisecond of every start) and no descriptor to pass.  Its ids
 * and capabilities are its own; what it writes in our memory besides
 * ALL and the error is libcap-ng's state, put back here. */
static int receive_users(const struct jc_spec *spec, const struct jc_job *job, int *all,
                         struct jc_error *err)
{
        const size_t size = 256 * 1024;
        struct helper h = { spec, job, all, { 0 } };
        int status, e;
        void *stack, *caps;
        pid_t pid;

        stack = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
                     -1, 0);
        if (stack == MAP_FAILED)
                return jc_error_set(err, errno,
                                    "a stack for the helper that opens the job's paths");
        caps = capng_save_state();
        pid = clone(as_user, (char *)stack + size, CLONE_VM | CLONE_FILES | CLONE_VFORK | SIGCHLD,
                    &h);
        e = errno;
        capng_restore_state(&caps);
        munmap(stack, size); /* the helper is done with it: it exited */
        if (pid < 0)
                return jc_error_set(err, e, "start the helper that opens the job's paths");
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                if (h.err.msg[0] != '\0')
                        *err = h.err;
                else
                        jc_error_set(err, EPROTO, "open the job's paths: the helper died");
                return -1;
        }
        return 0;
}

/* Symlinks in a job's bind source are resolved now: check the place they
 * lead to against mounts_allowed again. */
static int recheck(const struct jc_spec *spec, size_t i, int fd, struct jc_error *err)
{
        const struct jc_mount *m = &spec->mounts.v[i];
        char link[32], real[4096];
        bool ro_ok, rw_ok;
        ssize_t n;

        jc_format(link, sizeof(link), "/proc/self/fd/%d", fd);
        n = readlink(link, real, sizeof(real) - 1);
        if (n < 0)
                return jc_error_set(err, errno, "resolve `%s'", m->src);
        real[n] = '\0';
        if (jc_mount_admitted(&spec->mounts_allowed, real, &ro_ok, &rw_ok, err) < 0)
                return -1;
        if (!ro_ok || (m->rw && !rw_ok))
                return jc_error_set(
                        err, EPERM,
                        "mount `%s' leads to `%s', which mounts_allowed does not admit%s", m->src,
                        real, m->rw && ro_ok ? " read-write" : "");
        return 0;
}

/* Record each descriptor's resolved path, and (privileged) turn each bind
 * source into a detached mount tree the init can attach in its own mount
 * namespace.  The image is left as the user's descriptor: what the
 * sandbox's root is made of depends on its kind (runner/cell_image.h). */
static int finish(int *all, size_t n, bool privileged, struct jc_prep *prep, struct jc_error *err)
{
        char link[32], real[4096];
        size_t i;

        prep->paths = calloc(n, sizeof(char *));
        if (prep->paths == NULL)
                return jc_error_set(err, errno, "prepare");
        for (i = 0; i < n; i++) {
                ssize_t k;

                jc_format(link, sizeof(link), "/proc/self/fd/%d", all[i]);
                k = readlink(link, real, sizeof(real) - 1);
                if (k < 0)
                        return jc_error_set(err, errno, "resolve %s", link);
                real[k] = '\0';
                prep->paths[i] = strdup(real);
                if (prep->paths[i] == NULL)
                        return jc_error_set(err, errno, "prepare");
                if (privileged && i > 0) {
                        /* A bind source brings its submounts, as with
                         * MS_REC. */
                        int tree = open_tree(all[i], "",
                                             OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
                                                     AT_RECURSIVE);

                        if (tree < 0)
                                return jc_error_set(err, errno, "copy the mount tree of `%s'",
                                                    real);
                        close(all[i]);
                        all[i] = tree;
                }
        }
        prep->trees = privileged;
        prep->image_fd = all[0];
        if (n > 1)
                memcpy(prep->mount_fds, all + 1, (n - 1) * sizeof(int));
        prep->nmounts = n - 1;
        for (i = 0; i < n; i++)
                all[i] = -1; /* now the prep's */
        return 0;
}

int jc_prep_open(const struct jc_spec *spec, const struct jc_job *job, struct jc_prep *prep,
                 struct jc_error *err)
{
        size_t i, n = spec->mounts.n + 1;
        _cleanup_free_ int *all = NULL;

        /* all[0] is the image, all[i] the source of mount i - 1. */
        *prep = (struct jc_prep){ .image_fd = -1 };
        if (spec->image[0] == '\0')
                return jc_error_set(err, 0, "no image: say which with --image");
        all = malloc(n * sizeof(int));
        prep->mount_fds = malloc(n * sizeof(int));
        if (all == NULL || prep->mount_fds == NULL) {
                free(prep->mount_fds);
                prep->mount_fds = NULL;
                return jc_error_set(err, errno, "prepare");
        }
        for (i = 0; i < n; i++)
                all[i] = -1;
        if (job->privileged) {
                if (receive_users(spec, job, all, err) < 0)
                        goto fail;
        } else {
                for (i = 0; i < n; i++)
                        if (users_path(spec, i) && open_path(spec, i, &all[i], err) < 0)
                                goto fail;
        }
        for (i = 1; i < n; i++) {
                if (!users_path(spec, i) && open_one(path_of(spec, i), &all[i], err) < 0)
                        goto fail;
                if (users_path(spec, i) && recheck(spec, i - 1, all[i], err) < 0)
                        goto fail;
        }
        if (finish(all, n, job->privileged, prep, err) < 0)
                goto fail;
        return 0;
fail:
        for (i = 0; i < n; i++)
                if (all[i] >= 0)
                        close(all[i]);
        for (i = 0; prep->paths != NULL && i < n; i++)
                free(prep->paths[i]);
        free(prep->paths);
        free(prep->mount_fds);
        *prep = (struct jc_prep){ .image_fd = -1 };
        return -1;
}
