# tests/slurm/cluster.sh -- a throw-away one-node Slurm cluster for tests.
# Sourced by the tests in tests/slurm/ after tests/lib.sh; needs root.
#
#   jc_cluster_start    generate configs in a new temporary directory, start
#                       munged, slurmctld and slurmd from Debian's packages
#                       and wait until the node is idle
#   jc_cluster_stop     cancel every job, stop exactly the daemons started
#                       here, remove the cgroups Slurm left (idempotent; the
#                       EXIT trap calls it, so a failing or interrupted test
#                       stops the cluster too)
#   as_user CMD...      run CMD as the test user in $JC_WORK with a clean
#                       environment (SLURM_CONF set); as_user2 for the second
#   batch_user ARGS...  sbatch ARGS as the test user, wait for the job: its
#                       exit status is the job's (as `sbatch --wait' gives it)
#   jc_slurmstepds      pids of the slurmstepd processes of this cluster
#   jc_slurm_cgroups    Slurm's cgroup directories under /sys/fs/cgroup
#
# Set before jc_cluster_start:
#   JC_PLUGSTACK    the content of plugstack.conf (default: no plugin), @DIR@
#                   standing for the cluster directory; slurmd reads it once
#                   at start, srun, sbatch and each step read it again
#   jc_cluster_setup  a function, when defined, called with the cluster
#                   directory before the daemons start (to put a plugin, a
#                   policy file... there, root-owned)
#   JC_PARTITIONS   partition names, all on the one node; the first is the
#                   default (default: "debug")
#   JC_KEEP=1       keep the cluster directory (configs, logs) at exit
# Set by jc_cluster_start:
#   SLURM_CONF JC_CLUSTER_DIR JC_NODE JC_SLURMD_LOG JC_SLURMCTLD_LOG
#   JC_TEST_USER JC_TEST_UID JC_TEST_USER2 JC_TEST_UID2 JC_WORK JC_WORK2
#   JC_START_SECONDS (how long the start took); JC_STOP_SECONDS after stop
#
# Isolation: munged runs on a private socket with a private key, and every
# file lives in the temporary directory.  The daemons run in DIR/run; each
# slurmstepd inherits that working directory from slurmd and holds slurmd's
# log (DIR/log/slurmd.log) open, which is how stop finds this cluster's
# slurmstepd processes (slurmstepd is reparented to init and overwrites its
# environment with its process title, so neither parent nor environment
# tells).  Slurm's ports are fixed
# (6817/6818), so a second cluster on the machine is refused with one line;
# test files that run at the same time (make -j) wait for each other on a lock.

JC_SLURM_CTLD_PORT=6817
JC_SLURMD_PORT=6818
: "${JC_SLURM_LOCK:=/run/lock/jobcell-slurm-tests.lock}"
JC_TEST_USER=jobcelltest
JC_TEST_USER2=jobcelltest2
JC_CLUSTER_DIR=
_jc_pids=
_jc_stopped=

_jc_now() { date +%s.%N; }
_jc_since() { awk -v a="$1" -v b="$(_jc_now)" 'BEGIN { printf "%.2f", b - a }'; }

# Is PID alive and running COMM?
_jc_alive() {
        local c
        [ -n "$1" ] && read -r c 2>/dev/null <"/proc/$1/comm" && [ "$c" = "$2" ]
}

# Is /proc entry P a zombie (dead, waiting for init to reap it)?
_jc_zombie() {
        local stat
        read -r stat 2>/dev/null <"$1/stat" || return 0
        stat=${stat##*) }
        [ "${stat%% *}" = Z ]
}

# The Slurm daemons running on this machine, "comm pid args" per line.
_jc_running_slurm() {
        local p c
        for p in /proc/[0-9]*; do
                read -r c 2>/dev/null <"$p/comm" || continue
                case $c in slurmctld | slurmd | slurmstepd) ! _jc_zombie "$p" || continue ;; esac
                case $c in
                slurmctld | slurmd | slurmstepd)
                        echo "$c ${p#/proc/} $(tr '\0' ' ' 2>/dev/null <"$p/cmdline")" ;;
                esac
        done
}

