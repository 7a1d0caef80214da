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
