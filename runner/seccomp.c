/* Compiling and loading the sandbox's seccomp filter (doc/seccomp.md).
 * The rules themselves are in seccomp_default.c (built-in allowlist) and
 * seccomp_profile.c (Docker-format JSON profiles). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "seccomp_int.h"
#include "values.h"

/* System calls newer than what libseccomp 2.5.4 (Debian 12) can name, so
 * that the built-in list and Docker's own default.json mean the same on
 * an older libseccomp as on a newer one (a newer one resolves them itself
 * and this table is not used).  Since Linux 5.1 every new system call has
 * one number on all architectures (scripts/syscall.tbl) but alpha, ia64
 * and mips, which add an offset; ARCH != 0 marks a call of one
 * architecture only. */
static const struct {
        const char *name;
        int nr;
        uint32_t arch;
} newer[] = {
        { "statmount", 457, 0 },
        { "listmount", 458, 0 },
        { "lsm_get_self_attr", 459, 0 },
        { "lsm_set_self_attr", 460, 0 },
        { "lsm_list_modules", 461, 0 },
        { "mseal", 462, 0 },
        { "setxattrat", 463, 0 },
        { "getxattrat", 464, 0 },
        { "listxattrat", 465, 0 },
        { "removexattrat", 466, 0 },
        { "uretprobe", 335, SCMP_ARCH_X86_64 },
        { "riscv_hwprobe", 258, SCMP_ARCH_RISCV64 },
};

/* Architectures that use the unified numbers above as they are. */
static bool unified_numbers(uint32_t arch)
{
        switch (arch) {
        case SCMP_ARCH_X86_64:
        case SCMP_ARCH_X86:
        case SCMP_ARCH_AARCH64:
        case SCMP_ARCH_ARM:
        case SCMP_ARCH_PPC:
        case SCMP_ARCH_PPC64:
        case SCMP_ARCH_PPC64LE:
        case SCMP_ARCH_S390:
        case SCMP_ARCH_S390X:
        case SCMP_ARCH_RISCV64:
                return true;
        default:
                return false;
        }
}

/* NAME's number on the native architecture from the table above: >= 0,
 * -1 when the call does not exist here (or the number is not known
 * here), -2 when the table does not list NAME. */
static int newer_number(const char *name)
{
        uint32_t native = seccomp_arch_native();
        char *known;
        size_t i;

        for (i = 0; i < JC_ARRAY_SIZE(newer); i++) {
                if (strcmp(newer[i].name, name) != 0)
                        continue;
                if (newer[i].arch != 0 ? newer[i].arch != native : !unified_numbers(native))
                        return -1;
                /* A number this libseccomp already gives another name
                 * means the table is wrong here: leave the call out. */
                known = seccomp_syscall_resolve_num_arch(native, newer[i].nr);
                if (known != NULL) {
                        free(known);
                        return -1;
                }
                return newer[i].nr;
        }
        return -2;
}

bool jc_sc_known(const char *name)
{
        return seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR || newer_number(name) != -2;
}

int jc_sc_rule(scmp_filter_ctx ctx, bool native, const char *name, uint32_t action,
               unsigned int nargs, const struct scmp_arg_cmp *args, struct jc_error *err)
{
        int nr = seccomp_syscall_resolve_name(name);
        int rc;

        if (nr == __NR_SCMP_ERROR) {
                nr = newer_number(name);
                if (nr == -2)
                        return jc_error_set(err, 0, "unknown system call `%s'", name);
                if (nr < 0 || !native)
                        return 0;
        }
        /* A negative number is libseccomp's pseudo number for a call that
         * this architecture lacks (chown32 on x86_64): seccomp_rule_add
         * adds it only to the architectures of CTX that have it. */
        rc = seccomp_rule_add_array(ctx, action, nr, nargs, args);
        if (rc < 0)
                return jc_error_set(err, -rc, "system call `%s': libseccomp refuses the rule",
                                    name);
        return 0;
}

