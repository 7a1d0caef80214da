/* jobcell run: resolve the spec, build (or join) the sandbox, run the
 * command in it, supervise it, report.  The phases are named in
 * runner/status.h; each lives in the file of its concern. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <math.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cell.h"
#include "cell_image.h"
#include "cli.h"
#include "env.h"
#include "handover.h"
#include "member.h"
#include "resolve.h"
#include "jc_seccomp.h"
#include "resources.h"
#include "status.h"
#include "supervise.h"
#include "teststop.h"
#include "trust.h"
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
        struct jc_res_opts res;
        double stats_interval; /* seconds; 0: no stats lines */
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
                "  --status-file FILE  write a JSON status record there (with the usage)\n"
                "  --cgroup-parent PATH|own\n"
                "                      put the sandbox's cgroups under PATH (from the\n"
                "                      hierarchy's root), or below the caller's own\n"
                "                      cgroups (own); default: the policy's cgroup_parent\n"
                "  --cgroup-name NAME  name of this runner's cgroups, unique on the node\n"
                "                      (default CELL.PID, or anon.PID)\n"
                "  --stats-interval SECONDS\n"
                "                      print a line of usage on stderr that often\n"
                "  --state-dir DIR     where the cgroup records for `jobcell gc' go\n"
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
        OPT_CGROUP_PARENT,
        OPT_CGROUP_NAME,
        OPT_STATS_INTERVAL,
        OPT_STATE_DIR,
};

static int parse_fd(const char *s, int *fd, struct jc_error *err)
{
        int64_t v;

        if (jc_parse_int(s, 3, 1 << 20, &v, err) < 0)
                return jc_error_wrap(err, "descriptor");
        *fd = (int)v;
        return 0;
}

/* --cell and --cgroup-name, in either mode: names that become a socket's
 * and a cgroup's, checked while the options are read. */
static int cell_name(const char *arg, struct run_opts *o, struct jc_error *err)
{
        if (jc_cell_name_check(arg, err) < 0)
                return jc_error_wrap(err, "--cell");
        o->cell = arg;
        return 0;
}

static int cgroup_name(const char *arg, struct run_opts *o, struct jc_error *err)
{
        if (!jc_cgroup_name_ok(arg))
                return jc_error_set(err, 0,
                                    "--cgroup-name `%s': 1 to 128 of A-Z a-z 0-9 _ . - "
                                    "(no leading dot)",
                                    arg);
        o->res.name = arg;
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
        if (c == OPT_CELL)
                return cell_name(arg, o, err);
        /* Each task's own cgroup set, below its own (Slurm's) cgroups. */
        if (c == OPT_CGROUP_NAME)
                return cgroup_name(arg, o, err);
        if (c == OPT_CGROUP_PARENT && strcmp(arg, JC_CGROUP_PARENT_OWN) == 0) {
                o->res.parent = arg;
                return 0;
        }
        return jc_error_set(err, 0,
                            "with --slurm, only --spec-fd, --env-fd, --keep-fd, --cell, "
                            "--cgroup-name and --cgroup-parent=own are taken (the plugin "
                            "resolved the spec)");
}

