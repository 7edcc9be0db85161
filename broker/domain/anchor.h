/* Signed anchors of the points ledger (issue 9): the hash chain alone
 * cannot stop whoever can write data.mdb from rewriting every entry from an
 * edited one onward; an anchor signs the chain's head with the alliance's
 * notice key, so a rewrite of signed history shows in `admin verify`.
 * Anchors are made when a year closes and periodically (a day, or 1,000
 * entries, after the last one), by the engine between requests. */
#ifndef SJ_ANCHOR_H
#define SJ_ANCHOR_H

#include <stdint.h>

#include "call.h"

#define SJ_ANCHOR_EVERY_MS (24LL * 60 * 60 * 1000)
#define SJ_ANCHOR_EVERY_ENTRIES 1000

/* Sign and keep an anchor of the ledger's head now (year: the year being
 * closed, or 0), inside c->txn. Nothing is done for an empty ledger or
 * without a signer (a broker always has one; some tests do not). Returns
 * 0 or a store error (sticky on c->txn). */
int sj_anchor_make(sj_call_t *c, uint32_t year);

/* Make a periodic anchor when one is due: none yet, or the head moved on
 * and a day or SJ_ANCHOR_EVERY_ENTRIES entries passed since the last.
 * *made tells whether one was made. Returns 0 or a store error. */
int sj_anchor_due(sj_call_t *c, int *made);

#endif
