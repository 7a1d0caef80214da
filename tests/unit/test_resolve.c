/* Resolution: built-in < [defaults] < [partition] < request, and every
 * way a request can be refused. */
#include "config.h"

#include <stdint.h>

#include "../tap.h"
#include "resolve.h"
#include "testlib.h"
#include "values.h"

static const struct jc_context ctx = { .user = "alice", .uid = 1001 };

static struct jc_policy *policy(const char *text)
{
        struct jc_strv diags = { 0 };
        struct jc_error err = { 0 };
        struct jc_policy *pol = NULL;
        const char *path = tmp_policy(text);

        if (jc_policy_load(path, &pol, &diags, &err) < 0) {
                printf("Bail out! test policy refused: %s\n", err.msg);
                exit(1);
        }
        jc_strv_free(&diags);
        unlink(path);
        return pol;
}

/* Resolve OPTS ("name=value" or "flag", NULL-terminated) for PARTITION.
 * Returns 0 or -1, the refusal in ERR. */
static int resolve(const struct jc_policy *pol, const char *partition, const char *const *opts,
                   struct jc_spec *spec, struct jc_error *err)
{
        struct jc_request req;
        char name[64];
        int rc;

        jc_request_init(&req);
        for (; opts != NULL && *opts != NULL; opts++) {
                const char *eq = strchr(*opts, '=');

                snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - *opts) : 63, *opts);
                if (jc_request_set(&req, name, eq ? eq + 1 : NULL, err) < 0) {
                        jc_request_free(&req);
                        return -1;
                }
        }
        rc = jc_resolve(pol, partition, &req, &ctx, spec, err);
        jc_request_free(&req);
        return rc;
}

#define OPTS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void refused(const struct jc_policy *pol, const char *part, const char *const *opts,
                    const char *want, const char *name)
{
        struct jc_error err = { 0 };
        struct jc_spec spec;

        ok(resolve(pol, part, opts, &spec, &err) < 0, "%s: refused", name);
        like(err.msg, want, "%s: names the key", name);
}

static void allowed(const struct jc_policy *pol, const char *part, const char *const *opts,
                    struct jc_spec *spec, const char *name)
{
        struct jc_error err = { 0 };

        if (!ok(resolve(pol, part, opts, spec, &err) == 0, "%s: allowed", name)) {
                printf("# %s\n", err.msg);
                jc_spec_init(spec, &err);
        }
}

static void test_builtin(void)
{
        struct jc_error err = { 0 };
        struct jc_spec s;
        int i, all_builtin = 1;

        ok(jc_resolve(NULL, NULL, NULL, &ctx, &s, &err) == 0, "builtin: resolves without policy");
        is_int(s.network, JC_NET_NONE, "builtin: network none");
        is_int(s.identity, JC_ID_USER, "builtin: runs as the user");
        is_int(s.capabilities, 0, "builtin: no capabilities");
        ok(!s.privileged, "builtin: not privileged");
        is_str(s.seccomp, "default", "builtin: default seccomp filter");
        is_int(s.pids_limit, 8192, "builtin: pids limit");
        ok(s.rlimits[RLIMIT_CORE].set && s.rlimits[RLIMIT_CORE].hard == 0, "builtin: core 0");
        ok(s.readonly_root, "builtin: read-only root");
        ok(s.service_uid != 0 && s.service_gid != 0, "builtin: service ids are not root");
        is_int(s.mounts.n, 0, "builtin: no mounts");
        for (i = 0; i < JC_S_COUNT; i++)
                all_builtin = all_builtin && s.origin[i] == JC_ORIGIN_BUILTIN;
        ok(all_builtin, "builtin: every origin is builtin");
        jc_spec_free(&s);
}

