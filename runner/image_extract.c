/* Safe extraction of image layers (doc/images.md, "Extraction").
 *
 * Every entry is created with *at() calls relative to its parent
 * directory, which is reached from the root by opening one real directory
 * at a time with O_NOFOLLOW: a path that goes through a symlink (one this
 * layer or an earlier one planted) is refused, so nothing is ever written
 * outside the root (the tar-slip and symlink-then-write attacks, e.g.
 * CVE-2018-15664, CVE-2019-14271).  Names are normalised first: absolute
 * names and ".." are refused.
 *
 * What is kept and what is not:
 * - files, directories, symlinks (their targets are not resolved here),
 *   hard links to entries inside the root;
 * - modes, minus setuid and setgid (the sandbox mounts nosuid anyway;
 *   the cache is also read by other tools) and plus owner rw(x), so the
 *   importer can always read and remove what it made;
 * - modification times;
 * - not owners: everything belongs to the importer (root for the runner),
 *   since image uids mean nothing on the host;
 * - not xattrs: file capabilities (security.capability), ACLs and SELinux
 *   labels of an image would be privileges or labels on the host;
 * - device nodes are refused (an image has no business shipping them: the
 *   sandbox makes its own /dev); FIFOs and sockets are skipped.
 *
 * Whiteouts (.wh.NAME) and opaque directories (.wh..wh..opq) follow the
 * OCI image-spec (layer.md): they hide what lower layers put there, never
 * what the same layer adds. */
#include "config.h"

#include "archive_dl.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image_internal.h"

/* --- a small string-keyed hash table --------------------------------- */

struct slot {
        char *key;
        mode_t mode;
        struct timespec mtime;
};

struct table {
        struct slot *v;
        size_t cap, n;
};

static uint64_t hash(const char *s)
{
        uint64_t h = 1469598103934665603ULL; /* FNV-1a */

        while (*s)
                h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
        return h;
}

static struct slot *lookup(const struct table *t, const char *key)
{
        size_t i;

        if (t->cap == 0)
                return NULL;
        for (i = hash(key) & (t->cap - 1); t->v[i].key != NULL; i = (i + 1) & (t->cap - 1))
                if (strcmp(t->v[i].key, key) == 0)
                        return &t->v[i];
        return NULL;
}

static void table_free(struct table *t)
{
        size_t i;

        for (i = 0; i < t->cap; i++)
                free(t->v[i].key);
        free(t->v);
        memset(t, 0, sizeof(*t));
}

static int grow(struct table *t, struct jc_error *err)
{
        struct table nt = { .cap = t->cap ? t->cap * 2 : 1024 };
        size_t i, j;

        nt.v = calloc(nt.cap, sizeof(*nt.v));
        if (nt.v == NULL)
                return jc_error_set(err, ENOMEM, "extract");
        for (i = 0; i < t->cap; i++) {
                if (t->v[i].key == NULL)
                        continue;
                for (j = hash(t->v[i].key) & (nt.cap - 1); nt.v[j].key != NULL;
                     j = (j + 1) & (nt.cap - 1))
                        ;
                nt.v[j] = t->v[i];
        }
        nt.n = t->n;
        free(t->v);
        *t = nt;
        return 0;
}

/* The slot for KEY, added if missing. */
static struct slot *insert(struct table *t, const char *key, struct jc_error *err)
{
        struct slot *s = lookup(t, key);
        size_t i;

        if (s != NULL)
                return s;
        if ((t->n + 1) * 2 > t->cap && grow(t, err) < 0)
                return NULL;
        for (i = hash(key) & (t->cap - 1); t->v[i].key != NULL; i = (i + 1) & (t->cap - 1))
                ;
        t->v[i].key = strdup(key);
        if (t->v[i].key == NULL) {
                jc_error_set(err, ENOMEM, "extract");
                return NULL;
        }
        t->n++;
        return &t->v[i];
}

/* --- the extractor ----------------------------------------------------- */

struct jc_extract {
        int rootfd;
        struct table layer; /* paths this layer made (whiteouts spare them) */
        struct table dirs;  /* directory modes and times, applied at the end */
        const char *what;   /* the layer, for messages */
        char cached[PATH_MAX];
        int cachedfd; /* an open parent directory, reused for siblings */
};

