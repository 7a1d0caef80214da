/* The SPANK plugin's Slurm-free part: plugstack.conf arguments, the trust
 * check of the runner and policy paths, and the decision for a step. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../tap.h"
#include "cell.h"
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
        char *good[] = { "policy=/etc/p.ini", "runner=/opt/jc/bin/jobcell" };
        char *gone[] = { "runtime_dir=/run/x" };
        char *unknown[] = { "policy=/etc/p.ini", "polcy=/x" };
        char *bare[] = { "runner" };
        char *twice[] = { "runner=/a", "runner=/b" };
        char *relative[] = { "runner=bin/jobcell" };
        char *dotdot[] = { "policy=/etc/../tmp/p.ini" };

        is_int(jc_conf_parse(&conf, 2, good, &err), 0, "conf: the two arguments");
        is_str(conf.policy, "/etc/p.ini", "conf: policy=");
        is_str(conf.runner, "/opt/jc/bin/jobcell", "conf: runner=");
        jc_conf_free(&conf);

        is_int(jc_conf_parse(&conf, 0, NULL, &err), 0, "conf: no argument");
        like(conf.policy, "/jobcell/policy.ini", "conf: default policy");
        like(conf.runner, "/jobcell", "conf: default runner");
        jc_conf_free(&conf);

        is_int(jc_conf_parse(&conf, 2, unknown, &err), -1, "conf: unknown argument refused");
        like(err.msg, "unknown argument `polcy=/x'", "conf: ... named");
        ok(conf.policy == NULL, "conf: nothing kept on error");
        is_int(jc_conf_parse(&conf, 1, gone, &err), -1,
               "conf: runtime_dir= is gone (the runner keeps no runtime files)");
        like(err.msg, "(known: policy=FILE, runner=PATH)", "conf: ... the known ones listed");
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
        is_int(jc_path_root_owned(file, &err), -1, "trust: below a world-writable dir refused");
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

#define IMG "/images/a"

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
        is_int(decide(pol, "strict", IMG, NULL, img, &spec, &err), JC_SANDBOX,
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

        is_int(decide(pol, "open", NULL, NULL, host, &spec, &err), -1,
               "check: container options without an image: refused");
        like(err.msg, "--container-image=IMAGE", "check: ... says what to add");
        is_int(decide(pol, "open", NULL, "0", NULL, &spec, &err), -1,
               "check: --container-user without an image: refused");
        is_int(decide(pol, "open", IMG, NULL, host, &spec, &err), JC_SANDBOX,
               "check: host network where allowed");
        is_int(spec.network, JC_NET_HOST, "check: ... granted");
        jc_spec_free(&spec);
        is_int(decide(pol, "svc", IMG, NULL, host, &spec, &err), -1,
               "check: host network where not allowed");
        like(err.msg, "network=host is refused: network_allowed", "check: ... names the key");
        is_int(decide(pol, "nosuch", IMG, NULL, host, &spec, &err), -1,
               "check: a partition without a section gets [defaults]");
        like(err.msg, "[defaults]", "check: ... and says so");
        is_str(jc_section_label(pol, NULL, label, sizeof(label)), "[defaults]",
               "check: [defaults] label");
        is_str(jc_section_label(NULL, NULL, label, sizeof(label)), "built-in defaults",
               "check: no policy label");

        is_int(decide(pol, "open", IMG, "alice", NULL, &spec, &err), JC_SANDBOX, "user: own name");
        is_int(spec.identity, JC_ID_USER, "user: ... identity user");
        jc_spec_free(&spec);
        is_int(decide(pol, "open", IMG, "1001", NULL, &spec, &err), JC_SANDBOX, "user: own uid");
        is_int(spec.identity, JC_ID_USER, "user: ... identity user");
        jc_spec_free(&spec);
        is_int(decide(pol, "open", IMG, "0", NULL, &spec, &err), JC_SANDBOX,
               "user: 0 where fakeroot is allowed");
        is_int(spec.identity, JC_ID_FAKEROOT, "user: ... fakeroot");
        jc_spec_free(&spec);
        is_int(decide(pol, "svc", IMG, "root", NULL, &spec, &err), JC_SANDBOX,
               "user: root where only service-root is allowed");
        is_int(spec.identity, JC_ID_SERVICE_ROOT, "user: ... service-root");
        jc_spec_free(&spec);
        is_int(decide(pol, "strict", IMG, "root", NULL, &spec, &err), -1,
               "user: root where neither is allowed");
        like(err.msg, "--container-user=root", "user: ... names the option");
        like(err.msg, "identity_allowed", "user: ... and the key");
        is_int(decide(pol, "open", IMG, "bob", NULL, &spec, &err), -1, "user: another user");
        like(err.msg, "only your own user (alice, uid 1001) or root", "user: ... says who may be");
        is_int(decide(pol, "open", IMG, "1002", NULL, &spec, &err), -1, "user: another uid");
        is_int(decide(pol, "open", IMG, "0", remap, &spec, &err), -1,
               "user: with --container-remap-root");
        like(err.msg, "give one of them", "user: ... says so");
        /* Root refused for another reason than identity: no fallback. */
        {
                const char *both[] = { "network=host", NULL };

                is_int(decide(pol, "svc", IMG, "0", both, &spec, &err), -1,
                       "user: root with a refused network is refused for the network");
                like(err.msg, "network_allowed", "user: ... names the network key");
        }
        ok(jc_ask_sandboxed(&(struct jc_ask){ .container = "" }) == false,
           "an empty SLURM_CONTAINER asks for nothing");
        jc_policy_free(pol);
}