static int parse_interval(const char *arg, double *out, struct jc_error *err)
{
        char *end;
        double v;

        errno = 0;
        v = strtod(arg, &end);
        if (end == arg || *end != '\0' || errno != 0 || !isfinite(v) || v < 0.1 || v > 1e6)
                return jc_error_set(
                        err, 0, "--stats-interval `%s': a number of seconds from 0.1 to 1e6", arg);
        *out = v;
        return 0;
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
                { "cgroup-parent", required_argument, NULL, OPT_CGROUP_PARENT },
                { "cgroup-name", required_argument, NULL, OPT_CGROUP_NAME },
                { "stats-interval", required_argument, NULL, OPT_STATS_INTERVAL },
                { "state-dir", required_argument, NULL, OPT_STATE_DIR },
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
        while ((c = getopt_long(argc, argv, JC_CLI_OPTSTRING, opts, NULL)) != -1) {
                if (c == '?' || c == ':')
                        return jc_cli_bad_option(c, argv, opts, "run", err);
                if (o->slurm) {
                        if (slurm_option(c, optarg, o, err) < 0) {
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
                        if (cell_name(optarg, o, err) < 0)
                                return -1;
                        break;
                case OPT_STATUS:
                        o->status_file = optarg;
                        break;
                case OPT_CGROUP_PARENT:
                        if (optarg[0] != '/' && strcmp(optarg, JC_CGROUP_PARENT_OWN) != 0)
                                return jc_error_set(err, 0,
                                                    "--cgroup-parent `%s': an absolute path or "
                                                    "`own'",
                                                    optarg);
                        o->res.parent = optarg;
                        break;
                case OPT_CGROUP_NAME:
                        if (cgroup_name(optarg, o, err) < 0)
                                return -1;
                        break;
                case OPT_STATS_INTERVAL:
                        if (parse_interval(optarg, &o->stats_interval, err) < 0)
                                return -1;
                        break;
                case OPT_STATE_DIR:
                        if (optarg[0] != '/')
                                return jc_error_set(err, 0, "--state-dir `%s': not absolute",
                                                    optarg);
                        o->res.state_dir = optarg;
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
static void rootless_notice(const struct jc_spec *spec, const struct jc_res *res)
{
        char line[2 * JC_ERROR_MSG_MAX] = "";
        size_t n;

        if (spec->identity == JC_ID_USER)
                jc_format(line, sizeof(line),
                          "root inside is not mapped (no service uid without privilege)");
        n = strlen(line);
        if (res->none)
                jc_format(line + n, sizeof(line) - n,
                          "%sno cgroup of its own, so no pids limit (%s)", n ? "; " : "",
                          res->why_none);
        if (line[0] != '\0')
                fprintf(stderr, "jobcell: rootless: %s\n", line);
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
        struct jc_res res;
        bool sampling;              /* the kernel keeps no peak: sample every second */
        double last_stats;          /* CLOCK_MONOTONIC seconds of the last stats line */
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

        if (jc_cli_load_policy(r->o.policy, r->job.privileged, &r->pol, err) < 0)
                return -1;
        if (jc_resolve(r->pol, r->o.partition, &r->o.req, &ctx, &r->spec, err) < 0)
                return -1;
        /* Relay ports come only with the Slurm plugin's hand-over, which
         * checked each to be its slurmstepd's (runner/relay.h): no policy
         * key or option sets them, and none may. */
        if (r->spec.relay_tcp.n > 0)
                return jc_error_set(err, EPERM, "relay_tcp: only the Slurm plugin's spec has it");
        r->have_spec = true;
        r->spec_json = jc_spec_to_json(&r->spec, false, err);
        return r->spec_json ? 0 : -1;
}

/* The paths the job names (the image, bind sources) are opened by the
 * keeper, only when this runner creates the cell (runner/cell.h). */
static int prepare(struct run *r, struct jc_error *err)
{
        /* Likewise a seccomp profile a user could edit. */
        if (r->job.privileged && !r->spec.privileged && strcmp(r->spec.seccomp, "default") != 0 &&
            jc_path_root_owned(r->spec.seccomp, err) < 0)
                return jc_error_wrap(err, "seccomp profile cannot be trusted");
        if (jc_seccomp_build(&r->spec, &r->bpf, err) < 0 ||
            jc_ids_plan(&r->spec, &r->job, &r->ids, err) < 0)
                return -1;
        /* Checked before anything is built: limits only tighten. */
        return jc_res_plan(&r->res, &r->spec, &r->job, &r->o.res, err);
}

static double dmin(double a, double b)
{
        return a < b ? a : b;
}

static double now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Into the runner's own cgroup set, before the job starts: the job and
 * all it forks are born there. */
static int cgroup(struct run *r, struct jc_error *err)
{
        struct jc_cgroup_stats s;
        struct jc_error e2;

        if (jc_res_create(&r->res, &r->cell, err) < 0)
                return -1;
        if (!r->job.privileged)
                rootless_notice(&r->spec, &r->res);
        if (r->res.cg == NULL)
                return 0;
        /* Where the kernel keeps no peak, the supervisor samples. */
        (void)jc_cgroup_stats(r->res.cg, &s, &e2);
        r->sampling = s.pids_peak_sampled || s.memory_peak_sampled;
        r->last_stats = now();
        return 0;
}

static void tick(void *arg)
{
        struct run *r = arg;
        struct jc_cgroup_stats s;
        struct jc_error err;
        char line[512];
        double t = now();

        if (r->res.cg == NULL)
                return;
        /* A tick may come a little early: half a period of slack. */
        if (r->o.stats_interval <= 0 ||
            t - r->last_stats < r->o.stats_interval - dmin(r->o.stats_interval, 1.0) / 2) {
                jc_cgroup_sample(r->res.cg);
                return;
        }
        r->last_stats = t;
        (void)jc_cgroup_stats(r->res.cg, &s, &err); /* what it could not read shows as - */
        fprintf(stderr, "jobcell: stats: %s\n", jc_cgroup_stats_line(&s, line, sizeof(line)));
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
        struct jc_cell_args a = { &r->spec, &r->job, &r->ids, NULL, NULL, NULL };
        struct jc_tick t = { 0, tick, r };
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
        a.keeper_cgroup = r->res.keeper_wanted ? &r->res.keeper : NULL;
        /* The keeper (and the init) before our own set: they are the
         * cell's, never inside a member's set (runner/resources.h). */
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
        jc_test_stop("cgroup");
        if (cgroup(r, err) < 0)
                return -1;
        jc_status_phase(&r->st, JC_PHASE_CGROUP);
        jc_test_stop("start");
        if (start(r, err) < 0)
                return -1;
        jc_status_phase(&r->st, JC_PHASE_START);
        /* Our stderr may be a pipe whose reader goes away (`| head'): a
         * stats line must not kill the supervisor.  The job has its own
         * dispositions already (it exec'd). */
        signal(SIGPIPE, SIG_IGN);
        jc_test_stop("run");
        if (r->res.cg != NULL) {
                if (r->o.stats_interval > 0)
                        t.period =
                                r->sampling ? dmin(r->o.stats_interval, 1.0) : r->o.stats_interval;
                else if (r->sampling)
                        t.period = 1.0;
        }
        if (jc_supervise(&r->sup, r->member.pid, &t, &wstatus, err) < 0)
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

/* The usage record, and one line each when the OOM killer struck or the
 * pids limit refused a fork: a job that died of either is easier to
 * understand with it. */
static void usage(struct run *r)
{
        struct jc_cgroup_stats s;
        struct jc_error err;
        char limit[64] = "";

        if (r->res.cg == NULL)
                return;
        (void)jc_cgroup_stats(r->res.cg, &s, &err); /* unknown values are null */
        r->st.usage = jc_cgroup_stats_json(&s);
        r->st.oom_killed = s.oom_kills > 0;
        r->st.pids_limit_hit = s.pids_limit_hits > 0;
        if (!r->st.started)
                return;
        if (s.memory_limit >= 0)
                jc_format(limit, sizeof(limit), " (memory limit %lld bytes)",
                          (long long)s.memory_limit);
        if (s.oom_kills > 0 && r->st.signal == SIGKILL)
                fprintf(stderr, "jobcell: the job was killed by the OOM killer%s\n", limit);
        else if (s.oom_kills > 0)
                fprintf(stderr, "jobcell: the OOM killer killed %lld process%s of the job%s\n",
                        (long long)s.oom_kills, s.oom_kills == 1 ? "" : "es", limit);
        if (s.pids_limit_hits > 0)
                fprintf(stderr,
                        "jobcell: the job hit its pids limit (%lld processes and threads): "
                        "%lld forks or new threads were refused\n",
                        (long long)s.pids_limit, (long long)s.pids_limit_hits);
}

static void finish(struct run *r, const struct jc_error *failure)
{
        struct jc_error err = { 0 };

        jc_member_close(&r->member);
        usage(r);
        /* Before we leave the cell: the keeper removes only what a member
         * that left without doing so itself left behind. */
        if (jc_res_destroy(&r->res, &err) < 0) {
                jc_error_wrap(&err, "remove the cgroups (`jobcell gc' removes what is left)");
                jc_error_print(&err, "jobcell run");
        }
        if (jc_cell_leave(&r->cell, &err) < 0)
                jc_error_print(&err, "jobcell run");
        if (r->st.cell_created)
                jc_res_keeper_gone(&r->res);
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
        jc_status_free(&r->st);
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
                jc_job_free(&r.job); /* what the hand-over recorded */
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
                        jc_job_free(&r.job);
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
