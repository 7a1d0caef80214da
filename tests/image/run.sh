#!/bin/bash
# jobcell run over every kind of image: an OCI layout (directory and tar),
# a docker save archive (directory and tar), a squashfs (squashfuse and the
# kernel's driver); the image's config and the Pyxis overrides; a writable
# root over them, discarded; digests; images the user cannot read; the Slurm
# hand-over with the image its spec names; errors.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sandbox/lib.sh"
. "$top_srcdir/tests/image/mkimage.sh"
command -v mksquashfs > /dev/null || bail_out "mksquashfs missing (install-deps.sh)"
. "$top_srcdir/tests/image/runlib.sh"

# --- every kind runs a command ----------------------------------------
for i in oci oci.tar dock dock.tar img.sqsh; do
        out=$(run --image "$IMG/$i" --status-file "$TESTTMP/st.json" -- /bin/sh -c "cat /etc/imgmark; id -u; : $TESTTMP" 2>&1)
        is "$i: the job runs in the image, as the user" "$out" "layer2
$JC_UID"
done
is "status: the kind of image" "$(field "$TESTTMP/st.json" 's["image"]["kind"]')" "squashfs"
out=$("$JOBCELL" run --policy "$KPOL" --user "$JC_TEST_USER" --image "$IMG/img.sqsh" -- /bin/sh -c "cat /etc/imgmark; grep -c ' / overlay ro,' /proc/mounts" 2>&1)
is "squashfs by the kernel's driver: runs, read-only root" "$out" "layer2
1"
is "squashfs by the kernel's driver: no loop device left" "$(loops)" "0"
is "squashfuse: none left" "$(squashfuses)" "0"
# The keeper ends squashfuse itself: a runner waits for that, so a
# squashfuse that outlived its kill held every job's end (it once took 30 s,
# the runner's limit, until the runner gave up).
ok "squashfuse: the run ends at once when the job does" \
        timeout -s KILL 10 "$JOBCELL" run --policy "$POL" --user "$JC_TEST_USER" --image "$IMG/img.sqsh" -- /bin/true
# Slurm sends SIGTERM to every process of a cancelled step, squashfuse
# included: the job, in its grace period, still reads its image.
run --image "$IMG/img.sqsh" -- /bin/sh -c 'sleep 3; cat /etc/imgmark' > "$TESTTMP/term.out" 2>&1 &
job=$!
one_squashfuse() { [ "$(squashfuses)" = 1 ]; }
wait_for one_squashfuse
pids=$(squashfuse_pids)
[ -n "$pids" ] && kill -TERM $pids
wait $job
# The number of squashfuse processes signalled is part of the answer: none
# found would prove nothing.
is "squashfuse: a SIGTERM does not end it while the job runs" \
        "$? $(echo $pids | wc -w) $(cat "$TESTTMP/term.out")" "0 1 layer2"
# Owners read as the sandbox maps them, as for an idmapped directory: the
# image's uid 0 (mksquashfs -all-root) is root inside, not nobody.
is "squashfuse: the image's root-owned files are root's inside" "$(run --image "$IMG/img.sqsh" -- /bin/stat -c %u:%g /bin/busybox 2>&1)" "0:0"
is "squashfs (kernel): the same" "$("$JOBCELL" run --policy "$KPOL" --user "$JC_TEST_USER" --image "$IMG/img.sqsh" -- /bin/stat -c %u:%g /bin/busybox 2>&1)" "0:0"
is "oci: the cache entry's files are root's inside" "$(run --image "$IMG/oci" -- /bin/stat -c %u:%g /bin/busybox 2>&1)" "0:0"
out=$(run --image "$IMG/oci.tar" -- /bin/sh -c 'touch /etc/x 2>&1; touch /scratch/x 2>&1' | grep -c "Read-only file system")
is "oci: the root is read-only" "$out" "2"
is "oci: the cache holds one entry for the layout and its tar" "$(ls "$CACHE/images" | wc -l)" "2"

# --- the cache: imported once, then used --------------------------------
rm -rf "$CACHE"
run --image "$IMG/oci" --status-file "$TESTTMP/s1.json" -- /bin/true
run --image "$IMG/oci" --status-file "$TESTTMP/s2.json" -- /bin/true
is "status: the first start imports" "$(field "$TESTTMP/s1.json" 's["image"]["imported"], s["image"]["digest"]')" "(True, '$OCI_ID')"
is "status: the next one uses the cache" "$(field "$TESTTMP/s2.json" 's["image"]["imported"]')" "False"
is "status: a directory image has no digest" \
        "$(run --image "$ROOTFS" --status-file "$TESTTMP/s3.json" -- /bin/true; field "$TESTTMP/s3.json" 's["image"]')" \
        "{'kind': 'dir', 'digest': None, 'imported': False}"

