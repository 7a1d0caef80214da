#include "config.h"

#include <errno.h>
#include <json.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "status.h"

static const char *const phase_names[JC_PHASE_COUNT] = {
        "resolve", "prepare", "cell", "cgroup", "start", "run", "total",
};

static double now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void jc_status_begin(struct jc_status *st)
{
        memset(st, 0, sizeof(*st));
        st->start = st->mark = now();
}

void jc_status_free(struct jc_status *st)
{
        json_object_put(st->usage);
        st->usage = NULL;
}

void jc_status_phase(struct jc_status *st, enum jc_phase phase)
{
        double t = now();

        st->ms[phase] += (t - st->mark) * 1000.0;
        st->ms[JC_PHASE_TOTAL] = (t - st->start) * 1000.0;
        st->mark = t;
}

int jc_status_write(int fd, const struct jc_status *st, const struct jc_spec *spec,
                    struct jc_error *err)
{
        json_object *root = json_object_new_object(), *ms = json_object_new_object();
        const char *text;
        size_t len;
        int i, rc = 0;

        if (root == NULL || ms == NULL) {
                json_object_put(root);
                json_object_put(ms);
                return jc_error_set(err, ENOMEM, "status record");
        }
        json_object_object_add(root, "exit_code", json_object_new_int(st->exit_code));
        json_object_object_add(root, "signal", st->signal ? json_object_new_int(st->signal) : NULL);
        json_object_object_add(root, "started", json_object_new_boolean(st->started));
        json_object_object_add(root, "cell_created", json_object_new_boolean(st->cell_created));
        if (st->image_kind[0] != '\0') {
                json_object *img = json_object_new_object();

                json_object_object_add(img, "kind", json_object_new_string(st->image_kind));
                json_object_object_add(
                        img, "digest",
                        st->image_digest[0] ? json_object_new_string(st->image_digest) : NULL);
                json_object_object_add(img, "imported",
                                       json_object_new_boolean(st->image_imported));
                json_object_object_add(root, "image", img);
        } else {
                json_object_object_add(root, "image", NULL);
        }
        json_object_object_add(root, "error",
                               st->error[0] ? json_object_new_string(st->error) : NULL);
        /* Where there was no cgroup set, nothing is known: null. */
        json_object_object_add(root, "usage", st->usage ? json_object_get(st->usage) : NULL);
        json_object_object_add(root, "oom_killed",
                               st->usage ? json_object_new_boolean(st->oom_killed) : NULL);
        json_object_object_add(root, "pids_limit_hit",
                               st->usage ? json_object_new_boolean(st->pids_limit_hit) : NULL);
        for (i = 0; i < JC_PHASE_COUNT; i++)
                json_object_object_add(ms, phase_names[i], json_object_new_double(st->ms[i]));
        json_object_object_add(root, "phases_ms", ms);
        json_object_object_add(root, "spec", spec ? jc_spec_to_json_object(spec, err) : NULL);
        text = json_object_to_json_string_ext(root,
                                              JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED);
        len = strlen(text);
        if (ftruncate(fd, 0) < 0 || pwrite(fd, text, len, 0) != (ssize_t)len ||
            pwrite(fd, "\n", 1, (off_t)len) != 1)
                rc = jc_error_set(err, errno, "write the status record");
        json_object_put(root);
        return rc;
}
