#!/bin/sh
# Resource control, on this machine's cgroups for real (doc/resources.md):
# each runner's own cgroup set (the keeper and the init outside it), the
# pids limit against a fork bomb and threads, memory, swap and cpu limits
# that only tighten, the usage record, --stats-interval, and cleanup after
# every kind of end, `jobcell gc' included.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sandbox/lib.sh"

grep -q '^[0-9]*:pids:' /proc/self/cgroup ||
        skip_all "this file tests cgroup v1 (tests/cgroup/v2-vm.sh runs jobcell on cgroup v2)"

N=rs$$ # every set of this file is named $N-something
# The caller's own cgroup in hierarchy $1, and the path of a set below it.
own() { sed -n "s/^[0-9]*:\([^:]*,\)\{0,1\}$1\(,[^:]*\)\{0,1\}:\(.*\)/\3/p" /proc/self/cgroup; }
below() { local o; o=$(own "$1"); echo "${o%/}/$2"; }
gone() { [ -z "$(cgroup_dirs "$1")" ] && [ ! -e "$JOBCELL_STATE_DIR/$1" ]; }
# json FILE EXPR...: each EXPR (python, s = the record) on a line of its own.
json() { python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); [print(eval(e)) for e in sys.argv[2:]]' "$@"; }
skip() { _tap_result 0 "$1 # SKIP $2"; }
keeper_of() { pgrep -x jobcell-keeper -P "$1"; }

# --- Where the sets go ----------------------------------------------------
jc_bg --cgroup-name "$N-place" -- /bin/sh -c "cat /proc/self/cgroup; sleep 60; : $TESTTMP place" >"$TESTTMP/place.out"
runner=$!
# Once cat has written: the job's shell runs.  The oldest match is that
# shell, not a child it forked and has not exec'd yet (which has the same
# command line).
wait_for test -s "$TESTTMP/place.out"
job=$(pgrep -o -u "$JC_TEST_USER" -f "$TESTTMP place")
host=$(cat /proc/$job/cgroup)
like "host: the job's pids cgroup is the runner's set, pids:OWN/jobcell/NAME" "$host" "pids:$(below pids "jobcell/$N-place")"
like "host: its memory cgroup is the set below the caller's own" "$host" "memory:$(below memory "$N-place")"
like "host: its cpuacct cgroup too" "$host" "cpuacct:$(below cpuacct "$N-place")"
like "host: its freezer cgroup is the caller's (Slurm's proctrack keeps seeing it)" "$host" "freezer:$(own freezer)"
ok "host: the runner is in its set" grep -qx $runner /sys/fs/cgroup/pids/jobcell/$N-place/cgroup.procs
ok "host: ...and so is its job" grep -qx $job /sys/fs/cgroup/pids/jobcell/$N-place/cgroup.procs
keeper=$(keeper_of $runner)
init=$(pgrep -P "$keeper")
unlike "the keeper is not in the set" "$(cat /proc/$keeper/cgroup)" "$N-place"
unlike "nor is the init" "$(cat /proc/$init/cgroup)" "$N-place"
is "inside, the cgroup namespace shows / in every hierarchy" "$(grep -vc ':/$' "$TESTTMP/place.out")" "0"
is "the policy's pids limit is the set's pids.max" "$(cat /sys/fs/cgroup/pids/jobcell/$N-place/pids.max)" "8192"
ok "a record names the set for gc" test -f "$JOBCELL_STATE_DIR/$N-place"
kill -TERM $runner
wait $runner
ok "after the job: the set is gone (cgroups and record)" gone "$N-place"
is "the moment the last runner returns, nothing of its cell is left (keeper, init)" "$(leftovers)" "none"

# The default name: CELL.PID for a named cell, anon.PID without.
jc_bg -- /bin/sh -c "sleep 60; : $TESTTMP anon" >/dev/null
runner=$!
wait_for pgrep -u "$JC_TEST_USER" -f "$TESTTMP anon"
ok "the default name is anon.PID" test -d "/sys/fs/cgroup/pids/jobcell/anon.$runner"
kill -TERM $runner
wait $runner
ok "...gone after" gone "anon.$runner"

# --- pids limit: a fork bomb stops there -------------------------------------
# The bomb runs until the job gets SIGTERM, at most 60 s; it is bounded
# by RLIMIT_NPROC too, should the pids limit fail.
jc_bg --pids-limit 64 --cgroup-name "$N-bomb" --status-file "$TESTTMP/bomb.json" -- /usr/bin/jcprobe forkbomb 60 \
        >"$TESTTMP/bomb.out" 2>"$TESTTMP/bomb.err"
