/* Files whose content decides what a job may do (the policy, a seccomp
 * profile, the runner the plugin execs) must be root's alone: otherwise
 * the user who can write one grants themselves what the admin did not. */
#ifndef JC_TRUST_H
#define JC_TRUST_H

#include "error.h"

/* May PATH be trusted as root's: every component from / owned by root and
 * writable by nobody else (a sticky directory, like /tmp, protects root's
 * entries), and no component a symbolic link? */
int jc_path_root_owned(const char *path, struct jc_error *err);

#endif
