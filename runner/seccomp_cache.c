/* Compiled seccomp filters kept for the next runner (doc/seccomp.md,
 * "The filter cache").  libseccomp takes 2 to 4 ms to compile the built-in
 * allowlist, a tenth of a sandbox's start; the filter depends only on the
 * inputs named in the key below, so a runner with the same inputs reads
 * the BPF back instead.
 *
 * Only a runner with euid 0 uses the cache, in a directory of root's that
 * no one else may write (checked on every read): a filter is the
 * sandbox's wall against the kernel, and a file anyone else could write
 * would be a way through it.  The whole key is stored in the entry and
 * compared, so the file name (its SHA-256) only finds it.  Every failure
 * to read or write an entry is a miss, never an error: the filter is
 * compiled as if there were no cache. */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "seccomp_int.h"
#include "util.h"

#define MAGIC       "jobcell-bpf 1\n"
#define ENTRY_MAX   (64 * 1024) /* BPF_MAXINSNS (4096) * 8, and the header */
#define ENTRIES_MAX 256         /* past this many, a write empties the directory */

/* "st_dev:st_ino:st_size:mtime" of PATH: a rebuilt or upgraded file is
 * another file. */
static void file_id(const char *path, char *buf, size_t len)
{
        struct stat st;

        if (path == NULL || stat(path, &st) < 0) {
                jc_format(buf, len, "?");
                return;
        }
        jc_format(buf, len, "%llx:%llx:%lld:%lld.%09ld", (unsigned long long)st.st_dev,
                  (unsigned long long)st.st_ino, (long long)st.st_size,
                  (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

static void sha256_hex(const void *data, size_t len, char out[2 * SHA256_DIGEST_SIZE + 1])
{
        struct sha256_ctx ctx;
        uint8_t d[SHA256_DIGEST_SIZE];
        size_t i;

        sha256_init(&ctx);
        sha256_update(&ctx, len, data);
        sha256_digest(&ctx, sizeof(d), d);
        for (i = 0; i < sizeof(d); i++)
                snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* The profile's content, hashed: a profile edited in place is another
 * filter.  "" when it cannot be read (the compiler then says why). */
static void profile_hash(const char *path, char out[2 * SHA256_DIGEST_SIZE + 1])
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        char *buf;

        out[0] = '\0';
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (16 << 20))
                return;
        buf = malloc((size_t)st.st_size + 1);
        if (buf != NULL && read(fd, buf, (size_t)st.st_size) == st.st_size)
                sha256_hex(buf, (size_t)st.st_size, out);
        free(buf);
}

int jc_sc_cache_key(const struct jc_spec *spec, char *key, size_t len)
{
        const struct scmp_version *v = seccomp_version();
        char exe[128], lib[128], prof[2 * SHA256_DIGEST_SIZE + 1] = "";
        struct utsname u;
        Dl_info dl = { 0 };
        bool builtin = spec->seccomp == NULL || strcmp(spec->seccomp, "default") == 0;

        if (uname(&u) < 0 || v == NULL)
                return -1;
        file_id("/proc/self/exe", exe, sizeof(exe));
        if (dladdr((void *)seccomp_init, &dl) == 0)
                dl.dli_fname = NULL;
        file_id(dl.dli_fname, lib, sizeof(lib));
        if (!builtin) {
                profile_hash(spec->seccomp, prof);
                if (prof[0] == '\0')
                        return -1;
        }
        /* Everything the compiled filter depends on: this build of
         * jobcell, libseccomp (its version, API level and file), the
         * kernel (which flags and actions it has), the capabilities that
         * unlock calls, and the profile. */
        if (jc_format(key, len,
                      "jobcell %s exe %s\nlibseccomp %u.%u.%u api %u file %s\nkernel %s %s %s\n"
                      "caps %016llx\nprofile %s %s\n",
                      PACKAGE_VERSION, exe, v->major, v->minor, v->micro, seccomp_api_get(), lib,
                      u.release, u.version, u.machine, (unsigned long long)spec->capabilities,
                      builtin ? "default" : spec->seccomp, prof))
                return -1; /* cut: no key */
        return 0;
}

/* Root's, and writable by no one else. */
static bool root_only(int fd, struct stat *st)
{
        return fstat(fd, st) == 0 && st->st_uid == 0 && (st->st_mode & 022) == 0;
}

/* The cache directory, opened, when it is root's and only root's. */
static int open_dir(const char *dir)
{
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;

        if (fd < 0)
                return -1;
        if (!root_only(fd, &st)) {
                close(fd);
                return -1;
        }
        return fd;
}

bool jc_sc_cache_get(const char *dir, const char *key, struct jc_bpf *bpf)
{
        _cleanup_close_ int dfd = open_dir(dir), fd = -1;
        char name[2 * SHA256_DIGEST_SIZE + 1], *buf = NULL, *nl;
        size_t hlen, klen = strlen(key);
        unsigned int flags, n;
        struct stat st;
        ssize_t got;
        bool hit = false;

        if (dfd < 0)
                return false;
        sha256_hex(key, klen, name);
        fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || !root_only(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > ENTRY_MAX)
                return false;
        buf = malloc((size_t)st.st_size + 1);
        if (buf == NULL)
                return false;
        got = read(fd, buf, (size_t)st.st_size);
        if (got != st.st_size)
                goto out;
        buf[got] = '\0';
        /* MAGIC, the whole key, then "FLAGS LEN\n" and LEN instructions. */
        if (strncmp(buf, MAGIC, strlen(MAGIC)) != 0 || strncmp(buf + strlen(MAGIC), key, klen) != 0)
                goto out;
        hlen = strlen(MAGIC) + klen;
        nl = memchr(buf + hlen, '\n', (size_t)got - hlen);
        if (nl == NULL || sscanf(buf + hlen, "%x %u", &flags, &n) != 2 || n == 0 ||
            n > BPF_MAXINSNS)
                goto out;
        hlen = (size_t)(nl - buf) + 1;
        if ((size_t)got - hlen != n * sizeof(struct sock_filter))
                goto out;
        bpf->prog.filter = malloc(n * sizeof(struct sock_filter));
        if (bpf->prog.filter == NULL)
                goto out;
        memcpy(bpf->prog.filter, buf + hlen, n * sizeof(struct sock_filter));
        bpf->prog.len = (unsigned short)n;
        bpf->flags = flags;
        hit = true;
out:
        free(buf);
        return hit;
}

/* Old entries (of other builds and kernels) do not pile up: past
 * ENTRIES_MAX, the directory is emptied. */
static void trim(int dfd)
{
        int n = 0, fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
        struct dirent *e;
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

        if (d == NULL) {
                if (fd >= 0)
                        close(fd);
                return;
        }
        while ((e = readdir(d)) != NULL)
                n += e->d_name[0] != '.';
        if (n >= ENTRIES_MAX) {
                rewinddir(d);
                while ((e = readdir(d)) != NULL)
                        if (e->d_name[0] != '.')
                                unlinkat(dfd, e->d_name, 0);
        }
        closedir(d);
}

void jc_sc_cache_put(const char *dir, const char *key, const struct jc_bpf *bpf)
{
        _cleanup_close_ int dfd = -1, fd = -1;
        _cleanup_free_ char *buf = NULL;
        char name[2 * SHA256_DIGEST_SIZE + 1], tmp[64], head[64];
        size_t blen = bpf->prog.len * sizeof(struct sock_filter), len;
        struct jc_error err;

        if (geteuid() != 0 || jc_mkdir_p(dir, &err) < 0 || (dfd = open_dir(dir)) < 0)
                return;
        trim(dfd);
        jc_format(head, sizeof(head), "%x %u\n", bpf->flags, (unsigned)bpf->prog.len);
        len = strlen(MAGIC) + strlen(key) + strlen(head);
        buf = malloc(len + blen + 1);
        if (buf == NULL)
                return;
        jc_format(buf, len + 1, "%s%s%s", MAGIC, key, head);
        memcpy(buf + len, bpf->prog.filter, blen);
        sha256_hex(key, strlen(key), name);
        jc_format(tmp, sizeof(tmp), ".tmp.%ld", (long)getpid());
        fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return;
        /* Renamed into place whole: a reader sees the old entry or the new. */
        if (write(fd, buf, len + blen) != (ssize_t)(len + blen) ||
            renameat(dfd, tmp, dfd, name) < 0)
                unlinkat(dfd, tmp, 0);
}
