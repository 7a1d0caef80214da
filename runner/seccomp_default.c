/* The built-in seccomp filter: an allowlist written for jobcell, equal in
 * effect to Docker's default profile (moby/profiles, seccomp/default.json)
 * plus a few refusals of our own, all listed in doc/seccomp.md.
 *
 * Every system call not allowed here fails with EPERM, so a call the list
 * does not know (a new one, or a number no kernel has) is refused.  Calls
 * that do not exist on the architecture being built for are skipped by
 * libseccomp (chown32 on x86_64, arch_prctl on aarch64), so one list
 * serves every architecture. */
#include "config.h"

#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/socket.h>

#include "seccomp_int.h"

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

#define CAP(c) (UINT64_C(1) << (c))

/* Allowed for every job, by what they are for. */
static const char *const allowed[] = {
        /* files and directories */
        "access",
        "faccessat",
        "faccessat2",
        "open",
        "openat",
        "openat2",
        "creat",
        "close",
        "close_range",
        "read",
        "readv",
        "pread64",
        "preadv",
        "preadv2",
        "write",
        "writev",
        "pwrite64",
        "pwritev",
        "pwritev2",
        "lseek",
        "_llseek",
        "dup",
        "dup2",
        "dup3",
        "fcntl",
        "fcntl64",
        "flock",
        "fsync",
        "fdatasync",
        "sync",
        "syncfs",
        "sync_file_range",
        "sync_file_range2",
        "arm_sync_file_range",
        "fadvise64",
        "fadvise64_64",
        "arm_fadvise64_64",
        "readahead",
        "fallocate",
        "truncate",
        "truncate64",
        "ftruncate",
        "ftruncate64",
        "stat",
        "stat64",
        "lstat",
        "lstat64",
        "fstat",
        "fstat64",
        "newfstatat",
        "fstatat64",
        "statx",
        "statfs",
        "statfs64",
        "fstatfs",
        "fstatfs64",
        "getdents",
        "getdents64",
        "getcwd",
        "chdir",
        "fchdir",
        "mkdir",
        "mkdirat",
        "mknod",
        "mknodat",
        "rmdir",
        "rename",
        "renameat",
        "renameat2",
        "link",
        "linkat",
        "symlink",
        "symlinkat",
        "unlink",
        "unlinkat",
        "readlink",
        "readlinkat",
        "chmod",
        "fchmod",
        "fchmodat",
        "fchmodat2",
        "chown",
        "chown32",
        "fchown",
        "fchown32",
        "lchown",
        "lchown32",
        "fchownat",
        "umask",
        "utime",
        "utimes",
        "futimesat",
        "utimensat",
        "utimensat_time64",
        "name_to_handle_at",
        "copy_file_range",
        "sendfile",
        "sendfile64",
        "splice",
        "tee",
        "vmsplice",
        "cachestat",
        "statmount",
        "listmount",
        /* extended attributes */
        "getxattr",
        "lgetxattr",
        "fgetxattr",
        "getxattrat",
        "setxattr",
        "lsetxattr",
        "fsetxattr",
        "setxattrat",
        "listxattr",
        "llistxattr",
        "flistxattr",
        "listxattrat",
        "removexattr",
        "lremovexattr",
        "fremovexattr",
        "removexattrat",
        /* waiting for events */
        "poll",
        "ppoll",
        "ppoll_time64",
        "select",
        "_newselect",
        "pselect6",
        "pselect6_time64",
        "epoll_create",
        "epoll_create1",
        "epoll_ctl",
        "epoll_ctl_old",
        "epoll_wait",
        "epoll_wait_old",
        "epoll_pwait",
        "epoll_pwait2",
        "eventfd",
        "eventfd2",
        "signalfd",
        "signalfd4",
        "timerfd_create",
        "timerfd_settime",
        "timerfd_settime64",
        "timerfd_gettime",
        "timerfd_gettime64",
        "inotify_init",
        "inotify_init1",
        "inotify_add_watch",
        "inotify_rm_watch",
        "fanotify_mark",
        "pipe",
        "pipe2",
        /* asynchronous I/O (the old interface; io_uring is refused) */
        "io_setup",
        "io_destroy",
        "io_submit",
        "io_cancel",
        "io_getevents",
        "io_pgetevents",
        "io_pgetevents_time64",
        /* memory */
        "brk",
        "mmap",
        "mmap2",
        "munmap",
        "mremap",
        "mprotect",
        "madvise",
        "mincore",
        "msync",
        "mlock",
        "mlock2",
        "mlockall",
        "munlock",
        "munlockall",
        "remap_file_pages",
        "membarrier",
        "memfd_create",
        "memfd_secret",
        "pkey_alloc",
        "pkey_free",
        "pkey_mprotect",
        "map_shadow_stack",
        "mseal",
        "process_mrelease",
        "cacheflush",
        /* processes, threads and their attributes */
        "fork",
        "vfork",
        "execve",
        "execveat",
        "exit",
        "exit_group",
        "wait4",
        "waitid",
        "waitpid",
        "getpid",
        "getppid",
        "gettid",
        "getpgid",
        "setpgid",
        "getpgrp",
        "getsid",
        "setsid",
        "set_tid_address",
        "set_robust_list",
        "get_robust_list",
        "rseq",
        "set_thread_area",
        "get_thread_area",
        "arch_prctl",
        "modify_ldt",
        "set_tls",
        "prctl",
        "capget",
        "capset",
        "getrlimit",
        "setrlimit",
        "ugetrlimit",
        "prlimit64",
        "getrusage",
        "times",
        "getpriority",
        "setpriority",
        "ioprio_get",
        "ioprio_set",
        "getcpu",
        "uname",
        "sysinfo",
        "seccomp",
        "landlock_create_ruleset",
        "landlock_add_rule",
        "landlock_restrict_self",
        "pidfd_open",
        "pidfd_send_signal",
        "restart_syscall",
        "breakpoint",
        "uretprobe",
        "riscv_hwprobe",
        "riscv_flush_icache",
        "s390_pci_mmio_read",
        "s390_pci_mmio_write",
        "s390_runtime_instr",
        "swapcontext",
        /* scheduling */
        "sched_yield",
        "sched_getaffinity",
        "sched_setaffinity",
        "sched_getparam",
        "sched_setparam",
        "sched_getscheduler",
        "sched_setscheduler",
        "sched_getattr",
        "sched_setattr",
        "sched_get_priority_max",
        "sched_get_priority_min",
        "sched_rr_get_interval",
        "sched_rr_get_interval_time64",
        /* user and group ids (the kernel checks the job's rights) */
        "getuid",
        "getuid32",
        "geteuid",
        "geteuid32",
        "getgid",
        "getgid32",
        "getegid",
        "getegid32",
        "getresuid",
        "getresuid32",
        "getresgid",
        "getresgid32",
        "getgroups",
        "getgroups32",
        "setuid",
        "setuid32",
        "setgid",
        "setgid32",
        "setreuid",
        "setreuid32",
        "setregid",
        "setregid32",
        "setresuid",
        "setresuid32",
        "setresgid",
        "setresgid32",
        "setfsuid",
        "setfsuid32",
        "setfsgid",
        "setfsgid32",
        "setgroups",
        "setgroups32",
        /* signals */
        "kill",
        "tkill",
        "tgkill",
        "rt_sigaction",
        "rt_sigprocmask",
        "rt_sigreturn",
        "rt_sigsuspend",
        "rt_sigpending",
        "rt_sigtimedwait",
        "rt_sigtimedwait_time64",
        "rt_sigqueueinfo",
        "rt_tgsigqueueinfo",
        "sigaltstack",
        "sigprocmask",
        "sigreturn",
        "pause",
        "alarm",
        /* time and timers (reading clocks; setting them needs CAP_SYS_TIME) */
        "time",
        "gettimeofday",
        "clock_gettime",
        "clock_gettime64",
        "clock_getres",
        "clock_getres_time64",
        "clock_nanosleep",
        "clock_nanosleep_time64",
        "nanosleep",
        "adjtimex",
        "clock_adjtime",
        "clock_adjtime64",
        "getitimer",
        "setitimer",
        "timer_create",
        "timer_delete",
        "timer_settime",
        "timer_settime64",
        "timer_gettime",
        "timer_gettime64",
        "timer_getoverrun",
        /* futexes */
        "futex",
        "futex_time64",
        "futex_waitv",
        "futex_wait",
        "futex_wake",
        "futex_requeue",
        /* System V IPC and POSIX message queues (the job's own IPC namespace) */
        "ipc",
        "shmget",
        "shmat",
        "shmdt",
        "shmctl",
        "semget",
        "semop",
        "semtimedop",
        "semtimedop_time64",
        "semctl",
        "msgget",
        "msgsnd",
        "msgrcv",
        "msgctl",
        "mq_open",
        "mq_unlink",
        "mq_timedsend",
        "mq_timedsend_time64",
        "mq_timedreceive",
        "mq_timedreceive_time64",
        "mq_notify",
        "mq_getsetattr",
        /* sockets (socket itself: see below) */
        "socketpair",
        "bind",
        "listen",
        "accept",
        "accept4",
        "connect",
        "shutdown",
        "getsockname",
        "getpeername",
        "getsockopt",
        "setsockopt",
        "send",
        "sendto",
        "sendmsg",
        "sendmmsg",
        "recv",
        "recvfrom",
        "recvmsg",
        "recvmmsg",
        "recvmmsg_time64",
        "socketcall",
        /* random numbers */
        "getrandom",
};

