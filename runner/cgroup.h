/* The sandbox's cgroups: one small interface over a cgroup v1 and a
 * cgroup v2 backend, chosen at run time (doc/resources.md).
 *
 * The sandbox never leaves the cgroups it was started in (under Slurm:
 * the task's).  Its own limits go into child cgroups that its old ones
 * still count (hierarchical accounting), or, in v1, into the pids
 * hierarchy, which Slurm leaves unused:
 *
 *   v1  pids:    OWN/jobcell/NAME     (OWN is pids:/ under Slurm)
 *       memory:  OWN/NAME             (below the task's memory cgroup)
 *       cpuacct: OWN/NAME             (for CPU time)
 *       cpuset:  OWN/NAME             (only when a cpu list is asked)
 *   v2  OWN/NAME, with +pids +memory +cpuset enabled in OWN
 *
 * With a parent (standalone: --cgroup-parent or the policy's
 * cgroup_parent) NAME goes under PARENT in every hierarchy instead.
 *
 * Call order in the runner:
 *   jc_cgroup_create()   before cloning the sandbox; the caller moves
 *                        into the new cgroups, so every child inherits
 *   jc_cgroup_attach()   for a process that is not a descendant
 *   jc_cgroup_stats()    any time, e.g. every --stats-interval
 *   jc_cgroup_destroy()  after the job: kill what is left, remove it all
 * and `jobcell gc' calls jc_cgroup_gc() for what a killed runner left.
 *
 * Every function fills struct jc_error on failure; none prints or exits. */
#ifndef JC_CGROUP_H
#define JC_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

#define JC_CGROUP_ROOT "/sys/fs/cgroup"

enum jc_cgroup_version { JC_CGROUP_DETECT = 0, JC_CGROUP_V1 = 1, JC_CGROUP_V2 = 2 };

struct jc_cgroup_config {
        /* Where cgroupfs is mounted; NULL = JC_CGROUP_ROOT.  v1: one
         * directory per hierarchy below it (pids, memory, ...). */
        const char *root;
        /* The caller's cgroups as the kernel lists them; NULL =
         * /proc/self/cgroup.  Tests point both at a laid-out directory. */
        const char *proc_cgroup;
        /* Directory of the records `jobcell gc' reads (one file per set,
         * naming its owner): e.g. RUNSTATEDIR "/jobcell/cgroup".  Made
         * 0700 if missing; must be owned by the caller, not writable by
         * others (gc kills what a record names). */
        const char *state_dir;
        /* Name of the leaf cgroup, unique on the node: [A-Za-z0-9_.-],
         * at most 128 characters, not starting with a dot. */
        const char *name;
        /* NULL or "": nest below the caller's own cgroups; else a path
         * from the hierarchy root ("/jobcell/batch"), made if missing. */
        const char *parent;
        int64_t pids_limit; /* > 0: pids.max; 0: none of our own */
        int64_t memory_max; /* > 0: bytes; 0: keep what the job has */
        int64_t swap_max;   /* >= 0: bytes; -1: keep what the job has */
        const char *cpus;   /* cpu list; NULL or "": keep */
        /* cgroup v2 only: a cgroup of the caller's own and nothing else
         * (no limits, no controllers handed down).  A cell's keeper moves
         * into one so that the cgroup it leaves may hand controllers to
         * the members' sets: v2 allows no process in a cgroup that does
         * ("no internal processes"). */
        bool plain;
        /* For tests only: force a backend, and stand in for mkdir(2) and
         * rmdir(2) so a plain directory can act as cgroupfs (the kernel
         * fills a new cgroup with its files; the test's mkdir does). */
        enum jc_cgroup_version version;
        int (*mkdir_fn)(const char *path, mode_t mode);
        int (*rmdir_fn)(const char *path);
};

/* Usage, like crunch-run's crunchstat.  -1: not known (controller
 * missing).  CPU time and memory cover every process of the set, the
 * runner included (it sits in the set so that its children inherit). */
struct jc_cgroup_stats {
        int version;         /* 1 or 2 */
        double wall_seconds; /* since create (or open) */
        int64_t cpu_user_us; /* user CPU time, microseconds */
        int64_t cpu_system_us;
        int64_t memory_current;  /* bytes */
        int64_t memory_peak;     /* bytes; see memory_peak_sampled */
        int64_t memory_limit;    /* effective limit (ours or an ancestor's), -1 none */
        int64_t pids_current;    /* tasks: processes and threads */
        int64_t pids_peak;       /* see pids_peak_sampled */
        int64_t pids_limit;      /* ours; -1 none */
        int64_t pids_limit_hits; /* forks/clones refused at pids.max */
        int64_t oom_kills;       /* processes of the set killed by the OOM killer */
        /* True when the kernel keeps no peak (v1 and v2 before Linux 6.1
         * for pids, v2 before 5.19 for memory): the value is the largest
         * seen by jc_cgroup_stats() and jc_cgroup_sample(), a lower bound. */
        bool pids_peak_sampled;
        bool memory_peak_sampled;
};

