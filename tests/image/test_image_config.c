/* The image config and how the request's overrides combine with it, with
 * Pyxis' meaning of --container-env, --container-entrypoint and
 * --container-workdir; and the names of layer entries. */
#include "config.h"

#include <string.h>

#include "../tap.h"
#include "image.h"
#include "image_internal.h"

static const char cfg_json[] =
        "{\"architecture\":\"amd64\",\"config\":{\"Env\":[\"PATH=/usr/local/cuda/bin:/usr/bin\","
        "\"CUDA_VERSION=11.8.0\",\"LD_LIBRARY_PATH=/usr/local/nvidia/lib\"],"
        "\"WorkingDir\":\"/workspace\",\"User\":\"1000:1000\","
        "\"Entrypoint\":[\"/opt/entry.sh\"],\"Cmd\":[\"bash\",\"-l\"]},"
        "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}\n";

static const char *get(const struct jc_strv *sv, const char *name)
{
        size_t i, n = strlen(name);

        for (i = 0; i < sv->n; i++)
                if (strncmp(sv->v[i], name, n) == 0 && sv->v[i][n] == '=')
                        return sv->v[i] + n + 1;
        return NULL;
}

static void test_parse(struct jc_image_config *c)
{
        struct jc_image_config bad;
        struct jc_error err = { 0 };

        ok(jc_image_config_parse(cfg_json, strlen(cfg_json), c, &err) == 0, "config parses");
        is_int(c->env.n, 3, "config: Env");
        is_str(c->workdir, "/workspace", "config: WorkingDir");
        is_str(c->user, "1000:1000", "config: User");
        is_str(c->entrypoint.v[0], "/opt/entry.sh", "config: Entrypoint");
        is_int(c->cmd.n, 2, "config: Cmd");
        ok(jc_image_config_parse("{}", strlen("{}"), &bad, &err) == 0 && bad.env.n == 0 &&
                   bad.cmd.n == 0,
           "config: an empty config is an empty config");
        jc_image_config_free(&bad);
        ok(jc_image_config_parse("{\"config\":null}", strlen("{\"config\":null}"), &bad, &err) == 0,
           "config: a null config is accepted");
        jc_image_config_free(&bad);
        ok(jc_image_config_parse("{\"config\":{\"Env\":[\"NOEQUALS\"]}}",
                                 strlen("{\"config\":{\"Env\":[\"NOEQUALS\"]}}"), &bad, &err) < 0,
           "config: an Env item without = is refused");
        like(err.msg, "is not NAME=value", "config: says why");
        ok(jc_image_config_parse("{\"config\":{\"Cmd\":\"ls\"}}",
                                 strlen("{\"config\":{\"Cmd\":\"ls\"}}"), &bad, &err) < 0,
           "config: Cmd as a string is refused");
        ok(jc_image_config_parse("{\"config\":{}} x", strlen("{\"config\":{}} x"), &bad, &err) < 0,
           "config: trailing garbage is refused");
        ok(jc_image_config_parse("[1]", strlen("[1]"), &bad, &err) < 0,
           "config: not an object is refused");
}

static void test_env(const struct jc_image_config *c)
{
        char *job[] = { "CUDA_VERSION=12.0.0",
                        "LD_LIBRARY_PATH=/usr/local/cuda/lib64",
                        "HOME=/home/alice",
                        "PATH=/host/bin",
                        "NOVALUE",
                        NULL };
        struct jc_strv over = { 0 }, out;
        struct jc_error err = { 0 };

        ok(jc_image_env(c, job, NULL, &out, &err) == 0, "env: merges");
        is_str(get(&out, "CUDA_VERSION"), "11.8.0", "env: the image's value wins by default");
        is_str(get(&out, "PATH"), "/usr/local/cuda/bin:/usr/bin", "env: the image's PATH wins");
        is_str(get(&out, "HOME"), "/home/alice", "env: the job's variables the image lacks");
        ok(get(&out, "NOVALUE") == NULL, "env: a job item without = is dropped");
        jc_strv_free(&out);
        jc_strv_push(&over, "CUDA_VERSION", &err);
        jc_strv_push(&over, "LD_LIBRARY_PATH", &err);
        ok(jc_image_env(c, job, &over, &out, &err) == 0, "env: --container-env merges");
        is_str(get(&out, "CUDA_VERSION"), "12.0.0", "env: --container-env takes the job's value");
        is_str(get(&out, "LD_LIBRARY_PATH"), "/usr/local/cuda/lib64",
               "env: --container-env, second name");
        is_str(get(&out, "PATH"), "/usr/local/cuda/bin:/usr/bin", "env: others keep the image's");
        jc_strv_free(&out);
        jc_strv_free(&over);
}

