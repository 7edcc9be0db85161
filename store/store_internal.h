/* Shared inside store/: the environment and transaction structs, the table
 * handles, key encoding and the small generic helpers every table uses.
 * Nothing outside store/ includes this file (or lmdb.h). */
#ifndef SJ_STORE_INTERNAL_H
#define SJ_STORE_INTERNAL_H

#include <lmdb.h>

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
    DB_WISH_BY_COMMUNITY,   /* community NUL id(8) -> "" */
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
    DB_MEMBER_BY_HANDLE,    /* bridge(8) chat handle NUL id(8) -> "" */
    DB__COUNT
};

struct sj_store {
    MDB_env *env;
    MDB_dbi dbi[DB__COUNT];
    size_t map_size;
};

struct sj_txn {
    sj_store_t *store;
    MDB_txn *txn;
    int err; /* sticky: first failure, 0 when none */
};

/* Most entries one list call examines, so a page costs a bounded amount. */
#define STORE_SCAN_BUDGET 20000
/* Largest page any list returns. */
#define STORE_MAX_PAGE 1000

/* Translate an LMDB or errno code into SJ_E*; logs unexpected ones. */
int store__err(int mdb_rc);

/* Record rc (an LMDB code) as t's sticky error and return the SJ code. */
int store__fail(sj_txn_t *t, int mdb_rc);

void store__be64(uint8_t *out, uint64_t v);
uint64_t store__get_be64(const uint8_t *in);

int store__put(sj_txn_t *t, int db, const void *key, size_t klen,
               const void *val, size_t vlen);
/* Delete key; a missing key is not an error. */
int store__del(sj_txn_t *t, int db, const void *key, size_t klen);

/* Store msg packed as the value of key. */
int store__put_msg(sj_txn_t *t, int db, const void *key, size_t klen,
                   const ProtobufCMessage *msg);
/* Unpack the value of key with descriptor d into *out (caller frees).
 * SJ_ENOTFOUND when absent; SJ_EIO when the stored bytes do not decode. */
int store__get_msg(sj_txn_t *t, int db, const void *key, size_t klen,
                   const ProtobufCMessageDescriptor *d, ProtobufCMessage **out);

/* Visit keys >= start that begin with prefix, in order. visit returns 0 to
 * go on, 1 to stop, or a negative SJ code to fail. */
typedef int (*store__visit_fn)(void *ctx, const MDB_val *key,
                               const MDB_val *val);
int store__scan(sj_txn_t *t, int db, const void *prefix, size_t plen,
                const void *start, size_t slen, store__visit_fn visit,
                void *ctx);

/* The index keys a record has, one function per table, defined beside the
 * table's put so writing and checking (verify.c) share one layout: writes
 * the key rec has in index_db into k (STORE_MAX_INDEX_KEY bytes) and
 * returns its length, or 0 when rec has no entry there. Every index key
 * ends with the record's id (8 bytes, big-endian). */
#define STORE_MAX_INDEX_KEY 256
typedef size_t store__index_key_fn(const ProtobufCMessage *rec, int index_db,
                                   uint8_t *k);
store__index_key_fn store__member_index_key;  /* DB_MEMBER_BY_ROLE, _HANDLE */
store__index_key_fn store__wish_index_key;    /* the four DB_WISH_BY_* */
store__index_key_fn store__listing_index_key; /* DB_LISTING_BY_CATEGORY */
store__index_key_fn store__compact_index_key; /* DB_COMPACT_BY_STATE */

/* The key of member id's handle on bridge in DB_MEMBER_BY_HANDLE (without
 * the id when id is 0: the prefix every entry of that handle starts with);
 * returns its length, or 0 when there is no link (no bridge or no handle,
 * or a handle too long for a key). chat_links.c. */
size_t store__handle_key(uint8_t *k, uint64_t bridge, const char *handle,
                         uint64_t id);

/* What every consistency walk (verify.c, ledger.c) carries first. */
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
