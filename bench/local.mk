# bench/: performance measurements (make bench), never part of make check.
EXTRA_DIST += bench/image.sh

# make bench-image: image import against tar -x, cache hits, 16 concurrent
# first starts (doc/performance.md, "Images").
bench-image: jobcell
	JOBCELL=$(abs_top_builddir)/jobcell $(SHELL) $(top_srcdir)/bench/image.sh
.PHONY: bench-image
