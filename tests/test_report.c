/* The yearly report against a hand-computed scenario: wishes posted,
 * claimed (twice for one), released, cancelled, expired, fulfilled and
 * closed at known times around a year boundary; every figure of the
 * report is checked exactly, including medians over later events. */
#include <check.h>

#include "check_main.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "notice.h"
#include "world.h"

#define K(x) SHANGJU__REQUEST__BODY_##x
#define H (3600LL * 1000)
#define D (24 * H)

static world_t w;

static int64_t utc(int y, int mo, int d, int h)
{
    struct tm tm = {
        .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h};
    return (int64_t)timegm(&tm) * 1000;
}

static Shangju__Report *report(uint32_t year)
{
    Shangju__ReportGet g = SHANGJU__REPORT_GET__INIT;
    g.year = year;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(REPORT_GET);
    req.report_get = &g;
    ck_assert_int_eq(world_call(&w, w.committee, &req), 0);
    return w.reply->report;
}

static uint64_t post_at(int64_t at, const char *title, uint32_t days)
{
    w.now = at;
    Shangju__WishPost p = SHANGJU__WISH_POST__INIT;
    p.title = (char *)title;
    p.expires_in_days = days;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(WISH_POST);
    req.wish_post = &p;
    ck_assert_int_eq(world_call(&w, w.resident, &req), 0);
    return w.reply->wish->id;
}

static void move_at(int64_t at, uint64_t who, Shangju__Request__BodyCase k,
                    uint64_t id)
{
    w.now = at;
    ck_assert_int_eq(world_move(&w, who, k, id), 0);
}

