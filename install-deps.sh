#!/bin/bash
# Install every build and test dependency of jobcell on Debian 12 (or a
# Debian/Ubuntu like it).  Run as root, or as a user who may sudo.
#
# Idempotent and quiet: packages already installed are left alone (and
# when all are, nothing is fetched); apt's output is shown only when it
# fails.  Exits non-zero when anything could not be installed.
#
# One package per line, Debian name first, the RHEL-family (dnf) name in
# the comment beside it; on those systems install the commented names by
# hand (some come from EPEL), this script only speaks apt.
set -euo pipefail

packages=(
        # --- build -------------------------------------------------------
        build-essential    # RHEL: gcc make glibc-devel ("Development Tools")
        gcc                # RHEL: gcc
        make               # RHEL: make
        autoconf           # RHEL: autoconf
        automake           # RHEL: automake
        libtool            # RHEL: libtool
        pkg-config         # RHEL: pkgconf-pkg-config
        libseccomp-dev     # RHEL: libseccomp-devel
        libcap-ng-dev      # RHEL: libcap-ng-devel
        libiniparser-dev   # RHEL: iniparser-devel (EPEL)
        libjson-c-dev      # RHEL: json-c-devel
        libarchive-dev     # RHEL: libarchive-devel
        nettle-dev         # RHEL: nettle-devel (sha256 of image blobs)
        libc6-dev          # RHEL: glibc-devel glibc-static (the static probe)
        # --- Slurm: the plugin's header and a one-node test cluster ------
        libslurm-dev       # RHEL: slurm-devel (EPEL)
        slurmd             # RHEL: slurm-slurmd (EPEL)
        slurmctld          # RHEL: slurm-slurmctld (EPEL)
        slurm-client       # RHEL: slurm (EPEL)
        munge              # RHEL: munge (EPEL)
        libpmix2           # RHEL: pmix
        libpmix-dev        # RHEL: pmix-devel (Slurm's mpi/pmix dlopens pmix2/lib/libpmix.so)
        openmpi-bin        # RHEL: openmpi (tests/slurm/mpi.sh: srun --mpi=pmix in the sandbox)
        libopenmpi-dev     # RHEL: openmpi-devel
        mpich              # RHEL: mpich (tests/slurm/mpi.sh: srun --mpi=pmi2 in the sandbox)
        libmpich-dev       # RHEL: mpich-devel
        # --- images and sandbox tests ------------------------------------
        busybox-static     # RHEL: busybox (Fedora's is static; none in RHEL 9)
        bubblewrap         # RHEL: bubblewrap
        squashfuse         # RHEL: squashfuse (EPEL)
        squashfs-tools     # RHEL: squashfs-tools
        fuse3              # RHEL: fuse3
        iproute2           # RHEL: iproute
        procps             # RHEL: procps-ng
        psmisc             # RHEL: psmisc
        util-linux         # RHEL: util-linux
        python3            # RHEL: python3
        bc                 # RHEL: bc
        hyperfine          # RHEL: hyperfine (EPEL)
        # --- fuzzing, sanitizers, docs -----------------------------------
        clang              # RHEL: clang
        libclang-rt-14-dev # RHEL: compiler-rt (libFuzzer + sanitizers; Debian 12's clang is 14)
        groff-base         # RHEL: groff-base (make check lints the man pages)
        # --- cgroup v2 in a VM (tests/cgroup/v2-vm.sh) -------------------
        qemu-system-x86    # RHEL: qemu-kvm
        xz-utils           # RHEL: xz (tests/cgroup/vm-kernel.sh: the VM's compressed overlay module)
)

say() { printf 'install-deps: %s\n' "$*"; }
die() { say "$*" >&2; exit 1; }

command -v apt-get >/dev/null 2>&1 ||
        die "no apt-get here: install the packages named in the comments of $0 with dnf"

as_root=()
if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "run me as root (or install sudo)"
        as_root=(sudo)
fi

missing=()
for p in "${packages[@]}"; do
        status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        [ "$status" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
        say "all ${#packages[@]} packages are installed"
        exit 0
fi

log=$(mktemp "${TMPDIR:-/tmp}/install-deps.XXXXXX")
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
say "installing ${#missing[@]} of ${#packages[@]} packages: ${missing[*]}"
# Package scripts would start slurmd, slurmctld and munged with the
# distribution's configuration; the tests start their own daemons, and a
# stray one would hold their ports.  policy-rc.d (invoke-rc.d(8)) says no,
# for the length of this install only, unless the machine has its own.
rcd=/usr/sbin/policy-rc.d
if [ ! -e "$rcd" ]; then
        printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee "$rcd" >/dev/null
        "${as_root[@]}" chmod 755 "$rcd"
        trap 'rm -f "$log"; "${as_root[@]}" rm -f "$rcd"' EXIT
fi
if ! "${as_root[@]}" apt-get update -q >"$log" 2>&1; then
        cat "$log" >&2
        die "apt-get update failed"
fi
if ! "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
        cat "$log" >&2
        die "apt-get install failed"
fi
say "done"
