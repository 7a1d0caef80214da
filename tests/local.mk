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

# The seccomp filter (runner/seccomp*.c): attacks from child processes, a
# threaded, an OpenMP and a Python program under it, JSON profiles, and
# `jobcell policy check' of the profiles a policy names.
check_PROGRAMS += tests/unit/test_seccomp tests/unit/seccomp_omp
tests_unit_test_seccomp_SOURCES = tests/unit/test_seccomp.c
tests_unit_test_seccomp_CPPFLAGS = $(UNIT_CPPFLAGS) $(SECCOMP_CFLAGS)
tests_unit_test_seccomp_LDADD = libjcrunner.la $(UNIT_LIBS) $(SECCOMP_LIBS) -lpthread
tests_unit_seccomp_omp_SOURCES = tests/unit/seccomp_omp.c
tests_unit_seccomp_omp_CFLAGS = $(AM_CFLAGS) $(OPENMP_CFLAGS)
tests_unit_seccomp_omp_LDFLAGS = $(AM_LDFLAGS) $(OPENMP_CFLAGS)
TESTS += tests/unit/test_seccomp tests/cli/seccomp.sh
EXTRA_DIST += tests/cli/seccomp.sh
