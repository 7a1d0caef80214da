/* The Slurm hand-over (doc/slurm.md).  Inside a sandboxed Slurm task the
 * plugin execs the runner from a fixed, root-owned path with an empty
 * environment, the capabilities it needs in its ambient set (kept across
 * Slurm's switch to the user by SECBIT_NO_SETUID_FIXUP), the resolved spec
 * and the job's environment on two descriptors:
 *
 *   jobcell run --slurm --spec-fd=N --env-fd=M --cell=NAME [--keep-fd=K]
 *               -- ARGV...
 *
 * This is the most sensitive code of jobcell: the process starts with the
 * job user's uid and host capabilities. */
#ifndef JC_HANDOVER_H
#define JC_HANDOVER_H

#include "job.h"

struct jc_handover {
        int spec_fd;
        int env_fd;
        int keep[8];
        size_t nkeep;
};

/* First thing: check that this is a hand-over (the runner holds the
 * capabilities only the plugin can give), record the job's user (the real
 * uid and groups Slurm set), then become uid 0 at once, so the user's
 * other processes can neither signal nor trace the runner, and stop being
 * dumpable.  Nothing the user controls (environment, options) has been
 * read before this returns. */
int jc_handover_begin(struct jc_job *job, struct jc_error *err);

/* The spec the plugin resolved and the job's environment (NAME=VALUE
 * strings, NUL-separated), from the plugin's descriptors, which are then
 * closed; SLURM_RLIMIT_* of that environment into JOB->rlimits. */
int jc_handover_read(const struct jc_handover *h, struct jc_job *job, struct jc_spec *spec,
                     struct jc_error *err);

/* The capabilities the runner needs from the plugin, for the plugin and
 * the tests: "cap_sys_admin,cap_setuid,..." */
extern const char jc_handover_caps[];

#endif
