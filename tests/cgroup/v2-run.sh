#!/bin/sh
# `jobcell run' on a real cgroup v2 hierarchy: run by tests/cgroup/v2-vm.sh
# inside its VM (busybox sh, as root, cgroup2 the only hierarchy).  It
# plays Slurm's cgroup/v2 layout (slurm/task_N, each runner the only
# process of its task's cgroup, as slurmstepd starts a task) and checks
# what v2 makes hard: the runner's set below the task, the keeper and the
# init in a plain set of their own (no process may stay in a cgroup that
# hands controllers down), the task's cgroup empty and removable after
# every kind of end, `jobcell gc', cells across tasks, --cgroup-parent.
# Prints TAP.
CG=/sys/fs/cgroup
IMG=/img
export JOBCELL_STATE_DIR=/run/jc-state
n=0

result() { # result STATUS NAME
        n=$((n + 1))
        if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
ok() { local name=$1; shift; "$@" >/dev/null 2>&1; result $? "$name"; }
is() {
        [ "$2" = "$3" ]
        result $? "$1"
        [ "$2" = "$3" ] || { echo "# got:  '$2'"; echo "# want: '$3'"; }
}
like() {
        case $2 in
        *"$3"*) result 0 "$1" ;;
        *) result 1 "$1"; echo "# got: '$2'"; echo "# want it to contain: '$3'" ;;
        esac
}
# wait_for CMD...: poll up to 30 s (the VM may be emulated: slow).
wait_for() {
        local i=0
        while [ $i -lt 300 ]; do
                "$@" >/dev/null 2>&1 && return 0
                sleep 0.1
                i=$((i + 1))
        done
        return 1
}
children() { cat /proc/$1/task/$1/children 2>/dev/null; }
child_named() {
        local c
        for c in $(children $1); do [ "$(cat /proc/$c/comm 2>/dev/null)" = "$2" ] && echo $c; done
}
has_child() { [ -n "$(child_named $1 $2)" ]; }
cg() { sed -n 's/^0:://p' /proc/$1/cgroup; }
# A task's cgroup after its runner: no process, nothing handed down, no
# child left: Slurm's rmdir works (it is recreated for the next test).
task_clean() { [ -z "$(cat $CG/slurm/$1/cgroup.procs)" ] && [ -z "$(cat $CG/slurm/$1/cgroup.subtree_control)" ] && rmdir $CG/slurm/$1 && mkdir $CG/slurm/$1; }
gone() { [ ! -e "$CG/slurm/$T/$1" ] && [ ! -e "$JOBCELL_STATE_DIR/$1" ]; }
# jc ARGS...: `jobcell run' as the only process of task $T's cgroup.  It
# execs: call it only in $(...) or with &, so that $! is the runner.
jc() {
        exec sh -c 'echo $$ >'"$CG/slurm/$T/cgroup.procs"' && exec "$@"' sh \
                /bin/jobcell run --user jctest --image $IMG "$@"
}

# Slurm's layout: controllers handed down to slurm/, a cgroup per task.
# This shell sits in a leaf of its own.
mkdir $CG/test && echo $$ >$CG/test/cgroup.procs
echo "+pids +memory +cpuset" >$CG/cgroup.subtree_control
mkdir $CG/slurm && echo "+pids +memory +cpuset" >$CG/slurm/cgroup.subtree_control
mkdir $CG/slurm/task_0 $CG/slurm/task_1
T=task_0

is "a job inside sees its cgroup as /" "$(jc -- /bin/cat /proc/self/cgroup)" "0::/"
ok "after it: the task's cgroup is empty, hands nothing down, and can be removed" task_clean task_0

jc --memory-max 64M --swap-max 0 --status-file /tmp/s.json -- /bin/sh -c 'sleep 600; :' >/dev/null &
r=$!
wait_for has_child $r sh
job=$(child_named $r sh)
keeper=$(child_named $r jobcell-keeper)
init=$(children $keeper)
is "host: the job is in the runner's set below the task" "$(cg $job)" "/slurm/task_0/anon.$r"
is "host: the runner too" "$(cg $r)" "/slurm/task_0/anon.$r"
is "host: the keeper is in a plain set of its own beside it" "$(cg $keeper)" "/slurm/task_0/anon.$r.cell"
is "host: ...and so is the init" "$(cg $init)" "/slurm/task_0/anon.$r.cell"
is "the task's cgroup holds no process (v2: none in a cgroup that hands down)" "$(cat $CG/slurm/task_0/cgroup.procs)" ""
like "the task's cgroup hands pids down" "$(cat $CG/slurm/task_0/cgroup.subtree_control)" "pids"
like "...and memory" "$(cat $CG/slurm/task_0/cgroup.subtree_control)" "memory"
is "the set's limits: pids.max, memory.max, memory.swap.max" \
        "$(cat $CG/slurm/task_0/anon.$r/pids.max) $(cat $CG/slurm/task_0/anon.$r/memory.max) $(cat $CG/slurm/task_0/anon.$r/memory.swap.max)" \
        "8192 67108864 0"
is "the keeper's set has no limit" "$(cat $CG/slurm/task_0/anon.$r.cell/pids.max)" "max"
kill -TERM $r
wait $r
is "SIGTERM: the job's status" "$?" "143"
ok "after it: the runner's set and the keeper's are gone" sh -c "[ ! -e $CG/slurm/task_0/anon.$r ] && [ ! -e $CG/slurm/task_0/anon.$r.cell ]"
ok "...and the task's cgroup can be removed" task_clean task_0
like "the usage record says cgroup v2" "$(cat /tmp/s.json)" '"cgroup_version": 2'

