/* Every policy key, rlimit resource and request option is documented:
 * jobcell-policy(5) has an entry ".B KEY = ..." for each key of the key
 * table, names every rlimit resource, and lists every request option
 * under REQUESTS; jobcell(1) has an entry for every request option.  A
 * key or option added without its documentation fails here. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "../tap.h"
#include "keys.h"
#include "request.h"
#include "spec.h"

static char *slurp(const char *name)
{
        const char *top = getenv("top_srcdir");
        char path[4096];
        char *buf;
        long len;
        FILE *f;

        snprintf(path, sizeof(path), "%s/doc/%s", top ? top : ".", name);
        f = fopen(path, "re");
        if (f == NULL || fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) < 0 ||
            fseek(f, 0, SEEK_SET) < 0 || (buf = malloc((size_t)len + 1)) == NULL ||
            fread(buf, 1, (size_t)len, f) != (size_t)len) {
                printf("Bail out! cannot read %s\n", path);
                exit(1);
        }
        buf[len] = '\0';
        fclose(f);
        return buf;
}

/* Does TEXT hold WORD with no letter, digit or '_' on either side? */
static bool has_word(const char *text, const char *word)
{
        size_t n = strlen(word);
        const char *p;

        for (p = strstr(text, word); p != NULL; p = strstr(p + 1, word)) {
                bool left = p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
                bool right = !(isalnum((unsigned char)p[n]) || p[n] == '_');

                if (left && right)
                        return true;
        }
        return false;
}

/* The text from START to the next section (".SH"), or with ENTRY to the
 * next subsection or entry (".SS", ".TP") too; NULL without START. */
static char *part(const char *page, const char *start, bool entry)
{
        const char *from = strstr(page, start), *end = NULL, *p;

        if (from == NULL)
                return NULL;
        for (p = strchr(from, '\n'); p != NULL && end == NULL; p = strchr(p + 1, '\n'))
                if (strncmp(p + 1, ".SH", 3) == 0 ||
                    (entry && (strncmp(p + 1, ".SS", 3) == 0 || strncmp(p + 1, ".TP", 3) == 0)))
                        end = p;
        return strndup(from, end ? (size_t)(end - from) : strlen(from));
}

/* "cap-add" as troff writes it: "\-\-cap\-add". */
static void troff_option(const char *name, char *buf, size_t len)
{
        size_t o = 0;

        o += (size_t)snprintf(buf, len, "\\-\\-");
        for (; *name != '\0' && o + 3 < len; name++) {
                if (*name == '-')
                        buf[o++] = '\\';
                buf[o++] = *name;
        }
        buf[o] = '\0';
}

int main(void)
{
        char *policy5 = slurp("jobcell-policy.5.in"), *jobcell1 = slurp("jobcell.1.in");
        char *rlimits = part(policy5, ".B rlimit_", true);
        char *requests = part(policy5, ".SH REQUESTS", false);
        char want[256];
        const struct jc_request_opt *o;
        int i;

        for (i = 0; i < JC_K_COUNT; i++) {
                snprintf(want, sizeof(want), "\n.B %s = ", jc_keys[i].name);
                ok(strstr(policy5, want) != NULL, "jobcell-policy(5) documents key %s",
                   jc_keys[i].name);
        }
        ok(rlimits != NULL, "jobcell-policy(5) documents rlimit_NAME");
        for (i = 0; i < RLIMIT_NLIMITS; i++)
                if (jc_rlimit_name(i) != NULL)
                        ok(rlimits != NULL && has_word(rlimits, jc_rlimit_name(i)),
                           "jobcell-policy(5) names rlimit_%s", jc_rlimit_name(i));
        ok(requests != NULL, "jobcell-policy(5) has a REQUESTS section");
        for (o = jc_request_opts; o->name != NULL; o++) {
                troff_option(o->name, want, sizeof(want));
                ok(requests != NULL && strstr(requests, want) != NULL,
                   "jobcell-policy(5) says which key governs --%s", o->name);
                ok(strstr(jobcell1, want) != NULL, "jobcell(1) documents --%s", o->name);
        }
        free(policy5);
        free(jobcell1);
        free(rlimits);
        free(requests);
        return done_testing();
}
