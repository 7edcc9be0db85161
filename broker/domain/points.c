/* Points handlers (志愿积分): balance and history (own, or anyone's for the
 * committee), paying a member for a service its listing offers, the
 * yearly ranking and its freezing; plus sj_points_earn for the handlers
 * that issue points. The ledger itself lives in store/ledger.c. */
#include "points.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchor.h"
#include "dispatch.h"
#include "ledger.h"
#include "validate.h"

#define ST(x) SHANGJU__STATUS__STATUS_##x
#define ROLE(x) SHANGJU__ROLE__ROLE_##x

#define TOP_DEFAULT 10
#define TOP_MAX 100

typedef unsigned long long ull;

/* ------------------------------------------------------------- issuing */

/* A payment's memo, "SERVICE: NOTE", is kept whole however many bytes its
 * characters take. */
_Static_assert(SJ_UTF8_BYTES(SJ_MAX_NAME + SJ_MAX_NOTE) + 2 <=
                   SJ_LEDGER_MAX_MEMO,
               "a transfer's memo fits a ledger entry");

/* memo, cut to SJ_LEDGER_MAX_MEMO bytes at a UTF-8 boundary (owned by c). */
static const char *bounded_memo(sj_call_t *c, const char *memo)
{
    if (!memo)
        return "";
    size_t n = strlen(memo);
    if (n <= SJ_LEDGER_MAX_MEMO)
        return memo;
    n = SJ_LEDGER_MAX_MEMO;
    while (n > 0 && ((unsigned char)memo[n] & 0xC0) == 0x80)
        n--;
    char *p = sj_call_alloc(c, n + 1);
    if (p)
        memcpy(p, memo, n);
    return p;
}

int sj_points_earn(sj_call_t *c, uint64_t member_id, uint64_t amount,
                   sj_entry_kind_t kind, uint64_t ref, const char *memo)
{
    if (amount == 0)
        return SJ_OK;
    if (member_id == SJ_LEDGER_ALLIANCE || !sj_entry_kind_is_earning(kind))
        return SJ_EINVAL;
    const char *m = bounded_memo(c, memo);
    if (!m)
        return SJ_ENOMEM;
    sj_ledger_move_t mv = {
        .from = SJ_LEDGER_ALLIANCE,
        .to = member_id,
        .amount = amount,
        .from_kind = sj_entry_kind_name(kind),
        .to_kind = sj_entry_kind_name(kind),
        .ref = ref,
        .memo = m,
        .at = c->now,
    };
    sj_ledger_pair_t pair;
    int err = sj_ledger_move(c->txn, &mv, &pair);
    return err ? err
               : sj_call_emit_entry(c, SJ_TOPIC_POINTS_EARNED, &pair.credit);
}

/* ------------------------------------------------------------- reading */

/* The member a balance or history request is about: the caller, or the
 * one named, which must exist, when the caller is the committee or the
 * bridge that member is linked to (a bridge acts for its residents, as it
 * posts and confirms for them: `积分` in chat reads their own points). */
static int whose(sj_call_t *c, uint64_t asked, uint64_t *id)
{
    const Shangju__Member *me = c->caller;
    *id = asked ? asked : me->id;
    if (*id == me->id)
        return 0;
    if (me->role != ROLE(COMMITTEE) && me->role != ROLE(BRIDGE))
        return sj_call_fail(c, ST(PERMISSION_DENIED), SJ_R_AUTH_NOT_YOURS,
                            "only the committee reads another member's "
                            "points");
    Shangju__Member *m;
    int err = sj_member_get(c->txn, *id, &m);
    if (err == SJ_ENOTFOUND && me->role == ROLE(BRIDGE))
        err = SJ_EPERM; /* a bridge learns nothing of who exists */
    if (err == SJ_ENOTFOUND)
        return sj_call_fail(c, ST(NOT_FOUND), SJ_R_MEMBER_NOT_FOUND,
                            "no member %llu", (ull)*id);
    bool linked = err == 0 && m->bridge_id == me->id;
    if (err == 0)
        shangju__member__free_unpacked(m, NULL);
    if (me->role == ROLE(BRIDGE) && !linked)
        return sj_call_fail(c, ST(PERMISSION_DENIED), SJ_R_AUTH_NOT_YOURS,
                            "a bridge reads only the points of the residents "
                            "linked to it");
    if (err)
        return sj_call_store_fail(c, err, "member");
    return 0;
}

