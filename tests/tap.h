/* A minimal TAP producer for the C unit tests (automake's tap-driver.sh
 * reads it).  Each check prints "ok N - name" or "not ok N - name" with
 * the file and line, and what was seen against what was expected. */
#ifndef JC_TAP_H
#define JC_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count;
static int tap_failed;

__attribute__((format(printf, 4, 5), unused)) static int tap_ok(int pass, const char *file,
                                                                int line, const char *fmt, ...)
{
        va_list ap;

        tap_count++;
        printf("%sok %d - ", pass ? "" : "not ", tap_count);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
        if (!pass) {
                tap_failed++;
                printf("#   failed at %s:%d\n", file, line);
        }
        fflush(stdout);
        return pass;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...)                                           \
        do {                                                             \
                long long _g = (long long)(got), _w = (long long)(want); \
                if (!tap_ok(_g == _w, __FILE__, __LINE__, __VA_ARGS__))  \
                        printf("#   got %lld, want %lld\n", _g, _w);     \
        } while (0)

#define is_str(got, want, ...)                                                                   \
        do {                                                                                     \
                const char *_g = (got), *_w = (want);                                            \
                if (!tap_ok(_g != NULL && _w != NULL && strcmp(_g, _w) == 0, __FILE__, __LINE__, \
                            __VA_ARGS__))                                                        \
                        printf("#   got `%s'\n#  want `%s'\n", _g ? _g : "(null)",               \
                               _w ? _w : "(null)");                                              \
        } while (0)

/* GOT contains WANT. */
#define like(got, want, ...)                                                                     \
        do {                                                                                     \
                const char *_g = (got), *_w = (want);                                            \
                if (!tap_ok(_g != NULL && strstr(_g, _w) != NULL, __FILE__, __LINE__,            \
                            __VA_ARGS__))                                                        \
                        printf("#   got `%s'\n#  want it to contain `%s'\n", _g ? _g : "(null)", \
                               _w);                                                              \
        } while (0)

__attribute__((unused)) static int done_testing(void)
{
        printf("1..%d\n", tap_count);
        return tap_failed ? 1 : 0;
}

#endif
