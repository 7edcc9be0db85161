/* Issue 9, in process: who may rekey a committee member and lift a
 * suspension; a merchant's claims bounded and every contact reveal
 * recorded; unverified fulfilments and compact performances paid only once
 * confirmed; transfers at the price the payer agreed to; complaints
 * bounded per complainer. */
#include <check.h>

#include "check_main.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "notice.h"
#include "sj_limits.h"
#include "world.h"

#define K(x) SHANGJU__REQUEST__BODY_##x
#define WS(x) SHANGJU__WISH_STATE__WISH_STATE_##x
#define ST(x) SHANGJU__STATUS__STATUS_##x
#define ROLE(x) SHANGJU__ROLE__ROLE_##x
#define CS(x) SHANGJU__COMPACT_STATE__COMPACT_STATE_##x
#define IP(x) SHANGJU__ITEM_PERIOD__ITEM_PERIOD_##x

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

/* ------------------------------------------- finding 4: performances */

static int compact_req(uint64_t as, Shangju__Request *req)
{
    return world_call(&w, as, req);
}

static const Shangju__Compact *compact_get(uint64_t id)
{
    Shangju__CompactGet g = SHANGJU__COMPACT_GET__INIT;
    g.id = id;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(COMPACT_GET);
    req.compact_get = &g;
    ck_assert_int_eq(compact_req(w.committee, &req), ST(OK));
    return w.reply->compact;
}

/* Close compact id (EVALUATING) as the committee; its whole record. */
static const Shangju__Compact *close_compact(uint64_t id)
{
    Shangju__CompactClose cl = SHANGJU__COMPACT_CLOSE__INIT;
    cl.id = id;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(COMPACT_CLOSE);
    req.compact_close = &cl;
    ck_assert_int_eq(compact_req(w.committee, &req), ST(OK));
    return compact_get(id);
}

/* An ACTIVE compact of the committee, the merchant and the resident over
 * 60 days from a day after now: item 1 the merchant gives the community
 * twice a week, item 2 the resident gives the merchant (no period: once a
 * day), item 3 the committee gives the community once in the term. Sets
 * w.now to the term's start. */
static uint64_t active_compact(void)
{
    Shangju__ServiceItem it[3], *itp[3];
    const uint64_t givers[] = {w.merchant, w.resident, w.committee};
    const uint64_t receivers[] = {0, w.merchant, 0};
    const Shangju__ItemPeriod periods[] = {IP(WEEK), IP(UNSPECIFIED), IP(TERM)};
    const uint32_t times[] = {2, 0, 1};
    for (int i = 0; i < 3; i++) {
        shangju__service_item__init(&it[i]);
        it[i].giver_id = givers[i];
        it[i].receiver_id = receivers[i];
        it[i].what = (char *)"a service";
        it[i].period = periods[i];
        it[i].times = times[i];
        itp[i] = &it[i];
    }
    uint64_t parties[] = {w.committee, w.merchant, w.resident};
    Shangju__CompactDraft d = SHANGJU__COMPACT_DRAFT__INIT;
    d.title = (char *)"Compact";
    d.term_start = w.now + SJ_DAY_MS;
    d.term_end = d.term_start + 60 * SJ_DAY_MS;
    d.parties = parties;
    d.n_parties = 3;
    d.items = itp;
    d.n_items = 3;
    uint64_t id = world_compact(&w, &d);
    w.now = d.term_start;
    world_tick(&w);
    ck_assert_int_eq(compact_get(id)->state, CS(ACTIVE));
    return id;
}

/* The id of the performance the last perform reply added. */
static uint32_t performed(void)
{
    ck_assert_uint_eq(w.reply->compact->n_performances, 1);
    return w.reply->compact->performances[0]->id;
}

