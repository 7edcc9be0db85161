/* The reciprocity points ledger in the store: append-only, double-entry,
 * hash-chained entries, the balances derived from them (rebuildable), each
 * year's earnings with the ranking index, and the frozen yearly rankings.
 *
 * Entries are never changed or removed. A movement is a pair of entries
 * (debit, credit) with one transfer id whose amounts sum to zero. entry.hash
 * is SHA-256 over the packed entry with `hash` empty (protobuf-c packs
 * fields in number order, so the packing is deterministic); prev_hash is the
 * previous entry's hash, 32 zero bytes for seq 1.
 *
 * An Account is derived from its member's entries by one rule, used alike
 * when appending, rebuilding and verifying:
 *   balance  = sum of amounts
 *   earned   = sum of positive amounts of kind "earn.*" (issued to it)
 *   spent    = sum of -amount of kind "spend"
 *   received = sum of amounts of kind "receive"
 * Only the alliance (member 0, SJ_LEDGER_ALLIANCE) may go below zero.
 * A year's "earned" (ranking) counts the earn.* credits whose entry falls
 * in that UTC year. */
#ifndef SJ_STORE_LEDGER_H
#define SJ_STORE_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define SJ_LEDGER_ALLIANCE 0 /* the issuing account */
#define SJ_LEDGER_HASH_BYTES 32
#define SJ_LEDGER_MAX_KIND 32 /* bytes of an entry's kind */
/* Bytes of an entry's memo: a payment's "SERVICE: NOTE" whole, at 4 bytes
 * a character (issue 15; points.c asserts it). */
#define SJ_LEDGER_MAX_MEMO 2560
#define SJ_LEDGER_MAX_AMOUNT ((uint64_t)1 << 40) /* per movement */
#define SJ_RANKING_MAX 1000 /* entries in a frozen ranking */

/* The UTC calendar year of a Unix time in milliseconds. */
uint32_t sj_ledger_year(int64_t at_ms);

/* A movement of amount points from one account to another. The strings
 * are borrowed for the duration of sj_ledger_move. */
typedef struct {
    uint64_t from, to;               /* member ids; 0 is the alliance */
    uint64_t amount;                 /* 1..SJ_LEDGER_MAX_AMOUNT */
    const char *from_kind, *to_kind; /* e.g. "earn.wish"; "spend", "receive" */
    uint64_t ref;     /* the wish, compact or merchant concerned */
    const char *memo; /* may be NULL */
    int64_t at;       /* Unix ms */
} sj_ledger_move_t;

/* The two entries a movement appended, as stored. Their strings point to
 * the move's strings, their hashes into this struct: valid while both
 * live. */
typedef struct {
    Shangju__LedgerEntry debit, credit;
    uint8_t hash[2][SJ_LEDGER_HASH_BYTES], prev[2][SJ_LEDGER_HASH_BYTES];
} sj_ledger_pair_t;

/* Append the pair of entries of m, update both accounts, and (for an
 * "earn.*" credit) the year's earnings and ranking index. The debited
 * account may not fall below zero unless it is the alliance. Errors:
 * SJ_EINVAL (amount out of range, from == to, a kind empty or too long, a
 * memo too long, or the debit would make a member's balance negative;
 * nothing is written), store errors (sticky on t). */
int sj_ledger_move(sj_txn_t *t, const sj_ledger_move_t *m,
                   sj_ledger_pair_t *out);

/* member's account (caller frees with shangju__account__free_unpacked).
 * SJ_ENOTFOUND when the member has no entry yet (its balance is 0). */
int sj_ledger_account(sj_txn_t *t, uint64_t member, Shangju__Account **out);

/* Entry seq (caller frees). SJ_ENOTFOUND when absent. */
int sj_ledger_entry_get(sj_txn_t *t, uint64_t seq, Shangju__LedgerEntry **out);

/* Page of member's entries with seq > after, ascending, at most limit
 * (1..1000): a range scan of the member index. Free with
 * sj_ledger_page_free; *next is the cursor, 0 when there is no more. */
int sj_ledger_history(sj_txn_t *t, uint64_t member, uint64_t after,
                      size_t limit, Shangju__LedgerEntry ***items,
                      size_t *n_items, uint64_t *next);
void sj_ledger_page_free(Shangju__LedgerEntry **items, size_t n);

/* One row of a live ranking. */
typedef struct {
    uint64_t member_id;
    uint64_t earned;
} sj_rank_row_t;

/* The first max members by points earned in year (most first, ties by
 * member id ascending) into rows; *n gets the count. A range scan of the
 * ranking index: costs max entries, never the whole table. */
int sj_ledger_rank(sj_txn_t *t, uint32_t year, sj_rank_row_t *rows, size_t max,
                   size_t *n);

/* Points member earned in year (0 when none). */
int sj_ledger_earned(sj_txn_t *t, uint32_t year, uint64_t member,
                     uint64_t *earned);

/* The frozen ranking of year (caller frees). SJ_ENOTFOUND when the year is
 * not closed. */
int sj_ranking_get(sj_txn_t *t, uint32_t year, Shangju__Ranking **out);

/* Store the frozen ranking r (r->year the key). SJ_EEXIST when that year
 * is closed already; SJ_EINVAL when r has more than SJ_RANKING_MAX
 * items. */
int sj_ranking_put(sj_txn_t *t, const Shangju__Ranking *r);

/* Points issued (earn.* credits) and spent (on services) in year, by one
 * scan of the whole ledger: meant for the yearly report, not hot paths. */
int sj_ledger_year_totals(sj_txn_t *t, uint32_t year, uint64_t *issued,
                          uint64_t *spent);

/* Recompute the balances, the yearly earnings and the ranking index from
 * the entries alone, replacing what the tables held (t must be a write
 * transaction). For repairs and for tests that the derived tables are
 * what the entries say. */
int sj_ledger_rebuild_balances(sj_txn_t *t);

/* The chain's head: the newest entry's seq in *entries (0 for an empty
 * ledger) and its hash (zeros when empty). */
int sj_ledger_head(sj_txn_t *t, uint64_t *entries,
                   uint8_t hash[SJ_LEDGER_HASH_BYTES]);

/* Keep anchor a (signed by the caller; ledger_anchor.h), also as the
 * newest. SJ_EINVAL when its head hash is not 32 bytes. */
int sj_ledger_anchor_put(sj_txn_t *t, const Shangju__LedgerAnchor *a);

/* The newest anchor (caller frees with
 * shangju__ledger_anchor__free_unpacked); SJ_ENOTFOUND when none. */
int sj_ledger_anchor_last(sj_txn_t *t, Shangju__LedgerAnchor **out);

/* Check the ledger inside t (a read transaction suits) and report each
 * problem as one line naming the entry (or member) concerned: an entry
 * missing below the counter, one whose hash does not match its contents,
 * a broken prev_hash link, a transfer whose entries do not sum to zero, a
 * member balance below zero, a balances table row that differs from the
 * sum of the member's entries, member index entries without their entry,
 * an entry whose year is not the year of its time, yearly earnings or
 * rank keys that differ from the year's earn entries, and an anchor whose
 * entry is gone or has another hash (history before it was rewritten) or,
 * when v->anchor_key is set, whose signature that key did not make.
 * Adds to v->ledger_entries and v->problems. Returns 0 when the check ran
 * or an SJ_E* code when it could not read (or ran out of memory). */
int sj_ledger_verify(sj_txn_t *t, sj_verify_fn *report, void *ud,
                     sj_verify_t *v);

#endif
