# policy/: the policy engine, a library with no namespace or Slurm code.
noinst_LTLIBRARIES += libjcpolicy.la
libjcpolicy_la_SOURCES = \
	policy/error.c policy/error.h \
	policy/util.c policy/util.h \
	policy/diag.c policy/diag.h \
	policy/values.c policy/values.h \
	policy/spec.c policy/spec.h \
	policy/spec_json.c \
	policy/relay_port.c \
	policy/ini_scan.c policy/ini_scan.h \
	policy/iniparser_compat.h \
	policy/keys.c policy/keys.h \
	policy/policy.c policy/policy.h \
	policy/request.c policy/request.h \
	policy/resolve.c policy/resolve.h \
	policy/trust.c policy/trust.h
libjcpolicy_la_CFLAGS = $(AM_CFLAGS) $(CAPNG_CFLAGS) $(JSONC_CFLAGS)
libjcpolicy_la_LIBADD = $(CAPNG_LIBS) $(JSONC_LIBS) $(INIPARSER_LIBS)
