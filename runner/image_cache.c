/* The node-local image cache (doc/images.md, "The cache"):
 *
 *   DIR/images/HEX/rootfs       the unpacked image (HEX: the cache key's digest)
 *   DIR/images/HEX/config.json  its config, as verified
 *   DIR/images/HEX/meta.json    kind, source, layers, size, creation time
 *   DIR/locks/HEX.use           shared while a job uses the entry; gc and rm
 *                               take it exclusive (and give up if busy)
 *   DIR/locks/HEX.build         exclusive while one process unpacks HEX
 *   DIR/tmp/HEX.XXXXXX          an entry being built
 *
 * An entry is built in tmp/, synced, and renamed into images/: the rename
 * is the commit, so a crash or a full disk leaves at most a tmp/ directory
 * (removed by the next builder of that image, or by gc), never a half
 * entry under images/.  The mtime of images/HEX is its last use. */
#include "config.h"

#include "archive_dl.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image_internal.h"

struct cache {
        const char *dir;
        int fd, images, tmp, locks;
};

static void cache_close(struct cache *c)
{
        int *fds[] = { &c->fd, &c->images, &c->tmp, &c->locks };
        size_t i;

        for (i = 0; i < JC_ARRAY_SIZE(fds); i++) {
                if (*fds[i] >= 0)
                        close(*fds[i]);
                *fds[i] = -1;
        }
}

