/* The sandbox's cgroups: what both backends share (runner/cgroup.h).
 * Detection, /proc/PID/cgroup, file helpers, the records `jobcell gc'
 * reads, teardown, and the usage record's two formats. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup_int.h"
#include "spec.h"
#include "values.h"

#define RECORD_VERSION 1
/* Files the kernel writes are small; cgroup.procs of a big set is the
 * largest (a line per process). */
#define READ_MAX (4 << 20)

/* --- /proc/PID/cgroup ---------------------------------------------------- */

void jc_cg_proc_free(struct jc_cg_proc *p)
{
        size_t i;

        for (i = 0; i < p->n; i++) {
                free(p->v[i].controllers);
                free(p->v[i].path);
        }
        free(p->v);
        p->v = NULL;
        p->n = 0;
}

static int proc_push(struct jc_cg_proc *p, int id, const char *ctrl, size_t ctrl_len,
                     const char *path, struct jc_error *err)
{
        struct jc_cg_proc_line *nv = realloc(p->v, (p->n + 1) * sizeof(*nv));

        if (nv == NULL)
                return jc_error_set(err, errno, "cgroup list");
        p->v = nv;
        nv[p->n].id = id;
        nv[p->n].controllers = strndup(ctrl, ctrl_len);
        nv[p->n].path = strdup(path);
        p->n++;
        if (nv[p->n - 1].controllers == NULL || nv[p->n - 1].path == NULL)
                return jc_error_set(err, ENOMEM, "cgroup list");
        return 0;
}

int jc_cg_proc_parse(const char *text, struct jc_cg_proc *out, struct jc_error *err)
{
        _cleanup_free_ char *copy = jc_strdup(text, err);
        char *line, *save = NULL, *c1, *c2, *end;
        long id;

        memset(out, 0, sizeof(*out));
        if (copy == NULL)
                return -1;
        for (line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
                c1 = strchr(line, ':');
                c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (c2 == NULL)
                        goto bad;
                errno = 0;
                id = strtol(line, &end, 10);
                if (end != c1 || end == line || errno != 0 || id < 0 || id > INT_MAX)
                        goto bad;
                /* A path outside our cgroup namespace shows as "/../..":
                 * it names nothing under our mount. */
                if (jc_check_path(c2 + 1, NULL) < 0) {
                        jc_error_set(err, 0,
                                     "cgroup path `%s' is not a plain absolute path (outside "
                                     "this cgroup namespace?)",
                                     c2 + 1);
                        goto fail;
                }
                if (proc_push(out, (int)id, c1 + 1, (size_t)(c2 - c1 - 1), c2 + 1, err) < 0)
                        goto fail;
        }
        if (out->n == 0) {
                jc_error_set(err, 0, "no cgroup listed");
                goto fail;
        }
        return 0;
bad:
        jc_error_set(err, 0, "`%s' is not a cgroup line (ID:CONTROLLERS:PATH)", line);
fail:
        jc_cg_proc_free(out);
        return -1;
}

int jc_cg_proc_read(const char *file, struct jc_cg_proc *out, struct jc_error *err)
{
        _cleanup_free_ char *text = NULL;

        memset(out, 0, sizeof(*out));
        text = jc_cg_read(file, err);
        if (text == NULL)
                return -1;
        if (jc_cg_proc_parse(text, out, err) < 0)
                return jc_error_wrap(err, "`%s'", file);
        return 0;
}

const struct jc_cg_proc_line *jc_cg_proc_find(const struct jc_cg_proc *p, const char *controller)
{
        size_t i, n = strlen(controller);
        const char *c;

        for (i = 0; i < p->n; i++) {
                if (n == 0) {
                        if (p->v[i].id == 0 && p->v[i].controllers[0] == '\0')
                                return &p->v[i];
                        continue;
                }
                for (c = p->v[i].controllers; c != NULL;
                     c = strchr(c, ',') ? strchr(c, ',') + 1 : NULL)
                        if (strncmp(c, controller, n) == 0 && (c[n] == ',' || c[n] == '\0'))
                                return &p->v[i];
        }
        return NULL;
}

enum jc_cgroup_version jc_cg_proc_version(const struct jc_cg_proc *p)
{
        return p->n == 1 && jc_cg_proc_find(p, "") != NULL ? JC_CGROUP_V2 : JC_CGROUP_V1;
}

int jc_cgroup_detect(const char *proc_cgroup, enum jc_cgroup_version *version, struct jc_error *err)
{
        struct jc_cg_proc p;

        if (jc_cg_proc_read(proc_cgroup ? proc_cgroup : "/proc/self/cgroup", &p, err) < 0)
                return -1;
        *version = jc_cg_proc_version(&p);
        jc_cg_proc_free(&p);
        return 0;
}

/* --- files ---------------------------------------------------------------- */

char *jc_cg_join(const char *dir, const char *name, struct jc_error *err)
{
        char *p = NULL;

        while (*name == '/')
                name++;
        if (*name == '\0')
                return jc_strdup(dir, err);
        if (asprintf(&p, "%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/", name) <
            0) {
                jc_error_set(err, ENOMEM, "path");
                return NULL;
        }
        return p;
}

