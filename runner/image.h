/* Images (doc/images.md): what `--image IMG' names, made into something
 * the runner can put under the sandbox's root.
 *
 *   dir       a root filesystem directory: used as it is
 *   oci       an OCI image layout (a directory, or a tar of one)
 *   docker    a `docker save' archive (a tar, or a directory unpacked from one)
 *   squashfs  a squashfs file: mounted read-only, never unpacked
 *
 * OCI and Docker images are verified (sha256 of every blob against the
 * manifest, and of the manifest against IMG@sha256:DIGEST when given) and
 * unpacked once per node into a content-addressed cache, safely: no path
 * leaves the entry, no device node, no setuid/setgid bit, no file
 * capability, everything owned by the importer (root).
 *
 * The runner's sequence (runner/cell_image.c, in the cell's keeper, which
 * lives as long as the cell):
 *
 *   struct jc_image img;
 *   struct jc_image_opts o;
 *   jc_image_opts_from_spec(&o, spec);
 *   o.src_fd = fd;                      (IMG opened with the user's rights)
 *   jc_image_open(&o, &img, err);       (may import: takes as long as the unpack)
 *   if (img.kind == JC_IMG_SQUASHFS)
 *           jc_squashfs_open(img.squashfs_fd, spec->squashfs_mount, &ids, 0, &m, &mnt, err);
 *   root = mnt for squashfs, else img.rootfs: handed to the sandbox's init
 *   argv/env/cwd from jc_image_argv, jc_image_env, jc_image_workdir
 *   ...the cell lives...
 *   jc_squashfs_umount(&m, err);        (reaps squashfuse)
 *   jc_image_close(&img);               (releases the cache entry for `image gc')
 */
#ifndef JC_IMAGE_H
#define JC_IMAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"
#include "util.h"

/* What the image's config says about how to run it (OCI image config
 * `config' object, which Docker shares).  Empty for dir and squashfs. */
struct jc_image_config {
        struct jc_strv env;        /* "NAME=value" */
        struct jc_strv entrypoint; /* argv prefix */
        struct jc_strv cmd;        /* default arguments */
        char *workdir;             /* "" when the image sets none */
        char *user;                /* "" when the image sets none; informative only */
};

struct jc_image_opts {
        const char *path;   /* IMG without @DIGEST */
        const char *digest; /* "sha256:HEX" the image must have, or "" */
        uint64_t formats;   /* bit N: enum jc_image_format N is allowed */
        const char *cache_dir;
        int64_t cache_max_size; /* bytes; -1 = no cap */
        /* -1: open PATH here.  Else an fd of PATH (a directory or a
         * regular file, O_RDONLY) that the caller opened with the job
         * user's rights: the image is read through it only, so a user
         * cannot name a file they could not read themselves. */
        int src_fd;
};

struct jc_image {
        enum jc_image_format kind;
        char *source; /* IMG as given (without @DIGEST) */
        /* dir, oci, docker: the directory to use as the read-only lower
         * layer (IMG itself, or the cache entry's rootfs).  NULL for
         * squashfs. */
        char *rootfs;
        int squashfs_fd; /* squashfs: the file, for jc_squashfs_mount; else -1 */
        /* oci: the manifest's digest; docker: the config's (the image
         * ID); squashfs: the file's when a digest was asked for; "" for
         * dir. */
        char *digest;
        char *entry;   /* oci, docker: the cache entry directory; else NULL */
        bool imported; /* this call unpacked it (false: it was in the cache) */
        struct jc_image_config config;
        int lock_fd; /* shared lock on the cache entry while in use */
};

void jc_image_opts_from_spec(struct jc_image_opts *o, const struct jc_spec *spec);

/* Find out what O->path is, check it against O->formats and O->digest,
 * and for oci and docker find it in the cache or import it.  Many
 * processes may open one image at once: one unpacks, the others wait for
 * it and share the entry.  On error nothing is left in the cache. */
int jc_image_open(const struct jc_image_opts *o, struct jc_image *img, struct jc_error *err);
void jc_image_close(struct jc_image *img);

/* The cache key of the OCI or Docker image O->path (verifying its
 * manifest and config, not its layers), for `jobcell image rm IMG'. */
int jc_image_key(const struct jc_image_opts *o, char key[72], struct jc_error *err);

/* The kind of image at FD (a directory or a regular file), from its
 * content, not its name.  NAME is for messages. */
int jc_image_detect(int fd, const char *name, enum jc_image_format *kind, struct jc_error *err);

/* The cache's built-in place when the policy names none: /var/cache/jobcell
 * for root, $XDG_CACHE_HOME/jobcell (or ~/.cache/jobcell) for others. */
int jc_image_cache_default(char *buf, size_t len, struct jc_error *err);

/* --- the cache: jobcell image ls | rm | gc ------------------------------- */

