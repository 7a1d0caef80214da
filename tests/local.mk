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

# tests/slurm/: a real one-node cluster (cluster.sh); root, Slurm and munge.
TESTS += tests/slurm/smoke.sh tests/slurm/plugin.sh
EXTRA_DIST += tests/slurm/cluster.sh tests/slurm/smoke.sh tests/slurm/plugin.sh \
	tests/slurm/runner-stub.sh tests/slurm/README.md
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
tests_unit_test_spank_LDADD = libjcspank.la $(UNIT_LIBS)
TESTS += tests/unit/test_spank
