#!/bin/sh
# The filesystem: a read-only image that is never modified, a minimal
# /dev, /proc with masked and read-only paths, a read-only /sys, private
# /tmp and /dev/shm, bind mounts as the policy grants them, and targets
# that cannot be led out of the root by the image's symlinks.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sandbox/lib.sh"

snapshot() { (cd "$ROOTFS" && find . -printf '%p %m %u %s %T@\n' | sort | md5sum); }
before=$(snapshot)

is "/dev holds exactly the harmless devices" "$(jc -- /bin/ls /dev | tr '\n' ' ')" \
        "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero "
is "/dev links" "$(jc -- /bin/sh -c 'for l in fd stdin stdout stderr ptmx; do readlink /dev/$l; done' | tr '\n' ' ')" \
        "/proc/self/fd /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2 pts/ptmx "
is "/dev: nothing can be added" "$(jc -- /bin/sh -c 'touch /dev/x 2>&1 >/dev/null | grep -c "Read-only"')" "1"
is "/dev/null works" "$(jc -- /bin/sh -c 'echo x > /dev/null && head -c 3 /dev/zero | wc -c')" "3"
is "/dev/pts is a private instance (no host ptys)" "$(jc -- /bin/ls /dev/pts | tr '\n' ' ')" "ptmx "

out=$(jc -- /bin/sh -c 'for f in /proc/keys /proc/timer_list /proc/kcore /proc/sched_debug /proc/interrupts /proc/latency_stats; do [ -e $f ] && /usr/bin/jcprobe read $f; done; find /proc/acpi /sys/firmware -mindepth 1 | wc -l' | sort -u | tr '\n' ' ')
is "masked paths read nothing (files read 0 bytes, directories are empty)" "$out" "0 read=0 "
is "host: (control) /proc/interrupts is not empty outside" "$("$PROBE" read /proc/interrupts | grep -c 'read=0$')" "0"
# Writes there fail on permissions first (host root owns those files); the
# read-only mount is the second wall, so check both.
out=$(jc -- /bin/sh -c 'for f in /proc/sysrq-trigger /proc/sys/kernel/hostname /proc/sys/vm/drop_caches /sys/kernel/uevent_helper; do [ -e $f ] && /usr/bin/jcprobe write $f; done' | sort -u)
is "read-only paths refuse writes" "$out" "write=EACCES"
out=$(jc -- /bin/sh -c 'for m in /proc/sys /proc/sysrq-trigger /proc/irq /proc/bus /proc/fs /sys; do awk -v m=$m "\$2==m {print \$4}" /proc/mounts | cut -d, -f1; done' | sort -u)
is "read-only paths are read-only mounts" "$out" "ro"
out=$(jc -- /bin/sh -c 'touch /new 2>&1; touch /etc/passwd 2>&1; touch /bin/x 2>&1' | grep -c "Read-only file system")
is "the image root is read-only" "$out" "3"
is "/tmp is writable and private" "$(touch /tmp/jobcell-host-marker.$$; jc -- /bin/sh -c 'ls /tmp | wc -l; touch /tmp/x && echo made'; rm -f /tmp/jobcell-host-marker.$$)" "0
made"
is "/dev/shm is writable and private" "$(jc -- /bin/sh -c 'ls /dev/shm | wc -l; touch /dev/shm/x && echo made')" "0
made"
is "tmpfs mounts are nosuid and nodev" "$(jc -- /bin/sh -c 'grep -E " /(tmp|dev/shm) " /proc/mounts | grep -c nosuid,nodev')" "2"

# A writable root where the policy allows it; its writes are discarded.
pol=$(policy w <<EOP
[defaults]
writable_allowed = true
mounts_allowed = $TESTTMP/ro, $TESTTMP/rw:rw, $TESTTMP/link
EOP
)
fr=$(policy wfr <<EOP
[defaults]
writable_allowed = true
identity_allowed = user, fakeroot
EOP
)
out=$(jc --policy "$fr" --remap-root -- /bin/touch /new 2>&1); rc=$?
is "read-only by default, even for root inside" "$rc" 1
is "image files show their owners mapped in (root, not nobody)" "$(jc -- /bin/stat -c %U:%G /bin/busybox)" "root:root"
jc --policy "$fr" --remap-root --writable -- /bin/sh -c 'touch /new && echo x > /etc/motd && rm /bin/ls'; rc=$?
is "writable root: root inside writes and deletes when asked for" "$rc" 0
out=$(jc --policy "$fr" --writable -- /bin/touch /new2 2>&1); rc=$?
is "writable root: a user job still cannot write where it has no rights" "$rc" 1
is "writable root: the next job sees none of it" "$(jc -- /bin/sh -c 'ls /new /etc/motd 2>/dev/null | wc -l; ls /bin/ls')" "0
/bin/ls"
is "the image is never modified" "$(snapshot)" "$before"

