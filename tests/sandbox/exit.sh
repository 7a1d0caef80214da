#!/bin/sh
# What the runner says back: the job's exit status, 128+N for signal N,
# 125/126/127 for its own failures; signals reach the job; the JSON status
# record.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sandbox/lib.sh"

jc -- /bin/sh -c 'exit 7'; is "the job's exit status" "$?" 7
jc -- /bin/true; is "exit 0" "$?" 0
jc -- /bin/sh -c 'kill -KILL $$'; is "killed by SIGKILL: 137" "$?" 137
jc -- /bin/sh -c 'kill -SEGV $$'; is "killed by SIGSEGV: 139" "$?" 139
out=$(jc -- /no/such/command 2>&1); rc=$?
is "command not found: 127" "$rc" 127
like "command not found: says so" "$out" "exec: No such file or directory"
out=$(jc -- nosuchcommand 2>&1); rc=$?
is "command not found in PATH: 127" "$rc" 127
out=$(jc -- /usr/bin/notexec 2>&1); rc=$?
is "command not executable: 126" "$rc" 126
like "command not executable: says so" "$out" "exec: Permission denied"
out=$(jc -- /etc 2>&1); rc=$?
is "a directory as the command: 126" "$rc" 126
is "PATH lookup inside the image" "$(jc -- jcprobe exit 3; echo $?)" "3"

# The sandbox cannot be built: 125, one line naming the step, nothing runs.
out=$("$JOBCELL" run --user "$JC_TEST_USER" --image "$TESTTMP/nonexistent" -- /bin/touch "$TESTTMP/ran" 2>&1); rc=$?
is "missing image: 125" "$rc" 125
is "missing image: one line" "$(echo "$out" | wc -l)" "1"
like "missing image: names it and errno" "$out" "open \`$TESTTMP/nonexistent': No such file or directory"
ok "missing image: nothing ran" test ! -e "$TESTTMP/ran"
out=$(jc --network=host -- /bin/touch "$TESTTMP/ran" 2>&1); rc=$?
is "refused request: 125" "$rc" 125
like "refused request: names the key" "$out" "network=host is refused: network_allowed"
out=$(jc --policy "$TESTTMP/none.ini" -- /bin/true 2>&1); rc=$?
is "missing policy file: 125" "$rc" 125
printf '[defaults]\nnetwork = sideways\n' > "$TESTTMP/bad.ini"
out=$(jc --policy "$TESTTMP/bad.ini" -- /bin/true 2>&1); rc=$?
is "bad policy: refused (fail closed)" "$rc" 125
like "bad policy: names file, line, key" "$out" "bad.ini:2: [defaults] network = sideways"
out=$(jc --bogus -- /bin/true 2>&1); rc=$?
is "unknown option: 125" "$rc" 125
out=$(jc 2>&1); rc=$?
is "no command: 125" "$rc" 125

# Signals: each forwarded one reaches the job; the job decides.
# (The runner itself in the background, not a subshell around it; and
# started as a non-interactive shell does, ignoring SIGINT and SIGQUIT.)
"$JOBCELL" run --user "$JC_TEST_USER" --image "$ROOTFS" -- /usr/bin/jcprobe signals 20 > "$TESTTMP/sig.out" &
runner=$!
wait_for grep -q ready "$TESTTMP/sig.out"
for s in INT HUP QUIT USR1 USR2 CONT TERM; do kill -$s $runner; sleep 0.1; done
wait $runner; rc=$?
is "forwarded signals reach the job" "$(tail -1 "$TESTTMP/sig.out")" "got=TERM INT HUP QUIT USR1 USR2 CONT "
is "the job handled them and exited 0" "$rc" 0
"$JOBCELL" run --user "$JC_TEST_USER" --image "$ROOTFS" -- /bin/sh -c 'echo started; exec sleep 20' > "$TESTTMP/term.out" &
runner=$!
wait_for grep -q started "$TESTTMP/term.out"
kill -TERM $runner
wait $runner; rc=$?
is "SIGTERM kills a job that does not handle it: 143" "$rc" 143
"$JOBCELL" run --user "$JC_TEST_USER" --image "$ROOTFS" -- /bin/sh -c "grep SigIgn /proc/self/status; : $TESTTMP" > "$TESTTMP/ign.out" &
wait $!
/bin/sh -c "grep SigIgn /proc/self/status" > "$TESTTMP/ign.host" &
wait $!
is "a job started in the background by a shell ignores what it would without the sandbox" \
        "$(cat "$TESTTMP/ign.out")" "$(cat "$TESTTMP/ign.host")"
like "...SIGINT and SIGQUIT among them" "$(cat "$TESTTMP/ign.out")" "6"

# The status record.
jc --status-file "$TESTTMP/status.json" -- /bin/sh -c 'exit 3'
python3 - "$TESTTMP/status.json" > "$TESTTMP/status.txt" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(s["exit_code"], s["signal"], s["started"], s["error"])
print(sorted(s["phases_ms"]))
print(all(v >= 0 for v in s["phases_ms"].values()), s["phases_ms"]["total"] >= s["phases_ms"]["run"])
print(s["spec"]["spec"]["network"], s["spec"]["origin"]["network"])
PY
is "status: exit, signal, started, error" "$(sed -n 1p "$TESTTMP/status.txt")" "3 None True None"
is "status: every phase timed" "$(sed -n 2p "$TESTTMP/status.txt")" "['cell', 'cgroup', 'prepare', 'resolve', 'run', 'start', 'total']"
is "status: the times add up" "$(sed -n 3p "$TESTTMP/status.txt")" "True True"
is "status: the spec with its origins" "$(sed -n 4p "$TESTTMP/status.txt")" "none builtin"
jc --status-file "$TESTTMP/status2.json" -- /bin/sh -c 'kill -KILL $$'
is "status: a signal" "$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["exit_code"], s["signal"])' "$TESTTMP/status2.json")" "137 9"
"$JOBCELL" run --user "$JC_TEST_USER" --image /nonexistent --status-file "$TESTTMP/status3.json" -- /bin/true 2>/dev/null
is "status: a failure says why" "$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["exit_code"], s["started"], s["error"])' "$TESTTMP/status3.json")" "125 False open \`/nonexistent': No such file or directory"

is "nothing is left behind" "$(leftovers)" "none"
done_testing
