/* The runner's cgroups: one set per runner (runner/resources.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cell.h"
#include "resources.h"

/* A user's directory that nobody else may write: gc kills what the
 * records in it name. */
static int private_dir(const char *path, struct jc_error *err)
{
        struct stat st;

        if (lstat(path, &st) < 0)
                return jc_error_set(err, errno, "state directory `%s'", path);
        if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022) != 0)
                return jc_error_set(err, EPERM,
                                    "`%s' is not a directory of uid %u that only it may write",
                                    path, (unsigned)geteuid());
        return 0;
}

int jc_res_state_dir(bool privileged, int index, char *buf, size_t len, struct jc_error *err)
{
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        const char *env = getenv("JOBCELL_STATE_DIR");
        struct jc_error e2;
        int i = 0;

        /* Tests keep their records apart this way.  Harmless: the library
         * trusts only a directory of the caller's alone, and the Slurm
         * hand-over starts the runner with an empty environment. */
        if (env != NULL && env[0] == '/') {
                if (index > 0)
                        return jc_error_set(err, 0, "no other state directory");
                if (jc_format(buf, len, "%s", env))
                        return jc_error_set(err, ENAMETOOLONG, "JOBCELL_STATE_DIR");
                return 0;
        }
        if (privileged) {
                if (index > 0)
                        return jc_error_set(err, 0, "no other state directory");
                if (jc_format(buf, len, "%s", JC_CGROUP_STATE_DIR))
                        return jc_error_set(err, ENAMETOOLONG, "state directory");
                return 0;
        }
        /* The user's runtime directory (systemd's /run/user/UID) when the
         * session has one; it is the user's alone and goes at logout. */
        if (xdg != NULL && xdg[0] == '/' && private_dir(xdg, &e2) == 0) {
                if (index == i) {
                        if (jc_format(buf, len, "%s/jobcell/cgroup", xdg))
                                return jc_error_set(err, ENAMETOOLONG, "state directory");
                        return 0;
                }
                i++;
        }
        /* Else a directory of its own in /tmp: the library makes it 0700
         * and refuses one that someone else made first. */
        if (index == i) {
                jc_format(buf, len, "/tmp/jobcell-%u", (unsigned)geteuid());
                return 0;
        }
        return jc_error_set(err, 0, "no other state directory");
}

/* Rootless, not delegated: go on without a set, unless the job asked for
 * what only a set gives.  A privileged runner never goes on without. */
static int without(struct jc_res *r, struct jc_error *err)
{
        if (r->privileged)
                return jc_error_wrap(err, "cgroup");
        if (r->required)
                return jc_error_wrap(err, "cgroup (a rootless runner needs a cgroup delegated to "
                                          "it for memory, swap and cpu limits and a requested "
                                          "pids limit)");
        switch (err->errnum) {
        case EACCES:
        case EPERM:
        case EROFS:
        case EBUSY:
        case ENOTSUP:
        case ENOENT:
                break;
        default:
                return jc_error_wrap(err, "cgroup");
        }
        r->none = true;
        jc_error_text(err, r->why_none, sizeof(r->why_none));
        memset(err, 0, sizeof(*err));
        return 0;
}

/* `jobcell gc' of CFG's state dir: a killed runner's set may hold the
 * name (a reused pid); gc removes it only if its owner is gone.  True
 * when it removed something. */
static bool gc_for(const struct jc_cgroup_config *cfg)
{
        struct jc_cgroup_config gc = { .root = cfg->root,
                                       .state_dir = cfg->state_dir,
                                       .mkdir_fn = cfg->mkdir_fn,
                                       .rmdir_fn = cfg->rmdir_fn };
        struct jc_error e2 = { 0 };
        unsigned removed = 0;

        return jc_cgroup_gc(&gc, &removed, &e2) == 0 && removed > 0;
}

static int check(const struct jc_cgroup_config *cfg, struct jc_error *err)
{
        if (jc_cgroup_check(cfg, err) == 0)
                return 0;
        if (err->errnum != EEXIST || !gc_for(cfg))
                return -1;
        return jc_cgroup_check(cfg, err);
}

