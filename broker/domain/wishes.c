/* Wish handlers: the lifecycle OPEN -> CLAIMED -> FULFILLED -> CLOSED, with
 * cancel, release, expiry and lapsed claims, plus the timers that drive the
 * moves nobody requests. Every move stores the new version, keeps its timer
 * in step and appends an event, all in the caller's nested transaction. */
#include "dispatch.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "codec.h"
#include "lifecycle.h"
#include "points.h"
#include "validate.h"
#include "visibility.h"

#define ST(x) SHANGJU__STATUS__STATUS_##x
#define WS(x) SHANGJU__WISH_STATE__WISH_STATE_##x
#define ROLE(x) SHANGJU__ROLE__ROLE_##x

typedef unsigned long long ull;

/* ----------------------------------------------------------- the family */

static int wish_get(sj_txn_t *t, uint64_t id, void **out)
{
    Shangju__Wish *w = NULL;
    int err = sj_wish_get(t, id, &w);
    *out = w;
    return err;
}

static int wish_put(sj_txn_t *t, const void *rec, const void *old)
{
    return sj_wish_put(t, rec, old);
}

/* The timer a wish in its state waits on, if any. */
static bool timer_of(const sj_call_t *c, const void *rec, sj_timer_t *tm)
{
    const Shangju__Wish *w = rec;
    tm->id = w->id;
    switch (w->state) {
    case WS(OPEN):
        tm->kind = SJ_TIMER_WISH_EXPIRE;
        tm->due = w->expires_at;
        return true;
    case WS(CLAIMED):
        tm->kind = SJ_TIMER_CLAIM_DUE;
        tm->due = w->claim ? w->claim->due_at : 0;
        return true;
    case WS(FULFILLED):
        /* Only a fulfilment proved with the hand-over code closes (and
         * pays) on its own; an unverified one waits for the owner's side
         * (issue 9 §4). */
        if (!w->verified)
            return false;
        tm->kind = SJ_TIMER_AUTO_CLOSE;
        tm->due = w->fulfilled_at + c->cfg->auto_close_ms;
        return true;
    default:
        return false;
    }
}

/* Events never carry the contact or the hand-over code (call.c strips
 * them); the reply is the caller's view, set by reply_wish. */
static int publish(sj_call_t *c, sj_topic_t topic, void *rec, const void *old)
{
    (void)old;
    return sj_call_emit_wish(c, topic, rec);
}

static const sj_reason_t not_in[] = {
    [WS(OPEN)] = SJ_R_WISH_NOT_OPEN,
    [WS(CLAIMED)] = SJ_R_WISH_NOT_CLAIMED,
    [WS(FULFILLED)] = SJ_R_WISH_NOT_FULFILLED,
};

static const sj_family_t wishes = {
    .noun = "wish",
    .msg = &shangju__wish__descriptor,
    .states = &shangju__wish_state__descriptor,
    .off_id = offsetof(Shangju__Wish, id),
    .off_state = offsetof(Shangju__Wish, state),
    .off_updated = offsetof(Shangju__Wish, updated_at),
    .not_found = SJ_R_WISH_NOT_FOUND,
    .not_in = not_in,
    .n_not_in = sizeof not_in / sizeof not_in[0],
    .get = wish_get,
    .put = wish_put,
    .timer_of = timer_of,
    .publish = publish,
};

static int load(sj_call_t *c, uint64_t id, Shangju__Wish **w)
{
    void *rec;
    int rc = sj_rec_load(c, &wishes, id, &rec);
    *w = rec;
    return rc;
}

static int load_member(sj_call_t *c, uint64_t id, Shangju__Member **m)
{
    int err = sj_member_get(c->txn, id, m);
    if (err == SJ_ENOTFOUND)
        return sj_call_fail(c, ST(NOT_FOUND), SJ_R_MEMBER_NOT_FOUND,
                            "no member %llu", (ull)id);
    if (err || !sj_call_own(c, *m))
        return sj_call_store_fail(c, err ? err : SJ_ENOMEM, "member");
    return 0;
}

/* May the caller act as the wish's owner: the resident, the committee, or
 * the bridge the resident is linked to. */
