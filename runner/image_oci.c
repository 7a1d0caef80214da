/* OCI image layouts (image-spec image-layout.md): oci-layout, index.json
 * and blobs/sha256/HEX.  The chain of trust: IMG@DIGEST (or the one image
 * index.json lists) -> the manifest, whose sha256 must be that digest ->
 * the config and each layer, whose sha256 and size must be what the
 * manifest says. */
#include "config.h"

#include <errno.h>
#include <json.h>
#include <stdlib.h>
#include <string.h>

#include "image_internal.h"

#define MT_INDEX        "application/vnd.oci.image.index.v1+json"
#define MT_MANIFEST     "application/vnd.oci.image.manifest.v1+json"
#define MT_DOCKER_LIST  "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIF "application/vnd.docker.distribution.manifest.v2+json"

/* The platform this runner runs on, in OCI's (Go's) words. */
#if defined(__x86_64__)
#define JC_OCI_ARCH "amd64"
#elif defined(__aarch64__)
#define JC_OCI_ARCH "arm64"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define JC_OCI_ARCH "ppc64le"
#elif defined(__s390x__)
#define JC_OCI_ARCH "s390x"
#elif defined(__riscv) && __riscv_xlen == 64
#define JC_OCI_ARCH "riscv64"
#else
#define JC_OCI_ARCH "unknown"
#endif

/* Layer media types we can unpack: tar, plain or gzip or zstd (libarchive
 * finds which from the bytes).  Anything else (encrypted layers, foreign
 * artifacts) is refused rather than guessed at. */
static const char *const layer_types[] = {
        "application/vnd.oci.image.layer.v1.tar",
        "application/vnd.oci.image.layer.v1.tar+gzip",
        "application/vnd.oci.image.layer.v1.tar+zstd",
        "application/vnd.oci.image.layer.nondistributable.v1.tar",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
        "application/vnd.docker.image.rootfs.diff.tar.gzip",
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
        NULL,
};

struct desc {
        const char *media_type; /* "" when absent */
        const char *digest;
        int64_t size;
        json_object *platform;
};

static int get_desc(json_object *o, const char *what, struct desc *d, struct jc_error *err)
{
        json_object *mt, *dg, *sz;

        if (!json_object_is_type(o, json_type_object))
                return jc_error_set(err, 0, "%s is not a descriptor", what);
        mt = json_object_object_get(o, "mediaType");
        dg = json_object_object_get(o, "digest");
        sz = json_object_object_get(o, "size");
        if ((mt != NULL && !json_object_is_type(mt, json_type_string)) ||
            !json_object_is_type(dg, json_type_string) || !json_object_is_type(sz, json_type_int))
                return jc_error_set(err, 0, "%s: a descriptor needs a digest and a size", what);
        d->media_type = mt ? json_object_get_string(mt) : "";
        d->digest = json_object_get_string(dg);
        d->size = json_object_get_int64(sz);
        d->platform = json_object_object_get(o, "platform");
        if (d->size < 0)
                return jc_error_set(err, 0, "%s: negative size", what);
        if (jc_digest_hex(d->digest, err) == NULL)
                return jc_error_wrap(err, "%s", what);
        return 0;
}

static void blob_path(const char *digest, char *out, size_t len)
{
        jc_format(out, len, "blobs/sha256/%s", digest + 7);
}

/* Read the blob D as JSON (verified against its digest and size). */
static json_object *read_json_blob(struct jc_src *src, const struct desc *d, const char *what,
                                   char **raw, size_t *rawlen, struct jc_error *err)
{
        char path[128];
        char *text = NULL;
        size_t len;
        json_object *o;

        blob_path(d->digest, path, sizeof(path));
        if (jc_src_read(src, path, d->digest, d->size, JC_IMAGE_JSON_MAX, &text, &len, err) < 0) {
                jc_error_wrap(err, "%s", what);
                return NULL;
        }
        o = jc_json_parse(text, len, what, err);
        if (o != NULL && !json_object_is_type(o, json_type_object)) {
                jc_error_set(err, 0, "%s is not a JSON object", what);
                json_object_put(o);
                o = NULL;
        }
        if (o != NULL && raw != NULL) {
                *raw = text;
                *rawlen = len;
        } else {
                free(text);
        }
        return o;
}

static bool is_index(const struct desc *d)
{
        return strcmp(d->media_type, MT_INDEX) == 0 || strcmp(d->media_type, MT_DOCKER_LIST) == 0;
}

