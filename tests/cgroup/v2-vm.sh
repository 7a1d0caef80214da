#!/bin/bash
# The cgroup library, and `jobcell run', on a real cgroup v2 hierarchy:
# boot Debian's kernel in qemu (KVM when there is one, else emulation)
# with an initramfs of busybox, tests/cgroup/real, jobcell and a busybox
# image for its sandboxes, mount cgroup2 as the only hierarchy
# (cgroup_no_v1=all), run tests/cgroup/real and tests/cgroup/v2-run.sh
# there and pass their results on.
#
# The kernel comes from $JC_VM_KERNEL, else the newest /boot/vmlinuz-*,
# else $JC_VM_CACHE/vmlinuz (default /var/tmp/jobcell-vm, outside any build
# tree so that every build on the machine shares it; `make vm-kernel' fetches
# it with apt-get download).  See doc/resources.md.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

# Everything this needs can be had on the project's machines
# (install-deps.sh, apt): a missing piece is a failure, not a skip.
real=$top_builddir/tests/cgroup/real
[ -x "$real" ] || bail_out "tests/cgroup/real is not built"
probe=$top_builddir/tests/probe/jcprobe
[ -x "$probe" ] || bail_out "tests/probe/jcprobe is not built"
[ -x "$JOBCELL" ] || bail_out "jobcell is not built"
qemu=$(command -v qemu-system-x86_64) || bail_out "no qemu-system-x86_64 (install qemu-system-x86: install-deps.sh)"
busybox=$(command -v busybox) || bail_out "no busybox (install busybox-static: install-deps.sh)"
kernel=${JC_VM_KERNEL:-}
if [ -z "$kernel" ]; then
        kernel=$(ls -1v /boot/vmlinuz-* 2>/dev/null | tail -n 1)
        [ -r "$kernel" ] || kernel=${JC_VM_CACHE:-/var/tmp/jobcell-vm}/vmlinuz
fi
# Fetched once into the cache (apt-get download), then reused.
[ -r "$kernel" ] || "$top_srcdir/tests/cgroup/vm-kernel.sh" "$(dirname "$kernel")" >&2 ||
        bail_out "no kernel image for the VM, and apt-get download of Debian's failed"
[ -r "$kernel" ] || bail_out "no kernel image at $kernel"
# The overlay module of that kernel (jobcell mounts images with
# overlayfs): $JC_VM_OVERLAY, the kernel's own under /lib/modules, or the
# one `make vm-kernel' took from the same package.
overlay=${JC_VM_OVERLAY:-}
case $kernel in
/boot/vmlinuz-*) [ -n "$overlay" ] || overlay=$(ls /lib/modules/"${kernel#/boot/vmlinuz-}"/kernel/fs/overlayfs/overlay.ko* 2>/dev/null | head -n 1) ;;
"${JC_VM_CACHE:-/var/tmp/jobcell-vm}/vmlinuz")
        [ -n "$overlay" ] || overlay=$(dirname "$kernel")/overlay.ko
        [ -s "$overlay" ] || "$top_srcdir/tests/cgroup/vm-kernel.sh" "$(dirname "$kernel")" >&2 ||
                bail_out "no overlay module for the VM's kernel, and apt-get download of Debian's failed"
        ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/jc-v2vm-XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,proc,sys,dev,tmp,lib,lib64}

# The test program and the shared objects it needs, at the same paths.
copy_with_libs() {
        local f lib
        cp "$1" "$root/bin/"
        for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*'); do
                [ -e "$root$lib" ] && continue
                mkdir -p "$root$(dirname "$lib")"
                cp -L "$lib" "$root$lib"
        done
}
cp "$busybox" "$root/bin/busybox"
copy_with_libs "$busybox"
copy_with_libs "$real"
copy_with_libs "$JOBCELL"
cp "$top_srcdir/tests/cgroup/v2-run.sh" "$root/bin/v2-run.sh"
# The sandboxes' image (as tests/sandbox/lib.sh makes it) and their user.
mkdir -p "$root"/img/{bin,usr/bin,etc,proc,sys,dev,tmp,root,home} "$root/etc" "$root/run"
cp "$busybox" "$root/img/bin/busybox"
for a in $("$busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$root/img/bin/$a"; done
cp "$probe" "$root/img/usr/bin/jcprobe"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/img/etc/passwd"
printf 'root:x:0:\n' >"$root/img/etc/group"
printf 'root:x:0:0:root:/root:/bin/sh\njctest:x:1000:1000:jctest:/:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\njctest:x:1000:\n' >"$root/etc/group"
case $overlay in
*.xz) xz -dc "$overlay" >"$root/overlay.ko" ;;
*.zst) zstd -qdc "$overlay" >"$root/overlay.ko" ;;
?*) cp "$overlay" "$root/overlay.ko" ;;
esac
chmod -R a+rX "$root"

