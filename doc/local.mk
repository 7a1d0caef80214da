# doc/: man pages and the example policy.
