/* The cell's image (doc/images.md, "In a cell").  The image belongs to
 * the cell, not to one member: members come and go, and the one that
 * created the cell may leave first.  So the keeper, which lives exactly as
 * long as the cell, opens it (from the descriptor runner/prep.c opened
 * with the job user's rights), imports it into the cache or mounts it,
 * holds it (the cache entry's use lock, squashfuse) until the cell ends,
 * and hands the init its root as a detached mount tree, or rootless as a
 * descriptor and a path, the way runner/rootfs.h takes it.  Members never
 * open the image: the keeper tells each one, creator and joiners alike,
 * what the image's config says (JC_MSG_IMAGE, JSON). */
#ifndef JC_CELL_IMAGE_H
#define JC_CELL_IMAGE_H

#include <stdbool.h>
#include <sys/types.h>

#include "image.h"
#include "rootfs.h"

struct jc_cell_image {
        struct jc_image img;
        struct jc_squashfs sqfs;    /* squashfuse's pid, for the end */
        bool late;                  /* squashfuse: mounted once the init exists */
        struct jc_squashfs_ids ids; /* the job's user, whom squashfuse runs as */
        bool as_user;               /* privileged: become IDS to run squashfuse */
        char *json;                 /* what every member is sent */
};

/* In the keeper, before the init is cloned: open PREP's image (the job
 * user's descriptor) as SPEC allows, import or mount it, and make PREP's
 * image the sandbox's root: privileged, a detached tree (the mounted
 * squashfs, or open_tree(OPEN_TREE_CLONE) of the directory or cache
 * entry); rootless, the directory's descriptor and path.  A squashfs
 * that squashfuse serves waits for jc_cell_image_late.  Errors name IMG. */
int jc_cell_image_open(const struct jc_spec *spec, const struct jc_job *job, struct jc_prep *prep,
                       struct jc_cell_image *ci, struct jc_error *err);

/* squashfuse (CI->late), once the init's user namespace has its maps:
 * make the FUSE filesystem in the init's namespaces (an ordinary user may
 * mount FUSE only there, and there the image's owners read as the
 * sandbox maps them: uid 0 is root inside); *TREE is the detached mount
 * for the init. */
int jc_cell_image_late(struct jc_cell_image *ci, pid_t init, int *tree, struct jc_error *err);

/* The cell ends: squashfuse reaped, the cache entry released.  Call it
 * after the cell's mount namespace is gone (or going): the mount itself
 * lives there, and with it. */
void jc_cell_image_close(struct jc_cell_image *ci);

/* What a member learns about the cell's image. */
struct jc_image_info {
        char kind[16];   /* dir, oci, docker, squashfs */
        char digest[80]; /* "sha256:HEX", or "" (dir, squashfs without a digest) */
        bool imported;   /* the cell's creation unpacked it into the cache */
        struct jc_image_config config;
};

int jc_image_info_parse(const char *json, struct jc_image_info *info, struct jc_error *err);
void jc_image_info_free(struct jc_image_info *info);

#endif
