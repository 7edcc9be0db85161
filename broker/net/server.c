/* The broker's event loop: poll the ROUTER, the ZAP handler and the timer
 * deadline; drain waiting requests into a batch; group-commit it; only then
 * send the replies and publish the events' stubs (visibility.h). */
#include "server.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "batch.h"
#include "codec.h"
#include "conns.h"
#include "dispatch.h"
#include "jobs.h"
#include "log.h"
#include "notice.h"
#include "placard_cache.h"
#include "rate.h"
#include "read.h"
#include "zap.h"

#define MAX_WAIT_MS 1000
/* Outbound queues per peer, in messages (ZeroMQ has no byte bound): a
 * client that never reads its replies holds at most REPLY_HWM of them
 * (each at most SJ_MAX_PAGE_BYTES-ish: pages are bounded in bytes), and a
 * subscriber that never reads at most EVENT_HWM stubs; past that ZeroMQ
 * drops, and the subscriber catches up by Replay. */
#define REPLY_HWM 256
#define EVENT_HWM 10000
/* A member whose reads wait in the pool is told to come back this soon. */
#define QUEUE_FULL_RETRY_MS 200
#define PLACARD_CACHE_BYTES ((size_t)32 << 20)
/* A peer has this long to finish the CURVE handshake (libzmq's default is
 * 30 s): connections that never start it hold a descriptor each, and a
 * flood of them would keep every member out for that long. */
#define HANDSHAKE_MS 5000
/* Re-binding the PUB socket: the old listener closes in ZeroMQ's I/O
 * thread, so the port may be busy for a moment. */
#define REBIND_TRIES 100
#define REBIND_PAUSE_MS 10
/* Without a PUB socket (the port taken meanwhile), try again this often. */
#define REBIND_RETRY_MS 1000
/* The map's use is looked at this often; a warning from this percent. */
#define MAP_CHECK_MS 10000
#define MAP_WARN_PERCENT 80
#define MONITOR_EP "inproc://shangju.router.monitor"

struct sj_server {
    const sj_config_t *cfg;
    sj_store_t *store;
    sj_batch_env_t env; /* store, cfg, &stats, the notice signer */
    void *ctx, *router, *pub;
    sj_keypair_t key;     /* the server key, for re-binding PUB */
    char pub_ep[256];     /* the PUB endpoint as bound (port resolved) */
    int64_t pub_retry_at; /* no PUB socket: when to try binding again */
    sj_zap_t *zap;
    /* the batch being built: routing ids, frames and items */
    zmq_msg_t *ids, *frames;
    sj_batch_item_t *items;
    size_t n;
    sj_batch_out_t out;
    sj_broker_stats_t stats;
    void *monitor;        /* PAIR: the ROUTER's connection events */
    int map_band;         /* map use last warned about (80, 85, ...; 0) */
    int64_t map_check_at; /* when to look at the map's use again */
    /* at most one background job at a time, answered when it completes */
    sj_job_t *job;
    zmq_msg_t job_peer;
    /* issue 13: reads beside the loop, limits, the placard cache, and the
     * subscription prefixes an XPUB accepts (every prefix of a topic) */
    sj_readers_t *readers;
    sj_rate_t *rate;
    sj_placard_cache_t *placards;
    uint64_t subs_refused;
    /* connections per member and silent ones (conns.h) */
    sj_conns_t *conns;
    int router_port; /* the ROUTER's TCP port (0: not TCP) */
};

static int set_int(void *sock, int opt, int v)
{
    return zmq_setsockopt(sock, opt, &v, sizeof v);
}

/* A CURVE server socket with the limits every inbound socket gets. When
 * quiet, a failed bind is left to the caller to report. */
