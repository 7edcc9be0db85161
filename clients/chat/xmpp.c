/* The XMPP transport (libstrophe 0.12): direct messages in and out, the
 * community room (joined with no history, configured as an instant room
 * when the server just created it, its echo of our own messages dropped),
 * TLS whenever the server offers it, reconnection with back-off and
 * rejoin. libstrophe has no pollable fd, so the loop alternates a short
 * xmpp_run_once() with the broker client's non-blocking processing.
 * Each inbound message is processed once: recent ids are remembered here,
 * and the change a message causes goes to the broker under a request id
 * derived from its id (bot.h), which the broker's dedup table remembers
 * durably — so a redelivery after a crash is not applied twice. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strophe.h>

#include "runtime.h"
#include "sj_zone.h"

#define NS_MUC "http://jabber.org/protocol/muc"
#define NS_MUC_USER "http://jabber.org/protocol/muc#user"
#define NS_MUC_OWNER "http://jabber.org/protocol/muc#owner"
#define NS_DATA "jabber:x:data"
#define NS_SID "urn:xmpp:sid:0"

#define BACKOFF_MIN_MS 500
#define BACKOFF_MAX_MS 30000
#define SEEN 512 /* inbound message ids remembered */
#define MAX_PASSWORD 1024

typedef struct {
    const sj_chat_opts_t *o;
    sj_chat_rt_t rt;
    xmpp_ctx_t *ctx;
    xmpp_conn_t *conn;
    bool connected, dropped, joined;
    char *bare;          /* our bare JID */
    char room_self[600]; /* room@service/nick */
    uint64_t seen[SEEN];
    unsigned seen_next;
} xmpp_t;

static void logf_kv(const char *level, const char *event, const char *extra)
{
    char ts[SJ_ZONE_TIME_MAX];
    sj_zone_now_rfc3339(ts, sizeof ts);
    fprintf(stderr, "ts=%s level=%s module=chat transport=xmpp event=%s%s%s\n",
            ts, level, event, extra ? " " : "", extra ? extra : "");
}

/* ------------------------------------------------------------- sending */

static void x_send_keyed(void *ctx, const char *handle, const char *text,
                         const char *key)
{
    xmpp_t *x = ctx;
    if (!x->connected) {
        logf_kv("warn", "reply_dropped", "reason=disconnected");
        return;
    }
    xmpp_stanza_t *m = xmpp_message_new(x->ctx, "chat", handle, key);
    if (!m)
        return;
    xmpp_message_set_body(m, text);
    xmpp_send(x->conn, m);
    xmpp_stanza_release(m);
}

static void x_send(void *ctx, const char *handle, const char *text)
{
    x_send_keyed(ctx, handle, text, NULL);
}

static void x_announce(void *ctx, const char *text)
{
    xmpp_t *x = ctx;
    if (!x->connected || !x->joined || !x->o->room)
        return;
    xmpp_stanza_t *m = xmpp_message_new(x->ctx, "groupchat", x->o->room, NULL);
    if (!m)
        return;
    xmpp_message_set_body(m, text);
    xmpp_send(x->conn, m);
    xmpp_stanza_release(m);
}

static void set_ready(xmpp_t *x)
{
    sj_chat_notify_set_ready(x->rt.notify, x->connected,
                             x->connected && x->joined);
}

/* ----------------------------------------------------------- the room */

static xmpp_stanza_t *child(xmpp_ctx_t *ctx, xmpp_stanza_t *parent,
                            const char *name, const char *ns)
{
    xmpp_stanza_t *c = xmpp_stanza_new(ctx);
    xmpp_stanza_set_name(c, name);
    if (ns)
        xmpp_stanza_set_ns(c, ns);
    xmpp_stanza_add_child(parent, c);
    xmpp_stanza_release(c); /* the parent holds it */
    return c;
}

/* Presence to room/nick with no history: join (or rejoin after a
 * reconnect). */
