#!/bin/bash
# Install what jobcell needs to build and test, on Debian/Ubuntu.  One
# package a line, the RHEL/Fedora name beside it, so that merges are easy.
set -euo pipefail
pkgs=(
	libarchive-dev  # libarchive-devel: unpacks OCI and Docker image layers
	nettle-dev      # nettle-devel: sha256 to verify image blobs
	squashfuse      # squashfuse: mounts squashfs images in user space
	squashfs-tools  # squashfs-tools: mksquashfs, for the tests
)
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${pkgs[@]}"
