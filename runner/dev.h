/* The sandbox's /dev: a fresh tmpfs with only the harmless devices
 * (Docker's set), a private devpts, /dev/shm and /dev/mqueue; extra
 * devices only where the policy lists them; the host's /dev only in
 * privileged mode. */
#ifndef JC_DEV_H
#define JC_DEV_H

#include "spec.h"

int jc_dev_setup(int rootfd, const struct jc_spec *spec, struct jc_error *err);

#endif
