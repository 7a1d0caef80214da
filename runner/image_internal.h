/* What the image files share and nothing else uses (doc/images.md). */
#ifndef JC_IMAGE_INTERNAL_H
#define JC_IMAGE_INTERNAL_H

#include <nettle/sha2.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "image.h"

struct archive;

/* JSON documents (index, manifests, configs) larger than this are refused
 * before they are read: they come from the user. */
#define JC_IMAGE_JSON_MAX (4 << 20)
/* Deeper paths are refused: removing a tree holds one fd per level. */
#define JC_IMAGE_MAX_DEPTH 256

/* "sha256:" + 64 hex digits + NUL */
#define JC_DIGEST_LEN 72

void jc_sha256_hex(struct sha256_ctx *ctx, char out[JC_DIGEST_LEN]);
/* The 64 hex digits of a "sha256:HEX" digest, or NULL (and ERR). */
const char *jc_digest_hex(const char *digest, struct jc_error *err);

/* --- where an image's files come from: a directory or a tar ------------ */

struct jc_member {
        char *name; /* normalised: no leading "./" */
        char *link; /* symlink or hardlink target, normalised; NULL otherwise */
        char type;  /* 'f' file, 'l' symlink, 'h' hardlink, 'd' directory, 'o' other */
        bool dup;   /* the name appears more than once */
        int64_t size;
};

struct jc_src {
        const char *name; /* for messages */
        int dirfd;        /* a directory, or -1 */
        int tarfd;        /* an archive, or -1 */
        struct jc_member *m;
        size_t n;
};

/* FD is a directory or a regular file (a tar, maybe gzip-compressed); it
 * is duplicated.  A tar is read once through to list its members. */
int jc_src_open(int fd, const char *name, struct jc_src *src, struct jc_error *err);
void jc_src_close(struct jc_src *src);
/* Is NAME there as a file (after links), and how big? */
bool jc_src_has(struct jc_src *src, const char *name, int64_t *size);

/* One member, read as a stream and hashed as it goes. */
struct jc_blob {
        struct jc_src *src;
        char *name;
        int fd;                /* directory source */
        struct archive *outer; /* tar source, positioned at the member's data */
        struct sha256_ctx sha;
        uint64_t nread;
};

int jc_blob_open(struct jc_src *src, const char *name, struct jc_blob *b, struct jc_error *err);
ssize_t jc_blob_read(struct jc_blob *b, void *buf, size_t len, struct jc_error *err);
/* Read what is left, then check the whole member against DIGEST and SIZE
 * (-1: any size). */
int jc_blob_verify(struct jc_blob *b, const char *digest, int64_t size, struct jc_error *err);
void jc_blob_close(struct jc_blob *b);
/* Read NAME whole (at most MAX bytes, NUL-terminated), checking DIGEST
 * when not NULL and SIZE when >= 0. */
int jc_src_read(struct jc_src *src, const char *name, const char *digest, int64_t size, size_t max,
                char **out, size_t *len, struct jc_error *err);

/* Parse one JSON value (trailing blanks allowed, nothing else); WHAT
 * names it in messages. */
struct json_object;
struct json_object *jc_json_parse(const char *text, size_t len, const char *what,
                                  struct jc_error *err);

/* --- what to import ------------------------------------------------------ */

struct jc_layer {
        char *name;   /* member holding it */
        char *digest; /* sha256 of the member's bytes */
        int64_t size; /* -1 when the manifest does not say */
};

struct jc_plan {
        enum jc_image_format kind;
        char key[JC_DIGEST_LEN]; /* the cache key: manifest (oci) or config (docker) digest */
        char *config;            /* the config JSON, verified */
        size_t config_len;
        struct jc_layer *layers;
        size_t nlayers;
};

int jc_oci_plan(struct jc_src *src, const char *want, struct jc_plan *plan, struct jc_error *err);
int jc_docker_plan(struct jc_src *src, const char *want, struct jc_plan *plan,
                   struct jc_error *err);
int jc_plan_add_layer(struct jc_plan *plan, const char *name, const char *digest, int64_t size,
                      struct jc_error *err);
void jc_plan_free(struct jc_plan *plan);

/* Normalise a member or entry name: "./a//b/" -> "a/b"; absolute names
 * and ".." components are refused (ERR says which). */
int jc_path_norm(const char *name, char *out, size_t len, struct jc_error *err);

/* --- safe extraction of layers into a root directory ----------------- */

struct jc_extract;

int jc_extract_begin(int rootfd, struct jc_extract **x, struct jc_error *err);
/* Apply one layer (a tar stream already opened in A) on top of the
 * previous ones; WHAT names it in messages. */
int jc_extract_layer(struct jc_extract *x, struct archive *a, const char *what,
                     struct jc_error *err);
/* Apply directory modes and times (deferred so that a read-only
 * directory can still be filled). */
int jc_extract_end(struct jc_extract *x, struct jc_error *err);
void jc_extract_free(struct jc_extract *x);
/* Open a tar layer (plain, gzip or zstd) reading from B. */
struct archive *jc_layer_archive(struct jc_blob *b, struct jc_error *err);

/* Remove NAME under DIRFD, a whole tree if it is a directory, never
 * following a symlink. */
int jc_rm_tree(int dirfd, const char *name, struct jc_error *err);
/* Disk use of the tree at FD (st_blocks, hard links counted once). */
int jc_tree_size(int fd, uint64_t *size, struct jc_error *err);

/* --- the cache ------------------------------------------------------------- */

/* Import PLAN from SRC into the cache at O->cache_dir, or find it there;
 * fills img->rootfs, entry, digest, imported, lock_fd. */
int jc_cache_get(const struct jc_image_opts *o, struct jc_src *src, const struct jc_plan *plan,
                 struct jc_image *img, struct jc_error *err);

#endif
