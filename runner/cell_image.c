/* The cell's image: the keeper's side, and what members are told
 * (runner/cell_image.h, doc/images.md "In a cell"). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "cell_image.h"
#include "spec.h"
#include "sync.h"

static int replace_root(struct jc_prep *prep, int fd, const char *path, struct jc_error *err)
{
        char *p = NULL;

        if (path != NULL) {
                p = jc_strdup(path, err);
                if (p == NULL) {
                        if (fd >= 0)
                                close(fd);
                        return -1;
                }
                free(prep->paths[0]);
                prep->paths[0] = p;
        }
        if (prep->image_fd >= 0 && prep->image_fd != fd)
                close(prep->image_fd);
        prep->image_fd = fd;
        return 0;
}

/* The member's message: the config in the OCI shape (so members parse it
 * with jc_image_config_parse), and what the status record tells. */
static int make_json(const char *path, struct jc_cell_image *ci, struct jc_error *err)
{
        const struct jc_image *img = &ci->img;
        json_object *root = json_object_new_object(), *c = json_object_new_object(),
                    *j = json_object_new_object();
        const char *text;
        size_t len;
        int rc = 0;

        if (root == NULL || c == NULL || j == NULL) {
                json_object_put(root);
                json_object_put(c);
                json_object_put(j);
                return jc_error_set(err, ENOMEM, "image `%s': config", path);
        }
        json_object_object_add(c, "Env", jc_strv_json(&img->config.env));
        json_object_object_add(c, "Entrypoint", jc_strv_json(&img->config.entrypoint));
        json_object_object_add(c, "Cmd", jc_strv_json(&img->config.cmd));
        json_object_object_add(
                c, "WorkingDir",
                json_object_new_string(img->config.workdir ? img->config.workdir : ""));
        json_object_object_add(root, "config", c);
        json_object_object_add(j, "kind", json_object_new_string(jc_image_format_names[img->kind]));
        json_object_object_add(j, "digest", json_object_new_string(img->digest ? img->digest : ""));
        json_object_object_add(j, "imported", json_object_new_boolean(img->imported));
        json_object_object_add(root, "jobcell", j);
        text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
        len = text ? strlen(text) : 0;
        /* One message carries it (runner/sync.h). */
        if (text == NULL || len > JC_MSG_MAX)
                rc = jc_error_set(err, text ? E2BIG : ENOMEM,
                                  "image `%s': its Env, Entrypoint, Cmd and WorkingDir are over "
                                  "%d bytes",
                                  path, JC_MSG_MAX);
        else if ((ci->json = jc_strdup(text, err)) == NULL)
                rc = -1;
        json_object_put(root);
        return rc;
}

/* A detached copy of the directory FD for the init (privileged). */
static int tree_of(int fd, const char *path, int *tree, struct jc_error *err)
{
        /* The image's submounts are not part of it: the overlay would not
         * show them anyway. */
        *tree = open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
        if (*tree < 0)
                return jc_error_set(err, errno, "copy the mount tree of `%s'", path);
        return 0;
}

int jc_cell_image_open(const struct jc_spec *spec, const struct jc_job *job, struct jc_prep *prep,
                       struct jc_cell_image *ci, struct jc_error *err)
{
        struct jc_squashfs_ids ids = { job->uid, job->gid };
        struct jc_image_opts o;

        int fd = -1;

        memset(ci, 0, sizeof(*ci));
        ci->img.squashfs_fd = ci->img.lock_fd = -1;
        jc_image_opts_from_spec(&o, spec);
        o.src_fd = prep->image_fd;
        /* Rootless, the keeper is the user: the cache is the user's own
         * (a node cache is root's, and only its owner may write it). */
        if (!job->privileged)
                o.cache_dir = NULL;
        if (jc_image_open(&o, &ci->img, err) < 0)
                return -1;
        switch (ci->img.kind) {
        case JC_IMG_SQUASHFS:
                /* The library holds its own descriptor of the file. */
                replace_root(prep, -1, NULL, err);
                prep->image_tree = true;
                /* squashfuse mounts in the sandbox's namespaces, once they
                 * exist; rootless, squashfuse is the only way. */
                if (spec->squashfs_mount == JC_SQFS_SQUASHFUSE || !job->privileged) {
                        ci->late = true;
                        ci->ids = ids;
                        ci->as_user = job->privileged;
                        break;
                }
                if (jc_squashfs_open(ci->img.squashfs_fd, JC_SQFS_KERNEL, NULL, 0, &ci->sqfs, &fd,
                                     err) < 0) {
                        jc_error_wrap(err, "image `%s'", spec->image);
                        goto fail;
                }
                prep->image_fd = fd;
                break;
        case JC_IMG_DIR:
                break; /* the user's descriptor is the root */
        default:
                /* The cache entry, with the keeper's own rights: the
                 * user has shown they may read the source. */
                fd = open(ci->img.rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0) {
                        jc_error_set(err, errno, "image `%s': open `%s'", spec->image,
                                     ci->img.rootfs);
                        goto fail;
                }
                if (replace_root(prep, fd, ci->img.rootfs, err) < 0)
                        goto fail;
                break;
        }
        if (job->privileged && ci->img.kind != JC_IMG_SQUASHFS) {
                if (tree_of(prep->image_fd, prep->paths[0], &fd, err) < 0 ||
                    replace_root(prep, fd, NULL, err) < 0)
                        goto fail;
                prep->image_tree = true;
        }
        if (make_json(spec->image, ci, err) < 0)
                goto fail;
        return 0;
fail:
        jc_cell_image_close(ci);
        return -1;
}

int jc_cell_image_late(struct jc_cell_image *ci, pid_t init, int *tree, struct jc_error *err)
{
        /* squashfuse runs as the job's user (rootless, we are). */
        if (jc_squashfs_open(ci->img.squashfs_fd, JC_SQFS_SQUASHFUSE, ci->as_user ? &ci->ids : NULL,
                             init, &ci->sqfs, tree, err) < 0)
                return jc_error_wrap(err, "image `%s'", ci->img.source);
        return 0;
}

void jc_cell_image_close(struct jc_cell_image *ci)
{
        struct jc_error ignored = { 0 };

        jc_squashfs_umount(&ci->sqfs, &ignored);
        jc_image_close(&ci->img);
        free(ci->json);
        ci->json = NULL;
}

int jc_image_info_parse(const char *json, struct jc_image_info *info, struct jc_error *err)
{
        json_object *root, *j, *v;
        int rc = -1;

        memset(info, 0, sizeof(*info));
        if (json == NULL || jc_image_config_parse(json, strlen(json), &info->config, err) < 0)
                return jc_error_set(err, EPROTO, "the cell's image: bad message");
        root = json_tokener_parse(json);
        j = root ? json_object_object_get(root, "jobcell") : NULL;
        if (j == NULL) {
                jc_error_set(err, EPROTO, "the cell's image: bad message");
                goto out;
        }
        v = json_object_object_get(j, "kind");
        jc_format(info->kind, sizeof(info->kind), "%s", v ? json_object_get_string(v) : "");
        v = json_object_object_get(j, "digest");
        jc_format(info->digest, sizeof(info->digest), "%s", v ? json_object_get_string(v) : "");
        v = json_object_object_get(j, "imported");
        info->imported = v != NULL && json_object_get_boolean(v);
        rc = 0;
out:
        json_object_put(root);
        if (rc < 0)
                jc_image_config_free(&info->config);
        return rc;
}

void jc_image_info_free(struct jc_image_info *info)
{
        jc_image_config_free(&info->config);
}
