/* Shared inside store/: the table handles, the one key encoder, and the
 * record, value and cursor primitives every table file builds on. Only
 * store.c implements them with LMDB; this header does not include lmdb.h,
 * and the build forbids it to every other store/ file. */
#ifndef SJ_STORE_INTERNAL_H
#define SJ_STORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

enum {
    DB_META,
    DB_MEMBERS,             /* id -> Member */
    DB_MEMBER_KEYS,         /* public key (32) -> id */
    DB_MEMBER_BY_ROLE,      /* role(1) id(8) -> "" */
    DB_WISHES,              /* id -> Wish */
    DB_WISH_BY_STATE,       /* state(1) id(8) -> "" */
    DB_WISH_BY_OWNER,       /* owner(8) id(8) -> "" */
    DB_WISH_BY_CLAIMANT,    /* merchant(8) id(8) -> "" */
    DB_WISH_BY_COMMUNITY,   /* folded community NUL id(8) -> "" */
    DB_TIMERS,              /* due(8) kind(1) id(8) -> "" */
    DB_EVENTS,              /* seq(8) -> Event */
    DB_DEDUP,               /* client key(32) request id(8) -> DedupEntry */
    DB_DEDUP_BY_TIME,       /* at(8) client key(32) request id(8) -> "" */
    DB_LISTINGS,            /* merchant id(8) -> Listing */
    DB_LISTING_BY_CATEGORY, /* category NUL merchant id(8) -> "" */
    DB_COMPACTS,            /* id(8) -> Compact */
    DB_COMPACT_BY_STATE,    /* state(1) id(8) -> "" */
    DB_LEDGER,              /* seq(8) -> LedgerEntry (hash-chained) */
    DB_LEDGER_BY_MEMBER,    /* member(8) seq(8) -> "" */
    DB_BALANCES,            /* member(8) -> Account (derived, rebuildable) */
    DB_EARNED,              /* year(4) member(8) -> earned(8) */
    DB_RANK,                /* year(4) ~earned(8) member(8) -> "" */
    DB_RANKINGS,            /* year(4) -> Ranking (frozen) */
    DB_ANCHORS,             /* entries(8) at(8) -> LedgerAnchor; "last" */
    DB_MEMBER_BY_HANDLE,    /* bridge(8) chat handle NUL id(8) -> "" */
    DB_WISH_BY_CATEGORY,    /* folded category NUL id(8) -> "" (schema 3) */
    DB_WISH_OPEN_BY_OWNER,  /* owner(8) id(8) -> "", while OPEN (schema 2) */
    DB__COUNT
};

/* Most entries one list call examines, so a page costs a bounded amount. */
#define STORE_SCAN_BUDGET 20000
/* Largest page any list returns. */
#define STORE_MAX_PAGE 1000

/* ------------------------------------------------------------------ keys */

/* The one key encoder. Every key of every table is built by appending
 * fields to a store__key_t: integers big-endian (so byte order is numeric
 * order), strings followed by a NUL (so "ab" sorts, as a group, before
 * "abc"). A key has a hard cap well under LMDB's 511 bytes; an append that
 * does not fit changes nothing but marks the key `over`, and every
 * primitive below refuses an over (or empty) key with SJ_EINVAL, sticky.
 * Tables check their own field limits (a community of at most
 * SJ_UTF8_BYTES(SJ_MAX_COMMUNITY) = 400 bytes) first, so an over key means
 * a caller bug, never a half-written index. Only the encoder's buffer
 * grows with this cap; keys already stored stay valid. */
#define STORE_KEY_MAX 480

typedef struct {
    size_t len;
    bool over; /* an append did not fit: the key is unusable */
    uint8_t b[STORE_KEY_MAX];
} store__key_t;

