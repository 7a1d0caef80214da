/* jobcell policy check FILE... | explain [...]: the admin's tools. */
#include "config.h"

#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "resolve.h"
#include "jc_seccomp.h"

static void policy_usage(FILE *out)
{
        fprintf(out,
                "Usage: jobcell policy check FILE...\n"
                "       jobcell policy explain [--policy FILE] [--partition P] [--user NAME]\n"
                "                              [--json] [request options]\n"
                "\n"
                "check    report every problem in each policy file; exit 0 when all are valid\n"
                "explain  print the sandbox a job would get, each field with its origin\n"
                "         (builtin, defaults, partition, request), or why it is refused\n"
                "\n"
                "Default policy: %s (built-in defaults when it does not exist)\n"
                "See jobcell-policy(5).\n",
                JC_DEFAULT_POLICY);
}

/* Check one seccomp profile a policy names; print the problem, if any. */
static size_t check_profile(const char *file, const struct jc_section *sec, enum jc_key_id key,
                            const char *path)
{
        struct jc_error err = { 0 };
        char buf[JC_ERROR_MSG_MAX + 128];

        if (strcmp(path, "default") == 0 || jc_seccomp_check_profile(path, &err) == 0)
                return 0;
        fprintf(stderr, "%s:%d: [%s%s] %s%s%s: %s\n", file, sec->v[key].line,
                sec->is_defaults ? "" : "partition ", sec->is_defaults ? "defaults" : sec->name,
                jc_key_name(key), key == JC_K_SECCOMP ? " = " : ": ", path,
                jc_error_text(&err, buf, sizeof(buf)));
        return 1;
}

/* The seccomp profiles of every section must parse (a job given one that
 * does not is refused). */
static size_t check_profiles(const struct jc_policy *pol)
{
        size_t i, j, bad = 0;

        for (i = 0; i <= pol->nparts; i++) {
                const struct jc_section *sec = i == 0 ? &pol->defaults : &pol->parts[i - 1];
                const struct jc_value *allowed = &sec->v[JC_K_SECCOMP_ALLOWED];

                if (sec->v[JC_K_SECCOMP].set)
                        bad += check_profile(pol->path, sec, JC_K_SECCOMP,
                                             sec->v[JC_K_SECCOMP].text);
                for (j = 0; allowed->set && j < allowed->list.n; j++)
                        bad += check_profile(pol->path, sec, JC_K_SECCOMP_ALLOWED,
                                             allowed->list.v[j]);
        }
        return bad;
}

static int check(int argc, char **argv)
{
        int i, bad = 0;
        size_t j;

        if (argc < 2) {
                fprintf(stderr, "jobcell policy check: which file? (jobcell policy --help)\n");
                return JC_EXIT_USAGE;
        }
        if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
                policy_usage(stdout);
                return 0;
        }
        for (i = 1; i < argc; i++) {
                struct jc_strv diags = { 0 };
                struct jc_policy *pol = NULL;
                struct jc_error err = { 0 };

                if (jc_policy_load(argv[i], &pol, &diags, &err) < 0) {
                        for (j = 0; j < diags.n; j++)
                                fprintf(stderr, "%s\n", diags.v[j]);
                        if (diags.n == 0)
                                jc_error_print(&err, "jobcell policy check");
                        fprintf(stderr, "%s: %zu problem%s\n", argv[i], diags.n ? diags.n : 1,
                                diags.n == 1 ? "" : "s");
                        bad = 1;
                } else if ((j = check_profiles(pol)) > 0) {
                        fprintf(stderr, "%s: %zu problem%s\n", argv[i], j, j == 1 ? "" : "s");
                        bad = 1;
                } else {
                        printf("%s: OK (%zu partition section%s)\n", argv[i], pol->nparts,
                               pol->nparts == 1 ? "" : "s");
                }
                jc_strv_free(&diags);
                jc_policy_free(pol);
        }
        return bad;
}

/* One spec value as text: lists joined by commas, mounts SRC:DST:ro. */
static void print_value(FILE *out, json_object *v)
{
        struct json_object_iterator it, end;
        size_t i, n;

        switch (json_object_get_type(v)) {
        case json_type_array:
                n = json_object_array_length(v);
                if (n == 0)
                        fputs("-", out);
                for (i = 0; i < n; i++) {
                        json_object *e = json_object_array_get_idx(v, i);

                        if (i > 0)
                                fputc(',', out);
                        if (json_object_is_type(e, json_type_object))
                                fprintf(out, "%s:%s:%s",
                                        json_object_get_string(json_object_object_get(e, "src")),
                                        json_object_get_string(json_object_object_get(e, "dst")),
                                        json_object_get_boolean(json_object_object_get(e, "rw"))
                                                ? "rw"
                                                : "ro");
                        else
                                fputs(json_object_get_string(e), out);
                }
                break;
        case json_type_object: /* rlimits */
                i = 0;
                for (it = json_object_iter_begin(v), end = json_object_iter_end(v);
                     !json_object_iter_equal(&it, &end); json_object_iter_next(&it), i++) {
                        json_object *e = json_object_iter_peek_value(&it);

                        fprintf(out, "%s%s=%s:%s", i ? "," : "", json_object_iter_peek_name(&it),
                                json_object_get_string(json_object_object_get(e, "soft")),
                                json_object_get_string(json_object_object_get(e, "hard")));
                }
                if (i == 0)
                        fputs("-", out);
                break;
        case json_type_string:
                fputs(*json_object_get_string(v) ? json_object_get_string(v) : "-", out);
                break;
        default:
                fputs(json_object_get_string(v), out);
        }
}

