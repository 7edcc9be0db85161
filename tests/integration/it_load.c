/* Integration (issue 13): one member cannot stall, bloat or fill the
 * broker. Real broker processes on loopback: the loop's latency (a ping's
 * p99) while one member floods placards and QR codes, reports or empty
 * scans; SIGTERM during such a flood; the broker's memory under Replay
 * hoarding, a subscription bomb and a subscriber that never reads; a log
 * range of maximum-size events that still replays. Limits are off (--rate
 * 0) so that what is shown is the reader pool and the byte bounds alone. */
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "codec.h"
#include "it_harness.h"
#include "keyfile.h"

#define ST(x) SHANGJU__STATUS__STATUS_##x
#define K(x) SHANGJU__REQUEST__BODY_##x
#define PINGS 200
/* The bounds are the issue's, for the release build (`make test`). Under
 * AddressSanitizer the code runs 2-3x slower and freed memory sits in its
 * quarantine (256 MiB), so there they are scaled: the sanitizer build is
 * for memory errors on these paths, not for the figures. */
#ifdef __SANITIZE_ADDRESS__
#define SLOW 4
#else
#define SLOW 1
#endif
#define P99_BOUND_MS (50.0 * SLOW)
#define FLOODERS 4 /* connections of the one flooding member */

static const char *const unlimited[] = {"--rate", "0", "--max-open-wishes", "0",
                                        NULL};

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* A raw CURVE socket of type type, as any member's program could open. */
static void *raw_socket(void *ctx, const it_broker_t *b, int type,
                        const char *ep)
{
    sj_keypair_t server, me;
    ck_assert_int_eq(sj_keyfile_load(b->server_pub, &server), 0);
    ck_assert_int_eq(sj_keyfile_load(b->committee_key, &me), 0);
    void *s = zmq_socket(ctx, type);
    int zero = 0, one = 1, small = 4096;
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(s, ZMQ_RCVHWM, &one, sizeof one);
    zmq_setsockopt(s, ZMQ_RCVBUF, &small, sizeof small);
    zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server.public_key, 32);
    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, me.public_key, 32);
    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, me.secret_key, 32);
    ck_assert_int_eq(zmq_connect(s, ep), 0);
    return s;
}

/* ------------------------------------------------------------ flooding */

typedef enum { FLOOD_PLACARDS, FLOOD_REPORTS, FLOOD_SCANS } flood_kind_t;

struct flooder {
    const it_broker_t *b;
    const sj_keypair_t *kp; /* NULL: the committee */
    flood_kind_t kind;
    uint64_t merchant;
    volatile int *stop;
    unsigned sent, answered;
    pthread_t th;
};

static void *flood(void *arg)
{
    struct flooder *f = arg;
    sj_client_t *c = it_client(f->b, f->kp, 3000, -1);
    for (unsigned i = 0; !*f->stop; i++) {
        Shangju__Request req = SHANGJU__REQUEST__INIT;
        Shangju__PlacardGet pg = SHANGJU__PLACARD_GET__INIT;
        Shangju__QrGet qr = SHANGJU__QR_GET__INIT;
        Shangju__ReportGet rg = SHANGJU__REPORT_GET__INIT;
        Shangju__WishList wl = SHANGJU__WISH_LIST__INIT;
        switch (f->kind) {
        case FLOOD_PLACARDS: /* placards (cached) and QR codes (rendered) */
            if (i % 2) {
                pg.merchant_id = f->merchant;
                pg.format = i % 4 == 1
                                ? SHANGJU__IMAGE_FORMAT__IMAGE_FORMAT_SVG
                                : SHANGJU__IMAGE_FORMAT__IMAGE_FORMAT_PNG;
                req.body_case = K(PLACARD_GET);
                req.placard_get = &pg;
            } else {
                qr.subject = SHANGJU__QR_SUBJECT__QR_SUBJECT_MERCHANT;
                qr.id = f->merchant;
                qr.module_px = 8 + i % 16;
                req.body_case = K(QR_GET);
                req.qr_get = &qr;
            }
            break;
        case FLOOD_REPORTS:
            req.body_case = K(REPORT_GET);
            req.report_get = &rg;
            break;
        case FLOOD_SCANS:
            /* the community of every wish (its index is taken first) and
             * a state none is in: matches nothing, walks the whole scan
             * budget */
            wl.state = SHANGJU__WISH_STATE__WISH_STATE_CLOSED;
            wl.community = (char *)"Xinhua";
            wl.limit = 100;
            req.body_case = K(WISH_LIST);
            req.wish_list = &wl;
            break;
        }
        Shangju__Reply *r = NULL;
        f->sent++;
        if (sj_client_call(c, &req, &r) == 0 && r) {
            f->answered++;
            shangju__reply__free_unpacked(r, NULL);
        }
    }
    sj_client_destroy(&c);
    return NULL;
}

