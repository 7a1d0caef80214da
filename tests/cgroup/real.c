/* The cgroup library on a real hierarchy, as root: cgroup v1 on this
 * machine, cgroup v2 in a VM (tests/cgroup/v2-vm.sh boots one and runs
 * this same program there).
 *
 * The test first plays Slurm: it makes a step and a task cgroup below its
 * own (v1: memory, cpuacct, cpuset, freezer; v2: one tree) with a 256 MiB
 * memory limit, no swap and cpu 0, and moves into the task cgroup.  Each
 * sandbox then nests below "Slurm's" cgroups; at the end the test
 * removes them, which fails with EBUSY if the library left anything
 * behind.
 *
 * Safety: every fork loop is bounded (at most FORK_CAP processes, in a
 * set whose pids limit is far below that), every child arms an alarm,
 * and the whole program has one too.  The test is its children's
 * subreaper, so nothing it starts outlives it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../tap.h"
#include "cgroup.h"
#include "cgroup_int.h"

#define ROOT     JC_CGROUP_ROOT
#define FORK_CAP 200
#define MiB      (1024 * 1024)

static int version;
static char tmpdir[256], state[300];
static pid_t helper_pid; /* outside every set: forks on request */
static int helper_cmd = -1, helper_ack = -1;

/* "Slurm's" cgroups: per controller (v1) or the one tree (v2).  Two
 * tasks: the test runs in task_0; task_1 holds another task's process
 * (a joiner, a second owner). */
struct slurm_cg {
        const char *ctrl; /* "" in v2 */
        char hier[256];   /* hierarchy mount */
        char own[512];    /* where the test was */
        char step[512];
        char task[2][512];
};
static struct slurm_cg slurm[4];
static size_t nslurm;

static void skip_all(const char *why)
{
        printf("1..0 # SKIP %s\n", why);
        exit(0);
}

static void bail(const char *what)
{
        printf("Bail out! %s: %s\n", what, strerror(errno));
        exit(99);
}

