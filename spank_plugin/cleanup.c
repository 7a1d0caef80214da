/* After the step (slurm_spank_exit, slurmstepd, root): nothing of the
 * step's cell may be left on the node.
 *
 * The cell goes by itself: when the step's last task (its last runner)
 * ends, the keeper kills the cell's init, and the kernel every process of
 * the cell's PID namespace; mounts and namespaces go with their last
 * process; and by the time Slurm calls slurm_spank_exit, proctrack has
 * killed and waited for every process of the step's container, the keeper
 * among them (it is a child of a task).  This checks that, and mends it:
 * a keeper still holding the cell's socket is killed (and its init and the
 * whole cell with it) and logged, as a bug to report. */
#include "config.h"

#include <string.h>

#include "cgroup.h"
#include "spank_state.h"

/* The runners' own cgroup sets (runner/cgroup.h): a runner removes its
 * own, and the cell's keeper the set of a runner that was killed; when
 * both were killed (scancel at a bad moment), the step's end removes what
 * they left, so that Slurm's cgroups are empty when it removes them.  gc
 * never touches a live runner's set. */
static void step_cgroups_gc(void)
{
        struct jc_cgroup_config cfg = { .state_dir = JC_CGROUP_STATE_DIR };
        struct jc_error err = { 0 };
        unsigned removed = 0;

        if (jc_cgroup_gc(&cfg, &removed, &err) < 0)
                slurm_error("jobcell: job=%u step=%s: cgroup gc: %s", jc_st.job_id, jc_st.step,
                            err.msg);
        else if (removed > 0)
                slurm_info("jobcell: job=%u step=%s: removed %u cgroup set(s) killed runners left",
                           jc_st.job_id, jc_st.step, removed);
}

void jc_step_cleanup(void)
{
        struct jc_error err = { 0 };
        pid_t pids[8];
        size_t n = 0, i;
        char list[128] = "";
        int rc;

        if (spank_context() != S_CTX_REMOTE || jc_st.verdict != JC_SANDBOX || jc_st.cell[0] == '\0')
                return;
        rc = jc_cell_reap(jc_st.cell, pids, JC_ARRAY_SIZE(pids), &n, &err);
        for (i = 0; i < n && i < JC_ARRAY_SIZE(pids); i++)
                jc_format(list + strlen(list), sizeof(list) - strlen(list), " %d", (int)pids[i]);
        if (rc > 0)
                slurm_error("jobcell: job=%u step=%s: the cell outlived the step: killed its "
                            "keeper (pid%s)",
                            jc_st.job_id, jc_st.step, list);
        else if (rc < 0)
                slurm_error("jobcell: job=%u step=%s: %s", jc_st.job_id, jc_st.step, err.msg);
        step_cgroups_gc();
}