/* Calls that need a capability the job holds.  Docker unlocks them the same
 * way (a capability the job does not have would make most of them fail
 * anyway; refusing them here also keeps their code out of reach). */
static const struct {
        int cap;
        const char *names[28];
} unlocked[] = {
        { CAP_DAC_READ_SEARCH, { "open_by_handle_at" } },
        { CAP_SYS_ADMIN,
          { "bpf",
            "clone",
            "clone3",
            "fanotify_init",
            "fsconfig",
            "fsmount",
            "fsopen",
            "fspick",
            "lookup_dcookie",
            "lsm_get_self_attr",
            "lsm_list_modules",
            "lsm_set_self_attr",
            "mount",
            "mount_setattr",
            "move_mount",
            "open_tree",
            "perf_event_open",
            "quotactl",
            "quotactl_fd",
            "setdomainname",
            "sethostname",
            "setns",
            "syslog",
            "umount",
            "umount2",
            "unshare" } },
        { CAP_SYS_BOOT, { "reboot" } },
        { CAP_SYS_CHROOT, { "chroot" } },
        { CAP_SYS_MODULE, { "init_module", "finit_module", "delete_module" } },
        { CAP_SYS_PACCT, { "acct" } },
        { CAP_SYS_PTRACE,
          { "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
            "process_madvise" } },
        { CAP_SYS_RAWIO, { "iopl", "ioperm" } },
        { CAP_SYS_TIME, { "settimeofday", "stime", "clock_settime", "clock_settime64" } },
        { CAP_SYS_TTY_CONFIG, { "vhangup" } },
        { CAP_SYS_NICE, { "get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node" } },
        { CAP_SYSLOG, { "syslog" } },
        { CAP_BPF, { "bpf" } },
        { CAP_PERFMON, { "perf_event_open" } },
};

