/* libFuzzer target: policy parsing plus request merging (make fuzz).
 *
 * The input is a policy file, optionally followed by a request:
 *
 *     [defaults]                 <- policy text, given to jc_policy_load
 *     network_allowed = none, host
 *     %%                         <- a line of its own: the request follows
 *     debug                      <- the partition ("" = none given)
 *     network=host               <- request options, one a line:
 *     writable                      NAME=VALUE, or NAME for a flag
 *
 * The policy goes through a memfd (jc_policy_load wants a path and opens
 * it twice: once for the layout scan, once for iniparser).  Whether the
 * policy loads or not, the request is resolved against it (or against the
 * built-in defaults alone), and a spec that resolves must print as JSON,
 * read back and print the same JSON again.  Beyond memory errors, the
 * fuzzer checks what a resolution promises (check_promises): a request
 * only tightens or chooses among what the effective policy allows.  A
 * broken promise calls abort() so libFuzzer reports it with the input. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "keys.h"
#include "resolve.h"
#include "values.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int policy_fd = -1;
static char policy_path[64];

static void die(const char *what, const char *detail)
{
        fprintf(stderr, "fuzz_policy: %s\n%s\n", what, detail ? detail : "");
        abort();
}

static void write_policy(const uint8_t *data, size_t size)
{
        if (policy_fd < 0) {
                policy_fd = memfd_create("jobcell-fuzz-policy", MFD_CLOEXEC);
                if (policy_fd < 0)
                        die("memfd_create failed", NULL);
                snprintf(policy_path, sizeof(policy_path), "/proc/self/fd/%d", policy_fd);
        }
        if (ftruncate(policy_fd, 0) < 0 ||
            (size > 0 && pwrite(policy_fd, data, size, 0) != (ssize_t)size))
                die("cannot write the policy to the memfd", NULL);
}

/* Where the request starts: after a line "%%", or SIZE if there is none. */
static size_t split(const uint8_t *data, size_t size, size_t *policy_len)
{
        size_t i;

        for (i = 0; i + 2 <= size; i++) {
                if ((i == 0 || data[i - 1] == '\n') && data[i] == '%' && data[i + 1] == '%' &&
                    (i + 2 == size || data[i + 2] == '\n')) {
                        *policy_len = i;
                        return i + 2 < size ? i + 3 : size;
                }
        }
        *policy_len = size;
        return size;
}

/* Apply each NAME[=VALUE] line of TEXT to REQ; the first line is the
 * partition.  A refused option is skipped, as if the user had left it out. */
static char *read_request(char *text, struct jc_request *req)
{
        char *line, *next, *eq, *partition = NULL;
        struct jc_error err = { 0 };
        bool first = true;

        for (line = text; line != NULL; line = next) {
                next = strchr(line, '\n');
                if (next != NULL)
                        *next++ = '\0';
                if (first) {
                        partition = line;
                        first = false;
                        continue;
                }
                eq = strchr(line, '=');
                if (eq != NULL)
                        *eq++ = '\0';
                (void)jc_request_set(req, line, eq, &err);
        }
        return partition != NULL && *partition != '\0' ? partition : NULL;
}

static bool has_bit(uint64_t bits, int n)
{
        return (bits & (UINT64_C(1) << n)) != 0;
}

