#!/bin/sh
# Privileges: no capability unless the policy grants it, no_new_privs,
# no way to mount, pivot, enter namespaces, or touch the cell's pid 1;
# rlimits; nothing but 0-2 open at exec.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sandbox/lib.sh"

status() { jc "$@" -- /bin/sh -c 'grep -E "^(Cap|NoNewPrivs)" /proc/self/status | tr -s "\t" " " | tr "\n" "/"'; }
is "capabilities: every set empty, no_new_privs" "$(status)" \
        "CapInh: 0000000000000000/CapPrm: 0000000000000000/CapEff: 0000000000000000/CapBnd: 0000000000000000/CapAmb: 0000000000000000/NoNewPrivs: 1/"

out=$(jc -- /usr/bin/jcprobe syscall mount umount pivot_root unshare_ns setns chroot sethostname)
is "without capabilities: mount, umount, pivot_root, unshare, setns, chroot fail" "$out" "mount=EPERM
umount=EPERM
pivot_root=EPERM
unshare_ns=EPERM
setns=EPERM
chroot=EPERM
sethostname=EPERM"
# The seccomp filter, seen from inside the sandbox: each call Docker's
# default profile refuses gets EPERM (clone3 gets ENOSYS, so that glibc
# falls back to clone, whose namespace flags the filter can see).
is "seccomp: filter mode 2" "$(jc -- /bin/sh -c 'grep "^Seccomp:" /proc/self/status | tr -d "\t"')" "Seccomp:2"
out=$(jc -- /usr/bin/jcprobe syscall unshare clone_newuser clone_newns clone_newnet clone_newpid keyctl add_key \
        request_key bpf perf_event_open userfaultfd io_uring_setup init_module finit_module delete_module kexec_load \
        open_by_handle_at vsock unknown)
is "seccomp: the refused calls get EPERM" "$(echo "$out" | cut -d= -f2 | sort -u)" "EPERM"
is "seccomp: clone3 gets ENOSYS" "$(jc -- /usr/bin/jcprobe syscall clone3)" "clone3=ENOSYS"
is "seccomp: ioctl TIOCSTI refused (a terminal as stdin)" "$(script -qc "$JOBCELL run --user $JC_TEST_USER --image $ROOTFS -- /usr/bin/jcprobe syscall tiocsti" /dev/null | tr -d '\r')" "tiocsti=EPERM"
is "seccomp: what programs need still works (fork, unix sockets)" "$(jc -- /usr/bin/jcprobe syscall fork unix_socket | tr '\n' ' ')" "fork=ok unix_socket=ok "

# The filter cache: the second runner reads the filter the first compiled;
# an entry anyone but root could have written is never loaded.  The
# attack: an entry with the right key and an allow-all filter.
cache=$JOBCELL_SECCOMP_CACHE
is "seccomp cache: one entry after a run" "$(ls "$cache" | wc -l)" 1
entry=$cache/$(ls "$cache")
is "seccomp cache: the next run reads it, still confined" "$(jc -- /usr/bin/jcprobe syscall keyctl)" "keyctl=EPERM"
plant() { # an allow-all filter (BPF_RET|BPF_K, SECCOMP_RET_ALLOW) under the entry's key
        { head -n 6 "$entry.good"; printf '4 1\n\006\000\000\000\000\000\377\177'; } > "$entry"
        chmod 600 "$entry"
}
cp -p "$entry" "$entry.good"
plant
unlike "seccomp cache: root's entry is trusted (the test can tell a planted filter)" \
        "$(jc -- /usr/bin/jcprobe syscall keyctl)" "keyctl=EPERM"
plant; chown "$JC_TEST_USER" "$entry"
is "seccomp cache: an entry the user owns is not loaded" "$(jc -- /usr/bin/jcprobe syscall keyctl)" "keyctl=EPERM"
plant; chmod 666 "$entry"
is "seccomp cache: an entry others may write is not loaded" "$(jc -- /usr/bin/jcprobe syscall keyctl)" "keyctl=EPERM"
plant; chmod 777 "$cache"
is "seccomp cache: nor one in a directory others may write" "$(jc -- /usr/bin/jcprobe syscall keyctl)" "keyctl=EPERM"
chmod 700 "$cache"; plant; chown "$JC_TEST_USER" "$cache"
is "seccomp cache: nor one in a directory the user owns" "$(jc -- /usr/bin/jcprobe syscall keyctl)" "keyctl=EPERM"
chown root "$cache"; plant; sed -i '2s/^jobcell /jobcell-other /' "$entry"
is "seccomp cache: nor one whose key is not this runner's" "$(jc -- /usr/bin/jcprobe syscall keyctl)" "keyctl=EPERM"
rm -f "$entry.good"
out=$(jc -- /bin/sh -c '/usr/bin/jcprobe syscall ptrace kill_init; ps -o pid,comm | grep -c jobcell-init')
is "the cell's pid 1 cannot be traced or killed" "$out" "ptrace=EPERM
kill_init=EPERM
1"
out=$(jc --remap-root --policy "$(policy fr <<EOP
[defaults]
identity_allowed = user, fakeroot
EOP
)" -- /bin/sh -c '/usr/bin/jcprobe syscall ptrace kill_init; ps -o pid,comm | grep -c jobcell-init')
is "fakeroot: pid 1 (also root inside) cannot be traced, and SIGKILL does not reach it" "$out" "ptrace=EPERM
kill_init=ok
1"

