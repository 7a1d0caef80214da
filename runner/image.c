/* Opening an image: what kind it is (from its content), whether the
 * policy allows that kind and the digest asked for, and where its root
 * filesystem is (doc/images.md). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image_internal.h"

#define SQUASHFS_MAGIC "hsqs" /* little-endian 0x73717368 at offset 0 */

void jc_image_opts_from_spec(struct jc_image_opts *o, const struct jc_spec *spec)
{
        memset(o, 0, sizeof(*o));
        o->path = spec->image;
        o->digest = spec->image_digest;
        o->formats = spec->image_formats;
        o->cache_dir = spec->image_cache_dir;
        o->cache_max_size = spec->image_cache_max_size;
        o->src_fd = -1;
}

int jc_image_cache_default(char *buf, size_t len, struct jc_error *err)
{
        const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
        struct passwd pw, *res = NULL;
        char pwbuf[4096];
        bool cut;

        if (geteuid() == 0)
                cut = jc_format(buf, len, "%s/cache/jobcell", LOCALSTATEDIR);
        else if (xdg != NULL && xdg[0] == '/')
                cut = jc_format(buf, len, "%s/jobcell", xdg);
        else if (home != NULL && home[0] == '/')
                cut = jc_format(buf, len, "%s/.cache/jobcell", home);
        else if (getpwuid_r(geteuid(), &pw, pwbuf, sizeof(pwbuf), &res) == 0 && res != NULL)
                cut = jc_format(buf, len, "%s/.cache/jobcell", pw.pw_dir);
        else
                return jc_error_set(err, ENOENT, "no cache directory: set image_cache_dir");
        if (cut)
                return jc_error_set(err, ENAMETOOLONG, "cache directory");
        return 0;
}

