# Shell TAP helpers for jobcell's tests (sourced).  automake's
# tap-driver.sh reads what they print.
#   ok "name" CMD...            pass when CMD succeeds
#   fails "name" CMD...         pass when CMD fails
#   is "name" GOT WANT          pass when GOT = WANT
#   like "name" GOT PATTERN     pass when GOT contains PATTERN (fixed string)
#   unlike "name" GOT PATTERN
#   skip_all "reason"           the whole file cannot run here (one line)
#   wait_for CMD...             poll CMD until it succeeds (at most 10 s)
#   done_testing                print the plan; exit 1 if anything failed
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
JOBCELL=${JOBCELL:-$top_builddir/jobcell}
_tap_n=0
_tap_failed=0

_tap_result() { # _tap_result PASS NAME
        _tap_n=$((_tap_n + 1))
        if [ "$1" = 0 ]; then
                echo "ok $_tap_n - $2"
        else
                echo "not ok $_tap_n - $2"
                _tap_failed=$((_tap_failed + 1))
        fi
}

diag() {
        local line
        for line in "$@"; do
                printf '%s\n' "$line" | sed 's/^/# /'
        done
}

ok() {
        local name=$1; shift
        "$@" >/dev/null 2>&1
        _tap_result $? "$name"
}

fails() {
        local name=$1 rc; shift
        "$@" >/dev/null 2>&1
        rc=$?
        [ $rc -ne 0 ]
        _tap_result $? "$name"
}

is() {
        [ "$2" = "$3" ]
        _tap_result $? "$1" || true
        [ "$2" = "$3" ] || diag "got:  '$2'" "want: '$3'"
}

like() {
        case $2 in *"$3"*) _tap_result 0 "$1" ;; *) _tap_result 1 "$1"; diag "got: '$2'" "want it to contain: '$3'" ;; esac
}

unlike() {
        case $2 in *"$3"*) _tap_result 1 "$1"; diag "got: '$2'" "want it NOT to contain: '$3'" ;; *) _tap_result 0 "$1" ;; esac
}

# Where a test needs another process to have got somewhere, it waits for
# a sign of it, never for a fixed time: a loaded machine is slower.
wait_for() {
        local i
        for i in $(seq 100); do
                "$@" >/dev/null 2>&1 && return 0
                sleep 0.1
        done
        return 1
}

skip_all() {
        echo "1..0 # SKIP $1"
        exit 0
}

bail_out() {
        echo "Bail out! $1"
        exit 1
}

done_testing() {
        echo "1..$_tap_n"
        [ "$_tap_failed" -eq 0 ]
        exit $?
}

# A private temporary directory, removed at exit.
jc_tmpdir() {
        TESTTMP=$(mktemp -d "${TMPDIR:-/tmp}/jobcell-test.XXXXXX") || bail_out "mktemp"
        trap 'rm -rf "$TESTTMP"' EXIT
}