# --- the image's config, and the request's overrides (Pyxis' meaning) ---
for i in oci dock.tar; do
        is "$i: no command: the image's Cmd" "$(run --image "$IMG/$i" 2>&1)" "from-cmd"
        is "$i: --entrypoint, no command: Entrypoint then Cmd" "$(run --entrypoint --image "$IMG/$i" 2>&1)" "entry:/bin/echo from-cmd
from-cmd"
        is "$i: --entrypoint and a command: Entrypoint then the command" \
                "$(run --entrypoint --image "$IMG/$i" -- /bin/echo mine 2>&1)" "entry:/bin/echo mine
mine"
        is "$i: a command without --entrypoint: the command alone" "$(run --image "$IMG/$i" -- /bin/echo mine 2>&1)" "mine"
done
out=$(env -i PATH=/usr/local/bin:/usr/bin:/bin CUDA_VERSION=12.4 MINE=1 "$JOBCELL" run --policy "$POL" --user "$JC_TEST_USER" --image "$IMG/oci" -- /bin/sh -c 'echo "$FROM_IMAGE $CUDA_VERSION $MINE $PATH"' 2>&1)
is "env: the image's Env, then the job's variables the image does not set" "$out" "yes 11.8 1 /usr/bin:/bin"
out=$(env -i PATH=/usr/local/bin:/usr/bin:/bin CUDA_VERSION=12.4 "$JOBCELL" run --policy "$POL" --user "$JC_TEST_USER" --env CUDA_VERSION,PATH --image "$IMG/oci" -- /bin/sh -c 'echo "$CUDA_VERSION $PATH"' 2>&1)
is "env: --env (--container-env) names take the job's value" "$out" "12.4 /usr/local/bin:/usr/bin:/bin"
is "workdir: the image's WorkingDir" "$(run --image "$IMG/oci" -- /bin/pwd 2>&1)" "/work"
is "workdir: --workdir (--container-workdir) wins" "$(run --workdir /scratch --image "$IMG/oci" -- /bin/pwd 2>&1)" "/scratch"
is "user: the image's User (1000) is not obeyed: the policy's identity is" "$(run --image "$IMG/oci" -- /bin/id -u 2>&1)" "$JC_UID"
is "squashfs: no config: the runner's own working directory rule" "$(cd / && run --image "$IMG/img.sqsh" -- /bin/pwd 2>&1)" "/"
out=$(run --image "$ROOTFS" 2>&1); rc=$?
is "a directory image and no command: 125" "$rc" "125"
is "...in one line" "$out" "jobcell run: no command: none was given and the image has no Cmd"

