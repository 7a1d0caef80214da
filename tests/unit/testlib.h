/* Helpers for the policy unit tests: temporary policy files. */
#ifndef JC_TESTLIB_H
#define JC_TESTLIB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Write TEXT to a new temporary file; returns its path (static buffer,
 * one per call site is enough: the tests use it at once). */
static inline const char *tmp_policy(const char *text)
{
        static char path[256];
        const char *dir = getenv("TMPDIR");
        FILE *f;
        int fd;

        snprintf(path, sizeof(path), "%s/jobcell-test-XXXXXX.ini", dir ? dir : "/tmp");
        fd = mkstemps(path, 4);
        if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
                perror("tmp_policy");
                exit(99);
        }
        fputs(text, f);
        fclose(f);
        return path;
}

#endif
