/* Issue 9, in process: who may rekey a committee member and lift a
 * suspension; a merchant's claims bounded and every contact reveal
 * recorded; unverified fulfilments and compact performances paid only once
 * confirmed; transfers at the price the payer agreed to; complaints
 * bounded per complainer. */
#include <check.h>

#include "check_main.h"
#include <stdlib.h>
#include <string.h>

#include "world.h"

#define K(x) SHANGJU__REQUEST__BODY_##x
#define WS(x) SHANGJU__WISH_STATE__WISH_STATE_##x
#define ST(x) SHANGJU__STATUS__STATUS_##x
#define ROLE(x) SHANGJU__ROLE__ROLE_##x

static world_t w;

static void setup(void)
{
    world_init(&w, 0);
}

static void teardown(void)
{
    world_end(&w);
}

static int rekey(uint64_t as, uint64_t id, uint8_t fill)
{
    uint8_t key[32];
    memset(key, fill, sizeof key);
    Shangju__MemberRekey r = SHANGJU__MEMBER_REKEY__INIT;
    r.id = id;
    r.public_key.data = key;
    r.public_key.len = sizeof key;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(MEMBER_REKEY);
    req.member_rekey = &r;
    return world_call(&w, as, &req);
}

static const char *reason(void)
{
    return w.reply && w.reply->reason ? w.reply->reason : "";
}

/* ------------------------------------------------------------ members */

START_TEST(committee_rekey_only_by_themself_or_the_founder)
{
    uint64_t c2 = world_add(&w, ROLE(COMMITTEE), "Second", 0);
    uint64_t c3 = world_add(&w, ROLE(COMMITTEE), "Third", 0);
    /* a committee member may not take over another, least of all the
     * founding one */
    ck_assert_int_eq(rekey(c2, w.committee, 0x41), ST(PERMISSION_DENIED));
    ck_assert_str_eq(reason(), "member.rekey_committee");
    ck_assert_int_eq(rekey(c2, c3, 0x42), ST(PERMISSION_DENIED));
    ck_assert_str_eq(reason(), "member.rekey_committee");
    /* themself, the founder, and the committee over other roles */
    ck_assert_int_eq(rekey(c3, c3, 0x43), ST(OK));
    ck_assert_int_eq(rekey(w.committee, c3, 0x44), ST(OK));
    ck_assert_int_eq(rekey(c2, w.merchant, 0x45), ST(OK));
    ck_assert_int_eq(rekey(w.committee, w.committee, 0x46), ST(OK));
}
END_TEST

static int member_req(uint64_t as, Shangju__Request__BodyCase kind, uint64_t id)
{
    Shangju__MemberSuspend s = SHANGJU__MEMBER_SUSPEND__INIT;
    Shangju__MemberUnsuspend u = SHANGJU__MEMBER_UNSUSPEND__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = kind;
    if (kind == K(MEMBER_SUSPEND)) {
        s.id = id;
        req.member_suspend = &s;
    } else {
        u.id = id;
        req.member_unsuspend = &u;
    }
    return world_call(&w, as, &req);
}

START_TEST(unsuspend_lifts_a_suspension)
{
    ck_assert_int_eq(member_req(w.committee, K(MEMBER_UNSUSPEND), w.merchant),
                     ST(FAILED_PRECONDITION));
    ck_assert_str_eq(reason(), "member.not_suspended");
    ck_assert_int_eq(member_req(w.committee, K(MEMBER_SUSPEND), w.merchant),
                     ST(OK));
    uint64_t id;
    ck_assert_int_eq(world_post(&w, w.resident, "Fix my fan", 0, &id), 0);
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_CLAIM), id),
                     ST(PERMISSION_DENIED));
    ck_assert_int_eq(member_req(w.committee, K(MEMBER_UNSUSPEND), w.merchant),
                     ST(OK));
    ck_assert_int_eq(w.reply->member->status,
                     SHANGJU__MEMBER_STATUS__MEMBER_STATUS_ACTIVE);
    ck_assert_uint_eq(w.events, 1);
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_CLAIM), id), ST(OK));
    ck_assert_int_eq(member_req(w.committee, K(MEMBER_UNSUSPEND), 999),
                     ST(NOT_FOUND));
}
END_TEST

/* ------------------------------------------------- finding 3: contacts */

static uint64_t member_field_lapsed(uint64_t id)
{
    Shangju__MemberGet g = SHANGJU__MEMBER_GET__INIT;
    g.id = id;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(MEMBER_GET);
    req.member_get = &g;
    ck_assert_int_eq(world_call(&w, w.committee, &req), ST(OK));
    return w.reply->member->claims_lapsed;
}

