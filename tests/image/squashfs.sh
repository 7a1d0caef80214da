#!/bin/bash
# squashfs images: detected from their content, mounted read-only, nosuid,
# nodev without unpacking, by squashfuse (unprivileged) or the kernel.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
[ "$(id -u)" = 0 ] || skip_all "mounting needs root"
command -v mksquashfs > /dev/null || bail_out "mksquashfs missing (install-deps.sh)"
jc_tmpdir
cd "$TESTTMP" || bail_out "cd"
PROBE=$top_builddir/tests/image/sqfs_probe
mkdir -p src/a && echo hello > src/a/f && echo x > src/suid && chmod 4755 src/suid
mksquashfs src img.bin -quiet -noappend -all-root > /dev/null || bail_out "mksquashfs"
chmod 644 img.bin

out=$("$JOBCELL" image --cache "$TESTTMP/c" import img.bin 2>&1); rc=$?
is "import: a squashfs (named .bin) is recognised by its content" "$rc" 0
like "import: nothing to unpack" "$out" "squashfs $TESTTMP/img.bin: mounted when a job starts"
D=sha256:$(sha256sum img.bin | cut -d' ' -f1)
out=$("$JOBCELL" image --cache "$TESTTMP/c" import "img.bin@$D" 2>&1); rc=$?
is "digest: the file's sha256 matches" "$rc" 0
like "digest: says it was verified" "$out" "digest verified: $D"
out=$("$JOBCELL" image --cache "$TESTTMP/c" import "img.bin@sha256:$(printf %064d 0)" 2>&1); rc=$?
is "digest: another digest is refused" "$rc" 1
like "digest: names both" "$out" "has digest $D, not sha256:"
printf '[defaults]\nimage_formats = oci\n' > p.ini
out=$("$JOBCELL" image --policy p.ini --cache "$TESTTMP/c" import img.bin 2>&1); rc=$?
is "policy: squashfs not in image_formats is refused" "$rc" 1

for how in squashfuse kernel; do
        loops_before=$(losetup -a | wc -l)
        out=$("$PROBE" $how img.bin 65534 65534 2>&1); rc=$?
        is "$how: probe runs" "$rc" 0
        like "$how: mounted" "$out" "mounted=1"
        like "$how: the file reads back" "$out" "content=hello"
        like "$how: read-only" "$out" "rdonly=1"
        like "$how: nosuid" "$out" "nosuid=1"
        like "$how: nodev" "$out" "nodev=1"
        like "$how: a write is refused" "$out" "write=Read-only file system"
        like "$how: unmounted" "$out" "unmounted=1"
        like "$how: the mount point is left empty" "$out" "target_empty=1"
        is "$how: no loop device left" "$(losetup -a | wc -l)" "$loops_before"
        if [ $how = squashfuse ]; then
                like "squashfuse: runs as the given user" "$out" "daemon_Uid=65534	65534	65534	65534"
                like "squashfuse: without capabilities" "$out" "daemon_CapEff=0000000000000000"
                like "squashfuse: with no_new_privs" "$out" "daemon_NoNewPrivs=1"
                like "squashfuse: gone after the unmount" "$out" "daemon=gone"
        fi
        # A file with the squashfs magic and nothing valid after it.
        { printf 'hsqs'; head -c 8192 /dev/urandom; } > bad.sqsh
        out=$("$PROBE" $how bad.sqsh 65534 65534 2>&1); rc=$?
        is "$how: a corrupt squashfs is refused" "$rc" 1
        like "$how: says why" "$out" "error="
        is "$how: no loop device left after a refusal" "$(losetup -a | wc -l)" "$loops_before"
done
unlike "nothing left mounted" "$(cat /proc/self/mountinfo)" "jc-sqfs-"
# Ours only: other test files running at the same time mount theirs.
ours() { for p in $(pgrep -f 'squashfuse -f /dev/fd/4'); do readlink "/proc/$p/fd/4"; done | grep -c "^$TESTTMP/"; }
is "no squashfuse left running" "$(ours)" 0
done_testing
