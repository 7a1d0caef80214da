#!/bin/sh
# Rootless: an ordinary user runs jobcell by hand (no setuid bit, no
# capability) and gets every isolation that needs no host privilege.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sandbox/lib.sh"

[ "$(cat /proc/sys/kernel/unprivileged_userns_clone 2>/dev/null || echo 1)" = 1 ] ||
        skip_all "this kernel forbids unprivileged user namespaces (kernel.unprivileged_userns_clone=0)"
command -v setpriv >/dev/null || bail_out "setpriv is missing (util-linux)"
as_user() { setpriv --reuid="$JC_UID" --regid="$JC_GID" --init-groups --reset-env "$@"; }
ok "(control) the jobcell binary has no setuid bit or file capability" \
        sh -c "[ ! -u '$JOBCELL' ] && ! getcap '$JOBCELL' 2>/dev/null | grep -q ."

# Supplementary groups stay (access to files is unchanged) but a rootless
# runner cannot map them: they show as the overflow gid.
supp=$(id -G "$JC_TEST_USER" | tr ' ' '\n' | tail -n +2 | sed 's/.*/65534/' | tr '\n' ',' | sed 's/,$//')
out=$(as_user "$JOBCELL" run --image "$ROOTFS" -- /usr/bin/jcprobe ids 2>"$TESTTMP/err")
is "rootless: the job is the user" "$out" "uid=$JC_UID euid=$JC_UID gid=$JC_GID egid=$JC_GID groups=$JC_GID${supp:+,$supp}"
is "rootless: says in one line what it cannot give" "$(wc -l < "$TESTTMP/err")" "1"
like "rootless: ...namely" "$(cat "$TESTTMP/err")" "rootless"
is "rootless: own PID namespace" "$(as_user "$JOBCELL" run --image "$ROOTFS" -- /bin/ps -o pid,comm 2>/dev/null | tail -n +2 | awk '{print $1":"$2}' | tr '\n' ' ')" "1:jobcell-init 2:ps "
is "rootless: only lo" "$(as_user "$JOBCELL" run --image "$ROOTFS" -- /bin/sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "' 2>/dev/null)" "lo"
is "rootless: no capabilities, no_new_privs" \
        "$(as_user "$JOBCELL" run --image "$ROOTFS" -- /bin/sh -c 'grep -E "^(CapEff|CapBnd|NoNewPrivs)" /proc/self/status | tr -s "\t" " " | tr "\n" /' 2>/dev/null)" \
        "CapEff: 0000000000000000/CapBnd: 0000000000000000/NoNewPrivs: 1/"
is "rootless: the minimal /dev" "$(as_user "$JOBCELL" run --image "$ROOTFS" -- /bin/ls /dev 2>/dev/null | tr '\n' ' ')" \
        "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero "
is "rootless: read-only root" "$(as_user "$JOBCELL" run --image "$ROOTFS" -- /bin/sh -c 'touch /x 2>&1 | grep -c Read-only' 2>/dev/null)" "1"
pol=$(policy rl <<EOP
[defaults]
identity_allowed = user, fakeroot, service-root
EOP
)
chmod 644 "$pol"
is "rootless: fakeroot maps root inside to the user" "$(as_user "$JOBCELL" run --policy "$pol" --remap-root --image "$ROOTFS" -- /usr/bin/jcprobe ids 2>/dev/null)" \
        "uid=0 euid=0 gid=0 egid=0 groups=0${supp:+,$supp}"
out=$(as_user "$JOBCELL" run --policy "$pol" --identity=service-root --image "$ROOTFS" -- /bin/true 2>&1); rc=$?
is "rootless: what needs privilege is refused (service-root), 125" "$rc" 125
like "rootless: ...saying why" "$out" "needs privilege (rootless runner)"
out=$(as_user "$JOBCELL" run --user root --image "$ROOTFS" -- /bin/true 2>&1); rc=$?
is "rootless: --user is refused" "$rc" 125
mkdir -p "$TESTTMP/closed/inner" && chmod 700 "$TESTTMP/closed"
out=$(as_user "$JOBCELL" run --image "$TESTTMP/closed/inner" -- /bin/true 2>&1); rc=$?
is "rootless: an image the user cannot read is refused (125)" "$rc" 125
like "rootless: ...with the user's own rights" "$out" "Permission denied"
as_user "$JOBCELL" run --image "$ROOTFS" --cell r$$ -- /bin/sh -c "readlink /proc/self/ns/pid > /dev/shm/ns; sleep 2; : $TESTTMP" 2>/dev/null &
a=$!
wait_for cell_up r$$ "u$JC_UID"
wait_for as_user "$JOBCELL" run --image "$ROOTFS" --cell r$$ -- /bin/test -s /dev/shm/ns
out=$(as_user "$JOBCELL" run --image "$ROOTFS" --cell r$$ -- /bin/sh -c 'cat /dev/shm/ns' 2>/dev/null)
wait $a
like "rootless: cells work" "$out" "pid:["
out=$(jc --cell r$$ -- /bin/sh -c 'ls /dev/shm | wc -l' 2>/dev/null)
is "a root runner never joins a user's cell of the same name" "$out" "0"

# No cgroup delegated to the user here (v1, root's hierarchies): the job
# runs without a set of its own, says so in the same one line, and a
# limit only a cgroup gives is refused instead (fail closed).
if grep -q '^[0-9]*:pids:' /proc/self/cgroup && ! as_user test -w /sys/fs/cgroup/pids; then
        [ -e "/tmp/jobcell-$JC_UID" ] && had_state=yes || had_state=no
        like "rootless without delegation: the one line says there is no cgroup" "$(cat "$TESTTMP/err")" "no cgroup of its own, so no pids limit"
        out=$(as_user "$JOBCELL" run --image "$ROOTFS" --pids-limit 100 -- /bin/echo ran 2>&1); rc=$?
        is "rootless without delegation: a requested pids limit is refused, 125" "$rc" 125
        like "...saying why" "$out" "a rootless runner needs a cgroup delegated to it"
        is "...in one line, and nothing ran" "$(echo "$out" | wc -l):$(echo "$out" | grep -c '^ran')" "1:0"
        out=$(as_user "$JOBCELL" run --image "$ROOTFS" --memory-max 64M -- /bin/echo ran 2>&1); rc=$?
        is "rootless without delegation: a memory limit is refused, 125" "$rc:$(echo "$out" | grep -c '^ran')" "125:0"
        [ $had_state = yes ] || ok "rootless without delegation: no state directory was made" test ! -e "/tmp/jobcell-$JC_UID"
else
        diag "the user may make cgroups here: the no-delegation checks do not apply"
fi

is "nothing is left behind" "$(leftovers)" "none"
done_testing
