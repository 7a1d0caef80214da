#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pathres.h"
#include "util.h"

int jc_open_in_root(int rootfd, const char *path, int flags, struct jc_error *err)
{
        struct open_how how = {
                .flags = (uint64_t)(flags | O_CLOEXEC),
                /* Magic links (/proc/self/root...) could also lead out. */
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        int fd;

        while (*path == '/')
                path++;
        if (*path == '\0')
                path = ".";
        fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
        if (fd < 0)
                return jc_error_set(err, errno, "open `/%s' in the sandbox root", path);
        return fd;
}

/* Create NAME in the directory DIRFD as a directory or an empty file. */
static int create_at(int dirfd, const char *name, bool file, const char *path, struct jc_error *err)
{
        int fd;

        if (!file) {
                if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
                        return jc_error_set(err, errno, "mkdir `%s' in the sandbox root", path);
                return 0;
        }
        /* O_NOFOLLOW|O_EXCL: never create through a symlink planted there. */
        fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST)
                return jc_error_set(err, errno, "create `%s' in the sandbox root", path);
        if (fd >= 0)
                close(fd);
        return 0;
}

int jc_mkpath_in_root(int rootfd, const char *path, bool file, struct jc_error *err)
{
        char buf[4096];
        char *end;
        int prefix, fd;
        bool last;

        if (jc_format(buf, sizeof(buf), "%s", path))
                return jc_error_set(err, ENAMETOOLONG, "`%s'", path);
        prefix = jc_open_in_root(rootfd, ".", O_PATH | O_DIRECTORY, err);
        if (prefix < 0)
                return -1;
        /* Each prefix is resolved from the root (so its symlinks resolve
         * inside it), and a missing component is created in the directory
         * its parent resolved to. */
        for (end = buf; *end == '/'; end++)
                ;
        while (*end != '\0') {
                char saved, *name = end;

                end = strchrnul(end, '/');
                last = end[strspn(end, "/")] == '\0';
                saved = *end;
                *end = '\0';
                fd = jc_open_in_root(rootfd, buf, O_PATH | (last && file ? 0 : O_DIRECTORY), err);
                if (fd < 0 && err->errnum == ENOENT &&
                    create_at(prefix, name, last && file, path, err) == 0)
                        fd = jc_open_in_root(rootfd, buf, O_PATH | (last && file ? 0 : O_DIRECTORY),
                                             err);
                *end = saved;
                close(prefix);
                if (fd < 0)
                        return -1;
                prefix = fd;
                while (*end == '/')
                        end++;
        }
        return prefix;
}

const char *jc_fd_path(int fd, char *buf, size_t len)
{
        jc_format(buf, len, "/proc/self/fd/%d", fd);
        return buf;
}
