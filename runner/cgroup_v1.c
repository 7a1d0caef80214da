/* cgroup v1 backend (runner/cgroup.h, doc/resources.md).
 *
 * Slurm's proctrack/cgroup lists only its own freezer cgroup (v1's
 * cgroup.procs is not recursive), so a process moved out of it would be
 * lost to scancel: the sandbox stays in every cgroup Slurm put it in.
 * Its own cgroups are:
 *   pids     OWN/jobcell/NAME: Slurm leaves the pids hierarchy unused
 *   memory   OWN/NAME: a child of the task's memory cgroup, charged to
 *            it too (use_hierarchy), for a tighter limit and our own
 *            peak and OOM count
 *   cpuacct  OWN/NAME: a child, for our own CPU time (also counted above)
 *   cpuset   OWN/NAME, only when a cpu list is asked: a subset
 * With a parent: PARENT/NAME in each of them. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_int.h"
#include "values.h"

/* The page counter's "unlimited" is LONG_MAX rounded down to a page. */
#define V1_UNLIMITED (INT64_C(1) << 62)

static int64_t v1_limit(int64_t v)
{
        return v >= V1_UNLIMITED ? JC_CG_UNLIMITED : v;
}

/* The hierarchy of CTRL: ROOT/"cpu,cpuacct" as /proc lists it, else
 * ROOT/CTRL (distributions link one to the other). */
static char *hier_dir(const char *root, const struct jc_cg_proc_line *l, const char *ctrl,
                      struct jc_error *err)
{
        char *d = jc_cg_join(root, l->controllers, err);

        if (d == NULL || jc_cg_exists(d))
                return d;
        free(d);
        d = jc_cg_join(root, ctrl, err);
        if (d != NULL && !jc_cg_exists(d)) {
                jc_error_set(err, ENOENT, "cgroup v1 `%s' hierarchy is not mounted at `%s'", ctrl,
                             d);
                free(d);
                return NULL;
        }
        return d;
}

static void made_truncate(struct jc_cgroup *cg, size_t n)
{
        while (cg->made.n > n) {
                free(cg->made.v[--cg->made.n]);
                cg->made.v[cg->made.n] = NULL;
        }
}

/* Plan the leaf of CTRL; *ANCHOR gets the existing cgroup it goes
 * below (where the job's current limits are read).  Returns 1 when
 * planned, 0 when the hierarchy is missing and not REQUIRED. */
static int plan_leaf(struct jc_cgroup *cg, const struct jc_cgroup_config *cfg,
                     const struct jc_cg_proc *proc, const char *ctrl, bool required, char **anchor,
                     struct jc_error *err)
{
        const struct jc_cg_proc_line *l = jc_cg_proc_find(proc, ctrl);
        _cleanup_free_ char *hdir = NULL, *origin = NULL, *base = NULL, *leaf = NULL;
        const char *parent = cfg->parent && cfg->parent[0] ? cfg->parent : NULL;
        size_t made0 = cg->made.n;

        *anchor = NULL;
        if (l == NULL) {
                if (!required)
                        return 0;
                return jc_error_set(err, ENOTSUP,
                                    "no cgroup v1 `%s' hierarchy (not in /proc/self/cgroup)", ctrl);
        }
        hdir = hier_dir(cg->root, l, ctrl, err);
        if (hdir == NULL)
                return required ? -1 : 0;
        origin = jc_cg_join(hdir, l->path, err);
        if (origin == NULL)
                return -1;
        if (parent != NULL) {
                base = jc_cg_join(hdir, parent, err);
                if (base == NULL || jc_cg_plan_dirs(cg, base, anchor, err) < 0)
                        return -1;
        } else {
                /* pids: OWN/jobcell groups every sandbox (an admin may cap
                 * them all there); removed when the last one goes. */
                base = strcmp(ctrl, "pids") == 0 ? jc_cg_join(origin, "jobcell", err)
                                                 : jc_strdup(origin, err);
                *anchor = jc_strdup(origin, err);
                if (base == NULL || *anchor == NULL ||
                    (strcmp(ctrl, "pids") == 0 && jc_cg_made_push(cg, base, err) < 0))
                        return -1;
        }
        leaf = jc_cg_join(base, cg->name, err);
        if (leaf == NULL)
                return -1;
        if (jc_cg_exists(leaf))
                return jc_error_set(err, EEXIST, "cgroup `%s' exists (another sandbox's name?)",
                                    leaf);
        if (strcmp(ctrl, "memory") == 0) {
                _cleanup_free_ char *uh = jc_cg_join(*anchor, "memory.use_hierarchy", err);
                int64_t v = 1;

                /* Without hierarchy a child is not charged to its parent:
                 * the sandbox would escape the job's limit.  (Linux 5.x
                 * and later have no other mode.) */
                if (uh == NULL)
                        return -1;
                if (jc_cg_exists(uh) && jc_cg_read_i64(uh, &v, err) < 0)
                        return -1;
                if (v != 1) {
                        made_truncate(cg, made0);
                        free(*anchor);
                        *anchor = NULL;
                        if (!required)
                                return 0;
                        return jc_error_set(err, ENOTSUP,
                                            "`%s' is 0: a tighter memory limit below it would "
                                            "not count towards the job's",
                                            uh);
                }
        }
        if (jc_cg_leaf_add(cg, ctrl, leaf, origin, err) == NULL)
                return -1;
        return 1;
}

