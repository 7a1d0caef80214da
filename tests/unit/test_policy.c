/* Loading and validating policy files: every key, every layout fault
 * iniparser would hide, every contradiction. */
#include "config.h"

#include <errno.h>
#include <stdint.h>

#include "../tap.h"
#include "keys.h"
#include "policy.h"
#include "testlib.h"

/* Load TEXT; return 0 if valid.  The diagnostics joined by '\n' go to OUT. */
static int load(const char *text, struct jc_policy **pol, char **out)
{
        struct jc_strv diags = { 0 };
        struct jc_error err = { 0 };
        const char *path = tmp_policy(text);
        int rc;

        *pol = NULL;
        rc = jc_policy_load(path, pol, &diags, &err);
        *out = jc_strv_join(&diags, "\n");
        if (rc < 0 && diags.n == 0)
                printf("# no diagnostics, error: %s\n", err.msg);
        jc_strv_free(&diags);
        unlink(path);
        return rc;
}

/* Expect TEXT to be refused with a diagnostic containing WANT. */
static void refused(const char *text, const char *want, const char *name)
{
        struct jc_policy *pol;
        char *diags;

        ok(load(text, &pol, &diags) < 0 && pol == NULL, "%s: refused", name);
        like(diags, want, "%s: says why", name);
        free(diags);
}

static void accepted(const char *text, const char *name)
{
        struct jc_policy *pol;
        char *diags;

        if (!ok(load(text, &pol, &diags) == 0, "%s: accepted", name))
                printf("# %s\n", diags);
        free(diags);
        jc_policy_free(pol);
}

struct keycase {
        const char *key, *good, *bad;
};

static const struct keycase cases[] = {
        { "network", "host", "bridge" },
        { "network_allowed", "none, host", "none, bridge" },
        { "identity", "fakeroot", "admin" },
        { "identity_allowed", "user, fakeroot, service-root", "user,,fakeroot" },
        { "root_map", "subuid", "range" },
        { "service_user", "nobody", "root" },
        { "service_group", "nogroup", "root" },
        { "capabilities", "CAP_NET_RAW, net_bind_service", "CAP_FLY" },
        { "capabilities_grantable", "sys_ptrace", "ALL" },
        { "privileged", "true", "maybe" },
        { "seccomp", "/etc/jobcell/seccomp.json", "seccomp.json" },
        { "seccomp_allowed", "default, /etc/jobcell/gpu.json", "default, gpu.json" },
        { "pids_limit", "100", "0" },
        { "pids_limit_max", "100000", "-5" },
        { "memory_max", "4G", "lots" },
        { "swap_max", "0", "-1" },
        { "cpus", "0-1,3", "1-0" },
        { "readonly_root", "false", "perhaps" },
        { "writable_allowed", "yes", "2" },
        { "images_allowed", "/shared/images, /home/%u/images", "images" },
        { "image_digest_required", "true", "sure" },
        { "mounts", "/scratch:/scratch:rw, /apps", "/a:/b:/c" },
        { "mounts_allowed", "/home/%u:rw, /data", "home" },
        { "devices", "/dev/nvidia*, /dev/infiniband/uverbs0", "/etc/passwd" },
        { "env_passthrough", "OMP_*, PATH", "A,,B" },
        { "require_sandbox", "true", "x" },
        { "hostname", "node1", "bad host" },
        { "tmp_size", "1G", "0" },
        { "cgroup_parent", "/jobcell/batch", "/jobcell/../x" },
        { "image_formats", "dir, oci, docker, squashfs", "dir, zip" },
        { "squashfs_mount", "kernel", "fuse" },
        { "image_cache_dir", "/var/cache/jobcell", "/var/cache/a,b" },
        { "image_cache_max_size", "20G", "0" },
        { "rlimit_nofile", "1024:4096", "10:5" },
        { "rlimit_core", "unlimited", "lots" },
        { "rlimit_stack", "8388608", "-1" },
};

static void test_every_key(void)
{
        char text[512], want[512];
        size_t i;
        int k;

        for (i = 0; i < JC_ARRAY_SIZE(cases); i++) {
                snprintf(text, sizeof(text), "[partition p]\n%s = %s\n", cases[i].key,
                         cases[i].good);
                accepted(text, cases[i].key);
                snprintf(text, sizeof(text), "[partition p]\n%s = %s\n", cases[i].key,
                         cases[i].bad);
                snprintf(want, sizeof(want), ":2: [partition p] %s = %s: ", cases[i].key,
                         cases[i].bad);
                refused(text, want, cases[i].key);
        }
        /* A key added to the table without a case here fails this test. */
        for (k = 0; k < JC_K_COUNT; k++) {
                bool found = false;

                for (i = 0; i < JC_ARRAY_SIZE(cases); i++)
                        found = found || strcmp(cases[i].key, jc_keys[k].name) == 0;
                ok(found, "key %s has a test case", jc_keys[k].name);
        }
}