START_TEST(live_claims_are_bounded)
{
    ck_assert_uint_eq(w.cfg.max_live_claims, 5); /* the default */
    uint64_t id[7];
    for (int i = 0; i < 7; i++)
        ck_assert_int_eq(world_post(&w, w.resident, "Help", 0, &id[i]), 0);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_CLAIM), id[i]),
                         ST(OK));
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_CLAIM), id[5]),
                     ST(FAILED_PRECONDITION));
    ck_assert_str_eq(reason(), "claim.limit_reached");
    ck_assert_int_eq(world_state(&w, id[5]), WS(OPEN));
    /* another merchant is not held back */
    ck_assert_int_eq(world_move(&w, w.merchant2, K(WISH_CLAIM), id[5]), ST(OK));
    /* a fulfilled claim is no longer live */
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_FULFIL), id[0]), ST(OK));
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_CLAIM), id[6]), ST(OK));
    /* the bound is a setting */
    w.cfg.max_live_claims = 1;
    uint64_t more;
    ck_assert_int_eq(world_post(&w, w.resident, "More", 0, &more), 0);
    ck_assert_int_eq(world_move(&w, w.merchant2, K(WISH_CLAIM), more),
                     ST(FAILED_PRECONDITION));
}
END_TEST

START_TEST(quick_release_counts_as_a_lapse)
{
    uint64_t id;
    ck_assert_int_eq(world_post(&w, w.resident, "Help", 0, &id), 0);
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_CLAIM), id), ST(OK));
    w.now += 60 * 1000;
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_RELEASE), id), ST(OK));
    ck_assert_uint_eq(w.reply->wish->lapses, 1);
    ck_assert_uint_eq(member_field_lapsed(w.merchant), 1);
    /* after the window a release is a release */
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_CLAIM), id), ST(OK));
    w.now += w.cfg.quick_release_ms;
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_RELEASE), id), ST(OK));
    ck_assert_uint_eq(member_field_lapsed(w.merchant), 1);
    /* the committee taking a claim back does not count against anyone */
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_CLAIM), id), ST(OK));
    ck_assert_int_eq(world_move(&w, w.committee, K(WISH_RELEASE), id), ST(OK));
    ck_assert_uint_eq(member_field_lapsed(w.merchant), 1);
}
END_TEST

static int reveals(uint64_t as, uint64_t member)
{
    Shangju__ContactReveals r = SHANGJU__CONTACT_REVEALS__INIT;
    r.member_id = member;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(CONTACT_REVEALS);
    req.contact_reveals = &r;
    return world_call(&w, as, &req);
}

START_TEST(every_contact_reveal_is_recorded)
{
    uint64_t a, b;
    ck_assert_int_eq(world_post(&w, w.resident, "Help", 0, &a), 0);
    ck_assert_int_eq(world_post(&w, w.resident, "More", 0, &b), 0);
    int64_t t0 = w.now;
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_CLAIM), a), ST(OK));
    ck_assert_str_eq(w.reply->wish->owner_contact, "138-0000-0000");
    ck_assert_uint_eq(w.reply->wish->n_reveals, 0); /* not in views */
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_RELEASE), a), ST(OK));
    w.now += 1000;
    ck_assert_int_eq(world_move(&w, w.merchant2, K(WISH_CLAIM), a), ST(OK));
    ck_assert_int_eq(world_move(&w, w.merchant2, K(WISH_CLAIM), b), ST(OK));

    ck_assert_int_eq(reveals(w.resident, 0), ST(OK));
    Shangju__RevealPage *p = w.reply->reveals;
    ck_assert_uint_eq(p->n_items, 3);
    unsigned by_m = 0, by_m2 = 0;
    for (size_t i = 0; i < p->n_items; i++) {
        by_m += p->items[i]->merchant_id == w.merchant;
        by_m2 += p->items[i]->merchant_id == w.merchant2;
        ck_assert_int_ge(p->items[i]->at, t0);
        ck_assert(p->items[i]->wish_id == a || p->items[i]->wish_id == b);
    }
    ck_assert_uint_eq(by_m, 1);
    ck_assert_uint_eq(by_m2, 2);
    /* the resident's bridge and the committee see them; nobody else */
    ck_assert_int_eq(reveals(w.bridge, w.resident), ST(OK));
    ck_assert_uint_eq(w.reply->reveals->n_items, 3);
    ck_assert_int_eq(reveals(w.committee, w.resident), ST(OK));
    ck_assert_uint_eq(w.reply->reveals->n_items, 3);
    ck_assert_int_eq(reveals(w.resident2, w.resident), ST(PERMISSION_DENIED));
    ck_assert_int_eq(reveals(w.merchant, w.resident), ST(PERMISSION_DENIED));
    ck_assert_int_eq(reveals(w.bridge, w.resident2), ST(PERMISSION_DENIED));
    ck_assert_int_eq(reveals(w.resident2, 0), ST(OK));
    ck_assert_uint_eq(w.reply->reveals->n_items, 0);
}
END_TEST

