#!/bin/bash
# The SPANK plugin through a real cluster, as a user: options are checked
# against the policy before the step launches, the node decides again from
# its own policy and the partition slurmctld knows, require_sandbox refuses
# plain steps, a sandboxed task execs the runner from its fixed path with a
# scrubbed environment (a stub here: tests/slurm/runner-stub.sh), and
# slurmd's log has one line per task.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/slurm/cluster.sh"

plugin=$top_builddir/.libs/jobcell_spank.so
forge=$top_builddir/tests/slurm/.libs/forge_partition.so
[ -f "$plugin" ] || skip_all "the SPANK plugin was not built (no slurm/spank.h at configure time)"
[ -f "$forge" ] || bail_out "$forge is missing: run make check"
# ASan must be the first library of a process: slurmd, slurmstepd and srun
# are not built with it, so they cannot load an ASan-built plugin.
! grep -qa __asan_init "$plugin" ||
        skip_all "the plugin is built with --enable-sanitizers, which Slurm's programs cannot load"

JC_PARTITIONS="debug nohost strict"
JC_PLUGSTACK="required @DIR@/lib/jobcell_spank.so policy=@DIR@/etc/policy.ini runner=@DIR@/bin/jobcell"
jc_cluster_setup() {
        mkdir -p "$1/lib" "$1/bin"
        install -m 755 "$plugin" "$1/lib/jobcell_spank.so"
        install -m 755 "$forge" "$1/lib/forge_partition.so"
        install -m 755 "$top_srcdir/tests/slurm/runner-stub.sh" "$1/bin/jobcell"
        install -m 755 "$top_builddir/tests/probe/jcprobe" "$1/bin/jcprobe"
        install -m 644 /dev/stdin "$1/etc/policy.ini" <<'EOF'
[defaults]
images_allowed = /
[partition debug]
network_allowed = none, host
identity_allowed = user, fakeroot
[partition nohost]
identity_allowed = user, service-root
[partition strict]
require_sandbox = true
EOF
}
jc_cluster_start
policy=$JC_CLUSTER_DIR/etc/policy.ini
stub=$JC_CLUSTER_DIR/bin/jobcell
launches() { grep -c "launch task StepId" "$JC_SLURMD_LOG"; }
stub_lines() { printf '%s\n' "$1" | grep "^jobcell-stub: $2" ; }

# --- srun and sbatch know the options ---------------------------------------
out=$(as_user srun --help 2>&1)
for o in container-image container-mounts container-workdir container-env container-remap-root \
        no-container-remap-root container-writable container-readonly container-entrypoint \
        no-container-entrypoint container-network container-pids-limit container-user \
        container-cap-add container-cap-drop; do
        like "srun --help lists --$o" "$out" "--$o"
done
unlike "no plugin option is named --container (Slurm owns it)" "$out" "[jobcell] --container="

# --- a sandboxed step execs the runner --------------------------------------
out=$(as_user env STUB_SHOW="GLIBC_TUNABLES LD_LIBRARY_PATH" GLIBC_TUNABLES=glibc.malloc.perturb=0 \
        LD_LIBRARY_PATH=/nonexistent srun -n2 --container-image=/ sh -c 'echo "task $SLURM_PROCID"' 2>&1)
is "srun --container-image -n2: each task execs the runner" "$(stub_lines "$out" argv | wc -l)" 2
like "... with the runner's interface" "$(stub_lines "$out" argv | head -n 1)" \
        "argv: run --slurm --spec-fd="
argv1=$(stub_lines "$out" argv | head -n 1)
like "... --env-fd and --cell=JOB.STEP.RANDOM" "$argv1" " --cell=1.0."
ok "... RANDOM: 32 hex digits" eval "[[ '$argv1' =~ --cell=1\.0\.[0-9a-f]{32}\  ]]"
is "... the same cell for both tasks of the step" \
        "$(stub_lines "$out" argv | sed 's/.*--cell=\([^ ]*\).*/\1/' | sort -u | wc -l)" 1
