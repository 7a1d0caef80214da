/* jobcell gc: remove what killed runners left on this node.
 *
 * A runner removes its cgroup set itself, and its cell's keeper removes
 * it when the runner was killed; only when both were killed (or a
 * process would not die) does a set stay, with its record in the state
 * directory.  That is all a sandbox can leave on the host: its mounts
 * and namespaces go with its last process, and a cell's socket is an
 * abstract one, gone with the keeper.  Safe at any time: a set whose
 * owner still runs is never touched (doc/resources.md). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "cli.h"
#include "resources.h"

static void gc_usage(FILE *out)
{
        fprintf(out, "Usage: jobcell gc [--state-dir DIR]\n"
                     "\n"
                     "Remove the cgroups that killed runners left on this node (processes\n"
                     "still in them are killed); never those of a runner that still runs.\n"
                     "\n"
                     "Options:\n"
                     "  --state-dir DIR  the runners' record directory (default: the one\n"
                     "                   `jobcell run' uses for this user)\n"
                     "  -h, --help       show this help\n"
                     "\n"
                     "Exit status: 0 when nothing is left, 1 when something could not be\n"
                     "removed, 2 on bad usage.\n");
}

/* Remove the dead owners' sets recorded in DIR; adds to *TOTAL. */
static int gc_dir(const char *dir, unsigned *total)
{
        struct jc_cgroup_config cfg = { .state_dir = dir };
        struct jc_error err = { 0 };
        unsigned n = 0;
        int rc;

        rc = jc_cgroup_gc(&cfg, &n, &err);
        *total += n;
        if (rc < 0) {
                jc_error_print(&err, "jobcell gc");
                return -1;
        }
        return 0;
}

int cmd_gc(int argc, char **argv)
{
        static const struct option opts[] = {
                { "state-dir", required_argument, NULL, 's' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        const char *state_dir = NULL;
        struct jc_error err = { 0 };
        unsigned total = 0;
        char dir[1024];
        int c, i, rc = 0;

        optind = 1;
        while ((c = getopt_long(argc, argv, JC_CLI_OPTSTRING, opts, NULL)) != -1) {
                switch (c) {
                case 's':
                        if (optarg[0] != '/') {
                                fprintf(stderr, "jobcell gc: --state-dir `%s': not absolute\n",
                                        optarg);
                                return JC_EXIT_USAGE;
                        }
                        state_dir = optarg;
                        break;
                case 'h':
                        gc_usage(stdout);
                        return 0;
                default:
                        jc_cli_bad_option(c, argv, opts, "gc", &err);
                        jc_error_print(&err, "jobcell gc");
                        return JC_EXIT_USAGE;
                }
        }
        if (optind != argc) {
                fprintf(stderr, "jobcell gc: unexpected argument `%s' (see jobcell gc --help)\n",
                        argv[optind]);
                return JC_EXIT_USAGE;
        }
        if (state_dir != NULL) {
                rc = gc_dir(state_dir, &total);
        } else {
                /* Every directory a runner of ours may have used. */
                for (i = 0; jc_res_state_dir(geteuid() == 0, i, dir, sizeof(dir), &err) == 0; i++)
                        if (gc_dir(dir, &total) < 0)
                                rc = -1;
        }
        if (total > 0)
                printf("jobcell gc: removed %u cgroup set%s that killed runners left\n", total,
                       total == 1 ? "" : "s");
        return rc < 0 ? 1 : 0;
}
