#!/bin/sh
# A keeper that does not end its cell (stopped here; in life, one stuck in
# the kernel) does not hold the runner for ever, and is not silent: the
# runner returns the job's status after 30 s and says why in one line, so a
# slow end is seen, not just endured.  A file of its own: it waits the 30 s
# while the other test files run.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sandbox/lib.sh"

gone() { test "$(leftovers)" = none; }

"$JOBCELL" run --user "$JC_TEST_USER" --image "$ROOTFS" -- /bin/sh -c "sleep 1; exit 3; : $TESTTMP" \
        2> "$TESTTMP/err" &
runner=$!
wait_for pgrep -x jobcell-keeper -P $runner
keeper=$(pgrep -x jobcell-keeper -P $runner)
kill -STOP $keeper
wait $runner
is "a keeper that does not answer: the runner returns the job's status" "$?" 3
is "... and says so in one line" "$(cat "$TESTTMP/err")" \
        "jobcell run: the cell's keeper (pid $keeper) did not answer in 30 s; its cell may outlive this run: Connection timed out"
kill -CONT $keeper
wait_for gone
is "... once the keeper goes on, nothing is left" "$(leftovers)" "none"

done_testing