static void join_room(xmpp_t *x)
{
    if (!x->o->room)
        return;
    xmpp_stanza_t *p = xmpp_presence_new(x->ctx);
    xmpp_stanza_set_to(p, x->room_self);
    xmpp_stanza_t *mx = child(x->ctx, p, "x", NS_MUC);
    xmpp_stanza_t *h = child(x->ctx, mx, "history", NULL);
    xmpp_stanza_set_attribute(h, "maxstanzas", "0");
    xmpp_send(x->conn, p);
    xmpp_stanza_release(p);
}

/* A new room stays locked until its owner accepts the default
 * configuration: submit an empty form (an "instant room"). */
static void unlock_room(xmpp_t *x)
{
    xmpp_stanza_t *iq = xmpp_iq_new(x->ctx, "set", "shangju-instant-room");
    xmpp_stanza_set_to(iq, x->o->room);
    xmpp_stanza_t *q = child(x->ctx, iq, "query", NS_MUC_OWNER);
    xmpp_stanza_t *f = child(x->ctx, q, "x", NS_DATA);
    xmpp_stanza_set_type(f, "submit");
    xmpp_send(x->conn, iq);
    xmpp_stanza_release(iq);
    logf_kv("info", "room_created", NULL);
}

static bool has_status(xmpp_stanza_t *st, const char *code)
{
    xmpp_stanza_t *mx =
        xmpp_stanza_get_child_by_name_and_ns(st, "x", NS_MUC_USER);
    for (xmpp_stanza_t *c = mx ? xmpp_stanza_get_children(mx) : NULL; c;
         c = xmpp_stanza_get_next(c)) {
        const char *n = xmpp_stanza_get_name(c);
        const char *v = xmpp_stanza_get_attribute(c, "code");
        if (n && v && strcmp(n, "status") == 0 && strcmp(v, code) == 0)
            return true;
    }
    return false;
}

static int on_presence(xmpp_conn_t *conn, xmpp_stanza_t *st, void *ud)
{
    (void)conn;
    xmpp_t *x = ud;
    const char *from = xmpp_stanza_get_from(st);
    const char *type = xmpp_stanza_get_type(st);
    if (from && type && strcmp(type, "subscribe") == 0) {
        /* Anyone may see the bridge online: it reveals nothing, and chat
         * apps then show it as a normal contact. */
        xmpp_stanza_t *p = xmpp_presence_new(x->ctx);
        xmpp_stanza_set_to(p, from);
        xmpp_stanza_set_type(p, "subscribed");
        xmpp_send(x->conn, p);
        xmpp_stanza_release(p);
        return 1;
    }
    if (!x->o->room || !from || strcmp(from, x->room_self) != 0)
        return 1;
    if (type && strcmp(type, "error") == 0) {
        x->joined = false;
        logf_kv("error", "room_join_failed", NULL);
    } else if (type && strcmp(type, "unavailable") == 0) {
        x->joined = false;
    } else {
        if (has_status(st, "201"))
            unlock_room(x);
        if (!x->joined)
            logf_kv("info", "room_joined", NULL);
        x->joined = true;
    }
    set_ready(x);
    return 1;
}

/* ---------------------------------------------------------- receiving */

static uint64_t fnv(const char *a, const char *b)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = a; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
    for (const char *p = b; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h ? h : 1;
}

/* True the first time (handle, id) is seen by this process. */
static bool first_time(xmpp_t *x, const char *handle, const char *id)
{
    uint64_t k = fnv(handle, id);
    for (unsigned i = 0; i < SEEN; i++)
        if (x->seen[i] == k)
            return false;
    x->seen[x->seen_next++ % SEEN] = k;
    return true;
}

/* The message's id: the server's stanza-id (XEP-0359) for us when there
 * is one, else the sender's id attribute. */
static const char *message_id(xmpp_t *x, xmpp_stanza_t *st)
{
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(st); c;
         c = xmpp_stanza_get_next(c)) {
        const char *n = xmpp_stanza_get_name(c), *ns = xmpp_stanza_get_ns(c);
        const char *by = xmpp_stanza_get_attribute(c, "by");
        if (n && ns && by && strcmp(n, "stanza-id") == 0 &&
            strcmp(ns, NS_SID) == 0 && strcmp(by, x->bare) == 0)
            return xmpp_stanza_get_attribute(c, "id");
    }
    return xmpp_stanza_get_id(st);
}

