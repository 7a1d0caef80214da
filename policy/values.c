#include "config.h"

#include <cap-ng.h>
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "values.h"

int jc_parse_bool(const char *s, bool *out, struct jc_error *err)
{
        static const char *const yes[] = { "true", "yes", "on", "1" };
        static const char *const no[] = { "false", "no", "off", "0" };
        size_t i;

        /* iniparser_getboolean would read "tru", "nonsense" and "yesterday"
         * as booleans from their first letter; accept only whole words. */
        for (i = 0; i < JC_ARRAY_SIZE(yes); i++) {
                if (strcasecmp(s, yes[i]) == 0) {
                        *out = true;
                        return 0;
                }
                if (strcasecmp(s, no[i]) == 0) {
                        *out = false;
                        return 0;
                }
        }
        return jc_error_set(err, 0, "`%s' is not a boolean (true or false)", s);
}

int jc_parse_int(const char *s, int64_t min, int64_t max, int64_t *out, struct jc_error *err)
{
        char *end;
        long long v;

        errno = 0;
        if (!isdigit((unsigned char)*s) && *s != '-')
                return jc_error_set(err, 0, "`%s' is not a number", s);
        v = strtoll(s, &end, 10);
        if (*end != '\0')
                return jc_error_set(err, 0, "`%s' is not a number", s);
        if (errno == ERANGE || v < min || v > max)
                return jc_error_set(err, 0, "%s is out of range (%lld to %lld)", s, (long long)min,
                                    (long long)max);
        *out = v;
        return 0;
}

int jc_parse_size(const char *s, int64_t *out, struct jc_error *err)
{
        static const char units[] = "KMGTP";
        unsigned long long v;
        const char *u;
        char *end;
        int shift = 0;

        errno = 0;
        if (!isdigit((unsigned char)*s))
                return jc_error_set(err, 0, "`%s' is not a size (e.g. 512M, 4G)", s);
        v = strtoull(s, &end, 10);
        if (errno == ERANGE)
                return jc_error_set(err, 0, "size `%s' is too large", s);
        if (*end != '\0') {
                u = strchr(units, toupper((unsigned char)*end));
                if (u == NULL || (strcasecmp(end + 1, "") != 0 && strcasecmp(end + 1, "B") != 0 &&
                                  strcasecmp(end + 1, "iB") != 0))
                        return jc_error_set(err, 0, "`%s' is not a size (e.g. 512M, 4G)", s);
                shift = 10 * (int)(u - units + 1);
        }
        if (v > ((unsigned long long)INT64_MAX >> shift))
                return jc_error_set(err, 0, "size `%s' is too large", s);
        *out = (int64_t)(v << shift);
        return 0;
}

int jc_check_memory_max(int64_t v, struct jc_error *err)
{
        if (v < JC_MEMORY_MIN)
                return jc_error_set(err, 0,
                                    "a memory limit of %lld bytes is below the 1M jobcell "
                                    "needs (its supervisor is charged to the limit too)",
                                    (long long)v);
        return 0;
}

static char *names_list(const char *const *names)
{
        struct jc_strv sv = { .v = (char **)names, .n = 0 };

        while (names[sv.n] != NULL)
                sv.n++;
        return jc_strv_join(&sv, ", ");
}

int jc_parse_enum(const char *s, const char *const *names, int *out, struct jc_error *err)
{
        _cleanup_free_ char *all = NULL;
        int i;

        for (i = 0; names[i] != NULL; i++) {
                if (strcmp(s, names[i]) == 0) {
                        *out = i;
                        return 0;
                }
        }
        all = names_list(names);
        return jc_error_set(err, 0, "`%s' is not one of: %s", s, all ? all : "?");
}

int jc_parse_enum_set(const char *s, const char *const *names, uint64_t *out, struct jc_error *err)
{
        struct jc_strv items = { 0 };
        uint64_t set = 0;
        size_t i;
        int v;

        if (jc_strv_split(&items, s, err) < 0) {
                jc_strv_free(&items); /* the items before the bad one */
                return -1;
        }
        for (i = 0; i < items.n; i++) {
                if (jc_parse_enum(items.v[i], names, &v, err) < 0) {
                        jc_strv_free(&items);
                        return -1;
                }
                set |= UINT64_C(1) << v;
        }
        jc_strv_free(&items);
        *out = set;
        return 0;
}

