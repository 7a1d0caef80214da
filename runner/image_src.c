/* Reading an image's files, from a directory or from a tar of one, each
 * file hashed as it is read.  Nothing here trusts a name: directory
 * members are opened beneath the directory without following symlinks
 * out of it, tar members are matched by normalised name, and links are
 * resolved inside the archive only. */
#include "config.h"

#include "archive_dl.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "image_internal.h"

void jc_sha256_hex(struct sha256_ctx *ctx, char out[JC_DIGEST_LEN])
{
        static const char hex[] = "0123456789abcdef";
        uint8_t d[SHA256_DIGEST_SIZE];
        size_t i;

        sha256_digest(ctx, sizeof(d), d);
        memcpy(out, "sha256:", 7);
        for (i = 0; i < sizeof(d); i++) {
                out[7 + 2 * i] = hex[d[i] >> 4];
                out[8 + 2 * i] = hex[d[i] & 15];
        }
        out[7 + 2 * sizeof(d)] = '\0';
}

const char *jc_digest_hex(const char *digest, struct jc_error *err)
{
        size_t i;

        if (digest == NULL || strncmp(digest, "sha256:", 7) != 0 || strlen(digest) != 71)
                goto bad;
        for (i = 7; i < 71; i++)
                if (!strchr("0123456789abcdef", digest[i]))
                        goto bad;
        return digest + 7;
bad:
        jc_error_set(err, 0, "`%s' is not a sha256 digest (sha256: and 64 lowercase hex digits)",
                     digest ? digest : "(none)");
        return NULL;
}

int jc_path_norm(const char *name, char *out, size_t len, struct jc_error *err)
{
        const char *p = name, *q;
        size_t o = 0, n;
        int depth = 0;

        if (name[0] == '/')
                return jc_error_set(err, 0, "`%s' is an absolute path", name);
        while (*p != '\0') {
                q = strchrnul(p, '/');
                n = (size_t)(q - p);
                if (n == 2 && p[0] == '.' && p[1] == '.')
                        return jc_error_set(err, 0, "`%s' has a `..' component", name);
                if (n > 0 && !(n == 1 && p[0] == '.')) {
                        if (o + n + 2 > len)
                                return jc_error_set(err, ENAMETOOLONG, "`%.200s...'", name);
                        if (++depth > JC_IMAGE_MAX_DEPTH)
                                return jc_error_set(err, 0, "`%.200s...' is more than %d deep",
                                                    name, JC_IMAGE_MAX_DEPTH);
                        if (o > 0)
                                out[o++] = '/';
                        memcpy(out + o, p, n);
                        o += n;
                }
                p = *q ? q + 1 : q;
        }
        if (len == 0)
                return jc_error_set(err, ENAMETOOLONG, "`%.200s'", name);
        out[o] = '\0';
        return 0;
}

/* --- tar listing ------------------------------------------------------------ */

static struct archive *tar_reader(int fd, const char *name, struct jc_error *err)
{
        struct archive *a;

        if (lseek(fd, 0, SEEK_SET) < 0) {
                jc_error_set(err, errno, "seek `%s'", name);
                return NULL;
        }
        a = archive_read_new();
        if (a == NULL) {
                jc_error_set(err, ENOMEM, "read `%s'", name);
                return NULL;
        }
        archive_read_support_format_tar(a);
        archive_read_support_filter_gzip(a);
        archive_read_support_filter_none(a);
        /* archive_read_open_fd skips member data with lseek on a regular
         * file, so listing a large archive reads only its headers. */
        if (archive_read_open_fd(a, fd, 64 * 1024) != ARCHIVE_OK) {
                jc_error_set(err, jc_archive_errno(a, 0), "read `%s': %s", name,
                             archive_error_string(a));
                archive_read_free(a);
                return NULL;
        }
        return a;
}

static struct jc_member *find(struct jc_src *src, const char *name)
{
        size_t i;

        for (i = 0; i < src->n; i++)
                if (strcmp(src->m[i].name, name) == 0)
                        return &src->m[i];
        return NULL;
}

/* The target of symlink NAME -> LINK, relative to NAME's directory. */
static int link_target(const char *name, const char *link, char *out, size_t len,
                       struct jc_error *err)
{
        char joined[PATH_MAX * 2];
        const char *slash = strrchr(name, '/');
        char norm[PATH_MAX];
        char *parts[PATH_MAX / 2];
        size_t np = 0, o = 0, i;
        char *p, *save = NULL;

