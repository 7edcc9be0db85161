/* The broker's event loop: poll the ROUTER, the ZAP handler and the timer
 * deadline; drain waiting requests into a batch; group-commit it; only then
 * send the replies and publish the events. */
#include "server.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "batch.h"
#include "codec.h"
#include "log.h"
#include "zap.h"

#define MAX_WAIT_MS 1000
#define SEND_HWM 100000

struct sj_server {
    const sj_config_t *cfg;
    sj_store_t *store;
    void *ctx, *router, *pub;
    sj_zap_t *zap;
    /* the batch being built: routing ids, frames and items */
    zmq_msg_t *ids, *frames;
    sj_batch_item_t *items;
    size_t n;
    sj_batch_out_t out;
    uint64_t batches, requests;
};

static int set_int(void *sock, int opt, int v)
{
    return zmq_setsockopt(sock, opt, &v, sizeof v);
}

/* A CURVE server socket with the limits every inbound socket gets. */
static void *server_socket(sj_server_t *s, int type, const sj_keypair_t *key,
                           const char *ep)
{
    void *sock = zmq_socket(s->ctx, type);
    int64_t max = SJ_MAX_FRAME;
    if (!sock || set_int(sock, ZMQ_CURVE_SERVER, 1) ||
        zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, key->secret_key, 32) ||
        zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, "shangju", 7) ||
        zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &max, sizeof max) ||
        set_int(sock, ZMQ_SNDHWM, SEND_HWM) ||
        set_int(sock, ZMQ_LINGER, 2000) || zmq_bind(sock, ep) != 0) {
        sj_log(SJ_LOG_ERROR, "event=bind_failed endpoint=%s err=\"%s\"", ep,
               zmq_strerror(zmq_errno()));
        if (sock)
            zmq_close(sock);
        return NULL;
    }
    return sock;
}

int sj_server_new(const sj_config_t *cfg, sj_store_t *store,
                  const sj_keypair_t *key, sj_server_t **out)
{
    sj_server_t *s = calloc(1, sizeof *s);
    if (!s)
        return SJ_ENOMEM;
    s->cfg = cfg;
    s->store = store;
    s->ids = calloc(cfg->batch_max, sizeof *s->ids);
    s->frames = calloc(cfg->batch_max, sizeof *s->frames);
    s->items = calloc(cfg->batch_max, sizeof *s->items);
    s->ctx = zmq_ctx_new();
    if (!s->ids || !s->frames || !s->items || !s->ctx)
        goto fail;
    /* ZAP first: a CURVE socket without a handler would admit anyone. */
    if (sj_zap_new(s->ctx, store, &s->zap) != 0)
        goto fail;
    s->router = server_socket(s, ZMQ_ROUTER, key, cfg->requests_ep);
    if (!s->router)
        goto fail;
    s->pub = server_socket(s, ZMQ_PUB, key, cfg->events_ep);
    if (!s->pub)
        goto fail;
    *out = s;
    return SJ_OK;
fail:
    sj_server_destroy(&s);
    return SJ_EIO;
}

void sj_server_destroy(sj_server_t **self)
{
    sj_server_t *s = self ? *self : NULL;
    if (!s)
        return;
    if (s->router)
        zmq_close(s->router);
    if (s->pub)
        zmq_close(s->pub);
    sj_zap_destroy(&s->zap);
    if (s->ctx)
        zmq_ctx_term(s->ctx);
    free(s->ids);
    free(s->frames);
    free(s->items);
    free(s->out.events);
    free(s);
    *self = NULL;
}

/* Receive one [routing id][request] message into slot s->n. Returns 1 when
 * a message was taken, 0 when none is waiting. Extra frames are dropped. */
