/* The seccomp filter, attacked from a child process per check: the child
 * sets no_new_privs, loads the filter built by the parent (as the runner
 * does), makes one system call and exits with its errno (0 on success);
 * the parent asserts the exact outcome.
 *
 * Most refusals would also be EPERM from the kernel for a user without
 * capabilities, so the refusals are checked twice: with the filter as
 * built for jobs (EPERM), and with the same filter answering MARK, an
 * errno no kernel path here returns, which proves the filter refused. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/kcmp.h>
#include <linux/keyctl.h>
#include <linux/mempolicy.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../tap.h"
#include "jc_seccomp.h"
#include "seccomp_int.h"
#include "spec.h"
#include "values.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#ifndef AF_ALG
#define AF_ALG 38
#endif

#define MARK      EBADE /* "invalid exchange": no call below can return it */
#define KILLED(s) (1000 + (s))
#define CAP(c)    (UINT64_C(1) << (c))
#define HIGH(v)   ((1UL << 32) | (unsigned long)(v)) /* upper 32 bits the kernel drops */
#define NOWHERE   "/jobcell-test-nonexistent"
#define BAD_CMD   0x7fffff00UL

typedef long (*probe_fn)(void);

static int pipefd[2] = { -1, -1 };

/* Run FN in a child under BPF: 0, its errno, or KILLED(signal). */
static int run(const struct jc_bpf *bpf, probe_fn fn)
{
        int status;
        pid_t pid;

        fflush(stdout);
        pid = fork();
        if (pid < 0)
                return -1;
        if (pid == 0) {
                long r;

                /* A fault is the outcome, not a crash for a sanitizer to
                 * report. */
                signal(SIGSEGV, SIG_DFL);
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        _exit(201);
                if (jc_seccomp_load(bpf) < 0)
                        _exit(202);
                errno = 0;
                r = fn();
                _exit(r < 0 ? (errno > 0 && errno < 200 ? errno : 203) : 0);
        }
        if (waitpid(pid, &status, 0) != pid)
                return -1;
        if (WIFSIGNALED(status))
                return KILLED(WTERMSIG(status));
        return WEXITSTATUS(status);
}

/* --- system calls the filter must refuse (harmless if it did not) ------ */

static long clone_flags(unsigned long flags)
{
        /* Raw clone without CLONE_VM and without a stack: the child goes on
         * like after fork and leaves at once. */
        long r = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);

        if (r == 0)
                _exit(0);
        if (r > 0) {
                waitpid((pid_t)r, NULL, 0);
                r = 0;
        }
        return r;
}

static long p_keyctl(void)
{
        return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
}
static long p_add_key(void)
{
        return syscall(SYS_add_key, "jobcell-no-such-type", "x", NULL, 0, KEY_SPEC_PROCESS_KEYRING);
}
static long p_request_key(void)
{
        return syscall(SYS_request_key, "jobcell-no-such-type", "x", NULL, 0);
}
static long p_bpf(void)
{
        return syscall(SYS_bpf, BAD_CMD, NULL, 0);
}
static long p_perf_event_open(void)
{
        return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
}
static long p_userfaultfd(void)
{
        return syscall(SYS_userfaultfd, ~0U);
}
static long p_io_uring_setup(void)
{
        return syscall(SYS_io_uring_setup, 0, NULL);
}
static long p_io_uring_enter(void)
{
        return syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0);
}
static long p_io_uring_register(void)
{
        return syscall(SYS_io_uring_register, -1, 0, NULL, 0);
}
static long p_init_module(void)
{
        return syscall(SYS_init_module, NULL, 0, "");
}
static long p_finit_module(void)
{
        return syscall(SYS_finit_module, -1, "", 0);
}
static long p_delete_module(void)
{
        return syscall(SYS_delete_module, "jobcell_no_such_module", O_NONBLOCK);
}
static long p_kexec_load(void)
{
        return syscall(SYS_kexec_load, 0, 0, NULL, BAD_CMD);
}
#ifdef SYS_kexec_file_load
static long p_kexec_file_load(void)
{
        return syscall(SYS_kexec_file_load, -1, -1, 0, NULL, 0);
}
#endif
static long p_mount(void)
{
        return syscall(SYS_mount, "none", NOWHERE, "tmpfs", 0, NULL);
}
static long p_umount2(void)
{
        return syscall(SYS_umount2, NOWHERE, 0);
}
static long p_pivot_root(void)
{
        return syscall(SYS_pivot_root, NOWHERE, NOWHERE);
}
static long p_unshare(void)
{
        return syscall(SYS_unshare, 0); /* a no-op, unless refused */
}
static long p_setns(void)
{
        return syscall(SYS_setns, -1, 0);
}
static long p_clone_newuser(void)
{
        return clone_flags(CLONE_NEWUSER);
}
static long p_clone_newns(void)
{
        return clone_flags(CLONE_NEWNS);
}
static long p_clone_newpid(void)
{
        return clone_flags(CLONE_NEWPID);
}
static long p_clone_newnet(void)
{
        return clone_flags(CLONE_NEWNET);
}
static long p_clone_newipc(void)
{
        return clone_flags(CLONE_NEWIPC);
}
static long p_clone_newuts(void)
{
        return clone_flags(CLONE_NEWUTS);
}
static long p_clone_newcgroup(void)
{
        return clone_flags(CLONE_NEWCGROUP);
}
static long p_clone_newns_high(void)
{
        return clone_flags(HIGH(CLONE_NEWNS));
}
static long p_open_by_handle_at(void)
{
        return syscall(SYS_open_by_handle_at, -1, NULL, 0);
}
static long p_tiocsti(void)
{
        char c = 'x';

        return syscall(SYS_ioctl, pipefd[0], TIOCSTI, &c);
}
static long p_tiocsti_high(void)
{
        char c = 'x';

        return syscall(SYS_ioctl, pipefd[0], HIGH(TIOCSTI), &c);
}
static long p_tioclinux(void)
{
        char c = 2;

        return syscall(SYS_ioctl, pipefd[0], TIOCLINUX, &c);
}
/* A socket type past SOCK_MAX: the kernel says EINVAL before it looks for
 * the family (so no module gets loaded if the filter let it through). */