char *jc_cg_read(const char *path, struct jc_error *err)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;
        ssize_t n;
        char *nb;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                jc_error_set(err, errno, "open `%s'", path);
                return NULL;
        }
        for (;;) {
                if (cap - len < 4096) {
                        if (cap >= READ_MAX) {
                                jc_error_set(err, EFBIG, "read `%s'", path);
                                return NULL;
                        }
                        cap = cap ? cap * 2 : 8192;
                        nb = realloc(buf, cap + 1);
                        if (nb == NULL) {
                                jc_error_set(err, errno, "read `%s'", path);
                                return NULL;
                        }
                        buf = nb;
                }
                n = read(fd, buf + len, cap - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        jc_error_set(err, errno, "read `%s'", path);
                        return NULL;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        if (buf == NULL && (buf = malloc(1)) == NULL) {
                jc_error_set(err, errno, "read `%s'", path);
                return NULL;
        }
        while (len > 0 && buf[len - 1] == '\n')
                len--;
        buf[len] = '\0';
        return JC_STEAL(buf);
}

int jc_cg_write(const char *path, const char *text, struct jc_error *err)
{
        _cleanup_close_ int fd = -1;
        size_t len = strlen(text);
        ssize_t n;

        /* cgroupfs files exist once the cgroup does: no O_CREAT, so a
         * missing controller file is ENOENT, not a new file. */
        fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        if (fd < 0)
                return jc_error_set(err, errno, "open `%s'", path);
        do
                n = write(fd, text, len);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return jc_error_set(err, errno, "write `%s' to `%s'", text, path);
        if ((size_t)n != len)
                return jc_error_set(err, EIO, "write `%s' to `%s': short write", text, path);
        return 0;
}

int jc_cg_write_i64(const char *path, int64_t v, struct jc_error *err)
{
        char buf[32];

        if (v == JC_CG_UNLIMITED)
                return jc_cg_write(path, "max", err);
        jc_format(buf, sizeof(buf), "%lld", (long long)v);
        return jc_cg_write(path, buf, err);
}

static int parse_i64(const char *s, int64_t *v)
{
        char *end;
        long long n;

        if (strcmp(s, "max") == 0) {
                *v = JC_CG_UNLIMITED;
                return 0;
        }
        errno = 0;
        n = strtoll(s, &end, 10);
        if (end == s || errno != 0 || n < 0)
                return -1;
        while (isspace((unsigned char)*end))
                end++;
        if (*end != '\0')
                return -1;
        *v = n;
        return 0;
}

int jc_cg_read_i64(const char *path, int64_t *v, struct jc_error *err)
{
        _cleanup_free_ char *s = jc_cg_read(path, err);

        if (s == NULL)
                return -1;
        if (parse_i64(s, v) < 0)
                return jc_error_set(err, 0, "`%s' holds `%.40s', not a number", path, s);
        return 0;
}

int jc_cg_read_key(const char *path, const char *key, int64_t *v, struct jc_error *err)
{
        _cleanup_free_ char *s = jc_cg_read(path, err);
        size_t n = strlen(key);
        char *line, *save = NULL;

        if (s == NULL)
                return -1;
        for (line = strtok_r(s, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
                if (strncmp(line, key, n) != 0 || line[n] != ' ')
                        continue;
                if (parse_i64(line + n + 1, v) < 0)
                        return jc_error_set(err, 0, "`%s': `%s' is not a number", path, line);
                return 0;
        }
        return jc_error_set(err, ENOENT, "`%s' has no `%s'", path, key);
}

int jc_cg_get(const char *dir, const char *file, const char *key, int64_t *v, struct jc_error *err)
{
        _cleanup_free_ char *p = jc_cg_join(dir, file, err);
        struct jc_error e2;
        int rc;

        *v = -1;
        if (p == NULL)
                return -1;
        rc = key ? jc_cg_read_key(p, key, v, &e2) : jc_cg_read_i64(p, v, &e2);
        if (rc < 0) {
                *v = -1;
                if (e2.errnum == ENOENT)
                        return 0;
                *err = e2;
                return -1;
        }
        return 0;
}

bool jc_cg_exists(const char *path)
{
        return access(path, F_OK) == 0;
}

bool jc_cg_word_in(const char *list, const char *word)
{
        size_t n = strlen(word);
        const char *p = list;

        while ((p = strstr(p, word)) != NULL) {
                if ((p == list || isspace((unsigned char)p[-1])) &&
                    (p[n] == '\0' || isspace((unsigned char)p[n])))
                        return true;
                p += n;
        }
        return false;
}

#define CPU_BITS 8192

int jc_cg_cpus_subset(const char *want, const char *have, bool *subset, struct jc_error *err)
{
        uint8_t w[CPU_BITS / 8] = { 0 }, h[CPU_BITS / 8] = { 0 };
        size_t i;

        if (jc_cpulist_bits(want, w, CPU_BITS, err) < 0)
                return -1;
        if (have[0] != '\0' && jc_cpulist_bits(have, h, CPU_BITS, err) < 0)
                return -1;
        *subset = true;
        for (i = 0; i < sizeof(w); i++)
                if (w[i] & ~h[i])
                        *subset = false;
        return 0;
}

int jc_cg_mkdir(struct jc_cgroup *cg, const char *path, struct jc_error *err)
{
        int rc = cg->mkdir_fn ? cg->mkdir_fn(path, 0755) : mkdir(path, 0755);

        if (rc < 0)
                return jc_error_set(err, errno, "mkdir `%s'", path);
        return 0;
}

static int cg_rmdir(struct jc_cgroup *cg, const char *path)
{
        return cg->rmdir_fn ? cg->rmdir_fn(path) : rmdir(path);
}

int jc_cg_made_push(struct jc_cgroup *cg, const char *p, struct jc_error *err)
{
        if (jc_strv_contains(&cg->made, p))
                return 0;
        return jc_strv_push(&cg->made, p, err);
}

int jc_cg_plan_dirs(struct jc_cgroup *cg, const char *dir, char **anchor, struct jc_error *err)
{
        _cleanup_free_ char *a = jc_strdup(dir, err);
        struct jc_strv todo = { 0 };
        char *slash;
        size_t i;
        int rc = 0;

        if (a == NULL)
                return -1;
        while (!jc_cg_exists(a)) {
                if (jc_strv_push(&todo, a, err) < 0) {
                        jc_strv_free(&todo);
                        return -1;
                }
                slash = strrchr(a, '/');
                if (slash == NULL || slash == a) {
                        jc_strv_free(&todo);
                        return jc_error_set(err, ENOENT, "no directory above `%s'", dir);
                }
                *slash = '\0';
        }
        for (i = todo.n; rc == 0 && i > 0; i--)
                rc = jc_cg_made_push(cg, todo.v[i - 1], err);
        jc_strv_free(&todo);
        if (rc == 0)
                *anchor = JC_STEAL(a);
        return rc;
}

struct jc_cg_leaf *jc_cg_leaf_add(struct jc_cgroup *cg, const char *ctrl, const char *path,
                                  const char *origin, struct jc_error *err)
{
        struct jc_cg_leaf *l;

        if (cg->nleaf >= JC_CG_MAX_LEAVES) {
                jc_error_set(err, 0, "internal error: too many cgroups");
                return NULL;
        }
        l = &cg->leaf[cg->nleaf];
        jc_format(l->ctrl, sizeof(l->ctrl), "%s", ctrl);
        l->path = jc_strdup(path, err);
        l->origin = l->path ? jc_strdup(origin, err) : NULL;
        if (l->origin == NULL) {
                free(l->path);
                l->path = NULL;
                return NULL;
        }
        cg->nleaf++;
        return l;
}

/* --- killing -------------------------------------------------------------- */

int jc_cg_kill_listed(const char *procs, pid_t self, size_t *left, struct jc_error *err)
{
        _cleanup_free_ char *s = NULL;
        struct jc_error e2;
        char *line, *save = NULL, *end;
        long pid;

        *left = 0;
        s = jc_cg_read(procs, &e2);
        if (s == NULL) {
                if (e2.errnum == ENOENT)
                        return 0;
                *err = e2;
                return -1;
        }
        for (line = strtok_r(s, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
                errno = 0;
                pid = strtol(line, &end, 10);
                if (errno != 0 || *end != '\0' || pid <= 1 || pid > INT_MAX)
                        continue;
                if ((pid_t)pid == self)
                        continue;
                (*left)++;
                if (kill((pid_t)pid, SIGKILL) < 0 && errno != ESRCH)
                        return jc_error_set(err, errno, "kill %ld (in `%s')", pid, procs);
        }
        return 0;
}

/* Short naps, growing: processes die within microseconds of SIGKILL,
 * unless they sleep uninterruptibly (a hung file system); then the set is
 * left for `jobcell gc' after about ten seconds. */
static void nap(unsigned round)
{
        struct timespec ts = { 0, (long)(round < 20 ? round + 1 : 20) * 1000000L };

        nanosleep(&ts, NULL);
}

#define KILL_ROUNDS 600

int jc_cg_kill_until_empty(const char *dir, pid_t self, struct jc_error *err)
{
        _cleanup_free_ char *procs = jc_cg_join(dir, "cgroup.procs", err);
        unsigned round;
        size_t left;

        if (procs == NULL)
                return -1;
        for (round = 0; round < KILL_ROUNDS; round++) {
                if (jc_cg_kill_listed(procs, self, &left, err) < 0)
                        return -1;
                if (left == 0)
                        return 0;
                nap(round);
        }
        return jc_error_set(err, EBUSY, "%zu processes in `%s' outlived SIGKILL", left, dir);
}

/* --- records -------------------------------------------------------------- */

bool jc_cgroup_name_ok(const char *s)
{
        size_t i, n = strlen(s);

        if (n == 0 || n > 128 || s[0] == '.')
                return false;
        for (i = 0; i < n; i++)
                if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
                        return false;
        return true;
}

/* Start time of PID in clock ticks since boot (field 22 of its stat), or
 * -1 when it is gone or a zombie. */
static long long proc_start(pid_t pid)
{
        char path[64], buf[1024], *p, state;
        FILE *f;
        size_t n;
        long long start = -1;
        int field;

        jc_format(path, sizeof(path), "/proc/%d/stat", (int)pid);
        f = fopen(path, "re");
        if (f == NULL)
                return -1;
        n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = '\0';
        p = strrchr(buf, ')');
        if (p == NULL || sscanf(p + 1, " %c", &state) != 1 || state == 'Z' || state == 'X')
                return -1;
        p += 2; /* field 3 */
        for (field = 3; field < 22 && p != NULL; field++) {
                p = strchr(p, ' ');
                if (p != NULL)
                        p++;
        }
        if (p == NULL || sscanf(p, "%lld", &start) != 1)
                return -1;
        return start;
}

static int record_write(struct jc_cgroup *cg, struct jc_error *err)
{
        json_object *o = json_object_new_object(), *leaves = json_object_new_array(), *l;
        _cleanup_close_ int fd = -1;
        long long start = proc_start(cg->self);
        const char *text;
        size_t i, len;
        ssize_t n;
        int rc = -1;

        /* gc tells a live owner from a dead one (or a reused pid) by it. */
        if (start < 0) {
                json_object_put(o);
                json_object_put(leaves);
                return jc_error_set(err, ENOENT, "no start time in /proc/%d/stat", (int)cg->self);
        }
        if (o == NULL || leaves == NULL) {
                json_object_put(o);
                json_object_put(leaves);
                return jc_error_set(err, ENOMEM, "cgroup record");
        }
        json_object_object_add(o, "version", json_object_new_int(RECORD_VERSION));
        json_object_object_add(o, "name", json_object_new_string(cg->name));
        json_object_object_add(o, "cgroup_version", json_object_new_int(cg->version));
        json_object_object_add(o, "owner_pid", json_object_new_int(cg->self));
        json_object_object_add(o, "owner_start", json_object_new_int64(start));
        json_object_object_add(o, "pids_limit", json_object_new_int64(cg->pids_limit));
        for (i = 0; i < cg->nleaf; i++) {
                l = json_object_new_object();
                json_object_object_add(l, "controller", json_object_new_string(cg->leaf[i].ctrl));
                json_object_object_add(l, "path", json_object_new_string(cg->leaf[i].path));
                json_object_object_add(l, "origin", json_object_new_string(cg->leaf[i].origin));
                json_object_array_add(leaves, l);
        }
        json_object_object_add(o, "leaves", leaves);
        json_object_object_add(o, "made", jc_strv_json(&cg->made));
        json_object_object_add(o, "enabled_dir",
                               cg->enabled_dir ? json_object_new_string(cg->enabled_dir) : NULL);
        json_object_object_add(o, "enabled", json_object_new_string(cg->enabled));
        text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE);
        fd = open(cg->record, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) {
                if (errno == EEXIST)
                        jc_error_set(err, errno,
                                     "cgroup set `%s' is in use (record `%s'; `jobcell gc' "
                                     "removes it if its owner is gone)",
                                     cg->name, cg->record);
                else
                        jc_error_set(err, errno, "create `%s'", cg->record);
                goto out;
        }
        len = strlen(text);
        n = write(fd, text, len);
        if (n < 0 || (size_t)n != len || write(fd, "\n", 1) != 1) {
                jc_error_set(err, n < 0 ? errno : EIO, "write `%s'", cg->record);
                unlink(cg->record);
                goto out;
        }
        rc = 0;
out:
        json_object_put(o);
        return rc;
}

/* Is PATH a plain absolute path at or below ROOT?  (A record names what gc
 * kills and removes: nothing outside cgroupfs.) */
static bool under_root(const char *root, const char *path, bool strictly)
{
        size_t n = strlen(root);

        if (jc_check_path(path, NULL) < 0 || strncmp(path, root, n) != 0)
                return false;
        if (path[n] == '\0')
                return !strictly;
        return path[n] == '/' || (n > 0 && root[n - 1] == '/');
}

static const char *str_member(json_object *o, const char *key)
{
        json_object *v = json_object_object_get(o, key);

        return v != NULL && json_object_is_type(v, json_type_string) ? json_object_get_string(v)
                                                                     : NULL;
}

static bool int_member(json_object *o, const char *key, int64_t *out)
{
        json_object *v = json_object_object_get(o, key);

        if (v == NULL || !json_object_is_type(v, json_type_int))
                return false;
        *out = json_object_get_int64(v);
        return true;
}

static int record_parse(struct jc_cgroup *cg, json_object *o, int64_t *owner_start,
                        struct jc_error *err)
{
        json_object *leaves = json_object_object_get(o, "leaves");
        json_object *made = json_object_object_get(o, "made");
        const char *s, *ctrl, *path, *origin;
        int64_t n;
        size_t i;

        if (!int_member(o, "version", &n) || n != RECORD_VERSION)
                return jc_error_set(err, 0, "`%s' is not a version %d record", cg->record,
                                    RECORD_VERSION);
        s = str_member(o, "name");
        if (s == NULL || strcmp(s, cg->name) != 0)
                return jc_error_set(err, 0, "`%s' names another set", cg->record);
        if (!int_member(o, "cgroup_version", &n) || (n != 1 && n != 2))
                return jc_error_set(err, 0, "`%s': bad cgroup_version", cg->record);
        cg->version = (int)n;
        if (!int_member(o, "owner_pid", &n) || n <= 0 || n > INT_MAX ||
            !int_member(o, "owner_start", owner_start) ||
            !int_member(o, "pids_limit", &cg->pids_limit))
                return jc_error_set(err, 0, "`%s': bad owner or pids_limit", cg->record);
        cg->self = cg->owner_pid = (pid_t)n;
        if (leaves == NULL || !json_object_is_type(leaves, json_type_array) || made == NULL ||
            !json_object_is_type(made, json_type_array))
                return jc_error_set(err, 0, "`%s': no leaves or made list", cg->record);
        for (i = 0; i < json_object_array_length(leaves); i++) {
                json_object *l = json_object_array_get_idx(leaves, i);

                ctrl = str_member(l, "controller");
                path = str_member(l, "path");
                origin = str_member(l, "origin");
                if (ctrl == NULL || path == NULL || origin == NULL ||
                    !under_root(cg->root, path, true) || !under_root(cg->root, origin, false) ||
                    (cg->version == 2 ? ctrl[0] != '\0'
                                      : !jc_cg_word_in("pids memory cpuacct cpuset", ctrl)))
                        return jc_error_set(err, 0, "`%s': bad leaf %zu (not under `%s')",
                                            cg->record, i, cg->root);
                if (jc_cg_leaf_add(cg, ctrl, path, origin, err) == NULL)
                        return -1;
                cg->leaf[cg->nleaf - 1].mine = true;
        }
        for (i = 0; i < json_object_array_length(made); i++) {
                json_object *m = json_object_array_get_idx(made, i);

                if (!json_object_is_type(m, json_type_string) ||
                    !under_root(cg->root, json_object_get_string(m), true))
                        return jc_error_set(err, 0, "`%s': bad made directory", cg->record);
                if (jc_strv_push(&cg->made, json_object_get_string(m), err) < 0)
                        return -1;
        }
        s = str_member(o, "enabled_dir");
        if (s != NULL) {
                if (!under_root(cg->root, s, false))
                        return jc_error_set(err, 0, "`%s': bad enabled_dir", cg->record);
                cg->enabled_dir = jc_strdup(s, err);
                if (cg->enabled_dir == NULL)
                        return -1;
        }
        s = str_member(o, "enabled");
        if (s == NULL || strlen(s) >= sizeof(cg->enabled))
                return jc_error_set(err, 0, "`%s': bad enabled list", cg->record);
        jc_format(cg->enabled, sizeof(cg->enabled), "%s", s);
        return 0;
}

static int record_read(struct jc_cgroup *cg, int64_t *owner_start, struct jc_error *err)
{
        _cleanup_free_ char *text = jc_cg_read(cg->record, err);
        enum json_tokener_error jerr = json_tokener_success;
        json_object *o;
        int rc;

        if (text == NULL)
                return -1;
        o = json_tokener_parse_verbose(text, &jerr);
        if (o == NULL)
                return jc_error_set(err, 0, "`%s': %s", cg->record, json_tokener_error_desc(jerr));
        rc = record_parse(cg, o, owner_start, err);
        json_object_put(o);
        return rc;
}

/* The state dir holds what gc will kill: it must be the caller's alone. */
static int state_dir_ready(const char *dir, struct jc_error *err)
{
        struct stat st;

        if (dir[0] != '/')
                return jc_error_set(err, 0, "state directory `%s' is not absolute", dir);
        if (jc_mkdir_p(dir, err) < 0)
                return -1;
        if (lstat(dir, &st) < 0)
                return jc_error_set(err, errno, "stat `%s'", dir);
        if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022) != 0)
                return jc_error_set(err, EPERM,
                                    "state directory `%s' must be a directory owned by uid %u "
                                    "and writable only by it",
                                    dir, (unsigned)geteuid());
        return 0;
}

