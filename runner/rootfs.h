/* The sandbox's root filesystem: the image, read-only, under a tmpfs
 * overlay that takes the mount points jobcell needs (so the image is
 * never modified), then /dev, /proc, /sys, /tmp, the generated passwd and
 * group files and the bind mounts, then pivot_root into it. */
#ifndef JC_ROOTFS_H
#define JC_ROOTFS_H

#include "job.h"
#include "userns.h"

/* What the keeper opened for the init before the clone: the image root
 * and each mount's source (same order as spec->mounts).  The kernel binds
 * only from mounts of the caller's own mount namespace, and the init's is
 * a new one: a privileged keeper hands over detached copies of the trees
 * (open_tree(OPEN_TREE_CLONE)), which the init attaches with move_mount;
 * a rootless one (no CAP_SYS_ADMIN for open_tree) hands over plain
 * descriptors plus their resolved paths, which the init opens again and
 * checks to be the same files.  The image root is a tree whenever
 * IMAGE_TREE says so: always when privileged, and for a squashfs image
 * (a detached mount, runner/cell_image.h) rootless too. */
struct jc_prep {
        int image_fd;
        int *mount_fds;
        size_t nmounts;
        bool trees;      /* the mount sources are detached trees */
        bool image_tree; /* the image root is a detached tree */
        char **paths;    /* [0] the image, [1 + i] mount i: resolved paths */
};

void jc_prep_close(struct jc_prep *prep);

/* Build the root in the current (new) mount namespace; returns an O_PATH
 * fd of the new root. */
int jc_rootfs_build(const struct jc_spec *spec, const struct jc_job *job, const struct jc_ids *ids,
                    const struct jc_prep *prep, struct jc_error *err);

/* Switch to ROOTFD (pivot_root, detach the old root) and make the root
 * read-only unless the spec asks for a writable one. */
int jc_rootfs_pivot(int rootfd, const struct jc_spec *spec, struct jc_error *err);

#endif
