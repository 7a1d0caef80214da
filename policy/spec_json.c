#include "config.h"

#include <errno.h>
#include <json.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"
#include "values.h"

/* Bump when a field changes meaning; readers refuse other versions. */
#define JC_SPEC_VERSION 1

enum ftype {
        F_STR,
        F_BOOL,
        F_INT,
        F_UID,
        F_ENUM,
        F_ENUM_SET,
        F_CAPS,
        F_RLIMITS,
        F_MOUNTS,
        F_STRV,
        F_RELAY
};

struct field {
        enum jc_spec_field id;
        enum ftype type;
        size_t off;
        const char *const *names;
};

#define FIELD(id, type, member, names)                            \
        {                                                         \
                id, type, offsetof(struct jc_spec, member), names \
        }
static const struct field fields[] = {
        FIELD(JC_S_PARTITION, F_STR, partition, NULL),
        FIELD(JC_S_IMAGE, F_STR, image, NULL),
        FIELD(JC_S_IMAGE_DIGEST, F_STR, image_digest, NULL),
        FIELD(JC_S_NETWORK, F_ENUM, network, jc_network_names),
        FIELD(JC_S_IDENTITY, F_ENUM, identity, jc_identity_names),
        FIELD(JC_S_ROOT_MAP, F_ENUM, root_map, jc_root_map_names),
        FIELD(JC_S_SERVICE_UID, F_UID, service_uid, NULL),
        FIELD(JC_S_SERVICE_GID, F_UID, service_gid, NULL),
        FIELD(JC_S_CAPABILITIES, F_CAPS, capabilities, NULL),
        FIELD(JC_S_PRIVILEGED, F_BOOL, privileged, NULL),
        FIELD(JC_S_SECCOMP, F_STR, seccomp, NULL),
        FIELD(JC_S_PIDS_LIMIT, F_INT, pids_limit, NULL),
        FIELD(JC_S_MEMORY_MAX, F_INT, memory_max, NULL),
        FIELD(JC_S_SWAP_MAX, F_INT, swap_max, NULL),
        FIELD(JC_S_CPUS, F_STR, cpus, NULL),
        FIELD(JC_S_RLIMITS, F_RLIMITS, rlimits, NULL),
        FIELD(JC_S_READONLY_ROOT, F_BOOL, readonly_root, NULL),
        FIELD(JC_S_MOUNTS, F_MOUNTS, mounts, NULL),
        FIELD(JC_S_MOUNTS_ALLOWED, F_STRV, mounts_allowed, NULL),
        FIELD(JC_S_DEVICES, F_STRV, devices, NULL),
        FIELD(JC_S_ENV_PASSTHROUGH, F_STRV, env_passthrough, NULL),
        FIELD(JC_S_ENV, F_STRV, env, NULL),
        FIELD(JC_S_HOSTNAME, F_STR, hostname, NULL),
        FIELD(JC_S_TMP_SIZE, F_INT, tmp_size, NULL),
        FIELD(JC_S_WORKDIR, F_STR, workdir, NULL),
        FIELD(JC_S_ENTRYPOINT, F_BOOL, entrypoint, NULL),
        FIELD(JC_S_CGROUP_PARENT, F_STR, cgroup_parent, NULL),
        FIELD(JC_S_IMAGE_FORMATS, F_ENUM_SET, image_formats, jc_image_format_names),
        FIELD(JC_S_SQUASHFS_MOUNT, F_ENUM, squashfs_mount, jc_squashfs_mount_names),
        FIELD(JC_S_IMAGE_CACHE_DIR, F_STR, image_cache_dir, NULL),
        FIELD(JC_S_IMAGE_CACHE_MAX_SIZE, F_INT, image_cache_max_size, NULL),
        FIELD(JC_S_RELAY_TCP, F_RELAY, relay_tcp, NULL),
};
#undef FIELD

_Static_assert(JC_ARRAY_SIZE(fields) == JC_S_COUNT, "every spec field is serialised");

static json_object *relay_json(const struct jc_relay_ports *r)
{
        json_object *a = json_object_new_array();
        char buf[32];
        size_t i;

        for (i = 0; a != NULL && i < r->n; i++) {
                jc_relay_port_format(&r->v[i], buf, sizeof(buf));
                if (json_object_array_add(a, json_object_new_string(buf)) < 0) {
                        json_object_put(a);
                        return NULL;
                }
        }
        return a;
}