runner=$!
pids=/sys/fs/cgroup/pids/jobcell/$N-bomb
ok "fork bomb: it reaches the limit" wait_for sh -c "[ \$(cat $pids/pids.current) -ge 64 ]"
bombers=$(cat $pids/cgroup.procs)
is "fork bomb: ...and never passes it" "$(cat $pids/pids.current)" "64"
ok "fork bomb: a process on the host still forks meanwhile" sh -c 'for i in $(seq 10); do /bin/true || exit 1; done'
is "fork bomb: (the bomb was still at the limit)" "$(cat $pids/pids.current)" "64"
kill -TERM $runner # passed on to the job, which ends the bomb
wait $runner
rc=$?
is "fork bomb: the job's own exit status" "$rc" "0"
is "fork bomb: the job ended it" "$(cat "$TESTTMP/bomb.out")" "forkbomb=done"
like "fork bomb: one line says the job hit its pids limit" "$(cat "$TESTTMP/bomb.err")" "hit its pids limit (64 processes and threads)"
is "fork bomb: ...only that line" "$(wc -l <"$TESTTMP/bomb.err")" "1"
is "fork bomb: the record says so" "$(json "$TESTTMP/bomb.json" 's["pids_limit_hit"], s["usage"]["pids_limit"], s["usage"]["pids_peak"], s["usage"]["pids_limit_hits"] > 0')" \
        "(True, 64, 64, True)"
alive=""
for p in $bombers; do [ "$(cat /proc/$p/comm 2>/dev/null)" = jcprobe ] && alive="$alive $p"; done
is "fork bomb: all of it died with the sandbox" "${alive:-none}" "none"
ok "fork bomb: the set is gone" gone "$N-bomb"

# Threads are tasks: the runner and the job's main thread leave 18 of 20.
out=$(jc --pids-limit 20 --cgroup-name "$N-thr" --status-file "$TESTTMP/thr.json" -- /usr/bin/jcprobe threads-held 50 2>"$TESTTMP/thr.err")
is "threads count against the pids limit (20 = the runner + the job + 18 threads)" "$out" "threads=18 error=EAGAIN"
is "threads: the record says the limit was hit" "$(json "$TESTTMP/thr.json" 's["pids_limit_hit"]')" "True"
like "threads: and one line says so" "$(cat "$TESTTMP/thr.err")" "hit its pids limit (20"
out=$(jc --pids-limit 100 -- /usr/bin/jcprobe threads-held 50 2>&1)
is "threads: (control) 50 threads fit in 100" "$out" "threads=50 error=ok"

# --- memory and swap -----------------------------------------------------------
mem=/sys/fs/cgroup/memory$(below memory "$N-mem")
if [ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ]; then swap="--swap-max=0"; else swap=""; fi
jc_bg --memory-max 32M $swap --cgroup-name "$N-mem" -- /bin/sh -c "sleep 60; : $TESTTMP mem" >/dev/null
runner=$!
wait_for pgrep -u "$JC_TEST_USER" -f "$TESTTMP mem"
is "memory_max is the set's memory limit" "$(cat $mem/memory.limit_in_bytes)" "33554432"
if [ -n "$swap" ]; then
        is "swap_max=0: memory+swap is the memory limit (v1 memsw)" "$(cat $mem/memory.memsw.limit_in_bytes)" "33554432"
else
        skip "swap_max=0: memory+swap is the memory limit" "no swap accounting in this kernel (swapaccount=1)"
fi
kill -TERM $runner
wait $runner
out=$(jc --memory-max 32M $swap --cgroup-name "$N-oom" --status-file "$TESTTMP/oom.json" -- /usr/bin/jcprobe alloc 256 2>"$TESTTMP/oom.err")
rc=$?
if [ -z "$swap" ] && [ "$(awk '/SwapTotal/ {print $2}' /proc/meminfo)" != 0 ]; then
        skip "an allocation past memory_max is OOM-killed" "swap without swap accounting: it would swap"
else
        is "an allocation past memory_max is OOM-killed: 137 (SIGKILL)" "$rc" "137"
        is "OOM: one line on stderr says so" "$(cat "$TESTTMP/oom.err")" "jobcell: the job was killed by the OOM killer (memory limit 33554432 bytes)"
        is "OOM: the record says so" "$(json "$TESTTMP/oom.json" 's["exit_code"], s["signal"], s["oom_killed"], s["usage"]["oom_kills"] >= 1')" "(137, 9, True, True)"
