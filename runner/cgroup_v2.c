/* cgroup v2 backend (runner/cgroup.h, doc/resources.md).
 *
 * One hierarchy.  The sandbox goes into OWN/NAME, a child of the
 * caller's cgroup (under Slurm: the task's), which Slurm still counts.
 * v2 allows no process in a cgroup that hands controllers to its
 * children ("no internal processes", cgroup-v2.rst), so the caller
 * moves into the child first and only then enables +pids +memory
 * +cpuset in OWN's cgroup.subtree_control; destroy undoes it in the
 * other order.  With a parent: PARENT/NAME, controllers enabled on the
 * way down from the deepest existing ancestor. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_int.h"
#include "values.h"

static const char *const controllers[] = { "pids", "memory", "cpuset" };

static int add_word(char *list, size_t len, const char *prefix, const char *word)
{
        size_t n = strlen(list);

        if (jc_format(list + n, len - n, "%s%s%s", n ? " " : "", prefix, word))
                return -1;
        return 0;
}

/* "+pids +memory" (or "-...") for the words of LIST. */
static void signed_list(const char *list, char sign, char *out, size_t len)
{
        char prefix[2] = { sign, '\0' };
        size_t i;

        out[0] = '\0';
        for (i = 0; i < JC_ARRAY_SIZE(controllers); i++)
                if (jc_cg_word_in(list, controllers[i]))
                        add_word(out, len, prefix, controllers[i]);
}

/* The tightest of FILE ("memory.max") in DIR and its ancestors below the
 * root (which has none); JC_CG_UNLIMITED when none is set. */
static int chain_min(const char *root, const char *dir, const char *file, int64_t *min,
                     struct jc_error *err)
{
        _cleanup_free_ char *d = jc_strdup(dir, err);
        size_t rootlen = strlen(root);
        char *slash;
        int64_t v;

        *min = JC_CG_UNLIMITED;
        if (d == NULL)
                return -1;
        while (strlen(d) > rootlen) {
                _cleanup_free_ char *p = jc_cg_join(d, file, err);

                if (p == NULL)
                        return -1;
                if (jc_cg_exists(p)) {
                        if (jc_cg_read_i64(p, &v, err) < 0)
                                return -1;
                        if (v < *min)
                                *min = v;
                }
                slash = strrchr(d, '/');
                if (slash == NULL)
                        break;
                *slash = '\0';
        }
        return 0;
}

/* The first FILE found from DIR up to the root. */
static char *read_up(const char *root, const char *dir, const char *file, struct jc_error *err)
{
        _cleanup_free_ char *d = jc_strdup(dir, err);
        size_t rootlen = strlen(root);
        char *slash;

        if (d == NULL)
                return NULL;
        for (;;) {
                _cleanup_free_ char *p = jc_cg_join(d, file, err);

                if (p == NULL)
                        return NULL;
                if (jc_cg_exists(p))
                        return jc_cg_read(p, err);
                slash = strrchr(d, '/');
                if (strlen(d) <= rootlen || slash == NULL)
                        break;
                *slash = '\0';
        }
        jc_error_set(err, ENOENT, "no `%s' in `%s' or above", file, dir);
        return NULL;
}

static int check_limits(struct jc_cgroup *cg, const struct jc_cgroup_config *cfg,
                        const char *anchor, struct jc_error *err)
{
        int64_t limit;
        bool subset;

        if (cfg->memory_max > 0) {
                if (chain_min(cg->root, anchor, "memory.max", &limit, err) < 0)
                        return -1;
                if (limit != JC_CG_UNLIMITED && cfg->memory_max > limit)
                        return jc_error_set(err, EPERM,
                                            "memory_max=%lld is above the job's memory limit %lld "
                                            "(memory.max of `%s' or above): a sandbox may only "
                                            "tighten it",
                                            (long long)cfg->memory_max, (long long)limit, anchor);
        }
        if (cfg->swap_max >= 0) {
                if (chain_min(cg->root, anchor, "memory.swap.max", &limit, err) < 0)
                        return -1;
                if (limit != JC_CG_UNLIMITED && cfg->swap_max > limit)
                        return jc_error_set(err, EPERM,
                                            "swap_max=%lld is above the job's swap limit %lld "
                                            "(memory.swap.max of `%s' or above): a sandbox may "
                                            "only tighten it",
                                            (long long)cfg->swap_max, (long long)limit, anchor);
        }
        if (cfg->cpus != NULL && cfg->cpus[0] != '\0') {
                _cleanup_free_ char *have = read_up(cg->root, anchor, "cpuset.cpus.effective", err);

                if (have == NULL || jc_cg_cpus_subset(cfg->cpus, have, &subset, err) < 0)
                        return -1;
                if (!subset)
                        return jc_error_set(err, EPERM,
                                            "cpus=%s is not a subset of the job's cpus %s "
                                            "(cpuset.cpus.effective of `%s' or above): a sandbox "
                                            "may only tighten them",
                                            cfg->cpus, have, anchor);
        }
        return 0;
}

