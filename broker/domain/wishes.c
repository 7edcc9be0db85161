/* Wish handlers: the lifecycle OPEN -> CLAIMED -> FULFILLED -> CLOSED, with
 * cancel, release, expiry and lapsed claims, plus the timers that drive the
 * moves nobody requests. Every move stores the new version, keeps its timer
 * in step and appends an event, all in the caller's nested transaction. */
#include "dispatch.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "codec.h"
#include "points.h"
#include "validate.h"

#define ST(x) SHANGJU__STATUS__STATUS_##x
#define WS(x) SHANGJU__WISH_STATE__WISH_STATE_##x
#define ROLE(x) SHANGJU__ROLE__ROLE_##x

typedef unsigned long long ull;

static const char *state_name(Shangju__WishState s)
{
    const char *n = sj_enum_short(&shangju__wish_state__descriptor, s);
    return n ? n : "unknown";
}

/* Load wish id into *w (owned by c). */
static int load(sj_call_t *c, uint64_t id, Shangju__Wish **w)
{
    int err = sj_wish_get(c->txn, id, w);
    if (err == SJ_ENOTFOUND)
        return sj_call_fail(c, ST(NOT_FOUND), "no wish %llu", (ull)id);
    if (err || !sj_call_own(c, *w))
        return sj_call_store_fail(c, err ? err : SJ_ENOMEM, "wish");
    return 0;
}

static int load_member(sj_call_t *c, uint64_t id, Shangju__Member **m)
{
    int err = sj_member_get(c->txn, id, m);
    if (err == SJ_ENOTFOUND)
        return sj_call_fail(c, ST(NOT_FOUND), "no member %llu", (ull)id);
    if (err || !sj_call_own(c, *m))
        return sj_call_store_fail(c, err ? err : SJ_ENOMEM, "member");
    return 0;
}

/* A new version of old to edit: a shallow copy whose strings still belong
 * to old (records from the store are never edited in place). */
static Shangju__Wish *edit(sj_call_t *c, const Shangju__Wish *old)
{
    Shangju__Wish *w = sj_call_alloc(c, sizeof *w);
    if (w) {
        *w = *old;
        w->updated_at = c->now;
    }
    return w;
}

