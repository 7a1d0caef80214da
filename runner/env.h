/* The job's environment inside the sandbox. */
#ifndef JC_ENV_H
#define JC_ENV_H

#include "spec.h"

#include "job.h"

/* The job's environment: JOB->env filtered by the spec's env_passthrough
 * globs, PATH set if missing.  With IDENTITY (root started the runner for
 * another user: its own variables are not the job's), HOME, USER and
 * LOGNAME name the job's user.  Free with jc_env_free. */
char **jc_env_build(const struct jc_spec *spec, const struct jc_job *job, bool identity,
                    struct jc_error *err);
void jc_env_free(char **env);

#endif
