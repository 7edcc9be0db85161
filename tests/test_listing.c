/* Merchant listings and hand-over proof, in process: who may edit which
 * listing, every field's limit, paging through 10,000 merchants by
 * category, and the hand-over code (right code verifies, wrong codes are
 * counted and lock the code, the committee reissues one). */
#include <check.h>

#include "check_main.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world.h"

#define K(x) SHANGJU__REQUEST__BODY_##x
#define ST(x) SHANGJU__STATUS__STATUS_##x
#define WS(x) SHANGJU__WISH_STATE__WISH_STATE_##x

static world_t w;

static void setup(void)
{
    world_init(&w, 0);
}

static void teardown(void)
{
    world_end(&w);
}

static int put(uint64_t as, Shangju__Listing *l, bool create)
{
    Shangju__ListingPut p = SHANGJU__LISTING_PUT__INIT;
    p.listing = l;
    p.create = create;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(LISTING_PUT);
    req.listing_put = &p;
    return world_call(&w, as, &req);
}

static Shangju__Listing shop(uint64_t merchant, const char *category)
{
    Shangju__Listing l = SHANGJU__LISTING__INIT;
    l.merchant_id = merchant;
    l.name = (char *)"金麦烘焙 Golden Wheat";
    l.category = (char *)category;
    return l;
}

START_TEST(who_may_edit)
{
    Shangju__Listing l = shop(0, "bakery");
    ck_assert_int_eq(put(w.merchant, &l, true), 0);
    ck_assert_uint_eq(w.reply->listing->merchant_id, w.merchant);
    ck_assert_uint_eq(w.events, 1);
    ck_assert_int_eq(put(w.merchant, &l, true), ST(ALREADY_EXISTS));
    l.hours = (char *)"7:00-19:00";
    ck_assert_int_eq(put(w.merchant, &l, false), 0);
    /* Another merchant may not touch it, nor may a resident or a bridge. */
    l.merchant_id = w.merchant;
    ck_assert_int_eq(put(w.merchant2, &l, false), ST(PERMISSION_DENIED));
    ck_assert_int_eq(put(w.resident, &l, false), ST(PERMISSION_DENIED));
    ck_assert_int_eq(put(w.bridge, &l, false), ST(PERMISSION_DENIED));
    /* The committee may edit any; it must say which merchant. */
    l.address = (char *)"12 Jinqiao Road";
    ck_assert_int_eq(put(w.committee, &l, false), 0);
    ck_assert_uint_eq(w.reply->listing->updated_by, w.committee);
    l.merchant_id = 0;
    ck_assert_int_eq(put(w.committee, &l, false), ST(INVALID_ARGUMENT));
    l.merchant_id = w.resident; /* not a merchant */
    ck_assert_int_eq(put(w.committee, &l, true), ST(FAILED_PRECONDITION));
    l.merchant_id = w.merchant2; /* no listing yet: update refused */
    ck_assert_int_eq(put(w.committee, &l, false), ST(NOT_FOUND));
    Shangju__ListingGet g = SHANGJU__LISTING_GET__INIT;
    g.merchant_id = w.merchant;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(LISTING_GET);
    req.listing_get = &g;
    ck_assert_int_eq(world_call(&w, w.resident, &req), 0);
    ck_assert_str_eq(w.reply->listing->address, "12 Jinqiao Road");
    ck_assert_str_eq(w.reply->listing->hours, "7:00-19:00");
}
END_TEST

/* A string of n bytes of 'x' (freed by the caller). */
static char *text(size_t n)
{
    char *s = malloc(n + 1);
    memset(s, 'x', n);
    s[n] = '\0';
    return s;
}