bool sj_wish_acts_for_owner(sj_call_t *c, const Shangju__Wish *w)
{
    const Shangju__Member *me = c->caller;
    if (me->role == ROLE(COMMITTEE) || me->id == w->owner_id)
        return true;
    if (me->role != ROLE(BRIDGE))
        return false;
    Shangju__Member *owner;
    if (sj_member_get(c->txn, w->owner_id, &owner) != 0)
        return false;
    bool linked = owner->bridge_id == me->id;
    shangju__member__free_unpacked(owner, NULL);
    return linked;
}

static bool holds_claim(const sj_call_t *c, const Shangju__Wish *w)
{
    return c->caller && w->claim && w->claim->merchant_id == c->caller->id &&
           (w->state == WS(CLAIMED) || w->state == WS(FULFILLED));
}

/* The view of w the caller may see: the wish rule of visibility.h (the
 * owner's contact only for the committee, the owner or their bridge and
 * the merchant holding a live claim). */
static Shangju__Wish *present(sj_call_t *c, const Shangju__Wish *w)
{
    Shangju__Wish *v = sj_call_alloc(c, sizeof *v);
    if (!v)
        return NULL;
    Shangju__Member *owner = NULL;
    if (sj_member_get(c->txn, w->owner_id, &owner) == 0 &&
        !sj_call_own(c, owner))
        return NULL;
    sj_vis_wish(c->caller, w, owner, v);
    return v;
}

static int reply_wish(sj_call_t *c, const Shangju__Wish *w)
{
    Shangju__Wish *v = present(c, w);
    if (!v)
        return sj_call_store_fail(c, SJ_ENOMEM, "wish");
    c->reply.body_case = SHANGJU__REPLY__BODY_WISH;
    c->reply.wish = v;
    return 0;
}

/* ------------------------------------------------------------------ post */

/* Whose wish this is: the caller (resident) or the resident named in
 * for_member, whom the committee or the resident's bridge may post for. */
static int post_owner(sj_call_t *c, uint64_t for_member,
                      Shangju__Member **owner)
{
    const Shangju__Member *me = c->caller;
    if (me->role == ROLE(RESIDENT) && for_member && for_member != me->id)
        return sj_call_fail(c, ST(PERMISSION_DENIED), SJ_R_AUTH_NOT_YOURS,
                            "a resident posts only their own wishes");
    if (me->role != ROLE(RESIDENT) && !for_member)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_REQUIRED,
                            "say which resident the wish is for (for_member)");
    int rc = load_member(c, for_member ? for_member : me->id, owner);
    if (rc)
        return rc;
    const Shangju__Member *o = *owner;
    if (o->role != ROLE(RESIDENT))
        return sj_call_fail(c, ST(FAILED_PRECONDITION),
                            SJ_R_MEMBER_NOT_RESIDENT,
                            "member %llu is not a resident", (ull)o->id);
    if (o->status != SHANGJU__MEMBER_STATUS__MEMBER_STATUS_ACTIVE)
        return sj_call_fail(c, ST(FAILED_PRECONDITION), SJ_R_MEMBER_SUSPENDED,
                            "resident %llu is suspended", (ull)o->id);
    if (me->role == ROLE(BRIDGE) && o->bridge_id != me->id)
        return sj_call_fail(c, ST(PERMISSION_DENIED), SJ_R_AUTH_NOT_LINKED,
                            "resident %llu is not linked to this bridge",
                            (ull)o->id);
    return 0;
}

/* A member owns at most cfg->max_open_wishes OPEN wishes (issue 13), so
 * one member cannot fill the board or the store; the committee, posting
 * for someone, is not held to it. Counted on the index of OPEN wishes by
 * owner, which every wish put keeps in the same transaction: at most max
 * entries are read, whatever the owner's history. */
static int check_open_quota(sj_call_t *c, uint64_t owner)
{
    unsigned max = c->cfg->max_open_wishes;
    if (!max || c->caller->role == ROLE(COMMITTEE))
        return 0;
    size_t open;
    int err = sj_wish_count_open(c->txn, owner, max, &open);
    if (err)
        return sj_call_store_fail(c, err, "wishes");
    if (open >= max)
        return sj_call_fail(c, ST(RESOURCE_EXHAUSTED), SJ_R_QUOTA_EXCEEDED,
                            "member %llu already has %u open wishes (the "
                            "most one member may have)",
                            (unsigned long long)owner, max);
    return 0;
}