        if (link[0] == '/')
                return jc_error_set(err, 0, "link `%s' -> `%s' leaves the archive", name, link);
        if (jc_format(joined, sizeof(joined), "%.*s/%s", slash ? (int)(slash - name) : 0, name,
                      link))
                return jc_error_set(err, ENAMETOOLONG, "link `%s'", name);
        /* Resolve ".." lexically; going above the top leaves the archive. */
        for (p = strtok_r(joined, "/", &save); p != NULL; p = strtok_r(NULL, "/", &save)) {
                if (strcmp(p, ".") == 0)
                        continue;
                if (strcmp(p, "..") == 0) {
                        if (np == 0)
                                return jc_error_set(err, 0, "link `%s' -> `%s' leaves the archive",
                                                    name, link);
                        np--;
                        continue;
                }
                if (np == JC_ARRAY_SIZE(parts))
                        return jc_error_set(err, ENAMETOOLONG, "link `%s'", name);
                parts[np++] = p;
        }
        for (i = 0; i < np; i++) {
                size_t n = strlen(parts[i]);

                if (o + n + 2 > sizeof(norm))
                        return jc_error_set(err, ENAMETOOLONG, "link `%s'", name);
                if (i > 0)
                        norm[o++] = '/';
                memcpy(norm + o, parts[i], n);
                o += n;
        }
        norm[o] = '\0';
        if (jc_format(out, len, "%s", norm))
                return jc_error_set(err, ENAMETOOLONG, "link `%s'", name);
        return 0;
}

static int add_member(struct jc_src *src, struct archive_entry *e, struct jc_error *err)
{
        char name[PATH_MAX], link[PATH_MAX];
        const char *raw = archive_entry_pathname(e);
        struct jc_member *m, *nv;

        if (raw == NULL || jc_path_norm(raw, name, sizeof(name), err) < 0)
                return raw == NULL ? jc_error_set(err, 0, "a member has no name") : -1;
        m = find(src, name);
        if (m != NULL) {
                m->dup = true;
                return 0;
        }
        if (src->n % 64 == 0) {
                nv = realloc(src->m, (src->n + 64) * sizeof(*nv));
                if (nv == NULL)
                        return jc_error_set(err, errno, "list `%s'", src->name);
                src->m = nv;
        }
        m = &src->m[src->n];
        memset(m, 0, sizeof(*m));
        m->size = archive_entry_size_is_set(e) ? archive_entry_size(e) : -1;
        if (archive_entry_hardlink(e) != NULL) {
                m->type = 'h';
                if (jc_path_norm(archive_entry_hardlink(e), link, sizeof(link), err) < 0)
                        return -1;
        } else if (archive_entry_filetype(e) == AE_IFLNK) {
                m->type = 'l';
                if (link_target(name, archive_entry_symlink(e) ? archive_entry_symlink(e) : "",
                                link, sizeof(link), err) < 0)
                        return -1;
        } else {
                m->type = archive_entry_filetype(e) == AE_IFREG   ? 'f'
                          : archive_entry_filetype(e) == AE_IFDIR ? 'd'
                                                                  : 'o';
        }
        m->name = strdup(name);
        m->link = m->type == 'h' || m->type == 'l' ? strdup(link) : NULL;
        if (m->name == NULL || ((m->type == 'h' || m->type == 'l') && m->link == NULL)) {
                free(m->name);
                free(m->link);
                return jc_error_set(err, ENOMEM, "list `%s'", src->name);
        }
        src->n++;
        return 0;
}

static int list_tar(struct jc_src *src, struct jc_error *err)
{
        struct archive *a = tar_reader(src->tarfd, src->name, err);
        struct archive_entry *e;
        int r;

        if (a == NULL)
                return -1;
        while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
                if (add_member(src, e, err) < 0) {
                        archive_read_free(a);
                        return jc_error_wrap(err, "`%s'", src->name);
                }
        }
        if (r != ARCHIVE_EOF) {
                jc_error_set(err, jc_archive_errno(a, 0), "read `%s': %s", src->name,
                             archive_error_string(a));
                archive_read_free(a);
                return -1;
        }
        archive_read_free(a);
        return 0;
}