# --- a writable root over an image, discarded at exit -----------------
sum_before=$(sha256sum "$IMG/img.sqsh")
out=$(run --writable --image "$IMG/img.sqsh" -- /bin/sh -c 'echo w > /scratch/new && cat /scratch/new' 2>&1)
is "squashfs: a writable root takes writes" "$out" "w"
is "squashfs: the next job sees none of it" "$(run --image "$IMG/img.sqsh" -- /bin/ls /scratch 2>&1)" ""
is "squashfs: the image file is unchanged" "$(sha256sum "$IMG/img.sqsh")" "$sum_before"
out=$(run --remap-root --writable --image "$IMG/img.sqsh" -- /bin/sh -c 'echo x > /etc/imgmark && rm /bin/ls && cat /etc/imgmark' 2>&1)
is "squashfs: root inside writes and deletes on a writable root" "$out" "x"
is "squashfs: ...and the next job sees none of it" "$(run --image "$IMG/img.sqsh" -- /bin/sh -c 'cat /etc/imgmark; ls /bin/ls' 2>&1)" "layer2
/bin/ls"
out=$("$JOBCELL" run --policy "$KPOL" --user "$JC_TEST_USER" --writable --image "$IMG/img.sqsh" -- /bin/sh -c 'echo w > /scratch/new && cat /scratch/new' 2>&1)
is "squashfs (kernel): a writable root takes writes" "$out" "w"
is "squashfs (kernel): the image file is unchanged" "$(sha256sum "$IMG/img.sqsh")" "$sum_before"
E=$CACHE/images/${OCI_ID#sha256:}/rootfs
run --remap-root --writable --image "$IMG/oci" -- /bin/sh -c 'touch /new && echo x > /etc/imgmark && rm /bin/ls'
is "oci: root inside writes and deletes on a writable root" "$?" "0"
is "oci: the next job sees none of it" "$(run --image "$IMG/oci" -- /bin/sh -c 'ls /new 2>/dev/null; cat /etc/imgmark; ls /bin/ls' 2>&1)" "layer2
/bin/ls"
ok "oci: the cache entry is unchanged" sh -c "[ ! -e '$E/new' ] && [ -e '$E/bin/ls' ] && [ \"\$(cat '$E/etc/imgmark')\" = layer2 ]"

# --- digests ------------------------------------------------------------
is "oci: IMG@sha256 of its manifest runs" "$(run --image "$IMG/oci.tar@$OCI_ID" -- /bin/cat /etc/imgmark 2>&1)" "layer2"
is "docker: IMG@sha256 of its image ID runs" "$(run --image "$IMG/dock@$DOCKER_ID" -- /bin/cat /etc/imgmark 2>&1)" "layer2"
is "squashfs: IMG@sha256 of the file runs" "$(run --image "$IMG/img.sqsh@$SQSH_ID" -- /bin/cat /etc/imgmark 2>&1)" "layer2"
for i in oci.tar img.sqsh; do
        out=$(run --image "$IMG/$i@sha256:$(printf '%064d' 7)" -- /bin/echo RAN 2>&1); rc=$?
        is "$i: another digest: 125, nothing runs" "$rc:$(echo "$out" | grep -c RAN)" "125:0"
        like "$i: ...saying so in one line" "$(echo "$out" | wc -l):$out" "1:jobcell run: "
done
out=$(run --image "$ROOTFS@$OCI_ID" -- /bin/echo RAN 2>&1); rc=$?
is "a directory with a digest: 125" "$rc" "125"
like "...it has none to check" "$out" "is a directory, which has no digest"

# --- an image the user cannot read is refused -----------------------------
mkdir -p "$TESTTMP/closed" && cp -a "$IMG/oci" "$IMG/oci.tar" "$IMG/img.sqsh" "$TESTTMP/closed/" && chmod 700 "$TESTTMP/closed"
cp "$IMG/img.sqsh" "$TESTTMP/mine.sqsh" && chmod 600 "$TESTTMP/mine.sqsh"
cp "$IMG/oci.tar" "$TESTTMP/mine.tar" && chmod 600 "$TESTTMP/mine.tar"
for i in closed/oci closed/oci.tar closed/img.sqsh mine.sqsh mine.tar; do
        out=$(run --image "$TESTTMP/$i" -- /bin/echo RAN 2>&1); rc=$?
        is "$i: an image the user cannot read: 125, nothing runs" "$rc:$(echo "$out" | grep -c RAN)" "125:0"
        like "$i: ...with the user's own rights" "$out" "Permission denied"
done

# --- the Slurm hand-over: the image the plugin's spec names ---------------
# The plugin's part played as tests/sandbox/handover.sh does: the user's
# uid, the securebit, only the runner's capabilities, the spec on fd 3.
# The keeper opens, imports or mounts the image with no more than those.
CAPS=$(sed -n 's/.*"\(cap_[^"]*\)".*/\1/p' "$top_srcdir/runner/handover_caps.h" | tr -d '\n' | sed 's/cap_//g; s/[^,]*/+&/g')
printf 'PATH=/usr/local/bin:/usr/bin:/bin\0HOME=/home/x\0CUDA_VERSION=12.4\0' > "$TESTTMP/env"
handover() { # POLICY IMAGE [explain options] -- ARGV
        local pol=$1 img=$2 opts=(); shift 2
        while [ "$1" != -- ]; do opts+=("$1"); shift; done
        "$JOBCELL" policy explain --json --policy "$pol" --image="$img" "${opts[@]}" > "$TESTTMP/spec.json" || return 125
        env -i setpriv --reuid="$JC_UID" --regid="$JC_GID" --init-groups --securebits=+no_setuid_fixup \
                --inh-caps="$CAPS" --ambient-caps="$CAPS" \
                "$JOBCELL" run --slurm --spec-fd=3 --env-fd=4 "$@" 3<"$TESTTMP/spec.json" 4<"$TESTTMP/env"
}
rm -rf "$CACHE"
out=$(handover "$POL" "$IMG/oci.tar" -- /bin/sh -c 'cat /etc/imgmark; id -u; echo "$FROM_IMAGE $CUDA_VERSION $PATH"; pwd' 2>&1)
is "--slurm: an OCI tar from the spec runs, with its config" "$out" "layer2
$JC_UID
yes 11.8 /usr/bin:/bin
/work"
is "--slurm: ...imported into the cache" "$(ls "$CACHE/images" 2> /dev/null | wc -l)" "1"
is "--slurm: the spec's entrypoint" "$(handover "$POL" "$IMG/oci.tar" --entrypoint -- /bin/echo mine 2>&1)" "entry:/bin/echo mine
mine"
is "--slurm: a squashfs by squashfuse" "$(handover "$POL" "$IMG/img.sqsh" -- /bin/sh -c 'cat /etc/imgmark; stat -c %u:%g /bin/busybox' 2>&1)" "layer2
0:0"
is "--slurm: a squashfs by the kernel's driver" "$(handover "$KPOL" "$IMG/img.sqsh@$SQSH_ID" -- /bin/cat /etc/imgmark 2>&1)" "layer2"
out=$(handover "$POL" "$TESTTMP/mine.tar" -- /bin/echo RAN 2>&1); rc=$?
is "--slurm: an image the user cannot read: 125, nothing runs" "$rc:$(echo "$out" | grep -c RAN)" "125:0"
like "--slurm: ...opened with the user's rights, not the runner's" "$out" "Permission denied"
is "--slurm: no squashfuse or loop device left" "$(squashfuses):$(loops)" "0:0"

# --- errors: one line, 125, nothing runs, nothing cached -----------------
rm -rf "$CACHE"
mkdir -p "$TESTTMP/bad" && echo hello > "$TESTTMP/bad/hello" && tar -C "$TESTTMP/bad" -cf "$TESTTMP/bad.tar" hello
cp "$IMG/oci.tar" "$TESTTMP/trunc.tar" && truncate -s 20000 "$TESTTMP/trunc.tar"
{ printf 'hsqs'; head -c 8192 /dev/zero; } > "$TESTTMP/bad.sqsh"
chmod 644 "$TESTTMP"/*.tar "$TESTTMP"/*.sqsh
printf '[defaults]\nimage_formats = dir\nimage_cache_dir = %s\n' "$CACHE" > "$TESTTMP/dironly.ini"
mkdir -m 777 "$TESTTMP/open-cache"
printf '[defaults]\nimage_cache_dir = %s\n' "$TESTTMP/open-cache" > "$TESTTMP/opencache.ini"
check_error() { # NAME WANT-IN-MESSAGE RUN-ARGS...
        local name=$1 want=$2 out rc; shift 2
        out=$("$JOBCELL" run --user "$JC_TEST_USER" "$@" -- /bin/echo RAN 2>&1); rc=$?
        is "$name: 125, nothing runs" "$rc:$(echo "$out" | grep -c RAN)" "125:0"
        is "$name: one line" "$(echo "$out" | wc -l)" "1"
        like "$name: ...which says why" "$out" "$want"
}
check_error "an archive that is no image" "neither an OCI image layout" --policy "$POL" --image "$TESTTMP/bad.tar"
check_error "a truncated archive" "Truncated input" --policy "$POL" --image "$TESTTMP/trunc.tar"
check_error "a corrupt squashfs" "squashfuse" --policy "$POL" --image "$TESTTMP/bad.sqsh"
check_error "a corrupt squashfs (kernel)" "squashfs" --policy "$KPOL" --image "$TESTTMP/bad.sqsh"
check_error "a kind the policy does not allow" "image_formats = dir" --policy "$TESTTMP/dironly.ini" --image "$IMG/oci"
check_error "a cache directory others may write" "must belong to uid 0" --policy "$TESTTMP/opencache.ini" --image "$IMG/oci"
# Runners that meet in one cell over a bad image all hear why.
for i in 1 2 3 4; do
        run --cell bad$$ --image "$TESTTMP/bad.tar" -- /bin/echo RAN > "$TESTTMP/bad.$i" 2>&1 &
done
wait
is "a cell over a bad image: every member hears why, nothing runs" \
        "$(cat "$TESTTMP"/bad.[1-4] | sed 's/`.*//' | sort | uniq -c | awk '{$1=$1; print}')" \
        "4 jobcell run:"
is "...the image's own error" "$(grep -c "neither an OCI image layout" "$TESTTMP"/bad.[1-4] | grep -c ':1$')" "4"
is "errors leave no cache entry" "$(ls "$CACHE/images" 2> /dev/null | wc -l)" "0"
is "errors leave no loop device" "$(loops)" "0"

is "squashfuse: none left" "$(squashfuses)" "0"
is "nothing is left behind" "$(leftovers)" "none"
done_testing