int jc_extract_begin(int rootfd, struct jc_extract **out, struct jc_error *err)
{
        struct jc_extract *x = calloc(1, sizeof(*x));

        if (x == NULL)
                return jc_error_set(err, ENOMEM, "extract");
        x->rootfd = rootfd;
        x->cachedfd = -1;
        *out = x;
        return 0;
}

static void forget_parent(struct jc_extract *x)
{
        if (x->cachedfd >= 0)
                close(x->cachedfd);
        x->cachedfd = -1;
        x->cached[0] = '\0';
}

void jc_extract_free(struct jc_extract *x)
{
        if (x == NULL)
                return;
        forget_parent(x);
        table_free(&x->layer);
        table_free(&x->dirs);
        free(x);
}

/* Record that this layer made PATH, and so holds each directory above it
 * (an opaque marker later in the layer must spare them). */
static int mark(struct jc_extract *x, const char *path, struct jc_error *err)
{
        char buf[PATH_MAX];
        char *slash;

        jc_format(buf, sizeof(buf), "%s", path);
        for (;;) {
                if (lookup(&x->layer, buf) != NULL)
                        return 0; /* and so are its parents */
                if (insert(&x->layer, buf, err) == NULL)
                        return -1;
                slash = strrchr(buf, '/');
                if (slash == NULL)
                        return 0;
                *slash = '\0';
        }
}

/* Open directory REL (normalised, "" = the root) without following any
 * symlink; with CREATE, make missing directories (mode 0755, as tar
 * does).  Returns an fd the caller closes, or -1 with errno ENOENT when
 * the directory is missing and CREATE is false. */
static int open_dir(struct jc_extract *x, const char *rel, bool create, struct jc_error *err)
{
        char buf[PATH_MAX], *p, *slash;
        int fd, next;

        fd = fcntl(x->rootfd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return jc_error_set(err, errno, "extract");
        if (rel[0] == '\0')
                return fd;
        jc_format(buf, sizeof(buf), "%s", rel);
        for (p = buf; p != NULL; p = slash ? slash + 1 : NULL) {
                slash = strchr(p, '/');
                if (slash)
                        *slash = '\0';
                next = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0 && errno == ENOENT && create) {
                        if (mkdirat(fd, p, 0755) < 0 && errno != EEXIST) {
                                jc_error_set(err, errno, "%s: mkdir `%s'", x->what, buf);
                                close(fd);
                                return -1;
                        }
                        next = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (next >= 0) {
                                struct slot *s = insert(&x->dirs, buf, err);

                                if (s == NULL || mark(x, buf, err) < 0) {
                                        close(next);
                                        close(fd);
                                        return -1;
                                }
                                s->mode = 0755;
                                s->mtime.tv_nsec = UTIME_OMIT;
                        }
                }
                if (next < 0) {
                        int e = errno;

                        close(fd);
                        if (e == ENOENT && !create) {
                                errno = ENOENT;
                                return -1;
                        }
                        /* ELOOP: a symlink; ENOTDIR: a file.  Either way
                         * the entry would land somewhere it must not. */
                        if (e == ELOOP || e == ENOTDIR)
                                return jc_error_set(err, e,
                                                    "%s: `%s' is not a directory (a symlink or "
                                                    "a file): refusing to write through it",
                                                    x->what, buf);
                        return jc_error_set(err, e, "%s: open `%s'", x->what, buf);
                }
                close(fd);
                fd = next;
                if (slash)
                        *slash = '/';
        }
        return fd;
}

/* The parent of PATH, cached for the siblings that usually follow. */
static int parent_fd(struct jc_extract *x, const char *parent, struct jc_error *err)
{
        if (x->cachedfd >= 0 && strcmp(x->cached, parent) == 0)
                return x->cachedfd;
        forget_parent(x);
        x->cachedfd = open_dir(x, parent, true, err);
        if (x->cachedfd < 0)
                return -1;
        jc_format(x->cached, sizeof(x->cached), "%s", parent);
        return x->cachedfd;
}

