/* libFuzzer target: image import from an untrusted archive.
 *
 * Each input is (1) opened as an image file (a tar holding an OCI layout
 * or a docker save archive, or a squashfs file) and imported into a
 * scratch cache, and (2) applied as one layer onto a scratch root.  The
 * properties checked besides "no crash, no leak, no sanitizer report":
 * nothing is ever written outside the scratch directory (a canary file
 * beside it must stay as it is), and a failed import leaves no entry.
 *
 * Build (make fuzz does the same):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -include config.h $(pkg-config --cflags json-c) \
 *     -Ipolicy -Irunner tests/fuzz/fuzz_image.c runner/image.c runner/image_[a-z]*.c \
 *     policy/[a-z]*.c -larchive -lnettle -ljson-c -lcap-ng -liniparser -o fuzz_image
 *   ./fuzz_image tests/fuzz/corpus/image */
#include "config.h"

#include <archive.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "image_internal.h"

static char scratch[] = "/tmp/jc-fuzz-image-XXXXXX";
static int scratch_fd = -1;

static int open_up(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)ftw;
        if (flag == FTW_D || flag == FTW_DNR)
                chmod(path, (st->st_mode & 07777) | 0700); /* imports may hold read-only dirs */
        return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)flag;
        (void)ftw;
        remove(path);
        return 0;
}

/* libFuzzer ends with exit(): leave nothing in /tmp. */
static void remove_scratch(void)
{
        nftw(scratch, open_up, 64, FTW_PHYS);
        nftw(scratch, remove_one, 64, FTW_DEPTH | FTW_PHYS);
}

static void setup(void)
{
        int fd;

        if (mkdtemp(scratch) == NULL)
                abort();
        atexit(remove_scratch);
        scratch_fd = open(scratch, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (scratch_fd < 0 || mkdirat(scratch_fd, "work", 0700) < 0)
                abort();
        fd = openat(scratch_fd, "canary", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0 || write(fd, "canary", 6) != 6)
                abort();
        close(fd);
}

static void check_canary(void)
{
        char buf[16] = "";
        int fd = openat(scratch_fd, "canary", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
        struct stat st;

        if (n != 6 || memcmp(buf, "canary", 6) != 0)
                abort(); /* something wrote outside the root */
        close(fd);
        /* Only "canary" and "work" may exist beside the root. */
        if (fstatat(scratch_fd, "x", &st, AT_SYMLINK_NOFOLLOW) == 0)
                abort();
}

static void import(const uint8_t *data, size_t size)
{
        struct jc_image_opts o = { 0 };
        struct jc_error err = { 0 };
        struct jc_image img;
        char cache[sizeof(scratch) + 16];
        int fd = memfd_create("image", MFD_CLOEXEC);

        if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
                if (fd >= 0)
                        close(fd);
                return;
        }
        snprintf(cache, sizeof(cache), "%s/work/c", scratch);
        o.path = "fuzz-input";
        o.digest = "";
        o.formats = (1u << JC_IMG_OCI) | (1u << JC_IMG_DOCKER) | (1u << JC_IMG_SQUASHFS);
        o.cache_dir = cache;
        o.cache_max_size = -1;
        o.src_fd = fd;
        if (jc_image_open(&o, &img, &err) == 0)
                jc_image_close(&img);
        close(fd);
}

static void layer(const uint8_t *data, size_t size)
{
        struct jc_extract *x = NULL;
        struct jc_error err = { 0 };
        struct archive *a = archive_read_new();
        int work = openat(scratch_fd, "work", O_RDONLY | O_DIRECTORY | O_CLOEXEC), root;

        if (work < 0 || mkdirat(work, "root", 0755) < 0 ||
            (root = openat(work, "root", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                abort();
        archive_read_support_format_tar(a);
        archive_read_support_filter_gzip(a);
        archive_read_support_filter_zstd(a);
        if (archive_read_open_memory(a, data, size) == ARCHIVE_OK &&
            jc_extract_begin(root, &x, &err) == 0) {
                if (jc_extract_layer(x, a, "layer", &err) == 0)
                        (void)jc_extract_end(x, &err);
        }
        jc_extract_free(x);
        archive_read_free(a);
        close(root);
        close(work);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct jc_error err = { 0 };

        if (scratch_fd < 0)
                setup();
        import(data, size);
        layer(data, size);
        check_canary();
        if (jc_rm_tree(scratch_fd, "work", &err) < 0 || mkdirat(scratch_fd, "work", 0700) < 0)
                abort();
        return 0;
}
