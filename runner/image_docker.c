/* `docker save' archives: manifest.json lists, per image, a Config file
 * and the Layers in order.  The old format names them HEX.json and
 * ID/layer.tar; Docker 25 and later write blobs/sha256/HEX (and an OCI
 * index.json too, which jc_image_open prefers).  The chain of trust:
 * IMG@DIGEST (or the one image listed) -> the config, whose sha256 is its
 * name and is the image ID -> each layer, whose sha256 must be the
 * config's rootfs.diff_ids entry for it. */
#include "config.h"

#include <errno.h>
#include <json.h>
#include <stdlib.h>
#include <string.h>

#include "image_internal.h"

/* The digest a config file's name claims: "HEX.json" or "blobs/sha256/HEX". */
static int config_digest(const char *name, char out[JC_DIGEST_LEN], struct jc_error *err)
{
        char norm[256], candidate[JC_DIGEST_LEN];
        const char *hex = NULL;
        struct jc_error ignored;

        if (jc_path_norm(name, norm, sizeof(norm), err) < 0)
                return jc_error_wrap(err, "manifest.json Config");
        if (strncmp(norm, "blobs/sha256/", 13) == 0 && strlen(norm) == 13 + 64)
                hex = norm + 13;
        else if (strlen(norm) == 64 + 5 && strcmp(norm + 64, ".json") == 0)
                hex = norm;
        if (hex != NULL) {
                jc_format(candidate, sizeof(candidate), "sha256:%.64s", hex);
                if (jc_digest_hex(candidate, &ignored) != NULL) {
                        memcpy(out, candidate, JC_DIGEST_LEN);
                        return 0;
                }
        }
        return jc_error_set(err, 0,
                            "manifest.json: Config `%s' is not named by its digest, so it "
                            "cannot be verified",
                            name);
}

/* The manifest.json entry for WANT (the config digest), or the only one. */
static json_object *choose(json_object *list, const char *want, char digest[JC_DIGEST_LEN],
                           struct jc_error *err)
{
        size_t i, n = json_object_array_length(list);
        json_object *e, *cfg;

        if (n == 0) {
                jc_error_set(err, 0, "manifest.json lists no image");
                return NULL;
        }
        if (want[0] == '\0' && n > 1) {
                jc_error_set(err, 0,
                             "manifest.json lists %zu images: name one with IMG@sha256:DIGEST "
                             "(its image ID)",
                             n);
                return NULL;
        }
        for (i = 0; i < n; i++) {
                e = json_object_array_get_idx(list, i);
                cfg = json_object_object_get(e, "Config");
                if (!json_object_is_type(e, json_type_object) ||
                    !json_object_is_type(cfg, json_type_string)) {
                        jc_error_set(err, 0, "manifest.json: image %zu has no Config", i + 1);
                        return NULL;
                }
                if (config_digest(json_object_get_string(cfg), digest, err) < 0)
                        return NULL;
                if (want[0] == '\0' || strcmp(digest, want) == 0)
                        return e;
        }
        jc_error_set(err, ENOENT, "manifest.json has no image with ID %s", want);
        return NULL;
}

int jc_docker_plan(struct jc_src *src, const char *want, struct jc_plan *plan, struct jc_error *err)
{
        _cleanup_free_ char *text = NULL;
        json_object *list, *e, *layers, *c = NULL, *rootfs, *ids;
        char path[4096];
        size_t len, i, n;
        int rc = -1;

        memset(plan, 0, sizeof(*plan));
        plan->kind = JC_IMG_DOCKER;
        if (jc_src_read(src, "manifest.json", NULL, -1, JC_IMAGE_JSON_MAX, &text, &len, err) < 0)
                return -1;
        list = jc_json_parse(text, len, "manifest.json", err);
        if (list == NULL)
                return -1;
        if (!json_object_is_type(list, json_type_array)) {
                jc_error_set(err, 0, "manifest.json is not a list");
                goto out;
        }
        e = choose(list, want ? want : "", plan->key, err);
        if (e == NULL)
                goto out;
        if (jc_src_read(src, json_object_get_string(json_object_object_get(e, "Config")), plan->key,
                        -1, JC_IMAGE_JSON_MAX, &plan->config, &plan->config_len, err) < 0) {
                jc_error_wrap(err, "image config");
                goto out;
        }
        c = jc_json_parse(plan->config, plan->config_len, "image config", err);
        if (c == NULL)
                goto out;
        rootfs = json_object_object_get(c, "rootfs");
        ids = json_object_object_get(rootfs, "diff_ids");
        layers = json_object_object_get(e, "Layers");
        if (!json_object_is_type(ids, json_type_array) ||
            !json_object_is_type(layers, json_type_array)) {
                jc_error_set(err, 0, "image %s: no Layers or rootfs.diff_ids", plan->key);
                goto out;
        }
        n = json_object_array_length(layers);
        if (n != json_object_array_length(ids)) {
                jc_error_set(err, 0, "image %s: %zu Layers but %zu rootfs.diff_ids", plan->key, n,
                             json_object_array_length(ids));
                goto out;
        }
        for (i = 0; i < n; i++) {
                json_object *l = json_object_array_get_idx(layers, i);
                json_object *d = json_object_array_get_idx(ids, i);

                if (!json_object_is_type(l, json_type_string) ||
                    !json_object_is_type(d, json_type_string)) {
                        jc_error_set(err, 0, "image %s: layer %zu is not named", plan->key, i + 1);
                        goto out;
                }
                if (jc_digest_hex(json_object_get_string(d), err) == NULL) {
                        jc_error_wrap(err, "image %s: layer %zu", plan->key, i + 1);
                        goto out;
                }
                if (jc_path_norm(json_object_get_string(l), path, sizeof(path), err) < 0) {
                        jc_error_wrap(err, "manifest.json layer %zu", i + 1);
                        goto out;
                }
                /* docker save writes layers uncompressed, so the bytes of
                 * the file are what diff_id is the sha256 of. */
                if (jc_plan_add_layer(plan, path, json_object_get_string(d), -1, err) < 0)
                        goto out;
        }
        rc = 0;
out:
        json_object_put(c);
        json_object_put(list);
        if (rc < 0)
                jc_plan_free(plan);
        return rc;
}
