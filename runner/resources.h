/* The runner's cgroups (doc/resources.md): how `jobcell run' uses the
 * cgroup library (runner/cgroup.h).
 *
 * One set per runner, not per cell: each runner (under Slurm, each task)
 * makes its own set, moves into it before it starts its job, and so the
 * job and all it forks stay there; the pids limit, the tighter memory,
 * swap and cpu limits and the usage record are that runner's.  The cell's
 * keeper and init never sit in a member's set (the creator forks the
 * keeper before it makes its own), so removing one member's set never
 * touches the cell.  Each runner tells its keeper the name of its set;
 * when a member's connection closes, the keeper removes what that member
 * left (after `kill -9' of the runner), and `jobcell gc' removes what a
 * killed keeper left. */
#ifndef JC_RESOURCES_H
#define JC_RESOURCES_H

#include <stdbool.h>
#include <stdint.h>

#include "cgroup.h"
#include "job.h"

/* --cgroup-parent value that means "below the caller's own cgroups,
 * whatever the policy says" (what the Slurm plugin passes). */
#define JC_CGROUP_PARENT_OWN "own"

struct jc_res_opts {
        const char *parent;    /* --cgroup-parent: NULL = the policy's */
        const char *name;      /* --cgroup-name: NULL = "CELL.PID" or "anon.PID" */
        const char *state_dir; /* --state-dir: NULL = jc_res_state_dir() */
};

struct jc_res {
        struct jc_cgroup_config cfg;
        /* cgroup v2, nested below the caller's cgroup: the keeper's own
         * plain set, so the caller's cgroup may hand controllers down. */
        struct jc_cgroup_config keeper;
        bool keeper_wanted;
        /* The job asked for a limit only a cgroup gives (any memory, swap
         * or cpu limit, a requested pids limit): a rootless runner that
         * cannot make one refuses instead of going on without. */
        bool required;
        bool privileged;
        /* Rootless, not delegated: the job runs without a set; why. */
        bool none;
        char why_none[JC_ERROR_MSG_MAX + 64];
        struct jc_cgroup *cg;
        char name[136];
        char keeper_name[144];
        char state_dir[1024];
};

/* The directory of the records `jobcell gc' reads: $JOBCELL_STATE_DIR
 * when it is set (absolute), else RUNSTATEDIR
 * "/jobcell/cgroup" for a privileged runner; for a rootless one
 * $XDG_RUNTIME_DIR/jobcell/cgroup when that is a directory of the user's
 * alone, else /tmp/jobcell-UID/cgroup (made 0700, refused when it is
 * someone else's).  INDEX 0 is the one a runner uses; gc looks at every
 * INDEX that gives one (-1 past the last, errnum 0). */
int jc_res_state_dir(bool privileged, int index, char *buf, size_t len, struct jc_error *err);

/* Before the cell: the set's name, place and limits from SPEC and O,
 * checked (limits only tighten, the caller may make cgroups there).
 * Makes nothing. */
int jc_res_plan(struct jc_res *r, const struct jc_spec *spec, const struct jc_job *job,
                const struct jc_res_opts *o, struct jc_error *err);

/* jc_cgroup_create, once more after `jobcell gc' of the state dir when a
 * stale record of a killed runner holds the name. */
int jc_res_cgroup_create(const struct jc_cgroup_config *cfg, struct jc_cgroup **out,
                         struct jc_error *err);

struct jc_cell;
/* After the cell is open, before the job starts: tell the keeper, make
 * the set, move in.  A rootless runner without delegation goes on
 * without (r->none) unless r->required. */
int jc_res_create(struct jc_res *r, const struct jc_cell *cell, struct jc_error *err);

/* Remove the set (kill what is left, move out, rmdir).  0 when there is
 * none. */
int jc_res_destroy(struct jc_res *r, struct jc_error *err);

/* The runner that created the cell, at its end: if the keeper was killed
 * (its own set on v2 left behind), remove that set; a live keeper's is
 * never touched. */
void jc_res_keeper_gone(struct jc_res *r);

#endif
