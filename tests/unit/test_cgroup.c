/* The cgroup library without root: /proc/PID/cgroup parsing, detection,
 * and the v2 backend against a laid-out directory standing in for
 * cgroupfs (a mkdir hook fills a new cgroup with files, as the kernel
 * does).  The rules a directory cannot show (no internal processes,
 * EBUSY, real limits) are tested on a real hierarchy:
 * tests/cgroup/real.c, here on v1 and in a VM on v2. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../tap.h"
#include "cgroup.h"
#include "cgroup_int.h"

static char top[256], root[300], state[300], procfile[300];

static void die(const char *what)
{
        perror(what);
        exit(99);
}

static void put(const char *dir, const char *file, const char *text)
{
        char p[1024];
        FILE *f;

        snprintf(p, sizeof(p), "%s/%s", dir, file);
        f = fopen(p, "w");
        if (f == NULL)
                die(p);
        fputs(text, f);
        fclose(f);
}

/* File content, trailing newline cut ("" when missing: see has()). */
static const char *get(const char *dir, const char *file)
{
        static char buf[8][4096];
        static int i;
        char p[1024];
        FILE *f;
        size_t n;
        char *b = buf[i++ % 8];

        snprintf(p, sizeof(p), "%s/%s", dir, file);
        b[0] = '\0';
        f = fopen(p, "r");
        if (f == NULL)
                return "(missing)";
        n = fread(b, 1, 4095, f);
        fclose(f);
        b[n] = '\0';
        while (n > 0 && b[n - 1] == '\n')
                b[--n] = '\0';
        return b;
}

static bool has(const char *path)
{
        return access(path, F_OK) == 0;
}

static const char *at(const char *rel)
{
        static char buf[8][1024];
        static int i;
        char *b = buf[i++ % 8];

        snprintf(b, 1024, "%s%s", root, rel);
        return b;
}

static void mkd(const char *rel)
{
        if (mkdir(at(rel), 0755) < 0)
                die(at(rel));
}

/* The kernel's part of mkdir in cgroupfs: the new cgroup's files. */
static int fake_mkdir(const char *path, mode_t mode)
{
        char up[1024], *slash;

        if (mkdir(path, mode) < 0)
                return -1;
        snprintf(up, sizeof(up), "%s", path);
        slash = strrchr(up, '/');
        *slash = '\0';
        put(path, "cgroup.procs", "");
        put(path, "cgroup.events", "populated 0\nfrozen 0\n");
        put(path, "cgroup.controllers", get(up, "cgroup.controllers"));
        put(path, "cgroup.subtree_control", "");
        put(path, "cgroup.kill", "");
        put(path, "pids.max", "max\n");
        put(path, "pids.current", "0\n");
        put(path, "pids.events", "max 0\n");
        put(path, "memory.max", "max\n");
        put(path, "memory.swap.max", "max\n");
        put(path, "memory.current", "0\n");
        put(path, "memory.peak", "0\n");
        put(path, "memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
        put(path, "cpuset.cpus", "");
        put(path, "cpuset.cpus.effective", get(up, "cpuset.cpus.effective"));
        put(path, "cpu.stat", "usage_usec 0\nuser_usec 0\nsystem_usec 0\n");
        return 0;
}

/* rmdir of an empty cgroup: its files go with it; a child cgroup is
 * EBUSY. */
static int fake_rmdir(const char *path)
{
        DIR *d = opendir(path);
        struct dirent *de;
        char p[1024];
        struct stat st;

        if (d == NULL)
                return -1;
        while ((de = readdir(d)) != NULL) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
                if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
                        closedir(d);
                        errno = EBUSY;
                        return -1;
                }
        }
        rewinddir(d);
        while ((de = readdir(d)) != NULL) {
                snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        unlink(p);
        }
        closedir(d);
        return rmdir(path);
}

/* root/ (all controllers) > slurm/ (1 GiB, 256 MiB swap) > task_0/ (cpus
 * 2-5, the caller's own cgroup), as Slurm's cgroup/v2 lays a task out. */
