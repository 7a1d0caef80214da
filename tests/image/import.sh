#!/bin/bash
# jobcell image import | ls | rm | gc: OCI layouts and docker save archives
# made here by hand, each verified, unpacked safely and cached atomically;
# malicious archives refused, leaving no cache entry.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/image/mkimage.sh"
jc_tmpdir
cd "$TESTTMP" || bail_out "cd"
CACHE=$TESTTMP/cache
img() { "$JOBCELL" image --cache "$CACHE" "$@"; }
entries() { ls "$CACHE/images" 2>/dev/null | wc -l; }
leftovers() { ls "$CACHE/tmp" 2>/dev/null | wc -l; }
held() { ! flock -n -x "$1" true; } # another process holds a lock on FILE

# --- two layers: files, a whiteout, an opaque directory, links, setuid ---
mkdir -p l1/etc l1/bin l1/opq l1/keep l1/gone l1/ro
echo one > l1/etc/hello
printf '#!/bin/sh\n' > l1/bin/tool && chmod 755 l1/bin/tool
touch l1/opq/old1 l1/opq/old2 l1/keep/k1 l1/gone/x l1/ro/f
echo s > l1/suid && chmod 4755 l1/suid
echo g > l1/sgid && chmod 2711 l1/sgid
ln -s etc/hello l1/lnk
ln l1/etc/hello l1/hard
chmod 555 l1/ro
mkdir -p l2/etc l2/opq/sub l2/keep
touch l2/.wh.gone l2/opq/.wh..wh..opq l2/opq/sub/new l2/keep/k2 l2/.wh.nothing-there
echo two > l2/etc/hello
mk_layer l1 L1.tar && mk_layer l2 L2.tgz gz || bail_out "mk_layer"
OCI_ID=$(mk_oci oci L1.tar L2.tgz) || bail_out "mk_oci"
DOCKER_ID=$(mk_docker dock L1.tar L2.tgz) || bail_out "mk_docker"
mk_tar oci oci.tar && mk_tar dock dock.tar || bail_out "mk_tar"

