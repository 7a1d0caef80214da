#!/bin/sh
# Identity: the job is its user inside and out; root inside is never host
# root; the maps, passwd and group files say so.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sandbox/lib.sh"

# A supplementary group for the test user, and a shared writable dir.
getent group jcgroup >/dev/null || groupadd jcgroup || bail_out "groupadd"
usermod -a -G jcgroup "$JC_TEST_USER" || bail_out "usermod"
JC_SUPP=$(getent group jcgroup | cut -d: -f3)
HOMEDIR=$(getent passwd "$JC_TEST_USER" | cut -d: -f6)
mkdir -p "$TESTTMP/share"
chmod 1777 "$TESTTMP/share"
pol=$(policy id <<EOP
[defaults]
mounts_allowed = $TESTTMP/share:rw
identity_allowed = user, fakeroot, service-root
EOP
)

# Default: the user, same ids inside and out, with its groups.
out=$(jc -- /usr/bin/jcprobe ids)
is "user: ids inside are the user's" "$out" "uid=$JC_UID euid=$JC_UID gid=$JC_GID egid=$JC_GID groups=$JC_GID,$JC_SUPP"
is "user: id names them" "$(jc -- /bin/id)" "uid=$JC_UID($JC_TEST_USER) gid=$JC_GID($JC_TEST_USER) groups=$JC_GID($JC_TEST_USER),$JC_SUPP(jcgroup)"
is "user: whoami" "$(jc -- /bin/whoami)" "$JC_TEST_USER"
is "user: HOME is the user's, not the caller's" "$(jc -- /bin/sh -c 'echo $HOME $USER $LOGNAME')" "$HOMEDIR $JC_TEST_USER $JC_TEST_USER"
is "user: uid_map: root inside is the service uid (nobody), the user is itself" \
        "$(jc -- /bin/cat /proc/self/uid_map | tr -s ' ' | tr '\n' '/')" " 0 65534 1/ $JC_UID $JC_UID 1/"
is "user: gid_map maps the user's groups to themselves" \
        "$(jc -- /bin/cat /proc/self/gid_map | tr -s ' ' | tr '\n' '/')" " 0 65534 1/ $JC_GID $JC_GID 1/ $JC_SUPP $JC_SUPP 1/"
is "user: setgroups is denied" "$(jc -- /bin/cat /proc/self/setgroups)" "deny"
like "passwd lists the user" "$(jc -- /bin/cat /etc/passwd)" "$JC_TEST_USER:x:$JC_UID:$JC_GID:"
like "passwd keeps the image's entries" "$(jc -- /bin/cat /etc/passwd)" "daemon:x:1:1:daemon"
like "group lists the user's groups" "$(jc -- /bin/cat /etc/group)" "jcgroup:x:$JC_SUPP:$JC_TEST_USER"
jc --policy "$pol" --mounts="$TESTTMP/share:/share:rw" -- /bin/touch /share/by-user
is "user: a file made on a rw bind belongs to the user on the host" "$(stat -c %u:%g "$TESTTMP/share/by-user")" "$JC_UID:$JC_GID"
out=$(jc -- /usr/bin/jcprobe-suid ids)
is "user: a setuid-root binary in the image does not elevate" "$out" "uid=$JC_UID euid=$JC_UID gid=$JC_GID egid=$JC_GID groups=$JC_GID,$JC_SUPP"
out=$(jc -- /usr/bin/jcprobe syscall setuid0)
is "user: setuid(0) fails" "$out" "setuid0=EPERM"
ok "the image is unchanged (passwd and group are bound over, not written)" \
        cmp "$ROOTFS/etc/passwd" /dev/stdin <<EOP
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/:/bin/false
EOP