static int sub(struct cache *c, const char *name, bool create, struct jc_error *err)
{
        int fd;

        if (create && mkdirat(c->fd, name, 0700) < 0 && errno != EEXIST)
                return jc_error_set(err, errno, "cache `%s': mkdir `%s'", c->dir, name);
        fd = openat(c->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return jc_error_set(err, errno, "cache `%s': open `%s'", c->dir, name);
        return fd;
}

static int cache_open(const char *dir, bool create, struct cache *c, struct jc_error *err)
{
        struct stat st;

        *c = (struct cache){ .dir = dir, .fd = -1, .images = -1, .tmp = -1, .locks = -1 };
        if (dir[0] != '/')
                return jc_error_set(err, 0, "cache `%s' is not an absolute path", dir);
        if (create && jc_mkdir_p(dir, err) < 0)
                return jc_error_wrap(err, "create cache `%s'", dir);
        c->fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (c->fd < 0)
                return jc_error_set(err, errno, "open cache `%s'", dir);
        /* Whoever may write the cache may swap an entry under every job
         * that uses it: it must be ours alone. */
        if (fstat(c->fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022)) {
                cache_close(c);
                return jc_error_set(err, EPERM,
                                    "cache `%s' must belong to uid %u and not be writable by "
                                    "group or others",
                                    dir, (unsigned)geteuid());
        }
        c->images = sub(c, "images", create, err);
        c->tmp = c->images >= 0 ? sub(c, "tmp", create, err) : -1;
        c->locks = c->tmp >= 0 ? sub(c, "locks", create, err) : -1;
        if (c->locks < 0) {
                cache_close(c);
                return -1;
        }
        return 0;
}

/* Lock locks/HEX.KIND with OP (LOCK_SH, LOCK_EX, maybe | LOCK_NB).
 * Returns the fd, -1 on error, or -2 when LOCK_NB and busy.  rm and gc
 * unlink lock files: a lock taken on a file that is no longer the one
 * at its name is retried. */
static int lock_file(struct cache *c, const char *hex, const char *kind, int op,
                     struct jc_error *err)
{
        char name[128];
        struct stat a, b;
        int fd, r;

        jc_format(name, sizeof(name), "%s.%s", hex, kind);
        for (;;) {
                fd = openat(c->locks, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd < 0)
                        return jc_error_set(err, errno, "cache `%s': lock `%s'", c->dir, name);
                do
                        r = flock(fd, op);
                while (r < 0 && errno == EINTR);
                if (r < 0) {
                        int e = errno;

                        close(fd);
                        if (e == EWOULDBLOCK)
                                return -2;
                        return jc_error_set(err, e, "cache `%s': lock `%s'", c->dir, name);
                }
                if (fstat(fd, &a) == 0 && fstatat(c->locks, name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
                    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
                        return fd;
                close(fd);
        }
}

static bool entry_exists(struct cache *c, const char *hex)
{
        struct stat st;

        return fstatat(c->images, hex, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

/* The names in tmp/ of builds and removals ("HEX.something"), only
 * HEX's when HEX is not NULL, into NAMES.  None when tmp/ cannot be read:
 * the sweeps that ask are best effort. */
static void tmp_names(struct cache *c, const char *hex, struct jc_strv *names)
{
        struct jc_error ignored;
        struct dirent *de;
        int fd = fcntl(c->tmp, F_DUPFD_CLOEXEC, 3);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

        if (d == NULL) {
                if (fd >= 0)
                        close(fd);
                return;
        }
        while ((de = readdir(d)) != NULL)
                if (strlen(de->d_name) > 65 && de->d_name[64] == '.' &&
                    (hex == NULL || strncmp(de->d_name, hex, 64) == 0))
                        (void)jc_strv_push(names, de->d_name, &ignored);
        closedir(d);
}

/* Remove tmp/HEX.* left by a builder that died (the caller holds the
 * build lock of HEX, so none is in progress). */
static void remove_stale(struct cache *c, const char *hex)
{
        struct jc_strv names = { 0 };
        struct jc_error ignored;
        size_t i;

        tmp_names(c, hex, &names);
        for (i = 0; i < names.n; i++)
                (void)jc_rm_tree(c->tmp, names.v[i], &ignored);
        jc_strv_free(&names);
}

static int write_file_at(int dirfd, const char *name, const char *data, size_t len,
                         struct jc_error *err)
{
        int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        ssize_t n;

        if (fd < 0)
                return jc_error_set(err, errno, "write `%s'", name);
        while (len > 0) {
                n = write(fd, data, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        jc_error_set(err, n < 0 ? errno : ENOSPC, "write `%s'", name);
                        close(fd);
                        return -1;
                }
                data += n;
                len -= (size_t)n;
        }
        if (close(fd) < 0)
                return jc_error_set(err, errno, "write `%s'", name);
        return 0;
}

static int write_meta(int dirfd, const struct jc_plan *plan, const char *source,
                      const uint64_t *sizes, uint64_t size, struct jc_error *err)
{
        json_object *o = json_object_new_object(), *layers = json_object_new_array();
        size_t i;
        int rc;

        if (o == NULL || layers == NULL) {
                json_object_put(o);
                json_object_put(layers);
                return jc_error_set(err, ENOMEM, "write meta.json");
        }
        json_object_object_add(o, "version", json_object_new_int(1));
        json_object_object_add(o, "kind",
                               json_object_new_string(jc_image_format_names[plan->kind]));
        json_object_object_add(o, "digest", json_object_new_string(plan->key));
        json_object_object_add(o, "source", json_object_new_string(source));
        json_object_object_add(o, "size", json_object_new_int64((int64_t)size));
        json_object_object_add(o, "created", json_object_new_int64((int64_t)time(NULL)));
        for (i = 0; i < plan->nlayers; i++) {
                json_object *l = json_object_new_object();

                json_object_object_add(l, "digest", json_object_new_string(plan->layers[i].digest));
                json_object_object_add(l, "size", json_object_new_int64((int64_t)sizes[i]));
                json_object_array_add(layers, l);
        }
        json_object_object_add(o, "layers", layers);
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY);
        rc = write_file_at(dirfd, "meta.json", text, strlen(text), err);
        json_object_put(o);
        return rc;
}

/* Unpack LAYER of PLAN from SRC into the extractor; its size goes to SIZE. */
static int unpack_layer(struct jc_extract *x, struct jc_src *src, const struct jc_plan *plan,
                        size_t i, uint64_t *size, struct jc_error *err)
{
        const struct jc_layer *l = &plan->layers[i];
        char what[160];
        struct archive *a;
        struct jc_blob b;
        int rc;

        jc_format(what, sizeof(what), "layer %zu of %zu (%.19s...)", i + 1, plan->nlayers,
                  l->digest);
        if (jc_blob_open(src, l->name, &b, err) < 0)
                return jc_error_wrap(err, "%s", what);
        a = jc_layer_archive(&b, err);
        if (a == NULL) {
                jc_blob_close(&b);
                return jc_error_wrap(err, "%s", what);
        }
        rc = jc_extract_layer(x, a, what, err);
        archive_read_free(a);
        /* The whole blob is hashed, also what the tar reader left unread:
         * a layer that does not verify refuses the image, and the entry
         * being built is thrown away. */
        if (rc == 0)
                rc = jc_blob_verify(&b, l->digest, l->size, err);
        *size = b.nread;
        jc_blob_close(&b);
        return rc;
}

static int build(struct cache *c, struct jc_src *src, const struct jc_plan *plan, const char *hex,
                 const char *source, struct jc_error *err)
{
        char path[PATH_MAX], *name;
        struct jc_extract *x = NULL;
        uint64_t *sizes = calloc(plan->nlayers + 1, sizeof(*sizes)), total = 0;
        int tfd = -1, rfd = -1, rc = -1;
        size_t i;

        if (sizes == NULL)
                return jc_error_set(err, ENOMEM, "import");
        jc_format(path, sizeof(path), "%s/tmp/%s.XXXXXX", c->dir, hex);
        if (mkdtemp(path) == NULL) {
                free(sizes);
                return jc_error_set(err, errno, "import: mkdtemp in `%s/tmp'", c->dir);
        }
        name = strrchr(path, '/') + 1;
        tfd = openat(c->tmp, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (tfd < 0 || mkdirat(tfd, "rootfs", 0755) < 0 ||
            (rfd = openat(tfd, "rootfs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
                jc_error_set(err, errno, "import: `%s'", path);
                goto out;
        }
        if (jc_extract_begin(rfd, &x, err) < 0)
                goto out;
        for (i = 0; i < plan->nlayers; i++)
                if (unpack_layer(x, src, plan, i, &sizes[i], err) < 0)
                        goto out;
        if (jc_extract_end(x, err) < 0 || fchmod(rfd, 0755) < 0)
                goto out;
        if (jc_tree_size(rfd, &total, err) < 0 ||
            write_file_at(tfd, "config.json", plan->config, plan->config_len, err) < 0 ||
            write_meta(tfd, plan, source, sizes, total, err) < 0)
                goto out;
        /* Everything on disk before the rename makes it an entry. */
        if (syncfs(tfd) < 0) {
                jc_error_set(err, errno, "import: sync `%s'", path);
                goto out;
        }
        if (renameat(c->tmp, name, c->images, hex) < 0) {
                jc_error_set(err, errno, "import: rename `%s' to `%s/images/%s'", path, c->dir,
                             hex);
                goto out;
        }
        (void)fsync(c->images);
        rc = 0;
out:
        jc_extract_free(x);
        if (rfd >= 0)
                close(rfd);
        if (tfd >= 0)
                close(tfd);
        if (rc < 0) {
                struct jc_error ignored;

                (void)jc_rm_tree(c->tmp, name, &ignored);
        }
        free(sizes);
        return rc;
}

static json_object *read_meta(struct cache *c, const char *hex, struct jc_error *err)
{
        char name[128], buf[1 << 16];
        ssize_t n;
        int fd;

        jc_format(name, sizeof(name), "%s/meta.json", hex);
        fd = openat(c->images, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                jc_error_set(err, errno, "cache entry `%s/images/%s'", c->dir, name);
                return NULL;
        }
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n < 0) {
                jc_error_set(err, errno, "read `%s/images/%s'", c->dir, name);
                return NULL;
        }
        return jc_json_parse(buf, (size_t)n, "meta.json", err);
}

/* A hit needs the source to hold every layer the entry was made from,
 * with the same size: without it, a user who had only someone else's
 * manifest would get their whole image from the cache. */
static int check_hit(struct cache *c, const char *hex, struct jc_src *src,
                     const struct jc_plan *plan, struct jc_error *err)
{
        json_object *meta = read_meta(c, hex, err), *layers, *l;
        int64_t have;
        size_t i;
        int rc = 0;

        if (meta == NULL)
                return jc_error_wrap(err, "damaged (`jobcell image rm %.12s' removes it)", hex);
        layers = json_object_object_get(meta, "layers");
        if (!json_object_is_type(layers, json_type_array) ||
            json_object_array_length(layers) != plan->nlayers) {
                json_object_put(meta);
                return jc_error_set(err, 0, "cache entry %s is damaged", hex);
        }
        for (i = 0; i < plan->nlayers && rc == 0; i++) {
                l = json_object_array_get_idx(layers, i);
                if (!jc_src_has(src, plan->layers[i].name, &have) ||
                    have != json_object_get_int64(json_object_object_get(l, "size")))
                        rc = jc_error_set(err, 0,
                                          "`%s' lacks layer %zu (%s) or has it with another size",
                                          src->name, i + 1, plan->layers[i].digest);
        }
        json_object_put(meta);
        return rc;
}

static char *entry_path(struct cache *c, const char *hex, const char *tail, struct jc_error *err)
{
        char buf[PATH_MAX];

        if (jc_format(buf, sizeof(buf), "%s/images/%s%s", c->dir, hex, tail)) {
                jc_error_set(err, ENAMETOOLONG, "cache `%s'", c->dir);
                return NULL;
        }
        return jc_strdup(buf, err);
}

int jc_cache_get(const struct jc_image_opts *o, struct jc_src *src, const struct jc_plan *plan,
                 struct jc_image *img, struct jc_error *err)
{
        const char *hex = plan->key + 7;
        struct timespec ts[2] = { { 0, UTIME_OMIT }, { 0, UTIME_NOW } };
        int use = -1, bld = -1, rc = -1;
        struct cache c;

        if (cache_open(o->cache_dir, true, &c, err) < 0)
                return -1;
        /* Shared for as long as the job runs: gc and rm leave it alone. */
        use = lock_file(&c, hex, "use", LOCK_SH, err);
        if (use < 0)
                goto out;
        if (!entry_exists(&c, hex)) {
                bld = lock_file(&c, hex, "build", LOCK_EX, err);
                if (bld < 0)
                        goto out;
                /* Another process may have built it while we waited. */
                if (!entry_exists(&c, hex)) {
                        remove_stale(&c, hex);
                        if (build(&c, src, plan, hex, o->path, err) < 0)
                                goto out;
                        img->imported = true;
                }
        }
        if (!img->imported && check_hit(&c, hex, src, plan, err) < 0)
                goto out;
        (void)utimensat(c.images, hex, ts, AT_SYMLINK_NOFOLLOW);
        img->rootfs = entry_path(&c, hex, "/rootfs", err);
        img->entry = img->rootfs ? entry_path(&c, hex, "", err) : NULL;
        img->digest = img->entry ? jc_strdup(plan->key, err) : NULL;
        if (img->digest == NULL)
                goto out;
        if (img->imported && o->cache_max_size >= 0) {
                struct jc_error ignored;

                /* Over the cap: the least recently used entries that no
                 * job holds go (this one is held). */
                (void)jc_cache_gc(o->cache_dir, o->cache_max_size, NULL, NULL, &ignored);
        }
        img->lock_fd = JC_STEAL_FD(use);
        rc = 0;
out:
        if (bld >= 0)
                close(bld);
        if (use >= 0)
                close(use);
        cache_close(&c);
        return rc;
}

/* --- jobcell image ls | rm | gc ------------------------------------------ */

static bool is_hex64(const char *s)
{
        size_t i;

        for (i = 0; i < 64; i++)
                if (!s[i] || !strchr("0123456789abcdef", s[i]))
                        return false;
        return s[64] == '\0';
}

static int list_hex(struct cache *c, struct jc_strv *out, struct jc_error *err)
{
        struct dirent *de;
        int fd = fcntl(c->images, F_DUPFD_CLOEXEC, 3);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

        if (d == NULL) {
                if (fd >= 0)
                        close(fd);
                return jc_error_set(err, errno, "read cache `%s'", c->dir);
        }
        while ((de = readdir(d)) != NULL)
                if (is_hex64(de->d_name) && jc_strv_push(out, de->d_name, err) < 0) {
                        closedir(d);
                        return -1;
                }
        closedir(d);
        return 0;
}

static int fill_entry(struct cache *c, const char *hex, struct jc_cache_entry *e,
                      struct jc_error *err)
{
        json_object *meta;
        struct stat st;

        memset(e, 0, sizeof(*e));
        jc_format(e->digest, sizeof(e->digest), "sha256:%s", hex);
        if (fstatat(c->images, hex, &st, AT_SYMLINK_NOFOLLOW) == 0)
                e->last_use = st.st_mtime;
        meta = read_meta(c, hex, err);
        if (meta != NULL) {
                e->kind = jc_strdup(json_object_get_string(json_object_object_get(meta, "kind")),
                                    err);
                e->source = jc_strdup(
                        json_object_get_string(json_object_object_get(meta, "source")), err);
                e->size = (uint64_t)json_object_get_int64(json_object_object_get(meta, "size"));
                e->created = json_object_get_int64(json_object_object_get(meta, "created"));
                json_object_put(meta);
        }
        if (e->kind == NULL)
                e->kind = jc_strdup("?", err);
        if (e->source == NULL)
                e->source = jc_strdup("? (no meta.json)", err);
        return e->kind && e->source ? 0 : -1;
}

void jc_cache_list_free(struct jc_cache_entry *v, size_t n)
{
        size_t i;

        for (i = 0; i < n; i++) {
                free(v[i].kind);
                free(v[i].source);
        }
        free(v);
}

static int by_last_use(const void *a, const void *b)
{
        const struct jc_cache_entry *x = a, *y = b;

        return x->last_use < y->last_use ? -1 : x->last_use > y->last_use;
}

int jc_cache_list(const char *dir, struct jc_cache_entry **out, size_t *n, struct jc_error *err)
{
        struct jc_strv hexes = { 0 };
        struct jc_cache_entry *v = NULL;
        struct cache c;
        size_t i;

        *out = NULL;
        *n = 0;
        if (cache_open(dir, false, &c, err) < 0)
                return err->errnum == ENOENT ? 0 : -1;
        if (list_hex(&c, &hexes, err) < 0)
                goto fail;
        v = calloc(hexes.n + 1, sizeof(*v));
        if (v == NULL) {
                jc_error_set(err, errno, "list cache");
                goto fail;
        }
        for (i = 0; i < hexes.n; i++) {
                struct jc_error ignored;

                if (fill_entry(&c, hexes.v[i], &v[i], &ignored) < 0) {
                        *err = ignored;
                        jc_cache_list_free(v, i + 1);
                        goto fail;
                }
        }
        qsort(v, hexes.n, sizeof(*v), by_last_use);
        *out = v;
        *n = hexes.n;
        jc_strv_free(&hexes);
        cache_close(&c);
        return 0;
fail:
        jc_strv_free(&hexes);
        cache_close(&c);
        return -1;
}

/* Remove entry HEX if no job holds it: 0, -2 when busy, -1 on error. */
static int remove_entry(struct cache *c, const char *hex, struct jc_error *err)
{
        char trash[128], lname[128];
        int use = lock_file(c, hex, "use", LOCK_EX | LOCK_NB, err);
        int rc = 0;

        if (use < 0)
                return use;
        /* Out of images/ at once (a rename), then removed at leisure. */
        jc_format(trash, sizeof(trash), "%s.rm%ld", hex, (long)getpid());
        if (entry_exists(c, hex) && renameat(c->images, hex, c->tmp, trash) < 0)
                rc = jc_error_set(err, errno, "remove cache entry %s", hex);
        else if (jc_rm_tree(c->tmp, trash, err) < 0)
                rc = -1;
        jc_format(lname, sizeof(lname), "%s.build", hex);
        (void)unlinkat(c->locks, lname, 0);
        jc_format(lname, sizeof(lname), "%s.use", hex);
        (void)unlinkat(c->locks, lname, 0);
        close(use);
        return rc;
}

int jc_cache_remove(const char *dir, const char *what, char removed[72], struct jc_error *err)
{
        struct jc_strv hexes = { 0 };
        const char *hex = NULL;
        struct cache c;
        size_t i, n = 0;
        int rc;

        if (strncmp(what, "sha256:", 7) == 0)
                what += 7;
        if (strlen(what) < 4 || strspn(what, "0123456789abcdef") != strlen(what))
                return jc_error_set(err, 0, "`%s' is not a digest or a digest prefix", what);
        if (cache_open(dir, false, &c, err) < 0)
                return -1;
        if (list_hex(&c, &hexes, err) < 0) {
                cache_close(&c);
                return -1;
        }
        for (i = 0; i < hexes.n; i++)
                if (strncmp(hexes.v[i], what, strlen(what)) == 0) {
                        hex = hexes.v[i];
                        n++;
                }
        if (n != 1) {
                rc = jc_error_set(err, n == 0 ? ENOENT : 0, "%s cache entry starts with %s",
                                  n == 0 ? "no" : "more than one", what);
        } else {
                rc = remove_entry(&c, hex, err);
                if (rc == -2)
                        rc = jc_error_set(err, EBUSY, "cache entry sha256:%.12s... is in use", hex);
                if (rc == 0 && removed != NULL)
                        jc_format(removed, 72, "sha256:%s", hex);
        }
        jc_strv_free(&hexes);
        cache_close(&c);
        return rc;
}

/* tmp/ holds builds in progress (their build lock is held), dead builds
 * and removals cut short: remove all but the first. */
static void sweep_tmp(struct cache *c)
{
        struct jc_strv names = { 0 };
        struct jc_error ignored;
        char hex[65];
        size_t i;
        int bld;

        tmp_names(c, NULL, &names);
        for (i = 0; i < names.n; i++) {
                jc_format(hex, sizeof(hex), "%.64s", names.v[i]);
                if (!is_hex64(hex))
                        continue;
                bld = lock_file(c, hex, "build", LOCK_EX | LOCK_NB, &ignored);
                if (bld < 0)
                        continue;
                (void)jc_rm_tree(c->tmp, names.v[i], &ignored);
                close(bld);
        }
        jc_strv_free(&names);
}

int jc_cache_gc(const char *dir, int64_t max_size, size_t *removed, uint64_t *freed,
                struct jc_error *err)
{
        struct jc_cache_entry *v = NULL;
        uint64_t total = 0;
        struct cache c;
        size_t n = 0, i;
        int rc = 0;

        if (removed)
                *removed = 0;
        if (freed)
                *freed = 0;
        if (cache_open(dir, false, &c, err) < 0)
                return err->errnum == ENOENT ? 0 : -1;
        sweep_tmp(&c);
        if (max_size < 0)
                goto out;
        if (jc_cache_list(dir, &v, &n, err) < 0) {
                rc = -1;
                goto out;
        }
        for (i = 0; i < n; i++)
                total += v[i].size;
        /* Least recently used first. */
        for (i = 0; i < n && total > (uint64_t)max_size; i++) {
                int r = remove_entry(&c, v[i].digest + 7, err);

                if (r == -2)
                        continue; /* in use: it stays */
                if (r < 0) {
                        rc = -1;
                        break;
                }
                total -= v[i].size;
                if (removed)
                        (*removed)++;
                if (freed)
                        *freed += v[i].size;
        }
        jc_cache_list_free(v, n);
out:
        cache_close(&c);
        return rc;
}
