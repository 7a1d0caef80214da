/* The image's config (OCI image-spec config.md; Docker's is the same
 * shape) and how a request's overrides combine with it, with the meaning
 * Pyxis gives --container-workdir, --container-env and
 * --container-entrypoint. */
#include "config.h"

#include <errno.h>
#include <json.h>
#include <stdlib.h>
#include <string.h>

#include "image_internal.h"

json_object *jc_json_parse(const char *text, size_t len, const char *what, struct jc_error *err)
{
        struct json_tokener *tok = json_tokener_new_ex(64);
        json_object *o;
        size_t end;

        if (tok == NULL) {
                jc_error_set(err, ENOMEM, "parse %s", what);
                return NULL;
        }
        /* Strict: no trailing garbage, no comments; text must be one value. */
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        o = json_tokener_parse_ex(tok, text, (int)len);
        end = o != NULL ? json_tokener_get_parse_end(tok) : 0;
        while (end < len && strchr(" \t\r\n", text[end]) != NULL)
                end++;
        if (o == NULL || json_tokener_get_error(tok) != json_tokener_success || end != len ||
            memchr(text, '\0', len) != NULL) {
                jc_error_set(err, 0, "%s is not valid JSON: %s", what,
                             json_tokener_error_desc(json_tokener_get_error(tok)));
                json_object_put(o);
                o = NULL;
        }
        json_tokener_free(tok);
        return o;
}

/* An array of strings (or null/absent: empty) into SV. */
static int strv_field(json_object *obj, const char *key, struct jc_strv *sv, struct jc_error *err)
{
        json_object *a = json_object_object_get(obj, key);
        size_t i;

        if (a == NULL)
                return 0;
        if (!json_object_is_type(a, json_type_array))
                return jc_error_set(err, 0, "image config: %s is not a list of strings", key);
        for (i = 0; i < json_object_array_length(a); i++) {
                json_object *s = json_object_array_get_idx(a, i);

                if (!json_object_is_type(s, json_type_string))
                        return jc_error_set(err, 0, "image config: %s is not a list of strings",
                                            key);
                if (jc_strv_push(sv, json_object_get_string(s), err) < 0)
                        return -1;
        }
        return 0;
}

static int str_field(json_object *obj, const char *key, char **out, struct jc_error *err)
{
        json_object *s = json_object_object_get(obj, key);

        if (s != NULL && !json_object_is_type(s, json_type_string))
                return jc_error_set(err, 0, "image config: %s is not a string", key);
        *out = jc_strdup(s ? json_object_get_string(s) : "", err);
        return *out ? 0 : -1;
}

void jc_image_config_free(struct jc_image_config *cfg)
{
        jc_strv_free(&cfg->env);
        jc_strv_free(&cfg->entrypoint);
        jc_strv_free(&cfg->cmd);
        free(cfg->workdir);
        free(cfg->user);
        memset(cfg, 0, sizeof(*cfg));
}

int jc_image_config_parse(const char *json, size_t len, struct jc_image_config *cfg,
                          struct jc_error *err)
{
        json_object *root, *c;
        size_t i;
        int rc = -1;

        memset(cfg, 0, sizeof(*cfg));
        root = jc_json_parse(json, len, "image config", err);
        if (root == NULL)
                return -1;
        if (!json_object_is_type(root, json_type_object)) {
                jc_error_set(err, 0, "image config is not a JSON object");
                goto out;
        }
        c = json_object_object_get(root, "config");
        if (c != NULL && !json_object_is_type(c, json_type_object) &&
            !json_object_is_type(c, json_type_null)) {
                jc_error_set(err, 0, "image config: config is not an object");
                goto out;
        }
        if (c == NULL || json_object_is_type(c, json_type_null)) {
                c = json_object_new_object(); /* no config: run nothing by default */
                json_object_object_add(root, "config", c);
        }
        if (strv_field(c, "Env", &cfg->env, err) < 0 ||
            strv_field(c, "Entrypoint", &cfg->entrypoint, err) < 0 ||
            strv_field(c, "Cmd", &cfg->cmd, err) < 0 ||
            str_field(c, "WorkingDir", &cfg->workdir, err) < 0 ||
            str_field(c, "User", &cfg->user, err) < 0)
                goto out;
        for (i = 0; i < cfg->env.n; i++) {
                const char *eq = strchr(cfg->env.v[i], '=');

                if (eq == NULL || eq == cfg->env.v[i]) {
                        jc_error_set(err, 0, "image config: Env item `%s' is not NAME=value",
                                     cfg->env.v[i]);
                        goto out;
                }
        }
        rc = 0;
out:
        json_object_put(root);
        if (rc < 0)
                jc_image_config_free(cfg);
        return rc;
}

