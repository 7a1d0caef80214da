/* The partition whose policy applies, from a source the user cannot forge.
 *
 * Slurm 22.05 gives a SPANK plugin no partition item.  SLURM_JOB_PARTITION
 * in the step's environment is what srun sent, i.e. what the user sent; the
 * launch request's partition field comes from srun too.  The job credential
 * slurmctld signs carries no partition for steps (only the prolog's has
 * one).  So slurmstepd asks slurmctld, as root, with slurm_load_job().
 *
 * The plugin is not linked with libslurm: every Slurm program that loads
 * SPANK plugins (slurmstepd, slurmd, srun, sbatch, salloc) is linked with
 * libslurmfull, which exports slurm_load_job and is first in the global
 * symbol scope, so the plugin's reference binds there, to the copy whose
 * configuration and authentication slurmstepd already set up.  A plugin
 * linked with libslurm.so would load a second copy of Slurm's internals
 * into the daemon whose exported functions the dynamic linker still binds
 * to libslurmfull's, while that copy's own, hidden state stays
 * uninitialised: nothing good can come from two Slurms in one process. */
#include "config.h"

#include <slurm/slurm.h>
#include <string.h>

#include "spank_state.h"

int jc_job_partition(uint32_t job_id, char **partition, struct jc_error *err)
{
        job_info_msg_t *msg = NULL;
        uint32_t i;
        int rc = -1;

        *partition = NULL;
        if (slurm_load_job(&msg, job_id, SHOW_ALL) != SLURM_SUCCESS || msg == NULL)
                return jc_error_set(err, 0, "ask slurmctld for job %u: %s", job_id,
                                    slurm_strerror(slurm_get_errno()));
        /* A heterogeneous job lists every component: take this one. */
        for (i = 0; i < msg->record_count; i++) {
                const slurm_job_info_t *job = &msg->job_array[i];

                if (job->job_id != job_id)
                        continue;
                if (job->partition == NULL || job->partition[0] == '\0' ||
                    strchr(job->partition, ',') != NULL) {
                        jc_error_set(err, 0, "job %u has no single partition (`%s')", job_id,
                                     job->partition ? job->partition : "");
                        goto out;
                }
                *partition = jc_strdup(job->partition, err);
                rc = *partition == NULL ? -1 : 0;
                goto out;
        }
        jc_error_set(err, 0, "slurmctld does not know job %u", job_id);
out:
        slurm_free_job_info_msg(msg);
        return rc;
}
