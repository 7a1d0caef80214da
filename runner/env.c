#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"

/* What a shell would use when nothing says otherwise (as Docker does). */
#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static bool passes(const struct jc_spec *spec, const char *var)
{
        char name[256];
        size_t n = strcspn(var, "=");
        size_t i;

        if (var[n] != '=' || n == 0 || n >= sizeof(name))
                return false;
        memcpy(name, var, n);
        name[n] = '\0';
        for (i = 0; i < spec->env_passthrough.n; i++)
                if (fnmatch(spec->env_passthrough.v[i], name, 0) == 0)
                        return true;
        return false;
}

char **jc_env_build(const struct jc_spec *spec, char **env, struct jc_error *err)
{
        size_t n = 0, k = 0, i;
        bool path = false;
        char **out;

        while (env != NULL && env[n] != NULL)
                n++;
        out = calloc(n + 2, sizeof(char *));
        if (out == NULL) {
                jc_error_set(err, errno, "environment");
                return NULL;
        }
        for (i = 0; i < n; i++) {
                if (!passes(spec, env[i]))
                        continue;
                path = path || strncmp(env[i], "PATH=", 5) == 0;
                out[k++] = env[i];
        }
        if (!path)
                out[k++] = (char *)DEFAULT_PATH;
        return out;
}