/* --- the set ---------------------------------------------------------------- */

void jc_cgroup_free(struct jc_cgroup *cg)
{
        size_t i;

        if (cg == NULL)
                return;
        for (i = 0; i < cg->nleaf; i++) {
                free(cg->leaf[i].path);
                free(cg->leaf[i].origin);
        }
        free(cg->root);
        free(cg->state_dir);
        free(cg->name);
        free(cg->record);
        free(cg->enabled_dir);
        jc_strv_free(&cg->made);
        free(cg);
}

static struct jc_cgroup *cg_new(const struct jc_cgroup_config *cfg, struct jc_error *err)
{
        struct jc_cgroup *cg;
        const char *root = cfg->root ? cfg->root : JC_CGROUP_ROOT;

        if (cfg->name == NULL || !jc_cgroup_name_ok(cfg->name)) {
                jc_error_set(err, EINVAL,
                             "cgroup name `%s' is not 1 to 128 of [A-Za-z0-9_.-] (no leading dot)",
                             cfg->name ? cfg->name : "");
                return NULL;
        }
        if (cfg->state_dir == NULL || cfg->state_dir[0] != '/') {
                jc_error_set(err, EINVAL, "cgroup state directory is not an absolute path");
                return NULL;
        }
        if (jc_check_path(root, err) < 0) {
                jc_error_wrap(err, "cgroup root");
                return NULL;
        }
        cg = calloc(1, sizeof(*cg));
        if (cg == NULL) {
                jc_error_set(err, errno, "cgroup set");
                return NULL;
        }
        cg->root = jc_strdup(root, err);
        cg->state_dir = cg->root ? jc_strdup(cfg->state_dir, err) : NULL;
        cg->name = cg->state_dir ? jc_strdup(cfg->name, err) : NULL;
        cg->record = cg->name ? jc_cg_join(cfg->state_dir, cfg->name, err) : NULL;
        if (cg->record == NULL) {
                jc_cgroup_free(cg);
                return NULL;
        }
        cg->mkdir_fn = cfg->mkdir_fn;
        cg->rmdir_fn = cfg->rmdir_fn;
        cg->self = cg->owner_pid = getpid();
        cg->pids_limit = -1;
        cg->memsw_write = -1;
        cg->pids_peak_seen = -1;
        cg->mem_peak_seen = -1;
        clock_gettime(CLOCK_MONOTONIC, &cg->start);
        return cg;
}

