#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sync.h"

struct header {
        uint32_t type;
        uint32_t len;
};

/* Pipes and SEQPACKET sockets both keep one write <= PIPE_BUF whole, so
 * header and payload go in one sendmsg/writev. */
int jc_msg_send(int sock, enum jc_msg_type type, const void *data, size_t len, const int *fds,
                size_t nfds)
{
        struct header h = { .type = type, .len = (uint32_t)len };
        struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)data, len } };
        union {
                char buf[CMSG_SPACE(sizeof(int) * JC_MSG_MAX_FDS)];
                struct cmsghdr align;
        } u;
        struct msghdr msg = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
        struct cmsghdr *c;
        ssize_t n;

        if (nfds > JC_MSG_MAX_FDS)
                return -EINVAL;
        if (nfds > 0) {
                memset(&u, 0, sizeof(u));
                msg.msg_control = u.buf;
                msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
                c = CMSG_FIRSTHDR(&msg);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
                memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
        }
        do {
                /* sendmsg refuses pipes (ENOTSOCK): fall back to writev. */
                n = sendmsg(sock, &msg, MSG_NOSIGNAL);
                if (n < 0 && errno == ENOTSOCK && nfds == 0)
                        n = writev(sock, iov, (int)msg.msg_iovlen);
        } while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        if ((size_t)n != sizeof(h) + len)
                return -EIO;
        return 0;
}

ssize_t jc_msg_recv(int sock, enum jc_msg_type *type, void *data, size_t cap, int *fds,
                    size_t *nfds)
{
        char buf[sizeof(struct header) + JC_MSG_MAX];
        union {
                char buf[CMSG_SPACE(sizeof(int) * JC_MSG_MAX_FDS)];
                struct cmsghdr align;
        } u;
        struct iovec iov = { buf, sizeof(buf) };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
        struct header h;
        struct cmsghdr *c;
        size_t want = nfds ? *nfds : 0, got = 0;
        bool reset = false;
        ssize_t n;

        msg.msg_control = u.buf;
        msg.msg_controllen = sizeof(u.buf);
        /* A peer that closed with our messages unread makes the next read
         * report ECONNRESET, before what it had sent us (an error it
         * wrote on its way out): that read consumes the error, so once
         * more. */
        for (;;) {
                n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
                if (n < 0 && errno == ENOTSOCK) {
                        msg.msg_controllen = 0;
                        n = read(sock, buf, sizeof(buf));
                }
                if (n >= 0 || (errno != EINTR && (errno != ECONNRESET || reset)))
                        break;
                reset = reset || errno == ECONNRESET;
        }
        if (n < 0)
                return -errno;
        for (c = msg.msg_controllen ? CMSG_FIRSTHDR(&msg) : NULL; c; c = CMSG_NXTHDR(&msg, c)) {
                size_t i, k;

                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (i = 0; i < k; i++) {
                        int fd;

                        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                        if (got < want)
                                fds[got++] = fd;
                        else
                                close(fd); /* more than asked for: never leak one */
                }
        }
        if (nfds)
                *nfds = got;
        if (n == 0) {
                *type = 0;
                return 0;
        }
        if ((size_t)n < sizeof(h))
                return -EPROTO;
        memcpy(&h, buf, sizeof(h));
        if (h.len != (size_t)n - sizeof(h) || h.len > cap)
                return -EPROTO;
        *type = (enum jc_msg_type)h.type;
        memcpy(data, buf + sizeof(h), h.len);
        return (ssize_t)h.len;
}

void jc_child_fail(int sock, const struct jc_error *err)
{
        jc_msg_send(sock, JC_MSG_ERROR, err, sizeof(*err), NULL, 0);
        _exit(125);
}

int jc_msg_expect(int sock, enum jc_msg_type want, void *data, size_t len, int *fds, size_t *nfds,
                  const char *step, struct jc_error *err)
{
        struct jc_error child_err;
        enum jc_msg_type type = 0;
        char buf[JC_MSG_MAX];
        size_t i, got_fds = nfds ? *nfds : 0;
        ssize_t n;

        n = jc_msg_recv(sock, &type, buf, sizeof(buf), fds, nfds ? &got_fds : NULL);
        if (n < 0)
                return jc_error_set(err, (int)-n, "%s: read from the child", step);
        if (type == JC_MSG_ERROR && (size_t)n == sizeof(child_err)) {
                memcpy(&child_err, buf, sizeof(child_err));
                child_err.msg[sizeof(child_err.msg) - 1] = '\0';
                *err = child_err;
                goto bad;
        }
        if (type == want && (size_t)n == len) {
                if (len > 0)
                        memcpy(data, buf, len);
                if (nfds)
                        *nfds = got_fds;
                return 0;
        }
        if (n == 0 && type == 0)
                jc_error_set(err, 0, "%s: the child died before it was done", step);
        else
                jc_error_set(err, EPROTO, "%s: unexpected message %d", step, (int)type);
bad:
        for (i = 0; i < got_fds; i++)
                close(fds[i]);
        if (nfds)
                *nfds = 0;
        return -1;
}
