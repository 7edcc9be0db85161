/* Check suite for the client library (clients/client.h) against a fake
 * broker thread: CURVE ROUTER + PUB on loopback with no ZAP handler (so
 * libzmq admits the test's key). Shows the Lazy Pirate retry resending the
 * same bytes and id, late duplicates ignored, timeouts, the pollable fd,
 * and replay-then-live catch-up filling a gap exactly once, in order. */
#include <check.h>

#include "check_main.h"
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "client.h"

#define MAX_SEEN 16
#define MAX_LOG 64
#define LIVE_MARK 999

enum mode {
    ANSWER,      /* reply to everything */
    DROP_FIRST,  /* ignore the first request, answer the rest */
    SILENT,      /* never reply */
    STALE_FIRST, /* before each reply, send a stale duplicate of the last */
};

struct fake {
    void *ctx, *router, *pub;
    char req_ep[64], pub_ep[64];
    sj_keypair_t key;
    enum mode mode;
    pthread_t thread;
    atomic_int stop;
    /* What arrived: the raw request frames (first MAX_SEEN). */
    atomic_int nseen;
    uint8_t *seen[MAX_SEEN];
    size_t seen_len[MAX_SEEN];
    uint64_t last_reply_id;
    /* The event log: seq i+1 is topics[i]; publish up to publish_upto,
     * leaving out skip (a lost live message). */
    int nlog;
    const char *topics[MAX_LOG];
    atomic_int publish_upto;
    int published;
    int skip;
    unsigned page_cap;
};

static Shangju__Event *make_event(struct fake *f, uint64_t seq)
{
    Shangju__Event *e = calloc(1, sizeof *e);
    shangju__event__init(e);
    e->seq = seq;
    e->at = 1700000000000 + (int64_t)seq;
    e->topic = (char *)f->topics[seq - 1];
    return e;
}

static void send_reply(struct fake *f, zmq_msg_t *ident, Shangju__Reply *r)
{
    size_t len;
    uint8_t *buf = sj_codec_encode(&r->base, &len);
    zmq_send(f->router, zmq_msg_data(ident), zmq_msg_size(ident), ZMQ_SNDMORE);
    zmq_send(f->router, buf, len, 0);
    free(buf);
}

static void answer_replay(struct fake *f, Shangju__Request *q,
                          Shangju__Reply *r, Shangju__EventPage *pg,
                          Shangju__Event **items)
{
    uint64_t from = q->replay->from_seq ? q->replay->from_seq : 1;
    pg->last_seq = (uint64_t)atomic_load(&f->publish_upto);
    for (uint64_t s = from; s <= pg->last_seq && pg->n_items < f->page_cap; s++)
        items[pg->n_items++] = make_event(f, s);
    pg->items = items;
    r->body_case = SHANGJU__REPLY__BODY_EVENTS;
    r->events = pg;
}

static void answer(struct fake *f, zmq_msg_t *ident, const uint8_t *b, size_t n)
{
    Shangju__Request *q = sj_codec_request_decode(b, n);
    ck_assert_ptr_nonnull(q);
    Shangju__Reply r = SHANGJU__REPLY__INIT;
    Shangju__Pong pong = SHANGJU__PONG__INIT;
    Shangju__EventPage pg = SHANGJU__EVENT_PAGE__INIT;
    Shangju__Event *items[MAX_LOG] = {0};
    r.request_id = q->request_id;
    if (q->body_case == SHANGJU__REQUEST__BODY_REPLAY)
        answer_replay(f, q, &r, &pg, items);
    else {
        pong.version = "fake";
        pong.last_seq = (uint64_t)atomic_load(&f->publish_upto);
        r.body_case = SHANGJU__REPLY__BODY_PONG;
        r.pong = &pong;
    }
    if (f->mode == STALE_FIRST && f->last_reply_id) {
        Shangju__Reply stale = SHANGJU__REPLY__INIT;
        stale.request_id = f->last_reply_id;
        stale.message = "stale";
        send_reply(f, ident, &stale);
    }
    f->last_reply_id = q->request_id;
    send_reply(f, ident, &r);
    for (size_t i = 0; i < pg.n_items; i++)
        free(items[i]);
    shangju__request__free_unpacked(q, NULL);
}

