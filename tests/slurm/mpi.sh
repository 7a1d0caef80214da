#!/bin/bash
# MPI launched by srun inside the sandbox, through a real cluster and the
# real runner, as a user: MPICH over PMI-2 (srun --mpi=pmi2: PMI_FD kept
# open in the job) with network none, and Open MPI over PMIx (srun
# --mpi=pmix: Slurm's PMIx directory bound into the cell) with the host's
# network and with network none, where the keeper's relay carries the PMIx
# server's loopback port and nothing else (doc/slurm.md, "MPI").  Both
# ranks of a step share one cell.  The image is the host's root, where the
# MPI libraries are; the programs are bound in with --container-mounts.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/slurm/cluster.sh"

plugin=$top_builddir/.libs/jobcell_spank.so
[ -f "$plugin" ] || skip_all "the SPANK plugin was not built (no slurm/spank.h at configure time)"
! grep -qa __asan_init "$plugin" ||
        skip_all "the plugin is built with --enable-sanitizers, which Slurm's programs cannot load"
for c in mpicc.mpich mpicc.openmpi; do
        command -v $c >/dev/null || bail_out "$c is missing: run install-deps.sh (mpich, libopenmpi-dev)"
done

JC_PARTITIONS="debug"
JC_PLUGSTACK="required @DIR@/lib/jobcell_spank.so policy=@DIR@/etc/policy.ini runner=@DIR@/bin/jobcell"
jc_cluster_setup() {
        mkdir -p "$1/lib" "$1/bin" "$1/mpi"
        install -m 755 "$plugin" "$1/lib/jobcell_spank.so"
        install -m 755 "$JOBCELL" "$1/bin/jobcell"
        install -m 755 "$top_builddir/tests/probe/jcprobe" "$1/mpi/jcprobe"
        mpicc.mpich -o "$1/mpi/ring-mpich" "$top_srcdir/tests/slurm/mpi_ring.c" &&
                mpicc.openmpi -o "$1/mpi/ring-ompi" "$top_srcdir/tests/slurm/mpi_ring.c" || return 1
        chmod -R a+rX "$1/mpi"
        install -m 644 /dev/stdin "$1/etc/policy.ini" <<EOF2
[defaults]
images_allowed = /
mounts_allowed = $1/mpi:ro
network_allowed = none, host
EOF2
}
jc_cluster_start
M=$JC_CLUSTER_DIR/mpi
ranks() { printf '%s\n' "$1" | grep '^rank ' | sed 's/ pid .*//' | sort; }

want="rank 0 of 2: sum 3 token 42
rank 1 of 2: sum 3 token 42"
out=$(as_user timeout 120 srun -n2 --mpi=pmi2 "$M/ring-mpich" 2>&1)
is "(control) MPICH over PMI-2 without the sandbox" "$(ranks "$out")" "$want"
out=$(as_user timeout 120 srun -n2 --mpi=pmi2 --container=/ --container-mounts="$M" sh -c \
        "echo cell \$(readlink /proc/self/ns/pid) \$(cat /proc/1/comm); exec $M/ring-mpich" 2>&1)
is "srun --mpi=pmi2 --container: MPICH's allreduce and ring, network none" "$(ranks "$out")" "$want"
is "... both ranks in one cell" "$(printf '%s\n' "$out" | grep '^cell pid:.* jobcell-init$' | sort -u | wc -l)" 1

out=$(as_user timeout 120 srun -n2 --mpi=pmix "$M/ring-ompi" 2>&1)
is "(control) Open MPI over PMIx without the sandbox" "$(ranks "$out")" "$want"
out=$(as_user timeout 120 srun -n2 --mpi=pmix --container=/ --container-network=host \
        --container-mounts="$M" sh -c \
        "echo cell \$(readlink /proc/self/ns/pid) \$(cat /proc/1/comm); exec $M/ring-ompi" 2>&1)
is "srun --mpi=pmix --container --container-network=host: Open MPI's allreduce and ring" \
        "$(ranks "$out")" "$want"
is "... both ranks in one cell" "$(printf '%s\n' "$out" | grep '^cell pid:.* jobcell-init$' | sort -u | wc -l)" 1
unlike "... no PMIx error (its shared-memory store is bound in)" "$out" "PMIX ERROR"
# A host listener on 127.0.0.1 that no relay may reach: the test's own.
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
print(s.getsockname()[1], flush=True); time.sleep(600)' >"$JC_WORK/listener.port" &
listener=$!
for _ in $(seq 50); do [ -s "$JC_WORK/listener.port" ] && break; sleep 0.1; done
lport=$(cat "$JC_WORK/listener.port")
ok "(control) the host listener on 127.0.0.1:$lport takes connections" \
        sh -c "'$M/jcprobe' connect 127.0.0.1 $lport | grep -qx connect=ok"