static void test_precedence(void)
{
        struct jc_policy *pol = policy("[defaults]\npids_limit = 100\npids_limit_max = 1000\n"
                                       "hostname = dflt\nrlimit_nofile = 1024\n"
                                       "[partition p]\npids_limit = 200\nrlimit_core = 10\n"
                                       "[partition q]\nhostname = qhost\n");
        struct jc_spec s;

        allowed(pol, "x", NULL, &s, "no section: [defaults]");
        is_int(s.pids_limit, 100, "no section: value of [defaults]");
        is_int(s.origin[JC_S_PIDS_LIMIT], JC_ORIGIN_DEFAULTS, "no section: origin defaults");
        is_int(s.origin[JC_S_PARTITION], JC_ORIGIN_DEFAULTS, "no section: partition origin");
        is_str(s.partition, "", "no section: no partition name");
        jc_spec_free(&s);
        allowed(pol, "p", NULL, &s, "partition over defaults");
        is_int(s.pids_limit, 200, "partition over defaults: value");
        is_int(s.origin[JC_S_PIDS_LIMIT], JC_ORIGIN_PARTITION, "partition over defaults: origin");
        is_str(s.hostname, "dflt", "partition inherits what it does not set");
        is_int(s.origin[JC_S_HOSTNAME], JC_ORIGIN_DEFAULTS, "inherited origin is defaults");
        ok(s.rlimits[RLIMIT_NOFILE].set && s.rlimits[RLIMIT_NOFILE].soft == 1024 &&
                   s.rlimits[RLIMIT_CORE].soft == 10,
           "rlimits merge key by key");
        is_int(s.origin[JC_S_IMAGE], JC_ORIGIN_BUILTIN, "untouched field stays builtin");
        jc_spec_free(&s);
        allowed(pol, "p", OPTS("pids-limit=50"), &s, "request over partition");
        is_int(s.pids_limit, 50, "request over partition: value");
        is_int(s.origin[JC_S_PIDS_LIMIT], JC_ORIGIN_REQUEST, "request over partition: origin");
        jc_spec_free(&s);
        allowed(pol, "q", NULL, &s, "other partition");
        is_str(s.hostname, "qhost", "other partition: its own value");
        is_int(s.pids_limit, 100, "other partition: defaults for the rest");
        jc_spec_free(&s);
        jc_policy_free(pol);
}

/* cgroup_parent: where a standalone run puts the sandbox's cgroups. */
static void test_cgroup_parent(void)
{
        struct jc_policy *pol = policy("[defaults]\ncgroup_parent = /jobcell\n"
                                       "[partition p]\ncgroup_parent = /jobcell/p\n");
        struct jc_spec s;

        allowed(NULL, NULL, NULL, &s, "cgroup_parent: no policy");
        is_str(s.cgroup_parent, "", "cgroup_parent: built-in is the caller's own cgroup");
        jc_spec_free(&s);
        allowed(pol, "x", NULL, &s, "cgroup_parent: [defaults]");
        is_str(s.cgroup_parent, "/jobcell", "cgroup_parent: taken from [defaults]");
        is_int(s.origin[JC_S_CGROUP_PARENT], JC_ORIGIN_DEFAULTS, "cgroup_parent: origin defaults");
        jc_spec_free(&s);
        allowed(pol, "p", NULL, &s, "cgroup_parent: partition");
        is_str(s.cgroup_parent, "/jobcell/p", "cgroup_parent: the partition's");
        jc_spec_free(&s);
        jc_policy_free(pol);
}

static void test_choices(void)
{
        struct jc_policy *pol = policy("[defaults]\n"
                                       "[partition open]\nnetwork_allowed = none, "
                                       "host\nidentity_allowed = user, fakeroot\n"
                                       "seccomp_allowed = default, /etc/jc/gpu.json\n"
                                       "[partition hostnet]\nnetwork = host\n");
        struct jc_spec s;

        refused(pol, "closed", OPTS("network=host"),
                "network=host is refused: network_allowed is not set in [defaults]",
                "network host, not allowed");
        allowed(pol, "open", OPTS("network=host"), &s, "network host, allowed");
        is_int(s.network, JC_NET_HOST, "network host: granted");
        is_int(s.origin[JC_S_NETWORK], JC_ORIGIN_REQUEST, "network host: origin request");
        jc_spec_free(&s);
        allowed(pol, "hostnet", OPTS("network=none"), &s, "network none is a tightening");
        is_int(s.network, JC_NET_NONE, "network none: granted over a host default");
        jc_spec_free(&s);
        refused(pol, "closed", OPTS("remap-root"), "identity=fakeroot is refused",
                "fakeroot, not allowed");
        allowed(pol, "open", OPTS("remap-root"), &s, "fakeroot, allowed");
        is_int(s.identity, JC_ID_FAKEROOT, "fakeroot: granted");
        jc_spec_free(&s);
        refused(pol, "open", OPTS("identity=service-root"),
                "[partition open] identity_allowed = user, fakeroot", "service-root, not listed");
        refused(pol, "closed", OPTS("seccomp=/etc/jc/gpu.json"),
                "seccomp=/etc/jc/gpu.json is refused", "seccomp profile, not allowed");
        allowed(pol, "open", OPTS("seccomp=/etc/jc/gpu.json"), &s, "seccomp profile, allowed");
        is_str(s.seccomp, "/etc/jc/gpu.json", "seccomp profile: granted");
        jc_spec_free(&s);
        jc_policy_free(pol);
}

