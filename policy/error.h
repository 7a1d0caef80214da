/* The one error contract of jobcell (see doc/hacking.md).
 *
 * A library function that fails returns a negative value and fills a
 * struct jc_error: errnum is the errno that caused the failure (0 when
 * there was none, e.g. a bad value in a policy file) and msg names the
 * object and the step ("open `/images/x.sqsh'").  A caller that wants
 * to add its own step wraps the error ("mount image: open ...").  Only
 * main() prints and exits; library and plugin code never exit.
 *
 * The struct has a fixed size and no pointers, so a child process can
 * send it to its parent as it is (runner/sync.c). */
#ifndef JC_ERROR_H
#define JC_ERROR_H

#include <stdbool.h>
#include <stddef.h>

#define JC_ERROR_MSG_MAX 1024

struct jc_error {
        int errnum;
        char msg[JC_ERROR_MSG_MAX];
};

/* Fill ERR with ERRNUM and a formatted message; returns -1. */
int jc_error_set(struct jc_error *err, int errnum, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Prefix the message already in ERR with "CONTEXT: "; returns -1. */
int jc_error_wrap(struct jc_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "msg: strerror(errnum)", or just "msg" when errnum is 0, into BUF. */
const char *jc_error_text(const struct jc_error *err, char *buf, size_t len);

/* snprintf that marks a cut with "..." at the end of BUF; returns true
 * when the text was cut.  Every bounded format in jobcell goes through it
 * (or checks snprintf's result), so no message is cut without a sign. */
bool jc_format(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Write "PROG: text\n" to stderr. */
void jc_error_print(const struct jc_error *err, const char *prog);

#endif
