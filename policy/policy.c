#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "ini_scan.h"
#include "iniparser_compat.h"
#include "keys.h"
#include "policy.h"

/* State of one load: the file, its iniparser dictionary, where problems go. */
struct loader {
        const char *path;
        dictionary *dict;
        struct jc_policy *pol;
        struct jc_strv *diags;
        struct jc_strv said; /* iniparser's own messages */
        struct jc_error *err;
        int rc; /* -1 once memory ran out */
};

static void say(struct loader *ld, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct loader *ld, const char *fmt, ...)
{
        char buf[JC_ERROR_MSG_MAX];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        if (jc_diag(ld->diags, ld->err, "%s", buf) < 0)
                ld->rc = -1;
}

/* iniparser reports syntax errors through a printf-like callback with no
 * user data; route them to the loader of the current call. */
static __thread struct loader *current_loader;

static int iniparser_says(const char *fmt, ...)
{
        char buf[JC_ERROR_MSG_MAX];
        va_list ap;

        char *nl;

        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        /* Its syntax errors span two lines ("...:\n-> line"): keep one. */
        while ((nl = strchr(buf, '\n')) != NULL)
                *nl = ' ';
        if (current_loader != NULL)
                jc_diag(&current_loader->said, NULL, "%s: %s", current_loader->path,
                        jc_strtrim(buf));
        return 0;
}

static void section_free(struct jc_section *s)
{
        int i;

        free(s->name);
        for (i = 0; i < JC_K_COUNT; i++)
                jc_value_free(&s->v[i]);
        for (i = 0; i < RLIMIT_NLIMITS; i++)
                jc_value_free(&s->rlimit[i]);
        memset(s, 0, sizeof(*s));
}

void jc_policy_free(struct jc_policy *pol)
{
        size_t i;

        if (pol == NULL)
                return;
        section_free(&pol->defaults);
        for (i = 0; i < pol->nparts; i++)
                section_free(&pol->parts[i]);
        free(pol->parts);
        free(pol->path);
        free(pol);
}

const struct jc_section *jc_policy_partition(const struct jc_policy *pol, const char *partition)
{
        size_t i;

        if (pol == NULL || partition == NULL)
                return NULL;
        for (i = 0; i < pol->nparts; i++)
                if (strcmp(pol->parts[i].name, partition) == 0)
                        return &pol->parts[i];
        return NULL;
}

static char *lowercase(const char *s)
{
        char *d = strdup(s);
        char *p;

        for (p = d; p && *p; p++)
                *p = (char)tolower((unsigned char)*p);
        return d;
}

/* The partition name in "partition NAME", or NULL if HEADER is not one. */
static const char *partition_name(const char *header)
{
        if (strncasecmp(header, "partition", 9) != 0 || !isspace((unsigned char)header[9]))
                return NULL;
        header += 9;
        while (isspace((unsigned char)*header))
                header++;
        return header;
}

static bool bad_partition_name(const char *name)
{
        const char *p;

        if (*name == '\0')
                return true;
        for (p = name; *p; p++)
                if (isspace((unsigned char)*p) || *p == ',' || *p == ':')
                        return true;
        return false;
}

/* A new section for HEADER at LINE, or NULL (and a diagnostic). */
static struct jc_section *open_section(struct loader *ld, const char *header, int line)
{
        struct jc_policy *pol = ld->pol;
        struct jc_section *nv, *sec;
        const char *name = partition_name(header);
        size_t i;

        if (strcasecmp(header, "defaults") == 0) {
                if (pol->defaults.line != 0) {
                        say(ld, "%s:%d: [%s] repeats the section at line %d", ld->path, line,
                            header, pol->defaults.line);
                        return NULL;
                }
                pol->defaults.line = line;
                return &pol->defaults;
        }
        if (name == NULL || bad_partition_name(name)) {
                say(ld,
                    "%s:%d: [%s] is not a section jobcell knows "
                    "(expected [defaults] or [partition NAME], NAME without blanks, `,' or `:')",
                    ld->path, line, header);
                return NULL;
        }
        for (i = 0; i < pol->nparts; i++) {
                if (strcasecmp(pol->parts[i].name, name) != 0)
                        continue;
                if (strcmp(pol->parts[i].name, name) == 0)
                        say(ld, "%s:%d: [%s] repeats the section at line %d", ld->path, line,
                            header, pol->parts[i].line);
                else
                        say(ld,
                            "%s:%d: [%s] differs only in case from [partition %s] at line %d: "
                            "Slurm partition names are case-sensitive but INI section names "
                            "are not, so the two cannot be told apart",
                            ld->path, line, header, pol->parts[i].name, pol->parts[i].line);
                return NULL;
        }
        nv = realloc(pol->parts, (pol->nparts + 1) * sizeof(*nv));
        if (nv == NULL) {
                ld->rc = jc_error_set(ld->err, errno, "load policy");
                return NULL;
        }
        pol->parts = nv;
        sec = &pol->parts[pol->nparts];
        memset(sec, 0, sizeof(*sec));
        sec->name = strdup(name);
        if (sec->name == NULL) {
                ld->rc = jc_error_set(ld->err, errno, "load policy");
                return NULL;
        }
        sec->line = line;
        pol->nparts++;
        return sec;
}