fi
out=$(jc --memory-max 32M $swap --status-file "$TESTTMP/nooom.json" -- /usr/bin/jcprobe alloc 8 2>&1)
is "(control) an allocation below memory_max" "$out" "alloc=ok"
is "(control) ...is no OOM kill" "$(json "$TESTTMP/nooom.json" 's["oom_killed"], s["usage"]["oom_kills"]')" "(False, 0)"

# Only tighten: a parent with 64 MiB, a request for 128 MiB.
P=/jc-$N
mkdir /sys/fs/cgroup/memory$P && echo $((64 << 20)) >/sys/fs/cgroup/memory$P/memory.limit_in_bytes
at_exit "rmdir /sys/fs/cgroup/memory$P 2>/dev/null"
out=$(jc --cgroup-parent $P --memory-max 128M -- /bin/echo ran 2>&1)
rc=$?
is "a memory limit above the job's is refused: 125" "$rc" "125"
like "...naming the file read" "$out" "hierarchical_memory_limit in \`/sys/fs/cgroup/memory$P/memory.stat'"
like "...and the value asked for" "$out" "memory_max=134217728 is above the job's memory limit 67108864"
is "...in one line, and nothing ran" "$(echo "$out" | wc -l):$(echo "$out" | grep -c '^ran')" "1:0"
ok "...and nothing was made" sh -c "[ ! -e /sys/fs/cgroup/pids$P ] && [ -z \"\$(ls '$JOBCELL_STATE_DIR' 2>/dev/null)\" ]"

# --cgroup-parent, the policy's cgroup_parent, and own.
jc_bg --cgroup-parent $P --memory-max 32M --cgroup-name "$N-par" -- /bin/sh -c "sleep 60; : $TESTTMP par" >/dev/null
runner=$!
wait_for pgrep -u "$JC_TEST_USER" -f "$TESTTMP par"
host=$(cat /proc/$(pgrep -u "$JC_TEST_USER" -f "$TESTTMP par")/cgroup)
like "--cgroup-parent: pids:PARENT/NAME" "$host" "pids:$P/$N-par"
like "--cgroup-parent: memory:PARENT/NAME, below the parent's limit" "$host" "memory:$P/$N-par"
kill -TERM $runner
wait $runner
ok "--cgroup-parent: the set and the parents it made are gone" sh -c "[ ! -e /sys/fs/cgroup/pids$P ] && [ ! -e /sys/fs/cgroup/cpuacct$P ]"
ok "...not the parent it found" test -d /sys/fs/cgroup/memory$P
pol=$(policy parent <<EOP
[defaults]
cgroup_parent = $P
EOP
)
out=$(jc --policy "$pol" -- /bin/sh -c 'sleep 0.2' 2>&1 && echo done)
is "the policy's cgroup_parent: works" "$out" "done"
jc_bg --policy "$pol" --cgroup-name "$N-pol" -- /bin/sh -c "sleep 60; : $TESTTMP pol" >/dev/null
runner=$!
wait_for pgrep -u "$JC_TEST_USER" -f "$TESTTMP pol"
like "the policy's cgroup_parent: the set goes there" "$(cat /proc/$(pgrep -u "$JC_TEST_USER" -f "$TESTTMP pol")/cgroup)" "pids:$P/$N-pol"
kill -TERM $runner
wait $runner
jc_bg --policy "$pol" --cgroup-parent own --cgroup-name "$N-own" -- /bin/sh -c "sleep 60; : $TESTTMP ownp" >/dev/null
runner=$!
wait_for pgrep -u "$JC_TEST_USER" -f "$TESTTMP ownp"
like "--cgroup-parent own: below the caller's cgroups, whatever the policy says" \
        "$(cat /proc/$(pgrep -u "$JC_TEST_USER" -f "$TESTTMP ownp")/cgroup)" "pids:$(below pids "jobcell/$N-own")"
kill -TERM $runner
wait $runner
out=$(jc --cgroup-parent relative -- /bin/true 2>&1)
rc=$?
is "--cgroup-parent must be absolute or own: 125, one line" "$rc:$(echo "$out" | wc -l)" "125:1"

# --- cpus ------------------------------------------------------------------------
allowed=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)
first=$(echo "$allowed" | sed 's/[-,].*//')
last=$(echo "$allowed" | sed 's/.*[-,]//')
if [ "$first" != "$last" ]; then
        out=$(jc --cpuset "$last" -- /bin/sh -c 'sed -n "s/^Cpus_allowed_list:[[:space:]]*//p" /proc/self/status')
        is "cpuset: the job runs on the subset asked for" "$out" "$last"
