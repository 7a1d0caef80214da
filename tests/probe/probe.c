/* jcprobe: looks at the sandbox from inside and tries what a job must not
 * be able to do.  Statically linked into the tests' busybox image.  Each
 * command prints KEY=VALUE lines the tests compare exactly; an attempt
 * prints "ok" or the errno name it failed with.
 *
 *   jcprobe syscall NAME...    try each syscall (see attempts[] below)
 *   jcprobe connect IP PORT    TCP connect
 *   jcprobe abstract NAME      connect to the abstract unix socket @NAME
 *   jcprobe fds                the descriptors open at exec
 *   jcprobe read PATH          how many bytes PATH gives, or the errno
 *   jcprobe write PATH         write one byte to PATH
 *   jcprobe ids                real/effective ids and groups
 *   jcprobe threads N          start N threads that each do some work
 *   jcprobe threads-held N     start up to N threads that all live until the
 *                              last one is tried: how many, and the first error
 *   jcprobe alloc MIB          allocate and touch MIB mebibytes, one at a time
 *   jcprobe forkbomb SECONDS   a fork bomb (every process forks for ever) until
 *                              SIGTERM, at most SECONDS, then SIGKILL to all
 *                              of it; bounded on its own too (RLIMIT_NPROC
 *                              512, an alarm in every process)
 *   jcprobe signals SECONDS    report the signals received, until SECONDS
 *   jcprobe bind PORT          listen on TCP 127.0.0.1:PORT
 *   jcprobe securebits         the securebits (prctl PR_GET_SECUREBITS)
 *   jcprobe exit N             exit with N
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

static const char *errname(int e)
{
        switch (e) {
        case 0:
                return "ok";
        case EPERM:
                return "EPERM";
        case EACCES:
                return "EACCES";
        case ENOSYS:
                return "ENOSYS";
        case EINVAL:
                return "EINVAL";
        case ENOENT:
                return "ENOENT";
        case EROFS:
                return "EROFS";
        case ECONNREFUSED:
                return "ECONNREFUSED";
        case ENETUNREACH:
                return "ENETUNREACH";
        case EAFNOSUPPORT:
                return "EAFNOSUPPORT";
        case EBADF:
                return "EBADF";
        case EFAULT:
                return "EFAULT";
        case EAGAIN:
                return "EAGAIN";
        case ENOTTY:
                return "ENOTTY";
        case EIO:
                return "EIO";
        case ESRCH:
                return "ESRCH";
        default: {
                static char buf[32];

                snprintf(buf, sizeof(buf), "errno%d", e);
                return buf;
        }
        }
}

static int result(long rc)
{
        return rc < 0 ? errno : 0;
}

static int try_clone(unsigned long flags)
{
        long pid = syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);

        if (pid == 0)
                _exit(0);
        return pid < 0 ? errno : 0;
}

static int attempt(const char *name)
{
        char tty = 'x';
        int fd;

        errno = 0;
        if (strcmp(name, "mount") == 0)
                return result(mount("none", "/tmp", "tmpfs", 0, NULL));
        if (strcmp(name, "umount") == 0)
                return result(umount2("/proc", MNT_DETACH));
        if (strcmp(name, "pivot_root") == 0)
                return result(syscall(SYS_pivot_root, "/tmp", "/tmp"));
        if (strcmp(name, "unshare") == 0)
                return result(unshare(CLONE_NEWUSER));
        if (strcmp(name, "unshare_ns") == 0)
                return result(unshare(CLONE_NEWNS));
        if (strcmp(name, "setns") == 0) {
                fd = open("/proc/self/ns/uts", O_RDONLY);
                return result(setns(fd, 0));
        }
        if (strcmp(name, "clone_newuser") == 0)
                return try_clone(CLONE_NEWUSER);
        if (strcmp(name, "clone_newns") == 0)
                return try_clone(CLONE_NEWNS);
        if (strcmp(name, "clone_newnet") == 0)
                return try_clone(CLONE_NEWNET);
        if (strcmp(name, "clone_newpid") == 0)
                return try_clone(CLONE_NEWPID);
        if (strcmp(name, "fork") == 0)
                return try_clone(0);
        if (strcmp(name, "clone3") == 0)
                return result(syscall(SYS_clone3, NULL, 0));
        if (strcmp(name, "keyctl") == 0)
                return result(syscall(SYS_keyctl, 0, 0, 0, 0, 0));
        if (strcmp(name, "add_key") == 0)
                return result(syscall(SYS_add_key, "user", "x", "y", 1, -3));
        if (strcmp(name, "request_key") == 0)
                return result(syscall(SYS_request_key, "user", "x", NULL, 0));
        if (strcmp(name, "bpf") == 0)
                return result(syscall(SYS_bpf, BPF_PROG_LOAD, NULL, 0));
        if (strcmp(name, "perf_event_open") == 0) {
                struct perf_event_attr a = { .type = PERF_TYPE_SOFTWARE, .size = sizeof(a) };

                return result(syscall(SYS_perf_event_open, &a, 0, -1, -1, 0));
        }
        if (strcmp(name, "userfaultfd") == 0)
                return result(syscall(SYS_userfaultfd, 0));
        if (strcmp(name, "io_uring_setup") == 0)
                return result(syscall(SYS_io_uring_setup, 1, NULL));
        if (strcmp(name, "init_module") == 0)
                return result(syscall(SYS_init_module, NULL, 0, ""));
        if (strcmp(name, "finit_module") == 0)
                return result(syscall(SYS_finit_module, -1, "", 0));
        if (strcmp(name, "delete_module") == 0)
                return result(syscall(SYS_delete_module, "x", 0));
        if (strcmp(name, "kexec_load") == 0)
                return result(syscall(SYS_kexec_load, 0, 0, NULL, 0));
        if (strcmp(name, "open_by_handle_at") == 0)
                return result(syscall(SYS_open_by_handle_at, -1, NULL, 0));
        if (strcmp(name, "tiocsti") == 0)
                return result(ioctl(0, TIOCSTI, &tty));
        if (strcmp(name, "vsock") == 0)
                return result(socket(AF_VSOCK, SOCK_STREAM, 0));
        if (strcmp(name, "unix_socket") == 0)
                return result(socket(AF_UNIX, SOCK_STREAM, 0));
        if (strcmp(name, "ptrace") == 0)
                return result(ptrace(PTRACE_ATTACH, 1, NULL, NULL));
        if (strcmp(name, "kill_init") == 0)
                return result(kill(1, SIGKILL));
        if (strcmp(name, "unknown") == 0)
                return result(syscall(1000));
        if (strcmp(name, "chroot") == 0)
                return result(chroot("/tmp"));
        if (strcmp(name, "sethostname") == 0)
                return result(sethostname("x", 1));
        if (strcmp(name, "setuid0") == 0)
                return result(setuid(0));
        fprintf(stderr, "jcprobe: unknown attempt %s\n", name);
        exit(2);
}

static int cmd_connect(const char *ip, const char *port)
{
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
        int s = socket(AF_INET, SOCK_STREAM, 0);

        inet_pton(AF_INET, ip, &a.sin_addr);
        printf("connect=%s\n", errname(result(connect(s, (struct sockaddr *)&a, sizeof(a)))));
        return 0;
}

static int cmd_abstract(const char *name)
{
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        size_t n = strlen(name);

        memcpy(a.sun_path + 1, name, n);
        printf("abstract=%s\n",
               errname(result(
                       connect(s, (struct sockaddr *)&a,
                               (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)))));
        return 0;
}

static int cmd_bind(const char *port)
{
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
        int s = socket(AF_INET, SOCK_STREAM, 0);

        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        printf("bind=%s\n", errname(result(bind(s, (struct sockaddr *)&a, sizeof(a)))));
        return 0;
}

static int cmd_fds(void)
{
        DIR *d = opendir("/proc/self/fd");
        struct dirent *e;
        int self = dirfd(d);

        printf("fds=");
        while ((e = readdir(d)) != NULL) {
                if (e->d_name[0] == '.' || atoi(e->d_name) == self)
                        continue;
                printf("%s ", e->d_name);
        }
        printf("\n");
        return 0;
}

static int cmd_read(const char *path)
{
        char buf[4096];
        long total = 0, n;
        int fd = open(path, O_RDONLY);

        if (fd < 0) {
                printf("read=%s\n", errname(errno));
                return 0;
        }
        while ((n = read(fd, buf, sizeof(buf))) > 0)
                total += n;
        if (n < 0)
                printf("read=%s\n", errname(errno));
        else
                printf("read=%ld\n", total);
        return 0;
}

static int cmd_write(const char *path)
{
        int fd = open(path, O_WRONLY);

        if (fd < 0) {
                printf("write=%s\n", errname(errno));
                return 0;
        }
        printf("write=%s\n", errname(result(write(fd, "1", 1))));
        return 0;
}

static int cmd_ids(void)
{
        gid_t groups[64];
        int n = getgroups(64, groups), i;

        printf("uid=%u euid=%u gid=%u egid=%u groups=", getuid(), geteuid(), getgid(), getegid());
        for (i = 0; i < n; i++)
                printf("%s%u", i ? "," : "", groups[i]);
        printf("\n");
        return 0;
}

static void *work(void *arg)
{
        volatile unsigned long x = 0;
        unsigned long i;

        for (i = 0; i < 1000000; i++)
                x += i;
        (void)arg;
        return NULL;
}

static int cmd_threads(int n)
{
        pthread_t t[256];
        int i, ok = 0;

        for (i = 0; i < n && i < 256; i++)
                if (pthread_create(&t[i], NULL, work, NULL) == 0)
                        ok++;
        for (i = 0; i < ok; i++)
                pthread_join(t[i], NULL);
        printf("threads=%d\n", ok);
        return 0;
}

static int hold[2];

static void *held(void *arg)
{
        char c;

        (void)arg;
        while (read(hold[0], &c, 1) < 0 && errno == EINTR)
                ;
        return NULL;
}

static int cmd_threads_held(int n)
{
        pthread_t t[1024];
        int i, ok = 0, e = 0;

        if (pipe(hold) < 0)
                return 1;
        for (i = 0; i < n && i < 1024; i++) {
                e = pthread_create(&t[ok], NULL, held, NULL);
                if (e != 0)
                        break;
                ok++;
        }
        close(hold[1]); /* every thread's read returns */
        for (i = 0; i < ok; i++)
                pthread_join(t[i], NULL);
        printf("threads=%d error=%s\n", ok, errname(e));
        return 0;
}