scmp_filter_ctx jc_sc_new(uint32_t def_action, struct jc_error *err)
{
        scmp_filter_ctx ctx = seccomp_init(def_action);
        int rc;

        if (ctx == NULL) {
                jc_error_set(err, ENOMEM, "seccomp_init");
                return NULL;
        }
        /* A system call of an architecture the filter does not list: an
         * i386 call through int 0x80 or an x32 call (number with
         * __X32_SYSCALL_BIT) from an x86_64 process, an arm32 call on
         * aarch64.  Those tables are older and less audited than the
         * native one, and argument checks cannot follow them (on i386
         * socket() goes through socketcall(2), whose arguments are in
         * memory), so they must not get through.  The process is killed
         * rather than given EPERM or ENOSYS: no program of a 64-bit image
         * makes such a call on purpose, a 32-bit binary then stops at its
         * first call with "Bad system call" instead of failing somewhere
         * later for a reason hard to find, and that is also what happens
         * on a kernel built without those ABIs (int 0x80 raises SIGSEGV
         * there). */
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
        /* The rules as a binary tree of system call numbers: an allowed
         * call costs a few comparisons instead of a walk down a list of
         * some 350 calls (doc/seccomp.md has the measurement). */
        if (rc == 0)
                rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        if (rc < 0) {
                seccomp_release(ctx);
                jc_error_set(err, -rc, "libseccomp filter attributes");
                return NULL;
        }
        return ctx;
}

/* libseccomp 2.5 can only export into a file descriptor (2.6 adds
 * seccomp_export_bpf_mem): export into a memfd and read the program back. */
int jc_sc_export(scmp_filter_ctx ctx, unsigned int flags, struct jc_bpf *bpf, struct jc_error *err)
{
        _cleanup_close_ int fd = -1;
        struct sock_filter *prog;
        struct stat st;
        ssize_t n;
        size_t len;
        int rc;

        fd = memfd_create("jobcell-seccomp", MFD_CLOEXEC);
        if (fd < 0)
                return jc_error_set(err, errno, "memfd_create");
        rc = seccomp_export_bpf(ctx, fd);
        if (rc < 0)
                return jc_error_set(err, -rc, "seccomp_export_bpf");
        if (fstat(fd, &st) < 0)
                return jc_error_set(err, errno, "fstat seccomp filter");
        len = (size_t)st.st_size;
        if (len == 0 || len % sizeof(struct sock_filter) != 0 ||
            len / sizeof(struct sock_filter) > BPF_MAXINSNS)
                return jc_error_set(err, E2BIG, "seccomp filter of %zu bytes", len);
        prog = malloc(len);
        if (prog == NULL)
                return jc_error_set(err, ENOMEM, "seccomp filter");
        n = pread(fd, prog, len, 0);
        if (n < 0 || (size_t)n != len) {
                free(prog);
                return jc_error_set(err, n < 0 ? errno : EIO, "read seccomp filter back");
        }
        bpf->prog.filter = prog;
        bpf->prog.len = (unsigned short)(len / sizeof(struct sock_filter));
        bpf->flags = flags;
        return 0;
}

bool jc_sc_kernel_at_least(unsigned int major, unsigned int minor)
{
        struct utsname u;
        unsigned int ma = 0, mi = 0;

        if (uname(&u) < 0 || sscanf(u.release, "%u.%u", &ma, &mi) != 2)
                return false;
        return ma > major || (ma == major && mi >= minor);
}

