# runner/: the jobcell command and the sandbox it builds.
bin_PROGRAMS += jobcell
jobcell_SOURCES = \
	runner/jobcell.c runner/cli.h \
	runner/cmd_policy.c
jobcell_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(SECCOMP_CFLAGS)
jobcell_LDADD = libjcrunner.la libjcpolicy.la $(SECCOMP_LIBS)

# The sandbox's parts, one file per concern, in a convenience library that
# jobcell and the unit tests link (link libjcpolicy.la after it).
noinst_LTLIBRARIES += libjcrunner.la
libjcrunner_la_SOURCES = \
	runner/seccomp.c runner/jc_seccomp.h runner/seccomp_int.h \
	runner/seccomp_default.c runner/seccomp_profile.c
libjcrunner_la_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS) $(JSONC_CFLAGS)
libjcrunner_la_LIBADD = $(SECCOMP_LIBS) $(JSONC_LIBS)
