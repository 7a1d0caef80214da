#!/bin/bash
# srun --container against plain srun on the same throw-away cluster
# (tests/slurm/cluster.sh), in one hyperfine run, as the test user:
#
#   bench/slurm.sh [RUNS]     (root; make bench-slurm runs it)
#
# Prints a Markdown table for doc/performance.md ("Slurm"): the mean of
# each command and its ratio to plain srun with the same task count, then
# where the sandboxed step's extra time goes (the runner's start-up, from
# the task's exec of the runner to the job's exec, measured with strace
# timestamps on one task: --status-file is not taken under --slurm).
set -euo pipefail
runs=${1:-30}
export top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
export top_builddir=${top_builddir:-$top_srcdir}
for tool in hyperfine busybox strace; do
        command -v $tool >/dev/null || { echo "bench/slurm.sh: $tool is missing (install-deps.sh)" >&2; exit 1; }
done
plugin=$top_builddir/.libs/jobcell_spank.so
[ -f "$plugin" ] || { echo "bench/slurm.sh: build the plugin first (make)" >&2; exit 1; }
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/slurm/cluster.sh"

JC_PLUGSTACK="required @DIR@/lib/jobcell_spank.so policy=@DIR@/etc/policy.ini runner=@DIR@/bin/jobcell"
jc_cluster_setup() {
        local img=$1/img
        mkdir -p "$1/lib" "$1/bin" "$img"/{bin,etc,proc,sys,dev,tmp}
        install -m 755 "$plugin" "$1/lib/jobcell_spank.so"
        install -m 755 "$top_builddir/jobcell" "$1/bin/jobcell"
        cp "$(readlink -f "$(command -v busybox)")" "$img/bin/busybox"
        for a in true sh; do ln -s busybox "$img/bin/$a"; done
        echo 'root:x:0:0::/:/bin/sh' >"$img/etc/passwd"
        echo 'root:x:0:' >"$img/etc/group"
        chmod -R a+rX "$img"
        printf '[defaults]\nimages_allowed = %s\n' "$img" | install -m 644 /dev/stdin "$1/etc/policy.ini"
}
jc_cluster_start >/dev/null
img=$JC_CLUSTER_DIR/img
out=$JC_CLUSTER_DIR/bench
mkdir -p "$out"
chmod 777 "$out"

as_user hyperfine -N -w 3 -r "$runs" --export-json "$out/h.json" \
        -n "srun -n1 true" "srun -n1 $img/bin/true" \
        -n "srun -n1 --container=IMG true" "srun -n1 --container=$img true" \
        -n "srun -n2 true" "srun -n2 $img/bin/true" \
        -n "srun -n2 --container=IMG true" "srun -n2 --container=$img true" >/dev/null

echo "| command | mean (ms) | ± (ms) | ratio to plain srun |"
echo "| --- | --- | --- | --- |"
python3 - "$out/h.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
for n in ("1", "2"):
    base = r[f"srun -n{n} true"]["mean"]
    for name in (f"srun -n{n} true", f"srun -n{n} --container=IMG true"):
        x = r[name]
        print(f"| `{name}` | {x['mean']*1e3:.1f} | {x['stddev']*1e3:.1f} | {x['mean']/base:.3f} |")
PY

# Where the time goes inside one sandboxed task: strace -f -ttt on the
# runner (jobcell --slurm is started by slurmstepd, so trace the test's
# own `jobcell run` from the same spec instead: the same phases, as root).
echo
echo "Runner start-up inside the task (from strace, one run):"
spec=$out/spec.json
"$top_builddir/jobcell" policy explain --json --image="$img" >"$spec"
printf 'PATH=/bin\0' >"$out/env"
caps=$(echo "cap_sys_admin,cap_setuid,cap_setgid,cap_dac_override,cap_dac_read_search,cap_fowner,cap_chown,cap_kill,cap_sys_chroot,cap_setpcap,cap_sys_ptrace" | sed 's/cap_//g; s/[^,]*/+&/g')
strace -f -ttt -e trace=execve,clone,clone3,exit_group -o "$out/trace" \
        env -i setpriv --reuid="$JC_TEST_UID" --regid="$(id -g "$JC_TEST_USER")" --init-groups \
        --securebits=+no_setuid_fixup --inh-caps="$caps" --ambient-caps="$caps" \
        "$top_builddir/jobcell" run --slurm --spec-fd=3 --env-fd=4 -- /bin/true 3<"$spec" 4<"$out/env"
python3 - "$out/trace" <<'PY'
import sys
lines = [l.split(None, 2) for l in open(sys.argv[1])]
t0 = next(float(t) for p, t, c in lines if "jobcell" in c and c.startswith("execve"))
job = next(float(t) for p, t, c in lines if 'execve("/bin/true"' in c)
end = max(float(t) for p, t, c in lines)
print(f"- exec of the runner to exec of the job: {(job - t0) * 1e3:.1f} ms")
print(f"- job start to the runner's exit: {(end - job) * 1e3:.1f} ms")
PY
jc_cluster_stop >/dev/null
