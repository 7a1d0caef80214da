/* The relay's setup: the init's listening sockets, the keeper's fork and
 * the relay's privilege drop (runner/relay.h). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "privs.h"
#include "relay.h"
#include "sync.h"

bool jc_relay_wanted(const struct jc_spec *spec)
{
        return spec->network == JC_NET_NONE && spec->relay_tcp.n > 0;
}

socklen_t jc_relay_addr(const struct jc_relay_port *p, struct sockaddr_storage *ss)
{
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

        memset(ss, 0, sizeof(*ss));
        if (p->v6) {
                in6->sin6_family = AF_INET6;
                in6->sin6_port = htons(p->port);
                in6->sin6_addr = in6addr_loopback;
                return sizeof(*in6);
        }
        in->sin_family = AF_INET;
        in->sin_port = htons(p->port);
        in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return sizeof(*in);
}

static int listen_one(const struct jc_relay_port *p, struct jc_error *err)
{
        struct sockaddr_storage ss;
        socklen_t len = jc_relay_addr(p, &ss);
        char name[32];
        int fd;

        jc_relay_port_format(p, name, sizeof(name));
        fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return jc_error_set(err, errno, "relay: socket for %s", name);
        if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, SOMAXCONN) < 0) {
                jc_error_set(err, errno, "relay: listen on %s in the cell", name);
                close(fd);
                return -1;
        }
        return fd;
}

int jc_relay_listen(const struct jc_spec *spec, int sync, struct jc_error *err)
{
        int fds[JC_RELAY_MAX] = { 0 }, rc = 0;
        size_t i, n = 0;

        for (i = 0; i < spec->relay_tcp.n && rc == 0; i++) {
                fds[n] = listen_one(&spec->relay_tcp.v[i], err);
                if (fds[n] < 0)
                        rc = -1;
                else
                        n++;
        }
        if (rc == 0 && jc_msg_send(sync, JC_MSG_RELAY, NULL, 0, fds, n) < 0)
                rc = jc_error_set(err, EPIPE, "relay: send the listening sockets to the keeper");
        /* The keeper has them now: the init, inside, holds none. */
        for (i = 0; i < n; i++)
                close(fds[i]);
        return rc;
}

/* The relay's identity: the job's uid and gid without supplementary
 * groups, no capability in any set, no securebit, no_new_privs
 * (runner/privs.h), not dumpable (the user's other processes may signal
 * it, never trace it), killed with the keeper.  It can connect to the
 * host's loopback, as any process of the user's could. */
static int relay_drop(uid_t uid, gid_t gid, pid_t keeper, struct jc_error *err)
{
        struct rlimit rl;

        /* Two descriptors per connection: as many as the hard limit. */
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                (void)setrlimit(RLIMIT_NOFILE, &rl);
        }
        if (setgroups(0, NULL) < 0)
                return jc_error_set(err, errno, "relay: setgroups");
        if (jc_privs_drop(uid, gid, 0, err) < 0)
                return jc_error_wrap(err, "relay");
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return jc_error_set(err, errno, "relay: not dumpable");
        /* Set after the uid change, which clears it (prctl(2)); the keeper
         * may have died before it was set. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
                return jc_error_set(err, errno, "relay: parent-death signal");
        if (getppid() != keeper)
                return jc_error_set(err, ESRCH, "relay: the keeper is gone");
        return 0;
}

static void relay_main(const struct jc_spec *spec, const int *lfd, int report, uid_t uid, gid_t gid,
                       pid_t keeper) __attribute__((noreturn));

static void relay_main(const struct jc_spec *spec, const int *lfd, int report, uid_t uid, gid_t gid,
                       pid_t keeper)
{
        struct jc_error err = { 0 };
        int keep[JC_RELAY_MAX + 1];
        size_t n = spec->relay_tcp.n;

        prctl(PR_SET_NAME, "jobcell-relay", 0, 0, 0);
        /* Nothing of the keeper's: not its listener, members, namespaces
         * or image. */
        memcpy(keep, lfd, n * sizeof(int));
        keep[n] = report;
        if (jc_fds_close(keep, n + 1, false, &err) < 0 || relay_drop(uid, gid, keeper, &err) < 0)
                jc_child_fail(report, &err);
        if (jc_msg_send(report, JC_MSG_GO, NULL, 0, NULL, 0) < 0)
                _exit(125);
        close(report);
        jc_relay_loop(&spec->relay_tcp, lfd);
        _exit(125);
}

/* Fork the relay with LFD; wait until it has dropped its privileges.
 * The keeper is single-threaded, so the relay may allocate after fork. */
static int relay_fork(const struct jc_spec *spec, const int *lfd, uid_t uid, gid_t gid, pid_t *pid,
                      struct jc_error *err)
{
        pid_t keeper = getpid();
        int sp[2];

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
                return jc_error_set(err, errno, "relay: socketpair");
        *pid = fork();
        if (*pid < 0) {
                close(sp[0]);
                close(sp[1]);
                return jc_error_set(err, errno, "relay: fork");
        }
        if (*pid == 0) {
                close(sp[0]);
                relay_main(spec, lfd, sp[1], uid, gid, keeper);
        }
        close(sp[1]);
        if (jc_msg_expect(sp[0], JC_MSG_GO, NULL, 0, NULL, NULL, "relay", err) < 0) {
                close(sp[0]);
                jc_relay_stop(*pid);
                *pid = -1;
                return -1;
        }
        close(sp[0]);
        return 0;
}

int jc_relay_start(const struct jc_spec *spec, int sync, uid_t uid, gid_t gid, pid_t *pid,
                   struct jc_error *err)
{
        int lfd[JC_RELAY_MAX];
        size_t n = JC_RELAY_MAX, i;
        int rc;

        *pid = -1;
        if (jc_msg_expect(sync, JC_MSG_RELAY, NULL, 0, lfd, &n, "relay: the cell's sockets", err) <
            0)
                return -1;
        if (n != spec->relay_tcp.n) {
                for (i = 0; i < n; i++)
                        close(lfd[i]);
                return jc_error_set(err, EPROTO, "relay: init sent %zu sockets for %zu ports", n,
                                    spec->relay_tcp.n);
        }
        rc = relay_fork(spec, lfd, uid, gid, pid, err);
        /* The relay holds them; the keeper needs none. */
        for (i = 0; i < n; i++)
                close(lfd[i]);
        return rc;
}

void jc_relay_stop(pid_t pid)
{
        if (pid <= 0)
                return;
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
}