static void section_label(const struct jc_section *sec, char *buf, size_t len)
{
        if (sec->is_defaults)
                jc_format(buf, len, "[defaults]");
        else
                jc_format(buf, len, "[partition %s]", sec->name);
}

/* The value slot for KEY in SEC, or NULL (and a diagnostic). */
static struct jc_value *key_slot(struct loader *ld, struct jc_section *sec, const char *key,
                                 int line, int *id, int *res)
{
        char label[512];

        section_label(sec, label, sizeof(label));
        *id = jc_key_lookup(key);
        *res = *id < 0 ? jc_key_rlimit(key) : -1;
        if (*id < 0 && *res < 0) {
                say(ld, "%s:%d: %s %s: unknown key", ld->path, line, label, key);
                return NULL;
        }
        if (*id >= 0 && (jc_keys[*id].flags & JC_KEY_PARTITION_ONLY) && sec == &ld->pol->defaults) {
                say(ld, "%s:%d: [defaults] %s: may only be set in a [partition NAME] section",
                    ld->path, line, key);
                return NULL;
        }
        return *id >= 0 ? &sec->v[*id] : &sec->rlimit[*res];
}

/* iniparser reads `key = "quoted" rest' as `quoted' and drops the rest
 * without a word; only blanks or a comment may follow a closing quote. */
static bool text_after_quote(const char *raw)
{
        const char *close;

        if (raw == NULL || (raw[0] != '"' && raw[0] != '\''))
                return false;
        close = strchr(raw + 1, raw[0]);
        if (close == NULL)
                return false; /* no closing quote: iniparser reads it unquoted */
        for (close++; isspace((unsigned char)*close); close++)
                ;
        return *close != '\0' && *close != ';' && *close != '#';
}

static void read_key(struct loader *ld, struct jc_section *sec, const struct jc_ini_entry *e)
{
        _cleanup_free_ char *key = lowercase(e->key);
        /* iniparser's name for the section: the header as written,
         * lowercased ("[partition  GPU]" is "partition  gpu"). */
        _cleanup_free_ char *lsec = lowercase(e->section);
        const char *raw_value = e->value;
        int line = e->line;
        char full[2 * JC_INI_LINE_MAX + 2], label[512];
        struct jc_value *v;
        struct jc_error perr = { 0 };
        const char *text;
        int id, res;

        if (key == NULL || lsec == NULL) {
                ld->rc = jc_error_set(ld->err, errno, "load policy");
                return;
        }
        section_label(sec, label, sizeof(label));
        if (strchr(key, ':') != NULL) {
                say(ld, "%s:%d: %s %s: `:' is not allowed in a key", ld->path, line, label, key);
                return;
        }
        v = key_slot(ld, sec, key, line, &id, &res);
        if (v == NULL)
                return;
        if (v->line != 0) {
                say(ld,
                    "%s:%d: %s %s: repeats the key at line %d (iniparser would keep only "
                    "the last)",
                    ld->path, line, label, key, v->line);
                return;
        }
        v->line = line;
        jc_format(full, sizeof(full), "%s:%s", lsec, key);
        if (ld->dict == NULL)
                return; /* the file did not parse: names are checked, values cannot be */
        text = iniparser_getstring(ld->dict, full, NULL);
        if (text == NULL) {
                say(ld, "%s:%d: %s %s: iniparser did not read this line", ld->path, line, label,
                    key);
                return;
        }
        if (text_after_quote(raw_value)) {
                say(ld,
                    "%s:%d: %s %s = %s: text after the closing quote (iniparser would read "
                    "only `%s'; quote the whole value)",
                    ld->path, line, label, key, raw_value, text);
                return;
        }
        if ((id >= 0 ? jc_key_parse(id, text, v, &perr) : jc_rlimit_parse(text, v, &perr)) < 0) {
                v->set = false;
                if (perr.errnum == ENOMEM)
                        ld->rc = jc_error_set(ld->err, ENOMEM, "load policy");
                else
                        say(ld, "%s:%d: %s %s = %s: %s", ld->path, line, label, key, text,
                            perr.msg);
        }
}

