#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "request.h"
#include "spec.h"
#include "values.h"

const struct jc_request_opt jc_request_opts[] = {
        { "image", "IMG",
          "image: a directory, OCI layout, docker archive or squashfs file "
          "(PATH[@sha256:DIGEST])" },
        { "mounts", "SRC[:DST][:ro|rw],...", "bind host paths the policy admits" },
        { "workdir", "DIR", "working directory inside" },
        { "env", "NAME,...", "take these variables from the job's environment" },
        { "network", "none|host", "network mode" },
        { "identity", "user|fakeroot|service-root", "who the job is inside" },
        { "remap-root", NULL, "same as --identity=fakeroot: root inside is you outside" },
        { "no-remap-root", NULL, "same as --identity=user" },
        { "writable", NULL, "a writable root (a tmpfs overlay, discarded at exit)" },
        { "readonly", NULL, "a read-only root" },
        { "entrypoint", NULL, "run the image's entrypoint" },
        { "no-entrypoint", NULL, "do not run the image's entrypoint" },
        { "cap-add", "CAP,...", "keep these capabilities (policy: capabilities_grantable)" },
        { "cap-drop", "CAP,...|ALL", "drop these capabilities" },
        { "seccomp", "default|PATH", "seccomp profile among seccomp_allowed" },
        { "pids-limit", "N", "at most N processes and threads" },
        { "memory-max", "SIZE", "memory limit below the job's" },
        { "swap-max", "SIZE", "swap limit below the job's" },
        { "cpuset", "LIST", "run on these cpus, a subset of the job's" },
        { NULL, NULL, NULL },
};

void jc_request_init(struct jc_request *req)
{
        memset(req, 0, sizeof(*req));
        req->network = -1;
        req->identity = -1;
        req->swap_max = -1;
        req->writable = -1;
        req->entrypoint = -1;
}

void jc_request_free(struct jc_request *req)
{
        free(req->image);
        free(req->seccomp);
        free(req->cpus);
        free(req->workdir);
        jc_strv_free(&req->mounts);
        jc_strv_free(&req->env);
        jc_request_init(req);
}

bool jc_request_empty(const struct jc_request *req)
{
        struct jc_request none;

        jc_request_init(&none);
        return memcmp(req, &none, sizeof(none)) == 0;
}

static int add_list(struct jc_strv *list, const char *value,
                    int (*check)(const char *, struct jc_error *), struct jc_error *err)
{
        struct jc_strv items = { 0 };
        size_t i;
        int rc = 0;

        if (jc_strv_split(&items, value, err) < 0)
                return -1;
        for (i = 0; i < items.n && rc == 0; i++) {
                rc = check(items.v[i], err);
                if (rc == 0)
                        rc = jc_strv_push(list, items.v[i], err);
        }
        jc_strv_free(&items);
        return rc;
}

static int check_mount(const char *s, struct jc_error *err)
{
        _cleanup_free_ char *src = NULL, *dst = NULL;
        char mode;

        return jc_parse_mount(s, &src, &dst, &mode, err);
}

static int set_flag(struct jc_request *req, const char *name)
{
        if (strcmp(name, "remap-root") == 0)
                req->identity = JC_ID_FAKEROOT;
        else if (strcmp(name, "no-remap-root") == 0)
                req->identity = JC_ID_USER;
        else if (strcmp(name, "writable") == 0)
                req->writable = 1;
        else if (strcmp(name, "readonly") == 0)
                req->writable = 0;
        else if (strcmp(name, "entrypoint") == 0)
                req->entrypoint = 1;
        else if (strcmp(name, "no-entrypoint") == 0)
                req->entrypoint = 0;
        else
                return -1;
        return 0;
}

static int set_value(struct jc_request *req, const char *name, const char *value,
                     struct jc_error *err)
{
        uint64_t caps;

        if (strcmp(name, "image") == 0)
                return jc_str_set(&req->image, value, err);
        if (strcmp(name, "mounts") == 0)
                return add_list(&req->mounts, value, check_mount, err);
        if (strcmp(name, "workdir") == 0)
                return jc_check_path(value, err) < 0 ? -1 : jc_str_set(&req->workdir, value, err);
        if (strcmp(name, "env") == 0)
                return add_list(&req->env, value, jc_check_env_name, err);
        if (strcmp(name, "network") == 0)
                return jc_parse_enum(value, jc_network_names, &req->network, err);
        if (strcmp(name, "identity") == 0)
                return jc_parse_enum(value, jc_identity_names, &req->identity, err);
        if (strcmp(name, "cap-add") == 0 || strcmp(name, "cap-drop") == 0) {
                if (jc_parse_caps(value, name[4] == 'd', &caps, err) < 0)
                        return -1;
                if (name[4] == 'd')
                        req->cap_drop |= caps;
                else
                        req->cap_add |= caps;
                return 0;
        }
        if (strcmp(name, "seccomp") == 0) {
                if (strcmp(value, "default") != 0 && jc_check_path(value, err) < 0)
                        return -1;
                return jc_str_set(&req->seccomp, value, err);
        }
        if (strcmp(name, "pids-limit") == 0)
                return jc_parse_int(value, 1, INT32_MAX, &req->pids_limit, err);
        if (strcmp(name, "memory-max") == 0 || strcmp(name, "swap-max") == 0) {
                int64_t *dst = name[0] == 'm' ? &req->memory_max : &req->swap_max;

                if (jc_parse_size(value, dst, err) < 0)
                        return -1;
                if (*dst == 0 && dst == &req->memory_max)
                        return jc_error_set(err, 0, "a memory limit of 0 is not allowed");
                return dst == &req->memory_max ? jc_check_memory_max(*dst, err) : 0;
        }
        if (strcmp(name, "cpuset") == 0)
                return jc_check_cpulist(value, err) < 0 ? -1 : jc_str_set(&req->cpus, value, err);
        return jc_error_set(err, 0, "unknown option");
}

int jc_request_set(struct jc_request *req, const char *name, const char *value,
                   struct jc_error *err)
{
        const struct jc_request_opt *o;

        for (o = jc_request_opts; o->name != NULL; o++)
                if (strcmp(o->name, name) == 0)
                        break;
        if (o->name == NULL)
                return jc_error_set(err, 0, "--%s: unknown option", name);
        if (o->arg == NULL) {
                if (value != NULL)
                        return jc_error_set(err, 0, "--%s takes no value", name);
                return set_flag(req, name);
        }
        if (value == NULL)
                return jc_error_set(err, 0, "--%s needs a value (%s)", name, o->arg);
        if (set_value(req, name, value, err) < 0)
                return jc_error_wrap(err, "--%s=%s", name, value);
        return 0;
}
