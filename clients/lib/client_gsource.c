/* The GSource of client_gsource.h. sj_client_fd() is edge-triggered in
 * effect (ZMQ_FD), so the source never waits on it while the library says
 * work is already waiting (next timeout 0): prepare() reports ready then. */
#include "client_gsource.h"

typedef struct {
    GSource base;
    sj_client_t *c;
    gpointer tag; /* the fd watch */
} client_source_t;

static gboolean prepare(GSource *s, gint *timeout)
{
    client_source_t *cs = (client_source_t *)s;
    int ms = sj_client_next_timeout_ms(cs->c);
    *timeout = ms;
    return ms == 0;
}

static gboolean check(GSource *s)
{
    client_source_t *cs = (client_source_t *)s;
    if (g_source_query_unix_fd(s, cs->tag) & G_IO_IN)
        return TRUE;
    return sj_client_next_timeout_ms(cs->c) == 0;
}

static gboolean dispatch(GSource *s, GSourceFunc cb, gpointer ud)
{
    client_source_t *cs = (client_source_t *)s;
    int n = sj_client_process(cs->c);
    if (n > 0 && cb)
        cb(ud);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs funcs = {
    .prepare = prepare,
    .check = check,
    .dispatch = dispatch,
};

GSource *sj_client_gsource_new(sj_client_t *c)
{
    g_assert(c);
    GSource *s = g_source_new(&funcs, sizeof(client_source_t));
    client_source_t *cs = (client_source_t *)s;
    cs->c = c;
    cs->tag = g_source_add_unix_fd(s, sj_client_fd(c), G_IO_IN);
    g_source_set_name(s, "sj_client");
    return s;
}