static int kill_others(struct jc_cgroup *cg, struct jc_error *err)
{
        size_t i;

        for (i = 0; i < cg->nleaf; i++)
                if (cg->leaf[i].mine && jc_cg_kill_until_empty(cg->leaf[i].path, cg->self, err) < 0)
                        return -1;
        return 0;
}

/* Undo a set, as far as it goes: with the caller inside, first kill all
 * but the caller (the pids limit still holds while we do) and move it
 * out; then kill what is left, remove the leaves, give back controllers,
 * and remove what was made on the way if nobody else uses it. */
static int teardown(struct jc_cgroup *cg, struct jc_error *err)
{
        bool failed = false;
        size_t i;

        if (cg->placed) {
                if (kill_others(cg, err) < 0 ||
                    (cg->version == 1 ? jc_cg1_leave(cg, err) : jc_cg2_leave(cg, err)) < 0)
                        return -1;
                cg->placed = false;
        }
        if ((cg->version == 1 ? jc_cg1_kill(cg, err) : jc_cg2_kill(cg, err)) < 0)
                return -1;
        for (i = cg->nleaf; i > 0; i--) {
                const char *p = cg->leaf[i - 1].path;

                if (!cg->leaf[i - 1].mine)
                        continue;
                if (cg_rmdir(cg, p) < 0 && errno != ENOENT && !failed) {
                        jc_error_set(err, errno, "rmdir `%s'", p);
                        failed = true;
                }
        }
        if (cg->version == 2)
                jc_cg2_disable(cg);
        for (i = cg->made.n; i > 0; i--)
                (void)cg_rmdir(cg, cg->made.v[i - 1]); /* others may still use it */
        if (failed)
                return -1;
        if (unlink(cg->record) < 0 && errno != ENOENT)
                return jc_error_set(err, errno, "unlink `%s'", cg->record);
        return 0;
}