int jc_src_open(int fd, const char *name, struct jc_src *src, struct jc_error *err)
{
        struct stat st;
        int d;

        memset(src, 0, sizeof(*src));
        src->dirfd = src->tarfd = -1;
        src->name = name;
        if (fstat(fd, &st) < 0)
                return jc_error_set(err, errno, "stat `%s'", name);
        if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
                return jc_error_set(err, 0, "`%s' is neither a directory nor a regular file", name);
        d = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (d < 0)
                return jc_error_set(err, errno, "dup `%s'", name);
        if (S_ISDIR(st.st_mode)) {
                src->dirfd = d;
                return 0;
        }
        src->tarfd = d;
        if (list_tar(src, err) < 0) {
                jc_src_close(src);
                return -1;
        }
        return 0;
}

void jc_src_close(struct jc_src *src)
{
        size_t i;

        for (i = 0; i < src->n; i++) {
                free(src->m[i].name);
                free(src->m[i].link);
        }
        free(src->m);
        if (src->dirfd >= 0)
                close(src->dirfd);
        if (src->tarfd >= 0)
                close(src->tarfd);
        memset(src, 0, sizeof(*src));
        src->dirfd = src->tarfd = -1;
}

/* The regular-file member NAME leads to, following links inside the
 * archive; a name that appears twice is refused (which copy is meant?). */
static struct jc_member *resolve(struct jc_src *src, const char *name, struct jc_error *err)
{
        struct jc_member *m = find(src, name);
        int hops;

        for (hops = 0; m != NULL && hops < 16; hops++) {
                if (m->dup) {
                        jc_error_set(err, 0, "`%s' holds `%s' more than once", src->name, m->name);
                        return NULL;
                }
                if (m->type == 'f')
                        return m;
                if (m->type != 'h' && m->type != 'l')
                        break;
                m = find(src, m->link);
        }
        jc_error_set(err, ENOENT, "`%s' in `%s'", name, src->name);
        return NULL;
}

/* Open NAME beneath the directory: openat2 keeps symlinks inside it;
 * without openat2 (Linux < 5.6) symlinks are not followed at all. */
static int open_beneath(struct jc_src *src, const char *name, struct jc_error *err)
{
        struct open_how how = {
                .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
                .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
        };
        char norm[PATH_MAX], *p, *slash;
        int fd, next;

        if (jc_path_norm(name, norm, sizeof(norm), err) < 0)
                return jc_error_wrap(err, "`%s'", src->name);
        fd = (int)syscall(SYS_openat2, src->dirfd, norm, &how, sizeof(how));
        if (fd < 0 && errno == ENOSYS) {
                fd = fcntl(src->dirfd, F_DUPFD_CLOEXEC, 3);
                for (p = norm; fd >= 0; p = slash + 1) {
                        slash = strchr(p, '/');
                        if (slash == NULL)
                                break;
                        *slash = '\0';
                        next = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        close(fd);
                        fd = next;
                }
                if (fd >= 0) {
                        next = openat(fd, p, how.flags | O_NOFOLLOW);
                        close(fd);
                        fd = next;
                }
        }
        if (fd < 0)
                return jc_error_set(err, errno, "open `%s' in `%s'", name, src->name);
        return fd;
}

bool jc_src_has(struct jc_src *src, const char *name, int64_t *size)
{
        struct jc_error err;
        struct jc_member *m;
        struct stat st;
        int fd;

        if (src->dirfd >= 0) {
                fd = open_beneath(src, name, &err);
                if (fd < 0)
                        return false;
                if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                        close(fd);
                        return false;
                }
                close(fd);
                if (size)
                        *size = st.st_size;
                return true;
        }
        m = resolve(src, name, &err);
        if (m == NULL)
                return false;
        if (size)
                *size = m->size;
        return true;
}

