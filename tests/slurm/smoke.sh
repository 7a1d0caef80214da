#!/bin/bash
# The Slurm test harness itself (tests/slurm/cluster.sh): a real one-node
# cluster starts, runs jobs as the test user with Slurm's cgroups, passes
# exit codes through, refuses to start next to another cluster, and leaves
# nothing behind when it stops, also when a test fails or is interrupted.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/slurm/cluster.sh"

# Nothing of Slurm's may run and no Slurm cgroup may exist: every
# slurmctld, slurmd, slurmstepd and harness munged is gone.
nothing_left() { # nothing_left DIR
        local left
        left="$(_jc_running_slurm)$(jc_slurm_cgroups)$(pgrep -a -f "munged .*--socket=$1/")"
        [ -z "$left" ] || diag "left: $left"
        [ -z "$left" ]
}

jc_cluster_start
ok "the cluster started (${JC_START_SECONDS} s)" test -n "$JC_START_SECONDS"

out=$(as_user srun -n2 id -u 2>&1)
is "srun -n2 id -u runs two tasks as the test user" "$out" "$JC_TEST_UID
$JC_TEST_UID"
out=$(as_user2 srun -n1 id -un 2>&1)
is "the second test user's job runs as that user" "$out" "$JC_TEST_USER2"

as_user srun -n1 sh -c 'exit 7' 2>/dev/null
is "srun passes the task's exit code through" "$?" 7

out=$(as_user srun -n1 cat /proc/self/cgroup 2>&1)
like "the task is in Slurm's freezer cgroup (proctrack/cgroup)" "$out" \
        "freezer:/slurm_$JC_NODE/uid_$JC_TEST_UID/job_"
like "the task is in Slurm's task memory cgroup (task/cgroup, v1)" "$out" "/step_0/task_0"

out=$(as_user sbatch --wait -o batch.out --wrap 'echo batch as $(id -u)' 2>&1)
is "sbatch --wait returns 0 for a job that succeeds" "$?" 0
is "the batch job ran as the test user" "$(cat "$JC_WORK/batch.out" 2>/dev/null)" \
        "batch as $JC_TEST_UID"
as_user sbatch --wait -o /dev/null --wrap 'exit 3' >/dev/null 2>&1
is "sbatch --wait returns the batch script's exit code" "$?" 3
# The other tests wait with batch_user, which must say what sbatch --wait says.
batch_user -o batch3.out --wrap 'sleep 1; echo late' >/dev/null 2>&1
is "batch_user: 0 for a job that succeeds, after its output" "$? $(cat "$JC_WORK/batch3.out" 2>/dev/null)" "0 late"
batch_user -o /dev/null --wrap 'exit 3' >/dev/null 2>&1
is "batch_user: the script's exit code" "$?" 3
# sbatch --wait says 1 for a script a signal ended (its _job_wait); not
# asked here, as each sbatch --wait costs up to 10 s.
batch_user -o /dev/null --wrap 'kill -USR1 $$' >/dev/null 2>&1
is "batch_user: 1 for a script a signal ended, as sbatch --wait" "$?" 1

is "plugstack.conf holds what the test asked for" "$(cat "${SLURM_CONF%/*}/plugstack.conf")" \
        "# no plugin"

# A second cluster must not start next to this one (the lock is what
# serialises test files; take another to reach the check).
out=$(JC_SLURM_LOCK=$JC_CLUSTER_DIR/other.lock bash -c \
        '. "$top_srcdir/tests/lib.sh"; . "$top_srcdir/tests/slurm/cluster.sh"; jc_cluster_start' 2>&1)
is "a second harness refuses to start" "$?" 1
like "... with one line naming the running daemon" "$out" "Bail out! a Slurm daemon is already running here"
is "... and the first cluster still runs jobs" "$(as_user srun -n1 echo still 2>&1)" still

as_user srun -n1 sh -c 'touch started; sleep 30' >/dev/null 2>&1 &
srun_pid=$!
_jc_wait 200 test -e "$JC_WORK/started"
stepd=$(jc_slurmstepds)
is "the harness finds the slurmstepd of its running step" "$(cat /proc/${stepd:-0}/comm 2>&1)" slurmstepd

dir=$JC_CLUSTER_DIR
jc_cluster_stop
wait $srun_pid
fails "stopping the cluster ended the running step (its srun failed)" test $? = 0
ok "the cluster stopped (${JC_STOP_SECONDS} s)" test -n "$JC_STOP_SECONDS"
nothing_left "$dir"
_tap_result $? "nothing is left: no slurmctld, slurmd, slurmstepd, munged, cgroup"
fails "Slurm removed its job cgroups without EBUSY (DebugFlags=CGROUP log)" \
        grep -E "Cannot rmdir|Unable to rmdir|rmdir.*(Device or resource busy|retries)" "$JC_SLURMD_LOG"
like "slurmstepd left its cgroups before removing them (CGROUP log)" "$(cat "$JC_SLURMD_LOG")" \
        "was removed from the freezer cgroup"
left=$(grep -v -E "^rmdir /sys/fs/cgroup/[^/]+/slurm_$JC_NODE\$" "$dir/log/harness.log")
is "the harness removed only Slurm's top cgroups (slurm_NODE), Slurm the rest" "$left" ""

# A test that fails in the middle, and one interrupted while a job runs:
# the EXIT trap stops exactly their cluster.
# The child is bash with SIGINT at its default (a background job of a
# script starts with SIGINT ignored, and bash cannot trap it then).
child='. "$top_srcdir/tests/lib.sh"; . "$top_srcdir/tests/slurm/cluster.sh"
        jc_cluster_start >/dev/null; echo "$JC_CLUSTER_DIR" >&3'
status=$dir.status
env --default-signal=INT bash -c "$child"'; as_user srun -n1 true; exit 1' 3>"$status" >/dev/null 2>&1
cdir=$(cat "$status")
nothing_left "$cdir"
_tap_result $? "after a failing test nothing is left"
ok "... and its cluster directory is removed" test ! -e "$cdir"

env --default-signal=INT bash -c "$child"'
        as_user srun -n2 sleep 300 & job=$!
        _jc_wait 200 eval "[ -n \"\$(jc_slurmstepds)\" ]" && echo running >&3
        wait $job' 3>"$status" >/dev/null 2>&1 &
cpid=$!
_jc_wait 300 grep -qx running "$status"
cdir=$(head -n 1 "$status")
like "an interrupted test had a job running" "$(cat "$status")" running
kill -INT "$cpid"
wait "$cpid"
is "... SIGINT ends it with status 130" "$?" 130
rm -f "$status"
nothing_left "$cdir"
_tap_result $? "... and nothing is left (daemons, slurmstepd, cgroups)"
ok "... and its cluster directory is removed" test ! -e "$cdir"

done_testing