static int check_memory(struct jc_cgroup *cg, const struct jc_cgroup_config *cfg,
                        const char *anchor, struct jc_error *err)
{
        _cleanup_free_ char *stat = jc_cg_join(anchor, "memory.stat", err);
        _cleanup_free_ char *memsw = jc_cg_join(anchor, "memory.memsw.limit_in_bytes", err);
        int64_t limit, swlimit = JC_CG_UNLIMITED, mem;

        if (stat == NULL || memsw == NULL)
                return -1;
        /* hierarchical_memory_limit: the tightest limit of the cgroup
         * and its ancestors, i.e. what the job may use. */
        if (jc_cg_read_key(stat, "hierarchical_memory_limit", &limit, err) < 0)
                return -1;
        limit = v1_limit(limit);
        if (cfg->memory_max > 0 && limit != JC_CG_UNLIMITED && cfg->memory_max > limit)
                return jc_error_set(err, EPERM,
                                    "memory_max=%lld is above the job's memory limit %lld "
                                    "(hierarchical_memory_limit in `%s'): a sandbox may only "
                                    "tighten it",
                                    (long long)cfg->memory_max, (long long)limit, stat);
        if (cfg->swap_max < 0)
                return 0;
        if (!jc_cg_exists(memsw))
                return jc_error_set(err, ENOTSUP,
                                    "swap_max: `%s' is missing (kernel without swap accounting: "
                                    "swapaccount=1)",
                                    memsw);
        mem = cfg->memory_max > 0 ? cfg->memory_max : limit;
        if (mem == JC_CG_UNLIMITED)
                return jc_error_set(err, EINVAL,
                                    "swap_max needs a memory limit in cgroup v1 "
                                    "(memory.memsw.limit_in_bytes limits memory+swap)");
        if (jc_cg_read_key(stat, "hierarchical_memsw_limit", &swlimit, err) < 0)
                return -1;
        swlimit = v1_limit(swlimit);
        if (swlimit != JC_CG_UNLIMITED && mem + cfg->swap_max > swlimit)
                return jc_error_set(err, EPERM,
                                    "swap_max=%lld with memory %lld is above the job's "
                                    "memory+swap limit %lld (hierarchical_memsw_limit in `%s'): "
                                    "a sandbox may only tighten it",
                                    (long long)cfg->swap_max, (long long)mem, (long long)swlimit,
                                    stat);
        cg->memsw_write = mem + cfg->swap_max;
        return 0;
}

static char *read_first(const char *dir, const char *a, const char *b, struct jc_error *err)
{
        _cleanup_free_ char *pa = jc_cg_join(dir, a, err);
        _cleanup_free_ char *pb = pa ? jc_cg_join(dir, b, err) : NULL;

        if (pb == NULL)
                return NULL;
        return jc_cg_read(jc_cg_exists(pa) ? pa : pb, err);
}

static int check_cpus(const struct jc_cgroup_config *cfg, const char *anchor, struct jc_error *err)
{
        _cleanup_free_ char *have = read_first(anchor, "cpuset.effective_cpus", "cpuset.cpus", err);
        bool subset;

        if (have == NULL || jc_cg_cpus_subset(cfg->cpus, have, &subset, err) < 0)
                return -1;
        if (!subset)
                return jc_error_set(err, EPERM,
                                    "cpus=%s is not a subset of the job's cpus %s (cpuset of "
                                    "`%s'): a sandbox may only tighten them",
                                    cfg->cpus, have, anchor);
        return 0;
}

