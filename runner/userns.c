#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "userns.h"
#include "util.h"

void jc_job_free(struct jc_job *job)
{
        size_t i;

        for (i = 0; job->group_names != NULL && i <= job->ngroups; i++)
                free(job->group_names[i]);
        free(job->group_names);
        free(job->groups);
        free(job->env_buf);
        if (job->env_owned)
                free(job->env);
        free(job->user);
        free(job->home);
        free(job->cwd);
}

static bool overlaps(const struct jc_idmap *m, size_t n, uint32_t in, uint32_t out, uint32_t count)
{
        size_t i;

        for (i = 0; i < n; i++) {
                if (in < m[i].in + m[i].count && m[i].in < in + count)
                        return true;
                if (out < m[i].out + m[i].count && m[i].out < out + count)
                        return true;
        }
        return false;
}

/* Add IN..IN+COUNT -> OUT..; false if it overlaps what is there (the
 * kernel refuses overlapping ranges) or the map is full. */
static bool add(struct jc_idmap *m, size_t *n, uint32_t in, uint32_t out, uint32_t count)
{
        if (count == 0 || *n >= JC_MAX_IDMAP || overlaps(m, *n, in, out, count))
                return false;
        m[(*n)++] = (struct jc_idmap){ in, out, count };
        return true;
}

int jc_subid_range(const char *file, const char *user, uid_t uid, uint32_t *start, uint32_t *count,
                   struct jc_error *err)
{
        _cleanup_fclose_ FILE *f = fopen(file, "re");
        _cleanup_free_ char *line = NULL;
        char uidtext[16];
        size_t cap = 0;

        if (f == NULL)
                return jc_error_set(err, errno, "open `%s'", file);
        jc_format(uidtext, sizeof(uidtext), "%u", (unsigned)uid);
        while (getline(&line, &cap, f) >= 0) {
                char *name = strtok(line, ":"), *s = strtok(NULL, ":"), *c = strtok(NULL, ":\n");
                unsigned long a, b;
                char *e1, *e2;

                if (name == NULL || s == NULL || c == NULL)
                        continue;
                if (strcmp(name, user) != 0 && strcmp(name, uidtext) != 0)
                        continue;
                a = strtoul(s, &e1, 10);
                b = strtoul(c, &e2, 10);
                if (*e1 != '\0' || *e2 != '\0' || b == 0 || a == 0 || a + b > UINT32_MAX)
                        return jc_error_set(err, 0, "%s: bad range for `%s'", file, user);
                *start = (uint32_t)a;
                *count = (uint32_t)b;
                return 0;
        }
        return jc_error_set(err, 0, "%s has no range for `%s' (root_map = subuid)", file, user);
}

/* Map root inside (and the range above it, for subuid) to the service id
 * or the user's subordinate range, leaving ID (the user's own) to map
 * to itself. */
static int map_root(const struct jc_spec *spec, const struct jc_job *job, bool gid,
                    struct jc_idmap *m, size_t *n, struct jc_error *err)
{
        uint32_t start, count, id = gid ? job->gid : job->uid;

        if (spec->root_map == JC_ROOTMAP_SERVICE) {
                add(m, n, 0, gid ? spec->service_gid : spec->service_uid, 1);
                return 0;
        }
        if (jc_subid_range(gid ? "/etc/subgid" : "/etc/subuid", job->user, job->uid, &start, &count,
                           err) < 0)
                return -1;
        /* Inside id i -> start + i; the user's own id keeps its slot. */
        if (id >= count) {
                add(m, n, 0, start, count);
        } else {
                add(m, n, 0, start, id);
                add(m, n, id + 1, start + id + 1, count - id - 1);
        }
        return 0;
}

static int plan_privileged(const struct jc_spec *spec, const struct jc_job *job, struct jc_ids *ids,
                           struct jc_error *err)
{
        size_t i;