# Bind mounts: read-only unless granted, nosuid and nodev always.
mkdir -p "$TESTTMP/ro" "$TESTTMP/rw" "$TESTTMP/secret"
chmod 777 "$TESTTMP/rw"
echo data > "$TESTTMP/ro/file"
out=$(jc --policy "$pol" --mounts="$TESTTMP/ro:/data" -- /bin/sh -c 'cat /data/file; touch /data/x 2>&1 | grep -c Read-only')
is "ro bind: readable, not writable" "$out" "data
1"
jc --policy "$pol" --mounts="$TESTTMP/rw:/out" -- /bin/sh -c 'echo hi > /out/f'
is "rw bind (granted): writable" "$(cat "$TESTTMP/rw/f")" "hi"
is "binds are nosuid,nodev" "$(jc --policy "$pol" --mounts="$TESTTMP/rw:/out" -- /bin/sh -c 'grep " /out " /proc/mounts | grep -c nosuid,nodev')" "1"
out=$(jc --policy "$pol" --mounts="$TESTTMP/ro:/data:rw" -- /bin/true 2>&1); rc=$?
is "rw bind of a path granted read-only: refused (125)" "$rc" 125
# A symlink under an admitted path that leads elsewhere is checked where it leads.
ln -s "$TESTTMP/secret" "$TESTTMP/link/escape" 2>/dev/null || { mkdir -p "$TESTTMP/link"; ln -s "$TESTTMP/secret" "$TESTTMP/link/escape"; }
out=$(jc --policy "$pol" --mounts="$TESTTMP/link/escape:/x" -- /bin/true 2>&1); rc=$?
is "bind through a symlink to a place not admitted: refused (125)" "$rc" 125
like "bind through a symlink: says where it leads" "$out" "leads to \`$TESTTMP/secret'"
# A directory the user cannot reach is not shown through a bind.
mkdir -p "$TESTTMP/rw/closed/inner"
echo private > "$TESTTMP/rw/closed/inner/f"
chmod 700 "$TESTTMP/rw/closed"
chmod 755 "$TESTTMP/rw/closed/inner"
out=$(jc --policy "$pol" --mounts="$TESTTMP/rw/closed/inner:/inner" -- /bin/cat /inner/f 2>&1); rc=$?
is "bind of a path behind a directory the user cannot enter: refused (125)" "$rc" 125
like "...because the user's rights apply" "$out" "Permission denied"
is "...in one line naming the mount" "$out" "jobcell run: mount $TESTTMP/rw/closed/inner:/inner: open \`$TESTTMP/rw/closed/inner': Permission denied"

# The image's symlinks cannot lead a mount target out of the root.
mkdir -p "$TESTTMP/hostdir"
ln -s "$TESTTMP/hostdir" "$ROOTFS/abs"
ln -s ../../../../../../../../"$TESTTMP/hostdir" "$ROOTFS/rel"
pol2=$(policy sym <<EOP
[defaults]
mounts = $TESTTMP/ro:/abs/sub, $TESTTMP/ro:/rel/sub2
EOP
)
out=$(jc --policy "$pol2" -- /bin/true 2>&1); rc=$?
is "a target behind a symlink to a place outside the image: refused (125)" "$rc" 125
like "...named, resolved inside the root" "$out" "open \`/abs' in the sandbox root: No such file"
is "symlinked targets: nothing is created on the host" "$(ls -A "$TESTTMP/hostdir" | wc -l)" "0"
mkdir -p "$ROOTFS/inside"
ln -sfn /inside "$ROOTFS/abs"
out=$(jc --policy "$(policy sym2 <<EOP
[defaults]
mounts = $TESTTMP/ro:/abs/sub
EOP
)" -- /bin/cat /inside/sub/file 2>&1)
is "an absolute symlink in the image resolves inside the image" "$out" "data"
is "...and nothing is created on the host" "$(ls -A /inside 2>/dev/null | wc -l)" "0"
rmdir "$ROOTFS/inside" 2>/dev/null
rm -f "$ROOTFS/abs" "$ROOTFS/rel"

# Working directory.
is "workdir: as asked" "$(jc --workdir=/tmp -- /bin/pwd)" "/tmp"
is "workdir: the caller's, when it exists inside" "$(cd /proc && jc -- /bin/pwd)" "/proc"
is "workdir: / when the caller's is not inside" "$(cd "$TESTTMP" && jc -- /bin/pwd)" "/"
out=$(jc --workdir=/nonexistent -- /bin/pwd 2>&1); rc=$?
is "workdir that does not exist: 125" "$rc" 125
like "workdir that does not exist: named" "$out" "working directory \`/nonexistent'"

is "nothing is left behind" "$(leftovers)" "none"
done_testing
