/* The runner's messages (runner/sync.c): a peer that wrote its last
 * message and closed with ours unread.  The kernel then reports
 * ECONNRESET before the message it had queued for us: a child that fails
 * with a note of ours unread (a keeper, a helper) must not have its error
 * lost that way. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../tap.h"
#include "sync.h"

int main(void)
{
        enum jc_msg_type type = 0;
        char buf[64] = "";
        ssize_t n;
        int sp[2];

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
                ok(0, "socketpair: %s", strerror(errno));
                return done_testing();
        }
        /* Our note, unread; the peer's error; the peer closes. */
        is_int(jc_msg_send(sp[0], JC_MSG_CGROUP, "note", 4, NULL, 0), 0, "our note is sent");
        is_int(jc_msg_send(sp[1], JC_MSG_ERROR, "why", 3, NULL, 0), 0, "the peer's error is sent");
        close(sp[1]);
        n = jc_msg_recv(sp[0], &type, buf, sizeof(buf), NULL, NULL);
        is_int(n, 3, "the peer's last message is read despite the reset");
        is_int(type, JC_MSG_ERROR, "it is the error");
        ok(n == 3 && memcmp(buf, "why", 3) == 0, "with its text");
        type = 0;
        n = jc_msg_recv(sp[0], &type, buf, sizeof(buf), NULL, NULL);
        ok(n == 0 && type == 0, "then end of file (%zd, type %d)", n, (int)type);
        close(sp[0]);
        return done_testing();
}
