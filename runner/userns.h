/* Identity: the user namespace's uid and gid maps, and who the job and
 * the cell's init are inside it (doc/identity.md). */
#ifndef JC_USERNS_H
#define JC_USERNS_H

#include <stdint.h>
#include <sys/types.h>

#include "job.h"

/* The kernel takes at most 340 lines per map (user_namespaces(7)). */
#define JC_MAX_IDMAP 340

struct jc_idmap {
        uint32_t in, out, count;
};

struct jc_ids {
        struct jc_idmap uid[JC_MAX_IDMAP];
        size_t nuid;
        struct jc_idmap gid[JC_MAX_IDMAP];
        size_t ngid;
        uid_t job_uid; /* the job's ids inside */
        gid_t job_gid;
        uid_t init_uid; /* the cell init's ids inside */
        gid_t init_gid;
};

/* Plan the maps for SPEC's identity and root mapping.  Unprivileged
 * (rootless) runners can only map their own ids: a plan that needs more
 * is refused.  Nothing ever maps to host uid 0. */
int jc_ids_plan(const struct jc_spec *spec, const struct jc_job *job, struct jc_ids *ids,
                struct jc_error *err);

/* Write the maps of the new user namespace of PID: uid_map, then "deny"
 * to setgroups, then gid_map (the order of CVE-2014-8989's fix). */
int jc_ids_write(pid_t pid, const struct jc_ids *ids, struct jc_error *err);

/* The subordinate id range of USER (name or uid) in FILE (/etc/subuid,
 * /etc/subgid). */
int jc_subid_range(const char *file, const char *user, uid_t uid, uint32_t *start, uint32_t *count,
                   struct jc_error *err);

#endif