static long p_vsock(void)
{
        return syscall(SYS_socket, AF_VSOCK, 0xff, 0);
}
static long p_vsock_high(void)
{
        return syscall(SYS_socket, HIGH(AF_VSOCK), 0xff, 0);
}
static long p_alg(void)
{
        return syscall(SYS_socket, AF_ALG, 0xff, 0);
}
static long p_personality(void)
{
        return syscall(SYS_personality, PER_LINUX | ADDR_NO_RANDOMIZE);
}
static long p_swapon(void)
{
        return syscall(SYS_swapon, NOWHERE, 0);
}
static long p_swapoff(void)
{
        return syscall(SYS_swapoff, NOWHERE);
}
static long p_reboot(void)
{
        return syscall(SYS_reboot, 0, 0, 0, NULL); /* bad magic: EINVAL */
}
static long p_chroot(void)
{
        return syscall(SYS_chroot, NOWHERE);
}
static long p_acct(void)
{
        return syscall(SYS_acct, NOWHERE "/x");
}
static long p_settimeofday(void)
{
        return syscall(SYS_settimeofday, NULL, NULL); /* changes nothing */
}
static long p_clock_settime(void)
{
        struct timespec ts = { 0, 0 };

        return syscall(SYS_clock_settime, CLOCK_MONOTONIC, &ts); /* EINVAL */
}
static long p_vhangup(void)
{
        setsid(); /* no controlling terminal: nothing to hang up */
        return syscall(SYS_vhangup);
}
static long p_syslog(void)
{
        return syscall(SYS_syslog, 10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
}
static long p_kcmp(void)
{
        return syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, 0, 0);
}
static long p_pidfd_getfd(void)
{
        return syscall(SYS_pidfd_getfd, -1, 0, 0);
}
static long p_process_madvise(void)
{
        return syscall(SYS_process_madvise, -1, NULL, 0, 0, 0);
}
static long p_mbind(void)
{
        return syscall(SYS_mbind, NULL, 0, MPOL_DEFAULT, NULL, 0, 0);
}
static long p_set_mempolicy(void)
{
        return syscall(SYS_set_mempolicy, MPOL_DEFAULT, NULL, 0);
}
static long p_get_mempolicy(void)
{
        return syscall(SYS_get_mempolicy, NULL, NULL, 0, NULL, 0);
}
static long p_sethostname(void)
{
        static char name[1000];

        return syscall(SYS_sethostname, name, sizeof(name)); /* too long: EINVAL */
}
static long p_fsopen(void)
{
        return syscall(SYS_fsopen, NULL, 0);
}
#ifdef SYS_iopl
static long p_iopl(void)
{
        return syscall(SYS_iopl, 0);
}
static long p_ioperm(void)
{
        return syscall(SYS_ioperm, 0, 1, 0);
}
#endif
static long p_unknown(void)
{
        return syscall(1000);
}

#define P(fn)               \
        {                   \
                &#fn[2], fn \
        }
static const struct {
        const char *name;
        probe_fn fn;
} denied[] = {
        P(p_keyctl),
        P(p_add_key),
        P(p_request_key),
        P(p_bpf),
        P(p_perf_event_open),
        P(p_userfaultfd),
        P(p_io_uring_setup),
        P(p_io_uring_enter),
        P(p_io_uring_register),
        P(p_init_module),
        P(p_finit_module),
        P(p_delete_module),
        P(p_kexec_load),
#ifdef SYS_kexec_file_load
        P(p_kexec_file_load),
#endif
        P(p_mount),
        P(p_umount2),
        P(p_pivot_root),
        P(p_unshare),
        P(p_setns),
        P(p_clone_newuser),
        P(p_clone_newns),
        P(p_clone_newpid),
        P(p_clone_newnet),
        P(p_clone_newipc),
        P(p_clone_newuts),
        P(p_clone_newcgroup),
        P(p_clone_newns_high),
        P(p_open_by_handle_at),
        P(p_tiocsti),
        P(p_tiocsti_high),
        P(p_tioclinux),
        P(p_vsock),
        P(p_vsock_high),
        P(p_alg),
        P(p_personality),
        P(p_swapon),
        P(p_swapoff),
        P(p_reboot),
        P(p_chroot),
        P(p_acct),
        P(p_settimeofday),
        P(p_clock_settime),
        P(p_vhangup),
        P(p_syslog),
        P(p_kcmp),
        P(p_pidfd_getfd),
        P(p_process_madvise),
        P(p_mbind),
        P(p_set_mempolicy),
        P(p_get_mempolicy),
        P(p_sethostname),
        P(p_fsopen),
#ifdef SYS_iopl
        P(p_iopl),
        P(p_ioperm),
#endif
        P(p_unknown),
};