static void lay_out(void)
{
        const char *tmp = getenv("TMPDIR");
        char pid[32];

        snprintf(top, sizeof(top), "%s/jc-cgtest-XXXXXX", tmp ? tmp : "/tmp");
        if (mkdtemp(top) == NULL)
                die("mkdtemp");
        snprintf(root, sizeof(root), "%s/cg", top);
        snprintf(state, sizeof(state), "%s/state", top);
        snprintf(procfile, sizeof(procfile), "%s/proc-cgroup", top);
        if (mkdir(root, 0755) < 0)
                die(root);
        put(root, "cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
        put(root, "cgroup.subtree_control", "cpuset cpu io memory pids\n");
        put(root, "cgroup.procs", "1\n");
        put(root, "cpuset.cpus.effective", "0-7\n");
        mkd("/slurm");
        put(at("/slurm"), "cgroup.controllers", "cpuset cpu io memory pids\n");
        put(at("/slurm"), "cgroup.subtree_control", "cpuset memory pids\n");
        put(at("/slurm"), "memory.max", "1073741824\n");
        put(at("/slurm"), "memory.swap.max", "268435456\n");
        put(at("/slurm"), "cpuset.cpus.effective", "0-7\n");
        mkd("/slurm/task_0");
        put(at("/slurm/task_0"), "cgroup.controllers", "cpuset memory pids\n");
        put(at("/slurm/task_0"), "cgroup.subtree_control", "");
        put(at("/slurm/task_0"), "memory.max", "max\n");
        put(at("/slurm/task_0"), "memory.swap.max", "max\n");
        put(at("/slurm/task_0"), "cpuset.cpus.effective", "2-5\n");
        snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
        put(at("/slurm/task_0"), "cgroup.procs", pid);
        put(top, "proc-cgroup", "0::/slurm/task_0\n");
}

static struct jc_cgroup_config config(const char *name)
{
        return (struct jc_cgroup_config){ .root = root,
                                          .proc_cgroup = procfile,
                                          .state_dir = state,
                                          .name = name,
                                          .swap_max = -1,
                                          .mkdir_fn = fake_mkdir,
                                          .rmdir_fn = fake_rmdir };
}

static const char *record(const char *name)
{
        static char p[600];

        snprintf(p, sizeof(p), "%s/%s", state, name);
        return p;
}

static void test_proc_parse(void)
{
        struct jc_cg_proc p;
        struct jc_error err = { 0 };
        const struct jc_cg_proc_line *l;

        ok(jc_cg_proc_parse("9:name=systemd:/\n8:pids:/\n4:memory:/slurm_n1/uid_1000/job_7/"
                            "step_0/task_1\n2:cpu,cpuacct:/slurm_n1/uid_1000/job_7\n0::/\n",
                            &p, &err) == 0,
           "v1: a hybrid /proc/self/cgroup parses");
        is_int(p.n, 5, "v1: every line is kept");
        l = jc_cg_proc_find(&p, "memory");
        is_str(l ? l->path : NULL, "/slurm_n1/uid_1000/job_7/step_0/task_1",
               "v1: the memory cgroup is the task's");
        l = jc_cg_proc_find(&p, "cpuacct");
        is_str(l ? l->controllers : NULL, "cpu,cpuacct", "v1: cpuacct found in a joint hierarchy");
        l = jc_cg_proc_find(&p, "cpu");
        is_str(l ? l->controllers : NULL, "cpu,cpuacct", "v1: cpu found there too");
        ok(jc_cg_proc_find(&p, "cpus") == NULL, "v1: a controller name must match whole");
        ok(jc_cg_proc_find(&p, "freezer") == NULL, "v1: a missing controller is not found");
        is_int(jc_cg_proc_version(&p), JC_CGROUP_V1, "hybrid (v1 lines and 0::) is v1");
        jc_cg_proc_free(&p);

        ok(jc_cg_proc_parse("0::/system.slice/slurmstepd.scope/job_7/step_0/user/task_0\n", &p,
                            &err) == 0,
           "v2: a 0:: line parses");
        l = jc_cg_proc_find(&p, "");
        is_str(l ? l->path : NULL, "/system.slice/slurmstepd.scope/job_7/step_0/user/task_0",
               "v2: the path is the task's");
        is_int(jc_cg_proc_version(&p), JC_CGROUP_V2, "only a 0:: line is v2");
        ok(jc_cg_proc_find(&p, "pids") == NULL, "v2: no per-controller line");
        jc_cg_proc_free(&p);

        ok(jc_cg_proc_parse("garbage\n", &p, &err) < 0, "a line without colons is refused");
        like(err.msg, "garbage", "the error quotes the line");
        ok(jc_cg_proc_parse("x:pids:/\n", &p, &err) < 0, "a line without a number is refused");
        ok(jc_cg_proc_parse("", &p, &err) < 0, "an empty file is refused");
        ok(jc_cg_proc_parse("0::/../../x\n", &p, &err) < 0,
           "a path outside the cgroup namespace is refused");
        like(err.msg, "namespace", "the error says why");
        ok(jc_cg_proc_parse("0::relative\n", &p, &err) < 0, "a relative path is refused");
}

static void test_detect(void)
{
        struct jc_error err = { 0 };
        enum jc_cgroup_version v = JC_CGROUP_DETECT;
        char f[600];

        snprintf(f, sizeof(f), "%s/detect", top);
        put(top, "detect", "12:pids:/\n11:memory:/user.slice\n0::/user.slice\n");
        ok(jc_cgroup_detect(f, &v, &err) == 0 && v == JC_CGROUP_V1, "detect: hybrid is v1");
        put(top, "detect", "0::/user.slice/user-1000.slice/session-2.scope\n");
        ok(jc_cgroup_detect(f, &v, &err) == 0 && v == JC_CGROUP_V2, "detect: unified is v2");
        snprintf(f, sizeof(f), "%s/nonexistent", top);
        ok(jc_cgroup_detect(f, &v, &err) < 0 && err.errnum == ENOENT,
           "detect: a missing file is an error");
        like(err.msg, "nonexistent", "the error names the file");
}

static void test_create_v2(void)
{
        struct jc_cgroup_config c = config("cell1");
        struct jc_error err = { 0 };
        struct jc_cgroup *cg = NULL;
        const char *leaf = at("/slurm/task_0/cell1");
        char pid[32];

        snprintf(pid, sizeof(pid), "%d", (int)getpid());
        c.pids_limit = 100;
        c.memory_max = 512 << 20;
        c.swap_max = 0;
        c.cpus = "3-4";
        if (!ok(jc_cgroup_create(&c, &cg, &err) == 0, "v2: create below the task's cgroup"))
                printf("# %s\n", err.msg);
        if (cg == NULL)
                return;
        is_int(jc_cgroup_version(cg), 2, "v2 detected from the 0:: line");
        is_str(jc_cgroup_path(cg, NULL), leaf, "the leaf is a child of the caller's cgroup");
        is_str(get(leaf, "pids.max"), "100", "pids.max holds the pids limit");
        is_str(get(leaf, "memory.max"), "536870912", "memory.max holds memory_max");
        is_str(get(leaf, "memory.swap.max"), "0", "memory.swap.max holds swap_max");
        is_str(get(leaf, "cpuset.cpus"), "3-4", "cpuset.cpus holds the cpu list");
        is_str(get(leaf, "cgroup.procs"), pid, "the caller moved into the leaf");
        is_str(get(at("/slurm/task_0"), "cgroup.subtree_control"), "+pids +memory +cpuset",
               "the controllers are enabled in the caller's old cgroup");
        is_str(get(at("/slurm"), "cgroup.subtree_control"), "cpuset memory pids",
               "nothing above the caller's cgroup changes");
        ok(has(record("cell1")), "a record names the set for gc");
        like(get(state, "cell1"), leaf, "the record names the leaf");

        /* usage: the kernel's numbers, as the files give them */
        put(leaf, "cpu.stat", "usage_usec 3500000\nuser_usec 3000000\nsystem_usec 500000\n");
        put(leaf, "memory.current", "1000\n");
        put(leaf, "memory.peak", "5000\n");
        put(leaf, "memory.events", "low 0\nhigh 0\nmax 4\noom 2\noom_kill 2\n");
        put(leaf, "pids.current", "7\n");
        put(leaf, "pids.peak", "40\n");
        put(leaf, "pids.events", "max 3\n");
        {
                struct jc_cgroup_stats st;
                json_object *o;
                char line[512];

                ok(jc_cgroup_stats(cg, &st, &err) == 0, "stats read");
                is_int(st.cpu_user_us, 3000000, "user CPU time from cpu.stat");
                is_int(st.cpu_system_us, 500000, "system CPU time from cpu.stat");
                is_int(st.memory_current, 1000, "memory.current");
                is_int(st.memory_peak, 5000, "memory.peak");
                ok(!st.memory_peak_sampled, "memory.peak is the kernel's");
                is_int(st.memory_limit, 536870912, "the effective memory limit is the tightest");
                is_int(st.oom_kills, 2, "OOM kills from memory.events");
                is_int(st.pids_current, 7, "pids.current");
                is_int(st.pids_peak, 40, "pids.peak");
                ok(!st.pids_peak_sampled, "pids.peak is the kernel's");
                is_int(st.pids_limit, 100, "our pids limit");
                is_int(st.pids_limit_hits, 3, "forks refused at the limit from pids.events");
                ok(st.wall_seconds >= 0, "wall time");

                o = jc_cgroup_stats_json(&st);
                like(json_object_to_json_string(o), "\"memory_peak_bytes\": 5000",
                     "JSON: peak memory");
                like(json_object_to_json_string(o), "\"oom_kills\": 2", "JSON: OOM kills");
                like(json_object_to_json_string(o), "\"cpu_user_seconds\": 3", "JSON: user CPU");
                like(json_object_to_json_string(o), "\"pids_peak\": 40", "JSON: peak pids");
                like(json_object_to_json_string(o), "\"cgroup_version\": 2", "JSON: version");
                json_object_put(o);
                jc_cgroup_stats_line(&st, line, sizeof(line));
                like(line, "cpu_user=3.00s", "line: user CPU");
                like(line, "mem_peak=5000", "line: peak memory");
                like(line, "pids_peak=40", "line: peak pids");
                like(line, "oom_kills=2", "line: OOM kills");
                ok(strchr(line, '\n') == NULL, "line: one line");

                /* Kernels without pids.peak / memory.peak: sampled peaks */
                unlink(at("/slurm/task_0/cell1/pids.peak"));
                unlink(at("/slurm/task_0/cell1/memory.peak"));
                put(leaf, "pids.current", "12\n");
                put(leaf, "memory.current", "9000\n");
                jc_cgroup_sample(cg);
                put(leaf, "pids.current", "3\n");
                put(leaf, "memory.current", "100\n");
                jc_cgroup_stats(cg, &st, &err);
                is_int(st.pids_peak, 12, "without pids.peak: the largest pids.current sampled");
                ok(st.pids_peak_sampled, "... and marked as sampled");
                is_int(st.memory_peak, 9000, "without memory.peak: the largest sampled");
                ok(st.memory_peak_sampled, "... and marked as sampled");
                o = jc_cgroup_stats_json(&st);
                like(json_object_to_json_string(o), "\"pids_peak_sampled\": true",
                     "JSON says the peak was sampled");
                json_object_put(o);
        }

        put(leaf, "cgroup.procs", "");
        if (!ok(jc_cgroup_destroy(cg, &err) == 0, "destroy"))
                printf("# %s\n", err.msg);
        ok(!has(leaf), "destroy removes the leaf");
        ok(!has(record("cell1")), "destroy removes the record");
        is_str(get(at("/slurm/task_0"), "cgroup.subtree_control"), "-pids -memory -cpuset",
               "destroy gives the controllers back (so the caller may go back in)");
        is_str(get(at("/slurm/task_0"), "cgroup.procs"), pid,
               "destroy moves the caller back into its old cgroup");
        put(at("/slurm/task_0"), "cgroup.subtree_control", "");
}

/* A refused create leaves nothing: no leaf, no record. */
static void refused(struct jc_cgroup_config *c, int errnum, const char *why, const char *name)
{
        struct jc_error err = { 0 };
        struct jc_cgroup *cg = NULL;
        char leaf[1024];

        snprintf(leaf, sizeof(leaf), "%s/%s", at("/slurm/task_0"), c->name);
        ok(jc_cgroup_create(c, &cg, &err) < 0 && cg == NULL, "%s: refused", name);
        is_int(err.errnum, errnum, "%s: errno", name);
        like(err.msg, why, "%s: says why", name);
        ok(c->name[0] == '\0' || !has(leaf), "%s: no cgroup made", name);
        ok(c->name[0] == '\0' || !has(record(c->name)), "%s: no record left", name);
        is_str(get(at("/slurm/task_0"), "cgroup.subtree_control"), "", "%s: no controller enabled",
               name);
}

static void test_tighten_only(void)
{
        struct jc_cgroup_config c;

        c = config("big");
        c.memory_max = 2LL << 30;
        refused(&c, EPERM, "above the job's memory limit 1073741824", "memory above the job's");
        c = config("bigswap");
        c.swap_max = 512 << 20;
        refused(&c, EPERM, "above the job's swap limit 268435456", "swap above the job's");
        c = config("cpus");
        c.cpus = "1-2";
        refused(&c, EPERM, "not a subset of the job's cpus 2-5", "cpus outside the job's");
        c = config("badcpus");
        c.cpus = "2-x";
        refused(&c, 0, "not a cpu list", "a bad cpu list");
        c = config("../escape");
        refused(&c, EINVAL, "is not 1 to 128", "a name with a slash");
        c = config("");
        refused(&c, EINVAL, "is not 1 to 128", "an empty name");
        c = config(".hidden");
        refused(&c, EINVAL, "no leading dot", "a name with a leading dot");
        c = config("relparent");
        c.parent = "jobs/../x";
        refused(&c, 0, "not an absolute path", "a relative parent");
        c = config("dotparent");
        c.parent = "/jobs/../../etc";
        refused(&c, 0, "`..' component", "a parent with ..");

        /* the limit equal to the job's is not a raise */
        {
                struct jc_error err = { 0 };
                struct jc_cgroup *cg = NULL;

                c = config("equal");
                c.memory_max = 1LL << 30;
                c.cpus = "2-5";
                ok(jc_cgroup_create(&c, &cg, &err) == 0, "memory and cpus equal to the job's pass");
                if (cg != NULL) {
                        put(at("/slurm/task_0/equal"), "cgroup.procs", "");
                        jc_cgroup_destroy(cg, &err);
                }
                put(at("/slurm/task_0"), "cgroup.subtree_control", "");
        }

        /* pids not delegated: a pids limit cannot be kept */
        put(at("/slurm/task_0"), "cgroup.controllers", "cpuset memory\n");
        c = config("nopids");
        c.pids_limit = 64;
        refused(&c, ENOTSUP, "pids controller is not available in", "pids controller missing");
        {
                struct jc_error err = { 0 };
                struct jc_cgroup *cg = NULL;

                c.pids_limit = 0;
                ok(jc_cgroup_create(&c, &cg, &err) == 0,
                   "without a pids limit a missing pids controller is fine");
                if (cg != NULL) {
                        is_str(get(at("/slurm/task_0"), "cgroup.subtree_control"), "+memory",
                               "... and only what is there gets enabled");
                        put(at("/slurm/task_0/nopids"), "cgroup.procs", "");
                        jc_cgroup_destroy(cg, &err);
                }
                put(at("/slurm/task_0"), "cgroup.subtree_control", "");
        }
        put(at("/slurm/task_0"), "cgroup.controllers", "cpuset memory pids\n");

        /* a name in use */
        mkd("/slurm/task_0/taken");
        c = config("taken");
        {
                struct jc_error err = { 0 };
                struct jc_cgroup *cg = NULL;

                ok(jc_cgroup_create(&c, &cg, &err) < 0 && err.errnum == EEXIST,
                   "an existing cgroup of that name is refused");
                like(err.msg, "exists", "... saying so");
                ok(!has(record("taken")), "... leaving no record");
        }
        rmdir(at("/slurm/task_0/taken"));
}

/* jc_cgroup_check: what create would refuse, refused alike, and nothing
 * made either way (not even the state directory). */
static void test_check(void)
{
        struct jc_cgroup_config c = config("checked");
        struct jc_error err = { 0 };
        char sd[600];

        snprintf(sd, sizeof(sd), "%s/check-state", top);
        c.state_dir = sd;
        c.pids_limit = 100;
        c.memory_max = 512 << 20;
        c.cpus = "3";
        if (!ok(jc_cgroup_check(&c, &err) == 0, "check: a set create would make passes"))
                printf("# %s\n", err.msg);
        ok(!has(at("/slurm/task_0/checked")), "check: makes no cgroup");
        ok(!has(sd), "check: makes no state directory");
        is_str(get(at("/slurm/task_0"), "cgroup.subtree_control"), "",
               "check: enables no controller");
        c.memory_max = 2LL << 30;
        ok(jc_cgroup_check(&c, &err) < 0 && err.errnum == EPERM,
           "check: a memory limit above the job's is refused");
        like(err.msg, "memory.max of `", "check: ... naming where the job's limit was read");
        c.memory_max = 0;
        c.cpus = "0-7";
        ok(jc_cgroup_check(&c, &err) < 0 && err.errnum == EPERM && strstr(err.msg, "subset"),
           "check: cpus outside the job's are refused");
        mkd("/slurm/task_0/checked");
        c.cpus = NULL;
        ok(jc_cgroup_check(&c, &err) < 0 && err.errnum == EEXIST,
           "check: a name in use is refused");
        rmdir(at("/slurm/task_0/checked"));
}

/* A plain set (a cell's keeper on v2): the caller's own cgroup and
 * nothing else, so the cgroup it left may hand controllers down. */
static void test_plain(void)
{
        struct jc_cgroup_config c = config("keeper.cell");
        struct jc_error err = { 0 };
        struct jc_cgroup *cg = NULL, *opened = NULL;
        const char *leaf = at("/slurm/task_0/keeper.cell");
        char pid[32];

        snprintf(pid, sizeof(pid), "%d", (int)getpid());
        c.plain = true;
        if (!ok(jc_cgroup_create(&c, &cg, &err) == 0, "plain: create"))
                printf("# %s\n", err.msg);
        if (cg == NULL)
                return;
        is_str(get(leaf, "cgroup.procs"), pid, "plain: the caller moved in");
        is_str(get(at("/slurm/task_0"), "cgroup.subtree_control"), "",
               "plain: no controller enabled in the cgroup it left");
        is_str(get(leaf, "pids.max"), "max", "plain: no limit");
        ok(jc_cgroup_open(&c, &opened, &err) == 0, "plain: another process opens it by name");
        if (opened != NULL) {
                is_int(jc_cgroup_owner(opened), getpid(), "open: the owner is the record's");
                jc_cgroup_free(opened);
        }
        put(leaf, "cgroup.procs", "");
        ok(jc_cgroup_destroy(cg, &err) == 0, "plain: destroy");
        ok(!has(leaf) && !has(record("keeper.cell")), "plain: leaf and record gone");
        is_str(get(at("/slurm/task_0"), "cgroup.procs"), pid, "plain: the caller is back");

        c.pids_limit = 5;
        ok(jc_cgroup_create(&c, &cg, &err) < 0 && err.errnum == EINVAL,
           "plain: limits are refused");
        c.pids_limit = 0;
        c.version = JC_CGROUP_V1;
        ok(jc_cgroup_check(&c, &err) < 0 && err.errnum == EINVAL, "plain: v2 only");
}

static void test_parent_v2(void)
{
        struct jc_cgroup_config c = config("cell2");
        struct jc_error err = { 0 };
        struct jc_cgroup *cg = NULL;
        const char *leaf = at("/jobs/batch/cell2");
        char pid[32];

        snprintf(pid, sizeof(pid), "%d", (int)getpid());
        c.parent = "/jobs/batch";
        c.pids_limit = 50;
        if (!ok(jc_cgroup_create(&c, &cg, &err) == 0, "v2: create under a parent"))
                printf("# %s\n", err.msg);
        if (cg == NULL)
                return;
        is_str(jc_cgroup_path(cg, "pids"), leaf, "the leaf is PARENT/NAME");
        is_str(get(at("/jobs"), "cgroup.subtree_control"), "+pids +memory",
               "controllers are enabled in each parent made");
        is_str(get(at("/jobs/batch"), "cgroup.subtree_control"), "+pids +memory",
               "... down to the leaf's parent");
        is_str(get(leaf, "pids.max"), "50", "the pids limit is set");
        is_str(get(leaf, "cgroup.procs"), pid, "the caller moved in");
        put(leaf, "cgroup.procs", "");
        ok(jc_cgroup_destroy(cg, &err) == 0, "destroy");
        ok(!has(at("/jobs")), "destroy removes the parents it made");
        is_str(get(at("/slurm/task_0"), "cgroup.procs"), pid, "the caller is back in its cgroup");
        is_str(get(root, "cgroup.subtree_control"), "cpuset cpu io memory pids",
               "the root's controllers are left alone");
}

static void test_gc(void)
{
        struct jc_cgroup_config c = config("live");
        struct jc_error err = { 0 };
        struct jc_cgroup *live = NULL;
        unsigned removed = 99;
        pid_t pid, victim;
        int status;
        char text[2048];

        c.pids_limit = 10;
        ok(jc_cgroup_create(&c, &live, &err) == 0, "gc: a set whose owner lives");

        /* a set whose owner died without destroying it (in task_1) */
        mkd("/slurm/task_1");
        put(at("/slurm/task_1"), "cgroup.controllers", "cpuset memory pids\n");
        put(at("/slurm/task_1"), "cgroup.subtree_control", "");
        put(at("/slurm/task_1"), "cgroup.procs", "");
        put(top, "proc-cgroup-1", "0::/slurm/task_1\n");
        pid = fork();
        if (pid == 0) {
                struct jc_cgroup_config d = config("dead");
                struct jc_cgroup *cg;
                char pf[600];

                snprintf(pf, sizeof(pf), "%s/proc-cgroup-1", top);
                d.proc_cgroup = pf;
                d.pids_limit = 10;
                _exit(jc_cgroup_create(&d, &cg, &err) == 0 ? 0 : 1);
        }
        waitpid(pid, &status, 0);
        ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "gc: another process made a set, died");
        ok(has(at("/slurm/task_1/dead")), "gc: its leaf is left behind");
        {
                struct jc_cgroup_config d = config("dead");
                struct jc_cgroup *cg = NULL;

                ok(jc_cgroup_open(&d, &cg, &err) == 0 && jc_cgroup_owner(cg) == pid,
                   "open: the owner is the process that made the set, not the opener");
                jc_cgroup_free(cg);
        }
        put(at("/slurm/task_1/dead"), "cgroup.procs", "");

        /* a forged record naming a directory outside the cgroup root, whose
         * cgroup.procs lists a live process: gc must not kill it */
        victim = fork();
        if (victim == 0) {
                pause();
                _exit(0);
        }
        mkdir(at("/../outside"), 0755);
        snprintf(text, sizeof(text), "%d\n", (int)victim);
        put(at("/../outside"), "cgroup.procs", text);
        snprintf(text, sizeof(text),
                 "{\"version\":1,\"name\":\"forged\",\"cgroup_version\":2,\"owner_pid\":%d,"
                 "\"owner_start\":1,\"pids_limit\":1,\"leaves\":[{\"controller\":\"\",\"path\":"
                 "\"%s/../outside\",\"origin\":\"%s\"}],\"made\":[],\"enabled\":\"\"}",
                 (int)pid, root, root);
        put(state, "forged", text);

        ok(jc_cgroup_gc_name(&c, "live", &removed, &err) == 0 && removed == 0,
           "gc of one name: only that set is looked at (a live one: kept)");
        ok(has(at("/slurm/task_1/dead")), "gc of one name: the others are left");
        ok(jc_cgroup_gc(&c, &removed, &err) < 0, "gc: a forged record is an error");
        like(err.msg, "bad leaf", "... naming what is wrong with it");
        is_int(removed, 1, "gc: removes the one set whose owner died");
        ok(!has(at("/slurm/task_1/dead")), "gc: the dead owner's leaf is gone");
        ok(!has(record("dead")), "gc: ... and its record");
        is_str(get(at("/slurm/task_1"), "cgroup.subtree_control"), "-pids -memory",
               "gc: the controllers it enabled are given back");
        ok(has(at("/slurm/task_0/live")), "gc: the live owner's set stays");
        ok(has(record("live")), "gc: ... with its record");
        ok(kill(victim, 0) == 0, "gc: a process named by a forged record is not killed");
        ok(has(record("forged")), "gc: the forged record is left for a human");
        kill(victim, SIGKILL);
        waitpid(victim, NULL, 0);
        unlink(record("forged"));

        chmod(state, 0777);
        ok(jc_cgroup_gc(&c, &removed, &err) < 0 && err.errnum == EPERM,
           "gc: a state directory others may write is not trusted");
        chmod(state, 0700);

        put(at("/slurm/task_0/live"), "cgroup.procs", "");
        ok(jc_cgroup_destroy(live, &err) == 0, "gc: the live set is destroyed by its owner");
        ok(jc_cgroup_gc(&c, &removed, &err) == 0 && removed == 0, "gc: then nothing is left");
}

int main(void)
{
        char cmd[600];

        lay_out();
        test_proc_parse();
        test_detect();
        test_create_v2();
        test_tighten_only();
        test_check();
        test_plain();
        test_parent_v2();
        test_gc();
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
        if (system(cmd) != 0)
                printf("# could not remove %s\n", top);
        return done_testing();
}