static void *server_socket(sj_server_t *s, int type, const char *ep, bool quiet)
{
    void *sock = zmq_socket(s->ctx, type);
    int64_t max = SJ_MAX_FRAME + SJ_CURVE_OVERHEAD;
    if (!sock || set_int(sock, ZMQ_CURVE_SERVER, 1) ||
        zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, s->key.secret_key, 32) ||
        zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, "shangju", 7) ||
        zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &max, sizeof max) ||
        set_int(sock, ZMQ_SNDHWM, type == ZMQ_XPUB ? EVENT_HWM : REPLY_HWM) ||
        (type == ZMQ_XPUB && set_int(sock, ZMQ_XPUB_MANUAL, 1)) ||
        set_int(sock, ZMQ_HANDSHAKE_IVL, HANDSHAKE_MS) ||
        set_int(sock, ZMQ_LINGER, 2000) || zmq_bind(sock, ep) != 0) {
        if (!quiet)
            sj_log(SJ_LOG_ERROR, "event=bind_failed endpoint=%s err=\"%s\"", ep,
                   zmq_strerror(zmq_errno()));
        if (sock)
            zmq_close(sock);
        return NULL;
    }
    return sock;
}

/* ZAP admits a key when a connection is made, never later, so after a key
 * stops working (suspend, rekey) a subscriber holding it would go on
 * receiving. Close the PUB socket and bind it again: every subscriber's
 * socket reconnects by itself and passes ZAP anew, which refuses the
 * revoked key; the others catch up what they missed through Replay. The
 * stubs already sent are flushed (linger) before the old socket goes. */