static int claim_for(uint64_t as, uint64_t id, unsigned days)
{
    Shangju__WishClaim c = SHANGJU__WISH_CLAIM__INIT;
    c.id = id;
    c.due_in_days = days;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(WISH_CLAIM);
    req.wish_claim = &c;
    return world_call(&w, as, &req);
}

START_TEST(due_period_is_bounded)
{
    ck_assert_int_eq(w.cfg.claim_due_max_ms, 14 * SJ_DAY_MS);
    uint64_t id;
    ck_assert_int_eq(world_post(&w, w.resident, "Help", 0, &id), 0);
    ck_assert_int_eq(claim_for(w.merchant, id, 15), ST(INVALID_ARGUMENT));
    ck_assert_str_eq(reason(), "arg.out_of_range");
    w.cfg.claim_due_max_ms = 3 * SJ_DAY_MS;
    ck_assert_int_eq(claim_for(w.merchant, id, 4), ST(INVALID_ARGUMENT));
    /* the default due period never exceeds the bound */
    ck_assert_int_eq(claim_for(w.merchant, id, 0), ST(OK));
    ck_assert_int_eq(w.reply->wish->claim->due_at, w.now + 3 * SJ_DAY_MS);
}
END_TEST

/* ----------------------------------------- finding 4: unverified fulfilment */

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

/* The code, as the owner's hand-over QR carries it (caller frees). */
static char *handover_code(uint64_t id)
{
    Shangju__QrGet q = SHANGJU__QR_GET__INIT;
    q.subject = SHANGJU__QR_SUBJECT__QR_SUBJECT_HANDOVER;
    q.id = id;
    q.format = SHANGJU__IMAGE_FORMAT__IMAGE_FORMAT_TEXT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(QR_GET);
    req.qr_get = &q;
    ck_assert_int_eq(world_call(&w, w.resident, &req), 0);
    const char *p = strstr(w.reply->image->url, "?code=");
    ck_assert_ptr_nonnull(p);
    return strdup(p + 6);
}

static int64_t points_of(uint64_t member)
{
    Shangju__PointsBalance b = SHANGJU__POINTS_BALANCE__INIT;
    b.member_id = member;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(POINTS_BALANCE);
    req.points_balance = &b;
    ck_assert_int_eq(world_call(&w, w.committee, &req), 0);
    return w.reply->account->balance;
}

static int dispute(uint64_t as, uint64_t id, const char *text)
{
    Shangju__WishDispute d = SHANGJU__WISH_DISPUTE__INIT;
    d.id = id;
    d.text = (char *)text;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(WISH_DISPUTE);
    req.wish_dispute = &d;
    return world_call(&w, as, &req);
}

START_TEST(unverified_fulfilment_waits_for_confirmation)
{
    uint64_t id;
    ck_assert_int_eq(world_post(&w, w.resident, "Help", 0, &id), 0);
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_CLAIM), id), ST(OK));
    ck_assert_int_eq(fulfil(w.merchant, id, NULL), ST(OK));
    ck_assert(!w.reply->wish->verified);
    w.now += 3 * w.cfg.auto_close_ms;
    world_tick(&w);
    ck_assert_int_eq(world_state(&w, id), WS(FULFILLED));
    ck_assert_int_eq(points_of(w.merchant), 0);
    /* the resident's bridge confirms for them: closed and paid */
    ck_assert_int_eq(world_move(&w, w.bridge, K(WISH_CONFIRM), id), ST(OK));
    ck_assert_int_eq(w.reply->wish->state, WS(CLOSED));
    ck_assert_int_eq(points_of(w.merchant), (int64_t)w.cfg.points_per_wish);
}
END_TEST