/* member's account, owned by c; a zero account when it has no entry. */
static int account_of(sj_call_t *c, uint64_t member, Shangju__Account **out)
{
    Shangju__Account *a = NULL;
    int err = sj_ledger_account(c->txn, member, &a);
    if (err == SJ_ENOTFOUND) {
        if (!(a = sj_call_alloc(c, sizeof *a)))
            return SJ_ENOMEM;
        shangju__account__init(a);
        a->member_id = member;
    } else if (err) {
        return err;
    } else if (!sj_call_own(c, a)) {
        return SJ_ENOMEM;
    }
    *out = a;
    return SJ_OK;
}

static int reply_account(sj_call_t *c, uint64_t member)
{
    Shangju__Account *a;
    int err = account_of(c, member, &a);
    if (err)
        return sj_call_store_fail(c, err, "account");
    c->reply.body_case = SHANGJU__REPLY__BODY_ACCOUNT;
    c->reply.account = a;
    return 0;
}

int sj_h_points_balance(sj_call_t *c, const Shangju__Request *req)
{
    uint64_t id;
    int rc = whose(c, req->points_balance->member_id, &id);
    return rc ? rc : reply_account(c, id);
}

int sj_h_points_history(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__PointsHistory *h = req->points_history;
    uint64_t id;
    size_t limit;
    int rc;
    if ((rc = whose(c, h->member_id, &id)) ||
        (rc = sj_check_limit(c, h->limit, &limit)) ||
        (rc = sj_check_cursor(c, h->after)))
        return rc;
    Shangju__LedgerPage *page = sj_call_alloc(c, sizeof *page);
    if (!page)
        return sj_call_store_fail(c, SJ_ENOMEM, "ledger");
    shangju__ledger_page__init(page);
    int err = sj_ledger_history(c->txn, id, h->after, limit, &page->items,
                                &page->n_items, &page->next);
    if (err ||
        (err = sj_call_own_page(c, (void **)page->items, page->n_items))) {
        page->n_items = 0;
        return sj_call_store_fail(c, err, "ledger");
    }
    c->reply.body_case = SHANGJU__REPLY__BODY_ENTRIES;
    c->reply.entries = page;
    return 0;
}

/* ------------------------------------------------------------- paying */

/* The price of service `name` in to's listing, checking that to is an
 * active member offering it. */
static int service_price(sj_call_t *c, uint64_t to, const char *name,
                         uint32_t *price)
{
    Shangju__Member *m;
    int err = sj_member_get(c->txn, to, &m);
    if (err == SJ_ENOTFOUND)
        return sj_call_fail(c, ST(NOT_FOUND), SJ_R_MEMBER_NOT_FOUND,
                            "no member %llu", (ull)to);
    if (err)
        return sj_call_store_fail(c, err, "member");
    bool active = m->status == SHANGJU__MEMBER_STATUS__MEMBER_STATUS_ACTIVE;
    shangju__member__free_unpacked(m, NULL);
    if (!active)
        return sj_call_fail(c, ST(FAILED_PRECONDITION), SJ_R_MEMBER_SUSPENDED,
                            "member %llu is suspended", (ull)to);
    Shangju__Listing *l;
    err = sj_listing_get(c->txn, to, &l);
    if (err == SJ_ENOTFOUND)
        return sj_call_fail(c, ST(NOT_FOUND), SJ_R_POINTS_NO_SERVICE,
                            "member %llu has no listing offering services",
                            (ull)to);
    if (err)
        return sj_call_store_fail(c, err, "listing");
    const Shangju__Service *s = NULL;
    for (size_t i = 0; i < l->n_services && !s; i++)
        if (l->services[i]->name && strcmp(l->services[i]->name, name) == 0)
            s = l->services[i];
    int rc = 0;
    if (!s)
        rc = sj_call_fail(c, ST(NOT_FOUND), SJ_R_POINTS_NO_SERVICE,
                          "merchant %llu's listing offers no service '%s'",
                          (ull)to, name);
    else if (s->points == 0)
        rc =
            sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_POINTS_FREE_SERVICE,
                         "service '%s' is free: there is nothing to pay", name);
    else
        *price = s->points;
    shangju__listing__free_unpacked(l, NULL);
    return rc;
}

