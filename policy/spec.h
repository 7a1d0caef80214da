/* The resolved sandbox description: the one contract between the policy
 * engine, the runner and the Slurm plugin (doc/design.md).  The policy
 * engine fills it from built-in defaults < [defaults] < [partition P] <
 * the job's request, recording where each field came from; the runner
 * builds exactly what it says.  It prints as JSON and reads back. */
#ifndef JC_SPEC_H
#define JC_SPEC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>

#include "error.h"
#include "util.h"

enum jc_network { JC_NET_NONE, JC_NET_HOST };
enum jc_identity { JC_ID_USER, JC_ID_FAKEROOT, JC_ID_SERVICE_ROOT };
enum jc_root_map { JC_ROOTMAP_SERVICE, JC_ROOTMAP_SUBUID };
enum jc_origin { JC_ORIGIN_BUILTIN, JC_ORIGIN_DEFAULTS, JC_ORIGIN_PARTITION, JC_ORIGIN_REQUEST };
/* Image kinds (doc/images.md) and how a squashfs image is mounted. */
enum jc_image_format { JC_IMG_DIR, JC_IMG_OCI, JC_IMG_DOCKER, JC_IMG_SQUASHFS, JC_IMG_COUNT };
enum jc_squashfs_mount { JC_SQFS_SQUASHFUSE, JC_SQFS_KERNEL };

extern const char *const jc_network_names[]; /* NULL-terminated, index = enum */
extern const char *const jc_identity_names[];
extern const char *const jc_root_map_names[];
extern const char *const jc_origin_names[];
extern const char *const jc_image_format_names[];
extern const char *const jc_squashfs_mount_names[];

/* RLIM_INFINITY is written "unlimited"; a limit not set keeps what the
 * runner inherited (under Slurm: the job's, see SLURM_RLIMIT_*). */
struct jc_rlimit {
        bool set;
        uint64_t soft;
        uint64_t hard;
};

struct jc_mount {
        char *src;
        char *dst;
        bool rw;
        bool policy; /* the admin's: opened with the runner's rights, not the user's */
};

struct jc_mounts {
        struct jc_mount *v;
        size_t n;
};

/* Loopback TCP ports of the host that a cell with network none reaches
 * through its keeper's relay (runner/relay.h): Slurm's PMIx server.  Only
 * the Slurm plugin sets them, each checked to be a listener of the step's
 * slurmstepd (doc/slurm.md, "MPI"); no policy key or request does. */
#define JC_RELAY_MAX 8
struct jc_relay_port {
        bool v6; /* [::1], else 127.0.0.1 */
        uint16_t port;
};

struct jc_relay_ports {
        size_t n;
        struct jc_relay_port v[JC_RELAY_MAX]; /* sorted, no duplicates */
};

/* Index of each field in the origin array and the JSON field table. */
enum jc_spec_field {
        JC_S_PARTITION,
        JC_S_IMAGE,
        JC_S_IMAGE_DIGEST,
        JC_S_NETWORK,
        JC_S_IDENTITY,
        JC_S_ROOT_MAP,
        JC_S_SERVICE_UID,
        JC_S_SERVICE_GID,
        JC_S_CAPABILITIES,
        JC_S_PRIVILEGED,
        JC_S_SECCOMP,
        JC_S_PIDS_LIMIT,
        JC_S_MEMORY_MAX,
        JC_S_SWAP_MAX,
        JC_S_CPUS,
        JC_S_RLIMITS,
        JC_S_READONLY_ROOT,
        JC_S_MOUNTS,
        JC_S_MOUNTS_ALLOWED,
        JC_S_DEVICES,
        JC_S_ENV_PASSTHROUGH,
        JC_S_ENV,
        JC_S_HOSTNAME,
        JC_S_TMP_SIZE,
        JC_S_WORKDIR,
        JC_S_ENTRYPOINT,
        JC_S_CGROUP_PARENT,
        JC_S_IMAGE_FORMATS,
        JC_S_SQUASHFS_MOUNT,
        JC_S_IMAGE_CACHE_DIR,
        JC_S_IMAGE_CACHE_MAX_SIZE,
        JC_S_RELAY_TCP,
        JC_S_COUNT
};