static void test_cell_name(void)
{
        struct jc_error err = { 0 };
        char a[80], b[80], small[16];
        struct sockaddr_un sun;
        size_t len;

        is_int(jc_cell_name(a, sizeof(a), 4294967294u, "interactive", &err), 0,
               "cell: the longest name fits");
        ok(strlen(a) == strlen("4294967294.interactive.") + 2 * JC_CELL_RANDOM_BYTES,
           "cell: JOB.STEP. and the random hex digits");
        is_int(jc_cell_address(a, true, 0, &sun, &len, &err), 0,
               "cell: the runner takes the longest name");
        is_int(jc_cell_name(a, sizeof(a), 12, "0", &err), 0, "cell: a name for step 12.0");
        is_int(jc_cell_name(b, sizeof(b), 12, "0", &err), 0, "cell: another for the same step");
        like(a, "12.0.", "cell: JOB.STEP first");
        ok(strcmp(a, b) != 0, "cell: two calls never give the same name (not guessable)");
        is_int(jc_cell_name(small, sizeof(small), 12, "0", &err), -1, "cell: a short buffer fails");
}

static void test_pmix_dir(void)
{
        struct jc_error err = { 0 };
        char base[] = "/tmp/jobcell-pmix-XXXXXX", dir[96], other[96], file[96];

        if (mkdtemp(base) == NULL)
                exit(99);
        snprintf(dir, sizeof(dir), "%s/pmix.7.0", base);
        snprintf(other, sizeof(other), "%s/pmix.8.0", base);
        snprintf(file, sizeof(file), "%s/pmix.7.1", base);
        mkdir(dir, 0700);
        mkdir(other, 0700);
        close(open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
        if (getuid() == 0) {
                is_int(jc_pmix_dir_check(dir, 7, "0", 1001, &err), 0,
                       "pmix: Slurm's pmix.JOB.STEP in root's directory");
                snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/");
                is_int(jc_pmix_dir_check(dir, 7, "0", 1001, &err), 0,
                       "pmix: ... with Slurm's trailing slash");
                dir[strlen(dir) - 1] = '\0';
                if (chown(dir, 1001, 0) < 0)
                        exit(99);
                is_int(jc_pmix_dir_check(dir, 7, "0", 1001, &err), 0,
                       "pmix: ... owned by the job's user, as Slurm makes it");
                is_int(jc_pmix_dir_check(dir, 7, "0", 1002, &err), -1,
                       "pmix: ... but not by another user");
                chmod(base, 01777);
                is_int(jc_pmix_dir_check(dir, 7, "0", 1001, &err), -1,
                       "pmix: refused in a directory anyone may write (/tmp)");
                like(err.msg, "may be written by others than root", "pmix: ... saying so");
                chmod(base, 0700);
        }
        is_int(jc_pmix_dir_check(other, 7, "0", 1001, &err), -1, "pmix: another job's refused");
        like(err.msg, "is not this step's (pmix.7.0)", "pmix: ... saying so");
        is_int(jc_pmix_dir_check(file, 7, "1", 1001, &err), -1, "pmix: a file refused");
        is_int(jc_pmix_dir_check("/etc", 7, "0", 1001, &err), -1, "pmix: /etc refused");
        is_int(jc_pmix_dir_check("spool/pmix.7.0", 7, "0", 1001, &err), -1,
               "pmix: a relative path refused");
        is_int(jc_pmix_dir_check("/x/../pmix.7.0", 7, "0", 1001, &err), -1, "pmix: .. refused");
        unlink(file);
        rmdir(dir);
        rmdir(other);
        rmdir(base);
}

/* A stand-in keeper: a child holding the cell's abstract socket. */
static pid_t fake_keeper(const char *cell)
{
        struct sockaddr_un sun;
        struct jc_error err = { 0 };
        int p[2], s;
        size_t len;
        pid_t pid;
        char c;

        if (jc_cell_address(cell, true, 0, &sun, &len, &err) < 0 || pipe(p) < 0)
                exit(99);
        pid = fork();
        if (pid == 0) {
                s = socket(AF_UNIX, SOCK_STREAM, 0);
                if (s < 0 || bind(s, (struct sockaddr *)&sun, (socklen_t)len) < 0 ||
                    listen(s, 1) < 0)
                        _exit(1);
                (void)!write(p[1], "x", 1);
                pause();
                _exit(0);
        }
        close(p[1]);
        if (read(p[0], &c, 1) != 1)
                exit(99);
        close(p[0]);
        return pid;
}

static void test_reap(void)
{
        struct jc_error err = { 0 };
        char cell[80];
        pid_t pids[4], keeper;
        size_t n = 9;
        int st = 0;

        if (jc_cell_name(cell, sizeof(cell), 3, "0", &err) < 0)
                exit(99);
        is_int(jc_cell_reap(cell, pids, 4, &n, &err), 0, "reap: nothing left, nothing done");
        is_int((int)n, 0, "reap: ... no pid");
        keeper = fake_keeper(cell);
        is_int(jc_cell_reap(cell, pids, 4, &n, &err), 1, "reap: a keeper left behind is found");
        ok(n == 1 && pids[0] == keeper, "reap: ... by its pid");
        is_int(waitpid(keeper, &st, 0), keeper, "reap: ... and killed");
        ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "reap: ... by SIGKILL");
        is_int(jc_cell_reap(cell, pids, 4, &n, &err), 0, "reap: then nothing is left");
}

