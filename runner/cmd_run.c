/* jobcell run: resolve the spec, build (or join) the sandbox, run the
 * command in it, supervise it, report.  The phases are named in
 * runner/status.h; each lives in the file of its concern. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cell.h"
#include "cell_image.h"
#include "cli.h"
#include "env.h"
#include "handover.h"
#include "member.h"
#include "resolve.h"
#include "jc_seccomp.h"
#include "status.h"
#include "supervise.h"
#include "teststop.h"
#include "values.h"

/* Exit statuses of the runner itself (doc/jobcell-run.1). */
#define EXIT_SANDBOX 125

struct run_opts {
        bool slurm; /* the Slurm plugin's hand-over (runner/handover.h) */
        struct jc_handover handover;
        const char *policy;
        const char *partition;
        const char *user;
        const char *cell;
        const char *status_file;
        struct jc_request req;
        char **argv;
};

static void run_usage(FILE *out)
{
        fprintf(out,
                "Usage: jobcell run [OPTIONS] --image IMG [--] [COMMAND [ARGS...]]\n"
                "\n"
                "Run COMMAND in a sandbox built from the policy and the request options.\n"
                "IMG is a root filesystem directory, an OCI image layout (a directory or a\n"
                "tar), a docker save archive or a squashfs file, IMG@sha256:DIGEST to\n"
                "check it; without COMMAND, the image's Cmd runs.\n"
                "\n"
                "Options:\n"
                "  --policy FILE       policy file (default %s)\n"
                "  --partition P       the policy section that applies\n"
                "  --user NAME         (root only) the user the job runs as\n"
                "  --cell NAME         create the named sandbox, or join it if it exists\n"
                "  --status-file FILE  write a JSON status record there\n"
                "  -h, --help          show this help\n"
                "\n"
                "Exit status: the job's; 128+N if it died of signal N; 125 if the sandbox\n"
                "could not be built; 126 if COMMAND cannot be executed; 127 if not found.\n"
                "See jobcell-run(1).\n\n",
                JC_DEFAULT_POLICY);
        if (out == stdout)
                jc_cli_request_help();
}

enum {
        OPT_POLICY = 1,
        OPT_PARTITION,
        OPT_USER,
        OPT_CELL,
        OPT_STATUS,
        OPT_HELP,
        OPT_SPEC_FD,
        OPT_ENV_FD,
        OPT_KEEP_FD,
};

static int parse_fd(const char *s, int *fd, struct jc_error *err)
{
        int64_t v;

        if (jc_parse_int(s, 3, 1 << 20, &v, err) < 0)
                return jc_error_wrap(err, "descriptor");
        *fd = (int)v;
        return 0;
}

/* Under --slurm only the plugin's own options make sense: the spec is the
 * plugin's, resolved from the node's policy and a partition the user
 * cannot forge. */
static int slurm_option(int c, const char *arg, struct run_opts *o, struct jc_error *err)
{
        if (c == OPT_SPEC_FD)
                return parse_fd(arg, &o->handover.spec_fd, err);
        if (c == OPT_ENV_FD)
                return parse_fd(arg, &o->handover.env_fd, err);
        if (c == OPT_KEEP_FD) {
                if (o->handover.nkeep == JC_ARRAY_SIZE(o->handover.keep))
                        return jc_error_set(err, 0, "--keep-fd: too many");
                return parse_fd(arg, &o->handover.keep[o->handover.nkeep++], err);
        }
        if (c == OPT_CELL) {
                o->cell = arg;
                return 0;
        }
        return jc_error_set(err, 0,
                            "with --slurm, only --spec-fd, --env-fd, --keep-fd and "
                            "--cell are taken (the plugin resolved the spec)");
}