static bool platform_ok(json_object *p)
{
        json_object *os, *arch;

        if (p == NULL)
                return true;
        os = json_object_object_get(p, "os");
        arch = json_object_object_get(p, "architecture");
        return (os == NULL || strcmp(json_object_get_string(os), "linux") == 0) &&
               (arch == NULL || strcmp(json_object_get_string(arch), JC_OCI_ARCH) == 0);
}

/* The manifests array of an index. */
static json_object *manifests_of(json_object *index, const char *what, struct jc_error *err)
{
        json_object *m = json_object_object_get(index, "manifests");

        if (!json_object_is_type(m, json_type_array)) {
                jc_error_set(err, 0, "%s has no manifests list", what);
                return NULL;
        }
        return m;
}

/* Choose the manifest in the index INDEX: the one whose digest is WANT, or
 * when WANT is "" the only one for this platform.  Nested indexes (a
 * multi-platform image) are followed DEPTH levels. */
static int choose(struct jc_src *src, json_object *index, const char *what, const char *want,
                  int depth, struct desc *out, json_object **keep, struct jc_error *err)
{
        json_object *list = manifests_of(index, what, err);
        size_t i, n, found = 0;
        struct desc d, pick = { 0 };

        if (list == NULL)
                return -1;
        n = json_object_array_length(list);
        for (i = 0; i < n; i++) {
                if (get_desc(json_object_array_get_idx(list, i), what, &d, err) < 0)
                        return -1;
                if (want[0] != '\0' && strcmp(d.digest, want) == 0 && !is_index(&d)) {
                        *out = d;
                        return 0;
                }
                if (is_index(&d) && depth > 0 && (want[0] != '\0' || platform_ok(d.platform))) {
                        json_object *sub = read_json_blob(src, &d, "image index", NULL, NULL, err);
                        int rc;

                        if (sub == NULL)
                                return -1;
                        /* IMG@DIGEST may name a multi-platform index itself. */
                        const char *inner = strcmp(d.digest, want) == 0 ? "" : want;

                        rc = choose(src, sub, "image index", inner, depth - 1, &d, keep, err);
                        if (rc < 0 && want[0] != '\0' && err->errnum == ENOENT) {
                                json_object_put(sub);
                                continue; /* not in this one */
                        }
                        if (rc < 0) {
                                json_object_put(sub);
                                return -1;
                        }
                        /* D's strings live in SUB: keep it until the caller is done. */
                        json_object_put(*keep);
                        *keep = sub;
                        if (want[0] != '\0') {
                                *out = d;
                                return 0;
                        }
                        pick = d;
                        found++;
                        continue;
                }
                if (want[0] == '\0' && !is_index(&d) && platform_ok(d.platform)) {
                        pick = d;
                        found++;
                }
        }
        if (want[0] != '\0')
                return jc_error_set(err, ENOENT, "no image with digest %s in %s", want, what);
        if (found == 0)
                return jc_error_set(err, ENOENT, "%s lists no image for linux/%s", what,
                                    JC_OCI_ARCH);
        if (found > 1)
                return jc_error_set(err, 0,
                                    "%s lists %zu images for linux/%s: name one with "
                                    "IMG@sha256:DIGEST",
                                    what, found, JC_OCI_ARCH);
        *out = pick;
        return 0;
}

static int check_layout(struct jc_src *src, struct jc_error *err)
{
        _cleanup_free_ char *text = NULL;
        json_object *o, *v;
        size_t len;
        int rc = 0;

        if (jc_src_read(src, "oci-layout", NULL, -1, 4096, &text, &len, err) < 0)
                return -1;
        o = jc_json_parse(text, len, "oci-layout", err);
        if (o == NULL)
                return -1;
        v = json_object_object_get(o, "imageLayoutVersion");
        if (!json_object_is_type(v, json_type_string) ||
            strncmp(json_object_get_string(v), "1.", 2) != 0)
                rc = jc_error_set(err, 0, "oci-layout: imageLayoutVersion is not 1.x");
        json_object_put(o);
        return rc;
}

static bool known_layer_type(const char *mt)
{
        size_t i;

        for (i = 0; layer_types[i] != NULL; i++)
                if (strcmp(mt, layer_types[i]) == 0)
                        return true;
        return false;
}