START_TEST(hand_computed_year)
{
    world_init(&w, 0);
    const int64_t T = utc(2025, 1, 10, 0);
    uint64_t prev = post_at(utc(2024, 12, 31, 23), "last year's wish", 365);
    uint64_t w1 = post_at(T, "w1", 0);
    uint64_t w2 = post_at(T + 1 * H, "w2", 0);
    post_at(T + 2 * H, "w3 expires in a day", 1);
    uint64_t w4 = post_at(T + 2 * H + H / 2, "w4 cancelled", 0);
    move_at(T + 3 * H, w.merchant, K(WISH_CLAIM), w1);
    move_at(T + 5 * H, w.merchant2, K(WISH_CLAIM), w2);
    move_at(T + 6 * H, w.merchant2, K(WISH_RELEASE), w2);
    move_at(T + 7 * H, w.merchant, K(WISH_CLAIM), w2);
    move_at(T + 8 * H, w.resident, K(WISH_CANCEL), w4);
    move_at(T + 10 * H, w.merchant, K(WISH_FULFIL), w2);
    move_at(T + 27 * H, w.merchant, K(WISH_FULFIL), w1);
    move_at(T + 28 * H, w.resident, K(WISH_CONFIRM), w1);
    w.now = T + 2 * H + D + 1;
    ck_assert_uint_eq(world_tick(&w), 1); /* w3 expires */
    /* Claimed at the year's end, fulfilled in the next year (within the
     * claim's due date); then a new post. */
    w.now = utc(2025, 12, 20, 0);
    Shangju__WishClaim cl = SHANGJU__WISH_CLAIM__INIT;
    cl.id = prev;
    cl.due_in_days = 14;
    Shangju__Request creq = SHANGJU__REQUEST__INIT;
    creq.body_case = K(WISH_CLAIM);
    creq.wish_claim = &cl;
    ck_assert_int_eq(world_call(&w, w.merchant, &creq), 0);
    move_at(utc(2026, 1, 2, 0), w.merchant, K(WISH_FULFIL), prev);
    post_at(utc(2026, 1, 3, 0), "next year", 0);

    Shangju__Report *r = report(2025);
    ck_assert_uint_eq(r->year, 2025);
    ck_assert_uint_eq(r->wishes_posted, 4);
    ck_assert_uint_eq(r->wishes_claimed, 4); /* w1, prev, w2 twice */
    ck_assert_uint_eq(r->wishes_fulfilled, 2);
    ck_assert_uint_eq(r->wishes_closed, 1);
    ck_assert_uint_eq(r->wishes_expired, 1);
    ck_assert_uint_eq(r->wishes_cancelled, 1);
    /* first claims: w1 3h, w2 4h -> 3.5h; fulfilments: 27h, 9h -> 18h */
    ck_assert_uint_eq(r->posted_to_claimed->samples, 2);
    ck_assert_int_eq(r->posted_to_claimed->ms, 3 * H + H / 2);
    ck_assert_uint_eq(r->posted_to_fulfilled->samples, 2);
    ck_assert_int_eq(r->posted_to_fulfilled->ms, 18 * H);
    ck_assert_uint_eq(r->active_merchants, 2);
    ck_assert_uint_eq(r->points_issued, w.cfg.points_per_wish);
    ck_assert_uint_eq(r->points_spent, 0);
    ck_assert_uint_eq(r->complaints_filed, 0);
    ck_assert_ptr_nonnull(r->ranking);
    ck_assert_uint_eq(r->ranking->n_items, 1);
    ck_assert_uint_eq(r->ranking->items[0]->member_id, w.merchant);
    ck_assert_uint_eq(r->ranking->items[0]->earned, w.cfg.points_per_wish);

    /* 2024: one post, claimed 353d 1h later, fulfilled 366d 1h later. */
    r = report(2024);
    ck_assert_uint_eq(r->wishes_posted, 1);
    ck_assert_uint_eq(r->wishes_claimed, 0);
    ck_assert_uint_eq(r->posted_to_claimed->samples, 1);
    ck_assert_int_eq(r->posted_to_claimed->ms, 353 * D + 1 * H);
    ck_assert_uint_eq(r->posted_to_fulfilled->samples, 1);
    ck_assert_int_eq(r->posted_to_fulfilled->ms, 366 * D + 1 * H);
    ck_assert_uint_eq(r->active_merchants, 0);

    r = report(2026);
    ck_assert_uint_eq(r->wishes_posted, 1);
    ck_assert_uint_eq(r->wishes_fulfilled, 1);
    ck_assert_uint_eq(r->posted_to_claimed->samples, 0);
    ck_assert_uint_eq(r->active_merchants, 1);
    world_end(&w);
}
END_TEST

static int call(uint64_t as, Shangju__Request__BodyCase k, void *body)
{
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = k;
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(
        &shangju__request__descriptor, (unsigned)k);
    *(void **)((char *)&req + f->offset) = body;
    return world_call(&w, as, &req);
}

static void listing(uint64_t merchant, const char *service, uint32_t points)
{
    Shangju__Service svc = SHANGJU__SERVICE__INIT, *sp = &svc;
    svc.name = (char *)service;
    svc.points = points;
    Shangju__Listing l = SHANGJU__LISTING__INIT;
    l.name = (char *)"shop";
    l.category = (char *)"misc";
    l.services = &sp;
    l.n_services = 1;
    Shangju__ListingPut p = SHANGJU__LISTING_PUT__INIT;
    p.listing = &l;
    p.create = true;
    ck_assert_int_eq(call(merchant, K(LISTING_PUT), &p), 0);
}

static uint64_t draft(int64_t start, int64_t end)
{
    uint64_t parties[] = {w.committee, w.merchant, w.resident};
    Shangju__ServiceItem it = SHANGJU__SERVICE_ITEM__INIT, *ip = &it;
    it.giver_id = w.merchant;
    it.what = (char *)"Free haircuts for elders";
    Shangju__CompactDraft d = SHANGJU__COMPACT_DRAFT__INIT;
    d.title = (char *)"Jinqiao compact";
    d.term_start = start;
    d.term_end = end;
    d.parties = parties;
    d.n_parties = 3;
    d.items = &ip;
    d.n_items = 1;
    ck_assert_int_eq(call(w.committee, K(COMPACT_DRAFT), &d), 0);
    return w.reply->compact->id;
}