uint64_t jc_caps_all(void)
{
        uint64_t all = 0;
        int c;

        /* libcap-ng knows the capabilities of the kernel headers it was
         * built with; capng_capability_to_name is NULL past the last. */
        for (c = 0; c < 64 && capng_capability_to_name(c) != NULL; c++)
                all |= UINT64_C(1) << c;
        return all;
}

static int parse_cap(const char *name, int *cap, struct jc_error *err)
{
        char lower[64];
        const char *p = name;
        size_t i;

        if (strncasecmp(p, "cap_", 4) == 0)
                p += 4;
        if (strlen(p) >= sizeof(lower))
                return jc_error_set(err, 0, "unknown capability `%s'", name);
        for (i = 0; p[i] != '\0'; i++)
                lower[i] = (char)tolower((unsigned char)p[i]);
        lower[i] = '\0';
        *cap = capng_name_to_capability(lower);
        if (*cap < 0 || *cap >= 64)
                return jc_error_set(err, 0, "unknown capability `%s'", name);
        return 0;
}

int jc_parse_caps(const char *s, bool allow_all, uint64_t *out, struct jc_error *err)
{
        struct jc_strv items = { 0 };
        uint64_t set = 0;
        size_t i;
        int cap = 0, rc = 0;

        if (jc_strv_split(&items, s, err) < 0)
                return -1;
        for (i = 0; i < items.n && rc == 0; i++) {
                if (strcasecmp(items.v[i], "all") == 0) {
                        if (!allow_all)
                                rc = jc_error_set(err, 0, "`ALL' is not allowed here");
                        set |= jc_caps_all();
                } else if (parse_cap(items.v[i], &cap, err) < 0) {
                        rc = -1;
                } else {
                        set |= UINT64_C(1) << cap;
                }
        }
        jc_strv_free(&items);
        if (rc == 0)
                *out = set;
        return rc;
}

char *jc_caps_format(uint64_t caps)
{
        struct jc_strv names = { 0 };
        char buf[64];
        char *out;
        size_t i;
        int c;

        for (c = 0; c < 64; c++) {
                const char *n;

                if (!(caps & (UINT64_C(1) << c)))
                        continue;
                n = capng_capability_to_name(c);
                if (n == NULL)
                        jc_format(buf, sizeof(buf), "CAP_%d", c);
                else
                        jc_format(buf, sizeof(buf), "CAP_%s", n);
                for (i = 0; buf[i] != '\0'; i++)
                        buf[i] = (char)toupper((unsigned char)buf[i]);
                if (jc_strv_push(&names, buf, NULL) < 0) {
                        jc_strv_free(&names);
                        return NULL;
                }
        }
        out = jc_strv_join(&names, ",");
        jc_strv_free(&names);
        return out;
}

static int parse_rlim_value(const char *s, uint64_t *out, struct jc_error *err)
{
        int64_t v;

        if (strcmp(s, "unlimited") == 0 || strcmp(s, "infinity") == 0) {
                *out = RLIM_INFINITY;
                return 0;
        }
        if (jc_parse_int(s, 0, INT64_MAX, &v, err) < 0)
                return -1;
        *out = (uint64_t)v;
        return 0;
}

int jc_parse_rlimit(const char *s, uint64_t *soft, uint64_t *hard, struct jc_error *err)
{
        char buf[128];
        char *colon;

        if (strlen(s) >= sizeof(buf))
                return jc_error_set(err, 0, "rlimit `%s' is too long", s);
        strcpy(buf, s);
        colon = strchr(buf, ':');
        if (colon != NULL)
                *colon = '\0';
        if (parse_rlim_value(buf, soft, err) < 0)
                return -1;
        *hard = *soft;
        if (colon != NULL && parse_rlim_value(colon + 1, hard, err) < 0)
                return -1;
        if (*soft > *hard)
                return jc_error_set(err, 0, "rlimit `%s': soft limit above hard limit", s);
        return 0;
}