/* Since Linux 4.8 seccomp checks a call again after a ptrace tracer has
 * changed it, so tracing cannot get a job past its filter; from then on
 * Docker allows these without CAP_SYS_PTRACE (debuggers, and the
 * single-copy shared memory of MPI libraries, CMA).  They reach only the
 * job's own processes: the PID namespace hides all others. */
static const char *const trace[] = { "ptrace", "process_vm_readv", "process_vm_writev" };

#define NS_FLAGS                                                                                   \
        (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | \
         CLONE_NEWCGROUP)

struct builder {
        scmp_filter_ctx ctx;
        struct jc_error *err;
        int rc;
};

static void rule(struct builder *b, const char *name, uint32_t action, unsigned int nargs,
                 const struct scmp_arg_cmp *args)
{
        if (b->rc == 0)
                b->rc = jc_sc_rule(b->ctx, true, name, action, nargs, args, b->err);
}

/* Allow NAME when the low 32 bits of argument ARG are none of DENY.
 *
 * The kernel reads these arguments as int or unsigned int, so it drops the
 * upper 32 bits; a rule that compares all 64 (Docker's "socket when
 * domain > AF_VSOCK") lets (1 << 32 | AF_VSOCK) through.  Only MASKED_EQ
 * compares part of an argument, and libseccomp cannot say "all but X"
 * (an unconditional rule for a call hides every conditional one), so the
 * allowed values are written as the aligned blocks that make up the rest
 * of the 32-bit range: each block is "the top K bits equal a prefix", one
 * MASKED_EQ rule, at most 32 per denied value. */
static void allow_except(struct builder *b, const char *name, unsigned int arg,
                         const uint32_t *deny, size_t n, uint32_t prefix, unsigned int depth)
{
        uint32_t mask = depth == 0 ? 0 : ~UINT32_C(0) << (32 - depth);
        bool inside = false;
        size_t i;

        for (i = 0; i < n; i++)
                inside = inside || (deny[i] & mask) == prefix;
        if (!inside) {
                struct scmp_arg_cmp cmp = SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, mask, prefix);

                rule(b, name, SCMP_ACT_ALLOW, 1, &cmp);
                return;
        }
        if (depth == 32) /* a denied value itself */
                return;
        allow_except(b, name, arg, deny, n, prefix, depth + 1);
        allow_except(b, name, arg, deny, n, prefix | UINT32_C(1) << (31 - depth), depth + 1);
}

