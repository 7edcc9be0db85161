/* The group commit described in batch.h: dedup lookup, authorisation and
 * the handler for each request in a nested transaction, one synced commit
 * for the whole batch. */
#include "batch.h"

#include "anchor.h"

#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "dispatch.h"
#include "keyfile.h"
#include "log.h"

#define ST(x) SHANGJU__STATUS__STATUS_##x
#define TIMERS_PER_BATCH 256

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
    it->status = (int)r->status;
}

void sj_batch_refuse(sj_batch_item_t *it, uint64_t request_id,
                     Shangju__Status st, sj_reason_t why, const char *msg,
                     uint32_t retry_after_ms)
{
    Shangju__Reply r = SHANGJU__REPLY__INIT;
    r.request_id = request_id;
    r.status = st;
    r.reason = (char *)sj_reason_code(why);
    r.message = (char *)msg;
    r.retry_after_ms = retry_after_ms;
    encode_reply(it, &r);
}

static void error_reply(sj_batch_item_t *it, uint64_t request_id,
                        Shangju__Status st, sj_reason_t why, const char *msg)
{
    sj_batch_refuse(it, request_id, st, why, msg, 0);
}

bool sj_batch_rate_refused(const sj_batch_env_t *env, int64_t now,
                           sj_batch_item_t *it, const Shangju__Request *req,
                           const Shangju__Member *caller)
{
    uint32_t after;
    if (!env->rate || req->body_case == SHANGJU__REQUEST__BODY_PING ||
        sj_rate_take(env->rate, caller->id, caller->role, now, &after) == 0)
        return false;
    sj_batch_refuse(it, req->request_id, ST(RESOURCE_EXHAUSTED),
                    SJ_R_RATE_LIMITED,
                    "too many requests; try again after the hint", after);
    return true;
}

/* Run the handler in the request's nested transaction child (taken over
 * here); commit it when the reply is OK. Writes are remembered in the dedup
 * table in the same nested transaction, so "applied" and "remembered" can
 * never disagree. */
