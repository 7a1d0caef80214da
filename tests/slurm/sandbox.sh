#!/bin/bash
# srun/sbatch --container through a real cluster and the real runner
# (jobcell run --slurm), as a user: the job runs in the sandbox, as the
# user, in Slurm's task cgroup, with its exit code, stdio and signals; the
# tasks of a step share one cell, over a directory, an OCI tar or a
# squashfs image; scancel leaves nothing; and every attack on the
# hand-over fails.  (tests/slurm/plugin.sh checks the plugin's
# decisions with a stub in the runner's place; tests/slurm/mpi.sh MPI.)
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/sandbox/lib.sh"
. "$top_srcdir/tests/slurm/cluster.sh"

plugin=$top_builddir/.libs/jobcell_spank.so
[ -f "$plugin" ] || skip_all "the SPANK plugin was not built (no slurm/spank.h at configure time)"
# ASan must be the first library of a process: Slurm's programs are not
# built with it, so they cannot load an ASan-built plugin.
! grep -qa __asan_init "$plugin" ||
        skip_all "the plugin is built with --enable-sanitizers, which Slurm's programs cannot load"

IMG=$ROOTFS
# The same root under a second layer (/etc/imgmark, /work) as an OCI tar
# and as a squashfs: the cell's keeper imports or mounts them.
. "$top_srcdir/tests/image/mkimage.sh"
command -v mksquashfs >/dev/null || bail_out "mksquashfs missing (install-deps.sh)"
mkdir -p "$TESTTMP/l2/etc" "$TESTTMP/l2/work" && echo layer2 >"$TESTTMP/l2/etc/imgmark" || bail_out "mkdir"
mk_layer "$ROOTFS" "$TESTTMP/L1.tar" && mk_layer "$TESTTMP/l2" "$TESTTMP/L2.tgz" gz &&
        mk_oci "$TESTTMP/oci" "$TESTTMP/L1.tar" "$TESTTMP/L2.tgz" >/dev/null &&
        mk_tar "$TESTTMP/oci" "$TESTTMP/img.tar" || bail_out "the OCI image"
mkdir "$TESTTMP/sq" && cp -a "$ROOTFS/." "$TESTTMP/l2/." "$TESTTMP/sq/" &&
        mksquashfs "$TESTTMP/sq" "$TESTTMP/img.sqsh" -quiet -noappend -all-root >/dev/null || bail_out "mksquashfs"
