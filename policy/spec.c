#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"

const char *const jc_network_names[] = { "none", "host", NULL };
const char *const jc_identity_names[] = { "user", "fakeroot", "service-root", NULL };
const char *const jc_root_map_names[] = { "service", "subuid", NULL };
const char *const jc_origin_names[] = { "builtin", "defaults", "partition", "request", NULL };
const char *const jc_image_format_names[] = { "dir", "oci", "docker", "squashfs", NULL };
const char *const jc_squashfs_mount_names[] = { "squashfuse", "kernel", NULL };

const char *const jc_spec_field_names[JC_S_COUNT] = {
        [JC_S_PARTITION] = "partition",
        [JC_S_IMAGE] = "image",
        [JC_S_IMAGE_DIGEST] = "image_digest",
        [JC_S_NETWORK] = "network",
        [JC_S_IDENTITY] = "identity",
        [JC_S_ROOT_MAP] = "root_map",
        [JC_S_SERVICE_UID] = "service_uid",
        [JC_S_SERVICE_GID] = "service_gid",
        [JC_S_CAPABILITIES] = "capabilities",
        [JC_S_PRIVILEGED] = "privileged",
        [JC_S_SECCOMP] = "seccomp",
        [JC_S_PIDS_LIMIT] = "pids_limit",
        [JC_S_MEMORY_MAX] = "memory_max",
        [JC_S_SWAP_MAX] = "swap_max",
        [JC_S_CPUS] = "cpus",
        [JC_S_RLIMITS] = "rlimits",
        [JC_S_READONLY_ROOT] = "readonly_root",
        [JC_S_MOUNTS] = "mounts",
        [JC_S_MOUNTS_ALLOWED] = "mounts_allowed",
        [JC_S_DEVICES] = "devices",
        [JC_S_ENV_PASSTHROUGH] = "env_passthrough",
        [JC_S_ENV] = "env",
        [JC_S_HOSTNAME] = "hostname",
        [JC_S_TMP_SIZE] = "tmp_size",
        [JC_S_WORKDIR] = "workdir",
        [JC_S_ENTRYPOINT] = "entrypoint",
        [JC_S_CGROUP_PARENT] = "cgroup_parent",
        [JC_S_IMAGE_FORMATS] = "image_formats",
        [JC_S_SQUASHFS_MOUNT] = "squashfs_mount",
        [JC_S_IMAGE_CACHE_DIR] = "image_cache_dir",
        [JC_S_IMAGE_CACHE_MAX_SIZE] = "image_cache_max_size",
        [JC_S_RELAY_TCP] = "relay_tcp",
};

static const char *const rlimit_names[RLIMIT_NLIMITS] = {
        [RLIMIT_AS] = "as",
        [RLIMIT_CORE] = "core",
        [RLIMIT_CPU] = "cpu",
        [RLIMIT_DATA] = "data",
        [RLIMIT_FSIZE] = "fsize",
        [RLIMIT_LOCKS] = "locks",
        [RLIMIT_MEMLOCK] = "memlock",
        [RLIMIT_MSGQUEUE] = "msgqueue",
        [RLIMIT_NICE] = "nice",
        [RLIMIT_NOFILE] = "nofile",
        [RLIMIT_NPROC] = "nproc",
        [RLIMIT_RSS] = "rss",
        [RLIMIT_RTPRIO] = "rtprio",
        [RLIMIT_RTTIME] = "rttime",
        [RLIMIT_SIGPENDING] = "sigpending",
        [RLIMIT_STACK] = "stack",
};

const char *jc_rlimit_name(int resource)
{
        if (resource < 0 || resource >= RLIMIT_NLIMITS)
                return NULL;
        return rlimit_names[resource];
}

int jc_rlimit_from_name(const char *name)
{
        int i;

        for (i = 0; i < RLIMIT_NLIMITS; i++)
                if (rlimit_names[i] != NULL && strcmp(rlimit_names[i], name) == 0)
                        return i;
        return -1;
}

