#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "passwd.h"
#include "pathres.h"
#include "util.h"

/* The image's copy of FILE, at most 1 MiB; "" when it has none.  The
 * buffer is the file's size: a buffer of the most, zeroed, costs the init
 * a mapping and its page faults at every start. */
static char *read_image_file(int imagefd, const char *file, struct jc_error *err)
{
        _cleanup_close_ int fd = -1;
        struct stat st;
        char *buf;
        ssize_t n;
        size_t len = 0, cap = 0;

        fd = jc_open_in_root(imagefd, file, O_RDONLY, err);
        if (fd < 0 && err->errnum != ENOENT)
                return NULL;
        if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0)
                cap = st.st_size < (1 << 20) ? (size_t)st.st_size : (size_t)1 << 20;
        buf = malloc(cap + 1);
        if (buf == NULL) {
                jc_error_set(err, errno, "read image `%s'", file);
                return NULL;
        }
        while (fd >= 0 && len < cap && (n = read(fd, buf + len, cap - len)) > 0)
                len += (size_t)n;
        buf[len] = '\0';
        return buf;
}

/* Does LINE (NAME:x:ID:...) name NAME or carry ID in its third field? */
static bool same_entry(const char *line, const char *name, unsigned id)
{
        size_t n = strlen(name);
        const char *p;
        unsigned v;

        if (strncmp(line, name, n) == 0 && line[n] == ':')
                return true;
        p = strchr(line, ':');
        p = p ? strchr(p + 1, ':') : NULL;
        return p != NULL && sscanf(p + 1, "%u", &v) == 1 && v == id;
}

struct text {
        char *buf;
        size_t len, cap;
        bool failed;
};

static void put(struct text *t, const char *s, size_t n)
{
        char *nb;

        if (t->failed)
                return;
        if (t->len + n + 1 > t->cap) {
                t->cap = (t->len + n + 1) * 2;
                nb = realloc(t->buf, t->cap);
                if (nb == NULL) {
                        t->failed = true;
                        return;
                }
                t->buf = nb;
        }
        memcpy(t->buf + t->len, s, n);
        t->len += n;
        t->buf[t->len] = '\0';
}

/* Copy the image's lines, leaving out those ADDED (name, id) replace. */
static void copy_image(struct text *t, const char *image, const char *const *names,
                       const unsigned *ids, size_t n)
{
        const char *line, *end;
        size_t i;

        for (line = image; *line; line = end) {
                bool drop = false;

                end = strchrnul(line, '\n');
                if (*end == '\n')
                        end++;
                for (i = 0; i < n && !drop; i++)
                        drop = same_entry(line, names[i], ids[i]);
                if (!drop && end > line && line[0] != '\n') {
                        put(t, line, (size_t)(end - line));
                        if (end[-1] != '\n')
                                put(t, "\n", 1);
                }
        }
}

static int build_passwd(const char *image, const struct jc_job *job, const struct jc_ids *ids,
                        char **out, struct jc_error *err)
{
        const char *names[2] = { "root", job->user };
        unsigned nums[2] = { 0, ids->job_uid == 0 ? job->uid : ids->job_uid };
        struct text t = { 0 };
        char line[1024];

        jc_format(line, sizeof(line), "root:x:0:0:root:/root:/bin/sh\n");
        put(&t, line, strlen(line));
        /* The user's own entry, where the user's uid is mapped inside. */
        if (ids->job_uid != 0)
                jc_format(line, sizeof(line), "%s:x:%u:%u:%s:%s:/bin/sh\n", job->user,
                          (unsigned)ids->job_uid, (unsigned)ids->job_gid, job->user, job->home);
        else
                line[0] = '\0';
        put(&t, line, strlen(line));
        copy_image(&t, image, names, nums, 2);
        if (t.failed) {
                free(t.buf);
                return jc_error_set(err, ENOMEM, "build /etc/passwd");
        }
        *out = t.buf;
        return 0;
}

static bool gid_mapped(const struct jc_ids *ids, gid_t gid)
{
        size_t i;

        for (i = 0; i < ids->ngid; i++)
                if (ids->gid[i].in == gid && ids->gid[i].out == gid && ids->gid[i].count == 1)
                        return true;
        return false;
}

static int build_group(const char *image, const struct jc_job *job, const struct jc_ids *ids,
                       char **out, struct jc_error *err)
{
        const char *names[JC_MAX_IDMAP + 1];
        unsigned nums[JC_MAX_IDMAP + 1];
        char lines[JC_MAX_IDMAP][300];
        struct text t = { 0 };
        size_t n = 0, i;

        names[n] = "root";
        nums[n] = 0;
        jc_format(lines[n++], sizeof(lines[0]), "root:x:0:\n");
        /* The job's primary and supplementary groups, by their host names. */
        for (i = 0; i <= job->ngroups && n < JC_MAX_IDMAP; i++) {
                gid_t g = i == 0 ? job->gid : job->groups[i - 1];
                size_t k;
                bool dup = false;

                for (k = 1; k < n; k++)
                        dup = dup || nums[k] == g;
                if (dup || g == 0 || !gid_mapped(ids, g))
                        continue;
                /* Names were looked up by the runner: no NSS (sssd, LDAP)
                 * in here, where the sandbox is being built. */
                jc_format(lines[n], sizeof(lines[0]), "%s:x:%u:%s\n", job->group_names[i],
                          (unsigned)g, job->user);
                names[n] = lines[n]; /* compared up to the first ':' */
                nums[n++] = g;
        }
        for (i = 0; i < n; i++)
                put(&t, lines[i], strlen(lines[i]));
        for (i = 0; i < n; i++) {
                char *colon = strchr(lines[i], ':');

                if (colon)
                        *colon = '\0';
        }
        copy_image(&t, image, names, nums, n);
        if (t.failed) {
                free(t.buf);
                return jc_error_set(err, ENOMEM, "build /etc/group");
        }
        *out = t.buf;
        return 0;
}

int jc_passwd_build(int imagefd, const struct jc_job *job, const struct jc_ids *ids, char **passwd,
                    char **group, struct jc_error *err)
{
        _cleanup_free_ char *ipw = NULL, *igr = NULL;

        ipw = read_image_file(imagefd, "/etc/passwd", err);
        igr = ipw ? read_image_file(imagefd, "/etc/group", err) : NULL;
        if (igr == NULL)
                return -1;
        if (build_passwd(ipw, job, ids, passwd, err) < 0)
                return -1;
        if (build_group(igr, job, ids, group, err) < 0) {
                free(*passwd);
                return -1;
        }
        return 0;
}