START_TEST(a_performance_pays_once_the_receiver_confirms)
{
    uint64_t c2 = world_add(&w, ROLE(COMMITTEE), "Second", 0);
    uint64_t id = active_compact();
    const int64_t pay = (int64_t)w.cfg.points_per_performance;
    /* the resident gives the merchant item 2: recorded, not yet paid */
    ck_assert_int_eq(world_perform(&w, w.resident, id, 2, 0), ST(OK));
    uint32_t p1 = performed();
    ck_assert_uint_eq(p1, 1);
    ck_assert(!w.reply->compact->performances[0]->confirmed);
    ck_assert_int_eq(points_of(w.resident), 0);
    /* only the receiving merchant confirms: not the giver, not the
     * committee for a party's item, not an outsider */
    ck_assert_int_eq(world_confirm(&w, w.resident, id, p1),
                     ST(PERMISSION_DENIED));
    ck_assert_str_eq(reason(), "compact.not_receiver");
    ck_assert_int_eq(world_confirm(&w, w.committee, id, p1),
                     ST(PERMISSION_DENIED));
    ck_assert_int_eq(world_confirm(&w, w.merchant2, id, p1),
                     ST(PERMISSION_DENIED));
    ck_assert_int_eq(world_confirm(&w, w.merchant, id, 99), ST(NOT_FOUND));
    ck_assert_str_eq(reason(), "compact.no_performance");
    ck_assert_int_eq(world_confirm(&w, w.merchant, id, 0), ST(NOT_FOUND));
    ck_assert_int_eq(points_of(w.resident), 0);
    ck_assert_int_eq(world_confirm(&w, w.merchant, id, p1), ST(OK));
    ck_assert_uint_eq(w.events, 2); /* compact.confirmed, points.earned */
    const Shangju__Performance *pf = w.reply->compact->performances[0];
    ck_assert(pf->confirmed);
    ck_assert_uint_eq(pf->confirmed_by, w.merchant);
    ck_assert_int_eq(pf->confirmed_at, w.now);
    ck_assert_int_eq(points_of(w.resident), pay);
    ck_assert_int_eq(world_confirm(&w, w.merchant, id, p1), ST(ALREADY_EXISTS));
    ck_assert_str_eq(reason(), "compact.already_confirmed");
    ck_assert_int_eq(points_of(w.resident), pay);
    /* a community item: the committee confirms, but never the member
     * who gives it or recorded it */
    ck_assert_int_eq(world_perform(&w, w.committee, id, 3, 0), ST(OK));
    uint32_t p3 = performed();
    ck_assert_int_eq(world_confirm(&w, w.committee, id, p3),
                     ST(PERMISSION_DENIED));
    ck_assert_int_eq(world_confirm(&w, w.merchant, id, p3),
                     ST(PERMISSION_DENIED));
    ck_assert_int_eq(world_confirm(&w, w.resident, id, p3),
                     ST(PERMISSION_DENIED));
    ck_assert_int_eq(world_perform(&w, c2, id, 1, 0),
                     ST(OK)); /* for the merchant */
    uint32_t p2 = performed();
    ck_assert_int_eq(world_confirm(&w, c2, id, p2), ST(PERMISSION_DENIED));
    ck_assert_int_eq(world_confirm(&w, w.merchant, id, p2),
                     ST(PERMISSION_DENIED));
    ck_assert_int_eq(world_confirm(&w, c2, id, p3), ST(OK));
    ck_assert_int_eq(points_of(w.committee), pay);
    ck_assert_int_eq(world_confirm(&w, w.committee, id, p2), ST(OK));
    ck_assert_int_eq(points_of(w.merchant), pay);
    /* after the term, late confirmations still count; new records not */
    ck_assert_int_eq(world_perform(&w, w.resident, id, 2, 0),
                     ST(FAILED_PRECONDITION));
    w.now += SJ_DAY_MS;
    ck_assert_int_eq(world_perform(&w, w.resident, id, 2, 0), ST(OK));
    uint32_t p4 = performed();
    w.now = compact_get(id)->term_end;
    world_tick(&w);
    ck_assert_int_eq(compact_get(id)->state, CS(EVALUATING));
    ck_assert_int_eq(world_perform(&w, w.resident, id, 2, w.now - SJ_DAY_MS),
                     ST(FAILED_PRECONDITION));
    ck_assert_int_eq(world_confirm(&w, w.merchant, id, p4), ST(OK));
    ck_assert_int_eq(points_of(w.resident), 2 * pay);
    /* the results count confirmed performances only */
    ck_assert_int_eq(world_perform(&w, w.resident, id, 2, 0),
                     ST(FAILED_PRECONDITION));
    const Shangju__Compact *cp = close_compact(id);
    ck_assert_uint_eq(cp->n_results, 3);
    ck_assert_uint_eq(cp->results[0]->performances, 1); /* committee */
    ck_assert_uint_eq(cp->results[1]->performances, 1); /* merchant */
    ck_assert_uint_eq(cp->results[2]->performances, 2); /* resident */
}
END_TEST

