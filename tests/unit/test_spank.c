/* The SPANK plugin's Slurm-free part: plugstack.conf arguments, the trust
 * check of the runner and policy paths, and the decision for a step. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../tap.h"
#include "plugin.h"
#include "trust.h"
#include "testlib.h"

static const struct jc_who alice = { .user = "alice", .uid = 1001 };

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

static void test_conf(void)
{
        struct jc_plugin_conf conf;
        struct jc_error err = { 0 };
        char *good[] = { "policy=/etc/p.ini", "runner=/opt/jc/bin/jobcell", "runtime_dir=/run/x" };
        char *unknown[] = { "policy=/etc/p.ini", "polcy=/x" };
        char *bare[] = { "runner" };
        char *twice[] = { "runner=/a", "runner=/b" };
        char *relative[] = { "runner=bin/jobcell" };
        char *dotdot[] = { "policy=/etc/../tmp/p.ini" };

        is_int(jc_conf_parse(&conf, 3, good, &err), 0, "conf: the three arguments");
        is_str(conf.policy, "/etc/p.ini", "conf: policy=");
        is_str(conf.runner, "/opt/jc/bin/jobcell", "conf: runner=");
        is_str(conf.runtime_dir, "/run/x", "conf: runtime_dir=");
        jc_conf_free(&conf);

        is_int(jc_conf_parse(&conf, 0, NULL, &err), 0, "conf: no argument");
        like(conf.policy, "/jobcell/policy.ini", "conf: default policy");
        like(conf.runner, "/jobcell", "conf: default runner");
        like(conf.runtime_dir, "/jobcell", "conf: default runtime_dir");
        jc_conf_free(&conf);

        is_int(jc_conf_parse(&conf, 2, unknown, &err), -1, "conf: unknown argument refused");
        like(err.msg, "unknown argument `polcy=/x'", "conf: ... named");
        ok(conf.policy == NULL, "conf: nothing kept on error");
        is_int(jc_conf_parse(&conf, 1, bare, &err), -1, "conf: argument without = refused");
        like(err.msg, "unknown argument `runner'", "conf: ... named");
        is_int(jc_conf_parse(&conf, 2, twice, &err), -1, "conf: argument given twice refused");
        like(err.msg, "`runner' given twice", "conf: ... named");
        is_int(jc_conf_parse(&conf, 1, relative, &err), -1, "conf: relative runner refused");
        like(err.msg, "runner=bin/jobcell", "conf: ... named");
        is_int(jc_conf_parse(&conf, 1, dotdot, &err), -1, "conf: .. in a path refused");
}

static void test_trust(void)
{
        struct jc_error err = { 0 };
        char dir[] = "/tmp/jobcell-trust-XXXXXX", file[64], link[64];
        int fd;

        is_int(jc_path_root_owned("/usr/bin/env", &err), 0, "trust: /usr/bin/env");
        is_int(jc_path_root_owned("/usr/bin/no-such-thing", &err), -1,
               "trust: a missing runner refused");
        is_int(err.errnum, ENOENT, "trust: ... says so (ENOENT)");
        is_int(jc_path_root_owned("usr/bin/env", &err), -1, "trust: relative refused");

        if (mkdtemp(dir) == NULL)
                exit(99);
        snprintf(file, sizeof(file), "%s/runner", dir);
        snprintf(link, sizeof(link), "%s/link", dir);
        fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0755);
        close(fd);
        if (symlink("/usr/bin/env", link) < 0)
                exit(99);
        /* A directory anyone may write to, without the sticky bit: whoever
         * runs this test, the runner below it is refused. */
        chmod(dir, 0777);
        is_int(jc_path_root_owned(file, &err), -1,
               "trust: below a world-writable dir refused");
        like(err.msg, dir, "trust: ... names the directory");
        chmod(dir, 0755);
        is_int(jc_path_root_owned(link, &err), -1, "trust: a symbolic link refused");
        if (getuid() == 0) {
                is_int(jc_path_root_owned(file, &err), 0, "trust: root's file in root's dir");
                chmod(file, 0775);
                is_int(jc_path_root_owned(file, &err), -1, "trust: group-writable refused");
                like(err.msg, "writable by group or others", "trust: ... says so");
                if (chown(file, 1, 1) < 0)
                        exit(99);
                chmod(file, 0755);
                is_int(jc_path_root_owned(file, &err), -1, "trust: another owner refused");
                like(err.msg, "owned by uid 1, not root", "trust: ... says so");
        } else {
                is_int(jc_path_root_owned(file, &err), -1, "trust: a user's runner refused");
                like(err.msg, "not root", "trust: ... says so");
        }
        unlink(link);
        unlink(file);
        rmdir(dir);
}

/* Decide for PARTITION with OPTS ("name=value"/"flag" of jc_request_set),
 * CONTAINER (SLURM_CONTAINER) and USER (--container-user). */
static int decide(const struct jc_policy *pol, const char *partition, const char *container,
                  const char *user, const char *const *opts, struct jc_spec *spec,
                  struct jc_error *err)
{
        struct jc_ask ask;
        int rc = 0;

        jc_ask_init(&ask);
        ask.container = container ? strdup(container) : NULL;
        ask.user = user ? strdup(user) : NULL;
        ask.any = user != NULL;
        for (; opts && *opts && rc == 0; opts++) {
                char buf[256], *eq;

                snprintf(buf, sizeof(buf), "%s", *opts);
                eq = strchr(buf, '=');
                if (eq)
                        *eq++ = '\0';
                ask.any = true;
                if (strstr(buf, "remap-root"))
                        ask.remap_given = true;
                rc = jc_request_set(&ask.req, buf, eq, err);
        }
        if (rc == 0)
                rc = jc_check(pol, partition, &ask, &alice, spec, err);
        jc_ask_free(&ask);
        return rc;
}