static int put(const char *dir, const char *file, const char *text)
{
        char p[1024];
        int fd, rc = 0;

        snprintf(p, sizeof(p), "%s/%s", dir, file);
        fd = open(p, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        if (write(fd, text, strlen(text)) < 0)
                rc = -1;
        close(fd);
        return rc;
}

static const char *get(const char *dir, const char *file)
{
        static char buf[8][4096];
        static int i;
        char p[1024], *b = buf[i++ % 8];
        ssize_t n;
        int fd;

        snprintf(p, sizeof(p), "%s/%s", dir, file);
        b[0] = '\0';
        fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return "(missing)";
        n = read(fd, b, 4095);
        close(fd);
        b[n > 0 ? n : 0] = '\0';
        while (n > 0 && b[n - 1] == '\n')
                b[--n] = '\0';
        return b;
}

static long long get_num(const char *dir, const char *file)
{
        return strtoll(get(dir, file), NULL, 10);
}

static long long get_key(const char *dir, const char *file, const char *key)
{
        const char *s = get(dir, file), *p = s;
        size_t n = strlen(key);

        while (p != NULL && *p) {
                if (strncmp(p, key, n) == 0 && p[n] == ' ')
                        return strtoll(p + n + 1, NULL, 10);
                p = strchr(p, '\n');
                if (p)
                        p++;
        }
        return -1;
}

static bool exists(const char *p)
{
        return access(p, F_OK) == 0;
}

/* PID's cgroup path in CTRL's hierarchy ("" = v2), from /proc/PID/cgroup. */
static const char *cgroup_of(pid_t pid, const char *ctrl)
{
        static char out[4][1024];
        static int i;
        char f[64], *b = out[i++ % 4];
        struct jc_cg_proc p;
        struct jc_error err;
        const struct jc_cg_proc_line *l;

        snprintf(f, sizeof(f), "/proc/%d/cgroup", (int)pid);
        b[0] = '\0';
        if (jc_cg_proc_read(f, &p, &err) < 0)
                return "(none)";
        l = jc_cg_proc_find(&p, ctrl);
        snprintf(b, 1024, "%s", l ? l->path : "(none)");
        jc_cg_proc_free(&p);
        return b;
}

static void hier_of(const char *ctrl, char *buf, size_t len)
{
        struct jc_cg_proc p;
        struct jc_error err;
        const struct jc_cg_proc_line *l;

        if (version == 2) {
                snprintf(buf, len, "%s", ROOT);
                return;
        }
        if (jc_cg_proc_read("/proc/self/cgroup", &p, &err) < 0)
                bail("/proc/self/cgroup");
        l = jc_cg_proc_find(&p, ctrl);
        snprintf(buf, len, "%s/%s", ROOT, l ? l->controllers : ctrl);
        if (!exists(buf))
                snprintf(buf, len, "%s/%s", ROOT, ctrl);
        jc_cg_proc_free(&p);
}

static const char *pid_text(pid_t pid)
{
        static char b[4][32];
        static int i;
        char *out = b[i++ % 4];

        snprintf(out, 32, "%d", (int)pid);
        return out;
}

/* --- playing Slurm ---------------------------------------------------------- */

static void slurm_enter(void)
{
        static const char *const v1[] = { "memory", "cpuacct", "cpuset", "freezer" };
        size_t i, t, n = version == 2 ? 1 : JC_ARRAY_SIZE(v1);
        char name[64], buf[512];

        snprintf(name, sizeof(name), "jctest-slurm-%d", (int)getpid());
        for (i = 0; i < n; i++) {
                struct slurm_cg *s = &slurm[nslurm++];
                const char *mems = NULL;
                const char *own;

                s->ctrl = version == 2 ? "" : v1[i];
                hier_of(s->ctrl, s->hier, sizeof(s->hier));
                own = cgroup_of(getpid(), s->ctrl);
                snprintf(buf, sizeof(buf), "%s%s", s->hier, strcmp(own, "/") ? own : "");
                memcpy(s->own, buf, sizeof(s->own));
                snprintf(buf, sizeof(buf), "%s/%s", s->own, name);
                memcpy(s->step, buf, sizeof(s->step));
                if (version == 2)
                        put(s->own, "cgroup.subtree_control", "+pids +memory +cpuset");
                if (mkdir(s->step, 0755) < 0)
                        bail(s->step);
                if (version == 2 &&
                    put(s->step, "cgroup.subtree_control", "+pids +memory +cpuset") < 0)
                        bail("enable controllers in the step");
                if (strcmp(s->ctrl, "cpuset") == 0) {
                        mems = get(s->own, "cpuset.effective_mems");
                        if (put(s->step, "cpuset.cpus", "0") < 0 ||
                            put(s->step, "cpuset.mems", mems) < 0)
                                bail("cpuset of the emulated step");
                }
                if (strcmp(s->ctrl, "memory") == 0 &&
                    (put(s->step, "memory.limit_in_bytes", "268435456") < 0 ||
                     put(s->step, "memory.memsw.limit_in_bytes", "268435456") < 0))
                        bail("memory limit of the emulated step");
                if (version == 2 && (put(s->step, "memory.max", "268435456") < 0 ||
                                     put(s->step, "memory.swap.max", "0") < 0 ||
                                     put(s->step, "cpuset.cpus", "0") < 0))
                        bail("limits of the emulated step");
                for (t = 0; t < 2; t++) {
                        snprintf(buf, sizeof(buf), "%s/task_%zu", s->step, t);
                        memcpy(s->task[t], buf, sizeof(s->task[t]));
                        if (mkdir(s->task[t], 0755) < 0)
                                bail(s->task[t]);
                        if (mems != NULL && (put(s->task[t], "cpuset.cpus", "0") < 0 ||
                                             put(s->task[t], "cpuset.mems", mems) < 0))
                                bail("cpuset of the emulated task");
                }
                if (put(s->task[0], "cgroup.procs", pid_text(getpid())) < 0)
                        bail("move into the emulated task cgroup");
        }
}

/* Move PID into task_1 of every emulated hierarchy. */
static void slurm_task1(pid_t pid)
{
        size_t i;

        for (i = 0; i < nslurm; i++)
                if (put(slurm[i].task[1], "cgroup.procs", pid_text(pid)) < 0)
                        bail("move into task_1");
}

static void slurm_leave(void)
{
        size_t i;
        bool gone = true;

        for (i = 0; i < nslurm; i++) {
                struct slurm_cg *s = &slurm[i];

                if (put(s->own, "cgroup.procs", pid_text(getpid())) < 0)
                        bail("move back from the emulated task cgroup");
                if (rmdir(s->task[0]) < 0 || rmdir(s->task[1]) < 0 || rmdir(s->step) < 0) {
                        printf("# rmdir under %s: %s\n", s->step, strerror(errno));
                        gone = false;
                }
        }
        ok(gone, "Slurm's task and step cgroups can be removed after the sandboxes (no EBUSY)");
}

static struct slurm_cg *slurm_cg(const char *ctrl)
{
        size_t i;

        for (i = 0; i < nslurm; i++)
                if (strcmp(slurm[i].ctrl, ctrl) == 0)
                        return &slurm[i];
        return NULL;
}

/* --- children ------------------------------------------------------------ */

/* The helper sits outside every set and forks when asked: "can another
 * process of the node still fork?" */
static void helper_start(void)
{
        int cmd[2], ack[2];

        if (pipe2(cmd, O_CLOEXEC) < 0 || pipe2(ack, O_CLOEXEC) < 0)
                bail("pipe");
        helper_pid = fork();
        if (helper_pid < 0)
                bail("fork");
        if (helper_pid == 0) {
                char c;
                int e;

                alarm(300);
                close(cmd[1]);
                close(ack[0]);
                while (read(cmd[0], &c, 1) == 1) {
                        pid_t p = fork();

                        if (p == 0)
                                _exit(0);
                        e = p < 0 ? errno : 0;
                        if (p > 0)
                                waitpid(p, NULL, 0);
                        if (write(ack[1], &e, sizeof(e)) != sizeof(e))
                                _exit(1);
                }
                _exit(0);
        }
        close(cmd[0]);
        close(ack[1]);
        helper_cmd = cmd[1];
        helper_ack = ack[0];
}

static int helper_fork(void)
{
        int e = -1;

        if (write(helper_cmd, "f", 1) != 1 || read(helper_ack, &e, sizeof(e)) != sizeof(e))
                return -1;
        return e;
}

/* Reap every child that has exited (the test is their subreaper). */
static void reap(void)
{
        while (waitpid(-1, NULL, WNOHANG) > 0)
                ;
}

static struct jc_cgroup_config config(const char *tag)
{
        static char names[16][64];
        static int i;
        char *n = names[i++ % 16];

        snprintf(n, 64, "jctest-%d-%s", (int)getpid(), tag);
        return (struct jc_cgroup_config){ .state_dir = state, .name = n, .swap_max = -1 };
}

static struct jc_cgroup *create(struct jc_cgroup_config *c, const char *what)
{
        struct jc_cgroup *cg = NULL;
        struct jc_error err = { 0 };

        if (!ok(jc_cgroup_create(c, &cg, &err) == 0, "%s: create", what))
                printf("# %s\n", err.msg);
        return cg;
}

static void destroy(struct jc_cgroup *cg, const char *what)
{
        struct jc_error err = { 0 };

        if (!ok(jc_cgroup_destroy(cg, &err) == 0, "%s: destroy", what))
                printf("# %s\n", err.msg);
}

/* The leaf of CTRL ("" in v2) as a path below the hierarchy mount. */
static const char *rel(struct jc_cgroup *cg, const char *ctrl)
{
        static char b[4][1024];
        static int i;
        char h[256], *out = b[i++ % 4];
        const char *p = jc_cgroup_path(cg, ctrl);

        hier_of(ctrl, h, sizeof(h));
        snprintf(out, 1024, "%s", p && strncmp(p, h, strlen(h)) == 0 ? p + strlen(h) : "(none)");
        return out;
}

/* --- tests ---------------------------------------------------------------- */

/* Task 0's cgroup of CTRL, below its hierarchy mount. */
static const char *task0(const char *ctrl)
{
        struct slurm_cg *s = slurm_cg(ctrl);

        return s->task[0] + strlen(s->hier);
}

static void test_placement(void)
{
        struct jc_cgroup_config c = config("place");
        struct jc_cgroup *cg;
        const char *ctrl = version == 2 ? "" : "memory";
        char before[4096], want[1024], jobcell_dir[600], h[256], leaf[1024], own[1024] = "";
        bool jobcell_was = false;

        snprintf(before, sizeof(before), "%s", get("/proc/self", "cgroup"));
        if (version == 1) {
                hier_of("pids", h, sizeof(h));
                snprintf(own, sizeof(own), "%s",
                         strcmp(cgroup_of(getpid(), "pids"), "/") ? cgroup_of(getpid(), "pids")
                                                                  : "");
                snprintf(jobcell_dir, sizeof(jobcell_dir), "%s%s/jobcell", h, own);
                jobcell_was = exists(jobcell_dir);
        }
        c.pids_limit = 32;
        c.memory_max = 64 * MiB;
        c.cpus = "0";
        cg = create(&c, "placement");
        if (cg == NULL)
                return;
        is_int(jc_cgroup_version(cg), version, "the backend matches the hierarchy");
        snprintf(leaf, sizeof(leaf), "%s", jc_cgroup_path(cg, version == 2 ? "" : "pids"));
        if (version == 1) {
                snprintf(want, sizeof(want), "%s/jobcell/%s", own, c.name);
                is_str(rel(cg, "pids"), want, "v1: the pids cgroup is OWN/jobcell/NAME");
                is_str(cgroup_of(getpid(), "pids"), want, "v1: the caller is in it");
                snprintf(want, sizeof(want), "%s/%s", task0("memory"), c.name);
                is_str(rel(cg, "memory"), want,
                       "v1: the memory leaf is a child of Slurm's task memory cgroup");
                is_str(cgroup_of(getpid(), "memory"), want, "v1: the caller is in it");
                snprintf(want, sizeof(want), "%s/%s", task0("cpuset"), c.name);
                is_str(rel(cg, "cpuset"), want, "v1: the cpuset leaf is below Slurm's task cpuset");
                snprintf(want, sizeof(want), "%s/%s", task0("cpuacct"), c.name);
                is_str(rel(cg, "cpuacct"), want, "v1: the cpuacct leaf is below Slurm's");
                is_str(cgroup_of(getpid(), "freezer"), task0("freezer"),
                       "v1: the caller stays in Slurm's freezer cgroup (proctrack sees it)");
                is_str(get(leaf, "pids.max"), "32", "v1: pids.max");
                is_int(get_num(jc_cgroup_path(cg, "memory"), "memory.limit_in_bytes"), 64 * MiB,
                       "v1: memory.limit_in_bytes");
                is_str(get(jc_cgroup_path(cg, "cpuset"), "cpuset.cpus"), "0", "v1: cpuset.cpus");
        } else {
                snprintf(want, sizeof(want), "%s/%s", task0(""), c.name);
                is_str(rel(cg, ""), want, "v2: the leaf is a child of the task's cgroup");
                is_str(cgroup_of(getpid(), ""), want, "v2: the caller is in it");
                is_str(get(leaf, "pids.max"), "32", "v2: pids.max");
                is_int(get_num(leaf, "memory.max"), 64 * MiB, "v2: memory.max");
                is_str(get(leaf, "cpuset.cpus"), "0", "v2: cpuset.cpus");
                like(get(slurm_cg(ctrl)->task[0], "cgroup.subtree_control"), "pids",
                     "v2: the controllers are enabled in the task's cgroup");
        }
        destroy(cg, "placement");
        is_str(get("/proc/self", "cgroup"), before, "destroy moves the caller back where it was");
        ok(!exists(leaf), "destroy removes the leaf");
        if (version == 1 && !jobcell_was)
                ok(!exists(jobcell_dir), "v1: destroy removes OWN/jobcell it made");
        if (version == 2)
                is_str(get(slurm_cg(ctrl)->task[0], "cgroup.subtree_control"), "",
                       "v2: destroy gives the controllers back");
}

/* A fork loop in a child: forks until fork fails, at most FORK_CAP times;
 * the children wait on a pipe.  Reports (count, errno, first pid). */
struct bomb {
        pid_t pid;
        int count, err;
        int release; /* write end: closing it lets the children go */
};

static void bomb_start(struct bomb *b)
{
        int res[2], rel_[2];

        if (pipe2(res, O_CLOEXEC) < 0 || pipe(rel_) < 0)
                bail("pipe");
        b->pid = fork();
        if (b->pid == 0) {
                int count = 0, e = 0, out[2];

                alarm(120);
                close(res[0]);
                close(rel_[1]);
                while (count < FORK_CAP) {
                        pid_t p = fork();

                        if (p == 0) {
                                char c;

                                alarm(120);
                                (void)!read(rel_[0], &c, 1);
                                _exit(0);
                        }
                        if (p < 0) {
                                e = errno;
                                break;
                        }
                        count++;
                }
                out[0] = count;
                out[1] = e;
                (void)!write(res[1], out, sizeof(out));
                /* hold the limit until told to go */
                {
                        char c;

                        (void)!read(rel_[0], &c, 1);
                }
                while (wait(NULL) > 0)
                        ;
                _exit(0);
        }
        close(res[1]);
        close(rel_[0]);
        b->release = rel_[1];
        {
                int in[2] = { -1, -1 };

                if (read(res[0], in, sizeof(in)) != sizeof(in))
                        bail("read from the fork loop");
                b->count = in[0];
                b->err = in[1];
        }
        close(res[0]);
}

static void test_pids_limit(void)
{
        struct jc_cgroup_config c = config("bomb");
        struct jc_cgroup *cg;
        struct jc_cgroup_stats st;
        struct jc_error err = { 0 };
        struct bomb b;
        const char *leaf;
        int status;

        c.pids_limit = 32;
        cg = create(&c, "pids");
        if (cg == NULL)
                return;
        leaf = jc_cgroup_path(cg, "pids");
        bomb_start(&b);
        jc_cgroup_sample(cg);
        is_int(b.err, EAGAIN, "a fork loop in the sandbox stops with EAGAIN");
        /* the test and the loop itself are the other two of the 32 */
        is_int(b.count, 30, "... exactly at the limit (32 tasks, this process included)");
        is_int(get_num(leaf, "pids.current"), 32, "pids.current is at pids.max");
        is_int(helper_fork(), 0, "a process outside the sandbox can still fork");
        ok(jc_cgroup_stats(cg, &st, &err) == 0, "stats while at the limit");
        is_int(st.pids_peak, 32, "peak pids is the limit");
        ok(st.pids_limit_hits >= 1, "the job is reported as having hit its pids limit (%lld)",
           (long long)st.pids_limit_hits);
        is_int(st.pids_limit, 32, "the record carries the limit");
        /* destroy kills the loop and its 30 children */
        destroy(cg, "pids");
        ok(waitpid(b.pid, &status, 0) == b.pid && WIFSIGNALED(status) &&
                   WTERMSIG(status) == SIGKILL,
           "destroy killed what was left in the sandbox");
        close(b.release);
        reap();
        ok(!exists(leaf), "the pids leaf is gone");
}

static void *idle(void *arg)
{
        (void)arg;
        pause();
        return NULL;
}

static void test_threads_count(void)
{
        struct jc_cgroup_config c = config("threads");
        struct jc_cgroup *cg;
        int res[2], out[2] = { -1, -1 }, status;
        pid_t pid;

        c.pids_limit = 8;
        cg = create(&c, "threads");
        if (cg == NULL)
                return;
        if (pipe2(res, O_CLOEXEC) < 0)
                bail("pipe");
        pid = fork();
        if (pid == 0) {
                pthread_t t;
                int n = 0, e = 0;

                alarm(60);
                while (n < FORK_CAP && (e = pthread_create(&t, NULL, idle, NULL)) == 0)
                        n++;
                out[0] = n;
                out[1] = e;
                (void)!write(res[1], out, sizeof(out));
                _exit(0);
        }
        close(res[1]);
        if (read(res[0], out, sizeof(out)) != sizeof(out))
                bail("read from the thread loop");
        close(res[0]);
        waitpid(pid, &status, 0);
        is_int(out[1], EAGAIN, "threads count against the pids limit: pthread_create fails");
        is_int(out[0], 6, "... after 6 threads (8 = this process + the child + 6)");
        destroy(cg, "threads");
}

static void refused(struct jc_cgroup_config *c, const char *why, const char *what)
{
        struct jc_cgroup *cg = NULL;
        struct jc_error err = { 0 };
        char rec[600];

        snprintf(rec, sizeof(rec), "%s/%s", state, c->name);
        ok(jc_cgroup_create(c, &cg, &err) < 0 && cg == NULL, "%s: refused", what);
        like(err.msg, why, "%s: says why", what);
        ok(!exists(rec), "%s: no record left", what);
        if (version == 1) {
                char p[1024];

                snprintf(p, sizeof(p), "%s/%s", slurm_cg("memory")->task[0], c->name);
                ok(!exists(p), "%s: no memory cgroup left", what);
        } else {
                char p[1024];

                snprintf(p, sizeof(p), "%s/%s", slurm[0].task[0], c->name);
                ok(!exists(p), "%s: no cgroup left", what);
                is_str(get(slurm[0].task[0], "cgroup.subtree_control"), "",
                       "%s: no controller enabled", what);
        }
}

static void test_tighten_only(void)
{
        struct jc_cgroup_config c;
        struct jc_cgroup *cg;

        c = config("raise-mem");
        c.pids_limit = 16;
        c.memory_max = 512 * MiB;
        refused(&c, "above the job's memory limit 268435456", "memory above Slurm's limit");
        c = config("raise-cpus");
        c.cpus = "0-1";
        refused(&c, "not a subset of the job's cpus 0", "cpus beyond Slurm's cpuset");
        c = config("raise-swap");
        c.swap_max = 16 * MiB;
        refused(&c,
                version == 1 ? "above the job's memory+swap limit" : "above the job's swap limit",
                "swap beyond Slurm's");

        c = config("tight");
        c.memory_max = 32 * MiB;
        c.swap_max = 0;
        c.cpus = "0";
        cg = create(&c, "tighter memory, no swap, the same cpus");
        if (cg == NULL)
                return;
        if (version == 1) {
                is_int(get_num(jc_cgroup_path(cg, "memory"), "memory.memsw.limit_in_bytes"),
                       32 * MiB, "v1: memory+swap = memory: no swap");
        } else {
                is_str(get(jc_cgroup_path(cg, ""), "memory.swap.max"), "0", "v2: memory.swap.max");
        }
        destroy(cg, "tight");
}

static double cpu_now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_stats(void)
{
        struct jc_cgroup_config c = config("stats");
        struct jc_cgroup *cg;
        struct jc_cgroup_stats st;
        struct jc_error err = { 0 };
        struct slurm_cg *mem = slurm_cg(version == 2 ? "" : "memory");
        int status;
        pid_t pid;

        c.pids_limit = 64;
        cg = create(&c, "stats");
        if (cg == NULL)
                return;
        pid = fork();
        if (pid == 0) {
                volatile unsigned long x = 0;

                alarm(60);
                while (cpu_now() < 0.2)
                        x++;
                _exit(0);
        }
        waitpid(pid, &status, 0);
        pid = fork();
        if (pid == 0) {
                size_t i, n = 48 * MiB;
                volatile char *p =
                        mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

                alarm(60);
                if (p == MAP_FAILED)
                        _exit(1);
                for (i = 0; i < n; i += 4096)
                        p[i] = 1;
                _exit(p[4096] == 1 ? 0 : 2);
        }
        waitpid(pid, &status, 0);
        ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a child touched 48 MiB");
        ok(jc_cgroup_stats(cg, &st, &err) == 0, "stats read");
        ok(st.cpu_user_us > 0, "user CPU time is counted (%lld us)", (long long)st.cpu_user_us);
        ok(st.cpu_user_us + st.cpu_system_us >= 180000,
           "CPU time covers a child's 0.2 s busy loop (%lld us)",
           (long long)(st.cpu_user_us + st.cpu_system_us));
        ok(st.memory_peak >= 48 * MiB, "peak memory covers the 48 MiB touched (%lld)",
           (long long)st.memory_peak);
        ok(st.wall_seconds > 0, "wall time");
        is_int(st.oom_kills, 0, "no OOM kill");
        /* Slurm still counts it: hierarchical accounting */
        if (version == 1)
                ok(get_num(mem->step, "memory.max_usage_in_bytes") >= 48 * MiB,
                   "v1: Slurm's step cgroup counts the sandbox's memory");
        else if (strcmp(get(mem->step, "memory.peak"), "(missing)") != 0)
                ok(get_num(mem->step, "memory.peak") >= 48 * MiB,
                   "v2: Slurm's step cgroup counts the sandbox's memory");
        destroy(cg, "stats");
}

static void test_oom(void)
{
        struct jc_cgroup_config c = config("oom");
        struct jc_cgroup *cg;
        struct jc_cgroup_stats st;
        struct jc_error err = { 0 };
        int status;
        pid_t pid;

        c.pids_limit = 16;
        c.memory_max = 32 * MiB;
        c.swap_max = 0;
        cg = create(&c, "oom");
        if (cg == NULL)
                return;
        pid = fork();
        if (pid == 0) {
                size_t i, n = 256 * MiB;
                volatile char *p =
                        mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

                alarm(60);
                if (p == MAP_FAILED)
                        _exit(1);
                for (i = 0; i < n; i += 4096)
                        p[i] = 1;
                _exit(0);
        }
        waitpid(pid, &status, 0);
        ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
           "a child going past a 32 MiB limit is killed");
        ok(jc_cgroup_stats(cg, &st, &err) == 0, "stats read");
        ok(st.oom_kills >= 1, "the OOM kill is reported (%lld)", (long long)st.oom_kills);
        if (version == 1)
                is_int(get_key(slurm_cg("memory")->task[0], "memory.oom_control", "oom_kill"), 0,
                       "v1: Slurm's task cgroup had no OOM of its own");
        destroy(cg, "oom");
}

