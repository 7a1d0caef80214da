# tests/: unit (no root), sandbox integration (root), Slurm end-to-end.
UNIT_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
UNIT_LIBS = libjcpolicy.la
# Unit tests of the runner's own code (runner/*.c).
RUNNER_UNIT_CPPFLAGS = $(UNIT_CPPFLAGS) -I$(top_srcdir)/runner
RUNNER_UNIT_LIBS = libjcrunner.la libjccgroup.la libjcimage.la $(UNIT_LIBS)

check_PROGRAMS += tests/unit/test_values
tests_unit_test_values_SOURCES = tests/unit/test_values.c
tests_unit_test_values_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_values_LDADD = $(UNIT_LIBS)
TESTS += tests/unit/test_values
EXTRA_DIST += tests/tap.h tests/unit/testlib.h

check_PROGRAMS += tests/unit/test_policy
tests_unit_test_policy_SOURCES = tests/unit/test_policy.c
tests_unit_test_policy_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_policy_LDADD = $(UNIT_LIBS)
TESTS += tests/unit/test_policy

check_PROGRAMS += tests/unit/test_resolve
tests_unit_test_resolve_SOURCES = tests/unit/test_resolve.c
tests_unit_test_resolve_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_resolve_LDADD = $(UNIT_LIBS)
TESTS += tests/unit/test_resolve

check_PROGRAMS += tests/unit/test_spec_json
tests_unit_test_spec_json_SOURCES = tests/unit/test_spec_json.c
tests_unit_test_spec_json_CPPFLAGS = $(UNIT_CPPFLAGS) $(JSONC_CFLAGS)
tests_unit_test_spec_json_LDADD = $(UNIT_LIBS)
TESTS += tests/unit/test_spec_json

TESTS += tests/cli/policy.sh tests/cli/options.sh
EXTRA_DIST += tests/lib.sh tests/cli/policy.sh tests/cli/options.sh doc/examples/policy.ini

# The probe runs inside the tests' busybox image: static, and built
# without the sanitizers (their runtimes are not in that image).
check_PROGRAMS += tests/probe/jcprobe
tests_probe_jcprobe_SOURCES = tests/probe/probe.c
tests_probe_jcprobe_CFLAGS = -O2 -Wall
tests_probe_jcprobe_CPPFLAGS =
tests_probe_jcprobe_LDFLAGS = -all-static -pthread
EXTRA_DIST += tests/sandbox/lib.sh

SANDBOX_TESTS = \
	tests/sandbox/isolation.sh \
	tests/sandbox/identity.sh \
	tests/sandbox/privileges.sh \
	tests/sandbox/filesystem.sh \
	tests/sandbox/exit.sh \
	tests/sandbox/cells.sh \
	tests/sandbox/cleanup.sh \
	tests/sandbox/stuck_keeper.sh \
	tests/sandbox/rootless.sh \
	tests/sandbox/workloads.sh \
	tests/sandbox/handover.sh \
	tests/sandbox/policy_fields.sh \
	tests/sandbox/resources.sh
TESTS += $(SANDBOX_TESTS)
EXTRA_DIST += $(SANDBOX_TESTS)

# --- cgroups (issue 4): the library without root, then for real ---------
check_PROGRAMS += tests/unit/test_cgroup
tests_unit_test_cgroup_SOURCES = tests/unit/test_cgroup.c
tests_unit_test_cgroup_CPPFLAGS = $(UNIT_CPPFLAGS) $(JSONC_CFLAGS)
tests_unit_test_cgroup_LDADD = libjccgroup.la libjcpolicy.la $(JSONC_LIBS)
TESTS += tests/unit/test_cgroup

# Real cgroups, as root: v1 on the host.  The same program runs in a VM
# on cgroup v2, and so does jobcell run (tests/cgroup/v2-vm.sh running
# tests/cgroup/v2-run.sh there; `make check-v2').
check_PROGRAMS += tests/cgroup/real
tests_cgroup_real_SOURCES = tests/cgroup/real.c
tests_cgroup_real_CPPFLAGS = $(UNIT_CPPFLAGS) $(JSONC_CFLAGS)
tests_cgroup_real_CFLAGS = $(AM_CFLAGS) -pthread
tests_cgroup_real_LDADD = libjccgroup.la libjcpolicy.la $(JSONC_LIBS)
TESTS += tests/cgroup/real
TESTS += tests/cgroup/v2-vm.sh
EXTRA_DIST += tests/cgroup/v2-vm.sh tests/cgroup/vm-kernel.sh tests/cgroup/v2-run.sh

# The v2 run needs a kernel image: $JC_VM_KERNEL, /boot/vmlinuz-*, or
# the one `make vm-kernel' fetches (apt-get download).  Without one the
# VM test skips; `make check-v2' fetches it and runs only that test.
vm-kernel:
	$(SHELL) $(top_srcdir)/tests/cgroup/vm-kernel.sh $${JC_VM_CACHE:-/var/tmp/jobcell-vm}
check-v2: tests/cgroup/real tests/probe/jcprobe jobcell
	@test -n "$$JC_VM_KERNEL" || ls /boot/vmlinuz-* >/dev/null 2>&1 || $(MAKE) $(AM_MAKEFLAGS) vm-kernel
	$(MAKE) $(AM_MAKEFLAGS) check TESTS=tests/cgroup/v2-vm.sh
