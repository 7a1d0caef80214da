#include "config.h"

#include <cap-ng.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/securebits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "privs.h"
#include "util.h"

static void caps_into(uint64_t caps, capng_type_t sets)
{
        unsigned c;

        for (c = 0; c < 64; c++)
                if (caps & (UINT64_C(1) << c))
                        capng_update(CAPNG_ADD, sets, c);
}

int jc_privs_drop(uid_t uid, gid_t gid, uint64_t caps, struct jc_error *err)
{
        /* The Slurm hand-over keeps capabilities across its switch to the
         * user with SECBIT_NO_SETUID_FIXUP: the job gets no securebit. */
        if (prctl(PR_SET_SECUREBITS, 0, 0, 0, 0) < 0)
                return jc_error_set(err, errno, "clear securebits");
        capng_clear(CAPNG_SELECT_ALL);
        /* libcap-ng acts on the process it first met: a vfork'd child
         * (runner/member.c) shares that memory with its parent. */
        capng_setpid(getpid());
        caps_into(caps, CAPNG_BOUNDING_SET);
        if (capng_apply(CAPNG_SELECT_BOUNDS) < 0)
                return jc_error_set(err, EPERM, "drop the capability bounding set");
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return jc_error_set(err, errno, "keepcaps");
        if (setresgid(gid, gid, gid) < 0)
                return jc_error_set(err, errno, "setresgid %u", (unsigned)gid);
        if (setresuid(uid, uid, uid) < 0)
                return jc_error_set(err, errno, "setresuid %u", (unsigned)uid);
        capng_clear(CAPNG_SELECT_ALL);
        caps_into(caps, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_INHERITABLE);
        if (capng_apply(CAPNG_SELECT_CAPS) < 0)
                return jc_error_set(err, EPERM, "set capabilities");
        /* Ambient capabilities survive execve for a non-root uid; an empty
         * ambient set is applied too, to clear what was inherited. */
        caps_into(caps, CAPNG_AMBIENT);
        if (capng_apply(CAPNG_SELECT_AMBIENT) < 0)
                return jc_error_set(err, EPERM, "set ambient capabilities");
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
                return jc_error_set(err, errno, "keepcaps off");
        /* After this, execve can never raise privilege again: setuid bits
         * and file capabilities are inert. */
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return jc_error_set(err, errno, "no_new_privs");
        return 0;
}

int jc_rlimits_apply(const struct jc_rlimit *soft, const struct jc_spec *spec, struct jc_error *err)
{
        struct rlimit cur;
        int r;

        for (r = 0; soft != NULL && r < RLIMIT_NLIMITS; r++) {
                if (!soft[r].set || getrlimit(r, &cur) < 0)
                        continue;
                cur.rlim_cur = soft[r].soft < cur.rlim_max ? soft[r].soft : cur.rlim_max;
                setrlimit(r, &cur); /* as slurmstepd: a limit it cannot set is not fatal */
        }
        for (r = 0; r < RLIMIT_NLIMITS; r++) {
                struct rlimit rl = { spec->rlimits[r].soft, spec->rlimits[r].hard };

                if (!spec->rlimits[r].set)
                        continue;
                /* Raising a hard limit needs CAP_SYS_RESOURCE on the host,
                 * which the sandbox never has: say so. */
                if (setrlimit(r, &rl) < 0)
                        return jc_error_set(err, errno, "rlimit %s %llu:%llu", jc_rlimit_name(r),
                                            (unsigned long long)rl.rlim_cur,
                                            (unsigned long long)rl.rlim_max);
        }
        return 0;
}

static int cmp_int(const void *a, const void *b)
{
        return *(const int *)a - *(const int *)b;
}

int jc_fds_close(const int *keep, size_t nkeep, bool at_exec, struct jc_error *err)
{
        unsigned int from = 3, flags = at_exec ? CLOSE_RANGE_CLOEXEC : 0;
        _cleanup_free_ int *sorted = NULL;
        size_t i;

        sorted = malloc((nkeep + 1) * sizeof(int));
        if (sorted == NULL)
                return jc_error_set(err, errno, "close descriptors");
        if (nkeep > 0)
                memcpy(sorted, keep, nkeep * sizeof(int));
        qsort(sorted, nkeep, sizeof(int), cmp_int);
        for (i = 0; i < nkeep; i++) {
                if (sorted[i] < 3 || (unsigned)sorted[i] < from)
                        continue;
                if ((unsigned)sorted[i] > from &&
                    close_range(from, (unsigned)sorted[i] - 1, flags) < 0)
                        return jc_error_set(err, errno, "close_range");
                from = (unsigned)sorted[i] + 1;
        }
        if (close_range(from, ~0U, flags) < 0)
                return jc_error_set(err, errno, "close_range");
        for (i = 0; at_exec && i < nkeep; i++)
                if (keep[i] > 2 && fcntl(keep[i], F_SETFD, 0) < 0)
                        return jc_error_set(err, errno, "keep fd %d", keep[i]);
        return 0;
}
