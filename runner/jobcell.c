/* jobcell: a job sandbox for HPC clusters.  This file only dispatches to
 * the subcommands and holds the option helpers they share. */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "trust.h"

static void usage(FILE *out)
{
        fprintf(out, "Usage: jobcell COMMAND [ARGS...]\n"
                     "\n"
                     "A job sandbox for HPC clusters.\n"
                     "\n"
                     "Commands:\n"
                     "  run      run a command in a sandbox built from the policy\n"
                     "  policy   check a policy file, or explain what it gives a job\n"
                     "  image    import images into the node's cache, list and prune it\n"
                     "  gc       remove the cgroups that killed runners left\n"
                     "\n"
                     "Options:\n"
                     "  -h, --help     show this help\n"
                     "  -V, --version  show the version\n"
                     "\n"
                     "`jobcell COMMAND --help' describes each command; see jobcell(1).\n");
}

struct option *jc_cli_options(const struct option *extra, struct jc_error *err)
{
        size_t nreq = 0, nextra = 0, i;
        struct option *opts;

        while (jc_request_opts[nreq].name != NULL)
                nreq++;
        while (extra[nextra].name != NULL)
                nextra++;
        opts = calloc(nreq + nextra + 1, sizeof(*opts));
        if (opts == NULL) {
                jc_error_set(err, errno, "option table");
                return NULL;
        }
        for (i = 0; i < nreq; i++)
                opts[i] = (struct option){ jc_request_opts[i].name,
                                           jc_request_opts[i].arg ? required_argument : no_argument,
                                           NULL, JC_OPT_REQUEST + (int)i };
        memcpy(opts + nreq, extra, nextra * sizeof(*opts));
        return opts;
}

int jc_cli_request_option(int c, const char *arg, struct jc_request *req, struct jc_error *err)
{
        size_t n = 0;

        while (jc_request_opts[n].name != NULL)
                n++;
        if (c < JC_OPT_REQUEST || (size_t)(c - JC_OPT_REQUEST) >= n)
                return 0;
        if (jc_request_set(req, jc_request_opts[c - JC_OPT_REQUEST].name, arg, err) < 0)
                return -1;
        return 1;
}

int jc_cli_bad_option(int c, char **argv, const struct option *opts, const char *cmd,
                      struct jc_error *err)
{
        const char *arg = argv[optind - 1];
        char shortopt[3] = { '-', (char)optopt, '\0' };
        size_t n = strcspn(arg, "="), matches = 0;

        /* A short option may be one of a group ("-hx"), and optind may
         * not have moved past it yet: name the letter alone. */
        if (optopt != 0 && optopt < 128 && strncmp(arg, "--", 2) != 0) {
                arg = shortopt;
                n = 2;
        }
        if (c == ':')
                return jc_error_set(err, 0, "option `%s' needs a value (see jobcell %s --help)",
                                    arg, cmd);
        /* A long option glibc knows, given a value it does not take. */
        if (optopt != 0 && arg != shortopt)
                return jc_error_set(err, 0, "option `%.*s' takes no value (see jobcell %s --help)",
                                    (int)n, arg, cmd);
        /* getopt_long takes a prefix of one long option's name alone. */
        for (; n > 2 && opts->name != NULL; opts++)
                if (strncmp(opts->name, arg + 2, n - 2) == 0)
                        matches++;
        return jc_error_set(err, 0, "%s option `%.*s' (see jobcell %s --help)",
                            matches > 1 ? "ambiguous" : "unknown", (int)n, arg, cmd);
}

void jc_cli_request_help(void)
{
        const struct jc_request_opt *o;
        char left[64];

        printf("Request options (checked against the policy):\n");
        for (o = jc_request_opts; o->name != NULL; o++) {
                jc_format(left, sizeof(left), "--%s%s%s", o->name, o->arg ? "=" : "",
                          o->arg ? o->arg : "");
                if (strlen(left) > 28)
                        printf("  %s\n  %-28s %s\n", left, "", o->help);
                else
                        printf("  %-28s %s\n", left, o->help);
        }
}

int jc_cli_load_policy(const char *path, bool trusted, struct jc_policy **pol, struct jc_error *err)
{
        struct jc_strv diags = { 0 };
        int rc;

        *pol = NULL;
        if (path == NULL) {
                if (access(JC_DEFAULT_POLICY, F_OK) < 0 && errno == ENOENT)
                        return 0;
                path = JC_DEFAULT_POLICY;
        }
        /* A policy a user could edit would grant that user anything.  The
         * check runs on the file's real path: a relative name or a link
         * (to a user's file, say) is judged by where it leads. */
        if (trusted) {
                _cleanup_free_ char *real = realpath(path, NULL);

                if (real == NULL)
                        return jc_error_set(err, errno, "open policy `%s'", path);
                if (jc_path_root_owned(real, err) < 0)
                        return jc_error_wrap(err, "policy cannot be trusted");
        }
        rc = jc_policy_load(path, pol, &diags, err);
        if (rc < 0 && diags.n > 1)
                jc_error_wrap(err,
                              "policy has %zu problems (`jobcell policy check %s' lists "
                              "them), the first",
                              diags.n, path);
        jc_strv_free(&diags);
        return rc;
}

const char *jc_cli_user_name(void)
{
        static char name[256];
        struct passwd pw, *res = NULL;
        char buf[4096];

        if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &res) == 0 && res != NULL)
                jc_format(name, sizeof(name), "%s", pw.pw_name);
        else
                jc_format(name, sizeof(name), "%u", (unsigned)getuid());
        return name;
}

int main(int argc, char **argv)
{
        opterr = 0; /* jc_cli_bad_option says it, in one line */
        if (argc < 2) {
                usage(stderr);
                return JC_EXIT_USAGE;
        }
        if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
                usage(stdout);
                return 0;
        }
        if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
                printf("jobcell %s\n", PACKAGE_VERSION);
                return 0;
        }
        if (strcmp(argv[1], "policy") == 0)
                return cmd_policy(argc - 1, argv + 1);
        if (strcmp(argv[1], "run") == 0)
                return cmd_run(argc - 1, argv + 1);
        if (strcmp(argv[1], "image") == 0)
                return cmd_image(argc - 1, argv + 1);
        if (strcmp(argv[1], "gc") == 0)
                return cmd_gc(argc - 1, argv + 1);
        fprintf(stderr, "jobcell: unknown command `%s' (see jobcell --help)\n", argv[1]);
        return JC_EXIT_USAGE;
}