/* Is NAME a regular file in directory FD? */
static bool has_file(int fd, const char *name)
{
        struct stat st;

        return fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

/* A tar's kind from its members; SRC is the tar, already listed. */
static int tar_kind(struct jc_src *src, enum jc_image_format *kind, struct jc_error *err)
{
        if (jc_src_has(src, "oci-layout", NULL)) {
                *kind = JC_IMG_OCI;
                return 0;
        }
        if (jc_src_has(src, "manifest.json", NULL)) {
                *kind = JC_IMG_DOCKER;
                return 0;
        }
        return jc_error_set(err, 0,
                            "`%s' is an archive but neither an OCI image layout (no oci-layout) "
                            "nor a docker save archive (no manifest.json)",
                            src->name);
}

/* The kind of FD; a tar is listed into SRC (left open for the caller). */
static int detect(int fd, const char *name, enum jc_image_format *kind, struct jc_src *src,
                  struct jc_error *err)
{
        unsigned char head[512];
        struct stat st;
        ssize_t n;

        if (fstat(fd, &st) < 0)
                return jc_error_set(err, errno, "stat `%s'", name);
        if (S_ISDIR(st.st_mode)) {
                /* Docker 25 writes both files: the OCI index is the
                 * stronger chain of trust, so it wins. */
                *kind = has_file(fd, "oci-layout")      ? JC_IMG_OCI
                        : has_file(fd, "manifest.json") ? JC_IMG_DOCKER
                                                        : JC_IMG_DIR;
                if (*kind != JC_IMG_DIR && src != NULL)
                        return jc_src_open(fd, name, src, err);
                return 0;
        }
        if (!S_ISREG(st.st_mode))
                return jc_error_set(err, 0, "image `%s' is neither a directory nor a file", name);
        n = pread(fd, head, sizeof(head), 0);
        if (n < 0)
                return jc_error_set(err, errno, "read `%s'", name);
        if (n >= 4 && memcmp(head, SQUASHFS_MAGIC, 4) == 0) {
                *kind = JC_IMG_SQUASHFS;
                return 0;
        }
        /* Anything else must be a tar (maybe gzip-compressed) holding an
         * OCI layout or a docker save archive: libarchive says. */
        {
                struct jc_src tmp, *s = src ? src : &tmp;
                int rc;

                if (jc_src_open(fd, name, s, err) < 0)
                        return jc_error_wrap(err,
                                             "`%s' is not a directory, a squashfs file or an "
                                             "image archive",
                                             name);
                rc = tar_kind(s, kind, err);
                if (rc < 0 || s == &tmp)
                        jc_src_close(s);
                return rc;
        }
}

int jc_image_detect(int fd, const char *name, enum jc_image_format *kind, struct jc_error *err)
{
        return detect(fd, name, kind, NULL, err);
}

static const char *kind_words(enum jc_image_format k)
{
        static const char *const words[] = {
                [JC_IMG_DIR] = "a root filesystem directory",
                [JC_IMG_OCI] = "an OCI image layout",
                [JC_IMG_DOCKER] = "a docker save archive",
                [JC_IMG_SQUASHFS] = "a squashfs file",
        };

        return (unsigned)k < JC_ARRAY_SIZE(words) ? words[k] : "?";
}

static int allowed(const struct jc_image_opts *o, enum jc_image_format k, struct jc_error *err)
{
        char names[128] = "";
        size_t i;

        if (o->formats & (UINT64_C(1) << k))
                return 0;
        for (i = 0; jc_image_format_names[i] != NULL; i++)
                if (o->formats & (UINT64_C(1) << i))
                        jc_format(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
                                  names[0] ? ", " : "", jc_image_format_names[i]);
        return jc_error_set(err, 0,
                            "image `%s' is %s (%s), which the policy does not allow "
                            "(image_formats = %s)",
                            o->path, kind_words(k), jc_image_format_names[k],
                            names[0] ? names : "none");
}

/* The sha256 of the whole file FD. */
static int file_digest(int fd, const char *name, char out[JC_DIGEST_LEN], struct jc_error *err)
{
        struct sha256_ctx ctx;
        char buf[128 * 1024];
        off_t off = 0;
        ssize_t n;

        sha256_init(&ctx);
        while ((n = pread(fd, buf, sizeof(buf), off)) != 0) {
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return jc_error_set(err, errno, "read `%s'", name);
                sha256_update(&ctx, (size_t)n, (const uint8_t *)buf);
                off += n;
        }
        jc_sha256_hex(&ctx, out);
        return 0;
}

static int open_squashfs(const struct jc_image_opts *o, int fd, struct jc_image *img,
                         struct jc_error *err)
{
        char got[JC_DIGEST_LEN];

        if (o->digest != NULL && o->digest[0] != '\0') {
                /* The file stays the user's, who may change it once it is
                 * checked: this proves what was asked for was given, not
                 * that it stays so (doc/images.md). */
                if (file_digest(fd, o->path, got, err) < 0)
                        return -1;
                if (strcmp(got, o->digest) != 0)
                        return jc_error_set(err, 0, "image `%s' has digest %s, not %s: refusing it",
                                            o->path, got, o->digest);
        }
        img->digest = jc_strdup(o->digest && o->digest[0] ? o->digest : "", err);
        img->squashfs_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (img->squashfs_fd < 0)
                return jc_error_set(err, errno, "image `%s'", o->path);
        return img->digest ? 0 : -1;
}

static int open_archive(const struct jc_image_opts *o, struct jc_src *src, struct jc_image *img,
                        struct jc_error *err)
{
        char dflt[PATH_MAX];
        struct jc_image_opts oo = *o;
        struct jc_plan plan;
        const char *want = o->digest && o->digest[0] ? o->digest : "";
        int rc;

        if (want[0] != '\0' && jc_digest_hex(want, err) == NULL)
                return -1;
        if (oo.cache_dir == NULL || oo.cache_dir[0] == '\0') {
                if (jc_image_cache_default(dflt, sizeof(dflt), err) < 0)
                        return -1;
                oo.cache_dir = dflt;
        }
        rc = img->kind == JC_IMG_OCI ? jc_oci_plan(src, want, &plan, err)
                                     : jc_docker_plan(src, want, &plan, err);
        if (rc < 0)
                return -1;
        rc = jc_image_config_parse(plan.config, plan.config_len, &img->config, err);
        if (rc == 0)
                rc = jc_cache_get(&oo, src, &plan, img, err);
        jc_plan_free(&plan);
        return rc;
}

int jc_image_key(const struct jc_image_opts *o, char key[72], struct jc_error *err)
{
        struct jc_src src = { .dirfd = -1, .tarfd = -1 };
        enum jc_image_format kind;
        struct jc_plan plan;
        const char *want = o->digest && o->digest[0] ? o->digest : "";
        int fd = open(o->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), rc = -1;

        if (fd < 0)
                return jc_error_set(err, errno, "image `%s'", o->path);
        if (detect(fd, o->path, &kind, &src, err) < 0)
                goto out;
        if (kind != JC_IMG_OCI && kind != JC_IMG_DOCKER) {
                jc_error_set(err, 0, "image `%s' is %s, which is never in the cache", o->path,
                             kind_words(kind));
                goto out;
        }
        rc = kind == JC_IMG_OCI ? jc_oci_plan(&src, want, &plan, err)
                                : jc_docker_plan(&src, want, &plan, err);
        if (rc == 0) {
                memcpy(key, plan.key, JC_DIGEST_LEN);
                jc_plan_free(&plan);
        }
out:
        jc_src_close(&src);
        close(fd);
        return rc;
}

int jc_image_open(const struct jc_image_opts *o, struct jc_image *img, struct jc_error *err)
{
        struct jc_src src = { .dirfd = -1, .tarfd = -1 };
        int fd = o->src_fd, rc = -1;

        memset(img, 0, sizeof(*img));
        img->squashfs_fd = img->lock_fd = -1;
        if (o->path == NULL || o->path[0] == '\0')
                return jc_error_set(err, 0, "no image");
        img->source = jc_strdup(o->path, err);
        if (img->source == NULL)
                return -1;
        if (fd < 0) {
                /* O_NONBLOCK: a FIFO named as the image must not hang us. */
                fd = open(o->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
                if (fd < 0) {
                        jc_error_set(err, errno, "image `%s'", o->path);
                        goto out;
                }
        }
        if (detect(fd, o->path, &img->kind, &src, err) < 0 || allowed(o, img->kind, err) < 0)
                goto out;
        switch (img->kind) {
        case JC_IMG_DIR:
                if (o->digest != NULL && o->digest[0] != '\0') {
                        jc_error_set(err, 0,
                                     "image `%s' is a directory, which has no digest to check "
                                     "against %s",
                                     o->path, o->digest);
                        goto out;
                }
                img->rootfs = jc_strdup(o->path, err);
                img->digest = img->rootfs ? jc_strdup("", err) : NULL;
                rc = img->digest ? 0 : -1;
                break;
        case JC_IMG_SQUASHFS:
                rc = open_squashfs(o, fd, img, err);
                break;
        default:
                rc = open_archive(o, &src, img, err);
                break;
        }
out:
        jc_src_close(&src);
        if (fd >= 0 && fd != o->src_fd)
                close(fd);
        if (rc < 0)
                jc_image_close(img);
        return rc;
}

void jc_image_close(struct jc_image *img)
{
        free(img->source);
        free(img->rootfs);
        free(img->digest);
        free(img->entry);
        jc_image_config_free(&img->config);
        if (img->squashfs_fd >= 0)
                close(img->squashfs_fd);
        if (img->lock_fd >= 0)
                close(img->lock_fd);
        memset(img, 0, sizeof(*img));
        img->squashfs_fd = img->lock_fd = -1;
}