static int take_one(sj_server_t *s)
{
    zmq_msg_t *id = &s->ids[s->n], *frame = &s->frames[s->n];
    zmq_msg_init(id);
    if (zmq_msg_recv(id, s->router, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(id);
        return 0;
    }
    zmq_msg_init(frame);
    if (!zmq_msg_more(id) || zmq_msg_recv(frame, s->router, 0) < 0) {
        zmq_msg_close(id);
        zmq_msg_close(frame);
        return 0;
    }
    int extra = 0;
    while (zmq_msg_more(frame) || extra) { /* a client sent several frames */
        zmq_msg_t junk;
        zmq_msg_init(&junk);
        int rc = zmq_msg_recv(&junk, s->router, 0);
        extra = rc >= 0 && zmq_msg_more(&junk);
        zmq_msg_close(&junk);
        if (rc < 0 || !extra)
            break;
    }
    sj_batch_item_t *it = &s->items[s->n];
    memset(it, 0, sizeof *it);
    const char *user = zmq_msg_gets(frame, "User-Id");
    if (!user || sj_key_from_z85(user, it->client_key) != 0)
        memset(it->client_key, 0, sizeof it->client_key);
    it->payload = zmq_msg_data(frame);
    it->len = zmq_msg_size(frame);
    s->n++;
    return 1;
}

static void send_replies(sj_server_t *s)
{
    for (size_t i = 0; i < s->n; i++) {
        sj_batch_item_t *it = &s->items[i];
        if (it->reply &&
            (zmq_msg_send(&s->ids[i], s->router, ZMQ_SNDMORE | ZMQ_DONTWAIT) <
                 0 ||
             zmq_send(s->router, it->reply, it->reply_len, ZMQ_DONTWAIT) < 0))
            sj_log(SJ_LOG_DEBUG, "event=reply_dropped err=\"%s\"",
                   zmq_strerror(zmq_errno()));
    }
    for (size_t i = 0; i < s->out.n_events; i++) {
        const sj_outevent_t *e = &s->out.events[i];
        zmq_send(s->pub, e->topic, strlen(e->topic), ZMQ_SNDMORE);
        zmq_send(s->pub, e->data, e->len, 0);
    }
}

static void end_batch(sj_server_t *s)
{
    sj_batch_clear(s->items, s->n, &s->out);
    for (size_t i = 0; i < s->n; i++) {
        zmq_msg_close(&s->ids[i]);
        zmq_msg_close(&s->frames[i]);
    }
    s->n = 0;
}

/* One group commit: requests waiting (s->n of them) and due timers. */
static int run_batch(sj_server_t *s)
{
    int64_t t0 = sj_now_ms();
    int err = sj_batch_apply(s->store, s->cfg, t0, s->items, s->n, &s->out);
    if (err == 0)
        send_replies(s);
    else
        sj_log(SJ_LOG_ERROR, "event=batch_lost requests=%zu err=\"%s\"", s->n,
               sj_strerror(err));
    if (s->n || s->out.timers_fired)
        sj_log(SJ_LOG_DEBUG,
               "event=batch requests=%zu events=%zu timers=%u retries=%u "
               "ms=%lld",
               s->n, s->out.n_events, s->out.timers_fired, s->out.replayed,
               (long long)(sj_now_ms() - t0));
    s->batches++;
    s->requests += s->n;
    end_batch(s);
    return err;
}

static int64_t next_timer(sj_server_t *s)
{
    sj_txn_t *txn;
    int64_t due = INT64_MAX;
    if (sj_txn_begin(s->store, false, &txn) == 0) {
        sj_timer_next(txn, &due);
        sj_txn_abort(&txn);
    }
    return due;
}

int sj_server_run(sj_server_t *s, volatile sig_atomic_t *stop)
{
    int64_t due = next_timer(s);
    while (!*stop) {
        int64_t now = sj_now_ms();
        long wait = due <= now                ? 0
                    : due - now > MAX_WAIT_MS ? MAX_WAIT_MS
                                              : (long)(due - now);
        zmq_pollitem_t items[] = {
            {sj_zap_socket(s->zap), 0, ZMQ_POLLIN, 0},
            {s->router, 0, ZMQ_POLLIN, 0},
        };
        int rc = zmq_poll(items, 2, wait);
        if (rc < 0 && zmq_errno() != EINTR) {
            sj_log(SJ_LOG_ERROR, "event=poll_failed err=\"%s\"",
                   zmq_strerror(zmq_errno()));
            return SJ_EIO;
        }
        if (rc > 0 && (items[0].revents & ZMQ_POLLIN))
            sj_zap_handle(s->zap);
        if (rc > 0 && (items[1].revents & ZMQ_POLLIN))
            while (s->n < s->cfg->batch_max && take_one(s))
                ;
        if (s->n || sj_now_ms() >= due) {
            run_batch(s);
            due = next_timer(s);
            /* Timers still due (a backlog, or one that keeps failing) get
             * another turn soon, without spinning. */
            if (due <= sj_now_ms())
                due = sj_now_ms() + 50;
        }
    }
    sj_log(SJ_LOG_INFO, "event=stopping batches=%llu requests=%llu",
           (unsigned long long)s->batches, (unsigned long long)s->requests);
    return SJ_OK;
}
