/* Replies remembered per (client key, request id), so a retried request gets
 * the original reply and is never applied twice; a time index lets the
 * broker forget entries older than the retention window. */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

#define DEDUP_KEY 40 /* client key(32) request id(8) */

static void dedup_key(store__key_t *k, const uint8_t key[32],
                      uint64_t request_id)
{
    store__key_init(k);
    store__key_bytes(k, key, 32);
    store__key_u64(k, request_id);
}

/* at(8) then the dedup key. */
static void time_key(store__key_t *k, int64_t at, const store__key_t *dk)
{
    store__key_init(k);
    store__key_u64(k, at < 0 ? 0 : (uint64_t)at);
    store__key_bytes(k, dk->b, dk->len);
}

int sj_dedup_get(sj_txn_t *t, const uint8_t key[32], uint64_t request_id,
                 uint8_t **reply, size_t *len)
{
    store__key_t k;
    dedup_key(&k, key, request_id);
    Shangju__DedupEntry *e;
    int err = store__get_msg(t, DB_DEDUP, &k, &shangju__dedup_entry__descriptor,
                             (ProtobufCMessage **)&e);
    if (err)
        return err;
    *reply = malloc(e->reply.len ? e->reply.len : 1);
    if (!*reply) {
        shangju__dedup_entry__free_unpacked(e, NULL);
        return SJ_ENOMEM;
    }
    memcpy(*reply, e->reply.data, e->reply.len);
    *len = e->reply.len;
    shangju__dedup_entry__free_unpacked(e, NULL);
    return SJ_OK;
}

int sj_dedup_put(sj_txn_t *t, const uint8_t key[32], uint64_t request_id,
                 int64_t at, const uint8_t *reply, size_t len)
{
    store__key_t k, tk;
    dedup_key(&k, key, request_id);
    time_key(&tk, at, &k);
    Shangju__DedupEntry e = SHANGJU__DEDUP_ENTRY__INIT;
    e.at = at;
    e.reply.data = (uint8_t *)reply;
    e.reply.len = len;
    /* Errors stick to t; the last put reports the first one. */
    store__put(t, DB_DEDUP_BY_TIME, &tk, "", 0);
    return store__put_msg(t, DB_DEDUP, &k, &e.base);
}

int sj_dedup_prune(sj_txn_t *t, int64_t before, size_t max, size_t *n)
{
    *n = 0;
    uint64_t limit = before < 0 ? 0 : (uint64_t)before;
    uint8_t(*keys)[8 + DEDUP_KEY] = calloc(max ? max : 1, sizeof *keys);
    if (!keys)
        return SJ_ENOMEM;
    /* Collect first, then delete: no writes under an open cursor. */
    size_t count = 0;
    store__iter_t it;
    store__foreach(&it, t, DB_DEDUP_BY_TIME, NULL) {
        if (it.key.len != 8 + DEDUP_KEY) {
            store__iter_fail(&it, SJ_EIO, "malformed dedup time key");
            break;
        }
        if (store__get_be64(it.key.data) >= limit || count == max)
            break;
        memcpy(keys[count++], it.key.data, 8 + DEDUP_KEY);
    }
    int err = store__iter_end(&it);
    for (size_t i = 0; err == 0 && i < count; i++) {
        store__key_t k, tk;
        store__key_init(&tk);
        store__key_bytes(&tk, keys[i], 8 + DEDUP_KEY);
        store__key_init(&k);
        store__key_bytes(&k, keys[i] + 8, DEDUP_KEY);
        store__del(t, DB_DEDUP, &k); /* sticks to t: the next del reports */
        err = store__del(t, DB_DEDUP_BY_TIME, &tk);
    }
    if (err == 0)
        *n = count;
    free(keys);
    return err;
}
