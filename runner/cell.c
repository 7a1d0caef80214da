/* Creating or joining a cell, from a runner's side. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cell.h"
#include "sync.h"
#include "teststop.h"

int jc_cell_name_check(const char *name, struct jc_error *err)
{
        size_t i;

        for (i = 0; name[i] != '\0'; i++)
                if (!isalnum((unsigned char)name[i]) && strchr("._-", name[i]) == NULL)
                        return jc_error_set(err, 0, "cell name `%s': use letters, digits, . _ -",
                                            name);
        if (i == 0 || i > 64)
                return jc_error_set(err, 0, "cell name `%s': 1 to 64 characters", name);
        return 0;
}

int jc_cell_address(const char *name, bool privileged, uid_t uid, void *addr, size_t *len,
                    struct jc_error *err)
{
        struct sockaddr_un *sun = addr;
        char path[sizeof(sun->sun_path)];
        size_t n;

        if (jc_cell_name_check(name, err) < 0)
                return -1;
        /* Abstract sockets vanish with their last descriptor, so a killed
         * keeper leaves no file behind.  The owner is part of the name so
         * users' rootless cells never meet, and both ends check each
         * other's credentials (the name alone proves nothing). */
        if (privileged)
                jc_format(path, sizeof(path), "jobcell/root/%s", name);
        else
                jc_format(path, sizeof(path), "jobcell/u%u/%s", (unsigned)uid, name);
        n = strlen(path);
        memset(sun, 0, sizeof(*sun));
        sun->sun_family = AF_UNIX;
        memcpy(sun->sun_path + 1, path, n);
        *len = offsetof(struct sockaddr_un, sun_path) + 1 + n;
        return 0;
}

static void cell_init(struct jc_cell *cell)
{
        size_t i;

        memset(cell, 0, sizeof(*cell));
        cell->sock = -1;
        for (i = 0; i < JC_NS_COUNT; i++)
                cell->fds[i] = -1;
}

void jc_cell_close(struct jc_cell *cell)
{
        size_t i;

        if (cell->sock >= 0)
                close(cell->sock);
        for (i = 0; i < JC_NS_COUNT; i++)
                if (cell->fds[i] >= 0)
                        close(cell->fds[i]);
        free(cell->image);
        cell_init(cell);
}