/* Each capability unlocks its calls, as in Docker's profile. */
static const struct {
        int cap;
        const char *name;
        probe_fn fn;
} gated[] = {
        { CAP_SYS_PTRACE, "kcmp", p_kcmp },
        { CAP_SYS_PTRACE, "pidfd_getfd", p_pidfd_getfd },
        { CAP_SYS_PTRACE, "process_madvise", p_process_madvise },
        { CAP_SYS_ADMIN, "unshare", p_unshare },
        { CAP_SYS_ADMIN, "setns", p_setns },
        { CAP_SYS_ADMIN, "mount", p_mount },
        { CAP_SYS_ADMIN, "umount2", p_umount2 },
        { CAP_SYS_ADMIN, "sethostname", p_sethostname },
        { CAP_SYS_ADMIN, "fsopen", p_fsopen },
        { CAP_SYS_ADMIN, "clone(CLONE_NEWNS)", p_clone_newns },
        { CAP_SYS_ADMIN, "clone(CLONE_NEWUSER)", p_clone_newuser },
        { CAP_SYS_ADMIN, "bpf", p_bpf },
        { CAP_SYS_ADMIN, "perf_event_open", p_perf_event_open },
        { CAP_SYS_ADMIN, "syslog", p_syslog },
        { CAP_SYS_BOOT, "reboot", p_reboot },
        { CAP_SYS_CHROOT, "chroot", p_chroot },
        { CAP_SYS_MODULE, "init_module", p_init_module },
        { CAP_SYS_MODULE, "finit_module", p_finit_module },
        { CAP_SYS_MODULE, "delete_module", p_delete_module },
        { CAP_SYS_PACCT, "acct", p_acct },
        { CAP_SYS_TIME, "settimeofday", p_settimeofday },
        { CAP_SYS_TIME, "clock_settime", p_clock_settime },
        { CAP_SYS_TTY_CONFIG, "vhangup", p_vhangup },
        { CAP_SYS_NICE, "mbind", p_mbind },
        { CAP_SYS_NICE, "set_mempolicy", p_set_mempolicy },
        { CAP_SYS_NICE, "get_mempolicy", p_get_mempolicy },
        { CAP_SYSLOG, "syslog", p_syslog },
        { CAP_BPF, "bpf", p_bpf },
        { CAP_PERFMON, "perf_event_open", p_perf_event_open },
        { CAP_DAC_READ_SEARCH, "open_by_handle_at", p_open_by_handle_at },
#ifdef SYS_iopl
        { CAP_SYS_RAWIO, "iopl", p_iopl },
        { CAP_SYS_RAWIO, "ioperm", p_ioperm },
#endif
};

/* --- what jobs do all the time ------------------------------------------ */

/* glibc's getppid, getuid... cannot fail, so they never set errno. */
static long p_getppid(void)
{
        return syscall(SYS_getppid) < 0 ? -1 : 0;
}
static long p_fork(void)
{
        int status;
        pid_t pid = fork();

        if (pid == 0)
                _exit(7);
        if (pid < 0 || waitpid(pid, &status, 0) != pid)
                return -1;
        return WIFEXITED(status) && WEXITSTATUS(status) == 7 ? 0 : (errno = ECHILD, -1);
}
static long p_vfork(void)
{
        int status;
        pid_t pid = vfork();

        if (pid == 0)
                _exit(7);
        if (pid < 0 || waitpid(pid, &status, 0) != pid)
                return -1;
        return WIFEXITED(status) && WEXITSTATUS(status) == 7 ? 0 : (errno = ECHILD, -1);
}

#define NTHREADS 16
#define NROUNDS  2000
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn = PTHREAD_COND_INITIALIZER;
static long counter;

static void *worker(void *arg)
{
        struct timespec nap = { 0, 1000 };
        cpu_set_t set;
        int i;

        (void)arg;
        if (sched_getaffinity(0, sizeof(set), &set) < 0 || syscall(SYS_gettid) <= 0)
                return (void *)1;
        for (i = 0; i < NROUNDS; i++) {
                pthread_mutex_lock(&lock);
                counter++;
                pthread_cond_broadcast(&turn);
                pthread_mutex_unlock(&lock);
                if (i % 500 == 0) {
                        sched_yield();
                        nanosleep(&nap, NULL);
                }
        }
        return NULL;
}

/* Threads created after the filter is loaded (glibc tries clone3 first,
 * gets ENOSYS and falls back to clone with CLONE_THREAD|CLONE_VM...). */
static long p_threads(void)
{
        pthread_t t[NTHREADS];
        void *ret;
        int i, bad = 0;

        for (i = 0; i < NTHREADS; i++)
                if ((errno = pthread_create(&t[i], NULL, worker, NULL)) != 0)
                        return -1;
        for (i = 0; i < NTHREADS; i++) {
                pthread_join(t[i], &ret);
                bad += ret != NULL;
        }
        if (bad || counter != (long)NTHREADS * NROUNDS)
                return errno = EPROTO, -1;
        return 0;
}
static long p_fionread(void)
{
        int n;

        return ioctl(pipefd[0], FIONREAD, &n);
}
static long p_tiocgwinsz(void)
{
        struct winsize ws;

        return ioctl(pipefd[0], TIOCGWINSZ, &ws); /* ENOTTY: the kernel's answer */
}
static long p_unix(void)
{
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        return fd < 0 ? -1 : close(fd);
}
static long p_inet(void)
{
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        return fd < 0 ? -1 : close(fd);
}
static long p_personality_query(void)
{
        return syscall(SYS_personality, 0xffffffffUL);
}
static long p_personality_linux32(void)
{
        return syscall(SYS_personality, PER_LINUX32);
}
static long p_process_vm_readv(void)
{
        char src[8] = "jobcell", dst[8] = "";
        struct iovec l = { dst, sizeof(dst) }, r = { src, sizeof(src) };

        if (syscall(SYS_process_vm_readv, getpid(), &l, 1, &r, 1, 0) != sizeof(src))
                return -1;
        return strcmp(dst, "jobcell") == 0 ? 0 : (errno = EPROTO, -1);
}
static long p_clone3(void)
{
        return syscall(SYS_clone3, NULL, 0);
}
static long p_memfd(void)
{
        int fd = memfd_create("jobcell-test", MFD_CLOEXEC);

        return fd < 0 ? -1 : close(fd);
}
static long p_seccomp_mode(void)
{
        return prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2 ? 0 : (errno = EPROTO, -1);
}
static long p_statmount(void)
{
        return syscall(457, NULL, NULL, 0, 0);
}
static long p_mseal(void)
{
        return syscall(462, 0, 0, 0);
}
#if defined(__x86_64__)
static long p_x32(void)
{
        return syscall(0x40000000L | SYS_getpid);
}
static long p_i386(void)
{
        long r = 20; /* getpid in the i386 table */

        __asm__ volatile("int $0x80" : "+a"(r) : : "memory", "r8", "r9", "r10", "r11");
        return r < 0 ? (errno = (int)-r, -1) : 0;
}
#endif

/* --- the program itself ------------------------------------------------ */

static struct jc_bpf builtin(uint64_t caps, int deny);