static void test_attach(void)
{
        struct jc_cgroup_config c = config("attach");
        struct jc_cgroup *cg;
        struct jc_error err = { 0 };
        int status;
        pid_t pid;

        /* another task's process (a joiner), in task_1 */
        pid = fork();
        if (pid == 0) {
                alarm(60);
                pause();
                _exit(0);
        }
        slurm_task1(pid);
        c.pids_limit = 16;
        cg = create(&c, "attach");
        if (cg == NULL) {
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                return;
        }
        ok(jc_cgroup_attach(cg, pid, &err) == 0, "attach a process that is not a child");
        is_str(cgroup_of(pid, version == 2 ? "" : "pids"), rel(cg, version == 2 ? "" : "pids"),
               "it is in the set");
        if (version == 1)
                is_str(cgroup_of(pid, "freezer"),
                       slurm_cg("freezer")->task[1] + strlen(slurm_cg("freezer")->hier),
                       "v1: and still in its Slurm freezer cgroup");
        destroy(cg, "attach");
        ok(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status), "destroy killed it");
}

static void test_parent(void)
{
        struct jc_cgroup_config c = config("parent");
        struct jc_cgroup *cg;
        char parent[128], p[1024], h[256];

        snprintf(parent, sizeof(parent), "/jctest-parent-%d/batch", (int)getpid());
        c.parent = parent;
        c.pids_limit = 16;
        if (version == 2) {
                /* an inner cgroup hands down only what its parent has */
                put(ROOT, "cgroup.subtree_control", "+pids +memory");
        }
        cg = create(&c, "standalone --cgroup-parent");
        if (cg == NULL)
                return;
        hier_of(version == 2 ? "" : "pids", h, sizeof(h));
        snprintf(p, sizeof(p), "%s%s/%s", h, parent, c.name);
        is_str(jc_cgroup_path(cg, version == 2 ? "" : "pids"), p, "the leaf is PARENT/NAME");
        is_str(get(p, "pids.max"), "16", "with its pids limit");
        destroy(cg, "parent");
        snprintf(p, sizeof(p), "%s/jctest-parent-%d", h, (int)getpid());
        ok(!exists(p), "destroy removes the parents it made");
}

