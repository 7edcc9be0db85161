/* What the fuzz targets check besides "no crash": properties every reply,
 * event and store must have whatever the input. Each check prints what
 * broke and aborts, so libFuzzer records the input as a finding. */
#ifndef SJ_FUZZ_ORACLE_H
#define SJ_FUZZ_ORACLE_H

#include <stddef.h>
#include <stdint.h>

#include "shangju.pb-c.h"
#include "store.h"

/* The whole store is consistent: sj_store_verify (the check behind
 * `admin verify`) finds no problem. after names the request, for the
 * message. */
void fw_check_store(sj_txn_t *txn, const char *after);

/* An encoded event as the PUB socket carries it decodes, has a seq and a
 * topic, and is a stub: no body, no actor (ARCHITECTURE: who sees what). */
void fw_check_event(const uint8_t *data, size_t len);

/* A reply as a client gets it: it decodes with the client's bound
 * (sj_codec_reply_decode), names request_id, carries a message when it is
 * an error and no field the schema does not know, and shows private fields
 * only to those allowed: a member's contact, key and bridge link to the
 * committee and the member; replayed events without those, without a
 * wish's contact, with the actor and ledger entries only for the committee
 * and the parties (who acted; payer or payee); a wish's owner contact to the
 * committee, the owner, the owner's bridge and the merchant holding a live
 * claim; a hand-over code never. caller may be NULL (unknown key); txn is
 * used to read a wish owner's bridge. Returns the decoded reply (free with
 * shangju__reply__free_unpacked). */
Shangju__Reply *fw_check_reply(sj_txn_t *txn, const Shangju__Member *caller,
                               uint64_t request_id, const uint8_t *data,
                               size_t len);

#endif
