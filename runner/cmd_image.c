/* jobcell image import | ls | rm | gc: the node's image cache, for admins
 * (and for tests).  The cache's place and cap come from the policy, as
 * for `jobcell run' (doc/images.md). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "image.h"
#include "resolve.h"
#include "values.h"

static void image_usage(FILE *out)
{
        fprintf(out,
                "Usage: jobcell image [--policy FILE] [--partition P] [--cache DIR] COMMAND\n"
                "\n"
                "  import IMG[@sha256:DIGEST]  verify and unpack an OCI or Docker image into "
                "the\n"
                "                              cache (as `jobcell run' would) and print the "
                "entry\n"
                "  ls [--full]                 list the entries: digest, kind, size, last use, "
                "source\n"
                "  rm IMG|DIGEST...            remove entries (by image path or digest prefix)\n"
                "  gc [--max-size SIZE]        remove dead builds and, least recently used "
                "first,\n"
                "                              entries no job uses until the cache fits SIZE\n"
                "                              (default: the policy's image_cache_max_size)\n"
                "\n"
                "The cache is the policy's image_cache_dir (default %s/cache/jobcell for root,\n"
                "~/.cache/jobcell for others); --cache names another.  See doc/images.md.\n",
                LOCALSTATEDIR);
}

struct image_cli {
        const char *policy, *partition, *cache;
        char cache_buf[4096];
        struct jc_spec spec;
        bool have_spec;
};

static int resolve_spec(struct image_cli *c, const char *image, struct jc_error *err)
{
        struct jc_policy *pol = NULL;
        struct jc_request req;
        struct jc_context ctx = { .user = jc_cli_user_name(), .uid = getuid() };
        int rc;

        if (jc_cli_load_policy(c->policy, geteuid() == 0, &pol, err) < 0)
                return -1;
        jc_request_init(&req);
        rc = image != NULL ? jc_request_set(&req, "image", image, err) : 0;
        if (rc == 0)
                rc = jc_resolve(pol, c->partition, &req, &ctx, &c->spec, err);
        jc_request_free(&req);
        jc_policy_free(pol);
        if (rc < 0)
                return -1;
        c->have_spec = true;
        if (c->cache != NULL) {
                free(c->spec.image_cache_dir);
                c->spec.image_cache_dir = jc_strdup(c->cache, err);
                if (c->spec.image_cache_dir == NULL)
                        return -1;
        }
        if (c->spec.image_cache_dir[0] != '\0')
                jc_format(c->cache_buf, sizeof(c->cache_buf), "%s", c->spec.image_cache_dir);
        else if (jc_image_cache_default(c->cache_buf, sizeof(c->cache_buf), err) < 0)
                return -1;
        return 0;
}

static void human(uint64_t n, char *buf, size_t len)
{
        static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
        double v = (double)n;
        size_t u = 0;

        while (v >= 1024 && u + 1 < JC_ARRAY_SIZE(units)) {
                v /= 1024;
                u++;
        }
        if (u == 0)
                jc_format(buf, len, "%llu B", (unsigned long long)n);
        else
                jc_format(buf, len, "%.1f %s", v, units[u]);
}

/* IMG[@DIGEST] with IMG made absolute (symlinks resolved: the policy's
 * images_allowed sees where the image really is). */
static int absolute(const char *arg, char *out, size_t len, struct jc_error *err)
{
        _cleanup_free_ char *path = jc_strdup(arg, err);
        char real[PATH_MAX], *at;

        if (path == NULL)
                return -1;
        at = strrchr(path, '@');
        if (at != NULL && strncmp(at, "@sha256:", 8) == 0)
                *at++ = '\0';
        else
                at = NULL;
        if (realpath(path, real) == NULL)
                return jc_error_set(err, errno, "image `%s'", path);
        if (jc_format(out, len, "%s%s%s", real, at ? "@" : "", at ? at : ""))
                return jc_error_set(err, ENAMETOOLONG, "image `%s'", path);
        return 0;
}