int jc_check_path(const char *s, struct jc_error *err)
{
        const char *p = s, *slash;
        size_t len;

        if (s[0] != '/')
                return jc_error_set(err, 0, "`%s' is not an absolute path", s);
        if (strlen(s) >= PATH_MAX)
                return jc_error_set(err, 0, "path `%.40s...' is too long", s);
        if (strcmp(s, "/") == 0)
                return 0;
        /* A path with "..", "." or "//" could name one place in the policy
         * check and another when mounted; insist on the plain form. */
        while (*p == '/') {
                p++;
                slash = strchr(p, '/');
                len = slash ? (size_t)(slash - p) : strlen(p);
                if (len == 0 || (len == 1 && p[0] == '.') ||
                    (len == 2 && p[0] == '.' && p[1] == '.'))
                        return jc_error_set(err, 0, "path `%s' has an empty, `.' or `..' component",
                                            s);
                p += len;
        }
        return 0;
}

/* Take a trailing ":ro" or ":rw" off S into *MODE ('r', 'w', or 0). */
static void split_mode(char *s, char *mode)
{
        char *colon = strrchr(s, ':');

        *mode = 0;
        if (colon == NULL)
                return;
        if (strcmp(colon + 1, "ro") == 0)
                *mode = 'r';
        else if (strcmp(colon + 1, "rw") == 0)
                *mode = 'w';
        else
                return;
        *colon = '\0';
}

int jc_parse_mount(const char *s, char **src, char **dst, char *mode, struct jc_error *err)
{
        _cleanup_free_ char *buf = NULL;
        char *colon;

        buf = jc_strdup(s, err);
        if (buf == NULL)
                return -1;
        split_mode(buf, mode);
        colon = strchr(buf, ':');
        if (colon != NULL)
                *colon++ = '\0';
        if (colon != NULL && strchr(colon, ':') != NULL)
                return jc_error_set(err, 0, "mount `%s' is not SRC[:DST][:ro|rw]", s);
        if (jc_check_path(buf, err) < 0 || (colon && jc_check_path(colon, err) < 0))
                return jc_error_wrap(err, "mount `%s'", s);
        *src = jc_strdup(buf, err);
        *dst = *src ? jc_strdup(colon ? colon : buf, err) : NULL;
        if (*dst == NULL) {
                free(*src);
                *src = NULL;
                return -1;
        }
        return 0;
}

int jc_parse_mount_pattern(const char *s, char **pattern, bool *rw, struct jc_error *err)
{
        _cleanup_free_ char *buf = NULL;
        char mode;

        buf = jc_strdup(s, err);
        if (buf == NULL)
                return -1;
        split_mode(buf, &mode);
        if (buf[0] != '/')
                return jc_error_set(err, 0, "`%s' is not an absolute path pattern[:ro|rw]", s);
        if (strchr(buf, ':') != NULL)
                return jc_error_set(err, 0, "`%s' is not PATTERN[:ro|rw]", s);
        *rw = mode == 'w';
        *pattern = JC_STEAL(buf);
        return 0;
}

static int parse_cpu(const char **p, long *out)
{
        char *end;

        if (!isdigit((unsigned char)**p))
                return -1;
        errno = 0;
        *out = strtol(*p, &end, 10);
        if (errno != 0 || *out > 65535)
                return -1;
        *p = end;
        return 0;
}

int jc_cpulist_bits(const char *s, uint8_t *bits, size_t nbits, struct jc_error *err)
{
        const char *p = s;
        long lo, hi, c;

        if (*p == '\0')
                return jc_error_set(err, 0, "empty cpu list");
        for (;;) {
                if (parse_cpu(&p, &lo) < 0)
                        goto bad;
                hi = lo;
                if (*p == '-') {
                        p++;
                        if (parse_cpu(&p, &hi) < 0 || hi < lo)
                                goto bad;
                }
                for (c = lo; bits != NULL && c <= hi; c++) {
                        if ((size_t)c >= nbits)
                                return jc_error_set(err, 0, "cpu %ld in `%s' is out of range", c,
                                                    s);
                        bits[c / 8] |= (uint8_t)(1u << (c % 8));
                }
                if (*p == '\0')
                        return 0;
                if (*p++ != ',')
                        goto bad;
        }
bad:
        return jc_error_set(err, 0, "`%s' is not a cpu list (e.g. 0-3,8)", s);
}

int jc_check_cpulist(const char *s, struct jc_error *err)
{
        return jc_cpulist_bits(s, NULL, 0, err);
}

static int parse_id_number(const char *s, uint32_t *out)
{
        int64_t v;

        if (jc_parse_int(s, 0, UINT32_MAX - 1, &v, NULL) < 0)
                return -1;
        *out = (uint32_t)v;
        return 0;
}

