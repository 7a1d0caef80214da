#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "values.h"

const struct jc_key jc_keys[JC_K_COUNT] = {
        [JC_K_NETWORK] = { "network", JC_T_ENUM, jc_network_names, 0 },
        [JC_K_NETWORK_ALLOWED] = { "network_allowed", JC_T_ENUM_SET, jc_network_names, 0 },
        [JC_K_IDENTITY] = { "identity", JC_T_ENUM, jc_identity_names, 0 },
        [JC_K_IDENTITY_ALLOWED] = { "identity_allowed", JC_T_ENUM_SET, jc_identity_names, 0 },
        [JC_K_ROOT_MAP] = { "root_map", JC_T_ENUM, jc_root_map_names, 0 },
        [JC_K_SERVICE_USER] = { "service_user", JC_T_USER, NULL, 0 },
        [JC_K_SERVICE_GROUP] = { "service_group", JC_T_GROUP, NULL, 0 },
        [JC_K_CAPABILITIES] = { "capabilities", JC_T_CAPS, NULL, 0 },
        [JC_K_CAPABILITIES_GRANTABLE] = { "capabilities_grantable", JC_T_CAPS, NULL, 0 },
        [JC_K_PRIVILEGED] = { "privileged", JC_T_BOOL, NULL, JC_KEY_PARTITION_ONLY },
        [JC_K_SECCOMP] = { "seccomp", JC_T_SECCOMP, NULL, 0 },
        [JC_K_SECCOMP_ALLOWED] = { "seccomp_allowed", JC_T_SECCOMP_SET, NULL, 0 },
        [JC_K_PIDS_LIMIT] = { "pids_limit", JC_T_INT, NULL, 0 },
        [JC_K_PIDS_LIMIT_MAX] = { "pids_limit_max", JC_T_INT, NULL, 0 },
        [JC_K_MEMORY_MAX] = { "memory_max", JC_T_SIZE, NULL, JC_KEY_MEMORY },
        [JC_K_SWAP_MAX] = { "swap_max", JC_T_SIZE, NULL, JC_KEY_ZERO_OK },
        [JC_K_CPUS] = { "cpus", JC_T_CPUS, NULL, 0 },
        [JC_K_READONLY_ROOT] = { "readonly_root", JC_T_BOOL, NULL, 0 },
        [JC_K_WRITABLE_ALLOWED] = { "writable_allowed", JC_T_BOOL, NULL, 0 },
        [JC_K_IMAGES_ALLOWED] = { "images_allowed", JC_T_PATH_GLOBS, NULL, 0 },
        [JC_K_IMAGE_DIGEST_REQUIRED] = { "image_digest_required", JC_T_BOOL, NULL, 0 },
        [JC_K_MOUNTS] = { "mounts", JC_T_MOUNTS, NULL, 0 },
        [JC_K_MOUNTS_ALLOWED] = { "mounts_allowed", JC_T_MOUNT_GLOBS, NULL, 0 },
        [JC_K_DEVICES] = { "devices", JC_T_DEVICES, NULL, 0 },
        [JC_K_ENV_PASSTHROUGH] = { "env_passthrough", JC_T_NAME_GLOBS, NULL, 0 },
        [JC_K_REQUIRE_SANDBOX] = { "require_sandbox", JC_T_BOOL, NULL, 0 },
        [JC_K_HOSTNAME] = { "hostname", JC_T_HOSTNAME, NULL, 0 },
        [JC_K_TMP_SIZE] = { "tmp_size", JC_T_SIZE, NULL, 0 },
        [JC_K_CGROUP_PARENT] = { "cgroup_parent", JC_T_PATH, NULL, 0 },
        [JC_K_IMAGE_FORMATS] = { "image_formats", JC_T_ENUM_SET, jc_image_format_names, 0 },
        [JC_K_SQUASHFS_MOUNT] = { "squashfs_mount", JC_T_ENUM, jc_squashfs_mount_names, 0 },
        [JC_K_IMAGE_CACHE_DIR] = { "image_cache_dir", JC_T_DIR, NULL, 0 },
        [JC_K_IMAGE_CACHE_MAX_SIZE] = { "image_cache_max_size", JC_T_SIZE, NULL, 0 },
};

int jc_key_lookup(const char *name)
{
        int i;

        for (i = 0; i < JC_K_COUNT; i++)
                if (strcmp(jc_keys[i].name, name) == 0)
                        return i;
        return -1;
}

const char *jc_key_name(enum jc_key_id id)
{
        return jc_keys[id].name;
}

int jc_key_rlimit(const char *name)
{
        if (strncmp(name, "rlimit_", 7) != 0)
                return -1;
        return jc_rlimit_from_name(name + 7);
}

void jc_value_free(struct jc_value *v)
{
        free(v->text);
        jc_strv_free(&v->list);
        memset(v, 0, sizeof(*v));
}

static int check_seccomp(const char *s, struct jc_error *err)
{
        if (strcmp(s, "default") == 0)
                return 0;
        if (jc_check_path(s, err) < 0)
                return jc_error_set(err, 0, "`%s' is neither `default' nor an absolute path", s);
        return 0;
}

static int check_device(const char *s, struct jc_error *err)
{
        /* The plain-path rule of jc_check_path: "/dev/.." or "/dev/x/.."
         * end in ".." and would name a place outside /dev. */
        if (strncmp(s, "/dev/", 5) != 0 || jc_check_path(s, NULL) < 0)
                return jc_error_set(err, 0, "`%s' is not a path under /dev", s);
        return 0;
}

static int check_mount(const char *s, struct jc_error *err)
{
        _cleanup_free_ char *src = NULL, *dst = NULL;
        char mode;

        return jc_parse_mount(s, &src, &dst, &mode, err);
}

