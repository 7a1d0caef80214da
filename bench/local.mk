# bench/: performance measurements (make bench), never part of make check.
# Results and the commands that made them: doc/performance.md.
EXTRA_DIST += bench/startup.sh
bench: jobcell
	top_builddir=$(abs_top_builddir) $(SHELL) $(top_srcdir)/bench/startup.sh $(BENCH_RUNS)
.PHONY: bench
