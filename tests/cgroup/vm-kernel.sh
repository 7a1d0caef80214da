#!/bin/bash
# Fetch Debian's kernel image for the cgroup v2 VM test (make vm-kernel):
# `apt-get download' the package linux-image-amd64 points to and take
# vmlinuz out of it, and the overlay module (jobcell's sandboxes mount
# their image with overlayfs, a module in Debian's kernel).  Needs apt
# and its package lists, nothing else.
#
#   tests/cgroup/vm-kernel.sh DIR    -> DIR/vmlinuz, DIR/overlay.ko
set -euo pipefail

dir=${1:?usage: vm-kernel.sh DIR}
mkdir -p "$dir"
[ -s "$dir/vmlinuz" ] && [ -s "$dir/overlay.ko" ] && { echo "$dir/vmlinuz is there"; exit 0; }
pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/ { print $2; exit }')
[ -n "$pkg" ] || { echo "vm-kernel: apt knows no linux-image-amd64 (apt-get update?)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# As root, download as root: apt's _apt user may not write into $work.
sandbox=()
[ "$(id -u)" = 0 ] && sandbox=(-o APT::Sandbox::User=root)
(cd "$work" && apt-get download -q "${sandbox[@]}" "$pkg" >/dev/null)
dpkg-deb -x "$work"/*.deb "$work/x"
cp "$work"/x/boot/vmlinuz-* "$dir/vmlinuz"
ko=$(find "$work/x/lib/modules" -path '*/fs/overlayfs/overlay.ko*' | head -n 1)
case $ko in
*.xz) xz -dc "$ko" >"$dir/overlay.ko" ;;
*.zst) zstd -qdc "$ko" >"$dir/overlay.ko" ;;
?*) cp "$ko" "$dir/overlay.ko" ;;
*) echo "vm-kernel: no overlay module in $pkg" >&2; exit 1 ;;
esac
echo "$pkg" >"$dir/vmlinuz.package"
echo "vm-kernel: $dir/vmlinuz from $pkg"