/* Run the exported program on DATA the way the kernel does, for the
 * classic BPF instructions libseccomp emits.  It lets the test check what
 * the filter answers for an architecture this kernel cannot run (i386 when
 * int 0x80 is disabled, arm32 on aarch64). */
static uint32_t interpret(const struct jc_bpf *bpf, const struct seccomp_data *data)
{
        const unsigned char *d = (const unsigned char *)data;
        uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
        unsigned int pc;

        for (pc = 0; pc < bpf->prog.len; pc++) {
                const struct sock_filter *f = &bpf->prog.filter[pc];
                uint32_t k = f->k, v = BPF_SRC(f->code) == BPF_X ? x : k;

                switch (f->code) {
                case BPF_LD | BPF_W | BPF_ABS:
                        if (k + 4 > sizeof(*data))
                                return 0xdead0001;
                        memcpy(&a, d + k, 4);
                        break;
                case BPF_LD | BPF_IMM:
                        a = k;
                        break;
                case BPF_LDX | BPF_IMM:
                        x = k;
                        break;
                case BPF_LD | BPF_MEM:
                        a = mem[k % BPF_MEMWORDS];
                        break;
                case BPF_LDX | BPF_MEM:
                        x = mem[k % BPF_MEMWORDS];
                        break;
                case BPF_ST:
                        mem[k % BPF_MEMWORDS] = a;
                        break;
                case BPF_STX:
                        mem[k % BPF_MEMWORDS] = x;
                        break;
                case BPF_MISC | BPF_TAX:
                        x = a;
                        break;
                case BPF_MISC | BPF_TXA:
                        a = x;
                        break;
                case BPF_ALU | BPF_AND | BPF_K:
                case BPF_ALU | BPF_AND | BPF_X:
                        a &= v;
                        break;
                case BPF_ALU | BPF_OR | BPF_K:
                case BPF_ALU | BPF_OR | BPF_X:
                        a |= v;
                        break;
                case BPF_JMP | BPF_JA:
                        pc += k;
                        break;
                case BPF_JMP | BPF_JEQ | BPF_K:
                case BPF_JMP | BPF_JEQ | BPF_X:
                        pc += a == v ? f->jt : f->jf;
                        break;
                case BPF_JMP | BPF_JGT | BPF_K:
                case BPF_JMP | BPF_JGT | BPF_X:
                        pc += a > v ? f->jt : f->jf;
                        break;
                case BPF_JMP | BPF_JGE | BPF_K:
                case BPF_JMP | BPF_JGE | BPF_X:
                        pc += a >= v ? f->jt : f->jf;
                        break;
                case BPF_JMP | BPF_JSET | BPF_K:
                case BPF_JMP | BPF_JSET | BPF_X:
                        pc += (a & v) ? f->jt : f->jf;
                        break;
                case BPF_RET | BPF_K:
                        return k;
                case BPF_RET | BPF_A:
                        return a;
                default:
                        return 0xdead0002;
                }
        }
        return 0xdead0003; /* ran off the end */
}

static uint32_t answer(const struct jc_bpf *bpf, uint32_t arch, int nr)
{
        struct seccomp_data d = { .nr = nr, .arch = arch };

        return interpret(bpf, &d);
}

static void test_program(void)
{
        struct jc_bpf bpf = builtin(0, EPERM);
        uint32_t native = seccomp_arch_native();
        int getpid_nr = seccomp_syscall_resolve_name("getpid");

        is_int(answer(&bpf, native, getpid_nr), SECCOMP_RET_ALLOW, "BPF: getpid allowed");
        is_int(answer(&bpf, native, 1000), SECCOMP_RET_ERRNO | EPERM, "BPF: call 1000: EPERM");
        is_int(answer(&bpf, native, -1), SECCOMP_RET_ERRNO | EPERM, "BPF: call -1: EPERM");
        if (native == SCMP_ARCH_X86_64) {
                is_int(answer(&bpf, SCMP_ARCH_X86, 20), SECCOMP_RET_KILL_PROCESS,
                       "BPF: i386 call: kill the process");
                is_int(answer(&bpf, native, 0x40000000 | getpid_nr), SECCOMP_RET_KILL_PROCESS,
                       "BPF: x32 call: kill the process");
        } else if (native == SCMP_ARCH_AARCH64) {
                is_int(answer(&bpf, SCMP_ARCH_ARM, 20), SECCOMP_RET_KILL_PROCESS,
                       "BPF: arm32 call: kill the process");
        }
        is_int(answer(&bpf, 0x12345678, getpid_nr), SECCOMP_RET_KILL_PROCESS,
               "BPF: unknown architecture: kill the process");
        is_int(bpf.flags, SECCOMP_FILTER_FLAG_SPEC_ALLOW, "built-in filter: SPEC_ALLOW flag");
        jc_bpf_free(&bpf);
}

/* --- building ----------------------------------------------------------- */

static struct jc_bpf builtin(uint64_t caps, int deny)
{
        struct jc_bpf bpf = { 0 };
        struct jc_error err = { 0 };

        if (jc_sc_builtin(caps, deny, &bpf, &err) < 0) {
                printf("Bail out! built-in filter: %s\n", err.msg);
                exit(1);
        }
        return bpf;
}

static int build(const char *seccomp, uint64_t caps, bool privileged, struct jc_bpf *bpf,
                 struct jc_error *err)
{
        struct jc_error serr = { 0 };
        struct jc_spec spec;
        int rc;

        if (jc_spec_init(&spec, &serr) < 0) {
                printf("Bail out! jc_spec_init: %s\n", serr.msg);
                exit(1);
        }
        free(spec.seccomp);
        spec.seccomp = strdup(seccomp);
        spec.capabilities = caps;
        spec.privileged = privileged;
        memset(err, 0, sizeof(*err));
        rc = jc_seccomp_build(&spec, bpf, err);
        jc_spec_free(&spec);
        return rc;
}

static char tmpdir[256];

static const char *profile(const char *name, const char *text)
{
        static char path[512];
        FILE *f;

        jc_format(path, sizeof(path), "%s/%s", tmpdir, name);
        f = fopen(path, "w");
        if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
                printf("Bail out! write %s\n", path);
                exit(1);
        }
        return path;
}

