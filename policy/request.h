/* What a job asks for: the request options of `jobcell run' and
 * `jobcell policy explain', and of the Slurm plugin's --container-*
 * options.  One table names them all (doc/jobcell-run.1). */
#ifndef JC_REQUEST_H
#define JC_REQUEST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "util.h"

struct jc_request {
        char *image;  /* PATH[@sha256:HEX] */
        int network;  /* enum jc_network, -1 = not asked */
        int identity; /* enum jc_identity, -1 = not asked */
        uint64_t cap_add;
        uint64_t cap_drop;
        char *seccomp;
        int64_t pids_limit; /* 0 = not asked */
        int64_t memory_max; /* 0 = not asked */
        int64_t swap_max;   /* -1 = not asked */
        char *cpus;
        int writable;          /* -1 not asked, 0 read-only, 1 writable */
        struct jc_strv mounts; /* SRC[:DST][:ro|rw] */
        char *workdir;
        struct jc_strv env; /* variable names */
        int entrypoint;     /* -1 not asked */
};

struct jc_request_opt {
        const char *name; /* "network"; the plugin adds "container-" */
        const char *arg;  /* "MODE", or NULL for a flag */
        const char *help;
};

extern const struct jc_request_opt jc_request_opts[]; /* ends with a NULL name */

void jc_request_init(struct jc_request *req);
void jc_request_free(struct jc_request *req);
/* Apply option NAME (a name of jc_request_opts) with VALUE (NULL for a
 * flag).  Options that take lists add to what was given before. */
int jc_request_set(struct jc_request *req, const char *name, const char *value,
                   struct jc_error *err);
/* Is any option set? */
bool jc_request_empty(const struct jc_request *req);

#endif
