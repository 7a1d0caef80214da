# tests/fuzz/: libFuzzer targets.  `make fuzz' builds each with $(FUZZ_CC)
# (clang) and runs it for FUZZ_SECONDS on its seeds; it is never part of
# make check.  make check only replays the seeds and the inputs that once
# broke something (tests/fuzz/regress/TARGET/) through the same harness
# built with $(CC): see tests/fuzz/replay.c.
FUZZ_TARGETS = fuzz_policy fuzz_spec_json fuzz_image
FUZZ_SECONDS = 60
FUZZ_CFLAGS = -g -O1 -Wall -Wextra -Wno-unused-parameter -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
# -timeout: an input that takes this long is a hang, reported as a crash.
FUZZ_RUNFLAGS = -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
FUZZ_PROGS = tests/fuzz/fuzz_policy tests/fuzz/fuzz_spec_json tests/fuzz/fuzz_image

# The policy engine is compiled into each target with the fuzzer's
# instrumentation (coverage feedback needs it), from the list in
# policy/local.mk.
FUZZ_LINK = srcs=; for f in $(libjcpolicy_la_SOURCES); do \
	  case $$f in *.c) srcs="$$srcs $(srcdir)/$$f";; esac; done; \
	$(MKDIR_P) tests/fuzz && \
	$(FUZZ_CC) $(FUZZ_CFLAGS) -I$(top_builddir) -I$(srcdir)/policy \
	  $(CAPNG_CFLAGS) $(JSONC_CFLAGS) -o $@ $(srcdir)/tests/fuzz/$(@F).c $$srcs \
	  $(CAPNG_LIBS) $(JSONC_LIBS) $(INIPARSER_LIBS)

tests/fuzz/fuzz_policy: tests/fuzz/fuzz_policy.c $(libjcpolicy_la_SOURCES) config.h
	$(AM_V_GEN)$(FUZZ_LINK)
tests/fuzz/fuzz_spec_json: tests/fuzz/fuzz_spec_json.c $(libjcpolicy_la_SOURCES) config.h
	$(AM_V_GEN)$(FUZZ_LINK)
# Image import: the image library too, instrumented, with its libraries.
tests/fuzz/fuzz_image: tests/fuzz/fuzz_image.c $(libjcpolicy_la_SOURCES) $(libjcimage_la_SOURCES) config.h
	$(AM_V_GEN)srcs=; for f in $(libjcpolicy_la_SOURCES) $(libjcimage_la_SOURCES); do \
	  case $$f in *.c) srcs="$$srcs $(srcdir)/$$f";; esac; done; \
	$(MKDIR_P) tests/fuzz && \
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(AM_CPPFLAGS) -I$(top_builddir) \
	  $(CAPNG_CFLAGS) $(JSONC_CFLAGS) $(LIBARCHIVE_CFLAGS) $(NETTLE_CFLAGS) \
	  -o $@ $(srcdir)/tests/fuzz/$(@F).c $$srcs \
	  $(CAPNG_LIBS) $(JSONC_LIBS) $(INIPARSER_LIBS) $(LIBARCHIVE_LIBS) $(NETTLE_LIBS)

# Each target's corpus grows in the build tree (tests/fuzz/corpus/T/);
# the seeds and regression inputs in the source tree are read, never
# written.  A crash leaves tests/fuzz/artifacts/T-crash-* and fails.
fuzz:
	@if test -z "$(FUZZ_CC)"; then \
	  echo "make fuzz: no clang with libFuzzer (configure FUZZ_CC=...): skipped"; \
	  exit 0; fi; \
	$(MAKE) $(AM_MAKEFLAGS) $(FUZZ_PROGS) || exit 1; \
	fail=0; \
	for t in $(FUZZ_TARGETS); do \
	  $(MKDIR_P) tests/fuzz/corpus/$$t tests/fuzz/artifacts; \
	  dict=; test -f $(srcdir)/tests/fuzz/$$t.dict && dict=-dict=$(srcdir)/tests/fuzz/$$t.dict; \
	  regress=; test -d $(srcdir)/tests/fuzz/regress/$$t && regress=$(srcdir)/tests/fuzz/regress/$$t; \
	  echo "  FUZZ     $$t for $(FUZZ_SECONDS) s (log: tests/fuzz/$$t.log)"; \
	  if tests/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) $(FUZZ_RUNFLAGS) $$dict \
	       -artifact_prefix=tests/fuzz/artifacts/$$t- tests/fuzz/corpus/$$t \
	       $(srcdir)/tests/fuzz/seeds/$$t $$regress > tests/fuzz/$$t.log 2>&1; then \
	    sed -n 's/^stat::number_of_executed_units: */    runs: /p; s/^stat::peak_rss_mb: */    peak MB: /p' \
	      tests/fuzz/$$t.log; \
	    echo "PASS: fuzz $$t"; \
	  else \
	    tail -n 60 tests/fuzz/$$t.log; \
	    echo "FAIL: fuzz $$t (input in tests/fuzz/artifacts/; add it to $(srcdir)/tests/fuzz/regress/$$t/ with the fix)"; \
	    fail=1; \
	  fi; \
	done; \
	exit $$fail
.PHONY: fuzz
CLEANFILES += $(FUZZ_PROGS) tests/fuzz/fuzz_policy.log tests/fuzz/fuzz_spec_json.log \
	tests/fuzz/fuzz_image.log

# make check: replay seeds and regression inputs (no libFuzzer needed).
check_PROGRAMS += tests/fuzz/replay_policy tests/fuzz/replay_spec_json
tests_fuzz_replay_policy_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_policy.c
tests_fuzz_replay_policy_CPPFLAGS = $(UNIT_CPPFLAGS) -DFUZZ_NAME='"fuzz_policy"'
tests_fuzz_replay_policy_LDADD = $(UNIT_LIBS)
tests_fuzz_replay_spec_json_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_spec_json.c
tests_fuzz_replay_spec_json_CPPFLAGS = $(UNIT_CPPFLAGS) -DFUZZ_NAME='"fuzz_spec_json"'
tests_fuzz_replay_spec_json_LDADD = $(UNIT_LIBS)
check_PROGRAMS += tests/fuzz/replay_image
tests_fuzz_replay_image_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_image.c
tests_fuzz_replay_image_CPPFLAGS = $(UNIT_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_NAME='"fuzz_image"'
tests_fuzz_replay_image_LDADD = libjcimage.la $(UNIT_LIBS) $(LIBARCHIVE_LIBS)
TESTS += tests/fuzz/replay_policy tests/fuzz/replay_spec_json tests/fuzz/replay_image
EXTRA_DIST += tests/fuzz/seeds tests/fuzz/regress tests/fuzz/fuzz_policy.dict \
	tests/fuzz/fuzz_spec_json.dict