jc_slurmstepds() {
        local p c
        [ -n "$JC_CLUSTER_DIR" ] || return 0
        for p in /proc/[0-9]*; do
                read -r c 2>/dev/null <"$p/comm" && [ "$c" = slurmstepd ] || continue
                ! _jc_zombie "$p" || continue
                if [ "$(readlink "$p/cwd")" = "$JC_CLUSTER_DIR/run" ] ||
                        [ -n "$(find "$p/fd" -lname "$JC_CLUSTER_DIR/*" 2>/dev/null | head -n 1)" ]; then
                        echo "${p#/proc/}"
                fi
        done
}

jc_slurm_cgroups() {
        find /sys/fs/cgroup/*/ -maxdepth 1 -name 'slurm*' -type d 2>/dev/null
}

_jc_have_packages() {
        local p
        for p in /usr/sbin/slurmctld /usr/sbin/slurmd /usr/sbin/slurmstepd /usr/bin/srun \
                /usr/sbin/munged /usr/sbin/mungekey /usr/bin/setpriv /usr/bin/flock; do
                [ -x "$p" ] || { echo "$p"; return 1; }
        done
}

_jc_user() { # _jc_user NAME: create a test user when missing
        id -u "$1" >/dev/null 2>&1 && return 0
        useradd -m -s /bin/sh -c "jobcell test user" "$1" >/dev/null 2>&1 || id -u "$1" >/dev/null 2>&1
}

# Refuse to start next to a cluster that is already running: the ports and
# the cgroup paths (/sys/fs/cgroup/*/slurm) are per machine.
_jc_refuse_other_cluster() {
        local other
        other=$(_jc_running_slurm | head -n 1)
        [ -z "$other" ] ||
                bail_out "a Slurm daemon is already running here ($other): stop that cluster first (e.g. /work/shared/slurm-lab/down.sh DIR)"
        other=$(ss -Hltn "( sport = :$JC_SLURM_CTLD_PORT or sport = :$JC_SLURMD_PORT )" 2>/dev/null | head -n 1)
        [ -z "$other" ] ||
                bail_out "port $JC_SLURM_CTLD_PORT or $JC_SLURMD_PORT is in use ($other): stop whatever listens there first"
        other=$(jc_slurm_cgroups | head -n 1)
        [ -z "$other" ] ||
                bail_out "Slurm cgroups exist ($other) though no Slurm daemon runs: remove them (rmdir, deepest first) first"
}

_jc_write_configs() {
        local d=$JC_CLUSTER_DIR node_line p first=1
        node_line=$(/usr/sbin/slurmd -C 2>/dev/null | sed -n 's/^NodeName=[^ ]* //p')
        [ -n "$node_line" ] || node_line="CPUs=$(nproc)"
        cat >"$d/etc/slurm.conf" <<EOF
# generated by tests/slurm/cluster.sh
ClusterName=jobcelltest
SlurmctldHost=$JC_NODE(127.0.0.1)
SlurmctldPort=$JC_SLURM_CTLD_PORT
SlurmdPort=$JC_SLURMD_PORT
SlurmUser=slurm
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$d/munge/munge.socket
StateSaveLocation=$d/spool/ctld
SlurmdSpoolDir=$d/spool/d
SlurmctldPidFile=$d/run/slurmctld.pid
SlurmdPidFile=$d/run/slurmd.pid
SlurmctldLogFile=$d/log/slurmctld.log
SlurmdLogFile=$d/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=debug
SlurmctldSyslogDebug=quiet
SlurmdSyslogDebug=quiet
# CGROUP: Slurm logs each cgroup it fails to remove (EBUSY), which the
# tests look for.
DebugFlags=CGROUP
MailProg=/bin/true
PlugStackConfig=$d/etc/plugstack.conf
ProctrackType=proctrack/cgroup
TaskPlugin=task/cgroup,task/affinity
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=500
SchedulerType=sched/builtin
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
SlurmdTimeout=300
InactiveLimit=0
KillWait=2
MinJobAge=300
NodeName=$JC_NODE NodeAddr=127.0.0.1 $node_line State=UNKNOWN
EOF
        for p in ${JC_PARTITIONS:-debug}; do
                if [ $first = 1 ]; then
                        echo "PartitionName=$p Nodes=$JC_NODE Default=YES MaxTime=INFINITE State=UP"
                else
                        echo "PartitionName=$p Nodes=$JC_NODE Default=NO MaxTime=INFINITE State=UP"
                fi
                first=0
        done >>"$d/etc/slurm.conf"
        cat >"$d/etc/cgroup.conf" <<EOF
CgroupPlugin=cgroup/v1
CgroupMountpoint=/sys/fs/cgroup
ConstrainCores=yes
ConstrainRAMSpace=yes
ConstrainDevices=no
EOF
        printf '%s\n' "${JC_PLUGSTACK:-# no plugin}" | sed "s|@DIR@|$d|g" >"$d/etc/plugstack.conf"
        chmod 644 "$d"/etc/*
}

# _jc_spawn NAME CMD...: start a daemon in the foreground of its own session
# (a Ctrl-C on the terminal reaches the test, whose trap stops the daemons in
# order), in DIR/run, with a clean environment, without the lock's fd;
# record its pid.
_jc_spawn() {
        local name=$1 pid
        shift
        cd "$JC_CLUSTER_DIR/run" || return 1
        setsid env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@" \
                </dev/null >"$JC_CLUSTER_DIR/log/$name.stdout" 2>&1 {JC_LOCK_FD}>&- &
        pid=$!
        cd - >/dev/null || return 1
        echo "$pid" >"$JC_CLUSTER_DIR/pids/$name"
        _jc_pids="$_jc_pids $name:$pid"
}

_jc_pid_of() { cat "$JC_CLUSTER_DIR/pids/$1" 2>/dev/null; }

_jc_wait() { # _jc_wait TENTHS CMD...: poll CMD every 0.05 s
        local i n=$(($1 * 2))
        shift
        for i in $(seq $n); do
                "$@" >/dev/null 2>&1 && return 0
                sleep 0.05
        done
        return 1
}

_jc_munge_ok() {
        munge -n -S "$JC_CLUSTER_DIR/munge/munge.socket" |
                unmunge -S "$JC_CLUSTER_DIR/munge/munge.socket"
}

_jc_node_idle() {
        [ "$(sinfo -h -n "$JC_NODE" -o %t 2>/dev/null)" = idle ]
}

_jc_daemons_alive() {
        local n
        for n in munged slurmctld slurmd; do
                _jc_alive "$(_jc_pid_of $n)" $n ||
                        { echo "$n exited: $(tail -n 3 "$JC_CLUSTER_DIR/log/$n.stdout" 2>/dev/null | tr '\n' ' ')"; return 1; }
        done
}

# Done waiting: the node is idle, or a daemon died.
_jc_up_or_dead() { _jc_node_idle || ! _jc_daemons_alive >/dev/null; }

jc_cluster_start() {
        local missing t0 d why
        [ "$(id -u)" = 0 ] || skip_all "the Slurm harness needs root (it starts slurmd)"
        missing=$(_jc_have_packages) ||
                skip_all "$missing is missing: run install-deps.sh (Slurm and munge packages)"
        [ -d /sys/fs/cgroup/freezer ] && [ -d /sys/fs/cgroup/memory ] ||
                skip_all "the harness configures cgroup v1 and this machine has none mounted"
        # Keep what the test had on EXIT (e.g. jc_tmpdir's cleanup): run it after.
        _jc_prev_exit=$(trap -p EXIT)
        _jc_prev_exit=${_jc_prev_exit#trap -- }
        eval "_jc_prev_exit=${_jc_prev_exit% EXIT}"
        trap '_jc_exit' EXIT
        trap 'exit 129' HUP
        trap 'exit 130' INT
        trap 'exit 143' TERM
        # Test files that run at once (make -j check) take turns.
        exec {JC_LOCK_FD}>"$JC_SLURM_LOCK" || bail_out "cannot open $JC_SLURM_LOCK"
        flock -w 1200 "$JC_LOCK_FD" || bail_out "waited 20 minutes for $JC_SLURM_LOCK"
        t0=$(_jc_now)
        _jc_refuse_other_cluster
        _jc_user $JC_TEST_USER && _jc_user $JC_TEST_USER2 || bail_out "cannot create the test users"
        JC_TEST_UID=$(id -u $JC_TEST_USER)
        JC_TEST_UID2=$(id -u $JC_TEST_USER2)
        JC_NODE=$(hostname -s)

        JC_CLUSTER_DIR=$(mktemp -d /tmp/jobcell-slurm.XXXXXX) || bail_out "mktemp"
        d=$JC_CLUSTER_DIR
        # Everyone traverses the directory: srun reads slurm.conf, every
        # process talks to munged's socket.
        chmod 755 "$d"
        mkdir -p "$d/etc" "$d/munge" "$d/spool/ctld" "$d/spool/d" "$d/log" "$d/run" "$d/pids" \
                "$d/work" "$d/work2"
        chown munge:munge "$d/munge"
        chown slurm:slurm "$d/spool/ctld" "$d/log" "$d/run"
        chown "$JC_TEST_USER:" "$d/work"
        chown "$JC_TEST_USER2:" "$d/work2"
        JC_WORK=$d/work
        JC_WORK2=$d/work2
        SLURM_CONF=$d/etc/slurm.conf
        JC_SLURMD_LOG=$d/log/slurmd.log
        JC_SLURMCTLD_LOG=$d/log/slurmctld.log
        export SLURM_CONF
        _jc_write_configs
        if declare -F jc_cluster_setup >/dev/null; then
                jc_cluster_setup "$d" || bail_out "jc_cluster_setup $d failed"
        fi

        # A private munge: own key, own socket, nothing of the system's.
        mungekey --create --keyfile="$d/munge/munge.key" >/dev/null 2>&1 &&
                chown munge:munge "$d/munge/munge.key" && chmod 400 "$d/munge/munge.key" ||
                bail_out "mungekey --create failed"
        _jc_spawn munged setpriv --reuid=munge --regid=munge --clear-groups /usr/sbin/munged -F \
                --socket="$d/munge/munge.socket" --key-file="$d/munge/munge.key" \
                --log-file="$d/munge/munged.log" --pid-file="$d/munge/munged.pid" \
                --seed-file="$d/munge/munged.seed"
        _jc_wait 100 _jc_munge_ok || bail_out "munged did not answer: $(cat "$d/log/munged.stdout" "$d/munge/munged.log" 2>/dev/null | tail -n 2 | tr '\n' ' ')"
        # slurmd retries its registration until slurmctld answers: start both.
        _jc_spawn slurmctld /usr/sbin/slurmctld -D -f "$SLURM_CONF"
        _jc_spawn slurmd /usr/sbin/slurmd -D -f "$SLURM_CONF"
        _jc_wait 300 _jc_up_or_dead
        why=$(_jc_daemons_alive) || bail_out "$why"
        _jc_node_idle ||
                bail_out "node $JC_NODE not idle after 30 s (state '$(sinfo -h -n "$JC_NODE" -o %t 2>/dev/null)')"
        JC_START_SECONDS=$(_jc_since "$t0")
        diag "cluster up in $JC_START_SECONDS s ($d, partitions: ${JC_PARTITIONS:-debug})"
}

# Stop PID (running COMM): TERM, then KILL after 15 s.
_jc_stop_pid() {
        local pid=$1 comm=$2 i
        _jc_alive "$pid" "$comm" || return 0
        kill -TERM "$pid" 2>/dev/null
        for i in $(seq 300); do
                _jc_alive "$pid" "$comm" || break
                sleep 0.05
        done
        if _jc_alive "$pid" "$comm"; then
                diag "$comm (pid $pid) ignored SIGTERM for 15 s: SIGKILL"
                kill -KILL "$pid" 2>/dev/null
                _jc_wait 50 eval "! _jc_alive $pid $comm"
        fi
        wait "$pid" 2>/dev/null
}

_jc_no_jobs() { [ -z "$(squeue -h -o %A 2>/dev/null)" ] && [ -z "$(jc_slurmstepds)" ]; }

jc_cluster_stop() {
        local t0 jobs pid cg left
        [ -n "$JC_CLUSTER_DIR" ] && [ -z "$_jc_stopped" ] || return 0
        _jc_stopped=1
        t0=$(_jc_now)
        # Cancel what still runs, so no slurmstepd outlives its slurmd.
        if _jc_alive "$(_jc_pid_of slurmctld)" slurmctld; then
                jobs=$(squeue -h -o %A 2>/dev/null)
                [ -z "$jobs" ] || scancel $jobs 2>/dev/null
                _jc_wait 300 _jc_no_jobs || diag "jobs still there after 30 s: $(squeue -h 2>/dev/null | tr '\n' ' ')"
        fi
        _jc_stop_pid "$(_jc_pid_of slurmd)" slurmd
        _jc_stop_pid "$(_jc_pid_of slurmctld)" slurmctld
        _jc_stop_pid "$(_jc_pid_of munged)" munged
        for pid in $(jc_slurmstepds); do
                diag "slurmstepd $pid outlived its cluster: SIGKILL"
                kill -KILL "$pid" 2>/dev/null
        done
        # slurmd does not remove its top cgroups (/sys/fs/cgroup/*/slurm);
        # anything found here was made by this cluster (start refuses when
        # some exist).  Deepest first; rmdir removes only empty ones.
        left=
        for cg in $(jc_slurm_cgroups); do
                while read -r sub; do
                        rmdir "$sub" 2>/dev/null || left="$left $sub"
                        echo "rmdir $sub" >>"$JC_CLUSTER_DIR/log/harness.log"
                done < <(find "$cg" -depth -type d)
        done
        [ -z "$left" ] || diag "cgroups that could not be removed:$left"
        JC_STOP_SECONDS=$(_jc_since "$t0")
        diag "cluster stopped in $JC_STOP_SECONDS s"
        # The next test file (or a harness this test starts) may go on.
        [ -z "${JC_LOCK_FD:-}" ] || exec {JC_LOCK_FD}>&-
        JC_LOCK_FD=
}

