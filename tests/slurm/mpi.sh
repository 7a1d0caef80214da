#!/bin/bash
# MPI launched by srun inside the sandbox, through a real cluster and the
# real runner, as a user: MPICH over PMI-2 (srun --mpi=pmi2: PMI_FD kept
# open in the job) with network none, and Open MPI over PMIx (srun
# --mpi=pmix: Slurm's PMIx directory bound into the cell) with the host's
# network, which PMIx needs (doc/slurm.md, "MPI").  Both ranks of a step
# share one cell.  The image is the host's root, where the MPI libraries
# are; the programs are bound in with --container-mounts.
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
out=$(as_user timeout 120 srun -n1 --mpi=pmix --container=/ --container-mounts="$M" "$M/ring-ompi" 2>&1)
fails "srun --mpi=pmix with network none: MPI_Init fails (PMIx is TCP on the node's 127.0.0.1)" \
        test "$(ranks "$out")" = "rank 0 of 1: sum 1 token -1"

is "no job is left" "$(squeue -h)" ""
done_testing