static void test_pmix_uri(void)
{
        char *env[] = {
                "PMIX_SERVER_URI4=pmix-server.31542;tcp4://127.0.0.1:35583",
                "PMIX_SERVER_URI41=pmix-server.31542;tcp4://127.0.0.1:35583",
                "PMIX_SERVER_URI2=pmix-server.31542;tcp6://[::1]:35584",
                "PMIX_SERVER_URI3=pmix-server.31542;tcp4://10.1.2.3:22",
                "PMIX_SERVER_URIX=pmix-server.31542;tcp4://127.0.0.1:23",
                "XPMIX_SERVER_URI4=pmix-server.31542;tcp4://127.0.0.1:24",
                "PMIX_SERVER_URI21",
                NULL,
        };
        struct jc_relay_ports r;
        struct jc_relay_port p;

        ok(jc_pmix_uri_port("pmix-server.31542;tcp4://127.0.0.1:35583", &p) == 0 && !p.v6 &&
                   p.port == 35583,
           "pmix uri: Slurm's tcp4 URI");
        ok(jc_pmix_uri_port("ns.0;tcp6://[::1]:4000", &p) == 0 && p.v6 && p.port == 4000,
           "pmix uri: a tcp6 one on ::1");
        ok(jc_pmix_uri_port("ns.0;tcp4://0.0.0.0:4000", &p) < 0, "pmix uri: 0.0.0.0 refused");
        ok(jc_pmix_uri_port("ns.0;tcp4://192.168.1.1:4000", &p) < 0,
           "pmix uri: another address refused");
        ok(jc_pmix_uri_port("ns.0;tcp4://[::1]:4000", &p) < 0, "pmix uri: tcp4 with ::1 refused");
        ok(jc_pmix_uri_port("ns.0;tcp6://127.0.0.1:4000", &p) < 0,
           "pmix uri: tcp6 with 127.0.0.1 refused");
        ok(jc_pmix_uri_port("tcp4://127.0.0.1:4000", &p) < 0, "pmix uri: no namespace refused");
        ok(jc_pmix_uri_port(";tcp4://127.0.0.1:4000", &p) < 0, "pmix uri: empty namespace refused");
        ok(jc_pmix_uri_port("ns.0;usock://127.0.0.1:4000", &p) < 0, "pmix uri: usock refused");
        ok(jc_pmix_uri_port("ns.0;tcp4://127.0.0.1:4000/x", &p) < 0,
           "pmix uri: text after the port refused");
        jc_pmix_uri_ports(env, &r);
        ok(r.n == 2 && r.v[0].port == 35583 && !r.v[0].v6 && r.v[1].port == 35584 && r.v[1].v6,
           "pmix uri: the five names, each port once, nothing else");
}

