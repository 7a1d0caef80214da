/* The plugin in slurmstepd (S_CTX_REMOTE): the node decides.
 *
 * init_post_opt (root, once per step): the node's policy, the partition
 * from slurmctld and the request give the verdict: plain, sandboxed (the
 * spec) or refused.  A refused step runs nothing: each task writes the
 * reason to its stderr (the user's terminal or the batch job's error file)
 * and exits 125 before Slurm could exec anything; slurmd's log has one line
 * per task either way (task_exit).
 *
 * task_init (the task's process, as the user, last hook before exec): a
 * sandboxed task execs the runner (handover.c). */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <slurm/slurm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "handover_caps.h"
#include "spank_state.h"
#include "trust.h"
#include "values.h"

/* What jobcell exits with when the sandbox could not be had (DESIGN). */
#define JC_EXIT_SANDBOX 125

/* Errors here refuse the step's tasks (exit 125, the reason on their
 * stderr) instead of failing slurm_spank_init: when a step's plugin stack
 * fails, Slurm 22.05's srun says "launch failed" and exits 0, and sbatch
 * --wait also returns 0. */
int jc_remote_init(spank_t sp, int ac, char **av)
{
        struct jc_error err = { 0 };

        if (jc_conf_parse(&jc_st.conf, ac, av, &err) < 0) {
                slurm_error("jobcell: %s", err.msg);
                jc_keep_error(&err);
        }
        return jc_options_register(sp);
}

/* The step's name in logs, and the cell's: one per step and node, the
 * same for all of the step's local tasks (they fork from this process
 * after init_post_opt), never another step's or job's. */
static int set_cell(struct jc_error *err)
{
        /* The step's slurmstepd, which holds its PMIx server's sockets
         * (handover.c, pmix_relay). */
        jc_st.stepd_pid = getpid();
        if (jc_st.step_id == SLURM_BATCH_SCRIPT)
                jc_format(jc_st.step, sizeof(jc_st.step), "batch");
        else if (jc_st.step_id == SLURM_INTERACTIVE_STEP)
                jc_format(jc_st.step, sizeof(jc_st.step), "interactive");
        else if (jc_st.step_id == SLURM_EXTERN_CONT)
                jc_format(jc_st.step, sizeof(jc_st.step), "extern");
        else
                jc_format(jc_st.step, sizeof(jc_st.step), "%u", jc_st.step_id);
        return jc_cell_name(jc_st.cell, sizeof(jc_st.cell), jc_st.job_id, jc_st.step, err);
}

/* The node's policy: root-owned, readable, valid; anything else refuses
 * (fail closed), each problem in slurmd's log. */
static int load_policy(struct jc_policy **pol, struct jc_error *err)
{
        struct jc_strv diags = { 0 };
        size_t i;

        if (jc_path_root_owned(jc_st.conf.policy, err) < 0)
                return jc_error_wrap(err, "policy=%s cannot be trusted", jc_st.conf.policy);
        if (jc_policy_load(jc_st.conf.policy, pol, &diags, err) == 0)
                return 0;
        for (i = 0; i < diags.n; i++)
                slurm_error("jobcell: %s", diags.v[i]);
        jc_strv_free(&diags);
        return -1;
}

static bool any_section_requires(const struct jc_policy *pol)
{
        size_t i;

        if (jc_policy_requires_sandbox(pol, NULL))
                return true;
        for (i = 0; i < pol->nparts; i++)
                if (jc_policy_requires_sandbox(pol, pol->parts[i].name))
                        return true;
        return false;
}

static int getenv_dup(spank_t sp, const char *name, char **out, struct jc_error *err)
{
        char buf[4096];
        spank_err_t rc = spank_getenv(sp, name, buf, sizeof(buf));

        *out = NULL;
        if (rc == ESPANK_ENV_NOEXIST)
                return 0;
        if (rc != ESPANK_SUCCESS)
                return jc_error_set(err, 0, "read %s from the job: %s", name, spank_strerror(rc));
        *out = jc_strdup(buf, err);
        return *out == NULL ? -1 : 0;
}

