/* The Shangju store: the only module that talks to LMDB.
 *
 * One LMDB environment with named tables whose values are protobuf records
 * (proto/shangju.proto). Every list is a range scan over a table or an index
 * with an id cursor. A transaction carries a sticky error: once an operation
 * fails (an LMDB error, or a stored record that does not decode; not
 * SJ_ENOTFOUND, nor an argument refused before anything was touched),
 * later ones return the same code and commit refuses, so a sequence of
 * writes can be checked once. The store never prints: callers log the
 * error and sj_txn_error_detail. Records returned by the store are unpacked
 * copies owned by the caller (free with the matching *_free_unpacked);
 * nothing points into LMDB pages after a call returns.
 */
#ifndef SJ_STORE_H
#define SJ_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shangju.pb-c.h"
#include "sj_error.h"

/* The layout version this code reads and writes. 2 added the index of
 * OPEN wishes by owner (issue 13's quota); 3 indexes wishes by folded
 * community and category (issue 15: matched without regard to case). An
 * older store is brought forward, built from its wishes, in the
 * transaction that opens it. */
#define SJ_SCHEMA_VERSION 3

#define SJ_DEFAULT_MAP_SIZE ((size_t)1 << 30) /* 1 GiB */

typedef struct sj_store sj_store_t;
typedef struct sj_txn sj_txn_t;

/* ------------------------------------------------------------ environment */

/* Open (creating when empty) the store in directory dir, which must exist.
 * map_size 0 means SJ_DEFAULT_MAP_SIZE. On SJ_ESCHEMA, *found_version (when
 * not NULL) gets the version on disk. Errors: SJ_ESCHEMA, SJ_EBUSY (another
 * process is writing), SJ_EIO (errno then holds the reason, for the
 * caller's log: ENOENT, EACCES...; EIO for a file LMDB itself refuses),
 * SJ_ENOMEM. The store never prints. */
int sj_store_open(const char *dir, size_t map_size, sj_store_t **out,
                  uint32_t *found_version);

/* Close the store and set *self to NULL; safe on NULL. No transaction may
 * be open. */
void sj_store_close(sj_store_t **self);

typedef struct {
    size_t map_size;   /* configured map size, bytes */
    size_t used_bytes; /* pages in use * page size */
    uint64_t last_seq; /* newest committed event */
    uint64_t members;  /* records per table */
    uint64_t wishes;
    uint64_t events;
    uint64_t dedup;
} sj_store_stats_t;

/* Fill st from a fresh read transaction. Returns 0 or an SJ_E* code. */
int sj_store_stats(sj_store_t *s, sj_store_stats_t *st);

typedef struct {
    size_t map_size;   /* the map as it is now, bytes */
    size_t high_water; /* bytes up to the last page ever used */
    size_t used;       /* high_water less the free pages (exact), or
                          high_water */
} sj_store_space_t;

/* How much of the map is in use, without a transaction of the caller's
 * (none may be open in this thread when exact). exact also counts LMDB's
 * free list, a walk of its records; otherwise used == high_water. */
int sj_store_space(sj_store_t *s, bool exact, sj_store_space_t *sp);

/* Grow (or set) the map to map_size bytes. Call only from the thread that
 * writes, with no transaction open in it: it waits until every read
 * transaction of the process has ended (they hold the map shared) and
 * blocks new ones while the file is remapped. Returns 0 or an SJ_E* code. */
int sj_store_grow(sj_store_t *s, size_t map_size);

/* Write a consistent, compacted copy of the store (data.mdb) into the
 * existing, empty directory dir; *bytes gets its size. Uses its own read
 * transaction, so it may run in another thread while the broker writes;
 * the calling thread must not hold a transaction. Errors: SJ_EIO (errno
 * holds the reason, as for sj_store_open). */
int sj_store_backup(sj_store_t *s, const char *dir, uint64_t *bytes);

/* ----------------------------------------------------------- transactions */

/* Begin a top-level transaction. Only one write transaction may be open at a
 * time in the process. Errors: SJ_EIO, SJ_ENOMEM. */
int sj_txn_begin(sj_store_t *s, bool write, sj_txn_t **out);

/* Begin a transaction nested in a write transaction: its changes join the
 * parent on commit and vanish on abort. The parent may not be used until
 * the child ends. */
int sj_txn_begin_nested(sj_txn_t *parent, sj_txn_t **out);

/* Commit and free *t (set to NULL). A top-level commit is fully synced to
 * disk before it returns 0. If the transaction has a sticky error it is
 * aborted and that error returned. SJ_EFULL when the map is full. */
int sj_txn_commit(sj_txn_t **t);

