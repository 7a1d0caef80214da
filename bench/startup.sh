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
# bubblewrap at the isolation jobcell gives, as far as bwrap 0.8 can: a new
# session, death with the parent, /dev/shm, /dev/mqueue, a read-only /sys,
# Docker's masked and read-only /proc paths (one mount each, as ours), and
# jobcell's own compiled seccomp filter (taken from a filter cache of this
# run).  bwrap reads a filter from a descriptor, which needs a shell: the
# pair to compare is that line and jobcell's through the same shell.
JOBCELL_SECCOMP_CACHE=$work/seccomp "$jobcell" run --user "$user" --image "$img" -- /bin/true
python3 - "$work/seccomp" "$work/filter.bpf" <<'PY'
import os, sys
d = sys.argv[1]
(entry,) = os.listdir(d)
data = open(os.path.join(d, entry), "rb").read()
lines = data.split(b"\n")
# the key's lines, then "FLAGS LEN", then LEN struct sock_filter (8 bytes each)
i = next(k for k, l in enumerate(lines) if l.startswith(b"profile "))
n = int(lines[i + 1].split()[1])
open(sys.argv[2], "wb").write(data[-8 * n:])
PY
masks=""
for p in /proc/kcore /proc/keys /proc/timer_list /proc/interrupts /proc/latency_stats /proc/timer_stats \
        /proc/sched_debug; do
        [ -f "$p" ] && masks="$masks --ro-bind /dev/null $p"
done
for p in /proc/acpi /proc/asound /proc/scsi /sys/firmware /sys/devices/virtual/powercap; do
        [ -d "$p" ] && masks="$masks --tmpfs $p"
done
for p in /proc/bus /proc/fs /proc/irq /proc/sys /proc/sysrq-trigger; do
        [ -e "$p" ] && masks="$masks --ro-bind $p $p"
done
bwrap_equal="bwrap --unshare-all --uid $uid --gid $gid --new-session --die-with-parent --cap-drop ALL \
--ro-bind $img / --proc /proc --dev /dev --tmpfs /dev/shm --mqueue /dev/mqueue --tmpfs /tmp \
--ro-bind /sys /sys $masks --seccomp 9 /bin/true 9<$work/filter.bpf"
eval "$bwrap_equal" || { echo "bench/startup.sh: bwrap at equal isolation failed" >&2; exit 1; }

hyperfine -N -w 20 -r "$runs" --export-json "$work/h.json" \
        -n bare "$img/bin/true" \
        -n unshare "unshare -U -p -f -m -i -u -n -C --map-user=$uid --map-group=$gid $img/bin/true" \
        -n bwrap "bwrap --unshare-all --uid $uid --gid $gid --ro-bind $img / --proc /proc --dev /dev --tmpfs /tmp --cap-drop ALL /bin/true" \
        -n jobcell "$jobcell run --user $user --image $img -- /bin/true" \
        -n "sh: bwrap, equal isolation" "sh -c 'exec $bwrap_equal'" \
        -n "sh: jobcell" "sh -c 'exec $jobcell run --user $user --image $img -- /bin/true'" >/dev/null

echo "| command | mean (ms) | ± (ms) | ratio to bare |"
echo "| --- | --- | --- | --- |"
python3 - "$work/h.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
bare = r["bare"]["mean"]
for name in ("bare", "unshare", "bwrap", "jobcell", "sh: bwrap, equal isolation", "sh: jobcell"):
    x = r[name]
    print("| %s | %.2f | %.2f | %.1f |" % (name, x["mean"] * 1000, x["stddev"] * 1000, x["mean"] / bare))
print()
print("jobcell / bwrap: %.2f, jobcell / unshare: %.2f, jobcell / bwrap at equal isolation (both through sh): %.2f"
      % (r["jobcell"]["mean"] / r["bwrap"]["mean"], r["jobcell"]["mean"] / r["unshare"]["mean"],
         r["sh: jobcell"]["mean"] / r["sh: bwrap, equal isolation"]["mean"]))
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
for p in $runner $(pgrep -x jobcell-keeper) $(pgrep -x jobcell-init); do
        [ -r /proc/$p/smaps_rollup ] || continue
        awk -v name="$(cat /proc/$p/comm)" '/^Rss:/ {rss=$2} /^Private_(Clean|Dirty):/ {uss+=$2}
                END {printf "| %s | %d | %d |\n", name, rss, uss}' /proc/$p/smaps_rollup
done | sort -u
wait $runner