struct jc_cache_entry {
        char digest[72]; /* "sha256:HEX", the entry's key */
        char *kind;      /* "oci", "docker" */
        char *source;    /* the path it was first imported from */
        uint64_t size;   /* bytes on disk */
        int64_t created;
        int64_t last_use;
};

/* The entries of the cache at DIR, least recently used first (none when
 * DIR does not exist). */
int jc_cache_list(const char *dir, struct jc_cache_entry **v, size_t *n, struct jc_error *err);
void jc_cache_list_free(struct jc_cache_entry *v, size_t n);
/* Remove the entry whose digest is, or starts with, WHAT ("sha256:" may
 * be left out; at least 4 hex digits).  EBUSY while a job uses it. */
int jc_cache_remove(const char *dir, const char *what, char removed[72], struct jc_error *err);
/* Remove dead builds, then, when MAX_SIZE >= 0, the least recently used
 * entries that no job uses until the cache fits in MAX_SIZE bytes. */
int jc_cache_gc(const char *dir, int64_t max_size, size_t *removed, uint64_t *freed,
                struct jc_error *err);

/* --- running the image: Pyxis' meaning of the request's overrides ------ */

/* The job's argv: the image's Entrypoint when ENTRYPOINT (Pyxis'
 * --container-entrypoint), then ARGV, or the image's Cmd when ARGV is
 * empty (NULL or { NULL }). */
int jc_image_argv(const struct jc_image_config *cfg, bool entrypoint, char *const *argv,
                  struct jc_strv *out, struct jc_error *err);
/* The job's environment: the image's Env, then each variable of JOB_ENV
 * (NAME=value, already filtered by env_passthrough) that the image does
 * not set; a variable named in OVERRIDE (Pyxis' --container-env) takes
 * the job's value even where the image sets it. */
int jc_image_env(const struct jc_image_config *cfg, char *const *job_env,
                 const struct jc_strv *override, struct jc_strv *out, struct jc_error *err);
/* The working directory: REQUESTED (Pyxis' --container-workdir) when not
 * "", else the image's WorkingDir, else "" (the runner's own rule). */
const char *jc_image_workdir(const struct jc_image_config *cfg, const char *requested);

/* Parse an OCI/Docker image config (JSON) into CFG. */
int jc_image_config_parse(const char *json, size_t len, struct jc_image_config *cfg,
                          struct jc_error *err);
void jc_image_config_free(struct jc_image_config *cfg);

/* --- squashfs ------------------------------------------------------------ */

struct jc_squashfs {
        char *target;
        enum jc_squashfs_mount how;
        pid_t daemon; /* squashfuse's pid, or 0 */
};

/* Who squashfuse runs as: it reads the user's file in user space, so it
 * runs with the job user's ids, no capability and no_new_privs. */
struct jc_squashfs_ids {
        uid_t uid;
        gid_t gid;
};

/* The squashfs file FD as a detached mount (fsmount(2)), read-only,
 * nosuid, nodev, by squashfuse or the kernel: *MNT is its descriptor, to
 * attach with move_mount(2) or open_tree(2)'s kin; nothing appears in
 * any mount namespace before that, and the mount goes with the last
 * reference to it.  squashfuse: a FUSE connection opened and mounted
 * here, handed to squashfuse (libfuse's /dev/fd/N), which runs in the
 * foreground as IDS (NULL: as the caller), without privilege, and dies
 * with the caller (PR_SET_PDEATHSIG).  kernel: a read-only loop device
 * that frees itself when the superblock goes.  With NS_PID > 0
 * (squashfuse only) the FUSE filesystem is made in the user and mount
 * namespaces of NS_PID, which the caller must be allowed to enter (it
 * owns the user namespace, or is host root): the only place an
 * unprivileged user may mount FUSE, and where the image's owners read as
 * that user namespace maps them (uid 0 is root inside). */
int jc_squashfs_open(int fd, enum jc_squashfs_mount how, const struct jc_squashfs_ids *ids,
                     pid_t ns_pid, struct jc_squashfs *m, int *mnt, struct jc_error *err);

/* The same, attached on TARGET (an existing directory) in the caller's
 * mount namespace: call it in a private one. */
int jc_squashfs_mount(int fd, const char *target, enum jc_squashfs_mount how,
                      const struct jc_squashfs_ids *ids, struct jc_squashfs *m,
                      struct jc_error *err);
/* Unmount (jc_squashfs_mount's target), and reap squashfuse.  Safe on a
 * zeroed M. */
int jc_squashfs_umount(struct jc_squashfs *m, struct jc_error *err);

/* squashfuse's path (configure finds it; JOBCELL_SQUASHFUSE is ignored on purpose). */
#ifndef JC_SQUASHFUSE
#define JC_SQUASHFUSE "/usr/bin/squashfuse"
#endif

#endif
