/* The status record (--status-file): what ran, how each setup phase went,
 * how it ended.  JSON, for pipelines. */
#ifndef JC_STATUS_H
#define JC_STATUS_H

#include <stdbool.h>

#include "spec.h"

enum jc_phase {
        JC_PHASE_RESOLVE, /* policy and request into a spec */
        JC_PHASE_PREPARE, /* seccomp filter, id maps, the job's paths opened */
        JC_PHASE_CELL,    /* the cell built or joined */
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
        char error[JC_ERROR_MSG_MAX + 128]; /* why the sandbox failed, or "" */
};

void jc_status_begin(struct jc_status *st);
/* The time since the last mark goes to PHASE. */
void jc_status_phase(struct jc_status *st, enum jc_phase phase);
/* Write the record to FD (truncating it); SPEC may be NULL (refused). */
int jc_status_write(int fd, const struct jc_status *st, const struct jc_spec *spec,
                    struct jc_error *err);

#endif