START_TEST(a_performance_lies_in_the_term_and_keeps_the_frequency)
{
    uint64_t id = active_compact();
    int64_t start = w.now, end = compact_get(id)->term_end;
    /* the finding: a thousand records dated 1970 */
    ck_assert_int_eq(world_perform(&w, w.merchant, id, 1, 1000),
                     ST(INVALID_ARGUMENT));
    ck_assert_str_eq(reason(), "compact.out_of_term");
    ck_assert_int_eq(world_perform(&w, w.merchant, id, 1, start - 1),
                     ST(INVALID_ARGUMENT));
    ck_assert_int_eq(world_perform(&w, w.merchant, id, 1, w.now + 1),
                     ST(INVALID_ARGUMENT));
    ck_assert_str_eq(reason(), "arg.out_of_range");
    /* no period given: once a day */
    ck_assert_int_eq(world_perform(&w, w.resident, id, 2, start), ST(OK));
    ck_assert_int_eq(world_perform(&w, w.resident, id, 2, start),
                     ST(FAILED_PRECONDITION));
    ck_assert_str_eq(reason(), "compact.too_often");
    w.now = start + 3 * SJ_DAY_MS;
    ck_assert_int_eq(world_perform(&w, w.resident, id, 2, start + SJ_DAY_MS),
                     ST(OK));
    ck_assert_int_eq(
        world_perform(&w, w.resident, id, 2, start + 2 * SJ_DAY_MS), ST(OK));
    /* once in the term */
    ck_assert_int_eq(world_perform(&w, w.committee, id, 3, start), ST(OK));
    ck_assert_int_eq(world_perform(&w, w.committee, id, 3, w.now),
                     ST(FAILED_PRECONDITION));
    /* twice a week, Monday to Sunday in the community's time zone: 23:30
     * on Sunday in Shanghai is 15:30 UTC, and 00:30 on Monday is still
     * Sunday in UTC */
    world_tz(&w, "Asia/Shanghai");
    const int64_t sun = 1700407800000LL;  /* 2023-11-19 15:30Z */
    const int64_t mon = 1700411400000LL;  /* 2023-11-19 16:30Z */
    const int64_t sun2 = 1701010800000LL; /* 2023-11-26 15:00Z */
    ck_assert_int_lt(start, sun);
    w.now = 1701086400000LL; /* 2023-11-27 12:00Z */
    ck_assert_int_eq(world_perform(&w, w.merchant, id, 1, sun - SJ_DAY_MS),
                     ST(OK));
    ck_assert_int_eq(world_perform(&w, w.merchant, id, 1, sun), ST(OK));
    ck_assert_int_eq(world_perform(&w, w.merchant, id, 1, sun),
                     ST(FAILED_PRECONDITION));
    ck_assert_int_eq(world_perform(&w, w.merchant, id, 1, mon),
                     ST(OK)); /* a new week */
    ck_assert_int_eq(world_perform(&w, w.merchant, id, 1, sun2), ST(OK));
    ck_assert_int_eq(world_perform(&w, w.merchant, id, 1, mon + SJ_DAY_MS),
                     ST(FAILED_PRECONDITION));
    /* the end of the term is outside it */
    w.now = end - 1;
    ck_assert_int_eq(world_perform(&w, w.resident, id, 2, end),
                     ST(INVALID_ARGUMENT));
    ck_assert_int_eq(world_perform(&w, w.resident, id, 2, end - 1), ST(OK));
    /* nothing was paid: every record waits for its confirmation */
    ck_assert_int_eq(points_of(w.merchant), 0);
    ck_assert_int_eq(points_of(w.resident), 0);
}
END_TEST

static int draft_with(Shangju__ItemPeriod period, uint32_t times)
{
    Shangju__ServiceItem it = SHANGJU__SERVICE_ITEM__INIT, *itp = &it;
    it.giver_id = w.merchant;
    it.what = (char *)"x";
    it.period = period;
    it.times = times;
    uint64_t parties[] = {w.committee, w.merchant};
    Shangju__CompactDraft d = SHANGJU__COMPACT_DRAFT__INIT;
    d.title = (char *)"T";
    d.term_start = w.now;
    d.term_end = w.now + SJ_DAY_MS;
    d.parties = parties;
    d.n_parties = 2;
    d.items = &itp;
    d.n_items = 1;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(COMPACT_DRAFT);
    req.compact_draft = &d;
    return compact_req(w.committee, &req);
}

