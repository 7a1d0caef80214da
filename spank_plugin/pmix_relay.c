/* Which ports of the host a cell with network none may reach through its
 * relay (runner/relay.h): those of Slurm's PMIx server for this step.
 *
 * Slurm's mpi/pmix (22.05, PMIx 4.2.2, measured with `srun --mpi=pmix
 * env') exports the server's address to each task five times, the same
 * value under each name:
 *   PMIX_SERVER_URI4=pmix-server.STEPD_PID;tcp4://127.0.0.1:PORT
 * The task's environment is the user's too (srun --export=ALL,NAME=...),
 * so a URI is only a claim: a port is relayed only when a TCP socket
 * listens on it on the host's loopback (/proc/net/tcp, tcp6) and the
 * step's slurmstepd holds that socket. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin.h"

static const char *const uri_names[] = {
        "PMIX_SERVER_URI4",  "PMIX_SERVER_URI41", "PMIX_SERVER_URI3",
        "PMIX_SERVER_URI21", "PMIX_SERVER_URI2",
};

int jc_pmix_uri_port(const char *uri, struct jc_relay_port *p)
{
        struct jc_error ignored = { 0 };
        const char *addr = strchr(uri, ';');
        bool v6;

        if (addr == NULL || addr == uri)
                return -1;
        addr++;
        v6 = strncmp(addr, "tcp6://", 7) == 0;
        if (!v6 && strncmp(addr, "tcp4://", 7) != 0)
                return -1;
        /* The scheme and the address must agree: tcp4 with 127.0.0.1. */
        if (jc_relay_port_parse(addr + 7, p, &ignored) < 0 || p->v6 != v6)
                return -1;
        return 0;
}

void jc_pmix_uri_ports(char *const *env, struct jc_relay_ports *out)
{
        struct jc_error ignored = { 0 };
        struct jc_relay_port p;
        size_t i, n;

        memset(out, 0, sizeof(*out));
        for (; env != NULL && *env != NULL; env++) {
                for (i = 0; i < JC_ARRAY_SIZE(uri_names); i++) {
                        n = strlen(uri_names[i]);
                        /* Full: the rest is not relayed. */
                        if (strncmp(*env, uri_names[i], n) == 0 && (*env)[n] == '=' &&
                            jc_pmix_uri_port(*env + n + 1, &p) == 0)
                                (void)jc_relay_ports_add(out, &p, &ignored);
                }
        }
}

/* ADDR as /proc/net/tcp{,6} prints it: each 32-bit word of the address
 * as the kernel holds it (network order), printed with %08X. */
static bool is_loopback(const char *hex, bool v6)
{
        uint32_t w[4];
        char word[9];
        size_t i, n = v6 ? 4 : 1;

        if (strlen(hex) != 8 * n)
                return false;
        for (i = 0; i < n; i++) {
                memcpy(word, hex + 8 * i, 8);
                word[8] = '\0';
                w[i] = (uint32_t)strtoul(word, NULL, 16);
        }
        if (!v6)
                return w[0] == htonl(INADDR_LOOPBACK);
        return memcmp(w, &in6addr_loopback, sizeof(w)) == 0;
}

unsigned long jc_proc_net_listener(FILE *f, const struct jc_relay_port *p)
{
        char line[512], addr[40];
        unsigned port, state;
        unsigned long inode;

        while (fgets(line, sizeof(line), f) != NULL) {
                /* sl local_address rem_address st tx:rx tr:when retrnsmt
                 * uid timeout inode ... (proc(5)); the header fails the
                 * scan. */
                if (sscanf(line, " %*[0-9]: %32[0-9A-F]:%4X %*s %2X %*s %*s %*s %*s %*s %lu", addr,
                           &port, &state, &inode) != 4)
                        continue;
                /* 0x0A: TCP_LISTEN (include/net/tcp_states.h). */
                if (state == 0x0A && port == p->port && inode != 0 && is_loopback(addr, p->v6))
                        return inode;
        }
        return 0;
}

static unsigned long listener_inode(const struct jc_relay_port *p)
{
        FILE *f = fopen(p->v6 ? "/proc/net/tcp6" : "/proc/net/tcp", "re");
        unsigned long inode;

        if (f == NULL)
                return 0; /* no IPv6: nothing listens there */
        inode = jc_proc_net_listener(f, p);
        fclose(f);
        return inode;
}

int jc_pmix_relay_ports(char *const *env, const char *holder, struct jc_relay_ports *out,
                        size_t *nclaimed, struct jc_error *err)
{
        struct jc_relay_ports claimed;
        unsigned long inode;
        size_t i;

        memset(out, 0, sizeof(*out));
        jc_pmix_uri_ports(env, &claimed);
        if (nclaimed != NULL)
                *nclaimed = claimed.n;
        for (i = 0; i < claimed.n; i++) {
                inode = listener_inode(&claimed.v[i]);
                if (inode != 0 && jc_holds_socket(holder, &inode, 1) &&
                    jc_relay_ports_add(out, &claimed.v[i], err) < 0)
                        return -1;
        }
        return 0;
}
