#!/bin/bash
# Image import benchmark (doc/performance.md, "Images"): not a test, a
# measurement.  Builds an OCI image of about 200 MB from files of this
# machine (two gzip layers: /usr/lib/python3.* and /usr/share/doc, perl,
# i18n, zoneinfo), then times, each the median of RUNS runs (the removal
# of the previous run's result is not timed):
#   - jobcell image import into an empty cache (verify + unpack + sync)
#   - gzip -d | tar -x of the same layers (no verification, no sync)
#   - the same tar -x plus sha256sum of each blob and a sync
#   - a cache hit (jobcell image import again)
#   - 16 concurrent first imports of the image into an empty cache
# then (as root, with hyperfine) the start time of `jobcell run ... /bin/true'
# from the cache against a directory image of the same tree (a busybox
# layer under the two above): the directory, the OCI layout and its tar
# (cache hits), a squashfs by squashfuse and by the kernel; START_RUNS runs
# each (default 30), the job as JC_BENCH_USER (default jctest); then the
# median of the status record's phases over as many runs of each (the
# "cell" phase is where the image is opened and mounted).
# Usage: bench/image.sh [RUNS]   (JOBCELL=path to the jobcell binary)
set -euo pipefail
RUNS=${1:-3}
JOBCELL=${JOBCELL:-$(cd "$(dirname "$0")/.." && pwd)/jobcell}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/image/mkimage.sh"
T=$(mktemp -d "${TMPDIR:-/var/tmp}/jobcell-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"

mkdir -p l1 l2
cp -a /usr/lib/python3.[0-9]* l1/ 2>/dev/null || true
for d in doc perl i18n zoneinfo; do [ -d /usr/share/$d ] && cp -a /usr/share/$d l2/ 2>/dev/null || true; done
mk_layer l1 L1.tgz gz
mk_layer l2 L2.tgz gz
raw=$(du -sb l1 l2 | awk '{s += $1} END {print s}')
files=$(find l1 l2 | wc -l)
rm -rf l1 l2
mk_oci img L1.tgz L2.tgz > /dev/null
blobs=$(du -sb img | cut -f1)

now() { date +%s.%N; }
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
run() { # run PREP CMD: seconds of one run of CMD, after PREP
        local t0 t1
        $1; sync; t0=$(now); $2 > /dev/null; t1=$(now)
        awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}' 
}
fresh() { rm -rf "$T/cache" "$T/x"; }
keep() { :; }
import() { "$JOBCELL" image --cache "$T/cache" import img; }
untar() { mkdir x; for l in L1.tgz L2.tgz; do gzip -dc "$l" | tar -C x -xf -; done; }
untar_sha() { mkdir x; for l in L1.tgz L2.tgz; do sha256sum "$l"; gzip -dc "$l" | tar -C x -xf -; done; sync; }
hit() { "$JOBCELL" image --cache "$T/cache" import img; }
conc() {
        for i in $(seq 16); do "$JOBCELL" image --cache "$T/cache" import img > "$T/c.$i" & done
        wait
}

t() { local i; for i in $(seq "$RUNS"); do run "$1" "$2"; done | median; }
t_import=$(t fresh import)
t_untar=$(t fresh untar)
t_untar_sha=$(t fresh untar_sha)
fresh; import > /dev/null
t_hit=$(t keep hit)
t_conc=$(t fresh conc)
unpacks=$(grep -h '^imported' "$T"/c.* | wc -l)

printf 'image: %d MB unpacked, %d files, %d MB of gzip blobs (2 layers)\n' \
        $((raw / 1000000)) "$files" $((blobs / 1000000))
printf '%-44s %8.2f s\n' "jobcell image import (empty cache)" "$t_import"
printf '%-44s %8.2f s  (ratio %.2f)\n' "gzip -d | tar -x of the layers" "$t_untar" \
        "$(awk -v a="$t_import" -v b="$t_untar" 'BEGIN {print a / b}')"
printf '%-44s %8.2f s  (ratio %.2f)\n' "tar -x + sha256sum + sync" "$t_untar_sha" \
        "$(awk -v a="$t_import" -v b="$t_untar_sha" 'BEGIN {print a / b}')"
printf '%-44s %8.3f s\n' "jobcell image import (cache hit)" "$t_hit"
printf '%-44s %8.2f s  (%d unpack)\n' "16 concurrent first imports" "$t_conc" "$unpacks"

