# doc/: man pages and the example policy.
# The pages are written by hand in troff (doc/*.in); make fills in the
# paths configure chose (@sysconfdir@, @docdir@) and the version.
man_MANS += doc/jobcell.1 doc/jobcell-run.1 doc/jobcell-policy.5
EXTRA_DIST += doc/jobcell.1.in doc/jobcell-run.1.in doc/jobcell-policy.5.in doc/hacking.md
CLEANFILES += doc/jobcell.1 doc/jobcell-run.1 doc/jobcell-policy.5

JC_MAN_SED = sed -e 's|@sysconfdir[@]|$(sysconfdir)|g' -e 's|@docdir[@]|$(docdir)|g' \
	-e 's|@runstatedir[@]|$(runstatedir)|g' -e 's|@PACKAGE_VERSION[@]|$(PACKAGE_VERSION)|g'
doc/jobcell.1: doc/jobcell.1.in Makefile
	$(AM_V_GEN)$(MKDIR_P) doc && $(JC_MAN_SED) $(srcdir)/doc/jobcell.1.in > $@.tmp && mv $@.tmp $@
doc/jobcell-run.1: doc/jobcell-run.1.in Makefile
	$(AM_V_GEN)$(MKDIR_P) doc && $(JC_MAN_SED) $(srcdir)/doc/jobcell-run.1.in > $@.tmp && mv $@.tmp $@
doc/jobcell-policy.5: doc/jobcell-policy.5.in Makefile
	$(AM_V_GEN)$(MKDIR_P) doc && $(JC_MAN_SED) $(srcdir)/doc/jobcell-policy.5.in > $@.tmp && mv $@.tmp $@

# The guides the man pages point to.
dist_doc_DATA = doc/design.md doc/resources.md doc/images.md doc/seccomp.md doc/performance.md

# The example policy, for admins to copy; never installed as the policy.
exampledir = $(docdir)/examples
dist_example_DATA = doc/examples/policy.ini

# Every policy key and request option has its entry in the man pages,
# and the pages render without a warning.
check_PROGRAMS += tests/unit/test_doc
tests_unit_test_doc_SOURCES = tests/unit/test_doc.c
tests_unit_test_doc_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_doc_LDADD = $(UNIT_LIBS)
TESTS += tests/unit/test_doc tests/cli/man.sh
EXTRA_DIST += tests/cli/man.sh

