/* Docker-format JSON seccomp profiles (moby/profiles seccomp.Seccomp; the
 * fields jobcell reads are listed in doc/seccomp.md).  They mean what
 * Docker makes of them: rules are included or left out by the job's
 * capabilities, the machine's architecture and kernel; "archMap" adds the
 * sub-architectures of the native one; a rule whose action is the default
 * action is dropped (as runc does).  Unlike Docker, everything is checked:
 * an unknown field, action, operator, architecture, capability or system
 * call name refuses the profile, naming the field (syscalls[3].action). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "seccomp_int.h"
#include "values.h"

#define PROFILE_MAX (4 << 20) /* Docker's default.json is 20 KiB */
#define WHERE_MAX   96

struct profile {
        uint64_t caps;
        uint32_t def_action;
        unsigned int flags;
        uint32_t arches[24]; /* besides the native one */
        size_t narches;
        scmp_filter_ctx native; /* the native architecture */
        scmp_filter_ctx other;  /* the others, or NULL */
        struct jc_error *err;
};

static int read_profile(const char *path, char **out, size_t *len, struct jc_error *err)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        char *buf;
        size_t n = 0;
        ssize_t r;

        if (fd < 0)
                return jc_error_set(err, errno, "open");
        buf = malloc(PROFILE_MAX + 1);
        if (buf == NULL)
                return jc_error_set(err, ENOMEM, "read");
        while ((r = read(fd, buf + n, PROFILE_MAX + 1 - n)) > 0 && n + (size_t)r <= PROFILE_MAX)
                n += (size_t)r;
        if (r != 0) {
                free(buf);
                if (r < 0)
                        return jc_error_set(err, errno, "read");
                return jc_error_set(err, EFBIG, "larger than %d bytes", PROFILE_MAX);
        }
        buf[n] = '\0';
        *out = buf;
        *len = n;
        return 0;
}

/* Parse TEXT as one JSON value; a syntax error names line and column. */
static json_object *parse_json(const char *text, size_t len, struct jc_error *err)
{
        struct json_tokener *tok = json_tokener_new();
        enum json_tokener_error jerr;
        json_object *root;
        size_t end, i;
        int line = 1, col = 1;

        if (tok == NULL) {
                jc_error_set(err, ENOMEM, "json_tokener_new");
                return NULL;
        }
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        root = json_tokener_parse_ex(tok, text, (int)len);
        jerr = json_tokener_get_error(tok);
        end = json_tokener_get_parse_end(tok);
        json_tokener_free(tok);
        if (root != NULL) {
                while (end < len && isspace((unsigned char)text[end]))
                        end++;
                if (end == len)
                        return root;
                json_object_put(root);
        }
        for (i = 0; i < end && i < len; i++) {
                if (text[i] == '\n') {
                        line++;
                        col = 1;
                } else {
                        col++;
                }
        }
        if (root != NULL)
                jc_error_set(err, 0, "line %d, column %d: text after the JSON object", line, col);
        else if (jerr == json_tokener_continue)
                jc_error_set(err, 0, "line %d, column %d: unexpected end of file", line, col);
        else
                jc_error_set(err, 0, "line %d, column %d: %s", line, col,
                             json_tokener_error_desc(jerr));
        return NULL;
}

static const char *type_name(json_type t)
{
        switch (t) {
        case json_type_null:
                return "null";
        case json_type_boolean:
                return "a boolean";
        case json_type_double:
        case json_type_int:
                return "a number";
        case json_type_object:
                return "an object";
        case json_type_array:
                return "an array";
        case json_type_string:
                return "a string";
        }
        return "?";
}

/* Is V of type T?  Otherwise an error "WHERE: is X, not Y". */
static bool want(json_object *v, json_type t, const char *where, struct jc_error *err)
{
        if (json_object_is_type(v, t))
                return true;
        jc_error_set(err, 0, "%s: must be %s, not %s", where, type_name(t),
                     type_name(json_object_get_type(v)));
        return false;
}

