/* The table of policy keys: name, type and where a key may stand.
 * Parsing, merging and documentation all follow this one table. */
#ifndef JC_KEYS_H
#define JC_KEYS_H

#include "policy.h"

enum jc_key_type {
        JC_T_BOOL,
        JC_T_ENUM,        /* one of names */
        JC_T_ENUM_SET,    /* comma list of names */
        JC_T_INT,         /* positive number */
        JC_T_SIZE,        /* size or "none" */
        JC_T_CAPS,        /* comma list of capability names */
        JC_T_SECCOMP,     /* "default" or an absolute path */
        JC_T_SECCOMP_SET, /* comma list of the above */
        JC_T_USER,        /* user name or uid, not root */
        JC_T_GROUP,       /* group name or gid, not root */
        JC_T_CPUS,        /* cpu list or "none" */
        JC_T_PATH_GLOBS,  /* comma list of absolute path globs */
        JC_T_MOUNTS,      /* comma list of SRC[:DST][:ro|rw] */
        JC_T_MOUNT_GLOBS, /* comma list of PATTERN[:ro|rw] */
        JC_T_DEVICES,     /* comma list of /dev paths or globs */
        JC_T_NAME_GLOBS,  /* comma list of environment name globs */
        JC_T_HOSTNAME,
        JC_T_PATH, /* an absolute path without `.', `..' or `//' */
        JC_T_DIR, /* absolute path without `,' or `:' (an overlayfs lowerdir) */
};

#define JC_KEY_PARTITION_ONLY 1u /* not in [defaults] */
#define JC_KEY_ZERO_OK        2u /* a size of 0 means something */
#define JC_KEY_MEMORY         4u /* a memory limit: at least JC_MEMORY_MIN */

struct jc_key {
        const char *name;
        enum jc_key_type type;
        const char *const *names; /* JC_T_ENUM, JC_T_ENUM_SET */
        unsigned flags;
};

extern const struct jc_key jc_keys[JC_K_COUNT];

/* The key whose name is NAME (lowercase), or -1.  "rlimit_NAME" keys are
 * separate: see jc_key_rlimit. */
int jc_key_lookup(const char *name);
/* The resource of an "rlimit_NAME" key, or -1. */
int jc_key_rlimit(const char *name);

/* Parse TEXT as the value of key ID into V (V->text keeps TEXT). */
int jc_key_parse(enum jc_key_id id, const char *text, struct jc_value *v, struct jc_error *err);
int jc_rlimit_parse(const char *text, struct jc_value *v, struct jc_error *err);
void jc_value_free(struct jc_value *v);

#endif
