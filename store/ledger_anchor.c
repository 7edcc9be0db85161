/* Signed anchors of the ledger's hash chain (ledger.h): kept by the entry
 * they anchor and the time they were signed, the newest also under the key
 * "last" so the broker's periodic check costs one read. The store only
 * keeps and checks them; the broker signs (broker/domain/anchor.c). */
#include "ledger_internal.h"

#include <string.h>

static void last_key(store__key_t *k)
{
    store__key_init(k);
    store__key_bytes(k, "last", 4);
}

int sj_ledger_head(sj_txn_t *t, uint64_t *entries,
                   uint8_t hash[SJ_LEDGER_HASH_BYTES])
{
    int err = sj_txn_last_id(t, SJ_COUNTER_LEDGER, entries);
    if (err)
        return err;
    memset(hash, 0, SJ_LEDGER_HASH_BYTES);
    if (*entries == 0)
        return SJ_OK;
    Shangju__LedgerEntry *e;
    if ((err = sj_ledger_entry_get(t, *entries, &e)))
        return err == SJ_ENOTFOUND ? SJ_EIO : err; /* the chain is broken */
    bool ok = e->hash.len == SJ_LEDGER_HASH_BYTES;
    if (ok)
        memcpy(hash, e->hash.data, SJ_LEDGER_HASH_BYTES);
    shangju__ledger_entry__free_unpacked(e, NULL);
    return ok ? SJ_OK : SJ_EIO;
}

int sj_ledger_anchor_put(sj_txn_t *t, const Shangju__LedgerAnchor *a)
{
    if (a->head_hash.len != SJ_LEDGER_HASH_BYTES)
        return SJ_EINVAL;
    store__key_t k, last;
    store__key_init(&k);
    store__key_u64(&k, a->entries);
    store__key_u64(&k, (uint64_t)a->at);
    last_key(&last);
    /* Errors stick to t; the second put reports the first one. */
    store__put_msg(t, DB_ANCHORS, &k, &a->base);
    return store__put_msg(t, DB_ANCHORS, &last, &a->base);
}

int sj_ledger_anchor_last(sj_txn_t *t, Shangju__LedgerAnchor **out)
{
    store__key_t k;
    last_key(&k);
    return store__get_msg(t, DB_ANCHORS, &k,
                          &shangju__ledger_anchor__descriptor,
                          (ProtobufCMessage **)out);
}
