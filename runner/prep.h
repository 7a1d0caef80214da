/* Opening what the sandbox is made of, before it is built.  A path the
 * job named (the image, a bind source) is opened with the job user's
 * rights, so the sandbox never shows what the user could not reach
 * (a 0755 directory under a 0700 one); the admin's mounts are opened
 * with the runner's own. */
#ifndef JC_PREP_H
#define JC_PREP_H

#include "rootfs.h"

int jc_prep_open(const struct jc_spec *spec, const struct jc_job *job, struct jc_prep *prep,
                 struct jc_error *err);

#endif