/* 0: go on; 1: help shown; -1: bad usage (ERR). */
static int parse(int argc, char **argv, struct run_opts *o, struct jc_error *err)
{
        static const struct option extra[] = {
                { "policy", required_argument, NULL, OPT_POLICY },
                { "partition", required_argument, NULL, OPT_PARTITION },
                { "user", required_argument, NULL, OPT_USER },
                { "cell", required_argument, NULL, OPT_CELL },
                { "status-file", required_argument, NULL, OPT_STATUS },
                { "help", no_argument, NULL, OPT_HELP },
                { "spec-fd", required_argument, NULL, OPT_SPEC_FD },
                { "env-fd", required_argument, NULL, OPT_ENV_FD },
                { "keep-fd", required_argument, NULL, OPT_KEEP_FD },
                { NULL, 0, NULL, 0 },
        };
        _cleanup_free_ struct option *opts = jc_cli_options(extra, err);
        int c;

        if (opts == NULL)
                return -1;
        optind = 1;
        /* "+": stop at the command, whose options are its own. */
        while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
                if (o->slurm) {
                        if (c == '?' || slurm_option(c, optarg, o, err) < 0) {
                                if (err->msg[0] == '\0')
                                        jc_error_set(err, 0, "bad option");
                                return -1;
                        }
                        continue;
                }
                if (c == OPT_SPEC_FD || c == OPT_ENV_FD || c == OPT_KEEP_FD)
                        return jc_error_set(err, 0,
                                            "--spec-fd, --env-fd and --keep-fd go with "
                                            "--slurm");
                switch (c) {
                case OPT_POLICY:
                        o->policy = optarg;
                        break;
                case OPT_PARTITION:
                        o->partition = optarg;
                        break;
                case OPT_USER:
                        o->user = optarg;
                        break;
                case OPT_CELL:
                        o->cell = optarg;
                        break;
                case OPT_STATUS:
                        o->status_file = optarg;
                        break;
                case 'h':
                case OPT_HELP:
                        run_usage(stdout);
                        return 1;
                default:
                        if (jc_cli_request_option(c, optarg, &o->req, err) == 1)
                                break;
                        if (err->msg[0] == '\0')
                                jc_error_set(err, 0, "bad option (see jobcell run --help)");
                        return -1;
                }
        }
        /* No command: the image's Cmd, if it has one (jc_image_argv). */
        o->argv = argv + optind;
        return 0;
}

/* The name of each of the job's groups ("groupGID" when it has none). */
static int group_names(struct jc_job *job, struct jc_error *err)
{
        size_t i;

        job->group_names = calloc(job->ngroups + 1, sizeof(char *));
        if (job->group_names == NULL)
                return jc_error_set(err, errno, "group names");
        for (i = 0; i <= job->ngroups; i++) {
                gid_t g = i == 0 ? job->gid : job->groups[i - 1];
                struct group gr, *res = NULL;
                char buf[16384], name[64];

                if (getgrgid_r(g, &gr, buf, sizeof(buf), &res) == 0 && res != NULL)
                        jc_format(name, sizeof(name), "%s", gr.gr_name);
                else
                        jc_format(name, sizeof(name), "group%u", (unsigned)g);
                job->group_names[i] = strdup(name);
                if (job->group_names[i] == NULL)
                        return jc_error_set(err, errno, "group names");
        }
        return 0;
}

static int job_groups(struct jc_job *job, const char *name, struct jc_error *err)
{
        int n = 64;

        for (;;) {
                gid_t *g = realloc(job->groups, (size_t)n * sizeof(gid_t));

                if (g == NULL)
                        return jc_error_set(err, errno, "groups of `%s'", name);
                job->groups = g;
                if (name != NULL && getgrouplist(name, job->gid, g, &n) >= 0)
                        break;
                if (name == NULL) {
                        n = getgroups(n, g);
                        if (n >= 0)
                                break;
                        if (errno != EINVAL)
                                return jc_error_set(err, errno, "getgroups");
                        n = getgroups(0, NULL);
                }
        }
        job->ngroups = (size_t)n;
        return group_names(job, err);
}

/* Who the job is: the caller (rootless), or the user root names. */
static int job_setup(struct jc_job *job, const struct run_opts *o, struct jc_error *err)
{
        struct passwd pw, *res = NULL;
        char buf[4096];
        char cwd[4096];

        memset(job, 0, sizeof(*job));
        job->privileged = geteuid() == 0;
        if (o->user != NULL && !job->privileged)
                return jc_error_set(err, EPERM, "--user: only root chooses the job's user");
        if (o->user == NULL && job->privileged)
                return jc_error_set(err, 0,
                                    "running as root: name the job's user with --user "
                                    "(a job never runs as host root)");
        if (o->user != NULL) {
                errno = getpwnam_r(o->user, &pw, buf, sizeof(buf), &res);
                if (res == NULL && strspn(o->user, "0123456789") == strlen(o->user))
                        errno = getpwuid_r((uid_t)strtoul(o->user, NULL, 10), &pw, buf, sizeof(buf),
                                           &res);
                if (res == NULL)
                        return jc_error_set(err, errno, "--user: unknown user `%s'", o->user);
        } else {
                errno = getpwuid_r(getuid(), &pw, buf, sizeof(buf), &res);
                if (res == NULL)
                        return jc_error_set(err, errno, "uid %u has no passwd entry",
                                            (unsigned)getuid());
        }
        job->uid = pw.pw_uid;
        job->gid = pw.pw_gid;
        job->user = strdup(pw.pw_name);
        job->home = strdup(pw.pw_dir);
        job->cwd = getcwd(cwd, sizeof(cwd)) ? strdup(cwd) : NULL;
        if (job->user == NULL || job->home == NULL)
                return jc_error_set(err, ENOMEM, "job");
        job->argv = o->argv;
        job->cell = o->cell;
        return job_groups(job, o->user ? job->user : NULL, err);
}

