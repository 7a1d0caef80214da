/* Inside the seccomp module: shared by seccomp.c (build, export, load),
 * seccomp_default.c (the built-in allowlist) and seccomp_profile.c
 * (Docker-format JSON profiles), and by their unit test. */
#ifndef JC_SECCOMP_INT_H
#define JC_SECCOMP_INT_H

#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdint.h>

#include "jc_seccomp.h"

#ifndef SECCOMP_FILTER_FLAG_LOG
#define SECCOMP_FILTER_FLAG_LOG (1UL << 1)
/* The filter cache (seccomp_cache.c): KEY names everything a compiled
 * filter for SPEC depends on (-1: no key, do not cache); get fills BPF and
 * returns true on a hit; put stores BPF, silently doing nothing when it
 * cannot.  DIR must be root's and writable by root alone. */
int jc_sc_cache_key(const struct jc_spec *spec, char *key, size_t len);
bool jc_sc_cache_get(const char *dir, const char *key, struct jc_bpf *bpf);
void jc_sc_cache_put(const char *dir, const char *key, const struct jc_bpf *bpf);

#endif
#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
/* The filter cache (seccomp_cache.c): KEY names everything a compiled
 * filter for SPEC depends on (-1: no key, do not cache); get fills BPF and
 * returns true on a hit; put stores BPF, silently doing nothing when it
 * cannot.  DIR must be root's and writable by root alone. */
int jc_sc_cache_key(const struct jc_spec *spec, char *key, size_t len);
bool jc_sc_cache_get(const char *dir, const char *key, struct jc_bpf *bpf);
void jc_sc_cache_put(const char *dir, const char *key, const struct jc_bpf *bpf);

#endif

/* A new filter context: DEF_ACTION for every system call no rule names,
 * the binary-tree layout (SCMP_FLTATR_CTL_OPTIMIZE=2) and, for a system
 * call of an architecture the filter does not list, SCMP_ACT_KILL_PROCESS
 * (see seccomp.c for why). */
scmp_filter_ctx jc_sc_new(uint32_t def_action, struct jc_error *err);

/* Add the rule "NAME -> ACTION when every ARGS comparison holds" to CTX.
 * NATIVE says CTX holds the native architecture only, where jobcell's own
 * numbers for calls too new for this libseccomp may be used.  A name that
 * exists, but not on the architectures of CTX, adds nothing.  Returns 0,
 * or -1 with ERR for an unknown name or a rule libseccomp refuses. */
int jc_sc_rule(scmp_filter_ctx ctx, bool native, const char *name, uint32_t action,
               unsigned int nargs, const struct scmp_arg_cmp *args, struct jc_error *err);

/* Does libseccomp or jobcell's table of newer calls know NAME? */
bool jc_sc_known(const char *name);

/* Export CTX as BPF into BPF (prog.filter malloc'ed) with FLAGS. */
int jc_sc_export(scmp_filter_ctx ctx, unsigned int flags, struct jc_bpf *bpf, struct jc_error *err);

/* Is the running kernel at least MAJOR.MINOR? */
bool jc_sc_kernel_at_least(unsigned int major, unsigned int minor);

/* The native architecture as Docker's "includes.arches" names it
 * ("amd64", "arm64", ...). */
const char *jc_sc_native_goarch(void);

/* The built-in allowlist for the capability set CAPS; every call it does
 * not allow fails with DENY_ERRNO (EPERM; the unit test passes another
 * value to tell the filter's refusals from the kernel's). */
int jc_sc_builtin(uint64_t caps, int deny_errno, struct jc_bpf *bpf, struct jc_error *err);

/* The Docker-format profile at PATH for the capability set CAPS.  Error
 * messages name the field (syscalls[2].action), not the file. */
int jc_sc_profile(const char *path, uint64_t caps, struct jc_bpf *bpf, struct jc_error *err);

/* The filter cache (seccomp_cache.c): KEY names everything a compiled
 * filter for SPEC depends on (-1: no key, do not cache); get fills BPF and
 * returns true on a hit; put stores BPF, silently doing nothing when it
 * cannot.  DIR must be root's and writable by root alone. */
int jc_sc_cache_key(const struct jc_spec *spec, char *key, size_t len);
bool jc_sc_cache_get(const char *dir, const char *key, struct jc_bpf *bpf);
void jc_sc_cache_put(const char *dir, const char *key, const struct jc_bpf *bpf);

#endif
