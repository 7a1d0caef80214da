# bench/: performance measurements (make bench), never part of make check.
# Results and the commands that made them: doc/performance.md.
EXTRA_DIST += bench/startup.sh
bench: jobcell
	top_builddir=$(abs_top_builddir) $(SHELL) $(top_srcdir)/bench/startup.sh $(BENCH_RUNS)
.PHONY: bench

# What the seccomp filter costs an allowed call (doc/seccomp.md); built with
# the project so that it keeps compiling, run by hand.
noinst_PROGRAMS += bench/seccomp_bench
bench_seccomp_bench_SOURCES = bench/seccomp_bench.c
bench_seccomp_bench_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS)
bench_seccomp_bench_LDADD = libjcrunner.la libjccgroup.la libjcimage.la libjcpolicy.la $(SECCOMP_LIBS)

EXTRA_DIST += bench/image.sh

# make bench-image: image import against tar -x, cache hits, 16 concurrent
# first starts (doc/performance.md, "Images").
bench-image: jobcell
	JOBCELL=$(abs_top_builddir)/jobcell $(SHELL) $(top_srcdir)/bench/image.sh
.PHONY: bench-image

EXTRA_DIST += bench/slurm.sh

# make bench-slurm: srun --container against plain srun on a throw-away
# cluster (doc/performance.md, "Slurm"); root, Slurm and munge.
bench-slurm: jobcell
	top_srcdir=$(abs_top_srcdir) top_builddir=$(abs_top_builddir) $(SHELL) $(top_srcdir)/bench/slurm.sh $(BENCH_RUNS)
.PHONY: bench-slurm