static void test_gc(void)
{
        struct jc_cgroup_config c = config("gc"), l = config("gclive");
        struct jc_cgroup *live;
        struct jc_error err = { 0 };
        int sync_[2], status;
        pid_t owner, inner = 0;
        unsigned removed = 0;
        char leafpath[1024] = "";

        l.pids_limit = 8;
        live = create(&l, "gc: a live set");
        if (pipe2(sync_, O_CLOEXEC) < 0)
                bail("pipe");
        owner = fork();
        if (owner == 0) {
                struct jc_cgroup *cg;
                pid_t p;

                alarm(60);
                slurm_task1(getpid()); /* a task of its own, as under Slurm */
                c.pids_limit = 16;
                if (jc_cgroup_create(&c, &cg, &err) < 0) {
                        printf("# %s\n", err.msg);
                        _exit(1);
                }
                p = fork();
                if (p == 0) {
                        alarm(60);
                        pause();
                        _exit(0);
                }
                (void)!write(sync_[1], &p, sizeof(p));
                {
                        const char *leaf = jc_cgroup_path(cg, version == 2 ? "" : "pids");

                        (void)!write(sync_[1], leaf, strlen(leaf) + 1);
                }
                pause();
                _exit(0);
        }
        close(sync_[1]);
        if (read(sync_[0], &inner, sizeof(inner)) != sizeof(inner) ||
            read(sync_[0], leafpath, sizeof(leafpath) - 1) <= 0)
                bail("the owner did not make its set");
        close(sync_[0]);
        kill(owner, SIGKILL);
        waitpid(owner, &status, 0);
        ok(exists(leafpath), "gc: a SIGKILLed owner leaves its set behind");
        ok(kill(inner, 0) == 0, "gc: ... with a process still in it");
        if (!ok(jc_cgroup_gc(&c, &removed, &err) == 0, "gc runs"))
                printf("# %s\n", err.msg);
        is_int(removed, 1, "gc removed the dead owner's set (and only it)");
        ok(!exists(leafpath), "gc: its cgroup is gone");
        ok(waitpid(inner, &status, 0) == inner && WIFSIGNALED(status),
           "gc: the process left in it was killed");
        if (live != NULL) {
                ok(exists(jc_cgroup_path(live, version == 2 ? "" : "pids")),
                   "gc: a live owner's set stays");
                destroy(live, "gc: the live set");
        }
}

