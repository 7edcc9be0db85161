/* The members table and its indexes: public key -> member (used by the ZAP
 * handler on every connection) and role -> members (for listing). */
#include "page.h"

#include <string.h>

static void role_key(uint8_t out[9], Shangju__Role role, uint64_t id)
{
    out[0] = (uint8_t)role;
    store__be64(out + 1, id);
}

size_t store__member_index_key(const ProtobufCMessage *rec, int index_db,
                               uint8_t *k)
{
    const Shangju__Member *m = (const Shangju__Member *)rec;
    if (index_db == DB_MEMBER_BY_HANDLE)
        return store__handle_key(k, m->bridge_id, m->chat_handle, m->id);
    if (index_db != DB_MEMBER_BY_ROLE)
        return 0;
    role_key(k, m->role, m->id);
    return 9;
}

int sj_member_put(sj_txn_t *t, const Shangju__Member *m,
                  const Shangju__Member *old)
{
    if (m->id == 0 || m->public_key.len != 32)
        return SJ_EINVAL;
    uint8_t id[8], rk[9];
    store__be64(id, m->id);

    /* The key index: refuse a key that belongs to someone else. */
    MDB_val k = {32, m->public_key.data}, d;
    if (t->err)
        return t->err;
    int rc = mdb_get(t->txn, t->store->dbi[DB_MEMBER_KEYS], &k, &d);
    if (rc == 0 && (d.mv_size != 8 || memcmp(d.mv_data, id, 8) != 0))
        return SJ_EEXIST;
    if (rc != 0 && rc != MDB_NOTFOUND)
        return store__fail(t, rc);

    if (old && (old->public_key.len != 32 ||
                memcmp(old->public_key.data, m->public_key.data, 32) != 0))
        store__del(t, DB_MEMBER_KEYS, old->public_key.data,
                   old->public_key.len);
    if (old && old->role != m->role) {
        role_key(rk, old->role, old->id);
        store__del(t, DB_MEMBER_BY_ROLE, rk, sizeof rk);
    }
    /* The chat handle index (chat_links.c): moved like the role index. */
    uint8_t hk[STORE_MAX_INDEX_KEY];
    size_t hl;
    if (old &&
        (hl = store__member_index_key(&old->base, DB_MEMBER_BY_HANDLE, hk)))
        store__del(t, DB_MEMBER_BY_HANDLE, hk, hl);
    if ((hl = store__member_index_key(&m->base, DB_MEMBER_BY_HANDLE, hk)))
        store__put(t, DB_MEMBER_BY_HANDLE, hk, hl, "", 0);
    store__put(t, DB_MEMBER_KEYS, m->public_key.data, 32, id, 8);
    role_key(rk, m->role, m->id);
    store__put(t, DB_MEMBER_BY_ROLE, rk, sizeof rk, "", 0);
    return store__put_msg(t, DB_MEMBERS, id, 8, &m->base);
}

int sj_member_get(sj_txn_t *t, uint64_t id, Shangju__Member **out)
{
    uint8_t k[8];
    store__be64(k, id);
    return store__get_msg(t, DB_MEMBERS, k, 8, &shangju__member__descriptor,
                          (ProtobufCMessage **)out);
}

int sj_member_by_key(sj_txn_t *t, const uint8_t key[32], Shangju__Member **out)
{
    if (t->err)
        return t->err;
    MDB_val k = {32, (void *)key}, d;
    int rc = mdb_get(t->txn, t->store->dbi[DB_MEMBER_KEYS], &k, &d);
    if (rc)
        return store__fail(t, rc);
    if (d.mv_size != 8)
        return SJ_EIO;
    return sj_member_get(t, store__get_be64(d.mv_data), out);
}

int sj_member_list(sj_txn_t *t, Shangju__Role role, uint64_t after,
                   size_t limit, Shangju__Member ***items, size_t *n_items,
                   uint64_t *next)
{
    uint8_t prefix[1] = {(uint8_t)role};
    store__page_q q = {
        .index_db = role ? DB_MEMBER_BY_ROLE : DB_MEMBERS,
        .prefix = prefix,
        .plen = role ? 1 : 0,
        .record_db = DB_MEMBERS,
        .desc = &shangju__member__descriptor,
        .after = after,
        .limit = limit,
    };
    return store__page(t, &q, (ProtobufCMessage ***)items, n_items, next);
}

void sj_member_page_free(Shangju__Member **items, size_t n)
{
    store__page_free((ProtobufCMessage **)items, n);
}