static void serve_one(struct fake *f)
{
    zmq_msg_t ident, body;
    zmq_msg_init(&ident);
    zmq_msg_init(&body);
    if (zmq_msg_recv(&ident, f->router, ZMQ_DONTWAIT) < 0 ||
        zmq_msg_recv(&body, f->router, 0) < 0)
        goto out;
    int k = atomic_load(&f->nseen);
    if (k < MAX_SEEN) {
        f->seen_len[k] = zmq_msg_size(&body);
        f->seen[k] = malloc(f->seen_len[k]);
        memcpy(f->seen[k], zmq_msg_data(&body), f->seen_len[k]);
    }
    atomic_store(&f->nseen, k + 1);
    if (f->mode == SILENT || (f->mode == DROP_FIRST && k == 0))
        goto out;
    answer(f, &ident, zmq_msg_data(&body), zmq_msg_size(&body));
out:
    zmq_msg_close(&ident);
    zmq_msg_close(&body);
}

static void publish_pending(struct fake *f)
{
    int upto = atomic_load(&f->publish_upto);
    for (; f->published < upto; f->published++) {
        uint64_t seq = (uint64_t)f->published + 1;
        if ((int)seq == f->skip)
            continue;
        Shangju__Event *e = make_event(f, seq);
        e->actor_id = LIVE_MARK; /* the live copy: a doorbell only */
        size_t len;
        uint8_t *buf = sj_codec_encode(&e->base, &len);
        zmq_send(f->pub, e->topic, strlen(e->topic), ZMQ_SNDMORE);
        zmq_send(f->pub, buf, len, 0);
        free(buf);
        free(e);
    }
}

static void *fake_main(void *arg)
{
    struct fake *f = arg;
    while (!atomic_load(&f->stop)) {
        zmq_pollitem_t it = {.socket = f->router, .events = ZMQ_POLLIN};
        if (zmq_poll(&it, 1, 10) > 0)
            serve_one(f);
        publish_pending(f);
    }
    return NULL;
}

static void *bind_curve(struct fake *f, int type, char *ep, size_t cap)
{
    void *s = zmq_socket(f->ctx, type);
    int one = 1, zero = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(s, ZMQ_CURVE_SERVER, &one, sizeof one);
    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, f->key.secret_key, SJ_KEY_BYTES);
    ck_assert_int_eq(zmq_bind(s, "tcp://127.0.0.1:*"), 0);
    zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, ep, &cap);
    return s;
}

static struct fake *fake_start(enum mode mode)
{
    struct fake *f = calloc(1, sizeof *f);
    f->mode = mode;
    f->page_cap = 1000;
    ck_assert_int_eq(sj_keyfile_generate(&f->key), 0);
    f->ctx = zmq_ctx_new();
    f->router = bind_curve(f, ZMQ_ROUTER, f->req_ep, sizeof f->req_ep);
    f->pub = bind_curve(f, ZMQ_PUB, f->pub_ep, sizeof f->pub_ep);
    pthread_create(&f->thread, NULL, fake_main, f);
    return f;
}

static void fake_stop(struct fake *f)
{
    atomic_store(&f->stop, 1);
    pthread_join(f->thread, NULL);
    zmq_close(f->router);
    zmq_close(f->pub);
    zmq_ctx_term(f->ctx);
    for (int i = 0; i < MAX_SEEN; i++)
        free(f->seen[i]);
    free(f);
}

static sj_client_t *client_for(struct fake *f, int timeout_ms, int retries)
{
    sj_keypair_t me;
    ck_assert_int_eq(sj_keyfile_generate(&me), 0);
    sj_client_opts_t o = {.requests = f->req_ep,
                          .events = f->pub_ep,
                          .keypair = &me,
                          .server_key = f->key.public_key,
                          .timeout_ms = timeout_ms,
                          .retries = retries,
                          .sync_ms = 200};
    int err = -99;
    sj_client_t *c = sj_client_new(&o, &err);
    ck_assert_int_eq(err, 0);
    ck_assert_ptr_nonnull(c);
    return c;
}

