/* The value parsers behind every policy key and request option. */
#include "config.h"

#include <stdint.h>
#include <sys/resource.h>

#include "../tap.h"
#include "resolve.h"
#include "spec.h"
#include "values.h"

static void test_bool(void)
{
        struct jc_error err = { 0 };
        bool b = false;

        ok(jc_parse_bool("yes", &b, &err) == 0 && b, "bool: yes");
        ok(jc_parse_bool("TRUE", &b, &err) == 0 && b, "bool: TRUE");
        ok(jc_parse_bool("off", &b, &err) == 0 && !b, "bool: off");
        ok(jc_parse_bool("0", &b, &err) == 0 && !b, "bool: 0");
        /* iniparser_getboolean would take these from their first letter. */
        ok(jc_parse_bool("yesterday", &b, &err) < 0, "bool: yesterday is refused");
        ok(jc_parse_bool("tru", &b, &err) < 0, "bool: tru is refused");
        like(err.msg, "not a boolean", "bool: message says what was expected");
}

static void test_numbers(void)
{
        struct jc_error err = { 0 };
        int64_t v = 0;

        ok(jc_parse_int("42", 1, 100, &v, &err) == 0 && v == 42, "int: 42");
        ok(jc_parse_int("0", 1, 100, &v, &err) < 0, "int: below range");
        like(err.msg, "out of range", "int: range message");
        ok(jc_parse_int("101", 1, 100, &v, &err) < 0, "int: above range");
        ok(jc_parse_int("4x", 1, 100, &v, &err) < 0, "int: trailing garbage");
        ok(jc_parse_int("", 1, 100, &v, &err) < 0, "int: empty");
        ok(jc_parse_int("99999999999999999999", 1, INT64_MAX, &v, &err) < 0, "int: overflow");
        ok(jc_parse_size("512M", &v, &err) == 0 && v == 512LL << 20, "size: 512M");
        ok(jc_parse_size("4G", &v, &err) == 0 && v == 4LL << 30, "size: 4G");
        ok(jc_parse_size("4GiB", &v, &err) == 0 && v == 4LL << 30, "size: 4GiB");
        ok(jc_parse_size("1k", &v, &err) == 0 && v == 1024, "size: 1k");
        ok(jc_parse_size("1000", &v, &err) == 0 && v == 1000, "size: plain bytes");
        ok(jc_parse_size("4X", &v, &err) < 0, "size: unknown unit");
        ok(jc_parse_size("-1G", &v, &err) < 0, "size: negative");
        ok(jc_parse_size("99999999P", &v, &err) < 0, "size: overflow");
        ok(jc_parse_size("4GB7", &v, &err) < 0, "size: garbage after the unit");
}

static void test_enums_caps(void)
{
        struct jc_error err = { 0 };
        uint64_t bits = 0;
        char *s;
        int e = -1;

        ok(jc_parse_enum("host", jc_network_names, &e, &err) == 0 && e == JC_NET_HOST,
           "enum: host");
        ok(jc_parse_enum("bridge", jc_network_names, &e, &err) < 0, "enum: bridge refused");
        like(err.msg, "none, host", "enum: message lists the choices");
        ok(jc_parse_enum_set("none, host", jc_network_names, &bits, &err) == 0 && bits == 3,
           "enum set: none, host");
        ok(jc_parse_enum_set("none,,host", jc_network_names, &bits, &err) < 0,
           "enum set: empty item refused");
        ok(jc_parse_caps("CAP_NET_RAW, sys_ptrace", false, &bits, &err) == 0 &&
                   bits == ((UINT64_C(1) << 13) | (UINT64_C(1) << 19)),
           "caps: CAP_NET_RAW and sys_ptrace");
        ok(jc_parse_caps("CAP_FLY", false, &bits, &err) < 0, "caps: unknown capability");
        like(err.msg, "CAP_FLY", "caps: message names the capability");
        ok(jc_parse_caps("ALL", false, &bits, &err) < 0, "caps: ALL refused where not allowed");
        ok(jc_parse_caps("ALL", true, &bits, &err) == 0 && bits == jc_caps_all(), "caps: ALL");
        ok(jc_parse_caps("", false, &bits, &err) == 0 && bits == 0, "caps: empty list");
        s = jc_caps_format((UINT64_C(1) << 13) | (UINT64_C(1) << 19));
        is_str(s, "CAP_NET_RAW,CAP_SYS_PTRACE", "caps: formatted names");
        free(s);
        ok(jc_caps_all() & (UINT64_C(1) << 21), "caps: ALL includes CAP_SYS_ADMIN");
}

