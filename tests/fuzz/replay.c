/* Replay a fuzz target's seeds and regression inputs without libFuzzer,
 * as a TAP test of make check: the harness keeps building with $(CC)
 * (and under --enable-sanitizers), and every input that once broke the
 * policy engine (tests/fuzz/regress/TARGET/) keeps passing.  The harness
 * abort()s on a broken promise, which the test driver reports.
 *
 * FUZZ_NAME (set at compile time) names the target; its inputs are the
 * files in $top_srcdir/tests/fuzz/{seeds,regress}/FUZZ_NAME/. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cmp(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static void replay_file(const char *dir, const char *name)
{
        char path[4096];
        uint8_t *buf = NULL;
        size_t len = 0, cap = 0, n;
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        f = fopen(path, "rbe");
        if (f == NULL) {
                ok(0, "%s: %s", path, strerror(errno));
                return;
        }
        for (;;) {
                if (len == cap) {
                        cap = cap ? 2 * cap : 4096;
                        buf = realloc(buf, cap);
                        if (buf == NULL) {
                                printf("Bail out! out of memory\n");
                                exit(1);
                        }
                }
                n = fread(buf + len, 1, cap - len, f);
                if (n == 0)
                        break;
                len += n;
        }
        fclose(f);
        LLVMFuzzerTestOneInput(buf, len);
        free(buf);
        ok(1, "%s/%s", strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir, name);
}

/* Replay every regular file of DIR, in name order; returns how many. */
static int replay_dir(const char *dir)
{
        struct dirent *e;
        char **names = NULL;
        size_t n = 0, i;
        DIR *d = opendir(dir);

        if (d == NULL)
                return 0;
        while ((e = readdir(d)) != NULL) {
                if (e->d_name[0] == '.')
                        continue;
                names = realloc(names, (n + 1) * sizeof(*names));
                if (names == NULL || (names[n] = strdup(e->d_name)) == NULL) {
                        printf("Bail out! out of memory\n");
                        exit(1);
                }
                n++;
        }
        closedir(d);
        qsort(names, n, sizeof(*names), cmp);
        for (i = 0; i < n; i++) {
                replay_file(dir, names[i]);
                free(names[i]);
        }
        free(names);
        return (int)n;
}

int main(void)
{
        const char *top = getenv("top_srcdir");
        char dir[4096];
        int seeds;

        if (top == NULL)
                top = ".";
        snprintf(dir, sizeof(dir), "%s/tests/fuzz/seeds/%s", top, FUZZ_NAME);
        seeds = replay_dir(dir);
        ok(seeds > 0, "%s has seeds in %s", FUZZ_NAME, dir);
        snprintf(dir, sizeof(dir), "%s/tests/fuzz/regress/%s", top, FUZZ_NAME);
        replay_dir(dir);
        return done_testing();
}