static void flood_start(struct flooder *fl, int n, const it_broker_t *b,
                        const sj_keypair_t *kp, flood_kind_t kind,
                        uint64_t merchant, volatile int *stop)
{
    for (int i = 0; i < n; i++) {
        fl[i] = (struct flooder){
            .b = b, .kp = kp, .kind = kind, .merchant = merchant, .stop = stop};
        ck_assert_int_eq(pthread_create(&fl[i].th, NULL, flood, &fl[i]), 0);
    }
}

static unsigned flood_join(struct flooder *fl, int n)
{
    unsigned answered = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(fl[i].th, NULL);
        answered += fl[i].answered;
    }
    return answered;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* PINGS pings, 5 ms apart: their p99 in ms (the loop's latency). */
static double ping_p99(sj_client_t *c, double *p50)
{
    double ms[PINGS];
    for (int i = 0; i < PINGS; i++) {
        Shangju__Request req;
        it_bodies_t b;
        it_request(&req, &b, K(PING), 0);
        int64_t t0 = it_now_ms();
        struct timespec a, z;
        clock_gettime(CLOCK_MONOTONIC, &a);
        ck_assert_int_eq(it_status(c, &req), ST(OK));
        clock_gettime(CLOCK_MONOTONIC, &z);
        (void)t0;
        ms[i] = (z.tv_sec - a.tv_sec) * 1e3 + (z.tv_nsec - a.tv_nsec) / 1e6;
        sleep_ms(5);
    }
    qsort(ms, PINGS, sizeof ms[0], cmp_double);
    if (p50)
        *p50 = ms[PINGS / 2];
    return ms[PINGS * 99 / 100];
}

/* A merchant with a listing; its key in kp. */
static uint64_t merchant_with_listing(sj_client_t *committee, sj_keypair_t *kp,
                                      const it_broker_t *b)
{
    uint64_t id = it_member_add(committee, SHANGJU__ROLE__ROLE_MERCHANT,
                                "Moon Bakery", NULL, 0, kp);
    sj_client_t *m = it_client(b, kp, 5000, 2);
    Shangju__Request req;
    it_bodies_t bodies;
    it_request(&req, &bodies, K(LISTING_PUT), 0);
    ck_assert_int_eq(it_status(m, &req), ST(OK));
    sj_client_destroy(&m);
    return id;
}

/* n wishes posted by the committee for resident, 8 connections at once
 * (so they group-commit). */
struct poster {
    const it_broker_t *b;
    uint64_t resident;
    int n;
    pthread_t th;
};

static void *post_many(void *arg)
{
    struct poster *p = arg;
    sj_client_t *c = it_client(p->b, NULL, 10000, 2);
    for (int i = 0; i < p->n; i++)
        it_wish_post(c, "a wish", p->resident);
    sj_client_destroy(&c);
    return NULL;
}

static void post_wishes(const it_broker_t *b, uint64_t resident, int n)
{
    struct poster p[8];
    for (int i = 0; i < 8; i++) {
        p[i] = (struct poster){.b = b, .resident = resident, .n = n / 8};
        ck_assert_int_eq(pthread_create(&p[i].th, NULL, post_many, &p[i]), 0);
    }
    for (int i = 0; i < 8; i++)
        pthread_join(p[i].th, NULL);
}

/* --------------------------------------------- the loop stays responsive */

START_TEST(loop_latency_under_heavy_reads)
{
    it_broker_t b;
    it_broker_new(&b, unlimited);
    sj_client_t *committee = it_client(&b, NULL, 5000, 2);
    sj_keypair_t mk, rk;
    uint64_t merchant = merchant_with_listing(committee, &mk, &b);
    uint64_t resident = it_member_add(committee, SHANGJU__ROLE__ROLE_RESIDENT,
                                      "Grandma Li", "138-0000", 0, &rk);
    /* a log for the report; a scan that walks its whole budget (20,000
     * records, STORE_SCAN_BUDGET) when nothing matches */
    post_wishes(&b, resident, 20000);
    double base50, base = ping_p99(committee, &base50);
    printf("it_load: ping p50 %.2f ms p99 %.2f ms without load\n", base50,
           base);
    static const struct {
        flood_kind_t kind;
        const char *name;
    } floods[] = {{FLOOD_PLACARDS, "placards and QR codes"},
                  {FLOOD_REPORTS, "reports"},
                  {FLOOD_SCANS, "empty scans"}};
    double p99s[3];
    for (size_t k = 0; k < sizeof floods / sizeof floods[0]; k++) {
        volatile int stop = 0;
        struct flooder fl[FLOODERS];
        /* one member floods: the merchant (placards, scans) or the
         * committee (reports are the committee's) */
        const sj_keypair_t *who = floods[k].kind == FLOOD_REPORTS ? NULL : &mk;
        flood_start(fl, FLOODERS, &b, who, floods[k].kind, merchant, &stop);
        sleep_ms(300);
        double p50, p99 = ping_p99(committee, &p50);
        stop = 1;
        unsigned answered = flood_join(fl, FLOODERS);
        printf("it_load: ping p50 %.2f ms p99 %.2f ms while one member "
               "floods %s (%u answered)\n",
               p50, p99, floods[k].name, answered);
        ck_assert_msg(answered > 0, "the flood of %s got no answers",
                      floods[k].name);
        p99s[k] = p99;
    }
    /* every flood measured first, then judged: each is a finding */
    for (size_t k = 0; k < sizeof floods / sizeof floods[0]; k++)
        ck_assert_msg(p99s[k] < P99_BOUND_MS,
                      "ping p99 %.1f ms while one member floods %s "
                      "(bound %.0f ms)",
                      p99s[k], floods[k].name, P99_BOUND_MS);
    /* read-your-writes through the pool: a write, then a read of it */
    uint64_t w = it_wish_post(committee, "read after write", resident);
    Shangju__Reply *r = it_wish_get(committee, w);
    ck_assert_str_eq(r->wish->title, "read after write");
    shangju__reply__free_unpacked(r, NULL);
    sj_client_destroy(&committee);
    ck_assert_int_eq(it_broker_stop(&b), 0);
}
END_TEST

START_TEST(sigterm_during_heavy_read_flood)
{
    it_broker_t b;
    it_broker_new(&b, unlimited);
    sj_client_t *committee = it_client(&b, NULL, 5000, 2);
    sj_keypair_t mk;
    uint64_t merchant = merchant_with_listing(committee, &mk, &b);
    sj_client_destroy(&committee);
    volatile int stop = 0;
    struct flooder fl[FLOODERS], fr[FLOODERS];
    flood_start(fl, FLOODERS, &b, &mk, FLOOD_PLACARDS, merchant, &stop);
    flood_start(fr, FLOODERS, &b, NULL, FLOOD_REPORTS, merchant, &stop);
    /* and 200 PNG placards asked at once, without waiting for replies, as
     * a committee worker printing placards might */
    void *ctx = zmq_ctx_new();
    void *burst = raw_socket(ctx, &b, ZMQ_DEALER, b.requests);
    for (int i = 0; i < 200; i++) {
        Shangju__Request req;
        it_bodies_t bodies;
        it_request(&req, &bodies, K(PLACARD_GET), 0);
        req.request_id = 5000 + (uint64_t)i;
        req.placard_get->merchant_id = merchant;
        req.placard_get->format = SHANGJU__IMAGE_FORMAT__IMAGE_FORMAT_PNG;
        size_t len;
        uint8_t *buf = sj_codec_encode(&req.base, &len);
        ck_assert_int_eq(zmq_send(burst, buf, len, 0), (int)len);
        free(buf);
    }
    sleep_ms(1000);
    struct timespec a, z;
    clock_gettime(CLOCK_MONOTONIC, &a);
    int code = it_broker_stop(&b);
    clock_gettime(CLOCK_MONOTONIC, &z);
    double took = (z.tv_sec - a.tv_sec) * 1e3 + (z.tv_nsec - a.tv_nsec) / 1e6;
    stop = 1;
    flood_join(fl, FLOODERS);
    flood_join(fr, FLOODERS);
    zmq_close(burst);
    zmq_ctx_term(ctx);
    printf("it_load: SIGTERM during a flood of placards and reports: exit "
           "%d after %.0f ms\n",
           code, took);
    ck_assert_int_eq(code, 0);
    ck_assert_msg(took < 1000.0 * SLOW, "SIGTERM took %.0f ms (bound %d)", took,
                  1000 * SLOW);
}
END_TEST

/* ------------------------------------------------------- memory bounds */

static long rss_kib(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

/* The largest listing the rules allow (~14 KB as an event). */
struct big_listing {
    Shangju__Listing l;
    Shangju__Service sv[SJ_MAX_SERVICES], *svp[SJ_MAX_SERVICES];
    char *spec[SJ_MAX_SPECIALTIES];
    char name[SJ_MAX_NAME + 1], cat[SJ_MAX_CATEGORY + 1];
    char addr[SJ_MAX_ADDRESS + 1], hours[SJ_MAX_HOURS + 1];
    char specs[SJ_MAX_SPECIALTIES][SJ_MAX_SPECIALTY + 1];
    char note[SJ_MAX_NOTE + 1];
};

/* The limits count bytes: fill each field to its limit. */
static void fill(char *buf, size_t bytes)
{
    memset(buf, 'x', bytes);
    buf[bytes] = 0;
}

static void big_listing(struct big_listing *x, uint64_t merchant)
{
    memset(x, 0, sizeof *x);
    shangju__listing__init(&x->l);
    x->l.merchant_id = merchant;
    fill(x->name, SJ_MAX_NAME);
    fill(x->cat, SJ_MAX_CATEGORY);
    fill(x->addr, SJ_MAX_ADDRESS);
    fill(x->hours, SJ_MAX_HOURS);
    fill(x->note, SJ_MAX_NOTE);
    x->l.name = x->name;
    x->l.category = x->cat;
    x->l.address = x->addr;
    x->l.hours = x->hours;
    for (int i = 0; i < SJ_MAX_SPECIALTIES; i++) {
        fill(x->specs[i], SJ_MAX_SPECIALTY);
        x->spec[i] = x->specs[i];
    }
    x->l.specialties = x->spec;
    x->l.n_specialties = SJ_MAX_SPECIALTIES;
    for (int i = 0; i < SJ_MAX_SERVICES; i++) {
        shangju__service__init(&x->sv[i]);
        x->sv[i].name = x->name;
        x->sv[i].description = x->note;
        x->sv[i].points = 1;
        x->svp[i] = &x->sv[i];
    }
    x->l.services = x->svp;
    x->l.n_services = SJ_MAX_SERVICES;
}

/* n maximum-size updates of merchant's listing (the committee edits it). */
static void poison(sj_client_t *committee, uint64_t merchant, int n)
{
    struct big_listing *x = malloc(sizeof *x);
    ck_assert_ptr_nonnull(x);
    big_listing(x, merchant);
    for (int i = 0; i < n; i++) {
        Shangju__Request req = SHANGJU__REQUEST__INIT;
        Shangju__ListingPut put = SHANGJU__LISTING_PUT__INIT;
        put.listing = &x->l;
        put.create = false;
        x->hours[0] = (char)('A' + i % 26); /* each update differs */
        x->hours[1] = x->hours[2] = '-';
        req.body_case = K(LISTING_PUT);
        req.listing_put = &put;
        Shangju__Reply *r = it_call(committee, &req);
        ck_assert_msg(r->status == ST(OK), "listing put: %s", r->message);
        shangju__reply__free_unpacked(r, NULL);
    }
    free(x);
}

START_TEST(memory_stays_bounded)
{
    it_broker_t b;
    it_broker_new(&b, unlimited);
    sj_client_t *committee = it_client(&b, NULL, 10000, 2);
    sj_keypair_t mk;
    uint64_t merchant = merchant_with_listing(committee, &mk, &b);
    poison(committee, merchant, 330); /* ~14 KB events: 4.6 MB of log */
    long base = rss_kib(b.pid);
    void *ctx = zmq_ctx_new();

    /* Replay hoarding: 150 Replays of the whole range, never read. */
    void *hoard = raw_socket(ctx, &b, ZMQ_DEALER, b.requests);
    for (int i = 0; i < 150; i++) {
        Shangju__Request req;
        it_bodies_t bodies;
        it_request(&req, &bodies, K(REPLAY), 0);
        req.request_id = 1000 + (uint64_t)i;
        req.replay->from_seq = 1;
        req.replay->limit = 1000;
        size_t len;
        uint8_t *buf = sj_codec_encode(&req.base, &len);
        zmq_send(hoard, buf, len, ZMQ_DONTWAIT);
        free(buf);
        sleep_ms(10);
    }
    /* A subscription bomb: 15 MB of prefixes no topic has. */
    void *bomb = raw_socket(ctx, &b, ZMQ_SUB, b.events);
    char prefix[100];
    for (int i = 0; i < 150000; i++) {
        memset(prefix, 'a' + i % 26, sizeof prefix);
        snprintf(prefix, 16, "%d.", i);
        zmq_setsockopt(bomb, ZMQ_SUBSCRIBE, prefix, sizeof prefix);
    }
    /* A subscriber that never reads, while events are made. */
    void *silent = raw_socket(ctx, &b, ZMQ_SUB, b.events);
    zmq_setsockopt(silent, ZMQ_SUBSCRIBE, "", 0);
    sleep_ms(500);
    sj_keypair_t rk;
    uint64_t resident = it_member_add(committee, SHANGJU__ROLE__ROLE_RESIDENT,
                                      "Grandma Li", "138-0000", 0, &rk);
    post_wishes(&b, resident, 2000);
    sleep_ms(1500);
    long grown = rss_kib(b.pid) - base;
    printf("it_load: broker memory grew by %ld MiB under Replay hoarding, a "
           "subscription bomb and a silent subscriber (base %ld MiB)\n",
           grown / 1024, base / 1024);
    ck_assert_msg(grown < 200 * 1024 * SLOW,
                  "the broker grew by %ld MiB (bound %d)", grown / 1024,
                  200 * SLOW);
    /* and it still serves: a fresh subscriber hears a new event */
    void *sub = it_sub_open(&b, NULL);
    sleep_ms(300);
    it_wish_post(committee, "still heard", resident);
    Shangju__Event *ev = it_sub_recv(sub, 5000, NULL);
    ck_assert_ptr_nonnull(ev);
    shangju__event__free_unpacked(ev, NULL);
    it_sub_close(&sub);
    zmq_close(hoard);
    zmq_close(bomb);
    zmq_close(silent);
    zmq_ctx_term(ctx);
    sj_client_destroy(&committee);
    ck_assert_int_eq(it_broker_stop(&b), 0);
}
END_TEST

/* -------------------------------------------------- a poisoned range */

START_TEST(poisoned_range_replays)
{
    it_broker_t b;
    it_broker_new(&b, unlimited);
    sj_client_t *committee = it_client(&b, NULL, 10000, 1);
    sj_keypair_t mk;
    uint64_t merchant = merchant_with_listing(committee, &mk, &b);
    poison(committee, merchant, 330);
    uint64_t last = it_last_seq(committee);
    /* Replay pages of at most 1,000 events: every one answered, the
     * range covered to its end. */
    uint64_t from = 1, pages = 0;
    while (from <= last) {
        Shangju__Request req;
        it_bodies_t bodies;
        it_request(&req, &bodies, K(REPLAY), 0);
        req.replay->from_seq = from;
        req.replay->limit = 1000;
        Shangju__Reply *r = it_call(committee, &req);
        ck_assert_int_eq(r->status, ST(OK));
        ck_assert_uint_gt(r->events->n_items, 0);
        ck_assert_uint_lt(protobuf_c_message_get_packed_size(&r->base),
                          SJ_MAX_PAGE_BYTES * 2);
        from = r->events->items[r->events->n_items - 1]->seq + 1;
        shangju__reply__free_unpacked(r, NULL);
        pages++;
    }
    printf("it_load: %llu events of maximum-size listings replayed in %llu "
           "pages\n",
           (unsigned long long)last, (unsigned long long)pages);
    ck_assert_uint_gt(pages, 1);
    /* A listing page of 500 asked for: answered, bounded in bytes. */
    for (int i = 0; i < 60; i++) {
        sj_keypair_t k;
        poison(committee, merchant_with_listing(committee, &k, &b), 1);
    }
    Shangju__Request req;
    it_bodies_t bodies;
    it_request(&req, &bodies, K(LISTING_LIST), 0);
    req.listing_list->limit = 500;
    Shangju__Reply *r = it_call(committee, &req);
    ck_assert_int_eq(r->status, ST(OK));
    ck_assert_uint_gt(r->listings->n_items, 0);
    ck_assert_uint_ne(r->listings->next, 0); /* the rest on the next page */
    shangju__reply__free_unpacked(r, NULL);
    sj_client_destroy(&committee);
    ck_assert_int_eq(it_broker_stop(&b), 0);
}
END_TEST

/* ----------------------------------------------- the placard cache */

/* A PNG placard of merchant as c sees it (caller frees *png). */
static void placard(sj_client_t *c, uint64_t merchant, uint8_t **png,
                    size_t *len)
{
    Shangju__Request req;
    it_bodies_t bodies;
    it_request(&req, &bodies, K(PLACARD_GET), merchant);
    req.placard_get->format = SHANGJU__IMAGE_FORMAT__IMAGE_FORMAT_PNG;
    Shangju__Reply *r = it_call(c, &req);
    ck_assert_int_eq(r->status, ST(OK));
    ck_assert_ptr_nonnull(r->image);
    *len = r->image->data.len;
    *png = malloc(*len);
    ck_assert_ptr_nonnull(*png);
    memcpy(*png, r->image->data.data, *len);
    shangju__reply__free_unpacked(r, NULL);
}

static uint64_t cache_hits(sj_client_t *committee)
{
    Shangju__Request req;
    it_bodies_t bodies;
    it_request(&req, &bodies, K(ADMIN_STATS), 0);
    Shangju__Reply *r = it_call(committee, &req);
    ck_assert_int_eq(r->status, ST(OK));
    uint64_t hits = r->stats->placard_cache_hits;
    shangju__reply__free_unpacked(r, NULL);
    return hits;
}

/* A placard is rendered once per version of its listing: asked again it
 * comes from the cache; after the listing changes it is drawn anew and
 * shows the change. */
START_TEST(placard_cached_per_listing_version)
{
    it_broker_t b;
    it_broker_new(&b, unlimited);
    sj_client_t *committee = it_client(&b, NULL, 5000, 2);
    sj_keypair_t mk;
    uint64_t merchant = merchant_with_listing(committee, &mk, &b);
    uint8_t *a, *a2, *c, *c2;
    size_t la, la2, lc, lc2;
    uint64_t h0 = cache_hits(committee);
    placard(committee, merchant, &a, &la);
    placard(committee, merchant, &a2, &la2);
    uint64_t h1 = cache_hits(committee);
    /* a new version of the listing: another name */
    Shangju__Request req;
    it_bodies_t bodies;
    it_request(&req, &bodies, K(LISTING_PUT), merchant);
    req.listing_put->listing->name = (char *)"Sun Bakery";
    ck_assert_int_eq(it_status(committee, &req), ST(OK));
    placard(committee, merchant, &c, &lc);
    uint64_t h2 = cache_hits(committee);
    placard(committee, merchant, &c2, &lc2);
    uint64_t h3 = cache_hits(committee);
    printf("it_load: placard cache hits %llu, %llu after asking twice, %llu "
           "after the listing changed, %llu after asking again\n",
           (unsigned long long)h0, (unsigned long long)h1,
           (unsigned long long)h2, (unsigned long long)h3);
    ck_assert_uint_eq(h1, h0 + 1); /* the second came from the cache */
    ck_assert_uint_eq(h2, h1);     /* the new version was drawn */
    ck_assert_uint_eq(h3, h2 + 1);
    ck_assert(la == la2 && memcmp(a, a2, la) == 0);
    ck_assert(lc == lc2 && memcmp(c, c2, lc) == 0);
    ck_assert(la != lc || memcmp(a, c, la) != 0); /* it shows the change */
    free(a);
    free(a2);
    free(c);
    free(c2);
    sj_client_destroy(&committee);
    ck_assert_int_eq(it_broker_stop(&b), 0);
}
END_TEST

int main(int argc, char **argv)
{
    it_init(argc, argv);
    Suite *s = suite_create("it_load");
    TCase *tc = tcase_create("load");
    tcase_set_timeout(tc, 450);
    tcase_add_test(tc, loop_latency_under_heavy_reads);
    tcase_add_test(tc, sigterm_during_heavy_read_flood);
    tcase_add_test(tc, memory_stays_bounded);
    tcase_add_test(tc, poisoned_range_replays);
    tcase_add_test(tc, placard_cached_per_listing_version);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    it_cleanup();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