static void apply_one(sj_txn_t *parent, sj_txn_t *child,
                      const sj_batch_env_t *env, int64_t now,
                      sj_batch_item_t *it, const Shangju__Request *req,
                      const Shangju__Member *caller, sj_batch_out_t *out)
{
    const sj_rule_t *rule = sj_rule_find(req->body_case);
    bool writes = rule && rule->writes;
    if (writes && out->refuse_writes != SJ_R_NONE) {
        sj_txn_abort(&child);
        error_reply(it, req->request_id, ST(RESOURCE_EXHAUSTED),
                    out->refuse_writes,
                    out->refuse_writes == SJ_R_STORE_DISK_FULL
                        ? "the broker's disk is full; ask the operator to "
                          "free space (reads still work)"
                        : "the store is full; ask the operator to grow the "
                          "map size (reads still work)");
        return;
    }
    /* The last of the map is the committee's: it can still suspend a
     * member who filled the rest, and cancel their wishes. */
    if (writes && out->reserve_only &&
        caller->role != SHANGJU__ROLE__ROLE_COMMITTEE) {
        sj_txn_abort(&child);
        error_reply(it, req->request_id, ST(RESOURCE_EXHAUSTED),
                    SJ_R_STORE_RESERVED,
                    "the store is nearly full; what is left is kept for the "
                    "committee (reads still work)");
        return;
    }
    sj_call_t c;
    int err = 0;
    sj_call_init(&c, child, caller, now, env->cfg);
    c.stats = env->stats;
    c.signer = env->signer;
    c.placards = env->placards;
    int rc = sj_dispatch(&c, req);
    if (rc == 0 && c.job.kind != SJ_JOB_NONE) {
        it->job = c.job;
    }
    encode_reply(it, &c.reply);
    if (!it->reply) {
        sj_txn_abort(&child);
        error_reply(it, req->request_id, ST(INTERNAL), SJ_R_BROKER_INTERNAL,
                    "out of memory");
        sj_call_end(&c);
        return;
    }
    /* Kept: an OK reply, or a refusal whose writes must stick (a wrong
     * hand-over code is counted). */
    bool keep = rc == 0 || c.commit_on_error;
    if (keep && writes)
        sj_dedup_put(child, it->client_key, req->request_id, now, it->reply,
                     it->reply_len);
    if (sj_txn_error(child) == SJ_EFULL)
        out->hit_full = true;
    if (keep && (err = sj_txn_commit(&child)) == 0) {
        if (take_events(&c, out) != 0)
            sj_log(SJ_LOG_ERROR, "event=events_lost reason=oom");
    } else {
        sj_txn_abort(&child);
        if (err == SJ_EFULL)
            out->hit_full = true;
        if (keep) { /* the handler's writes did not fit */
            free(it->reply);
            it->reply = NULL;
            sj_call_end(&c);
            sj_call_init(&c, NULL, caller, now, env->cfg);
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

static void handle_item(sj_txn_t *txn, const sj_batch_env_t *env, int64_t now,
                        sj_batch_item_t *it, sj_batch_out_t *out)
{
    if (it->multipart) {
        sj_log(SJ_LOG_WARN, "event=bad_frame reason=multipart");
        error_reply(it, 0, ST(INVALID_ARGUMENT), SJ_R_ARG_MALFORMED,
                    "malformed request: a request is exactly one frame");
        return;
    }
    Shangju__Request *req = sj_codec_request_decode(it->payload, it->len);
    if (!req) {
        sj_log(SJ_LOG_WARN, "event=bad_frame bytes=%zu", it->len);
        error_reply(it, 0, ST(INVALID_ARGUMENT), SJ_R_ARG_MALFORMED,
                    "malformed request: not a shangju.Request");
        return;
    }
    /* Fields this schema does not know are dropped before anything sees
     * the request: nothing unknown is stored or echoed, nothing escapes
     * the field limits, and a newer client's extra fields are ignored as
     * protobuf intends (refusing them would break mixed-version
     * rollouts). */
    size_t unknown = sj_codec_strip_unknown(&req->base);
    if (unknown)
        sj_log(SJ_LOG_INFO, "event=unknown_fields_dropped bytes=%zu kind=%s",
               unknown, sj_request_kind(req));
    it->request_id = req->request_id;
    it->kind = (int)req->body_case;
    if (req->request_id == 0) {
        error_reply(it, 0, ST(INVALID_ARGUMENT), SJ_R_ARG_NO_REQUEST_ID,
                    "request_id is required");
        goto done;
    }
    /* The lookups run in the request's own nested transaction: store
     * errors stick to the transaction they happen in, so a record that does
     * not decode fails this request, not the whole batch. */
    sj_txn_t *child = NULL;
    if (sj_txn_begin_nested(txn, &child) != 0) {
        error_reply(it, req->request_id, ST(INTERNAL), SJ_R_BROKER_INTERNAL,
                    "cannot begin");
        goto done;
    }
    Shangju__Member *caller = NULL;
    int err = sj_member_by_key(child, it->client_key, &caller);
    if (err) {
        sj_txn_abort(&child);
        error_reply(
            it, req->request_id,
            err == SJ_ENOTFOUND ? ST(UNAUTHENTICATED) : ST(INTERNAL),
            err == SJ_ENOTFOUND ? SJ_R_AUTH_UNKNOWN_KEY : SJ_R_BROKER_INTERNAL,
            err == SJ_ENOTFOUND ? "key not registered" : "cannot read members");
        goto done;
    }
    /* The stored reply of a retry only after the caller check: a suspended
     * member's retry goes on to dispatch, which refuses it (issue 9). */
    uint8_t *cached;
    size_t cached_len;
    if (caller->status == SHANGJU__MEMBER_STATUS__MEMBER_STATUS_ACTIVE &&
        sj_dedup_get(child, it->client_key, req->request_id, &cached,
                     &cached_len) == 0) {
        sj_txn_abort(&child);
        it->member_id = caller->id;
        shangju__member__free_unpacked(caller, NULL);
        it->reply = cached;
        it->reply_len = cached_len;
        Shangju__Reply *was = shangju__reply__unpack(NULL, cached_len, cached);
        it->status = was ? (int)was->status : 0;
        if (was)
            shangju__reply__free_unpacked(was, NULL);
        out->replayed++;
        goto done;
    }
    it->member_id = caller->id;
    if (sj_batch_rate_refused(env, now, it, req, caller)) {
        sj_txn_abort(&child);
        shangju__member__free_unpacked(caller, NULL);
        out->rate_limited++;
        goto done;
    }
    apply_one(txn, child, env, now, it, req, caller, out);
    shangju__member__free_unpacked(caller, NULL);
done:
    shangju__request__free_unpacked(req, NULL);
}

static void fire_timers(sj_txn_t *txn, const sj_config_t *cfg, int64_t now,
                        sj_batch_out_t *out)
{
    sj_timer_t due[TIMERS_PER_BATCH];
    size_t n = 0;
    /* Scanned in a nested transaction: a timer that cannot be read stops
     * the timers (logged), not the batch (store errors are sticky). */
    sj_txn_t *scan;
    if (sj_txn_begin_nested(txn, &scan) != 0)
        return;
    int err = sj_timer_due(scan, now, due, TIMERS_PER_BATCH, &n);
    if (err) {
        const char *why = sj_txn_error_detail(scan);
        sj_log(SJ_LOG_ERROR, "event=timers_unreadable err=\"%s\" cause=\"%s\"",
               sj_strerror(err), why ? why : "");
    }
    sj_txn_abort(&scan);
    if (err)
        return;
    for (size_t i = 0; i < n; i++) {
        sj_txn_t *child;
        if (sj_txn_begin_nested(txn, &child) != 0)
            return;
        sj_call_t c;
        sj_call_init(&c, child, NULL, now, cfg);
        int rc = sj_dispatch_timer(&c, &due[i]);
        if (rc == 0 && sj_txn_commit(&child) == 0) {
            out->timers_fired++;
            take_events(&c, out);
        } else {
            sj_txn_abort(&child);
            sj_log(SJ_LOG_WARN, "event=timer_failed kind=%d id=%llu status=%d",
                   (int)due[i].kind, (unsigned long long)due[i].id, rc);
        }
        sj_call_end(&c);
    }
}

/* Sign the ledger's head when an anchor is due (anchor.h), after the
 * batch's own entries, in a nested transaction of its own: a failure is
 * logged and leaves the batch alone (the next batch tries again). */
static void anchor_ledger(sj_txn_t *txn, const sj_batch_env_t *env, int64_t now)
{
    sj_txn_t *child;
    if (!env->signer || sj_txn_begin_nested(txn, &child) != 0)
        return;
    sj_call_t c;
    sj_call_init(&c, child, NULL, now, env->cfg);
    c.signer = env->signer;
    int made = 0, err = sj_anchor_due(&c, &made);
    if (err == 0 && made && (err = sj_txn_commit(&child)) == 0)
        sj_log(SJ_LOG_INFO, "event=ledger_anchored");
    else
        sj_txn_abort(&child);
    if (err)
        sj_log(SJ_LOG_WARN, "event=ledger_anchor_failed err=\"%s\"",
               sj_strerror(err));
    sj_call_end(&c);
}

static int apply(const sj_batch_env_t *env, int64_t now, sj_batch_item_t *items,
                 size_t n, sj_batch_out_t *out)
{
    const sj_config_t *cfg = env->cfg;
    sj_txn_t *txn;
    bool reads_only = out->refuse_writes != SJ_R_NONE;
    out->hit_full = false;
    int err = sj_txn_begin(env->store, true, &txn);
    if (err)
        return err;
    if (!reads_only)
        fire_timers(txn, cfg, now, out);
    size_t pruned;
    sj_txn_t *child;
    if (!reads_only && sj_txn_begin_nested(txn, &child) == 0) {
        if (sj_dedup_prune(child, now - cfg->dedup_retention_ms,
                           DEDUP_PRUNE_PER_BATCH, &pruned) == 0)
            sj_txn_commit(&child);
        else
            sj_txn_abort(&child);
    }
    /* The time budget: a batch that has run this long stops taking
     * requests, so a run of slow writes cannot hold the loop (the rest
     * wait, untouched, for the next batch). */
    int64_t t0 = sj_now_ms();
    out->applied = 0;
    for (size_t i = 0; i < n; i++) {
        handle_item(txn, env, now, &items[i], out);
        out->applied = i + 1;
        if (cfg->batch_budget_ms > 0 &&
            sj_now_ms() - t0 >= cfg->batch_budget_ms)
            break;
    }
    if (out->hit_full && out->may_grow) {
        /* A request did not fit but the map can grow: apply it all again
         * after growing, rather than refuse what fits then. */
        sj_txn_abort(&txn);
        sj_batch_clear(items, n, out);
        return SJ_EFULL;
    }
    if (!reads_only)
        anchor_ledger(txn, env, now);
    err = sj_txn_commit(&txn);
    if (err) {
        sj_log(SJ_LOG_ERROR, "event=commit_failed err=\"%s\" requests=%zu",
               sj_strerror(err), n);
        sj_batch_clear(items, n, out);
    }
    return err;
}

/* Grow the map when it may: by half its size, up to the ceiling. true
 * when it grew. */
static bool grow_map(const sj_batch_env_t *env, const sj_store_space_t *sp)
{
    size_t max = env->cfg->map_max;
    if (!max || sp->map_size >= max)
        return false;
    size_t to = sp->map_size + sp->map_size / 2;
    if (to > max || to < sp->map_size)
        to = max;
    int err = sj_store_grow(env->store, to);
    sj_log(err ? SJ_LOG_ERROR : SJ_LOG_INFO,
           "event=map_grown from_mib=%zu to_mib=%zu ceiling_mib=%zu err=\"%s\"",
           sp->map_size >> 20, to >> 20, max >> 20, sj_strerror(err));
    return err == 0;
}

/* Before a batch: grow a map that is three quarters used, and say whether
 * only the committee may write (the map is at its ceiling and what is
 * left is the reserve). The exact count (free pages) only near it. */
static void check_space(const sj_batch_env_t *env, sj_batch_out_t *out)
{
    const sj_config_t *cfg = env->cfg;
    sj_store_space_t sp;
    bool was = out->reserve_only; /* logged when it changes */
    out->reserve_only = false;
    out->may_grow = false;
    if (!cfg->map_max || sj_store_space(env->store, false, &sp) != 0)
        return;
    if (sp.high_water > sp.map_size / 4 * 3 && grow_map(env, &sp))
        sj_store_space(env->store, false, &sp);
    out->may_grow = sp.map_size < cfg->map_max;
    size_t reserve = cfg->map_reserve;
    if (!out->may_grow && sp.high_water + reserve >= sp.map_size &&
        sj_store_space(env->store, true, &sp) == 0)
        out->reserve_only = sp.used + reserve >= sp.map_size;
    if (out->reserve_only && !was)
        sj_log(SJ_LOG_WARN,
               "event=store_reserved used_mib=%zu ceiling_mib=%zu "
               "msg=\"the map is full but for the committee's reserve; "
               "members' writes are refused\"",
               sp.used >> 20, sp.map_size >> 20);
    else if (was && !out->reserve_only)
        sj_log(SJ_LOG_INFO, "event=store_reserve_left used_mib=%zu",
               sp.used >> 20);
}

int sj_batch_apply(const sj_batch_env_t *env, int64_t now,
                   sj_batch_item_t *items, size_t n, sj_batch_out_t *out)
{
    out->refuse_writes = SJ_R_NONE;
    out->rate_limited = 0;
    check_space(env, out);
    int err = apply(env, now, items, n, out);
    /* Full, but the map may grow: grow it and apply the batch again. */
    for (int tries = 0; err == SJ_EFULL && out->may_grow && tries < 8;
         tries++) {
        sj_store_space_t sp;
        if (sj_store_space(env->store, false, &sp) != 0 || !grow_map(env, &sp))
            break;
        check_space(env, out);
        err = apply(env, now, items, n, out);
    }
    if (err != SJ_EFULL && err != SJ_ENOSPC)
        return err;
    /* The map (at its ceiling) or the disk filled up: nothing of the batch
     * was applied. Serve it again without writes, so reads go on and
     * writes get a clear RESOURCE_EXHAUSTED instead of silence. */
    if (err == SJ_ENOSPC)
        sj_log(SJ_LOG_ERROR,
               "event=disk_full requests=%zu msg=\"the disk "
               "is full; writes are refused until space is "
               "freed\"",
               n);
    else
        sj_log(SJ_LOG_WARN,
               "event=store_full what=batch requests=%zu msg=\"the map is "
               "full at its ceiling; restart with a larger --map-max\"",
               n);
    out->refuse_writes =
        err == SJ_ENOSPC ? SJ_R_STORE_DISK_FULL : SJ_R_STORE_FULL;
    out->may_grow = false;
    err = apply(env, now, items, n, out);
    out->refuse_writes = SJ_R_NONE;
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
