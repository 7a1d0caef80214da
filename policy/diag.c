#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "diag.h"

int jc_diag(struct jc_strv *diags, struct jc_error *err, const char *fmt, ...)
{
        char buf[JC_ERROR_MSG_MAX];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        return jc_strv_push(diags, buf, err);
}
