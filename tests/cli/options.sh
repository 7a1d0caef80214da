#!/bin/sh
# A mistyped option, in every command: one line that names it, and the
# command's usage status (125 for run, whose statuses are the job's).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

# check CMD STATUS LINE ARGS...: `jobcell CMD ARGS' exits STATUS and says
# exactly "jobcell CMD: LINE (see jobcell CMD --help)".
check() {
        cmd=$1 status=$2 line=$3
        shift 3
        out=$("$JOBCELL" $cmd "$@" 2>&1); rc=$?
        is "$cmd $*: status $status" "$rc" "$status"
        is "$cmd $*: one line naming it" "$out" "jobcell $cmd: $line (see jobcell $cmd --help)"
}

for c in run "policy explain" image gc; do
        s=2
        [ "$c" = run ] && s=125
        check "$c" $s "unknown option \`--bogus'" --bogus
        check "$c" $s "unknown option \`--bogus'" --bogus=3
        check "$c" $s "unknown option \`-z'" -z
done
check run 125 "ambiguous option \`--p'" --p x -- /bin/true
check "policy explain" 2 "ambiguous option \`--p'" --p x
check run 125 "option \`--user' needs a value" --user
check "policy explain" 2 "option \`--partition' needs a value" --partition
check image 2 "option \`--cache' needs a value" --cache
check gc 2 "option \`--state-dir' needs a value" --state-dir
check run 125 "option \`--help' takes no value" --help=yes
check "policy explain" 2 "option \`--json' takes no value" --json=1
# Arguments too many: named, in one line.
out=$("$JOBCELL" gc extra 2>&1); rc=$?
is "gc extra: status 2, one line naming it" "$rc:$out" "2:jobcell gc: unexpected argument \`extra' (see jobcell gc --help)"
out=$("$JOBCELL" image import a b 2>&1); rc=$?
is "image import a b: status 2, one line naming b" "$rc:$out" "2:jobcell image import: one image at a time (\`b' is one too many)"
# Names that become a cgroup's or a socket's are checked with the options.
out=$("$JOBCELL" run --cgroup-name 'a b' -- /bin/true 2>&1); rc=$?
is "run --cgroup-name 'a b': 125, one line naming it" "$rc:$out" "125:jobcell run: --cgroup-name \`a b': 1 to 128 of A-Z a-z 0-9 _ . - (no leading dot)"
out=$("$JOBCELL" run --cell 'a/b' -- /bin/true 2>&1); rc=$?
is "run --cell a/b: 125, one line naming it" "$rc:$out" "125:jobcell run: --cell: cell name \`a/b': use letters, digits, . _ -"
# A command's own options are its own: they end jobcell's.
out=$("$JOBCELL" run /bin/true --bogus 2>&1)
unlike "run: an option after the command is the command's" "$out" "option"
done_testing