static int decide(spank_t sp, struct jc_error *err)
{
        struct jc_policy *pol = NULL;
        struct passwd pw, *res = NULL;
        char pwbuf[4096], label[300];
        struct jc_who who;
        int rc = -1, e;

        if (getenv_dup(sp, "SLURM_CONTAINER", &jc_st.ask.container, err) < 0)
                return -1;
        if (load_policy(&pol, err) < 0)
                return -1;
        /* The partition costs a call to slurmctld: only when it matters. */
        if ((jc_ask_sandboxed(&jc_st.ask) || any_section_requires(pol)) &&
            jc_job_partition(jc_st.job_id, &jc_st.partition, err) < 0)
                goto out;
        e = getpwuid_r(jc_st.uid, &pw, pwbuf, sizeof(pwbuf), &res);
        if (e != 0 || res == NULL) {
                jc_error_set(err, e ? e : ENOENT, "look up uid %u", (unsigned)jc_st.uid);
                goto out;
        }
        who = (struct jc_who){ .user = pw.pw_name, .uid = jc_st.uid };
        rc = jc_check(pol, jc_st.partition, &jc_st.ask, &who, &jc_st.spec, err);
        if (rc == JC_SANDBOX) {
                jc_st.have_spec = true;
                /* Tasks exec the runner with their privileges: only root
                 * may have put it there. */
                if (jc_path_root_owned(jc_st.conf.runner, err) < 0) {
                        jc_error_wrap(err, "plugstack.conf: runner=%s cannot be trusted",
                                      jc_st.conf.runner);
                        rc = -1;
                        goto out;
                }
                if (jc_parse_caps(JC_HANDOVER_CAPS, false, &jc_st.caps, err) < 0) {
                        rc = -1;
                        goto out;
                }
                jc_section_label(pol, &jc_st.spec, label, sizeof(label));
                jc_st.spec_json = jc_spec_to_json(&jc_st.spec, false, err);
                if (jc_st.spec_json == NULL)
                        rc = -1;
        } else {
                jc_section_label(pol, NULL, label, sizeof(label));
                if (jc_st.partition != NULL && jc_policy_partition(pol, jc_st.partition))
                        jc_format(label, sizeof(label), "[partition %s]", jc_st.partition);
        }
        jc_format(jc_st.where, sizeof(jc_st.where), "%s (%s)", label, pol->path);
out:
        jc_policy_free(pol);
        return rc;
}

int jc_remote_post_opt(spank_t sp)
{
        struct jc_error err = { 0 };
        char buf[JC_ERROR_MSG_MAX + 64];

        if (spank_get_item(sp, S_JOB_ID, &jc_st.job_id) != ESPANK_SUCCESS ||
            spank_get_item(sp, S_JOB_STEPID, &jc_st.step_id) != ESPANK_SUCCESS ||
            spank_get_item(sp, S_JOB_UID, &jc_st.uid) != ESPANK_SUCCESS) {
                slurm_error("jobcell: cannot get the step's job, step and user");
                jc_st.verdict = -1;
                jc_error_set(&jc_st.refusal, 0, "cannot get the step's job, step and user");
                return -1;
        }
        /* The extern step holds no job command (only what pam_slurm_adopt
         * adopts, see doc/slurm.md). */
        if (jc_st.step_id == SLURM_EXTERN_CONT) {
                jc_st.verdict = JC_PLAIN;
                return 0;
        }
        if (set_cell(&err) < 0) {
                jc_st.refusal = err;
                jc_st.verdict = -1;
        } else if (jc_st.pending) {
                /* An option srun or sbatch would have refused: someone
                 * went around them. */
                jc_st.refusal = jc_st.pending_err;
                jc_st.verdict = -1;
        } else {
                jc_st.verdict = decide(sp, &err);
                if (jc_st.verdict < 0)
                        jc_st.refusal = err;
        }
        if (jc_st.verdict < 0)
                slurm_error("jobcell: job=%u step=%s refused: %s", jc_st.job_id, jc_st.step,
                            jc_error_text(&jc_st.refusal, buf, sizeof(buf)));
        /* The tasks refuse themselves, so that the user reads why. */
        return 0;
}