like "... and the job's command after --" "$argv1" " -- sh -c echo \"task \$SLURM_PROCID\""
unlike "... no --runtime-dir (the runner keeps no runtime files)" "$argv1" "--runtime-dir"
# CAP_CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER KILL SETGID SETUID SETPCAP
# SYS_CHROOT SYS_PTRACE SYS_ADMIN: runner/handover_caps.h
is "... the runner gets exactly its capabilities (ambient, effective), and the securebit" \
        "$(stub_lines "$out" caps | head -n 1)" \
        "jobcell-stub: caps: CapInh=00000000002c01ef CapPrm=00000000002c01ef CapEff=00000000002c01ef CapAmb=00000000002c01ef securebits=4"
is "... the runner's environment is PATH alone (no LD_LIBRARY_PATH, GLIBC_TUNABLES)" \
        "$(stub_lines "$out" environ | sort -u)" "jobcell-stub: environ: PATH=/usr/sbin:/usr/bin:/sbin:/bin "
like "... the job's environment comes on the env fd, GLIBC_TUNABLES included" "$out" \
        "jobcell-stub: env: GLIBC_TUNABLES=glibc.malloc.perturb=0"
is "... the job runs with Slurm's environment (SLURM_PROCID 0 and 1)" \
        "$(printf '%s\n' "$out" | grep '^task ' | sort | tr '\n' ' ')" "task 0 task 1 "
like "... the spec comes on the spec fd" "$(stub_lines "$out" spec | head -n 1)" '"partition":"debug"'
like "... the runner runs as the user" "$(stub_lines "$out" uid | head -n 1)" "uid=$JC_TEST_UID "

as_user srun --container-image=/ sh -c 'exit 7' >/dev/null 2>&1
is "the job's exit code passes through the runner" "$?" 7

out=$(as_user srun --container=/ true 2>&1)
like "srun --container=IMG (SLURM_CONTAINER) is sandboxed" "$(stub_lines "$out" spec)" '"image":"\/"'
out=$(as_user srun --container=/ --container-image=/usr true 2>&1)
like "--container and --container-image that disagree are refused" "$out" "disagree"

# --- the policy decides, before the step launches -----------------------------
out=$(as_user srun --container-image=/ -p debug --container-network=host true 2>&1)
like "--container-network=host where the partition allows it" "$(stub_lines "$out" spec)" \
        '"network":"host"'
out=$(as_user srun -p debug --container-image=/ true 2>&1)
like "... network none by default" "$(stub_lines "$out" spec)" '"network":"none"'

n=$(launches)
out=$(as_user srun --container-image=/ -p nohost --container-network=host true 2>&1)
is "--container-network=host where the policy does not allow it fails" "$?" 1
like "... srun names the policy key" "$out" "srun: error: jobcell: network=host is refused: network_allowed"
is "... before the step launches" "$(launches)" "$n"
unlike "... the runner never ran" "$out" "jobcell-stub"

out=$(as_user srun -p debug --container-network=host true 2>&1)
is "container options without an image are refused" "$?" 1
like "... saying what to add" "$out" "jobcell: container options without an image: add --container-image=IMAGE"
is "... before the step launches" "$(launches)" "$n"

out=$(as_user srun -p strict true 2>&1)
is "require_sandbox: a plain srun is refused" "$?" 1
like "... naming require_sandbox" "$out" "[partition strict] require_sandbox = true"
is "... before the step launches" "$(launches)" "$n"
out=$(as_user srun -p strict --container-image=/ true 2>&1)
is "require_sandbox: a sandboxed srun runs" "$?" 0

out=$(as_user srun --container-image=/ --container-network=bridge true 2>&1)
fails "a bad option value fails srun" test $? = 0
like "... naming the option" "$out" "jobcell: --container-network=bridge: \`bridge' is not one of: none, host"
out=$(as_user sbatch --container-image=/ --container-pids-limit=lots --wrap true 2>&1)
fails "a bad option value fails sbatch at submission" test $? = 0
like "... naming the option" "$out" "--container-pids-limit=lots"

