# Helpers for the sandbox integration tests (sourced after tests/lib.sh).
# They run as root with real namespaces; the job runs as the test user.

JC_TEST_USER=${JC_TEST_USER:-jctest}
PROBE=${PROBE:-$top_builddir/tests/probe/jcprobe}

[ "$(id -u)" = 0 ] || skip_all "needs root: the sandbox tests build real namespaces and id maps"
[ -x "$PROBE" ] || bail_out "no probe at $PROBE (make check builds it)"
command -v busybox >/dev/null || bail_out "busybox is missing (./install-deps.sh installs busybox-static)"

# The test user (created once; the job runs as it).
if ! id "$JC_TEST_USER" >/dev/null 2>&1; then
        useradd -M -s /bin/sh "$JC_TEST_USER" 2>/dev/null || bail_out "cannot create user $JC_TEST_USER"
fi
JC_UID=$(id -u "$JC_TEST_USER")
JC_GID=$(id -g "$JC_TEST_USER")

# A world-readable scratch dir (the job user must traverse it), removed at exit.
TESTTMP=$(mktemp -d /tmp/jobcell-test.XXXXXX) || bail_out "mktemp"
chmod 755 "$TESTTMP"
cleanup_hooks=""
# The runners' cgroup records (jobcell gc reads them) stay in TESTTMP:
# test files running at the same time never see each other's.
export JOBCELL_STATE_DIR=$TESTTMP/state
# Likewise the compiled seccomp filters (runner/seccomp_cache.c).
export JOBCELL_SECCOMP_CACHE=$TESTTMP/seccomp
at_exit() { cleanup_hooks="$1; $cleanup_hooks"; }
trap 'eval "$cleanup_hooks"; rm -rf "$TESTTMP"' EXIT

# make_rootfs DIR: a busybox image with the probe, a setuid-root copy of
# it, and a file that is not executable.
make_rootfs() {
        local r=$1 bb
        bb=$(readlink -f "$(command -v busybox)")
        mkdir -p "$r/bin" "$r/usr/bin" "$r/etc" "$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$r/root" "$r/home"
        cp "$bb" "$r/bin/busybox"
        for a in $("$r/bin/busybox" --list); do
                [ "$a" = busybox ] || ln -s busybox "$r/bin/$a"
        done
        cp "$PROBE" "$r/usr/bin/jcprobe"
        cp "$PROBE" "$r/usr/bin/jcprobe-suid"
        chmod 4755 "$r/usr/bin/jcprobe-suid"
        printf '#!/bin/sh\necho never\n' > "$r/usr/bin/notexec"
        chmod 644 "$r/usr/bin/notexec"
        printf 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/:/bin/false\n' > "$r/etc/passwd"
        printf 'root:x:0:\ndaemon:x:1:\n' > "$r/etc/group"
        chmod -R a+rX "$r"
}

ROOTFS=$TESTTMP/rootfs
make_rootfs "$ROOTFS"

# A policy file in TESTTMP: policy NAME <<EOF ... EOF; prints its path.
policy() {
        cat > "$TESTTMP/$1.ini"
        echo "$TESTTMP/$1.ini"
}

# jc [run options] -- CMD...: run in the test image as the test user.
jc() {
        "$JOBCELL" run --user "$JC_TEST_USER" --image "$ROOTFS" "$@"
}

# jc_bg [run options] -- CMD...: the same, the runner itself in the
# background ($! is its pid, not a subshell's).
jc_bg() {
        "$JOBCELL" run --user "$JC_TEST_USER" --image "$ROOTFS" "$@" &
}

# Nothing of a sandbox may outlive it.  Its keeper and init carry the
# runner's command line, and the tests' jobs carry $TESTTMP in theirs, so
# every process of this test file's sandboxes matches it (other test files
# may run at the same time).  Namespaces and their mounts go with their
# last process; a mount that leaked onto the host would show here.  A
# cgroup set leaves its record until its cgroups are removed.
leftovers() {
        local left="" p
        for p in $(pgrep -f "$TESTTMP"); do
                [ "$p" = "$$" ] || left="$left pid:$p($(cat /proc/$p/comm 2>/dev/null))"
        done
        grep -q "$TESTTMP" /proc/self/mountinfo && left="$left host-mounts"
        for p in "$JOBCELL_STATE_DIR"/*; do
                [ -e "$p" ] && left="$left cgroup-record:${p##*/}"
        done
        echo "${left:-none}"
}

# cgroup_dirs NAME: the cgroups named NAME in any hierarchy (none: empty).
cgroup_dirs() {
        find /sys/fs/cgroup -mindepth 2 -maxdepth 8 -type d -name "$1" 2>/dev/null
}

# cell_up NAME [OWNER]: cell NAME's keeper listens for members (OWNER:
# root, or uUID for a rootless runner's cell; runner/cell.c).
cell_up() {
        grep -q "@jobcell/${2:-root}/$1\$" /proc/net/unix
}
