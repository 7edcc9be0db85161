/* Merchant listings (one per merchant, keyed by its member id) and the
 * category index that makes "merchants by category" a range scan. */
#include "page.h"

#include <string.h>

#define MAX_CATEGORY 200 /* index keys stay well under LMDB's 511 bytes */

/* category NUL id; returns the key length, 0 when there is no category. */
static size_t category_key(uint8_t *k, const Shangju__Listing *l)
{
    size_t n = l->category ? strlen(l->category) : 0;
    if (n == 0 || n > MAX_CATEGORY)
        return 0;
    memcpy(k, l->category, n);
    k[n] = 0;
    store__be64(k + n + 1, l->merchant_id);
    return n + 9;
}

size_t store__listing_index_key(const ProtobufCMessage *rec, int index_db,
                                uint8_t *k)
{
    return index_db == DB_LISTING_BY_CATEGORY
               ? category_key(k, (const Shangju__Listing *)rec)
               : 0;
}

int sj_listing_put(sj_txn_t *t, const Shangju__Listing *l,
                   const Shangju__Listing *old)
{
    if (l->merchant_id == 0 ||
        (l->category && strlen(l->category) > MAX_CATEGORY))
        return SJ_EINVAL;
    uint8_t nk[MAX_CATEGORY + 9], ok[MAX_CATEGORY + 9], id[8];
    size_t nlen = category_key(nk, l);
    size_t olen = old ? category_key(ok, old) : 0;
    if (olen && (olen != nlen || memcmp(ok, nk, olen) != 0))
        store__del(t, DB_LISTING_BY_CATEGORY, ok, olen);
    if (nlen)
        store__put(t, DB_LISTING_BY_CATEGORY, nk, nlen, "", 0);
    store__be64(id, l->merchant_id);
    return store__put_msg(t, DB_LISTINGS, id, 8, &l->base);
}

int sj_listing_get(sj_txn_t *t, uint64_t merchant_id, Shangju__Listing **out)
{
    uint8_t k[8];
    store__be64(k, merchant_id);
    return store__get_msg(t, DB_LISTINGS, k, 8, &shangju__listing__descriptor,
                          (ProtobufCMessage **)out);
}

int sj_listing_list(sj_txn_t *t, const char *category, uint64_t after,
                    size_t limit, Shangju__Listing ***items, size_t *n_items,
                    uint64_t *next)
{
    size_t c = category ? strlen(category) : 0;
    if (c > MAX_CATEGORY)
        return SJ_EINVAL;
    uint8_t prefix[MAX_CATEGORY + 1];
    if (c) {
        memcpy(prefix, category, c);
        prefix[c] = 0;
    }
    store__page_q q = {
        .index_db = c ? DB_LISTING_BY_CATEGORY : DB_LISTINGS,
        .prefix = prefix,
        .plen = c ? c + 1 : 0,
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
