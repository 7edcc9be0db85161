/* The loop pieces every transport shares (runtime.h): the client library
 * adapted to the bot's broker interface, the subscription that starts from
 * the cursor the broker keeps, and the periodic ticks. */
#include "runtime.h"
#include "sj_zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

volatile sig_atomic_t sj_chat_stop;

static void on_signal(int sig)
{
    (void)sig;
    sj_chat_stop = 1;
}

void sj_chat_rt_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int64_t sj_chat_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct {
    sj_chat_reply_fn *cb;
    void *job;
    GHashTable *live; /* rt->pending: freed there if never answered */
} pending_t;

static void adapt(sj_client_t *c, const Shangju__Reply *r, int err, void *ud)
{
    (void)c;
    pending_t p = *(pending_t *)ud;
    g_hash_table_remove(p.live, ud);
    p.cb(p.job, r, err);
}

/* sj_chat_call_fn over the client library's asynchronous send. */
static int client_call(void *ctx, Shangju__Request *req, sj_chat_reply_fn *cb,
                       void *job)
{
    sj_chat_rt_t *rt = ctx;
    pending_t *p = g_try_new(pending_t, 1);
    if (!p)
        return SJ_ENOMEM;
    p->cb = cb;
    p->job = job;
    p->live = rt->pending;
    g_hash_table_add(rt->pending, p);
    int rc = sj_client_send(rt->client, req, adapt, p);
    if (rc)
        g_hash_table_remove(rt->pending, p);
    return rc;
}

static void on_event(sj_client_t *c, const Shangju__Event *ev, int err,
                     void *ud)
{
    (void)c;
    sj_chat_rt_t *rt = ud;
    if (!err && ev)
        sj_chat_notify_event(rt->notify, ev);
}

static void on_ready(void *ud, uint64_t from, int err)
{
    sj_chat_rt_t *rt = ud;
    rt->subscribing = false;
    if (err || !from) {
        rt->restart_at = sj_chat_now_ms() + 2000;
        return;
    }
    static const char *const topics[] = {"wish.", "points.earned"};
    if (sj_client_subscribe(rt->client, topics, 2, from, on_event, rt) != 0) {
        char ts[SJ_ZONE_TIME_MAX];
        sj_zone_now_rfc3339(ts, sizeof ts);
        fprintf(stderr,
                "ts=%s level=error module=chat event=subscribe_failed\n", ts);
        rt->restart_at = sj_chat_now_ms() + 2000;
        return;
    }
    rt->subscribed = true;
    char ts[SJ_ZONE_TIME_MAX];
    sj_zone_now_rfc3339(ts, sizeof ts);
    fprintf(stderr,
            "ts=%s level=info module=chat event=subscribed from_seq=%llu\n", ts,
            (unsigned long long)from);
}

int sj_chat_rt_init(sj_chat_rt_t *rt, const sj_chat_opts_t *o,
                    const sj_chat_transport_t *out)
{
    memset(rt, 0, sizeof *rt);
    sj_client_opts_t co = {
        .requests = o->requests,
        .events = o->events,
        .key_file = o->key,
        .server_key_file = o->server_key,
        .timeout_ms = o->timeout_ms,
    };
    int err = 0;
    rt->client = sj_client_new(&co, &err);
    if (!rt->client) {
        fprintf(stderr,
                _("shangju-chat: cannot connect with key '%s' and server key "
                  "'%s' (error %d)\n"),
                o->key, o->server_key, err);
        return -1;
    }
    rt->pending =
        g_hash_table_new_full(g_direct_hash, g_direct_equal, g_free, NULL);
    sj_chat_broker_t br = {client_call, rt};
    sj_chat_notify_opts_t no = {.room_lang = o->room_lang};
    if (o->wecom_webhook_file) { /* the robot: closed wishes' thanks too */
        no.room_interval_ms =
            o->webhook_interval_ms ? o->webhook_interval_ms : 3000;
        no.announce_closed = true;
    }
    rt->bot = sj_chat_bot_new(&br, out, &o->bot);
    rt->notify = sj_chat_notify_new(&br, out, &no);
    if (!rt->bot || !rt->notify) {
        fputs(_("shangju-chat: out of memory\n"), stderr);
        sj_chat_rt_end(rt);
        return -1;
    }
    return 0;
}

void sj_chat_rt_end(sj_chat_rt_t *rt)
{
    /* The client first: its pending callbacks point into bot and notify;
     * it drops them uncalled, so their adapters are freed here. */
    sj_client_destroy(&rt->client);
    if (rt->pending)
        g_hash_table_destroy(rt->pending);
    rt->pending = NULL;
    sj_chat_bot_destroy(&rt->bot);
    sj_chat_notify_destroy(&rt->notify);
}

int sj_chat_rt_fd(const sj_chat_rt_t *rt)
{
    return sj_client_fd(rt->client);
}

int sj_chat_rt_timeout_ms(sj_chat_rt_t *rt)
{
    int t = sj_client_next_timeout_ms(rt->client);
    return t < 0 || t > 100 ? 100 : t;
}

void sj_chat_rt_service(sj_chat_rt_t *rt)
{
    int64_t now = sj_chat_now_ms();
    if (!rt->subscribed && !rt->subscribing && now >= rt->restart_at) {
        rt->subscribing = true;
        if (sj_chat_notify_start(rt->notify, on_ready, rt) != 0) {
            rt->subscribing = false;
            rt->restart_at = now + 2000;
        }
    }
    sj_client_process(rt->client);
    sj_chat_notify_tick(rt->notify, now);
    if (now - rt->bot_ticked > 10000) { /* forget idle handles */
        sj_chat_bot_tick(rt->bot, now);
        rt->bot_ticked = now;
    }
    sj_client_process(rt->client);
}

bool sj_chat_rt_idle(const sj_chat_rt_t *rt)
{
    return !sj_chat_bot_busy(rt->bot) && sj_chat_notify_idle(rt->notify);
}
