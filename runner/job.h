/* Everything about one runner invocation that is not in the spec: who
 * the job belongs to, what it runs, and how the runner was started. */
#ifndef JC_JOB_H
#define JC_JOB_H

#include <stdbool.h>
#include <sys/types.h>

#include "spec.h"

struct jc_job {
        /* The job's user, as the host knows it. */
        uid_t uid;
        gid_t gid;
        gid_t *groups; /* supplementary groups */
        size_t ngroups;
        char **group_names; /* names of gid, then of each supplementary group */
        char *user;
        char *home;
        /* What runs, and where it came from. */
        char **argv;
        char **env; /* the job's environment (NULL-terminated) */
        char *cwd;  /* the caller's working directory */
        /* How the runner runs. */
        bool privileged;  /* host root powers (root, or the Slurm hand-over) */
        const char *cell; /* a named cell to create or join; NULL: a private one */
        int keep_fds[8];  /* descriptors the job keeps besides 0-2 (PMI_FD) */
        size_t nkeep;
        /* Limits Slurm propagates from the submitting shell (SLURM_RLIMIT_*),
         * applied before the policy's, which win. */
        struct jc_rlimit rlimits[RLIMIT_NLIMITS];
        char *env_buf;  /* the hand-over's environment text, when env points into it */
        bool env_owned; /* env was allocated (hand-over) */
};

void jc_job_free(struct jc_job *job);

#endif