int sj_h_wish_post(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__WishPost *p = req->wish_post;
    int rc;
    if ((rc = sj_check_text(c, "title", p->title, 1, SJ_MAX_TITLE, false)) ||
        (rc = sj_check_text(c, "details", p->details, 0, SJ_MAX_DETAILS,
                            true)) ||
        (rc = sj_check_text(c, "category", p->category, 0, SJ_MAX_CATEGORY,
                            false)))
        return rc;
    if (p->expires_in_days > 365)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_OUT_OF_RANGE,
                            "expires_in_days must be at most 365");
    Shangju__Member *owner;
    if ((rc = post_owner(c, p->for_member, &owner)) ||
        (rc = check_open_quota(c, owner->id)))
        return rc;

    Shangju__Wish *w = sj_call_alloc(c, sizeof *w);
    if (!w)
        return sj_call_store_fail(c, SJ_ENOMEM, "wish");
    shangju__wish__init(w);
    int err = sj_txn_next_id(c->txn, SJ_COUNTER_WISH, &w->id);
    if (err)
        return sj_call_store_fail(c, err, "wish");
    w->owner_id = owner->id;
    w->posted_by = c->caller->id;
    w->title = p->title;
    w->details = p->details;
    w->category = p->category;
    w->community = owner->community;
    w->building = owner->building;
    w->state = WS(OPEN);
    w->created_at = w->updated_at = c->now;
    w->expires_at =
        c->now + (p->expires_in_days ? p->expires_in_days * SJ_DAY_MS
                                     : c->cfg->wish_expiry_ms);
    if ((rc = sj_rec_save(c, &wishes, w, NULL, SJ_TOPIC_WISH_POSTED)))
        return rc;
    return reply_wish(c, w);
}

/* ---------------------------------------------------------- list and show */

static int list_filter(sj_call_t *c, const Shangju__WishList *l,
                       sj_wish_filter_t *f)
{
    const Shangju__Member *me = c->caller;
    if (l->state && !protobuf_c_enum_descriptor_get_value(
                        &shangju__wish_state__descriptor, l->state))
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_UNKNOWN_VALUE,
                            "unknown state %d", (int)l->state);
    int rc;
    if ((rc = sj_check_text(c, "community", l->community, 0, SJ_MAX_COMMUNITY,
                            false)) ||
        (rc = sj_check_text(c, "category", l->category, 0, SJ_MAX_CATEGORY,
                            false)))
        return rc;
    f->state = l->state;
    f->community = l->community;
    f->category = l->category;
    f->owner_id = l->owner_id;
    f->before = l->before;
    f->newest_first = l->newest_first;
    if (l->owner_id && me->role == ROLE(WEB))
        return sj_call_fail(c, ST(PERMISSION_DENIED), SJ_R_ARG_INVALID,
                            "the web front lists wishes, not their owners'");
    if (l->mine) {
        if (me->role == ROLE(RESIDENT))
            f->owner_id = me->id;
        else if (me->role == ROLE(MERCHANT))
            f->claimant_id = me->id;
        else
            return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_INVALID,
                                "'mine' is for residents and merchants");
    }
    return 0;
}

int sj_h_wish_list(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__WishList *l = req->wish_list;
    sj_wish_filter_t f = {0};
    size_t limit;
    int rc;
    if ((rc = list_filter(c, l, &f)) ||
        (rc = sj_check_limit(c, l->limit, &limit)) ||
        (rc = sj_check_cursor(c, l->after)))
        return rc;
    Shangju__WishPage *page = sj_call_alloc(c, sizeof *page);
    if (!page)
        return sj_call_store_fail(c, SJ_ENOMEM, "wish");
    shangju__wish_page__init(page);
    int err = sj_wish_list(c->txn, &f, l->after, limit, &page->items,
                           &page->n_items, &page->next);
    if (err ||
        (err = sj_call_own_page(c, (void **)page->items, page->n_items))) {
        page->n_items = 0;
        return sj_call_store_fail(c, err, "wish");
    }
    for (size_t i = 0; i < page->n_items; i++)
        if (!(page->items[i] = present(c, page->items[i])))
            return sj_call_store_fail(c, SJ_ENOMEM, "wish");
    c->reply.body_case = SHANGJU__REPLY__BODY_WISHES;
    c->reply.wishes = page;
    return 0;
}