START_TEST(every_field_has_a_limit)
{
    struct {
        const char *field;
        size_t max;
        int which;
    } fields[] = {
        {"name", 100, 0},
        {"category", 50, 1},
        {"address", 200, 2},
        {"hours", 100, 3},
        {"specialty", 100, 4},
        {"service name", 100, 5},
        {"service description", 500, 6},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        for (size_t extra = 0; extra < 2; extra++) {
            char *v = text(fields[i].max + extra);
            Shangju__Listing l = shop(0, "bakery");
            Shangju__Service svc = SHANGJU__SERVICE__INIT, *svcp = &svc;
            char *spec[1] = {v};
            svc.name = (char *)"Cake";
            switch (fields[i].which) {
            case 0:
                l.name = v;
                break;
            case 1:
                l.category = v;
                break;
            case 2:
                l.address = v;
                break;
            case 3:
                l.hours = v;
                break;
            case 4:
                l.specialties = spec;
                l.n_specialties = 1;
                break;
            case 5:
                svc.name = v;
                break;
            case 6:
                svc.description = v;
                break;
            }
            if (fields[i].which >= 5) {
                l.services = &svcp;
                l.n_services = 1;
            }
            int rc = put(w.merchant, &l, extra == 0 && i == 0);
            if (extra == 0) {
                ck_assert_msg(rc == 0, "%s at its limit: %s", fields[i].field,
                              w.reply->message);
            } else {
                ck_assert_int_eq(rc, ST(INVALID_ARGUMENT));
                ck_assert_msg(strstr(w.reply->message, fields[i].field) &&
                                  strstr(w.reply->message, "too long"),
                              "%s: '%s'", fields[i].field, w.reply->message);
            }
            free(v);
        }
    }
    /* Counts and points have limits too. */
    Shangju__Listing l = shop(0, "bakery");
    char *specs[13];
    for (int i = 0; i < 13; i++)
        specs[i] = (char *)"mooncakes";
    l.specialties = specs;
    l.n_specialties = 13;
    ck_assert_int_eq(put(w.merchant, &l, false), ST(INVALID_ARGUMENT));
    ck_assert_ptr_nonnull(strstr(w.reply->message, "specialties"));
    l.n_specialties = 0;
    Shangju__Service svc = SHANGJU__SERVICE__INIT, *svcp = &svc;
    svc.name = (char *)"Cake";
    svc.points = 100001;
    l.services = &svcp;
    l.n_services = 1;
    ck_assert_int_eq(put(w.merchant, &l, false), ST(INVALID_ARGUMENT));
    l.category = (char *)"";
    l.n_services = 0;
    ck_assert_int_eq(put(w.merchant, &l, false), ST(INVALID_ARGUMENT));
    ck_assert_ptr_nonnull(strstr(w.reply->message, "category"));
}
END_TEST

START_TEST(paging_ten_thousand_by_category)
{
    enum { N = 10000 };
    static const char *const cats[] = {"bakery", "bake", "photo"};
    /* Members and listings straight through the store: the rules are
     * tested above; this is about the index and the cursor. */
    sj_txn_t *t;
    ck_assert_int_eq(sj_txn_begin(w.store, true, &t), 0);
    for (uint64_t i = 0; i < N; i++) {
        Shangju__Listing l = shop(1000 + i, cats[i % 3]);
        ck_assert_int_eq(sj_listing_put(t, &l, NULL), 0);
    }
    ck_assert_int_eq(sj_txn_commit(&t), 0);
    for (size_t c = 0; c < 3; c++) {
        static unsigned char seen[1000 + N];
        memset(seen, 0, sizeof seen);
        Shangju__ListingList l = SHANGJU__LISTING_LIST__INIT;
        l.category = (char *)cats[c];
        l.limit = 337;
        size_t total = 0;
        for (int pages = 0; pages < 100; pages++) {
            Shangju__Request req = SHANGJU__REQUEST__INIT;
            req.body_case = K(LISTING_LIST);
            req.listing_list = &l;
            ck_assert_int_eq(world_call(&w, w.resident, &req), 0);
            Shangju__ListingPage *p = w.reply->listings;
            for (size_t i = 0; i < p->n_items; i++) {
                uint64_t id = p->items[i]->merchant_id;
                ck_assert_uint_ge(id, 1000);
                ck_assert_msg(!seen[id], "merchant %llu twice",
                              (unsigned long long)id);
                seen[id] = 1;
                ck_assert_str_eq(p->items[i]->category, cats[c]);
                total++;
            }
            if (!p->next)
                break;
            l.after = p->next;
        }
        ck_assert_uint_eq(total, N / 3 + (c < N % 3));
    }
}
END_TEST

/* ------------------------------------------------------------ hand-over */

static int fulfil(uint64_t as, uint64_t id, const char *code)
{
    Shangju__WishFulfil f = SHANGJU__WISH_FULFIL__INIT;
    f.id = id;
    f.handover_code = (char *)code;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(WISH_FULFIL);
    req.wish_fulfil = &f;
    return world_call(&w, as, &req);
}

