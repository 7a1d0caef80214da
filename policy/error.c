#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

static bool vformat(char *buf, size_t len, const char *fmt, va_list ap)
{
        int n = vsnprintf(buf, len, fmt, ap);

        if (n < 0 || (size_t)n < len || len < 4)
                return false;
        memcpy(buf + len - 4, "...", 4);
        return true;
}

bool jc_format(char *buf, size_t len, const char *fmt, ...)
{
        va_list ap;
        bool cut;

        va_start(ap, fmt);
        cut = vformat(buf, len, fmt, ap);
        va_end(ap);
        return cut;
}

int jc_error_set(struct jc_error *err, int errnum, const char *fmt, ...)
{
        va_list ap;

        if (err == NULL)
                return -1;
        err->errnum = errnum;
        va_start(ap, fmt);
        vformat(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
        return -1;
}

int jc_error_wrap(struct jc_error *err, const char *fmt, ...)
{
        char prefix[JC_ERROR_MSG_MAX];
        char old[JC_ERROR_MSG_MAX];
        va_list ap;

        if (err == NULL)
                return -1;
        va_start(ap, fmt);
        vformat(prefix, sizeof(prefix), fmt, ap);
        va_end(ap);
        memcpy(old, err->msg, sizeof(old));
        jc_format(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
        return -1;
}

const char *jc_error_text(const struct jc_error *err, char *buf, size_t len)
{
        if (err->errnum != 0)
                jc_format(buf, len, "%s: %s", err->msg, strerror(err->errnum));
        else
                jc_format(buf, len, "%s", err->msg);
        return buf;
}

void jc_error_print(const struct jc_error *err, const char *prog)
{
        char buf[JC_ERROR_MSG_MAX + 128];

        fprintf(stderr, "%s: %s\n", prog, jc_error_text(err, buf, sizeof(buf)));
}
