/* The signed bytes of a ledger anchor; see ledger_anchor.h. */
#include "ledger_anchor.h"

#include <sodium.h>
#include <string.h>

static const char tag[25] = "shangju-ledger-anchor-v1"; /* with its NUL */

static uint8_t *be(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
    return p + bytes;
}

bool sj_anchor_message(const Shangju__LedgerAnchor *a,
                       uint8_t out[SJ_ANCHOR_MESSAGE_LEN])
{
    if (a->head_hash.len != 32)
        return false;
    uint8_t *p = out;
    memcpy(p, tag, sizeof tag);
    p += sizeof tag;
    p = be(p, a->entries, 8);
    memcpy(p, a->head_hash.data, 32);
    p += 32;
    p = be(p, (uint64_t)a->at, 8);
    be(p, a->year, 4);
    return true;
}

bool sj_anchor_verify(const Shangju__LedgerAnchor *a, const uint8_t pk[32])
{
    uint8_t msg[SJ_ANCHOR_MESSAGE_LEN];
    if (sodium_init() < 0 || !sj_anchor_message(a, msg) ||
        a->signature.len != crypto_sign_BYTES)
        return false;
    return crypto_sign_verify_detached(a->signature.data, msg, sizeof msg,
                                       pk) == 0;
}