else
        skip "cpuset: the job runs on the subset asked for" "one cpu only: no strict subset"
fi
out=$(jc --cpuset $((last + 1)) -- /bin/echo ran 2>&1)
rc=$?
is "cpuset: cpus outside the job's are refused: 125" "$rc" "125"
like "...naming what the job has and where it was read" "$out" "is not a subset of the job's cpus $allowed (cpuset of"
is "...in one line, and nothing ran" "$(echo "$out" | wc -l):$(echo "$out" | grep -c '^ran')" "1:0"

# --- usage record and --stats-interval ----------------------------------------------
jc --status-file "$TESTTMP/usage.json" -- /bin/sh -c '/usr/bin/jcprobe alloc 24 && /usr/bin/jcprobe threads-held 4 && sleep 0.5' >/dev/null
json "$TESTTMP/usage.json" 's["usage"]["cgroup_version"], s["usage"]["pids_limit"], s["usage"]["oom_kills"], s["oom_killed"], s["pids_limit_hit"]' \
        's["usage"]["memory_peak_bytes"] >= 24 << 20' 's["usage"]["cpu_user_seconds"] + s["usage"]["cpu_system_seconds"] > 0' \
        's["usage"]["pids_peak"] >= 7' 's["usage"]["wall_seconds"] >= 0.5' >"$TESTTMP/usage.txt"
is "usage: version, limits, no OOM, no pids refusal" "$(sed -n 1p "$TESTTMP/usage.txt")" "(1, 8192, 0, False, False)"
is "usage: peak memory covers the 24 MiB the job touched" "$(sed -n 2p "$TESTTMP/usage.txt")" "True"
is "usage: CPU time was counted" "$(sed -n 3p "$TESTTMP/usage.txt")" "True"
is "usage: peak pids saw the runner, the shell, the probe and its 4 threads" "$(sed -n 4p "$TESTTMP/usage.txt")" "True"
is "usage: wall time covers the job's sleep" "$(sed -n 5p "$TESTTMP/usage.txt")" "True"
jc --stats-interval 0.2 -- /bin/sleep 1.5 2>"$TESTTMP/stats.err"
ok "--stats-interval: periodic lines on stderr" test "$(grep -c '^jobcell: stats: wall=' "$TESTTMP/stats.err")" -ge 2
like "--stats-interval: the line's keys" "$(head -n 1 "$TESTTMP/stats.err")" "cpu_user="
like "--stats-interval: ...pids and the pids limit's refusals" "$(head -n 1 "$TESTTMP/stats.err")" " pids=2 pids_peak="
is "--stats-interval: nothing else on stderr" "$(grep -vc '^jobcell: stats:' "$TESTTMP/stats.err")" "0"
is "without --stats-interval: no stats lines" "$(jc -- /bin/sleep 0.3 2>&1 | wc -l)" "0"
out=$(jc --stats-interval 0 -- /bin/true 2>&1)
rc=$?
is "--stats-interval 0 is refused: 125, one line" "$rc:$(echo "$out" | wc -l)" "125:1"

# --- cleanup after every kind of end ------------------------------------------------
jc --cgroup-name "$N-wd" --workdir=/nonexistent -- /bin/true 2>/dev/null
is "a setup that fails after the set is made: 125" "$?" "125"
ok "...leaves no set" gone "$N-wd"
jc --cgroup-name "$N-nx" -- /nonexistent 2>/dev/null
is "a command that is not there: 127" "$?" "127"
ok "...leaves no set" gone "$N-nx"
jc_bg --cgroup-name "$N-dup" -- /bin/sh -c "sleep 60; : $TESTTMP dup" >/dev/null
runner=$!
wait_for pgrep -u "$JC_TEST_USER" -f "$TESTTMP dup"
out=$(jc --cgroup-name "$N-dup" -- /bin/echo ran 2>&1)
rc=$?
is "a name a live runner holds: 125" "$rc" "125"
like "...saying so in one line" "$out" "jobcell run: cgroup: cgroup \`/sys/fs/cgroup/pids/jobcell/$N-dup' exists"
is "...and nothing ran" "$(echo "$out" | grep -c '^ran')" "0"
ok "...the live set is untouched" test -d "/sys/fs/cgroup/pids/jobcell/$N-dup"
out=$("$JOBCELL" gc)
is "jobcell gc with a live runner: nothing to remove" "$out" ""
ok "...its set stays" test -d "/sys/fs/cgroup/pids/jobcell/$N-dup"
ok "...and its job runs on" pgrep -u "$JC_TEST_USER" -f "$TESTTMP dup"
kill -TERM $runner
wait $runner