int jc_remote_user_init(spank_t sp)
{
        return 0;
}

/* The task's own process, as root, before Slurm switches to the user.
 * Only a sandboxed step's tasks get the securebit; a failure here is
 * kept, and task_init ends the task with it. */
int jc_remote_task_init_privileged(spank_t sp)
{
        if (jc_st.verdict == JC_SANDBOX && jc_handover_prepare(&jc_st.task_err) < 0) {
                jc_handover_undo();
                return -1;
        }
        return 0;
}

/* A task that must not run: its stderr (the user's terminal or the batch
 * job's error file) says why; task_exit logs the task's line. */
static void task_fail(spank_t sp, const char *what, const struct jc_error *err, bool log)
{
        char buf[JC_ERROR_MSG_MAX + 64];
        int task = -1;

        jc_error_text(err, buf, sizeof(buf));
        dprintf(STDERR_FILENO, "jobcell: %s: %s\n", what, buf);
        if (!log)
                return;
        spank_get_item(sp, S_TASK_ID, &task);
        slurm_error("jobcell: job=%u step=%s task=%d %s: %s", jc_st.job_id, jc_st.step, task, what,
                    buf);
}

int jc_remote_task_init(spank_t sp)
{
        struct jc_error err = { 0 };

        if (jc_st.verdict == JC_PLAIN)
                return 0;
        if (jc_st.verdict == JC_SANDBOX && jc_st.task_err.msg[0] != '\0') {
                task_fail(sp, "cannot hand over to the runner", &jc_st.task_err, true);
        } else if (jc_st.verdict == JC_SANDBOX) {
                jc_handover_exec(sp, &err); /* returns only on failure */
                task_fail(sp, "cannot hand over to the runner", &err, true);
        } else {
                task_fail(sp, "refused", &jc_st.refusal, false);
        }
        /* This is the task's own process, forked from slurmstepd, about to
         * exec the job: end it here, as Slurm itself does when task_init
         * fails.  Returning -1 would be enough with a `required' plugin, but
         * an `optional' one would let Slurm exec the job unsandboxed. */
        jc_handover_undo();
        _exit(JC_EXIT_SANDBOX);
}

/* The image the step asked for, for the log. */
static const char *asked_image(void)
{
        if (jc_st.have_spec && jc_st.spec.image[0] != '\0')
                return jc_st.spec.image;
        if (jc_st.ask.req.image != NULL)
                return jc_st.ask.req.image;
        if (jc_st.ask.container != NULL && jc_st.ask.container[0] != '\0')
                return jc_st.ask.container;
        return "-";
}

int jc_remote_task_exit(spank_t sp)
{
        uint32_t task = 0;
        int status = 0;
        char outcome[64];

        if (jc_st.verdict == JC_PLAIN)
                return 0;
        spank_get_item(sp, S_TASK_GLOBAL_ID, &task);
        spank_get_item(sp, S_TASK_EXIT_STATUS, &status);
        if (WIFSIGNALED(status))
                jc_format(outcome, sizeof(outcome), "signal=%d", WTERMSIG(status));
        else
                jc_format(outcome, sizeof(outcome), "exit=%d", WEXITSTATUS(status));
        slurm_info("jobcell: job=%u step=%s task=%u image=%s partition=%s policy=%s %s %s",
                   jc_st.job_id, jc_st.step, task, asked_image(),
                   jc_st.partition ? jc_st.partition : "-", jc_st.where[0] ? jc_st.where : "-",
                   jc_st.verdict == JC_SANDBOX ? "sandbox" : "refused", outcome);
        return 0;
}