# --- --container-user -------------------------------------------------------
out=$(as_user srun --container-image=/ -p debug --container-user="$JC_TEST_USER" true 2>&1)
like "--container-user=own name: the job's own identity" "$(stub_lines "$out" spec)" '"identity":"user"'
out=$(as_user srun --container-image=/ -p debug --container-user="$JC_TEST_UID" true 2>&1)
like "--container-user=own uid: the same" "$(stub_lines "$out" spec)" '"identity":"user"'
out=$(as_user srun --container-image=/ -p debug --container-user=0 true 2>&1)
like "--container-user=0 where fakeroot is allowed: fakeroot" "$(stub_lines "$out" spec)" \
        '"identity":"fakeroot"'
out=$(as_user srun --container-image=/ -p nohost --container-user=root true 2>&1)
like "--container-user=root where only service-root is allowed: service-root" \
        "$(stub_lines "$out" spec)" '"identity":"service-root"'
out=$(as_user srun --container-image=/ -p strict --container-user=root true 2>&1)
like "--container-user=root where neither is allowed: refused by identity_allowed" "$out" \
        "identity_allowed"
out=$(as_user srun --container-image=/ -p debug --container-user="$JC_TEST_USER2" true 2>&1)
like "--container-user=another user is refused" "$out" \
        "--container-user=$JC_TEST_USER2: only your own user"
out=$(as_user srun --container-image=/ -p debug --container-user=0 --container-remap-root true 2>&1)
like "--container-user with --container-remap-root is refused" "$out" "give one of them"

# --- the node decides: its policy, the partition from slurmctld ----------------
# An attacker's srun (tests/slurm/forge_partition.c) says the job runs in
# partition debug, in its own environment and in the step's.
forged() { as_user env LD_PRELOAD="$JC_CLUSTER_DIR/lib/forge_partition.so" FORGE_PARTITION=debug "$@"; }
out=$(forged srun -p nohost --container-image=/ sh -c 'echo "step sees $SLURM_JOB_PARTITION"' 2>&1)
like "a forged srun sets the step's SLURM_JOB_PARTITION to debug" "$out" "step sees debug"
is "... the runner still gets only PATH (no LD_PRELOAD)" "$(stub_lines "$out" environ)" \
        "jobcell-stub: environ: PATH=/usr/sbin:/usr/bin:/sbin:/bin "
like "... the node applies the partition slurmctld knows" "$(stub_lines "$out" spec)" \
        '"partition":"nohost"'
out=$(forged srun -p nohost --container-image=/ --container-network=host sh -c 'echo job-ran' 2>&1)
is "... so host network, allowed on debug, is refused on nohost (exit 125)" "$?" 125
like "... by the node, saying why" "$out" "jobcell: refused: network=host is refused: network_allowed"
unlike "... and the job never ran" "$out" "job-ran"

# A policy only root can read: srun skips the early check, the node decides.
chmod 600 "$policy"
out=$(as_user srun --container-image=/ -p nohost --export=ALL,SLURM_JOB_PARTITION=debug --container-network=host \
        sh -c 'echo job-ran' 2>&1)
is "node: --container-network=host is refused (exit 125)" "$?" 125
like "... the task says why on its stderr" "$out" "jobcell: refused: network=host is refused: network_allowed"
unlike "... the job never ran" "$out" "job-ran"
unlike "... nor the runner" "$out" "jobcell-stub"
like "... the partition came from slurmctld, not the job's SLURM_JOB_PARTITION" \
        "$(grep 'jobcell: job=.* task=0 ' "$JC_SLURMD_LOG" | tail -n 1)" "partition=nohost"