# fakeroot: root inside is the user outside.
out=$(jc --policy "$pol" --remap-root -- /usr/bin/jcprobe ids)
is "fakeroot: root inside" "$out" "uid=0 euid=0 gid=0 egid=0 groups=0,$JC_SUPP"
is "fakeroot: uid_map maps 0 to the user" "$(jc --policy "$pol" --remap-root -- /bin/cat /proc/self/uid_map | tr -s ' ')" " 0 $JC_UID 1"
jc --policy "$pol" --remap-root --mounts="$TESTTMP/share:/share:rw" -- /bin/touch /share/by-fakeroot
is "fakeroot: a file made by root inside belongs to the user" "$(stat -c %u:%g "$TESTTMP/share/by-fakeroot")" "$JC_UID:$JC_GID"
out=$(jc --policy "$pol" --remap-root -- /bin/sh -c 'grep -E "^Cap(Eff|Bnd)" /proc/self/status | tr -s "\t" " "')
is "fakeroot: root inside holds no capability" "$out" "CapEff: 0000000000000000
CapBnd: 0000000000000000"

# service-root: root inside is the service uid outside.
jc --policy "$pol" --identity=service-root --mounts="$TESTTMP/share:/share:rw" -- /bin/touch /share/by-service
is "service-root: a file made by root inside belongs to the service uid" "$(stat -c %u:%g "$TESTTMP/share/by-service")" "65534:65534"
out=$(jc --policy "$pol" --identity=service-root -- /usr/bin/jcprobe ids)
is "service-root: root inside" "$out" "uid=0 euid=0 gid=0 egid=0 groups=$JC_GID,$JC_SUPP"

# A named service user, and subordinate ranges.
getent passwd jcservice >/dev/null || useradd -M -r -s /usr/sbin/nologin jcservice || bail_out "useradd"
SVC=$(id -u jcservice):$(id -g jcservice)
pol2=$(policy svc <<EOP
[defaults]
service_user = jcservice
mounts_allowed = $TESTTMP/share:rw
identity_allowed = user, service-root
EOP
)
jc --policy "$pol2" --identity=service-root --mounts="$TESTTMP/share:/share:rw" -- /bin/touch /share/by-jcservice
is "service_user: root inside is that account" "$(stat -c %u:%g "$TESTTMP/share/by-jcservice")" "$SVC"
grep -q "^$JC_TEST_USER:" /etc/subuid 2>/dev/null || { echo "$JC_TEST_USER:3000000:65536" >> /etc/subuid; at_exit "sed -i '/^$JC_TEST_USER:3000000:65536\$/d' /etc/subuid"; }
grep -q "^$JC_TEST_USER:" /etc/subgid 2>/dev/null || { echo "$JC_TEST_USER:3000000:65536" >> /etc/subgid; at_exit "sed -i '/^$JC_TEST_USER:3000000:65536\$/d' /etc/subgid"; }
SUB=$(grep "^$JC_TEST_USER:" /etc/subuid | cut -d: -f2)
pol3=$(policy sub <<EOP
[defaults]
root_map = subuid
mounts_allowed = $TESTTMP/share:rw
identity_allowed = user, service-root
EOP
)
is "subuid: root and the ids around the user map into the user's range" \
        "$(jc --policy "$pol3" -- /bin/cat /proc/self/uid_map | tr -s ' ' | tr '\n' '/')" \
        " 0 $SUB $JC_UID/ $((JC_UID + 1)) $((SUB + JC_UID + 1)) $((65536 - JC_UID - 1))/ $JC_UID $JC_UID 1/"
jc --policy "$pol3" --identity=service-root --mounts="$TESTTMP/share:/share:rw" -- /bin/touch /share/by-subuid
is "subuid: a file made by root inside belongs to the range's first id" "$(stat -c %u "$TESTTMP/share/by-subuid")" "$SUB"

# Never host root.
out=$("$JOBCELL" run --user root --image "$ROOTFS" -- /bin/id 2>&1); rc=$?
is "root as the job's user is refused (125)" "$rc" 125
like "root as the job's user: says why" "$out" "would be host root"
out=$("$JOBCELL" run --image "$ROOTFS" -- /bin/id 2>&1); rc=$?
is "root without --user is refused (125)" "$rc" 125
like "root without --user: says why" "$out" "name the job's user with --user"

is "nothing is left behind" "$(leftovers)" "none"
done_testing