/* A new set, planned: nothing is changed on the system yet. */
static struct jc_cgroup *plan(const struct jc_cgroup_config *cfg, struct jc_error *err)
{
        struct jc_cgroup *cg;
        struct jc_cg_proc proc = { 0 };
        int rc;

        if (cfg->pids_limit < 0 || cfg->memory_max < 0 || cfg->swap_max < -1) {
                jc_error_set(err, EINVAL, "negative cgroup limit");
                return NULL;
        }
        if (cfg->plain && (cfg->pids_limit > 0 || cfg->memory_max > 0 || cfg->swap_max >= 0 ||
                           (cfg->cpus != NULL && cfg->cpus[0] != '\0'))) {
                jc_error_set(err, EINVAL, "a plain cgroup set has no limits");
                return NULL;
        }
        cg = cg_new(cfg, err);
        if (cg == NULL)
                return NULL;
        cg->owner = true;
        if (jc_cg_proc_read(cfg->proc_cgroup ? cfg->proc_cgroup : "/proc/self/cgroup", &proc, err) <
            0) {
                jc_cgroup_free(cg);
                return NULL;
        }
        cg->version = cfg->version != JC_CGROUP_DETECT ? (int)cfg->version
                                                       : (int)jc_cg_proc_version(&proc);
        cg->pids_limit = cfg->pids_limit > 0 ? cfg->pids_limit : -1;
        rc = cg->version == 1 ? jc_cg1_plan(cg, cfg, &proc, err) : jc_cg2_plan(cg, cfg, &proc, err);
        jc_cg_proc_free(&proc);
        if (rc < 0) {
                jc_cgroup_free(cg);
                return NULL;
        }
        return cg;
}