/* Empty k (the whole table, as a prefix). */
void store__key_init(store__key_t *k);
/* Empty k, then append id: the key of every table keyed by an id. */
void store__key_id(store__key_t *k, uint64_t id);
void store__key_u8(store__key_t *k, uint8_t v);
void store__key_u32(store__key_t *k, uint32_t v);
void store__key_u64(store__key_t *k, uint64_t v);
/* s's bytes and a NUL (NULL is ""). */
void store__key_str(store__key_t *k, const char *s);
/* n raw bytes (a public key, or a key read back from a cursor). */
void store__key_bytes(store__key_t *k, const void *p, size_t n);
/* Same length and bytes. */
bool store__key_eq(const store__key_t *a, const store__key_t *b);

/* Bytes inside LMDB's pages (a value, or a key under a cursor): valid
 * until the next write or cursor step in the transaction, or its end.
 * They never leave store/. */
typedef struct {
    const uint8_t *data;
    size_t len;
} store__val_t;

/* Big-endian numbers, for reading keys and values back. */
void store__be64(uint8_t *out, uint64_t v);
uint64_t store__get_be64(const uint8_t *in);
uint32_t store__get_be32(const uint8_t *in);

/* ----------------------------------------------------------- primitives */

/* Every primitive first returns t's sticky error, if any. Any failure
 * except SJ_ENOTFOUND becomes t's sticky error, so a sequence of writes
 * can ignore the returns in between (say so at the call) and be checked
 * once, by sj_txn_commit or the last call's return. */

/* The value of k in db into *v (v may be NULL: an existence test).
 * SJ_ENOTFOUND when absent. */
int store__get(sj_txn_t *t, int db, const store__key_t *k, store__val_t *v);

/* An 8-byte big-endian value (an id, a counter). SJ_ENOTFOUND when
 * absent; SJ_EIO when the stored value is not 8 bytes. */
int store__get_u64(sj_txn_t *t, int db, const store__key_t *k, uint64_t *v);

/* Unpack the value of k with descriptor d into *out (caller frees with
 * protobuf_c_message_free_unpacked). SJ_ENOTFOUND when absent; SJ_EIO
 * when the stored bytes do not decode (sticky, like any error; the table
 * is named by sj_txn_error_detail). */
int store__get_msg(sj_txn_t *t, int db, const store__key_t *k,
                   const ProtobufCMessageDescriptor *d, ProtobufCMessage **out);

int store__put(sj_txn_t *t, int db, const store__key_t *k, const void *val,
               size_t vlen);
/* Store v as an 8-byte big-endian value (store__get_u64 reads it). */
int store__put_u64(sj_txn_t *t, int db, const store__key_t *k, uint64_t v);
/* Store msg packed as the value of k. */
int store__put_msg(sj_txn_t *t, int db, const store__key_t *k,
                   const ProtobufCMessage *msg);
/* Delete k; a missing key is not an error. */
int store__del(sj_txn_t *t, int db, const store__key_t *k);
/* Delete every entry of db (the table itself stays). */
int store__drop(sj_txn_t *t, int db);

/* ------------------------------------------------------------- cursors */

struct MDB_cursor;

/* A range walk, written as a loop (Knot's knot_lmdb_foreach):
 *
 *     store__iter_t it;
 *     store__foreach(&it, t, DB_RANK, &prefix) {
 *         if (n == max)
 *             break;
 *         rows[n++] = rank_row(it.key);
 *     }
 *     return store__iter_end(&it); // the first error, or 0
 *
 * The loop visits, in key order, the entries of db from start (NULL: from
 * prefix) whose key begins with prefix (NULL: every entry). it.key and
 * it.val are the current entry (store__val_t rules). A failure while
 * stepping, one the body reports with store__iter_fail, or a sticky error
 * any call in the body leaves on t ends the loop; store__iter_end returns
 * it (it is t's sticky error).
 * store__iter_end must follow every loop (it closes the cursor after a
 * break); it is safe twice. No writes to db itself inside its loop: collect
 * the keys, then write.
 * With it.backward set after store__iter_begin, the walk (a while loop on
 * store__iter_next) goes the same range in reverse key order, from the
 * last entry below start (NULL: the last entry of the range). */
