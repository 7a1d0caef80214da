/* libFuzzer target: reading a spec from JSON (make fuzz).
 *
 * The runner reads the spec the plugin or `jobcell policy explain --json'
 * wrote, so the reader must refuse anything that is not exactly a spec
 * and never misread one.  Any input it accepts must print as JSON, read
 * back, and print the same JSON again; otherwise abort(). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *detail)
{
        fprintf(stderr, "fuzz_spec_json: %s\n%s\n", what, detail ? detail : "");
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct jc_error err = { 0 };
        struct jc_spec spec, back;
        char *text, *json, *again;

        text = malloc(size + 1);
        if (text == NULL)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        if (jc_spec_from_json(&spec, text, &err) < 0) {
                if (err.msg[0] == '\0')
                        die("a refused spec with no message", NULL);
                free(text);
                return 0;
        }
        json = jc_spec_to_json(&spec, false, &err);
        if (json == NULL)
                die("jc_spec_to_json failed on a spec it read", err.msg);
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
        jc_spec_free(&spec);
        free(text);
        return 0;
}