static void sign_all(uint64_t id)
{
    uint64_t parties[] = {w.committee, w.merchant, w.resident};
    for (int i = 0; i < 3; i++) {
        Shangju__CompactGet g = SHANGJU__COMPACT_GET__INIT;
        g.id = id;
        ck_assert_int_eq(call(w.committee, K(COMPACT_GET), &g), 0);
        uint8_t hash[32];
        memcpy(hash, w.reply->compact->version_hash.data, 32);
        Shangju__CompactSign s = SHANGJU__COMPACT_SIGN__INIT;
        s.id = id;
        s.version = w.reply->compact->version;
        s.version_hash.data = hash;
        s.version_hash.len = 32;
        ck_assert_int_eq(call(parties[i], K(COMPACT_SIGN), &s), 0);
    }
}

/* Fire due compact and wish timers at w.now. */
static void tick_all(void)
{
    sj_txn_t *txn;
    ck_assert_int_eq(sj_txn_begin(w.store, true, &txn), 0);
    sj_timer_t due[16];
    size_t n;
    ck_assert_int_eq(sj_timer_due(txn, w.now, due, 16, &n), 0);
    for (size_t i = 0; i < n; i++) {
        sj_txn_t *child;
        ck_assert_int_eq(sj_txn_begin_nested(txn, &child), 0);
        sj_call_t c;
        sj_call_init(&c, child, NULL, w.now, &w.cfg);
        ck_assert_int_eq(due[i].kind >= SJ_TIMER_COMPACT_START
                             ? sj_compact_timer_fire(&c, &due[i])
                             : sj_wish_timer_fire(&c, &due[i]),
                         0);
        sj_call_end(&c);
        ck_assert_int_eq(sj_txn_commit(&child), 0);
    }
    ck_assert_int_eq(sj_txn_commit(&txn), 0);
}

