/* A cell: one sandbox (namespaces, root filesystem, pid 1) that one or
 * more runner invocations join, e.g. the tasks of one Slurm step on one
 * node.  Three kinds of process make it (doc/design.md):
 *   keeper  outside the sandbox, with the runner's own credentials: builds
 *           the cell, authenticates joiners, hands them the namespaces,
 *           counts them, and tears the cell down when the last one leaves;
 *   init    pid 1 inside: reaps orphans; dies with the keeper;
 *   members one per runner: its job joins the namespaces (runner/member.c).
 * The cell lives while a member is connected to its keeper. */
#ifndef JC_CELL_H
#define JC_CELL_H

#include <stdbool.h>
#include <sys/types.h>

#include "rootfs.h"
#include "userns.h"

enum jc_ns {
        JC_NS_USER,
        JC_NS_MNT,
        JC_NS_PID,
        JC_NS_NET,
        JC_NS_IPC,
        JC_NS_UTS,
        JC_NS_CGROUP,
        JC_NS_ROOT, /* not a namespace: the root directory */
        JC_NS_COUNT
};

/* What comes with the descriptors. */
struct jc_cell_info {
        uint32_t version;
        uint32_t host_net; /* the network namespace is the host's: do not join it */
        int32_t init_pid;  /* as the keeper sees it */
        int32_t keeper_pid;
};

struct jc_cell {
        int sock; /* our membership: the keeper counts us while open */
        int fds[JC_NS_COUNT];
        struct jc_cell_info info;
        bool created; /* this runner started the keeper */
        char *image;  /* what the image's config says (runner/cell_image.h), JSON */
};

struct jc_cgroup_config;

/* Everything the keeper and the init need, inherited across fork/clone. */
struct jc_cell_args {
        const struct jc_spec *spec;
        const struct jc_job *job;
        const struct jc_ids *ids;
        struct jc_prep *prep;  /* set by the keeper, which opens it (runner/prep.h) */
        const char *spec_json; /* joiners must present the same */
        /* cgroup v2 nesting: a plain set the keeper moves into before it
         * clones the init (runner/resources.h); NULL: stay. */
        const struct jc_cgroup_config *keeper_cgroup;
};

/* A member's cgroup set, for the keeper to remove when the member's
 * connection closes and the set's record still names that member as
 * its owner (the runner was killed before it could). */
struct jc_cgroup_note {
        char state_dir[1024];
        char name[136];
};

/* Join the cell JOB->cell, creating it if it does not exist (or a private
 * one when JOB->cell is NULL).  Only a runner that creates the cell opens
 * what it is made of (its keeper does, runner/prep.h); a joiner opens
 * nothing. */
int jc_cell_open(const struct jc_cell_args *a, struct jc_cell *cell, struct jc_error *err);
void jc_cell_close(struct jc_cell *cell);
/* Leave the cell and close it: tell the keeper (JC_MSG_BYE) and wait for
 * its answer.  When this was the last member the keeper tears the cell
 * down first (the init and every process inside, its own cgroup), so
 * nothing of the cell outlives the last runner; the creator also reaps
 * the keeper.  -1 when the keeper gave no answer in JC_CELL_LEAVE_SECONDS:
 * the cell is closed all the same, and may outlive the runner. */
#define JC_CELL_LEAVE_SECONDS 30
int jc_cell_leave(struct jc_cell *cell, struct jc_error *err);

/* Tell the keeper the name of this member's cgroup set (JC_MSG_CGROUP). */
int jc_cell_note_cgroup(const struct jc_cell *cell, const char *state_dir, const char *name,
                        struct jc_error *err);

/* The keeper's and the init's bodies (runner/keeper.c, runner/init.c). */
void jc_keeper_main(const struct jc_cell_args *a, int member, int listener)
        __attribute__((noreturn));
void jc_init_main(const struct jc_cell_args *a, int sync) __attribute__((noreturn));

/* Is NAME a cell's name (1 to 64 letters, digits, `.', `_', `-')?  It
 * also names the cell's cgroup sets and its socket. */
int jc_cell_name_check(const char *name, struct jc_error *err);

/* The abstract unix socket address of cell NAME for this runner's mode. */
int jc_cell_address(const char *name, bool privileged, uid_t uid, void *addr, size_t *len,
                    struct jc_error *err);

#endif