/* Allow NAME when the low 32 bits of argument ARG are one of VALUES. */
static void allow_only(struct builder *b, const char *name, unsigned int arg,
                       const uint32_t *values, size_t n)
{
        size_t i;

        for (i = 0; i < n; i++) {
                struct scmp_arg_cmp cmp = SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, 0xffffffff, values[i]);

                rule(b, name, SCMP_ACT_ALLOW, 1, &cmp);
        }
}

static void argument_rules(struct builder *b, uint64_t caps)
{
        /* TIOCSTI pushes characters into a terminal's input: a job would
         * type commands into the shell that started it (CVE-2017-5226 in
         * bubblewrap).  TIOCLINUX can paste a console selection the same
         * way.  Docker allows both; we do not. */
        static const uint32_t bad_ioctls[] = { TIOCSTI, TIOCLINUX };
        /* AF_VSOCK reaches the hypervisor or host from a VM, AF_ALG the
         * kernel's crypto code (a frequent source of CVEs); Docker refuses
         * both. */
        static const uint32_t bad_families[] = { AF_ALG, AF_VSOCK };
        /* Docker's harmless personalities: Linux, 32-bit uname, uname
         * 2.6 (UNAME26) for old software, and the query 0xffffffff.  Others
         * turn off address space randomisation (ADDR_NO_RANDOMIZE) or map
         * page 0 (MMAP_PAGE_ZERO). */
        static const uint32_t personalities[] = { PER_LINUX, PER_LINUX32, UNAME26,
                                                  PER_LINUX32 | UNAME26, 0xffffffff };
        /* s390 passes clone's stack first and its flags second. */
        uint32_t native = seccomp_arch_native();
        unsigned int flags_arg = native == SCMP_ARCH_S390 || native == SCMP_ARCH_S390X ? 1 : 0;

        allow_except(b, "ioctl", 1, bad_ioctls, JC_ARRAY_SIZE(bad_ioctls), 0, 0);
        allow_except(b, "socket", 0, bad_families, JC_ARRAY_SIZE(bad_families), 0, 0);
        allow_only(b, "personality", 0, personalities, JC_ARRAY_SIZE(personalities));
        if (!(caps & CAP(CAP_SYS_ADMIN))) {
                /* clone without a namespace flag: fork, vfork, threads. */
                struct scmp_arg_cmp cmp = SCMP_CMP(flags_arg, SCMP_CMP_MASKED_EQ, NS_FLAGS, 0);

                rule(b, "clone", SCMP_ACT_ALLOW, 1, &cmp);
                /* clone3 passes its flags in memory, out of the filter's
                 * sight: ENOSYS makes glibc (2.34+) fall back to clone. */
                rule(b, "clone3", SCMP_ACT_ERRNO(ENOSYS), 0, NULL);
        }
}

int jc_sc_builtin(uint64_t caps, int deny_errno, struct jc_bpf *bpf, struct jc_error *err)
{
        struct builder b = { .err = err };
        size_t i, j;

        b.ctx = jc_sc_new(SCMP_ACT_ERRNO((uint32_t)deny_errno), err);
        if (b.ctx == NULL)
                return -1;
        for (i = 0; i < JC_ARRAY_SIZE(allowed); i++)
                rule(&b, allowed[i], SCMP_ACT_ALLOW, 0, NULL);
        if (jc_sc_kernel_at_least(4, 8))
                for (i = 0; i < JC_ARRAY_SIZE(trace); i++)
                        rule(&b, trace[i], SCMP_ACT_ALLOW, 0, NULL);
        for (i = 0; i < JC_ARRAY_SIZE(unlocked); i++) {
                if (!(caps & CAP(unlocked[i].cap)))
                        continue;
                for (j = 0; j < JC_ARRAY_SIZE(unlocked[i].names) && unlocked[i].names[j]; j++)
                        rule(&b, unlocked[i].names[j], SCMP_ACT_ALLOW, 0, NULL);
        }
        argument_rules(&b, caps);
        /* The job's own code never needs speculative store bypass
         * mitigation forced on it: it could only leak its own memory to
         * itself.  Without this flag, kernels before 5.16 (by default,
         * spec_store_bypass_disable=seccomp) turn on SSBD and STIBP for
         * every process with a filter, which slows compute-bound jobs
         * down. */
        if (b.rc == 0)
                b.rc = jc_sc_export(b.ctx, SECCOMP_FILTER_FLAG_SPEC_ALLOW, bpf, err);
        seccomp_release(b.ctx);
        return b.rc;
}
