/* /proc and /sys inside the sandbox: a fresh proc for the PID namespace
 * with Docker's masked and read-only paths, and a read-only /sys. */
#ifndef JC_PROCFS_H
#define JC_PROCFS_H

#include "spec.h"

/* Call before the old root is detached: the kernel lets a user namespace
 * mount proc and sysfs only while a fully visible instance exists in the
 * mount namespace (fs/namespace.c, mount_too_revealing). */
int jc_procfs_setup(int rootfd, const struct jc_spec *spec, struct jc_error *err);

#endif