static void cleanup_tmp(void)
{
        char cmd[600];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
                printf("# could not remove %s\n", tmpdir);
}

int main(void)
{
        struct jc_error err = { 0 };
        enum jc_cgroup_version v;
        const char *expect = getenv("JC_EXPECT_CGROUP");
        const char *tmp = getenv("TMPDIR");

        if (geteuid() != 0)
                skip_all("making cgroups needs root");
        if (jc_cgroup_detect(NULL, &v, &err) < 0)
                skip_all("no /proc/self/cgroup");
        version = (int)v;
        printf("# cgroup v%d\n", version);
        if (expect != NULL)
                is_int(version, atoi(expect), "detected the expected cgroup version");
        if (version == 1 && !exists(ROOT "/pids/cgroup.procs"))
                skip_all("cgroup v1 without a pids hierarchy at " ROOT "/pids");
        alarm(600);
        setvbuf(stdout, NULL, _IONBF, 0);
        prctl(PR_SET_CHILD_SUBREAPER, 1);
        snprintf(tmpdir, sizeof(tmpdir), "%s/jc-cgreal-XXXXXX", tmp ? tmp : "/tmp");
        if (mkdtemp(tmpdir) == NULL)
                bail("mkdtemp");
        snprintf(state, sizeof(state), "%s/state", tmpdir);

        helper_start(); /* before playing Slurm: it stays outside */
        slurm_enter();
        test_placement();
        test_pids_limit();
        test_threads_count();
        test_tighten_only();
        test_stats();
        test_oom();
        test_attach();
        test_gc();
        slurm_leave();
        test_parent();
        ok(jc_cgroup_gc(&(struct jc_cgroup_config){ .state_dir = state }, NULL, &err) == 0,
           "gc finds nothing left");
        close(helper_cmd);
        waitpid(helper_pid, NULL, 0);
        reap();
        cleanup_tmp();
        return done_testing();
}