int jc_cg2_plan(struct jc_cgroup *cg, const struct jc_cgroup_config *cfg,
                const struct jc_cg_proc *proc, struct jc_error *err)
{
        const struct jc_cg_proc_line *l = jc_cg_proc_find(proc, "");
        const char *parent = cfg->parent && cfg->parent[0] ? cfg->parent : NULL;
        _cleanup_free_ char *own = NULL, *anchor = NULL, *leaf = NULL, *avail = NULL;
        _cleanup_free_ char *subtree = NULL, *pavail = NULL, *psub = NULL;
        bool required[3] = { cfg->pids_limit > 0, cfg->memory_max > 0 || cfg->swap_max >= 0,
                             cfg->cpus != NULL && cfg->cpus[0] != '\0' };
        bool optional[3] = { !cfg->plain, !cfg->plain, false };
        size_t i;

        if (l == NULL)
                return jc_error_set(err, ENOTSUP, "no cgroup v2 (0::) line in /proc/self/cgroup");
        own = jc_cg_join(cg->root, l->path, err);
        if (own == NULL)
                return -1;
        if (parent != NULL) {
                _cleanup_free_ char *base = NULL;

                if (jc_check_path(parent, err) < 0)
                        return jc_error_wrap(err, "cgroup parent");
                base = jc_cg_join(cg->root, parent, err);
                if (base == NULL || jc_cg_plan_dirs(cg, base, &anchor, err) < 0)
                        return -1;
                leaf = jc_cg_join(base, cg->name, err);
        } else {
                anchor = jc_strdup(own, err);
                leaf = jc_cg_join(own, cg->name, err);
        }
        if (anchor == NULL || leaf == NULL)
                return -1;
        if (jc_cg_exists(leaf))
                return jc_error_set(err, EEXIST, "cgroup `%s' exists (another sandbox's name?)",
                                    leaf);
        pavail = jc_cg_join(anchor, "cgroup.controllers", err);
        psub = jc_cg_join(anchor, "cgroup.subtree_control", err);
        if (pavail == NULL || psub == NULL || (avail = jc_cg_read(pavail, err)) == NULL ||
            (subtree = jc_cg_read(psub, err)) == NULL)
                return -1;
        cg->want[0] = cg->enabled[0] = '\0';
        for (i = 0; i < JC_ARRAY_SIZE(controllers); i++) {
                if (!jc_cg_word_in(avail, controllers[i])) {
                        if (required[i])
                                return jc_error_set(err, ENOTSUP,
                                                    "the %s controller is not available in `%s' "
                                                    "(its cgroup.controllers: `%s'): it must be "
                                                    "delegated to it",
                                                    controllers[i], anchor, avail);
                        continue;
                }
                if (!required[i] && !optional[i])
                        continue;
                add_word(cg->want, sizeof(cg->want), "", controllers[i]);
                if (parent == NULL && !jc_cg_word_in(subtree, controllers[i]))
                        add_word(cg->enabled, sizeof(cg->enabled), "", controllers[i]);
        }
        /* What we enable in our own cgroup we give back before leaving
         * it; the root takes processes anyway and is not ours to change
         * back. */
        if (parent == NULL && cg->enabled[0] != '\0' && strcmp(own, cg->root) != 0) {
                cg->enabled_dir = jc_strdup(own, err);
                if (cg->enabled_dir == NULL)
                        return -1;
        }
        if (check_limits(cg, cfg, anchor, err) < 0)
                return -1;
        return jc_cg_leaf_add(cg, "", leaf, own, err) ? 0 : -1;
}

