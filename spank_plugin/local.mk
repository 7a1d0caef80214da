# spank_plugin/: the Slurm SPANK plugin (built when slurm/spank.h is found).
# The Slurm-free part (plugstack arguments, the decision) is a convenience
# library the unit tests link too.
noinst_LTLIBRARIES += libjcspank.la
libjcspank_la_SOURCES = \
	spank_plugin/plugin.h \
	spank_plugin/conf.c \
	spank_plugin/check.c \
	spank_plugin/step.c \
	spank_plugin/pmix_relay.c
libjcspank_la_CPPFLAGS = $(AM_CPPFLAGS) -DJC_DEFAULT_RUNNER='"$(bindir)/jobcell"'
EXTRA_DIST += spank_plugin/jobcell_spank.sym doc/slurm.md

if WITH_SLURM
slurmplugindir = $(slurm_plugindir)
slurmplugin_LTLIBRARIES = jobcell_spank.la
jobcell_spank_la_SOURCES = \
	spank_plugin/spank_state.h \
	spank_plugin/jobcell_spank.c \
	spank_plugin/options.c \
	spank_plugin/local.c \
	spank_plugin/remote.c \
	spank_plugin/partition.c \
	spank_plugin/handover.c \
	spank_plugin/cleanup.c
jobcell_spank_la_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
# Not linked with libslurm: Slurm's own programs provide its functions
# (spank_plugin/partition.c says why).
jobcell_spank_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared \
	-Wl,--version-script=$(srcdir)/spank_plugin/jobcell_spank.sym
jobcell_spank_la_LIBADD = libjcspank.la libjccgroup.la libjcpolicy.la $(JSONC_LIBS)
EXTRA_jobcell_spank_la_DEPENDENCIES = $(srcdir)/spank_plugin/jobcell_spank.sym
endif