/* "service" or "service: memo", owned by c. */
static const char *transfer_memo(sj_call_t *c, const char *service,
                                 const char *memo)
{
    size_t n = strlen(service) + (memo ? strlen(memo) : 0) + 3;
    char *p = sj_call_alloc(c, n);
    if (p)
        snprintf(p, n, memo && *memo ? "%s: %s" : "%s", service, memo);
    return p;
}

int sj_h_points_transfer(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__PointsTransfer *p = req->points_transfer;
    const Shangju__Member *me = c->caller;
    int rc;
    if (p->to_member == 0)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_REQUIRED,
                            "say whom to pay (to_member)");
    if (p->to_member == me->id)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_POINTS_SELF,
                            "you cannot pay yourself");
    if ((rc = sj_check_text(c, "service", p->service, 1, SJ_MAX_NAME, false)) ||
        (rc = sj_check_text(c, "memo", p->memo, 0, SJ_MAX_NOTE, false)))
        return rc;
    uint32_t price = 0;
    if ((rc = service_price(c, p->to_member, p->service, &price)))
        return rc;
    /* The payer pays what it agreed to, or nothing: a payee repricing
     * between the payer's look and the payment takes no more. */
    if (p->expected_points == 0)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_REQUIRED,
                            "say the price you agreed to (expected_points)");
    if (p->expected_points != price)
        return sj_call_fail(c, ST(FAILED_PRECONDITION),
                            SJ_R_TRANSFER_PRICE_CHANGED,
                            "'%s' costs %u now, not the %u you agreed to",
                            p->service, price, p->expected_points);
    Shangju__Account *a;
    int err = account_of(c, me->id, &a);
    if (err)
        return sj_call_store_fail(c, err, "account");
    if (a->balance < (int64_t)price)
        return sj_call_fail(c, ST(FAILED_PRECONDITION), SJ_R_POINTS_NOT_ENOUGH,
                            "not enough points: balance %lld, the service "
                            "costs %u",
                            (long long)a->balance, price);
    const char *memo = transfer_memo(c, p->service, p->memo);
    if (!memo)
        return sj_call_store_fail(c, SJ_ENOMEM, "points");
    sj_ledger_move_t mv = {
        .from = me->id,
        .to = p->to_member,
        .amount = price,
        .from_kind = sj_entry_kind_name(SJ_ENTRY_SPEND),
        .to_kind = sj_entry_kind_name(SJ_ENTRY_RECEIVE),
        .ref = p->to_member,
        .memo = memo,
        .at = c->now,
    };
    sj_ledger_pair_t pair;
    err = sj_ledger_move(c->txn, &mv, &pair);
    if (!err)
        err = sj_call_emit_entry(c, SJ_TOPIC_POINTS_TRANSFERRED, &pair.debit);
    if (err)
        return sj_call_store_fail(c, err, "points");
    return reply_account(c, me->id);
}

/* ------------------------------------------------------------ rankings */