static void test_rlimit(void)
{
        struct jc_error err = { 0 };
        uint64_t soft = 1, hard = 1;

        ok(jc_parse_rlimit("0", &soft, &hard, &err) == 0 && soft == 0 && hard == 0, "rlimit: 0");
        ok(jc_parse_rlimit("1024:4096", &soft, &hard, &err) == 0 && soft == 1024 && hard == 4096,
           "rlimit: soft:hard");
        ok(jc_parse_rlimit("unlimited", &soft, &hard, &err) == 0 && soft == RLIM_INFINITY,
           "rlimit: unlimited");
        ok(jc_parse_rlimit("10:5", &soft, &hard, &err) < 0, "rlimit: soft above hard refused");
        ok(jc_parse_rlimit("lots", &soft, &hard, &err) < 0, "rlimit: garbage refused");
        is_int(jc_rlimit_from_name("nofile"), RLIMIT_NOFILE, "rlimit: name nofile");
        is_int(jc_rlimit_from_name("bogus"), -1, "rlimit: unknown name");
}

static void test_paths(void)
{
        struct jc_error err = { 0 };
        char *src = NULL, *dst = NULL, mode = 'x';
        bool rw = false;

        ok(jc_check_path("/a/b", &err) == 0, "path: /a/b");
        ok(jc_check_path("/", &err) == 0, "path: /");
        ok(jc_check_path("a/b", &err) < 0, "path: relative refused");
        ok(jc_check_path("/a/../etc", &err) < 0, "path: .. refused");
        ok(jc_check_path("/a/./b", &err) < 0, "path: . refused");
        ok(jc_check_path("/a//b", &err) < 0, "path: // refused");
        ok(jc_check_path("/a/", &err) < 0, "path: trailing / refused");
        ok(jc_parse_mount("/data:/mnt:rw", &src, &dst, &mode, &err) == 0 &&
                   strcmp(src, "/data") == 0 && strcmp(dst, "/mnt") == 0 && mode == 'w',
           "mount: SRC:DST:rw");
        free(src);
        free(dst);
        ok(jc_parse_mount("/data", &src, &dst, &mode, &err) == 0 && strcmp(dst, "/data") == 0 &&
                   mode == 0,
           "mount: SRC alone binds to the same path");
        free(src);
        free(dst);
        ok(jc_parse_mount("/data:ro", &src, &dst, &mode, &err) == 0 && strcmp(dst, "/data") == 0 &&
                   mode == 'r',
           "mount: SRC:ro");
        free(src);
        free(dst);
        ok(jc_parse_mount("/a:/b:/c", &src, &dst, &mode, &err) < 0, "mount: three paths refused");
        ok(jc_parse_mount("/a/../b:/c", &src, &dst, &mode, &err) < 0, "mount: .. refused");
        ok(jc_parse_mount("rel:/c", &src, &dst, &mode, &err) < 0, "mount: relative refused");
        ok(jc_parse_mount_pattern("/home/%u:rw", &src, &rw, &err) == 0 && rw &&
                   strcmp(src, "/home/%u") == 0,
           "mount pattern: rw");
        free(src);
        ok(jc_parse_mount_pattern("/data", &src, &rw, &err) == 0 && !rw,
           "mount pattern: ro default");
        free(src);
        ok(jc_path_admitted("/data", "/data/x/y"), "admitted: below a directory");
        ok(jc_path_admitted("/data", "/data"), "admitted: the directory itself");
        ok(!jc_path_admitted("/data", "/database"), "admitted: not a prefix of a name");
        ok(jc_path_admitted("/home/*/img", "/home/al/img/a.tar"), "admitted: glob component");
        ok(!jc_path_admitted("/home/*/img", "/home/al/x/img"), "admitted: * stays in a component");
        ok(jc_path_admitted("/", "/anything"), "admitted: / admits all");
}

