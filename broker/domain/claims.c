/* A merchant's claims and the contact they reveal (issue 9 §3): a bound on
 * the claims a merchant holds at once, the append-only record of every
 * reveal of a resident's contact (on the wish), and the request that shows
 * that record to the resident, their bridge and the committee. */
#include "dispatch.h"

#include <string.h>

#define ST(x) SHANGJU__STATUS__STATUS_##x
#define WS(x) SHANGJU__WISH_STATE__WISH_STATE_##x
#define ROLE(x) SHANGJU__ROLE__ROLE_##x

typedef unsigned long long ull;

/* Claims (CLAIMED wishes) the merchant holds, counting up to stop. */
static int count_live(sj_call_t *c, uint64_t merchant, size_t stop, size_t *n)
{
    sj_wish_filter_t f = {.state = WS(CLAIMED), .claimant_id = merchant};
    uint64_t after = 0;
    *n = 0;
    do {
        Shangju__Wish **items;
        size_t got;
        uint64_t next;
        int err = sj_wish_list(c->txn, &f, after, 64, &items, &got, &next);
        if (err)
            return err;
        sj_wish_page_free(items, got);
        *n += got;
        after = next;
    } while (after && *n < stop);
    return 0;
}

int sj_claims_check_limit(sj_call_t *c)
{
    size_t max = c->cfg->max_live_claims, n;
    int err = count_live(c, c->caller->id, max, &n);
    if (err)
        return sj_call_store_fail(c, err, "wish");
    if (n >= max)
        return sj_call_fail(c, ST(FAILED_PRECONDITION),
                            SJ_R_CLAIM_LIMIT_REACHED,
                            "you hold %zu claimed wishes, the most allowed; "
                            "fulfil or release one first",
                            n);
    return 0;
}

int sj_claims_record_reveal(sj_call_t *c, Shangju__Wish *w)
{
    size_t n = w->n_reveals;
    Shangju__ContactReveal **all = sj_call_alloc(c, (n + 1) * sizeof *all);
    Shangju__ContactReveal *r = sj_call_alloc(c, sizeof *r);
    if (!all || !r)
        return sj_call_store_fail(c, SJ_ENOMEM, "wish");
    if (n)
        memcpy(all, w->reveals, n * sizeof *all);
    shangju__contact_reveal__init(r);
    r->merchant_id = w->claim->merchant_id;
    r->wish_id = w->id;
    r->at = c->now;
    all[n] = r;
    w->reveals = all;
    w->n_reveals = n + 1;
    return 0;
}

/* May the caller read who saw member id's contact: the member, the
 * committee, or the bridge the member is linked to. */
static int may_read(sj_call_t *c, uint64_t id)
{
    const Shangju__Member *me = c->caller;
    if (me->role == ROLE(COMMITTEE) || me->id == id)
        return 0;
    if (me->role == ROLE(BRIDGE)) {
        Shangju__Member *m;
        int err = sj_member_get(c->txn, id, &m);
        if (err == 0) {
            bool linked = m->bridge_id == me->id;
            shangju__member__free_unpacked(m, NULL);
            if (linked)
                return 0;
        } else if (err != SJ_ENOTFOUND) {
            return sj_call_store_fail(c, err, "member");
        }
    }
    return sj_call_fail(c, ST(PERMISSION_DENIED), SJ_R_AUTH_NOT_YOURS,
                        "only member %llu, their bridge or the committee may "
                        "see who saw their contact",
                        (ull)id);
}

/* Append the reveals of one page of wishes to page (all owned by c). */
static int collect(sj_call_t *c, Shangju__Wish **items, size_t n,
                   Shangju__RevealPage *page, size_t *cap)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < items[i]->n_reveals; j++) {
            if (page->n_items == *cap) {
                size_t nc = *cap ? *cap * 2 : 16;
                Shangju__ContactReveal **a = sj_call_alloc(c, nc * sizeof *a);
                if (!a)
                    return SJ_ENOMEM;
                if (page->n_items)
                    memcpy(a, page->items, page->n_items * sizeof *a);
                page->items = a;
                *cap = nc;
            }
            page->items[page->n_items++] = items[i]->reveals[j];
        }
    return 0;
}

int sj_h_contact_reveals(sj_call_t *c, const Shangju__Request *req)
{
    uint64_t id = req->contact_reveals->member_id;
    if (!id)
        id = c->caller->id;
    int rc = may_read(c, id);
    if (rc)
        return rc;
    Shangju__RevealPage *page = sj_call_alloc(c, sizeof *page);
    if (!page)
        return sj_call_store_fail(c, SJ_ENOMEM, "wish");
    shangju__reveal_page__init(page);
    sj_wish_filter_t f = {.owner_id = id};
    uint64_t after = 0;
    size_t cap = 0;
    do {
        Shangju__Wish **items;
        size_t got;
        uint64_t next;
        int err = sj_wish_list(c->txn, &f, after, 64, &items, &got, &next);
        if (!err)
            err = sj_call_own_page(c, (void **)items, got);
        if (!err)
            err = collect(c, items, got, page, &cap);
        if (err)
            return sj_call_store_fail(c, err, "wish");
        after = next;
    } while (after);
    c->reply.body_case = SHANGJU__REPLY__BODY_REVEALS;
    c->reply.reveals = page;
    return 0;
}