/* Every field of object O is one of KNOWN (NULL-terminated). */
static int known_fields(json_object *o, const char *const *known, const char *where,
                        struct jc_error *err)
{
        json_object_object_foreach(o, key, val)
        {
                size_t i;

                (void)val;
                for (i = 0; known[i] != NULL && strcmp(known[i], key) != 0; i++)
                        ;
                if (known[i] == NULL)
                        return jc_error_set(err, 0, "%s%s%s: unknown field", where,
                                            *where ? "." : "", key);
        }
        return 0;
}

static int get_uint(json_object *v, uint64_t max, const char *where, uint64_t *out,
                    struct jc_error *err)
{
        if (!want(v, json_type_int, where, err))
                return -1;
        if (json_object_get_int64(v) < 0 || json_object_get_uint64(v) > max)
                return jc_error_set(err, 0, "%s: %s is out of range 0-%llu", where,
                                    json_object_to_json_string(v), (unsigned long long)max);
        *out = json_object_get_uint64(v);
        return 0;
}

static const struct {
        const char *name;
        uint32_t action; /* SCMP_ACT_ERRNO(0), SCMP_ACT_TRACE(0): take errnoRet */
} actions[] = {
        { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW },
        { "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0) },
        { "SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD },
        { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD },
        { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS },
        { "SCMP_ACT_TRAP", SCMP_ACT_TRAP },
        { "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0) },
        { "SCMP_ACT_LOG", SCMP_ACT_LOG },
};

/* ACTION (a string field) with its errno field RET (may be NULL). */
static int get_action(json_object *action, json_object *ret, const char *where,
                      const char *ret_field, uint32_t *out, struct jc_error *err)
{
        char sub[WHERE_MAX];
        uint64_t value = EPERM;
        const char *s;
        size_t i;

        jc_format(sub, sizeof(sub), "%s%s", where, *where ? ".action" : "defaultAction");
        if (action == NULL)
                return jc_error_set(err, 0, "%s: missing", sub);
        if (!want(action, json_type_string, sub, err))
                return -1;
        s = json_object_get_string(action);
        if (strcmp(s, "SCMP_ACT_NOTIFY") == 0)
                return jc_error_set(err, 0,
                                    "%s: SCMP_ACT_NOTIFY is not supported (no seccomp agent)", sub);
        for (i = 0; i < JC_ARRAY_SIZE(actions) && strcmp(actions[i].name, s) != 0; i++)
                ;
        if (i == JC_ARRAY_SIZE(actions))
                return jc_error_set(err, 0,
                                    "%s: unknown action `%s' (SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, "
                                    "SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL, "
                                    "SCMP_ACT_TRAP, SCMP_ACT_TRACE or SCMP_ACT_LOG)",
                                    sub, s);
        *out = actions[i].action;
        if (ret == NULL) {
                /* Docker's (and runc's) errno when none is given. */
                if (*out == SCMP_ACT_ERRNO(0) || *out == SCMP_ACT_TRACE(0))
                        *out |= EPERM;
                return 0;
        }
        jc_format(sub, sizeof(sub), "%s%s%s", where, *where ? "." : "", ret_field);
        if (*out != SCMP_ACT_ERRNO(0) && *out != SCMP_ACT_TRACE(0))
                return jc_error_set(err, 0, "%s: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one",
                                    sub);
        /* 4095 is the largest errno (MAX_ERRNO). */
        if (get_uint(ret, 4095, sub, &value, err) < 0)
                return -1;
        *out |= (uint32_t)value;
        return 0;
}

/* The names and arguments as OCI and Docker write them. */
static const char *const arch_names[] = {
        "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
        "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
        "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
        "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
        "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",     "SCMP_ARCH_LOONGARCH64",
        "SCMP_ARCH_M68K",    "SCMP_ARCH_SH",       "SCMP_ARCH_SHEB",
};

/* Docker's names in includes.arches / excludes.arches (Go's). */
static const char *const goarch_names[] = {
        "amd64",       "x86",     "x32",         "arm",       "arm64",    "mips",
        "mipsle",      "mipsel",  "mips64",      "mips64n32", "mipsel64", "mips3l64n32",
        "mipsel64n32", "ppc",     "ppc64",       "ppc64le",   "s390",     "s390x",
        "riscv64",     "loong64", "loongarch64", NULL,
};

/* An architecture name: its libseccomp token, or 0 for one this
 * libseccomp does not know (so not the native one: it is skipped). */
static int get_arch(json_object *v, const char *where, uint32_t *token, struct jc_error *err)
{
        char lower[32];
        const char *s;
        size_t i;

        if (!want(v, json_type_string, where, err))
                return -1;
        s = json_object_get_string(v);
        for (i = 0; i < JC_ARRAY_SIZE(arch_names) && strcmp(arch_names[i], s) != 0; i++)
                ;
        if (i == JC_ARRAY_SIZE(arch_names))
                return jc_error_set(err, 0,
                                    "%s: unknown architecture `%s' (SCMP_ARCH_X86_64, "
                                    "SCMP_ARCH_AARCH64, ...)",
                                    where, s);
        s += strlen("SCMP_ARCH_");
        for (i = 0; s[i] != '\0' && i + 1 < sizeof(lower); i++)
                lower[i] = (char)tolower((unsigned char)s[i]);
        lower[i] = '\0';
        *token = seccomp_arch_resolve_name(lower);
        return 0;
}

static int add_arch(struct profile *p, uint32_t token, const char *where)
{
        size_t i;

        if (token == 0 || token == seccomp_arch_native())
                return 0;
        for (i = 0; i < p->narches; i++)
                if (p->arches[i] == token)
                        return 0;
        if (p->narches == JC_ARRAY_SIZE(p->arches))
                return jc_error_set(p->err, 0, "%s: too many architectures", where);
        p->arches[p->narches++] = token;
        return 0;
}

static int read_arches(struct profile *p, json_object *root)
{
        json_object *list = NULL, *map = NULL;
        char where[WHERE_MAX];
        size_t i, j;
        uint32_t token;

        json_object_object_get_ex(root, "architectures", &list);
        json_object_object_get_ex(root, "archMap", &map);
        if (list != NULL && map != NULL && json_object_array_length(list) > 0 &&
            json_object_array_length(map) > 0)
                return jc_error_set(p->err, 0, "architectures and archMap: use one of them");
        if (list != NULL) {
                if (!want(list, json_type_array, "architectures", p->err))
                        return -1;
                for (i = 0; i < json_object_array_length(list); i++) {
                        jc_format(where, sizeof(where), "architectures[%zu]", i);
                        if (get_arch(json_object_array_get_idx(list, i), where, &token, p->err) <
                                    0 ||
                            add_arch(p, token, where) < 0)
                                return -1;
                }
        }
        if (map == NULL)
                return 0;
        if (!want(map, json_type_array, "archMap", p->err))
                return -1;
        for (i = 0; i < json_object_array_length(map); i++) {
                static const char *const fields[] = { "architecture", "subArchitectures", NULL };
                json_object *e = json_object_array_get_idx(map, i), *a = NULL, *subs = NULL;
                bool native;

                jc_format(where, sizeof(where), "archMap[%zu]", i);
                if (!want(e, json_type_object, where, p->err) ||
                    known_fields(e, fields, where, p->err) < 0)
                        return -1;
                jc_format(where, sizeof(where), "archMap[%zu].architecture", i);
                if (!json_object_object_get_ex(e, "architecture", &a))
                        return jc_error_set(p->err, 0, "%s: missing", where);
                if (get_arch(a, where, &token, p->err) < 0)
                        return -1;
                /* Docker adds the sub-architectures of the native one only. */
                native = token == seccomp_arch_native();
                if (!json_object_object_get_ex(e, "subArchitectures", &subs) || subs == NULL)
                        continue;
                jc_format(where, sizeof(where), "archMap[%zu].subArchitectures", i);
                if (!want(subs, json_type_array, where, p->err))
                        return -1;
                for (j = 0; j < json_object_array_length(subs); j++) {
                        jc_format(where, sizeof(where), "archMap[%zu].subArchitectures[%zu]", i, j);
                        if (get_arch(json_object_array_get_idx(subs, j), where, &token, p->err) < 0)
                                return -1;
                        if (native && add_arch(p, token, where) < 0)
                                return -1;
                }
        }
        return 0;
}

static int read_flags(struct profile *p, json_object *flags)
{
        char where[WHERE_MAX];
        size_t i;

        if (flags == NULL)
                return 0;
        if (!want(flags, json_type_array, "flags", p->err))
                return -1;
        for (i = 0; i < json_object_array_length(flags); i++) {
                json_object *f = json_object_array_get_idx(flags, i);
                const char *s;

                jc_format(where, sizeof(where), "flags[%zu]", i);
                if (!want(f, json_type_string, where, p->err))
                        return -1;
                s = json_object_get_string(f);
                if (strcmp(s, "SECCOMP_FILTER_FLAG_LOG") == 0)
                        p->flags |= SECCOMP_FILTER_FLAG_LOG;
                else if (strcmp(s, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
                        p->flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
                else if (strcmp(s, "SECCOMP_FILTER_FLAG_TSYNC") != 0)
                        /* TSYNC means nothing here: the filter is loaded by
                         * a process with one thread, right before exec. */
                        return jc_error_set(p->err, 0,
                                            "%s: unknown or unsupported flag `%s' "
                                            "(SECCOMP_FILTER_FLAG_LOG, "
                                            "SECCOMP_FILTER_FLAG_SPEC_ALLOW, "
                                            "SECCOMP_FILTER_FLAG_TSYNC)",
                                            where, s);
        }
        return 0;
}

/* includes / excludes: does the condition hold for this job and host?
 * INCLUDE: every listed capability held, the native architecture listed,
 * the kernel at least minKernel.  Exclude: any of those. */
static int condition(struct profile *p, json_object *c, bool include, const char *where,
                     bool *holds)
{
        static const char *const fields[] = { "caps", "arches", "minKernel", NULL };
        json_object *caps = NULL, *arches = NULL, *kernel = NULL;
        char sub[WHERE_MAX];
        size_t i, j;

        *holds = include;
        if (c == NULL)
                return 0;
        if (!want(c, json_type_object, where, p->err) || known_fields(c, fields, where, p->err) < 0)
                return -1;
        if (json_object_object_get_ex(c, "caps", &caps) && caps != NULL) {
                jc_format(sub, sizeof(sub), "%s.caps", where);
                if (!want(caps, json_type_array, sub, p->err))
                        return -1;
                for (i = 0; i < json_object_array_length(caps); i++) {
                        json_object *e = json_object_array_get_idx(caps, i);
                        struct jc_error cerr = { 0 };
                        uint64_t bit;
                        bool held;

                        jc_format(sub, sizeof(sub), "%s.caps[%zu]", where, i);
                        if (!want(e, json_type_string, sub, p->err))
                                return -1;
                        if (jc_parse_caps(json_object_get_string(e), false, &bit, &cerr) < 0 ||
                            bit == 0 || (bit & (bit - 1)) != 0)
                                return jc_error_set(p->err, 0, "%s: unknown capability `%s'", sub,
                                                    json_object_get_string(e));
                        held = (p->caps & bit) != 0;
                        if (include && !held)
                                *holds = false;
                        if (!include && held)
                                *holds = true;
                }
        }
        if (json_object_object_get_ex(c, "arches", &arches) && arches != NULL) {
                bool listed = false;

                jc_format(sub, sizeof(sub), "%s.arches", where);
                if (!want(arches, json_type_array, sub, p->err))
                        return -1;
                for (i = 0; i < json_object_array_length(arches); i++) {
                        json_object *e = json_object_array_get_idx(arches, i);
                        const char *s;

                        jc_format(sub, sizeof(sub), "%s.arches[%zu]", where, i);
                        if (!want(e, json_type_string, sub, p->err))
                                return -1;
                        s = json_object_get_string(e);
                        for (j = 0; goarch_names[j] != NULL && strcmp(goarch_names[j], s) != 0; j++)
                                ;
                        if (goarch_names[j] == NULL)
                                return jc_error_set(p->err, 0,
                                                    "%s: unknown architecture `%s' (amd64, arm64, "
                                                    "x86, x32, arm, ppc64le, s390x, riscv64, ...)",
                                                    sub, s);
                        listed = listed || strcmp(s, jc_sc_native_goarch()) == 0;
                }
                if (include && json_object_array_length(arches) > 0 && !listed)
                        *holds = false;
                if (!include && listed)
                        *holds = true;
        }
        if (json_object_object_get_ex(c, "minKernel", &kernel) && kernel != NULL) {
                unsigned int major, minor;
                int end = 0;
                const char *s;
                bool at_least;

                jc_format(sub, sizeof(sub), "%s.minKernel", where);
                if (!want(kernel, json_type_string, sub, p->err))
                        return -1;
                s = json_object_get_string(kernel);
                if (*s == '\0')
                        return 0;
                if (!isdigit((unsigned char)*s) ||
                    sscanf(s, "%u.%u%n", &major, &minor, &end) != 2 || s[end] != '\0' ||
                    (major == 0 && minor == 0))
                        return jc_error_set(p->err, 0, "%s: `%s' is not a kernel version (4.8)",
                                            sub, s);
                at_least = jc_sc_kernel_at_least(major, minor);
                if (include && !at_least)
                        *holds = false;
                if (!include && at_least)
                        *holds = true;
        }
        return 0;
}

static const struct {
        const char *name;
        enum scmp_compare op;
} ops[] = {
        { "SCMP_CMP_NE", SCMP_CMP_NE },
        { "SCMP_CMP_LT", SCMP_CMP_LT },
        { "SCMP_CMP_LE", SCMP_CMP_LE },
        { "SCMP_CMP_EQ", SCMP_CMP_EQ },
        { "SCMP_CMP_GE", SCMP_CMP_GE },
        { "SCMP_CMP_GT", SCMP_CMP_GT },
        { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static int read_args(struct profile *p, json_object *args, const char *where,
                     struct scmp_arg_cmp *cmp, unsigned int *n)
{
        static const char *const fields[] = { "index", "value", "valueTwo", "op", NULL };
        char sub[WHERE_MAX];
        size_t i, j;

        *n = 0;
        if (args == NULL)
                return 0;
        jc_format(sub, sizeof(sub), "%s.args", where);
        if (!want(args, json_type_array, sub, p->err))
                return -1;
        if (json_object_array_length(args) > 6)
                return jc_error_set(p->err, 0, "%s: more than 6 comparisons", sub);
        for (i = 0; i < json_object_array_length(args); i++) {
                json_object *a = json_object_array_get_idx(args, i), *v;
                struct scmp_arg_cmp c = { 0 };
                uint64_t index = 0;
                const char *op;

                jc_format(sub, sizeof(sub), "%s.args[%zu]", where, i);
                if (!want(a, json_type_object, sub, p->err) ||
                    known_fields(a, fields, sub, p->err) < 0)
                        return -1;
                jc_format(sub, sizeof(sub), "%s.args[%zu].index", where, i);
                if (!json_object_object_get_ex(a, "index", &v))
                        return jc_error_set(p->err, 0, "%s: missing", sub);
                if (get_uint(v, 5, sub, &index, p->err) < 0)
                        return -1;
                c.arg = (unsigned int)index;
                jc_format(sub, sizeof(sub), "%s.args[%zu].value", where, i);
                if (json_object_object_get_ex(a, "value", &v) &&
                    get_uint(v, UINT64_MAX, sub, &c.datum_a, p->err) < 0)
                        return -1;
                jc_format(sub, sizeof(sub), "%s.args[%zu].valueTwo", where, i);
                if (json_object_object_get_ex(a, "valueTwo", &v) &&
                    get_uint(v, UINT64_MAX, sub, &c.datum_b, p->err) < 0)
                        return -1;
                jc_format(sub, sizeof(sub), "%s.args[%zu].op", where, i);
                if (!json_object_object_get_ex(a, "op", &v))
                        return jc_error_set(p->err, 0, "%s: missing", sub);
                if (!want(v, json_type_string, sub, p->err))
                        return -1;
                op = json_object_get_string(v);
                for (j = 0; j < JC_ARRAY_SIZE(ops) && strcmp(ops[j].name, op) != 0; j++)
                        ;
                if (j == JC_ARRAY_SIZE(ops))
                        return jc_error_set(p->err, 0,
                                            "%s: unknown operator `%s' (SCMP_CMP_EQ, SCMP_CMP_NE, "
                                            "SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_GT, SCMP_CMP_GE, "
                                            "SCMP_CMP_MASKED_EQ)",
                                            sub, op);
                c.op = ops[j].op;
                /* libseccomp 2.5 cannot AND two comparisons of one argument
                 * (runc turns them into separate rules, an OR: not what
                 * the profile says). */
                for (j = 0; j < *n; j++)
                        if (cmp[j].arg == c.arg)
                                return jc_error_set(p->err, 0,
                                                    "%s.args[%zu].index: a second comparison of "
                                                    "argument %u (libseccomp cannot combine "
                                                    "them; write two rules)",
                                                    where, i, c.arg);
                cmp[(*n)++] = c;
        }
        return 0;
}

static int add_names(struct profile *p, json_object *names, const char *field, const char *where,
                     uint32_t action, bool apply, const struct scmp_arg_cmp *cmp, unsigned int n)
{
        char sub[WHERE_MAX];
        size_t i, count = 1;
        bool list = json_object_is_type(names, json_type_array);

        if (list)
                count = json_object_array_length(names);
        if (count == 0)
                return jc_error_set(p->err, 0, "%s.%s: empty", where, field);
        for (i = 0; i < count; i++) {
                json_object *e = list ? json_object_array_get_idx(names, i) : names;
                const char *name;

                if (list)
                        jc_format(sub, sizeof(sub), "%s.%s[%zu]", where, field, i);
                else
                        jc_format(sub, sizeof(sub), "%s.%s", where, field);
                if (!want(e, json_type_string, sub, p->err))
                        return -1;
                name = json_object_get_string(e);
                if (!jc_sc_known(name))
                        return jc_error_set(p->err, 0, "%s: unknown system call `%s'", sub, name);
                if (!apply)
                        continue;
                if (jc_sc_rule(p->native, true, name, action, n, cmp, p->err) < 0 ||
                    (p->other != NULL &&
                     jc_sc_rule(p->other, false, name, action, n, cmp, p->err) < 0))
                        return jc_error_wrap(p->err, "%s", sub);
        }
        return 0;
}

static int read_syscall(struct profile *p, json_object *s, size_t idx)
{
        static const char *const fields[] = { "names",   "name",     "action",   "errnoRet", "args",
                                              "comment", "includes", "excludes", NULL };
        json_object *names = NULL, *name = NULL, *action = NULL, *ret = NULL, *args = NULL,
                    *inc = NULL, *exc = NULL;
        struct scmp_arg_cmp cmp[6];
        char where[WHERE_MAX], sub[WHERE_MAX];
        bool included, excluded;
        unsigned int n;
        uint32_t act;

        jc_format(where, sizeof(where), "syscalls[%zu]", idx);
        if (!want(s, json_type_object, where, p->err) || known_fields(s, fields, where, p->err) < 0)
                return -1;
        json_object_object_get_ex(s, "names", &names);
        json_object_object_get_ex(s, "name", &name);
        json_object_object_get_ex(s, "action", &action);
        json_object_object_get_ex(s, "errnoRet", &ret);
        json_object_object_get_ex(s, "args", &args);
        json_object_object_get_ex(s, "includes", &inc);
        json_object_object_get_ex(s, "excludes", &exc);
        if (names != NULL && name != NULL)
                return jc_error_set(p->err, 0, "%s: names and name: use one of them", where);
        if (names == NULL && name == NULL)
                return jc_error_set(p->err, 0, "%s.names: missing", where);
        if (names != NULL) {
                jc_format(sub, sizeof(sub), "%s.names", where);
                if (!want(names, json_type_array, sub, p->err))
                        return -1;
        }
        if (get_action(action, ret, where, "errnoRet", &act, p->err) < 0 ||
            read_args(p, args, where, cmp, &n) < 0)
                return -1;
        jc_format(sub, sizeof(sub), "%s.includes", where);
        if (condition(p, inc, true, sub, &included) < 0)
                return -1;
        jc_format(sub, sizeof(sub), "%s.excludes", where);
        if (condition(p, exc, false, sub, &excluded) < 0)
                return -1;
        /* A rule that says what the default says changes nothing, and
         * libseccomp refuses it (EACCES). */
        return add_names(p, names != NULL ? names : name, names != NULL ? "names" : "name", where,
                         act, included && !excluded && act != p->def_action, cmp, n);
}

static int new_contexts(struct profile *p)
{
        size_t i;
        int rc;

        p->native = jc_sc_new(p->def_action, p->err);
        if (p->native == NULL)
                return -1;
        if (p->narches == 0)
                return 0;
        /* The other architectures get a context of their own, merged in at
         * the end: rules for calls only jobcell's table can number are for
         * the native architecture only, and libseccomp refuses a rule it
         * cannot translate for every architecture of a context. */
        p->other = jc_sc_new(p->def_action, p->err);
        if (p->other == NULL)
                return -1;
        for (i = 0; i < p->narches; i++) {
                rc = seccomp_arch_add(p->other, p->arches[i]);
                if (rc < 0 && rc != -EEXIST)
                        return jc_error_set(p->err, -rc, "add architecture %u", p->arches[i]);
        }
        rc = seccomp_arch_remove(p->other, SCMP_ARCH_NATIVE);
        if (rc < 0)
                return jc_error_set(p->err, -rc, "seccomp_arch_remove");
        return 0;
}

static int build(struct profile *p, json_object *root, struct jc_bpf *bpf)
{
        static const char *const fields[] = { "defaultAction", "defaultErrnoRet",  "architectures",
                                              "archMap",       "syscalls",         "flags",
                                              "listenerPath",  "listenerMetadata", NULL };
        json_object *v = NULL, *ret = NULL, *syscalls = NULL, *flags = NULL;
        size_t i;
        int rc;

        if (!want(root, json_type_object, "the profile", p->err) ||
            known_fields(root, fields, "", p->err) < 0)
                return -1;
        json_object_object_get_ex(root, "defaultAction", &v);
        json_object_object_get_ex(root, "defaultErrnoRet", &ret);
        if (get_action(v, ret, "", "defaultErrnoRet", &p->def_action, p->err) < 0)
                return -1;
        if (json_object_object_get_ex(root, "listenerPath", &v) && v != NULL &&
            (!json_object_is_type(v, json_type_string) || *json_object_get_string(v) != '\0'))
                return jc_error_set(p->err, 0, "listenerPath: not supported (no seccomp agent)");
        json_object_object_get_ex(root, "flags", &flags);
        if (read_flags(p, flags) < 0 || read_arches(p, root) < 0 || new_contexts(p) < 0)
                return -1;
        if (json_object_object_get_ex(root, "syscalls", &syscalls) && syscalls != NULL) {
                if (!want(syscalls, json_type_array, "syscalls", p->err))
                        return -1;
                for (i = 0; i < json_object_array_length(syscalls); i++)
                        if (read_syscall(p, json_object_array_get_idx(syscalls, i), i) < 0)
                                return -1;
        }
        if (p->other != NULL) {
                rc = seccomp_merge(p->native, p->other);
                if (rc < 0)
                        return jc_error_set(p->err, -rc, "merge the architectures' filters");
                p->other = NULL; /* seccomp_merge released it */
        }
        return jc_sc_export(p->native, p->flags, bpf, p->err);
}

int jc_sc_profile(const char *path, uint64_t caps, struct jc_bpf *bpf, struct jc_error *err)
{
        struct profile p = { .caps = caps, .err = err };
        _cleanup_free_ char *text = NULL;
        json_object *root;
        size_t len = 0;
        int rc;

        if (read_profile(path, &text, &len, err) < 0)
                return -1;
        root = parse_json(text, len, err);
        if (root == NULL)
                return -1;
        rc = build(&p, root, bpf);
        json_object_put(root);
        if (p.other != NULL)
                seccomp_release(p.other);
        if (p.native != NULL)
                seccomp_release(p.native);
        return rc;
}
