/* The hand-over from Slurm's task to the runner (doc/slurm.md,
 * runner/handover.h).  Slurm forks each task from slurmstepd as root,
 * calls task_init_privileged, switches to the user, calls task_init and
 * would then exec the job.  A sandboxed task execs the runner instead:
 *
 *   RUNNER run --slurm --spec-fd=N --env-fd=M --cell=JOB.STEP.RANDOM
 *          [--keep-fd=PMI_FD] -- ARGV...
 *
 * Privilege, without any setuid binary (DESIGN.md, measured):
 * - task_init_privileged (root) sets SECBIT_NO_SETUID_FIXUP: Slurm's
 *   setuid() to the user then keeps the permitted and effective
 *   capabilities (capabilities(7), "Effect of user ID changes").
 * - task_init (the user's uid) puts exactly the runner's capabilities
 *   (runner/handover_caps.h) into the inheritable and ambient sets and
 *   execs the runner, which has no file capabilities: its permitted and
 *   effective sets are the ambient set.  The runner becomes uid 0 first
 *   thing and drops everything, securebits included, before the job runs.
 * - Every path that does not exec the runner takes it all back
 *   (jc_handover_undo) and ends the task: a task that kept the securebit
 *   or a capability must never reach Slurm's exec of the job.
 *
 * What the runner gets:
 * - RUNNER is the runner= path of plugstack.conf, checked root-owned when
 *   the step started.
 * - Its environment is only PATH: the job's environment may hold
 *   LD_PRELOAD or GLIBC_TUNABLES, which the dynamic loader would honour in
 *   a runner that holds capabilities (ambient capabilities do not set
 *   AT_SECURE).  The job's environment (S_JOB_ENV: Slurm's, with
 *   SLURM_PROCID and the rest) goes on fd M instead, NAME=VALUE entries
 *   each ended by a NUL.
 * - fd N holds the resolved spec as JSON (jc_spec_to_json), decided by
 *   slurmstepd as root from the node's policy, plus what Slurm made for
 *   the step that the job must see (the batch script, the PMIx directory)
 *   as the admin's mounts, and with network none the PMIx server's ports
 *   for the cell's relay (relay_tcp, pmix_relay.c).
 * - Both are sealed memfds (no writer can change them; no size limit as a
 *   pipe would have), at offset 0, not close-on-exec.
 * - PMI_FD (srun --mpi=pmi2: a socket to slurmstepd's PMI server) is kept
 *   open in the job with --keep-fd.
 * - ARGV is the job's command as Slurm has it (S_JOB_ARGV), not looked up
 *   in PATH: slurmstepd would have done that after this hook, so the
 *   runner does it inside the image with the job's PATH. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <slurm/slurm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spank_state.h"

#define RUNNER_PATH "PATH=/usr/sbin:/usr/bin:/sbin:/bin"

int jc_handover_prepare(struct jc_error *err)
{
        int bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);

        if (bits < 0 || prctl(PR_SET_SECUREBITS, bits | SECBIT_NO_SETUID_FIXUP, 0, 0, 0) < 0)
                return jc_error_set(err, errno, "set SECBIT_NO_SETUID_FIXUP");
        jc_st.secbit_set = true;
        return 0;
}

static int capget_all(struct __user_cap_data_struct d[2])
{
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };

        return (int)syscall(SYS_capget, &h, d);
}

static int capset_all(struct __user_cap_data_struct d[2])
{
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };

        return (int)syscall(SYS_capset, &h, d);
}

void jc_handover_undo(void)
{
        struct __user_cap_data_struct none[2] = { { 0 } };
        int bits;

        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
        /* The securebit first: changing it takes CAP_SETPCAP, which the
         * next step drops. */
        bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
        if (bits >= 0 && (bits & SECBIT_NO_SETUID_FIXUP))
                prctl(PR_SET_SECUREBITS, bits & ~SECBIT_NO_SETUID_FIXUP, 0, 0, 0);
        /* As the user, what Slurm's setuid() would have left: nothing.  (In
         * task_init_privileged the task is still root; it ends anyway.) */
        if (getuid() != 0)
                capset_all(none);
        jc_st.secbit_set = false;
}

/* Exactly WANT in the inheritable and ambient sets: after execve, the
 * runner's permitted and effective sets. */