static json_object *rlim_value(uint64_t v)
{
        if (v == RLIM_INFINITY)
                return json_object_new_string("unlimited");
        return json_object_new_int64((int64_t)v);
}

static json_object *rlimits_json(const struct jc_rlimit *rl)
{
        json_object *o = json_object_new_object(), *one;
        int i;

        for (i = 0; o != NULL && i < RLIMIT_NLIMITS; i++) {
                if (!rl[i].set)
                        continue;
                one = json_object_new_object();
                if (one == NULL) {
                        json_object_put(o);
                        return NULL;
                }
                json_object_object_add(one, "soft", rlim_value(rl[i].soft));
                json_object_object_add(one, "hard", rlim_value(rl[i].hard));
                json_object_object_add(o, jc_rlimit_name(i), one);
        }
        return o;
}

static json_object *mounts_json(const struct jc_mounts *m)
{
        json_object *a = json_object_new_array(), *one;
        size_t i;

        for (i = 0; a != NULL && i < m->n; i++) {
                one = json_object_new_object();
                if (one == NULL) {
                        json_object_put(a);
                        return NULL;
                }
                json_object_object_add(one, "src", json_object_new_string(m->v[i].src));
                json_object_object_add(one, "dst", json_object_new_string(m->v[i].dst));
                json_object_object_add(one, "rw", json_object_new_boolean(m->v[i].rw));
                json_object_object_add(one, "policy", json_object_new_boolean(m->v[i].policy));
                json_object_array_add(a, one);
        }
        return a;
}

json_object *jc_strv_json(const struct jc_strv *sv)
{
        json_object *a = json_object_new_array();
        size_t i;

        for (i = 0; a != NULL && i < sv->n; i++)
                json_object_array_add(a, json_object_new_string(sv->v[i]));
        return a;
}

static json_object *caps_json(uint64_t caps)
{
        _cleanup_free_ char *names = jc_caps_format(caps);
        struct jc_strv sv = { 0 };
        json_object *a;

        if (names == NULL || jc_strv_split(&sv, names, NULL) < 0)
                return NULL;
        a = jc_strv_json(&sv);
        jc_strv_free(&sv);
        return a;
}

static int want(json_object *v, json_type t, const char *name, struct jc_error *err);

static json_object *enum_set_json(uint64_t bits, const char *const *names)
{
        json_object *a = json_object_new_array();
        size_t i;

        for (i = 0; a != NULL && names[i] != NULL; i++)
                if (bits & (UINT64_C(1) << i))
                        json_object_array_add(a, json_object_new_string(names[i]));
        return a;
}

static int enum_set_from(json_object *v, const char *name, const char *const *names, uint64_t *out,
                         struct jc_error *err)
{
        size_t i;
        int e;

        if (want(v, json_type_array, name, err) < 0)
                return -1;
        *out = 0;
        for (i = 0; i < json_object_array_length(v); i++) {
                json_object *s = json_object_array_get_idx(v, i);

                if (want(s, json_type_string, name, err) < 0 ||
                    jc_parse_enum(json_object_get_string(s), names, &e, err) < 0)
                        return jc_error_wrap(err, "spec field `%s'", name);
                *out |= UINT64_C(1) << e;
        }
        return 0;
}

static json_object *field_json(const struct jc_spec *spec, const struct field *f)
{
        const char *p = (const char *)spec + f->off;

        switch (f->type) {
        case F_STR:
                return json_object_new_string(*(char *const *)p);
        case F_BOOL:
                return json_object_new_boolean(*(const bool *)p);
        case F_INT:
                return json_object_new_int64(*(const int64_t *)p);
        case F_UID:
                return json_object_new_int64(*(const uint32_t *)p);
        case F_ENUM:
                return json_object_new_string(f->names[*(const int *)p]);
        case F_ENUM_SET:
                return enum_set_json(*(const uint64_t *)p, f->names);
        case F_CAPS:
                return caps_json(*(const uint64_t *)p);
        case F_RLIMITS:
                return rlimits_json((const struct jc_rlimit *)p);
        case F_MOUNTS:
                return mounts_json((const struct jc_mounts *)p);
        case F_STRV:
                return jc_strv_json((const struct jc_strv *)p);
        case F_RELAY:
                return relay_json((const struct jc_relay_ports *)p);
        }
        return NULL;
}