int jc_cg1_plan(struct jc_cgroup *cg, const struct jc_cgroup_config *cfg,
                const struct jc_cg_proc *proc, struct jc_error *err)
{
        bool want_mem = cfg->memory_max > 0 || cfg->swap_max >= 0;
        bool want_cpus = cfg->cpus != NULL && cfg->cpus[0] != '\0';
        char *anchor = NULL;
        int rc;

        if (cfg->plain)
                return jc_error_set(err, EINVAL, "a plain cgroup set is for cgroup v2 only");
        if (cfg->parent && cfg->parent[0] && jc_check_path(cfg->parent, err) < 0)
                return jc_error_wrap(err, "cgroup parent");
        rc = plan_leaf(cg, cfg, proc, "pids", cfg->pids_limit > 0, &anchor, err);
        free(anchor);
        if (rc < 0)
                return -1;
        rc = plan_leaf(cg, cfg, proc, "memory", want_mem, &anchor, err);
        if (rc > 0 && want_mem)
                rc = check_memory(cg, cfg, anchor, err);
        free(anchor);
        if (rc < 0)
                return -1;
        rc = plan_leaf(cg, cfg, proc, "cpuacct", false, &anchor, err);
        free(anchor);
        if (rc < 0)
                return -1;
        if (want_cpus) {
                rc = plan_leaf(cg, cfg, proc, "cpuset", true, &anchor, err);
                if (rc > 0)
                        rc = check_cpus(cfg, anchor, err);
                free(anchor);
                if (rc < 0)
                        return -1;
        }
        if (cg->nleaf == 0)
                return jc_error_set(err, ENOTSUP, "no cgroup v1 hierarchy to put the sandbox in");
        return 0;
}

static char *parent_of(const char *path, struct jc_error *err)
{
        char *p = jc_strdup(path, err), *slash;

        if (p != NULL && (slash = strrchr(p, '/')) != NULL && slash != p)
                *slash = '\0';
        return p;
}

/* A new v1 cpuset cgroup has no cpus and no mems: no task may join it
 * until both are set.  Give it its parent's (or CPUS). */
static int cpuset_init(const char *dir, const char *cpus, struct jc_error *err)
{
        _cleanup_free_ char *up = parent_of(dir, err), *mems = NULL, *pcpus = NULL;
        _cleanup_free_ char *fm = jc_cg_join(dir, "cpuset.mems", err);
        _cleanup_free_ char *fc = jc_cg_join(dir, "cpuset.cpus", err);

        if (up == NULL || fm == NULL || fc == NULL)
                return -1;
        mems = read_first(up, "cpuset.effective_mems", "cpuset.mems", err);
        pcpus = cpus ? NULL : read_first(up, "cpuset.effective_cpus", "cpuset.cpus", err);
        if (mems == NULL || (cpus == NULL && pcpus == NULL))
                return -1;
        if (jc_cg_write(fm, mems, err) < 0 || jc_cg_write(fc, cpus ? cpus : pcpus, err) < 0)
                return -1;
        return 0;
}

static int write_in(const char *dir, const char *file, int64_t v, struct jc_error *err)
{
        _cleanup_free_ char *p = jc_cg_join(dir, file, err);

        return p == NULL ? -1 : jc_cg_write_i64(p, v, err);
}

static int make_leaf(struct jc_cgroup *cg, struct jc_cg_leaf *l, const struct jc_cgroup_config *cfg,
                     struct jc_error *err)
{
        _cleanup_free_ char *up = parent_of(l->path, err);

        if (up == NULL)
                return -1;
        if (jc_cg_mkdir(cg, l->path, err) < 0) {
                /* OWN/jobcell may have gone with the last other sandbox
                 * between our mkdir of it and this one: once more. */
                if (err->errnum != ENOENT || !jc_strv_contains(&cg->made, up) ||
                    jc_cg_mkdir(cg, up, err) < 0 || jc_cg_mkdir(cg, l->path, err) < 0)
                        return -1;
        }
        l->mine = true;
        if (strcmp(l->ctrl, "pids") == 0 && cfg->pids_limit > 0)
                return write_in(l->path, "pids.max", cfg->pids_limit, err);
        if (strcmp(l->ctrl, "memory") == 0) {
                /* memory first: memsw may never be below it. */
                if (cfg->memory_max > 0 &&
                    write_in(l->path, "memory.limit_in_bytes", cfg->memory_max, err) < 0)
                        return -1;
                if (cg->memsw_write >= 0 &&
                    write_in(l->path, "memory.memsw.limit_in_bytes", cg->memsw_write, err) < 0)
                        return -1;
                return 0;
        }
        if (strcmp(l->ctrl, "cpuset") == 0)
                return cpuset_init(l->path, cfg->cpus, err);
        return 0;
}