static int rebind_pub(sj_server_t *s, int max_tries)
{
    if (s->pub)
        zmq_close(s->pub);
    s->pub = NULL;
    int tries = 0;
    while (tries < max_tries && !s->pub) {
        tries++;
        s->pub = server_socket(s, ZMQ_XPUB, s->pub_ep, true);
        if (!s->pub && tries < max_tries) {
            struct timespec ts = {0, REBIND_PAUSE_MS * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    if (!s->pub) {
        sj_log(SJ_LOG_ERROR,
               "event=bind_failed endpoint=%s err=\"%s\" "
               "msg=\"no live events; subscribers catch up by Replay\"",
               s->pub_ep, zmq_strerror(zmq_errno()));
        s->pub_retry_at = sj_now_ms() + REBIND_RETRY_MS;
        return SJ_EIO;
    }
    sj_log(SJ_LOG_INFO, "event=events_rebound tries=%d", tries);
    return SJ_OK;
}

/* A reader job's tag: the routing id of the peer to answer. */
static void free_tag(void *tag)
{
    zmq_msg_close(tag);
    free(tag);
}

int sj_server_new(const sj_config_t *cfg, sj_store_t *store,
                  const sj_keypair_t *key, const sj_signer_t *signer,
                  sj_server_t **out)
{
    sj_server_t *s = calloc(1, sizeof *s);
    if (!s)
        return SJ_ENOMEM;
    s->cfg = cfg;
    s->store = store;
    s->stats.started_at = sj_now_ms();
    s->stats.map_max = cfg->map_max;
    if (sj_rate_new(cfg, &s->rate) != 0 ||
        sj_conns_new(cfg->max_connections, cfg->silent_ms, &s->conns) != 0 ||
        sj_placard_cache_new(PLACARD_CACHE_BYTES, &s->placards) != 0) {
        sj_server_destroy(&s);
        return SJ_ENOMEM;
    }
    s->env = (sj_batch_env_t){.store = store,
                              .cfg = cfg,
                              .stats = &s->stats,
                              .signer = signer,
                              .rate = s->rate,
                              .placards = s->placards};
    s->ids = calloc(cfg->batch_max, sizeof *s->ids);
    s->frames = calloc(cfg->batch_max, sizeof *s->frames);
    s->items = calloc(cfg->batch_max, sizeof *s->items);
    s->ctx = zmq_ctx_new();
    if (!s->ids || !s->frames || !s->items || !s->ctx)
        goto fail;
    /* ZAP first: a CURVE socket without a handler would admit anyone. */
    if (sj_zap_new(s->ctx, store, cfg, &s->zap) != 0)
        goto fail;
    s->key = *key;
    s->router = server_socket(s, ZMQ_ROUTER, cfg->requests_ep, false);
    if (!s->router)
        goto fail;
    char router_ep[256];
    size_t router_len = sizeof router_ep;
    if (zmq_getsockopt(s->router, ZMQ_LAST_ENDPOINT, router_ep, &router_len) ==
            0 &&
        strncmp(router_ep, "tcp://", 6) == 0 && strrchr(router_ep, ':'))
        s->router_port = atoi(strrchr(router_ep, ':') + 1);
    /* Connections opened and closed: the metrics' client count, and the
     * fd table of conns.h. */
    if (zmq_socket_monitor(s->router, MONITOR_EP,
                           ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) != 0 ||
        !(s->monitor = zmq_socket(s->ctx, ZMQ_PAIR)) ||
        zmq_connect(s->monitor, MONITOR_EP) != 0)
        goto fail;
    s->pub = server_socket(s, ZMQ_XPUB, cfg->events_ep, false);
    size_t ep_len = sizeof s->pub_ep;
    if (!s->pub ||
        zmq_getsockopt(s->pub, ZMQ_LAST_ENDPOINT, s->pub_ep, &ep_len) != 0)
        goto fail;
    if (cfg->readers &&
        sj_readers_new(&s->env, cfg->readers, free_tag, &s->readers) != 0)
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
    /* Reads still waiting are dropped (their clients retry); the ones
     * being answered finish first. */
    sj_readers_destroy(&s->readers);
    if (s->job) { /* let it finish: never leave a backup half done */
        uint8_t *reply;
        size_t len;
        sj_job_finish(&s->job, &reply, &len);
        free(reply);
        zmq_msg_close(&s->job_peer);
    }
    if (s->router) {
        zmq_socket_monitor(s->router, NULL, 0);
        zmq_close(s->router);
    }
    if (s->monitor) {
        set_int(s->monitor, ZMQ_LINGER, 0);
        zmq_close(s->monitor);
    }
    if (s->pub)
        zmq_close(s->pub);
    sj_zap_destroy(&s->zap);
    if (s->ctx)
        zmq_ctx_term(s->ctx);
    free(s->ids);
    free(s->frames);
    free(s->items);
    free(s->out.events);
    sj_rate_destroy(&s->rate);
    sj_conns_destroy(&s->conns);
    sj_placard_cache_destroy(&s->placards);
    sodium_memzero(&s->key, sizeof s->key);
    free(s);
    *self = NULL;
}

static void send_reply(sj_server_t *s, zmq_msg_t *peer, const uint8_t *data,
                       size_t len);

/* Requests the loop answers itself: Ping and WhoAmI are how clients (and
 * the tests) see the loop, stats read its counters, backup and verify
 * start a job. */
static bool loop_only(Shangju__Request__BodyCase kind)
{
    switch (kind) {
    case SHANGJU__REQUEST__BODY_PING:
    case SHANGJU__REQUEST__BODY_WHOAMI:
    case SHANGJU__REQUEST__BODY_ADMIN_STATS:
    case SHANGJU__REQUEST__BODY_ADMIN_BACKUP:
    case SHANGJU__REQUEST__BODY_ADMIN_VERIFY:
        return true;
    default:
        return false;
    }
}

/* Hand the request in slot s->n to the reader pool when it only reads.
 * Returns true when the slot was taken over (answered later, or refused
 * now because the member already has its share waiting). */
static bool route_read(sj_server_t *s)
{
    sj_batch_item_t *it = &s->items[s->n];
    if (!s->readers || it->multipart)
        return false;
    Shangju__Request *req = sj_codec_request_decode(it->payload, it->len);
    const sj_rule_t *rule = req ? sj_rule_find(req->body_case) : NULL;
    if (!rule || rule->writes || loop_only(req->body_case) ||
        req->request_id == 0) {
        if (req)
            shangju__request__free_unpacked(req, NULL);
        return false; /* the batch answers (or refuses) it */
    }
    sj_read_job_t *job = calloc(1, sizeof *job);
    zmq_msg_t *tag = malloc(sizeof *tag);
    if (!job || !tag) {
        free(job);
        free(tag);
        shangju__request__free_unpacked(req, NULL);
        return false;
    }
    size_t unknown = sj_codec_strip_unknown(&req->base);
    if (unknown)
        sj_log(SJ_LOG_INFO, "event=unknown_fields_dropped bytes=%zu kind=%s",
               unknown, sj_request_kind(req));
    memcpy(job->item.client_key, it->client_key, 32);
    job->item.request_id = req->request_id;
    job->req = req;
    zmq_msg_init(tag);
    zmq_msg_move(tag, &s->ids[s->n]);
    zmq_msg_close(&s->ids[s->n]);
    zmq_msg_close(&s->frames[s->n]);
    job->tag = tag;
    job->taken_ms = sj_now_ms();
    if (sj_readers_submit(s->readers, job) != 0) {
        sj_batch_refuse(&job->item, req->request_id,
                        SHANGJU__STATUS__STATUS_RESOURCE_EXHAUSTED,
                        SJ_R_RATE_LIMITED,
                        "too many of your requests are waiting; try again "
                        "after the hint",
                        QUEUE_FULL_RETRY_MS);
        if (job->item.reply)
            send_reply(s, tag, job->item.reply, job->item.reply_len);
        s->stats.rate_limited++;
        free_tag(tag);
        sj_read_job_free(job);
    }
    return true;
}

/* Send the answers the reader pool has ready. */
static void count_answer(sj_server_t *s, const sj_batch_item_t *it,
                         long long ms);

/* Replies the reader pool finished: sent, counted, logged. */
static void send_reads(sj_server_t *s)
{
    sj_read_job_t *job;
    while ((job = sj_readers_take(s->readers))) {
        if (job->item.reply)
            send_reply(s, job->tag, job->item.reply, job->item.reply_len);
        s->stats.reads_offloaded++;
        count_answer(s, &job->item, (long long)(sj_now_ms() - job->taken_ms));
        free_tag(job->tag);
        sj_read_job_free(job);
    }
}

/* Subscriptions the XPUB socket passes up (ZMQ_XPUB_MANUAL): only a prefix
 * of a known topic (or "", everything) is applied, so a subscriber can
 * hold at most that many, each short; anything else could never match
 * and would only grow the socket's subscription tree. */
static bool topic_prefix(const uint8_t *p, size_t n)
{
    for (int t = SJ_TOPIC_NONE + 1; t < SJ_TOPIC_COUNT; t++) {
        const char *name = sj_topic_name((sj_topic_t)t);
        if (name && strlen(name) >= n && memcmp(name, p, n) == 0)
            return true;
    }
    return false;
}

static void take_subscriptions(sj_server_t *s)
{
    for (int i = 0; s->pub && i < 1000; i++) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, s->pub, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            return;
        }
        const uint8_t *d = zmq_msg_data(&m);
        size_t n = zmq_msg_size(&m);
        if (n >= 1 && (d[0] == 0 || d[0] == 1) && topic_prefix(d + 1, n - 1))
            zmq_setsockopt(s->pub, d[0] ? ZMQ_SUBSCRIBE : ZMQ_UNSUBSCRIBE,
                           d + 1, n - 1);
        else if (s->subs_refused++ % 1000 == 0)
            sj_log(SJ_LOG_WARN,
                   "event=subscription_refused bytes=%zu total=%llu", n,
                   (unsigned long long)s->subs_refused);
        zmq_msg_close(&m);
    }
}

static void reply_error(sj_server_t *s, zmq_msg_t *peer, uint64_t request_id,
                        Shangju__Status status, sj_reason_t why,
                        const char *msg);

/* A request on a connection past its member's --max-connections: refused
 * (conns.h closes the connection a moment later). */
static void refuse_connection(sj_server_t *s, zmq_msg_t *id, zmq_msg_t *frame)
{
    Shangju__Request *req =
        sj_codec_request_decode(zmq_msg_data(frame), zmq_msg_size(frame));
    reply_error(s, id, req ? req->request_id : 0,
                SHANGJU__STATUS__STATUS_RESOURCE_EXHAUSTED,
                SJ_R_RATE_CONNECTIONS,
                "too many connections with your key; close some and try "
                "again");
    if (req)
        shangju__request__free_unpacked(req, NULL);
    if (s->stats.conns_refused++ % 100 == 0)
        sj_log(SJ_LOG_WARN,
               "event=connection_refused max=%u total=%llu "
               "msg=\"a member holds too many connections\"",
               s->cfg->max_connections,
               (unsigned long long)s->stats.conns_refused);
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
    /* A request is one frame: drain any others and refuse the message. */
    bool multipart = zmq_msg_more(frame);
    for (int more = multipart; more;) {
        zmq_msg_t junk;
        zmq_msg_init(&junk);
        more = zmq_msg_recv(&junk, s->router, 0) >= 0 && zmq_msg_more(&junk);
        zmq_msg_close(&junk);
    }
    sj_batch_item_t *it = &s->items[s->n];
    memset(it, 0, sizeof *it);
    it->multipart = multipart;
    const char *user = zmq_msg_gets(frame, "User-Id");
    if (!user || sj_key_from_z85(user, it->client_key) != 0)
        memset(it->client_key, 0, sizeof it->client_key);
    it->payload = zmq_msg_data(frame);
    it->len = zmq_msg_size(frame);
    if (!sj_conns_request(s->conns, zmq_msg_get(frame, ZMQ_SRCFD),
                          it->client_key, sj_now_ms())) {
        refuse_connection(s, id, frame);
        zmq_msg_close(id);
        zmq_msg_close(frame);
        return 1;
    }
    if (!route_read(s))
        s->n++;
    return 1;
}

static void send_reply(sj_server_t *s, zmq_msg_t *peer, const uint8_t *data,
                       size_t len)
{
    if (zmq_msg_send(peer, s->router, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
        zmq_send(s->router, data, len, ZMQ_DONTWAIT) < 0)
        sj_log(SJ_LOG_DEBUG, "event=reply_dropped err=\"%s\"",
               zmq_strerror(zmq_errno()));
}

static void reply_error(sj_server_t *s, zmq_msg_t *peer, uint64_t request_id,
                        Shangju__Status status, sj_reason_t why,
                        const char *msg)
{
    Shangju__Reply r = SHANGJU__REPLY__INIT;
    r.request_id = request_id;
    r.status = status;
    r.reason = (char *)sj_reason_code(why);
    r.message = (char *)msg;
    size_t len;
    uint8_t *buf = sj_codec_encode(&r.base, &len);
    if (buf)
        send_reply(s, peer, buf, len);
    free(buf);
}

/* The request asked for a background job: start it and answer when it is
 * done, or refuse at once when one is already running. */
static void start_job(sj_server_t *s, size_t i)
{
    sj_batch_item_t *it = &s->items[i];
    if (s->job) {
        reply_error(s, &s->ids[i], it->request_id,
                    SHANGJU__STATUS__STATUS_FAILED_PRECONDITION,
                    SJ_R_BROKER_BUSY,
                    "a backup or verify is already running; try again when "
                    "it ends");
        return;
    }
    uint8_t notice_pub[32];
    if (s->env.signer)
        sj_signer_public(s->env.signer, notice_pub);
    int err = sj_job_start(it->job.kind, s->store, s->cfg->data_dir,
                           it->job.arg, s->env.signer ? notice_pub : NULL,
                           it->request_id, &s->job);
    if (err) {
        reply_error(s, &s->ids[i], it->request_id,
                    err == SJ_EEXIST ? SHANGJU__STATUS__STATUS_ALREADY_EXISTS
                                     : SHANGJU__STATUS__STATUS_INTERNAL,
                    err == SJ_EEXIST ? SJ_R_BACKUP_EXISTS
                                     : SJ_R_BROKER_INTERNAL,
                    err == SJ_EEXIST ? "that backup already exists"
                                     : "cannot start the job; see the log");
        return;
    }
    zmq_msg_init(&s->job_peer);
    zmq_msg_copy(&s->job_peer, &s->ids[i]);
    sj_log(SJ_LOG_INFO, "event=job_started kind=%s arg=%s",
           it->job.kind == SJ_JOB_BACKUP ? "backup" : "verify", it->job.arg);
}

static void finish_job(sj_server_t *s)
{
    uint8_t *reply;
    size_t len;
    sj_job_finish(&s->job, &reply, &len);
    if (reply)
        send_reply(s, &s->job_peer, reply, len);
    free(reply);
    zmq_msg_close(&s->job_peer);
}

static void send_replies(sj_server_t *s)
{
    for (size_t i = 0; i < s->out.applied; i++) {
        sj_batch_item_t *it = &s->items[i];
        if (it->job.kind != SJ_JOB_NONE) {
            start_job(s, i);
            continue;
        }
        if (it->reply)
            send_reply(s, &s->ids[i], it->reply, it->reply_len);
    }
    for (size_t i = 0; i < s->out.n_events && s->pub; i++) {
        const sj_outevent_t *e = &s->out.events[i];
        zmq_send(s->pub, e->topic, strlen(e->topic), ZMQ_SNDMORE);
        zmq_send(s->pub, e->data, e->len, 0);
    }
}

/* Did this batch stop a member's key from working? */
static bool key_revoked(const sj_server_t *s)
{
    for (size_t i = 0; i < s->out.n_events; i++)
        if (s->out.events[i].revokes_key)
            return true;
    return false;
}

/* Free the answered items; the first `done` of them. Those the time
 * budget left untouched move to the front for the next batch. */
static void end_batch(sj_server_t *s, size_t done)
{
    sj_batch_clear(s->items, s->n, &s->out);
    for (size_t i = 0; i < done; i++) {
        zmq_msg_close(&s->ids[i]);
        zmq_msg_close(&s->frames[i]);
    }
    size_t left = s->n - done;
    /* Moved with zmq_msg_move (a small message keeps its bytes inside
     * zmq_msg_t), and each payload pointer taken again. */
    for (size_t i = 0; i < left && done; i++) {
        zmq_msg_init(&s->ids[i]);
        zmq_msg_move(&s->ids[i], &s->ids[done + i]);
        zmq_msg_close(&s->ids[done + i]);
        zmq_msg_init(&s->frames[i]);
        zmq_msg_move(&s->frames[i], &s->frames[done + i]);
        zmq_msg_close(&s->frames[done + i]);
        s->items[i] = s->items[done + i];
        s->items[i].payload = zmq_msg_data(&s->frames[i]);
    }
    s->n = left;
}

/* Count each answered request by kind and status; at debug level, one
 * access line per request. ms: from the batch's start to its replies. */
static void count_answer(sj_server_t *s, const sj_batch_item_t *it,
                         long long ms)
{
    int k = it->kind >= 0 && it->kind < SJ_STATS_KINDS ? it->kind : 0;
    int st = it->status >= 0 && it->status < SJ_STATS_STATUSES
                 ? it->status
                 : SHANGJU__STATUS__STATUS_INTERNAL;
    s->stats.answered[k][st]++;
    sj_log(SJ_LOG_DEBUG,
           "event=access member=%llu kind=%s status=%s request_id=%llu "
           "ms=%lld",
           (unsigned long long)it->member_id, sj_request_kind_name(k),
           sj_status_name(st), (unsigned long long)it->request_id, ms);
}

static void count_answers(sj_server_t *s, size_t done, long long ms)
{
    for (size_t i = 0; i < done; i++)
        count_answer(s, &s->items[i], ms);
}

/* Warn when the map's use crosses 80%, 85%, ... (once per step up), so
 * the operator grows it before writes are refused. */
static void check_map(sj_server_t *s)
{
    int64_t now = sj_now_ms();
    if (now < s->map_check_at)
        return;
    s->map_check_at = now + MAP_CHECK_MS;
    sj_store_stats_t st;
    if (sj_store_stats(s->store, &st) != 0 || st.map_size == 0)
        return;
    int pct = (int)((double)st.used_bytes * 100 / (double)st.map_size);
    int band = pct < MAP_WARN_PERCENT ? 0 : pct - pct % 5;
    if (band > s->map_band)
        sj_log(SJ_LOG_WARN,
               "event=map_use_high percent=%d used_mib=%.1f map_mib=%.1f "
               "msg=\"restart the broker with a larger --map-size before "
               "the store is full\"",
               pct, (double)st.used_bytes / 1048576.0,
               (double)st.map_size / 1048576.0);
    s->map_band = band;
}

/* Read the ROUTER's connection events: the number of open connections, and
 * which fd numbers are new or gone (conns.h). */
static void read_monitor(sj_server_t *s)
{
    for (;;) {
        zmq_msg_t ev, addr;
        zmq_msg_init(&ev);
        if (zmq_msg_recv(&ev, s->monitor, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&ev);
            return;
        }
        uint16_t what = 0;
        int32_t fd = -1; /* the event's value: the connection's fd */
        if (zmq_msg_size(&ev) >= 6) {
            memcpy(&what, zmq_msg_data(&ev), 2);
            memcpy(&fd, (const uint8_t *)zmq_msg_data(&ev) + 2, 4);
        }
        if (zmq_msg_more(&ev)) {
            zmq_msg_init(&addr);
            zmq_msg_recv(&addr, s->monitor, 0);
            zmq_msg_close(&addr);
        }
        zmq_msg_close(&ev);
        if (what == ZMQ_EVENT_ACCEPTED) {
            s->stats.connections++;
            sj_conns_accepted(s->conns, fd, sj_now_ms());
        } else if (what == ZMQ_EVENT_DISCONNECTED) {
            if (s->stats.connections > 0)
                s->stats.connections--;
            sj_conns_gone(s->conns, fd);
        }
    }
}

/* Close the silent connections and those refused a moment ago. */
static void sweep_conns(sj_server_t *s)
{
    uint64_t silent = 0, refused = 0;
    sj_conns_sweep(s->conns, sj_now_ms(), s->router_port, &silent, &refused);
    if (silent)
        sj_log(SJ_LOG_DEBUG, "event=silent_closed count=%llu",
               (unsigned long long)silent);
    s->stats.conns_silent += silent;
}

/* One group commit: requests waiting (s->n of them) and due timers. */
static int run_batch(sj_server_t *s)
{
    int64_t t0 = sj_now_ms();
    s->out.applied = s->n;
    int err = sj_batch_apply(&s->env, t0, s->items, s->n, &s->out);
    size_t done = err ? s->n : s->out.applied;
    if (err == 0) {
        send_replies(s);
        /* Without a PUB socket the loop still serves requests; clients
         * then catch up by their idle Replay, and a bind is tried again
         * now and then. */
        if (key_revoked(s))
            rebind_pub(s, REBIND_TRIES);
        else if (!s->pub && sj_now_ms() >= s->pub_retry_at)
            rebind_pub(s, 1);
    } else
        sj_log(SJ_LOG_ERROR, "event=batch_lost requests=%zu err=\"%s\"", s->n,
               sj_strerror(err));
    if (s->n || s->out.timers_fired)
        sj_log(SJ_LOG_DEBUG,
               "event=batch requests=%zu events=%zu timers=%u retries=%u "
               "ms=%lld",
               s->n, s->out.n_events, s->out.timers_fired, s->out.replayed,
               (long long)(sj_now_ms() - t0));
    double ms = (double)(sj_now_ms() - t0);
    if (err == 0)
        count_answers(s, done, (long long)ms);
    s->stats.batches++;
    s->stats.requests += done;
    s->stats.retries_answered += s->out.replayed;
    s->stats.rate_limited += s->out.rate_limited;
    if (s->n > done)
        sj_log(SJ_LOG_DEBUG, "event=batch_budget applied=%zu left=%zu", done,
               s->n - done);
    s->stats.commit_ms_total += ms;
    if (ms > s->stats.commit_ms_max)
        s->stats.commit_ms_max = ms;
    if (done > s->stats.max_batch)
        s->stats.max_batch = done;
    end_batch(s, done);
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
        /* Items the time budget left: the next batch at once. */
        if (s->n)
            wait = 0;
        int64_t conns_due = sj_conns_next_due(s->conns);
        if (conns_due != INT64_MAX && wait > 0)
            wait = conns_due <= now         ? 0
                   : conns_due - now < wait ? (long)(conns_due - now)
                                            : wait;
        zmq_pollitem_t items[] = {
            {sj_zap_socket(s->zap), 0, ZMQ_POLLIN, 0},
            {s->router, 0, ZMQ_POLLIN, 0},
            {s->monitor, 0, ZMQ_POLLIN, 0},
            {NULL, s->readers ? sj_readers_fd(s->readers) : -1, ZMQ_POLLIN, 0},
            {s->pub, 0, ZMQ_POLLIN, 0},
            {NULL, s->job ? sj_job_fd(s->job) : -1, ZMQ_POLLIN, 0},
        };
        /* The PUB socket and the job's fd are optional: packed after the
         * four that are always there. */
        int n_items = 4, i_pub = -1, i_job = -1;
        if (s->pub)
            i_pub = n_items++;
        if (s->job) {
            items[n_items] = items[5];
            i_job = n_items++;
        }
        int rc = zmq_poll(items, n_items, wait);
        if (rc < 0 && zmq_errno() != EINTR) {
            sj_log(SJ_LOG_ERROR, "event=poll_failed err=\"%s\"",
                   zmq_strerror(zmq_errno()));
            return SJ_EIO;
        }
        if (rc > 0 && (items[0].revents & ZMQ_POLLIN)) {
            sj_zap_handle(s->zap);
            s->stats.auth_failures = sj_zap_refused(s->zap);
        }
        /* Every turn, before the ROUTER's frames: an fd's ACCEPTED is
         * queued before its handshake's ZAP request, so it is read
         * before that connection's first frame (conns.h). */
        read_monitor(s);
        if (rc > 0 && i_job >= 0 && (items[i_job].revents & ZMQ_POLLIN))
            finish_job(s);
        if (rc > 0 && s->readers && (items[3].revents & ZMQ_POLLIN))
            send_reads(s);
        if (rc > 0 && i_pub >= 0 && (items[i_pub].revents & ZMQ_POLLIN))
            take_subscriptions(s);
        /* Reads are routed to the pool as they come and do not count
         * against the batch; a flood of them is bounded per pass so that
         * writes and timers still get their turn. */
        if (rc > 0 && (items[1].revents & ZMQ_POLLIN))
            for (int taken = 0;
                 s->n < s->cfg->batch_max &&
                 taken < 4 * (int)s->cfg->batch_max && take_one(s);
                 taken++)
                ;
        /* After the frames: a first request that came just in time
         * makes its connection speaking before the sweep looks. */
        sweep_conns(s);
        if (s->n || sj_now_ms() >= due) {
            run_batch(s);
            due = next_timer(s);
            check_map(s);
            /* Timers still due (a backlog, or one that keeps failing) get
             * another turn soon, without spinning. */
            if (due <= sj_now_ms())
                due = sj_now_ms() + 50;
        }
    }
    sj_log(SJ_LOG_INFO, "event=stopping batches=%llu requests=%llu",
           (unsigned long long)s->stats.batches,
           (unsigned long long)s->stats.requests);
    return SJ_OK;
}
