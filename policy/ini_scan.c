#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "ini_scan.h"

static int add_entry(struct jc_ini_scan *scan, int line, const char *section, const char *key,
                     const char *value, struct jc_error *err)
{
        struct jc_ini_entry *nv, *e;

        nv = realloc(scan->v, (scan->n + 1) * sizeof(*nv));
        if (nv == NULL)
                return jc_error_set(err, errno, "scan policy");
        scan->v = nv;
        e = &scan->v[scan->n];
        *e = (struct jc_ini_entry){ .line = line };
        if (section != NULL && (e->section = jc_strdup(section, err)) == NULL)
                return -1;
        if ((key != NULL && (e->key = jc_strdup(key, err)) == NULL) ||
            (value != NULL && (e->value = jc_strdup(value, err)) == NULL)) {
                free(e->section);
                free(e->key);
                return -1;
        }
        scan->n++;
        return 0;
}

/* One logical line (continuations joined), as iniparser_line classifies it. */
static int scan_line(struct jc_ini_scan *scan, const char *path, int lineno, char *text,
                     char **section, struct jc_strv *diags, struct jc_error *err)
{
        char *line = jc_strtrim(text), *eq, *key;
        size_t len = strlen(line);

        if (len == 0 || line[0] == '#' || line[0] == ';')
                return 0;
        if (line[0] == '[' && line[len - 1] == ']') {
                line[len - 1] = '\0';
                free(*section);
                *section = jc_strdup(jc_strtrim(line + 1), err);
                if (*section == NULL)
                        return -1;
                return add_entry(scan, lineno, *section, NULL, NULL, err);
        }
        eq = strchr(line, '=');
        if (eq == NULL || eq == line)
                return jc_diag(diags, err, "%s:%d: not a [section] or key = value line", path,
                               lineno);
        *eq = '\0';
        key = jc_strtrim(line);
        if (*section == NULL)
                return jc_diag(diags, err, "%s:%d: key `%s' is outside any section", path, lineno,
                               key);
        return add_entry(scan, lineno, *section, key, jc_strtrim(eq + 1), err);
}

int jc_ini_scan(const char *path, struct jc_ini_scan *scan, struct jc_strv *diags,
                struct jc_error *err)
{
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *buf = NULL, *logical = NULL, *section = NULL;
        size_t cap = 0, llen = 0;
        ssize_t n;
        int lineno = 0, first = 0, rc = 0;

        memset(scan, 0, sizeof(*scan));
        f = fopen(path, "re");
        if (f == NULL)
                return jc_error_set(err, errno, "open policy `%s'", path);
        while (rc == 0 && (n = getline(&buf, &cap, f)) >= 0) {
                char *nl;
                size_t blen;

                lineno++;
                if ((size_t)n > JC_INI_LINE_MAX)
                        rc = jc_diag(diags, err, "%s:%d: line longer than %d characters", path,
                                     lineno, JC_INI_LINE_MAX);
                nl = strchr(buf, '\n');
                if (nl != NULL)
                        *nl = '\0';
                blen = strlen(buf);
                while (blen > 0 &&
                       (buf[blen - 1] == ' ' || buf[blen - 1] == '\t' || buf[blen - 1] == '\r'))
                        buf[--blen] = '\0';
                if (logical == NULL)
                        first = lineno;
                /* A trailing backslash continues the line (iniparser joins). */
                logical = realloc(logical, llen + blen + 1);
                if (logical == NULL)
                        return jc_error_set(err, errno, "scan policy `%s'", path);
                memcpy(logical + llen, buf, blen + 1);
                llen += blen;
                if (blen > 0 && buf[blen - 1] == '\\') {
                        logical[--llen] = '\0';
                        continue;
                }
                rc = scan_line(scan, path, first, logical, &section, diags, err);
                free(logical);
                logical = NULL;
                llen = 0;
        }
        if (rc == 0 && ferror(f))
                rc = jc_error_set(err, errno, "read policy `%s'", path);
        if (rc == 0 && logical != NULL)
                rc = scan_line(scan, path, first, logical, &section, diags, err);
        if (rc < 0)
                jc_ini_scan_free(scan);
        return rc;
}

void jc_ini_scan_free(struct jc_ini_scan *scan)
{
        size_t i;

        for (i = 0; i < scan->n; i++) {
                free(scan->v[i].section);
                free(scan->v[i].key);
                free(scan->v[i].value);
        }
        free(scan->v);
        memset(scan, 0, sizeof(*scan));
}