/* Below 1M the runner itself, charged to its job's limit, would be the
 * OOM killer's victim: such a limit is refused where it is written. */
static void test_memory_floor(void)
{
        accepted("[defaults]\nmemory_max = 1M\n", "memory_max = 1M");
        accepted("[defaults]\nmemory_max = none\n", "memory_max = none");
        refused("[defaults]\nmemory_max = 1023K\n",
                ":2: [defaults] memory_max = 1023K: a memory limit of 1047552 bytes is below the "
                "1M jobcell needs",
                "memory_max below 1M");
}

/* Two of the admin's mounts on one target: the second would hide the
 * first. */
static void test_mount_targets(void)
{
        refused("[defaults]\nmounts = /apps:/x, /data, /opt:/x\n",
                ":2: [defaults] mounts = /apps:/x, /data, /opt:/x: `/opt:/x': /x is already the "
                "target of /apps",
                "two mounts on one target");
        accepted("[defaults]\nmounts = /apps:/x, /apps:/x/sub\n", "a mount below another");
        accepted("[defaults]\nmounts = /apps:/x, /apps:/x\n", "the same mount twice");
}

static void test_layout(void)
{
        char longline[2048];

        refused("[defaults]\nnetwrok = none\n", ":2: [defaults] netwrok: unknown key",
                "unknown key");
        refused("[gpu]\nnetwork = none\n", ":1: [gpu] is not a section jobcell knows",
                "unknown section");
        refused("network = none\n[defaults]\n", ":1: key `network' is outside any section",
                "key outside a section");
        refused("[defaults]\nnetwork = none\nNetwork = host\n",
                ":3: [defaults] network: repeats the key at line 2", "duplicate key (case folded)");
        refused("[defaults]\n[defaults]\n", ":2: [defaults] repeats the section at line 1",
                "duplicate [defaults]");
        refused("[partition a]\n[partition a]\n", ":2: [partition a] repeats the section",
                "duplicate partition");
        refused("[partition GPU]\nnetwork = none\n[partition gpu]\nnetwork = host\n",
                ":3: [partition gpu] differs only in case from [partition GPU] at line 1",
                "partitions differing only in case");
        refused("[partition a:b]\n", "`:' is not allowed in a section name", "colon in a section");
        refused("[defaults]\nnet:work = none\n", "`:' is not allowed in a key", "colon in a key");
        refused("[partition ]\n", "is not a section jobcell knows", "partition without a name");
        refused("[defaults]\njust some words\n", ":2: not a [section] or key = value line",
                "syntax error");
        memset(longline, 'x', sizeof(longline));
        memcpy(longline, "[defaults]\nhostname = ", 22);
        longline[sizeof(longline) - 2] = '\n';
        longline[sizeof(longline) - 1] = '\0';
        refused(longline, ":2: line longer than", "line too long for iniparser");
        refused("[defaults]\nprivileged = true\n",
                ":2: [defaults] privileged: may only be set in a [partition NAME] section",
                "privileged in [defaults]");
        accepted("", "empty file");
        accepted("; only a comment\n# and another\n", "comments only");
        accepted("[defaults]\nnetwork = none ; inline comment\n", "inline comment");
        /* iniparser keeps a quoted value and drops what follows the quote. */
        refused("[defaults]\nenv_passthrough = \"A;B\", C\n",
                ":2: [defaults] env_passthrough = \"A;B\", C: text after the closing quote "
                "(iniparser would read only `A;B'",
                "text after a quoted value");
        refused("[defaults]\nimages_allowed = '/images' /home\n", "text after the closing quote",
                "text after a single-quoted value");
        accepted("[defaults]\nhostname = \"node1\" ; a comment\nenv_passthrough = 'A#1' # c\n",
                 "a comment after a quoted value");
}