out=$(as_user srun -p strict sh -c 'echo job-ran' 2>&1)
is "node: require_sandbox refuses a plain step (exit 125)" "$?" 125
like "... naming require_sandbox" "$out" "require_sandbox = true"
unlike "... the job never ran" "$out" "job-ran"

out=$(as_user env _SLURM_SPANK_OPTION_jobcell_container_network=host srun -p nohost \
        --container-image=/ sh -c 'echo job-ran' 2>&1)
like "node: an option smuggled past srun in the environment is still checked" "$out" \
        "jobcell: refused: network=host is refused"
out=$(as_user env _SLURM_SPANK_OPTION_jobcell_container_network=bridge srun -p debug \
        --container-image=/ sh -c 'echo job-ran' 2>&1)
like "node: a bad option value Slurm only logs is kept and refuses the step" "$out" \
        "jobcell: refused: --container-network=bridge"

rm -f "$JC_WORK/nested.ran"
batch_user -o nested.out -p strict --container=/ \
        --wrap 'unset SLURM_CONTAINER; srun touch nested.ran' >/dev/null 2>&1
like "node: a nested srun that dropped SLURM_CONTAINER is refused" "$(cat "$JC_WORK/nested.out")" \
        "jobcell: refused: a step without the sandbox is refused on partition \`strict'"
ok "... and did not run" test ! -e "$JC_WORK/nested.ran"

batch_user --container-image=/ -o refused.out -p nohost --container-network=host --wrap 'echo job-ran' >/dev/null 2>&1
is "sbatch: a refused batch job fails with 125" "$?" 125
like "... the reason is in the job's output" "$(cat "$JC_WORK/refused.out")" \
        "jobcell: refused: network=host is refused"
unlike "... the script never ran" "$(cat "$JC_WORK/refused.out")" "job-ran"
chmod 644 "$policy"

out=$(batch_user -o batch.out -p debug --container-image=/ --wrap 'echo batch ran' 2>&1)
is "sbatch --container-image: the batch step runs" "$?" 0
like "... through the runner, cell JOB.batch.RANDOM" "$(cat "$JC_WORK/batch.out")" ".batch."
like "... the batch script bound into the sandbox as the admin's, read-only" \
        "$(cat "$JC_WORK/batch.out")" '\/slurm_script","rw":false,"policy":true}'
out=$(as_user srun --mpi=pmi2 --container-image=/ true 2>&1)
like "srun --mpi=pmi2: PMI_FD is kept open in the job (--keep-fd)" "$(stub_lines "$out" argv)" \
        " --keep-fd="
out=$(as_user srun --mpi=none --export=ALL,PMI_FD=0 --container-image=/ true 2>&1)
unlike "... a PMI_FD the user set that is not Slurm's socket is not" "$(stub_lines "$out" argv)" \
        "--keep-fd"
out=$(as_user srun --mpi=pmix --container-image=/ true 2>&1)
like "srun --mpi=pmix: Slurm's PMIx directory is bound as the admin's, read-write" \
        "$(stub_lines "$out" spec)" '\/pmix.'
out=$(as_user srun --mpi=none --export=ALL,PMIX_SERVER_TMPDIR=/etc --container-image=/ true 2>&1)
unlike "... a PMIX_SERVER_TMPDIR the user set is not" "$(stub_lines "$out" spec)" '"src":"\/etc"' 
# The relay's ports (runner/relay.h): the PMIx server's, as its URI says,
# only with network none, never what the user claims.
out=$(as_user srun --mpi=pmix --container-image=/ sh -c 'echo "uri ${PMIX_SERVER_URI41##*:}"' 2>&1)
port=$(printf '%s\n' "$out" | sed -n 's/^uri //p')
like "srun --mpi=pmix, network none: the PMIx server's port is handed over for the relay" \
        "$(stub_lines "$out" spec)" "\"relay_tcp\":[\"127.0.0.1:$port\"]"
