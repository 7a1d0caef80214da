#include "config.h"

#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "handover.h"
#include "handover_caps.h"
#include "util.h"

/* runner/handover_caps.h says why each. */
const char jc_handover_caps[] = JC_HANDOVER_CAPS;

static int need_caps(struct jc_error *err)
{
        static const unsigned caps[] = { CAP_SYS_ADMIN, CAP_SETUID, CAP_SETGID, CAP_SETPCAP };
        size_t i;

        if (capng_get_caps_process() < 0)
                return jc_error_set(err, errno, "--slurm: read capabilities");
        for (i = 0; i < JC_ARRAY_SIZE(caps); i++)
                if (!capng_have_capability(CAPNG_EFFECTIVE, caps[i]))
                        return jc_error_set(err, EPERM,
                                            "--slurm: only the Slurm plugin starts "
                                            "the runner this way (it lacks %s)",
                                            capng_capability_to_name(caps[i]));
        return 0;
}

static int record_user(struct jc_job *job, struct jc_error *err)
{
        struct passwd pw, *res = NULL;
        char buf[4096];
        int n;

        job->uid = getuid();
        job->gid = getgid();
        n = getgroups(0, NULL);
        job->groups = calloc((size_t)(n > 0 ? n : 1), sizeof(gid_t));
        if (n < 0 || job->groups == NULL || getgroups(n, job->groups) != n)
                return jc_error_set(err, errno, "--slurm: the job's groups");
        job->ngroups = (size_t)n;
        errno = getpwuid_r(job->uid, &pw, buf, sizeof(buf), &res);
        if (res == NULL)
                return jc_error_set(err, errno, "--slurm: uid %u has no passwd entry",
                                    (unsigned)job->uid);
        job->user = strdup(pw.pw_name);
        job->home = strdup(pw.pw_dir);
        if (job->user == NULL || job->home == NULL)
                return jc_error_set(err, ENOMEM, "--slurm");
        return 0;
}

int jc_handover_begin(struct jc_job *job, struct jc_error *err)
{
        if (need_caps(err) < 0)
                return -1;
        if (record_user(job, err) < 0)
                return -1;
        /* With SECBIT_NO_SETUID_FIXUP (the plugin's), these keep the
         * capabilities.  Root's uid: the user may signal and trace its own
         * uid's processes, never another's holding capabilities. */
        if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
                return jc_error_set(err, errno, "--slurm: become uid 0");
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return jc_error_set(err, errno, "--slurm: not dumpable");
        job->privileged = true;
        return 0;
}

static char *read_all(int fd, size_t *len, struct jc_error *err)
{
        size_t cap = 65536;
        char *buf = malloc(cap + 1);
        ssize_t n;

        *len = 0;
        while (buf != NULL && (n = read(fd, buf + *len, cap - *len)) > 0) {
                *len += (size_t)n;
                if (*len == cap) {
                        char *nb = cap < (64u << 20) ? realloc(buf, cap * 2 + 1) : NULL;

                        if (nb == NULL) {
                                free(buf);
                                buf = NULL;
                                break;
                        }
                        buf = nb;
                        cap *= 2;
                }
        }
        if (buf == NULL) {
                jc_error_set(err, ENOMEM, "--slurm: read from fd %d", fd);
                return NULL;
        }
        if (n < 0) {
                free(buf);
                jc_error_set(err, errno, "--slurm: read from fd %d", fd);
                return NULL;
        }
        buf[*len] = '\0';
        return buf;
}

/* NUL-separated NAME=VALUE strings into a NULL-terminated array. */
static char **split_env(char *buf, size_t len, struct jc_error *err)
{
        size_t n = 0, i, k = 0;
        char **env;

        for (i = 0; i < len; i++)
                n += buf[i] == '\0';
        env = calloc(n + 2, sizeof(char *));
        if (env == NULL) {
                jc_error_set(err, ENOMEM, "--slurm: environment");
                return NULL;
        }
        for (i = 0; i < len; i += strlen(buf + i) + 1)
                if (strchr(buf + i, '=') != NULL)
                        env[k++] = buf + i;
        return env;
}

/* Slurm propagates the submitting shell's limits (PropagateResourceLimits)
 * as SLURM_RLIMIT_NAME=VALUE, the soft limit; slurmstepd would apply them
 * after the plugin's task_init, which hands over to us, so we do. */
static void slurm_rlimits(struct jc_job *job)
{
        static const struct {
                const char *name;
                int res;
        } map[] = {
                { "CPU", RLIMIT_CPU },         { "FSIZE", RLIMIT_FSIZE },
                { "DATA", RLIMIT_DATA },       { "STACK", RLIMIT_STACK },
                { "CORE", RLIMIT_CORE },       { "RSS", RLIMIT_RSS },
                { "NPROC", RLIMIT_NPROC },     { "NOFILE", RLIMIT_NOFILE },
                { "MEMLOCK", RLIMIT_MEMLOCK }, { "AS", RLIMIT_AS },
        };
        size_t i, k, n;
        char **e;

        for (e = job->env; e != NULL && *e != NULL; e++) {
                if (strncmp(*e, "SLURM_RLIMIT_", 13) != 0)
                        continue;
                for (i = 0; i < JC_ARRAY_SIZE(map); i++) {
                        const char *v;
                        char *end;
                        unsigned long long x;

                        n = strlen(map[i].name);
                        if (strncmp(*e + 13, map[i].name, n) != 0 || (*e)[13 + n] != '=')
                                continue;
                        v = *e + 14 + n;
                        if (*v == 'U') /* the user asked for it with --propagate */
                                v++;
                        errno = 0;
                        x = strtoull(v, &end, 10);
                        if (errno != 0 || *end != '\0' || end == v)
                                break;
                        k = (size_t)map[i].res;
                        /* The soft limit only: never above the hard one. */
                        job->rlimits[k] = (struct jc_rlimit){ .set = true, .soft = x, .hard = 0 };
                        break;
                }
        }
}

int jc_handover_read(const struct jc_handover *h, struct jc_job *job, struct jc_spec *spec,
                     struct jc_error *err)
{
        _cleanup_free_ char *json = NULL;
        char *envbuf;
        size_t len, envlen;

        if (h->spec_fd < 0 || h->env_fd < 0)
                return jc_error_set(err, EINVAL, "--slurm needs --spec-fd and --env-fd");
        json = read_all(h->spec_fd, &len, err);
        close(h->spec_fd);
        if (json == NULL)
                return -1;
        envbuf = read_all(h->env_fd, &envlen, err);
        close(h->env_fd);
        if (envbuf == NULL)
                return -1;
        job->env_buf = envbuf;
        job->env = split_env(envbuf, envlen, err);
        if (job->env == NULL)
                return -1;
        job->env_owned = true;
        if (jc_spec_from_json(spec, json, err) < 0)
                return jc_error_wrap(err, "--slurm: the plugin's spec");
        memcpy(job->keep_fds, h->keep, h->nkeep * sizeof(int));
        job->nkeep = h->nkeep;
        slurm_rlimits(job);
        return 0;
}