/* May we make the leaf PATH?  Its deepest existing ancestor must be
 * writable with our effective ids (a cgroup tree is delegated by chown). */
static int may_make(const char *path, struct jc_error *err)
{
        _cleanup_free_ char *d = jc_strdup(path, err);
        char *slash;

        if (d == NULL)
                return -1;
        while (!jc_cg_exists(d)) {
                slash = strrchr(d, '/');
                if (slash == NULL || slash == d)
                        return jc_error_set(err, ENOENT, "no directory above `%s'", path);
                *slash = '\0';
        }
        if (faccessat(AT_FDCWD, d, W_OK, AT_EACCESS) < 0)
                return jc_error_set(err, errno,
                                    "cannot make cgroups in `%s' (not delegated to uid %u)", d,
                                    (unsigned)geteuid());
        return 0;
}

int jc_cgroup_check(const struct jc_cgroup_config *cfg, struct jc_error *err)
{
        struct jc_cgroup *cg = plan(cfg, err);
        size_t i;
        int rc = 0;

        if (cg == NULL)
                return -1;
        for (i = 0; rc == 0 && i < cg->nleaf; i++)
                rc = may_make(cg->leaf[i].path, err);
        jc_cgroup_free(cg);
        return rc;
}

int jc_cgroup_create(const struct jc_cgroup_config *cfg, struct jc_cgroup **out,
                     struct jc_error *err)
{
        struct jc_cgroup *cg;
        struct jc_error e2;

