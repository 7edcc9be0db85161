/* The compacts table and its state index (state(1) id(8) -> ""), kept in
 * step on every put so listing the compacts of one state is a range scan;
 * see compacts.h. */
#include "compacts.h"

#include "page.h"

static void state_key(uint8_t k[9], const Shangju__Compact *cp)
{
    k[0] = (uint8_t)cp->state;
    store__be64(k + 1, cp->id);
}

size_t store__compact_index_key(const ProtobufCMessage *rec, int index_db,
                                uint8_t *k)
{
    if (index_db != DB_COMPACT_BY_STATE)
        return 0;
    state_key(k, (const Shangju__Compact *)rec);
    return 9;
}

int sj_compact_put(sj_txn_t *t, const Shangju__Compact *cp,
                   const Shangju__Compact *old)
{
    if (cp->id == 0 || (old && old->id != cp->id))
        return SJ_EINVAL;
    uint8_t nk[9], ok[9], id[8];
    state_key(nk, cp);
    if (old && old->state != cp->state) {
        state_key(ok, old);
        store__del(t, DB_COMPACT_BY_STATE, ok, sizeof ok);
    }
    if (!old || old->state != cp->state)
        store__put(t, DB_COMPACT_BY_STATE, nk, sizeof nk, "", 0);
    store__be64(id, cp->id);
    return store__put_msg(t, DB_COMPACTS, id, 8, &cp->base);
}

int sj_compact_get(sj_txn_t *t, uint64_t id, Shangju__Compact **out)
{
    uint8_t k[8];
    store__be64(k, id);
    return store__get_msg(t, DB_COMPACTS, k, 8, &shangju__compact__descriptor,
                          (ProtobufCMessage **)out);
}

int sj_compact_list(sj_txn_t *t, Shangju__CompactState state, uint64_t after,
                    size_t limit, Shangju__Compact ***items, size_t *n_items,
                    uint64_t *next)
{
    if ((unsigned)state > 255)
        return SJ_EINVAL;
    uint8_t prefix[1] = {(uint8_t)state};
    store__page_q q = {
        .index_db = state ? DB_COMPACT_BY_STATE : DB_COMPACTS,
        .prefix = prefix,
        .plen = state ? 1 : 0,
        .record_db = DB_COMPACTS,
        .desc = &shangju__compact__descriptor,
        .after = after,
        .limit = limit,
    };
    return store__page(t, &q, (ProtobufCMessage ***)items, n_items, next);
}

void sj_compact_page_free(Shangju__Compact **items, size_t n)
{
    store__page_free((ProtobufCMessage **)items, n);
}
