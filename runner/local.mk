# runner/: the jobcell command and the sandbox it builds.
bin_PROGRAMS += jobcell
jobcell_SOURCES = \
	runner/jobcell.c runner/cli.h \
	runner/cmd_policy.c
jobcell_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
jobcell_LDADD = libjcpolicy.la

# The sandbox's cgroups (issue 4): one interface (runner/cgroup.h), a v1
# and a v2 backend.  A library of its own so the tests link just it.
noinst_LTLIBRARIES += libjccgroup.la
libjccgroup_la_SOURCES = \
	runner/cgroup.c runner/cgroup.h runner/cgroup_int.h \
	runner/cgroup_v1.c runner/cgroup_v2.c
libjccgroup_la_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
jobcell_LDADD += libjccgroup.la libjcpolicy.la $(JSONC_LIBS)
