/* A runner's member of a cell: the job's process.  The runner (the
 * supervisor) forks an intermediate that enters the cell's namespaces and
 * clones the job with CLONE_PARENT: the job is in the cell's PID
 * namespace and the runner's child.  It drops its privileges, arms its
 * parent-death signal and execs (doc/design.md, "Joining"). */
#ifndef JC_MEMBER_H
#define JC_MEMBER_H

#include <signal.h>
#include <sys/types.h>

#include "cell.h"
#include "supervise.h"

struct jc_bpf;

struct jc_launch {
        const struct jc_spec *spec;
        const struct jc_job *job;
        const struct jc_ids *ids;
        const struct jc_cell *cell;
        const struct jc_bpf *bpf; /* seccomp filter, loaded last (NULL: none) */
        char **env;               /* the job's final environment */
        const char *workdir;      /* NULL: the caller's directory if it exists inside, else / */
        const struct jc_supervisor *sup; /* the job's signal mask and dispositions */
};

struct jc_member {
        pid_t pid;  /* the job, in our PID namespace */
        int report; /* the job writes an error or an exec errno; EOF: it exec'd */
        int alive;  /* held open while we live: the job checks it */
};

/* Start the job. */
int jc_member_start(const struct jc_launch *l, struct jc_member *m, struct jc_error *err);
void jc_member_close(struct jc_member *m);

/* Read the job's report: 0 when it exec'd, else -1 with ERR and *EXIT set
 * to the status the runner exits with (125, 126 or 127). */
int jc_member_started(int report, int *exit_status, struct jc_error *err);

#endif
