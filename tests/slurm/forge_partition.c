/* LD_PRELOAD shim for tests/slurm/plugin.sh: an attacker's srun.  srun
 * sets SLURM_JOB_PARTITION with setenv() before its plugins' local checks
 * and before it sends the step's environment; with FORGE_PARTITION set,
 * this shim makes that value FORGE_PARTITION instead.  The node must not
 * care. */
#include "config.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

int setenv(const char *name, const char *value, int overwrite)
{
        static int (*real)(const char *, const char *, int);
        const char *forged = getenv("FORGE_PARTITION");

        if (real == NULL)
                *(void **)&real = dlsym(RTLD_NEXT, "setenv");
        if (real == NULL)
                return -1;
        if (forged != NULL && strcmp(name, "SLURM_JOB_PARTITION") == 0)
                value = forged;
        return real(name, value, overwrite);
}
