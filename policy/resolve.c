#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "resolve.h"
#include "values.h"

/* Everything one resolution looks at. */
struct resolver {
        const struct jc_policy *pol;
        struct jc_section eff;
        const struct jc_context *ctx;
        struct jc_spec *spec;
        struct jc_error *err;
};

char *jc_expand_user(const char *pattern, const struct jc_context *ctx, struct jc_error *err)
{
        char out[4096], uid[32];
        size_t o = 0, n;
        const char *p, *add;

        jc_format(uid, sizeof(uid), "%u", (unsigned)ctx->uid);
        for (p = pattern; *p != '\0'; p++) {
                char one[2] = { *p, '\0' };

                add = one;
                if (p[0] == '%' && p[1] == 'u')
                        add = ctx->user ? ctx->user : "";
                else if (p[0] == '%' && p[1] == 'U')
                        add = uid;
                else if (p[0] == '%' && p[1] == '%')
                        add = "%";
                if (add != one)
                        p++;
                n = strlen(add);
                if (o + n >= sizeof(out)) {
                        jc_error_set(err, 0, "`%s' is too long once expanded", pattern);
                        return NULL;
                }
                memcpy(out + o, add, n);
                o += n;
        }
        out[o] = '\0';
        return jc_strdup(out, err);
}

/* Where key ID's effective value comes from, e.g. "[partition gpu]
 * network_allowed = none in /etc/jobcell/policy.ini".  When no section
 * sets it, DFLT says what the built-in default allows. */
static void where(const struct resolver *r, int id, const char *dflt, char *buf, size_t len)
{
        const struct jc_value *v = &r->eff.v[id];
        const char *file = r->pol ? r->pol->path : "no policy file";

        if (!v->set && r->eff.is_defaults)
                jc_format(buf, len, "%s is not set in [defaults] (%s), so only %s",
                          jc_keys[id].name, file, dflt);
        else if (!v->set)
                jc_format(buf, len,
                          "%s is set in neither [partition %s] nor [defaults] (%s), so only %s",
                          jc_keys[id].name, r->eff.name, file, dflt);
        else if (v->origin == JC_ORIGIN_DEFAULTS)
                jc_format(buf, len, "[defaults] %s = %s (%s)", jc_keys[id].name, v->text, file);
        else
                jc_format(buf, len, "[partition %s] %s = %s (%s)", r->eff.name, jc_keys[id].name,
                          v->text, file);
}

