#!/bin/bash
# srun --container against plain srun on the same throw-away cluster
# (tests/slurm/cluster.sh), in one hyperfine run, as the test user:
#
#   bench/slurm.sh [RUNS]     (root; make bench-slurm runs it)
#
# Prints a Markdown table for doc/performance.md ("Slurm"): the mean of
# each command and its ratio to plain srun with the same task count, then
# where the sandboxed step's extra time goes inside the task (the runner's
# start-up, and its phases: --status-file is not taken under --slurm).
set -euo pipefail
runs=${1:-30}
export top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
export top_builddir=${top_builddir:-$top_srcdir}
for tool in hyperfine busybox python3; do
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

# Where the time goes inside one sandboxed task.  --status-file is not
# taken under --slurm, so: the hand-over played with setpriv as the plugin
# does it (tests/sandbox/handover.sh), against setpriv alone; two runners
# of one cell (the second joins); and the phases of `jobcell run --user`,
# the same code after the hand-over, from its status record.
spec=$out/spec.json
"$top_builddir/jobcell" policy explain --policy "$JC_CLUSTER_DIR/etc/policy.ini" --json \
        --image="$img" >"$spec"
printf 'PATH=/bin\0' >"$out/env"
caps=$(echo "cap_sys_admin,cap_setuid,cap_setgid,cap_dac_override,cap_dac_read_search,cap_fowner,cap_chown,cap_kill,cap_sys_chroot,cap_setpcap,cap_sys_ptrace" | sed 's/cap_//g; s/[^,]*/+&/g')
u=$JC_TEST_UID
cat >"$out/handover.sh" <<EOF2
#!/bin/sh
exec env -i setpriv --reuid=$u --regid=$u --init-groups --securebits=+no_setuid_fixup \\
        --inh-caps=$caps --ambient-caps=$caps $top_builddir/jobcell run --slurm --spec-fd=3 --env-fd=4 \\
        "\$@" -- /bin/true 3<$spec 4<$out/env
EOF2
cat >"$out/two.sh" <<EOF2
#!/bin/sh
$out/handover.sh --cell=b.\$\$ & $out/handover.sh --cell=b.\$\$; wait
EOF2
chmod 755 "$out/handover.sh" "$out/two.sh"
hyperfine -N -w 5 -r "$runs" --export-json "$out/r.json" \
        -n "setpriv as the plugin, then true" "env -i setpriv --reuid=$u --regid=$u --init-groups $img/bin/true" \
        -n "the runner (--slurm), then true" "$out/handover.sh" \
        -n "two runners, one cell" "$out/two.sh" >/dev/null
echo
echo "| inside the task | mean (ms) | ± (ms) |"
echo "| --- | --- | --- |"
python3 - "$out/r.json" <<'PY'
import json, sys
for x in json.load(open(sys.argv[1]))["results"]:
    print(f"| {x['command']} | {x['mean']*1e3:.1f} | {x['stddev']*1e3:.1f} |")
PY
for i in $(seq 20); do
        "$top_builddir/jobcell" run --policy "$JC_CLUSTER_DIR/etc/policy.ini" --user "$JC_TEST_USER" \
                --image "$img" --status-file "$out/st.$i.json" -- /bin/true
done
echo
python3 - "$out" <<'PY'
import glob, json, statistics, sys
runs = [json.load(open(f))["phases_ms"] for f in glob.glob(sys.argv[1] + "/st.*.json")]
print("| runner phase (`jobcell run --status-file`, median of %d) | ms |" % len(runs))
print("| --- | --- |")
for k in ("resolve", "prepare", "cell", "start", "run", "total"):
    print(f"| {k} | {statistics.median(r[k] for r in runs):.1f} |")
PY
jc_cluster_stop >/dev/null
