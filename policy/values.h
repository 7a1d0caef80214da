/* Parsers for the values found in policy files, request options and spec
 * JSON.  Each is strict: the whole text must parse, out-of-range numbers
 * are errors, and the error message says what was expected. */
#ifndef JC_VALUES_H
#define JC_VALUES_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "util.h"

int jc_parse_bool(const char *s, bool *out, struct jc_error *err);
int jc_parse_int(const char *s, int64_t min, int64_t max, int64_t *out, struct jc_error *err);
/* "512M", "4G", "1024", "4GiB"; binary multiples. */
int jc_parse_size(const char *s, int64_t *out, struct jc_error *err);

/* The smallest memory limit a job may have.  The runner sits in its job's
 * cgroups while it supervises (runner/resources.h), and what it allocates
 * there is charged to the limit: below about 512K (measured) the OOM
 * killer ends the runner itself, with no word of why. */
#define JC_MEMORY_MIN (INT64_C(1) << 20)
/* A memory limit of at least JC_MEMORY_MIN, or ERR. */
int jc_check_memory_max(int64_t v, struct jc_error *err);
/* Index of S in the NULL-terminated NAMES. */
int jc_parse_enum(const char *s, const char *const *names, int *out, struct jc_error *err);
/* Comma list of enum names into a bit set. */
int jc_parse_enum_set(const char *s, const char *const *names, uint64_t *out, struct jc_error *err);
/* Comma list of capability names ("CAP_NET_RAW", "net_raw") into a bit
 * set; ALLOW_ALL accepts "ALL". */
int jc_parse_caps(const char *s, bool allow_all, uint64_t *out, struct jc_error *err);
/* Capability names of a bit set, "CAP_A,CAP_B" (caller frees). */
char *jc_caps_format(uint64_t caps);
uint64_t jc_caps_all(void);
/* "SOFT[:HARD]", each a number or "unlimited". */
int jc_parse_rlimit(const char *s, uint64_t *soft, uint64_t *hard, struct jc_error *err);
/* An absolute path without ".", ".." or empty components. */
int jc_check_path(const char *s, struct jc_error *err);
/* "SRC[:DST][:ro|rw]"; *mode is 0 when no flag was given, 'r' or 'w'. */
int jc_parse_mount(const char *s, char **src, char **dst, char *mode, struct jc_error *err);
/* "PATTERN[:ro|rw]" (mounts_allowed); default ro. */
int jc_parse_mount_pattern(const char *s, char **pattern, bool *rw, struct jc_error *err);
/* "0-3,8,10-11". */
int jc_check_cpulist(const char *s, struct jc_error *err);
/* Parse a cpu list into a bit set of NBITS bits. */
int jc_cpulist_bits(const char *s, uint8_t *bits, size_t nbits, struct jc_error *err);
/* A user or group name, or a number; root is refused. */
int jc_parse_service_uid(const char *s, uid_t *uid, gid_t *gid, struct jc_error *err);
int jc_parse_service_gid(const char *s, gid_t *gid, struct jc_error *err);
int jc_check_hostname(const char *s, struct jc_error *err);
int jc_check_env_name(const char *s, struct jc_error *err);
/* "sha256:" followed by 64 lowercase hex digits. */
int jc_check_digest(const char *s, struct jc_error *err);

/* Does PATH, or one of its leading directories, match the glob PATTERN
 * (fnmatch, FNM_PATHNAME)?  "/data" admits /data/x/y; "/home/ * /img"
 * admits /home/alice/img/a.tar. */
bool jc_path_admitted(const char *pattern, const char *path);

/* May a job bind the host path PATH?  PATTERNS holds "PATTERN:ro|rw"
 * items (user names already expanded); *RO_OK when one admits PATH,
 * *RW_OK when one that admits it grants read-write. */
int jc_mount_admitted(const struct jc_strv *patterns, const char *path, bool *ro_ok, bool *rw_ok,
                      struct jc_error *err);

#endif
