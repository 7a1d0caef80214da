#!/bin/sh
# Real programs run in the sandbox, under its seccomp filter: threads,
# Python, OpenMP.  The host's root serves as the image for the ones that
# need more than busybox.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sandbox/lib.sh"

pol=$(policy w <<EOP
[defaults]
mounts = $TESTTMP:/opt/t
EOP
)
host() { "$JOBCELL" run --user "$JC_TEST_USER" --image / --policy "$pol" "$@"; }

is "a multi-threaded program (64 threads)" "$(jc -- /usr/bin/jcprobe threads 64)" "threads=64"
out=$(host -- python3 -c 'import threading, json, hashlib, subprocess, os
r = []
t = [threading.Thread(target=lambda: r.append(hashlib.sha256(b"x" * 100000).hexdigest())) for _ in range(8)]
[x.start() for x in t]; [x.join() for x in t]
print(len(set(r)), json.dumps({"pid": os.getpid()}), subprocess.run(["true"]).returncode)' 2>&1)
is "python3 with threads, json, hashlib and a subprocess" "$out" '1 {"pid": 2} 0'
cat > "$TESTTMP/omp.c" <<'C'
#include <omp.h>
#include <stdio.h>
int main(void)
{
        long sum = 0;
#pragma omp parallel for reduction(+:sum) num_threads(8)
        for (long i = 0; i < 10000000; i++)
                sum += i % 7;
        printf("%d %ld\n", omp_get_max_threads() > 0, sum);
        return 0;
}
C
if gcc -fopenmp -O2 -o "$TESTTMP/omp" "$TESTTMP/omp.c" 2>"$TESTTMP/cc.err"; then
        chmod 755 "$TESTTMP/omp"
        is "an OpenMP program (8 threads)" "$(host -- /opt/t/omp)" "1 29999994"
else
        bail_out "cannot build the OpenMP test program: $(cat "$TESTTMP/cc.err")"
fi
is "nothing is left behind" "$(leftovers)" "none"
done_testing
