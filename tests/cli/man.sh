#!/bin/sh
# The man pages render without a warning and carry the paths configure chose.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
command -v groff >/dev/null 2>&1 || skip_all "groff is not installed (install-deps.sh installs groff-base)"
for page in jobcell.1 jobcell-run.1 jobcell-policy.5; do
        f=$top_builddir/doc/$page
        ok "$page: was built" test -s "$f"
        out=$(groff -ww -man -z "$f" 2>&1)
        is "$page: groff -ww -man renders it without a warning" "$out" ""
        unlike "$page: every @placeholder@ is filled in" "$(cat "$f")" "@sysconfdir@"
        unlike "$page: every @placeholder@ is filled in (docdir)" "$(cat "$f")" "@docdir@"
done
like "jobcell(1) names the default policy file" "$(cat "$top_builddir/doc/jobcell.1")" "/jobcell/policy.ini"
done_testing