/* Enable what the leaf wants in DIR's cgroup.subtree_control, if missing. */
static int enable_in(struct jc_cgroup *cg, const char *dir, struct jc_error *err)
{
        _cleanup_free_ char *p = jc_cg_join(dir, "cgroup.subtree_control", err);
        _cleanup_free_ char *have = p ? jc_cg_read(p, err) : NULL;
        char missing[64] = "", text[96];
        size_t i;

        if (have == NULL)
                return -1;
        for (i = 0; i < JC_ARRAY_SIZE(controllers); i++)
                if (jc_cg_word_in(cg->want, controllers[i]) && !jc_cg_word_in(have, controllers[i]))
                        add_word(missing, sizeof(missing), "", controllers[i]);
        if (missing[0] == '\0')
                return 0;
        signed_list(missing, '+', text, sizeof(text));
        if (jc_cg_write(p, text, err) < 0) {
                if (err->errnum == EBUSY)
                        jc_error_wrap(err,
                                      "cgroup v2 allows no process in a cgroup that hands "
                                      "controllers down: `%s' holds other processes (give a "
                                      "--cgroup-parent, or run in a cgroup of your own)",
                                      dir);
                return -1;
        }
        return 0;
}

static int write_in(const char *dir, const char *file, const char *text, struct jc_error *err)
{
        _cleanup_free_ char *p = jc_cg_join(dir, file, err);

        return p == NULL ? -1 : jc_cg_write(p, text, err);
}

static int write_limits(const struct jc_cg_leaf *l, const struct jc_cgroup_config *cfg,
                        struct jc_error *err)
{
        char buf[32];

        if (cfg->pids_limit > 0) {
                jc_format(buf, sizeof(buf), "%lld", (long long)cfg->pids_limit);
                if (write_in(l->path, "pids.max", buf, err) < 0)
                        return -1;
        }
        if (cfg->memory_max > 0) {
                jc_format(buf, sizeof(buf), "%lld", (long long)cfg->memory_max);
                if (write_in(l->path, "memory.max", buf, err) < 0)
                        return -1;
        }
        if (cfg->swap_max >= 0) {
                jc_format(buf, sizeof(buf), "%lld", (long long)cfg->swap_max);
                if (write_in(l->path, "memory.swap.max", buf, err) < 0)
                        return -1;
        }
        if (cfg->cpus != NULL && cfg->cpus[0] != '\0' &&
            write_in(l->path, "cpuset.cpus", cfg->cpus, err) < 0)
                return -1;
        return 0;
}

static int move_self(struct jc_cgroup *cg, const char *dir, struct jc_error *err)
{
        char pid[32];

        jc_format(pid, sizeof(pid), "%d", (int)cg->self);
        return write_in(dir, "cgroup.procs", pid, err);
}

int jc_cg2_apply(struct jc_cgroup *cg, const struct jc_cgroup_config *cfg, struct jc_error *err)
{
        struct jc_cg_leaf *l = &cg->leaf[0];
        _cleanup_free_ char *up = NULL;
        char *slash;
        size_t i;

        if (cfg->parent == NULL || cfg->parent[0] == '\0') {
                /* Nested: into the child first, then hand controllers down. */
                if (jc_cg_mkdir(cg, l->path, err) < 0)
                        return -1;
                l->mine = true;
                cg->placed = true;
                if (move_self(cg, l->path, err) < 0 || enable_in(cg, l->origin, err) < 0)
                        return -1;
                return write_limits(l, cfg, err);
        }
        /* Under a parent: enable on the way down, then the leaf with its
         * limits, then move in. */
        up = jc_strdup(cg->made.n ? cg->made.v[0] : l->path, err);
        if (up == NULL)
                return -1;
        slash = strrchr(up, '/');
        if (slash != NULL && slash != up)
                *slash = '\0';
        if (enable_in(cg, up, err) < 0)
                return -1;
        for (i = 0; i < cg->made.n; i++) {
                if (jc_cg_mkdir(cg, cg->made.v[i], err) < 0 && err->errnum != EEXIST)
                        return -1;
                if (enable_in(cg, cg->made.v[i], err) < 0)
                        return -1;
        }
        if (jc_cg_mkdir(cg, l->path, err) < 0)
                return -1;
        l->mine = true;
        if (write_limits(l, cfg, err) < 0)
                return -1;
        cg->placed = true;
        return move_self(cg, l->path, err);
}