static int raise_caps(uint64_t want, struct jc_error *err)
{
        struct __user_cap_data_struct d[2];
        uint64_t prm;
        int c;

        if (!jc_st.secbit_set)
                return jc_error_set(err, EPERM, "SECBIT_NO_SETUID_FIXUP was not set");
        if (capget_all(d) < 0)
                return jc_error_set(err, errno, "capget");
        prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
        if ((prm & want) != want)
                return jc_error_set(err, EPERM,
                                    "the task lost the runner's capabilities (permitted %#llx)",
                                    (unsigned long long)prm);
        d[0].inheritable = (uint32_t)want;
        d[1].inheritable = (uint32_t)(want >> 32);
        if (capset_all(d) < 0)
                return jc_error_set(err, errno, "capset");
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
                return jc_error_set(err, errno, "clear the ambient capabilities");
        for (c = 0; c < 64; c++)
                if ((want & (UINT64_C(1) << c)) &&
                    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
                        return jc_error_set(err, errno, "raise ambient capability %d", c);
        return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
        ssize_t n;

        while (len > 0) {
                n = write(fd, buf, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -1;
                buf += n;
                len -= (size_t)n;
        }
        return 0;
}

/* A sealed memfd holding the strings in V (each with its NUL when NUL_SEP,
 * else V[0] alone without one), rewound, inherited across exec. */
static int sealed_memfd(const char *name, char *const *v, bool nul_sep, struct jc_error *err)
{
        int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        size_t i;

        if (fd < 0)
                return jc_error_set(err, errno, "memfd_create `%s'", name);
        for (i = 0; v[i] != NULL; i++)
                if (write_all(fd, v[i], strlen(v[i]) + (nul_sep ? 1 : 0)) < 0)
                        goto fail;
        if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0 ||
            lseek(fd, 0, SEEK_SET) < 0 || fcntl(fd, F_SETFD, 0) < 0)
                goto fail;
        return fd;
fail:
        jc_error_set(err, errno, "fill memfd `%s'", name);
        close(fd);
        return -1;
}

static const char *env_get(char **env, const char *name)
{
        size_t n = strlen(name);

        for (; *env != NULL; env++)
                if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
                        return *env + n + 1;
        return NULL;
}

/* srun --mpi=pmi2: PMI_FD is the task's end of a unix socket pair to
 * slurmstepd's PMI server.  The variable is the user's to set as well:
 * keep only a descriptor that is such a socket (slurmstepd leaves other
 * descriptors open in the task, which the job must not get). */
static int pmi_fd(char **env)
{
        const char *v = env_get(env, "PMI_FD");
        struct stat st;
        int fd, domain = 0;
        socklen_t len = sizeof(domain);
        char *end;
        long x;

        if (v == NULL)
                return -1;
        errno = 0;
        x = strtol(v, &end, 10);
        if (errno != 0 || *end != '\0' || end == v || x < 3 || x > 1 << 20)
                return -1;
        fd = (int)x;
        if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode) ||
            getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 || domain != AF_UNIX)
                return -1;
        return fd;
}

/* Push PATH (trailing slashes dropped) as the admin's mount at the same
 * path inside, RW or read-only. */
static int admin_mount(const char *path, bool rw, struct jc_error *err)
{
        char buf[4096];
        size_t n;

        if (jc_format(buf, sizeof(buf), "%s", path))
                return jc_error_set(err, ENAMETOOLONG, "`%s'", path);
        n = strlen(buf);
        while (n > 1 && buf[n - 1] == '/')
                buf[--n] = '\0';
        return jc_mounts_push(&jc_st.spec.mounts, buf, buf, rw, true, err);
}

/* srun --mpi=pmix with network none: the PMIx server's loopback ports,
 * for the cell's relay (runner/relay.h), each one a listener that this
 * step's slurmstepd holds (pmix_relay.c).  Measured in task_init (Slurm
 * 22.05, PMIx 4.2): both the task's own process and its parent, the
 * step's slurmstepd, hold the server's listening socket (the task
 * inherits it at fork).  slurmstepd is the proof: it made the server and
 * holds it for the step's life, whatever Slurm closes in the task before
 * this hook.  Its pid is the one recorded in init_post_opt, which ran in
 * it, not getppid(): a task whose slurmstepd died is reparented. */
static int pmix_relay(char **env, struct jc_error *err)
{
        size_t claimed;
        char stepd[16];

        if (jc_st.spec.network != JC_NET_NONE)
                return 0; /* the host's network: the job reaches it itself */
        jc_format(stepd, sizeof(stepd), "%d", (int)jc_st.stepd_pid);
        if (jc_pmix_relay_ports(env, stepd, &jc_st.spec.relay_tcp, &claimed, err) < 0)
                return jc_error_wrap(err, "PMIx relay");
        /* A forged URI, or a server that is gone: MPI_Init will say
         * "Unreachable", and slurmd's log (verbose) why. */
        if (claimed != jc_st.spec.relay_tcp.n)
                slurm_verbose("jobcell: job=%u step=%s: %zu of %zu PMIx server ports in the task's "
                              "environment are not listeners of slurmstepd (pid %s): not relayed",
                              jc_st.job_id, jc_st.step, claimed - jc_st.spec.relay_tcp.n, claimed,
                              stepd);
        return 0;
}

