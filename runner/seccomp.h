/* The sandbox's seccomp filter (doc/seccomp.md). */
#ifndef JC_SECCOMP_H
#define JC_SECCOMP_H

#include <linux/filter.h>

#include "spec.h"

struct jc_bpf {
        struct sock_fprog prog; /* prog.len == 0: no filter */
};

/* Build the filter SPEC asks for, before the sandbox's first clone. */
int jc_seccomp_build(const struct jc_spec *spec, struct jc_bpf *bpf, struct jc_error *err);
void jc_bpf_free(struct jc_bpf *bpf);
/* Load it: the last step before execve.  Returns 0 or -errno. */
int jc_seccomp_load(const struct jc_bpf *bpf);

#endif