static int read_manifest(struct jc_src *src, const struct desc *md, struct jc_plan *plan,
                         struct jc_error *err)
{
        json_object *m = read_json_blob(src, md, "manifest", NULL, NULL, err);
        json_object *layers, *cfg, *mt, *sv;
        struct desc cd, ld;
        json_object *c = NULL;
        char path[128], what[64];
        size_t i;
        int rc = -1;

        if (m == NULL)
                return -1;
        sv = json_object_object_get(m, "schemaVersion");
        mt = json_object_object_get(m, "mediaType");
        if (!json_object_is_type(sv, json_type_int) || json_object_get_int(sv) != 2) {
                jc_error_set(err, 0, "manifest %s: schemaVersion is not 2", md->digest);
                goto out;
        }
        if (mt != NULL && strcmp(json_object_get_string(mt), MT_MANIFEST) != 0 &&
            strcmp(json_object_get_string(mt), MT_DOCKER_MANIF) != 0) {
                jc_error_set(err, 0, "manifest %s: media type `%s' is not an image manifest",
                             md->digest, json_object_get_string(mt));
                goto out;
        }
        cfg = json_object_object_get(m, "config");
        layers = json_object_object_get(m, "layers");
        if (get_desc(cfg, "manifest config", &cd, err) < 0)
                goto out;
        if (!json_object_is_type(layers, json_type_array)) {
                jc_error_set(err, 0, "manifest %s has no layers list", md->digest);
                goto out;
        }
        c = read_json_blob(src, &cd, "image config", &plan->config, &plan->config_len, err);
        if (c == NULL)
                goto out;
        for (i = 0; i < json_object_array_length(layers); i++) {
                jc_format(what, sizeof(what), "layer %zu", i + 1);
                if (get_desc(json_object_array_get_idx(layers, i), what, &ld, err) < 0)
                        goto out;
                if (!known_layer_type(ld.media_type)) {
                        jc_error_set(err, 0, "layer %zu: media type `%s' is not a tar layer", i + 1,
                                     ld.media_type);
                        goto out;
                }
                blob_path(ld.digest, path, sizeof(path));
                if (jc_plan_add_layer(plan, path, ld.digest, ld.size, err) < 0)
                        goto out;
        }
        rc = 0;
out:
        json_object_put(c);
        json_object_put(m);
        return rc;
}

int jc_oci_plan(struct jc_src *src, const char *want, struct jc_plan *plan, struct jc_error *err)
{
        _cleanup_free_ char *text = NULL;
        json_object *index, *keep = NULL;
        struct desc md;
        size_t len;
        int rc = -1;

        memset(plan, 0, sizeof(*plan));
        plan->kind = JC_IMG_OCI;
        if (check_layout(src, err) < 0)
                return -1;
        if (jc_src_read(src, "index.json", NULL, -1, JC_IMAGE_JSON_MAX, &text, &len, err) < 0)
                return -1;
        index = jc_json_parse(text, len, "index.json", err);
        if (index == NULL)
                return -1;
        if (choose(src, index, "index.json", want ? want : "", 1, &md, &keep, err) < 0) {
                if (err->errnum == ENOENT)
                        err->errnum = 0; /* "not listed", not a missing file */
                goto out;
        }
        jc_format(plan->key, sizeof(plan->key), "%s", md.digest);
        rc = read_manifest(src, &md, plan, err);
out:
        json_object_put(keep);
        json_object_put(index);
        if (rc < 0)
                jc_plan_free(plan);
        return rc;
}

int jc_plan_add_layer(struct jc_plan *plan, const char *name, const char *digest, int64_t size,
                      struct jc_error *err)
{
        struct jc_layer *nv = realloc(plan->layers, (plan->nlayers + 1) * sizeof(*nv));

        if (nv == NULL)
                return jc_error_set(err, errno, "layer list");
        plan->layers = nv;
        nv += plan->nlayers;
        nv->name = strdup(name);
        nv->digest = strdup(digest);
        nv->size = size;
        if (nv->name == NULL || nv->digest == NULL) {
                free(nv->name);
                free(nv->digest);
                return jc_error_set(err, ENOMEM, "layer list");
        }
        plan->nlayers++;
        return 0;
}

void jc_plan_free(struct jc_plan *plan)
{
        size_t i;

        for (i = 0; i < plan->nlayers; i++) {
                free(plan->layers[i].name);
                free(plan->layers[i].digest);
        }
        free(plan->layers);
        free(plan->config);
        memset(plan, 0, sizeof(*plan));
}