chmod 644 "$TESTTMP/img.tar" "$TESTTMP/img.sqsh"
JC_PARTITIONS="debug nohost strict"
JC_PLUGSTACK="required @DIR@/lib/jobcell_spank.so policy=@DIR@/etc/policy.ini runner=@DIR@/bin/jobcell"
jc_cluster_setup() {
        mkdir -p "$1/lib" "$1/bin"
        install -m 755 "$plugin" "$1/lib/jobcell_spank.so"
        install -m 755 "$JOBCELL" "$1/bin/jobcell"
        install -m 755 "$PROBE" "$1/bin/jcprobe"
        # Each sandbox sees the cluster's configuration and munge socket,
        # as a node's image would (/etc/slurm, /run/munge): a nested srun
        # needs them.
        install -m 644 /dev/stdin "$1/etc/policy.ini" <<EOF
[defaults]
images_allowed = /, $TESTTMP/*
image_cache_dir = $TESTTMP/cache
mounts = $1/etc, $1/munge, $1/lib, $1/bin
[partition debug]
network_allowed = none, host
identity_allowed = user, fakeroot
[partition nohost]
[partition strict]
require_sandbox = true
network_allowed = none, host
EOF
}
jc_cluster_start
BIN=$JC_CLUSTER_DIR/bin

# the pid of the first process of the test user whose command line has $1
user_pid() { local p; p=$(pgrep -u "$JC_TEST_USER" -f -- "$1" | head -n 1); [ -n "$p" ] && echo "$p"; }
# (a task's: other test files hand over to runners of their own meanwhile)
runner_pid() { pgrep -f -- "--slurm --spec-fd=" | while read -r p; do
        [ "$(cat /proc/$p/comm 2>/dev/null)" = jobcell ] &&
                [ "$(cat /proc/"$(awk '{print $4}' /proc/$p/stat 2>/dev/null)"/comm 2>/dev/null)" = slurmstepd ] &&
                echo "$p"
        done | head -n 1; }
have_runner() { [ -n "$(runner_pid)" ]; }
# srun's main process (not a zombie of an earlier one, not its helper)
srun_main() { ps -u "$JC_TEST_USER" -o pid=,stat=,comm= | awk '$3 == "srun" && $2 !~ /Z/ {print $1; exit}'; }
# wait up to 30 s
wait_long() { local i; for i in $(seq 300); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
job_running() { [ -n "$(squeue -h -t R -u "$JC_TEST_USER" -o %A)" ]; }
job_of() { squeue -h -u "$JC_TEST_USER" -o %A | head -n 1; }
no_job() { [ -z "$(squeue -h -o %A)" ]; }

# --- the job runs in the sandbox, as the user ----------------------------------
out=$(as_user srun --container="$IMG" jcprobe ids 2>&1)
like "srun --container=IMG: the job runs as the submitting user (found in the image's PATH)" \
        "$out" "uid=$JC_TEST_UID euid=$JC_TEST_UID "
out=$(as_user srun --container-image="$IMG" sh -c 'cat /proc/1/comm; test -e /bin/busybox &&
        test ! -e /usr/bin/srun && echo in-image; grep -c . /proc/self/uid_map' 2>&1)
is "srun --container-image=IMG: the image's root, pid 1 is the cell's init" "$out" "jobcell-init
in-image
2"
out=$(as_user srun --container="$IMG" sh -c 'grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status |
        tr -s "\t" " " | tr "\n" /; jcprobe securebits' 2>&1)
is "... no capability, no_new_privs, seccomp, no securebit" "$out" \
        "CapEff: 0000000000000000/CapBnd: 0000000000000000/NoNewPrivs: 1/Seccomp: 2/securebits=0"

out=$(as_user srun --container="$IMG" sh -c 'echo to-stdout; echo to-stderr >&2; exit 7' 2>"$TESTTMP/err")
rc=$?
is "the job's exit code passes through srun" "$rc" 7
is "... its stdout" "$out" "to-stdout"
like "... its stderr" "$(cat "$TESTTMP/err")" "to-stderr"
as_user srun sh -c 'kill -USR1 $$' >/dev/null 2>&1
plain=$?
as_user srun --container="$IMG" sh -c 'kill -USR1 $$' >/dev/null 2>&1
is "a job killed by a signal: srun exits as for a plain step" "$?" "$plain"

out=$(as_user bash -c "ulimit -S -n 512; srun --container='$IMG' sh -c 'ulimit -n'" 2>&1)
is "Slurm's propagated rlimits (SLURM_RLIMIT_NOFILE) apply in the sandbox" "$out" 512

# --- one cell per step: the tasks see each other, never the host ---------------
out=$(as_user srun -n2 --container="$IMG" sh -c '
        echo $$ > /dev/shm/pid.$SLURM_PROCID
        other=/dev/shm/pid.$((1 - SLURM_PROCID))
        i=0; while [ ! -s $other ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
        kill -0 $(cat $other) && echo "task $SLURM_PROCID sees task $((1 - SLURM_PROCID))"
        echo "host processes: $(cat /proc/[0-9]*/comm | grep -c -E "^(slurm|munged|systemd|init$)")"
        sleep 0.5' 2>&1)
like "srun -n2: task 0 sees task 1's pid and its file in /dev/shm" "$out" "task 0 sees task 1"
like "... and task 1 task 0's" "$out" "task 1 sees task 0"
is "... neither sees a host process" "$(printf '%s\n' "$out" | grep -c 'host processes: 0')" 2
# (the tasks overlap: a cell lives while one of its tasks does)
out=$(as_user srun -n2 --container="$IMG" sh -c 'echo $SLURM_PROCID $(readlink /proc/self/ns/pid); sleep 1' 2>&1)
is "... one PID namespace for both tasks" "$(printf '%s\n' "$out" | awk '/ pid:/ {print $2}' | sort -u | wc -l)" 1
# Two steps at once (a namespace's inode number is reused once it is gone).
as_user srun -n1 --container="$IMG" sh -c 'readlink /proc/self/ns/pid; sleep 2' >"$TESTTMP/a.out" 2>&1 &
a=$!
as_user srun -n1 --container="$IMG" sh -c 'readlink /proc/self/ns/pid; sleep 2' >"$TESTTMP/b.out" 2>&1
wait $a
like "... two steps running at once have a cell each" "$(cat "$TESTTMP/a.out")" "pid:["
unlike "..." "$(cat "$TESTTMP/a.out")" "$(cat "$TESTTMP/b.out")"