int sj_h_wish_get(sj_call_t *c, const Shangju__Request *req)
{
    Shangju__Wish *w;
    int rc = load(c, req->wish_get->id, &w);
    return rc ? rc : reply_wish(c, w);
}

/* ---------------------------------------------------------------- hand-over */

#define HANDOVER_LEN 8
#define HANDOVER_TRIES 5

/* A fresh one-time code for w's claim: 8 characters from an alphabet
 * without look-alikes (0/O, 1/I/L), about 39 bits. */
static int new_handover_code(sj_call_t *c, Shangju__Wish *w)
{
    static const char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    uint8_t rnd[HANDOVER_LEN];
    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
        return sj_call_fail(c, ST(INTERNAL), SJ_R_BROKER_INTERNAL,
                            "no randomness for a code");
    char *code = sj_call_alloc(c, HANDOVER_LEN + 1);
    if (!code)
        return sj_call_store_fail(c, SJ_ENOMEM, "wish");
    for (int i = 0; i < HANDOVER_LEN; i++)
        code[i] = alphabet[rnd[i] % (sizeof alphabet - 1)];
    w->handover_code = code;
    w->handover_failures = 0;
    w->handover_locked = false;
    return 0;
}

/* Compare without an early exit, so timing does not leak the code. */
static bool same_code(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    unsigned diff = (unsigned)(na ^ nb);
    for (size_t i = 0; i < na && i < nb; i++)
        diff |= (unsigned)(a[i] ^ b[i]);
    return diff == 0 && na > 0;
}

/* Check the code a merchant presents at hand-over. A wrong code is
 * counted (and the count committed although the request fails); after
 * HANDOVER_TRIES wrong codes the code locks until the committee reissues
 * it. Returns 0 when the code is right; w is the new version. */
static int check_handover(sj_call_t *c, Shangju__Wish *w,
                          const Shangju__Wish *old, const char *code)
{
    if (w->handover_locked)
        return sj_call_fail(c, ST(FAILED_PRECONDITION),
                            SJ_R_WISH_HANDOVER_LOCKED,
                            "the hand-over code of wish %llu is locked after "
                            "%d wrong tries; ask the committee to reissue it",
                            (ull)w->id, HANDOVER_TRIES);
    if (same_code(code, w->handover_code ? w->handover_code : ""))
        return 0;
    w->state = old->state; /* the count is stored; the move is not made */
    w->handover_failures++;
    bool lock = w->handover_failures >= HANDOVER_TRIES;
    w->handover_locked = lock;
    int rc = sj_rec_save(c, &wishes, w, old,
                         lock ? SJ_TOPIC_WISH_HANDOVER_LOCKED
                              : SJ_TOPIC_WISH_HANDOVER_REFUSED);
    if (rc)
        return rc;
    c->commit_on_error = true; /* the count must stick */
    if (lock)
        return sj_call_fail(c, ST(PERMISSION_DENIED), SJ_R_WISH_HANDOVER_LOCKED,
                            "wrong hand-over code; the code is now locked, "
                            "ask the committee to reissue it");
    return sj_call_fail(c, ST(PERMISSION_DENIED), SJ_R_WISH_HANDOVER_WRONG,
                        "wrong hand-over code (%u tries left)",
                        HANDOVER_TRIES - w->handover_failures);
}

/* ------------------------------------------------------------ who may */

/* The owner's side: the resident, their bridge, or the committee. */
static int owner_side(sj_call_t *c, const void *rec, const sj_move_t *m)
{
    if (sj_wish_acts_for_owner(c, rec))
        return 0;
    return sj_call_fail(c, ST(PERMISSION_DENIED), SJ_R_WISH_NOT_OWNER,
                        "only the wish's owner or the committee may %s it",
                        m->verb);
}

/* The merchant holding the claim. Judged on a claimed wish only: in any
 * other state the state check refuses, which tells the caller more. */
static int the_claimant(sj_call_t *c, const void *rec, const sj_move_t *m)
{
    const Shangju__Wish *w = rec;
    (void)m;
    if (w->state != WS(CLAIMED) || holds_claim(c, w))
        return 0;
    return sj_call_fail(c, ST(PERMISSION_DENIED), SJ_R_WISH_NOT_CLAIMANT,
                        "wish %llu is claimed by another merchant", (ull)w->id);
}

