/* The spec as JSON: every field survives the round trip, and a reader
 * refuses anything that is not exactly a spec. */
#include "config.h"

#include <stdint.h>

#include "../tap.h"
#include "resolve.h"
#include "testlib.h"
#include "values.h"

/* A spec with every field away from its default. */
static void rich_spec(struct jc_spec *s)
{
        struct jc_error err = { 0 };

        jc_spec_init(s, &err);
        free(s->partition);
        s->partition = strdup("gpu");
        free(s->image);
        s->image = strdup("/images/x");
        free(s->image_digest);
        s->image_digest =
                strdup("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        s->network = JC_NET_HOST;
        s->identity = JC_ID_SERVICE_ROOT;
        s->root_map = JC_ROOTMAP_SUBUID;
        s->service_uid = 999;
        s->service_gid = 998;
        s->capabilities = (UINT64_C(1) << 13) | (UINT64_C(1) << 40);
        s->privileged = true;
        free(s->seccomp);
        s->seccomp = strdup("/etc/jc/p.json");
        s->pids_limit = 77;
        s->memory_max = 1LL << 33;
        s->swap_max = 0;
        free(s->cpus);
        s->cpus = strdup("0-1");
        s->rlimits[RLIMIT_NOFILE] = (struct jc_rlimit){ true, 1024, RLIM_INFINITY };
        s->readonly_root = false;
        jc_mounts_push(&s->mounts, "/a", "/b", true, true, &err);
        jc_mounts_push(&s->mounts, "/c", "/c", false, false, &err);
        jc_strv_push(&s->mounts_allowed, "/home/alice:rw", &err);
        jc_strv_push(&s->devices, "/dev/nvidia0", &err);
        jc_strv_push(&s->env_passthrough, "OMP_*", &err);
        jc_strv_push(&s->env, "PATH", &err);
        free(s->hostname);
        s->hostname = strdup("node1");
        s->tmp_size = 1 << 20;
        free(s->workdir);
        s->workdir = strdup("/work");
        s->entrypoint = true;
        free(s->cgroup_parent);
        s->cgroup_parent = strdup("/jobcell/batch");
        s->image_formats = (UINT64_C(1) << JC_IMG_OCI) | (UINT64_C(1) << JC_IMG_SQUASHFS);
        s->squashfs_mount = JC_SQFS_KERNEL;
        free(s->image_cache_dir);
        s->image_cache_dir = strdup("/var/cache/jc");
        s->image_cache_max_size = 1LL << 34;
        s->origin[JC_S_NETWORK] = JC_ORIGIN_REQUEST;
        s->origin[JC_S_PIDS_LIMIT] = JC_ORIGIN_PARTITION;
        s->origin[JC_S_HOSTNAME] = JC_ORIGIN_DEFAULTS;
}

static void test_round_trip(void)
{
        struct jc_error err = { 0 };
        struct jc_spec a, b;
        char *j1, *j2;

        rich_spec(&a);
        j1 = jc_spec_to_json(&a, false, &err);
        ok(j1 != NULL, "to JSON");
        ok(jc_spec_from_json(&b, j1, &err) == 0, "from JSON");
        j2 = jc_spec_to_json(&b, false, &err);
        is_str(j2, j1, "round trip gives the same JSON");
        is_int(b.network, JC_NET_HOST, "round trip: enum");
        is_int(b.capabilities, a.capabilities, "round trip: capabilities");
        ok(b.rlimits[RLIMIT_NOFILE].set && b.rlimits[RLIMIT_NOFILE].hard == RLIM_INFINITY &&
                   b.rlimits[RLIMIT_CORE].set && b.rlimits[RLIMIT_CORE].hard == 0,
           "round trip: rlimits, unlimited included");
        ok(!b.rlimits[RLIMIT_STACK].set, "round trip: unset rlimit stays unset");
        ok(b.mounts.n == 2 && b.mounts.v[0].rw && !b.mounts.v[1].rw && b.mounts.v[0].policy &&
                   !b.mounts.v[1].policy && strcmp(b.mounts.v[0].dst, "/b") == 0,
           "round trip: mounts");
        is_int(b.memory_max, 1LL << 33, "round trip: 64-bit sizes");
        is_int(b.swap_max, 0, "round trip: swap 0");
        is_int(b.origin[JC_S_PIDS_LIMIT], JC_ORIGIN_PARTITION, "round trip: origins");
        is_str(b.image_digest, a.image_digest, "round trip: digest");
        is_int(b.image_formats, a.image_formats, "round trip: image formats (an enum set)");
        is_int(b.squashfs_mount, JC_SQFS_KERNEL, "round trip: squashfs mount");
        like(j1, "\"origin\":{\"partition\":\"builtin\"", "JSON has the origin of each field");
        like(j1, "\"CAP_NET_RAW\"", "JSON names capabilities");
        free(j1);
        free(j2);
        jc_spec_free(&a);
        jc_spec_free(&b);
}

/* Replace the first FROM in the JSON of a default spec with TO, and
 * expect the reader to refuse it saying WANT. */
static void bad(const char *from, const char *to, const char *want, const char *name)
{
        struct jc_error err = { 0 };
        struct jc_spec s;
        char *j, *p, buf[8192];

        jc_spec_init(&s, &err);
        j = jc_spec_to_json(&s, false, &err);
        jc_spec_free(&s);
        p = strstr(j, from);
        if (!ok(p != NULL, "%s: `%s' found", name, from)) {
                free(j);
                return;
        }
        snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - j), j, to, p + strlen(from));
        free(j);
        ok(jc_spec_from_json(&s, buf, &err) < 0, "%s: refused", name);
        like(err.msg, want, "%s: says why", name);
}