static void ping_req(Shangju__Request *req, Shangju__Ping *ping)
{
    shangju__request__init(req);
    shangju__ping__init(ping);
    req->body_case = SHANGJU__REQUEST__BODY_PING;
    req->ping = ping;
}

START_TEST(call_answered)
{
    struct fake *f = fake_start(ANSWER);
    sj_client_t *c = client_for(f, 2000, 3);
    Shangju__Request req;
    Shangju__Ping ping;
    ping_req(&req, &ping);
    Shangju__Reply *r = NULL;
    ck_assert_int_eq(sj_client_call(c, &req, &r), 0);
    ck_assert_uint_ne(req.request_id, 0);
    ck_assert_uint_eq(r->request_id, req.request_id);
    ck_assert_int_eq(r->body_case, SHANGJU__REPLY__BODY_PONG);
    shangju__reply__free_unpacked(r, NULL);
    sj_client_destroy(&c);
    sj_client_destroy(&c); /* safe twice */
    ck_assert_ptr_null(c);
    fake_stop(f);
}
END_TEST

START_TEST(retry_same_bytes)
{
    struct fake *f = fake_start(DROP_FIRST);
    sj_client_t *c = client_for(f, 300, 3);
    Shangju__Request req;
    Shangju__Ping ping;
    ping_req(&req, &ping);
    Shangju__Reply *r = NULL;
    ck_assert_int_eq(sj_client_call(c, &req, &r), 0);
    ck_assert_uint_eq(r->request_id, req.request_id);
    ck_assert_int_eq(atomic_load(&f->nseen), 2);
    ck_assert_uint_eq(f->seen_len[0], f->seen_len[1]);
    ck_assert_mem_eq(f->seen[0], f->seen[1], f->seen_len[0]);
    Shangju__Request *q = sj_codec_request_decode(f->seen[1], f->seen_len[1]);
    ck_assert_uint_eq(q->request_id, req.request_id);
    shangju__request__free_unpacked(q, NULL);
    shangju__reply__free_unpacked(r, NULL);
    sj_client_destroy(&c);
    fake_stop(f);
}
END_TEST

START_TEST(stale_duplicate_ignored)
{
    struct fake *f = fake_start(STALE_FIRST);
    sj_client_t *c = client_for(f, 2000, 1);
    for (int i = 0; i < 3; i++) {
        Shangju__Request req;
        Shangju__Ping ping;
        ping_req(&req, &ping);
        Shangju__Reply *r = NULL;
        ck_assert_int_eq(sj_client_call(c, &req, &r), 0);
        ck_assert_uint_eq(r->request_id, req.request_id);
        ck_assert_int_eq(r->body_case, SHANGJU__REPLY__BODY_PONG);
        shangju__reply__free_unpacked(r, NULL);
    }
    ck_assert_int_eq(atomic_load(&f->nseen), 3); /* no retries needed */
    sj_client_destroy(&c);
    fake_stop(f);
}
END_TEST

START_TEST(timeout_after_retries)
{
    struct fake *f = fake_start(SILENT);
    sj_client_t *c = client_for(f, 150, 2);
    Shangju__Request req;
    Shangju__Ping ping;
    ping_req(&req, &ping);
    Shangju__Reply *r = (Shangju__Reply *)&req; /* must be reset */
    int64_t t0 = sj_now_ms();
    ck_assert_int_eq(sj_client_call(c, &req, &r), SJ_ETIMEOUT);
    int64_t took = sj_now_ms() - t0;
    ck_assert_ptr_null(r);
    ck_assert_int_ge(took, 3 * 150 - 20);
    ck_assert_int_lt(took, 3 * 150 + 1500);
    ck_assert_int_eq(atomic_load(&f->nseen), 3); /* 1 + 2 retries */
    for (int i = 1; i < 3; i++)
        ck_assert_mem_eq(f->seen[0], f->seen[i], f->seen_len[0]);
    sj_client_destroy(&c);
    fake_stop(f);
}
END_TEST

struct got {
    int calls;
    int err;
    uint64_t id;
};

static void on_reply(sj_client_t *c, const Shangju__Reply *r, int err, void *ud)
{
    struct got *g = ud;
    (void)c;
    g->calls++;
    g->err = err;
    g->id = r ? r->request_id : 0;
}