static int on_message(xmpp_conn_t *conn, xmpp_stanza_t *st, void *ud)
{
    (void)conn;
    xmpp_t *x = ud;
    const char *type = xmpp_stanza_get_type(st);
    const char *from = xmpp_stanza_get_from(st);
    if (!from ||
        (type && (strcmp(type, "error") == 0 || strcmp(type, "headline") == 0)))
        return 1;
    if (type && strcmp(type, "groupchat") == 0) {
        /* The room repeats what we said: never answer ourselves. Other
         * occupants' room messages are not commands (their real JIDs are
         * hidden there); residents talk to the bridge directly. */
        if (strcmp(from, x->room_self) == 0)
            logf_kv("debug", "echo_filtered", NULL);
        return 1;
    }
    char *bare = xmpp_jid_bare(x->ctx, from);
    /* Never from ourselves (a reply to ourselves would loop) nor from the
     * room's occupants privately (their real JIDs are hidden). */
    if (!bare || strcmp(bare, x->bare) == 0 ||
        (x->o->room && strcmp(bare, x->o->room) == 0)) {
        xmpp_free(x->ctx, bare);
        return 1;
    }
    char *body = xmpp_message_get_body(st);
    if (!body) {
        xmpp_free(x->ctx, bare);
        return 1; /* chat states, receipts */
    }
    const char *id = message_id(x, st);
    if (!id || first_time(x, bare, id))
        sj_chat_bot_message(x->rt.bot, bare, body, strlen(body),
                            sj_chat_now_ms(), id);
    else
        logf_kv("info", "duplicate_dropped", NULL);
    xmpp_free(x->ctx, bare);
    xmpp_free(x->ctx, body);
    return 1;
}

/* ---------------------------------------------------------- the stream */

static void on_conn(xmpp_conn_t *conn, xmpp_conn_event_t status, int error,
                    xmpp_stream_error_t *serr, void *ud)
{
    (void)serr;
    xmpp_t *x = ud;
    if (status == XMPP_CONN_CONNECT) {
        char kv[64];
        snprintf(kv, sizeof kv, "tls=%s",
                 xmpp_conn_is_secured(conn) ? "yes" : "no");
        logf_kv("info", "connected", kv);
        x->connected = true;
        x->joined = false;
        xmpp_handler_add(conn, on_message, NULL, "message", NULL, x);
        xmpp_handler_add(conn, on_presence, NULL, "presence", NULL, x);
        /* Available: the server now delivers messages stored while we
         * were away. */
        xmpp_stanza_t *p = xmpp_presence_new(x->ctx);
        xmpp_send(conn, p);
        xmpp_stanza_release(p);
        join_room(x);
    } else {
        char kv[32];
        snprintf(kv, sizeof kv, "error=%d", error);
        logf_kv("warn", "disconnected", kv);
        x->connected = x->joined = false;
        x->dropped = true;
    }
    set_ready(x);
}

static int read_password(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, _("shangju-chat: cannot read '%s': %s\n"), path,
                strerror(errno));
        return -1;
    }
    bool ok = fgets(out, (int)cap, f) != NULL;
    fclose(f);
    out[ok ? strcspn(out, "\r\n") : 0] = 0;
    if (!*out) {
        fprintf(stderr, _("shangju-chat: no password in '%s'\n"), path);
        return -1;
    }
    return 0;
}

/* Serve the broker for ms milliseconds (while waiting to reconnect). */
static void serve_broker(xmpp_t *x, int64_t ms)
{
    int64_t until = sj_chat_now_ms() + ms;
    while (!sj_chat_stop && sj_chat_now_ms() < until) {
        xmpp_run_once(x->ctx, 20);
        sj_chat_rt_service(&x->rt);
    }
}

