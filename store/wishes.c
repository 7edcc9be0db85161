/* The wishes table and its indexes (state, owner, claimant, community),
 * kept in step on every put so each wish list is a range scan. */
#include "page.h"

#include <string.h>

#define MAX_COMMUNITY 200 /* index keys must stay well under LMDB's 511 */

static uint64_t claimant(const Shangju__Wish *w)
{
    if (!w->claim)
        return 0;
    if (w->state != SHANGJU__WISH_STATE__WISH_STATE_CLAIMED &&
        w->state != SHANGJU__WISH_STATE__WISH_STATE_FULFILLED &&
        w->state != SHANGJU__WISH_STATE__WISH_STATE_CLOSED)
        return 0;
    return w->claim->merchant_id;
}

size_t store__wish_index_key(const ProtobufCMessage *rec, int index_db,
                             uint8_t *k)
{
    const Shangju__Wish *w = (const Shangju__Wish *)rec;
    size_t n;
    switch (index_db) {
    case DB_WISH_BY_STATE: /* state(1) id(8) */
        k[0] = (uint8_t)w->state;
        store__be64(k + 1, w->id);
        return 9;
    case DB_WISH_BY_OWNER: /* owner(8) id(8) */
        store__be64(k, w->owner_id);
        store__be64(k + 8, w->id);
        return 16;
    case DB_WISH_BY_CLAIMANT: /* merchant(8) id(8), while it holds it */
        if (!claimant(w))
            return 0;
        store__be64(k, claimant(w));
        store__be64(k + 8, w->id);
        return 16;
    case DB_WISH_BY_COMMUNITY: /* community NUL id(8) */
        n = w->community ? strlen(w->community) : 0;
        if (n == 0 || n > MAX_COMMUNITY)
            return 0;
        memcpy(k, w->community, n);
        k[n] = 0;
        store__be64(k + n + 1, w->id);
        return n + 9;
    default:
        return 0;
    }
}

/* Index keys of one wish, in the order of index_db. */
struct keys {
    uint8_t k[4][STORE_MAX_INDEX_KEY];
    size_t len[4];
};

static const int index_db[4] = {DB_WISH_BY_STATE, DB_WISH_BY_OWNER,
                                DB_WISH_BY_CLAIMANT, DB_WISH_BY_COMMUNITY};

static int make_keys(const Shangju__Wish *w, struct keys *ks)
{
    if (w->community && strlen(w->community) > MAX_COMMUNITY)
        return SJ_EINVAL;
    for (int i = 0; i < 4; i++)
        ks->len[i] = store__wish_index_key(&w->base, index_db[i], ks->k[i]);
    return SJ_OK;
}

int sj_wish_put(sj_txn_t *t, const Shangju__Wish *w, const Shangju__Wish *old)
{
    if (w->id == 0)
        return SJ_EINVAL;
    struct keys nk, ok;
    if (make_keys(w, &nk) != 0 || (old && make_keys(old, &ok) != 0))
        return SJ_EINVAL;
    for (int i = 0; i < 4; i++) {
        bool same = old && ok.len[i] == nk.len[i] &&
                    memcmp(ok.k[i], nk.k[i], nk.len[i]) == 0;
        if (same)
            continue;
        if (old && ok.len[i])
            store__del(t, index_db[i], ok.k[i], ok.len[i]);
        if (nk.len[i])
            store__put(t, index_db[i], nk.k[i], nk.len[i], "", 0);
    }
    uint8_t id[8];
    store__be64(id, w->id);
    return store__put_msg(t, DB_WISHES, id, 8, &w->base);
}

int sj_wish_get(sj_txn_t *t, uint64_t id, Shangju__Wish **out)
{
    uint8_t k[8];
    store__be64(k, id);
    return store__get_msg(t, DB_WISHES, k, 8, &shangju__wish__descriptor,
                          (ProtobufCMessage **)out);
}

static bool keep(const ProtobufCMessage *rec, const void *ctx)
{
    const Shangju__Wish *w = (const Shangju__Wish *)rec;
    const sj_wish_filter_t *f = ctx;
    if (f->state && w->state != f->state)
        return false;
    if (f->owner_id && w->owner_id != f->owner_id)
        return false;
    if (f->claimant_id && claimant(w) != f->claimant_id)
        return false;
    if (f->community && *f->community &&
        strcmp(w->community ? w->community : "", f->community) != 0)
        return false;
    return true;
}

int sj_wish_list(sj_txn_t *t, const sj_wish_filter_t *f, uint64_t after,
                 size_t limit, Shangju__Wish ***items, size_t *n_items,
                 uint64_t *next)
{
    uint8_t prefix[MAX_COMMUNITY + 1];
    store__page_q q = {
        .index_db = DB_WISHES,
        .prefix = prefix,
        .record_db = DB_WISHES,
        .desc = &shangju__wish__descriptor,
        .keep = keep,
        .keep_ctx = f,
        .after = after,
        .limit = limit,
    };
    /* The narrowest index first: one person's wishes, then a community,
     * then a state; the remaining filters apply within that range. */
    size_t c = f->community ? strlen(f->community) : 0;
    if (f->owner_id) {
        q.index_db = DB_WISH_BY_OWNER;
        store__be64(prefix, f->owner_id);
        q.plen = 8;
    } else if (f->claimant_id) {
        q.index_db = DB_WISH_BY_CLAIMANT;
        store__be64(prefix, f->claimant_id);
        q.plen = 8;
    } else if (c) {
        if (c > MAX_COMMUNITY)
            return SJ_EINVAL;
        q.index_db = DB_WISH_BY_COMMUNITY;
        memcpy(prefix, f->community, c);
        prefix[c] = 0;
        q.plen = c + 1;
    } else if (f->state) {
        q.index_db = DB_WISH_BY_STATE;
        prefix[0] = (uint8_t)f->state;
        q.plen = 1;
    }
    return store__page(t, &q, (ProtobufCMessage ***)items, n_items, next);
}

void sj_wish_page_free(Shangju__Wish **items, size_t n)
{
    store__page_free((ProtobufCMessage **)items, n);
}
