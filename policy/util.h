/* Small helpers shared by every part: cleanup attributes (as in crun and
 * bubblewrap: a variable declared with one is released on every path out
 * of its scope) and a growable string vector. */
#ifndef JC_UTIL_H
#define JC_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "error.h"

void jc_freep(void *p);
void jc_closep(const int *fd);
void jc_fclosep(FILE **f);

#define _cleanup_free_   __attribute__((cleanup(jc_freep)))
#define _cleanup_close_  __attribute__((cleanup(jc_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(jc_fclosep)))

/* Hand a cleanup-managed pointer or fd over to the caller. */
#define JC_STEAL(p)                     \
        ({                              \
                __typeof__(p) _v = (p); \
                (p) = 0;                \
                _v;                     \
        })
#define JC_STEAL_FD(fd)         \
        ({                      \
                int _fd = (fd); \
                (fd) = -1;      \
                _fd;            \
        })

#define JC_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A NULL-terminated vector of owned strings. */
struct jc_strv {
        char **v;
        size_t n;
};

int jc_strv_push(struct jc_strv *sv, const char *s, struct jc_error *err);
int jc_strv_copy(struct jc_strv *dst, const struct jc_strv *src, struct jc_error *err);
bool jc_strv_contains(const struct jc_strv *sv, const char *s);
void jc_strv_free(struct jc_strv *sv);
/* Split a comma-separated list, trimming blanks around each item; empty
 * items are an error, an empty or all-blank string gives an empty list.
 * Items are appended to SV; on error SV is left as it was. */
int jc_strv_split(struct jc_strv *sv, const char *list, struct jc_error *err);
/* Join with SEP into a new string (NULL on ENOMEM). */
char *jc_strv_join(const struct jc_strv *sv, const char *sep);

char *jc_strdup(const char *s, struct jc_error *err);
/* Replace the owned string *DST with a copy of S (*DST kept on ENOMEM). */
int jc_str_set(char **dst, const char *s, struct jc_error *err);
/* Trim blanks at both ends, in place. */
char *jc_strtrim(char *s);
/* mkdir -p for the absolute PATH: missing parents 0755, PATH itself 0700
 * (an existing one is left as it is: the caller checks its owner).  ERR
 * names the directory that could not be made. */
int jc_mkdir_p(const char *path, struct jc_error *err);

#endif
