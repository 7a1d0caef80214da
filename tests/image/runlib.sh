# Images for `jobcell run' tests (sourced after tests/lib.sh,
# tests/sandbox/lib.sh and tests/image/mkimage.sh): the sandbox tests'
# busybox root plus a second layer, as every kind of image.
#
#   $IMG/oci $IMG/oci.tar $IMG/dock $IMG/dock.tar   OCI layout and docker save (dir, tar)
#   $IMG/img.sqsh                                   squashfs of the same tree
#   $OCI_ID $DOCKER_ID $SQSH_ID                      their digests
# The second layer adds /etc/imgmark ("layer2"), /bin/entry (prints its
# arguments, then runs them), /work and a world-writable /scratch.
# The config: Env PATH=/usr/bin:/bin FROM_IMAGE=yes CUDA_VERSION=11.8,
# WorkingDir /work, User 1000, Entrypoint /bin/entry, Cmd /bin/echo from-cmd.
IMG=$TESTTMP/img
CACHE=$TESTTMP/cache
mkdir -p "$IMG/l2/etc" "$IMG/l2/bin" "$IMG/l2/work" "$IMG/l2/scratch" || bail_out "mkdir"
echo layer2 > "$IMG/l2/etc/imgmark"
printf '#!/bin/sh\necho "entry:$*"\n[ $# -gt 0 ] && exec "$@"\n' > "$IMG/l2/bin/entry"
chmod 755 "$IMG/l2/bin/entry"
chmod 1777 "$IMG/l2/scratch"
mk_layer "$ROOTFS" "$IMG/L1.tar" && mk_layer "$IMG/l2" "$IMG/L2.tgz" gz || bail_out "mk_layer"
export MK_CMD='["/bin/echo","from-cmd"]'
OCI_ID=$(mk_oci "$IMG/oci" "$IMG/L1.tar" "$IMG/L2.tgz") || bail_out "mk_oci"
DOCKER_ID=$(mk_docker "$IMG/dock" "$IMG/L1.tar" "$IMG/L2.tgz") || bail_out "mk_docker"
unset MK_CMD
mk_tar "$IMG/oci" "$IMG/oci.tar" && mk_tar "$IMG/dock" "$IMG/dock.tar" || bail_out "mk_tar"
mkdir "$IMG/sq" && cp -a "$ROOTFS/." "$IMG/l2/." "$IMG/sq/" || bail_out "cp"
mksquashfs "$IMG/sq" "$IMG/img.sqsh" -quiet -noappend -all-root > /dev/null || bail_out "mksquashfs"
SQSH_ID=sha256:$(sha256sum "$IMG/img.sqsh" | cut -d' ' -f1)
chmod -R a+rX "$IMG"

# The policy: the cache in TESTTMP, a writable root and fakeroot allowed.
POL=$(policy images <<EOP
[defaults]
image_cache_dir = $CACHE
writable_allowed = true
identity_allowed = user, fakeroot
EOP
)
KPOL=$(policy kernel <<EOP
[defaults]
image_cache_dir = $CACHE
writable_allowed = true
squashfs_mount = kernel
EOP
)

chmod 644 "$POL" "$KPOL"

# run [run options] -- CMD...: the test user's job, with the policy above.
run() { "$JOBCELL" run --policy "$POL" --user "$JC_TEST_USER" "$@"; }

# A field of a status record: field FILE EXPR (python, s = the record).
field() { python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# squashfuse processes serving one of this file's images (fd 4 is the
# image): their PIDs and their number; and loop devices backed by one.
squashfuse_pids() {
        local p
        for p in $(pgrep -x squashfuse); do
                case $(readlink "/proc/$p/fd/4" 2> /dev/null) in "$TESTTMP"/*) echo "$p" ;; esac
        done
}
squashfuses() { squashfuse_pids | wc -l; }
loops() { losetup -a 2> /dev/null | grep -c "$TESTTMP"; }
