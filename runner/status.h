/* The status record (--status-file): what ran, how each setup phase went,
 * how it ended.  JSON, for pipelines. */
#ifndef JC_STATUS_H
#define JC_STATUS_H

#include <stdbool.h>

#include "spec.h"

enum jc_phase {
        JC_PHASE_RESOLVE, /* policy and request into a spec */
        JC_PHASE_PREPARE, /* seccomp filter, id maps */
        JC_PHASE_CELL,    /* the cell built (the job's paths and the image opened) or joined */
        JC_PHASE_CGROUP,  /* the runner's cgroup set made, the runner in it */
        JC_PHASE_START,   /* the job entered the cell and exec'd */
        JC_PHASE_RUN,     /* the job ran */
        JC_PHASE_TOTAL,
        JC_PHASE_COUNT
};

struct jc_status {
        double start; /* CLOCK_MONOTONIC seconds */
        double ms[JC_PHASE_COUNT];
        double mark;
        int exit_code; /* what the runner exits with */
        int signal;    /* the signal that ended the job, or 0 */
        bool started;  /* the job exec'd */
        bool cell_created;
        char image_kind[16];   /* the image: dir, oci, docker, squashfs ("": none yet) */
        char image_digest[80]; /* "sha256:HEX" or "" */
        bool image_imported;   /* this runner's cell unpacked it into the cache */
        char error[JC_ERROR_MSG_MAX + 128]; /* why the sandbox failed, or "" */
        /* The usage of the runner's cgroup set (jc_cgroup_stats_json), or
         * NULL when it had none (a rootless runner without delegation). */
        struct json_object *usage;
        bool oom_killed;     /* the OOM killer killed a process of the set */
        bool pids_limit_hit; /* a fork or thread creation was refused at the limit */
};

struct json_object;

void jc_status_begin(struct jc_status *st);
void jc_status_free(struct jc_status *st);
/* The time since the last mark goes to PHASE. */
void jc_status_phase(struct jc_status *st, enum jc_phase phase);
/* Write the record to FD (truncating it); SPEC may be NULL (refused). */
int jc_status_write(int fd, const struct jc_status *st, const struct jc_spec *spec,
                    struct jc_error *err);

#endif
