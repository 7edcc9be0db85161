/* The event subscription: the zguide "Clone" catch-up with the PUB socket
 * as a doorbell. The broker's PUB socket carries only stubs (seq, topic and
 * the ids of what changed: it cannot tell its subscribers apart), so a live
 * stub newer than what was delivered asks for a Replay over the request
 * socket, which the broker answers with what this member may see. One
 * Replay is in flight at a time; doorbells meanwhile only raise the mark
 * (live_high) the next page is asked for. An idle period, which may hide a
 * lost last stub, sends a Replay too. */
#include "client_internal.h"

#include <stdlib.h>
#include <string.h>
#include <zmq.h>

struct sub {
    void *sock;
    char **topics;
    size_t n;
    sj_client_event_fn *cb;
    void *ud;
    uint64_t gen;
    bool started;       /* delivered is known (else a Ping must tell) */
    bool syncing;       /* a Ping or Replay is in flight */
    uint64_t delivered; /* highest seq handed on or filtered out */
    uint64_t live_high; /* highest seq a live stub announced */
    int64_t next_sync;  /* monotonic ms of the idle check */
    /* Events asked per Replay: halved after a Replay failed (a broker
     * without byte-bounded pages may send a page too large for us), back
     * up as pages arrive, so a range of large events always replays. */
    uint32_t page;
};

static void sub_free(struct sub *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->topics[i]);
    free(s->topics);
    free(s);
}

void client__sub_free(sj_client_t *c)
{
    if (!c->sub)
        return;
    client__close(c, &c->sub->sock);
    sub_free(c->sub);
    c->sub = NULL;
}

void sj_client_unsubscribe(sj_client_t *c)
{
    client__sub_free(c);
}

void *client__sub_socket(const sj_client_t *c)
{
    return c->sub ? c->sub->sock : NULL;
}

int64_t client__sub_deadline(const sj_client_t *c)
{
    if (!c->sub || c->sub->syncing)
        return -1; /* the request's own deadline covers it */
    return c->sub->next_sync;
}

uint64_t sj_client_last_seq(const sj_client_t *c)
{
    return c->sub ? c->sub->delivered : 0;
}

static bool matches(const struct sub *s, const char *topic)
{
    if (s->n == 0)
        return true;
    for (size_t i = 0; i < s->n; i++)
        if (strncmp(topic, s->topics[i], strlen(s->topics[i])) == 0)
            return true;
    return false;
}

/* The subscription the callback of generation gen belongs to, or NULL when
 * it has been replaced or dropped meanwhile (a callback may do that). */
static struct sub *current(sj_client_t *c, uint64_t gen)
{
    return c->sub && c->sub->gen == gen ? c->sub : NULL;
}

/* Hand ev on (if its topic matches) and advance. Returns false when the
 * callback dropped or replaced the subscription. */
static bool deliver(sj_client_t *c, struct sub *s, const Shangju__Event *ev)
{
    uint64_t gen = s->gen;
    s->delivered = ev->seq;
    if (!matches(s, ev->topic ? ev->topic : ""))
        return true;
    s->cb(c, ev, 0, s->ud);
    c->calls++;
    return current(c, gen) != NULL;
}

static void on_sync(sj_client_t *c, const Shangju__Reply *r, int err, void *ud);

/* Ask for what is missing: a Ping when the start is "now", else a page. */
static void start_sync(sj_client_t *c, struct sub *s)
{
    if (s->syncing)
        return;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__Ping ping = SHANGJU__PING__INIT;
    Shangju__Replay replay = SHANGJU__REPLAY__INIT;
    if (!s->started) {
        req.body_case = SHANGJU__REQUEST__BODY_PING;
        req.ping = &ping;
    } else {
        replay.from_seq = s->delivered + 1;
        replay.limit = s->page ? s->page : SJ_CLIENT_REPLAY_PAGE;
        req.body_case = SHANGJU__REQUEST__BODY_REPLAY;
        req.replay = &replay;
    }
    if (sj_client_send(c, &req, on_sync, (void *)(uintptr_t)s->gen) == 0)
        s->syncing = true;
    else
        s->next_sync = client__now() + c->sync_ms;
}

/* Deliver a Replay page. Returns false if the subscription went away. */
static bool take_page(sj_client_t *c, struct sub *s,
                      const Shangju__EventPage *pg)
{
    uint64_t before = s->delivered;
    for (size_t i = 0; i < pg->n_items; i++) {
        const Shangju__Event *ev = pg->items[i];
        if (ev && ev->seq > s->delivered && !deliver(c, s, ev))
            return false;
    }
    /* More to fetch while pages make progress and someone (the broker's
     * last_seq or a live stub) says there is more. */
    bool progress = s->delivered > before;
    if (progress &&
        (s->delivered < pg->last_seq || s->delivered < s->live_high))
        start_sync(c, s);
    return true;
}

