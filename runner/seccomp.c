/* Placeholder until the seccomp module lands: builds no filter. */
#include "config.h"

#include <string.h>

#include "seccomp.h"

int jc_seccomp_build(const struct jc_spec *spec, struct jc_bpf *bpf, struct jc_error *err)
{
        (void)spec;
        (void)err;
        memset(bpf, 0, sizeof(*bpf));
        return 0;
}

void jc_bpf_free(struct jc_bpf *bpf)
{
        (void)bpf;
}

int jc_seccomp_load(const struct jc_bpf *bpf)
{
        (void)bpf;
        return 0;
}