out=$(as_user srun --mpi=pmix -p debug --container-network=host --container-image=/ true 2>&1)
like "... not with the host's network" "$(stub_lines "$out" spec)" '"relay_tcp":[]'
python3 -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
print(s.getsockname()[1], flush=True); time.sleep(300)' >"$JC_WORK/listener.port" &
listener=$!
for _ in $(seq 50); do [ -s "$JC_WORK/listener.port" ] && break; sleep 0.1; done
lport=$(cat "$JC_WORK/listener.port")
forged="PMIX_SERVER_URI41=x.0;tcp4://127.0.0.1:$lport,PMIX_SERVER_URI4=x.0;tcp4://127.0.0.1:22"
out=$(as_user srun --mpi=none --export=ALL,$forged --container-image=/ true 2>&1)
like "srun --mpi=none with PMIX_SERVER_URI* forged to host listeners: no relay" \
        "$(stub_lines "$out" spec)" '"relay_tcp":[]'
out=$(as_user srun --mpi=pmix --export=ALL,$forged --container-image=/ true 2>&1)
like "srun --mpi=pmix with them: only the PMIx server's port" "$(stub_lines "$out" spec)" \
        '"relay_tcp":["127.0.0.1:'
unlike "... not the forged listener's" "$(stub_lines "$out" spec)" "127.0.0.1:$lport\""
kill "$listener"
wait "$listener" 2>/dev/null
like "... and the script ran" "$(cat "$JC_WORK/batch.out")" "batch ran"

# --- one line per task in slurmd's log ----------------------------------------
out=$(as_user srun -n2 --container-image=/ true 2>&1)
job=$(printf '%s\n' "$out" | sed -n 's/.*--cell=\([0-9]*\)\.0\..*/\1/p' | head -n 1)
log=$(grep "jobcell: job=$job step=0 task=" "$JC_SLURMD_LOG")
is "slurmd's log has one line per task" "$(printf '%s\n' "$log" | wc -l)" 2
like "... with job, step, task, image, partition, policy section and outcome" "$log" \
        "jobcell: job=$job step=0 task=1 image=/ partition=debug policy=[partition debug] ($policy) sandbox exit=0"

# --- plugstack.conf ------------------------------------------------------------
# srun and each step read plugstack.conf again: no restart needed.
conf=${SLURM_CONF%/*}/plugstack.conf
cp "$conf" "$conf.good"
sed -i 's|$| bogus=1|' "$conf"
out=$(as_user srun true 2>&1)
fails "an unknown plugstack.conf argument refuses to load the plugin" test $? = 0
like "... with one line naming it" "$out" "jobcell: plugstack.conf: unknown argument \`bogus=1'"
cp "$conf.good" "$conf"

chown "$JC_TEST_USER" "$stub"
out=$(as_user srun --container-image=/ sh -c 'echo job-ran' 2>&1)
is "a runner the user owns is refused (exit 125)" "$?" 125
like "... saying why" "$out" "jobcell: refused: plugstack.conf: runner=$stub cannot be trusted: \`$stub' is owned by uid $JC_TEST_UID, not root"
unlike "... nothing ran" "$out" "job-ran"
like "... and slurmd's log says it too" "$(cat "$JC_SLURMD_LOG")" "runner=$stub cannot be trusted"
chown root "$stub"

# slurmd checks the arguments when it starts: a typo keeps it from starting.
jc_cluster_stop
out=$(JC_PLUGSTACK="$JC_PLUGSTACK bogus=1" bash -c '. "$top_srcdir/tests/lib.sh"
        . "$top_srcdir/tests/slurm/cluster.sh"; '"$(declare -f jc_cluster_setup)"'
        plugin=$1 forge=$2 jc_cluster_start' - "$plugin" "$forge" 2>&1)
like "slurmd does not start with an unknown plugstack.conf argument" "$out" \
        "Bail out! slurmd exited: slurmd: error: jobcell: plugstack.conf: unknown argument \`bogus=1'"

done_testing
