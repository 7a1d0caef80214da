/* The plugin's decision for one step: plain, sandboxed (with its spec) or
 * refused, from the policy, the partition and what the job asked for.  The
 * same code decides in srun (early, for a clear message) and on the node
 * (the authority).  No Slurm in here: tests/unit/test_spank.c. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin.h"
#include "resolve.h"

void jc_ask_init(struct jc_ask *ask)
{
        memset(ask, 0, sizeof(*ask));
        jc_request_init(&ask->req);
}

void jc_ask_free(struct jc_ask *ask)
{
        jc_request_free(&ask->req);
        free(ask->container);
        free(ask->user);
        jc_ask_init(ask);
}

bool jc_ask_sandboxed(const struct jc_ask *ask)
{
        return ask->any || (ask->container != NULL && ask->container[0] != '\0');
}

const char *jc_section_label(const struct jc_policy *pol, const struct jc_spec *spec, char *buf,
                             size_t len)
{
        if (pol == NULL)
                jc_format(buf, len, "built-in defaults");
        else if (spec != NULL && spec->partition != NULL && spec->partition[0] != '\0')
                jc_format(buf, len, "[partition %s]", spec->partition);
        else
                jc_format(buf, len, "[defaults]");
        return buf;
}

static int refuse_plain(const struct jc_policy *pol, const char *partition, struct jc_error *err)
{
        struct jc_section eff;
        const struct jc_value *v;
        char where[300];

        jc_policy_effective(pol, partition, &eff);
        v = &eff.v[JC_K_REQUIRE_SANDBOX];
        if (v->origin == JC_ORIGIN_DEFAULTS)
                jc_format(where, sizeof(where), "[defaults]");
        else
                jc_format(where, sizeof(where), "[partition %s]", eff.name);
        return jc_error_set(err, 0,
                            "a step without the sandbox is refused on partition `%s': %s "
                            "require_sandbox = %s (%s); run it with --container=IMAGE or "
                            "--container-image=IMAGE",
                            partition ? partition : "", where, v->text, pol->path);
}

/* --container-user: the job's own user (uid or name) or root; nothing else.
 * Root is fakeroot (root inside is the user outside) where the partition
 * allows it, else service-root (root inside is the policy's service uid). */
enum user_choice { USER_SELF, USER_ROOT };

static int classify_user(const char *asked, const struct jc_who *who, enum user_choice *out,
                         struct jc_error *err)
{
        char uid[32];

        jc_format(uid, sizeof(uid), "%u", (unsigned)who->uid);
        if (strcmp(asked, "0") == 0 || strcmp(asked, "root") == 0)
                *out = USER_ROOT;
        else if (strcmp(asked, uid) == 0 || (who->user != NULL && strcmp(asked, who->user) == 0))
                *out = USER_SELF;
        else
                return jc_error_set(err, 0,
                                    "--container-user=%s: only your own user (%s, uid %u) or root "
                                    "(0) may be asked for",
                                    asked, who->user ? who->user : "?", (unsigned)who->uid);
        return 0;
}

int jc_check(const struct jc_policy *pol, const char *partition, const struct jc_ask *ask,
             const struct jc_who *who, struct jc_spec *spec, struct jc_error *err)
{
        struct jc_context ctx = { .user = who->user, .uid = who->uid };
        struct jc_request req;
        enum user_choice choice;

        if (!jc_ask_sandboxed(ask)) {
                if (pol != NULL && jc_policy_requires_sandbox(pol, partition))
                        return refuse_plain(pol, partition, err);
                return JC_PLAIN;
        }
        /* A shallow copy: only the image and the identity change, the
         * strings stay the ask's. */
        req = ask->req;
        if (ask->container != NULL && ask->container[0] != '\0') {
                if (req.image != NULL && strcmp(req.image, ask->container) != 0)
                        return jc_error_set(err, 0,
                                            "--container=%s and --container-image=%s disagree",
                                            ask->container, req.image);
                req.image = ask->container;
        }
        /* Refused here, at srun, rather than by the runner on the node. */
        if (req.image == NULL || req.image[0] == '\0')
                return jc_error_set(err, 0,
                                    "container options without an image: add "
                                    "--container-image=IMAGE (or srun --container=IMAGE)");
        if (ask->user == NULL)
                return jc_resolve(pol, partition, &req, &ctx, spec, err) < 0 ? -1 : JC_SANDBOX;
        if (ask->remap_given)
                return jc_error_set(err, 0,
                                    "--container-user and --(no-)container-remap-root both say "
                                    "who the job is inside: give one of them");
        if (classify_user(ask->user, who, &choice, err) < 0)
                return -1;
        req.identity = choice == USER_SELF ? JC_ID_USER : JC_ID_FAKEROOT;
        if (jc_resolve(pol, partition, &req, &ctx, spec, err) == 0)
                return JC_SANDBOX;
        /* Fakeroot refused by identity_allowed: root may still be the
         * service uid.  Any other refusal would refuse that too. */
        if (choice == USER_SELF || strstr(err->msg, "identity") == NULL)
                return -1;
        req.identity = JC_ID_SERVICE_ROOT;
        if (jc_resolve(pol, partition, &req, &ctx, spec, err) < 0)
                return jc_error_wrap(err, "--container-user=%s", ask->user);
        return JC_SANDBOX;
}