json_object *jc_spec_to_json_object(const struct jc_spec *spec, struct jc_error *err)
{
        json_object *root = json_object_new_object();
        json_object *s = json_object_new_object(), *o = json_object_new_object(), *v;
        size_t i;

        if (root == NULL || s == NULL || o == NULL)
                goto nomem;
        json_object_object_add(root, "version", json_object_new_int(JC_SPEC_VERSION));
        json_object_object_add(root, "spec", s);
        json_object_object_add(root, "origin", o);
        s = o = NULL;
        for (i = 0; i < JC_ARRAY_SIZE(fields); i++) {
                v = field_json(spec, &fields[i]);
                if (v == NULL)
                        goto nomem;
                json_object_object_add(json_object_object_get(root, "spec"),
                                       jc_spec_field_names[fields[i].id], v);
                json_object_object_add(
                        json_object_object_get(root, "origin"), jc_spec_field_names[fields[i].id],
                        json_object_new_string(jc_origin_names[spec->origin[fields[i].id]]));
        }
        return root;
nomem:
        json_object_put(root);
        json_object_put(s);
        json_object_put(o);
        jc_error_set(err, ENOMEM, "spec to JSON");
        return NULL;
}

char *jc_spec_to_json(const struct jc_spec *spec, bool pretty, struct jc_error *err)
{
        json_object *root = jc_spec_to_json_object(spec, err);
        char *out;

        if (root == NULL)
                return NULL;
        out = jc_strdup(json_object_to_json_string_ext(
                                root, pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
                                             : JSON_C_TO_STRING_PLAIN),
                        err);
        json_object_put(root);
        return out;
}

static int want(json_object *v, json_type t, const char *name, struct jc_error *err)
{
        if (v == NULL || !json_object_is_type(v, t))
                return jc_error_set(err, 0, "spec field `%s' has the wrong type", name);
        return 0;
}

static int int_from(json_object *v, const char *name, int64_t min, int64_t max, int64_t *out,
                    struct jc_error *err)
{
        if (want(v, json_type_int, name, err) < 0)
                return -1;
        errno = 0;
        *out = json_object_get_int64(v);
        if (errno != 0 || *out < min || *out > max)
                return jc_error_set(err, 0, "spec field `%s' is out of range", name);
        return 0;
}

static int rlim_from(json_object *v, uint64_t *out, struct jc_error *err)
{
        int64_t n;

        if (v != NULL && json_object_is_type(v, json_type_string) &&
            strcmp(json_object_get_string(v), "unlimited") == 0) {
                *out = RLIM_INFINITY;
                return 0;
        }
        if (int_from(v, "rlimits", 0, INT64_MAX, &n, err) < 0)
                return -1;
        *out = (uint64_t)n;
        return 0;
}

static int rlimits_from(json_object *v, struct jc_rlimit *rl, struct jc_error *err)
{
        struct json_object_iterator it, end;
        int res;

        if (want(v, json_type_object, "rlimits", err) < 0)
                return -1;
        memset(rl, 0, sizeof(*rl) * RLIMIT_NLIMITS);
        for (it = json_object_iter_begin(v), end = json_object_iter_end(v);
             !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
                json_object *one = json_object_iter_peek_value(&it);

                res = jc_rlimit_from_name(json_object_iter_peek_name(&it));
                if (res < 0)
                        return jc_error_set(err, 0, "spec rlimits: unknown resource `%s'",
                                            json_object_iter_peek_name(&it));
                if (want(one, json_type_object, "rlimits", err) < 0 ||
                    rlim_from(json_object_object_get(one, "soft"), &rl[res].soft, err) < 0 ||
                    rlim_from(json_object_object_get(one, "hard"), &rl[res].hard, err) < 0)
                        return -1;
                rl[res].set = true;
        }
        return 0;
}