int jc_rm_tree(int parent, const char *name, struct jc_error *err)
{
        struct dirent *de;
        DIR *d;
        int fd;

        if (unlinkat(parent, name, 0) == 0 || errno == ENOENT)
                return 0;
        if (errno != EISDIR && errno != EPERM)
                return jc_error_set(err, errno, "remove `%s'", name);
        fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return jc_error_set(err, errno, "remove `%s'", name);
        /* A directory left without write or search permission cannot
         * be emptied by its non-root owner. */
        (void)fchmod(fd, S_IRWXU);
        d = fdopendir(fd);
        if (d == NULL) {
                close(fd);
                return jc_error_set(err, errno, "remove `%s'", name);
        }
        while ((de = readdir(d)) != NULL) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (jc_rm_tree(dirfd(d), de->d_name, err) < 0) {
                        closedir(d);
                        return jc_error_wrap(err, "remove `%s'", name);
                }
        }
        closedir(d);
        if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return jc_error_set(err, errno, "remove `%s'", name);
        return 0;
}

int jc_tree_size(int fd, uint64_t *size, struct jc_error *err)
{
        struct dirent *de;
        struct stat st;
        DIR *d;
        int sub;

        sub = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        d = sub >= 0 ? fdopendir(sub) : NULL;
        if (d == NULL) {
                if (sub >= 0)
                        close(sub);
                return jc_error_set(err, errno, "measure the entry");
        }
        while ((de = readdir(d)) != NULL) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                /* Shared blocks counted once over all the names of a file. */
                *size += (uint64_t)st.st_blocks * 512 / (st.st_nlink ? st.st_nlink : 1);
                if (!S_ISDIR(st.st_mode))
                        continue;
                sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub < 0)
                        continue;
                if (jc_tree_size(sub, size, err) < 0) {
                        close(sub);
                        closedir(d);
                        return -1;
                }
                close(sub);
        }
        closedir(d);
        return 0;
}

static mode_t safe_mode(mode_t m, bool dir)
{
        m &= 07777 & ~(mode_t)(S_ISUID | S_ISGID);
        return m | (dir ? S_IRWXU : (S_IRUSR | S_IWUSR));
}

static void entry_times(struct archive_entry *e, struct timespec ts[2])
{
        ts[0].tv_sec = 0;
        ts[0].tv_nsec = UTIME_OMIT;
        if (archive_entry_mtime_is_set(e)) {
                ts[1].tv_sec = archive_entry_mtime(e);
                ts[1].tv_nsec = archive_entry_mtime_nsec(e);
        } else {
                ts[1].tv_sec = 0;
                ts[1].tv_nsec = UTIME_OMIT;
        }
}

/* "a/b/c" -> parent "a/b", base "c"; "c" -> "", "c". */
static const char *split(const char *rel, char *parent, size_t len)
{
        const char *slash = strrchr(rel, '/');

        if (slash == NULL) {
                parent[0] = '\0';
                return rel;
        }
        jc_format(parent, len, "%.*s", (int)(slash - rel), rel);
        return slash + 1;
}

/* Make room for entry NAME in PFD: what is there goes, unless it is a
 * directory and KEEP_DIR (then 1). */
static int clear_dest(struct jc_extract *x, int pfd, const char *rel, const char *name,
                      bool keep_dir, struct jc_error *err)
{
        struct stat st;

        if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno == ENOENT)
                        return 0;
                return jc_error_set(err, errno, "%s: stat `%s'", x->what, rel);
        }
        if (S_ISDIR(st.st_mode)) {
                if (keep_dir)
                        return 1;
                if (jc_rm_tree(pfd, name, err) < 0)
                        return jc_error_wrap(err, "%s: replace `%s'", x->what, rel);
                return 0;
        }
        if (unlinkat(pfd, name, 0) < 0)
                return jc_error_set(err, errno, "%s: replace `%s'", x->what, rel);
        return 0;
}

static int write_all(int fd, const char *buf, size_t size, int64_t off)
{
        ssize_t n;

        while (size > 0) {
                n = pwrite(fd, buf, size, off);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return -1;
                buf += n;
                size -= (size_t)n;
                off += n;
        }
        return 0;
}

