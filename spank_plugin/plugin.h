/* The jobcell SPANK plugin: a thin adapter from Slurm to the policy engine
 * and the runner (doc/slurm.md).  jobcell_spank.c dispatches each Slurm
 * callback on spank_context() into one file per context, as Pyxis does:
 * local.c (srun, sbatch, salloc), remote.c (slurmstepd).  The files without
 * Slurm in them (conf.c, check.c) are unit-tested on their own. */
#ifndef JC_SPANK_PLUGIN_H
#define JC_SPANK_PLUGIN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "error.h"
#include "policy.h"
#include "request.h"
#include "spec.h"

/* plugstack.conf arguments (conf.c). */
struct jc_plugin_conf {
        char *policy; /* policy=FILE */
        char *runner; /* runner=PATH: the jobcell binary */
};

/* Parse the plugstack.conf arguments; unknown ones are errors. */
int jc_conf_parse(struct jc_plugin_conf *conf, int ac, char **av, struct jc_error *err);
void jc_conf_free(struct jc_plugin_conf *conf);
/* (The runner is exec'd with the job's privileges from runner=, and the
 * policy decides what jobs get: both must pass jc_path_root_owned.) */

/* What the job asked for: the --container-* options and SLURM_CONTAINER. */
struct jc_ask {
        struct jc_request req; /* the options jc_request_set knows */
        char *container;       /* SLURM_CONTAINER (srun/sbatch --container) */
        char *user;            /* --container-user, mapped at check time */
        bool remap_given;      /* --(no-)container-remap-root was given */
        bool any;              /* any --container-* option was given */
};

void jc_ask_init(struct jc_ask *ask);
void jc_ask_free(struct jc_ask *ask);
/* Does the job ask for the sandbox at all? */
bool jc_ask_sandboxed(const struct jc_ask *ask);

/* Who submitted the job. */
struct jc_who {
        const char *user;
        uid_t uid;
};

/* The decision for one step (check.c): the spec when sandboxed, or why
 * the step is refused.  POL may be NULL (built-in defaults only). */
enum jc_verdict { JC_PLAIN, JC_SANDBOX, JC_REFUSED };

int jc_check(const struct jc_policy *pol, const char *partition, const struct jc_ask *ask,
             const struct jc_who *who, struct jc_spec *spec, struct jc_error *err);
/* "[partition gpu]" or "[defaults]" (or "built-in defaults"), for logs. */
const char *jc_section_label(const struct jc_policy *pol, const struct jc_spec *spec, char *buf,
                             size_t len);

/* Per step (step.c).  The cell's name: "JOB.STEP.RANDOM", STEP "0",
 * "batch", ...; RANDOM is 2 * JC_CELL_RANDOM_BYTES hex digits, so that no
 * other user can predict it (and take the keeper's socket name first). */
#define JC_CELL_RANDOM_BYTES 16
int jc_cell_name(char *buf, size_t len, uint32_t job, const char *step, struct jc_error *err);
/* May DIR (PMIX_SERVER_TMPDIR of a task's environment) be bound into the
 * step's cell as the admin's?  Only Slurm's pmix.JOB.STEP directory for
 * this step, owned by root or UID, in a directory only root may write. */
int jc_pmix_dir_check(const char *dir, uint32_t job, const char *step, uid_t uid,
                      struct jc_error *err);
/* Is PATH (the batch step's command) the batch script slurmd wrote for
 * JOB, owned by root or UID, in a directory only root may write? */
int jc_batch_script_check(const char *path, uint32_t job, uid_t uid, struct jc_error *err);
/* After the step: kill whatever still holds the keeper's socket of CELL
 * (its init and the cell die with it).  Returns 0 when nothing was left,
 * 1 when something was killed (the pids in PIDS, *N of them, up to MAX
 * recorded), -1 when the socket outlived the kill. */
int jc_cell_reap(const char *cell, pid_t *pids, size_t max, size_t *n, struct jc_error *err);
/* Does process PID (a decimal string) hold a descriptor of one of the
 * sockets whose inodes are in INO? */
bool jc_holds_socket(const char *pid, const unsigned long *ino, size_t nino);

/* srun --mpi=pmix with network none (pmix_relay.c): the ports of Slurm's
 * PMIx server that the cell's relay may reach (runner/relay.h).  PMIx 4
 * clients reach the server only over TCP on the node's loopback, which a
 * cell with its own network namespace does not share. */
/* The address in a PMIx server URI, "NSPACE.RANK;tcp4://127.0.0.1:PORT"
 * or "...;tcp6://[::1]:PORT"; -1 for anything else. */
int jc_pmix_uri_port(const char *uri, struct jc_relay_port *p);
/* The ports of the PMIx server URIs in ENV (PMIX_SERVER_URI4, ...): what
 * the task's environment claims, which the user may have set. */
void jc_pmix_uri_ports(char *const *env, struct jc_relay_ports *out);
/* The inode of the TCP socket listening on P in F, /proc/net/tcp (or
 * /proc/net/tcp6 for P->v6) read from where it is; 0 when there is none. */
unsigned long jc_proc_net_listener(FILE *f, const struct jc_relay_port *p);
/* Of the ports claimed in ENV, those on which process HOLDER (a decimal
 * pid) holds a listening socket, in OUT: what the relay may reach.
 * *NCLAIMED (unless NULL): how many ENV claimed. */
int jc_pmix_relay_ports(char *const *env, const char *holder, struct jc_relay_ports *out,
                        size_t *nclaimed, struct jc_error *err);

#endif