static void read_sections(struct loader *ld, const struct jc_ini_scan *scan)
{
        struct jc_section *sec = NULL;
        size_t i;

        ld->pol->defaults.is_defaults = true;
        for (i = 0; i < scan->n && ld->rc == 0; i++) {
                const struct jc_ini_entry *e = &scan->v[i];

                if (e->key == NULL) {
                        if (strchr(e->section, ':') != NULL) {
                                say(ld,
                                    "%s:%d: [%s]: `:' is not allowed in a section name "
                                    "(iniparser joins section and key with `:')",
                                    ld->path, e->line, e->section);
                                sec = NULL;
                                continue;
                        }
                        sec = open_section(ld, e->section, e->line);
                        continue;
                }
                if (sec != NULL)
                        read_key(ld, sec, e);
        }
}

static void pick(struct jc_value *dst, const struct jc_value *part, const struct jc_value *def)
{
        /* A value written but refused (line set, not set) still hides the
         * one below it, so that it is not blamed for a conflict twice. */
        if (part != NULL && (part->set || part->line != 0)) {
                *dst = *part;
                dst->origin = JC_ORIGIN_PARTITION;
        } else if (def != NULL && (def->set || def->line != 0)) {
                *dst = *def;
                dst->origin = JC_ORIGIN_DEFAULTS;
        } else {
                memset(dst, 0, sizeof(*dst));
                dst->origin = JC_ORIGIN_BUILTIN;
        }
}

void jc_policy_effective(const struct jc_policy *pol, const char *partition, struct jc_section *eff)
{
        const struct jc_section *sec = jc_policy_partition(pol, partition);
        int i;

        memset(eff, 0, sizeof(*eff));
        eff->is_defaults = sec == NULL;
        eff->name = sec != NULL ? sec->name : (char *)"defaults";
        eff->line = sec != NULL ? sec->line : 0;
        for (i = 0; i < JC_K_COUNT; i++)
                pick(&eff->v[i], sec ? &sec->v[i] : NULL, pol ? &pol->defaults.v[i] : NULL);
        for (i = 0; i < RLIMIT_NLIMITS; i++)
                pick(&eff->rlimit[i], sec ? &sec->rlimit[i] : NULL,
                     pol ? &pol->defaults.rlimit[i] : NULL);
}

bool jc_policy_requires_sandbox(const struct jc_policy *pol, const char *partition)
{
        struct jc_section eff;

        jc_policy_effective(pol, partition, &eff);
        return eff.v[JC_K_REQUIRE_SANDBOX].set && eff.v[JC_K_REQUIRE_SANDBOX].num;
}

/* "network = host (line 3 of [defaults])" or "... (built-in default)". */
static void describe(const struct jc_value *v, int id, const char *builtin,
                     const struct jc_section *eff, char *buf, size_t len)
{
        if (!v->set)
                jc_format(buf, len, "%s = %s (built-in default)", jc_keys[id].name, builtin);
        else if (v->origin == JC_ORIGIN_DEFAULTS)
                jc_format(buf, len, "%s = %s (line %d, [defaults])", jc_keys[id].name, v->text,
                          v->line);
        else
                jc_format(buf, len, "%s = %s (line %d, [partition %s])", jc_keys[id].name, v->text,
                          v->line, eff->name);
}

/* Written in the file but refused: it counts as not set. */
static bool invalid(const struct jc_value *v)
{
        return v->line != 0 && !v->set;
}

/* A default (key DEF) outside what its *_allowed (key ALLOWED) says.
 * Reported once: in the pass of the section where one of the two stands. */
static void contradiction(struct loader *ld, const struct jc_section *eff, int def, int allowed,
                          const char *builtin)
{
        const struct jc_value *d = &eff->v[def], *a = &eff->v[allowed];
        char dtext[512], atext[512];
        int line;

        if (!eff->is_defaults && d->origin != JC_ORIGIN_PARTITION &&
            a->origin != JC_ORIGIN_PARTITION)
                return;
        /* A value that did not parse has its own message already. */
        if (invalid(d) || invalid(a))
                return;
        describe(d, def, builtin, eff, dtext, sizeof(dtext));
        describe(a, allowed, "", eff, atext, sizeof(atext));
        line = a->origin == (eff->is_defaults ? JC_ORIGIN_DEFAULTS : JC_ORIGIN_PARTITION) ? a->line
                                                                                          : d->line;
        if (eff->is_defaults)
                say(ld, "%s:%d: [defaults]: %s is outside %s", ld->path, line, dtext, atext);
        else
                say(ld, "%s:%d: [partition %s]: %s is outside %s", ld->path, line, eff->name, dtext,
                    atext);
}

