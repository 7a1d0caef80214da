#!/bin/bash
# install-deps.sh: the Debian packages jobcell builds and tests with.
# One package per line, the RHEL-family name beside it.  Usage: ./install-deps.sh
set -euo pipefail
pkgs=(
        slurmctld     # slurm-slurmctld: the Slurm test harness (tests/slurm/)
        slurmd        # slurm-slurmd
        slurm-client  # slurm
        libslurm-dev  # slurm-devel: slurm/spank.h, for the SPANK plugin
        munge         # munge
        libpmix-dev   # pmix-devel: slurm's mpi/pmix plugin dlopens pmix2/lib/libpmix.so
)
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${pkgs[@]}"