/* --- the checks --------------------------------------------------------- */

static void test_denied(void)
{
        struct jc_bpf mark = builtin(0, MARK), real = builtin(0, EPERM), none = { 0 };
        size_t i;

        for (i = 0; i < JC_ARRAY_SIZE(denied); i++)
                is_int(run(&mark, denied[i].fn), MARK, "%s: refused by the filter", denied[i].name);
        for (i = 0; i < JC_ARRAY_SIZE(denied); i++)
                is_int(run(&real, denied[i].fn), EPERM, "%s: EPERM", denied[i].name);
        /* The kernel's own answers differ: the EPERMs above are the filter's. */
        is_int(run(&none, p_unknown), ENOSYS, "system call 1000 without a filter: ENOSYS");
        is_int(run(&none, p_tiocsti_high), ENOTTY,
               "ioctl((1<<32)|TIOCSTI) without a filter: the kernel drops the upper bits");
        is_int(run(&none, p_vsock_high), EINVAL,
               "socket((1<<32)|AF_VSOCK) without a filter: the kernel drops the upper bits");
        is_int(run(&none, p_unshare), 0, "unshare(0) without a filter: succeeds");
        jc_bpf_free(&mark);
        jc_bpf_free(&real);
}

static void test_allowed(void)
{
        struct jc_bpf real = builtin(0, EPERM), mark = builtin(0, MARK);

        is_int(run(&real, p_getppid), 0, "getppid works");
        is_int(run(&real, p_seccomp_mode), 0, "the child runs in seccomp filter mode");
        is_int(run(&real, p_fork), 0, "fork works");
        is_int(run(&real, p_vfork), 0, "vfork works");
        is_int(run(&real, p_threads), 0, "%d threads created under the filter work", NTHREADS);
        is_int(run(&real, p_clone3), ENOSYS, "clone3: ENOSYS (glibc falls back to clone)");
        is_int(run(&real, p_fionread), 0, "ioctl FIONREAD works");
        is_int(run(&real, p_tiocgwinsz), ENOTTY, "ioctl TIOCGWINSZ reaches the kernel");
        is_int(run(&real, p_unix), 0, "socket(AF_UNIX) works");
        is_int(run(&real, p_inet), 0, "socket(AF_INET) works");
        is_int(run(&real, p_personality_query), 0, "personality(0xffffffff) works");
        is_int(run(&real, p_personality_linux32), 0, "personality(PER_LINUX32) works");
        is_int(run(&real, p_memfd), 0, "memfd_create works");
        if (jc_sc_kernel_at_least(4, 8))
                is_int(run(&real, p_process_vm_readv), 0,
                       "process_vm_readv works without CAP_SYS_PTRACE (Docker, Linux >= 4.8)");
        /* Calls libseccomp 2.5.4 cannot name, allowed by number. */
        ok(run(&mark, p_statmount) != MARK, "statmount reaches the kernel");
        ok(run(&mark, p_mseal) != MARK, "mseal reaches the kernel");
        jc_bpf_free(&real);
        jc_bpf_free(&mark);
}

static void test_arches(void)
{
#if defined(__x86_64__)
        struct jc_bpf real = builtin(0, EPERM), none = { 0 };

        /* x32 is off in most kernels (ENOSYS without a filter), but the
         * filter sees the call first. */
        is_int(run(&real, p_x32), KILLED(SIGSYS), "x32 system call: process killed (SIGSYS)");
        if (run(&none, p_i386) == KILLED(SIGSEGV)) {
                ok(1, "# SKIP this kernel runs no i386 calls (int 0x80 faults); see BPF tests");
        } else {
                is_int(run(&none, p_i386), 0, "i386 getpid via int 0x80 works without a filter");
                is_int(run(&real, p_i386), KILLED(SIGSYS),
                       "i386 system call: process killed (SIGSYS)");
        }
        jc_bpf_free(&real);
#else
        ok(1, "# SKIP x32 and i386 exist on x86_64 only");
#endif
}

static void test_caps(void)
{
        size_t i;

        for (i = 0; i < JC_ARRAY_SIZE(gated); i++) {
                struct jc_bpf without = builtin(0, MARK);
                struct jc_bpf with = builtin(CAP(gated[i].cap), MARK);

                is_int(run(&without, gated[i].fn), MARK, "%s: refused without capability %d",
                       gated[i].name, gated[i].cap);
                ok(run(&with, gated[i].fn) != MARK, "%s: allowed with capability %d", gated[i].name,
                   gated[i].cap);
                jc_bpf_free(&without);
                jc_bpf_free(&with);
        }
        {
                struct jc_bpf with = builtin(CAP(CAP_SYS_ADMIN), MARK);

                is_int(run(&with, p_clone3), EINVAL,
                       "clone3 reaches the kernel with CAP_SYS_ADMIN");
                jc_bpf_free(&with);
        }
}

/* The public entry: jc_seccomp_build from a spec. */
static void test_spec(void)
{
        struct jc_bpf bpf = { 0 };
        struct jc_error err;
        int rc;

        ok(build("default", 0, true, &bpf, &err) == 0 && bpf.prog.len == 0,
           "privileged: no filter");
        is_int(jc_seccomp_load(&bpf), 0, "loading no filter is a no-op");
        rc = build("default", 0, false, &bpf, &err);
        ok(rc == 0 && bpf.prog.len > 0, "default: the built-in filter (%u instructions)",
           bpf.prog.len);
        is_int(run(&bpf, p_kcmp), EPERM, "spec without CAP_SYS_PTRACE: kcmp EPERM");
        jc_bpf_free(&bpf);
        ok(build("default", CAP(CAP_SYS_PTRACE), false, &bpf, &err) == 0,
           "default with CAP_SYS_PTRACE");
        is_int(run(&bpf, p_kcmp), 0, "spec with CAP_SYS_PTRACE: kcmp works");
        jc_bpf_free(&bpf);
}

