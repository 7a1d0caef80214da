#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "util.h"

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

static bool is_var(const char *var, const char *name)
{
        size_t n = strlen(name);

        return strncmp(var, name, n) == 0 && var[n] == '=';
}

static char *var(const char *name, const char *value)
{
        size_t n = strlen(name), m = strlen(value);
        char *s = malloc(n + m + 2);

        if (s != NULL) {
                memcpy(s, name, n);
                s[n] = '=';
                memcpy(s + n + 1, value, m + 1);
        }
        return s;
}

char **jc_env_build(const struct jc_spec *spec, const struct jc_job *job, bool identity,
                    struct jc_error *err)
{
        static const char *const ids[] = { "HOME", "USER", "LOGNAME" };
        char **env = job->env, **out;
        size_t n = 0, k = 0, i, j;
        bool path = false;

        while (env != NULL && env[n] != NULL)
                n++;
        out = calloc(n + 5, sizeof(char *));
        if (out == NULL)
                goto nomem;
        for (i = 0; i < n; i++) {
                bool skip = !passes(spec, env[i]);

                for (j = 0; identity && j < JC_ARRAY_SIZE(ids); j++)
                        skip = skip || is_var(env[i], ids[j]);
                if (skip)
                        continue;
                path = path || is_var(env[i], "PATH");
                if ((out[k++] = strdup(env[i])) == NULL)
                        goto nomem;
        }
        if (!path && (out[k++] = strdup(DEFAULT_PATH)) == NULL)
                goto nomem;
        for (j = 0; identity && j < JC_ARRAY_SIZE(ids); j++)
                if ((out[k++] = var(ids[j], j == 0 ? job->home : job->user)) == NULL)
                        goto nomem;
        return out;
nomem:
        jc_env_free(out);
        jc_error_set(err, ENOMEM, "environment");
        return NULL;
}

void jc_env_free(char **env)
{
        size_t i;

        for (i = 0; env != NULL && env[i] != NULL; i++)
                free(env[i]);
        free(env);
}
