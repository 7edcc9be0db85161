/* libFuzzer target: one hostile request through the broker's request path.
 *
 * Input: byte 0 picks the caller (bits 0-2, fw_caller_t) and the time
 * (bits 3-4: now, +1 day, +31 days, +400 days; due timers fire first, as
 * in a batch); the rest is the Request frame. A frame that decodes runs as
 * batch.c's apply_one runs it: the rule table, sj_dispatch in a nested
 * transaction, the reply remembered in the dedup table for writes, commit
 * or abort. Then the oracles (fuzz_oracle.h) check the reply, the events
 * and the whole store. The outer transaction is aborted, so every input
 * starts from the same seeded world and a reproducer is one file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "codec.h"
#include "dispatch.h"
#include "fuzz_oracle.h"
#include "fuzz_world.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static fw_t world;
static bool verbose; /* SJ_FUZZ_VERBOSE set: print each request's outcome */

static void cleanup(void)
{
    fw_end(&world);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fw_init(&world);
    verbose = getenv("SJ_FUZZ_VERBOSE") != NULL;
    atexit(cleanup);
    return 0;
}

/* Remember a refusal in its own nested transaction (best effort), as the
 * batch does after rolling the request back. */
static void remember(sj_txn_t *parent, const uint8_t key[32], uint64_t id,
                     int64_t now, const uint8_t *reply, size_t len)
{
    sj_txn_t *child;
    if (sj_txn_begin_nested(parent, &child) != 0)
        return;
    sj_dedup_put(child, key, id, now, reply, len);
    if (sj_txn_commit(&child) != 0)
        fw_die("cannot remember a refusal in a small store");
}

/* apply_one of broker/batch.c, with the oracles. */
static void apply(sj_txn_t *txn, fw_caller_t who, int64_t now,
                  const Shangju__Request *req)
{
    const sj_rule_t *rule = sj_rule_find(req->body_case);
    bool writes = rule && rule->writes;
    Shangju__Member *caller = fw_caller(&world, txn, who);
    sj_txn_t *child;
    if (sj_txn_begin_nested(txn, &child) != 0)
        fw_die("cannot begin a nested transaction");
    sj_call_t c;
    sj_call_init(&c, child, caller, now, &world.cfg);
    c.signer = world.signer;
    int rc = sj_dispatch(&c, req);
    if (rc != (int)c.reply.status)
        fw_die("%s returned %d but the reply says %s", sj_request_kind(req), rc,
               sj_status_name(c.reply.status));
    if (!writes && c.n_events)
        fw_die("%s is a read but emitted %zu events", sj_request_kind(req),
               c.n_events);
    size_t len;
    uint8_t *reply = sj_codec_encode(&c.reply.base, &len);
    if (!reply)
        fw_die("cannot encode a reply");
    Shangju__Reply *r =
        fw_check_reply(child, caller, req->request_id, reply, len);
    shangju__reply__free_unpacked(r, NULL);
    if (verbose)
        fprintf(stderr, "fuzz: %s by %d: %s %s\n", sj_request_kind(req), who,
                sj_status_name(c.reply.status),
                c.reply.message ? c.reply.message : "");
    bool keep = rc == 0 || c.commit_on_error;
    if (keep && writes)
        sj_dedup_put(child, world.key[who], req->request_id, now, reply, len);
    if (keep && sj_txn_commit(&child) == 0) {
        for (size_t i = 0; i < c.n_events; i++)
            fw_check_event(c.events[i].data, c.events[i].len);
    } else {
        sj_txn_abort(&child);
        if (keep) /* a small store cannot be full */
            fw_die("%s: the nested commit failed", sj_request_kind(req));
        if (writes)
            remember(txn, world.key[who], req->request_id, now, reply, len);
    }
    sj_call_end(&c);
    free(reply);
    if (caller)
        shangju__member__free_unpacked(caller, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    fw_caller_t who = (fw_caller_t)(data[0] & 7);
    int64_t now = fw_time(&world, (data[0] >> 3) & 3);
    Shangju__Request *req = sj_codec_request_decode(data + 1, size - 1);
    if (!req)
        return 0;
    sj_txn_t *txn;
    if (sj_txn_begin(world.store, true, &txn) != 0)
        fw_die("cannot begin");
    if (now != world.now)
        fw_fire_timers(txn, &world.cfg, now);
    apply(txn, who, now, req);
    fw_check_store(txn, sj_request_kind(req));
    sj_txn_abort(&txn);
    shangju__request__free_unpacked(req, NULL);
    return 0;
}
