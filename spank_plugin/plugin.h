/* The jobcell SPANK plugin: a thin adapter from Slurm to the policy engine
 * and the runner (doc/slurm.md).  jobcell_spank.c dispatches each Slurm
 * callback on spank_context() into one file per context, as Pyxis does:
 * local.c (srun, sbatch, salloc), remote.c (slurmstepd).  The files without
 * Slurm in them (conf.c, check.c) are unit-tested on their own. */
#ifndef JC_SPANK_PLUGIN_H
#define JC_SPANK_PLUGIN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "policy.h"
#include "request.h"
#include "spec.h"

/* plugstack.conf arguments (conf.c). */
struct jc_plugin_conf {
        char *policy;      /* policy=FILE */
        char *runner;      /* runner=PATH: the jobcell binary */
        char *runtime_dir; /* runtime_dir=DIR: handed to the runner */
};

/* Parse the plugstack.conf arguments; unknown ones are errors. */
int jc_conf_parse(struct jc_plugin_conf *conf, int ac, char **av, struct jc_error *err);
void jc_conf_free(struct jc_plugin_conf *conf);
/* (The runner is exec'd with the job's privileges from runner=, and the
 * policy decides what jobs get: both must pass jc_path_root_owned.) */

/* What the job asked for: the --container-* options and SLURM_CONTAINER. */
struct jc_ask {
        struct jc_request req; /* the options jc_request_set knows */
        char *container;       /* SLURM_CONTAINER (srun/sbatch --container) */
        char *user;            /* --container-user, mapped at check time */
        bool remap_given;      /* --(no-)container-remap-root was given */
        bool any;              /* any --container-* option was given */
};

void jc_ask_init(struct jc_ask *ask);
void jc_ask_free(struct jc_ask *ask);
/* Does the job ask for the sandbox at all? */
bool jc_ask_sandboxed(const struct jc_ask *ask);

/* Who submitted the job. */
struct jc_who {
        const char *user;
        uid_t uid;
};

/* The decision for one step (check.c): the spec when sandboxed, or why
 * the step is refused.  POL may be NULL (built-in defaults only). */
enum jc_verdict { JC_PLAIN, JC_SANDBOX, JC_REFUSED };

int jc_check(const struct jc_policy *pol, const char *partition, const struct jc_ask *ask,
             const struct jc_who *who, struct jc_spec *spec, struct jc_error *err);
/* "[partition gpu]" or "[defaults]" (or "built-in defaults"), for logs. */
const char *jc_section_label(const struct jc_policy *pol, const struct jc_spec *spec, char *buf,
                             size_t len);

#endif