static void test_argv(const struct jc_image_config *c)
{
        char *args[] = { "python", "x.py", NULL }, *none[] = { NULL };
        struct jc_error err = { 0 };
        struct jc_strv out;
        struct jc_image_config empty = { 0 };

        ok(jc_image_argv(c, false, args, &out, &err) == 0 && out.n == 2 &&
                   strcmp(out.v[0], "python") == 0,
           "argv: without --container-entrypoint, the command as given");
        jc_strv_free(&out);
        ok(jc_image_argv(c, true, args, &out, &err) == 0 && out.n == 3 &&
                   strcmp(out.v[0], "/opt/entry.sh") == 0 && strcmp(out.v[1], "python") == 0,
           "argv: with --container-entrypoint, the entrypoint first");
        jc_strv_free(&out);
        ok(jc_image_argv(c, true, none, &out, &err) == 0 && out.n == 3 &&
                   strcmp(out.v[2], "-l") == 0,
           "argv: no command: entrypoint and Cmd");
        jc_strv_free(&out);
        ok(jc_image_argv(c, false, NULL, &out, &err) == 0 && out.n == 2 &&
                   strcmp(out.v[0], "bash") == 0,
           "argv: no command, no entrypoint: Cmd");
        jc_strv_free(&out);
        ok(jc_image_argv(&empty, false, NULL, &out, &err) < 0, "argv: nothing to run is an error");
        like(err.msg, "no command", "argv: says so");
}

static void test_workdir(const struct jc_image_config *c)
{
        is_str(jc_image_workdir(c, "/scratch"), "/scratch", "workdir: --container-workdir wins");
        is_str(jc_image_workdir(c, ""), "/workspace", "workdir: else the image's WorkingDir");
        is_str(jc_image_workdir(NULL, ""), "", "workdir: else the runner's rule");
}

static void test_names(void)
{
        struct jc_error err = { 0 };
        char out[256];

        ok(jc_path_norm("./a//b/./c/", out, sizeof(out), &err) == 0, "name: ./a//b/./c/");
        is_str(out, "a/b/c", "name: normalised");
        ok(jc_path_norm("./", out, sizeof(out), &err) == 0 && out[0] == '\0',
           "name: ./ is the root");
        ok(jc_path_norm("a/../../etc", out, sizeof(out), &err) < 0, "name: .. refused");
        ok(jc_path_norm("/etc/passwd", out, sizeof(out), &err) < 0, "name: absolute refused");
        ok(jc_path_norm("a/..", out, sizeof(out), &err) < 0, "name: trailing .. refused");
        ok(jc_path_norm("a..b/..c", out, sizeof(out), &err) == 0,
           "name: dots inside names are fine");
        ok(jc_digest_hex("sha256:0123", &err) == NULL, "digest: short refused");
        ok(jc_digest_hex("sha512:0123", &err) == NULL, "digest: other algorithm refused");
}

int main(void)
{
        struct jc_image_config c;

        test_parse(&c);
        test_env(&c);
        test_argv(&c);
        test_workdir(&c);
        jc_image_config_free(&c);
        test_names();
        return done_testing();
}
