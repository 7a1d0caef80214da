/* The plugin's state inside one Slurm process.  Each srun, sbatch and
 * slurmstepd (one per step) loads the plugin once, so one global holds it,
 * as in Pyxis.  Everything here is freed in slurm_spank_exit. */
#ifndef JC_SPANK_STATE_H
#define JC_SPANK_STATE_H

#include <slurm/spank.h>

#include "plugin.h"

struct jc_state {
        struct jc_plugin_conf conf;
        struct jc_ask ask;
        /* An error from a callback whose return Slurm ignores (an option
         * callback in slurmstepd): the next callback that counts returns
         * it. */
        bool pending;
        struct jc_error pending_err;

        /* slurmstepd: the step and what was decided for it. */
        uint32_t job_id;
        uint32_t step_id;
        uid_t uid;
        char step[16];           /* "0", "batch", "interactive" */
        char cell[80];           /* "JOB.STEP.RANDOM" (jc_cell_name) */
        pid_t stepd_pid;         /* this step's slurmstepd (init_post_opt) */
        int verdict;             /* JC_PLAIN, JC_SANDBOX or -1 (refused) */
        struct jc_error refusal; /* why, when refused */
        char *partition;         /* from slurmctld, never from the job */
        char where[1024];        /* "[partition P] (FILE)": the policy applied */
        struct jc_spec spec;
        bool have_spec;
        char *spec_json;
        uint64_t caps; /* the runner's: runner/handover_caps.h */

        /* The task's own process (after slurmstepd forked it). */
        bool secbit_set;          /* task_init_privileged set the securebit */
        struct jc_error task_err; /* task_init_privileged failed: why */
};

extern struct jc_state jc_st;

/* Keep an error for the next callback that counts. */
void jc_keep_error(const struct jc_error *err);
/* Return -1 (after logging it) if an error was kept, else 0. */
int jc_take_error(void);

/* options.c: register the --container-* options (slurm_spank_init). */
int jc_options_register(spank_t sp);

/* local.c: srun (S_CTX_LOCAL), sbatch and salloc (S_CTX_ALLOCATOR). */
int jc_local_init(spank_t sp, int ac, char **av);
int jc_local_user_init(spank_t sp);
int jc_alloc_post_opt(spank_t sp);

/* remote.c: slurmstepd (S_CTX_REMOTE). */
int jc_remote_init(spank_t sp, int ac, char **av);
int jc_remote_post_opt(spank_t sp);
int jc_remote_user_init(spank_t sp);
int jc_remote_task_init_privileged(spank_t sp);
int jc_remote_task_init(spank_t sp);
int jc_remote_task_exit(spank_t sp);

/* partition.c: the job's partition, asked from slurmctld. */
int jc_job_partition(uint32_t job_id, char **partition, struct jc_error *err);

/* handover.c: in task_init_privileged, as root, for a sandboxed step:
 * set SECBIT_NO_SETUID_FIXUP, so the task keeps its capabilities through
 * Slurm's switch to the user. */
int jc_handover_prepare(struct jc_error *err);
/* In task_init: exec the runner for this task with exactly jc_st.caps;
 * returns only on error, after jc_handover_undo. */
int jc_handover_exec(spank_t sp, struct jc_error *err);
/* Take back what jc_handover_prepare gave: the securebit, every
 * capability, the ambient set.  For every path that does not exec the
 * runner. */
void jc_handover_undo(void);
/* cleanup.c: after the step (slurm_spank_exit), nothing of its cell may
 * be left on the node. */
void jc_step_cleanup(void);

void jc_state_free(void);

#endif