typedef struct {
    store__val_t key, val; /* the current entry */
    /* private */
    sj_txn_t *t;
    int db;
    struct MDB_cursor *cur;
    store__key_t prefix, start;
    bool started;
    bool backward; /* reverse key order (set before the first step) */
    int err;
} store__iter_t;

void store__iter_begin(store__iter_t *it, sj_txn_t *t, int db,
                       const store__key_t *prefix, const store__key_t *start);
/* Step to the next entry in range: false at the end or on an error. */
bool store__iter_next(store__iter_t *it);
/* Close the cursor; t's sticky error (the loop's first failure, or the
 * one that kept it from starting), else 0. */
int store__iter_end(store__iter_t *it);
/* The body's failure err (why, copied for sj_txn_error_detail, may be
 * NULL): recorded in it (the first wins) and as t's sticky error; the next
 * step ends the loop. Returns err. */
int store__iter_fail(store__iter_t *it, int err, const char *why);
/* The current value unpacked with d (caller frees), or NULL when it does
 * not decode: then SJ_EIO is recorded as by store__iter_fail. */
ProtobufCMessage *store__iter_msg(store__iter_t *it,
                                  const ProtobufCMessageDescriptor *d);

#define store__foreach_from(it, t, db, prefix, start)                          \
    for (store__iter_begin((it), (t), (db), (prefix), (start));                \
         store__iter_next(it);)
#define store__foreach(it, t, db, prefix)                                      \
    store__foreach_from(it, t, db, prefix, NULL)

/* --------------------------------------------------- index keys, verify */

/* The index keys a record has, one function per table, defined beside the
 * table's put so writing and checking (verify.c) share one layout: builds
 * the key rec has in index_db into k and returns true, or returns false
 * when rec has no entry there. Every index key ends with the record's id
 * (8 bytes, big-endian). */
typedef bool store__index_key_fn(const ProtobufCMessage *rec, int index_db,
                                 store__key_t *k);
store__index_key_fn store__member_index_key;  /* DB_MEMBER_BY_ROLE, _HANDLE */
store__index_key_fn store__wish_index_key;    /* DB_WISH_BY_*, _OPEN_BY_OWNER */
store__index_key_fn store__listing_index_key; /* DB_LISTING_BY_CATEGORY */
store__index_key_fn store__compact_index_key; /* DB_COMPACT_BY_STATE */

/* Schema 1 to 2: fill DB_WISH_OPEN_BY_OWNER from the OPEN entries of
 * DB_WISH_BY_STATE (wishes.c). Errors stick to t. */
int store__wish_open_index_fill(sj_txn_t *t);
/* Schema 2 to 3: rebuild DB_WISH_BY_COMMUNITY on folded communities and
 * fill DB_WISH_BY_CATEGORY, from the wishes (wishes.c). Errors stick to
 * t. */
int store__wish_fold_index_fill(sj_txn_t *t);

/* The key of member id's handle on bridge in DB_MEMBER_BY_HANDLE (without
 * the id when id is 0: the prefix every entry of that handle starts with)
 * into k; false when there is no link (no bridge or no handle). A handle
 * too long for a key marks k over (validation keeps handles within
 * SJ_MAX_HANDLE, so that is a caller bug). chat_links.c. */
bool store__handle_key(store__key_t *k, uint64_t bridge, const char *handle,
                       uint64_t id);

/* What every consistency walk (verify.c, ledger_verify.c) carries first. */
typedef struct {
    sj_txn_t *t;
    sj_verify_fn *report;
    void *ud;
    sj_verify_t *v;
} store__check_t;

/* Count one problem in c->v and hand its one-line description (formatted,
 * cut at 255 bytes) to c->report. */
void store__problem(store__check_t *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
