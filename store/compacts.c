/* The compacts table and its state index (state(1) id(8) -> ""), kept in
 * step on every put so listing the compacts of one state is a range scan;
 * see compacts.h. */
#include "compacts.h"

#include "page.h"

static void state_key(store__key_t *k, const Shangju__Compact *cp)
{
    store__key_init(k);
    store__key_u8(k, (uint8_t)cp->state);
    store__key_u64(k, cp->id);
}

bool store__compact_index_key(const ProtobufCMessage *rec, int index_db,
                              store__key_t *k)
{
    if (index_db != DB_COMPACT_BY_STATE)
        return false;
    state_key(k, (const Shangju__Compact *)rec);
    return true;
}

int sj_compact_put(sj_txn_t *t, const Shangju__Compact *cp,
                   const Shangju__Compact *old)
{
    if (cp->id == 0 || (old && old->id != cp->id))
        return SJ_EINVAL;
    store__key_t k;
    /* Errors stick to t; the last put reports the first one. */
    if (old && old->state != cp->state) {
        state_key(&k, old);
        store__del(t, DB_COMPACT_BY_STATE, &k);
    }
    if (!old || old->state != cp->state) {
        state_key(&k, cp);
        store__put(t, DB_COMPACT_BY_STATE, &k, "", 0);
    }
    store__key_id(&k, cp->id);
    return store__put_msg(t, DB_COMPACTS, &k, &cp->base);
}

int sj_compact_get(sj_txn_t *t, uint64_t id, Shangju__Compact **out)
{
    store__key_t k;
    store__key_id(&k, id);
    return store__get_msg(t, DB_COMPACTS, &k, &shangju__compact__descriptor,
                          (ProtobufCMessage **)out);
}

int sj_compact_list(sj_txn_t *t, Shangju__CompactState state, uint64_t after,
                    size_t limit, Shangju__Compact ***items, size_t *n_items,
                    uint64_t *next)
{
    if ((unsigned)state > 255)
        return SJ_EINVAL;
    store__key_t prefix;
    store__key_init(&prefix);
    store__key_u8(&prefix, (uint8_t)state);
    store__page_q q = {
        .index_db = state ? DB_COMPACT_BY_STATE : DB_COMPACTS,
        .prefix = state ? &prefix : NULL,
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
