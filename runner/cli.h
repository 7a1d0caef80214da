/* The jobcell command: one file per subcommand (cmd_*.c), main() in
 * jobcell.c.  Subcommands return the process exit status. */
#ifndef JC_CLI_H
#define JC_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "policy.h"
#include "request.h"

#define JC_PROG           "jobcell"
#define JC_DEFAULT_POLICY SYSCONFDIR "/jobcell/policy.ini"

/* Exit status of a command-line mistake (as in getopt tools). */
#define JC_EXIT_USAGE 2

int cmd_policy(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_image(int argc, char **argv);
int cmd_gc(int argc, char **argv);

/* Options shared by `run' and `policy explain': the request options of
 * jc_request_opts plus CLI-only ones.  Long options with a value below
 * JC_OPT_REQUEST are the request's (index into jc_request_opts). */
#define JC_OPT_REQUEST 1000
struct option *jc_cli_options(const struct option *extra, struct jc_error *err);
/* Handle option C (from getopt_long with the table above) if it is a
 * request option; returns 1 if handled, 0 if not one, -1 on error. */
int jc_cli_request_option(int c, const char *arg, struct jc_request *req, struct jc_error *err);
void jc_cli_request_help(void);

/* The option string of every subcommand's getopt_long: stop at the first
 * argument that is not an option (a command's own options are its own),
 * and return ':' for a missing value instead of printing getopt's line. */
#define JC_CLI_OPTSTRING "+:h"
/* One line for what getopt_long returned as C ('?' or ':') with OPTS
 * into ERR, naming the option at fault (unknown, ambiguous, missing its
 * value or given one it does not take) and where CMD's help is.
 * Returns -1. */
int jc_cli_bad_option(int c, char **argv, const struct option *opts, const char *cmd,
                      struct jc_error *err);

/* Load the policy: PATH as given (it must exist), or the default file if
 * it exists, or NULL (built-in defaults only) when it does not.  With
 * TRUSTED (a privileged runner), the file must be root's alone. */
int jc_cli_load_policy(const char *path, bool trusted, struct jc_policy **pol,
                       struct jc_error *err);

/* The invoking user's name (for %u in policies). */
const char *jc_cli_user_name(void);

#endif
