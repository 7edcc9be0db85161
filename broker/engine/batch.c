/* The group commit described in batch.h: dedup lookup, authorisation and
 * the handler for each request in a nested transaction, one synced commit
 * for the whole batch. */
#include "batch.h"

#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "dispatch.h"
#include "keyfile.h"
#include "log.h"

#define ST(x) SHANGJU__STATUS__STATUS_##x
#define TIMERS_PER_BATCH 256

static const sj_broker_stats_t *broker_stats;

void sj_batch_set_stats(const sj_broker_stats_t *stats)
{
    broker_stats = stats;
}
#define DEDUP_PRUNE_PER_BATCH 256

/* Move the call's events into out (after its nested commit). */
static int take_events(sj_call_t *c, sj_batch_out_t *out)
{
    if (c->n_events == 0)
        return SJ_OK;
    size_t need = out->n_events + c->n_events;
    if (need > out->cap_events) {
        size_t cap = out->cap_events ? out->cap_events : 64;
        while (cap < need)
            cap *= 2;
        void *p = realloc(out->events, cap * sizeof *out->events);
        if (!p)
            return SJ_ENOMEM;
        out->events = p;
        out->cap_events = cap;
    }
    memcpy(out->events + out->n_events, c->events,
           c->n_events * sizeof *c->events);
    out->n_events = need;
    c->n_events = 0; /* ownership moved */
    return SJ_OK;
}

static void encode_reply(sj_batch_item_t *it, const Shangju__Reply *r)
{
    it->reply = sj_codec_encode(&r->base, &it->reply_len);
}

static void error_reply(sj_batch_item_t *it, uint64_t request_id,
                        Shangju__Status st, const char *msg)
{
    Shangju__Reply r = SHANGJU__REPLY__INIT;
    r.request_id = request_id;
    r.status = st;
    r.message = (char *)msg;
    encode_reply(it, &r);
}

/* Run the handler in a nested transaction; commit it when the reply is OK.
 * Writes are remembered in the dedup table in the same nested transaction,
 * so "applied" and "remembered" can never disagree. */
static void apply_one(sj_txn_t *parent, const sj_config_t *cfg, int64_t now,
                      sj_batch_item_t *it, const Shangju__Request *req,
                      const Shangju__Member *caller, sj_batch_out_t *out)
{
    const sj_rule_t *rule = sj_rule_find(req->body_case);
    bool writes = rule && rule->writes;
    if (writes && out->reads_only) {
        error_reply(it, req->request_id, ST(RESOURCE_EXHAUSTED),
                    "the store is full; ask the operator to grow the map "
                    "size (reads still work)");
        return;
    }
    sj_txn_t *child = NULL;
    sj_call_t c;
    int err = sj_txn_begin_nested(parent, &child);
    if (err) {
        error_reply(it, req->request_id, ST(INTERNAL), "cannot begin");
        return;
    }
    sj_call_init(&c, child, caller, now, cfg);
    c.stats = broker_stats;
    int rc = sj_dispatch(&c, req);
    if (rc == 0 && c.job.kind != SJ_JOB_NONE) {
        it->job = c.job;
    }
    encode_reply(it, &c.reply);
    if (!it->reply) {
        sj_txn_abort(&child);
        error_reply(it, req->request_id, ST(INTERNAL), "out of memory");
        sj_call_end(&c);
        return;
    }
    /* Kept: an OK reply, or a refusal whose writes must stick (a wrong
     * hand-over code is counted). */
    bool keep = rc == 0 || c.commit_on_error;
    if (keep && writes)
        sj_dedup_put(child, it->client_key, req->request_id, now, it->reply,
                     it->reply_len);
    if (keep && (err = sj_txn_commit(&child)) == 0) {
        if (take_events(&c, out) != 0)
            sj_log(SJ_LOG_ERROR, "event=events_lost reason=oom");
    } else {
        sj_txn_abort(&child);
        if (keep) { /* the handler's writes did not fit */
            free(it->reply);
            it->reply = NULL;
            sj_call_end(&c);
            sj_call_init(&c, NULL, caller, now, cfg);
            c.reply.request_id = req->request_id;
            sj_call_store_fail(&c, err, "request");
            encode_reply(it, &c.reply);
        }
        /* Remember refusals too (best effort): a retry gets the same. */
        if (writes && it->reply && sj_txn_begin_nested(parent, &child) == 0) {
            sj_dedup_put(child, it->client_key, req->request_id, now, it->reply,
                         it->reply_len);
            if (sj_txn_commit(&child) != 0)
                sj_log(SJ_LOG_DEBUG, "event=dedup_skipped reason=store");
        }
    }
    sj_call_end(&c);
}

