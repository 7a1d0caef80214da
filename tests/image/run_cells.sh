#!/bin/bash
# The image belongs to the cell: its keeper opens, imports or mounts it
# once, holds it while any member runs, and releases everything when the
# cell ends, however it ends.  Joiners never open the image.  Concurrent
# first starts import once.  Rootless: the user's cache, squashfuse only.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sandbox/lib.sh"
. "$top_srcdir/tests/image/mkimage.sh"
command -v mksquashfs > /dev/null || bail_out "mksquashfs missing (install-deps.sh)"
. "$top_srcdir/tests/image/runlib.sh"
gone() { test "$(leftovers)" = none && test "$(squashfuses)" = 0 && test "$(loops)" = 0; }
img() { "$JOBCELL" image --cache "$CACHE" "$@"; }
# in_cell CELL CMD...: a member that joins CELL to run CMD.
in_cell() { local c=$1; shift; run --cell "$c" --image "$IMG/img.sqsh" -- "$@"; }

# --- two members of one cell: the second does no image work ---------------
run --cell o$$ --image "$IMG/oci" --status-file "$TESTTMP/a.json" -- /bin/sh -c "touch /tmp/up; while [ ! -e /tmp/go ]; do sleep 0.1; done; : $TESTTMP" &
a=$!
# It, not a runner of wait_for below, makes the cell: its keeper listens first.
wait_for grep -q "@jobcell/root/o$$\$" /proc/net/unix
wait_for run --cell o$$ --image "$IMG/oci" -- /bin/test -e /tmp/up
# The image is gone from its place: only a runner that opened it would notice.
mv "$IMG/oci" "$IMG/oci.away"
out=$(run --cell o$$ --image "$IMG/oci" --status-file "$TESTTMP/b.json" -- /bin/sh -c 'cat /etc/imgmark; echo "$FROM_IMAGE"; pwd' 2>&1)
is "a joiner runs in the cell's image, with its config" "$out" "layer2
yes
/work"
is "...without opening the image (it was moved away): it only joined" "$(field "$TESTTMP/b.json" 's["cell_created"], s["image"]["imported"], s["image"]["kind"]')" "(False, False, 'oci')"
mv "$IMG/oci.away" "$IMG/oci"
run --cell o$$ --image "$IMG/oci" -- /bin/touch /tmp/go
wait $a
is "the creator imported it" "$(field "$TESTTMP/a.json" 's["cell_created"], s["image"]["imported"]')" "(True, True)"
wait_for gone

# --- the creator leaves first: squashfuse stays up for the others -------
run --cell s$$ --image "$IMG/img.sqsh" -- /bin/sh -c "touch /tmp/up; while [ ! -e /tmp/a-go ]; do sleep 0.1; done; : $TESTTMP A" &
a=$!
wait_for in_cell s$$ /bin/test -e /tmp/up
run --cell s$$ --image "$IMG/img.sqsh" -- /bin/sh -c "while [ ! -e /tmp/b-go ]; do sleep 0.1; done; cat /etc/imgmark; : $TESTTMP B" > "$TESTTMP/b.out" 2>&1 &
b=$!
wait_for pgrep -u "$JC_TEST_USER" -f "$TESTTMP B"
in_cell s$$ /bin/touch /tmp/a-go
wait $a
is "the creator has left" "$(pgrep -u "$JC_TEST_USER" -f "$TESTTMP A" | wc -l)" "0"
is "...squashfuse still serves the cell" "$(squashfuses)" "1"
in_cell s$$ /bin/touch /tmp/b-go
wait $b
is "...and the joiner still reads the image" "$(cat "$TESTTMP/b.out")" "layer2"
wait_for gone
is "the cell ended: no squashfuse, no mount, no process" "$(squashfuses):$(leftovers)" "0:none"

