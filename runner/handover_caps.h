/* The capabilities the Slurm plugin hands the runner (runner/handover.h),
 * shared by both sides so they never disagree.
 *
 * What building a cell as root takes: setns and mounts (SYS_ADMIN), uid 0
 * and the id maps (SETUID, SETGID), the user's paths opened as the user
 * and the cell's files (DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER, CHOWN), the
 * keeper's kill (KILL), the job's chroot into the cell (SYS_CHROOT),
 * bounding-set and securebit changes (SETPCAP), /proc/PID/ns of the init
 * (SYS_PTRACE). */
#ifndef JC_HANDOVER_CAPS_H
#define JC_HANDOVER_CAPS_H

#define JC_HANDOVER_CAPS                                                            \
        "cap_sys_admin,cap_setuid,cap_setgid,cap_dac_override,cap_dac_read_search," \
        "cap_fowner,cap_chown,cap_kill,cap_sys_chroot,cap_setpcap,cap_sys_ptrace"

#endif