static int print_spec(const struct jc_spec *spec, bool as_json)
{
        struct json_object_iterator it, end;
        struct jc_error err = { 0 };
        json_object *root, *s, *o;

        root = jc_spec_to_json_object(spec, &err);
        if (root == NULL) {
                jc_error_print(&err, JC_PROG);
                return 1;
        }
        if (as_json) {
                puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
                                                                  JSON_C_TO_STRING_SPACED));
                json_object_put(root);
                return 0;
        }
        s = json_object_object_get(root, "spec");
        o = json_object_object_get(root, "origin");
        printf("%-16s %-10s %s\n", "FIELD", "ORIGIN", "VALUE");
        for (it = json_object_iter_begin(s), end = json_object_iter_end(s);
             !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
                const char *name = json_object_iter_peek_name(&it);

                printf("%-16s %-10s ", name,
                       json_object_get_string(json_object_object_get(o, name)));
                print_value(stdout, json_object_iter_peek_value(&it));
                putchar('\n');
        }
        json_object_put(root);
        return 0;
}

static void print_refusal(const struct jc_error *err, bool as_json)
{
        char buf[JC_ERROR_MSG_MAX + 128];
        json_object *o;

        jc_error_text(err, buf, sizeof(buf));
        if (!as_json) {
                fprintf(stderr, "jobcell policy explain: refused: %s\n", buf);
                return;
        }
        o = json_object_new_object();
        json_object_object_add(o, "refused", json_object_new_string(buf));
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
        json_object_put(o);
}

enum { OPT_POLICY = 1, OPT_PARTITION, OPT_USER, OPT_JSON, OPT_HELP };

static int explain(int argc, char **argv)
{
        static const struct option extra[] = {
                { "policy", required_argument, NULL, OPT_POLICY },
                { "partition", required_argument, NULL, OPT_PARTITION },
                { "user", required_argument, NULL, OPT_USER },
                { "json", no_argument, NULL, OPT_JSON },
                { "help", no_argument, NULL, OPT_HELP },
                { NULL, 0, NULL, 0 },
        };
        _cleanup_free_ struct option *opts = NULL;
        const char *policy = NULL, *partition = NULL;
        struct jc_context ctx = { .user = jc_cli_user_name(), .uid = getuid() };
        struct jc_policy *pol = NULL;
        struct jc_request req;
        struct jc_error err = { 0 };
        struct jc_spec spec;
        bool as_json = false;
        int c, rc = JC_EXIT_USAGE;

        jc_request_init(&req);
        opts = jc_cli_options(extra, &err);
        if (opts == NULL)
                goto fail;
        optind = 1;
        while ((c = getopt_long(argc, argv, JC_CLI_OPTSTRING, opts, NULL)) != -1) {
                if (c == '?' || c == ':') {
                        jc_cli_bad_option(c, argv, opts, "policy explain", &err);
                        goto fail;
                } else if (c == OPT_POLICY)
                        policy = optarg;
                else if (c == OPT_PARTITION)
                        partition = optarg;
                else if (c == OPT_USER)
                        ctx.user = optarg;
                else if (c == OPT_JSON)
                        as_json = true;
                else if (c == OPT_HELP || c == 'h') {
                        policy_usage(stdout);
                        putchar('\n');
                        jc_cli_request_help();
                        rc = 0;
                        goto out;
                } else if (jc_cli_request_option(c, optarg, &req, &err) != 1) {
                        if (err.msg[0] == '\0')
                                jc_error_set(&err, 0, "bad option (jobcell policy --help)");
                        goto fail;
                }
        }
        if (optind != argc) {
                jc_error_set(&err, 0, "unexpected argument `%s'", argv[optind]);
                goto fail;
        }
        rc = 1;
        if (jc_cli_load_policy(policy, false, &pol, &err) < 0)
                goto fail;
        if (jc_resolve(pol, partition, &req, &ctx, &spec, &err) < 0) {
                print_refusal(&err, as_json);
                goto out;
        }
        if (!as_json && partition != NULL && jc_policy_partition(pol, partition) == NULL)
                printf("# no [partition %s] section: [defaults] applies\n", partition);
        rc = print_spec(&spec, as_json);
        jc_spec_free(&spec);
        goto out;
fail:
        jc_error_print(&err, "jobcell policy explain");
out:
        jc_request_free(&req);
        jc_policy_free(pol);
        return rc;
}

int cmd_policy(int argc, char **argv)
{
        if (argc < 2) {
                policy_usage(stderr);
                return JC_EXIT_USAGE;
        }
        if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
                policy_usage(stdout);
                return 0;
        }
        if (strcmp(argv[1], "check") == 0)
                return check(argc - 1, argv + 1);
        if (strcmp(argv[1], "explain") == 0)
                return explain(argc - 1, argv + 1);
        fprintf(stderr, "jobcell policy: unknown subcommand `%s' (check or explain)\n", argv[1]);
        return JC_EXIT_USAGE;
}