/* Rootless: say in one line what cannot be given without privilege. */
static void rootless_notice(const struct jc_spec *spec)
{
        if (spec->identity == JC_ID_USER)
                fprintf(stderr, "jobcell: rootless: root inside is not mapped (no service uid "
                                "without privilege)\n");
}

struct run {
        struct run_opts o;
        struct jc_job job;
        struct jc_spec spec;
        bool have_spec;
        struct jc_policy *pol;
        struct jc_ids ids;
        struct jc_bpf bpf;
        struct jc_cell cell;
        struct jc_image_info image; /* the cell's image, as its keeper says */
        struct jc_strv argv;        /* the command, after the image's config */
        struct jc_supervisor sup;
        struct jc_member member;
        struct jc_status st;
        char *spec_json;
        char **env;
        int status_fd;
};

/* The spec and environment the plugin hands over (runner/handover.h). */
static int from_plugin(struct run *r, struct jc_error *err)
{
        if (jc_handover_read(&r->o.handover, &r->job, &r->spec, err) < 0)
                return -1;
        r->have_spec = true;
        r->job.cell = r->o.cell;
        r->spec_json = jc_spec_to_json(&r->spec, false, err);
        return r->spec_json ? 0 : -1;
}

static int resolve(struct run *r, struct jc_error *err)
{
        struct jc_context ctx = { .user = r->job.user, .uid = r->job.uid };

        if (jc_cli_load_policy(r->o.policy, &r->pol, err) < 0)
                return -1;
        if (jc_resolve(r->pol, r->o.partition, &r->o.req, &ctx, &r->spec, err) < 0)
                return -1;
        r->have_spec = true;
        r->spec_json = jc_spec_to_json(&r->spec, false, err);
        return r->spec_json ? 0 : -1;
}

/* The paths the job names (the image, bind sources) are opened by the
 * keeper, only when this runner creates the cell (runner/cell.h). */
static int prepare(struct run *r, struct jc_error *err)
{
        if (jc_seccomp_build(&r->spec, &r->bpf, err) < 0 ||
            jc_ids_plan(&r->spec, &r->job, &r->ids, err) < 0)
                return -1;
        if (!r->job.privileged)
                rootless_notice(&r->spec);
        return 0;
}

/* What runs, with what environment, where: the request and the job's
 * environment over the image's config, with Pyxis' meaning
 * (runner/image.h).  The image's User is not obeyed: who the job is
 * comes from the policy. */
static int job_command(struct run *r, const char **workdir, struct jc_error *err)
{
        const struct jc_image_config *cfg = &r->image.config;
        struct jc_strv env = { 0 };
        char **job_env;
        int rc;

        /* Root's HOME is not the job user's. */
        job_env = jc_env_build(&r->spec, &r->job, r->o.user != NULL, err);
        if (job_env == NULL)
                return -1;
        rc = jc_image_env(cfg, job_env, &r->spec.env, &env, err);
        jc_env_free(job_env);
        if (rc < 0)
                return -1;
        r->env = env.v;
        if (jc_image_argv(cfg, r->spec.entrypoint, r->o.argv, &r->argv, err) < 0)
                return -1;
        r->job.argv = r->argv.v;
        *workdir = jc_image_workdir(cfg, r->spec.workdir);
        if ((*workdir)[0] == '\0')
                *workdir = NULL; /* the caller's directory if it exists inside, else / */
        return 0;
}

static int start(struct run *r, struct jc_error *err)
{
        struct jc_launch l = {
                .spec = &r->spec,
                .job = &r->job,
                .ids = &r->ids,
                .cell = &r->cell,
                .bpf = &r->bpf,
                .sup = &r->sup,
        };
        int code;

        if (job_command(r, &l.workdir, err) < 0)
                return -1;
        l.env = r->env;
        if (jc_member_start(&l, &r->member, err) < 0)
                return -1;
        if (jc_member_started(r->member.report, &code, err) < 0) {
                int st;

                waitpid(r->member.pid, &st, 0);
                r->st.exit_code = code;
                return -1;
        }
        r->st.started = true;
        return 0;
}

