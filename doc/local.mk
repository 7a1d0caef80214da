# doc/: man pages and the example policy.
EXTRA_DIST += doc/images.md doc/performance.md