static void handle_item(sj_txn_t *txn, const sj_config_t *cfg, int64_t now,
                        sj_batch_item_t *it, sj_batch_out_t *out)
{
    if (it->multipart) {
        sj_log(SJ_LOG_WARN, "event=bad_frame reason=multipart");
        error_reply(it, 0, ST(INVALID_ARGUMENT),
                    "malformed request: a request is exactly one frame");
        return;
    }
    Shangju__Request *req = sj_codec_request_decode(it->payload, it->len);
    if (!req) {
        sj_log(SJ_LOG_WARN, "event=bad_frame bytes=%zu", it->len);
        error_reply(it, 0, ST(INVALID_ARGUMENT),
                    "malformed request: not a shangju.Request");
        return;
    }
    it->request_id = req->request_id;
    if (req->request_id == 0) {
        error_reply(it, 0, ST(INVALID_ARGUMENT), "request_id is required");
        goto done;
    }
    uint8_t *cached;
    size_t cached_len;
    if (sj_dedup_get(txn, it->client_key, req->request_id, &cached,
                     &cached_len) == 0) {
        it->reply = cached;
        it->reply_len = cached_len;
        out->replayed++;
        goto done;
    }
    Shangju__Member *caller = NULL;
    int err = sj_member_by_key(txn, it->client_key, &caller);
    if (err) {
        error_reply(it, req->request_id,
                    err == SJ_ENOTFOUND ? ST(UNAUTHENTICATED) : ST(INTERNAL),
                    err == SJ_ENOTFOUND ? "key not registered"
                                        : "cannot read members");
        goto done;
    }
    apply_one(txn, cfg, now, it, req, caller, out);
    shangju__member__free_unpacked(caller, NULL);
done:
    shangju__request__free_unpacked(req, NULL);
}

static void fire_timers(sj_txn_t *txn, const sj_config_t *cfg, int64_t now,
                        sj_batch_out_t *out)
{
    sj_timer_t due[TIMERS_PER_BATCH];
    size_t n = 0;
    if (sj_timer_due(txn, now, due, TIMERS_PER_BATCH, &n) != 0)
        return;
    for (size_t i = 0; i < n; i++) {
        sj_txn_t *child;
        if (sj_txn_begin_nested(txn, &child) != 0)
            return;
        sj_call_t c;
        sj_call_init(&c, child, NULL, now, cfg);
        int rc = due[i].kind == SJ_TIMER_WISH_REMIND
                     ? sj_chat_remind_fire(&c, &due[i])
                 : due[i].kind >= SJ_TIMER_COMPACT_START
                     ? sj_compact_timer_fire(&c, &due[i])
                     : sj_wish_timer_fire(&c, &due[i]);
        if (rc == 0 && sj_txn_commit(&child) == 0) {
            out->timers_fired++;
            take_events(&c, out);
        } else {
            sj_txn_abort(&child);
            sj_log(SJ_LOG_WARN, "event=timer_failed wish=%llu status=%d",
                   (unsigned long long)due[i].id, rc);
        }
        sj_call_end(&c);
    }
}

static int apply(sj_store_t *store, const sj_config_t *cfg, int64_t now,
                 sj_batch_item_t *items, size_t n, sj_batch_out_t *out)
{
    sj_txn_t *txn;
    int err = sj_txn_begin(store, true, &txn);
    if (err)
        return err;
    if (!out->reads_only)
        fire_timers(txn, cfg, now, out);
    size_t pruned;
    sj_txn_t *child;
    if (!out->reads_only && sj_txn_begin_nested(txn, &child) == 0) {
        if (sj_dedup_prune(child, now - cfg->dedup_retention_ms,
                           DEDUP_PRUNE_PER_BATCH, &pruned) == 0)
            sj_txn_commit(&child);
        else
            sj_txn_abort(&child);
    }
    for (size_t i = 0; i < n; i++)
        handle_item(txn, cfg, now, &items[i], out);
    err = sj_txn_commit(&txn);
    if (err) {
        sj_log(SJ_LOG_ERROR, "event=commit_failed err=\"%s\" requests=%zu",
               sj_strerror(err), n);
        sj_batch_clear(items, n, out);
    }
    return err;
}

int sj_batch_apply(sj_store_t *store, const sj_config_t *cfg, int64_t now,
                   sj_batch_item_t *items, size_t n, sj_batch_out_t *out)
{
    out->reads_only = false;
    int err = apply(store, cfg, now, items, n, out);
    if (err != SJ_EFULL)
        return err;
    /* The map filled up at commit time: nothing of the batch was applied.
     * Serve it again without writes, so reads go on and writes get a clear
     * RESOURCE_EXHAUSTED instead of silence. */
    out->reads_only = true;
    err = apply(store, cfg, now, items, n, out);
    out->reads_only = false;
    return err;
}

void sj_batch_clear(sj_batch_item_t *items, size_t n, sj_batch_out_t *out)
{
    for (size_t i = 0; i < n; i++) {
        free(items[i].reply);
        items[i].reply = NULL;
        items[i].reply_len = 0;
        items[i].job.kind = SJ_JOB_NONE;
    }
    for (size_t i = 0; i < out->n_events; i++)
        free(out->events[i].data);
    out->n_events = 0;
    out->timers_fired = 0;
    out->replayed = 0;
}