static int do_import(struct image_cli *c, int argc, char **argv)
{
        struct jc_error err = { 0 };
        struct jc_image_opts o;
        struct jc_image img;
        char size[32] = "", image[PATH_MAX + 80];

        if (argc != 2) {
                if (argc < 2)
                        fprintf(stderr,
                                "jobcell image import: which image? (jobcell image --help)\n");
                else
                        fprintf(stderr,
                                "jobcell image import: one image at a time (`%s' is one too "
                                "many)\n",
                                argv[2]);
                return JC_EXIT_USAGE;
        }
        if (absolute(argv[1], image, sizeof(image), &err) < 0 || resolve_spec(c, image, &err) < 0)
                goto fail;
        jc_image_opts_from_spec(&o, &c->spec);
        o.cache_dir = c->cache_buf;
        if (jc_image_open(&o, &img, &err) < 0)
                goto fail;
        switch (img.kind) {
        case JC_IMG_DIR:
                printf("directory %s: used as it is, nothing to import\n", img.source);
                break;
        case JC_IMG_SQUASHFS:
                printf("squashfs %s: mounted when a job starts, nothing to import%s%s\n",
                       img.source, img.digest[0] ? "; digest verified: " : "", img.digest);
                break;
        default:
                if (img.entry != NULL) {
                        struct jc_cache_entry *v;
                        size_t n, i;

                        if (jc_cache_list(c->cache_buf, &v, &n, &err) == 0) {
                                for (i = 0; i < n; i++)
                                        if (strcmp(v[i].digest, img.digest) == 0)
                                                human(v[i].size, size, sizeof(size));
                                jc_cache_list_free(v, n);
                        }
                }
                printf("%s %s %s %s %s\n", img.imported ? "imported" : "cached", img.digest,
                       jc_image_format_names[img.kind], size[0] ? size : "-", img.rootfs);
        }
        jc_image_close(&img);
        jc_spec_free(&c->spec);
        return 0;
fail:
        jc_error_print(&err, "jobcell image import");
        return 1;
}

static void when(int64_t t, char *buf, size_t len)
{
        struct tm tm;
        time_t tt = (time_t)t;

        if (t <= 0 || localtime_r(&tt, &tm) == NULL ||
            strftime(buf, len, "%Y-%m-%d %H:%M", &tm) == 0)
                jc_format(buf, len, "-");
}

static int do_ls(struct image_cli *c, int argc, char **argv)
{
        struct jc_error err = { 0 };
        struct jc_cache_entry *v;
        char size[32], used[32];
        bool full = argc == 2 && strcmp(argv[1], "--full") == 0;
        size_t n, i;

        if (argc > 2 || (argc == 2 && !full)) {
                fprintf(stderr, "jobcell image ls: takes only --full\n");
                return JC_EXIT_USAGE;
        }
        if (resolve_spec(c, NULL, &err) < 0 || jc_cache_list(c->cache_buf, &v, &n, &err) < 0) {
                jc_error_print(&err, "jobcell image ls");
                return 1;
        }
        printf("%-*s  %-6s  %10s  %-16s  %s\n", full ? 71 : 19, "DIGEST", "KIND", "SIZE",
               "LAST USE", "SOURCE");
        for (i = 0; i < n; i++) {
                human(v[i].size, size, sizeof(size));
                when(v[i].last_use, used, sizeof(used));
                printf("%-*.*s  %-6s  %10s  %-16s  %s\n", full ? 71 : 19, full ? 71 : 19,
                       v[i].digest, v[i].kind, size, used, v[i].source);
        }
        jc_cache_list_free(v, n);
        jc_spec_free(&c->spec);
        return 0;
}