static long p_getuid(void)
{
        return syscall(SYS_getuid) < 0 ? -1 : 0;
}
static long p_getgid(void)
{
        return syscall(SYS_getgid) < 0 ? -1 : 0;
}
static long p_personality8(void)
{
        return syscall(SYS_personality, PER_LINUX32);
}
static long p_umask(void)
{
        return syscall(SYS_umask, 022) < 0 ? -1 : 0;
}
static long p_getpriority(void)
{
        return syscall(SYS_getpriority, PRIO_PROCESS, 0) < 0 ? -1 : 0;
}
static long p_getpid(void)
{
        return syscall(SYS_getpid) < 0 ? -1 : 0;
}

static const char allow_profile[] =
        "{\n"
        "  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
        "  \"flags\": [\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"],\n"
        "  \"syscalls\": [\n"
        "    { \"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13,\n"
        "      \"comment\": \"a comment\" },\n"
        "    { \"names\": [\"getuid\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
        "      \"includes\": { \"caps\": [\"CAP_SYS_ADMIN\"] } },\n"
        "    { \"names\": [\"getgid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 22,\n"
        "      \"excludes\": { \"caps\": [\"CAP_SYS_ADMIN\"] } },\n"
        "    { \"name\": \"personality\", \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 33,\n"
        "      \"args\": [ { \"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\" } ] },\n"
        "    { \"names\": [\"umask\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 7,\n"
        "      \"includes\": { \"minKernel\": \"99.0\" } },\n"
        "    { \"names\": [\"getpriority\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 9,\n"
        "      \"includes\": { \"arches\": [\"s390x\"] } },\n"
        "    { \"names\": [\"statmount\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 5 },\n"
        "    { \"names\": [\"getpid\", \"chown32\"], \"action\": \"SCMP_ACT_ALLOW\" }\n"
        "  ]\n"
        "}\n";

/* An allowlist; the calls besides getpid are for the sanitizers' runtime. */
static const char deny_profile[] =
        "{\n"
        "  \"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,\n"
        "  \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_AARCH64\"],\n"
        "  \"syscalls\": [ { \"names\": [\"exit\", \"exit_group\", \"getpid\",\n"
        "                  \"write\", \"mmap\", \"munmap\", \"madvise\", \"rt_sigaction\",\n"
        "                  \"rt_sigprocmask\", \"sigaltstack\", \"getrlimit\", \"prctl\",\n"
        "                  \"sched_yield\", \"futex\", \"gettid\", \"tgkill\"],\n"
        "                  \"action\": \"SCMP_ACT_ALLOW\" } ]\n"
        "}\n";

static void test_profile(void)
{
        const char *path = profile("allow.json", allow_profile);
        struct jc_bpf bpf = { 0 }, admin = { 0 };
        struct jc_error err;

        if (!ok(build(path, 0, false, &bpf, &err) == 0, "profile: a valid profile builds"))
                printf("# %s\n", err.msg);
        ok(build(path, CAP(CAP_SYS_ADMIN), false, &admin, &err) == 0,
           "profile: builds with CAP_SYS_ADMIN");
        is_int(bpf.flags, SECCOMP_FILTER_FLAG_SPEC_ALLOW, "profile: flags are kept");
        is_int(run(&bpf, p_getppid), 13, "profile: errnoRet as written");
        is_int(run(&bpf, p_getpid), 0, "profile: default action allows");
        is_int(run(&bpf, p_getuid), 0, "profile: includes.caps left out without the capability");
        is_int(run(&admin, p_getuid), EPERM, "profile: includes.caps with it (errnoRet EPERM)");
        is_int(run(&bpf, p_getgid), 22, "profile: excludes.caps applies without the capability");
        is_int(run(&admin, p_getgid), 0, "profile: excludes.caps left out with it");
        is_int(run(&bpf, p_personality8), 33, "profile: argument comparison matches");
        is_int(run(&bpf, p_personality_query), 0, "profile: argument comparison does not match");
        is_int(run(&bpf, p_umask), 0, "profile: includes.minKernel in the future: left out");
        is_int(run(&bpf, p_getpriority), 0, "profile: includes.arches of another arch: left out");
        is_int(run(&bpf, p_statmount), 5, "profile: a call newer than libseccomp by number");
        jc_bpf_free(&bpf);
        jc_bpf_free(&admin);

        path = profile("deny.json", deny_profile);
        if (!ok(build(path, 0, false, &bpf, &err) == 0, "profile: an allowlist builds"))
                printf("# %s\n", err.msg);
        is_int(run(&bpf, p_getpid), 0, "profile: allowlisted call works");
        is_int(run(&bpf, p_getppid), ENOSYS, "profile: defaultErrnoRet for the rest");
        jc_bpf_free(&bpf);
        is_int(jc_seccomp_check_profile(path, &err), 0, "check: a valid profile passes");

#if defined(__x86_64__)
        path = profile("i386.json", "{ \"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
                                    "  \"archMap\": [ { \"architecture\": \"SCMP_ARCH_X86_64\",\n"
                                    "  \"subArchitectures\": [\"SCMP_ARCH_X86\"] } ],\n"
                                    "  \"syscalls\": [ { \"names\": [\"getppid\"],\n"
                                    "    \"action\": \"SCMP_ACT_ERRNO\" } ] }");
        if (!ok(build(path, 0, false, &bpf, &err) == 0, "profile: archMap with x86"))
                printf("# %s\n", err.msg);
        is_int(answer(&bpf, SCMP_ARCH_X86, 20), SECCOMP_RET_ALLOW,
               "profile: archMap sub-architecture of the native one allowed");
        is_int(answer(&bpf, SCMP_ARCH_X86, 64), SECCOMP_RET_ERRNO | EPERM,
               "profile: rules apply to the sub-architecture (i386 getppid)");
        is_int(run(&bpf, p_x32), KILLED(SIGSYS), "profile: x32 not listed: killed");
        jc_bpf_free(&bpf);
        path = profile("native.json", "{ \"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
                                      "  \"syscalls\": [ { \"names\": [\"getppid\"],\n"
                                      "    \"action\": \"SCMP_ACT_ERRNO\" } ] }");
        ok(build(path, 0, false, &bpf, &err) == 0, "profile: no architectures");
        is_int(answer(&bpf, SCMP_ARCH_X86, 20), SECCOMP_RET_KILL_PROCESS,
               "profile: other architectures killed");
        jc_bpf_free(&bpf);
#endif
}

