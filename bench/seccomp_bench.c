/* What the seccomp filter costs an allowed system call (doc/seccomp.md).
 *
 *   bench/seccomp_bench [N] [PROFILE.json]
 *
 * Times N getppid() calls (allowed whatever the arguments) and N
 * ioctl(FIONREAD) calls (allowed after argument checks, so the filter runs
 * every time even where the kernel caches seccomp's answer, Linux 5.11+)
 * in a child without a filter, with the built-in filter and, if given,
 * with PROFILE, in ROUNDS interleaved rounds; prints the fastest and the
 * median round of each.  Not part of make check: timings are reported,
 * never asserted. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jc_seccomp.h"

static double now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

#define ROUNDS 7

struct result {
        double getppid[ROUNDS], ioctl[ROUNDS];
};

/* One round in a child under BPF: ns per call of each, through a pipe. */
static int measure(const struct jc_bpf *bpf, long n, double out[2])
{
        int status, res[2];
        pid_t pid;

        if (pipe(res) < 0)
                return -1;
        pid = fork();
        if (pid == 0) {
                double t[3];
                int fds[2], avail;
                long i;

                if (pipe(fds) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
                    jc_seccomp_load(bpf) < 0)
                        _exit(1);
                t[0] = now();
                for (i = 0; i < n; i++)
                        syscall(SYS_getppid);
                t[1] = now();
                for (i = 0; i < n; i++)
                        ioctl(fds[0], FIONREAD, &avail);
                t[2] = now();
                t[0] = (t[1] - t[0]) / (double)n;
                t[1] = (t[2] - t[1]) / (double)n;
                _exit(write(res[1], t, 2 * sizeof(double)) == 2 * sizeof(double) ? 0 : 1);
        }
        close(res[1]);
        if (pid < 0 || read(res[0], out, 2 * sizeof(double)) != 2 * sizeof(double))
                status = -1;
        else if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
                status = -1;
        close(res[0]);
        return status == 0 ? 0 : -1;
}

static int cmp(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return x < y ? -1 : x > y;
}

static void report(const char *label, const struct jc_bpf *bpf, struct result *r)
{
        qsort(r->getppid, ROUNDS, sizeof(double), cmp);
        qsort(r->ioctl, ROUNDS, sizeof(double), cmp);
        printf("%-24s %5u insns  getppid %7.1f %7.1f   ioctl(FIONREAD) %7.1f %7.1f\n", label,
               bpf->prog.len, r->getppid[0], r->getppid[ROUNDS / 2], r->ioctl[0],
               r->ioctl[ROUNDS / 2]);
}

static int build(const char *seccomp, struct jc_bpf *bpf)
{
        struct jc_spec spec;
        struct jc_error err = { 0 };

        if (jc_spec_init(&spec, &err) < 0)
                goto fail;
        free(spec.seccomp);
        spec.seccomp = (char *)seccomp;
        if (jc_seccomp_build(&spec, bpf, &err) < 0) {
                spec.seccomp = NULL;
                jc_spec_free(&spec);
                goto fail;
        }
        spec.seccomp = NULL;
        jc_spec_free(&spec);
        return 0;
fail:
        jc_error_print(&err, "seccomp_bench");
        return -1;
}

int main(int argc, char **argv)
{
        long n = argc > 1 ? atol(argv[1]) : 10000000L;
        struct jc_bpf bpf[3] = { { { 0, NULL }, 0 } };
        const char *label[3] = { "no filter", "built-in filter", argc > 2 ? argv[2] : NULL };
        static struct result r[3];
        int nf = argc > 2 ? 3 : 2, i, round;

        if (n <= 0 || build("default", &bpf[1]) < 0 || (argc > 2 && build(argv[2], &bpf[2]) < 0))
                return 1;
        for (round = 0; round < ROUNDS; round++) {
                for (i = 0; i < nf; i++) {
                        double t[2];

                        if (measure(&bpf[i], n, t) < 0) {
                                fprintf(stderr, "seccomp_bench: %s: the child failed\n", label[i]);
                                return 1;
                        }
                        r[i].getppid[round] = t[0];
                        r[i].ioctl[round] = t[1];
                }
        }
        printf("%ld calls per round, %d rounds; ns per call: fastest, median\n", n, ROUNDS);
        for (i = 0; i < nf; i++) {
                report(label[i], &bpf[i], &r[i]);
                jc_bpf_free(&bpf[i]);
        }
        return 0;
}
