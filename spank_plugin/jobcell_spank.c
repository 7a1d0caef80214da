/* The jobcell SPANK plugin: each Slurm callback dispatches on the context
 * it runs in (srun, sbatch/salloc, slurmstepd) into the file for that
 * context.  See doc/slurm.md for what admins and users get. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "spank_state.h"

SPANK_PLUGIN(jobcell, 1)

struct jc_state jc_st;

void jc_keep_error(const struct jc_error *err)
{
        if (jc_st.pending)
                return; /* the first error is the one to report */
        jc_st.pending = true;
        jc_st.pending_err = *err;
}

int jc_take_error(void)
{
        char buf[JC_ERROR_MSG_MAX + 64];

        if (!jc_st.pending)
                return 0;
        slurm_error("jobcell: %s", jc_error_text(&jc_st.pending_err, buf, sizeof(buf)));
        return -1;
}

void jc_state_free(void)
{
        jc_conf_free(&jc_st.conf);
        jc_ask_free(&jc_st.ask);
        free(jc_st.partition);
        free(jc_st.spec_json);
        if (jc_st.have_spec)
                jc_spec_free(&jc_st.spec);
        memset(&jc_st, 0, sizeof(jc_st));
}

/* slurmd and prolog/epilog scripts: only check the arguments, so a typo in
 * plugstack.conf shows in slurmd's log when slurmd starts. */
static int conf_only_init(int ac, char **av)
{
        struct jc_error err = { 0 };

        if (jc_conf_parse(&jc_st.conf, ac, av, &err) < 0) {
                slurm_error("jobcell: %s", err.msg);
                return -1;
        }
        return 0;
}

int slurm_spank_init(spank_t sp, int ac, char **av)
{
        jc_ask_init(&jc_st.ask);
        switch (spank_context()) {
        case S_CTX_LOCAL:
        case S_CTX_ALLOCATOR:
                return jc_local_init(sp, ac, av);
        case S_CTX_REMOTE:
                return jc_remote_init(sp, ac, av);
        case S_CTX_SLURMD:
        case S_CTX_JOB_SCRIPT:
                return conf_only_init(ac, av);
        default:
                return 0;
        }
}

int slurm_spank_init_post_opt(spank_t sp, int ac, char **av)
{
        switch (spank_context()) {
        case S_CTX_LOCAL:
                return jc_take_error();
        case S_CTX_ALLOCATOR:
                return jc_alloc_post_opt(sp);
        case S_CTX_REMOTE:
                return jc_remote_post_opt(sp);
        default:
                return 0;
        }
}

int slurm_spank_local_user_init(spank_t sp, int ac, char **av)
{
        return spank_context() == S_CTX_LOCAL ? jc_local_user_init(sp) : 0;
}

int slurm_spank_user_init(spank_t sp, int ac, char **av)
{
        return spank_context() == S_CTX_REMOTE ? jc_remote_user_init(sp) : 0;
}

int slurm_spank_task_init_privileged(spank_t sp, int ac, char **av)
{
        return spank_context() == S_CTX_REMOTE ? jc_remote_task_init_privileged(sp) : 0;
}

int slurm_spank_task_init(spank_t sp, int ac, char **av)
{
        return spank_context() == S_CTX_REMOTE ? jc_remote_task_init(sp) : 0;
}

int slurm_spank_task_exit(spank_t sp, int ac, char **av)
{
        return spank_context() == S_CTX_REMOTE ? jc_remote_task_exit(sp) : 0;
}

int slurm_spank_exit(spank_t sp, int ac, char **av)
{
        jc_step_cleanup();
        jc_state_free();
        return 0;
}

int slurm_spank_slurmd_exit(spank_t sp, int ac, char **av)
{
        jc_state_free();
        return 0;
}
