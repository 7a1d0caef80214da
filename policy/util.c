#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

void jc_freep(void *p)
{
        free(*(void **)p);
}

void jc_closep(const int *fd)
{
        if (*fd >= 0)
                close(*fd);
}

void jc_fclosep(FILE **f)
{
        if (*f != NULL)
                fclose(*f);
}

char *jc_strdup(const char *s, struct jc_error *err)
{
        char *d = strdup(s);

        if (d == NULL)
                jc_error_set(err, errno, "strdup");
        return d;
}

int jc_str_set(char **dst, const char *s, struct jc_error *err)
{
        char *d = jc_strdup(s, err);

        if (d == NULL)
                return -1;
        free(*dst);
        *dst = d;
        return 0;
}

char *jc_strtrim(char *s)
{
        size_t n;

        while (isspace((unsigned char)*s))
                s++;
        n = strlen(s);
        while (n > 0 && isspace((unsigned char)s[n - 1]))
                s[--n] = '\0';
        return s;
}

int jc_strv_push(struct jc_strv *sv, const char *s, struct jc_error *err)
{
        char **nv;
        char *d;

        d = jc_strdup(s, err);
        if (d == NULL)
                return -1;
        nv = realloc(sv->v, (sv->n + 2) * sizeof(*nv));
        if (nv == NULL) {
                free(d);
                return jc_error_set(err, errno, "grow string list");
        }
        nv[sv->n++] = d;
        nv[sv->n] = NULL;
        sv->v = nv;
        return 0;
}

int jc_strv_copy(struct jc_strv *dst, const struct jc_strv *src, struct jc_error *err)
{
        size_t i;

        for (i = 0; i < src->n; i++)
                if (jc_strv_push(dst, src->v[i], err) < 0)
                        return -1;
        return 0;
}

bool jc_strv_contains(const struct jc_strv *sv, const char *s)
{
        size_t i;

        for (i = 0; i < sv->n; i++)
                if (strcmp(sv->v[i], s) == 0)
                        return true;
        return false;
}

void jc_strv_free(struct jc_strv *sv)
{
        size_t i;

        for (i = 0; i < sv->n; i++)
                free(sv->v[i]);
        free(sv->v);
        sv->v = NULL;
        sv->n = 0;
}

/* Drop the items after the first N (undo a partial append). */
static void strv_truncate(struct jc_strv *sv, size_t n)
{
        while (sv->n > n)
                free(sv->v[--sv->n]);
        if (sv->n == 0) {
                free(sv->v);
                sv->v = NULL;
        } else {
                sv->v[sv->n] = NULL;
        }
}

int jc_strv_split(struct jc_strv *sv, const char *list, struct jc_error *err)
{
        _cleanup_free_ char *copy = NULL;
        char *item, *save = NULL, *p;
        size_t before = sv->n;

        copy = jc_strdup(list, err);
        if (copy == NULL)
                return -1;
        p = jc_strtrim(copy);
        if (*p == '\0')
                return 0;
        /* strtok_r would silently merge ",," into one separator.  A bad
         * list adds nothing: callers free only what they own on error. */
        for (item = p; item != NULL; item = save) {
                save = strchr(item, ',');
                if (save != NULL)
                        *save++ = '\0';
                item = jc_strtrim(item);
                if (*item == '\0') {
                        strv_truncate(sv, before);
                        return jc_error_set(err, 0, "empty item in list `%s'", list);
                }
                if (jc_strv_push(sv, item, err) < 0) {
                        strv_truncate(sv, before);
                        return -1;
                }
        }
        return 0;
}

char *jc_strv_join(const struct jc_strv *sv, const char *sep)
{
        size_t i, len = 1, seplen = strlen(sep);
        char *out, *p;

        for (i = 0; i < sv->n; i++)
                len += strlen(sv->v[i]) + seplen;
        out = malloc(len);
        if (out == NULL)
                return NULL;
        p = out;
        *p = '\0';
        for (i = 0; i < sv->n; i++) {
                if (i > 0)
                        p = stpcpy(p, sep);
                p = stpcpy(p, sv->v[i]);
        }
        return out;
}

int jc_mkdir_p(const char *path, struct jc_error *err)
{
        _cleanup_free_ char *p = jc_strdup(path, err);
        char *s;

        if (p == NULL)
                return -1;
        if (p[0] != '/')
                return jc_error_set(err, 0, "`%s' is not absolute", path);
        for (s = strchr(p + 1, '/');; s = strchr(s + 1, '/')) {
                if (s != NULL)
                        *s = '\0';
                if (mkdir(p, s ? 0755 : 0700) < 0 && errno != EEXIST)
                        return jc_error_set(err, errno, "mkdir `%s'", p);
                if (s == NULL)
                        return 0;
                *s = '/';
        }
}