# A fork bomb stops at the pids limit; threads count.
jc --pids-limit 32 --status-file /tmp/b.json -- /usr/bin/jcprobe forkbomb 120 >/tmp/b.out 2>/tmp/b.err &
r=$!
ok "fork bomb: it reaches the limit" wait_for sh -c "[ \$(cat $CG/slurm/task_0/anon.$r/pids.current) -ge 32 ]"
is "fork bomb: ...and stays there" "$(cat $CG/slurm/task_0/anon.$r/pids.current)" "32"
ok "fork bomb: a process outside still forks" sh -c 'for i in 1 2 3 4 5; do /bin/true || exit 1; done'
sleep 2 # the supervisor samples once a second where the kernel keeps no peak
kill -TERM $r
wait $r
is "fork bomb: the job's own status" "$?:$(cat /tmp/b.out)" "0:forkbomb=done"
like "fork bomb: one line says so" "$(cat /tmp/b.err)" "hit its pids limit (32 processes and threads)"
like "fork bomb: the record says so" "$(cat /tmp/b.json)" '"pids_limit_hit": true'
like "fork bomb: the peak is the limit" "$(cat /tmp/b.json)" '"pids_peak": 32'
ok "fork bomb: after it the task's cgroup can be removed" task_clean task_0
is "threads count against the pids limit" "$(jc --pids-limit 20 -- /usr/bin/jcprobe threads-held 50 2>/dev/null)" "threads=18 error=EAGAIN"

# An allocation past memory_max is OOM-killed, and said so.
out=$(jc --memory-max 32M --swap-max 0 --status-file /tmp/o.json -- /usr/bin/jcprobe alloc 128 2>&1)
is "OOM: 137" "$?" "137"
like "OOM: one line says so" "$out" "jobcell: the job was killed by the OOM killer (memory limit 33554432 bytes)"
like "OOM: the record says so" "$(cat /tmp/o.json)" '"oom_killed": true'
ok "OOM: after it the task's cgroup can be removed" task_clean task_0

# kill -9 of the runner: its keeper removes its set, then its own.
jc -- /bin/sh -c 'sleep 600; :' >/dev/null &
r=$!
wait_for has_child $r sh
kill -9 $r
wait $r 2>/dev/null
ok "kill -9 of the runner: its set goes" wait_for gone anon.$r
ok "...and the keeper's" wait_for gone anon.$r.cell
ok "...and the task's cgroup is empty and can be removed" wait_for task_clean task_0

# kill -9 of the keeper: the cell dies, and with it the job; the runner
# removes its set and the keeper's.
jc -- /bin/sh -c 'sleep 600; :' >/dev/null &
r=$!
wait_for has_child $r sh
kill -9 $(child_named $r jobcell-keeper)
wait $r
is "kill -9 of the keeper: the job dies with the cell (137)" "$?" "137"
ok "...the runner removes its set and the keeper's" sh -c "[ ! -e $CG/slurm/task_0/anon.$r ] && [ ! -e $CG/slurm/task_0/anon.$r.cell ]"
ok "...and the task's cgroup is empty and can be removed" task_clean task_0

# kill -9 of runner and keeper: both sets stay until jobcell gc.
jc -- /bin/sh -c 'sleep 600; :' >/dev/null &
r=$!
wait_for has_child $r sh
keeper=$(child_named $r jobcell-keeper)
kill -STOP $keeper
kill -9 $r
wait $r 2>/dev/null
kill -9 $keeper
ok "runner and keeper killed: the sets stay" sh -c "[ -d $CG/slurm/task_0/anon.$r ] && [ -d $CG/slurm/task_0/anon.$r.cell ]"
is "jobcell gc removes both" "$(/bin/jobcell gc)" "jobcell gc: removed 2 cgroup sets that killed runners left"
ok "...and the task's cgroup can be removed" task_clean task_0

# A cell across two tasks: each member's set below its own task.
jc --cell c1 -- /bin/sh -c 'sleep 600; :' >/dev/null &
a=$!
wait_for has_child $a sh
T=task_1
jc --cell c1 -- /bin/sh -c 'cat /proc/self/cgroup; sleep 600; :' >/tmp/c.out &
b=$!
wait_for has_child $b sh
is "cell: the joiner's job is below its own task" "$(cg $(child_named $b sh))" "/slurm/task_1/c1.$b"
is "cell: ...and sees /" "$(cat /tmp/c.out)" "0::/"
is "cell: the keeper stays in the creator's task, in its plain set" "$(cg $(child_named $a jobcell-keeper))" "/slurm/task_0/c1.$a.cell"
kill -TERM $b
wait $b
ok "cell: the joiner's task is clean after it" task_clean task_1
kill -TERM $a
wait $a
ok "cell: the creator's task is clean after the last member" wait_for task_clean task_0

# --cgroup-parent: the set goes there; the keeper needs no set of its own.
T=task_0
jc --cgroup-parent /jobs/batch -- /bin/sh -c 'sleep 600; :' >/dev/null &
r=$!
wait_for has_child $r sh
is "--cgroup-parent: the job is in PARENT/NAME" "$(cg $(child_named $r sh))" "/jobs/batch/anon.$r"
is "--cgroup-parent: the keeper stays in the task" "$(cg $(child_named $r jobcell-keeper))" "/slurm/task_0"
kill -TERM $r
wait $r
ok "--cgroup-parent: the parents it made are gone" wait_for sh -c "[ ! -e $CG/jobs ]"
ok "--cgroup-parent: the task's cgroup is clean" wait_for task_clean task_0

is "no record is left" "$(ls $JOBCELL_STATE_DIR)" ""
rmdir $CG/slurm/task_0 $CG/slurm/task_1
echo "-pids -memory -cpuset" >$CG/slurm/cgroup.subtree_control
ok "Slurm's cgroups can be removed at the end (no EBUSY)" rmdir $CG/slurm
echo "1..$n"