struct jc_spec {
        char *partition;    /* policy section applied, "" = [defaults] only */
        char *image;        /* image path, "" when none was asked for */
        char *image_digest; /* "sha256:HEX" or "" */
        enum jc_network network;
        enum jc_identity identity;
        enum jc_root_map root_map;
        uint32_t service_uid; /* outside id of root inside (root_map service) */
        uint32_t service_gid;
        uint64_t capabilities; /* bit N set: capability N is kept */
        bool privileged;       /* all capabilities, host /dev, no seccomp */
        char *seccomp;         /* "default", or the path of a Docker-format profile */
        int64_t pids_limit;
        int64_t memory_max; /* bytes; 0 = keep what the job has */
        int64_t swap_max;   /* bytes; -1 = keep what the job has */
        char *cpus;         /* cpu list; "" = keep what the job has */
        struct jc_rlimit rlimits[RLIMIT_NLIMITS];
        bool readonly_root;
        struct jc_mounts mounts; /* the policy's, then the request's */
        /* "PATTERN:ro|rw" with %u expanded: the runner checks each of the
         * request's mounts again once symlinks in its source are resolved. */
        struct jc_strv mounts_allowed;
        struct jc_strv devices;         /* host device paths or globs */
        struct jc_strv env_passthrough; /* globs of variable names */
        struct jc_strv env;             /* names whose job value overrides the image's */
        char *hostname;                 /* "" = the host's name */
        int64_t tmp_size;               /* bytes of /tmp; 0 = the tmpfs default */
        char *workdir;                  /* "" = the image's, else the user's cwd rule */
        bool entrypoint;                /* run the image's entrypoint */
        char *cgroup_parent; /* standalone runs: cgroup the sandbox goes under; "" = the caller's */
        uint64_t image_formats; /* bit N set: enum jc_image_format N is allowed */
        enum jc_squashfs_mount squashfs_mount;
        char *image_cache_dir;           /* "" = the built-in place (doc/images.md) */
        int64_t image_cache_max_size;    /* bytes; -1 = no cap */
        struct jc_relay_ports relay_tcp; /* the Slurm plugin's only */
        enum jc_origin origin[JC_S_COUNT];
};

extern const char *const jc_spec_field_names[JC_S_COUNT];

/* A spec holding the built-in secure defaults (every origin "builtin"). */
int jc_spec_init(struct jc_spec *spec, struct jc_error *err);
void jc_spec_free(struct jc_spec *spec);
int jc_spec_copy(struct jc_spec *dst, const struct jc_spec *src, struct jc_error *err);

int jc_mounts_push(struct jc_mounts *m, const char *src, const char *dst, bool rw, bool policy,
                   struct jc_error *err);
void jc_mounts_free(struct jc_mounts *m);

/* JSON: {"spec": {...}, "origin": {"network": "partition", ...}}. */
char *jc_spec_to_json(const struct jc_spec *spec, bool pretty, struct jc_error *err);
int jc_spec_from_json(struct jc_spec *spec, const char *json, struct jc_error *err);
struct json_object;
struct json_object *jc_spec_to_json_object(const struct jc_spec *spec, struct jc_error *err);
/* SV as a JSON array of strings (NULL on ENOMEM). */
struct json_object *jc_strv_json(const struct jc_strv *sv);

/* "127.0.0.1:PORT" or "[::1]:PORT" (PORT 1-65535, decimal, no sign or
 * leading zero): the spec's form of a relay port, and the address part of
 * a PMIx URI. */
int jc_relay_port_parse(const char *s, struct jc_relay_port *p, struct jc_error *err);
void jc_relay_port_format(const struct jc_relay_port *p, char *buf, size_t len);
/* Add P, keeping R sorted; a port already there is not added twice. */
int jc_relay_ports_add(struct jc_relay_ports *r, const struct jc_relay_port *p,
                       struct jc_error *err);

/* Names of rlimit resources as used in policy keys ("core", "nofile"). */
const char *jc_rlimit_name(int resource);
int jc_rlimit_from_name(const char *name);

#endif
