/* The relay's loop (runner/relay.h): one process, one poll(2) loop, every
 * socket non-blocking.  Each connection copies bytes both ways through a
 * bounded buffer per direction; a direction reads only when its buffer is
 * empty, so a slow reader holds its writer back (TCP flow control) and no
 * buffer grows.  End of file on one side becomes a half-close
 * (shutdown(SHUT_WR)) of the other once the buffer is flushed; the
 * connection ends when both directions have ended, or at once on an
 * error.  A descriptor with nothing to wait for is left out of poll()
 * (fd -1): poll() reports POLLHUP and POLLERR whatever is asked, and a
 * socket reported on every round would make the loop spin. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relay.h"

#define RELAY_BUF      16384 /* per direction */
#define RELAY_MAX_CONN 1024  /* PMIx: one connection per client process */

struct dir {
        size_t len, off; /* bytes in buf, and how many were written on */
        bool eof, shut;  /* read end of file; shutdown(SHUT_WR) the other side */
        char buf[RELAY_BUF];
};

struct conn {
        int fd[2];       /* [0] the cell's side (accepted), [1] the host's */
        bool connecting; /* fd[1]'s connect(2) is in progress */
        struct dir d[2]; /* d[0]: fd[0] -> fd[1]; d[1]: fd[1] -> fd[0] */
};

struct relay {
        const struct jc_relay_ports *ports;
        const int *lfd;
        struct conn **c;
        size_t n;
        bool paused; /* accept failed for want of resources: not for one round */
        struct pollfd pfd[JC_RELAY_MAX + 2 * RELAY_MAX_CONN];
};

static void conn_close(struct relay *r, size_t i)
{
        close(r->c[i]->fd[0]);
        close(r->c[i]->fd[1]);
        free(r->c[i]);
        r->c[i] = r->c[--r->n];
}

/* What fd[K] of C waits for: reading for the direction it feeds, writing
 * for the direction it drains. */
static short conn_events(const struct conn *c, int k)
{
        short ev = 0;

        if (c->connecting)
                return k == 1 ? POLLOUT : 0;
        if (!c->d[k].eof && c->d[k].len == 0)
                ev |= POLLIN;
        if (c->d[1 - k].len > c->d[1 - k].off)
                ev |= POLLOUT;
        return ev;
}

static void fill_pfd(struct relay *r)
{
        size_t i;
        int k;

        for (i = 0; i < r->ports->n; i++)
                r->pfd[i] = (struct pollfd){
                        .fd = r->paused || r->n == RELAY_MAX_CONN ? -1 : r->lfd[i],
                        .events = POLLIN,
                };
        for (i = 0; i < r->n; i++)
                for (k = 0; k < 2; k++) {
                        struct pollfd *p = &r->pfd[r->ports->n + 2 * i + (size_t)k];

                        p->events = conn_events(r->c[i], k);
                        p->fd = p->events ? r->c[i]->fd[k] : -1;
                        p->revents = 0;
                }
}

/* Move what can move in direction K of C: 0, or -1 when the connection
 * is broken. */
static int pump(struct conn *c, int k)
{
        struct dir *d = &c->d[k];
        ssize_t n;

        if (!d->eof && d->len == 0) {
                n = recv(c->fd[k], d->buf, sizeof(d->buf), 0);
                if (n > 0) {
                        d->len = (size_t)n;
                        d->off = 0;
                } else if (n == 0) {
                        d->eof = true;
                } else if (errno != EAGAIN && errno != EINTR) {
                        return -1;
                }
        }
        if (d->len > d->off) {
                n = send(c->fd[1 - k], d->buf + d->off, d->len - d->off, MSG_NOSIGNAL);
                if (n < 0 && errno != EAGAIN && errno != EINTR)
                        return -1;
                if (n > 0)
                        d->off += (size_t)n;
                if (d->off == d->len)
                        d->len = d->off = 0;
        }
        if (d->eof && d->len == 0 && !d->shut) {
                if (shutdown(c->fd[1 - k], SHUT_WR) < 0 && errno != ENOTCONN)
                        return -1;
                d->shut = true;
        }
        return 0;
}

/* 1 while C lives, 0 when it is done or broken. */
static int conn_step(struct conn *c, short re0, short re1)
{
        int e = 0;
        socklen_t len = sizeof(e);

        if (c->connecting) {
                if (re1 == 0)
                        return 1;
                if (getsockopt(c->fd[1], SOL_SOCKET, SO_ERROR, &e, &len) < 0 || e != 0)
                        return 0;
                c->connecting = false;
        }
        if ((re0 | re1) & POLLNVAL)
                return 0;
        if (pump(c, 0) < 0 || pump(c, 1) < 0)
                return 0;
        return !(c->d[0].shut && c->d[1].shut);
}

/* A connection in the cell for port P: connect its twin on the host. */
static void conn_open(struct relay *r, int in, const struct jc_relay_port *p)
{
        struct sockaddr_storage ss;
        socklen_t len = jc_relay_addr(p, &ss);
        struct conn *c = calloc(1, sizeof(*c));
        int out = -1;

        if (c != NULL)
                out = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (out < 0 || (connect(out, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS)) {
                /* The server is gone (or we are out of memory): the
                 * client sees its connection closed. */
                if (out >= 0)
                        close(out);
                close(in);
                free(c);
                return;
        }
        c->fd[0] = in;
        c->fd[1] = out;
        c->connecting = true;
        r->c[r->n++] = c;
}

static void accept_all(struct relay *r)
{
        size_t i;
        int in;

        for (i = 0; i < r->ports->n; i++) {
                if (!(r->pfd[i].revents & POLLIN))
                        continue;
                while (r->n < RELAY_MAX_CONN) {
                        in = accept4(r->lfd[i], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                        if (in >= 0) {
                                conn_open(r, in, &r->ports->v[i]);
                                continue;
                        }
                        /* Out of descriptors: the pending connection would
                         * wake poll() on every round. */
                        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
                            errno == ENOMEM)
                                r->paused = true;
                        break;
                }
        }
}

void jc_relay_loop(const struct jc_relay_ports *ports, const int *lfd)
{
        static struct relay r;
        size_t i;

        r.ports = ports;
        r.lfd = lfd;
        r.c = calloc(RELAY_MAX_CONN, sizeof(*r.c));
        if (r.c == NULL)
                return;
        for (i = 0; i < ports->n; i++)
                fcntl(lfd[i], F_SETFL, O_NONBLOCK);
        for (;;) {
                fill_pfd(&r);
                /* Paused, try accepting again after a while: a failure
                 * with no connection left to close would pause for ever. */
                if (poll(r.pfd, ports->n + 2 * r.n, r.paused ? 100 : -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return;
                }
                r.paused = false;
                /* Backwards: closing one moves the last into its slot,
                 * whose poll results were already used. */
                for (i = r.n; i-- > 0;) {
                        short re0 = r.pfd[ports->n + 2 * i].revents;
                        short re1 = r.pfd[ports->n + 2 * i + 1].revents;

                        if ((re0 | re1) != 0 && !conn_step(r.c[i], re0, re1))
                                conn_close(&r, i);
                }
                accept_all(&r);
        }
}