/* The live ranking of year from the ranking index, at most limit. */
static int live_ranking(sj_call_t *c, uint32_t year, size_t limit,
                        Shangju__Ranking **out)
{
    Shangju__Ranking *r = sj_call_alloc(c, sizeof *r);
    sj_rank_row_t *rows = sj_call_alloc(c, limit * sizeof *rows);
    if (!r || !rows)
        return SJ_ENOMEM;
    shangju__ranking__init(r);
    r->year = year;
    size_t n;
    int err = sj_ledger_rank(c->txn, year, rows, limit, &n);
    if (err)
        return err;
    Shangju__RankEntry *ents = sj_call_alloc(c, n * sizeof *ents);
    r->items = sj_call_alloc(c, n * sizeof *r->items);
    if (!ents || !r->items)
        return SJ_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        Shangju__RankEntry *e = &ents[i];
        shangju__rank_entry__init(e);
        e->rank = (uint32_t)(i + 1);
        e->member_id = rows[i].member_id;
        e->earned = rows[i].earned;
        e->name = (char *)"";
        Shangju__Member *m;
        err = sj_member_get(c->txn, e->member_id, &m);
        if (err == 0) {
            if (!sj_call_own(c, m))
                return SJ_ENOMEM;
            e->name = m->name;
        } else if (err != SJ_ENOTFOUND) {
            return err;
        }
        r->items[i] = e;
    }
    r->n_items = n;
    *out = r;
    return SJ_OK;
}

int sj_points_ranking(sj_call_t *c, uint32_t year, uint32_t limit,
                      Shangju__Ranking **out)
{
    if (!year)
        year = sj_ledger_year(c->now);
    if (!limit)
        limit = TOP_DEFAULT;
    if (limit > SJ_POINTS_RANKING_MAX)
        limit = SJ_POINTS_RANKING_MAX;
    Shangju__Ranking *frozen;
    int err = sj_ranking_get(c->txn, year, &frozen);
    if (err == SJ_ENOTFOUND)
        return live_ranking(c, year, limit, out);
    if (err)
        return err;
    if (!sj_call_own(c, frozen))
        return SJ_ENOMEM;
    /* A shallow copy shows the first limit entries of the snapshot. */
    Shangju__Ranking *r = sj_call_alloc(c, sizeof *r);
    if (!r)
        return SJ_ENOMEM;
    *r = *frozen;
    if (r->n_items > limit)
        r->n_items = limit;
    *out = r;
    return SJ_OK;
}

int sj_h_points_top(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__PointsTop *p = req->points_top;
    if (p->limit > TOP_MAX)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_OUT_OF_RANGE,
                            "limit %u is too large (at most %d)", p->limit,
                            TOP_MAX);
    int rc = p->year ? sj_check_year(c, p->year) : 0;
    if (rc)
        return rc;
    Shangju__Ranking *r;
    int err = sj_points_ranking(c, p->year, p->limit, &r);
    if (err)
        return sj_call_store_fail(c, err, "ranking");
    c->reply.body_case = SHANGJU__REPLY__BODY_RANKING;
    c->reply.ranking = r;
    return 0;
}

int sj_h_points_close_year(sj_call_t *c, const Shangju__Request *req)
{
    uint32_t year = req->points_close_year->year;
    uint32_t now = sj_ledger_year(c->now);
    if (year == 0)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_REQUIRED,
                            "say which year");
    int rc = sj_check_year(c, year);
    if (rc)
        return rc;
    if (year > now)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_OUT_OF_RANGE,
                            "%u has not begun: a future year cannot be "
                            "closed",
                            year);
    Shangju__Ranking *old;
    int err = sj_ranking_get(c->txn, year, &old);
    if (err == 0) {
        shangju__ranking__free_unpacked(old, NULL);
        return sj_call_fail(c, ST(ALREADY_EXISTS), SJ_R_POINTS_YEAR_CLOSED,
                            "%u is closed already", year);
    }
    if (err != SJ_ENOTFOUND)
        return sj_call_store_fail(c, err, "ranking");
    Shangju__Ranking *r;
    err = live_ranking(c, year, SJ_RANKING_MAX, &r);
    if (!err) {
        r->frozen = true;
        r->frozen_at = c->now;
        err = sj_ranking_put(c->txn, r);
    }
    if (!err)
        err = sj_call_emit_entry(c, SJ_TOPIC_POINTS_YEAR_CLOSED, NULL);
    if (!err) /* the closed year's ledger, signed (anchor.h) */
        err = sj_anchor_make(c, r->year);
    if (err)
        return sj_call_store_fail(c, err, "ranking");
    c->reply.body_case = SHANGJU__REPLY__BODY_RANKING;
    c->reply.ranking = r;
    return 0;
}
