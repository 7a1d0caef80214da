#!/bin/sh
# Nothing is left behind: after a normal exit, a failed setup, or kill -9
# of the runner (or of the keeper) at each phase, no process of the
# sandbox remains (and so none of its mounts or namespaces).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sandbox/lib.sh"

stopped() { [ "$(awk '{print $3}' /proc/$1/stat 2>/dev/null)" = T ]; }
gone() { test "$(leftovers)" = none; }

for phase in prepare cell cgroup start run; do
        JOBCELL_TEST_STOP=$phase "$JOBCELL" run --user "$JC_TEST_USER" --image "$ROOTFS" -- /bin/sh -c "sleep 60; : $TESTTMP" 2>/dev/null &
        runner=$!
        if wait_for stopped $runner; then
                [ $phase = run ] && wait_for pgrep -u "$JC_TEST_USER" -f "$TESTTMP"
                kill -9 $runner
                wait $runner 2>/dev/null
                wait_for gone
                is "kill -9 of the runner before phase '$phase': nothing left" "$(leftovers)" "none"
        else
                ok "the runner stops before phase '$phase'" false
        fi
done

"$JOBCELL" run --user "$JC_TEST_USER" --image "$ROOTFS" -- /bin/sh -c "sleep 60; : $TESTTMP" &
runner=$!
wait_for pgrep -u "$JC_TEST_USER" -f "$TESTTMP"
for p in $(pgrep -x jobcell-keeper); do
        grep -q "$TESTTMP" /proc/$p/cmdline && kill -9 $p
done
wait $runner; rc=$?
is "kill -9 of the keeper: the job dies with the cell (137)" "$rc" 137
wait_for gone
is "kill -9 of the keeper: nothing left" "$(leftovers)" "none"

"$JOBCELL" run --user "$JC_TEST_USER" --image "$ROOTFS" -- /bin/sh -c "sleep 60; : $TESTTMP" &
runner=$!
wait_for pgrep -u "$JC_TEST_USER" -f "$TESTTMP"
pkill -9 -u "$JC_TEST_USER" -f "$TESTTMP"
wait $runner; rc=$?
is "kill -9 of the job: 137, and the runner returns" "$rc" 137
wait_for gone
is "kill -9 of the job: nothing left" "$(leftovers)" "none"

# In a cell with two members, kill -9 of one runner kills its own job
# (parent-death signal) and leaves the other member running.
jc_bg --cell k$$ -- /bin/sh -c "sleep 60; : $TESTTMP A"
a=$!
wait_for pgrep -u "$JC_TEST_USER" -f "$TESTTMP A"
jc_bg --cell k$$ -- /bin/sh -c "sleep 60; : $TESTTMP B"
b=$!
wait_for pgrep -u "$JC_TEST_USER" -f "$TESTTMP B"
kill -9 $b
wait $b 2>/dev/null
wait_for sh -c "! pgrep -u $JC_TEST_USER -f '$TESTTMP B'"
is "kill -9 of one member's runner: its job dies" "$(pgrep -u "$JC_TEST_USER" -f "$TESTTMP B" | wc -l)" "0"
is "...and the other member's job runs on" "$(pgrep -u "$JC_TEST_USER" -f "$TESTTMP A" | wc -l)" "1"
kill -TERM $a; wait $a
wait_for gone
is "...until it ends: then nothing is left" "$(leftovers)" "none"

# Failures at setup steps leave nothing either.
jc --workdir=/nonexistent -- /bin/true 2>/dev/null
jc --mounts=/etc:/x -- /bin/true 2>/dev/null
printf '[defaults]\nmounts = /nonexistent-src:/x\n' > "$TESTTMP/bad-mount.ini"
jc --policy "$TESTTMP/bad-mount.ini" -- /bin/true 2>/dev/null; rc=$?
is "a policy mount that cannot be opened: 125" "$rc" 125
mkdir -p "$TESTTMP/ro-root/etc"
printf '[defaults]\nmounts = %s:/proc/x\n' "$TESTTMP" > "$TESTTMP/bad-target.ini"
jc --policy "$TESTTMP/bad-target.ini" -- /bin/true 2>/dev/null; rc=$?
is "a mount the init cannot make: 125" "$rc" 125
wait_for gone
is "failed setups leave nothing" "$(leftovers)" "none"
done_testing