for phase in start run; do
        JOBCELL_TEST_STOP=$phase "$JOBCELL" run --user "$JC_TEST_USER" --image "$ROOTFS" --cgroup-name "$N-k$phase" \
                -- /bin/sh -c "sleep 60; : $TESTTMP" 2>/dev/null &
        runner=$!
        wait_for sh -c "[ \"\$(awk '{print \$3}' /proc/$runner/stat)\" = T ]"
        ok "kill -9 of the runner before phase '$phase': its set was made" test -d "/sys/fs/cgroup/pids/jobcell/$N-k$phase"
        kill -9 $runner
        wait $runner 2>/dev/null
        wait_for gone "$N-k$phase"
        ok "...the keeper removes it" gone "$N-k$phase"
done
jc_bg --cgroup-name "$N-k" -- /bin/sh -c "sleep 60; : $TESTTMP k" >/dev/null
runner=$!
wait_for pgrep -u "$JC_TEST_USER" -f "$TESTTMP k"
kill -9 $runner
wait $runner 2>/dev/null
wait_for gone "$N-k"
ok "kill -9 of the runner while the job runs: the keeper removes its set" gone "$N-k"

# Runner and keeper both killed: the set stays until jobcell gc.
jc_bg --cgroup-name "$N-gc" -- /bin/sh -c "sleep 60; : $TESTTMP gc" >/dev/null
runner=$!
wait_for pgrep -u "$JC_TEST_USER" -f "$TESTTMP gc"
keeper=$(keeper_of $runner)
kill -STOP $keeper
kill -9 $runner
wait $runner 2>/dev/null
kill -9 $keeper
wait_for sh -c "! pgrep -u $JC_TEST_USER -f '$TESTTMP gc'"
ok "runner and keeper killed: the set stays behind" test -d "/sys/fs/cgroup/pids/jobcell/$N-gc"
ok "...with its record" test -f "$JOBCELL_STATE_DIR/$N-gc"
out=$("$JOBCELL" gc)
rc=$?
is "jobcell gc removes it" "$rc:$out" "0:jobcell gc: removed 1 cgroup set that killed runners left"
ok "...cgroups and record" gone "$N-gc"
is "jobcell gc once more: nothing to do" "$("$JOBCELL" gc; echo $?)" "0"

# A cell: each member has its own set; one member killed, the other's stays.
jc_bg --cell "c$N" -- /bin/sh -c "sleep 60; : $TESTTMP A" >/dev/null
a=$!
wait_for pgrep -u "$JC_TEST_USER" -f "$TESTTMP A"
jc_bg --cell "c$N" -- /bin/sh -c "sleep 60; : $TESTTMP B" >/dev/null
b=$!
wait_for pgrep -u "$JC_TEST_USER" -f "$TESTTMP B"
ok "cell: the creator's set is CELL.PID" test -d "/sys/fs/cgroup/pids/jobcell/c$N.$a"
ok "cell: the joiner has its own" test -d "/sys/fs/cgroup/pids/jobcell/c$N.$b"
like "cell: the joiner's job is in its runner's set" "$(cat /proc/$(pgrep -u "$JC_TEST_USER" -f "$TESTTMP B")/cgroup)" "pids:$(below pids "jobcell/c$N.$b")"
keeper=$(keeper_of $a)
unlike "cell: the keeper is in neither" "$(cat /proc/$keeper/cgroup)" "c$N"
kill -9 $b
wait $b 2>/dev/null
wait_for gone "c$N.$b"
ok "cell: kill -9 of the joiner's runner: the keeper removes its set" gone "c$N.$b"
ok "cell: ...the other member's set stays" test -d "/sys/fs/cgroup/pids/jobcell/c$N.$a"
ok "cell: ...and its job runs on" pgrep -u "$JC_TEST_USER" -f "$TESTTMP A"
kill -TERM $a
wait $a
ok "cell: the last member's set is gone when it ends" gone "c$N.$a"
is "cell: ...and so is the cell, the moment it returns" "$(leftovers)" "none"

no_sets() { [ -z "$(cgroup_dirs "$N-*")" ]; }
clean() { [ "$(leftovers)" = none ]; }
wait_for no_sets
is "no set of this file is left in any hierarchy" "$(cgroup_dirs "$N-*" | tr '\n' ' ')" ""
wait_for clean
is "nothing is left behind" "$(leftovers)" "none"
done_testing