        if (spec->identity == JC_ID_FAKEROOT) {
                add(ids->uid, &ids->nuid, 0, job->uid, 1);
                add(ids->gid, &ids->ngid, 0, job->gid, 1);
                ids->job_uid = ids->job_gid = 0;
        } else {
                if (map_root(spec, job, false, ids->uid, &ids->nuid, err) < 0 ||
                    map_root(spec, job, true, ids->gid, &ids->ngid, err) < 0)
                        return -1;
                if (!add(ids->uid, &ids->nuid, job->uid, job->uid, 1) ||
                    !add(ids->gid, &ids->ngid, job->gid, job->gid, 1))
                        return jc_error_set(err, 0,
                                            "uid %u or gid %u collides with the root "
                                            "mapping (service_user or subuid range)",
                                            (unsigned)job->uid, (unsigned)job->gid);
                ids->job_uid = spec->identity == JC_ID_USER ? job->uid : 0;
                ids->job_gid = spec->identity == JC_ID_USER ? job->gid : 0;
        }
        /* Supplementary groups show under their own numbers where they do
         * not collide; the others still count for access, as "nogroup". */
        for (i = 0; i < job->ngroups; i++)
                add(ids->gid, &ids->ngid, job->groups[i], job->groups[i], 1);
        ids->init_uid = ids->init_gid = 0;
        return 0;
}

/* Rootless: the kernel lets an unprivileged process map its own uid and
 * gid and nothing else (with setgroups denied). */
static int plan_rootless(const struct jc_spec *spec, const struct jc_job *job, struct jc_ids *ids,
                         struct jc_error *err)
{
        uint32_t in_uid = job->uid, in_gid = job->gid;

        if (spec->identity == JC_ID_SERVICE_ROOT)
                return jc_error_set(err, 0,
                                    "identity service-root maps root inside to "
                                    "another uid, which needs privilege (rootless runner)");
        if (spec->identity == JC_ID_FAKEROOT)
                in_uid = in_gid = 0;
        add(ids->uid, &ids->nuid, in_uid, job->uid, 1);
        add(ids->gid, &ids->ngid, in_gid, job->gid, 1);
        ids->job_uid = ids->init_uid = in_uid;
        ids->job_gid = ids->init_gid = in_gid;
        return 0;
}

int jc_ids_plan(const struct jc_spec *spec, const struct jc_job *job, struct jc_ids *ids,
                struct jc_error *err)
{
        memset(ids, 0, sizeof(*ids));
        /* Whatever the mode: never map anything inside to host root. */
        if (job->uid == 0 || job->gid == 0)
                return jc_error_set(err, 0,
                                    "the job's user would be host root (uid %u, gid %u); "
                                    "name an unprivileged user",
                                    (unsigned)job->uid, (unsigned)job->gid);
        if (job->privileged)
                return plan_privileged(spec, job, ids, err);
        return plan_rootless(spec, job, ids, err);
}

static int write_file(pid_t pid, const char *name, const char *text, struct jc_error *err)
{
        char path[64];
        _cleanup_close_ int fd = -1;
        size_t len = strlen(text);

        jc_format(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return jc_error_set(err, errno, "open `%s'", path);
        /* A map must be written in one write(2). */
        if (write(fd, text, len) != (ssize_t)len)
                return jc_error_set(err, errno, "write `%s' (%s)", path, text);
        return 0;
}

static int format_map(const struct jc_idmap *m, size_t n, char *buf, size_t len)
{
        size_t i, off = 0;

        buf[0] = '\0';
        for (i = 0; i < n; i++) {
                int k = snprintf(buf + off, len - off, "%u %u %u\n", m[i].in, m[i].out, m[i].count);

                if (k < 0 || (size_t)k >= len - off)
                        return -1;
                off += (size_t)k;
        }
        return 0;
}

int jc_ids_write(pid_t pid, const struct jc_ids *ids, struct jc_error *err)
{
        char buf[JC_MAX_IDMAP * 36];

        if (format_map(ids->uid, ids->nuid, buf, sizeof(buf)) < 0)
                return jc_error_set(err, E2BIG, "uid_map");
        if (write_file(pid, "uid_map", buf, err) < 0)
                return -1;
        if (write_file(pid, "setgroups", "deny", err) < 0)
                return -1;
        if (format_map(ids->gid, ids->ngid, buf, sizeof(buf)) < 0)
                return jc_error_set(err, E2BIG, "gid_map");
        return write_file(pid, "gid_map", buf, err);
}
