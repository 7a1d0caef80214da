# runner/: the jobcell command and the sandbox it builds.
noinst_LTLIBRARIES += librunner.la
librunner_la_SOURCES = \
	runner/job.h \
	runner/sync.c runner/sync.h \
	runner/pathres.c runner/pathres.h \
	runner/userns.c runner/userns.h \
	runner/mounts.c runner/mounts.h \
	runner/passwd.c runner/passwd.h \
	runner/dev.c runner/dev.h \
	runner/procfs.c runner/procfs.h \
	runner/netns.c runner/netns.h \
	runner/rootfs.c runner/rootfs.h \
	runner/privs.c runner/privs.h \
	runner/seccomp.c runner/seccomp.h \
	runner/prep.c runner/prep.h \
	runner/cell.c runner/cell.h \
	runner/keeper.c runner/init.c \
	runner/member.c runner/member.h \
	runner/env.c runner/env.h \
	runner/supervise.c runner/supervise.h \
	runner/status.c runner/status.h \
	runner/resources.c runner/resources.h \
	runner/teststop.c runner/teststop.h
librunner_la_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS) $(CAPNG_CFLAGS) $(JSONC_CFLAGS)
librunner_la_LIBADD = libjcpolicy.la $(SECCOMP_LIBS) $(CAPNG_LIBS) $(JSONC_LIBS)

bin_PROGRAMS += jobcell
jobcell_SOURCES = \
	runner/jobcell.c runner/cli.h \
	runner/cmd_policy.c \
	runner/cmd_run.c \
	runner/cmd_gc.c
jobcell_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
jobcell_LDADD = librunner.la libjccgroup.la

# The sandbox's cgroups (issue 4): one interface (runner/cgroup.h), a v1
# and a v2 backend.  A library of its own so the tests link just it.
noinst_LTLIBRARIES += libjccgroup.la
libjccgroup_la_SOURCES = \
	runner/cgroup.c runner/cgroup.h runner/cgroup_int.h \
	runner/cgroup_v1.c runner/cgroup_v2.c
libjccgroup_la_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
libjccgroup_la_LIBADD = libjcpolicy.la $(JSONC_LIBS)