int jc_cg1_apply(struct jc_cgroup *cg, const struct jc_cgroup_config *cfg, struct jc_error *err)
{
        _cleanup_free_ char *cpusets = NULL;
        char pid[32];
        size_t i;

        for (i = 0; i < cg->made.n; i++) {
                const char *d = cg->made.v[i];
                _cleanup_free_ char *cs = jc_cg_join(d, "cpuset.cpus", err);

                if (cs == NULL)
                        return -1;
                if (jc_cg_mkdir(cg, d, err) < 0) {
                        if (err->errnum != EEXIST)
                                return -1;
                        continue;
                }
                if (jc_cg_exists(cs) && cpuset_init(d, NULL, err) < 0)
                        return -1;
        }
        for (i = 0; i < cg->nleaf; i++)
                if (make_leaf(cg, &cg->leaf[i], cfg, err) < 0)
                        return -1;
        /* Limits are in place before anything runs in the leaves. */
        jc_format(pid, sizeof(pid), "%d", (int)cg->self);
        cg->placed = true;
        for (i = 0; i < cg->nleaf; i++) {
                _cleanup_free_ char *p = jc_cg_join(cg->leaf[i].path, "cgroup.procs", err);

                if (p == NULL || jc_cg_write(p, pid, err) < 0)
                        return -1;
        }
        return 0;
}

int jc_cg1_leave(struct jc_cgroup *cg, struct jc_error *err)
{
        char pid[32];
        size_t i;

        jc_format(pid, sizeof(pid), "%d", (int)cg->self);
        for (i = 0; i < cg->nleaf; i++) {
                _cleanup_free_ char *p = jc_cg_join(cg->leaf[i].origin, "cgroup.procs", err);

                if (p == NULL || jc_cg_write(p, pid, err) < 0)
                        return jc_error_wrap(err, "move back");
        }
        return 0;
}

int jc_cg1_kill(struct jc_cgroup *cg, struct jc_error *err)
{
        size_t i;

        /* v1 has no cgroup.kill: SIGKILL each listed pid until none is
         * left.  The pids limit stops a fork loop from outrunning us. */
        for (i = 0; i < cg->nleaf; i++)
                if (cg->leaf[i].mine && jc_cg_kill_until_empty(cg->leaf[i].path, cg->self, err) < 0)
                        return -1;
        return 0;
}

int jc_cg1_stats(struct jc_cgroup *cg, struct jc_cgroup_stats *st, struct jc_error *err)
{
        const char *pids = jc_cgroup_path(cg, "pids"), *mem = jc_cgroup_path(cg, "memory");
        const char *cpu = jc_cgroup_path(cg, "cpuacct");
        int64_t u, s;
        int rc = 0;

        if (pids != NULL) {
                rc |= jc_cg_get(pids, "pids.current", NULL, &st->pids_current, err);
                rc |= jc_cg_get(pids, "pids.peak", NULL, &st->pids_peak, err);
                rc |= jc_cg_get(pids, "pids.events", "max", &st->pids_limit_hits, err);
                if (st->pids_current > cg->pids_peak_seen)
                        cg->pids_peak_seen = st->pids_current;
                if (st->pids_peak < 0) {
                        st->pids_peak = cg->pids_peak_seen;
                        st->pids_peak_sampled = true;
                }
        }
        if (mem != NULL) {
                rc |= jc_cg_get(mem, "memory.usage_in_bytes", NULL, &st->memory_current, err);
                rc |= jc_cg_get(mem, "memory.max_usage_in_bytes", NULL, &st->memory_peak, err);
                rc |= jc_cg_get(mem, "memory.oom_control", "oom_kill", &st->oom_kills, err);
                rc |= jc_cg_get(mem, "memory.stat", "hierarchical_memory_limit", &st->memory_limit,
                                err);
                if (st->memory_limit >= V1_UNLIMITED)
                        st->memory_limit = -1;
        }
        if (cpu != NULL) {
                /* nanoseconds (Linux 4.7+), else USER_HZ ticks */
                rc |= jc_cg_get(cpu, "cpuacct.usage_user", NULL, &u, err);
                rc |= jc_cg_get(cpu, "cpuacct.usage_sys", NULL, &s, err);
                if (u >= 0 && s >= 0) {
                        st->cpu_user_us = u / 1000;
                        st->cpu_system_us = s / 1000;
                } else {
                        long hz = sysconf(_SC_CLK_TCK);

                        rc |= jc_cg_get(cpu, "cpuacct.stat", "user", &u, err);
                        rc |= jc_cg_get(cpu, "cpuacct.stat", "system", &s, err);
                        if (u >= 0 && s >= 0 && hz > 0) {
                                st->cpu_user_us = u * 1000000 / hz;
                                st->cpu_system_us = s * 1000000 / hz;
                        }
                }
        }
        return rc ? -1 : 0;
}
