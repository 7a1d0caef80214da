/* Mounting into the sandbox root.  Targets are resolved inside the root
 * (runner/pathres.h); sources come as descriptors the runner opened with
 * the right credentials, or as host paths the runner itself trusts. */
#ifndef JC_MOUNTS_H
#define JC_MOUNTS_H

#include <stdbool.h>

#include "error.h"

/* Mount a new FSTYPE filesystem on the directory DST inside ROOTFD
 * (created if missing). */
int jc_mount_fs(int rootfd, const char *dst, const char *fstype, unsigned long flags,
                const char *data, struct jc_error *err);

/* Bind SRCFD onto DST inside ROOTFD (creating DST as a file or a
 * directory, like the source), then make it nosuid (plus FLAGS, e.g.
 * MS_NODEV) and read-only unless RW.  SRCFD is an O_PATH descriptor of a
 * file or directory of this mount namespace, or with TREE a detached
 * mount tree (open_tree) to attach there.  Flags the kernel locked on the
 * source mount (ro, nodev, noexec, atime) are kept.  NAME is how errors
 * call the source. */
int jc_bind_fd(int rootfd, int srcfd, bool tree, const char *name, const char *dst, bool rw,
               unsigned long flags, struct jc_error *err);

/* The same without the remount: for what the flags cannot matter to (a
 * device node, /dev/null over a masked file, the overlay's lower layer,
 * which overlayfs never writes), one mount(2) instead of two. */
int jc_bind_plain(int rootfd, int srcfd, bool tree, const char *name, const char *dst,
                  struct jc_error *err);

/* Make the mount at DST inside ROOTFD read-only (and FLAGS). */
int jc_remount_ro(int rootfd, const char *dst, unsigned long flags, struct jc_error *err);

#endif
