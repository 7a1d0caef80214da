/* Dropping privilege before the job's execve, in the order crun uses
 * (set_required_caps): bounding set, keepcaps, setresgid/setresuid,
 * capabilities, ambient, no_new_privs.  The seccomp filter comes last. */
#ifndef JC_PRIVS_H
#define JC_PRIVS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec.h"

/* Become UID/GID (ids inside the user namespace) keeping exactly the
 * capabilities in CAPS (in every set, ambient included, so a non-root job
 * keeps them across execve); clear the securebits; set no_new_privs. */
int jc_privs_drop(uid_t uid, gid_t gid, uint64_t caps, struct jc_error *err);

/* Slurm's propagated soft limits (SOFT, may be NULL), each capped at the
 * hard limit as slurmstepd does, then the spec's, which win. */
int jc_rlimits_apply(const struct jc_rlimit *soft, const struct jc_spec *spec,
                     struct jc_error *err);

/* Close every descriptor but 0, 1, 2 and those in KEEP (or, with
 * AT_EXEC, mark them close-on-exec so they go at execve): a descriptor
 * leaked into the sandbox is a way out of it (runc, CVE-2024-21626).
 * The kept ones lose close-on-exec when AT_EXEC: they are kept on purpose. */
int jc_fds_close(const int *keep, size_t nkeep, bool at_exec, struct jc_error *err);

#endif
