#!/bin/sh
# The runner's side of the Slurm hand-over (runner/handover.h), with the
# plugin's part played by setpriv: the user's uid, SECBIT_NO_SETUID_FIXUP,
# the runner's capabilities in the ambient set, an empty environment, the
# spec and the job's environment on descriptors.  The end-to-end test
# through a real Slurm is tests/slurm/.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sandbox/lib.sh"

command -v setpriv >/dev/null || bail_out "setpriv is missing (util-linux)"
CAPS=$(echo "cap_sys_admin,cap_setuid,cap_setgid,cap_dac_override,cap_dac_read_search,cap_fowner,cap_chown,cap_kill,cap_sys_chroot,cap_setpcap,cap_sys_ptrace" | sed 's/cap_//g; s/[^,]*/+&/g')
"$JOBCELL" policy explain --json --image="$ROOTFS" > "$TESTTMP/spec.json" || bail_out "explain"
printf 'PATH=/bin:/usr/bin\0HOME=/home/x\0SLURM_RLIMIT_NOFILE=512\0SLURM_RLIMIT_CORE=unlimited\0LD_PRELOAD=/x.so\0MARK=%s\0' "$TESTTMP" > "$TESTTMP/env"

# as the plugin would: handover [runner options] -- ARGV
handover() {
        env -i setpriv --reuid="$JC_UID" --regid="$JC_GID" --init-groups --securebits=+no_setuid_fixup \
                --inh-caps="$CAPS" --ambient-caps="$CAPS" \
                "$JOBCELL" run --slurm --spec-fd=3 --env-fd=4 "$@" 3<"$TESTTMP/spec.json" 4<"$TESTTMP/env"
}

out=$(handover -- /usr/bin/jcprobe ids)
is "the job runs as the user, with the groups Slurm set" "$out" "uid=$JC_UID euid=$JC_UID gid=$JC_GID egid=$JC_GID groups=$(id -G "$JC_TEST_USER" | tr ' ' ',')"
is "the job holds no capability, no securebit, and has no_new_privs" \
        "$(handover -- /bin/sh -c 'grep -E "^(CapEff|CapPrm|CapAmb|CapBnd|NoNewPrivs)" /proc/self/status | tr -s "\t" " " | tr "\n" /; /usr/bin/jcprobe securebits')" \
        "CapPrm: 0000000000000000/CapEff: 0000000000000000/CapBnd: 0000000000000000/CapAmb: 0000000000000000/NoNewPrivs: 1/securebits=0"
is "the job's environment is the one handed over" "$(handover -- /bin/sh -c 'echo $HOME $MARK')" "/home/x $TESTTMP"
is "Slurm's propagated limits apply; the policy's win (core 0)" "$(handover -- /bin/sh -c 'ulimit -n; ulimit -c')" "512
0"

# The runner leaves the user's uid at once: the user's other processes can
# neither signal it nor read or trace it.
handover -- /bin/sh -c "sleep 3; : $TESTTMP" &
sup=$!
wait_for pgrep -u "$JC_TEST_USER" -f "sleep 3; : $TESTTMP"
runner=$(pgrep -f -- "--slurm --spec-fd=3" | while read p; do [ "$(cat /proc/$p/comm)" = jobcell ] && echo $p; done | head -1)
is "the runner runs as root, not as the user" "$(awk '/^Uid:/ {print $2 $3 $4 $5}' /proc/$runner/status)" "0000"
as_user() { setpriv --reuid="$JC_UID" --regid="$JC_GID" --init-groups "$@"; }
fails "the user cannot signal the runner" as_user kill -TERM "$runner"
fails "the user cannot read the runner's memory" as_user dd if=/proc/$runner/mem bs=1 count=1 skip=4096
fails "the user cannot read the runner's environment" as_user cat /proc/$runner/environ
wait $sup

# Only the plugin's options; nothing the user could steer.
for opt in --policy=/dev/null --partition=x --network=host --user=root --status-file=/tmp/x; do
        out=$(handover "$opt" -- /bin/true 2>&1); rc=$?
        is "--slurm refuses $opt (125)" "$rc" 125
done
like "...saying why" "$out" "with --slurm, only --spec-fd, --env-fd, --keep-fd, --cell, --cgroup-name and --cgroup-parent=own are taken"
out=$(env -i setpriv --reuid="$JC_UID" --regid="$JC_GID" --init-groups "$JOBCELL" run --slurm --spec-fd=3 --env-fd=4 -- /bin/true 3<"$TESTTMP/spec.json" 4<"$TESTTMP/env" 2>&1); rc=$?
is "a user who runs --slurm by hand, without the plugin's capabilities, is refused" "$rc" 125
like "...saying so" "$out" "only the Slurm plugin starts the runner this way"
echo '{"version": 1, "spec": {}}' > "$TESTTMP/bad.json"
out=$(env -i setpriv --reuid="$JC_UID" --regid="$JC_GID" --init-groups --securebits=+no_setuid_fixup \
        --inh-caps="$CAPS" --ambient-caps="$CAPS" "$JOBCELL" run --slurm --spec-fd=3 --env-fd=4 -- /bin/true \
        3<"$TESTTMP/bad.json" 4<"$TESTTMP/env" 2>&1); rc=$?
is "a spec that is not whole is refused (125)" "$rc" 125
like "...naming it" "$out" "the plugin's spec"

# A descriptor Slurm hands the task on purpose (PMI_FD) reaches the job.
out=$(handover --keep-fd=7 -- /usr/bin/jcprobe fds 7</dev/null)
is "--keep-fd keeps that descriptor, and only it" "$out" "fds=0 1 2 7 "

is "nothing is left behind" "$(leftovers)" "none"
done_testing
