/* The job's environment inside the sandbox. */
#ifndef JC_ENV_H
#define JC_ENV_H

#include "spec.h"

/* ENV filtered by the spec's env_passthrough globs, PATH set if missing.
 * The strings are ENV's (not copied); free the array with free(). */
char **jc_env_build(const struct jc_spec *spec, char **env, struct jc_error *err);

#endif
