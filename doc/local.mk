# doc/: man pages and the example policy.

# The seccomp filter: what it allows, profiles, cost.
EXTRA_DIST += doc/seccomp.md
