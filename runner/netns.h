/* Network mode none: the sandbox's own network namespace, in which the
 * loopback device starts down; bring it up so localhost works. */
#ifndef JC_NETNS_H
#define JC_NETNS_H

#include "error.h"

int jc_loopback_up(struct jc_error *err);

#endif
