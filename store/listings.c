/* Merchant listings (one per merchant, keyed by its member id) and the
 * category index that makes "merchants by category" a range scan. */
#include "page.h"

#include <string.h>

#include "sj_limits.h"

/* A category is limited in characters (issue 15); its bytes bound. */
#define MAX_CATEGORY SJ_UTF8_BYTES(SJ_MAX_CATEGORY)
_Static_assert(MAX_CATEGORY + 1 + 8 <= STORE_KEY_MAX,
               "a category's index key fits the key encoder");

/* category NUL id; false when the listing has no category entry. */
static bool category_key(store__key_t *k, const Shangju__Listing *l)
{
    size_t n = l->category ? strlen(l->category) : 0;
    if (n == 0 || n > MAX_CATEGORY)
        return false;
    store__key_init(k);
    store__key_str(k, l->category);
    store__key_u64(k, l->merchant_id);
    return true;
}

bool store__listing_index_key(const ProtobufCMessage *rec, int index_db,
                              store__key_t *k)
{
    return index_db == DB_LISTING_BY_CATEGORY &&
           category_key(k, (const Shangju__Listing *)rec);
}

int sj_listing_put(sj_txn_t *t, const Shangju__Listing *l,
                   const Shangju__Listing *old)
{
    if (l->merchant_id == 0 ||
        (l->category && strlen(l->category) > MAX_CATEGORY))
        return SJ_EINVAL;
    store__key_t nk, ok, id;
    bool has_new = category_key(&nk, l);
    bool has_old = old && category_key(&ok, old);
    /* Errors stick to t; the last put reports the first one. */
    if (has_old && !(has_new && store__key_eq(&ok, &nk)))
        store__del(t, DB_LISTING_BY_CATEGORY, &ok);
    if (has_new)
        store__put(t, DB_LISTING_BY_CATEGORY, &nk, "", 0);
    store__key_id(&id, l->merchant_id);
    return store__put_msg(t, DB_LISTINGS, &id, &l->base);
}

int sj_listing_get(sj_txn_t *t, uint64_t merchant_id, Shangju__Listing **out)
{
    store__key_t k;
    store__key_id(&k, merchant_id);
    return store__get_msg(t, DB_LISTINGS, &k, &shangju__listing__descriptor,
                          (ProtobufCMessage **)out);
}

int sj_listing_list(sj_txn_t *t, const char *category, uint64_t after,
                    size_t limit, Shangju__Listing ***items, size_t *n_items,
                    uint64_t *next)
{
    size_t c = category ? strlen(category) : 0;
    if (c > MAX_CATEGORY)
        return SJ_EINVAL;
    store__key_t prefix;
    store__key_init(&prefix);
    store__key_str(&prefix, category);
    store__page_q q = {
        .index_db = c ? DB_LISTING_BY_CATEGORY : DB_LISTINGS,
        .prefix = c ? &prefix : NULL,
        .record_db = DB_LISTINGS,
        .desc = &shangju__listing__descriptor,
        .after = after,
        .limit = limit,
    };
    return store__page(t, &q, (ProtobufCMessage ***)items, n_items, next);
}

void sj_listing_page_free(Shangju__Listing **items, size_t n)
{
    store__page_free((ProtobufCMessage **)items, n);
}
