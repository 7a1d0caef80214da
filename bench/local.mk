# bench/: performance measurements (make bench), never part of make check.
