/* The spec's relay ports (policy/spec.h): how they are written, in the
 * spec's JSON and in the address part of a PMIx server URI. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "spec.h"

/* PORT strictly: 1-65535, decimal digits only, no leading zero, nothing
 * after it (a URI the user wrote must not smuggle anything past us). */
static int port_parse(const char *s, uint16_t *port)
{
        unsigned long v = 0;
        const char *c;

        if (s[0] < '1' || s[0] > '9' || strlen(s) > 5)
                return -1;
        for (c = s; *c != '\0'; c++) {
                if (*c < '0' || *c > '9')
                        return -1;
                v = v * 10 + (unsigned long)(*c - '0');
        }
        if (v > 65535)
                return -1;
        *port = (uint16_t)v;
        return 0;
}

int jc_relay_port_parse(const char *s, struct jc_relay_port *p, struct jc_error *err)
{
        static const char v4[] = "127.0.0.1:", v6[] = "[::1]:";

        if (strncmp(s, v4, sizeof(v4) - 1) == 0 && port_parse(s + sizeof(v4) - 1, &p->port) == 0) {
                p->v6 = false;
                return 0;
        }
        if (strncmp(s, v6, sizeof(v6) - 1) == 0 && port_parse(s + sizeof(v6) - 1, &p->port) == 0) {
                p->v6 = true;
                return 0;
        }
        return jc_error_set(err, EINVAL, "relay port `%s': not 127.0.0.1:PORT or [::1]:PORT", s);
}

void jc_relay_port_format(const struct jc_relay_port *p, char *buf, size_t len)
{
        snprintf(buf, len, "%s:%u", p->v6 ? "[::1]" : "127.0.0.1", (unsigned)p->port);
}

static int port_cmp(const struct jc_relay_port *a, const struct jc_relay_port *b)
{
        if (a->v6 != b->v6)
                return a->v6 ? 1 : -1;
        return (int)a->port - (int)b->port;
}

int jc_relay_ports_add(struct jc_relay_ports *r, const struct jc_relay_port *p,
                       struct jc_error *err)
{
        size_t i;

        for (i = 0; i < r->n && port_cmp(&r->v[i], p) < 0; i++)
                ;
        if (i < r->n && port_cmp(&r->v[i], p) == 0)
                return 0;
        if (r->n == JC_RELAY_MAX)
                return jc_error_set(err, E2BIG, "relay ports: more than %d", JC_RELAY_MAX);
        memmove(&r->v[i + 1], &r->v[i], (r->n - i) * sizeof(r->v[0]));
        r->v[i] = *p;
        r->n++;
        return 0;
}