/* Drive the client the way a foreign loop does: poll(2) on the fd with
 * sj_client_next_timeout_ms(), then sj_client_process(). */
static void foreign_loop(sj_client_t *c, int *done, int ms)
{
    int64_t end = sj_now_ms() + ms;
    while (!*done && sj_now_ms() < end) {
        struct pollfd p = {.fd = sj_client_fd(c), .events = POLLIN};
        int t = sj_client_next_timeout_ms(c);
        poll(&p, 1, t < 0 || t > 100 ? 100 : t);
        sj_client_process(c);
    }
}

START_TEST(async_send_and_timeout)
{
    struct fake *f = fake_start(DROP_FIRST);
    sj_client_t *c = client_for(f, 200, 2);
    ck_assert_int_eq(sj_client_next_timeout_ms(c), -1);
    Shangju__Request req;
    Shangju__Ping ping;
    ping_req(&req, &ping);
    struct got g = {0};
    ck_assert_int_eq(sj_client_send(c, &req, on_reply, &g), 0);
    ck_assert_int_ge(sj_client_next_timeout_ms(c), 0);
    foreign_loop(c, &g.calls, 3000);
    ck_assert_int_eq(g.calls, 1);
    ck_assert_int_eq(g.err, 0);
    ck_assert_uint_eq(g.id, req.request_id);
    sj_client_destroy(&c);
    fake_stop(f);

    f = fake_start(SILENT);
    c = client_for(f, 100, -1); /* no retry at all */
    ping_req(&req, &ping);
    g = (struct got){0};
    ck_assert_int_eq(sj_client_send(c, &req, on_reply, &g), 0);
    foreign_loop(c, &g.calls, 3000);
    ck_assert_int_eq(g.calls, 1);
    ck_assert_int_eq(g.err, SJ_ETIMEOUT);
    ck_assert_int_eq(atomic_load(&f->nseen), 1);
    sj_client_destroy(&c);
    fake_stop(f);
}
END_TEST

struct seen_events {
    uint64_t seq[MAX_LOG];
    int n;
    int errors;
};

static void on_event(sj_client_t *c, const Shangju__Event *ev, int err,
                     void *ud)
{
    struct seen_events *s = ud;
    (void)c;
    if (!ev) {
        s->errors++;
        ck_assert_int_ne(err, 0);
        return;
    }
    ck_assert_str_eq(ev->topic, "wish.posted");
    s->seq[s->n++] = ev->seq;
}

static void wait_events(sj_client_t *c, struct seen_events *s, int want)
{
    int64_t end = sj_now_ms() + 5000;
    while (s->n < want && sj_now_ms() < end)
        sj_client_wait(c, 100);
}

START_TEST(subscribe_catch_up_fills_gap)
{
    struct fake *f = fake_start(ANSWER);
    f->page_cap = 3; /* several Replay pages */
    for (int i = 0; i < 12; i++)
        f->topics[i] = i % 4 == 1 ? "member.added" : "wish.posted";
    f->skip = 8; /* lost on the PUB socket: a Replay must bring it */
    atomic_store(&f->publish_upto, 5);
    sj_client_t *c = client_for(f, 1000, 3);
    struct seen_events s = {0};
    const char *topics[] = {"wish."};
    ck_assert_int_eq(sj_client_subscribe(c, topics, 1, 1, on_event, &s), 0);
    wait_events(c, &s, 4); /* 1..5 minus member.added at 2 */
    ck_assert_int_eq(s.n, 4);
    usleep(100 * 1000);
    atomic_store(&f->publish_upto, 12); /* 6..12 live, 8 missing */
    wait_events(c, &s, 9);
    const uint64_t want[] = {1, 3, 4, 5, 7, 8, 9, 11, 12};
    ck_assert_int_eq(s.n, 9);
    for (int i = 0; i < 9; i++)
        ck_assert_uint_eq(s.seq[i], want[i]);
    ck_assert_uint_eq(sj_client_last_seq(c), 12);
    ck_assert_int_eq(s.errors, 0);
    sj_client_destroy(&c);
    fake_stop(f);
}
END_TEST