/* /proc/net/tcp and tcp6 as the kernel writes them (x86-64). */
static const char proc_tcp[] =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
        "timeout inode\n"
        "   0: 00000000:A6C1 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        "
        "0 3111761 1 0000000077d4ce4c 100 0 0 10 0\n"
        "   1: 0100007F:8AFF 0100007F:B3DF 01 00000000:00000000 00:00000000 00000000  1001        "
        "0 3112999 1 0000000077d4ce4c 20 4 30 10 -1\n"
        "   8: 0100007F:B3DF 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        "
        "0 3112620 1 000000003244a9ef 100 0 0 10 0\n"
        "   9: 0200007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        "
        "0 3112621 1 000000003244a9ef 100 0 0 10 0\n";
static const char proc_tcp6[] =
        "  sl  local_address                         remote_address                        st "
        "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "   0: 00000000000000000000000001000000:0FA0 00000000000000000000000000000000:0000 0A "
        "00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 "
        "0\n"
        "   1: 00000000000000000000000000000000:0FA1 00000000000000000000000000000000:0000 0A "
        "00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 100 0 0 10 "
        "0\n";

static unsigned long listener(const char *text, bool v6, uint16_t port)
{
        struct jc_relay_port p = { .v6 = v6, .port = port };
        FILE *f = fmemopen((void *)text, strlen(text), "r");
        unsigned long inode = jc_proc_net_listener(f, &p);

        fclose(f);
        return inode;
}

static void test_proc_net(void)
{
        is_int(listener(proc_tcp, false, 0xB3DF), 3112620,
               "proc net: the listener on 127.0.0.1:PORT");
        is_int(listener(proc_tcp, false, 0x8AFF), 0,
               "proc net: a connected socket on 127.0.0.1 is not a listener");
        is_int(listener(proc_tcp, false, 0xA6C1), 0,
               "proc net: a listener on 0.0.0.0 is not on the loopback");
        is_int(listener(proc_tcp, false, 0x1F90), 0, "proc net: 127.0.0.2 is not 127.0.0.1");
        is_int(listener(proc_tcp, false, 1234), 0, "proc net: a port nobody listens on");
        is_int(listener(proc_tcp6, true, 4000), 4242, "proc net: the listener on [::1]:PORT");
        is_int(listener(proc_tcp6, true, 4001), 0, "proc net: [::] is not the loopback");
        is_int(listener(proc_tcp6, false, 4000), 0, "proc net: tcp6 lines never match IPv4");
        is_int(listener(proc_tcp, true, 0xB3DF), 0, "proc net: tcp lines never match IPv6");
}

static void test_pmix_holder(void)
{
        struct sockaddr_in a = { .sin_family = AF_INET };
        socklen_t len = sizeof(a);
        struct jc_error err = { 0 };
        struct jc_relay_ports r;
        char uri[96], self[16], *env[] = { uri, NULL };
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        pid_t child;

        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (!ok(fd >= 0 && bind(fd, (struct sockaddr *)&a, len) == 0 && listen(fd, 1) == 0 &&
                        getsockname(fd, (struct sockaddr *)&a, &len) == 0,
                "pmix holder: a listener of ours on 127.0.0.1"))
                return;
        snprintf(uri, sizeof(uri), "PMIX_SERVER_URI41=ns.1;tcp4://127.0.0.1:%u",
                 (unsigned)ntohs(a.sin_port));
        snprintf(self, sizeof(self), "%d", (int)getpid());
        ok(jc_pmix_relay_ports(env, self, &r, NULL, &err) == 0 && r.n == 1 &&
                   r.v[0].port == ntohs(a.sin_port),
           "pmix holder: relayed when the holder holds the listener");
        /* A process that does not hold it: a child that closed it. */
        child = fork();
        if (child == 0) {
                close(fd);
                pause();
                _exit(0);
        }
        usleep(100000);
        snprintf(self, sizeof(self), "%d", (int)child);
        ok(jc_pmix_relay_ports(env, self, &r, NULL, &err) == 0 && r.n == 0,
           "pmix holder: not relayed when another process holds it");
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        close(fd);
        snprintf(self, sizeof(self), "%d", (int)getpid());
        ok(jc_pmix_relay_ports(env, self, &r, NULL, &err) == 0 && r.n == 0,
           "pmix holder: not relayed once nothing listens there");
}

int main(void)
{
        test_conf();
        test_trust();
        test_check();
        test_cell_name();
        test_pmix_dir();
        test_reap();
        test_pmix_uri();
        test_proc_net();
        test_pmix_holder();
        return done_testing();
}