struct jc_cgroup;
struct json_object;

/* Which backend applies: v2 when PROC_CGROUP (NULL: /proc/self/cgroup)
 * has only a "0::" line, v1 otherwise (a hybrid system's cgroup2 mount
 * has no controllers that matter). */
int jc_cgroup_detect(const char *proc_cgroup, enum jc_cgroup_version *version,
                     struct jc_error *err);

/* Is S a set's name: 1 to 128 of [A-Za-z0-9_.-], no leading dot (a
 * cgroup's directory and its record's file name)? */
bool jc_cgroup_name_ok(const char *s);

/* What jc_cgroup_create checks before it changes anything, and nothing
 * else: the limits against what the job has (they may only tighten), the
 * hierarchies and controllers, and that the caller may make cgroups
 * where the set goes (errnum EACCES or EROFS when it is not delegated to
 * the caller).  Makes nothing, not even the state directory. */
int jc_cgroup_check(const struct jc_cgroup_config *cfg, struct jc_error *err);

/* Check the limits against what the job has (they may only tighten),
 * make the cgroups, set the limits, record them in the state dir and
 * move the caller into them.  Nothing is left behind on failure. */
int jc_cgroup_create(const struct jc_cgroup_config *cfg, struct jc_cgroup **out,
                     struct jc_error *err);

/* The set CFG->name that another process made (from its record), for a
 * joiner to attach to and read stats from; destroying it is still the
 * owner's job (jc_cgroup_free it). */
int jc_cgroup_open(const struct jc_cgroup_config *cfg, struct jc_cgroup **out,
                   struct jc_error *err);

/* The process that made the set (for a set from jc_cgroup_open: the
 * owner its record names). */
pid_t jc_cgroup_owner(const struct jc_cgroup *cg);

/* Move PID (and all its threads) into every cgroup of the set. */
int jc_cgroup_attach(struct jc_cgroup *cg, pid_t pid, struct jc_error *err);

/* Read the current usage.  Also updates the sampled peaks. */
int jc_cgroup_stats(struct jc_cgroup *cg, struct jc_cgroup_stats *st, struct jc_error *err);

/* Update the sampled peaks only (one or two small reads): call it from
 * the supervisor's loop so v1's peak pids sees short bursts. */
void jc_cgroup_sample(struct jc_cgroup *cg);

/* The usage as a JSON object for the status record (NULL on ENOMEM):
 * {"cgroup_version": 1, "wall_seconds": .., "cpu_user_seconds": ..,
 * "cpu_system_seconds": .., "memory_peak_bytes": .., ...}; unknown
 * values are null. */
struct json_object *jc_cgroup_stats_json(const struct jc_cgroup_stats *st);

/* The usage as one line of KEY=VALUE words (no newline), for
 * --stats-interval: "wall=12.0s cpu_user=3.20s cpu_sys=0.10s mem=..". */
const char *jc_cgroup_stats_line(const struct jc_cgroup_stats *st, char *buf, size_t len);

/* Kill every process left in the set but the caller, move the caller
 * back where it came from, kill again, remove the cgroups bottom-up and
 * the record.  Frees CG, also on failure; a failure leaves the record,
 * so `jobcell gc' can finish the job. */
int jc_cgroup_destroy(struct jc_cgroup *cg, struct jc_error *err);

/* Free CG, leaving the cgroups as they are (a joiner, or a child after
 * fork). */
void jc_cgroup_free(struct jc_cgroup *cg);

/* Leaf directory of the set in CONTROLLER's hierarchy ("pids",
 * "memory", "cpuacct", "cpuset"; v2 has one: any name or NULL), or NULL
 * when the set has none there. */
const char *jc_cgroup_path(const struct jc_cgroup *cg, const char *controller);
int jc_cgroup_version(const struct jc_cgroup *cg);

/* Remove every set in CFG->state_dir whose owner process is gone:
 * kill its processes, remove its cgroups and record.  Only root, state_dir
 * and the test hooks of CFG are used.  *REMOVED (may be NULL) counts the
 * sets removed.  Goes on past a failing set; returns -1 with the first
 * error if any failed. */
int jc_cgroup_gc(const struct jc_cgroup_config *cfg, unsigned *removed, struct jc_error *err);

/* Where a privileged runner keeps its sets' records (and so where jobcell
 * gc and the Slurm plugin's step cleanup look). */
#define JC_CGROUP_STATE_DIR RUNSTATEDIR "/jobcell/cgroup"
/* The same for the set NAME only. */
int jc_cgroup_gc_name(const struct jc_cgroup_config *cfg, const char *name, unsigned *removed,
                      struct jc_error *err);

#endif
