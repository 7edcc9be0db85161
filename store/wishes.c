/* The wishes table and its indexes (state, owner, claimant, community),
 * kept in step on every put so each wish list is a range scan. */
#include "page.h"

#include <string.h>

#include "sj_limits.h"

/* A community is limited in characters (issue 15); its bytes bound. */
#define MAX_COMMUNITY SJ_UTF8_BYTES(SJ_MAX_COMMUNITY)
_Static_assert(MAX_COMMUNITY + 1 + 8 <= STORE_KEY_MAX,
               "a community's index key fits the key encoder");

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

bool store__wish_index_key(const ProtobufCMessage *rec, int index_db,
                           store__key_t *k)
{
    const Shangju__Wish *w = (const Shangju__Wish *)rec;
    size_t n;
    store__key_init(k);
    switch (index_db) {
    case DB_WISH_BY_STATE: /* state(1) id(8) */
        store__key_u8(k, (uint8_t)w->state);
        break;
    case DB_WISH_BY_OWNER: /* owner(8) id(8) */
        store__key_u64(k, w->owner_id);
        break;
    case DB_WISH_OPEN_BY_OWNER: /* owner(8) id(8), while OPEN */
        if (w->state != SHANGJU__WISH_STATE__WISH_STATE_OPEN)
            return false;
        store__key_u64(k, w->owner_id);
        break;
    case DB_WISH_BY_CLAIMANT: /* merchant(8) id(8), while it holds it */
        if (!claimant(w))
            return false;
        store__key_u64(k, claimant(w));
        break;
    case DB_WISH_BY_COMMUNITY: /* community NUL id(8) */
        n = w->community ? strlen(w->community) : 0;
        if (n == 0 || n > MAX_COMMUNITY)
            return false;
        store__key_str(k, w->community);
        break;
    default:
        return false;
    }
    store__key_u64(k, w->id);
    return true;
}

static const int index_db[] = {DB_WISH_BY_STATE, DB_WISH_BY_OWNER,
                               DB_WISH_BY_CLAIMANT, DB_WISH_BY_COMMUNITY,
                               DB_WISH_OPEN_BY_OWNER};
#define N_INDEX (sizeof index_db / sizeof index_db[0])

int sj_wish_put(sj_txn_t *t, const Shangju__Wish *w, const Shangju__Wish *old)
{
    if (w->id == 0 || (w->community && strlen(w->community) > MAX_COMMUNITY) ||
        (old && old->community && strlen(old->community) > MAX_COMMUNITY))
        return SJ_EINVAL;
    /* Errors stick to t; the last put reports the first one. */
    for (size_t i = 0; i < N_INDEX; i++) {
        store__key_t nk, ok;
        bool has_new = store__wish_index_key(&w->base, index_db[i], &nk);
        bool has_old =
            old && store__wish_index_key(&old->base, index_db[i], &ok);
        if (has_old && has_new && store__key_eq(&ok, &nk))
            continue;
        if (has_old)
            store__del(t, index_db[i], &ok);
        if (has_new)
            store__put(t, index_db[i], &nk, "", 0);
    }
    store__key_t id;
    store__key_id(&id, w->id);
    return store__put_msg(t, DB_WISHES, &id, &w->base);
}

int sj_wish_get(sj_txn_t *t, uint64_t id, Shangju__Wish **out)
{
    store__key_t k;
    store__key_id(&k, id);
    return store__get_msg(t, DB_WISHES, &k, &shangju__wish__descriptor,
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
    store__key_t prefix;
    store__key_init(&prefix);
    store__page_q q = {
        .index_db = DB_WISHES,
        .prefix = &prefix,
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
        store__key_u64(&prefix, f->owner_id);
    } else if (f->claimant_id) {
        q.index_db = DB_WISH_BY_CLAIMANT;
        store__key_u64(&prefix, f->claimant_id);
    } else if (c) {
        if (c > MAX_COMMUNITY)
            return SJ_EINVAL;
        q.index_db = DB_WISH_BY_COMMUNITY;
        store__key_str(&prefix, f->community);
    } else if (f->state) {
        q.index_db = DB_WISH_BY_STATE;
        store__key_u8(&prefix, (uint8_t)f->state);
    }
    return store__page(t, &q, (ProtobufCMessage ***)items, n_items, next);
}

void sj_wish_page_free(Shangju__Wish **items, size_t n)
{
    store__page_free((ProtobufCMessage **)items, n);
}

int sj_wish_count_open(sj_txn_t *t, uint64_t owner, size_t max, size_t *n)
{
    store__key_t prefix;
    store__key_init(&prefix);
    store__key_u64(&prefix, owner);
    size_t count = 0;
    store__iter_t it;
    store__foreach(&it, t, DB_WISH_OPEN_BY_OWNER, &prefix) {
        if (count == max)
            break;
        count++;
    }
    *n = count;
    return store__iter_end(&it);
}

int store__wish_open_index_fill(sj_txn_t *t)
{
    store__key_t prefix;
    store__key_init(&prefix);
    store__key_u8(&prefix, (uint8_t)SHANGJU__WISH_STATE__WISH_STATE_OPEN);
    store__iter_t it;
    store__foreach(&it, t, DB_WISH_BY_STATE, &prefix) {
        if (it.key.len != prefix.len + 8) {
            store__iter_fail(&it, SJ_EIO, "wish_by_state: bad key");
            break;
        }
        Shangju__Wish *w = NULL;
        int err = sj_wish_get(t, store__get_be64(it.key.data + prefix.len), &w);
        store__key_t k;
        if (err)
            store__iter_fail(&it, err, "wish_by_state: no such wish");
        else if (store__wish_index_key(&w->base, DB_WISH_OPEN_BY_OWNER, &k))
            store__put(t, DB_WISH_OPEN_BY_OWNER, &k, "", 0);
        if (w)
            shangju__wish__free_unpacked(w, NULL);
    }
    return store__iter_end(&it);
}
