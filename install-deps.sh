#!/bin/bash
# Install what building and testing jobcell needs (Debian/Ubuntu).
# One package per line, the RHEL/Fedora name beside it.
set -euo pipefail

packages=(
	build-essential     # gcc make (RHEL: gcc make)
	autoconf            # autoconf
	automake            # automake
	libtool             # libtool
	pkg-config          # pkgconf-pkg-config
	libseccomp-dev      # libseccomp-devel
	libcap-ng-dev       # libcap-ng-devel
	libjson-c-dev       # json-c-devel
	libiniparser-dev    # iniparser-devel
	clang-format        # clang-tools-extra
	qemu-system-x86     # qemu-kvm (tests/cgroup/v2-vm.sh: cgroup v2 in a VM)
	busybox-static      # busybox (the VM's initramfs)
	xz-utils            # xz (tests/cgroup/vm-kernel.sh: a compressed overlay module)
)

export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends "${packages[@]}"