static void check_section(struct loader *ld, const struct jc_section *eff,
                          const struct jc_spec *builtin)
{
        const struct jc_value *v = eff->v;
        int64_t net = v[JC_K_NETWORK].set ? v[JC_K_NETWORK].num : builtin->network;
        int64_t id = v[JC_K_IDENTITY].set ? v[JC_K_IDENTITY].num : builtin->identity;
        int64_t pids = v[JC_K_PIDS_LIMIT].set ? v[JC_K_PIDS_LIMIT].num : builtin->pids_limit;
        const char *sc = v[JC_K_SECCOMP].set ? v[JC_K_SECCOMP].text : builtin->seccomp;
        char num[32];

        /* network none is a tightening every job may choose, so only a
         * default of host has to be among the modes allowed. */
        if (v[JC_K_NETWORK_ALLOWED].set && net != JC_NET_NONE &&
            !(v[JC_K_NETWORK_ALLOWED].bits & (UINT64_C(1) << net)))
                contradiction(ld, eff, JC_K_NETWORK, JC_K_NETWORK_ALLOWED,
                              jc_network_names[builtin->network]);
        if (v[JC_K_IDENTITY_ALLOWED].set && !(v[JC_K_IDENTITY_ALLOWED].bits & (UINT64_C(1) << id)))
                contradiction(ld, eff, JC_K_IDENTITY, JC_K_IDENTITY_ALLOWED,
                              jc_identity_names[builtin->identity]);
        if (v[JC_K_SECCOMP_ALLOWED].set && !jc_strv_contains(&v[JC_K_SECCOMP_ALLOWED].list, sc))
                contradiction(ld, eff, JC_K_SECCOMP, JC_K_SECCOMP_ALLOWED, builtin->seccomp);
        jc_format(num, sizeof(num), "%lld", (long long)builtin->pids_limit);
        if (v[JC_K_PIDS_LIMIT_MAX].set && pids > v[JC_K_PIDS_LIMIT_MAX].num)
                contradiction(ld, eff, JC_K_PIDS_LIMIT, JC_K_PIDS_LIMIT_MAX, num);
}

static void check_policy(struct loader *ld)
{
        struct jc_spec builtin;
        struct jc_section eff;
        size_t i;

        if (jc_spec_init(&builtin, ld->err) < 0) {
                ld->rc = -1;
                return;
        }
        jc_policy_effective(ld->pol, NULL, &eff);
        check_section(ld, &eff, &builtin);
        for (i = 0; i < ld->pol->nparts; i++) {
                jc_policy_effective(ld->pol, ld->pol->parts[i].name, &eff);
                check_section(ld, &eff, &builtin);
        }
        jc_spec_free(&builtin);
}

int jc_policy_load(const char *path, struct jc_policy **out, struct jc_strv *diags,
                   struct jc_error *err)
{
        struct loader ld = { .path = path, .diags = diags, .err = err };
        struct jc_ini_scan scan;
        size_t before = diags->n;

        *out = NULL;
        if (jc_ini_scan(path, &scan, diags, err) < 0) {
                char buf[JC_ERROR_MSG_MAX + 128];

                jc_diag(diags, NULL, "%s", jc_error_text(err, buf, sizeof(buf)));
                return -1;
        }
        ld.pol = calloc(1, sizeof(*ld.pol));
        if (ld.pol == NULL || (ld.pol->path = strdup(path)) == NULL) {
                jc_ini_scan_free(&scan);
                jc_policy_free(ld.pol);
                return jc_error_set(err, errno, "load policy `%s'", path);
        }
        current_loader = &ld;
        iniparser_set_error_callback(iniparser_says);
        ld.dict = iniparser_load(path);
        iniparser_set_error_callback(NULL);
        current_loader = NULL;
        /* The scan finds the lines iniparser refuses and says where they
         * are; iniparser's own words are the fallback. */
        if (ld.dict == NULL && diags->n == before) {
                if (ld.said.n > 0 && jc_strv_copy(diags, &ld.said, err) < 0)
                        ld.rc = -1;
                if (ld.said.n == 0)
                        say(&ld, "%s: iniparser could not read the file", path);
        }
        jc_strv_free(&ld.said);
        read_sections(&ld, &scan);
        if (ld.rc == 0 && ld.dict != NULL)
                check_policy(&ld);
        if (ld.dict != NULL)
                iniparser_freedict(ld.dict);
        jc_ini_scan_free(&scan);
        if (ld.rc == 0 && diags->n > before)
                ld.rc = jc_error_set(err, 0, "%s", diags->v[before]);
        if (ld.rc < 0) {
                jc_policy_free(ld.pol);
                return -1;
        }
        *out = ld.pol;
        return 0;
}