START_TEST(compacts_complaints_and_points)
{
    world_init(&w, 0);
    ck_assert_int_eq(sj_signer_generate(&w.signer), 0);
    const int64_t T = utc(2025, 6, 1, 0);
    w.now = T;
    listing(w.merchant2, "Portrait", 4);
    uint64_t wish = post_at(T, "a wish", 0);
    move_at(T + H, w.merchant, K(WISH_CLAIM), wish);
    move_at(T + 2 * H, w.merchant, K(WISH_FULFIL), wish);
    move_at(T + 3 * H, w.resident, K(WISH_CONFIRM), wish); /* earns 10 */
    Shangju__PointsTransfer pay = SHANGJU__POINTS_TRANSFER__INIT;
    pay.to_member = w.merchant2;
    pay.service = (char *)"Portrait";
    pay.expected_points = 4;
    ck_assert_int_eq(call(w.merchant, K(POINTS_TRANSFER), &pay), 0);

    draft(T + 30 * D, T + 60 * D); /* stays NEGOTIATING */
    uint64_t b = draft(T + D, T + 10 * D);
    sign_all(b);
    Shangju__CompactPublish pub = SHANGJU__COMPACT_PUBLISH__INIT;
    pub.id = b;
    ck_assert_int_eq(call(w.committee, K(COMPACT_PUBLISH), &pub), 0);
    /* A long compact: active from 2025 to mid-2027, with no event at all
     * in 2026. */
    uint64_t lng = draft(T + D, utc(2027, 6, 1, 0));
    sign_all(lng);
    pub.id = lng;
    ck_assert_int_eq(call(w.committee, K(COMPACT_PUBLISH), &pub), 0);
    w.now = T + D;
    tick_all(); /* both ACTIVE */
    Shangju__CompactComplain cc = SHANGJU__COMPACT_COMPLAIN__INIT;
    cc.id = b;
    cc.against_id = w.merchant;
    cc.text = (char *)"The haircut was skipped";
    ck_assert_int_eq(call(w.resident, K(COMPACT_COMPLAIN), &cc), 0);
    uint32_t first = w.reply->compact->complaints[0]->id;
    cc.against_id = w.resident;
    cc.text = (char *)"Nobody came to help";
    ck_assert_int_eq(call(w.merchant, K(COMPACT_COMPLAIN), &cc), 0);
    Shangju__CompactResolve res = SHANGJU__COMPACT_RESOLVE__INIT;
    res.id = b;
    res.complaint_id = first;
    res.resolution = (char *)"Rescheduled";
    ck_assert_int_eq(call(w.committee, K(COMPACT_RESOLVE), &res), 0);
    w.now = T + 10 * D;
    tick_all(); /* EVALUATING */
    /* Next year the committee closes it: 2025 still reports evaluating. */
    w.now = utc(2026, 1, 5, 0);
    Shangju__CompactClose cl = SHANGJU__COMPACT_CLOSE__INIT;
    cl.id = b;
    ck_assert_int_eq(call(w.committee, K(COMPACT_CLOSE), &cl), 0);

    Shangju__Report *r = report(2025);
    ck_assert_uint_eq(r->compacts_negotiating, 1);
    ck_assert_uint_eq(r->compacts_evaluating, 1);
    ck_assert_uint_eq(r->compacts_active, 1);
    ck_assert_uint_eq(
        r->compacts_signed + r->compacts_published + r->compacts_closed, 0);
    ck_assert_uint_eq(r->complaints_filed, 2);
    ck_assert_uint_eq(r->complaints_resolved, 1);
    ck_assert_uint_eq(r->points_issued, w.cfg.points_per_wish);
    ck_assert_uint_eq(r->points_spent, 4);
    ck_assert_uint_eq(r->wishes_closed, 1);
    r = report(2026);
    ck_assert_uint_eq(r->compacts_closed, 1);
    /* in progress or in force all year, without a single event in it */
    ck_assert_uint_eq(r->compacts_negotiating, 1);
    ck_assert_uint_eq(r->compacts_active, 1);
    ck_assert_uint_eq(r->compacts_evaluating, 0);
    ck_assert_uint_eq(r->complaints_filed, 0);
    ck_assert_uint_eq(r->points_issued, 0);
    /* 2027: the compact closed in 2026 is gone; the long one ended */
    w.now = utc(2027, 7, 1, 0);
    tick_all(); /* the long one: EVALUATING */
    r = report(2027);
    ck_assert_uint_eq(r->compacts_closed, 0);
    ck_assert_uint_eq(r->compacts_negotiating, 1);
    ck_assert_uint_eq(r->compacts_evaluating, 1);
    ck_assert_uint_eq(r->compacts_active, 0);
    /* and 2024, before any of them, has none */
    r = report(2024);
    ck_assert_uint_eq(r->compacts_negotiating + r->compacts_active +
                          r->compacts_evaluating + r->compacts_closed,
                      0);
    world_end(&w);
}
END_TEST

START_TEST(bad_years)
{
    world_init(&w, 0);
    Shangju__ReportGet g = SHANGJU__REPORT_GET__INIT;
    g.year = 1999;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(REPORT_GET);
    req.report_get = &g;
    ck_assert_int_eq(world_call(&w, w.committee, &req),
                     SHANGJU__STATUS__STATUS_INVALID_ARGUMENT);
    g.year = 0; /* this year: an empty report */
    ck_assert_int_eq(world_call(&w, w.committee, &req), 0);
    ck_assert_uint_eq(w.reply->report->wishes_posted, 0);
    world_end(&w);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("report");
    tcase_add_test(tc, hand_computed_year);
    tcase_add_test(tc, compacts_complaints_and_points);
    tcase_add_test(tc, bad_years);
    suite_add_tcase(s, tc);
    return s;
}

SJ_CHECK_MAIN(suite)