# Rank 0 looks around before MPI_Init: the cell's interfaces, the PMIx
# port (the URI's) through the relay, and two host ports that must stay out
# of reach: the test's listener and slurmctld's.
look='if [ "$SLURM_PROCID" = 0 ]; then
        echo "net $(ls /sys/class/net | tr "\n" " ")"
        echo "pmix $(M/jcprobe connect 127.0.0.1 ${PMIX_SERVER_URI41##*:})"
        echo "listener $(M/jcprobe connect 127.0.0.1 LPORT)"
        echo "slurmctld $(M/jcprobe connect 127.0.0.1 CTLD)"
fi'
look=$(printf '%s' "$look" | sed "s|M/|$M/|g; s|LPORT|$lport|; s|CTLD|$JC_SLURM_CTLD_PORT|")
ok "(control) slurmctld listens on the host's 127.0.0.1:$JC_SLURM_CTLD_PORT" \
        sh -c "'$M/jcprobe' connect 127.0.0.1 $JC_SLURM_CTLD_PORT | grep -qx connect=ok"
out=$(as_user timeout 120 srun -n2 --mpi=pmix --container=/ --container-mounts="$M" sh -c \
        "echo cell \$(readlink /proc/self/ns/pid) \$(cat /proc/1/comm); $look; exec $M/ring-ompi" 2>&1)
is "srun --mpi=pmix --container, network none: Open MPI's allreduce and ring (the relay)" \
        "$(ranks "$out")" "$want"
is "... both ranks in one cell" "$(printf '%s\n' "$out" | grep '^cell pid:.* jobcell-init$' | sort -u | wc -l)" 1
unlike "... no PMIx error" "$out" "PMIX ERROR"
is "... the cell has only lo" "$(printf '%s\n' "$out" | grep '^net ')" "net lo "
is "... the PMIx server's port is reached (through the relay)" \
        "$(printf '%s\n' "$out" | grep '^pmix ')" "pmix connect=ok"
is "... a listener of the host's 127.0.0.1 is not" \
        "$(printf '%s\n' "$out" | grep '^listener ')" "listener connect=ECONNREFUSED"
is "... nor slurmctld's port" \
        "$(printf '%s\n' "$out" | grep '^slurmctld ')" "slurmctld connect=ECONNREFUSED"
is "... and no relay is left once the step is done" "$(pgrep -x jobcell-relay)" ""

# The relay while a step runs: one per cell, the job's uid, no privilege,
# in the host's network namespace, holding only its listening socket; a
# cancelled step takes it along.
as_user timeout 120 srun -n2 --mpi=pmix --container=/ sleep 60 >/dev/null 2>&1 &
srun_pid=$!
relay=
for _ in $(seq 100); do relay=$(pgrep -x jobcell-relay) && break; sleep 0.1; done
is "a running step with --mpi=pmix and network none has one relay" "$(printf '%s\n' "$relay" | grep -c .)" 1
st=$(cat "/proc/$relay/status" 2>/dev/null)
is "... running as the job's uid" "$(printf '%s\n' "$st" | awk '/^Uid:/ {print $2, $3, $4, $5}')" \
        "$JC_TEST_UID $JC_TEST_UID $JC_TEST_UID $JC_TEST_UID"
is "... with no supplementary group" "$(printf '%s\n' "$st" | awk '/^Groups:/ {print NF - 1}')" 0
is "... no capability in any set" \
        "$(printf '%s\n' "$st" | awk '/^Cap(Inh|Prm|Eff|Bnd|Amb):/ {printf "%s ", $2}')" \
        "0000000000000000 0000000000000000 0000000000000000 0000000000000000 0000000000000000 "
is "... no_new_privs" "$(printf '%s\n' "$st" | awk '/^NoNewPrivs:/ {print $2}')" 1
is "... in the host's network namespace" "$(readlink "/proc/$relay/ns/net")" "$(readlink /proc/self/ns/net)"
is "... holding stdio and one socket, nothing of the keeper's" \
        "$(cd "/proc/$relay/fd" 2>/dev/null && for f in *; do readlink "$f" | sed 's/:.*//'; done | sort | uniq -c | awk '{printf "%s %s; ", $1, $2}')" \
        "3 /dev/null; 1 socket; "
scancel "$(squeue -h -o %A | head -n 1)"
wait "$srun_pid"
for _ in $(seq 100); do [ -d "/proc/$relay" ] || break; sleep 0.1; done
fails "... and scancel takes it along" test -d "/proc/$relay"

# The URIs are the user's to set: a forged one must not open a way out.
for mpi in none pmix; do
        out=$(as_user timeout 120 srun -n1 --mpi=$mpi \
                --export=ALL,PMIX_SERVER_URI41="x.0;tcp4://127.0.0.1:$lport",PMIX_SERVER_URI2="x.0;tcp4://127.0.0.1:$lport" \
                --container=/ --container-mounts="$M" "$M/jcprobe" connect 127.0.0.1 "$lport" 2>&1)
        is "srun --mpi=$mpi with PMIX_SERVER_URI* forged to the host listener: no relay to it" \
                "$out" "connect=ECONNREFUSED"
done
kill "$listener"
wait "$listener" 2>/dev/null

is "no job is left" "$(squeue -h)" ""
done_testing
