/* Paths inside a sandbox root (runner/pathres.c): what jc_mkpath_in_root
 * opens or creates (a mount target) stays inside the root whatever
 * symlinks the image holds, and a path that cannot be made is refused
 * with the reason.  No root needed (tests/sandbox/filesystem.sh tries the
 * same through real mounts). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../tap.h"
#include "pathres.h"
#include "util.h"

static char root[PATH_MAX], outside[PATH_MAX];
static int rootfd = -1;

/* 1 when BASE/REL exists as a directory (DIR) or a regular file. */
static int exists(const char *base, const char *rel, int dir)
{
        char p[PATH_MAX * 2];
        struct stat st;

        snprintf(p, sizeof(p), "%s/%s", base, rel);
        if (lstat(p, &st) < 0)
                return 0;
        return dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
}

/* The fd jc_mkpath_in_root returns is ROOT/REL itself. */
static int same(int fd, const char *rel)
{
        char p[PATH_MAX * 2];
        struct stat a, b;

        snprintf(p, sizeof(p), "%s/%s", root, rel);
        return fd >= 0 && fstat(fd, &a) == 0 && lstat(p, &b) == 0 && a.st_dev == b.st_dev &&
               a.st_ino == b.st_ino;
}

static void check(const char *path, int file, const char *expect, const char *what)
{
        struct jc_error err = { 0 };
        int fd = jc_mkpath_in_root(rootfd, path, file, &err);

        ok(same(fd, expect), "%s: `%s' is ROOT/%s (%s)", what, path, expect,
           fd < 0 ? err.msg : "opened");
        if (fd >= 0)
                close(fd);
}

static void refused(const char *path, int file, int errnum, const char *what)
{
        struct jc_error err = { 0 };
        int fd = jc_mkpath_in_root(rootfd, path, file, &err);

        ok(fd < 0 && err.errnum == errnum, "%s: `%s' refused with %s (%s)", what, path,
           strerror(errnum), fd < 0 ? err.msg : "opened");
        if (fd >= 0)
                close(fd);
}

static int setup(void)
{
        char p[PATH_MAX * 2];
        FILE *f;

        strcpy(root, "/tmp/jc-pathres-root.XXXXXX");
        strcpy(outside, "/tmp/jc-pathres-out.XXXXXX");
        if (mkdtemp(root) == NULL || mkdtemp(outside) == NULL)
                return -1;
        snprintf(p, sizeof(p), "%s/etc", root);
        if (mkdir(p, 0755) < 0)
                return -1;
        snprintf(p, sizeof(p), "%s/etc/passwd", root);
        f = fopen(p, "w");
        if (f == NULL)
                return -1;
        fclose(f);
        /* An image's symlinks that point out of it, as the image means
         * them (absolute, or climbing) and a dangling one. */
        snprintf(p, sizeof(p), "%s/out", root);
        if (symlink(outside, p) < 0)
                return -1;
        snprintf(p, sizeof(p), "%s/up", root);
        if (symlink("../../../..", p) < 0)
                return -1;
        /* The directory it names, as the image has it too. */
        snprintf(p, sizeof(p), "mkdir -p '%s/%s'", root, outside);
        if (system(p) != 0)
                return -1;
        snprintf(p, sizeof(p), "%s/gone", root);
        if (symlink("/no/such/dir", p) < 0)
                return -1;
        snprintf(p, sizeof(p), "%s/dangling", root);
        if (symlink("nowhere", p) < 0)
                return -1;
        rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        return rootfd < 0 ? -1 : 0;
}

int main(void)
{
        char rel[PATH_MAX + 8], cmd[PATH_MAX * 3];

        if (setup() < 0) {
                ok(0, "set up a root in /tmp: %s", strerror(errno));
                return done_testing();
        }
        check("/etc", 0, "etc", "an existing directory");
        check("/etc/passwd", 1, "etc/passwd", "an existing file");
        check("/etc/group", 1, "etc/group", "a missing file in an existing directory");
        ok(exists(root, "etc/group", 0), "it was created as a file");
        check("/dev/null", 1, "dev/null", "a file whose parent is missing too");
        ok(exists(root, "dev", 1) && exists(root, "dev/null", 0), "both were created");
        check("/dev/zero", 1, "dev/zero", "a second file in the new directory");
        check("/a/b/c/", 0, "a/b/c", "a directory path with a trailing slash");
        /* Through the image's symlinks: inside the root, never outside. */
        snprintf(rel, sizeof(rel), "%s/y", outside + 1);
        check("/out/y", 0, rel, "an absolute symlink to the host");
        ok(!exists(outside, "y", 1), "nothing was made in the host directory it names");
        check("/up/x", 0, "x", "a symlink climbing out of the root");
        check("/up/etc/passwd", 1, "etc/passwd", "a file reached through it");
        refused("/gone/y", 0, ENOENT, "a symlink to what the root lacks");
        ok(!exists(root, "no", 1), "nothing was made where it points");
        refused("/dangling", 0, ENOENT, "a dangling symlink");
        ok(!exists(root, "nowhere", 1), "its target was not made");
        refused("/etc/passwd", 0, ENOTDIR, "a file where a directory is wanted");
        refused("/etc/passwd/x", 0, ENOTDIR, "a path below a file");
        close(rootfd);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", root, outside);
        if (system(cmd) != 0)
                fprintf(stderr, "# could not remove %s and %s\n", root, outside);
        return done_testing();
}