out=$(as_user srun -n2 --container="$IMG" sh -c '[ $SLURM_PROCID = 0 ] && exit 0; sleep 1;
        echo task 1 survived' 2>&1)
like "task 0 exiting first does not end task 1" "$out" "task 1 survived"

# --- other kinds of image: the cell's keeper imports or mounts it, once ----------
out=$(as_user srun -n2 --container="$TESTTMP/img.tar" sh -c 'echo $(cat /etc/imgmark) $FROM_IMAGE $(pwd) \
        $(readlink /proc/self/ns/pid); sleep 1' 2>&1)
is "srun -n2 --container=OCI.tar: both tasks run in the image, with its config" \
        "$(printf '%s\n' "$out" | grep -c '^layer2 yes /work pid:')" 2
is "... in one cell" "$(printf '%s\n' "$out" | awk '{print $4}' | sort -u | wc -l)" 1
is "... imported into the node's cache once" "$(ls "$TESTTMP/cache/images" 2>/dev/null | wc -l)" 1
out=$(as_user srun -n2 --container="$TESTTMP/img.sqsh" sh -c 'cat /etc/imgmark; sleep 1' 2>&1)
is "srun -n2 --container=IMG.sqsh: both tasks run in the squashfs" "$out" "layer2
layer2"
no_squashfuse() { # none serving an image of this file
        local p
        for p in $(pgrep -x squashfuse); do
                ls -l /proc/$p/fd 2>/dev/null | grep -q "$TESTTMP" && return 1
        done
        return 0
}
wait_for no_squashfuse
ok "... and no squashfuse outlives the step" no_squashfuse

# --- sbatch --------------------------------------------------------------------
batch_user -o batch.out --container="$IMG" --wrap 'cat /proc/1/comm; jcprobe ids' >/dev/null 2>&1
is "sbatch --container=IMG: the batch job succeeds" "$?" 0
like "... its script runs in the sandbox" "$(cat "$JC_WORK/batch.out")" "jobcell-init"
like "... as the user" "$(cat "$JC_WORK/batch.out")" "uid=$JC_TEST_UID euid=$JC_TEST_UID "
batch_user -o batch2.out --container="$IMG" --wrap 'exit 3' >/dev/null 2>&1
is "... and its exit code is the job's" "$?" 3

# The host's root as the image: srun is in it.
batch_user -o nested.out -p strict --container=/ --container-network=host --wrap '
        echo batch $(readlink /proc/self/ns/pid)
        srun -n1 sh -c "echo step \$(readlink /proc/self/ns/pid) \$(cat /proc/1/comm)"' >/dev/null 2>&1
out=$(cat "$JC_WORK/nested.out")
like "an srun in a sandboxed batch script runs its step sandboxed (it inherits SLURM_CONTAINER)" \
        "$out" "jobcell-init"
n=$(printf '%s\n' "$out" | awk '/^(batch|step) pid:/{print $2}' | sort -u | wc -l)
is "... in a cell of its own" "$n" 2
[ "$n" = 2 ] || diag "$out"
rm -f "$JC_WORK/ran"
batch_user -o nested2.out -p strict --container=/ --container-network=host --wrap '
        unset SLURM_CONTAINER $(env | grep -o "^[A-Z_]*SPANK[A-Za-z_]*jobcell[A-Za-z_]*")
        srun -n1 touch '"$JC_WORK"'/ran' >/dev/null 2>&1
like "... one that drops SLURM_CONTAINER on a require_sandbox partition is refused" \
        "$(cat "$JC_WORK/nested2.out")" "jobcell: a step without the sandbox is refused on partition"
ok "... and never ran" test ! -e "$JC_WORK/ran"

# --- the network ---------------------------------------------------------------
out=$(as_user srun --container="$IMG" sh -c "ls /sys/class/net; jcprobe connect 127.0.0.1 $JC_SLURM_CTLD_PORT;
        jcprobe connect 127.0.0.1 $JC_SLURMD_PORT" 2>&1)
is "network none: only lo, slurmctld's and slurmd's ports unreachable" "$out" "lo
connect=ECONNREFUSED
connect=ECONNREFUSED"
out=$(as_user srun -p debug --container="$IMG" --container-network=host \
        jcprobe connect 127.0.0.1 "$JC_SLURM_CTLD_PORT" 2>&1)
is "host network where the partition allows it" "$out" "connect=ok"
n=$(grep -c "launch task StepId" "$JC_SLURMD_LOG")
out=$(as_user srun -p nohost --container="$IMG" --container-network=host true 2>&1)
is "host network where it does not: refused (srun exits 1)" "$?" 1
like "... at submission, naming the policy key" "$out" "srun: error: jobcell: network=host is refused: network_allowed"
is "... before any task launched" "$(grep -c "launch task StepId" "$JC_SLURMD_LOG")" "$n"

# --- Slurm's cgroups, signals, scancel ---------------------------------------------
as_user srun --container="$IMG" sleep 61 >"$TESTTMP/cg.out" 2>&1 &
srun_pid=$!
wait_long user_pid "^sleep 61"
pid=$(user_pid "^sleep 61")
[ -n "$pid" ] || diag "no job process: $(cat "$TESTTMP/cg.out"; pgrep -a -u "$JC_TEST_USER"; squeue)"
job=$(job_of)
cg=$(cat /proc/$pid/cgroup 2>/dev/null)
like "the job is in Slurm's task cgroup (memory)" "$cg" \
        "memory:/slurm_$JC_NODE/uid_$JC_TEST_UID/job_$job/step_0/task_0"
like "... and in the step's freezer cgroup (proctrack: scancel reaches it)" "$cg" \
        "freezer:/slurm_$JC_NODE/uid_$JC_TEST_UID/job_$job/step_0"
owner=$(python3 -c 'import fcntl, os, struct, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
print(struct.unpack("I", fcntl.ioctl(fd, 0xb704, b"\0" * 4))[0])' "/proc/$pid/ns/user" 2>&1)
is "the job's user namespace is owned by root (NS_GET_OWNER_UID), not by the user" "$owner" 0
wait_for have_runner
runner=$(runner_pid)
cell=$(tr '\0' '\n' </proc/$runner/cmdline | sed -n 's/^--cell=//p')
like "the cell is named JOB.STEP.RANDOM" "$cell" "$job.0."
ok "... with 32 random hex digits" eval "[[ '$cell' =~ ^$job\.0\.[0-9a-f]{32}$ ]]"
ok "... its keeper listens while the step runs" grep -q "@jobcell/root/$cell\$" /proc/net/unix
scancel "$job"
wait_for no_job
wait $srun_pid
ok "scancel ends the job" test ! -e /proc/$pid
leftover() {
        local left=""
        pgrep -f "$cell" >/dev/null && left="$left processes"
        grep -q "@jobcell/root/$cell\$" /proc/net/unix && left="$left socket"
        grep -q "$TESTTMP" /proc/self/mountinfo && left="$left mounts"
        [ -z "$(find /sys/fs/cgroup/*/slurm_"$JC_NODE" -type d -name "job_$job" 2>/dev/null)" ] ||
                left="$left cgroups"
        echo "${left:-none}"
}
wait_for eval '[ "$(leftover)" = none ]'
is "... and leaves nothing of the sandbox: no process, socket, mount or cgroup" "$(leftover)" none
unlike "... the plugin's check after the step found nothing to clean" "$(cat "$JC_SLURMD_LOG")" \
        "the cell outlived the step"

as_user srun --container="$IMG" jcprobe signals 30 >"$TESTTMP/sig.out" 2>&1 &
srun_pid=$!
wait_for grep -q ready "$TESTTMP/sig.out"
scancel -s TERM "$(job_of)"
wait $srun_pid
like "scancel -s TERM reaches the job" "$(cat "$TESTTMP/sig.out")" "got=TERM"

# srun forwards Ctrl-C to the tasks as scancel -s does (slurmstepd
# signals each task: the runner, which passes it on).
as_user srun --container="$IMG" jcprobe signals 30 >"$TESTTMP/int.out" 2>&1 &
srun_pid=$!
wait_for grep -q ready "$TESTTMP/int.out"
scancel -s INT "$(job_of)"
sleep 0.5
scancel -s TERM "$(job_of)"
wait $srun_pid
like "scancel -s INT reaches the job, and it goes on" "$(cat "$TESTTMP/int.out")" "got=TERM INT "
# Ctrl-C twice within a second: srun sends SIGINT to the tasks and ends
# the step.  (env: a background command starts with SIGINT ignored, which
# srun would keep.)
as_user env --default-signal=INT srun --container="$IMG" jcprobe signals 30 >"$TESTTMP/int.out" 2>&1 &
srun_pid=$!
wait_for grep -q ready "$TESTTMP/int.out"
pid=$(user_pid "^jcprobe signals")
srun=$(srun_main)
kill -INT "$srun"; sleep 0.2; kill -INT "$srun"
wait_for eval "! kill -0 $srun_pid 2>/dev/null"
like "Ctrl-C twice: srun sends it to the sandboxed step" "$(cat "$TESTTMP/int.out")" "sending Ctrl-C to StepId"
wait_for eval "[ -n '$pid' ] && [ ! -e /proc/$pid ]"
ok "... and the job ends" eval "[ -n '$pid' ] && [ ! -e /proc/$pid ]"
scancel -u "$JC_TEST_USER"
wait_for no_job

# --- attacks on the hand-over ------------------------------------------------------
# In the job's environment only (--export), not in srun's own.
as_user srun --export=ALL,LD_PRELOAD=/nonexistent/preload.so,GLIBC_TUNABLES=glibc.malloc.check=3 \
        --container="$IMG" sh -c "echo \$LD_PRELOAD \$GLIBC_TUNABLES; sleep 30" >"$TESTTMP/atk.out" 2>&1 &
srun_pid=$!
wait_for have_runner
runner=$(runner_pid)
is "LD_PRELOAD and GLIBC_TUNABLES of the job never reach the runner's environment" \
        "$(tr '\0' ' ' </proc/$runner/environ)" "PATH=/usr/sbin:/usr/bin:/sbin:/bin "
is "the runner holds uid 0, not the user's" "$(awk '/^Uid:/ {print $2 $3 $4 $5}' /proc/$runner/status)" 0000
fails "the user's other processes cannot signal the runner" as_user kill -0 "$runner"
fails "... nor read its memory" as_user dd if=/proc/$runner/mem bs=1 count=1 skip=4096
fails "... nor trace it" as_user python3 -c 'import ctypes, sys
sys.exit(ctypes.CDLL(None).ptrace(16, int(sys.argv[1]), 0, 0) != 0)' "$runner"
scancel -u "$JC_TEST_USER"
wait $srun_pid
like "... while the job still gets them" "$(cat "$TESTTMP/atk.out")" "/nonexistent/preload.so glibc.malloc.check=3"
unlike "... and the loader never tried to preload it into the runner" "$(cat "$TESTTMP/atk.out")" "ld.so"
wait_for no_job

out=$(as_user srun "$BIN/jcprobe" securebits 2>&1)
is "a plain step's task has no securebit" "$out" "securebits=0"
out=$(as_user srun sh -c 'grep -E "^Cap(Prm|Eff|Amb):" /proc/self/status | tr -s "\t" " " | tr "\n" /' 2>&1)
is "... and no capability" "$out" "CapPrm: 0000000000000000/CapEff: 0000000000000000/CapAmb: 0000000000000000/"

# An error path: the runner cannot be exec'd.  Even with the plugin
# `optional' (Slurm then ignores its errors), the task never runs the job
# with the securebit and capabilities it was given for the runner.
conf=${SLURM_CONF%/*}/plugstack.conf
cp "$conf" "$conf.good"
sed -i 's/^required/optional/' "$conf"
chmod 644 "$BIN/jobcell"
out=$(as_user srun --container="$IMG" sh -c "echo job-ran; $BIN/jcprobe securebits" 2>&1)
is "a runner that cannot be exec'd: the task ends (125)" "$?" 125
like "... saying why" "$out" "jobcell: cannot hand over to the runner: exec the runner"
unlike "... the job never ran (with or without the securebit)" "$out" "job-ran"
chmod 755 "$BIN/jobcell"
cp "$conf.good" "$conf"

out=$(as_user "$BIN/jobcell" run --slurm --spec-fd=0 --env-fd=0 -- true 2>&1)
is "jobcell run --slurm started by hand is refused (125)" "$?" 125
like "... saying so" "$out" "only the Slurm plugin starts the runner this way"
out=$(as_user srun --container=/ "$BIN/jobcell" run --slurm --spec-fd=0 --env-fd=0 -- true 2>&1)
like "... and from inside a sandbox too" "$out" "only the Slurm plugin starts the runner this way"

is "no job is left" "$(squeue -h)" ""
done_testing