static void on_event_from_replay(sj_client_t *c, const Shangju__Event *ev,
                                 int err, void *ud)
{
    ck_assert_ptr_nonnull(ev);
    ck_assert_msg(ev->actor_id != LIVE_MARK,
                  "event %llu was delivered from the PUB socket",
                  (unsigned long long)ev->seq);
    on_event(c, ev, err, ud);
}

/* The PUB socket is a doorbell: what the callback gets comes from Replay
 * (the broker's per-member answer), never from the live copy. */
START_TEST(subscribe_delivers_replay_not_live)
{
    struct fake *f = fake_start(ANSWER);
    for (int i = 0; i < 10; i++)
        f->topics[i] = "wish.posted";
    atomic_store(&f->publish_upto, 2);
    sj_client_t *c = client_for(f, 1000, 3);
    struct seen_events s = {0};
    ck_assert_int_eq(
        sj_client_subscribe(c, NULL, 0, 1, on_event_from_replay, &s), 0);
    wait_events(c, &s, 2);
    ck_assert_int_eq(s.n, 2);
    int before = atomic_load(&f->nseen);
    for (int i = 3; i <= 10; i++) { /* one at a time: each rings */
        atomic_store(&f->publish_upto, i);
        wait_events(c, &s, i);
    }
    ck_assert_int_eq(s.n, 10);
    for (int i = 0; i < 10; i++)
        ck_assert_uint_eq(s.seq[i], (uint64_t)i + 1);
    ck_assert_int_gt(atomic_load(&f->nseen), before); /* Replays asked */
    sj_client_destroy(&c);
    fake_stop(f);
}
END_TEST

START_TEST(subscribe_from_now)
{
    struct fake *f = fake_start(ANSWER);
    for (int i = 0; i < 8; i++)
        f->topics[i] = "wish.posted";
    atomic_store(&f->publish_upto, 4);
    sj_client_t *c = client_for(f, 1000, 3);
    struct seen_events s = {0};
    ck_assert_int_eq(sj_client_subscribe(c, NULL, 0, 0, on_event, &s), 0);
    int64_t end = sj_now_ms() + 3000;
    while (sj_client_last_seq(c) < 4 && sj_now_ms() < end)
        sj_client_wait(c, 100);
    ck_assert_uint_eq(sj_client_last_seq(c), 4);
    atomic_store(&f->publish_upto, 6);
    wait_events(c, &s, 2);
    ck_assert_int_eq(s.n, 2); /* only 5 and 6: history is skipped */
    ck_assert_uint_eq(s.seq[0], 5);
    ck_assert_uint_eq(s.seq[1], 6);
    sj_client_destroy(&c);
    fake_stop(f);
}
END_TEST

START_TEST(new_rejects_bad_keys)
{
    int err = 0;
    sj_client_opts_t o = {0};
    ck_assert_ptr_null(sj_client_new(&o, &err));
    ck_assert_int_eq(err, SJ_EINVAL);
    o.key_file = "/nonexistent/committee.key";
    o.server_key_file = "/nonexistent/server.pub";
    ck_assert_ptr_null(sj_client_new(&o, &err));
    ck_assert_int_eq(err, SJ_EIO);
    sj_keypair_t pub_only = {0};
    o.keypair = &pub_only;
    ck_assert_ptr_null(sj_client_new(&o, &err));
    ck_assert_int_eq(err, SJ_EINVAL);
}
END_TEST

static Suite *client_suite(void)
{
    Suite *s = suite_create("client");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, call_answered);
    tcase_add_test(tc, retry_same_bytes);
    tcase_add_test(tc, stale_duplicate_ignored);
    tcase_add_test(tc, timeout_after_retries);
    tcase_add_test(tc, async_send_and_timeout);
    tcase_add_test(tc, subscribe_catch_up_fills_gap);
    tcase_add_test(tc, subscribe_from_now);
    tcase_add_test(tc, subscribe_delivers_replay_not_live);
    tcase_add_test(tc, new_rejects_bad_keys);
    suite_add_tcase(s, tc);
    return s;
}

SJ_CHECK_MAIN(client_suite)