static void on_sync(sj_client_t *c, const Shangju__Reply *r, int err, void *ud)
{
    struct sub *s = current(c, (uint64_t)(uintptr_t)ud);
    if (!s)
        return;
    s->syncing = false;
    s->next_sync = client__now() + c->sync_ms;
    if (!err && r->status != SHANGJU__STATUS__STATUS_OK)
        err = SJ_EPROTO;
    if (!err && r->body_case == SHANGJU__REPLY__BODY_PONG && !s->started) {
        s->started = true;
        s->delivered = r->pong->last_seq;
        if (s->live_high > s->delivered)
            start_sync(c, s);
        return;
    }
    if (!err && r->body_case == SHANGJU__REPLY__BODY_EVENTS) {
        if (s->page && s->page < SJ_CLIENT_REPLAY_PAGE)
            s->page = s->page * 2 < SJ_CLIENT_REPLAY_PAGE
                          ? s->page * 2
                          : SJ_CLIENT_REPLAY_PAGE;
        take_page(c, s, r->events);
        return;
    }
    if (err && s->started) { /* smaller pages next time (see page) */
        uint32_t p = s->page ? s->page : SJ_CLIENT_REPLAY_PAGE;
        s->page = p > 1 ? p / 2 : 1;
    }
    s->cb(c, NULL, err ? err : SJ_EPROTO, s->ud);
    c->calls++;
}

/* Read one [topic][Event] message; extra frames are drained and ignored.
 * Returns 1 with *out (NULL if malformed), or 0 when nothing waits. */
static int read_event(void *sock, Shangju__Event **out)
{
    zmq_msg_t msg;
    int parts = 0;
    *out = NULL;
    zmq_msg_init(&msg);
    while (zmq_msg_recv(&msg, sock, ZMQ_DONTWAIT) >= 0) {
        if (++parts == 2)
            *out =
                sj_codec_event_decode(zmq_msg_data(&msg), zmq_msg_size(&msg));
        if (!zmq_msg_more(&msg))
            break;
    }
    zmq_msg_close(&msg);
    return parts > 0;
}

/* A live stub rang: fetch what it announces unless a Replay is on its
 * way (its page will go on while live_high is ahead). Stubs are never
 * delivered themselves: the Replay brings each event as this member may
 * see it. */
static void take_live(sj_client_t *c, struct sub *s, const Shangju__Event *ev)
{
    s->next_sync = client__now() + c->sync_ms; /* the feed is alive */
    if (ev->seq > s->live_high)
        s->live_high = ev->seq;
    if (s->started && !s->syncing && ev->seq > s->delivered)
        start_sync(c, s);
}

void client__sub_process(sj_client_t *c, int64_t now)
{
    struct sub *s = c->sub;
    Shangju__Event *ev;
    while (s && read_event(s->sock, &ev)) {
        if (!ev)
            continue;
        take_live(c, s, ev);
        shangju__event__free_unpacked(ev, NULL);
    }
    if (s && !s->syncing && now >= s->next_sync)
        start_sync(c, s);
}

static int copy_topics(struct sub *s, const char *const *topics, size_t n)
{
    if (n == 0)
        return SJ_OK;
    s->topics = calloc(n, sizeof *s->topics);
    if (!s->topics)
        return SJ_ENOMEM;
    for (; s->n < n; s->n++) {
        if (!topics[s->n])
            return SJ_EINVAL;
        s->topics[s->n] = strdup(topics[s->n]);
        if (!s->topics[s->n])
            return SJ_ENOMEM;
    }
    return SJ_OK;
}

int sj_client_subscribe(sj_client_t *c, const char *const *topics, size_t n,
                        uint64_t from_seq, sj_client_event_fn *cb, void *ud)
{
    if (!cb)
        return SJ_EINVAL;
    client__sub_free(c);
    struct sub *s = calloc(1, sizeof *s);
    if (!s)
        return SJ_ENOMEM;
    int rc = copy_topics(s, topics, n);
    if (rc != 0) {
        sub_free(s);
        return rc;
    }
    /* Every topic: seq is broker-wide, so only a full feed shows gaps. */
    s->sock = client__open(c, ZMQ_SUB, c->events, SJ_MAX_FRAME, "");
    if (!s->sock) {
        sub_free(s);
        return SJ_EIO;
    }
    s->cb = cb;
    s->ud = ud;
    s->gen = ++c->sub_gen;
    s->started = from_seq != 0;
    s->delivered = from_seq ? from_seq - 1 : 0;
    c->sub = s;
    start_sync(c, s);
    return SJ_OK;
}
