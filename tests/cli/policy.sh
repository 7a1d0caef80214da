#!/bin/sh
# jobcell policy check / explain, as an admin uses them.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
jc_tmpdir
EXAMPLE=$top_srcdir/doc/examples/policy.ini

out=$("$JOBCELL" policy check "$EXAMPLE" 2>&1); rc=$?
is "check: the example policy is valid" "$rc" 0
like "check: says OK" "$out" "OK (1 partition section)"

# A broken copy of the example: one fault per line kind, all reported.
sed -e 's/^network = none/network = bridge/' \
    -e 's/^pids_limit_max = 65536/pids_limit_max = 100/' \
    -e 's/^\[partition debug\]/[partition debug]\nnetwrok = host/' \
    "$EXAMPLE" > "$TESTTMP/broken.ini"
printf '[Partition Debug]\n' >> "$TESTTMP/broken.ini"
out=$("$JOBCELL" policy check "$TESTTMP/broken.ini" 2>&1); rc=$?
is "check: a broken policy exits 1" "$rc" 1
like "check: names file, line, section and key of a bad value" "$out" "broken.ini:12: [defaults] network = bridge: \`bridge' is not one of: none, host"
like "check: names an unknown key" "$out" "[partition debug] netwrok: unknown key"
like "check: names a section that differs only in case" "$out" "[Partition Debug] differs only in case from [partition debug]"
like "check: names a contradiction" "$out" "pids_limit = 8192 (line 22, [defaults]) is outside pids_limit_max = 100 (line 54, [partition debug])"
like "check: counts the problems" "$out" "broken.ini: 4 problems"
# The relay's ports are the Slurm plugin's to hand over (doc/slurm.md,
# "MPI"): no policy key sets them, and explain shows none.
printf '[defaults]\nrelay_tcp = 127.0.0.1:22\n' > "$TESTTMP/relay.ini"
out=$("$JOBCELL" policy check "$TESTTMP/relay.ini" 2>&1)
like "check: relay_tcp is no policy key" "$out" "[defaults] relay_tcp: unknown key"
out=$("$JOBCELL" policy explain --policy "$EXAMPLE" 2>&1)
like "explain: no relay port outside Slurm" "$out" "relay_tcp        builtin    -"
out=$("$JOBCELL" policy check "$EXAMPLE" "$TESTTMP/broken.ini" 2>&1); rc=$?
is "check: one bad file among good ones exits 1" "$rc" 1
fails "check: a missing file fails" "$JOBCELL" policy check "$TESTTMP/none.ini"
out=$("$JOBCELL" policy check "$TESTTMP/none.ini" 2>&1)
like "check: a missing file is named" "$out" "none.ini': No such file or directory"
out=$("$JOBCELL" policy check 2>&1); rc=$?
is "check: no file is a usage error" "$rc" 2

out=$("$JOBCELL" policy explain --policy "$EXAMPLE" --partition debug --network=host 2>&1); rc=$?
is "explain: allowed request exits 0" "$rc" 0
like "explain: shows the request's origin" "$out" "network          request    host"
like "explain: shows the partition's origin" "$out" "rlimits          partition  core=unlimited:unlimited"
like "explain: shows the defaults' origin" "$out" "pids_limit       defaults   8192"
like "explain: shows builtin origin" "$out" "privileged       builtin    false"
out=$("$JOBCELL" policy explain --policy "$EXAMPLE" --partition batch --network=host 2>&1); rc=$?
is "explain: refused request exits 1" "$rc" 1
like "explain: says why it is refused" "$out" "refused: network=host is refused: network_allowed is not set in [defaults]"
out=$("$JOBCELL" policy explain --policy "$EXAMPLE" --partition batch 2>&1)
like "explain: a partition without section uses [defaults]" "$out" "no [partition batch] section: [defaults] applies"
out=$("$JOBCELL" policy explain --policy "$EXAMPLE" --partition debug --json 2>&1)
like "explain --json: has the spec" "$out" '"network": "none"'
like "explain --json: has origins" "$out" '"pids_limit": "defaults"'
out=$("$JOBCELL" policy explain --policy "$EXAMPLE" --json --partition x --cap-add=SYS_ADMIN 2>&1); rc=$?
is "explain --json: refusal exits 1" "$rc" 1
like "explain --json: refusal as JSON" "$out" '"refused": "cap-add=CAP_SYS_ADMIN is refused'
out=$("$JOBCELL" policy explain --policy "$EXAMPLE" --user bob --mounts=/home/bob/x:/x --partition debug 2>&1)
like "explain --user: %u is the named user" "$out" "/home/bob/x:/x:rw"
out=$("$JOBCELL" policy explain --policy "$TESTTMP/broken.ini" 2>&1); rc=$?
is "explain: a broken policy refuses (fail closed)" "$rc" 1
like "explain: a broken policy names its first problem" "$out" "policy has 4 problems"
out=$("$JOBCELL" policy explain --bogus 2>&1); rc=$?
is "explain: unknown option is a usage error" "$rc" 2
out=$("$JOBCELL" policy explain --memory-max=512K 2>&1); rc=$?
is "explain: a memory limit below 1M is a usage error" "$rc" 2
is "...saying why, in one line" "$out" "jobcell policy explain: --memory-max=512K: a memory limit of 524288 bytes is below the 1M jobcell needs (its supervisor is charged to the limit too)"
out=$("$JOBCELL" policy explain --memory-max=1M 2>&1); rc=$?
is "explain: a memory limit of 1M is allowed" "$rc" 0
out=$("$JOBCELL" policy explain --network=bridge 2>&1); rc=$?
is "explain: bad option value is a usage error" "$rc" 2
like "explain: bad option value is named" "$out" "--network=bridge: \`bridge' is not one of: none, host"

out=$("$JOBCELL" --version); like "--version" "$out" "jobcell "
out=$("$JOBCELL" --help); like "--help lists commands" "$out" "policy"
out=$("$JOBCELL" policy --help); like "policy --help" "$out" "jobcell policy check FILE"
out=$("$JOBCELL" policy explain --help); like "policy explain --help lists request options" "$out" "--cap-add=CAP,..."
out=$("$JOBCELL" frobnicate 2>&1); rc=$?
is "unknown command exits 2" "$rc" 2
done_testing