static bool start_conn(xmpp_t *x, const char *password)
{
    x->conn = xmpp_conn_new(x->ctx);
    if (!x->conn)
        return false;
    xmpp_conn_set_jid(x->conn, x->o->jid);
    xmpp_conn_set_pass(x->conn, password);
    /* TLS is used whenever the server offers it; --xmpp-trust-tls accepts
     * a certificate that does not verify (a self-signed one), TLS still. */
    if (x->o->trust_tls)
        xmpp_conn_set_flags(x->conn, XMPP_CONN_FLAG_TRUST_TLS);
    /* TCP keepalive: a dead server is noticed, then reconnected to. */
    xmpp_conn_set_sockopt_callback(x->conn, xmpp_sockopt_cb_keepalive);
    x->dropped = false;
    if (xmpp_connect_client(x->conn, x->o->host, x->o->port, on_conn, x) !=
        XMPP_EOK) {
        xmpp_conn_release(x->conn);
        x->conn = NULL;
        return false;
    }
    return true;
}

int sj_chat_xmpp_run(const sj_chat_opts_t *o)
{
    char password[MAX_PASSWORD];
    if (read_password(o->password_file, password, sizeof password) != 0)
        return 1;
    static xmpp_t x; /* its address is in libstrophe's handlers */
    memset(&x, 0, sizeof x);
    x.o = o;
    if (o->room && snprintf(x.room_self, sizeof x.room_self, "%s/%s", o->room,
                            o->nick) >= (int)sizeof x.room_self) {
        fputs(_("shangju-chat: --room too long\n"), stderr);
        return 2;
    }
    xmpp_initialize();
    x.ctx = xmpp_ctx_new(NULL, NULL);
    sj_chat_transport_t out = {x_send, o->room ? x_announce : NULL, &x,
                               x_send_keyed};
    if (!x.ctx || sj_chat_rt_init(&x.rt, o, &out) != 0) {
        if (x.ctx)
            xmpp_ctx_free(x.ctx);
        xmpp_shutdown();
        return 1;
    }
    x.bare = xmpp_jid_bare(x.ctx, o->jid);
    set_ready(&x);
    int64_t backoff = BACKOFF_MIN_MS;
    while (!sj_chat_stop) {
        if (!start_conn(&x, password)) {
            logf_kv("warn", "connect_failed", NULL);
        } else {
            bool was_up = false;
            while (!sj_chat_stop && !x.dropped) {
                xmpp_run_once(x.ctx, 20);
                sj_chat_rt_service(&x.rt);
                was_up |= x.connected;
            }
            if (sj_chat_stop && x.connected) {
                /* Orderly stop: answers and the cursor first, then leave. */
                int64_t until = sj_chat_now_ms() + 5000;
                while (!sj_chat_rt_idle(&x.rt) && sj_chat_now_ms() < until) {
                    xmpp_run_once(x.ctx, 20);
                    sj_chat_rt_service(&x.rt);
                }
                xmpp_disconnect(x.conn);
                until = sj_chat_now_ms() + 2000;
                while (!x.dropped && sj_chat_now_ms() < until)
                    xmpp_run_once(x.ctx, 20);
            }
            xmpp_conn_release(x.conn);
            x.conn = NULL;
            if (was_up)
                backoff = BACKOFF_MIN_MS;
        }
        if (sj_chat_stop)
            break;
        char kv[48];
        snprintf(kv, sizeof kv, "retry_ms=%lld", (long long)backoff);
        logf_kv("info", "reconnecting", kv);
        serve_broker(&x, backoff);
        backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
    }
    /* Not connected at the stop: still store what was handled. */
    int64_t until = sj_chat_now_ms() + 2000;
    while (!sj_chat_rt_idle(&x.rt) && sj_chat_now_ms() < until)
        serve_broker(&x, 20);
    sj_chat_rt_end(&x.rt);
    xmpp_free(x.ctx, x.bare);
    xmpp_ctx_free(x.ctx);
    xmpp_shutdown();
    memset(password, 0, sizeof password);
    return 0;
}
