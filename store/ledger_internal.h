/* Shared by the ledger (ledger.c) and its verifier (ledger_verify.c): the
 * one rule deriving an account from entries, the entry hash, and the key
 * layouts of the ledger's indexes, so writing and checking cannot drift.
 * Internal to store/. */
#ifndef SJ_STORE_LEDGER_INTERNAL_H
#define SJ_STORE_LEDGER_INTERNAL_H

#include "ledger.h"
#include "store_internal.h"

/* kind is an earning ("earn.*"). */
bool store__ledger_is_earn(const char *kind);

/* SHA-256 over e packed with its hash field empty. SJ_EINVAL when e packs
 * larger than any valid entry can. */
int store__ledger_hash(const Shangju__LedgerEntry *e,
                       uint8_t out[SJ_LEDGER_HASH_BYTES]);

/* Add e to account a by the rule in ledger.h. */
void store__ledger_account_apply(Shangju__Account *a,
                                 const Shangju__LedgerEntry *e);

/* DB_LEDGER_BY_MEMBER: member(8) seq(8). */
void store__ledger_member_key(store__key_t *k, uint64_t member, uint64_t seq);
/* DB_EARNED: year(4) member(8). */
void store__ledger_earned_key(store__key_t *k, uint32_t year, uint64_t member);
/* DB_RANK: year(4) ~earned(8) member(8), so the most earned sorts first. */
void store__ledger_rank_key(store__key_t *k, uint32_t year, uint64_t earned,
                            uint64_t member);
#define STORE_LEDGER_RANK_KEY 20

#endif