static void test_contradictions(void)
{
        refused("[defaults]\nnetwork = host\nnetwork_allowed = none\n",
                "[defaults]: network = host (line 2, [defaults]) is outside network_allowed = none",
                "network outside network_allowed, one section");
        refused("[defaults]\nnetwork_allowed = none\n[partition p]\nnetwork = host\n",
                ":4: [partition p]: network = host (line 4, [partition p]) is outside "
                "network_allowed = none (line 2, [defaults])",
                "network outside network_allowed, across sections");
        accepted("[defaults]\nnetwork_allowed = host\n",
                 "network none is always allowed, even if not listed");
        refused("[defaults]\nidentity_allowed = fakeroot\n",
                "identity = user (built-in default) is outside identity_allowed = fakeroot",
                "built-in identity outside identity_allowed");
        refused("[partition p]\nseccomp = /etc/x.json\nseccomp_allowed = default\n",
                "seccomp = /etc/x.json (line 2, [partition p]) is outside seccomp_allowed",
                "seccomp outside seccomp_allowed");
        refused("[defaults]\npids_limit_max = 100\n",
                "pids_limit = 8192 (built-in default) is outside pids_limit_max = 100",
                "built-in pids_limit above pids_limit_max");
        refused("[defaults]\npids_limit = 500\npids_limit_max = 100\n",
                "pids_limit = 500 (line 2, [defaults]) is outside pids_limit_max = 100",
                "pids_limit above pids_limit_max");
        accepted("[defaults]\npids_limit = 50\npids_limit_max = 100\n", "pids_limit within max");
}

static void test_every_problem_reported(void)
{
        struct jc_policy *pol;
        char *diags, *p;
        int lines = 1;

        ok(load("[defaults]\nnetwork = bridge\nfoo = 1\n[gpu]\n[partition p]\npids_limit = x\n",
                &pol, &diags) < 0,
           "several problems: refused");
        for (p = diags; p && *p; p++)
                lines += *p == '\n';
        is_int(lines, 4, "several problems: each is reported");
        like(diags, ":2: [defaults] network = bridge", "several problems: the bad value");
        like(diags, ":3: [defaults] foo: unknown key", "several problems: the unknown key");
        like(diags, ":4: [gpu] is not a section", "several problems: the unknown section");
        like(diags, ":6: [partition p] pids_limit = x", "several problems: the later section");
        free(diags);
}

static void test_reading(void)
{
        struct jc_policy *pol = NULL;
        struct jc_strv diags = { 0 };
        struct jc_error err = { 0 };
        const struct jc_section *sec;
        char *d;

        /* Blanks between "partition" and the name are free; iniparser
         * keeps them in its name for the section. */
        ok(load("[partition  GPU]\nnetwork = host\n[partition\tcpu]\nhostname = \"node1\"\n"
                "mounts = /a:/a, \\\n  /b:/b:rw\n",
                &pol, &d) == 0,
           "reading: loads");
        free(d);
        sec = jc_policy_partition(pol, "GPU");
        ok(sec != NULL && sec->v[JC_K_NETWORK].set, "reading: keys of [partition  GPU] are read");
        ok(sec != NULL && sec->v[JC_K_NETWORK].num == JC_NET_HOST, "reading: GPU keeps its case");
        ok(jc_policy_partition(pol, "gpu") == NULL, "reading: partition names are case-sensitive");
        sec = jc_policy_partition(pol, "cpu");
        ok(sec != NULL && strcmp(sec->v[JC_K_HOSTNAME].text, "node1") == 0,
           "reading: quoted value");
        ok(sec != NULL && sec->v[JC_K_MOUNTS].list.n == 2 &&
                   strcmp(sec->v[JC_K_MOUNTS].list.v[1], "/b:/b:rw") == 0,
           "reading: continued line");
        jc_policy_free(pol);
        pol = NULL;
        ok(jc_policy_load("/nonexistent/policy.ini", &pol, &diags, &err) < 0 &&
                   err.errnum == ENOENT,
           "reading: a missing file is refused with ENOENT");
        like(diags.n ? diags.v[0] : NULL, "/nonexistent/policy.ini", "reading: names the file");
        jc_strv_free(&diags);
}

/* devices names host paths under /dev: a path that leaves /dev through
 * "..", or hides in "." or "//", must not pass as a device. */
static void test_device_paths(void)
{
        refused("[defaults]\ndevices = /dev/..\n", "`/dev/..' is not a path under /dev",
                "device: /dev/.. is the root");
        refused("[defaults]\ndevices = /dev/nvidia0/..\n", "is not a path under /dev",
                "device: a trailing ..");
        refused("[defaults]\ndevices = /dev/../etc/shadow\n", "is not a path under /dev",
                "device: .. inside");
        refused("[defaults]\ndevices = /dev//sda\n", "is not a path under /dev",
                "device: an empty component");
        refused("[defaults]\ndevices = /dev/\n", "is not a path under /dev",
                "device: a trailing slash");
        accepted(
                "[defaults]\ndevices = /dev/nvidia*, /dev/dri/card[0-3], /dev/infiniband/uverbs0\n",
                "device: globs and subdirectories");
}

int main(void)
{
        test_every_key();
        test_memory_floor();
        test_mount_targets();
        test_layout();
        test_contradictions();
        test_every_problem_reported();
        test_reading();
        test_device_paths();
        return done_testing();
}