.PHONY: vm-kernel check-v2

# The seccomp filter (runner/seccomp*.c): attacks from child processes, a
# threaded, an OpenMP and a Python program under it, JSON profiles, and
# `jobcell policy check' of the profiles a policy names.
check_PROGRAMS += tests/unit/test_seccomp tests/unit/seccomp_omp
tests_unit_test_seccomp_SOURCES = tests/unit/test_seccomp.c
tests_unit_test_seccomp_CPPFLAGS = $(UNIT_CPPFLAGS) $(SECCOMP_CFLAGS)
tests_unit_test_seccomp_LDADD = $(RUNNER_UNIT_LIBS) $(SECCOMP_LIBS) -lpthread
tests_unit_seccomp_omp_SOURCES = tests/unit/seccomp_omp.c
tests_unit_seccomp_omp_CFLAGS = $(AM_CFLAGS) $(OPENMP_CFLAGS)
tests_unit_seccomp_omp_LDFLAGS = $(AM_LDFLAGS) $(OPENMP_CFLAGS)
TESTS += tests/unit/test_seccomp tests/cli/seccomp.sh
EXTRA_DIST += tests/cli/seccomp.sh

# Images (doc/images.md).
IMAGE_LIBS = libjcimage.la libjcpolicy.la
check_PROGRAMS += tests/image/test_image_config tests/image/sqfs_probe
tests_image_test_image_config_SOURCES = tests/image/test_image_config.c
tests_image_test_image_config_CPPFLAGS = $(UNIT_CPPFLAGS) $(NETTLE_CFLAGS)
tests_image_test_image_config_LDADD = $(IMAGE_LIBS)
tests_image_sqfs_probe_SOURCES = tests/image/sqfs_probe.c
tests_image_sqfs_probe_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_image_sqfs_probe_LDADD = $(IMAGE_LIBS)
TESTS += tests/image/test_image_config tests/image/import.sh tests/image/squashfs.sh
EXTRA_DIST += tests/image/mkimage.sh tests/image/import.sh tests/image/squashfs.sh
# jobcell run over every kind of image, and the cell's hold on it (root).
TESTS += tests/image/run.sh tests/image/run_cells.sh
EXTRA_DIST += tests/image/runlib.sh tests/image/run.sh tests/image/run_cells.sh

# tests/slurm/: a real one-node cluster (cluster.sh); root, Slurm and munge.
TESTS += tests/slurm/smoke.sh tests/slurm/plugin.sh tests/slurm/sandbox.sh tests/slurm/mpi.sh
EXTRA_DIST += tests/slurm/cluster.sh tests/slurm/smoke.sh tests/slurm/plugin.sh \
	tests/slurm/runner-stub.sh tests/slurm/README.md tests/slurm/sandbox.sh \
	tests/slurm/mpi.sh tests/slurm/mpi_ring.c
if WITH_SLURM
# An attacker's srun for plugin.sh (LD_PRELOAD), never installed.
check_LTLIBRARIES = tests/slurm/forge_partition.la
tests_slurm_forge_partition_la_SOURCES = tests/slurm/forge_partition.c
tests_slurm_forge_partition_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
tests_slurm_forge_partition_la_LIBADD = -ldl
endif

# The plugin's Slurm-free part: plugstack arguments, trust check, decision.
check_PROGRAMS += tests/unit/test_spank
tests_unit_test_spank_SOURCES = tests/unit/test_spank.c
tests_unit_test_spank_CPPFLAGS = $(UNIT_CPPFLAGS) -I$(top_srcdir)/spank_plugin
tests_unit_test_spank_LDADD = libjcspank.la $(RUNNER_UNIT_LIBS)
TESTS += tests/unit/test_spank

# The relay's copying loop (runner/relay_loop.c), on 127.0.0.1, no root.
check_PROGRAMS += tests/unit/test_relay
tests_unit_test_relay_SOURCES = tests/unit/test_relay.c
tests_unit_test_relay_CPPFLAGS = $(RUNNER_UNIT_CPPFLAGS)
tests_unit_test_relay_LDADD = $(RUNNER_UNIT_LIBS)
TESTS += tests/unit/test_relay

# The runner's messages (runner/sync.c): a peer's last word survives a reset.
check_PROGRAMS += tests/unit/test_sync
tests_unit_test_sync_SOURCES = tests/unit/test_sync.c
tests_unit_test_sync_CPPFLAGS = $(RUNNER_UNIT_CPPFLAGS)
tests_unit_test_sync_LDADD = $(RUNNER_UNIT_LIBS)
TESTS += tests/unit/test_sync

# Paths inside a sandbox root (runner/pathres.c): never out through a symlink.
check_PROGRAMS += tests/unit/test_pathres
tests_unit_test_pathres_SOURCES = tests/unit/test_pathres.c
tests_unit_test_pathres_CPPFLAGS = $(RUNNER_UNIT_CPPFLAGS)
tests_unit_test_pathres_LDADD = $(RUNNER_UNIT_LIBS)
TESTS += tests/unit/test_pathres
