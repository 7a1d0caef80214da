/* The plugin in srun (S_CTX_LOCAL) and in sbatch/salloc (S_CTX_ALLOCATOR),
 * as the user on the login node.  Here the plugin only fails fast, with a
 * clear message: the node checks everything again and decides.
 *
 * srun: the options' syntax when they are parsed, then, in local_user_init
 * (after the allocation, before the step launches), the whole request
 * against the policy for SLURM_JOB_PARTITION, which srun has set by then.
 *
 * sbatch: only the options' syntax.  The partition is not known to the
 * plugin when sbatch runs (it may come from -p, #SBATCH lines, SBATCH_*
 * variables or the default), so the policy check happens when the batch
 * step starts on the node; a refused batch job fails with the reason in
 * its error file and in slurmd's log. */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spank_state.h"

int jc_local_init(spank_t sp, int ac, char **av)
{
        struct jc_error err = { 0 };

        if (jc_conf_parse(&jc_st.conf, ac, av, &err) < 0) {
                slurm_error("jobcell: %s", err.msg);
                return -1;
        }
        return jc_options_register(sp);
}

int jc_alloc_post_opt(spank_t sp)
{
        return jc_take_error();
}

/* The policy as this user can read it.  A login node without the file, or
 * with one only root may read, skips the early check: the node decides. */
static int load_policy(struct jc_policy **pol, bool *skip)
{
        struct jc_strv diags = { 0 };
        struct jc_error err = { 0 };
        char buf[JC_ERROR_MSG_MAX + 64];

        *skip = false;
        if (jc_policy_load(jc_st.conf.policy, pol, &diags, &err) == 0)
                return 0;
        jc_strv_free(&diags);
        if (err.errnum == ENOENT || err.errnum == EACCES) {
                slurm_verbose("jobcell: %s: the node checks the request",
                              jc_error_text(&err, buf, sizeof(buf)));
                *skip = true;
                return 0;
        }
        slurm_error("jobcell: %s", jc_error_text(&err, buf, sizeof(buf)));
        return -1;
}

int jc_local_user_init(spank_t sp)
{
        struct jc_policy *pol = NULL;
        struct jc_error err = { 0 };
        struct jc_spec spec;
        struct passwd pw, *res = NULL;
        char pwbuf[4096];
        struct jc_who who = { .uid = getuid() };
        const char *container = getenv("SLURM_CONTAINER");
        bool skip;
        int rc;

        if (jc_take_error() < 0)
                return -1;
        if (container != NULL && (jc_st.ask.container = jc_strdup(container, &err)) == NULL)
                goto fail;
        if (load_policy(&pol, &skip) < 0)
                return -1;
        if (skip)
                return 0;
        if (getpwuid_r(who.uid, &pw, pwbuf, sizeof(pwbuf), &res) == 0 && res != NULL)
                who.user = pw.pw_name;
        /* Set by srun from its allocation: good enough for an early
         * answer; the node asks slurmctld. */
        rc = jc_check(pol, getenv("SLURM_JOB_PARTITION"), &jc_st.ask, &who, &spec, &err);
        jc_policy_free(pol);
        if (rc < 0)
                goto fail;
        if (rc == JC_SANDBOX)
                jc_spec_free(&spec);
        return 0;
fail:
        slurm_error("jobcell: %s", err.msg);
        return -1;
}
