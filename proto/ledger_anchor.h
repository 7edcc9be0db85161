/* What a ledger anchor signs (shangju.proto: LedgerAnchor): the exact
 * bytes, shared by the broker that signs and every verifier, so the two
 * cannot drift. Ed25519 with the alliance's notice key. */
#ifndef SJ_LEDGER_ANCHOR_H
#define SJ_LEDGER_ANCHOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shangju.pb-c.h"

/* "shangju-ledger-anchor-v1" NUL, entries (8, big-endian), head hash (32),
 * at (8, big-endian, two's complement), year (4, big-endian). */
#define SJ_ANCHOR_MESSAGE_LEN (25 + 8 + 32 + 8 + 4)

/* The bytes anchor a signs into out. false when a's head hash is not 32
 * bytes. */
bool sj_anchor_message(const Shangju__LedgerAnchor *a,
                       uint8_t out[SJ_ANCHOR_MESSAGE_LEN]);

/* True when a carries a valid signature by the Ed25519 public key pk. */
bool sj_anchor_verify(const Shangju__LedgerAnchor *a, const uint8_t pk[32]);

#endif