static int claimant_or_committee(sj_call_t *c, const void *rec,
                                 const sj_move_t *m)
{
    return c->caller->role == ROLE(COMMITTEE) ? 0 : the_claimant(c, rec, m);
}

/* Release: a claimed wish by its claimant or the committee; a disputed
 * fulfilment by the committee only, which so upholds the dispute. */
static int releaser(sj_call_t *c, const void *rec, const sj_move_t *m)
{
    const Shangju__Wish *w = rec;
    if (w->state == WS(CLAIMED))
        return claimant_or_committee(c, rec, m);
    if (w->state == WS(FULFILLED) && w->disputed) {
        if (c->caller->role == ROLE(COMMITTEE))
            return 0;
        return sj_call_fail(c, ST(PERMISSION_DENIED), SJ_R_AUTH_ROLE,
                            "only the committee resolves a disputed wish");
    }
    return sj_call_fail(c, ST(FAILED_PRECONDITION), SJ_R_WISH_NOT_CLAIMED,
                        "wish %llu is not claimed (nor a disputed "
                        "fulfilment); only those can be released",
                        (ull)w->id);
}

/* ------------------------------------------------------------- the hooks */

/* Cancelled or expired: the wish's life ends now. */
static int end_now(sj_call_t *c, void *rec, const void *old, const void *arg)
{
    Shangju__Wish *w = rec;
    (void)old, (void)arg;
    w->closed_at = c->now;
    return 0;
}

static int claim(sj_call_t *c, void *rec, const void *old, const void *arg)
{
    const Shangju__WishClaim *r = arg;
    Shangju__Wish *w = rec;
    (void)old;
    int rc = sj_claims_check_limit(c);
    if (rc)
        return rc;
    Shangju__Claim *cl = sj_call_alloc(c, sizeof *cl);
    if (!cl)
        return sj_call_store_fail(c, SJ_ENOMEM, "wish");
    shangju__claim__init(cl);
    cl->merchant_id = c->caller->id;
    cl->claimed_at = c->now;
    int64_t due = c->cfg->claim_due_ms;
    if (due > c->cfg->claim_due_max_ms)
        due = c->cfg->claim_due_max_ms;
    cl->due_at = c->now + (r->due_in_days ? r->due_in_days * SJ_DAY_MS : due);
    w->claim = cl;
    /* The claim's reply carries the owner's contact: recorded. */
    if ((rc = sj_claims_record_reveal(c, w)))
        return rc;
    return new_handover_code(c, w);
}

/* The wish is open again: the claim, its code and any fulfilment or
 * dispute are gone. A wish whose expiry passed while it was claimed
 * expires now. */
static void reopen(sj_call_t *c, Shangju__Wish *w)
{
    w->claim = NULL;
    w->fulfilled_at = 0;
    w->verified = false;
    w->disputed = false;
    w->dispute = (char *)"";
    w->disputed_at = 0;
    w->handover_code = (char *)"";
    w->handover_failures = 0;
    w->handover_locked = false;
    if (w->expires_at < c->now)
        w->expires_at = c->now;
}

/* Count one against the merchant: a lapse or a fulfilled wish. */
static int count_merchant(sj_call_t *c, uint64_t id, bool lapsed,
                          uint32_t stars);

/* A merchant releasing its own claim soon after claiming has seen the
 * contact and given nothing: that counts against it like a lapse. The
 * committee taking a claim back counts against nobody. */
static int release(sj_call_t *c, void *rec, const void *old, const void *arg)
{
    const Shangju__Wish *o = old;
    Shangju__Wish *w = rec;
    (void)arg;
    bool upheld = o->state == WS(FULFILLED); /* a dispute, by the committee */
    if (upheld || (c->caller->id == o->claim->merchant_id &&
                   c->now - o->claim->claimed_at < c->cfg->quick_release_ms)) {
        int rc = count_merchant(c, o->claim->merchant_id, true, 0);
        if (rc)
            return rc;
        w->lapses++;
    }
    reopen(c, w);
    return 0;
}

/* Count one against the merchant: a lapse or a fulfilled wish, with its
 * rating (1..5, 0 = none) for the merchant's public record. */