/* No two different mounts of one list on one target: the second would
 * hide the first (the same mount twice hides nothing). */
static int check_mount_targets(const struct jc_strv *list, struct jc_error *err)
{
        size_t i, j;
        int rc = 0;

        for (i = 1; i < list->n && rc == 0; i++) {
                _cleanup_free_ char *src = NULL, *dst = NULL;
                char mode, mode2;

                if (jc_parse_mount(list->v[i], &src, &dst, &mode, err) < 0)
                        return -1;
                for (j = 0; j < i && rc == 0; j++) {
                        _cleanup_free_ char *src2 = NULL, *dst2 = NULL;

                        if (jc_parse_mount(list->v[j], &src2, &dst2, &mode2, err) < 0)
                                return -1;
                        if (strcmp(dst, dst2) == 0 && (strcmp(src, src2) != 0 || mode != mode2))
                                rc = jc_error_set(err, 0, "`%s': %s is already the target of %s",
                                                  list->v[i], dst, src2);
                }
        }
        return rc;
}

static int check_mount_glob(const char *s, struct jc_error *err)
{
        _cleanup_free_ char *pattern = NULL;
        bool rw;

        return jc_parse_mount_pattern(s, &pattern, &rw, err);
}

static int check_path_glob(const char *s, struct jc_error *err)
{
        if (s[0] != '/')
                return jc_error_set(err, 0, "`%s' is not an absolute path pattern", s);
        return 0;
}

static int check_anything(const char *s, struct jc_error *err)
{
        (void)s;
        (void)err;
        return 0;
}

/* Split TEXT into V->list, checking each item with CHECK. */
static int parse_list(const char *text, struct jc_value *v,
                      int (*check)(const char *, struct jc_error *), struct jc_error *err)
{
        size_t i;

        if (jc_strv_split(&v->list, text, err) < 0)
                return -1;
        for (i = 0; i < v->list.n; i++)
                if (check(v->list.v[i], err) < 0)
                        return -1;
        return 0;
}

static int parse_typed(const struct jc_key *k, const char *text, struct jc_value *v,
                       struct jc_error *err)
{
        bool b;
        int e;
        gid_t gid;
        uid_t uid;

        switch (k->type) {
        case JC_T_BOOL:
                if (jc_parse_bool(text, &b, err) < 0)
                        return -1;
                v->num = b;
                return 0;
        case JC_T_ENUM:
                if (jc_parse_enum(text, k->names, &e, err) < 0)
                        return -1;
                v->num = e;
                return 0;
        case JC_T_ENUM_SET:
                if (jc_parse_enum_set(text, k->names, &v->bits, err) < 0)
                        return -1;
                if (v->bits == 0)
                        return jc_error_set(err, 0, "the list is empty");
                return 0;
        case JC_T_INT:
                return jc_parse_int(text, 1, INT32_MAX, &v->num, err);
        case JC_T_SIZE:
                if (strcmp(text, "none") == 0) {
                        v->num = -1;
                        return 0;
                }
                if (jc_parse_size(text, &v->num, err) < 0)
                        return -1;
                if (v->num == 0 && !(k->flags & JC_KEY_ZERO_OK))
                        return jc_error_set(err, 0, "a size of 0 is not allowed (use `none')");
                return (k->flags & JC_KEY_MEMORY) ? jc_check_memory_max(v->num, err) : 0;
        case JC_T_CAPS:
                return jc_parse_caps(text, false, &v->bits, err);
        case JC_T_SECCOMP:
                return check_seccomp(text, err);
        case JC_T_SECCOMP_SET:
                return parse_list(text, v, check_seccomp, err);
        case JC_T_USER:
                if (jc_parse_service_uid(text, &uid, &gid, err) < 0)
                        return -1;
                v->id = uid;
                v->id2 = gid;
                return 0;
        case JC_T_GROUP:
                if (jc_parse_service_gid(text, &gid, err) < 0)
                        return -1;
                v->id = gid;
                return 0;
        case JC_T_CPUS:
                return strcmp(text, "none") == 0 ? 0 : jc_check_cpulist(text, err);
        case JC_T_PATH_GLOBS:
                return parse_list(text, v, check_path_glob, err);
        case JC_T_MOUNTS:
                if (parse_list(text, v, check_mount, err) < 0)
                        return -1;
                return check_mount_targets(&v->list, err);
        case JC_T_MOUNT_GLOBS:
                return parse_list(text, v, check_mount_glob, err);
        case JC_T_DEVICES:
                return parse_list(text, v, check_device, err);
        case JC_T_NAME_GLOBS:
                return parse_list(text, v, check_anything, err);
        case JC_T_HOSTNAME:
                return jc_check_hostname(text, err);
        case JC_T_PATH:
                return jc_check_path(text, err);
        case JC_T_DIR:
                /* Cache entries become overlayfs lower layers, whose
                 * option syntax gives `,' and `:' a meaning. */
                if (jc_check_path(text, err) < 0)
                        return -1;
                if (strpbrk(text, ",:") != NULL)
                        return jc_error_set(err, 0, "`%s' contains `,' or `:'", text);
                return 0;
        }
        return jc_error_set(err, 0, "internal error: key type %d", (int)k->type);
}

int jc_key_parse(enum jc_key_id id, const char *text, struct jc_value *v, struct jc_error *err)
{
        v->text = jc_strdup(text, err);
        if (v->text == NULL)
                return -1;
        v->set = true;
        return parse_typed(&jc_keys[id], text, v, err);
}

int jc_rlimit_parse(const char *text, struct jc_value *v, struct jc_error *err)
{
        v->text = jc_strdup(text, err);
        if (v->text == NULL)
                return -1;
        v->set = true;
        return jc_parse_rlimit(text, &v->soft, &v->hard, err);
}