/* What resolution promises the admin, checked on every spec it gives. */
static void check_promises(const struct jc_policy *pol, const char *partition,
                           const struct jc_request *req, const struct jc_spec *spec)
{
        struct jc_section eff;
        const struct jc_value *v;
        uint64_t may;

        jc_policy_effective(pol, partition, &eff);
        v = eff.v;
        if (spec->privileged && !(v[JC_K_PRIVILEGED].set && v[JC_K_PRIVILEGED].num &&
                                  v[JC_K_PRIVILEGED].origin == JC_ORIGIN_PARTITION))
                die("privileged without `privileged = true' in the partition's section", NULL);
        if (spec->origin[JC_S_NETWORK] == JC_ORIGIN_REQUEST && spec->network != JC_NET_NONE &&
            !(v[JC_K_NETWORK_ALLOWED].set && has_bit(v[JC_K_NETWORK_ALLOWED].bits, spec->network)))
                die("a request got a network mode network_allowed does not list", NULL);
        if (spec->origin[JC_S_IDENTITY] == JC_ORIGIN_REQUEST &&
            !(v[JC_K_IDENTITY_ALLOWED].set &&
              has_bit(v[JC_K_IDENTITY_ALLOWED].bits, spec->identity)))
                die("a request got an identity identity_allowed does not list", NULL);
        may = (v[JC_K_CAPABILITIES].set ? v[JC_K_CAPABILITIES].bits : 0) |
              (v[JC_K_CAPABILITIES_GRANTABLE].set ? v[JC_K_CAPABILITIES_GRANTABLE].bits : 0);
        if (!spec->privileged && (spec->capabilities & ~may) != 0)
                die("capabilities beyond capabilities + capabilities_grantable", NULL);
        if (v[JC_K_PIDS_LIMIT_MAX].set && spec->pids_limit > v[JC_K_PIDS_LIMIT_MAX].num)
                die("pids_limit above pids_limit_max", NULL);
        if (v[JC_K_MEMORY_MAX].set && v[JC_K_MEMORY_MAX].num > 0 &&
            (spec->memory_max == 0 || spec->memory_max > v[JC_K_MEMORY_MAX].num))
                die("memory_max above the policy's", NULL);
        if (v[JC_K_SWAP_MAX].set && v[JC_K_SWAP_MAX].num >= 0 &&
            (spec->swap_max < 0 || spec->swap_max > v[JC_K_SWAP_MAX].num))
                die("swap_max above the policy's", NULL);
        if (!spec->readonly_root && spec->origin[JC_S_READONLY_ROOT] == JC_ORIGIN_REQUEST &&
            !(v[JC_K_WRITABLE_ALLOWED].set && v[JC_K_WRITABLE_ALLOWED].num))
                die("a writable root without writable_allowed", NULL);
        if (spec->origin[JC_S_SECCOMP] == JC_ORIGIN_REQUEST &&
            !(v[JC_K_SECCOMP_ALLOWED].set &&
              jc_strv_contains(&v[JC_K_SECCOMP_ALLOWED].list, spec->seccomp)))
                die("a request got a seccomp profile seccomp_allowed does not list", NULL);
        if (req->image != NULL && v[JC_K_IMAGE_DIGEST_REQUIRED].set &&
            v[JC_K_IMAGE_DIGEST_REQUIRED].num && spec->image_digest[0] == '\0')
                die("an image without a digest where image_digest_required", NULL);
}

/* The spec must survive JSON and come back the same. */
static void check_round_trip(const struct jc_spec *spec)
{
        struct jc_error err = { 0 };
        struct jc_spec back;
        char *json, *again;

        json = jc_spec_to_json(spec, false, &err);
        if (json == NULL)
                die("jc_spec_to_json failed", err.msg);
        if (jc_spec_from_json(&back, json, &err) < 0) {
                fprintf(stderr, "%s\n", json);
                die("jc_spec_from_json refused what jc_spec_to_json wrote", err.msg);
        }
        again = jc_spec_to_json(&back, false, &err);
        if (again == NULL)
                die("jc_spec_to_json failed on the spec read back", err.msg);
        if (strcmp(json, again) != 0) {
                fprintf(stderr, "first:  %s\nsecond: %s\n", json, again);
                die("the JSON round trip changed the spec", NULL);
        }
        free(json);
        free(again);
        jc_spec_free(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const struct jc_context ctx = { .user = "alice", .uid = 1001 };
        struct jc_strv diags = { 0 };
        struct jc_error err = { 0 };
        struct jc_policy *pol = NULL;
        struct jc_request req;
        struct jc_spec spec;
        size_t policy_len, req_at = split(data, size, &policy_len);
        char *text;
        const char *partition;

        write_policy(data, policy_len);
        if (jc_policy_load(policy_path, &pol, &diags, &err) < 0) {
                if (pol != NULL)
                        die("a refused policy was returned", NULL);
                if (diags.n == 0 && err.msg[0] == '\0')
                        die("a refused policy with no diagnostic and no error", NULL);
        } else if (diags.n != 0) {
                die("a policy with diagnostics was accepted", diags.v[0]);
        }
        jc_strv_free(&diags);

        text = malloc(size - req_at + 1);
        if (text == NULL)
                return 0;
        memcpy(text, data + req_at, size - req_at);
        text[size - req_at] = '\0';
        jc_request_init(&req);
        partition = req_at < size ? read_request(text, &req) : NULL;
        if (jc_resolve(pol, partition, &req, &ctx, &spec, &err) == 0) {
                check_promises(pol, partition, &req, &spec);
                check_round_trip(&spec);
                jc_spec_free(&spec);
        } else if (err.msg[0] == '\0') {
                die("a refusal with no message", NULL);
        }
        jc_request_free(&req);
        free(text);
        jc_policy_free(pol);
        return 0;
}
