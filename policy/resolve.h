/* Resolution: built-in secure defaults < [defaults] < [partition P] <
 * the job's request, into one spec.  Like a pod's securityContext under a
 * container's in Kubernetes, each later layer overrides the one before,
 * except that a request may only tighten, or choose among what the
 * partition allows; anything else refuses the job with the key that
 * forbids it. */
#ifndef JC_RESOLVE_H
#define JC_RESOLVE_H

#include <sys/types.h>

#include "policy.h"
#include "request.h"
#include "spec.h"

/* Who the job belongs to: "%u" and "%U" in policy paths expand to these. */
struct jc_context {
        const char *user;
        uid_t uid;
};

/* POL may be NULL: only the built-in defaults apply.  PARTITION may be
 * NULL or name no section: [defaults] applies.  On refusal -1 and ERR
 * says which option, which key and what it allows. */
int jc_resolve(const struct jc_policy *pol, const char *partition, const struct jc_request *req,
               const struct jc_context *ctx, struct jc_spec *spec, struct jc_error *err);

/* Expand %u, %U and %% in PATTERN (caller frees). */
char *jc_expand_user(const char *pattern, const struct jc_context *ctx, struct jc_error *err);

#endif