/* The code, as the owner's hand-over QR carries it. */
static char *handover_code(uint64_t as, uint64_t id)
{
    Shangju__QrGet q = SHANGJU__QR_GET__INIT;
    q.subject = SHANGJU__QR_SUBJECT__QR_SUBJECT_HANDOVER;
    q.id = id;
    q.format = SHANGJU__IMAGE_FORMAT__IMAGE_FORMAT_TEXT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(QR_GET);
    req.qr_get = &q;
    if (world_call(&w, as, &req) != 0)
        return NULL;
    const char *p = strstr(w.reply->image->url, "?code=");
    ck_assert_ptr_nonnull(p);
    return strdup(p + 6);
}

static uint64_t claimed_wish(void)
{
    uint64_t id;
    ck_assert_int_eq(world_post(&w, w.resident, "Fix the radio", 0, &id), 0);
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_CLAIM), id), 0);
    ck_assert_str_eq(w.reply->wish->handover_code, ""); /* never shown */
    return id;
}

START_TEST(right_code_verifies)
{
    uint64_t id = claimed_wish();
    ck_assert_ptr_null(handover_code(w.merchant, id)); /* not the merchant's */
    ck_assert_int_eq(w.reply->status, ST(PERMISSION_DENIED));
    char *code = handover_code(w.resident, id);
    ck_assert_ptr_nonnull(code);
    ck_assert_uint_eq(strlen(code), 8);
    char *via_bridge = handover_code(w.bridge, id);
    ck_assert_str_eq(via_bridge, code);
    ck_assert_int_eq(fulfil(w.merchant, id, code), 0);
    ck_assert(w.reply->wish->verified);
    ck_assert_int_eq(w.reply->wish->state, WS(FULFILLED));
    free(code);
    free(via_bridge);
    /* Fulfilling without a code is allowed but not verified. */
    uint64_t id2 = claimed_wish();
    ck_assert_int_eq(fulfil(w.merchant, id2, ""), 0);
    ck_assert(!w.reply->wish->verified);
}
END_TEST

START_TEST(wrong_codes_lock_and_committee_reissues)
{
    uint64_t id = claimed_wish();
    char *code = handover_code(w.committee, id);
    for (unsigned i = 1; i <= 5; i++) {
        ck_assert_int_eq(fulfil(w.merchant, id, "WRONG123"),
                         ST(PERMISSION_DENIED));
        ck_assert_int_eq(world_state(&w, id), WS(CLAIMED));
        ck_assert_uint_eq(w.reply->wish->handover_failures, i); /* kept */
    }
    ck_assert(w.reply->wish->handover_locked);
    /* Locked: even the right code is refused now. */
    ck_assert_int_eq(fulfil(w.merchant, id, code), ST(FAILED_PRECONDITION));
    ck_assert_ptr_nonnull(strstr(w.reply->message, "locked"));
    ck_assert_ptr_null(handover_code(w.resident, id));
    /* Only the committee reissues; the old code is then worthless. */
    Shangju__HandoverReissue r = SHANGJU__HANDOVER_REISSUE__INIT;
    r.wish_id = id;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(HANDOVER_REISSUE);
    req.handover_reissue = &r;
    ck_assert_int_eq(world_call(&w, w.resident, &req), ST(PERMISSION_DENIED));
    ck_assert_int_eq(world_call(&w, w.committee, &req), 0);
    ck_assert(!w.reply->wish->handover_locked);
    char *fresh = handover_code(w.resident, id);
    ck_assert_str_ne(fresh, code);
    ck_assert_int_eq(fulfil(w.merchant, id, code), ST(PERMISSION_DENIED));
    ck_assert_int_eq(fulfil(w.merchant, id, fresh), 0);
    ck_assert(w.reply->wish->verified);
    free(code);
    free(fresh);
}
END_TEST

START_TEST(release_ends_the_code)
{
    uint64_t id = claimed_wish();
    char *code = handover_code(w.resident, id);
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_RELEASE), id), 0);
    ck_assert_ptr_null(handover_code(w.resident, id));
    ck_assert_int_eq(w.reply->status, ST(FAILED_PRECONDITION));
    ck_assert_int_eq(world_move(&w, w.merchant2, K(WISH_CLAIM), id), 0);
    char *next = handover_code(w.resident, id);
    ck_assert_str_ne(next, code);
    free(code);
    free(next);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("listing");
    TCase *tc = tcase_create("listing");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, who_may_edit);
    tcase_add_test(tc, every_field_has_a_limit);
    tcase_add_test(tc, paging_ten_thousand_by_category);
    tcase_add_test(tc, right_code_verifies);
    tcase_add_test(tc, wrong_codes_lock_and_committee_reissues);
    tcase_add_test(tc, release_ends_the_code);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}

SJ_CHECK_MAIN(suite)
