/* Shared by runner/cgroup.c and its two backends; not an interface for
 * anything else (runner/cgroup.h is). */
#ifndef JC_CGROUP_INT_H
#define JC_CGROUP_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "cgroup.h"
#include "util.h"

#define JC_CG_MAX_LEAVES 4
/* A limit of "max" (v2) or the page counter's maximum (v1). */
#define JC_CG_UNLIMITED INT64_MAX

struct jc_cg_leaf {
        char ctrl[16]; /* "pids", "memory", "cpuacct", "cpuset"; "" in v2 */
        char *path;    /* the leaf cgroup directory */
        char *origin;  /* the directory the caller was in (where it goes back) */
        /* This set made it (a same-named cgroup made by someone else
         * between plan and apply is not ours to kill or remove). */
        bool mine;
};

struct jc_cgroup {
        int version;
        char *root;
        char *state_dir;
        char *name;
        char *record; /* state_dir/name */
        struct jc_cg_leaf leaf[JC_CG_MAX_LEAVES];
        size_t nleaf;
        /* Directories made on the way to the leaves, outermost first;
         * removed (when empty) after the leaves. */
        struct jc_strv made;
        /* v2: the cgroup whose cgroup.subtree_control this set changed
         * (the caller's own, nested below it), and what it enabled. */
        char *enabled_dir;
        char enabled[64];
        char want[64];       /* v2: controllers the leaf needs, "pids memory" */
        int64_t memsw_write; /* v1: memory.memsw.limit_in_bytes to set, -1 none */
        pid_t self;          /* the process that made or opened the set */
        pid_t owner_pid;     /* the process that made it (the record's owner) */
        bool owner;          /* it made the set (and its record) */
        bool placed;         /* it sits inside the set */
        int64_t pids_limit;
        int64_t pids_peak_seen;
        int64_t mem_peak_seen;
        struct timespec start;
        int (*mkdir_fn)(const char *path, mode_t mode);
        int (*rmdir_fn)(const char *path);
};

/* One line of /proc/PID/cgroup: "ID:CONTROLLERS:PATH". */
struct jc_cg_proc_line {
        int id;
        char *controllers; /* "cpu,cpuacct", "name=systemd", "" for v2 */
        char *path;        /* "/slurm/uid_0/job_1/step_0/task_0" */
};

struct jc_cg_proc {
        struct jc_cg_proc_line *v;
        size_t n;
};

/* Parse the text of /proc/PID/cgroup. */
int jc_cg_proc_parse(const char *text, struct jc_cg_proc *out, struct jc_error *err);
int jc_cg_proc_read(const char *file, struct jc_cg_proc *out, struct jc_error *err);
void jc_cg_proc_free(struct jc_cg_proc *p);
/* The line whose controller list holds CONTROLLER; "" finds the v2 line. */
const struct jc_cg_proc_line *jc_cg_proc_find(const struct jc_cg_proc *p, const char *controller);
enum jc_cgroup_version jc_cg_proc_version(const struct jc_cg_proc *p);

/* Files.  Each error names the path. */
char *jc_cg_join(const char *dir, const char *name, struct jc_error *err);
/* Whole file into a new string, trailing newline cut. */
char *jc_cg_read(const char *path, struct jc_error *err);
int jc_cg_write(const char *path, const char *text, struct jc_error *err);
int jc_cg_write_i64(const char *path, int64_t v, struct jc_error *err);
/* A number, or "max" (JC_CG_UNLIMITED). */
int jc_cg_read_i64(const char *path, int64_t *v, struct jc_error *err);
/* KEY's number in a flat keyed file ("oom_kill 3"); errnum ENOENT when
 * the file or the key is missing. */
int jc_cg_read_key(const char *path, const char *key, int64_t *v, struct jc_error *err);
/* FILE's number (or KEY's, in a flat keyed file) in DIR into *V; a file
 * or key that is missing leaves -1 and is no error (a kernel without that
 * counter). */
int jc_cg_get(const char *dir, const char *file, const char *key, int64_t *v, struct jc_error *err);
bool jc_cg_exists(const char *path);
/* Is every cpu of WANT in HAVE? (both cpu lists) */
int jc_cg_cpus_subset(const char *want, const char *have, bool *subset, struct jc_error *err);
/* Does the space-separated list LIST hold WORD? */
bool jc_cg_word_in(const char *list, const char *word);

int jc_cg_mkdir(struct jc_cgroup *cg, const char *path, struct jc_error *err);
/* Append P to cg->made. */
int jc_cg_made_push(struct jc_cgroup *cg, const char *p, struct jc_error *err);
/* Directories from the deepest existing ancestor of DIR (exclusive) down
 * to DIR, outermost first, into cg->made; *ANCHOR gets that ancestor. */
int jc_cg_plan_dirs(struct jc_cgroup *cg, const char *dir, char **anchor, struct jc_error *err);
struct jc_cg_leaf *jc_cg_leaf_add(struct jc_cgroup *cg, const char *ctrl, const char *path,
                                  const char *origin, struct jc_error *err);
/* SIGKILL every pid listed in PROCS (a cgroup.procs file) but the caller;
 * *LEFT counts the others seen.  A missing file counts as empty. */
int jc_cg_kill_listed(const char *procs, pid_t self, size_t *left, struct jc_error *err);
/* Kill, until empty, every process in DIR but SELF (bounded wait). */
int jc_cg_kill_until_empty(const char *dir, pid_t self, struct jc_error *err);

/* Backends: plan (no change to the system) then apply. */
int jc_cg1_plan(struct jc_cgroup *cg, const struct jc_cgroup_config *cfg,
                const struct jc_cg_proc *proc, struct jc_error *err);
int jc_cg1_apply(struct jc_cgroup *cg, const struct jc_cgroup_config *cfg, struct jc_error *err);
int jc_cg1_leave(struct jc_cgroup *cg, struct jc_error *err);
int jc_cg1_kill(struct jc_cgroup *cg, struct jc_error *err);
int jc_cg1_stats(struct jc_cgroup *cg, struct jc_cgroup_stats *st, struct jc_error *err);

int jc_cg2_plan(struct jc_cgroup *cg, const struct jc_cgroup_config *cfg,
                const struct jc_cg_proc *proc, struct jc_error *err);
int jc_cg2_apply(struct jc_cgroup *cg, const struct jc_cgroup_config *cfg, struct jc_error *err);
int jc_cg2_leave(struct jc_cgroup *cg, struct jc_error *err);
int jc_cg2_kill(struct jc_cgroup *cg, struct jc_error *err);
/* Give back the controllers enabled in cg->enabled_dir (best effort). */
void jc_cg2_disable(struct jc_cgroup *cg);
int jc_cg2_stats(struct jc_cgroup *cg, struct jc_cgroup_stats *st, struct jc_error *err);

#endif