int jc_spec_init(struct jc_spec *spec, struct jc_error *err)
{
        memset(spec, 0, sizeof(*spec));
        spec->network = JC_NET_NONE;
        spec->identity = JC_ID_USER;
        spec->root_map = JC_ROOTMAP_SERVICE;
        spec->service_uid = 65534; /* resolved from service_user = nobody */
        spec->service_gid = 65534;
        spec->pids_limit = 8192;
        spec->swap_max = -1;
        spec->readonly_root = true;
        spec->image_formats = (UINT64_C(1) << JC_IMG_COUNT) - 1;
        /* squashfuse parses the user's file in user space; a kernel mount
         * would parse it in the kernel (doc/images.md). */
        spec->squashfs_mount = JC_SQFS_SQUASHFUSE;
        spec->image_cache_max_size = -1;
        /* A core dump of a job can fill the node's disk and may hold
         * secrets; jobs that want one ask their admin (rlimit_core). */
        spec->rlimits[RLIMIT_CORE] = (struct jc_rlimit){ .set = true, .soft = 0, .hard = 0 };
        if (jc_str_set(&spec->partition, "", err) < 0 || jc_str_set(&spec->image, "", err) < 0 ||
            jc_str_set(&spec->image_digest, "", err) < 0 ||
            jc_str_set(&spec->seccomp, "default", err) < 0 || jc_str_set(&spec->cpus, "", err) < 0 ||
            jc_str_set(&spec->hostname, "", err) < 0 || jc_str_set(&spec->workdir, "", err) < 0 ||
            jc_str_set(&spec->cgroup_parent, "", err) < 0 ||
            jc_str_set(&spec->image_cache_dir, "", err) < 0 ||
            jc_strv_push(&spec->env_passthrough, "*", err) < 0) {
                jc_spec_free(spec);
                return -1;
        }
        return 0;
}

void jc_mounts_free(struct jc_mounts *m)
{
        size_t i;

        for (i = 0; i < m->n; i++) {
                free(m->v[i].src);
                free(m->v[i].dst);
        }
        free(m->v);
        m->v = NULL;
        m->n = 0;
}

int jc_mounts_push(struct jc_mounts *m, const char *src, const char *dst, bool rw, bool policy,
                   struct jc_error *err)
{
        struct jc_mount *nv;
        char *s, *d;

        s = jc_strdup(src, err);
        d = s ? jc_strdup(dst, err) : NULL;
        nv = d ? realloc(m->v, (m->n + 1) * sizeof(*nv)) : NULL;
        if (nv == NULL) {
                if (d != NULL)
                        jc_error_set(err, errno, "grow mount list");
                free(s);
                free(d);
                return -1;
        }
        nv[m->n++] = (struct jc_mount){ .src = s, .dst = d, .rw = rw, .policy = policy };
        m->v = nv;
        return 0;
}

void jc_spec_free(struct jc_spec *spec)
{
        free(spec->partition);
        free(spec->image);
        free(spec->image_digest);
        free(spec->seccomp);
        free(spec->cpus);
        free(spec->hostname);
        free(spec->workdir);
        free(spec->cgroup_parent);
        free(spec->image_cache_dir);
        jc_mounts_free(&spec->mounts);
        jc_strv_free(&spec->mounts_allowed);
        jc_strv_free(&spec->devices);
        jc_strv_free(&spec->env_passthrough);
        jc_strv_free(&spec->env);
        memset(spec, 0, sizeof(*spec));
}

int jc_spec_copy(struct jc_spec *dst, const struct jc_spec *src, struct jc_error *err)
{
        size_t i;

        *dst = *src;
        dst->partition = dst->image = dst->image_digest = dst->seccomp = NULL;
        dst->cpus = dst->hostname = dst->workdir = dst->cgroup_parent = NULL;
        dst->cpus = dst->hostname = dst->workdir = dst->image_cache_dir = NULL;
        dst->mounts = (struct jc_mounts){ 0 };
        dst->devices = dst->env_passthrough = dst->env = dst->mounts_allowed =
                (struct jc_strv){ 0 };
        if (jc_str_set(&dst->partition, src->partition, err) < 0 ||
            jc_str_set(&dst->image, src->image, err) < 0 ||
            jc_str_set(&dst->image_digest, src->image_digest, err) < 0 ||
            jc_str_set(&dst->seccomp, src->seccomp, err) < 0 ||
            jc_str_set(&dst->cpus, src->cpus, err) < 0 ||
            jc_str_set(&dst->hostname, src->hostname, err) < 0 ||
            jc_str_set(&dst->workdir, src->workdir, err) < 0 ||
            jc_str_set(&dst->cgroup_parent, src->cgroup_parent, err) < 0 ||
            jc_str_set(&dst->image_cache_dir, src->image_cache_dir, err) < 0 ||
            jc_strv_copy(&dst->devices, &src->devices, err) < 0 ||
            jc_strv_copy(&dst->mounts_allowed, &src->mounts_allowed, err) < 0 ||
            jc_strv_copy(&dst->env_passthrough, &src->env_passthrough, err) < 0 ||
            jc_strv_copy(&dst->env, &src->env, err) < 0)
                goto fail;
        for (i = 0; i < src->mounts.n; i++)
                if (jc_mounts_push(&dst->mounts, src->mounts.v[i].src, src->mounts.v[i].dst,
                                   src->mounts.v[i].rw, src->mounts.v[i].policy, err) < 0)
                        goto fail;
        return 0;
fail:
        jc_spec_free(dst);
        return -1;
}
