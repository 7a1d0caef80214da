#include "config.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "trust.h"

/* One component: owned by root, and writable by group or others only when
 * it is a sticky directory (others may then add entries, but not replace
 * root's). */
static int check_one(const char *path, bool last, struct jc_error *err)
{
        struct stat st;

        if (lstat(path, &st) < 0)
                return jc_error_set(err, errno, "`%s'", path);
        if (S_ISLNK(st.st_mode))
                return jc_error_set(err, 0, "`%s' is a symbolic link", path);
        if (st.st_uid != 0)
                return jc_error_set(err, 0, "`%s' is owned by uid %u, not root", path,
                                    (unsigned)st.st_uid);
        if (!last && !S_ISDIR(st.st_mode))
                return jc_error_set(err, ENOTDIR, "`%s'", path);
        if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX)))
                return jc_error_set(err, 0, "`%s' is writable by group or others", path);
        return 0;
}

int jc_path_root_owned(const char *path, struct jc_error *err)
{
        char buf[PATH_MAX];
        char *p;

        if (jc_format(buf, sizeof(buf), "%s", path))
                return jc_error_set(err, ENAMETOOLONG, "`%s'", path);
        if (buf[0] != '/')
                return jc_error_set(err, 0, "`%s' is not an absolute path", path);
        if (check_one("/", false, err) < 0)
                return -1;
        for (p = strchr(buf + 1, '/'); p != NULL; p = strchr(p + 1, '/')) {
                *p = '\0';
                if (check_one(buf, false, err) < 0)
                        return -1;
                *p = '/';
        }
        return check_one(buf, true, err);
}