int jc_image_argv(const struct jc_image_config *cfg, bool entrypoint, char *const *argv,
                  struct jc_strv *out, struct jc_error *err)
{
        static const struct jc_image_config none;
        const struct jc_strv *dflt;
        size_t i;

        if (cfg == NULL)
                cfg = &none;
        memset(out, 0, sizeof(*out));
        if (entrypoint)
                for (i = 0; i < cfg->entrypoint.n; i++)
                        if (jc_strv_push(out, cfg->entrypoint.v[i], err) < 0)
                                goto fail;
        if (argv != NULL && argv[0] != NULL) {
                for (i = 0; argv[i] != NULL; i++)
                        if (jc_strv_push(out, argv[i], err) < 0)
                                goto fail;
        } else {
                dflt = &cfg->cmd;
                for (i = 0; i < dflt->n; i++)
                        if (jc_strv_push(out, dflt->v[i], err) < 0)
                                goto fail;
        }
        if (out->n == 0) {
                jc_error_set(err, 0, "no command: none was given and the image has no %s",
                             entrypoint ? "Entrypoint or Cmd" : "Cmd");
                goto fail;
        }
        return 0;
fail:
        jc_strv_free(out);
        return -1;
}

/* Length of the name in "NAME=value". */
static size_t name_len(const char *kv)
{
        const char *eq = strchr(kv, '=');

        return eq ? (size_t)(eq - kv) : strlen(kv);
}

/* Index of the variable named like KV in SV, or -1. */
static ssize_t env_find(const struct jc_strv *sv, const char *kv)
{
        size_t n = name_len(kv), i;

        for (i = 0; i < sv->n; i++)
                if (name_len(sv->v[i]) == n && strncmp(sv->v[i], kv, n) == 0)
                        return (ssize_t)i;
        return -1;
}

static bool overridden(const struct jc_strv *names, const char *kv)
{
        size_t n = name_len(kv), i;

        for (i = 0; names != NULL && i < names->n; i++)
                if (strlen(names->v[i]) == n && strncmp(names->v[i], kv, n) == 0)
                        return true;
        return false;
}

int jc_image_env(const struct jc_image_config *cfg, char *const *job_env,
                 const struct jc_strv *override, struct jc_strv *out, struct jc_error *err)
{
        size_t i;
        ssize_t at;

        memset(out, 0, sizeof(*out));
        for (i = 0; cfg != NULL && i < cfg->env.n; i++) {
                at = env_find(out, cfg->env.v[i]);
                if (at >= 0) { /* a repeated name: the later one, as Docker does */
                        char *d = jc_strdup(cfg->env.v[i], err);

                        if (d == NULL)
                                goto fail;
                        free(out->v[at]);
                        out->v[at] = d;
                } else if (jc_strv_push(out, cfg->env.v[i], err) < 0) {
                        goto fail;
                }
        }
        for (i = 0; job_env != NULL && job_env[i] != NULL; i++) {
                if (strchr(job_env[i], '=') == NULL)
                        continue;
                at = env_find(out, job_env[i]);
                if (at < 0) {
                        if (jc_strv_push(out, job_env[i], err) < 0)
                                goto fail;
                } else if (overridden(override, job_env[i])) {
                        char *d = jc_strdup(job_env[i], err);

                        if (d == NULL)
                                goto fail;
                        free(out->v[at]);
                        out->v[at] = d;
                }
        }
        return 0;
fail:
        jc_strv_free(out);
        return -1;
}

const char *jc_image_workdir(const struct jc_image_config *cfg, const char *requested)
{
        if (requested != NULL && requested[0] != '\0')
                return requested;
        if (cfg != NULL && cfg->workdir != NULL)
                return cfg->workdir;
        return "";
}
