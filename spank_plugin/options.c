/* The plugin's options: Pyxis' --container-* names with Pyxis' meanings
 * where jobcell has them, plus jobcell's own.  Each becomes an option of
 * the policy engine's request (policy/request.h); doc/slurm.md lists them.
 *
 * No option is named "container": Slurm owns --container (srun and sbatch
 * print "Ignoring conflicting option" for a plugin's), and with no oci.conf
 * Slurm exports its value as SLURM_CONTAINER, which the plugin reads. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "spank_state.h"

static const struct jc_option {
        const char *name;    /* the plugin's option */
        const char *request; /* jc_request_set's name, or NULL: special */
        const char *arg;     /* NULL for a flag */
        const char *usage;
} opts[] = {
        { "container-image", "image", "IMAGE",
          "[jobcell] run in the sandbox with IMAGE: a directory, OCI layout, docker "
          "archive or squashfs file (PATH[@sha256:DIGEST]); --container=IMAGE says "
          "the same" },
        { "container-mounts", "mounts", "SRC[:DST][:ro|rw],...",
          "[jobcell] bind host paths the policy admits (mounts_allowed)" },
        { "container-workdir", "workdir", "DIR", "[jobcell] working directory inside" },
        { "container-env", "env", "NAME,...",
          "[jobcell] these variables of the job's environment override the image's" },
        { "container-remap-root", "remap-root", NULL,
          "[jobcell] root inside is you outside (policy: identity_allowed has fakeroot)" },
        { "no-container-remap-root", "no-remap-root", NULL, "[jobcell] run as yourself inside" },
        { "container-writable", "writable", NULL,
          "[jobcell] a writable root (a tmpfs overlay, discarded at exit)" },
        { "container-readonly", "readonly", NULL, "[jobcell] a read-only root (the default)" },
        { "container-entrypoint", "entrypoint", NULL, "[jobcell] run the image's entrypoint" },
        { "no-container-entrypoint", "no-entrypoint", NULL,
          "[jobcell] do not run the image's entrypoint" },
        { "container-network", "network", "none|host",
          "[jobcell] network: none (only lo, the default) or the host's where the policy allows" },
        { "container-pids-limit", "pids-limit", "N",
          "[jobcell] at most N processes and threads in the sandbox" },
        { "container-user", NULL, "UID",
          "[jobcell] who the job is inside: your own uid or name, or 0/root" },
        { "container-cap-add", "cap-add", "CAP,...",
          "[jobcell] keep these capabilities inside (policy: capabilities_grantable)" },
        { "container-cap-drop", "cap-drop", "CAP,...|ALL", "[jobcell] drop these capabilities" },
};

static bool user_syntax_ok(const char *s)
{
        size_t i;

        if (s[0] == '\0' || strlen(s) > 256 || s[0] == '-')
                return false;
        for (i = 0; s[i] != '\0'; i++)
                if (!isalnum((unsigned char)s[i]) && strchr("._-$", s[i]) == NULL)
                        return false;
        return true;
}

static int apply(const struct jc_option *o, const char *optarg, struct jc_error *err)
{
        struct jc_ask *ask = &jc_st.ask;

        ask->any = true;
        if (o->request == NULL) {
                if (!user_syntax_ok(optarg))
                        return jc_error_set(err, 0, "--container-user=%s: not a uid or user name",
                                            optarg);
                free(ask->user);
                ask->user = jc_strdup(optarg, err);
                return ask->user == NULL ? -1 : 0;
        }
        if (strstr(o->request, "remap-root") != NULL)
                ask->remap_given = true;
        if (jc_request_set(&ask->req, o->request, o->arg ? optarg : NULL, err) < 0) {
                /* jc_request_set names its own option ("--network=x: ..."):
                 * name the one the user typed instead. */
                char msg[JC_ERROR_MSG_MAX];
                size_t n = strlen(o->request);
                const char *rest = err->msg;

                if (strncmp(rest, "--", 2) == 0 && strncmp(rest + 2, o->request, n) == 0)
                        rest += 2 + n;
                else
                        rest = NULL;
                jc_format(msg, sizeof(msg), "%s", rest ? rest : err->msg);
                return jc_error_set(err, err->errnum, "--%s%s%s", o->name, rest ? "" : ": ", msg);
        }
        return 0;
}

/* Slurm's option callback: VAL indexes opts.  In srun and sbatch a failure
 * stops the command with our message; in slurmstepd Slurm only logs that
 * the option failed, so the error is kept for jc_remote_post_opt. */
static int option_cb(int val, const char *optarg, int remote)
{
        struct jc_error err = { 0 };

        if (val < 0 || (size_t)val >= JC_ARRAY_SIZE(opts))
                return -1;
        if (opts[val].arg != NULL && optarg == NULL)
                optarg = "";
        if (apply(&opts[val], optarg, &err) == 0)
                return 0;
        if (remote)
                jc_keep_error(&err);
        else
                slurm_error("jobcell: %s", err.msg);
        return -1;
}

int jc_options_register(spank_t sp)
{
        size_t i;

        for (i = 0; i < JC_ARRAY_SIZE(opts); i++) {
                struct spank_option o = {
                        .name = (char *)opts[i].name,
                        .arginfo = (char *)opts[i].arg,
                        .usage = (char *)opts[i].usage,
                        .has_arg = opts[i].arg != NULL,
                        .val = (int)i,
                        .cb = option_cb,
                };
                spank_err_t rc = spank_option_register(sp, &o);

                if (rc != ESPANK_SUCCESS) {
                        slurm_error("jobcell: cannot register --%s: %s", opts[i].name,
                                    spank_strerror(rc));
                        return -1;
                }
        }
        return 0;
}
