#!/bin/sh
# The rest of the spec, each field as the runner builds it: host network
# where allowed, privileged mode, extra devices, the size of /tmp, the
# environment that passes through.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sandbox/lib.sh"

# Host network, where the policy allows it.
pol=$(policy net <<EOP
[defaults]
network_allowed = none, host
EOP
)
hostifs=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\n' ' ')
is "network host: the host's interfaces" "$(jc --policy "$pol" --network=host -- /bin/sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort | tr "\n" " "')" "$hostifs"
python3 -c 'import socket,sys,time
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(1); print(s.getsockname()[1], flush=True); time.sleep(10)' > "$TESTTMP/port" &
listener=$!
wait_for test -s "$TESTTMP/port"
is "network host: the host's 127.0.0.1 is reachable" "$(jc --policy "$pol" --network=host -- /usr/bin/jcprobe connect 127.0.0.1 "$(cat "$TESTTMP/port")")" "connect=ok"
kill $listener; wait $listener 2>/dev/null
is "network host: /sys is the host's, read-only" "$(jc --policy "$pol" --network=host -- /bin/sh -c 'awk "\$2==\"/sys\" {print \$4}" /proc/mounts | cut -d, -f1; ls /sys/class/net | sort | tr "\n" " "')" "ro
$hostifs"
is "network host: still no capability" "$(jc --policy "$pol" --network=host -- /usr/bin/jcprobe syscall sethostname)" "sethostname=EPERM"

# Privileged: every capability (in the user namespace), the host's /dev,
# no masks; never host root, never without no_new_privs.
mkdir -p "$TESTTMP/rootonly"
chmod 755 "$TESTTMP/rootonly"
pol=$(policy priv <<EOP
[defaults]
mounts_allowed = $TESTTMP/rootonly:rw
identity_allowed = user, fakeroot
[partition gpu]
privileged = true
EOP
)
out=$(jc --policy "$pol" --partition gpu -- /bin/sh -c 'grep -E "^(CapEff|NoNewPrivs)" /proc/self/status | tr -s "\t" " "; ls /dev | grep -c .; /usr/bin/jcprobe read /proc/interrupts')
like "privileged: every capability" "$out" "CapEff: 000001ffffffffff"
like "privileged: no_new_privs still" "$out" "NoNewPrivs: 1"
is "privileged: no seccomp filter" "$(jc --policy "$pol" --partition gpu -- /bin/sh -c 'grep "^Seccomp:" /proc/self/status | tr -d "\t"')" "Seccomp:0"
ok "privileged: the host's /dev" [ "$(echo "$out" | sed -n 3p)" -gt 20 ]
unlike "privileged: no masks" "$out" "read=0"
out=$(jc --policy "$pol" --partition gpu --remap-root --mounts="$TESTTMP/rootonly:/r:rw" -- /bin/sh -c 'grep CapEff /proc/self/status | tr -s "\t" " "; touch /r/x 2>&1 | grep -c "Permission denied"')
is "privileged: root inside with every capability still cannot write what host root owns" "$out" "CapEff: 000001ffffffffff
1"
ok "...and nothing was written" [ ! -e "$TESTTMP/rootonly/x" ]
is "privileged elsewhere: not given" "$(jc --policy "$pol" -- /bin/sh -c 'grep CapEff /proc/self/status | tr -s "\t" " "')" "CapEff: 0000000000000000"

# Extra devices, by glob; a glob matching nothing is no error.
pol=$(policy dev <<EOP
[defaults]
devices = /dev/fuse, /dev/loop-control, /dev/nothing-here*
EOP
)
out=$(jc --policy "$pol" -- /bin/sh -c 'ls /dev | tr "\n" " "')
is "devices: the policy's devices appear" "$out" "fd full fuse loop-control mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero "

# The size of /tmp.
pol=$(policy tmp <<EOP
[defaults]
tmp_size = 1M
EOP
)
out=$(jc --policy "$pol" -- /bin/sh -c 'dd if=/dev/zero of=/tmp/f bs=1k count=2048 2>&1 | grep -c "No space left"')
is "tmp_size: /tmp is full at 1M" "$out" "1"

# The environment: only what env_passthrough admits, PATH always.
pol=$(policy env <<EOP
[defaults]
env_passthrough = OMP_*, HOME
EOP
)
out=$(env -i HOME=/h OMP_NUM_THREADS=4 SECRET=x "$JOBCELL" run --user "$JC_TEST_USER" --image "$ROOTFS" --policy "$pol" -- /bin/sh -c 'env | sort | grep -v "^PWD=\|^SHLVL=\|^_=" | tr "\n" " "')
is "env_passthrough: only the admitted names (and PATH, HOME/USER/LOGNAME as root names the user)" "$out" \
        "HOME=/home/$JC_TEST_USER LOGNAME=$JC_TEST_USER OMP_NUM_THREADS=4 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin USER=$JC_TEST_USER "
out=$(env -i PATH=/bin FOO=bar "$JOBCELL" run --user "$JC_TEST_USER" --image "$ROOTFS" -- /bin/sh -c 'echo $PATH $FOO')
is "env: everything passes by default, PATH kept" "$out" "/bin bar"

is "nothing is left behind" "$(leftovers)" "none"
done_testing