static void test_check(void)
{
        struct jc_policy *pol = policy("[defaults]\n"
                                       "images_allowed = /images\n"
                                       "[partition open]\n"
                                       "network_allowed = none, host\n"
                                       "identity_allowed = user, fakeroot\n"
                                       "[partition svc]\n"
                                       "identity_allowed = user, service-root\n"
                                       "[partition strict]\n"
                                       "require_sandbox = true\n");
        struct jc_error err = { 0 };
        struct jc_spec spec;
        const char *host[] = { "network=host", NULL };
        const char *img[] = { "image=/images/a", NULL };
        const char *remap[] = { "remap-root", NULL };
        char label[128];

        is_int(decide(pol, "open", NULL, NULL, NULL, &spec, &err), JC_PLAIN,
               "check: no option, no container: plain");
        is_int(decide(pol, "strict", NULL, NULL, NULL, &spec, &err), -1,
               "check: plain on a require_sandbox partition: refused");
        like(err.msg, "[partition strict] require_sandbox = true", "check: ... names the key");
        is_int(decide(pol, "strict", "/images/a", NULL, NULL, &spec, &err), JC_SANDBOX,
               "check: SLURM_CONTAINER alone is a sandboxed step");
        is_str(spec.image, "/images/a", "check: ... its image");
        is_str(jc_section_label(pol, &spec, label, sizeof(label)), "[partition strict]",
               "check: section label");
        jc_spec_free(&spec);
        is_int(decide(pol, "strict", NULL, NULL, img, &spec, &err), JC_SANDBOX,
               "check: --container-image on a require_sandbox partition");
        jc_spec_free(&spec);
        is_int(decide(pol, "open", "/images/a", NULL, img, &spec, &err), JC_SANDBOX,
               "check: --container and --container-image that agree");
        jc_spec_free(&spec);
        is_int(decide(pol, "open", "/images/b", NULL, img, &spec, &err), -1,
               "check: --container and --container-image that disagree");
        like(err.msg, "disagree", "check: ... says so");
        is_int(decide(pol, "open", "/elsewhere", NULL, NULL, &spec, &err), -1,
               "check: an image the policy does not admit");
        like(err.msg, "images_allowed", "check: ... names the key");

        is_int(decide(pol, "open", NULL, NULL, host, &spec, &err), JC_SANDBOX,
               "check: host network where allowed");
        is_int(spec.network, JC_NET_HOST, "check: ... granted");
        jc_spec_free(&spec);
        is_int(decide(pol, "svc", NULL, NULL, host, &spec, &err), -1,
               "check: host network where not allowed");
        like(err.msg, "network=host is refused: network_allowed", "check: ... names the key");
        is_int(decide(pol, "nosuch", NULL, NULL, host, &spec, &err), -1,
               "check: a partition without a section gets [defaults]");
        like(err.msg, "[defaults]", "check: ... and says so");
        is_str(jc_section_label(pol, NULL, label, sizeof(label)), "[defaults]",
               "check: [defaults] label");
        is_str(jc_section_label(NULL, NULL, label, sizeof(label)), "built-in defaults",
               "check: no policy label");

        is_int(decide(pol, "open", NULL, "alice", NULL, &spec, &err), JC_SANDBOX, "user: own name");
        is_int(spec.identity, JC_ID_USER, "user: ... identity user");
        jc_spec_free(&spec);
        is_int(decide(pol, "open", NULL, "1001", NULL, &spec, &err), JC_SANDBOX, "user: own uid");
        is_int(spec.identity, JC_ID_USER, "user: ... identity user");
        jc_spec_free(&spec);
        is_int(decide(pol, "open", NULL, "0", NULL, &spec, &err), JC_SANDBOX,
               "user: 0 where fakeroot is allowed");
        is_int(spec.identity, JC_ID_FAKEROOT, "user: ... fakeroot");
        jc_spec_free(&spec);
        is_int(decide(pol, "svc", NULL, "root", NULL, &spec, &err), JC_SANDBOX,
               "user: root where only service-root is allowed");
        is_int(spec.identity, JC_ID_SERVICE_ROOT, "user: ... service-root");
        jc_spec_free(&spec);
        is_int(decide(pol, "strict", NULL, "root", NULL, &spec, &err), -1,
               "user: root where neither is allowed");
        like(err.msg, "--container-user=root", "user: ... names the option");
        like(err.msg, "identity_allowed", "user: ... and the key");
        is_int(decide(pol, "open", NULL, "bob", NULL, &spec, &err), -1, "user: another user");
        like(err.msg, "only your own user (alice, uid 1001) or root", "user: ... says who may be");
        is_int(decide(pol, "open", NULL, "1002", NULL, &spec, &err), -1, "user: another uid");
        is_int(decide(pol, "open", NULL, "0", remap, &spec, &err), -1,
               "user: with --container-remap-root");
        like(err.msg, "give one of them", "user: ... says so");
        /* Root refused for another reason than identity: no fallback. */
        {
                const char *both[] = { "network=host", NULL };

                is_int(decide(pol, "svc", NULL, "0", both, &spec, &err), -1,
                       "user: root with a refused network is refused for the network");
                like(err.msg, "network_allowed", "user: ... names the network key");
        }
        ok(jc_ask_sandboxed(&(struct jc_ask){ .container = "" }) == false,
           "an empty SLURM_CONTAINER asks for nothing");
        jc_policy_free(pol);
}

int main(void)
{
        test_conf();
        test_trust();
        test_check();
        return done_testing();
}