# Stage 1 moves to a tmpfs: pivot_root(2), which every sandbox does,
# refuses the initramfs as the root it leaves.
cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mkdir -p /newroot
/bin/busybox mount -t tmpfs -o mode=755 root /newroot
/bin/busybox cp -a /bin /lib /lib64 /usr /etc /img /run /init2 /overlay.ko /newroot/ 2>/dev/null
/bin/busybox mkdir -p /newroot/proc /newroot/sys /newroot/dev /newroot/tmp
exec /bin/busybox switch_root /newroot /init2
INIT
cat >"$root/init2" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t tmpfs tmp /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
echo 1 >/proc/sys/kernel/printk
echo JC-TAP-BEGIN
JC_EXPECT_CGROUP=2 TMPDIR=/tmp /bin/real 2>&1
echo "JC-EXIT $?"
echo JC-TAP-END
[ -e /overlay.ko ] && insmod /overlay.ko 2>/dev/null
echo JC-TAP-BEGIN
if grep -qw overlay /proc/filesystems; then
        sh /bin/v2-run.sh 2>&1
        echo "JC-EXIT $?"
else
        echo "Bail out! no overlay filesystem in the VM's kernel (JC_VM_OVERLAY names its module)"
fi
echo JC-TAP-END
poweroff -f
INIT
chmod +x "$root/init" "$root/init2"
(cd "$root" && find . | "$busybox" cpio -o -H newc 2>/dev/null | gzip -1 >"$work/initrd.gz") ||
        { echo "Bail out! cannot build the initramfs"; exit 1; }

accel=()
if [ -w /dev/kvm ]; then accel=(-enable-kvm -cpu host); fi
start=$(date +%s)
timeout 600 "$qemu" "${accel[@]}" -m 1024 -smp 2 -nographic -no-reboot \
        -kernel "$kernel" -initrd "$work/initrd.gz" \
        -append "console=ttyS0 quiet loglevel=1 panic=-1 cgroup_no_v1=all" \
        </dev/null >"$work/console" 2>&1
rc=$?
diag "VM ($(basename "$kernel"), ${accel[*]:-emulated}) ran $(($(date +%s) - start)) s, qemu status $rc"

# Pass the inner results on, numbered as ours: one section per program.
inner=$(tr -d '\r' <"$work/console" | sed -n '/JC-TAP-BEGIN$/,/^JC-TAP-END$/p')
if [ -z "$inner" ]; then
        diag "no results from the VM; its console said:" "$(tail -n 30 "$work/console")"
        _tap_result 1 "the VM ran the test"
        done_testing
fi
names=("tests/cgroup/real" "tests/cgroup/v2-run.sh")
section=0 plan= seen=0 status=
while IFS= read -r line; do
        case $line in
        *JC-TAP-BEGIN) plan= seen=0 status= ;;
        "ok "*) seen=$((seen + 1)); _tap_result 0 "vm: ${line#ok * - }" ;;
        "not ok "*) seen=$((seen + 1)); _tap_result 1 "vm: ${line#not ok * - }" ;;
        "1.."*) plan=${line#1..} ;;
        "Bail out!"*) diag "$line"; _tap_result 1 "vm: the test did not bail out" ;;
        "JC-EXIT "*) status=${line#JC-EXIT } ;;
        "#"*) echo "$line" ;;
        JC-TAP-END)
                is "${names[$section]} in the VM ran all it planned" "$seen" "${plan:-none}"
                is "${names[$section]} in the VM exited 0" "$status" 0
                section=$((section + 1))
                ;;
        esac
done <<<"$inner"
is "the VM ran both programs" "$section" 2
done_testing