/* Abort and free *t (set to NULL); safe on NULL. */
void sj_txn_abort(sj_txn_t **t);

/* The sticky error (0 when none). */
int sj_txn_error(const sj_txn_t *t);

/* What caused the sticky error, for the caller's log: LMDB's own text or
 * the failure the store found ("wishes: record does not decode"); NULL
 * when there is no error. Valid while t lives. The store itself never
 * prints: its callers log. */
const char *sj_txn_error_detail(const sj_txn_t *t);

/* sj_store_stats from inside transaction t (a thread holding a transaction
 * may not open another). */
int sj_txn_stats(sj_txn_t *t, sj_store_stats_t *st);

/* --------------------------------------------------------------- counters */

typedef enum {
    SJ_COUNTER_MEMBER = 0,
    SJ_COUNTER_WISH = 1,
    SJ_COUNTER_EVENT = 2,
    SJ_COUNTER_COMPACT = 3,
    SJ_COUNTER_LEDGER = 4,   /* ledger entry seq */
    SJ_COUNTER_TRANSFER = 5, /* ledger transfer id */
    SJ_COUNTER__MAX
} sj_counter_t;

/* Allocate the next id from a counter (first id is 1). */
int sj_txn_next_id(sj_txn_t *t, sj_counter_t c, uint64_t *id);

/* The last id handed out by counter c (0 when none). */
int sj_txn_last_id(sj_txn_t *t, sj_counter_t c, uint64_t *id);

/* ---------------------------------------------------------------- members */

/* Insert or replace member m (m->id set by the caller). Keeps the key index
 * (public key -> id) and the role index current; old is the previous
 * version (NULL for a new member). SJ_EEXIST when m's public key belongs to
 * another member. */
int sj_member_put(sj_txn_t *t, const Shangju__Member *m,
                  const Shangju__Member *old);

/* Fetch member id. SJ_ENOTFOUND when absent. */
int sj_member_get(sj_txn_t *t, uint64_t id, Shangju__Member **out);

/* Fetch the member owning CURVE public key (32 bytes). */
int sj_member_by_key(sj_txn_t *t, const uint8_t key[32], Shangju__Member **out);

/* Page of members with id > after, of the given role (0 = any), at most
 * limit. items is a malloc'd array of n_items records (free each, then the
 * array: sj_member_page_free). *next is the cursor for the next page, 0 when
 * there is no more. */
int sj_member_list(sj_txn_t *t, Shangju__Role role, uint64_t after,
                   size_t limit, Shangju__Member ***items, size_t *n_items,
                   uint64_t *next);
void sj_member_page_free(Shangju__Member **items, size_t n);

/* The member linked to chat handle on bridge (handles are unique per
 * bridge; the index moves with sj_member_put). SJ_ENOTFOUND when none. */
int sj_member_by_handle(sj_txn_t *t, uint64_t bridge, const char *handle,
                        Shangju__Member **out);

/* ----------------------------------------------------------------- wishes */

/* Insert or replace wish w; old is its previous version (NULL when new) so
 * the indexes (state, owner, claimant, community, open by owner) move
 * with it. */
int sj_wish_put(sj_txn_t *t, const Shangju__Wish *w, const Shangju__Wish *old);

int sj_wish_get(sj_txn_t *t, uint64_t id, Shangju__Wish **out);

typedef struct {
    Shangju__WishState state; /* 0 = any */
    uint64_t owner_id;        /* 0 = any */
    uint64_t claimant_id;     /* 0 = any: merchant holding the claim */
    /* community and category match after sj_text_fold (without regard to
     * case); NULL or "" = any. */
    const char *community;
    const char *category;
    /* The range and order: ids in (after, before), before 0 = no upper
     * bound; newest_first walks it from the top down. */
    uint64_t before;
    bool newest_first;
} sj_wish_filter_t;

/* Page of wishes matching f with id > after (and < f->before when set),
 * at most limit, ascending id, or descending with f->newest_first. *next
 * is the cursor of the following page: the next `after` ascending, the
 * next `before` newest first; 0 when the range is done. Uses the narrowest
 * index for f, so the work is bounded by the index range, never the whole
 * table; at most a bounded number of entries is examined per call, so a
 * page may be short while *next is non-zero. Free with
 * sj_wish_page_free. */
int sj_wish_list(sj_txn_t *t, const sj_wish_filter_t *f, uint64_t after,
                 size_t limit, Shangju__Wish ***items, size_t *n_items,
                 uint64_t *next);
void sj_wish_page_free(Shangju__Wish **items, size_t n);

/* How many OPEN wishes owner has, counted up to max: *n is the count, or
 * max when there are at least that many. Reads at most max index entries,
 * whatever the owner's history. */
