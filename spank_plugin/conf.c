/* plugstack.conf arguments of the plugin, and the trust check of the paths
 * the plugin execs from.  No Slurm in here: tests/unit/test_spank.c. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plugin.h"
#include "values.h"

#ifndef JC_DEFAULT_RUNNER
#define JC_DEFAULT_RUNNER "/usr/bin/jobcell"
#endif

static const struct {
        const char *name;
        size_t off;
        const char *dflt;
} conf_keys[] = {
        { "policy", offsetof(struct jc_plugin_conf, policy), SYSCONFDIR "/jobcell/policy.ini" },
        { "runner", offsetof(struct jc_plugin_conf, runner), JC_DEFAULT_RUNNER },
};

static char **conf_field(struct jc_plugin_conf *conf, size_t i)
{
        return (char **)((char *)conf + conf_keys[i].off);
}

void jc_conf_free(struct jc_plugin_conf *conf)
{
        size_t i;

        for (i = 0; i < JC_ARRAY_SIZE(conf_keys); i++) {
                free(*conf_field(conf, i));
                *conf_field(conf, i) = NULL;
        }
}

int jc_conf_parse(struct jc_plugin_conf *conf, int ac, char **av, struct jc_error *err)
{
        size_t i, n;
        int a;

        memset(conf, 0, sizeof(*conf));
        for (a = 0; a < ac; a++) {
                const char *eq = strchr(av[a], '=');

                for (i = 0; eq != NULL && i < JC_ARRAY_SIZE(conf_keys); i++) {
                        n = strlen(conf_keys[i].name);
                        if ((size_t)(eq - av[a]) == n && strncmp(av[a], conf_keys[i].name, n) == 0)
                                break;
                }
                if (eq == NULL || i == JC_ARRAY_SIZE(conf_keys)) {
                        jc_error_set(err, 0,
                                     "plugstack.conf: unknown argument `%s' (known: policy=FILE, "
                                     "runner=PATH)",
                                     av[a]);
                        goto fail;
                }
                if (*conf_field(conf, i) != NULL) {
                        jc_error_set(err, 0, "plugstack.conf: `%s' given twice", conf_keys[i].name);
                        goto fail;
                }
                /* Absolute and without "." or "..": the paths are exec'd or
                 * read as root, never looked up relative to a cwd. */
                if (jc_check_path(eq + 1, err) < 0) {
                        jc_error_wrap(err, "plugstack.conf: %s", av[a]);
                        goto fail;
                }
                *conf_field(conf, i) = jc_strdup(eq + 1, err);
                if (*conf_field(conf, i) == NULL)
                        goto fail;
        }
        for (i = 0; i < JC_ARRAY_SIZE(conf_keys); i++)
                if (*conf_field(conf, i) == NULL &&
                    (*conf_field(conf, i) = jc_strdup(conf_keys[i].dflt, err)) == NULL)
                        goto fail;
        return 0;
fail:
        jc_conf_free(conf);
        return -1;
}
