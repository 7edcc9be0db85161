/* The members table and its indexes: public key -> member (used by the ZAP
 * handler on every connection) and role -> members (for listing). */
#include "page.h"

#include <string.h>

static void role_key(store__key_t *k, Shangju__Role role, uint64_t id)
{
    store__key_init(k);
    store__key_u8(k, (uint8_t)role);
    store__key_u64(k, id);
}

static void public_key(store__key_t *k, const uint8_t key[32])
{
    store__key_init(k);
    store__key_bytes(k, key, 32);
}

bool store__member_index_key(const ProtobufCMessage *rec, int index_db,
                             store__key_t *k)
{
    const Shangju__Member *m = (const Shangju__Member *)rec;
    if (index_db == DB_MEMBER_BY_HANDLE)
        return store__handle_key(k, m->bridge_id, m->chat_handle, m->id);
    if (index_db != DB_MEMBER_BY_ROLE)
        return false;
    role_key(k, m->role, m->id);
    return true;
}

int sj_member_put(sj_txn_t *t, const Shangju__Member *m,
                  const Shangju__Member *old)
{
    if (m->id == 0 || m->public_key.len != 32)
        return SJ_EINVAL;
    store__key_t id, pk, rk;
    store__key_id(&id, m->id);

    /* The key index: refuse a key that belongs to someone else. */
    public_key(&pk, m->public_key.data);
    uint64_t holder;
    int err = store__get_u64(t, DB_MEMBER_KEYS, &pk, &holder);
    if (err == 0 && holder != m->id)
        return SJ_EEXIST;
    if (err && err != SJ_ENOTFOUND)
        return err;

    /* Errors stick to t; the last put reports the first one. */
    if (old && old->public_key.len == 32 &&
        memcmp(old->public_key.data, m->public_key.data, 32) != 0) {
        store__key_t ok;
        public_key(&ok, old->public_key.data);
        store__del(t, DB_MEMBER_KEYS, &ok);
    }
    if (old && old->role != m->role) {
        role_key(&rk, old->role, old->id);
        store__del(t, DB_MEMBER_BY_ROLE, &rk);
    }
    /* The chat handle index (chat_links.c): moved like the role index. */
    store__key_t hk;
    if (old && store__member_index_key(&old->base, DB_MEMBER_BY_HANDLE, &hk))
        store__del(t, DB_MEMBER_BY_HANDLE, &hk);
    if (store__member_index_key(&m->base, DB_MEMBER_BY_HANDLE, &hk))
        store__put(t, DB_MEMBER_BY_HANDLE, &hk, "", 0);
    store__put(t, DB_MEMBER_KEYS, &pk, id.b, id.len);
    role_key(&rk, m->role, m->id);
    store__put(t, DB_MEMBER_BY_ROLE, &rk, "", 0);
    return store__put_msg(t, DB_MEMBERS, &id, &m->base);
}

int sj_member_get(sj_txn_t *t, uint64_t id, Shangju__Member **out)
{
    store__key_t k;
    store__key_id(&k, id);
    return store__get_msg(t, DB_MEMBERS, &k, &shangju__member__descriptor,
                          (ProtobufCMessage **)out);
}

int sj_member_by_key(sj_txn_t *t, const uint8_t key[32], Shangju__Member **out)
{
    store__key_t k;
    uint64_t id;
    public_key(&k, key);
    int err = store__get_u64(t, DB_MEMBER_KEYS, &k, &id);
    return err ? err : sj_member_get(t, id, out);
}

int sj_member_list(sj_txn_t *t, Shangju__Role role, uint64_t after,
                   size_t limit, Shangju__Member ***items, size_t *n_items,
                   uint64_t *next)
{
    store__key_t prefix;
    store__key_init(&prefix);
    store__key_u8(&prefix, (uint8_t)role);
    store__page_q q = {
        .index_db = role ? DB_MEMBER_BY_ROLE : DB_MEMBERS,
        .prefix = role ? &prefix : NULL,
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