/* What Slurm made for the step that the job must see at the same path
 * inside, bound as the admin's mounts (opened with the runner's rights;
 * the user's mounts_allowed does not apply), each checked to be Slurm's:
 * - the batch step's command is the script slurmd wrote to its spool
 *   directory (read-only);
 * - srun --mpi=pmix: the clients map the shared-memory store of Slurm's
 *   PMIx server from PMIX_SERVER_TMPDIR (SlurmdSpoolDir/pmix.JOB.STEP).
 * Every task of a step adds the same, so they still present the same spec
 * to the cell.  *JSON is the new spec's JSON, or NULL when nothing was
 * added. */
static int slurm_mounts(char **env, char **argv, char **json, struct jc_error *err)
{
        const char *pmix = env_get(env, "PMIX_SERVER_TMPDIR");
        struct jc_error why = { 0 };
        bool added = false;

        if (jc_st.step_id == SLURM_BATCH_SCRIPT) {
                if (jc_batch_script_check(argv[0], jc_st.job_id, jc_st.uid, err) < 0)
                        return -1;
                if (admin_mount(argv[0], false, err) < 0)
                        return -1;
                added = true;
        }
        if (pmix != NULL) {
                if (jc_pmix_dir_check(pmix, jc_st.job_id, jc_st.step, jc_st.uid, &why) == 0) {
                        if (admin_mount(pmix, true, err) < 0 || pmix_relay(env, err) < 0)
                                return -1;
                        added = true;
                } else {
                        slurm_verbose("jobcell: job=%u step=%s: no PMIx directory bound: %s",
                                      jc_st.job_id, jc_st.step, why.msg);
                }
        }
        if (!added)
                return 0;
        *json = jc_spec_to_json(&jc_st.spec, false, err);
        return *json == NULL ? -1 : 0;
}

int jc_handover_exec(spank_t sp, struct jc_error *err)
{
        char spec_opt[32], env_opt[32], keep_opt[32], cell_opt[128], cgroup_opt[160];
        uint32_t task = 0;
        char **nargv = NULL, **job_env = NULL, **job_argv = NULL;
        char *json = NULL;
        char *spec_v[] = { NULL, NULL };
        char *envp[] = { RUNNER_PATH, NULL };
        int job_argc = 0, spec_fd = -1, env_fd = -1, pmi = -1, n = 0, i;

        if (spank_get_item(sp, S_JOB_ENV, &job_env) != ESPANK_SUCCESS || job_env == NULL ||
            spank_get_item(sp, S_JOB_ARGV, &job_argc, &job_argv) != ESPANK_SUCCESS ||
            job_argv == NULL || job_argc < 1) {
                jc_error_set(err, 0, "cannot get the task's environment and command");
                goto out;
        }
        if (slurm_mounts(job_env, job_argv, &json, err) < 0)
                goto out;
        spec_v[0] = json != NULL ? json : jc_st.spec_json;
        spec_fd = sealed_memfd("jobcell-spec", spec_v, false, err);
        if (spec_fd < 0)
                goto out;
        env_fd = sealed_memfd("jobcell-env", job_env, true, err);
        if (env_fd < 0)
                goto out;
        pmi = pmi_fd(job_env);
        jc_format(spec_opt, sizeof(spec_opt), "--spec-fd=%d", spec_fd);
        jc_format(env_opt, sizeof(env_opt), "--env-fd=%d", env_fd);
        jc_format(keep_opt, sizeof(keep_opt), "--keep-fd=%d", pmi);
        jc_format(cell_opt, sizeof(cell_opt), "--cell=%s", jc_st.cell);
        /* Each task's own cgroup set, below the cgroups Slurm made for the
         * task: its pids limit and usage are the task's. */
        spank_get_item(sp, S_TASK_GLOBAL_ID, &task);
        jc_format(cgroup_opt, sizeof(cgroup_opt), "--cgroup-name=%u.%s.%u", jc_st.job_id,
                  jc_st.step, task);
        nargv = calloc((size_t)job_argc + 11, sizeof(*nargv));
        if (nargv == NULL) {
                jc_error_set(err, ENOMEM, "hand over to the runner");
                goto out;
        }
        nargv[n++] = jc_st.conf.runner;
        nargv[n++] = "run";
        nargv[n++] = "--slurm";
        nargv[n++] = spec_opt;
        nargv[n++] = env_opt;
        nargv[n++] = cell_opt;
        nargv[n++] = cgroup_opt;
        nargv[n++] = "--cgroup-parent=own";
        if (pmi >= 0)
                nargv[n++] = keep_opt;
        nargv[n++] = "--";
        for (i = 0; i < job_argc; i++)
                nargv[n++] = job_argv[i];
        nargv[n] = NULL;
        /* The last thing before the exec: from here the task holds
         * capabilities it may only take into the runner. */
        if (raise_caps(jc_st.caps, err) < 0)
                goto out;
        execve(jc_st.conf.runner, nargv, envp);
        jc_error_set(err, errno, "exec the runner `%s'", jc_st.conf.runner);
out:
        jc_handover_undo();
        free(nargv);
        free(json);
        if (spec_fd >= 0)
                close(spec_fd);
        if (env_fd >= 0)
                close(env_fd);
        return -1;
}
