/* The fuzz targets' world: a fresh store with a cast of members of every
 * role and records in most states (wishes, listings, compacts, points),
 * built through sj_dispatch like tests/world.c does, but without Check:
 * a setup failure prints the reason and aborts the process. */
#ifndef SJ_FUZZ_WORLD_H
#define SJ_FUZZ_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include "call.h"
#include "config.h"
#include "store.h"

/* The map size of every fuzz store: small, the world is small. */
#define FW_MAP_SIZE ((size_t)64 << 20)

/* Who sends a fuzzed request: the low 3 bits of an input's first byte. */
typedef enum {
    FW_COMMITTEE = 0,
    FW_RESIDENT = 1, /* linked to FW_BRIDGE */
    FW_MERCHANT = 2,
    FW_BRIDGE = 3,
    FW_RESIDENT2 = 4, /* another resident, not linked */
    FW_MERCHANT2 = 5,
    FW_SUSPENDED = 6, /* a suspended resident */
    FW_UNKNOWN = 7,   /* a key no member holds */
    FW_CALLERS = 8
} fw_caller_t;

/* The seeded records, by the state they are left in. */
typedef enum {
    FW_WISH_OPEN,
    FW_WISH_CLAIMED,   /* by the merchant, right hand-over code unknown */
    FW_WISH_FULFILLED, /* by the merchant, not verified */
    FW_WISH_CLOSED,    /* confirmed: the merchant earned points */
    FW_WISH_CANCELLED,
    FW_WISH_EXPIRED,
    FW_WISH_LOCKED,   /* claimed by merchant2, hand-over code locked */
    FW_WISH_ONBEHALF, /* posted by the bridge for the resident, OPEN */
    FW_WISHES
} fw_wish_t;

typedef enum {
    FW_COMPACT_NEGOTIATING,
    FW_COMPACT_SIGNED,
    FW_COMPACT_PUBLISHED,
    FW_COMPACT_ACTIVE, /* one performance, one open complaint */
    FW_COMPACT_EVALUATING,
    FW_COMPACT_CLOSED,
    FW_COMPACTS
} fw_compact_t;

typedef struct {
    char dir[256];
    sj_store_t *store;
    sj_config_t cfg;
    sj_signer_t *signer;         /* the notice key */
    int64_t now;                 /* the world's present, after seeding */
    uint64_t member[FW_CALLERS]; /* 0 for FW_UNKNOWN */
    uint8_t key[FW_CALLERS][32]; /* CURVE public keys (deterministic) */
    uint64_t wish[FW_WISHES];
    uint64_t compact[FW_COMPACTS];
} fw_t;

/* Build the world in a fresh directory under $SJ_FUZZ_TMP, else /dev/shm
 * (no fsync cost), else /tmp. Aborts on any failure. */
void fw_init(fw_t *w);

/* Close the store and remove the directory. */
void fw_end(fw_t *w);

/* Run req as member `as` (0: no caller) at w->now in its own committed
 * transaction; *reply (when not NULL) gets the decoded reply (free with
 * shangju__reply__free_unpacked). Returns the reply status. */
int fw_call(fw_t *w, uint64_t as, Shangju__Request *req,
            Shangju__Reply **reply);

/* Load the member a fuzzed caller index names (NULL for FW_UNKNOWN) from
 * txn; free with shangju__member__free_unpacked. Aborts on store errors. */
Shangju__Member *fw_caller(fw_t *w, sj_txn_t *txn, fw_caller_t who);

/* Fire due wish and compact timers at now inside txn, each in its nested
 * transaction as the batch does. Returns how many fired. */
unsigned fw_fire_timers(sj_txn_t *txn, const sj_config_t *cfg, int64_t now);

/* The world's time shifted by one of four steps (0..3): now, a day later,
 * 31 days later (claims lapse, wishes expire, terms end), 400 days later
 * (the next year). */
int64_t fw_time(const fw_t *w, unsigned step);

/* Print a message and abort (a finding, or a broken setup). */
void fw_die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* Remove directory dir and what it holds (one level: LMDB files). */
void fw_rmdir(const char *dir);

/* A fresh empty directory under the fuzz temporary root into buf; fw_die
 * removes it unless fw_rmdir did (or SJ_FUZZ_KEEP is set). */
void fw_mkdtemp(char *buf, size_t cap);

#endif