static int cmd_alloc(int mib)
{
        int i;

        for (i = 0; i < mib; i++) {
                char *p = malloc(1 << 20);

                if (p == NULL) {
                        printf("alloc=ENOMEM at=%d\n", i);
                        return 1;
                }
                memset(p, 1, 1 << 20);
        }
        printf("alloc=ok\n");
        return 0;
}

/* Every process of the bomb forks for ever; at the limit fork fails
 * with EAGAIN and it tries again (a short nap keeps the CPUs usable).
 * Bounded even without a pids limit: RLIMIT_NPROC, an alarm in each
 * process, and the SIGKILL to its process group after SECONDS. */
static void bomb(int seconds) __attribute__((noreturn));

static void bomb(int seconds)
{
        struct timespec nap = { 0, 50 * 1000 * 1000 };

        for (;;) {
                pid_t p = fork();

                if (p == 0)
                        alarm((unsigned)seconds + 5);
                else if (p < 0)
                        nanosleep(&nap, NULL);
        }
}

static void on_term(int sig)
{
        (void)sig;
}

static int cmd_forkbomb(int seconds)
{
        struct rlimit rl = { 512, 512 };
        pid_t top;
        int st;

        if (setrlimit(RLIMIT_NPROC, &rl) < 0)
                return 1;
        top = fork();
        if (top < 0)
                return 1;
        if (top == 0) {
                setpgid(0, 0);
                alarm((unsigned)seconds + 5);
                bomb(seconds);
        }
        setpgid(top, top);
        signal(SIGTERM, on_term); /* ends the sleep early */
        sleep((unsigned)seconds);
        kill(-top, SIGKILL);
        waitpid(top, &st, 0);
        printf("forkbomb=done\n");
        return 0;
}