int jc_parse_service_uid(const char *s, uid_t *uid, gid_t *gid, struct jc_error *err)
{
        struct passwd pw, *res = NULL;
        char buf[4096];
        uint32_t n;

        if (parse_id_number(s, &n) == 0) {
                *uid = n;
                *gid = n;
                if (getpwuid_r(n, &pw, buf, sizeof(buf), &res) == 0 && res != NULL)
                        *gid = pw.pw_gid;
        } else {
                errno = getpwnam_r(s, &pw, buf, sizeof(buf), &res);
                if (res == NULL)
                        return jc_error_set(err, errno, "unknown user `%s'", s);
                *uid = pw.pw_uid;
                *gid = pw.pw_gid;
        }
        if (*uid == 0)
                return jc_error_set(err, 0, "`%s' is root; root inside must never be host root", s);
        if (*gid == 0)
                return jc_error_set(err, 0, "the primary group of `%s' is root; set service_group",
                                    s);
        return 0;
}

int jc_parse_service_gid(const char *s, gid_t *gid, struct jc_error *err)
{
        struct group gr, *res = NULL;
        char buf[16384];
        uint32_t n;

        if (parse_id_number(s, &n) == 0) {
                *gid = n;
        } else {
                errno = getgrnam_r(s, &gr, buf, sizeof(buf), &res);
                if (res == NULL)
                        return jc_error_set(err, errno, "unknown group `%s'", s);
                *gid = gr.gr_gid;
        }
        if (*gid == 0)
                return jc_error_set(err, 0, "`%s' is the root group", s);
        return 0;
}

int jc_check_hostname(const char *s, struct jc_error *err)
{
        size_t i, n = strlen(s);

        if (n == 0 || n > 64)
                return jc_error_set(err, 0, "hostname `%s' must have 1 to 64 characters", s);
        for (i = 0; i < n; i++)
                if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '.')
                        return jc_error_set(err, 0, "hostname `%s' has a bad character", s);
        return 0;
}

int jc_check_env_name(const char *s, struct jc_error *err)
{
        size_t i;

        if (!isalpha((unsigned char)s[0]) && s[0] != '_')
                return jc_error_set(err, 0, "`%s' is not an environment variable name", s);
        for (i = 1; s[i] != '\0'; i++)
                if (!isalnum((unsigned char)s[i]) && s[i] != '_')
                        return jc_error_set(err, 0, "`%s' is not an environment variable name", s);
        return 0;
}

int jc_check_digest(const char *s, struct jc_error *err)
{
        size_t i;

        if (strncmp(s, "sha256:", 7) != 0 || strlen(s) != 7 + 64)
                return jc_error_set(err, 0, "`%s' is not a digest (sha256:<64 hex digits>)", s);
        for (i = 7; s[i] != '\0'; i++)
                if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
                        return jc_error_set(err, 0, "`%s' is not a digest (sha256:<64 hex digits>)",
                                            s);
        return 0;
}

int jc_mount_admitted(const struct jc_strv *patterns, const char *path, bool *ro_ok, bool *rw_ok,
                      struct jc_error *err)
{
        size_t i;

        *ro_ok = *rw_ok = false;
        for (i = 0; i < patterns->n; i++) {
                _cleanup_free_ char *pattern = NULL;
                bool rw;

                if (jc_parse_mount_pattern(patterns->v[i], &pattern, &rw, err) < 0)
                        return -1;
                if (!jc_path_admitted(pattern, path))
                        continue;
                *ro_ok = true;
                *rw_ok = *rw_ok || rw;
        }
        return 0;
}

bool jc_path_admitted(const char *pattern, const char *path)
{
        char buf[PATH_MAX];
        size_t len = strlen(path);
        char *slash;

        if (len >= sizeof(buf))
                return false;
        if (strcmp(pattern, "/") == 0)
                return path[0] == '/';
        memcpy(buf, path, len + 1);
        /* Try the path itself, then each leading directory. */
        for (;;) {
                if (fnmatch(pattern, buf, FNM_PATHNAME | FNM_PERIOD) == 0)
                        return true;
                slash = strrchr(buf, '/');
                if (slash == NULL || slash == buf)
                        return false;
                *slash = '\0';
        }
}
