/* A parsed, validated policy file: a [defaults] section and one
 * [partition NAME] section per partition (doc/jobcell-policy.5). */
#ifndef JC_POLICY_H
#define JC_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "spec.h"
#include "util.h"

enum jc_key_id {
        JC_K_NETWORK,
        JC_K_NETWORK_ALLOWED,
        JC_K_IDENTITY,
        JC_K_IDENTITY_ALLOWED,
        JC_K_ROOT_MAP,
        JC_K_SERVICE_USER,
        JC_K_SERVICE_GROUP,
        JC_K_CAPABILITIES,
        JC_K_CAPABILITIES_GRANTABLE,
        JC_K_PRIVILEGED,
        JC_K_SECCOMP,
        JC_K_SECCOMP_ALLOWED,
        JC_K_PIDS_LIMIT,
        JC_K_PIDS_LIMIT_MAX,
        JC_K_MEMORY_MAX,
        JC_K_SWAP_MAX,
        JC_K_CPUS,
        JC_K_READONLY_ROOT,
        JC_K_WRITABLE_ALLOWED,
        JC_K_IMAGES_ALLOWED,
        JC_K_IMAGE_DIGEST_REQUIRED,
        JC_K_MOUNTS,
        JC_K_MOUNTS_ALLOWED,
        JC_K_DEVICES,
        JC_K_ENV_PASSTHROUGH,
        JC_K_REQUIRE_SANDBOX,
        JC_K_HOSTNAME,
        JC_K_TMP_SIZE,
        JC_K_CGROUP_PARENT,
        JC_K_IMAGE_FORMATS,
        JC_K_SQUASHFS_MOUNT,
        JC_K_IMAGE_CACHE_DIR,
        JC_K_IMAGE_CACHE_MAX_SIZE,
        JC_K_COUNT
};

/* One key's value in one section, parsed once at load time. */
struct jc_value {
        bool set;
        int line;
        enum jc_origin origin; /* filled when sections are merged */
        char *text;            /* as written */
        int64_t num;           /* bool, enum, number, size (-1: none) */
        uint64_t bits;         /* enum set, capability set */
        uint32_t id, id2;      /* service user: uid and primary gid */
        uint64_t soft, hard;   /* rlimit */
        struct jc_strv list;   /* list items */
};

struct jc_section {
        char *name; /* "defaults" or the partition name, case kept */
        bool is_defaults;
        int line;
        struct jc_value v[JC_K_COUNT];
        struct jc_value rlimit[RLIMIT_NLIMITS];
};

struct jc_policy {
        char *path;
        struct jc_section defaults;
        struct jc_section *parts;
        size_t nparts;
};

/* Load and validate PATH.  Every problem goes to DIAGS (one line each,
 * "FILE:LINE: [SECTION] KEY: what is wrong"); on any problem the policy
 * is refused: -1, *OUT stays NULL and ERR holds the first problem. */
int jc_policy_load(const char *path, struct jc_policy **out, struct jc_strv *diags,
                   struct jc_error *err);
void jc_policy_free(struct jc_policy *pol);

/* The section for PARTITION (exact, case-sensitive), or NULL. */
const struct jc_section *jc_policy_partition(const struct jc_policy *pol, const char *partition);

/* The effective settings for PARTITION: [defaults] overlaid by the
 * partition's section, each value's origin recorded.  Values are
 * borrowed from POL (do not free). */
void jc_policy_effective(const struct jc_policy *pol, const char *partition,
                         struct jc_section *eff);

/* Key names and descriptions, for messages and `jobcell policy keys'. */
const char *jc_key_name(enum jc_key_id id);

/* Does the effective policy say steps must run in the sandbox? */
bool jc_policy_requires_sandbox(const struct jc_policy *pol, const char *partition);

#endif