int jc_res_plan(struct jc_res *r, const struct jc_spec *spec, const struct jc_job *job,
                const struct jc_res_opts *o, struct jc_error *err)
{
        enum jc_cgroup_version version = JC_CGROUP_DETECT;
        const char *parent = spec->cgroup_parent;
        struct jc_error e2;

        memset(r, 0, sizeof(*r));
        r->privileged = job->privileged;
        /* One set per runner: a cell's members each have their own. */
        if (o->name != NULL) {
                /* 128 is the library's bound; room is left for ".cell". */
                if (strlen(o->name) > 120)
                        return jc_error_set(err, 0,
                                            "--cgroup-name `%.40s...': at most 120 characters",
                                            o->name);
                jc_format(r->name, sizeof(r->name), "%s", o->name);
        } else {
                jc_format(r->name, sizeof(r->name), "%s.%d", job->cell ? job->cell : "anon",
                          (int)getpid());
        }
        jc_format(r->keeper_name, sizeof(r->keeper_name), "%s.cell", r->name);
        if (o->state_dir != NULL) {
                if (jc_format(r->state_dir, sizeof(r->state_dir), "%s", o->state_dir))
                        return jc_error_set(err, ENAMETOOLONG, "--state-dir");
        } else if (jc_res_state_dir(r->privileged, 0, r->state_dir, sizeof(r->state_dir), err) <
                   0) {
                return -1;
        }
        if (o->parent != NULL)
                parent = strcmp(o->parent, JC_CGROUP_PARENT_OWN) == 0 ? "" : o->parent;
        r->cfg = (struct jc_cgroup_config){
                .state_dir = r->state_dir,
                .name = r->name,
                .parent = parent,
                .pids_limit = spec->pids_limit > 0 ? spec->pids_limit : 0,
                .memory_max = spec->memory_max,
                .swap_max = spec->swap_max,
                .cpus = spec->cpus,
        };
        r->required = spec->memory_max > 0 || spec->swap_max >= 0 || spec->cpus[0] != '\0' ||
                      spec->origin[JC_S_PIDS_LIMIT] == JC_ORIGIN_REQUEST;
        if (check(&r->cfg, err) < 0)
                return without(r, err);
        /* v2 allows no process in a cgroup that hands controllers to its
         * children: nested below the caller's cgroup, the keeper (and the
         * init it clones) must leave it for a cgroup of their own before
         * the runner enables controllers there. */
        if (jc_cgroup_detect(NULL, &version, &e2) == 0 && version == JC_CGROUP_V2 &&
            parent[0] == '\0') {
                r->keeper = (struct jc_cgroup_config){
                        .state_dir = r->state_dir,
                        .name = r->keeper_name,
                        .swap_max = -1,
                        .plain = true,
                };
                r->keeper_wanted = true;
        }
        return 0;
}

int jc_res_cgroup_create(const struct jc_cgroup_config *cfg, struct jc_cgroup **out,
                         struct jc_error *err)
{
        if (jc_cgroup_create(cfg, out, err) == 0)
                return 0;
        if (err->errnum != EEXIST || !gc_for(cfg))
                return -1;
        return jc_cgroup_create(cfg, out, err);
}

int jc_res_create(struct jc_res *r, const struct jc_cell *cell, struct jc_error *err)
{
        if (r->none)
                return 0;
        /* The keeper first: if we are killed from here on, it removes the
         * set when our connection closes (if the record names us). */
        if (jc_cell_note_cgroup(cell, r->state_dir, r->name, err) < 0)
                return -1;
        if (jc_res_cgroup_create(&r->cfg, &r->cg, err) < 0)
                return without(r, err);
        return 0;
}

int jc_res_destroy(struct jc_res *r, struct jc_error *err)
{
        struct jc_cgroup *cg = r->cg;

        r->cg = NULL;
        return cg ? jc_cgroup_destroy(cg, err) : 0;
}

void jc_res_keeper_gone(struct jc_res *r)
{
        struct jc_cgroup_config c = { .state_dir = r->state_dir };
        struct jc_error err;

        if (r->keeper_wanted)
                (void)jc_cgroup_gc_name(&c, r->keeper_name, NULL, &err); /* else `jobcell gc' */
}
