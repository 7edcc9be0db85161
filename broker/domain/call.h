/* One request (or timer) being applied: the context a domain handler gets
 * and fills. Handlers never touch sockets: request + caller + transaction
 * in, reply + events out. Everything a handler attaches to the reply is
 * registered here and freed by sj_call_reset / sj_call_end. */
#ifndef SJ_CALL_H
#define SJ_CALL_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "shangju.pb-c.h"
#include "sj_reasons.h"
#include "sj_topics.h"
#include "store.h"

/* An event produced by a call: stored already (in full, as the event log
 * keeps it), its stub sent on PUB after the commit. */
typedef struct {
    char topic[48];
    uint8_t *data; /* the encoded stub (visibility.h), malloc'd */
    size_t len;
    uint64_t seq;
    bool revokes_key; /* a member's key stopped working (suspend, rekey):
                         open subscriptions must be checked again */
} sj_outevent_t;

/* Work a handler asks the server to run after the commit, beside the
 * loop (jobs.h); the job's own reply answers the request. */
typedef enum {
    SJ_JOB_NONE = 0,
    SJ_JOB_BACKUP, /* arg: the backup name, checked by the handler */
    SJ_JOB_VERIFY,
} sj_job_kind_t;

typedef struct {
    sj_job_kind_t kind;
    char arg[72];
} sj_job_req_t;

/* The broker's notice signing key, opaque (notice.h): a handler can only
 * hand it to sj_notice_write, which the compact-publish move does. */
typedef struct sj_signer sj_signer_t;

/* Rendered placards kept by content (placard_cache.h); thread-safe. */
typedef struct sj_placard_cache sj_placard_cache_t;
/* Room in the request counters: request kinds (Request's field numbers)
 * and reply statuses (the gRPC codes) below these. */
#define SJ_STATS_KINDS 256
#define SJ_STATS_STATUSES 17

/* The server's running counters, readable by the stats handler. */
typedef struct {
    int64_t started_at;
    uint64_t batches, requests, max_batch, retries_answered;
    double commit_ms_total, commit_ms_max;
    /* issue 13; written by the loop only, read by the stats handler */
    uint64_t reads_offloaded, rate_limited, placard_cache_hits;
    uint64_t map_max;
    /* requests refused with rate.connections; silent connections shut */
    uint64_t conns_refused, conns_silent;
    /* issue 15: metrics */
    uint64_t auth_failures; /* connections ZAP refused */
    uint64_t connections;   /* open connections to the request socket */
    /* answered requests by [kind][status]; kind 0: did not decode */
    uint64_t answered[SJ_STATS_KINDS][SJ_STATS_STATUSES];
} sj_broker_stats_t;

typedef struct {
    sj_txn_t *txn;                 /* the nested transaction */
    const Shangju__Member *caller; /* NULL when a timer fires */
    int64_t now;
    const sj_config_t *cfg;
    const sj_broker_stats_t *stats; /* NULL outside the server */
    const sj_signer_t *signer;      /* NULL: notices cannot be signed */
    sj_placard_cache_t *placards;   /* NULL: every placard is rendered */
    sj_job_req_t job;     /* background work to start after the commit;
                             the server answers when it ends */
    bool commit_on_error; /* keep the writes of an error reply (a refused
                             hand-over code still counts) */
    Shangju__Reply reply; /* filled by the handler */
    char message[256];    /* backing store for reply.message */

    ProtobufCMessage **owned; /* records referenced by reply */
    size_t n_owned, cap_owned;
    void **mem; /* plain allocations referenced by reply */
    size_t n_mem, cap_mem;
    sj_outevent_t *events;
    size_t n_events, cap_events;
} sj_call_t;

/* Prepare c for one request; stats and signer start NULL (the engine sets
 * them from its environment). */
void sj_call_init(sj_call_t *c, sj_txn_t *txn, const Shangju__Member *caller,
                  int64_t now, const sj_config_t *cfg);

/* Free what the reply referenced and the events (after they were sent or
 * when the call was rolled back). c can be reused after sj_call_init. */
void sj_call_end(sj_call_t *c);

/* Drop the events (the nested transaction was aborted). */
void sj_call_drop_events(sj_call_t *c);

/* Set an error reply and return status (non-zero), so handlers can write
 * `return sj_call_fail(c, ST(NOT_FOUND), SJ_R_WISH_NOT_FOUND, "no wish
 * %llu", id);`. Every refusal names its reason (sj_reasons.h), the stable
 * code clients translate; the message is English detail for logs and
 * people who read English. */
int sj_call_fail(sj_call_t *c, Shangju__Status status, sj_reason_t reason,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Translate a store error into an error reply (RESOURCE_EXHAUSTED
 * store.full for a full map, NOT_FOUND store.not_found, INTERNAL
 * broker.internal...) and return the status. what names the object for
 * the message. */
int sj_call_store_fail(sj_call_t *c, int err, const char *what);

/* Keep m alive until sj_call_end (m from a store read). Returns m, or NULL
 * when out of memory (m is then freed). */
void *sj_call_own(sj_call_t *c, void *m);
/* Keep malloc'd p alive until sj_call_end (freed with free). Returns p, or
 * NULL when out of memory (p is then freed). */
void *sj_call_own_mem(sj_call_t *c, void *p);
/* Own a page from a store list: the n records and the array. On failure
 * everything is freed and SJ_ENOMEM returned. */
int sj_call_own_page(sj_call_t *c, void **items, size_t n);
/* calloc that lives until sj_call_end. */
void *sj_call_alloc(sj_call_t *c, size_t n);
/* strdup that lives until sj_call_end. */
char *sj_call_strdup(sj_call_t *c, const char *s);

/* Append an event to the log (inside c->txn) and queue its stub for the
 * PUB socket under the topic's wire name (sj_topics.h). The body kept in
 * the log is the record's view for anyone (visibility.h: no contact,
 * hand-over code, key or bridge link), built field by field; ledger entries
 * are kept whole and shown per reader. */
int sj_call_emit_wish(sj_call_t *c, sj_topic_t topic, const Shangju__Wish *w);
int sj_call_emit_member(sj_call_t *c, sj_topic_t topic,
                        const Shangju__Member *m);
int sj_call_emit_listing(sj_call_t *c, sj_topic_t topic,
                         const Shangju__Listing *l);
/* A compact event; v is the view to publish (no private data inside). */
int sj_call_emit_compact(sj_call_t *c, sj_topic_t topic,
                         const Shangju__Compact *v);
/* A points event: e is the body (NULL for an event without one). */
int sj_call_emit_entry(sj_call_t *c, sj_topic_t topic,
                       const Shangju__LedgerEntry *e);

#endif