static void test_misc(void)
{
        struct jc_error err = { 0 };
        struct jc_context ctx = { .user = "alice", .uid = 1001 };
        uint8_t bits[2] = { 0 };
        char *s;

        ok(jc_check_cpulist("0-3,8,10-11", &err) == 0, "cpus: 0-3,8,10-11");
        ok(jc_check_cpulist("3-1", &err) < 0, "cpus: reversed range refused");
        ok(jc_check_cpulist("1,", &err) < 0, "cpus: trailing comma refused");
        ok(jc_check_cpulist("a", &err) < 0, "cpus: garbage refused");
        ok(jc_cpulist_bits("0,2-3,9", bits, 16, &err) == 0 && bits[0] == 0x0d && bits[1] == 0x02,
           "cpus: bit set");
        ok(jc_check_hostname("node-1.cluster", &err) == 0, "hostname: ok");
        ok(jc_check_hostname("bad host", &err) < 0, "hostname: blank refused");
        ok(jc_check_env_name("OMP_NUM_THREADS", &err) == 0, "env name: ok");
        ok(jc_check_env_name("1X", &err) < 0, "env name: digit first refused");
        ok(jc_check_env_name("A=B", &err) < 0, "env name: = refused");
        ok(jc_check_digest(
                   "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                   &err) == 0,
           "digest: ok");
        ok(jc_check_digest("sha256:0123", &err) < 0, "digest: short refused");
        ok(jc_check_digest("md5:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                           &err) < 0,
           "digest: other algorithm refused");
        s = jc_expand_user("/home/%u/%U/%%", &ctx, &err);
        is_str(s, "/home/alice/1001/%", "expand: user name, uid and a literal percent");
        free(s);
}

/* Found by fuzz_policy and fuzz_spec_json: a list with an empty item
 * ("a,,b") leaked the items split before it.  A failed split must leave
 * the list as it was; under --enable-sanitizers LeakSanitizer also fails
 * this test if a caller leaks. */
static void test_bad_list(void)
{
        struct jc_strv sv = { 0 };
        struct jc_error err = { 0 };
        struct jc_request req;
        uint64_t bits = 0;

        ok(jc_strv_push(&sv, "kept", &err) == 0, "split: a list with one item");
        ok(jc_strv_split(&sv, "a, b,, c", &err) < 0, "split: an empty item is refused");
        ok(sv.n == 1 && strcmp(sv.v[0], "kept") == 0 && sv.v[1] == NULL,
           "split: a refused list leaves the list as it was");
        jc_strv_free(&sv);
        ok(jc_strv_split(&sv, "a,,b", &err) < 0 && sv.n == 0 && sv.v == NULL,
           "split: a refused list into an empty list leaves it empty");
        ok(jc_parse_enum_set("none,,host", jc_network_names, &bits, &err) < 0,
           "enum set: an empty item is refused");
        ok(jc_parse_caps("net_raw,,sys_admin", false, &bits, &err) < 0,
           "caps: an empty item is refused");
        jc_request_init(&req);
        ok(jc_request_set(&req, "env", "A,,B", &err) < 0 && req.env.n == 0,
           "request: a list option with an empty item adds nothing");
        jc_request_free(&req);
}

int main(void)
{
        test_bool();
        test_numbers();
        test_enums_caps();
        test_rlimit();
        test_paths();
        test_misc();
        test_bad_list();
        return done_testing();
}