static int require_state(sj_call_t *c, const Shangju__Wish *w,
                         Shangju__WishState want, const char *action)
{
    if (w->state == want)
        return 0;
    return sj_call_fail(c, ST(FAILED_PRECONDITION),
                        "wish %llu is %s; only a%s %s wish can be %s",
                        (ull)w->id, state_name(w->state),
                        want == WS(OPEN) ? "n" : "", state_name(want), action);
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

/* The view of w the caller may see: the owner's name always, the owner's
 * contact only for the committee, the owner (or their bridge) and the
 * merchant holding a live claim. */
static Shangju__Wish *present(sj_call_t *c, const Shangju__Wish *w)
{
    Shangju__Wish *v = sj_call_alloc(c, sizeof *v);
    if (!v)
        return NULL;
    *v = *w;
    v->owner_contact = (char *)"";
    v->handover_code = (char *)""; /* only ever inside the hand-over QR */
    Shangju__Member *owner;
    if (sj_member_get(c->txn, w->owner_id, &owner) != 0)
        return v;
    if (!sj_call_own(c, owner))
        return NULL;
    v->owner_name = owner->name;
    if (c->caller && (holds_claim(c, w) || sj_wish_acts_for_owner(c, w)))
        v->owner_contact = owner->contact;
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

/* The timer a wish in its state waits on, if any. */
static bool timer_of(const sj_call_t *c, const Shangju__Wish *w, sj_timer_t *tm)
{
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
        tm->kind = SJ_TIMER_AUTO_CLOSE;
        tm->due = w->fulfilled_at + c->cfg->auto_close_ms;
        return true;
    default:
        return false;
    }
}

/* Store w (new version of old, NULL when new), move its timer, log the
 * event. Returns 0 or the failed reply's status. */
static int save(sj_call_t *c, Shangju__Wish *w, const Shangju__Wish *old,
                sj_topic_t topic)
{
    sj_timer_t tm;
    int err = 0;
    if (old && timer_of(c, old, &tm))
        err = sj_timer_clear(c->txn, &tm);
    if (!err && timer_of(c, w, &tm))
        err = sj_timer_set(c->txn, &tm);
    if (!err)
        err = sj_wish_put(c->txn, w, old);
    if (!err)
        err = sj_call_emit_wish(c, topic, w);
    return err ? sj_call_store_fail(c, err, "wish") : 0;
}

/* ------------------------------------------------------------------ post */

/* Whose wish this is: the caller (resident) or the resident named in
 * for_member, whom the committee or the resident's bridge may post for. */
static int post_owner(sj_call_t *c, uint64_t for_member,
                      Shangju__Member **owner)
{
    const Shangju__Member *me = c->caller;
    if (me->role == ROLE(RESIDENT) && for_member && for_member != me->id)
        return sj_call_fail(c, ST(PERMISSION_DENIED),
                            "a resident posts only their own wishes");
    if (me->role != ROLE(RESIDENT) && !for_member)
        return sj_call_fail(c, ST(INVALID_ARGUMENT),
                            "say which resident the wish is for (for_member)");
    int rc = load_member(c, for_member ? for_member : me->id, owner);
    if (rc)
        return rc;
    const Shangju__Member *o = *owner;
    if (o->role != ROLE(RESIDENT))
        return sj_call_fail(c, ST(FAILED_PRECONDITION),
                            "member %llu is not a resident", (ull)o->id);
    if (o->status != SHANGJU__MEMBER_STATUS__MEMBER_STATUS_ACTIVE)
        return sj_call_fail(c, ST(FAILED_PRECONDITION),
                            "resident %llu is suspended", (ull)o->id);
    if (me->role == ROLE(BRIDGE) && o->bridge_id != me->id)
        return sj_call_fail(c, ST(PERMISSION_DENIED),
                            "resident %llu is not linked to this bridge",
                            (ull)o->id);
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
        return sj_call_fail(c, ST(INVALID_ARGUMENT),
                            "expires_in_days must be at most 365");
    Shangju__Member *owner;
    if ((rc = post_owner(c, p->for_member, &owner)))
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
    if ((rc = save(c, w, NULL, SJ_TOPIC_WISH_POSTED)))
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
        return sj_call_fail(c, ST(INVALID_ARGUMENT), "unknown state %d",
                            (int)l->state);
    int rc =
        sj_check_text(c, "community", l->community, 0, SJ_MAX_COMMUNITY, false);
    if (rc)
        return rc;
    f->state = l->state;
    f->community = l->community;
    f->owner_id = l->owner_id;
    if (l->mine) {
        if (me->role == ROLE(RESIDENT))
            f->owner_id = me->id;
        else if (me->role == ROLE(MERCHANT))
            f->claimant_id = me->id;
        else
            return sj_call_fail(c, ST(INVALID_ARGUMENT),
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
        (rc = sj_check_limit(c, l->limit, &limit)))
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
        return sj_call_fail(c, ST(INTERNAL), "no randomness for a code");
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
                            "the hand-over code of wish %llu is locked after "
                            "%d wrong tries; ask the committee to reissue it",
                            (ull)w->id, HANDOVER_TRIES);
    if (same_code(code, w->handover_code ? w->handover_code : ""))
        return 0;
    w->handover_failures++;
    bool lock = w->handover_failures >= HANDOVER_TRIES;
    w->handover_locked = lock;
    int rc = save(c, w, old,
                  lock ? SJ_TOPIC_WISH_HANDOVER_LOCKED
                       : SJ_TOPIC_WISH_HANDOVER_REFUSED);
    if (rc)
        return rc;
    c->commit_on_error = true; /* the count must stick */
    if (lock)
        return sj_call_fail(c, ST(PERMISSION_DENIED),
                            "wrong hand-over code; the code is now locked, "
                            "ask the committee to reissue it");
    return sj_call_fail(c, ST(PERMISSION_DENIED),
                        "wrong hand-over code (%u tries left)",
                        HANDOVER_TRIES - w->handover_failures);
}

int sj_h_handover_reissue(sj_call_t *c, const Shangju__Request *req)
{
    Shangju__Wish *old, *w;
    int rc;
    if ((rc = load(c, req->handover_reissue->wish_id, &old)) ||
        (rc = require_state(c, old, WS(CLAIMED), "given a new code")))
        return rc;
    if (!(w = edit(c, old)))
        return sj_call_store_fail(c, SJ_ENOMEM, "wish");
    if ((rc = new_handover_code(c, w)) ||
        (rc = save(c, w, old, SJ_TOPIC_WISH_HANDOVER_REISSUED)))
        return rc;
    return reply_wish(c, w);
}

/* ------------------------------------------------------------------ moves */

int sj_h_wish_cancel(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__WishCancel *r = req->wish_cancel;
    Shangju__Wish *old, *w;
    int rc;
    if ((rc = sj_check_text(c, "reason", r->reason, 0, SJ_MAX_NOTE, true)) ||
        (rc = load(c, r->id, &old)))
        return rc;
    if (!sj_wish_acts_for_owner(c, old))
        return sj_call_fail(c, ST(PERMISSION_DENIED),
                            "only the wish's owner or the committee may "
                            "cancel it");
    if ((rc = require_state(c, old, WS(OPEN), "cancelled")))
        return rc;
    if (!(w = edit(c, old)))
        return sj_call_store_fail(c, SJ_ENOMEM, "wish");
    w->state = WS(CANCELLED);
    w->closed_at = c->now;
    return (rc = save(c, w, old, SJ_TOPIC_WISH_CANCELLED)) ? rc
                                                           : reply_wish(c, w);
}

int sj_h_wish_claim(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__WishClaim *r = req->wish_claim;
    Shangju__Wish *old, *w;
    int rc;
    if (r->due_in_days > 90)
        return sj_call_fail(c, ST(INVALID_ARGUMENT),
                            "due_in_days must be at most 90");
    if ((rc = load(c, r->id, &old)) ||
        (rc = require_state(c, old, WS(OPEN), "claimed")))
        return rc;
    Shangju__Claim *claim = sj_call_alloc(c, sizeof *claim);
    if (!claim || !(w = edit(c, old)))
        return sj_call_store_fail(c, SJ_ENOMEM, "wish");
    shangju__claim__init(claim);
    claim->merchant_id = c->caller->id;
    claim->claimed_at = c->now;
    claim->due_at = c->now + (r->due_in_days ? r->due_in_days * SJ_DAY_MS
                                             : c->cfg->claim_due_ms);
    w->state = WS(CLAIMED);
    w->claim = claim;
    if ((rc = new_handover_code(c, w)))
        return rc;
    return (rc = save(c, w, old, SJ_TOPIC_WISH_CLAIMED)) ? rc
                                                         : reply_wish(c, w);
}

int sj_h_wish_release(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__WishRelease *r = req->wish_release;
    Shangju__Wish *old, *w;
    int rc;
    if ((rc = sj_check_text(c, "reason", r->reason, 0, SJ_MAX_NOTE, true)) ||
        (rc = load(c, r->id, &old)) ||
        (rc = require_state(c, old, WS(CLAIMED), "released")))
        return rc;
    if (c->caller->role != ROLE(COMMITTEE) && !holds_claim(c, old))
        return sj_call_fail(c, ST(PERMISSION_DENIED),
                            "wish %llu is claimed by another merchant",
                            (ull)old->id);
    if (!(w = edit(c, old)))
        return sj_call_store_fail(c, SJ_ENOMEM, "wish");
    w->state = WS(OPEN);
    w->claim = NULL;
    w->handover_code = (char *)"";
    w->handover_failures = 0;
    w->handover_locked = false;
    if (w->expires_at < c->now)
        w->expires_at = c->now; /* expired while claimed: expires now */
    return (rc = save(c, w, old, SJ_TOPIC_WISH_RELEASED)) ? rc
                                                          : reply_wish(c, w);
}

int sj_h_wish_fulfil(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__WishFulfil *r = req->wish_fulfil;
    Shangju__Wish *old, *w;
    int rc;
    if ((rc = sj_check_text(c, "note", r->note, 0, SJ_MAX_NOTE, true)) ||
        (rc = load(c, r->id, &old)) ||
        (rc = require_state(c, old, WS(CLAIMED), "fulfilled")))
        return rc;
    if (!holds_claim(c, old))
        return sj_call_fail(c, ST(PERMISSION_DENIED),
                            "wish %llu is claimed by another merchant",
                            (ull)old->id);
    /* The lapse timer may not have fired yet (a batch fires a bounded
     * number), so the due date is checked here, not left to timer order. */
    if (c->now >= old->claim->due_at)
        return sj_call_fail(c, ST(FAILED_PRECONDITION),
                            "the claim on wish %llu is past its due date; "
                            "it lapses and the wish reopens",
                            (ull)old->id);
    if ((rc = sj_check_text(c, "hand-over code", r->handover_code, 0, 64,
                            false)))
        return rc;
    if (!(w = edit(c, old)))
        return sj_call_store_fail(c, SJ_ENOMEM, "wish");
    if (r->handover_code && *r->handover_code) {
        if ((rc = check_handover(c, w, old, r->handover_code)))
            return rc;
        w->verified = true;
    }
    w->state = WS(FULFILLED);
    w->fulfilled_at = c->now;
    return (rc = save(c, w, old, SJ_TOPIC_WISH_FULFILLED)) ? rc
                                                           : reply_wish(c, w);
}

/* Close w (a new version of a FULFILLED wish) and credit its merchant. */
static int close_wish(sj_call_t *c, Shangju__Wish *w, const Shangju__Wish *old)
{
    w->state = WS(CLOSED);
    w->closed_at = c->now;
    Shangju__Member *m;
    int err = sj_member_get(c->txn, w->claim->merchant_id, &m);
    if (err == 0) {
        Shangju__Member nm = *m;
        nm.wishes_fulfilled++;
        err = sj_member_put(c->txn, &nm, m);
        shangju__member__free_unpacked(m, NULL);
    }
    if (err && err != SJ_ENOTFOUND)
        return sj_call_store_fail(c, err, "member");
    /* Closing a wish is service given: the merchant earns points. */
    err = sj_points_earn(c, w->claim->merchant_id, c->cfg->points_per_wish,
                         SJ_ENTRY_EARN_WISH, w->id, w->title);
    if (err)
        return sj_call_store_fail(c, err, "points");
    return save(c, w, old, SJ_TOPIC_WISH_CLOSED);
}

int sj_h_wish_confirm(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__WishConfirm *r = req->wish_confirm;
    Shangju__Wish *old, *w;
    int rc;
    if (r->rating > 5)
        return sj_call_fail(c, ST(INVALID_ARGUMENT),
                            "rating must be 1 to 5 (or 0 for none)");
    if ((rc = sj_check_text(c, "thanks", r->thanks, 0, SJ_MAX_NOTE, true)) ||
        (rc = load(c, r->id, &old)))
        return rc;
    if (!sj_wish_acts_for_owner(c, old))
        return sj_call_fail(c, ST(PERMISSION_DENIED),
                            "only the wish's owner or the committee may "
                            "confirm it");
    if ((rc = require_state(c, old, WS(FULFILLED), "confirmed")))
        return rc;
    if (!(w = edit(c, old)))
        return sj_call_store_fail(c, SJ_ENOMEM, "wish");
    w->thanks = r->thanks;
    w->rating = r->rating;
    return (rc = close_wish(c, w, old)) ? rc : reply_wish(c, w);
}

/* ----------------------------------------------------------------- timers */

static int lapse(sj_call_t *c, Shangju__Wish *w, const Shangju__Wish *old)
{
    Shangju__Member *m;
    int err = sj_member_get(c->txn, old->claim->merchant_id, &m);
    if (err == 0) {
        Shangju__Member nm = *m;
        nm.claims_lapsed++;
        err = sj_member_put(c->txn, &nm, m);
        shangju__member__free_unpacked(m, NULL);
    }
    if (err && err != SJ_ENOTFOUND)
        return sj_call_store_fail(c, err, "member");
    w->state = WS(OPEN);
    w->claim = NULL;
    w->handover_code = (char *)"";
    w->handover_failures = 0;
    w->handover_locked = false;
    w->lapses++;
    if (w->expires_at < c->now)
        w->expires_at = c->now;
    return save(c, w, old, SJ_TOPIC_WISH_LAPSED);
}

int sj_wish_timer_fire(sj_call_t *c, const sj_timer_t *tm)
{
    Shangju__Wish *old, *w;
    sj_timer_t want;
    int err = sj_wish_get(c->txn, tm->id, &old);
    if (err == 0 && !sj_call_own(c, old))
        err = SJ_ENOMEM;
    if (err == SJ_ENOTFOUND)
        return sj_timer_clear(c->txn, tm);
    if (err)
        return sj_call_store_fail(c, err, "wish");
    bool live = timer_of(c, old, &want) && want.kind == tm->kind;
    if (!live || want.due != tm->due) /* stale: the wish moved on */
        return sj_timer_clear(c->txn, tm);
    if (!(w = edit(c, old)))
        return sj_call_store_fail(c, SJ_ENOMEM, "wish");
    switch (tm->kind) {
    case SJ_TIMER_WISH_EXPIRE:
        w->state = WS(EXPIRED);
        w->closed_at = c->now;
        return save(c, w, old, SJ_TOPIC_WISH_EXPIRED);
    case SJ_TIMER_CLAIM_DUE:
        return lapse(c, w, old);
    case SJ_TIMER_AUTO_CLOSE:
        w->auto_closed = true;
        return close_wish(c, w, old);
    default:
        break;
    }
    return sj_timer_clear(c->txn, tm);
}