START_TEST(an_item_frequency_is_checked)
{
    ck_assert_int_eq(draft_with(IP(MONTH), 100), ST(OK));
    ck_assert_int_eq(draft_with(IP(MONTH), 101), ST(INVALID_ARGUMENT));
    ck_assert_int_eq(draft_with((Shangju__ItemPeriod)9, 1),
                     ST(INVALID_ARGUMENT));
    ck_assert_str_eq(reason(), "arg.unknown_value");
}
END_TEST

/* ------------------------------------------------ finding 5: complaints */

static int complain(uint64_t as, uint64_t id, uint64_t against)
{
    Shangju__CompactComplain q = SHANGJU__COMPACT_COMPLAIN__INIT;
    q.id = id;
    q.against_id = against;
    q.text = (char *)"junk";
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(COMPACT_COMPLAIN);
    req.compact_complain = &q;
    return compact_req(as, &req);
}

static int settle(uint64_t as, uint64_t id, uint32_t k, bool dismiss)
{
    Shangju__CompactDismiss d = SHANGJU__COMPACT_DISMISS__INIT;
    Shangju__CompactResolve r = SHANGJU__COMPACT_RESOLVE__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    if (dismiss) {
        d.id = id;
        d.complaint_id = k;
        d.resolution = (char *)"junk";
        req.body_case = K(COMPACT_DISMISS);
        req.compact_dismiss = &d;
    } else {
        r.id = id;
        r.complaint_id = k;
        r.resolution = (char *)"sorted";
        req.body_case = K(COMPACT_RESOLVE);
        req.compact_resolve = &r;
    }
    return compact_req(as, &req);
}

START_TEST(complaints_are_bounded_per_complainer)
{
    uint64_t id = active_compact();
    /* outsiders to the compact other than residents may not complain */
    ck_assert_int_eq(complain(w.merchant2, id, w.merchant),
                     ST(PERMISSION_DENIED));
    ck_assert_str_eq(reason(), "compact.may_not_complain");
    ck_assert_int_eq(complain(w.bridge, id, w.merchant), ST(PERMISSION_DENIED));
    /* a resident outside the compact: three open at a time */
    for (int i = 0; i < SJ_MAX_OPEN_COMPLAINTS_EACH; i++)
        ck_assert_int_eq(complain(w.resident2, id, w.merchant), ST(OK));
    ck_assert_int_eq(complain(w.resident2, id, w.merchant),
                     ST(RESOURCE_EXHAUSTED));
    ck_assert_str_eq(reason(), "compact.complaint_limit");
    /* the party's own complaint still goes in */
    ck_assert_int_eq(complain(w.resident, id, w.merchant), ST(OK));
    /* handled ones make room, up to ten in all */
    unsigned filed = SJ_MAX_OPEN_COMPLAINTS_EACH, k = 1;
    while (filed < SJ_MAX_COMPLAINTS_EACH) {
        ck_assert_int_eq(settle(w.committee, id, k == 4 ? ++k : k, true),
                         ST(OK));
        k++;
        ck_assert_int_eq(complain(w.resident2, id, w.merchant), ST(OK));
        filed++;
    }
    ck_assert_int_eq(settle(w.committee, id, k, false), ST(OK));
    ck_assert_int_eq(complain(w.resident2, id, w.merchant),
                     ST(RESOURCE_EXHAUSTED));
    ck_assert_str_eq(reason(), "compact.complaint_limit");
}
END_TEST

START_TEST(a_dismissed_complaint_counts_for_nobody)
{
    uint64_t id = active_compact();
    ck_assert_int_eq(complain(w.resident2, id, w.merchant), ST(OK)); /* 1 */
    ck_assert_int_eq(complain(w.resident, id, w.merchant), ST(OK));  /* 2 */
    ck_assert_int_eq(settle(w.merchant, id, 1, true), ST(PERMISSION_DENIED));
    ck_assert_int_eq(settle(w.committee, id, 9, true), ST(NOT_FOUND));
    ck_assert_int_eq(settle(w.committee, id, 1, true), ST(OK));
    ck_assert_uint_eq(w.events, 1);
    const Shangju__Complaint *c = w.reply->compact->complaints[0];
    ck_assert(c->dismissed);
    ck_assert(!c->resolved);
    ck_assert_uint_eq(c->resolved_by, w.committee);
    ck_assert_int_eq(settle(w.committee, id, 1, true), ST(FAILED_PRECONDITION));
    ck_assert_int_eq(settle(w.committee, id, 1, false),
                     ST(FAILED_PRECONDITION));
    ck_assert_str_eq(reason(), "compact.already_resolved");
    /* at the close, only the genuine complaint counts against the
     * merchant */
    w.now = compact_get(id)->term_end;
    world_tick(&w);
    const Shangju__Compact *cp = close_compact(id);
    ck_assert_uint_eq(cp->results[1]->party_id, w.merchant);
    ck_assert_uint_eq(cp->results[1]->complaints, 1);
}
END_TEST

