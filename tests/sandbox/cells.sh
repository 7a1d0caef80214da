#!/bin/sh
# Cells: runners that name the same cell share one sandbox (as the tasks
# of one Slurm step on one node will); each member keeps its own
# privilege drop; the cell lives until its last member leaves.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sandbox/lib.sh"

cell=t$$
# The shell text that prints the namespaces of whoever runs it.
ns() { echo 'for n in pid mnt net ipc uts; do readlink /proc/self/ns/$n; done | tr "\n" " "'; }

jc --cell $cell -- /bin/sh -c "echo from-a > /dev/shm/a; $(ns) > /tmp/ns; sleep 3; cat /tmp/b-was-here; : $TESTTMP" > "$TESTTMP/a.out" 2>&1 &
a=$!
wait_for jc --cell $cell -- /bin/test -e /tmp/ns
out=$(jc --cell $cell -- /bin/sh -c "cat /dev/shm/a; $(ns) > /tmp/nsb; cmp -s /tmp/ns /tmp/nsb && echo same-namespaces; ps -o comm | grep -c sleep; touch /tmp/b-was-here")
is "a joiner shares /dev/shm, the namespaces and the processes of the cell" "$out" "from-a
same-namespaces
1"
out=$(jc --cell $cell -- /bin/sh -c 'grep -E "^(CapEff|NoNewPrivs)" /proc/self/status | tr -s "\t" " "')
is "each joiner drops its own privileges" "$out" "CapEff: 0000000000000000
NoNewPrivs: 1"
wait $a; rc=$?
is "the first member outlives joiners that finished early" "$rc" 0
is "...and saw what they left in the cell's /tmp" "$(cat "$TESTTMP/a.out")" ""
wait_for test "$(leftovers)" = none
is "the cell ends with its last member" "$(leftovers)" "none"

# The creator leaves first: the others go on.
jc --cell $cell -- /bin/sh -c "sleep 0.5; : $TESTTMP" &
a=$!
wait_for cell_up $cell
out=$(jc --cell $cell -- /bin/sh -c 'sleep 1.5; echo survived')
wait $a
is "a joiner outlives the member that created the cell" "$out" "survived"

# Different cells never share: no namespace of one is the other's (both
# alive, so no inode number is reused).
jc --cell x$$ -- /bin/sh -c "$(ns); sleep 2; : $TESTTMP" > "$TESTTMP/x.ns" &
a=$!
wait_for test -s "$TESTTMP/x.ns"
out=$(jc --cell y$$ -- /bin/sh -c "$(ns)")
wait $a
is "two cells share no namespace" "$(printf '%s\n' $(cat "$TESTTMP/x.ns") $out | sort | uniq -d)" ""
is "...(each cell listed five)" "$(printf '%s\n' $(cat "$TESTTMP/x.ns") $out | wc -l)" 10
# (Namespace inode numbers are reused once freed: compare live ones.)
jc -- /bin/sh -c "readlink /proc/self/ns/pid; sleep 1; : $TESTTMP" > "$TESTTMP/p1" &
a=$!
out2=$(jc -- /bin/sh -c "readlink /proc/self/ns/pid")
wait $a
ok "two runs without --cell never share" [ "$(cat "$TESTTMP/p1")" != "$out2" ]

# Many members starting at once end in one cell.
for i in 1 2 3 4 5 6 7 8; do
        jc --cell many$$ -- /bin/sh -c "readlink /proc/self/ns/pid; sleep 1; : $TESTTMP" > "$TESTTMP/many.$i" &
done
wait
is "eight runners starting together share one cell" "$(cat "$TESTTMP"/many.* | sort -u | wc -l)" "1"

# A joiner must resolve to the same spec.
jc --cell spec$$ -- /bin/sh -c "sleep 2; : $TESTTMP" &
a=$!
wait_for cell_up spec$$
out=$(jc --cell spec$$ --pids-limit=100 -- /bin/true 2>&1); rc=$?
wait $a
is "a joiner with another spec is refused (125)" "$rc" 125
like "...saying why" "$out" "cell \`spec$$' was built from another spec"
out=$(jc --cell 'bad/name' -- /bin/true 2>&1); rc=$?
is "a bad cell name is refused (125)" "$rc" 125
is "...in one line naming --cell" "$out" "jobcell run: --cell: cell name \`bad/name': use letters, digits, . _ -"

is "nothing is left behind" "$(leftovers)" "none"
done_testing
