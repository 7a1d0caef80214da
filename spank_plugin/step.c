/* Per-step facts the plugin works out in slurmstepd: the cell's name, the
 * PMIx directory a step's tasks need, what a step's cell may have left
 * behind.  No Slurm in here: tests/unit/test_spank.c. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "plugin.h"
#include "trust.h"
#include "values.h"

int jc_cell_name(char *buf, size_t len, uint32_t job, const char *step, struct jc_error *err)
{
        unsigned char rnd[JC_CELL_RANDOM_BYTES];
        char hex[2 * sizeof(rnd) + 1];
        size_t i, got = 0;
        ssize_t n;

        /* The keeper's abstract socket is named after the cell, and any
         * user may bind any abstract name: a name another user could
         * predict could be taken first, and the step denied (the runner
         * checks the keeper's credentials, so that is all it could do). */
        while (got < sizeof(rnd)) {
                n = getrandom(rnd + got, sizeof(rnd) - got, 0);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return jc_error_set(err, errno, "getrandom for the cell's name");
                got += (size_t)n;
        }
        for (i = 0; i < sizeof(rnd); i++)
                snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
        if (jc_format(buf, len, "%u.%s.%s", job, step, hex))
                return jc_error_set(err, ENAMETOOLONG, "cell name for step %u.%s", job, step);
        return 0;
}

/* Is PATH Slurm's own, made for this step: ending in /TAIL, of the type
 * asked (directory or regular file), owned by root or UID, in a directory
 * only root may write in (and below root's directories only)?  Slurm's
 * paths reach the plugin through the task's environment and command line,
 * which the user may fill too: a path that passes cannot be the user's
 * choice. */
static int slurm_path_check(const char *what, const char *path, const char *tail, bool dir,
                            uid_t uid, struct jc_error *err)
{
        char buf[PATH_MAX];
        struct stat st;
        char *slash;
        size_t n, t = strlen(tail);

        if (jc_format(buf, sizeof(buf), "%s", path))
                return jc_error_set(err, ENAMETOOLONG, "%s `%s'", what, path);
        n = strlen(buf);
        while (n > 1 && buf[n - 1] == '/')
                buf[--n] = '\0';
        if (jc_check_path(buf, err) < 0)
                return jc_error_wrap(err, "%s", what);
        if (n <= t || strcmp(buf + n - t, tail) != 0 || buf[n - t - 1] != '/')
                return jc_error_set(err, 0, "%s `%s' is not this step's (%s)", what, buf, tail);
        if (lstat(buf, &st) < 0)
                return jc_error_set(err, errno, "%s `%s'", what, buf);
        if ((dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) ||
            (st.st_uid != 0 && st.st_uid != uid))
                return jc_error_set(err, 0, "%s `%s' is not a %s of root's or the job's user", what,
                                    buf, dir ? "directory" : "file");
        slash = strrchr(buf, '/');
        if (slash == buf)
                slash[1] = '\0';
        else
                *slash = '\0';
        if (jc_path_root_owned(buf, err) < 0 || lstat(buf, &st) < 0 ||
            (st.st_mode & (S_IWGRP | S_IWOTH)))
                return jc_error_set(err, err->errnum, "%s: `%s' may be written by others than root",
                                    what, buf);
        return 0;
}

int jc_pmix_dir_check(const char *dir, uint32_t job, const char *step, uid_t uid,
                      struct jc_error *err)
{
        char tail[64];

        /* PMIX_SERVER_TMPDIR: SlurmdSpoolDir (or mpi.conf's
         * PMIxTmpDirBase) /pmix.JOB.STEP, made by slurmstepd. */
        jc_format(tail, sizeof(tail), "pmix.%u.%s", job, step);
        return slurm_path_check("PMIx directory", dir, tail, true, uid, err);
}

int jc_batch_script_check(const char *path, uint32_t job, uid_t uid, struct jc_error *err)
{
        char tail[64];

        /* slurmd writes the batch script to SlurmdSpoolDir/jobJJJJJ/
         * slurm_script (Slurm's "job%05u"). */
        jc_format(tail, sizeof(tail), "job%05u/slurm_script", job);
        return slurm_path_check("batch script", path, tail, false, uid, err);
}

/* The inodes of the listening abstract sockets named NAME (with its
 * leading '@', as /proc/net/unix shows them). */
static size_t socket_inodes(const char *name, unsigned long *ino, size_t max)
{
        char line[512], path[256];
        unsigned long inode;
        size_t n = 0;
        FILE *f = fopen("/proc/net/unix", "re");

        if (f == NULL)
                return 0;
        while (n < max && fgets(line, sizeof(line), f) != NULL) {
                /* Num RefCount Protocol Flags Type St Inode Path */
                if (sscanf(line, "%*s %*s %*s %*s %*s %*s %lu %255s", &inode, path) == 2 &&
                    strcmp(path, name) == 0)
                        ino[n++] = inode;
        }
        fclose(f);
        return n;
}

bool jc_holds_socket(const char *pid, const unsigned long *ino, size_t nino)
{
        char dir[64], fd[320], link[64];
        struct dirent *e;
        bool found = false;
        ssize_t k;
        size_t i;
        DIR *d;

        jc_format(dir, sizeof(dir), "/proc/%s/fd", pid);
        d = opendir(dir);
        if (d == NULL)
                return false;
        while (!found && (e = readdir(d)) != NULL) {
                if (e->d_name[0] == '.')
                        continue;
                jc_format(fd, sizeof(fd), "%s/%s", dir, e->d_name);
                k = readlink(fd, link, sizeof(link) - 1);
                if (k <= 0)
                        continue;
                link[k] = '\0';
                for (i = 0; i < nino; i++) {
                        char want[40];

                        jc_format(want, sizeof(want), "socket:[%lu]", ino[i]);
                        if (strcmp(link, want) == 0)
                                found = true;
                }
        }
        closedir(d);
        return found;
}

int jc_cell_reap(const char *cell, pid_t *pids, size_t max, size_t *n, struct jc_error *err)
{
        unsigned long ino[8];
        char name[128];
        struct dirent *e;
        size_t nino, i;
        DIR *d;

        *n = 0;
        /* runner/cell.c: a privileged runner's keeper listens on the
         * abstract socket "jobcell/root/NAME" while the cell lives. */
        jc_format(name, sizeof(name), "@jobcell/root/%s", cell);
        nino = socket_inodes(name, ino, JC_ARRAY_SIZE(ino));
        if (nino == 0)
                return 0;
        d = opendir("/proc");
        if (d == NULL)
                return jc_error_set(err, errno, "open /proc");
        while ((e = readdir(d)) != NULL) {
                if (e->d_name[0] < '1' || e->d_name[0] > '9')
                        continue;
                if (!jc_holds_socket(e->d_name, ino, nino))
                        continue;
                if (*n < max)
                        pids[*n] = (pid_t)strtol(e->d_name, NULL, 10);
                (*n)++;
                /* The keeper: its init dies with it (parent-death signal),
                 * and the kernel then kills the rest of the cell. */
                kill((pid_t)strtol(e->d_name, NULL, 10), SIGKILL);
        }
        closedir(d);
        /* The socket goes with its last descriptor: wait for it (2 s). */
        for (i = 0; i < 200 && socket_inodes(name, ino, JC_ARRAY_SIZE(ino)) > 0; i++)
                nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
        if (socket_inodes(name, ino, JC_ARRAY_SIZE(ino)) > 0)
                return jc_error_set(err, EBUSY, "cell %s: its keeper's socket outlived a SIGKILL",
                                    cell);
        return 1;
}