int jc_cell_leave(struct jc_cell *cell, struct jc_error *err)
{
        /* Bounded: a keeper stuck removing its cgroup (a process in
         * uninterruptible sleep) does not hold the runner for ever. */
        struct timeval tv = { .tv_sec = JC_CELL_LEAVE_SECONDS };
        enum jc_msg_type type = 0;
        char buf[16];
        ssize_t n = -1;
        int rc = 0;

        if (cell->sock < 0)
                return 0;
        setsockopt(cell->sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        if (jc_msg_send(cell->sock, JC_MSG_BYE, NULL, 0, NULL, 0) == 0)
                n = jc_msg_recv(cell->sock, &type, buf, sizeof(buf), NULL, NULL);
        /* End of file: we were the last, and the keeper is done.  Ours to
         * reap if we made it (unless the supervisor did already). */
        if (n == 0 && type == 0 && cell->created && cell->info.keeper_pid > 0)
                waitpid(cell->info.keeper_pid, NULL, 0);
        /* Said, not hidden: a keeper that does not end its cell delays
         * every job's end, and leaves the cell behind. */
        if (n == -EAGAIN)
                rc = jc_error_set(err, ETIMEDOUT,
                                  "the cell's keeper (pid %d) did not answer in %d s; "
                                  "its cell may outlive this run",
                                  (int)cell->info.keeper_pid, JC_CELL_LEAVE_SECONDS);
        jc_cell_close(cell);
        return rc;
}

/* The image's config comes after the namespaces (runner/cell_image.h). */
static int receive_image(struct jc_cell *cell, int sock, struct jc_error *err)
{
        enum jc_msg_type type = 0;
        ssize_t n;

        cell->image = malloc(JC_MSG_MAX + 1);
        if (cell->image == NULL)
                return jc_error_set(err, errno, "cell: image");
        n = jc_msg_recv(sock, &type, cell->image, JC_MSG_MAX, NULL, NULL);
        if (n < 0 || type != JC_MSG_IMAGE)
                return jc_error_set(err, n < 0 ? (int)-n : EPROTO, "cell: the image's config");
        cell->image[n] = '\0';
        return 0;
}

static int receive(struct jc_cell *cell, int sock, enum jc_msg_type type, struct jc_error *err)
{
        size_t nfds = JC_NS_COUNT;

        if (jc_msg_expect(sock, type, &cell->info, sizeof(cell->info), cell->fds, &nfds, "cell",
                          err) < 0)
                return -1;
        if (nfds != JC_NS_COUNT)
                return jc_error_set(err, EPROTO, "cell: %zu descriptors instead of %d", nfds,
                                    JC_NS_COUNT);
        if (receive_image(cell, sock, err) < 0)
                return -1;
        cell->sock = sock;
        return 0;
}

static int create(const struct jc_cell_args *a, int listener, struct jc_cell *cell,
                  struct jc_error *err)
{
        int sp[2];
        pid_t pid;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
                return jc_error_set(err, errno, "cell: socketpair");
        pid = fork();
        if (pid < 0) {
                close(sp[0]);
                close(sp[1]);
                return jc_error_set(err, errno, "cell: fork the keeper");
        }
        if (pid == 0) {
                close(sp[0]);
                jc_keeper_main(a, sp[1], listener);
        }
        close(sp[1]);
        jc_test_stop("cell");
        if (receive(cell, sp[0], JC_MSG_READY, err) < 0) {
                close(sp[0]);
                waitpid(pid, NULL, 0);
                return -1;
        }
        cell->created = true;
        return 0;
}

/* Connect to an existing cell; -1 with errnum ECONNREFUSED when none. */
static int join(const struct jc_cell_args *a, const void *addr, size_t len, struct jc_cell *cell,
                struct jc_error *err)
{
        uid_t owner = a->job->privileged ? 0 : getuid();
        struct ucred cred;
        socklen_t clen = sizeof(cred);
        int s;

        s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (s < 0)
                return jc_error_set(err, errno, "cell: socket");
        if (connect(s, addr, (socklen_t)len) < 0) {
                jc_error_set(err, errno, "cell `%s': connect", a->job->cell);
                close(s);
                return -1;
        }
        if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 || cred.uid != owner) {
                close(s);
                return jc_error_set(err, EPERM, "cell `%s': its keeper is not ours (uid %u)",
                                    a->job->cell, (unsigned)cred.uid);
        }
        if (jc_msg_send(s, JC_MSG_HELLO, a->spec_json, strlen(a->spec_json), NULL, 0) < 0 ||
            receive(cell, s, JC_MSG_FDS, err) < 0) {
                if (err->msg[0] == '\0')
                        jc_error_set(err, errno, "cell `%s': hello", a->job->cell);
                close(s);
                return -1;
        }
        return 0;
}

int jc_cell_open(const struct jc_cell_args *a, struct jc_cell *cell, struct jc_error *err)
{
        struct sockaddr_un addr;
        size_t len;
        int attempt, listener;

        cell_init(cell);
        if (a->job->cell == NULL)
                return create(a, -1, cell, err);
        if (jc_cell_address(a->job->cell, a->job->privileged, getuid(), &addr, &len, err) < 0)
                return -1;
        /* Join, or create; when two runners race to create, bind(2) picks
         * one and the other joins it. */
        for (attempt = 0; attempt < 100; attempt++) {
                struct timespec pause = { 0, 10 * 1000 * 1000 };

                if (join(a, &addr, len, cell, err) == 0)
                        return 0;
                if (err->errnum != ECONNREFUSED)
                        return -1;
                listener = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
                if (listener < 0)
                        return jc_error_set(err, errno, "cell: socket");
                if (bind(listener, (struct sockaddr *)&addr, (socklen_t)len) == 0 &&
                    listen(listener, 256) == 0) {
                        int rc = create(a, listener, cell, err);

                        close(listener);
                        return rc;
                }
                close(listener);
                nanosleep(&pause, NULL);
        }
        return jc_error_set(err, EAGAIN, "cell `%s': neither joined nor created", a->job->cell);
}

int jc_cell_note_cgroup(const struct jc_cell *cell, const char *state_dir, const char *name,
                        struct jc_error *err)
{
        struct jc_cgroup_note note;
        int rc;

        memset(&note, 0, sizeof(note));
        if (jc_format(note.state_dir, sizeof(note.state_dir), "%s", state_dir) ||
            jc_format(note.name, sizeof(note.name), "%s", name))
                return jc_error_set(err, ENAMETOOLONG, "cgroup set `%s' in `%s'", name, state_dir);
        rc = jc_msg_send(cell->sock, JC_MSG_CGROUP, &note, sizeof(note), NULL, 0);
        if (rc < 0)
                return jc_error_set(err, -rc, "tell the cell's keeper about cgroup set `%s'", name);
        return 0;
}