# A granted capability: in every set (ambient too, so the non-root job
# keeps it), and it works.
pol=$(policy caps <<EOP
[defaults]
capabilities = CAP_NET_BIND_SERVICE
capabilities_grantable = CAP_SYS_PTRACE
EOP
)
is "granted capability: only that one, in every set" "$(status --policy "$pol")" \
        "CapInh: 0000000000000400/CapPrm: 0000000000000400/CapEff: 0000000000000400/CapBnd: 0000000000000400/CapAmb: 0000000000000400/NoNewPrivs: 1/"
is "granted capability works (bind port 80 as a user)" "$(jc --policy "$pol" -- /usr/bin/jcprobe bind 80)" "bind=ok"
is "(control) without it, port 80 is refused" "$(jc -- /usr/bin/jcprobe bind 80)" "bind=EACCES"
is "cap-drop removes a granted capability" "$(status --policy "$pol" --cap-drop=NET_BIND_SERVICE | cut -d/ -f3)" "CapEff: 0000000000000000"
is "cap-add of a grantable one" "$(status --policy "$pol" --cap-add=SYS_PTRACE | cut -d/ -f3)" "CapEff: 0000000000080400"
out=$(jc --policy "$pol" --cap-add=SYS_ADMIN -- /bin/true 2>&1); rc=$?
is "cap-add of one not grantable: refused, nothing runs (125)" "$rc" 125
like "cap-add refused: names the key" "$out" "capabilities_grantable = CAP_SYS_PTRACE"

# rlimits.
is "rlimit core is 0 by default" "$(jc -- /bin/sh -c 'ulimit -c; ulimit -Hc')" "0
0"
pol=$(policy rl <<EOP
[defaults]
rlimit_nofile = 512:1024
rlimit_core = unlimited
EOP
)
is "rlimits from the policy" "$(jc --policy "$pol" -- /bin/sh -c 'ulimit -n; ulimit -Hn; ulimit -c')" "512
1024
unlimited"

# Descriptors: only 0, 1, 2 reach the job, whatever the runner inherited.
out=$(sh -c 'exec 7</etc/hostname 9>/dev/null; "$0" run --user "$1" --image "$2" -- /usr/bin/jcprobe fds' "$JOBCELL" "$JC_TEST_USER" "$ROOTFS")
is "only fds 0-2 are open at exec" "$out" "fds=0 1 2 "

# The policy and the seccomp profile decide what jobs may do: a privileged
# runner takes them only if they are root's alone.
cp "$(policy trusted <<EOP
[defaults]
network_allowed = none, host
EOP
)" "$TESTTMP/users.ini"
chown "$JC_TEST_USER" "$TESTTMP/users.ini"
out=$(jc --policy "$TESTTMP/users.ini" --network=host -- /bin/true 2>&1); rc=$?
is "a policy file the user owns is refused (125)" "$rc" 125
like "...saying why" "$out" "policy cannot be trusted: \`$TESTTMP/users.ini' is owned by uid $JC_UID, not root"
chown root "$TESTTMP/users.ini"
chmod g+w "$TESTTMP/users.ini"
out=$(jc --policy "$TESTTMP/users.ini" -- /bin/true 2>&1); rc=$?
is "a group-writable policy file is refused (125)" "$rc" 125
like "...saying why" "$out" "is writable by group or others"
printf '{"defaultAction": "SCMP_ACT_ALLOW"}\n' > "$TESTTMP/allow-all.json"
chown "$JC_TEST_USER" "$TESTTMP/allow-all.json"
pol=$(policy seccomp-user <<EOP
[defaults]
seccomp = $TESTTMP/allow-all.json
EOP
)
out=$(jc --policy "$pol" -- /bin/true 2>&1); rc=$?
is "a seccomp profile the user owns is refused (125)" "$rc" 125
like "...saying why" "$out" "seccomp profile cannot be trusted"

# A profile edited in place is another filter: the cache keys on its content.
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["keyctl"], "action": "SCMP_ACT_ERRNO"}]}\n' \
        > "$TESTTMP/prof.json"
chmod 644 "$TESTTMP/prof.json"
pol=$(policy seccomp-root <<EOP
[defaults]
seccomp = $TESTTMP/prof.json
EOP
)
is "a profile that refuses keyctl" "$(jc --policy "$pol" -- /usr/bin/jcprobe syscall keyctl)" "keyctl=EPERM"
printf '{"defaultAction": "SCMP_ACT_ALLOW"}\n' > "$TESTTMP/prof.json"
unlike "...edited in place to allow it: the cached filter is not reused" \
        "$(jc --policy "$pol" -- /usr/bin/jcprobe syscall keyctl)" "keyctl=EPERM"

is "nothing is left behind" "$(leftovers)" "none"
done_testing
