#!/bin/sh
# Namespaces: the job sees only its own processes, only lo, cannot reach
# the host's loopback services or abstract sockets.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sandbox/lib.sh"

out=$(jc -- /bin/ps -o pid,comm)
is "pid: only the sandbox's init and the job" "$(echo "$out" | tail -n +2 | awk '{print $1":"$2}' | tr '\n' ' ')" "1:jobcell-init 2:ps "

out=$(jc -- /bin/sh -c 'cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "')
is "net: only lo" "$out" "lo"
out=$(jc -- /bin/sh -c 'ip -o link show lo' 2>&1)
like "net: lo is up" "$out" "UP"

# A service on the host's 127.0.0.1 and an abstract unix socket: a job
# with network none must reach neither.
python3 - "$TESTTMP/ready" <<'PY' &
import socket, sys, time
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("127.0.0.1", 0)); t.listen(5)
u = socket.socket(socket.AF_UNIX); u.bind("\0jobcell-test-abstract"); u.listen(5)
open(sys.argv[1], "w").write(str(t.getsockname()[1]))
time.sleep(30)
PY
listener=$!
at_exit "kill $listener 2>/dev/null"
wait_for test -s "$TESTTMP/ready"
port=$(cat "$TESTTMP/ready")
out=$("$PROBE" connect 127.0.0.1 "$port")
is "net: (control) the host reaches its own listener" "$out" "connect=ok"
out=$(jc -- /usr/bin/jcprobe connect 127.0.0.1 "$port")
is "net: the job cannot connect to the host's 127.0.0.1:$port" "$out" "connect=ECONNREFUSED"
out=$("$PROBE" abstract jobcell-test-abstract)
is "net: (control) the host reaches its abstract socket" "$out" "abstract=ok"
out=$(jc -- /usr/bin/jcprobe abstract jobcell-test-abstract)
is "net: the job cannot reach the host's abstract socket" "$out" "abstract=ECONNREFUSED"
out=$(jc -- /usr/bin/jcprobe connect 10.255.255.1 80)
is "net: no route anywhere" "$out" "connect=ENETUNREACH"

# IPC and UTS: private.
out=$(jc -- /bin/sh -c 'cat /proc/sysvipc/shm | wc -l')
is "ipc: no host System V shared memory" "$out" "1"
is "uts: the host's hostname by default" "$(jc -- /bin/hostname)" "$(hostname)"
pol=$(policy host <<EOP
[defaults]
hostname = cellhost
EOP
)
is "uts: the policy's hostname" "$(jc --policy "$pol" -- /bin/hostname)" "cellhost"
out=$(jc -- /usr/bin/jcprobe syscall sethostname)
is "uts: the job cannot rename the host" "$out" "sethostname=EPERM"
is "uts: the host's name is unchanged" "$(hostname)" "$(uname -n)"

# cgroup namespace: the job sees its own cgroups as the roots (the
# runner's are not all /: this one is in a memory cgroup at least).  Each
# job's namespace is rooted at its runner's cgroup set, not at the cell's
# keeper (tests/sandbox/resources.sh checks both sides).
out=$(jc -- /bin/cat /proc/self/cgroup | grep -vc ':/$')
is "cgroup: every cgroup of the job shows as / inside" "$out" "0"

kill $listener; wait $listener 2>/dev/null
is "nothing is left behind" "$(leftovers)" "none"
done_testing