        *out = NULL;
        cg = plan(cfg, err);
        if (cg == NULL)
                return -1;
        if (state_dir_ready(cfg->state_dir, err) < 0 || record_write(cg, err) < 0)
                goto fail;
        if ((cg->version == 1 ? jc_cg1_apply(cg, cfg, err) : jc_cg2_apply(cg, cfg, err)) < 0) {
                /* Undo what was done; if that fails too, the record stays
                 * for gc and ERR keeps the first failure. */
                (void)teardown(cg, &e2);
                goto fail;
        }
        *out = cg;
        return 0;
fail:
        jc_cgroup_free(cg);
        return -1;
}

int jc_cgroup_open(const struct jc_cgroup_config *cfg, struct jc_cgroup **out, struct jc_error *err)
{
        struct jc_cgroup *cg = cg_new(cfg, err);
        int64_t start;

        *out = NULL;
        if (cg == NULL)
                return -1;
        if (record_read(cg, &start, err) < 0) {
                jc_cgroup_free(cg);
                return -1;
        }
        cg->self = getpid();
        *out = cg;
        return 0;
}

int jc_cgroup_attach(struct jc_cgroup *cg, pid_t pid, struct jc_error *err)
{
        char buf[32];
        size_t i;

        jc_format(buf, sizeof(buf), "%d", (int)pid);
        for (i = 0; i < cg->nleaf; i++) {
                _cleanup_free_ char *p = jc_cg_join(cg->leaf[i].path, "cgroup.procs", err);

                if (p == NULL || jc_cg_write(p, buf, err) < 0)
                        return jc_error_wrap(err, "attach %d", (int)pid);
        }
        if (pid == getpid())
                cg->placed = true;
        return 0;
}

int jc_cgroup_destroy(struct jc_cgroup *cg, struct jc_error *err)
{
        int rc;

        /* Whoever destroys is the process spared and moved back (a child
         * forked after create sits in the set as well). */
        cg->self = getpid();
        rc = teardown(cg, err);

        jc_cgroup_free(cg);
        return rc;
}

const char *jc_cgroup_path(const struct jc_cgroup *cg, const char *controller)
{
        size_t i;

        if (cg->version == 2)
                return cg->nleaf ? cg->leaf[0].path : NULL;
        for (i = 0; controller != NULL && i < cg->nleaf; i++)
                if (strcmp(cg->leaf[i].ctrl, controller) == 0)
                        return cg->leaf[i].path;
        return NULL;
}

pid_t jc_cgroup_owner(const struct jc_cgroup *cg)
{
        return cg->owner_pid;
}

int jc_cgroup_version(const struct jc_cgroup *cg)
{
        return cg->version;
}

/* --- gc ------------------------------------------------------------------- */

static int gc_one(const struct jc_cgroup_config *cfg, const char *name, bool *removed,
                  struct jc_error *err)
{
        struct jc_cgroup_config c = *cfg;
        struct jc_cgroup *cg;
        int64_t start;
        long long now;
        int rc;

        *removed = false;
        c.name = name;
        cg = cg_new(&c, err);
        if (cg == NULL)
                return -1;
        if (record_read(cg, &start, err) < 0) {
                jc_cgroup_free(cg);
                return -1;
        }
        now = proc_start(cg->self);
        if (now >= 0 && now == start) {
                jc_cgroup_free(cg); /* the owner lives: not ours to remove */
                return 0;
        }
        cg->placed = false;
        cg->self = getpid();
        rc = teardown(cg, err);
        jc_cgroup_free(cg);
        if (rc == 0)
                *removed = true;
        return rc;
}

static int gc_dir(const struct jc_cgroup_config *cfg, const char *only, unsigned *removed,
                  struct jc_error *err)
{
        DIR *d;
        struct dirent *de;
        struct jc_error e2;
        bool one, failed = false;
        unsigned n = 0;
        struct stat st;

        if (removed)
                *removed = 0;
        if (cfg->state_dir == NULL)
                return jc_error_set(err, EINVAL, "cgroup state directory not given");
        d = opendir(cfg->state_dir);
        if (d == NULL) {
                if (errno == ENOENT)
                        return 0;
                return jc_error_set(err, errno, "open `%s'", cfg->state_dir);
        }
        if (fstat(dirfd(d), &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022) != 0) {
                closedir(d);
                return jc_error_set(err, EPERM,
                                    "state directory `%s' is not owned by uid %u alone: not "
                                    "trusting its records",
                                    cfg->state_dir, (unsigned)geteuid());
        }
        while ((de = readdir(d)) != NULL) {
                if (!jc_cgroup_name_ok(de->d_name) || (only != NULL && strcmp(only, de->d_name) != 0))
                        continue;
                if (gc_one(cfg, de->d_name, &one, &e2) < 0) {
                        if (!failed)
                                *err = e2;
                        failed = true;
                        continue;
                }
                n += one;
        }
        closedir(d);
        if (removed)
                *removed = n;
        return failed ? -1 : 0;
}