START_TEST(outsiders_cannot_fill_the_parties_places)
{
    uint64_t id = active_compact();
    unsigned outsiders = SJ_MAX_COMPLAINTS - SJ_COMPLAINTS_FOR_PARTIES;
    unsigned n = 0;
    for (unsigned r = 0; n < outsiders; r++) {
        char name[32];
        snprintf(name, sizeof name, "Neighbour %u", r);
        uint64_t m = world_add(&w, ROLE(RESIDENT), name, 0);
        for (int i = 0; i < SJ_MAX_OPEN_COMPLAINTS_EACH && n < outsiders;
             i++, n++)
            ck_assert_int_eq(complain(m, id, w.merchant), ST(OK));
    }
    ck_assert_int_eq(complain(w.resident2, id, w.merchant),
                     ST(RESOURCE_EXHAUSTED));
    ck_assert_str_eq(reason(), "compact.full");
    /* the parties' places are theirs */
    ck_assert_int_eq(complain(w.resident, id, w.merchant), ST(OK));
    ck_assert_int_eq(complain(w.merchant, id, w.resident), ST(OK));
}
END_TEST

/* ---------------------------------------------- finding 6: notice key */

START_TEST(the_notice_key_is_public_and_printed_on_notices)
{
    Shangju__NoticeKeyGet g = SHANGJU__NOTICE_KEY_GET__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(NOTICE_KEY_GET);
    req.notice_key_get = &g;
    ck_assert_int_eq(compact_req(w.resident, &req), ST(FAILED_PRECONDITION));
    ck_assert_str_eq(reason(), "broker.no_notice_key");
    uint64_t id = active_compact();
    uint8_t pk[32];
    char fp[SJ_NOTICE_FP_LEN];
    sj_signer_public(w.signer, pk);
    sj_notice_fingerprint(pk, fp);
    ck_assert_uint_eq(strlen(fp), 46);
    ck_assert(strncmp(fp, "SHA256:", 7) == 0);
    uint64_t web = world_add(&w, ROLE(WEB), "Web", 0);
    const uint64_t who[] = {w.resident, w.merchant, w.bridge, web};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(compact_req(who[i], &req), ST(OK));
        ck_assert_uint_eq(w.reply->notice_key->public_key.len, 32);
        ck_assert_mem_eq(w.reply->notice_key->public_key.data, pk, 32);
        ck_assert_str_eq(w.reply->notice_key->fingerprint, fp);
    }
    /* the notice names the key's fingerprint inside the signed text */
    const char *notice = compact_get(id)->notice;
    char line[128];
    snprintf(line, sizeof line, "\n%s%s\n", SJ_NOTICE_FP_LABEL, fp);
    const char *at = strstr(notice, line);
    ck_assert_ptr_nonnull(at);
    ck_assert(at < strstr(notice, SJ_NOTICE_BEGIN));
    char why[64];
    ck_assert_int_eq(
        sj_notice_verify(notice, strlen(notice), pk, NULL, why, sizeof why), 0);
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
    tcase_add_test(tc, a_performance_pays_once_the_receiver_confirms);
    tcase_add_test(tc, a_performance_lies_in_the_term_and_keeps_the_frequency);
    tcase_add_test(tc, an_item_frequency_is_checked);
    tcase_add_test(tc, complaints_are_bounded_per_complainer);
    tcase_add_test(tc, a_dismissed_complaint_counts_for_nobody);
    tcase_add_test(tc, outsiders_cannot_fill_the_parties_places);
    tcase_add_test(tc, the_notice_key_is_public_and_printed_on_notices);
    suite_add_tcase(s, tc);
    return s;
}

SJ_CHECK_MAIN(suite)