static void test_strict(void)
{
        struct jc_error err = { 0 };
        struct jc_spec s;

        ok(jc_spec_from_json(&s, "{not json", &err) < 0, "garbage: refused");
        bad("\"version\":1", "\"version\":2", "version is not 1", "other version");
        bad("\"network\":\"none\"", "\"network\":\"bridge\"", "spec field `network'", "bad enum");
        bad("\"pids_limit\":8192", "\"pids_limit\":\"many\"", "`pids_limit' has the wrong type",
            "wrong type");
        {
                char want[64];

                snprintf(want, sizeof(want), "1 of %d fields are missing", (int)JC_S_COUNT);
                bad("\"hostname\":\"\",", "", want, "missing field");
        }
        bad("\"hostname\":\"\"", "\"hostname\":\"\",\"extra\":1", "unknown field `extra'",
            "unknown field");
        bad("\"capabilities\":[]", "\"capabilities\":[\"CAP_FLY\"]", "unknown capability",
            "bad capability");
        bad("\"mounts\":[]",
            "\"mounts\":[{\"src\":\"/a/../b\",\"dst\":\"/c\",\"rw\":true,\"policy\":false}]",
            "component", "mount path with ..");
        bad("\"service_uid\":65534", "\"service_uid\":-3", "out of range", "negative uid");
        bad("\"rlimits\":{\"core\"", "\"rlimits\":{\"bogus\"", "unknown resource", "bad rlimit");
        bad("\"image_formats\":[\"dir\"", "\"image_formats\":[\"zip\"",
            "spec field `image_formats'", "bad image format");
        bad("\"network\":\"builtin\"", "\"network\":\"elsewhere\"", "spec origin of `network'",
            "bad origin");
}

static void test_relay(void)
{
        struct jc_error err = { 0 };
        struct jc_relay_ports r = { 0 };
        struct jc_relay_port p;
        char buf[32];
        struct jc_spec a, b;
        char *j;

        ok(jc_relay_port_parse("127.0.0.1:35583", &p, &err) == 0 && !p.v6 && p.port == 35583,
           "relay port: 127.0.0.1:PORT");
        ok(jc_relay_port_parse("[::1]:1", &p, &err) == 0 && p.v6 && p.port == 1,
           "relay port: [::1]:PORT");
        jc_relay_port_format(&p, buf, sizeof(buf));
        is_str(buf, "[::1]:1", "relay port: written back");
        ok(jc_relay_port_parse("10.0.0.1:22", &p, &err) < 0, "relay port: not loopback refused");
        like(err.msg, "relay port `10.0.0.1:22'", "relay port: ... named");
        ok(jc_relay_port_parse("127.0.0.1:0", &p, &err) < 0, "relay port: 0 refused");
        ok(jc_relay_port_parse("127.0.0.1:65536", &p, &err) < 0, "relay port: 65536 refused");
        ok(jc_relay_port_parse("127.0.0.1:022", &p, &err) < 0, "relay port: leading 0 refused");
        ok(jc_relay_port_parse("127.0.0.1:22 ", &p, &err) < 0, "relay port: trailing text refused");
        ok(jc_relay_port_parse("127.0.0.1:+22", &p, &err) < 0, "relay port: sign refused");
        ok(jc_relay_port_parse("127.0.0.10:22", &p, &err) < 0, "relay port: 127.0.0.10 refused");
        jc_relay_port_parse("127.0.0.1:300", &p, &err);
        jc_relay_ports_add(&r, &p, &err);
        jc_relay_port_parse("[::1]:20", &p, &err);
        jc_relay_ports_add(&r, &p, &err);
        jc_relay_port_parse("127.0.0.1:20", &p, &err);
        jc_relay_ports_add(&r, &p, &err);
        jc_relay_ports_add(&r, &p, &err);
        ok(r.n == 3 && r.v[0].port == 20 && !r.v[0].v6 && r.v[1].port == 300 && r.v[2].v6,
           "relay ports: sorted, 127.0.0.1 first, a port added twice is there once");
        while (r.n < JC_RELAY_MAX)
                r.v[r.n++].port = 0;
        ok(jc_relay_ports_add(&r, &(struct jc_relay_port){ .port = 9 }, &err) < 0,
           "relay ports: at most JC_RELAY_MAX");

        jc_spec_init(&a, &err);
        j = jc_spec_to_json(&a, false, &err);
        like(j, "\"relay_tcp\":[]", "relay_tcp: none by default");
        free(j);
        jc_relay_port_parse("127.0.0.1:35583", &p, &err);
        jc_relay_ports_add(&a.relay_tcp, &p, &err);
        j = jc_spec_to_json(&a, false, &err);
        like(j, "\"relay_tcp\":[\"127.0.0.1:35583\"]", "relay_tcp: written as strings");
        ok(jc_spec_from_json(&b, j, &err) == 0 && b.relay_tcp.n == 1 &&
                   b.relay_tcp.v[0].port == 35583,
           "relay_tcp: round trip");
        free(j);
        jc_spec_free(&a);
        jc_spec_free(&b);
        bad("\"relay_tcp\":[]", "\"relay_tcp\":[\"0.0.0.0:22\"]", "relay port `0.0.0.0:22'",
            "relay_tcp not on the loopback");
        bad("\"relay_tcp\":[]", "\"relay_tcp\":[22]", "`relay_tcp' has the wrong type",
            "relay_tcp as a number");
        bad("\"relay_tcp\":[]", "\"relay_tcp\":[\"127.0.0.1:22\",\"127.0.0.1:22\"]", "twice",
            "relay_tcp with a port twice");
}

int main(void)
{
        test_round_trip();
        test_strict();
        test_relay();
        return done_testing();
}