const char *jc_sc_native_goarch(void)
{
        switch (seccomp_arch_native()) {
        case SCMP_ARCH_X86_64:
                return "amd64";
        case SCMP_ARCH_X86:
                return "x86";
        case SCMP_ARCH_X32:
                return "x32";
        case SCMP_ARCH_AARCH64:
                return "arm64";
        case SCMP_ARCH_ARM:
                return "arm";
        case SCMP_ARCH_PPC:
                return "ppc";
        case SCMP_ARCH_PPC64:
                return "ppc64";
        case SCMP_ARCH_PPC64LE:
                return "ppc64le";
        case SCMP_ARCH_S390:
                return "s390";
        case SCMP_ARCH_S390X:
                return "s390x";
        case SCMP_ARCH_RISCV64:
                return "riscv64";
        case SCMP_ARCH_MIPS:
                return "mips";
        case SCMP_ARCH_MIPSEL:
                return "mipsle";
        case SCMP_ARCH_MIPS64:
                return "mips64";
        case SCMP_ARCH_MIPSEL64:
                return "mipsel64";
        case SCMP_ARCH_MIPS64N32:
                return "mips64n32";
        case SCMP_ARCH_MIPSEL64N32:
                return "mipsel64n32";
        default:
                return "unknown";
        }
}

static int compile(const struct jc_spec *spec, struct jc_bpf *bpf, struct jc_error *err)
{
        if (spec->seccomp == NULL || strcmp(spec->seccomp, "default") == 0) {
                if (jc_sc_builtin(spec->capabilities, EPERM, bpf, err) < 0)
                        return jc_error_wrap(err, "built-in seccomp filter");
                return 0;
        }
        if (jc_sc_profile(spec->seccomp, spec->capabilities, bpf, err) < 0)
                return jc_error_wrap(err, "seccomp profile `%s'", spec->seccomp);
        return 0;
}

/* The filter cache's directory (seccomp_cache.c), for a runner with euid
 * 0 only; NULL: no cache. */
static const char *cache_dir(void)
{
        const char *env = getenv("JOBCELL_SECCOMP_CACHE");

        if (geteuid() != 0)
                return NULL;
        if (env != NULL)
                return env[0] == '/' ? env : NULL;
        return JC_SECCOMP_CACHE_DIR;
}

int jc_seccomp_build(const struct jc_spec *spec, struct jc_bpf *bpf, struct jc_error *err)
{
        const char *dir = cache_dir();
        char key[8192];
        bool cache;

        memset(bpf, 0, sizeof(*bpf));
        if (spec->privileged)
                return 0;
        cache = dir != NULL && jc_sc_cache_key(spec, key, sizeof(key)) == 0;
        if (cache && jc_sc_cache_get(dir, key, bpf))
                return 0;
        if (compile(spec, bpf, err) < 0)
                return -1;
        if (cache)
                jc_sc_cache_put(dir, key, bpf);
        return 0;
}

void jc_bpf_free(struct jc_bpf *bpf)
{
        if (bpf == NULL)
                return;
        free(bpf->prog.filter);
        memset(bpf, 0, sizeof(*bpf));
}

int jc_seccomp_load(const struct jc_bpf *bpf)
{
        unsigned int flags = bpf->flags;
        struct sock_fprog prog = bpf->prog;

        if (prog.len == 0)
                return 0;
        for (;;) {
                if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog) == 0)
                        return 0;
                /* SPEC_ALLOW is Linux 4.17: without it, load anyway. */
                if (errno == EINVAL && (flags & SECCOMP_FILTER_FLAG_SPEC_ALLOW)) {
                        flags &= ~(unsigned int)SECCOMP_FILTER_FLAG_SPEC_ALLOW;
                        continue;
                }
                /* seccomp(2) is Linux 3.17; prctl cannot pass flags. */
                if (errno == ENOSYS && flags == 0 &&
                    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0)
                        return 0;
                return -errno;
        }
}

int jc_seccomp_check_profile(const char *path, struct jc_error *err)
{
        struct jc_bpf bpf = { 0 };

        /* Compile it for no capability and for all of them: a rule that
         * only a capability includes (or excludes) is compiled too. */
        if (jc_sc_profile(path, 0, &bpf, err) < 0)
                return -1;
        jc_bpf_free(&bpf);
        if (jc_sc_profile(path, jc_caps_all(), &bpf, err) < 0)
                return -1;
        jc_bpf_free(&bpf);
        return 0;
}