int jc_cgroup_gc(const struct jc_cgroup_config *cfg, unsigned *removed, struct jc_error *err)
{
        return gc_dir(cfg, NULL, removed, err);
}

int jc_cgroup_gc_name(const struct jc_cgroup_config *cfg, const char *name, unsigned *removed,
                      struct jc_error *err)
{
        return gc_dir(cfg, name, removed, err);
}

/* --- usage ---------------------------------------------------------------- */

static void stats_init(struct jc_cgroup *cg, struct jc_cgroup_stats *st)
{
        struct timespec now;

        memset(st, 0, sizeof(*st));
        st->version = cg->version;
        clock_gettime(CLOCK_MONOTONIC, &now);
        st->wall_seconds = (double)(now.tv_sec - cg->start.tv_sec) +
                           (double)(now.tv_nsec - cg->start.tv_nsec) / 1e9;
        st->cpu_user_us = st->cpu_system_us = -1;
        st->memory_current = st->memory_peak = st->memory_limit = -1;
        st->pids_current = st->pids_peak = st->pids_limit_hits = st->oom_kills = -1;
        st->pids_limit = cg->pids_limit;
}

int jc_cgroup_stats(struct jc_cgroup *cg, struct jc_cgroup_stats *st, struct jc_error *err)
{
        stats_init(cg, st);
        return cg->version == 1 ? jc_cg1_stats(cg, st, err) : jc_cg2_stats(cg, st, err);
}

/* Raise *PEAK to the number in DIR/FILE, if it is there. */
static void sample_one(const char *dir, const char *file, int64_t *peak)
{
        struct jc_error err;
        char *p;
        int64_t v;

        if (dir == NULL || (p = jc_cg_join(dir, file, &err)) == NULL)
                return;
        if (jc_cg_read_i64(p, &v, &err) == 0 && v > *peak)
                *peak = v;
        free(p);
}

void jc_cgroup_sample(struct jc_cgroup *cg)
{
        sample_one(jc_cgroup_path(cg, "pids"), "pids.current", &cg->pids_peak_seen);
        if (cg->version == 2) /* v1 has memory.max_usage_in_bytes */
                sample_one(jc_cgroup_path(cg, ""), "memory.current", &cg->mem_peak_seen);
}

static json_object *num_or_null(int64_t v)
{
        return v < 0 ? NULL : json_object_new_int64(v);
}

static json_object *seconds_or_null(int64_t us)
{
        return us < 0 ? NULL : json_object_new_double((double)us / 1e6);
}

json_object *jc_cgroup_stats_json(const struct jc_cgroup_stats *st)
{
        json_object *o = json_object_new_object();

        if (o == NULL)
                return NULL;
        json_object_object_add(o, "cgroup_version", json_object_new_int(st->version));
        json_object_object_add(o, "wall_seconds", json_object_new_double(st->wall_seconds));
        json_object_object_add(o, "cpu_user_seconds", seconds_or_null(st->cpu_user_us));
        json_object_object_add(o, "cpu_system_seconds", seconds_or_null(st->cpu_system_us));
        json_object_object_add(o, "memory_current_bytes", num_or_null(st->memory_current));
        json_object_object_add(o, "memory_peak_bytes", num_or_null(st->memory_peak));
        json_object_object_add(o, "memory_peak_sampled",
                               json_object_new_boolean(st->memory_peak_sampled));
        json_object_object_add(o, "memory_limit_bytes", num_or_null(st->memory_limit));
        json_object_object_add(o, "pids_current", num_or_null(st->pids_current));
        json_object_object_add(o, "pids_peak", num_or_null(st->pids_peak));
        json_object_object_add(o, "pids_peak_sampled",
                               json_object_new_boolean(st->pids_peak_sampled));
        json_object_object_add(o, "pids_limit", num_or_null(st->pids_limit));
        json_object_object_add(o, "pids_limit_hits", num_or_null(st->pids_limit_hits));
        json_object_object_add(o, "oom_kills", num_or_null(st->oom_kills));
        return o;
}

static const char *num_text(int64_t v, char *buf, size_t len)
{
        if (v < 0)
                return "-";
        jc_format(buf, len, "%lld", (long long)v);
        return buf;
}

static const char *sec_text(int64_t us, char *buf, size_t len)
{
        if (us < 0)
                return "-";
        jc_format(buf, len, "%.2fs", (double)us / 1e6);
        return buf;
}

const char *jc_cgroup_stats_line(const struct jc_cgroup_stats *st, char *buf, size_t len)
{
        char a[32], b[32], c[32], d[32], e[32], f[32], g[32], h[32];

        jc_format(
                buf, len,
                "wall=%.1fs cpu_user=%s cpu_sys=%s mem=%s mem_peak=%s pids=%s pids_peak=%s "
                "pids_limit_hits=%s oom_kills=%s",
                st->wall_seconds, sec_text(st->cpu_user_us, a, sizeof(a)),
                sec_text(st->cpu_system_us, b, sizeof(b)),
                num_text(st->memory_current, c, sizeof(c)), num_text(st->memory_peak, d, sizeof(d)),
                num_text(st->pids_current, e, sizeof(e)), num_text(st->pids_peak, f, sizeof(f)),
                num_text(st->pids_limit_hits, g, sizeof(g)), num_text(st->oom_kills, h, sizeof(h)));
        return buf;
}