static int count_merchant(sj_call_t *c, uint64_t id, bool lapsed,
                          uint32_t stars)
{
    Shangju__Member *m;
    int err = sj_member_get(c->txn, id, &m);
    if (err == 0) {
        Shangju__Member nm = *m;
        if (lapsed)
            nm.claims_lapsed++;
        else
            nm.wishes_fulfilled++;
        if (stars) {
            nm.ratings_received++;
            nm.rating_sum += stars;
        }
        err = sj_member_put(c->txn, &nm, m);
        shangju__member__free_unpacked(m, NULL);
    }
    if (err && err != SJ_ENOTFOUND)
        return sj_call_store_fail(c, err, "member");
    return 0;
}

static int lapse(sj_call_t *c, void *rec, const void *old, const void *arg)
{
    const Shangju__Wish *o = old;
    Shangju__Wish *w = rec;
    (void)arg;
    int rc = count_merchant(c, o->claim->merchant_id, true, 0);
    if (rc)
        return rc;
    reopen(c, w);
    w->lapses++;
    return 0;
}

static int fulfil(sj_call_t *c, void *rec, const void *old, const void *arg)
{
    const Shangju__WishFulfil *r = arg;
    const Shangju__Wish *o = old;
    Shangju__Wish *w = rec;
    int rc;
    /* The lapse timer may not have fired yet (a batch fires a bounded
     * number), so the due date is checked here, not left to timer order. */
    if (c->now >= o->claim->due_at)
        return sj_call_fail(c, ST(FAILED_PRECONDITION), SJ_R_WISH_PAST_DUE,
                            "the claim on wish %llu is past its due date; "
                            "it lapses and the wish reopens",
                            (ull)o->id);
    if ((rc = sj_check_text(c, "hand-over code", r->handover_code, 0, 64,
                            false)))
        return rc;
    if (r->handover_code && *r->handover_code) {
        if ((rc = check_handover(c, w, o, r->handover_code)))
            return rc;
        w->verified = true;
    }
    w->fulfilled_at = c->now;
    return 0;
}

/* Close w (a new version of a FULFILLED wish) and credit its merchant:
 * closing a wish is service given, it earns points. */
static int close_wish(sj_call_t *c, Shangju__Wish *w)
{
    w->closed_at = c->now;
    int rc = count_merchant(c, w->claim->merchant_id, false, w->rating);
    if (rc)
        return rc;
    int err = sj_points_earn(c, w->claim->merchant_id, c->cfg->points_per_wish,
                             SJ_ENTRY_EARN_WISH, w->id, w->title);
    return err ? sj_call_store_fail(c, err, "points") : 0;
}

static int confirm(sj_call_t *c, void *rec, const void *old, const void *arg)
{
    const Shangju__WishConfirm *r = arg;
    Shangju__Wish *w = rec;
    (void)old;
    w->thanks = r->thanks;
    w->rating = r->rating;
    return close_wish(c, w);
}

static int auto_close(sj_call_t *c, void *rec, const void *old, const void *arg)
{
    Shangju__Wish *w = rec;
    (void)old, (void)arg;
    w->auto_closed = true;
    return close_wish(c, w);
}

/* The owner's side disputes an unverified fulfilment: it stays FULFILLED,
 * closes only when confirmed, or reopens when the committee upholds it. */
static int dispute(sj_call_t *c, void *rec, const void *old, const void *arg)
{
    const Shangju__WishDispute *r = arg;
    const Shangju__Wish *o = old;
    Shangju__Wish *w = rec;
    if (o->verified)
        return sj_call_fail(c, ST(FAILED_PRECONDITION), SJ_R_WISH_VERIFIED,
                            "wish %llu was handed over with its code",
                            (ull)o->id);
    if (o->disputed)
        return sj_call_fail(c, ST(FAILED_PRECONDITION), SJ_R_WISH_DISPUTED,
                            "wish %llu is already disputed", (ull)o->id);
    w->disputed = true;
    w->dispute = r->text;
    w->disputed_at = c->now;
    return 0;
}

static int reissue(sj_call_t *c, void *rec, const void *old, const void *arg)
{
    (void)old, (void)arg;
    return new_handover_code(c, rec);
}

/* ------------------------------------------------------------- the moves */

#define K(x) SHANGJU__REQUEST__BODY_##x
#define T(x) SJ_TOPIC_WISH_##x