static void test_caps(void)
{
        struct jc_policy *pol = policy("[defaults]\ncapabilities = CAP_NET_BIND_SERVICE\n"
                                       "capabilities_grantable = CAP_SYS_PTRACE\n"
                                       "[partition priv]\nprivileged = true\n");
        uint64_t bind = UINT64_C(1) << 10, ptrace = UINT64_C(1) << 19;
        struct jc_spec s;

        allowed(pol, "x", NULL, &s, "granted capability");
        is_int(s.capabilities, bind, "granted capability: kept");
        jc_spec_free(&s);
        allowed(pol, "x", OPTS("cap-add=sys_ptrace"), &s, "grantable capability");
        is_int(s.capabilities, bind | ptrace, "grantable capability: added");
        jc_spec_free(&s);
        refused(pol, "x", OPTS("cap-add=CAP_SYS_ADMIN"),
                "cap-add=CAP_SYS_ADMIN is refused: [defaults] capabilities_grantable = "
                "CAP_SYS_PTRACE",
                "capability not grantable");
        allowed(pol, "x", OPTS("cap-drop=ALL"), &s, "drop all");
        is_int(s.capabilities, 0, "drop all: none left");
        jc_spec_free(&s);
        allowed(pol, "priv", NULL, &s, "privileged partition");
        ok(s.privileged && s.capabilities == jc_caps_all(), "privileged: every capability");
        jc_spec_free(&s);
        jc_policy_free(pol);
}

static void test_limits(void)
{
        struct jc_policy *pol = policy("[defaults]\npids_limit = 100\npids_limit_max = 500\n"
                                       "memory_max = 4G\nswap_max = 0\ncpus = 0-3\n"
                                       "[partition free]\nmemory_max = none\nswap_max = none\n"
                                       "cpus = none\npids_limit_max = 100\n");
        struct jc_spec s;

        allowed(pol, "x", OPTS("pids-limit=500"), &s, "pids at the max");
        is_int(s.pids_limit, 500, "pids at the max: granted");
        jc_spec_free(&s);
        refused(pol, "x", OPTS("pids-limit=501"), "[defaults] pids_limit_max = 500",
                "pids above the max");
        refused(pol, "free", OPTS("pids-limit=101"), "pids_limit_max = 100", "pids above max");
        allowed(pol, "x", OPTS("memory-max=2G"), &s, "memory below the policy's");
        is_int(s.memory_max, 2LL << 30, "memory below: granted");
        jc_spec_free(&s);
        refused(pol, "x", OPTS("memory-max=8G"), "[defaults] memory_max = 4G", "memory above");
        allowed(pol, "free", OPTS("memory-max=64G"), &s, "memory with no policy limit");
        jc_spec_free(&s);
        refused(pol, "x", OPTS("swap-max=1G"), "[defaults] swap_max = 0", "swap above 0");
        allowed(pol, "x", OPTS("cpuset=1-2"), &s, "cpus subset");
        is_str(s.cpus, "1-2", "cpus subset: granted");
        jc_spec_free(&s);
        refused(pol, "x", OPTS("cpuset=2-5"), "cpuset=2-5 (not a subset) is refused",
                "cpus not a subset");
        allowed(pol, "free", OPTS("cpuset=7"), &s, "cpus with no policy set");
        jc_spec_free(&s);
        jc_policy_free(pol);
}