static int do_rm(struct image_cli *c, int argc, char **argv)
{
        struct jc_error err = { 0 };
        char key[72], removed[72];
        int i, bad = 0;

        if (argc < 2) {
                fprintf(stderr, "jobcell image rm: which image or digest?\n");
                return JC_EXIT_USAGE;
        }
        if (resolve_spec(c, NULL, &err) < 0) {
                jc_error_print(&err, "jobcell image rm");
                return 1;
        }
        for (i = 1; i < argc; i++) {
                const char *what = argv[i];

                if (strchr(what, '/') != NULL) { /* an image path: its key */
                        struct jc_image_opts o;
                        _cleanup_free_ char *path = jc_strdup(what, &err);
                        char *at = path ? strrchr(path, '@') : NULL;

                        if (path == NULL)
                                goto bad;
                        if (at != NULL)
                                *at++ = '\0';
                        jc_image_opts_from_spec(&o, &c->spec);
                        o.path = path;
                        o.digest = at ? at : "";
                        if (jc_image_key(&o, key, &err) < 0)
                                goto bad;
                        what = key;
                }
                if (jc_cache_remove(c->cache_buf, what, removed, &err) < 0)
                        goto bad;
                printf("removed %s\n", removed);
                continue;
        bad:
                jc_error_print(&err, "jobcell image rm");
                bad = 1;
        }
        jc_spec_free(&c->spec);
        return bad;
}

static int do_gc(struct image_cli *c, int argc, char **argv)
{
        struct jc_error err = { 0 };
        int64_t max = -2;
        size_t removed;
        uint64_t freed;
        char size[32];

        if (argc == 3 && strcmp(argv[1], "--max-size") == 0) {
                if (jc_parse_size(argv[2], &max, &err) < 0) {
                        jc_error_print(&err, "jobcell image gc --max-size");
                        return JC_EXIT_USAGE;
                }
        } else if (argc == 2 && strncmp(argv[1], "--max-size=", 11) == 0) {
                if (jc_parse_size(argv[1] + 11, &max, &err) < 0) {
                        jc_error_print(&err, "jobcell image gc --max-size");
                        return JC_EXIT_USAGE;
                }
        } else if (argc != 1) {
                fprintf(stderr, "jobcell image gc: takes only --max-size SIZE\n");
                return JC_EXIT_USAGE;
        }
        if (resolve_spec(c, NULL, &err) < 0)
                goto fail;
        if (max == -2)
                max = c->spec.image_cache_max_size;
        if (jc_cache_gc(c->cache_buf, max, &removed, &freed, &err) < 0)
                goto fail;
        human(freed, size, sizeof(size));
        printf("removed %zu entr%s, freed %s\n", removed, removed == 1 ? "y" : "ies", size);
        jc_spec_free(&c->spec);
        return 0;
fail:
        jc_error_print(&err, "jobcell image gc");
        return 1;
}

int cmd_image(int argc, char **argv)
{
        static const struct option opts[] = {
                { "policy", required_argument, NULL, 'p' },
                { "partition", required_argument, NULL, 'P' },
                { "cache", required_argument, NULL, 'c' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct image_cli c = { 0 };
        struct jc_error err = { 0 };
        int opt, rc;

        optind = 1;
        while ((opt = getopt_long(argc, argv, JC_CLI_OPTSTRING, opts, NULL)) != -1) {
                switch (opt) {
                case 'p':
                        c.policy = optarg;
                        break;
                case 'P':
                        c.partition = optarg;
                        break;
                case 'c':
                        c.cache = optarg;
                        if (optarg[0] != '/') {
                                fprintf(stderr, "jobcell image: --cache needs an absolute path\n");
                                return JC_EXIT_USAGE;
                        }
                        break;
                case 'h':
                        image_usage(stdout);
                        return 0;
                default:
                        jc_cli_bad_option(opt, argv, opts, "image", &err);
                        jc_error_print(&err, "jobcell image");
                        return JC_EXIT_USAGE;
                }
        }
        argc -= optind;
        argv += optind;
        if (argc < 1) {
                image_usage(stderr);
                return JC_EXIT_USAGE;
        }
        if (strcmp(argv[0], "import") == 0)
                rc = do_import(&c, argc, argv);
        else if (strcmp(argv[0], "ls") == 0)
                rc = do_ls(&c, argc, argv);
        else if (strcmp(argv[0], "rm") == 0)
                rc = do_rm(&c, argc, argv);
        else if (strcmp(argv[0], "gc") == 0)
                rc = do_gc(&c, argc, argv);
        else {
                fprintf(stderr, "jobcell image: unknown command `%s' (jobcell image --help)\n",
                        argv[0]);
                return JC_EXIT_USAGE;
        }
        if (c.have_spec && rc != 0 && c.spec.partition != NULL)
                jc_spec_free(&c.spec);
        return rc;
}