_jc_exit() {
        local rc=$?
        jc_cluster_stop
        if [ -n "$JC_CLUSTER_DIR" ]; then
                if [ "${JC_KEEP:-0}" = 1 ]; then
                        diag "kept $JC_CLUSTER_DIR"
                else
                        rm -rf "$JC_CLUSTER_DIR"
                fi
        fi
        [ -z "${_jc_prev_exit:-}" ] || eval "$_jc_prev_exit"
        exit $rc
}

_jc_as() { # _jc_as USER DIR CMD...
        local u=$1 dir=$2 home
        shift 2
        home=$(getent passwd "$u" | cut -d: -f6)
        (cd "$dir" && exec env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$home" USER="$u" \
                LOGNAME="$u" SLURM_CONF="$SLURM_CONF" \
                setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups -- "$@")
}

as_user() { _jc_as "$JC_TEST_USER" "$JC_WORK" "$@"; }
as_user2() { _jc_as "$JC_TEST_USER2" "$JC_WORK2" "$@"; }

# `sbatch --wait' asks slurmctld 2 s after the submission, then 8 s later:
# a job that ends after 2.1 s is waited for 10 s.  This polls (_jc_wait, for
# at most 2 minutes, then fails) and returns what sbatch --wait would: the
# exit code, or 1 for a script killed by a signal.
_jc_job_done() { # JOBID: slurmctld knows the job and says it has ended
        case $(scontrol -o show job "$1" 2>/dev/null | grep -o ' JobState=[A-Z_]*') in
        "" | *=PENDING | *=CONFIGURING | *=RUNNING | *=SUSPENDED | *=COMPLETING) return 1 ;;
        esac
}
batch_user() {
        local id code
        id=$(as_user sbatch --parsable "$@") || return $?
        id=${id%%;*}
        _jc_wait 1200 _jc_job_done "$id" || { diag "batch job $id: not done after 2 minutes"; return 1; }
        code=$(scontrol -o show job "$id" | grep -o ' ExitCode=[0-9]*:[0-9]*' | cut -d= -f2)
        [ -n "$code" ] || return 1
        [ "${code#*:}" = 0 ] && return "${code%:*}"
        return 1
}
