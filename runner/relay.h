/* The TCP relay of a cell with network none (doc/slurm.md, "MPI"): PMIx 4
 * clients reach Slurm's PMIx server only over TCP on the node's
 * 127.0.0.1, which a cell with its own network namespace does not share.
 * For each of the spec's relay ports (policy/spec.h: only the Slurm
 * plugin's hand-over carries them, each checked to be a listener of the
 * step's slurmstepd) the init listens on that port of the cell's own
 * loopback and hands the socket to the keeper, which forks one relay
 * process in the host's network namespace: it accepts on those sockets
 * and connects each connection to the same port of the host's loopback,
 * nothing else.  It holds no privilege (the job's uid and gid, no
 * capability, no_new_privs, not dumpable), dies with the keeper and is
 * killed and reaped at teardown. */
#ifndef JC_RELAY_H
#define JC_RELAY_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "spec.h"

/* Does SPEC ask for a relay?  Only with network none: with the host's
 * network the job reaches the port itself. */
bool jc_relay_wanted(const struct jc_spec *spec);

/* The address of P on the loopback (127.0.0.1 or ::1) in SS. */
socklen_t jc_relay_addr(const struct jc_relay_port *p, struct sockaddr_storage *ss);

/* The init, in the cell's network namespace once lo is up: listen on
 * each of SPEC's relay ports, send the sockets to the keeper on SYNC
 * (JC_MSG_RELAY, in the spec's order) and close them here. */
int jc_relay_listen(const struct jc_spec *spec, int sync, struct jc_error *err);

/* The keeper, before the init's READY: receive those sockets on SYNC and
 * fork the relay, which becomes UID/GID.  *PID is the relay's. */
int jc_relay_start(const struct jc_spec *spec, int sync, uid_t uid, gid_t gid, pid_t *pid,
                   struct jc_error *err);

/* Kill and reap the relay (PID <= 0: there is none). */
void jc_relay_stop(pid_t pid);

/* The relay's loop (relay_loop.c): LFD[i] listens in the cell for
 * PORTS->v[i] on the host.  Returns only when polling fails. */
void jc_relay_loop(const struct jc_relay_ports *ports, const int *lfd);

#endif
