/* The sandbox's seccomp filter (doc/seccomp.md).  Named jc_seccomp.h so that
 * <seccomp.h> stays libseccomp's header (runner/ is on the include path).
 *
 * The filter is compiled with libseccomp in the runner BEFORE the
 * sandbox's first clone (jc_seccomp_build: it allocates, reads files and
 * may fail with a message), and only loaded in the child as the very last
 * step before execve (jc_seccomp_load: one system call, async-signal-safe).
 * That order is bubblewrap's and crun's: nothing the job controls runs
 * between the load and the exec, and nothing that needs a denied system
 * call runs after it. */
#ifndef JC_SECCOMP_H
#define JC_SECCOMP_H

#include <linux/filter.h>

#include "error.h"
#include "spec.h"

/* A compiled filter.  prog.len == 0 means "no filter" (privileged). */
struct jc_bpf {
        struct sock_fprog prog;
        unsigned int flags; /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
};

/* Build the filter SPEC asks for: none when spec->privileged; the
 * built-in allowlist (equal in effect to Docker's default profile, see
 * doc/seccomp.md) when spec->seccomp is "default"; else the Docker-format
 * JSON profile at that path.  spec->capabilities unlock the system calls
 * that need them, as Docker's profile does.  A profile that does not parse
 * or names an unknown system call, architecture, action or field is an
 * error naming the file and the field. */
/*
 * A runner with euid 0 keeps what it compiled in JC_SECCOMP_CACHE_DIR
 * ($JOBCELL_SECCOMP_CACHE when set, absolute; any other value turns the
 * cache off) and reads it back when every input is the same (see
 * seccomp_cache.c for what the key holds and why it can be trusted). */
#define JC_SECCOMP_CACHE_DIR RUNSTATEDIR "/jobcell/seccomp"
int jc_seccomp_build(const struct jc_spec *spec, struct jc_bpf *bpf, struct jc_error *err);
void jc_bpf_free(struct jc_bpf *bpf);

/* Install BPF on the calling thread (no-op when it is empty).  The caller
 * has set no_new_privs already (or the kernel refuses with EACCES), and
 * calls execve next.  Async-signal-safe: only seccomp(2) (prctl(2) on a
 * kernel without it).  Returns 0 or -errno. */
int jc_seccomp_load(const struct jc_bpf *bpf);

/* Check that the Docker-format profile at PATH parses and compiles (for
 * `jobcell policy check').  ERR's message names the field and what is
 * wrong with it, not the file: the caller names the file. */
int jc_seccomp_check_profile(const char *path, struct jc_error *err);

#endif