# --- start time from the cache against a directory image ------------------
if [ "$(id -u)" != 0 ] || ! command -v hyperfine > /dev/null || ! command -v mksquashfs > /dev/null; then
        echo "(start times: need root, hyperfine and mksquashfs)"
        exit 0
fi
START_RUNS=${START_RUNS:-30}
user=${JC_BENCH_USER:-jctest}
id "$user" > /dev/null 2>&1 || useradd -M -s /bin/sh "$user"
chmod 755 "$T"
mkdir -p bb/bin bb/etc bb/proc bb/sys bb/dev bb/tmp bb/work # the config says WorkingDir /work
cp "$(readlink -f "$(command -v busybox)")" bb/bin/busybox
for a in true sh; do ln -s busybox "bb/bin/$a"; done
echo 'root:x:0:0::/:/bin/sh' > bb/etc/passwd
echo 'root:x:0:' > bb/etc/group
mk_layer bb BB.tar
mk_oci start BB.tar L1.tgz L2.tgz > /dev/null
mk_tar start start.tar
printf '[defaults]\nimage_cache_dir = %s/scache\n' "$T" > p.ini
printf '[defaults]\nimage_cache_dir = %s/scache\nsquashfs_mount = kernel\n' "$T" > k.ini
"$JOBCELL" image --policy p.ini import start > /dev/null
# The directory image: the very tree the cache holds, where the user can
# read it (the cache is root's alone).
cp -a "$T"/scache/images/*/rootfs dirimg
mksquashfs dirimg start.sqsh -quiet -noappend -all-root > /dev/null
chmod -R a+rX dirimg start start.tar start.sqsh p.ini k.ini
tree=$(du -sb dirimg | cut -f1)
r="$JOBCELL run --user $user"
hyperfine -N -w 3 -r "$START_RUNS" --export-json start.json \
        -n dir "$r --policy $T/p.ini --image $T/dirimg -- /bin/true" \
        -n oci "$r --policy $T/p.ini --image $T/start -- /bin/true" \
        -n oci.tar "$r --policy $T/p.ini --image $T/start.tar -- /bin/true" \
        -n squashfuse "$r --policy $T/p.ini --image $T/start.sqsh -- /bin/true" \
        -n kernel "$r --policy $T/k.ini --image $T/start.sqsh -- /bin/true" > /dev/null
printf '\nstart time from the cache: %d MB tree, %s runs each (hyperfine)\n' $((tree / 1000000)) "$START_RUNS"
python3 - start.json <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
d = r["dir"]["mean"]
for n in ("dir", "oci", "oci.tar", "squashfuse", "kernel"):
    print("%-44s %8.1f ms  (± %.1f, ratio to dir %.2f)" % ("jobcell run, " + n, r[n]["mean"] * 1000, r[n]["stddev"] * 1000, r[n]["mean"] / d))
PY
for n in dir oci oci.tar squashfuse kernel; do
        case $n in
        dir) a="--policy $T/p.ini --image $T/dirimg" ;;
        oci) a="--policy $T/p.ini --image $T/start" ;;
        oci.tar) a="--policy $T/p.ini --image $T/start.tar" ;;
        squashfuse) a="--policy $T/p.ini --image $T/start.sqsh" ;;
        kernel) a="--policy $T/k.ini --image $T/start.sqsh" ;;
        esac
        for i in $(seq "$START_RUNS"); do
                # shellcheck disable=SC2086
                $r $a --status-file "$T/st.$n.$i.json" -- /bin/true
        done
done
python3 - "$T" "$START_RUNS" <<'PY'
import json, statistics, sys
t, n = sys.argv[1], int(sys.argv[2])
print("\nmedian phases (ms) from the status record, %d runs each" % n)
print("%-12s %8s %8s %8s %8s" % ("image", "prepare", "cell", "start", "total"))
for k in ("dir", "oci", "oci.tar", "squashfuse", "kernel"):
    ph = [json.load(open("%s/st.%s.%d.json" % (t, k, i)))["phases_ms"] for i in range(1, n + 1)]
    m = lambda f: statistics.median(p[f] for p in ph)
    print("%-12s %8.1f %8.1f %8.1f %8.1f" % (k, m("prepare"), m("cell"), m("start"), m("total")))
PY