static int sandbox(struct run *r, struct jc_error *err)
{
        struct jc_cell_args a = { &r->spec, &r->job, &r->ids, NULL, NULL };
        int wstatus;

        if (jc_supervisor_init(&r->sup, err) < 0)
                return -1;
        if ((r->o.slurm ? from_plugin(r, err) : resolve(r, err)) < 0)
                return -1;
        jc_status_phase(&r->st, JC_PHASE_RESOLVE);
        jc_test_stop("prepare");
        if (prepare(r, err) < 0)
                return -1;
        jc_status_phase(&r->st, JC_PHASE_PREPARE);
        a.spec_json = r->spec_json;
        if (jc_cell_open(&a, &r->cell, err) < 0)
                return -1;
        r->st.cell_created = r->cell.created;
        if (jc_image_info_parse(r->cell.image, &r->image, err) < 0)
                return -1;
        jc_format(r->st.image_kind, sizeof(r->st.image_kind), "%s", r->image.kind);
        jc_format(r->st.image_digest, sizeof(r->st.image_digest), "%s", r->image.digest);
        /* The creator's keeper imported it; a joiner did nothing. */
        r->st.image_imported = r->cell.created && r->image.imported;
        jc_status_phase(&r->st, JC_PHASE_CELL);
        jc_test_stop("start");
        if (start(r, err) < 0)
                return -1;
        jc_status_phase(&r->st, JC_PHASE_START);
        jc_test_stop("run");
        if (jc_supervise(&r->sup, r->member.pid, &wstatus, err) < 0)
                return -1;
        jc_status_phase(&r->st, JC_PHASE_RUN);
        if (WIFSIGNALED(wstatus)) {
                r->st.signal = WTERMSIG(wstatus);
                r->st.exit_code = 128 + WTERMSIG(wstatus);
        } else {
                r->st.exit_code = WEXITSTATUS(wstatus);
        }
        return 0;
}

static void finish(struct run *r, const struct jc_error *failure)
{
        struct jc_error err = { 0 };

        jc_member_close(&r->member);
        jc_cell_close(&r->cell);
        jc_image_info_free(&r->image);
        jc_strv_free(&r->argv);
        jc_bpf_free(&r->bpf);
        jc_supervisor_close(&r->sup);
        if (failure != NULL)
                jc_error_text(failure, r->st.error, sizeof(r->st.error));
        jc_status_phase(&r->st, JC_PHASE_TOTAL);
        if (r->status_fd >= 0 &&
            jc_status_write(r->status_fd, &r->st, r->have_spec ? &r->spec : NULL, &err) < 0)
                jc_error_print(&err, JC_PROG);
        if (r->status_fd >= 0)
                close(r->status_fd);
        jc_env_free(r->env);
        free(r->spec_json);
        if (r->have_spec)
                jc_spec_free(&r->spec);
        jc_policy_free(r->pol);
        jc_job_free(&r->job);
        jc_request_free(&r->o.req);
}

extern char **environ;

int cmd_run(int argc, char **argv)
{
        struct run r = { .status_fd = -1,
                         .sup = { .sfd = -1 },
                         .member = { .report = -1, .alive = -1 } };
        struct jc_error err = { 0 };
        int rc;

        jc_status_begin(&r.st);
        r.o.handover = (struct jc_handover){ .spec_fd = -1, .env_fd = -1 };
        /* The hand-over goes first, before anything the user controls is
         * read: take uid 0 and stop being dumpable at once. */
        if (argc > 1 && strcmp(argv[1], "--slurm") == 0) {
                r.o.slurm = true;
                argv++;
                argc--;
                if (jc_handover_begin(&r.job, &err) < 0) {
                        jc_error_print(&err, "jobcell run");
                        jc_job_free(&r.job);
                        return EXIT_SANDBOX;
                }
        }
        r.cell.sock = -1;
        for (rc = 0; rc < JC_NS_COUNT; rc++)
                r.cell.fds[rc] = -1;
        jc_request_init(&r.o.req);
        rc = parse(argc, argv, &r.o, &err);
        if (rc != 0) {
                if (rc < 0)
                        jc_error_print(&err, "jobcell run");
                jc_request_free(&r.o.req);
                return rc > 0 ? 0 : EXIT_SANDBOX;
        }
        /* Opened now, with the caller's rights, before anything else. */
        if (r.o.status_file != NULL) {
                r.status_fd =
                        open(r.o.status_file, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
                if (r.status_fd < 0) {
                        jc_error_set(&err, errno, "--status-file `%s'", r.o.status_file);
                        jc_error_print(&err, "jobcell run");
                        jc_request_free(&r.o.req);
                        return EXIT_SANDBOX;
                }
        }
        r.st.exit_code = EXIT_SANDBOX;
        if (r.o.slurm) {
                char cwd[4096];

                r.job.argv = r.o.argv;
                r.job.cwd = getcwd(cwd, sizeof(cwd)) ? strdup(cwd) : NULL;
                rc = group_names(&r.job, &err) < 0 ? -1 : sandbox(&r, &err);
        } else if (job_setup(&r.job, &r.o, &err) == 0) {
                r.job.env = environ;
                rc = sandbox(&r, &err);
        } else {
                rc = -1;
        }
        if (rc < 0)
                jc_error_print(&err, "jobcell run");
        finish(&r, rc < 0 ? &err : NULL);
        return r.st.exit_code;
}