# --- kill -9 of the runner, or of the keeper, leaves nothing -------------
keeper_of() { # the keeper of this file's cell whose job carries $1
        local p
        for p in $(pgrep -x jobcell-keeper); do
                grep -q "$1" "/proc/$p/cmdline" 2> /dev/null && echo "$p"
        done
}
for victim in runner keeper; do
        for kind in oci squashfuse kernel; do
                case $kind in
                oci) args="--policy $POL --image $IMG/oci" ;;
                squashfuse) args="--policy $POL --image $IMG/img.sqsh" ;;
                kernel) args="--policy $KPOL --image $IMG/img.sqsh" ;;
                esac
                tag="$TESTTMP K-$victim-$kind"
                # shellcheck disable=SC2086
                "$JOBCELL" run --user "$JC_TEST_USER" $args -- /bin/sh -c "sleep 60; : $tag" 2> /dev/null &
                r=$!
                wait_for pgrep -u "$JC_TEST_USER" -f "$tag"
                case $kind in
                oci)
                        out=$(img rm "$OCI_ID" 2>&1)
                        like "$victim kill -9, $kind: while the job runs, the entry is held" "$out" "in use"
                        ;;
                squashfuse) is "$victim kill -9, $kind: squashfuse serves the cell" "$(squashfuses)" "1" ;;
                kernel) is "$victim kill -9, $kind: a loop device serves the cell" "$(loops)" "1" ;;
                esac
                if [ $victim = runner ]; then
                        kill -9 $r
                else
                        kill -9 $(keeper_of "$TESTTMP")
                fi
                wait $r 2> /dev/null
                is "$victim kill -9, $kind: the runner ends (137)" "$?" "137"
                wait_for gone
                is "$victim kill -9, $kind: no process, no squashfuse, no loop device, no mount" \
                        "$(leftovers):$(squashfuses):$(loops)" "none:0:0"
                if [ $kind = oci ]; then
                        ok "$victim kill -9, $kind: no lock held: image rm succeeds" img rm "$OCI_ID"
                fi
        done
done

# --- 16 concurrent first starts of one uncached image import it once ----
rm -rf "$CACHE"
for i in $(seq 16); do
        run --image "$IMG/oci.tar" --status-file "$TESTTMP/c.$i.json" -- /bin/cat /etc/imgmark > "$TESTTMP/c.$i.out" 2>&1 &
done
wait
is "16 concurrent first starts: all ran" "$(cat "$TESTTMP"/c.*.out | sort | uniq -c | awk '{print $1, $2}')" "16 layer2"
is "...one of them imported the image" "$(for i in $(seq 16); do field "$TESTTMP/c.$i.json" 's["image"]["imported"]'; done | grep -c True)" "1"
is "...into one entry, nothing half-built" "$(ls "$CACHE/images" | wc -l):$(ls "$CACHE/tmp" | wc -l)" "1:0"

# --- rootless: the user's own cache, squashfuse only ---------------------
if [ "$(cat /proc/sys/kernel/unprivileged_userns_clone 2> /dev/null || echo 1)" = 1 ]; then
        as_user() { setpriv --reuid="$JC_UID" --regid="$JC_GID" --init-groups --reset-env env XDG_CACHE_HOME="$TESTTMP/ucache" "$@"; }
        mkdir -m 700 "$TESTTMP/ucache" && chown "$JC_UID:$JC_GID" "$TESTTMP/ucache"
        # The policy's cache is root's: a rootless runner uses its own.
        out=$(as_user "$JOBCELL" run --policy "$POL" --image "$IMG/oci.tar" -- /bin/sh -c 'cat /etc/imgmark; pwd' 2> /dev/null)
        is "rootless: an OCI archive runs" "$out" "layer2
/work"
        is "rootless: ...unpacked into the user's own cache" "$(ls "$TESTTMP/ucache/jobcell/images")" "${OCI_ID#sha256:}"
        is "rootless: ...which the user owns" "$(stat -c %U "$TESTTMP/ucache/jobcell/images/${OCI_ID#sha256:}/rootfs/bin/busybox")" "$JC_TEST_USER"
        fuse_mode=$(stat -c %a /dev/fuse)
        at_exit "chmod $fuse_mode /dev/fuse"
        chmod 600 /dev/fuse
        out=$(as_user "$JOBCELL" run --policy "$POL" --image "$IMG/img.sqsh" -- /bin/echo RAN 2>&1); rc=$?
        is "rootless: squashfs without FUSE for the user: 125, nothing runs" "$rc:$(echo "$out" | grep -c RAN)" "125:0"
        is "rootless: ...saying so in one line" "$(echo "$out" | grep -c "squashfs images need FUSE, which is not available to this user")" "1"
        chmod 666 /dev/fuse
        for p in "$POL" "$KPOL"; do
                out=$(as_user "$JOBCELL" run --policy "$p" --image "$IMG/img.sqsh" -- /bin/sh -c "cat /etc/imgmark; : $TESTTMP" 2> /dev/null)
                is "rootless: a squashfs runs with squashfuse ($(basename "$p"))" "$out" "layer2"
        done
        chmod "$fuse_mode" /dev/fuse
        wait_for gone
        is "rootless: nothing left" "$(leftovers):$(squashfuses):$(loops)" "none:0:0"
fi
done_testing