int jc_blob_open(struct jc_src *src, const char *name, struct jc_blob *b, struct jc_error *err)
{
        struct archive_entry *e;
        struct jc_member *m;
        struct stat st;
        char norm[PATH_MAX];
        int r;

        memset(b, 0, sizeof(*b));
        b->fd = -1;
        b->src = src;
        sha256_init(&b->sha);
        b->name = strdup(name);
        if (b->name == NULL)
                return jc_error_set(err, ENOMEM, "open `%s'", name);
        if (src->dirfd >= 0) {
                b->fd = open_beneath(src, name, err);
                if (b->fd < 0)
                        goto fail;
                /* A FIFO or device there would hang or feed us forever. */
                if (fstat(b->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                        jc_error_set(err, 0, "`%s' in `%s' is not a regular file", name, src->name);
                        goto fail;
                }
                return 0;
        }
        m = resolve(src, name, err);
        if (m == NULL)
                goto fail;
        b->outer = tar_reader(src->tarfd, src->name, err);
        if (b->outer == NULL)
                goto fail;
        while ((r = archive_read_next_header(b->outer, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
                if (archive_entry_pathname(e) == NULL ||
                    jc_path_norm(archive_entry_pathname(e), norm, sizeof(norm), err) < 0)
                        continue;
                if (strcmp(norm, m->name) == 0 && archive_entry_hardlink(e) == NULL)
                        return 0;
        }
        jc_error_set(err, jc_archive_errno(b->outer, ENOENT), "`%s' in `%s'", m->name, src->name);
fail:
        jc_blob_close(b);
        return -1;
}

ssize_t jc_blob_read(struct jc_blob *b, void *buf, size_t len, struct jc_error *err)
{
        ssize_t n;

        if (b->outer != NULL) {
                n = archive_read_data(b->outer, buf, len);
                if (n < 0)
                        return jc_error_set(err, jc_archive_errno(b->outer, EIO),
                                            "read `%s' in `%s': %s", b->name, b->src->name,
                                            archive_error_string(b->outer));
        } else {
                do
                        n = read(b->fd, buf, len);
                while (n < 0 && errno == EINTR);
                if (n < 0)
                        return jc_error_set(err, errno, "read `%s' in `%s'", b->name, b->src->name);
        }
        sha256_update(&b->sha, (size_t)n, buf);
        b->nread += (uint64_t)n;
        return n;
}

int jc_blob_verify(struct jc_blob *b, const char *digest, int64_t size, struct jc_error *err)
{
        char got[JC_DIGEST_LEN], buf[64 * 1024];
        ssize_t n;

        while ((n = jc_blob_read(b, buf, sizeof(buf), err)) > 0)
                ;
        if (n < 0)
                return -1;
        if (size >= 0 && b->nread != (uint64_t)size)
                return jc_error_set(err, 0,
                                    "`%s' in `%s' has %llu bytes, the manifest says %lld: "
                                    "refusing the image",
                                    b->name, b->src->name, (unsigned long long)b->nread,
                                    (long long)size);
        jc_sha256_hex(&b->sha, got);
        if (strcmp(got, digest) != 0)
                return jc_error_set(err, 0,
                                    "`%s' in `%s' has digest %s, the manifest says %s: "
                                    "refusing the image",
                                    b->name, b->src->name, got, digest);
        return 0;
}

void jc_blob_close(struct jc_blob *b)
{
        if (b->outer != NULL)
                archive_read_free(b->outer);
        if (b->fd >= 0)
                close(b->fd);
        free(b->name);
        memset(b, 0, sizeof(*b));
        b->fd = -1;
}

int jc_src_read(struct jc_src *src, const char *name, const char *digest, int64_t size, size_t max,
                char **out, size_t *len, struct jc_error *err)
{
        struct jc_blob b;
        char *buf = NULL, *nb;
        size_t have = 0, cap = 0;
        ssize_t n;

        *out = NULL;
        if (size > (int64_t)max)
                return jc_error_set(err, 0, "`%s' in `%s' is larger than %zu bytes", name,
                                    src->name, max);
        if (jc_blob_open(src, name, &b, err) < 0)
                return -1;
        for (;;) {
                if (have + 1 >= cap) {
                        if (cap > max) {
                                jc_error_set(err, 0, "`%s' in `%s' is larger than %zu bytes", name,
                                             src->name, max);
                                goto fail;
                        }
                        cap = cap ? cap * 2 : 4096;
                        nb = realloc(buf, cap + 1);
                        if (nb == NULL) {
                                jc_error_set(err, errno, "read `%s'", name);
                                goto fail;
                        }
                        buf = nb;
                }
                n = jc_blob_read(&b, buf + have, cap - have, err);
                if (n < 0)
                        goto fail;
                if (n == 0)
                        break;
                have += (size_t)n;
        }
        if (digest != NULL && jc_blob_verify(&b, digest, size, err) < 0)
                goto fail;
        buf[have] = '\0';
        jc_blob_close(&b);
        *out = buf;
        *len = have;
        return 0;
fail:
        free(buf);
        jc_blob_close(&b);
        return -1;
}
