/* The hand-over from Slurm's task to the runner, in slurm_spank_task_init:
 * the last hook before Slurm would exec the job, in the task's own process,
 * in the task's cgroup, with its stdio, CPU binding and signals.  The task
 * execs the runner instead:
 *
 *   RUNNER run --slurm --spec-fd=N --env-fd=M --cell=JOB.STEP
 *          --runtime-dir=DIR -- ARGV...
 *
 * - RUNNER is the runner= path of plugstack.conf, checked root-owned when
 *   the step started.
 * - The runner's environment is only PATH: the job's environment may hold
 *   LD_PRELOAD or GLIBC_TUNABLES, which the dynamic loader would honour in
 *   a runner that holds capabilities (ambient capabilities do not set
 *   AT_SECURE).  The job's environment (S_JOB_ENV: Slurm's, with
 *   SLURM_PROCID and the rest) goes on fd M instead, NAME=VALUE entries
 *   each ended by a NUL.
 * - fd N holds the resolved spec as JSON (jc_spec_to_json), decided by
 *   slurmstepd as root from the node's policy.
 * - Both are sealed memfds (no writer can change them; no size limit as a
 *   pipe would have), at offset 0, not close-on-exec.
 * - ARGV is the job's command as Slurm has it (S_JOB_ARGV), not looked up
 *   in PATH: slurmstepd would have done that after this hook, so the
 *   runner does it inside the image with the job's PATH. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <slurm/slurm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "spank_state.h"

#define RUNNER_PATH "PATH=/usr/sbin:/usr/bin:/sbin:/bin"

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

int jc_handover_exec(spank_t sp, struct jc_error *err)
{
        char spec_opt[32], env_opt[32], cell_opt[96];
        char *rt_opt = NULL, **nargv = NULL, **job_env = NULL, **job_argv = NULL;
        char *spec_v[] = { jc_st.spec_json, NULL };
        char *envp[] = { RUNNER_PATH, NULL };
        int job_argc = 0, spec_fd = -1, env_fd = -1, n = 0, i;

        if (spank_get_item(sp, S_JOB_ENV, &job_env) != ESPANK_SUCCESS || job_env == NULL ||
            spank_get_item(sp, S_JOB_ARGV, &job_argc, &job_argv) != ESPANK_SUCCESS ||
            job_argv == NULL || job_argc < 1)
                return jc_error_set(err, 0, "cannot get the task's environment and command");
        spec_fd = sealed_memfd("jobcell-spec", spec_v, false, err);
        if (spec_fd < 0)
                return -1;
        env_fd = sealed_memfd("jobcell-env", job_env, true, err);
        if (env_fd < 0)
                goto out;
        jc_format(spec_opt, sizeof(spec_opt), "--spec-fd=%d", spec_fd);
        jc_format(env_opt, sizeof(env_opt), "--env-fd=%d", env_fd);
        jc_format(cell_opt, sizeof(cell_opt), "--cell=%s", jc_st.cell);
        if (asprintf(&rt_opt, "--runtime-dir=%s", jc_st.conf.runtime_dir) < 0) {
                rt_opt = NULL;
                jc_error_set(err, ENOMEM, "hand over to the runner");
                goto out;
        }
        nargv = calloc((size_t)job_argc + 9, sizeof(*nargv));
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
        nargv[n++] = rt_opt;
        nargv[n++] = "--";
        for (i = 0; i < job_argc; i++)
                nargv[n++] = job_argv[i];
        nargv[n] = NULL;
        execve(jc_st.conf.runner, nargv, envp);
        jc_error_set(err, errno, "exec the runner `%s'", jc_st.conf.runner);
out:
        free(nargv);
        free(rt_opt);
        if (spec_fd >= 0)
                close(spec_fd);
        if (env_fd >= 0)
                close(env_fd);
        return -1;
}
