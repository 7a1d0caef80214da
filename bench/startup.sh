#!/bin/bash
# Start-up cost of the sandbox against bare exec and the peers, in one run
# (ratios, so the machine's speed and load cancel out as far as they can).
#
#   bench/startup.sh [RUNS]     (root; make bench runs it)
#
# Prints a Markdown table for doc/performance.md: hyperfine's mean and the
# ratio to bare /bin/true for bare exec, unshare with the same namespaces,
# bubblewrap with the closest equal isolation, and jobcell run; then
# jobcell's per-phase times from its status record, and the supervisor's
# memory while the job runs.
set -euo pipefail
runs=${1:-200}
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
jobcell=$top_builddir/jobcell
[ "$(id -u)" = 0 ] || { echo "bench/startup.sh: run as root (the sandbox's privileged mode)" >&2; exit 1; }
for tool in hyperfine bwrap unshare busybox python3; do
        command -v $tool >/dev/null || { echo "bench/startup.sh: $tool is missing (install-deps.sh)" >&2; exit 1; }
done
user=${JC_BENCH_USER:-jctest}
id "$user" >/dev/null 2>&1 || useradd -M -s /bin/sh "$user"

work=$(mktemp -d /tmp/jobcell-bench.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
img=$work/rootfs
mkdir -p "$img"/{bin,etc,proc,sys,dev,tmp}
cp "$(readlink -f "$(command -v busybox)")" "$img/bin/busybox"
for a in true sh sleep; do ln -s busybox "$img/bin/$a"; done
echo 'root:x:0:0::/:/bin/sh' > "$img/etc/passwd"
echo 'root:x:0:' > "$img/etc/group"
chmod -R a+rX "$img"

uid=$(id -u "$user")
gid=$(id -g "$user")
hyperfine -N -w 20 -r "$runs" --export-json "$work/h.json" \
        -n bare "$img/bin/true" \
        -n unshare "unshare -U -p -f -m -i -u -n -C --map-user=$uid --map-group=$gid $img/bin/true" \
        -n bwrap "bwrap --unshare-all --uid $uid --gid $gid --ro-bind $img / --proc /proc --dev /dev --tmpfs /tmp --cap-drop ALL /bin/true" \
        -n jobcell "$jobcell run --user $user --image $img -- /bin/true" >/dev/null

echo "| command | mean (ms) | ± (ms) | ratio to bare |"
echo "| --- | --- | --- | --- |"
python3 - "$work/h.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
bare = r["bare"]["mean"]
for name in ("bare", "unshare", "bwrap", "jobcell"):
    x = r[name]
    print("| %s | %.2f | %.2f | %.1f |" % (name, x["mean"] * 1000, x["stddev"] * 1000, x["mean"] / bare))
print()
print("jobcell / bwrap: %.2f, jobcell / unshare: %.2f" % (r["jobcell"]["mean"] / r["bwrap"]["mean"],
                                                        r["jobcell"]["mean"] / r["unshare"]["mean"]))
PY

# Per-phase times, from the status record, over 50 runs.
for i in $(seq 50); do
        "$jobcell" run --user "$user" --image "$img" --status-file "$work/st.$i.json" -- /bin/true
done
echo
echo "| phase | mean (ms) |"
echo "| --- | --- |"
python3 - "$work" <<'PY'
import glob, json, sys
runs = [json.load(open(f))["phases_ms"] for f in glob.glob(sys.argv[1] + "/st.*.json")]
for p in ("resolve", "prepare", "cell", "cgroup", "start", "run", "total"):
    print("| %s | %.2f |" % (p, sum(r[p] for r in runs) / len(runs)))
PY

# The supervisor (and keeper, init) while the job runs: private memory.
"$jobcell" run --user "$user" --image "$img" -- /bin/sleep 3 &
runner=$!
sleep 1.5
echo
echo "| process | RSS (KiB) | private, USS (KiB) |"
echo "| --- | --- | --- |"
for p in $runner $(pgrep -P $runner) $(pgrep -x jobcell-keeper) $(pgrep -x jobcell-init); do
        [ -r /proc/$p/smaps_rollup ] || continue
        awk -v name="$(cat /proc/$p/comm)" '/^Rss:/ {rss=$2} /^Private_(Clean|Dirty):/ {uss+=$2}
                END {printf "| %s | %d | %d |\n", name, rss, uss}' /proc/$p/smaps_rollup
done | sort -u
wait $runner