int sj_wish_count_open(sj_txn_t *t, uint64_t owner, size_t max, size_t *n);

/* --------------------------------------------------------------- listings */

/* Insert or replace the listing of l->merchant_id; old is its previous
 * version (NULL when new) so the category index moves with it. */
int sj_listing_put(sj_txn_t *t, const Shangju__Listing *l,
                   const Shangju__Listing *old);

int sj_listing_get(sj_txn_t *t, uint64_t merchant_id, Shangju__Listing **out);

/* Page of listings with merchant id > after, in category (NULL or "" =
 * all), ascending, at most limit; a range scan of the category index.
 * Free with sj_listing_page_free. */
int sj_listing_list(sj_txn_t *t, const char *category, uint64_t after,
                    size_t limit, Shangju__Listing ***items, size_t *n_items,
                    uint64_t *next);
void sj_listing_page_free(Shangju__Listing **items, size_t n);

/* ----------------------------------------------------------------- timers */

typedef enum {
    SJ_TIMER_WISH_EXPIRE = 1,   /* OPEN wish reaches expires_at */
    SJ_TIMER_CLAIM_DUE = 2,     /* CLAIMED wish reaches claim.due_at */
    SJ_TIMER_AUTO_CLOSE = 3,    /* FULFILLED wish closes on its own */
    SJ_TIMER_COMPACT_START = 4, /* PUBLISHED compact's term begins */
    SJ_TIMER_COMPACT_END = 5,   /* ACTIVE compact's term ends */
    SJ_TIMER_WISH_REMIND = 16,  /* chat: remind before expiry (links.c) */
} sj_timer_kind_t;

typedef struct {
    int64_t due;
    sj_timer_kind_t kind;
    uint64_t id;
} sj_timer_t;

int sj_timer_set(sj_txn_t *t, const sj_timer_t *tm);
/* Remove a timer; removing one that is absent is not an error. */
int sj_timer_clear(sj_txn_t *t, const sj_timer_t *tm);

/* Up to max timers with due <= now, earliest first, into out; *n gets the
 * count. */
int sj_timer_due(sj_txn_t *t, int64_t now, sj_timer_t *out, size_t max,
                 size_t *n);

/* The earliest timer's due time, or INT64_MAX when there is none. */
int sj_timer_next(sj_txn_t *t, int64_t *due);

/* ----------------------------------------------------------------- events */

/* Assign ev->seq (the next broker-wide sequence number) and store ev. */
int sj_event_append(sj_txn_t *t, Shangju__Event *ev);

/* Events with seq >= from, ascending, at most limit. Free with
 * sj_event_page_free. */
int sj_event_range(sj_txn_t *t, uint64_t from, size_t limit,
                   Shangju__Event ***items, size_t *n_items);
void sj_event_page_free(Shangju__Event **items, size_t n);

/* ------------------------------------------------------------------ dedup */

/* The stored reply for (client key, request_id): a malloc'd copy of the
 * encoded Reply in *reply / *len (caller frees). SJ_ENOTFOUND when absent. */
int sj_dedup_get(sj_txn_t *t, const uint8_t key[32], uint64_t request_id,
                 uint8_t **reply, size_t *len);

/* Remember reply for (client key, request_id), stamped at time at. */
int sj_dedup_put(sj_txn_t *t, const uint8_t key[32], uint64_t request_id,
                 int64_t at, const uint8_t *reply, size_t len);

/* Forget up to max entries stamped before `before`; *n gets the count. */
int sj_dedup_prune(sj_txn_t *t, int64_t before, size_t max, size_t *n);

/* ----------------------------------------------------------------- verify */

typedef struct {
    uint64_t members, wishes, listings, compacts, events; /* checked */
    uint64_t max_member, max_wish;
    uint64_t ledger_entries; /* points ledger entries checked */
    uint64_t ledger_anchors; /* signed anchors checked against the chain */
    /* in: the alliance's notice public key (32 bytes) the anchors must be
     * signed with; NULL checks their hashes only */
    const uint8_t *anchor_key;
    uint64_t problems;
} sj_verify_t;

/* Called once per problem found, with a one-line description. */
typedef void sj_verify_fn(void *ud, const char *problem);

/* Check the whole store inside t (a read transaction suits): records
 * decode, indexes and records agree both ways, the event log is gapless
 * from 1, counters are ahead of ids in use, and the points ledger
 * (sj_ledger_verify, ledger.h). Problems go to report (may be
 * NULL) and are counted in v. Returns 0 when the check ran (whatever it
 * found) or an SJ_E* code when it could not read. */
int sj_store_verify(sj_txn_t *t, sj_verify_fn *report, void *ud,
                    sj_verify_t *v);

#endif
