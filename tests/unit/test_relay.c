/* The relay's copying loop (runner/relay_loop.c), without namespaces: the
 * "cell's" listening socket is one on 127.0.0.1 at a port of its own, the
 * "host's" server another, and the loop runs in a child.  A client sends
 * 4 MiB and half-closes; the server reads it all, answers after the end
 * of file and closes: both directions, flow control through the bounded
 * buffers, the half-close carried over; once to a server on 127.0.0.1,
 * once on ::1.  A connection to a port nobody listens on is closed. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../tap.h"
#include "relay.h"

#define BYTES (4u << 20)

static int listener(bool v6, uint16_t *port)
{
        struct jc_relay_port p = { .v6 = v6 };
        struct sockaddr_storage ss;
        socklen_t len = jc_relay_addr(&p, &ss);
        int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 8) < 0 ||
            getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
                return -1;
        *port = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                         : ((struct sockaddr_in *)&ss)->sin_port);
        return fd;
}

static int dial(uint16_t port)
{
        struct jc_relay_port p = { .port = port };
        struct sockaddr_storage ss;
        socklen_t len = jc_relay_addr(&p, &ss);
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0)
                return -1;
        return fd;
}

/* The host's server: count what comes until end of file, then answer
 * "got N" and close. */
static void serve(int lfd)
{
        char buf[65536], line[64];
        size_t total = 0;
        ssize_t n;
        int c = accept(lfd, NULL, NULL);

        while (c >= 0 && (n = read(c, buf, sizeof(buf))) > 0)
                total += (size_t)n;
        snprintf(line, sizeof(line), "got %zu", total);
        if (c >= 0 && write(c, line, strlen(line)) < 0)
                _exit(1);
        _exit(0);
}

/* Write BYTES while the answer cannot come yet, then half-close and read
 * the answer to its end. */
static int client(uint16_t port, char *answer, size_t cap)
{
        static char buf[65536];
        size_t sent = 0, got = 0;
        ssize_t n;
        int fd = dial(port);

        if (fd < 0)
                return -1;
        memset(buf, 'x', sizeof(buf));
        while (sent < BYTES) {
                n = write(fd, buf, sizeof(buf));
                if (n <= 0)
                        return -1;
                sent += (size_t)n;
        }
        if (shutdown(fd, SHUT_WR) < 0)
                return -1;
        while (got < cap - 1 && (n = read(fd, answer + got, cap - 1 - got)) > 0)
                got += (size_t)n;
        answer[got] = '\0';
        close(fd);
        return n < 0 ? -1 : 0;
}

/* A client on the cell's port CELL_PORT, the host's server on HOST. */
static void round_trip(const char *name, uint16_t cell_port, int host)
{
        char answer[64], want[64];
        pid_t server = fork();
        int status;

        if (server == 0) {
                prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
                serve(host);
        }
        close(host);
        ok(client(cell_port, answer, sizeof(answer)) == 0, "%s: a client through the relay", name);
        snprintf(want, sizeof(want), "got %u", BYTES);
        is_str(answer, want,
               "%s: every byte reached the server, and its answer came back after the half-close",
               name);
        ok(waitpid(server, &status, 0) == server && WIFEXITED(status) && WEXITSTATUS(status) == 0,
           "%s: the server saw the end of file", name);
}

/* User plus system CPU time of PID, in clock ticks. */
static long cpu_ticks(pid_t pid)
{
        unsigned long ut = 0, st = 0;
        char path[64];
        FILE *f;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        f = fopen(path, "re");
        if (f == NULL)
                return -1;
        /* pid (comm) state, then 10 fields before utime and stime */
        if (fscanf(f, "%*d (%*[^)]) %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut,
                   &st) != 2)
                ut = st = 0;
        fclose(f);
        return (long)(ut + st);
}

int main(void)
{
        struct jc_relay_ports ports = { .n = 3 };
        uint16_t cell_port[3], host_port, host6_port, dead_port;
        int cell[3], host, host6, dead, status, i;
        char answer[1];
        pid_t relay;

        for (i = 0; i < 3; i++)
                cell[i] = listener(false, &cell_port[i]);
        host = listener(false, &host_port);
        host6 = listener(true, &host6_port);
        dead = listener(false, &dead_port);
        close(dead); /* a port nobody listens on now */
        if (!ok(cell[0] >= 0 && cell[1] >= 0 && cell[2] >= 0 && host >= 0 && host6 >= 0,
                "listeners on 127.0.0.1 and ::1"))
                return done_testing();
        alarm(60); /* a relay that loses the half-close would hang us */
        ports.v[0] = (struct jc_relay_port){ .port = host_port };
        ports.v[1] = (struct jc_relay_port){ .port = dead_port };
        ports.v[2] = (struct jc_relay_port){ .v6 = true, .port = host6_port };
        relay = fork();
        if (relay == 0) {
                /* Never outlive a failed test: make would wait for our
                 * stdout to close. */
                prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
                close(host);
                close(host6);
                jc_relay_loop(&ports, cell);
                _exit(3);
        }
        round_trip("127.0.0.1", cell_port[0], host);
        round_trip("[::1]", cell_port[2], host6);
        {
                int fd = dial(cell_port[1]);
                struct pollfd p = { .fd = fd, .events = POLLIN };

                ok(fd >= 0 && poll(&p, 1, 5000) == 1 && read(fd, answer, 1) <= 0,
                   "a connection for a port nobody listens on is closed");
                if (fd >= 0)
                        close(fd);
        }
        ok(waitpid(relay, &status, WNOHANG) == 0, "the relay still runs");
        {
                long before = cpu_ticks(relay), after;

                sleep(1);
                after = cpu_ticks(relay);
                ok(before >= 0 && after - before < 5,
                   "... and waits without spinning (%ld ticks in 1 s)", after - before);
        }
        kill(relay, SIGKILL);
        waitpid(relay, NULL, 0);
        return done_testing();
}
