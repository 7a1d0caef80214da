# runner/: the jobcell command and the sandbox it builds.
bin_PROGRAMS += jobcell
jobcell_SOURCES = \
	runner/jobcell.c runner/cli.h \
	runner/cmd_policy.c
jobcell_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
jobcell_LDADD = libjcpolicy.la