static void test_root_and_mounts(void)
{
        struct jc_policy *pol = policy("[defaults]\nmounts = /apps, /scratch/%u:/scratch:rw\n"
                                       "mounts_allowed = /home/%u:rw, /data\n"
                                       "[partition w]\nwritable_allowed = true\n");
        struct jc_spec s;

        refused(pol, "x", OPTS("writable"), "writable is refused", "writable, not allowed");
        allowed(pol, "w", OPTS("writable"), &s, "writable, allowed");
        ok(!s.readonly_root, "writable: granted");
        jc_spec_free(&s);
        allowed(pol, "x", OPTS("readonly"), &s, "read-only always allowed");
        jc_spec_free(&s);
        allowed(pol, "x", OPTS("mounts=/home/alice/work:/work, /data/set1"), &s, "admitted mounts");
        if (ok(s.mounts.n == 4, "mounts: admin's and the job's")) {
                is_str(s.mounts.v[0].src, "/apps", "mounts: admin's first");
                ok(!s.mounts.v[0].rw, "mounts: admin's read-only by default");
                is_str(s.mounts.v[1].src, "/scratch/alice", "mounts: %%u expands in admin mounts");
                ok(s.mounts.v[1].rw, "mounts: admin's rw flag kept");
                ok(s.mounts.v[2].rw, "mounts: no flag, read-write where granted");
                ok(!s.mounts.v[3].rw, "mounts: no flag, read-only where only ro is granted");
                ok(s.mounts.v[0].policy && s.mounts.v[1].policy && !s.mounts.v[2].policy &&
                           !s.mounts.v[3].policy,
                   "mounts: the admin's are marked, the job's are not");
        }
        is_int(s.origin[JC_S_MOUNTS], JC_ORIGIN_REQUEST, "mounts: origin request");
        ok(s.mounts_allowed.n == 2 && strcmp(s.mounts_allowed.v[0], "/home/alice:rw") == 0,
           "mounts_allowed: in the spec, %%u expanded, for the runner's second check");
        jc_spec_free(&s);
        refused(pol, "x", OPTS("mounts=/data:/d:rw"), "mounts=/data:/d:rw (read-write) is refused",
                "rw mount of a read-only path");
        refused(pol, "x", OPTS("mounts=/home/bob:/b"), "[defaults] mounts_allowed",
                "other user's home");
        refused(pol, "x", OPTS("mounts=/etc"), "mounts=/etc is refused", "path not admitted");
        refused(pol, "x", OPTS("mounts=/data:/proc/sys"), "jobcell builds /proc/sys itself",
                "mount over /proc");
        refused(pol, "x", OPTS("mounts=/data:/"), "builds / itself", "mount over /");
        refused(pol, "x", OPTS("mounts=/data/a:/d, /data/b:/d"),
                "mounts=/data/b:/d: /d is already the target of /data/a",
                "two of the job's mounts on one target");
        allowed(pol, "x", OPTS("mounts=/data/a:/apps"), &s,
                "a job's mount may cover one of the admin's");
        jc_spec_free(&s);
        /* slurmstepd hands each option over twice: the same mount is taken once. */
        allowed(pol, "x", OPTS("mounts=/data/a:/d, /data/a:/d"), &s, "the same mount twice");
        is_int((long long)s.mounts.n, 3, "the same mount twice: taken once");
        jc_spec_free(&s);
        refused(pol, "x", OPTS("mounts=/home/alice/a:/d:ro, /home/alice/a:/d:rw"),
                "/d is already the target of /home/alice/a", "one mount twice, in two modes");
        jc_policy_free(pol);
}

