/* Loading libarchive on first use (runner/archive_dl.h says why). */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#define JC_ARCHIVE_DL_IMPL
#include "archive_dl.h"

static struct jc_archive_api api;
static bool loaded; /* the runner and the image tools are single-threaded */

static void fail(const char *what)
{
        const char *why = dlerror();

        fprintf(stderr, "jobcell: load libarchive (%s): %s: %s\n", JC_LIBARCHIVE_SONAME, what,
                why ? why : "not found");
        _exit(125);
}

static void load(void)
{
        /* RTLD_NODELETE: the pointers stay valid for the process's life. */
        void *h = dlopen(JC_LIBARCHIVE_SONAME, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);

        if (h == NULL)
                fail("dlopen");
#define JC_ARCHIVE_SYM(f)                  \
        *(void **)(&api.f) = dlsym(h, #f); \
        if (api.f == NULL)                 \
                fail(#f);
        JC_ARCHIVE_FUNCS(JC_ARCHIVE_SYM)
#undef JC_ARCHIVE_SYM
}

const struct jc_archive_api *jc_archive_api(void)
{
        if (!loaded) {
                load();
                loaded = true;
        }
        return &api;
}

int jc_archive_errno(struct archive *a, int fallback)
{
        int e = jc_archive_api()->archive_errno(a);

        /* libarchive's own codes are not in its public header: on Linux an
         * unknown format is EILSEQ, a misuse EINVAL, anything else -1. */
        if (e <= 0 || e == EILSEQ || e == EINVAL)
                return fallback;
        return e;
}
