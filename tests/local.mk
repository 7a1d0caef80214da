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
TESTS += tests/slurm/smoke.sh
EXTRA_DIST += tests/slurm/cluster.sh tests/slurm/smoke.sh
