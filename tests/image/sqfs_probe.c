/* Mount a squashfs image the way the runner will (jc_squashfs_mount, in a
 * private mount namespace), look at it from inside, unmount, and say what
 * was seen, one KEY=VALUE a line, for tests/image/squashfs.sh.
 *   sqfs_probe squashfuse|kernel IMAGE UID GID */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "image.h"

static void daemon_uid(pid_t pid)
{
        char path[64], line[256];
        FILE *f;

        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        f = fopen(path, "re");
        while (f != NULL && fgets(line, sizeof(line), f) != NULL)
                if (strncmp(line, "Uid:", 4) == 0 || strncmp(line, "CapEff:", 7) == 0 ||
                    strncmp(line, "NoNewPrivs:", 11) == 0)
                        printf("daemon_%.*s=%s", (int)strcspn(line, ":"), line,
                               line + strcspn(line, ":") + 1 +
                                       strspn(line + strcspn(line, ":") + 1, " \t"));
        if (f != NULL)
                fclose(f);
}

int main(int argc, char **argv)
{
        struct jc_error err = { 0 };
        struct jc_squashfs m;
        struct jc_squashfs_ids ids;
        char target[] = "/tmp/jc-sqfs-XXXXXX", path[256], buf[256];
        struct statvfs sv;
        struct stat st;
        ssize_t n;
        int fd, f;

        if (argc != 5)
                return 2;
        ids.uid = (uid_t)atoi(argv[3]);
        ids.gid = (gid_t)atoi(argv[4]);
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                perror("private mount namespace");
                return 1;
        }
        if (mkdtemp(target) == NULL)
                return 1;
        fd = open(argv[2], O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                perror(argv[2]);
                return 1;
        }
        if (jc_squashfs_mount(fd, target,
                              strcmp(argv[1], "kernel") == 0 ? JC_SQFS_KERNEL : JC_SQFS_SQUASHFUSE,
                              &ids, &m, &err) < 0) {
                char text[2048];

                printf("error=%s\n", jc_error_text(&err, text, sizeof(text)));
                rmdir(target);
                return 1;
        }
        close(fd);
        printf("mounted=1\n");
        snprintf(path, sizeof(path), "%s/a/f", target);
        f = open(path, O_RDONLY | O_CLOEXEC);
        n = f >= 0 ? read(f, buf, sizeof(buf) - 1) : -1;
        buf[n > 0 ? n : 0] = '\0';
        printf("content=%s", buf);
        if (f >= 0)
                close(f);
        if (statvfs(target, &sv) == 0)
                printf("rdonly=%d\nnosuid=%d\nnodev=%d\n", !!(sv.f_flag & ST_RDONLY),
                       !!(sv.f_flag & ST_NOSUID), !!(sv.f_flag & ST_NODEV));
        snprintf(path, sizeof(path), "%s/new", target);
        f = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        printf("write=%s\n", f < 0 ? strerror(errno) : "allowed");
        snprintf(path, sizeof(path), "%s/suid", target);
        if (stat(path, &st) == 0)
                printf("suid_mode=%o\n", (unsigned)(st.st_mode & 07777));
        if (m.daemon > 0)
                daemon_uid(m.daemon);
        pid_t d = m.daemon;
        if (jc_squashfs_umount(&m, &err) < 0) {
                printf("umount_error=%s\n", err.msg);
                return 1;
        }
        printf("unmounted=1\n");
        if (d > 0)
                printf("daemon=%s\n", kill(d, 0) < 0 && errno == ESRCH ? "gone" : "alive");
        printf("target_empty=%d\n", rmdir(target) == 0);
        return 0;
}
