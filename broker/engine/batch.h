/* Group commit: apply a batch of requests (and the timers that are due)
 * inside one LMDB write transaction, each request in its own nested
 * transaction, then commit once, synced. Only after sj_batch_apply returns
 * 0 may replies be sent and events published. No sockets here. */
#ifndef SJ_BATCH_H
#define SJ_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "call.h"
#include "rate.h"
#include "store.h"

/* What a batch runs against, given by its owner (the server, a test):
 * nothing here is global. */
typedef struct {
    sj_store_t *store;
    const sj_config_t *cfg;
    const sj_broker_stats_t *stats; /* for the stats request; NULL: none */
    const sj_signer_t *signer;      /* signs compact notices; NULL: none
                                       (publishing is then refused) */
    sj_rate_t *rate;                /* per-member limits; NULL: none */
    sj_placard_cache_t *placards;   /* rendered placards; NULL: none */
} sj_batch_env_t;

typedef struct {
    /* in */
    uint8_t client_key[32]; /* CURVE public key of the sender */
    const uint8_t *payload; /* the request frame (not owned) */
    size_t len;
    bool multipart; /* more than one frame came: refused */
    /* out: the encoded Reply to send (malloc'd; freed by sj_batch_clear) */
    uint8_t *reply;
    size_t reply_len;
    /* out: a background job this request asked for (kind SJ_JOB_NONE
     * when none); the server starts it after the commit */
    sj_job_req_t job;
    uint64_t request_id;
    /* out, for the metrics and the access log: the request's kind (0 when
     * it did not decode), the reply's status, the caller (0: unknown) */
    int kind;
    int status;
    uint64_t member_id;
} sj_batch_item_t;

typedef struct {
    sj_outevent_t *events; /* in seq order */
    size_t n_events, cap_events;
    unsigned timers_fired;
    unsigned replayed;     /* replies served from the dedup table */
    size_t applied;        /* items answered: the first `applied` of them; the
                              rest (the time budget ran out) wait for the next
                              batch, untouched */
    unsigned rate_limited; /* requests refused with rate.limited */
    /* internal */
    sj_reason_t refuse_writes; /* the map or disk is full: refuse writes
                                  with this reason (SJ_R_NONE: accept) */
    bool reserve_only;         /* the map is at its ceiling but for the reserve:
                                  only the committee may write */
    bool hit_full;             /* a request found the map full */
    bool may_grow;             /* the map may still grow: a full map aborts */
} sj_batch_out_t;

/* Apply items[0..n) and due timers at time now. On 0, the first
 * out->applied items have a reply (every item unless the batch's time
 * budget, cfg->batch_budget_ms, ran out: the others are untouched, for the
 * next batch) and out holds the events to publish. A full map grows (up to
 * cfg->map_max) and the batch runs again; at the ceiling, or on a full
 * disk, writes are answered RESOURCE_EXHAUSTED and reads still served. On
 * failure (the commit did not reach the disk) nothing was applied, no item
 * has a reply, and the error is returned: the clients will retry. */
int sj_batch_apply(const sj_batch_env_t *env, int64_t now,
                   sj_batch_item_t *items, size_t n, sj_batch_out_t *out);

/* Free replies and events; items and out can be reused. */
void sj_batch_clear(sj_batch_item_t *items, size_t n, sj_batch_out_t *out);

/* The reply refusing request_id with status and reason (and, when not 0,
 * the retry-after hint), encoded into it->reply. Shared with the reader
 * pool (read.h). */
void sj_batch_refuse(sj_batch_item_t *it, uint64_t request_id,
                     Shangju__Status st, sj_reason_t why, const char *msg,
                     uint32_t retry_after_ms);

/* Take one request of the caller from env's rate limiter; on refusal fill
 * it->reply (RESOURCE_EXHAUSTED rate.limited with the hint) and return
 * true. Ping is never limited: it is how clients see the broker. */
bool sj_batch_rate_refused(const sj_batch_env_t *env, int64_t now,
                           sj_batch_item_t *it, const Shangju__Request *req,
                           const Shangju__Member *caller);

#endif