void jc_cg2_disable(struct jc_cgroup *cg)
{
        struct jc_error err;
        char text[96];

        if (cg->enabled_dir == NULL || cg->enabled[0] == '\0')
                return;
        signed_list(cg->enabled, '-', text, sizeof(text));
        if (write_in(cg->enabled_dir, "cgroup.subtree_control", text, &err) == 0)
                cg->enabled[0] = '\0';
}

int jc_cg2_leave(struct jc_cgroup *cg, struct jc_error *err)
{
        const struct jc_cg_leaf *l = &cg->leaf[0];
        char text[96];

        /* Back into a cgroup that hands controllers down is EBUSY: give
         * back what we enabled first (our leaf has no children using it). */
        if (cg->enabled_dir != NULL && cg->enabled[0] != '\0' &&
            strcmp(cg->enabled_dir, l->origin) == 0) {
                signed_list(cg->enabled, '-', text, sizeof(text));
                if (write_in(cg->enabled_dir, "cgroup.subtree_control", text, err) < 0)
                        return jc_error_wrap(err, "move back");
                cg->enabled[0] = '\0';
        }
        if (move_self(cg, l->origin, err) < 0)
                return jc_error_wrap(err, "move back");
        return 0;
}

int jc_cg2_kill(struct jc_cgroup *cg, struct jc_error *err)
{
        const char *dir = cg->leaf[0].path;
        _cleanup_free_ char *kill = jc_cg_join(dir, "cgroup.kill", err);
        _cleanup_free_ char *events = jc_cg_join(dir, "cgroup.events", err);
        int64_t populated = 1;
        unsigned round;
        struct timespec ts = { 0, 2000000 };

        if (kill == NULL || events == NULL)
                return -1;
        if (!cg->leaf[0].mine || !jc_cg_exists(dir))
                return 0;
        /* cgroup.kill (Linux 5.14): the kernel kills the whole cgroup,
         * forks racing with it included. */
        if (!jc_cg_exists(kill))
                return jc_cg_kill_until_empty(dir, cg->self, err);
        if (jc_cg_write(kill, "1", err) < 0)
                return -1;
        for (round = 0; round < 5000; round++) {
                struct jc_error e2;

                if (jc_cg_read_key(events, "populated", &populated, &e2) < 0)
                        return e2.errnum == ENOENT ? 0 : (*err = e2, -1);
                if (populated == 0)
                        return 0;
                nanosleep(&ts, NULL);
        }
        return jc_error_set(err, EBUSY, "processes in `%s' outlived cgroup.kill", dir);
}

int jc_cg2_stats(struct jc_cgroup *cg, struct jc_cgroup_stats *st, struct jc_error *err)
{
        const char *d = cg->leaf[0].path;
        int64_t limit;
        int rc = 0;

        rc |= jc_cg_get(d, "cpu.stat", "user_usec", &st->cpu_user_us, err);
        rc |= jc_cg_get(d, "cpu.stat", "system_usec", &st->cpu_system_us, err);
        rc |= jc_cg_get(d, "memory.current", NULL, &st->memory_current, err);
        rc |= jc_cg_get(d, "memory.peak", NULL, &st->memory_peak, err);
        rc |= jc_cg_get(d, "memory.events", "oom_kill", &st->oom_kills, err);
        rc |= jc_cg_get(d, "pids.current", NULL, &st->pids_current, err);
        rc |= jc_cg_get(d, "pids.peak", NULL, &st->pids_peak, err);
        rc |= jc_cg_get(d, "pids.events", "max", &st->pids_limit_hits, err);
        if (st->memory_current > cg->mem_peak_seen)
                cg->mem_peak_seen = st->memory_current;
        if (st->memory_peak < 0 && st->memory_current >= 0) {
                st->memory_peak = cg->mem_peak_seen;
                st->memory_peak_sampled = true;
        }
        if (st->pids_current > cg->pids_peak_seen)
                cg->pids_peak_seen = st->pids_current;
        if (st->pids_peak < 0 && st->pids_current >= 0) {
                st->pids_peak = cg->pids_peak_seen;
                st->pids_peak_sampled = true;
        }
        if (st->memory_current >= 0) {
                if (chain_min(cg->root, d, "memory.max", &limit, err) < 0)
                        rc = -1;
                else
                        st->memory_limit = limit == JC_CG_UNLIMITED ? -1 : limit;
        }
        return rc ? -1 : 0;
}
