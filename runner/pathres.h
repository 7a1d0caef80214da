/* Paths inside the sandbox root.  The image is untrusted: a symlink in
 * it ("/data -> /etc", "x -> ../../..") must never lead a mount or a
 * mkdir out of the sandbox root onto the host.  Every path inside the
 * root is resolved with openat2(RESOLVE_IN_ROOT), so symlinks resolve as
 * if the root were "/", and the resulting fd is what gets mounted on
 * (through /proc/self/fd/N). */
#ifndef JC_PATHRES_H
#define JC_PATHRES_H

#include <stdbool.h>

#include "error.h"

/* Open PATH (absolute or relative, taken inside the root ROOTFD). */
int jc_open_in_root(int rootfd, const char *path, int flags, struct jc_error *err);

/* Make PATH exist inside ROOTFD, as a directory or (FILE) an empty
 * regular file, creating missing parents (0755); returns an O_PATH fd. */
int jc_mkpath_in_root(int rootfd, const char *path, bool file, struct jc_error *err);

/* "/proc/self/fd/N", for mount(2) and overlay options, into BUF. */
const char *jc_fd_path(int fd, char *buf, size_t len);

#endif