static int strv_from(json_object *v, const char *name, struct jc_strv *sv, struct jc_error *err)
{
        size_t i;

        if (want(v, json_type_array, name, err) < 0)
                return -1;
        jc_strv_free(sv);
        for (i = 0; i < json_object_array_length(v); i++) {
                json_object *s = json_object_array_get_idx(v, i);

                if (want(s, json_type_string, name, err) < 0 ||
                    jc_strv_push(sv, json_object_get_string(s), err) < 0)
                        return -1;
        }
        return 0;
}

static int mounts_from(json_object *v, struct jc_mounts *m, struct jc_error *err)
{
        size_t i;

        if (want(v, json_type_array, "mounts", err) < 0)
                return -1;
        jc_mounts_free(m);
        for (i = 0; i < json_object_array_length(v); i++) {
                json_object *one = json_object_array_get_idx(v, i);
                json_object *src = json_object_object_get(one, "src");
                json_object *dst = json_object_object_get(one, "dst");
                json_object *rw = json_object_object_get(one, "rw");
                json_object *pol = json_object_object_get(one, "policy");

                if (want(src, json_type_string, "mounts", err) < 0 ||
                    want(dst, json_type_string, "mounts", err) < 0 ||
                    want(rw, json_type_boolean, "mounts", err) < 0 ||
                    want(pol, json_type_boolean, "mounts", err) < 0)
                        return -1;
                if (jc_check_path(json_object_get_string(src), err) < 0 ||
                    jc_check_path(json_object_get_string(dst), err) < 0)
                        return jc_error_wrap(err, "spec mounts");
                if (jc_mounts_push(m, json_object_get_string(src), json_object_get_string(dst),
                                   json_object_get_boolean(rw), json_object_get_boolean(pol),
                                   err) < 0)
                        return -1;
        }
        return 0;
}

/* Sorted and without duplicates, as jc_relay_ports_add keeps them: the
 * tasks of a step present the same spec to their cell. */
static int relay_from(json_object *v, struct jc_relay_ports *r, struct jc_error *err)
{
        struct jc_relay_port p;
        size_t i;

        if (want(v, json_type_array, "relay_tcp", err) < 0)
                return -1;
        memset(r, 0, sizeof(*r));
        for (i = 0; i < json_object_array_length(v); i++) {
                json_object *s = json_object_array_get_idx(v, i);

                if (want(s, json_type_string, "relay_tcp", err) < 0)
                        return -1;
                if (jc_relay_port_parse(json_object_get_string(s), &p, err) < 0 ||
                    jc_relay_ports_add(r, &p, err) < 0)
                        return jc_error_wrap(err, "spec field `relay_tcp'");
                if (r->n != i + 1)
                        return jc_error_set(err, EINVAL, "spec field `relay_tcp': `%s' twice",
                                            json_object_get_string(s));
        }
        return 0;
}

static int caps_from(json_object *v, uint64_t *caps, struct jc_error *err)
{
        struct jc_strv sv = { 0 };
        _cleanup_free_ char *joined = NULL;
        int rc;

        if (strv_from(v, "capabilities", &sv, err) < 0) {
                jc_strv_free(&sv);
                return -1;
        }
        joined = jc_strv_join(&sv, ",");
        jc_strv_free(&sv);
        if (joined == NULL)
                return jc_error_set(err, ENOMEM, "spec capabilities");
        rc = jc_parse_caps(joined, false, caps, err);
        return rc < 0 ? jc_error_wrap(err, "spec capabilities") : 0;
}

static int field_from(struct jc_spec *spec, const struct field *f, json_object *v,
                      struct jc_error *err)
{
        char *p = (char *)spec + f->off;
        const char *name = jc_spec_field_names[f->id];
        int64_t n;
        int e;

