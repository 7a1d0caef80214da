#!/bin/sh
# jobcell policy check reads the seccomp profiles a policy names: a profile
# that does not parse would refuse every job given it, so check says so.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
jc_tmpdir

cat > "$TESTTMP/good.json" <<'JSON'
{ "defaultAction": "SCMP_ACT_ERRNO",
  "syscalls": [ { "names": ["read", "write", "exit_group"], "action": "SCMP_ACT_ALLOW" } ] }
JSON
printf '{ "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [ }\n' > "$TESTTMP/syntax.json"
cat > "$TESTTMP/unknown.json" <<'JSON'
{ "defaultAction": "SCMP_ACT_ERRNO",
  "syscalls": [ { "names": ["read", "nosuchcall"], "action": "SCMP_ACT_ALLOW" } ] }
JSON

cat > "$TESTTMP/good.ini" <<EOF2
[defaults]
seccomp = $TESTTMP/good.json
seccomp_allowed = default, $TESTTMP/good.json
EOF2
out=$("$JOBCELL" policy check "$TESTTMP/good.ini" 2>&1); rc=$?
is "check: a policy naming a valid profile passes" "$rc" 0
like "check: says OK" "$out" "good.ini: OK"

cat > "$TESTTMP/bad.ini" <<EOF2
[defaults]
seccomp = $TESTTMP/syntax.json

[partition gpu]
seccomp = default
seccomp_allowed = default, $TESTTMP/unknown.json, $TESTTMP/missing.json
EOF2
out=$("$JOBCELL" policy check "$TESTTMP/bad.ini" 2>&1); rc=$?
is "check: a profile that does not parse fails the policy" "$rc" 1
like "check: names file, line, section, key, profile and position" "$out" \
        "bad.ini:2: [defaults] seccomp = $TESTTMP/syntax.json: line 2, column 17: unexpected character"
like "check: names the field of a profile in seccomp_allowed" "$out" \
        "bad.ini:6: [partition gpu] seccomp_allowed: $TESTTMP/unknown.json: syscalls[0].names[1]: unknown system call \`nosuchcall'"
like "check: a missing profile is a problem" "$out" \
        "[partition gpu] seccomp_allowed: $TESTTMP/missing.json: open: No such file or directory"
like "check: counts the problems" "$out" "bad.ini: 3 problems"
unlike "check: does not say OK" "$out" "bad.ini: OK"

done_testing
