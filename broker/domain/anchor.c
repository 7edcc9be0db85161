/* Signed anchors of the points ledger; see anchor.h. The bytes signed are
 * proto/ledger_anchor.h's, so every verifier reads them the same way. */
#include "anchor.h"

#include "ledger.h"
#include "ledger_anchor.h"
#include "notice.h"

int sj_anchor_make(sj_call_t *c, uint32_t year)
{
    if (!c->signer)
        return SJ_OK;
    uint8_t hash[SJ_LEDGER_HASH_BYTES], sig[64];
    uint8_t msg[SJ_ANCHOR_MESSAGE_LEN];
    Shangju__LedgerAnchor a = SHANGJU__LEDGER_ANCHOR__INIT;
    int err = sj_ledger_head(c->txn, &a.entries, hash);
    if (err || a.entries == 0)
        return err;
    a.head_hash.data = hash;
    a.head_hash.len = sizeof hash;
    a.at = c->now;
    a.year = year;
    if (!sj_anchor_message(&a, msg))
        return SJ_EINVAL;
    sj_signer_sign(c->signer, msg, sizeof msg, sig);
    a.signature.data = sig;
    a.signature.len = sizeof sig;
    return sj_ledger_anchor_put(c->txn, &a);
}

int sj_anchor_due(sj_call_t *c, int *made)
{
    *made = 0;
    if (!c->signer)
        return SJ_OK;
    uint64_t entries;
    uint8_t hash[SJ_LEDGER_HASH_BYTES];
    int err = sj_ledger_head(c->txn, &entries, hash);
    if (err || entries == 0)
        return err;
    Shangju__LedgerAnchor *last = NULL;
    err = sj_ledger_anchor_last(c->txn, &last);
    if (err && err != SJ_ENOTFOUND)
        return err;
    bool due = !last || (entries > last->entries &&
                         (c->now - last->at >= SJ_ANCHOR_EVERY_MS ||
                          entries - last->entries >= SJ_ANCHOR_EVERY_ENTRIES));
    if (last)
        shangju__ledger_anchor__free_unpacked(last, NULL);
    if (!due)
        return SJ_OK;
    *made = 1;
    return sj_anchor_make(c, 0);
}