START_TEST(verified_fulfilment_still_auto_closes)
{
    uint64_t id;
    ck_assert_int_eq(world_post(&w, w.resident, "Help", 0, &id), 0);
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_CLAIM), id), ST(OK));
    char *code = handover_code(id);
    ck_assert_int_eq(fulfil(w.merchant, id, code), ST(OK));
    free(code);
    ck_assert(w.reply->wish->verified);
    w.now += w.cfg.auto_close_ms + 1;
    ck_assert_uint_eq(world_tick(&w), 2); /* points.earned, wish.closed */
    ck_assert_int_eq(world_state(&w, id), WS(CLOSED));
    ck_assert_int_eq(points_of(w.merchant), (int64_t)w.cfg.points_per_wish);
    /* a verified fulfilment cannot be disputed */
    uint64_t id2;
    ck_assert_int_eq(world_post(&w, w.resident, "More", 0, &id2), 0);
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_CLAIM), id2), ST(OK));
    code = handover_code(id2);
    ck_assert_int_eq(fulfil(w.merchant, id2, code), ST(OK));
    free(code);
    ck_assert_int_eq(dispute(w.resident, id2, "no"), ST(FAILED_PRECONDITION));
    ck_assert_str_eq(reason(), "wish.verified");
}
END_TEST

START_TEST(the_resident_disputes_and_the_committee_resolves)
{
    uint64_t id;
    ck_assert_int_eq(world_post(&w, w.resident, "Help", 0, &id), 0);
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_CLAIM), id), ST(OK));
    ck_assert_int_eq(dispute(w.resident, id, "early"), ST(FAILED_PRECONDITION));
    ck_assert_int_eq(fulfil(w.merchant, id, NULL), ST(OK));
    /* only the owner's side */
    ck_assert_int_eq(dispute(w.resident2, id, "x"), ST(PERMISSION_DENIED));
    ck_assert_int_eq(dispute(w.merchant, id, "x"), ST(PERMISSION_DENIED));
    ck_assert_int_eq(dispute(w.resident, id, "nobody came"), ST(OK));
    ck_assert(w.reply->wish->disputed);
    ck_assert_str_eq(w.reply->wish->dispute, "nobody came");
    ck_assert_int_eq(w.reply->wish->state, WS(FULFILLED));
    ck_assert_int_eq(dispute(w.resident, id, "again"), ST(FAILED_PRECONDITION));
    ck_assert_str_eq(reason(), "wish.disputed");
    /* the claimant cannot make it go away; the committee reopens it, and
     * it counts against the merchant */
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_RELEASE), id),
                     ST(PERMISSION_DENIED));
    ck_assert_int_eq(world_move(&w, w.committee, K(WISH_RELEASE), id), ST(OK));
    ck_assert_int_eq(w.reply->wish->state, WS(OPEN));
    ck_assert(!w.reply->wish->disputed);
    ck_assert_uint_eq(member_field_lapsed(w.merchant), 1);
    ck_assert_int_eq(points_of(w.merchant), 0);
    /* an undisputed fulfilled wish is not the committee's to reopen */
    ck_assert_int_eq(world_move(&w, w.merchant2, K(WISH_CLAIM), id), ST(OK));
    ck_assert_int_eq(fulfil(w.merchant2, id, NULL), ST(OK));
    ck_assert_int_eq(world_move(&w, w.committee, K(WISH_RELEASE), id),
                     ST(FAILED_PRECONDITION));
    /* or the committee upholds it: confirm closes and pays */
    ck_assert_int_eq(dispute(w.bridge, id, "late"), ST(OK));
    ck_assert_int_eq(world_move(&w, w.committee, K(WISH_CONFIRM), id), ST(OK));
    ck_assert_int_eq(points_of(w.merchant2), (int64_t)w.cfg.points_per_wish);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("privacy");
    TCase *tc = tcase_create("privacy");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, committee_rekey_only_by_themself_or_the_founder);
    tcase_add_test(tc, unsuspend_lifts_a_suspension);
    tcase_add_test(tc, live_claims_are_bounded);
    tcase_add_test(tc, quick_release_counts_as_a_lapse);
    tcase_add_test(tc, every_contact_reveal_is_recorded);
    tcase_add_test(tc, due_period_is_bounded);
    tcase_add_test(tc, unverified_fulfilment_waits_for_confirmation);
    tcase_add_test(tc, verified_fulfilment_still_auto_closes);
    tcase_add_test(tc, the_resident_disputes_and_the_committee_resolves);
    suite_add_tcase(s, tc);
    return s;
}

SJ_CHECK_MAIN(suite)