static int refuse(const struct resolver *r, int id, const char *dflt, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* A request the policy does not allow: name the option, the key and what
 * the key allows. */
static int refuse(const struct resolver *r, int id, const char *dflt, const char *fmt, ...)
{
        char what[512], loc[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        where(r, id, dflt, loc, sizeof(loc));
        return jc_error_set(r->err, 0, "%s is refused: %s", what, loc);
}

/* The origin of effective key ID, for spec field F. */
static void mark(struct resolver *r, enum jc_spec_field f, int id)
{
        if (r->eff.v[id].set)
                r->spec->origin[f] = r->eff.v[id].origin;
}

static int apply_mounts(struct resolver *r)
{
        const struct jc_strv *list = &r->eff.v[JC_K_MOUNTS].list;
        size_t i;

        for (i = 0; i < list->n; i++) {
                _cleanup_free_ char *text = NULL, *src = NULL, *dst = NULL;
                char mode;

                text = jc_expand_user(list->v[i], r->ctx, r->err);
                if (text == NULL || jc_parse_mount(text, &src, &dst, &mode, r->err) < 0)
                        return -1;
                if (jc_mounts_push(&r->spec->mounts, src, dst, mode == 'w', true, r->err) < 0)
                        return -1;
        }
        mark(r, JC_S_MOUNTS, JC_K_MOUNTS);
        list = &r->eff.v[JC_K_MOUNTS_ALLOWED].list;
        for (i = 0; i < list->n; i++) {
                _cleanup_free_ char *pat = jc_expand_user(list->v[i], r->ctx, r->err);

                if (pat == NULL || jc_strv_push(&r->spec->mounts_allowed, pat, r->err) < 0)
                        return -1;
        }
        mark(r, JC_S_MOUNTS_ALLOWED, JC_K_MOUNTS_ALLOWED);
        return 0;
}

static int apply_policy(struct resolver *r)
{
        const struct jc_value *v = r->eff.v;
        struct jc_spec *s = r->spec;
        int i;

/* Take key JC_K_<NAME> into spec field FIELD (origin JC_S_<NAME>). */
#define TAKE(field, NAME, expr)                            \
        do {                                               \
                if (v[JC_K_##NAME].set) {                  \
                        s->field = (expr);                 \
                        mark(r, JC_S_##NAME, JC_K_##NAME); \
                }                                          \
        } while (0)
        TAKE(network, NETWORK, (enum jc_network)v[JC_K_NETWORK].num);
        TAKE(identity, IDENTITY, (enum jc_identity)v[JC_K_IDENTITY].num);
        TAKE(root_map, ROOT_MAP, (enum jc_root_map)v[JC_K_ROOT_MAP].num);
        TAKE(capabilities, CAPABILITIES, v[JC_K_CAPABILITIES].bits);
        TAKE(privileged, PRIVILEGED, v[JC_K_PRIVILEGED].num != 0);
        TAKE(pids_limit, PIDS_LIMIT, v[JC_K_PIDS_LIMIT].num);
        TAKE(memory_max, MEMORY_MAX, v[JC_K_MEMORY_MAX].num < 0 ? 0 : v[JC_K_MEMORY_MAX].num);
        TAKE(swap_max, SWAP_MAX, v[JC_K_SWAP_MAX].num);
        TAKE(readonly_root, READONLY_ROOT, v[JC_K_READONLY_ROOT].num != 0);
        TAKE(tmp_size, TMP_SIZE, v[JC_K_TMP_SIZE].num < 0 ? 0 : v[JC_K_TMP_SIZE].num);
        TAKE(image_formats, IMAGE_FORMATS, v[JC_K_IMAGE_FORMATS].bits);
        TAKE(squashfs_mount, SQUASHFS_MOUNT, (enum jc_squashfs_mount)v[JC_K_SQUASHFS_MOUNT].num);
        TAKE(image_cache_max_size, IMAGE_CACHE_MAX_SIZE, v[JC_K_IMAGE_CACHE_MAX_SIZE].num);
#undef TAKE
        if (v[JC_K_SERVICE_USER].set) {
                s->service_uid = v[JC_K_SERVICE_USER].id;
                s->service_gid = v[JC_K_SERVICE_USER].id2;
                mark(r, JC_S_SERVICE_UID, JC_K_SERVICE_USER);
                mark(r, JC_S_SERVICE_GID, JC_K_SERVICE_USER);
        }
        if (v[JC_K_SERVICE_GROUP].set) {
                s->service_gid = v[JC_K_SERVICE_GROUP].id;
                mark(r, JC_S_SERVICE_GID, JC_K_SERVICE_GROUP);
        }
        if (v[JC_K_SECCOMP].set && jc_str_set(&s->seccomp, v[JC_K_SECCOMP].text, r->err) < 0)
                return -1;
        mark(r, JC_S_SECCOMP, JC_K_SECCOMP);
        if (v[JC_K_CPUS].set &&
            jc_str_set(&s->cpus, strcmp(v[JC_K_CPUS].text, "none") ? v[JC_K_CPUS].text : "", r->err) <
                    0)
                return -1;
        mark(r, JC_S_CPUS, JC_K_CPUS);
        if (v[JC_K_HOSTNAME].set && jc_str_set(&s->hostname, v[JC_K_HOSTNAME].text, r->err) < 0)
                return -1;
        if (v[JC_K_IMAGE_CACHE_DIR].set &&
            jc_str_set(&s->image_cache_dir, v[JC_K_IMAGE_CACHE_DIR].text, r->err) < 0)
                return -1;
        mark(r, JC_S_IMAGE_CACHE_DIR, JC_K_IMAGE_CACHE_DIR);
        mark(r, JC_S_HOSTNAME, JC_K_HOSTNAME);
        if (v[JC_K_CGROUP_PARENT].set &&
            jc_str_set(&s->cgroup_parent, v[JC_K_CGROUP_PARENT].text, r->err) < 0)
                return -1;
        mark(r, JC_S_CGROUP_PARENT, JC_K_CGROUP_PARENT);
        if (v[JC_K_DEVICES].set && jc_strv_copy(&s->devices, &v[JC_K_DEVICES].list, r->err) < 0)
                return -1;
        mark(r, JC_S_DEVICES, JC_K_DEVICES);
        if (v[JC_K_ENV_PASSTHROUGH].set) {
                jc_strv_free(&s->env_passthrough);
                if (jc_strv_copy(&s->env_passthrough, &v[JC_K_ENV_PASSTHROUGH].list, r->err) < 0)
                        return -1;
                mark(r, JC_S_ENV_PASSTHROUGH, JC_K_ENV_PASSTHROUGH);
        }
        for (i = 0; i < RLIMIT_NLIMITS; i++) {
                const struct jc_value *rl = &r->eff.rlimit[i];

                if (!rl->set)
                        continue;
                s->rlimits[i] =
                        (struct jc_rlimit){ .set = true, .soft = rl->soft, .hard = rl->hard };
                if (rl->origin > s->origin[JC_S_RLIMITS])
                        s->origin[JC_S_RLIMITS] = rl->origin;
        }
        /* Privileged: every capability (inside the user namespace, never
         * on the host), the host's devices and no seccomp filter. */
        if (s->privileged)
                s->capabilities = jc_caps_all();
        return apply_mounts(r);
}

/* Is PATH admitted by one of the (user-expanded) patterns in LIST? */
static int admitted(const struct resolver *r, const struct jc_strv *list, const char *path,
                    bool *ok)
{
        size_t i;

        *ok = false;
        for (i = 0; i < list->n && !*ok; i++) {
                _cleanup_free_ char *pat = jc_expand_user(list->v[i], r->ctx, r->err);

                if (pat == NULL)
                        return -1;
                *ok = jc_path_admitted(pat, path);
        }
        return 0;
}

static int request_image(struct resolver *r, const char *image)
{
        _cleanup_free_ char *path = jc_strdup(image, r->err);
        const struct jc_value *allowed = &r->eff.v[JC_K_IMAGES_ALLOWED];
        const struct jc_value *digest = &r->eff.v[JC_K_IMAGE_DIGEST_REQUIRED];
        char *at;
        bool ok = true;

        if (path == NULL)
                return -1;
        at = strrchr(path, '@');
        if (at != NULL) {
                *at++ = '\0';
                if (jc_check_digest(at, r->err) < 0)
                        return jc_error_wrap(r->err, "--image=%s", image);
                if (jc_str_set(&r->spec->image_digest, at, r->err) < 0)
                        return -1;
                r->spec->origin[JC_S_IMAGE_DIGEST] = JC_ORIGIN_REQUEST;
        }
        if (jc_check_path(path, r->err) < 0)
                return jc_error_wrap(r->err, "--image=%s", image);
        if (allowed->set && admitted(r, &allowed->list, path, &ok) < 0)
                return -1;
        if (!ok)
                return refuse(r, JC_K_IMAGES_ALLOWED, "any image", "image `%s'", path);
        if (digest->set && digest->num && at == NULL)
                return refuse(r, JC_K_IMAGE_DIGEST_REQUIRED, "",
                              "image `%s' without @sha256:DIGEST", path);
        r->spec->origin[JC_S_IMAGE] = JC_ORIGIN_REQUEST;
        return jc_str_set(&r->spec->image, path, r->err);
}

/* An enum choice: the default, a value in ALLOWED_KEY's set, or (when
 * TIGHTEST >= 0) the tightest value, which every job may take. */
static int request_choice(struct resolver *r, int asked, int *field, enum jc_spec_field f,
                          int allowed_key, int tightest, const char *const *names)
{
        const struct jc_value *allowed = &r->eff.v[allowed_key];

        if (asked < 0 || asked == *field)
                return 0;
        if (asked != tightest && !(allowed->set && (allowed->bits & (UINT64_C(1) << asked)))) {
                char dflt[128];

                jc_format(dflt, sizeof(dflt), "the default, %s", names[*field]);
                return refuse(r, allowed_key, dflt, "%s=%s", jc_spec_field_names[f], names[asked]);
        }
        *field = asked;
        r->spec->origin[f] = JC_ORIGIN_REQUEST;
        return 0;
}

static int request_caps(struct resolver *r, const struct jc_request *req)
{
        const struct jc_value *grant = &r->eff.v[JC_K_CAPABILITIES_GRANTABLE];
        uint64_t may = r->spec->capabilities | (grant->set ? grant->bits : 0);
        uint64_t extra = req->cap_add & ~may;

        if (extra != 0) {
                _cleanup_free_ char *names = jc_caps_format(extra);

                return refuse(r, JC_K_CAPABILITIES_GRANTABLE, "the capabilities already granted",
                              "cap-add=%s", names ? names : "?");
        }
        if (req->cap_add == 0 && req->cap_drop == 0)
                return 0;
        r->spec->capabilities = (r->spec->capabilities | req->cap_add) & ~req->cap_drop;
        r->spec->origin[JC_S_CAPABILITIES] = JC_ORIGIN_REQUEST;
        return 0;
}

static int request_seccomp(struct resolver *r, const char *asked)
{
        const struct jc_value *allowed = &r->eff.v[JC_K_SECCOMP_ALLOWED];

        if (asked == NULL || strcmp(asked, r->spec->seccomp) == 0)
                return 0;
        if (!allowed->set || !jc_strv_contains(&allowed->list, asked))
                return refuse(r, JC_K_SECCOMP_ALLOWED, "the default profile", "seccomp=%s", asked);
        r->spec->origin[JC_S_SECCOMP] = JC_ORIGIN_REQUEST;
        return jc_str_set(&r->spec->seccomp, asked, r->err);
}

/* A limit the job may lower but never raise: pids, memory, swap. */
static int request_limit(struct resolver *r, int64_t asked, int64_t *field, bool has_max,
                         int64_t max, enum jc_spec_field f, int key)
{
        if (has_max && asked > max)
                return refuse(r, key, "lower values", "%s=%lld (above %lld)",
                              jc_spec_field_names[f], (long long)asked, (long long)max);
        *field = asked;
        r->spec->origin[f] = JC_ORIGIN_REQUEST;
        return 0;
}

static int request_cpus(struct resolver *r, const char *asked)
{
        uint8_t have[8192], want[8192];
        size_t i;

        if (asked == NULL)
                return 0;
        if (r->spec->cpus[0] != '\0') {
                memset(have, 0, sizeof(have));
                memset(want, 0, sizeof(want));
                if (jc_cpulist_bits(r->spec->cpus, have, sizeof(have) * 8, r->err) < 0 ||
                    jc_cpulist_bits(asked, want, sizeof(want) * 8, r->err) < 0)
                        return -1;
                for (i = 0; i < sizeof(have); i++)
                        if (want[i] & ~have[i])
                                return refuse(r, JC_K_CPUS, "", "cpuset=%s (not a subset)", asked);
        }
        r->spec->origin[JC_S_CPUS] = JC_ORIGIN_REQUEST;
        return jc_str_set(&r->spec->cpus, asked, r->err);
}

static int request_writable(struct resolver *r, int writable)
{
        const struct jc_value *allowed = &r->eff.v[JC_K_WRITABLE_ALLOWED];

        if (writable < 0 || (writable == 1) == !r->spec->readonly_root)
                return 0;
        if (writable == 1 && !(allowed->set && allowed->num))
                return refuse(r, JC_K_WRITABLE_ALLOWED, "a read-only root", "writable");
        r->spec->readonly_root = writable == 0;
        r->spec->origin[JC_S_READONLY_ROOT] = JC_ORIGIN_REQUEST;
        return 0;
}

/* Places a job's bind mount may not cover: the runner builds them. */
static bool reserved_target(const char *dst)
{
        static const char *const reserved[] = { "/proc", "/sys", "/dev" };
        size_t i, n;

        if (strcmp(dst, "/") == 0)
                return true;
        for (i = 0; i < JC_ARRAY_SIZE(reserved); i++) {
                n = strlen(reserved[i]);
                if (strncmp(dst, reserved[i], n) == 0 && (dst[n] == '\0' || dst[n] == '/'))
                        return true;
        }
        return false;
}

static int request_mount(struct resolver *r, const char *text)
{
        _cleanup_free_ char *src = NULL, *dst = NULL;
        bool ro_ok, rw_ok, rw;
        char mode;
        size_t i;

        if (jc_parse_mount(text, &src, &dst, &mode, r->err) < 0)
                return -1;
        if (reserved_target(dst))
                return jc_error_set(r->err, 0, "mounts=%s: jobcell builds %s itself", text, dst);
        if (jc_mount_admitted(&r->spec->mounts_allowed, src, &ro_ok, &rw_ok, r->err) < 0)
                return -1;
        if (!ro_ok)
                return refuse(r, JC_K_MOUNTS_ALLOWED, "no host path", "mounts=%s", text);
        if (mode == 'w' && !rw_ok)
                return refuse(r, JC_K_MOUNTS_ALLOWED, "no host path", "mounts=%s (read-write)",
                              text);
        /* Without a flag a mount is read-write where the policy grants it
         * (as Pyxis binds read-write), else read-only. */
        rw = mode == 'w' || (mode == 0 && rw_ok);
        /* Another mount on this target would be hidden by this one: a
         * mistake, never a wish.  The same mount again hides nothing, and
         * slurmstepd hands the plugin each option twice (doc/slurm.md): it
         * is taken once. */
        for (i = 0; i < r->spec->mounts.n; i++) {
                const struct jc_mount *m = &r->spec->mounts.v[i];

                if (m->policy || strcmp(m->dst, dst) != 0)
                        continue;
                if (strcmp(m->src, src) == 0 && m->rw == rw)
                        return 0;
                return jc_error_set(r->err, 0, "mounts=%s: %s is already the target of %s", text,
                                    dst, m->src);
        }
        return jc_mounts_push(&r->spec->mounts, src, dst, rw, false, r->err);
}

static int apply_request(struct resolver *r, const struct jc_request *req)
{
        struct jc_spec *s = r->spec;
        int network = (int)s->network, identity = (int)s->identity;
        const struct jc_value *pmax = &r->eff.v[JC_K_PIDS_LIMIT_MAX];
        size_t i;

        if (req->image != NULL && request_image(r, req->image) < 0)
                return -1;
        if (request_choice(r, req->network, &network, JC_S_NETWORK, JC_K_NETWORK_ALLOWED,
                           JC_NET_NONE, jc_network_names) < 0 ||
            request_choice(r, req->identity, &identity, JC_S_IDENTITY, JC_K_IDENTITY_ALLOWED, -1,
                           jc_identity_names) < 0)
                return -1;
        s->network = (enum jc_network)network;
        s->identity = (enum jc_identity)identity;
        if (request_caps(r, req) < 0 || request_seccomp(r, req->seccomp) < 0)
                return -1;
        if (req->pids_limit > 0 &&
            request_limit(r, req->pids_limit, &s->pids_limit, true,
                          pmax->set ? pmax->num : s->pids_limit, JC_S_PIDS_LIMIT,
                          pmax->set ? JC_K_PIDS_LIMIT_MAX : JC_K_PIDS_LIMIT) < 0)
                return -1;
        if (req->memory_max > 0 &&
            request_limit(r, req->memory_max, &s->memory_max, s->memory_max > 0, s->memory_max,
                          JC_S_MEMORY_MAX, JC_K_MEMORY_MAX) < 0)
                return -1;
        if (req->swap_max >= 0 && request_limit(r, req->swap_max, &s->swap_max, s->swap_max >= 0,
                                                s->swap_max, JC_S_SWAP_MAX, JC_K_SWAP_MAX) < 0)
                return -1;
        if (request_cpus(r, req->cpus) < 0 || request_writable(r, req->writable) < 0)
                return -1;
        for (i = 0; i < req->mounts.n; i++)
                if (request_mount(r, req->mounts.v[i]) < 0)
                        return -1;
        if (req->mounts.n > 0)
                s->origin[JC_S_MOUNTS] = JC_ORIGIN_REQUEST;
        if (req->workdir != NULL) {
                if (jc_str_set(&s->workdir, req->workdir, r->err) < 0)
                        return -1;
                s->origin[JC_S_WORKDIR] = JC_ORIGIN_REQUEST;
        }
        if (req->env.n > 0) {
                if (jc_strv_copy(&s->env, &req->env, r->err) < 0)
                        return -1;
                s->origin[JC_S_ENV] = JC_ORIGIN_REQUEST;
        }
        if (req->entrypoint >= 0) {
                s->entrypoint = req->entrypoint == 1;
                s->origin[JC_S_ENTRYPOINT] = JC_ORIGIN_REQUEST;
        }
        return 0;
}

int jc_resolve(const struct jc_policy *pol, const char *partition, const struct jc_request *req,
               const struct jc_context *ctx, struct jc_spec *spec, struct jc_error *err)
{
        struct resolver r = { .pol = pol, .ctx = ctx, .spec = spec, .err = err };
        const struct jc_section *sec = jc_policy_partition(pol, partition);

        if (jc_spec_init(spec, err) < 0)
                return -1;
        jc_policy_effective(pol, partition, &r.eff);
        if (sec != NULL) {
                if (jc_str_set(&spec->partition, sec->name, err) < 0)
                        goto fail;
                spec->origin[JC_S_PARTITION] = JC_ORIGIN_PARTITION;
        } else if (pol != NULL) {
                spec->origin[JC_S_PARTITION] = JC_ORIGIN_DEFAULTS;
        }
        if (apply_policy(&r) < 0 || (req != NULL && apply_request(&r, req) < 0))
                goto fail;
        return 0;
fail:
        jc_spec_free(spec);
        return -1;
}