/* The wish machine (README's diagram), requested ... */
/* clang-format off */
static const sj_move_t moves[] = {
    /* request           from            to              who may
     *     event                  hook         refusal words */
    {K(WISH_CLAIM),      WS(OPEN),       WS(CLAIMED),    NULL,
         T(CLAIMED),            claim,       "claimed", "claim"},
    {K(WISH_RELEASE),    0,              WS(OPEN),       releaser,
         T(RELEASED),           release,     "released", "release"},
    {K(WISH_FULFIL),     WS(CLAIMED),    WS(FULFILLED),  the_claimant,
         T(FULFILLED),          fulfil,      "fulfilled", "fulfil"},
    {K(WISH_CONFIRM),    WS(FULFILLED),  WS(CLOSED),     owner_side,
         T(CLOSED),             confirm,     "confirmed", "confirm"},
    {K(WISH_DISPUTE),    WS(FULFILLED),  0,              owner_side,
         T(DISPUTED),           dispute,     "disputed", "dispute"},
    {K(WISH_CANCEL),     WS(OPEN),       WS(CANCELLED),  owner_side,
         T(CANCELLED),          end_now,     "cancelled", "cancel"},
    {K(HANDOVER_REISSUE), WS(CLAIMED),   WS(CLAIMED),    NULL,
         T(HANDOVER_REISSUED),  reissue,     "given a new code", "reissue"},
};

/* ... and by the clock (sj_wish_timer_fire). */
static const sj_move_t timer_moves[] = {
    {SJ_TIMER_WISH_EXPIRE, WS(OPEN),     WS(EXPIRED),    NULL,
         T(EXPIRED),            end_now,     "expired", "expire"},
    {SJ_TIMER_CLAIM_DUE, WS(CLAIMED),    WS(OPEN),       NULL,
         T(LAPSED),             lapse,       "lapsed", "lapse"},
    {SJ_TIMER_AUTO_CLOSE, WS(FULFILLED), WS(CLOSED),     NULL,
         T(CLOSED),             auto_close,  "closed", "close"},
};
/* clang-format on */

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Apply the request's move to wish id and reply with the caller's view. */
static int move(sj_call_t *c, const Shangju__Request *req, uint64_t id,
                const void *arg)
{
    const sj_move_t *m = sj_move_find(moves, N(moves), (int)req->body_case);
    void *w;
    int rc = sj_move_apply(c, &wishes, m, id, arg, &w);
    return rc ? rc : reply_wish(c, w);
}

int sj_h_handover_reissue(sj_call_t *c, const Shangju__Request *req)
{
    return move(c, req, req->handover_reissue->wish_id, NULL);
}

int sj_h_wish_cancel(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__WishCancel *r = req->wish_cancel;
    int rc = sj_check_text(c, "reason", r->reason, 0, SJ_MAX_NOTE, true);
    return rc ? rc : move(c, req, r->id, r);
}

int sj_h_wish_claim(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__WishClaim *r = req->wish_claim;
    long long max_days = c->cfg->claim_due_max_ms / SJ_DAY_MS;
    if (r->due_in_days > max_days)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_OUT_OF_RANGE,
                            "due_in_days must be at most %lld", max_days);
    return move(c, req, r->id, r);
}

int sj_h_wish_release(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__WishRelease *r = req->wish_release;
    int rc = sj_check_text(c, "reason", r->reason, 0, SJ_MAX_NOTE, true);
    return rc ? rc : move(c, req, r->id, r);
}

int sj_h_wish_fulfil(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__WishFulfil *r = req->wish_fulfil;
    int rc = sj_check_text(c, "note", r->note, 0, SJ_MAX_NOTE, true);
    return rc ? rc : move(c, req, r->id, r);
}

int sj_h_wish_dispute(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__WishDispute *r = req->wish_dispute;
    int rc = sj_check_text(c, "text", r->text, 1, SJ_MAX_NOTE, true);
    return rc ? rc : move(c, req, r->id, r);
}

int sj_h_wish_confirm(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__WishConfirm *r = req->wish_confirm;
    if (r->rating > 5)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_OUT_OF_RANGE,
                            "rating must be 1 to 5 (or 0 for none)");
    int rc = sj_check_text(c, "thanks", r->thanks, 0, SJ_MAX_NOTE, true);
    return rc ? rc : move(c, req, r->id, r);
}

int sj_wish_timer_fire(sj_call_t *c, const sj_timer_t *tm)
{
    return sj_move_timer(c, &wishes, timer_moves, N(timer_moves), tm);
}
