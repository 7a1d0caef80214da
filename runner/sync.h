/* Messages between the runner and the processes it creates.  A child
 * reports a failure as its struct jc_error (fixed size, no pointers),
 * so the parent can name the step, the object and errno; namespace file
 * descriptors travel as SCM_RIGHTS. */
#ifndef JC_SYNC_H
#define JC_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum jc_msg_type {
        JC_MSG_GO = 1,     /* parent -> child: go on (maps written, adopted) */
        JC_MSG_READY,      /* init -> runner: the cell is built */
        JC_MSG_ERROR,      /* child -> parent: struct jc_error follows */
        JC_MSG_FDS,        /* init -> member: namespace fds + struct jc_cell_info */
        JC_MSG_PID,        /* intermediate -> supervisor: the job's pid (pid_t) */
        JC_MSG_EXEC_ERRNO, /* job -> supervisor: execve failed with this errno (int) */
        JC_MSG_HELLO,      /* member -> init: the member's spec digest */
        JC_MSG_CGROUP,     /* member -> keeper: its cgroup set (struct jc_cgroup_note) */
        JC_MSG_BYE,        /* member -> keeper: I leave; GO back, or EOF once the cell is gone */
        JC_MSG_IMAGE,      /* keeper -> member: the image's config (runner/cell_image.h) */
        JC_MSG_RELAY,      /* init -> keeper: the relay's listening sockets (runner/relay.h) */
};

#define JC_MSG_MAX_FDS 16
#define JC_MSG_MAX     65536 /* payload bytes: a spec's JSON fits */

/* Send one message: TYPE, LEN bytes of DATA and NFDS descriptors.
 * Returns 0 or -errno (async-signal-safe). */
int jc_msg_send(int sock, enum jc_msg_type type, const void *data, size_t len, const int *fds,
                size_t nfds);
/* Receive one message into DATA (at most CAP bytes) and up to *NFDS
 * descriptors (received close-on-exec).  Returns the payload length,
 * 0 on end of file (*type = 0), or -errno. */
ssize_t jc_msg_recv(int sock, enum jc_msg_type *type, void *data, size_t cap, int *fds,
                    size_t *nfds);

/* Report ERR to the parent on SOCK and _exit(125): the end of a child
 * that failed before exec. */
void jc_child_fail(int sock, const struct jc_error *err) __attribute__((noreturn));

/* Wait for one message of type WANT on SOCK; a JC_MSG_ERROR from the
 * child is copied into ERR, end of file becomes "STEP: the child died". */
int jc_msg_expect(int sock, enum jc_msg_type want, void *data, size_t len, int *fds, size_t *nfds,
                  const char *step, struct jc_error *err);

#endif