        switch (f->type) {
        case F_STR: {
                char *d;

                if (want(v, json_type_string, name, err) < 0)
                        return -1;
                d = jc_strdup(json_object_get_string(v), err);
                if (d == NULL)
                        return -1;
                free(*(char **)p);
                *(char **)p = d;
                return 0;
        }
        case F_BOOL:
                if (want(v, json_type_boolean, name, err) < 0)
                        return -1;
                *(bool *)p = json_object_get_boolean(v);
                return 0;
        case F_INT:
                return int_from(v, name, -1, INT64_MAX, (int64_t *)p, err);
        case F_UID:
                if (int_from(v, name, 0, UINT32_MAX - 1, &n, err) < 0)
                        return -1;
                *(uint32_t *)p = (uint32_t)n;
                return 0;
        case F_ENUM:
                if (want(v, json_type_string, name, err) < 0 ||
                    jc_parse_enum(json_object_get_string(v), f->names, &e, err) < 0)
                        return jc_error_wrap(err, "spec field `%s'", name);
                *(int *)p = e;
                return 0;
        case F_ENUM_SET:
                return enum_set_from(v, name, f->names, (uint64_t *)p, err);
        case F_CAPS:
                return caps_from(v, (uint64_t *)p, err);
        case F_RLIMITS:
                return rlimits_from(v, (struct jc_rlimit *)p, err);
        case F_MOUNTS:
                return mounts_from(v, (struct jc_mounts *)p, err);
        case F_STRV:
                return strv_from(v, name, (struct jc_strv *)p, err);
        case F_RELAY:
                return relay_from(v, (struct jc_relay_ports *)p, err);
        }
        return jc_error_set(err, 0, "internal error: field type");
}

static const struct field *field_named(const char *name)
{
        size_t i;

        for (i = 0; i < JC_ARRAY_SIZE(fields); i++)
                if (strcmp(jc_spec_field_names[fields[i].id], name) == 0)
                        return &fields[i];
        return NULL;
}

static int origins_from(struct jc_spec *spec, json_object *o, struct jc_error *err)
{
        size_t i;
        int e;

        if (want(o, json_type_object, "origin", err) < 0)
                return -1;
        for (i = 0; i < JC_ARRAY_SIZE(fields); i++) {
                json_object *v = json_object_object_get(o, jc_spec_field_names[fields[i].id]);

                if (want(v, json_type_string, "origin", err) < 0 ||
                    jc_parse_enum(json_object_get_string(v), jc_origin_names, &e, err) < 0)
                        return jc_error_wrap(err, "spec origin of `%s'",
                                             jc_spec_field_names[fields[i].id]);
                spec->origin[fields[i].id] = (enum jc_origin)e;
        }
        return 0;
}

/* Every field must be there, and nothing else: a spec is a contract. */
static int spec_from(struct jc_spec *spec, json_object *root, struct jc_error *err)
{
        json_object *s = json_object_object_get(root, "spec");
        json_object *ver = json_object_object_get(root, "version");
        struct json_object_iterator it, end;
        size_t seen = 0;

        if (ver == NULL || !json_object_is_type(ver, json_type_int) ||
            json_object_get_int(ver) != JC_SPEC_VERSION)
                return jc_error_set(err, 0, "spec: version is not %d", JC_SPEC_VERSION);
        if (want(s, json_type_object, "spec", err) < 0)
                return -1;
        for (it = json_object_iter_begin(s), end = json_object_iter_end(s);
             !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
                const struct field *f = field_named(json_object_iter_peek_name(&it));

                if (f == NULL)
                        return jc_error_set(err, 0, "spec: unknown field `%s'",
                                            json_object_iter_peek_name(&it));
                if (field_from(spec, f, json_object_iter_peek_value(&it), err) < 0)
                        return -1;
                seen++;
        }
        if (seen != JC_ARRAY_SIZE(fields))
                return jc_error_set(err, 0, "spec: %zu of %zu fields are missing",
                                    JC_ARRAY_SIZE(fields) - seen, JC_ARRAY_SIZE(fields));
        return origins_from(spec, json_object_object_get(root, "origin"), err);
}

int jc_spec_from_json(struct jc_spec *spec, const char *json, struct jc_error *err)
{
        enum json_tokener_error jerr = json_tokener_success;
        json_object *root;
        int rc;

        if (jc_spec_init(spec, err) < 0)
                return -1;
        root = json_tokener_parse_verbose(json, &jerr);
        if (root == NULL) {
                jc_spec_free(spec);
                return jc_error_set(err, 0, "spec: %s", json_tokener_error_desc(jerr));
        }
        rc = spec_from(spec, root, err);
        json_object_put(root);
        if (rc < 0)
                jc_spec_free(spec);
        return rc;
}
