# runner/: the jobcell command and the sandbox it builds, one file per
# concern, in a convenience library that jobcell and the tests link.
# Convenience libraries do not carry each other: a link line lists
# libjcrunner.la, then libjccgroup.la, libjcimage.la (the cell's keeper
# opens the image) and libjcpolicy.la.
noinst_LTLIBRARIES += libjcrunner.la
libjcrunner_la_SOURCES = \
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
	runner/seccomp.c runner/jc_seccomp.h runner/seccomp_int.h \
	runner/seccomp_default.c runner/seccomp_profile.c runner/seccomp_cache.c \
	runner/prep.c runner/prep.h \
	runner/cell.c runner/cell.h \
	runner/cell_image.c runner/cell_image.h \
	runner/keeper.c runner/init.c \
	runner/relay.c runner/relay_loop.c runner/relay.h \
	runner/member.c runner/member.h \
	runner/env.c runner/env.h \
	runner/supervise.c runner/supervise.h \
	runner/status.c runner/status.h \
	runner/handover.c runner/handover.h runner/handover_caps.h \
	runner/resources.c runner/resources.h \
	runner/teststop.c runner/teststop.h
libjcrunner_la_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS) $(CAPNG_CFLAGS) $(JSONC_CFLAGS) $(NETTLE_CFLAGS)
libjcrunner_la_LIBADD = $(SECCOMP_LIBS) $(CAPNG_LIBS) $(JSONC_LIBS) $(NETTLE_LIBS)

# The sandbox's cgroups (issue 4): one interface (runner/cgroup.h), a v1
# and a v2 backend.  A library of its own so the tests link just it.
noinst_LTLIBRARIES += libjccgroup.la
libjccgroup_la_SOURCES = \
	runner/cgroup.c runner/cgroup.h runner/cgroup_int.h \
	runner/cgroup_v1.c runner/cgroup_v2.c
libjccgroup_la_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
libjccgroup_la_LIBADD = $(JSONC_LIBS)

bin_PROGRAMS += jobcell
jobcell_SOURCES = \
	runner/jobcell.c runner/cli.h \
	runner/cmd_policy.c \
	runner/cmd_run.c \
	runner/cmd_gc.c
jobcell_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(SECCOMP_CFLAGS)
jobcell_LDADD = libjcrunner.la libjccgroup.la libjcpolicy.la $(SECCOMP_LIBS)
# Static archives first in the search path, when configure found them all.
jobcell_LDFLAGS = $(AM_LDFLAGS) $(JC_STATIC_DEPS_LDFLAGS)

# Images (doc/images.md): a library shared by the runner, the tests and the
# fuzz target.  It needs libjcpolicy.la after it on a link line.
noinst_LTLIBRARIES += libjcimage.la
libjcimage_la_SOURCES = \
	runner/image.c runner/image.h runner/image_internal.h \
	runner/image_src.c runner/image_oci.c runner/image_docker.c \
	runner/image_config.c runner/image_extract.c runner/image_cache.c \
	runner/image_squashfs.c runner/sync.c \
	runner/archive_dl.c runner/archive_dl.h
libjcimage_la_CFLAGS = $(AM_CFLAGS) $(LIBARCHIVE_CFLAGS) $(NETTLE_CFLAGS) $(JSONC_CFLAGS)
# libarchive is not linked: archive_dl.c loads it when an image needs it.
libjcimage_la_LIBADD = $(DL_LIBS) $(NETTLE_LIBS) $(JSONC_LIBS)
jobcell_SOURCES += runner/cmd_image.c
jobcell_LDADD += libjcimage.la libjcpolicy.la
