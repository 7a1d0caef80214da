# tests/: unit (no root), sandbox integration (root), Slurm end-to-end.
UNIT_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
UNIT_LIBS = libjcpolicy.la

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

TESTS += tests/cli/policy.sh
EXTRA_DIST += tests/lib.sh tests/cli/policy.sh doc/examples/policy.ini

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
	tests/sandbox/rootless.sh \
	tests/sandbox/workloads.sh \
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
	$(SHELL) $(top_srcdir)/tests/cgroup/vm-kernel.sh $(top_builddir)/tests/cgroup/vm
check-v2: tests/cgroup/real tests/probe/jcprobe jobcell
	@test -n "$$JC_VM_KERNEL" || ls /boot/vmlinuz-* >/dev/null 2>&1 || $(MAKE) $(AM_MAKEFLAGS) vm-kernel
	$(MAKE) $(AM_MAKEFLAGS) check TESTS=tests/cgroup/v2-vm.sh
.PHONY: vm-kernel check-v2
