# runner/: the jobcell command and the sandbox it builds.
bin_PROGRAMS += jobcell
jobcell_SOURCES = \
	runner/jobcell.c runner/cli.h \
	runner/cmd_policy.c
jobcell_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
jobcell_LDADD = libjcpolicy.la

# Images (doc/images.md): a library shared by the runner, the tests and the
# fuzz target.  It needs libjcpolicy.la after it on a link line.
noinst_LTLIBRARIES += libjcimage.la
libjcimage_la_SOURCES = \
	runner/image.c runner/image.h runner/image_internal.h \
	runner/image_src.c runner/image_oci.c runner/image_docker.c \
	runner/image_config.c runner/image_extract.c runner/image_cache.c \
	runner/image_squashfs.c
libjcimage_la_CFLAGS = $(AM_CFLAGS) $(LIBARCHIVE_CFLAGS) $(NETTLE_CFLAGS) $(JSONC_CFLAGS)
libjcimage_la_LIBADD = $(LIBARCHIVE_LIBS) $(NETTLE_LIBS) $(JSONC_LIBS)
jobcell_SOURCES += runner/cmd_image.c
jobcell_LDADD += libjcimage.la libjcpolicy.la