static const struct {
        const char *name, *text, *want;
} broken[] = {
        { "syntax", "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"syscalls\": [ }\n",
          "line 3, column 17: unexpected character" },
        { "truncated", "{ \"defaultAction\": \"SCMP_ACT_ALLOW\"", "unexpected end of file" },
        { "empty", "", "line 1, column 1: unexpected end of file" },
        { "trailing", "{ \"defaultAction\": \"SCMP_ACT_ALLOW\" } x",
          "line 1, column 39: unexpected character" },
        { "not-object", "[]", "the profile: must be an object, not an array" },
        { "no-default", "{ \"syscalls\": [] }", "defaultAction: missing" },
        { "unknown-field", "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultActoin\": 1 }",
          "defaultActoin: unknown field" },
        { "bad-default", "{ \"defaultAction\": \"SCMP_ACT_MAYBE\" }",
          "defaultAction: unknown action `SCMP_ACT_MAYBE'" },
        { "notify", "{ \"defaultAction\": \"SCMP_ACT_NOTIFY\" }",
          "SCMP_ACT_NOTIFY is not supported" },
        { "bad-action",
          "{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [ { \"names\": [\"read\"], "
          "\"action\": \"SCMP_ACT_FOO\" } ] }",
          "syscalls[0].action: unknown action `SCMP_ACT_FOO'" },
        { "bad-name",
          "{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [ { \"names\": [\"read\"], "
          "\"action\": \"SCMP_ACT_ALLOW\" }, { \"names\": [\"write\", \"no_such_call\"], "
          "\"action\": \"SCMP_ACT_ALLOW\" } ] }",
          "syscalls[1].names[1]: unknown system call `no_such_call'" },
        { "bad-arch",
          "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_VAX\"] }",
          "architectures[0]: unknown architecture `SCMP_ARCH_VAX'" },
        { "bad-subarch",
          "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"archMap\": [ { \"architecture\": "
          "\"SCMP_ARCH_X86_64\", \"subArchitectures\": [\"SCMP_ARCH_X86\", \"x32\"] } ] }",
          "archMap[0].subArchitectures[1]: unknown architecture `x32'" },
        { "both-arch-fields",
          "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86\"], "
          "\"archMap\": [ { \"architecture\": \"SCMP_ARCH_X86_64\" } ] }",
          "architectures and archMap: use one of them" },
        { "bad-op",
          "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": [\"read\"], "
          "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [ { \"index\": 0, \"value\": 1, \"op\": "
          "\"SCMP_CMP_ABOUT\" } ] } ] }",
          "syscalls[0].args[0].op: unknown operator `SCMP_CMP_ABOUT'" },
        { "bad-index",
          "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": [\"read\"], "
          "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [ { \"index\": 6, \"op\": \"SCMP_CMP_EQ\" "
          "} ] } ] }",
          "syscalls[0].args[0].index: 6 is out of range 0-5" },
        { "same-arg-twice",
          "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": [\"read\"], "
          "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [ { \"index\": 0, \"value\": 1, \"op\": "
          "\"SCMP_CMP_GT\" }, { \"index\": 0, \"value\": 9, \"op\": \"SCMP_CMP_LT\" } ] } ] }",
          "syscalls[0].args[1].index: a second comparison of argument 0" },
        { "negative",
          "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": [\"read\"], "
          "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [ { \"index\": 0, \"value\": -1, \"op\": "
          "\"SCMP_CMP_EQ\" } ] } ] }",
          "syscalls[0].args[0].value: -1 is out of range" },
        { "errno-on-allow",
          "{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [ { \"names\": [\"read\"], "
          "\"action\": \"SCMP_ACT_ALLOW\", \"errnoRet\": 1 } ] }",
          "syscalls[0].errnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one" },
        { "bad-cap",
          "{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [ { \"names\": [\"read\"], "
          "\"action\": \"SCMP_ACT_ALLOW\", \"includes\": { \"caps\": [\"CAP_FLY\"] } } ] }",
          "syscalls[0].includes.caps[0]: unknown capability `CAP_FLY'" },
        { "bad-kernel",
          "{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [ { \"names\": [\"read\"], "
          "\"action\": \"SCMP_ACT_ALLOW\", \"excludes\": { \"minKernel\": \"4\" } } ] }",
          "syscalls[0].excludes.minKernel: `4' is not a kernel version" },
        { "names-type",
          "{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [ { \"names\": \"read\", "
          "\"action\": \"SCMP_ACT_ALLOW\" } ] }",
          "syscalls[0].names: must be an array, not a string" },
        { "no-names",
          "{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [ { \"action\": "
          "\"SCMP_ACT_ALLOW\" } ] }",
          "syscalls[0].names: missing" },
        { "bad-flag",
          "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": "
          "[\"SECCOMP_FILTER_FLAG_NEW_LISTENER\"] }",
          "flags[0]: unknown or unsupported flag" },
        { "listener", "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/agent\" }",
          "listenerPath: not supported" },
};

static void test_broken(void)
{
        struct jc_bpf bpf = { 0 };
        struct jc_error err;
        char want[512];
        size_t i;

        for (i = 0; i < JC_ARRAY_SIZE(broken); i++) {
                const char *path = profile("broken.json", broken[i].text);

                ok(build(path, 0, false, &bpf, &err) < 0 && bpf.prog.len == 0,
                   "broken profile (%s): refused", broken[i].name);
                jc_format(want, sizeof(want), "seccomp profile `%s': ", path);
                like(err.msg, want, "broken profile (%s): names the file", broken[i].name);
                like(err.msg, broken[i].want, "broken profile (%s): names the field",
                     broken[i].name);
                memset(&err, 0, sizeof(err));
                ok(jc_seccomp_check_profile(path, &err) < 0, "check (%s): refused", broken[i].name);
                like(err.msg, broken[i].want, "check (%s): says why", broken[i].name);
        }
        jc_format(want, sizeof(want), "%s/none.json", tmpdir);
        ok(build(want, 0, false, &bpf, &err) < 0 && err.errnum == ENOENT,
           "missing profile: ENOENT");
        like(err.msg, "none.json': open", "missing profile: named");
}

/* Run PROG under the built-in filter; its stdout goes to OUT. */
static int run_program(const char *const argv[], char *out, size_t len)
{
        static const char *const envp[] = { "PATH=/usr/bin:/bin", "LC_ALL=C", "HOME=/", NULL };
        struct jc_bpf bpf = builtin(0, EPERM);
        int p[2], status;
        size_t n = 0;
        ssize_t r;
        pid_t pid;

        if (pipe2(p, O_CLOEXEC) < 0)
                return -1;
        fflush(stdout);
        pid = fork();
        if (pid == 0) {
                dup2(p[1], 1);
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || jc_seccomp_load(&bpf) < 0)
                        _exit(201);
                execve(argv[0], (char *const *)argv, (char *const *)envp);
                _exit(127);
        }
        close(p[1]);
        while (n + 1 < len && (r = read(p[0], out + n, len - 1 - n)) > 0)
                n += (size_t)r;
        out[n] = '\0';
        close(p[0]);
        jc_bpf_free(&bpf);
        if (pid < 0 || waitpid(pid, &status, 0) != pid)
                return -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : KILLED(WTERMSIG(status));
}

static void test_programs(void)
{
        static const char py[] =
                "import threading, json, hashlib, os, subprocess, tempfile, socket\n"
                "import multiprocessing\n"
                "out = [None] * 8\n"
                "def work(i):\n"
                "    out[i] = hashlib.sha256(json.dumps({'i': i}).encode()).hexdigest()\n"
                "ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]\n"
                "[t.start() for t in ts]\n"
                "[t.join() for t in ts]\n"
                "assert all(out) and len(set(out)) == 8\n"
                "r = subprocess.run(['/bin/sh', '-c', 'echo sub'], capture_output=True)\n"
                "assert r.stdout == b'sub\\n'\n"
                "with multiprocessing.Pool(2) as p:\n"
                "    assert p.map(abs, [-1, -2]) == [1, 2]\n"
                "a, b = socket.socketpair()\n"
                "a.send(b'x'); assert b.recv(1) == b'x'\n"
                "with tempfile.TemporaryDirectory() as d:\n"
                "    open(os.path.join(d, 'f'), 'w').write('y')\n"
                "print('python ok')\n";
        static const char *const python[] = { "/usr/bin/python3", "-c", py, NULL };
        static const char *const busybox[] = {
                "/bin/busybox", "sh", "-c",
                "echo $((6 * 7)); x=$(echo sub); echo $x; ls / >/dev/null && "
                "grep -c '^Seccomp:.2' /proc/self/status; echo a b | wc -w",
                NULL
        };
        static const char *const sh[] = {
                "/bin/sh", "-c",
                "ls / >/dev/null && date +%Y >/dev/null && id -u >/dev/null && "
                "printf '%s\\n' b a | sort | head -1; cat /proc/self/status | grep -c "
                "'^NoNewPrivs:.1'",
                NULL
        };
        char out[4096], path[512];
        const char *dir = getenv("top_builddir");
        int rc;
        const char *omp[] = { path, NULL };

        if (access(python[0], X_OK) == 0) {
                is_int(run_program(python, out, sizeof(out)), 0, "python3 runs under the filter");
                is_str(out, "python ok\n",
                       "python3: threads, hashlib, subprocess, multiprocessing");
        } else {
                ok(1, "# SKIP no /usr/bin/python3 (Debian: python3)");
        }
        if (access(busybox[0], X_OK) == 0) {
                is_int(run_program(busybox, out, sizeof(out)), 0,
                       "busybox sh runs under the filter");
                is_str(out, "42\nsub\n1\n2\n", "busybox sh: arithmetic, subshell, pipes");
        } else {
                ok(1, "# SKIP no /bin/busybox (Debian: busybox-static)");
        }
        is_int(run_program(sh, out, sizeof(out)), 0, "/bin/sh and coreutils run under the filter");
        is_str(out, "a\n1\n", "/bin/sh: pipes, sort, NoNewPrivs");
        jc_format(path, sizeof(path), "%s/tests/unit/seccomp_omp", dir ? dir : ".");
        rc = run_program(omp, out, sizeof(out));
        if (rc == 77) {
                ok(1, "# SKIP the compiler has no OpenMP");
        } else {
                is_int(rc, 0, "an OpenMP program runs under the filter");
                is_str(out, "omp ok\n", "OpenMP: parallel for, reduction, barrier, tasks");
        }
}

int main(void)
{
        const char *t = getenv("TMPDIR");

        jc_format(tmpdir, sizeof(tmpdir), "%s/jobcell-seccomp-XXXXXX", t ? t : "/tmp");
        if (mkdtemp(tmpdir) == NULL || pipe2(pipefd, O_CLOEXEC) < 0) {
                printf("Bail out! mkdtemp or pipe\n");
                return 1;
        }
        test_denied();
        test_allowed();
        test_arches();
        test_program();
        test_caps();
        test_spec();
        test_profile();
        test_broken();
        test_programs();
        {
                char path[512];

                jc_format(path, sizeof(path), "%s/%s", tmpdir, "allow.json");
                unlink(path);
                jc_format(path, sizeof(path), "%s/%s", tmpdir, "deny.json");
                unlink(path);
                jc_format(path, sizeof(path), "%s/%s", tmpdir, "broken.json");
                unlink(path);
                jc_format(path, sizeof(path), "%s/%s", tmpdir, "i386.json");
                unlink(path);
                jc_format(path, sizeof(path), "%s/%s", tmpdir, "native.json");
                unlink(path);
                rmdir(tmpdir);
        }
        return done_testing();
}