static void test_images(void)
{
        static const char digest[] =
                "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        struct jc_policy *pol = policy("[defaults]\nimages_allowed = /images, /home/%u/img\n"
                                       "[partition strict]\nimage_digest_required = true\n");
        char opt[256];
        struct jc_spec s;

        allowed(pol, "x", OPTS("image=/images/a/rootfs"), &s, "image in an allowed place");
        is_str(s.image, "/images/a/rootfs", "image: path kept");
        is_int(s.origin[JC_S_IMAGE], JC_ORIGIN_REQUEST, "image: origin request");
        jc_spec_free(&s);
        allowed(pol, "x", OPTS("image=/home/alice/img/x.sqsh"), &s, "image under %%u");
        jc_spec_free(&s);
        refused(pol, "x", OPTS("image=/tmp/evil"),
                "image `/tmp/evil' is refused: [defaults] images_allowed", "image elsewhere");
        refused(pol, "x", OPTS("image=/images/../etc"), "empty, `.' or `..' component",
                "image with ..");
        refused(pol, "strict", OPTS("image=/images/a"), "without @sha256:DIGEST is refused",
                "digest required");
        snprintf(opt, sizeof(opt), "image=/images/a.tar@%s", digest);
        allowed(pol, "strict", OPTS(opt), &s, "digest given");
        is_str(s.image, "/images/a.tar", "digest: path without it");
        is_str(s.image_digest, digest, "digest: kept");
        jc_spec_free(&s);
        refused(pol, "x", OPTS("image=/images/a@sha256:12"), "is not a digest", "bad digest");
        jc_policy_free(pol);

        pol = policy("[defaults]\nimage_cache_dir = /var/cache/jc\n"
                     "[partition sq]\nimage_formats = dir, squashfs\nsquashfs_mount = kernel\n"
                     "image_cache_max_size = 1G\n");
        allowed(pol, "x", OPTS("image=/images/a"), &s, "image keys: defaults");
        is_int(s.image_formats, 15, "image keys: every format by default");
        is_int(s.squashfs_mount, JC_SQFS_SQUASHFUSE, "image keys: squashfuse by default");
        is_str(s.image_cache_dir, "/var/cache/jc", "image keys: cache dir from [defaults]");
        is_int(s.image_cache_max_size, -1, "image keys: no cache cap by default");
        jc_spec_free(&s);
        allowed(pol, "sq", OPTS("image=/images/a"), &s, "image keys: partition");
        is_int(s.image_formats, (1 << JC_IMG_DIR) | (1 << JC_IMG_SQUASHFS),
               "image keys: formats from the partition");
        is_int(s.squashfs_mount, JC_SQFS_KERNEL, "image keys: kernel squashfs in the partition");
        is_int(s.image_cache_max_size, 1LL << 30, "image keys: cache cap");
        is_int(s.origin[JC_S_IMAGE_CACHE_MAX_SIZE], JC_ORIGIN_PARTITION, "image keys: origin");
        jc_spec_free(&s);
        jc_policy_free(pol);
}

static void test_request_options(void)
{
        struct jc_request req;
        struct jc_error err = { 0 };

        jc_request_init(&req);
        ok(jc_request_empty(&req), "request: empty at first");
        ok(jc_request_set(&req, "bogus", "1", &err) < 0, "request: unknown option");
        ok(jc_request_set(&req, "writable", "1", &err) < 0, "request: flag with a value");
        like(err.msg, "--writable takes no value", "request: flag message");
        ok(jc_request_set(&req, "network", NULL, &err) < 0, "request: option without value");
        ok(jc_request_set(&req, "network", "bridge", &err) < 0, "request: bad network");
        like(err.msg, "--network=bridge: `bridge' is not one of", "request: names the option");
        ok(jc_request_set(&req, "env", "A,B", &err) == 0 &&
                   jc_request_set(&req, "env", "C", &err) == 0 && req.env.n == 3,
           "request: lists add up");
        ok(jc_request_set(&req, "env", "1BAD", &err) < 0, "request: bad variable name");
        ok(jc_request_set(&req, "workdir", "rel", &err) < 0, "request: relative workdir");
        ok(jc_request_set(&req, "memory-max", "0", &err) < 0, "request: memory 0");
        ok(!jc_request_empty(&req), "request: not empty");
        jc_request_free(&req);
}

int main(void)
{
        test_builtin();
        test_precedence();
        test_cgroup_parent();
        test_choices();
        test_caps();
        test_limits();
        test_root_and_mounts();
        test_images();
        test_request_options();
        return done_testing();
}