static volatile sig_atomic_t got[65];

static void on_signal(int sig)
{
        got[sig] = 1;
}

static int cmd_signals(int seconds)
{
        static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCONT };
        static const char *const names[] = { "TERM", "INT", "HUP", "QUIT", "USR1", "USR2", "CONT" };
        struct timespec end, now;
        size_t i;

        for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
                signal(sigs[i], on_signal);
        printf("ready\n");
        fflush(stdout);
        clock_gettime(CLOCK_MONOTONIC, &end);
        end.tv_sec += seconds;
        do {
                usleep(10000);
                clock_gettime(CLOCK_MONOTONIC, &now);
        } while (!got[SIGTERM] && now.tv_sec < end.tv_sec);
        printf("got=");
        for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
                if (got[sigs[i]])
                        printf("%s ", names[i]);
        printf("\n");
        return 0;
}

int main(int argc, char **argv)
{
        int i;

        if (argc < 2)
                return 2;
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (strcmp(argv[1], "syscall") == 0) {
                for (i = 2; i < argc; i++)
                        printf("%s=%s\n", argv[i], errname(attempt(argv[i])));
                return 0;
        }
        if (strcmp(argv[1], "connect") == 0 && argc == 4)
                return cmd_connect(argv[2], argv[3]);
        if (strcmp(argv[1], "abstract") == 0 && argc == 3)
                return cmd_abstract(argv[2]);
        if (strcmp(argv[1], "bind") == 0 && argc == 3)
                return cmd_bind(argv[2]);
        if (strcmp(argv[1], "fds") == 0)
                return cmd_fds();
        if (strcmp(argv[1], "read") == 0 && argc == 3)
                return cmd_read(argv[2]);
        if (strcmp(argv[1], "write") == 0 && argc == 3)
                return cmd_write(argv[2]);
        if (strcmp(argv[1], "ids") == 0)
                return cmd_ids();
        if (strcmp(argv[1], "threads") == 0 && argc == 3)
                return cmd_threads(atoi(argv[2]));
        if (strcmp(argv[1], "threads-held") == 0 && argc == 3)
                return cmd_threads_held(atoi(argv[2]));
        if (strcmp(argv[1], "alloc") == 0 && argc == 3)
                return cmd_alloc(atoi(argv[2]));
        if (strcmp(argv[1], "forkbomb") == 0 && argc == 3)
                return cmd_forkbomb(atoi(argv[2]));
        if (strcmp(argv[1], "signals") == 0 && argc == 3)
                return cmd_signals(atoi(argv[2]));
        if (strcmp(argv[1], "securebits") == 0) {
                printf("securebits=%d\n", prctl(PR_GET_SECUREBITS));
                return 0;
        }
        if (strcmp(argv[1], "exit") == 0 && argc == 3)
                return atoi(argv[2]);
        fprintf(stderr, "jcprobe: bad command\n");
        return 2;
}
