/* Replies remembered per (client key, request id), so a retried request gets
 * the original reply and is never applied twice; a time index lets the
 * broker forget entries older than the retention window. */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

#define DEDUP_KEY 40 /* client key(32) request id(8) */

static void dedup_key(uint8_t out[DEDUP_KEY], const uint8_t key[32],
                      uint64_t request_id)
{
    memcpy(out, key, 32);
    store__be64(out + 32, request_id);
}

int sj_dedup_get(sj_txn_t *t, const uint8_t key[32], uint64_t request_id,
                 uint8_t **reply, size_t *len)
{
    uint8_t k[DEDUP_KEY];
    dedup_key(k, key, request_id);
    Shangju__DedupEntry *e;
    int err = store__get_msg(t, DB_DEDUP, k, sizeof k,
                             &shangju__dedup_entry__descriptor,
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
    uint8_t k[DEDUP_KEY], tk[8 + DEDUP_KEY];
    dedup_key(k, key, request_id);
    Shangju__DedupEntry e = SHANGJU__DEDUP_ENTRY__INIT;
    e.at = at;
    e.reply.data = (uint8_t *)reply;
    e.reply.len = len;
    store__be64(tk, at < 0 ? 0 : (uint64_t)at);
    memcpy(tk + 8, k, sizeof k);
    store__put(t, DB_DEDUP_BY_TIME, tk, sizeof tk, "", 0);
    return store__put_msg(t, DB_DEDUP, k, sizeof k, &e.base);
}

struct prune_ctx {
    uint64_t before;
    size_t max, n;
    uint8_t (*keys)[8 + DEDUP_KEY];
};

static int visit(void *vctx, const MDB_val *key, const MDB_val *val)
{
    (void)val;
    struct prune_ctx *c = vctx;
    if (key->mv_size != 8 + DEDUP_KEY)
        return SJ_EIO;
    if (store__get_be64(key->mv_data) >= c->before || c->n == c->max)
        return 1;
    memcpy(c->keys[c->n++], key->mv_data, 8 + DEDUP_KEY);
    return 0;
}

int sj_dedup_prune(sj_txn_t *t, int64_t before, size_t max, size_t *n)
{
    *n = 0;
    struct prune_ctx c = {.before = before < 0 ? 0 : (uint64_t)before,
                          .max = max};
    c.keys = calloc(max ? max : 1, sizeof *c.keys);
    if (!c.keys)
        return SJ_ENOMEM;
    /* Collect first, then delete: no writes under an open cursor. */
    int err = store__scan(t, DB_DEDUP_BY_TIME, "", 0, "", 0, visit, &c);
    for (size_t i = 0; err == 0 && i < c.n; i++) {
        store__del(t, DB_DEDUP, c.keys[i] + 8, DEDUP_KEY);
        err = store__del(t, DB_DEDUP_BY_TIME, c.keys[i], 8 + DEDUP_KEY);
    }
    if (err == 0)
        *n = c.n;
    free(c.keys);
    return err;
}