static int make_file(struct jc_extract *x, struct archive *a, struct archive_entry *e, int pfd,
                     const char *rel, const char *base, struct jc_error *err)
{
        struct timespec ts[2];
        const void *buf;
        size_t size;
        la_int64_t off;
        int fd, r;

        if (clear_dest(x, pfd, rel, base, false, err) < 0)
                return -1;
        fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return jc_error_set(err, errno, "%s: create `%s'", x->what, rel);
        /* Blocks with their offsets: holes of sparse files stay holes. */
        while ((r = archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK ||
               r == ARCHIVE_WARN) {
                if (write_all(fd, buf, size, off) < 0) {
                        jc_error_set(err, errno, "%s: write `%s'", x->what, rel);
                        goto fail;
                }
        }
        if (r != ARCHIVE_EOF) {
                jc_error_set(err, jc_archive_errno(a, 0),
                             "%s: read `%s': %s (a truncated or corrupt layer?)", x->what, rel,
                             archive_error_string(a));
                goto fail;
        }
        if (archive_entry_size_is_set(e) && ftruncate(fd, archive_entry_size(e)) < 0) {
                jc_error_set(err, errno, "%s: size `%s'", x->what, rel);
                goto fail;
        }
        entry_times(e, ts);
        if (fchmod(fd, safe_mode(archive_entry_perm(e), false)) < 0 || futimens(fd, ts) < 0) {
                jc_error_set(err, errno, "%s: set the mode of `%s'", x->what, rel);
                goto fail;
        }
        /* Some filesystems report a full disk only here. */
        if (close(fd) < 0)
                return jc_error_set(err, errno, "%s: write `%s'", x->what, rel);
        return 0;
fail:
        close(fd);
        return -1;
}

static int make_dir(struct jc_extract *x, struct archive_entry *e, int pfd, const char *rel,
                    const char *base, struct jc_error *err)
{
        struct timespec ts[2];
        struct slot *s;
        int kept = clear_dest(x, pfd, rel, base, true, err);

        if (kept < 0)
                return -1;
        if (!kept && mkdirat(pfd, base, 0700) < 0)
                return jc_error_set(err, errno, "%s: mkdir `%s'", x->what, rel);
        s = insert(&x->dirs, rel, err);
        if (s == NULL)
                return -1;
        entry_times(e, ts);
        s->mode = safe_mode(archive_entry_perm(e), true);
        s->mtime = ts[1];
        return 0;
}

static int make_symlink(struct jc_extract *x, struct archive_entry *e, int pfd, const char *rel,
                        const char *base, struct jc_error *err)
{
        const char *target = archive_entry_symlink(e);
        struct timespec ts[2];

        if (target == NULL || target[0] == '\0')
                return jc_error_set(err, 0, "%s: symlink `%s' has no target", x->what, rel);
        if (clear_dest(x, pfd, rel, base, false, err) < 0)
                return -1;
        /* The target is stored as it is: it is resolved inside the
         * sandbox, never while extracting (no path is opened through it). */
        if (symlinkat(target, pfd, base) < 0)
                return jc_error_set(err, errno, "%s: symlink `%s'", x->what, rel);
        entry_times(e, ts);
        (void)utimensat(pfd, base, ts, AT_SYMLINK_NOFOLLOW);
        return 0;
}

static int make_hardlink(struct jc_extract *x, struct archive_entry *e, int pfd, const char *rel,
                         const char *base, struct jc_error *err)
{
        char target[PATH_MAX], tparent[PATH_MAX];
        const char *tbase;
        struct stat st;
        int tfd, rc = -1;

        if (jc_path_norm(archive_entry_hardlink(e), target, sizeof(target), err) < 0)
                return jc_error_wrap(err, "%s: hard link `%s'", x->what, rel);
        if (strcmp(target, rel) == 0)
                return 0;
        tbase = split(target, tparent, sizeof(tparent));
        if (target[0] == '\0')
                return jc_error_set(err, 0, "%s: hard link `%s' to the root", x->what, rel);
        err->msg[0] = '\0';
        tfd = open_dir(x, tparent, false, err);
        if (tfd < 0) {
                if (errno == ENOENT && err->msg[0] == '\0')
                        jc_error_set(err, ENOENT, "%s: hard link `%s' to `%s'", x->what, rel,
                                     target);
                return -1;
        }
        if (fstatat(tfd, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                jc_error_set(err, errno, "%s: hard link `%s' to `%s'", x->what, rel, target);
                goto out;
        }
        if (S_ISDIR(st.st_mode)) {
                jc_error_set(err, 0, "%s: hard link `%s' to directory `%s'", x->what, rel, target);
                goto out;
        }
        if (clear_dest(x, pfd, rel, base, false, err) < 0)
                goto out;
        /* linkat without AT_SYMLINK_FOLLOW links a symlink itself, never
         * what it points to. */
        if (linkat(tfd, tbase, pfd, base, 0) < 0) {
                jc_error_set(err, errno, "%s: hard link `%s' to `%s'", x->what, rel, target);
                goto out;
        }
        rc = 0;
out:
        close(tfd);
        return rc;
}

/* .wh.NAME in PARENT: NAME from lower layers goes. */
static int whiteout(struct jc_extract *x, const char *parent, const char *name,
                    struct jc_error *err)
{
        char rel[PATH_MAX];
        int pfd, rc;

        if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
                return jc_error_set(err, 0, "%s: bad whiteout `.wh.%s' in `%s/'", x->what, name,
                                    parent);
        jc_format(rel, sizeof(rel), "%s%s%s", parent, parent[0] ? "/" : "", name);
        if (lookup(&x->layer, rel) != NULL)
                return 0;
        err->msg[0] = '\0';
        pfd = open_dir(x, parent, false, err);
        if (pfd < 0)
                return errno == ENOENT && err->msg[0] == '\0' ? 0 : -1;
        rc = jc_rm_tree(pfd, name, err);
        close(pfd);
        return rc < 0 ? jc_error_wrap(err, "%s: whiteout", x->what) : 0;
}

/* Remove from directory DFD (path REL) what this layer did not make. */
static int prune(struct jc_extract *x, int dfd, const char *rel, struct jc_error *err)
{
        struct jc_strv names = { 0 };
        char crel[PATH_MAX];
        struct dirent *de;
        struct stat st;
        size_t i;
        int sub, rc = 0;
        DIR *d;

        sub = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
        d = sub >= 0 ? fdopendir(sub) : NULL;
        if (d == NULL) {
                if (sub >= 0)
                        close(sub);
                return jc_error_set(err, errno, "%s: read `%s'", x->what, rel);
        }
        rewinddir(d);
        while ((de = readdir(d)) != NULL && rc == 0)
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        rc = jc_strv_push(&names, de->d_name, err);
        closedir(d);
        for (i = 0; i < names.n && rc == 0; i++) {
                jc_format(crel, sizeof(crel), "%s%s%s", rel, rel[0] ? "/" : "", names.v[i]);
                if (lookup(&x->layer, crel) == NULL) {
                        rc = jc_rm_tree(dfd, names.v[i], err);
                        continue;
                }
                if (fstatat(dfd, names.v[i], &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
                        continue;
                sub = openat(dfd, names.v[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub < 0) {
                        rc = jc_error_set(err, errno, "%s: open `%s'", x->what, crel);
                        break;
                }
                rc = prune(x, sub, crel, err);
                close(sub);
        }
        jc_strv_free(&names);
        return rc;
}

/* .wh..wh..opq in PARENT: everything lower layers put in it goes. */
static int opaque(struct jc_extract *x, const char *parent, struct jc_error *err)
{
        int dfd = open_dir(x, parent, true, err), rc;

        if (dfd < 0)
                return -1;
        rc = mark(x, parent, err);
        if (rc == 0)
                rc = prune(x, dfd, parent, err);
        close(dfd);
        return rc;
}

static int entry(struct jc_extract *x, struct archive *a, struct archive_entry *e,
                 struct jc_error *err)
{
        char rel[PATH_MAX], parent[PATH_MAX];
        const char *raw = archive_entry_pathname(e), *base;
        int pfd, rc;

        if (raw == NULL)
                return jc_error_set(err, 0, "%s: an entry has no name", x->what);
        if (jc_path_norm(raw, rel, sizeof(rel), err) < 0)
                return jc_error_wrap(err, "%s: refusing the entry", x->what);
        if (rel[0] == '\0')
                return 0; /* the root itself: it stays 0755, owned by the importer */
        base = split(rel, parent, sizeof(parent));
        if (strncmp(base, ".wh.", 4) == 0) {
                forget_parent(x);
                if (strcmp(base, ".wh..wh..opq") == 0)
                        return opaque(x, parent, err);
                if (strncmp(base, ".wh..wh.", 8) == 0)
                        return 0; /* AUFS bookkeeping (.wh..wh.plnk): not content */
                return whiteout(x, parent, base + 4, err);
        }
        if (archive_entry_hardlink(e) == NULL && archive_entry_filetype(e) == AE_IFREG) {
                pfd = parent_fd(x, parent, err);
                if (pfd < 0)
                        return -1;
                rc = make_file(x, a, e, pfd, rel, base, err);
                return rc < 0 ? -1 : mark(x, rel, err);
        }
        forget_parent(x);
        switch (archive_entry_filetype(e)) {
        case AE_IFCHR:
        case AE_IFBLK:
                return jc_error_set(err, 0,
                                    "%s: `%s' is a device node: refusing the image (the "
                                    "sandbox makes its own /dev)",
                                    x->what, rel);
        case AE_IFIFO:
        case AE_IFSOCK:
                return 0; /* skipped: a job makes its FIFOs and sockets in /tmp */
        default:
                break;
        }
        pfd = open_dir(x, parent, true, err);
        if (pfd < 0)
                return -1;
        if (archive_entry_hardlink(e) != NULL)
                rc = make_hardlink(x, e, pfd, rel, base, err);
        else if (archive_entry_filetype(e) == AE_IFDIR)
                rc = make_dir(x, e, pfd, rel, base, err);
        else if (archive_entry_filetype(e) == AE_IFLNK)
                rc = make_symlink(x, e, pfd, rel, base, err);
        else
                rc = jc_error_set(err, 0, "%s: `%s' has an unknown file type %o", x->what, rel,
                                  (unsigned)archive_entry_filetype(e));
        close(pfd);
        return rc < 0 ? -1 : mark(x, rel, err);
}

int jc_extract_layer(struct jc_extract *x, struct archive *a, const char *what,
                     struct jc_error *err)
{
        struct archive_entry *e;
        int r, rc = 0;

        x->what = what;
        table_free(&x->layer);
        forget_parent(x);
        while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
                rc = entry(x, a, e, err);
                if (rc < 0)
                        break;
        }
        forget_parent(x);
        if (rc == 0 && r != ARCHIVE_EOF)
                rc = jc_error_set(err, jc_archive_errno(a, 0),
                                  "%s: %s (a truncated or corrupt layer?)", what,
                                  archive_error_string(a) ? archive_error_string(a) : "unreadable");
        return rc;
}

int jc_extract_end(struct jc_extract *x, struct jc_error *err)
{
        struct jc_error ignored;
        struct timespec ts[2];
        size_t i;
        int fd;

        for (i = 0; i < x->dirs.cap; i++) {
                const struct slot *s = &x->dirs.v[i];

                if (s->key == NULL)
                        continue;
                /* Gone, or now reached through a symlink: nothing to do. */
                fd = open_dir(x, s->key, false, &ignored);
                if (fd < 0)
                        continue;
                ts[0].tv_sec = 0;
                ts[0].tv_nsec = UTIME_OMIT;
                ts[1] = s->mtime;
                if (fchmod(fd, s->mode) < 0 || futimens(fd, ts) < 0) {
                        jc_error_set(err, errno, "set the mode of `%s'", s->key);
                        close(fd);
                        return -1;
                }
                close(fd);
        }
        return 0;
}

/* --- reading a layer through its blob ------------------------------------ */

struct layer_io {
        struct jc_blob *b;
        struct jc_error err;
        char buf[128 * 1024];
};

static la_ssize_t layer_read(struct archive *a, void *data, const void **buf)
{
        struct layer_io *io = data;
        ssize_t n = jc_blob_read(io->b, io->buf, sizeof(io->buf), &io->err);

        if (n < 0) {
                archive_set_error(a, io->err.errnum ? io->err.errnum : EIO, "%s", io->err.msg);
                return -1;
        }
        *buf = io->buf;
        return n;
}

static int layer_close(struct archive *a, void *data)
{
        (void)a;
        free(data);
        return ARCHIVE_OK;
}

struct archive *jc_layer_archive(struct jc_blob *b, struct jc_error *err)
{
        struct archive *a = archive_read_new();
        struct layer_io *io = calloc(1, sizeof(*io));

        if (a == NULL || io == NULL) {
                archive_read_free(a);
                free(io);
                jc_error_set(err, ENOMEM, "read layer");
                return NULL;
        }
        io->b = b;
        /* OCI layers are tar, plain, gzip or zstd; nothing else is tried
         * (no other formats or filters: less parser to attack). */
        archive_read_support_format_tar(a);
        archive_read_support_filter_gzip(a);
        archive_read_support_filter_zstd(a);
        archive_read_support_filter_none(a);
        if (archive_read_open(a, io, NULL, layer_read, layer_close) != ARCHIVE_OK) {
                jc_error_set(err, jc_archive_errno(a, 0),
                             "`%s': %s (a truncated or corrupt layer?)", b->name,
                             archive_error_string(a));
                archive_read_free(a);
                return NULL;
        }
        return a;
}