out=$(img import oci 2>&1); rc=$?
is "oci layout: imports" "$rc" 0
like "oci layout: says imported, with the manifest digest" "$out" "imported $OCI_ID oci"
R=$CACHE/images/${OCI_ID#sha256:}/rootfs
is "oci: an upper layer replaces a file" "$(cat "$R/etc/hello")" "two"
ok "oci: a whiteout removes a lower directory" test ! -e "$R/gone"
ok "oci: a whiteout of nothing is harmless" test ! -e "$R/nothing-there"
ok "oci: whiteout files are not extracted" test ! -e "$R/.wh.gone"
is "oci: an opaque directory hides the lower layer's files" "$(cd "$R/opq" && echo *)" "sub"
ok "oci: an opaque directory keeps its own layer's files" test -f "$R/opq/sub/new"
ok "oci: the opaque marker is not extracted" test ! -e "$R/opq/.wh..wh..opq"
is "oci: other directories merge" "$(cd "$R/keep" && echo *)" "k1 k2"
is "oci: symlink kept as it is" "$(readlink "$R/lnk")" "etc/hello"
is "oci: hard link kept" "$(cat "$R/hard")" "one"
is "oci: setuid bit stripped, mode otherwise kept" "$(stat -c %a "$R/suid")" "755"
is "oci: setgid bit stripped, owner can read and write" "$(stat -c %a "$R/sgid")" "711"
is "oci: executable mode kept" "$(stat -c %a "$R/bin/tool")" "755"
is "oci: a read-only directory keeps its mode (owner rwx added)" "$(stat -c %a "$R/ro")" "755"
is "oci: everything belongs to the importer" "$(find "$R" ! -user "$(id -u)" | wc -l)" "0"
like "oci: config kept beside the rootfs" "$(cat "$CACHE/images/${OCI_ID#sha256:}/config.json")" '"WorkingDir":"/work"'

out=$(img import oci 2>&1)
like "oci: a second import uses the cache" "$out" "cached $OCI_ID"
out=$(img import oci.tar 2>&1); rc=$?
is "oci tar: imports" "$rc" 0
like "oci tar: same image, same entry" "$out" "cached $OCI_ID"
out=$(img import "oci@$OCI_ID" 2>&1)
like "oci: IMG@DIGEST of the manifest" "$out" "cached $OCI_ID"
out=$(img import "oci@$DOCKER_ID" 2>&1); rc=$?
is "oci: a digest the layout does not have is refused" "$rc" 1
like "oci: says which digest" "$out" "no image with digest $DOCKER_ID"

out=$(img import dock.tar 2>&1); rc=$?
is "docker archive: imports" "$rc" 0
like "docker archive: keyed by the image ID" "$out" "imported $DOCKER_ID docker"
D=$CACHE/images/${DOCKER_ID#sha256:}/rootfs
ok "docker: same tree as the OCI image" diff -r "$R" "$D"
out=$(img import dock 2>&1)
like "docker directory: same entry" "$out" "cached $DOCKER_ID"
out=$(img import "dock.tar@$DOCKER_ID" 2>&1)
like "docker: IMG@DIGEST of the image ID" "$out" "cached $DOCKER_ID"

out=$(img import l1 2>&1)
like "a directory is used as it is" "$out" "nothing to import"
out=$(img import "l1@$OCI_ID" 2>&1); rc=$?
is "a directory with a digest is refused" "$rc" 1
like "says a directory has no digest" "$out" "has no digest"
cp L1.tar notes.sqsh
out=$(img import notes.sqsh 2>&1); rc=$?
is "kind from the content, not the name: a .sqsh tar without a layout is refused" "$rc" 1
like "says what it is not" "$out" "neither an OCI image layout"

# --- the policy: formats and locations -----------------------------------
printf '[defaults]\nimage_formats = dir, squashfs\n' > fmt.ini
out=$("$JOBCELL" image --policy fmt.ini --cache "$CACHE" import oci 2>&1); rc=$?
is "policy: a format not in image_formats is refused" "$rc" 1
like "policy: names the format and the key" "$out" "is an OCI image layout (oci), which the policy does not allow (image_formats = dir, squashfs)"
printf '[defaults]\nimages_allowed = /nowhere\n' > loc.ini
out=$("$JOBCELL" image --policy loc.ini --cache "$CACHE" import oci 2>&1); rc=$?
is "policy: an image outside images_allowed is refused" "$rc" 1
printf '[defaults]\nimage_digest_required = true\nimage_cache_dir = %s\n' "$TESTTMP/pcache" > dig.ini
out=$("$JOBCELL" image --policy dig.ini import oci 2>&1); rc=$?
is "policy: digest required, none given: refused" "$rc" 1
out=$("$JOBCELL" image --policy dig.ini import "oci@$OCI_ID" 2>&1); rc=$?
is "policy: digest required and given: imports" "$rc" 0
like "policy: the cache is image_cache_dir" "$out" "$TESTTMP/pcache/images/"

# --- malicious and broken images: refused, no entry left -----------------
# refuse NAME WANT LAYER...: an OCI image of these layers must be refused
# with WANT in the message, and leave nothing in a fresh cache.
refuse() {
        local name=$1 want=$2 c=$TESTTMP/c-$RANDOM dir=$TESTTMP/img-$RANDOM out rc; shift 2
        mk_oci "$dir" "$@" > /dev/null
        out=$("$JOBCELL" image --cache "$c" import "$dir" 2>&1); rc=$?
        is "$name: refused" "$rc" 1
        like "$name: says why" "$out" "$want"
        is "$name: no cache entry" "$(ls "$c/images" 2>/dev/null | wc -l)" 0
        is "$name: nothing half-built left" "$(ls "$c/tmp" 2>/dev/null | wc -l)" 0
}
# A file that is no image at all: libarchive's words, without the text of
# the errno it uses as a code (EILSEQ: "Invalid or incomplete multibyte").
head -c 4096 /dev/urandom > noimage.bin
out=$(img import noimage.bin 2>&1); rc=$?
is "a file that is no image: refused" "$rc" 1
is "...in one line naming it" "$out" "jobcell image import: \`$TESTTMP/noimage.bin' is not a directory, a squashfs file or an image archive: read \`$TESTTMP/noimage.bin': Unrecognized archive format"
mkdir -p ev/sub && echo x > ev/x && echo y > ev/sub/y
tar -C ev/sub -P -cf trav.tar ../x
refuse "path traversal (../x)" "has a \`..' component" trav.tar
ok "path traversal: nothing written outside" test ! -e "$TESTTMP/x.escaped"
tar -P -cf abs.tar "$TESTTMP/ev/x"
refuse "absolute path" "is an absolute path" abs.tar

# A symlink to an absolute path, then a file written through it.
mkdir -p target s1 s2/lnk && ln -s "$TESTTMP/target" s1/lnk && echo pwned > s2/lnk/pwned
tar -C s1 -cf abslink.tar lnk && tar -C s2 -rf abslink.tar lnk/pwned
refuse "absolute symlink then a write through it" "refusing to write through it" abslink.tar
ok "absolute symlink: the target directory is untouched" test ! -e target/pwned
# A relative symlink climbing out, then a write through it.
mkdir -p s3 && ln -s ../../../../../../../../../.."$TESTTMP/target" s3/lnk
tar -C s3 -cf rellink.tar lnk && tar -C s2 -rf rellink.tar lnk/pwned
refuse "relative symlink escaping then a write through it" "refusing to write through it" rellink.tar
ok "relative symlink: the target directory is untouched" test ! -e target/pwned
# The symlink planted by an earlier layer, the write in a later one.
tar -C s1 -cf plant1.tar lnk && tar -C s2 -cf plant2.tar lnk/pwned
refuse "symlink from an earlier layer then a write through it" "refusing to write through it" plant1.tar plant2.tar
ok "earlier-layer symlink: the target directory is untouched" test ! -e target/pwned
# A whiteout reaching through a symlink would delete outside the root.
echo keep > target/victim
mkdir -p s4/lnk && touch s4/lnk/.wh.victim
tar -C s1 -cf wh1.tar lnk && tar -C s4 -cf wh2.tar lnk/.wh.victim
refuse "whiteout through a symlink" "refusing to write through it" wh1.tar wh2.tar
ok "whiteout through a symlink: the victim survives" test -f target/victim
# Hard links out of the root: by "..", and through a symlink to /etc.
python3 - "$TESTTMP" <<'EOF'
import sys, tarfile
def tar(name, *entries):
    with tarfile.open(sys.argv[1] + "/" + name, "w") as t:
        for path, kind, link in entries:
            i = tarfile.TarInfo(path); i.type = kind; i.linkname = link; t.addfile(i)
tar("hl.tar", ("link", tarfile.LNKTYPE, "../../../../etc/passwd"))
tar("hl1.tar", ("etc", tarfile.SYMTYPE, "/etc"))
tar("hl2.tar", ("x", tarfile.LNKTYPE, "etc/passwd"))
EOF
refuse "hard link out of the root" "has a \`..' component" hl.tar
refuse "hard link through a symlink" "refusing to write through it" hl1.tar hl2.tar
if [ "$(id -u)" = 0 ]; then
        mkdir -p dev && mknod dev/null c 1 3
        tar -C dev -cf dev.tar null
        refuse "device node" "is a device node" dev.tar
else
        diag "not root: the device-node archive is built with python"
        python3 - "$TESTTMP/dev.tar" <<'EOF'
import sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    i = tarfile.TarInfo("null"); i.type = tarfile.CHRTYPE; i.devmajor = 1; i.devminor = 3; t.addfile(i)
EOF
        refuse "device node" "is a device node" dev.tar
fi

# Digest mismatch: one byte of a layer changed after the manifest was made.
mkdir -p bad && cp -r oci bad/mm
blob=bad/mm/blobs/sha256/$(sha L1.tar)
off=$(grep -abo 'one' "$blob" | head -1 | cut -d: -f1)
printf 'ONE' | dd of="$blob" bs=1 seek="$off" conv=notrunc status=none
out=$(img --cache "$TESTTMP/cmm" import bad/mm 2>&1); rc=$?
is "digest mismatch: refused" "$rc" 1
like "digest mismatch: names both digests" "$out" "has digest sha256:"
like "digest mismatch: and the manifest's" "$out" "the manifest says sha256:$(sha L1.tar): refusing the image"
is "digest mismatch: no cache entry" "$(ls "$TESTTMP/cmm/images" | wc -l)" 0
is "digest mismatch: nothing half-built left" "$(ls "$TESTTMP/cmm/tmp" | wc -l)" 0
# A manifest edited after index.json was made.
cp -r oci bad/man && m=bad/man/blobs/sha256/${OCI_ID#sha256:} && sed -i 's/"schemaVersion":2/"schemaVersion":2 /' "$m"
out=$(img --cache "$TESTTMP/cman" import bad/man 2>&1); rc=$?
is "tampered manifest: refused" "$rc" 1
like "tampered manifest: says so" "$out" "manifest: \`blobs/sha256/${OCI_ID#sha256:}' in \`$TESTTMP/bad/man' has"
# A docker archive whose layer differs from its diff_id.
cp -r dock bad/dock && printf 'x' >> bad/dock/0000000000000000000000000000000000000000000000000000000000000001/layer.tar
out=$(img --cache "$TESTTMP/cdk" import bad/dock 2>&1); rc=$?
is "docker layer not matching its diff_id: refused" "$rc" 1
like "docker layer: says why" "$out" "refusing the image"
is "docker layer: no cache entry" "$(ls "$TESTTMP/cdk/images" | wc -l)" 0
# A truncated layer, with a manifest that matches it (so only the
# layer's own end is wrong).
head -c $(( $(stat -c %s L2.tgz) / 2 )) L2.tgz > trunc.tgz
refuse "truncated layer" "truncated or corrupt layer" L1.tar trunc.tgz
head -c 700 L1.tar > trunc.tar
refuse "truncated uncompressed layer" "truncated or corrupt layer" trunc.tar

# setuid/setgid are stripped, not refused.
mkdir -p su && echo x > su/root-shell && chmod 6755 su/root-shell && tar -C su -cf su.tar root-shell
SU=$(mk_oci suimg su.tar)
out=$(img import suimg 2>&1); rc=$?
is "setuid file: imported (stripped, not refused)" "$rc" 0
is "setuid file: mode without setuid and setgid" "$(stat -c %a "$CACHE/images/${SU#sha256:}/rootfs/root-shell")" "755"

# --- concurrency: 16 first starts unpack once -----------------------------
for i in $(seq 16); do img --cache "$TESTTMP/c16" import dock.tar > "out16.$i" 2>&1 & done
wait
is "16 concurrent imports: all succeed" "$(grep -l "$DOCKER_ID" out16.* | wc -l)" 16
is "16 concurrent imports: one unpacks" "$(grep -h '^imported ' out16.* | wc -l)" 1
is "16 concurrent imports: fifteen reuse it" "$(grep -h '^cached ' out16.* | wc -l)" 15
is "16 concurrent imports: one entry" "$(ls "$TESTTMP/c16/images" | wc -l)" 1

# --- a crash mid-unpack leaves no entry that looks whole ------------------
mkdir -p big && head -c 200000000 /dev/zero > big/zeros && seq 1 3000 | (cd big && xargs touch)
mk_layer big BIG.tgz gz
BIG=$(mk_oci bigimg L1.tar BIG.tgz)
caught=0
for try in 1 2 3 4 5; do
        rm -rf "$TESTTMP/ccrash"
        "$JOBCELL" image --cache "$TESTTMP/ccrash" import bigimg > /dev/null 2>&1 &
        pid=$!
        for i in $(seq 2000); do
                [ -n "$(ls "$TESTTMP/ccrash/tmp/"*/rootfs/etc 2>/dev/null)" ] && break
                sleep 0.005
        done
        kill -STOP $pid 2>/dev/null
        if ! [ -d "$TESTTMP/ccrash/images/${BIG#sha256:}" ]; then caught=1; fi
        kill -KILL $pid 2>/dev/null
        wait $pid 2>/dev/null
        [ $caught = 1 ] && break
done
is "crash: the importer was stopped mid-unpack" "$caught" 1
is "crash: no entry" "$(ls "$TESTTMP/ccrash/images" | wc -l)" 0
out=$(img --cache "$TESTTMP/ccrash" ls 2>&1)
unlike "crash: ls shows no entry" "$out" "${BIG#sha256:}" 
out=$(img --cache "$TESTTMP/ccrash" import bigimg 2>&1); rc=$?
is "crash: the next import succeeds" "$rc" 0
like "crash: and unpacks it" "$out" "imported $BIG"
is "crash: the dead build is cleaned up" "$(ls "$TESTTMP/ccrash/tmp" | wc -l)" 0
is "crash: the entry is whole" "$(stat -c %s "$TESTTMP/ccrash/images/${BIG#sha256:}/rootfs/zeros")" 200000000
rm -rf big BIG.tgz bigimg

# --- a full disk leaves nothing ------------------------------------------
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
        mkdir -p full && head -c 8000000 /dev/urandom > full/noise && mk_layer full FULL.tar
        mk_oci fullimg FULL.tar > /dev/null
        mkdir -p small
        out=$(unshare -m sh -c "mount -t tmpfs -o size=4m tmpfs '$TESTTMP/small' && '$JOBCELL' image --cache '$TESTTMP/small/c' import fullimg; echo rc=\$?; ls '$TESTTMP/small/c/images' | wc -l; ls '$TESTTMP/small/c/tmp' | wc -l" 2>&1)
        like "full disk: refused" "$out" "No space left on device"
        like "full disk: no entry, nothing half-built" "$out" "$(printf 'rc=1\n0\n0')"
else
        diag "full disk: needs root and mount namespaces"
fi

# --- ls, rm, gc ----------------------------------------------------------
out=$(img ls 2>&1)
like "ls: shows the OCI entry" "$out" "${OCI_ID:0:19}  oci"
like "ls: shows the docker entry and its source" "$out" "docker"
like "ls: shows sources" "$out" "$TESTTMP/dock.tar"
like "ls: shows a header" "$out" "DIGEST"
out=$(img ls --full 2>&1)
like "ls --full: whole digests" "$out" "$OCI_ID"
# An entry held by a job (its use lock, shared) is never removed.
( flock -s 9 && exec sleep 30 ) 9< "$CACHE/locks/${OCI_ID#sha256:}.use" &
holder=$!
wait_for held "$CACHE/locks/${OCI_ID#sha256:}.use"
out=$(img rm "${OCI_ID:0:15}" 2>&1); rc=$?
is "rm: an entry in use is refused" "$rc" 1
like "rm: says it is in use" "$out" "is in use"
out=$(img gc --max-size 0 2>&1); rc=$?
is "gc: runs" "$rc" 0
ok "gc: an entry in use stays" test -d "$CACHE/images/${OCI_ID#sha256:}"
ok "gc: unused entries go" test ! -d "$CACHE/images/${DOCKER_ID#sha256:}"
like "gc: says what it removed" "$out" "removed 2 entries"
kill $holder; wait $holder 2>/dev/null
out=$(img rm "${OCI_ID:0:15}" 2>&1); rc=$?
is "rm: by digest prefix" "$rc" 0
like "rm: says which" "$out" "removed $OCI_ID"
is "rm: gone" "$(entries)" 0
img import dock.tar > /dev/null 2>&1
out=$(img rm "$TESTTMP/dock.tar" 2>&1); rc=$?
is "rm: by image path" "$rc" 0
like "rm: by path says which" "$out" "removed $DOCKER_ID"
out=$(img rm 0000 2>&1); rc=$?
is "rm: an unknown digest fails" "$rc" 1
img import dock.tar > /dev/null 2>&1; img import oci > /dev/null 2>&1
out=$(img gc 2>&1)
like "gc without a cap keeps entries" "$out" "removed 0 entries"
is "gc without a cap: both stay" "$(entries)" 2
# gc sweeps tmp/: a dead build goes, one in progress (its build lock held)
# stays.
dead=$(printf 'a%.0s' $(seq 64)) live=$(printf 'b%.0s' $(seq 64))
mkdir -p "$CACHE/tmp/$dead.x1/rootfs" "$CACHE/tmp/$live.x2/rootfs"
( flock -x 9 && exec sleep 30 ) 9> "$CACHE/locks/$live.build" &
holder=$!
wait_for held "$CACHE/locks/$live.build"
img gc > /dev/null 2>&1
ok "gc: a dead build in tmp/ goes" test ! -e "$CACHE/tmp/$dead.x1"
ok "gc: a build in progress stays" test -d "$CACHE/tmp/$live.x2/rootfs"
kill $holder; wait $holder 2>/dev/null
rm -rf "$CACHE/tmp/$live.x2" "$CACHE/locks/$live.build"
printf '[defaults]\nimage_cache_max_size = 1K\n' > cap.ini
"$JOBCELL" image --policy cap.ini --cache "$CACHE" gc > /dev/null 2>&1
is "gc: the policy's cap applies" "$(entries)" 0
printf '[defaults]\nimage_cache_max_size = 40K\n' > cap.ini
"$JOBCELL" image --policy cap.ini --cache "$CACHE" import oci > /dev/null 2>&1
touch -d '2000-01-01' "$CACHE/images/${OCI_ID#sha256:}"
"$JOBCELL" image --policy cap.ini --cache "$CACHE" import dock.tar > /dev/null 2>&1
ok "import over the cap evicts the least recently used entry" test ! -d "$CACHE/images/${OCI_ID#sha256:}"
ok "import over the cap keeps the new entry" test -d "$CACHE/images/${DOCKER_ID#sha256:}"
chmod 777 "$CACHE"
out=$(img ls 2>&1); rc=$?
is "a cache others may write is refused" "$rc" 1
like "says why" "$out" "not be writable by group or others"
chmod 700 "$CACHE"
out=$(img frob 2>&1); rc=$?
is "unknown subcommand is a usage error" "$rc" 2
done_testing
