/* Diagnostics: the list of every problem found in a policy, so that
 * `jobcell policy check' reports them all, not only the first. */
#ifndef JC_DIAG_H
#define JC_DIAG_H

#include "util.h"

/* Append a formatted line to DIAGS.  Returns 0; -1 only when memory runs
 * out (ERR set), so callers go on collecting after a bad value. */
int jc_diag(struct jc_strv *diags, struct jc_error *err, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

#endif
