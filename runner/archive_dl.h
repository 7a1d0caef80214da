/* libarchive, loaded the first time an image needs it (archive_dl.c).
 *
 * libarchive brings libxml2, ICU and libstdc++ with it: linked into the
 * runner, they cost every job about 4 ms of start-up and 2.5 MiB of the
 * supervisor's private memory (their relocated pages), although most jobs
 * (a directory image, a cached OCI layout, a squashfs) never read an
 * archive.  The image code calls libarchive through this header, with the
 * names and prototypes of <archive.h>: each name below is a pointer
 * filled by dlsym(3) on first use.  A libarchive that cannot be loaded
 * ends the process with one line naming it and status 125 (the package
 * that provides it is a dependency of jobcell's). */
#ifndef JC_ARCHIVE_DL_H
#define JC_ARCHIVE_DL_H

#include <archive.h>
#include <archive_entry.h>

#define JC_ARCHIVE_FUNCS(X)                 \
        X(archive_entry_filetype)           \
        X(archive_entry_hardlink)           \
        X(archive_entry_mtime)              \
        X(archive_entry_mtime_is_set)       \
        X(archive_entry_mtime_nsec)         \
        X(archive_entry_pathname)           \
        X(archive_entry_perm)               \
        X(archive_entry_size)               \
        X(archive_entry_size_is_set)        \
        X(archive_entry_symlink)            \
        X(archive_errno)                    \
        X(archive_error_string)             \
        X(archive_read_data)                \
        X(archive_read_data_block)          \
        X(archive_read_free)                \
        X(archive_read_new)                 \
        X(archive_read_next_header)         \
        X(archive_read_open)                \
        X(archive_read_open_fd)             \
        X(archive_read_support_filter_gzip) \
        X(archive_read_support_filter_none) \
        X(archive_read_support_filter_zstd) \
        X(archive_read_support_format_tar)  \
        X(archive_set_error)

struct jc_archive_api {
#define JC_ARCHIVE_FIELD(f) __typeof__(f) *f;
        JC_ARCHIVE_FUNCS(JC_ARCHIVE_FIELD)
#undef JC_ARCHIVE_FIELD
};

/* The table, loaded on the first call. */
const struct jc_archive_api *jc_archive_api(void);

/* The errno behind A's last error for jc_error_set, or FALLBACK when
 * there is none or libarchive's number is a code of its own: an unknown
 * format (EILSEQ on Linux, whose text, "Invalid or incomplete multibyte
 * or wide character", would mislead) or a misuse (EINVAL).
 * archive_error_string says what went wrong in those cases. */
int jc_archive_errno(struct archive *a, int fallback);

#ifndef JC_ARCHIVE_DL_IMPL
#define archive_entry_filetype           (jc_archive_api()->archive_entry_filetype)
#define archive_entry_hardlink           (jc_archive_api()->archive_entry_hardlink)
#define archive_entry_mtime              (jc_archive_api()->archive_entry_mtime)
#define archive_entry_mtime_is_set       (jc_archive_api()->archive_entry_mtime_is_set)
#define archive_entry_mtime_nsec         (jc_archive_api()->archive_entry_mtime_nsec)
#define archive_entry_pathname           (jc_archive_api()->archive_entry_pathname)
#define archive_entry_perm               (jc_archive_api()->archive_entry_perm)
#define archive_entry_size               (jc_archive_api()->archive_entry_size)
#define archive_entry_size_is_set        (jc_archive_api()->archive_entry_size_is_set)
#define archive_entry_symlink            (jc_archive_api()->archive_entry_symlink)
#define archive_errno                    (jc_archive_api()->archive_errno)
#define archive_error_string             (jc_archive_api()->archive_error_string)
#define archive_read_data                (jc_archive_api()->archive_read_data)
#define archive_read_data_block          (jc_archive_api()->archive_read_data_block)
#define archive_read_free                (jc_archive_api()->archive_read_free)
#define archive_read_new                 (jc_archive_api()->archive_read_new)
#define archive_read_next_header         (jc_archive_api()->archive_read_next_header)
#define archive_read_open                (jc_archive_api()->archive_read_open)
#define archive_read_open_fd             (jc_archive_api()->archive_read_open_fd)
#define archive_read_support_filter_gzip (jc_archive_api()->archive_read_support_filter_gzip)
#define archive_read_support_filter_none (jc_archive_api()->archive_read_support_filter_none)
#define archive_read_support_filter_zstd (jc_archive_api()->archive_read_support_filter_zstd)
#define archive_read_support_format_tar  (jc_archive_api()->archive_read_support_format_tar)
#define archive_set_error                (jc_archive_api()->archive_set_error)
#endif

#endif
