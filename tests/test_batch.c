/* Group commit and authorisation through sj_batch_apply, the path every
 * network request takes: the role rule table for every request type x role
 * (against an expected matrix written here, independently), suspended and
 * unknown callers, dedup of retries, per-request rollback inside a batch,
 * malformed frames, and a full map that still serves reads. */
#include <check.h>

#include "check_main.h"
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "codec.h"
#include "sj_limits.h"
#include "world.h"

#define K(x) SHANGJU__REQUEST__BODY_##x
#define ST(x) SHANGJU__STATUS__STATUS_##x
#define ROLE(x) SHANGJU__ROLE__ROLE_##x

static world_t w;
static uint8_t keys[7][32]; /* [role]: a member of each role, by key */

static void add_keyed(Shangju__Role role)
{
    memset(keys[role], 0x40 + role, 32);
    Shangju__MemberAdd a = SHANGJU__MEMBER_ADD__INIT;
    a.role = role;
    a.name = (char *)"keyed";
    a.public_key.data = keys[role];
    a.public_key.len = 32;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(MEMBER_ADD);
    req.member_add = &a;
    ck_assert_int_eq(world_call(&w, w.committee, &req), 0);
}

static void setup_map(size_t map)
{
    world_init(&w, map);
    for (int r = ROLE(RESIDENT); r <= ROLE(MONITOR); r++)
        add_keyed((Shangju__Role)r);
}

static void setup(void)
{
    setup_map(0);
}

static void teardown(void)
{
    world_end(&w);
}

/* The batch's environment: the world's store, settings and key. */
static const sj_batch_env_t *env(void)
{
    static sj_batch_env_t e;
    e = (sj_batch_env_t){.store = w.store, .cfg = &w.cfg, .signer = w.signer};
    return &e;
}

/* Encode req into a batch item from the member with key. */
static void item(sj_batch_item_t *it, const uint8_t key[32],
                 Shangju__Request *req, uint8_t **buf)
{
    memset(it, 0, sizeof *it);
    memcpy(it->client_key, key, 32);
    *buf = sj_codec_encode(&req->base, &it->len);
    it->payload = *buf;
}

/* Apply one request as the member with key; returns the decoded reply. */
static Shangju__Reply *apply1(const uint8_t key[32], Shangju__Request *req)
{
    sj_batch_item_t it;
    uint8_t *buf;
    sj_batch_out_t out = {0};
    item(&it, key, req, &buf);
    ck_assert_int_eq(sj_batch_apply(env(), w.now, &it, 1, &out), 0);
    Shangju__Reply *r = sj_codec_reply_decode(it.reply, it.reply_len);
    ck_assert_ptr_nonnull(r);
    if (r->status) /* every refusal says why, with a code of the table */
        ck_assert_msg(sj_reason_parse(r->reason) != SJ_R_NONE,
                      "%s: no known reason (%s)", r->message, r->reason);
    sj_batch_clear(&it, 1, &out);
    free(out.events);
    free(buf);
    return r;
}

/* Who may send what: the product's rules, restated independently of
 * broker/dispatch.c. Index: request kind; bits: resident, merchant,
 * committee, bridge, web (the public web front: public reads only),
 * monitor (o: statistics only). */
struct expect {
    Shangju__Request__BodyCase kind;
    const char *allowed; /* letters: r m c b w o */
};

static const struct expect matrix[] = {
    {K(PING), "rmcbw"},
    {K(WHOAMI), "rmcb"},
    {K(REPLAY), "rmcbw"},
    {K(MEMBER_ADD), "c"},
    {K(MEMBER_LIST), "c"},
    {K(MEMBER_GET), "rmcbw"},
    {K(MEMBER_SUSPEND), "c"},
    {K(WISH_POST), "rcb"},
    {K(WISH_LIST), "rmcbw"},
    {K(WISH_GET), "rmcbw"},
    {K(WISH_CANCEL), "rcb"},
    {K(WISH_CLAIM), "m"},
    {K(WISH_RELEASE), "mc"},
    {K(WISH_FULFIL), "m"},
    {K(WISH_CONFIRM), "rcb"},
    {K(MEMBER_REKEY), "rmcb"},
    {K(ADMIN_STATS), "co"}, /* o: the monitor (issue 15) */
    {K(ADMIN_BACKUP), "c"},
    {K(ADMIN_VERIFY), "c"},
    {K(LISTING_PUT), "mc"},
    {K(LISTING_GET), "rmcbw"},
    {K(LISTING_LIST), "rmcbw"},
    {K(QR_GET), "rmcb"},
    {K(PLACARD_GET), "rmcb"},
    {K(HANDOVER_REISSUE), "c"},
    {K(COMPACT_DRAFT), "c"},
    {K(COMPACT_EDIT), "rmcb"},
    {K(COMPACT_SIGN), "rmcb"},
    {K(COMPACT_PUBLISH), "c"},
    {K(COMPACT_PERFORM), "rmcb"},
    {K(COMPACT_COMPLAIN), "rmcb"},
    {K(COMPACT_RESOLVE), "c"},
    {K(COMPACT_RATE), "rmcb"},
    {K(COMPACT_CLOSE), "c"},
    {K(COMPACT_GET), "rmcbw"},
    {K(COMPACT_LIST), "rmcbw"},
    {K(POINTS_BALANCE), "rmcb"},
    {K(POINTS_HISTORY), "rmcb"},
    {K(POINTS_TRANSFER), "rmc"},
    {K(POINTS_TOP), "rmcb"},
    {K(POINTS_CLOSE_YEAR), "c"},
    {K(REPORT_GET), "c"},
    {K(MEMBER_LINK), "c"},
    {K(MEMBER_UNLINK), "c"},
    {K(MEMBER_INVITE), "c"},
    {K(CHAT_JOIN), "b"},
    {K(CHAT_RESOLVE), "b"},
    {K(CHAT_CURSOR_GET), "b"},
    {K(CHAT_CURSOR_SET), "b"},
    {K(CHAT_LANG_SET), "cb"},
    {K(CHAT_REMIND), "b"},
    /* issue 9 (privacy) */
    {K(MEMBER_UNSUSPEND), "c"},
    {K(CONTACT_REVEALS), "rcb"},
    {K(WISH_DISPUTE), "rcb"},
    {K(COMPACT_CONFIRM), "rmcb"},
    {K(COMPACT_DISMISS), "c"},
    {K(NOTICE_KEY_GET), "rmcbw"},
    /* issue 14 (WeChat / WeCom) */
    {K(CHAT_LEAVE), "b"},
};

/* A request of each kind with an empty body of the right type. */
static void fill(Shangju__Request *req, Shangju__Request__BodyCase kind,
                 void *body)
{
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(
        &shangju__request__descriptor, (unsigned)kind);
    ck_assert_ptr_nonnull(f);
    protobuf_c_message_init(f->descriptor, body);
    shangju__request__init(req);
    req->body_case = kind;
    *(void **)((char *)req + f->offset) = body;
}

START_TEST(every_request_by_every_role)
{
    size_t n_rules;
    sj_rules(&n_rules);
    ck_assert_uint_eq(n_rules, sizeof matrix / sizeof matrix[0]);
    const char letters[] = {[ROLE(RESIDENT)] = 'r',  [ROLE(MERCHANT)] = 'm',
                            [ROLE(COMMITTEE)] = 'c', [ROLE(BRIDGE)] = 'b',
                            [ROLE(WEB)] = 'w',       [ROLE(MONITOR)] = 'o'};
    for (size_t i = 0; i < sizeof matrix / sizeof matrix[0]; i++) {
        for (int r = ROLE(RESIDENT); r <= ROLE(MONITOR); r++) {
            union {
                ProtobufCMessage base;
                char space[512];
            } body;
            Shangju__Request req;
            fill(&req, matrix[i].kind, &body);
            req.request_id = 1000 + i * 10 + (size_t)r;
            Shangju__Reply *rep = apply1(keys[r], &req);
            bool allowed = strchr(matrix[i].allowed, letters[r]) != NULL;
            if (allowed)
                ck_assert_msg(rep->status != ST(PERMISSION_DENIED) ||
                                  strstr(rep->message, "may not") == NULL,
                              "%s by role %d refused: %s",
                              sj_request_kind(&req), r, rep->message);
            else
                ck_assert_msg(rep->status == ST(PERMISSION_DENIED),
                              "%s by role %d: status %d", sj_request_kind(&req),
                              r, rep->status);
            shangju__reply__free_unpacked(rep, NULL);
        }
    }
}
END_TEST

START_TEST(suspended_and_unknown_callers)
{
    uint8_t stranger[32];
    memset(stranger, 0x99, sizeof stranger);
    Shangju__Ping ping = SHANGJU__PING__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(PING);
    req.ping = &ping;
    req.request_id = 5;
    Shangju__Reply *rep = apply1(stranger, &req);
    ck_assert_int_eq(rep->status, ST(UNAUTHENTICATED));
    shangju__reply__free_unpacked(rep, NULL);

    /* Suspend the merchant (member id 8: committee, cast of 5, keyed r, m) */
    Shangju__Request who = SHANGJU__REQUEST__INIT;
    Shangju__WhoAmI wb = SHANGJU__WHO_AM_I__INIT;
    who.body_case = K(WHOAMI);
    who.whoami = &wb;
    who.request_id = 6;
    rep = apply1(keys[ROLE(MERCHANT)], &who);
    ck_assert_int_eq(rep->status, 0);
    uint64_t id = rep->member->id;
    shangju__reply__free_unpacked(rep, NULL);
    Shangju__MemberSuspend s = SHANGJU__MEMBER_SUSPEND__INIT;
    s.id = id;
    Shangju__Request sus = SHANGJU__REQUEST__INIT;
    sus.body_case = K(MEMBER_SUSPEND);
    sus.member_suspend = &s;
    sus.request_id = 7;
    rep = apply1(keys[ROLE(COMMITTEE)], &sus);
    ck_assert_int_eq(rep->status, 0);
    shangju__reply__free_unpacked(rep, NULL);
    req.request_id = 8;
    rep = apply1(keys[ROLE(MERCHANT)], &req);
    ck_assert_int_eq(rep->status, ST(PERMISSION_DENIED));
    ck_assert_ptr_nonnull(strstr(rep->message, "suspended"));
    shangju__reply__free_unpacked(rep, NULL);
}
END_TEST

static Shangju__Request post_req(Shangju__WishPost *p, const char *title,
                                 uint64_t id)
{
    shangju__wish_post__init(p);
    p->title = (char *)title;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(WISH_POST);
    req.wish_post = p;
    req.request_id = id;
    return req;
}

START_TEST(retry_gets_the_original_reply)
{
    Shangju__WishPost p;
    Shangju__Request req = post_req(&p, "once only", 4242);
    const uint8_t *key = keys[ROLE(RESIDENT)];
    /* The same request twice in one batch, then again in a later batch. */
    sj_batch_item_t its[2];
    uint8_t *b0, *b1;
    item(&its[0], key, &req, &b0);
    item(&its[1], key, &req, &b1);
    sj_batch_out_t out = {0};
    ck_assert_int_eq(sj_batch_apply(env(), w.now, its, 2, &out), 0);
    ck_assert_uint_eq(out.n_events, 1);
    ck_assert_uint_eq(out.replayed, 1);
    ck_assert_uint_eq(its[0].reply_len, its[1].reply_len);
    ck_assert_mem_eq(its[0].reply, its[1].reply, its[0].reply_len);
    Shangju__Reply *first =
        sj_codec_reply_decode(its[0].reply, its[0].reply_len);
    sj_batch_clear(its, 2, &out);
    free(out.events);
    free(b0);
    free(b1);
    w.now += 60000;
    Shangju__Reply *again = apply1(key, &req);
    ck_assert_int_eq(again->status, 0);
    ck_assert_uint_eq(again->wish->id, first->wish->id);
    ck_assert_int_eq(again->wish->created_at, first->wish->created_at);
    shangju__reply__free_unpacked(again, NULL);
    shangju__reply__free_unpacked(first, NULL);
    /* Another client with the same request id is a different request. */
    again = apply1(keys[ROLE(BRIDGE)], &req);
    ck_assert_int_eq(again->status, ST(INVALID_ARGUMENT)); /* for whom? */
    shangju__reply__free_unpacked(again, NULL);
}
END_TEST

START_TEST(one_bad_request_rolls_back_alone)
{
    Shangju__WishPost p[3];
    Shangju__Request r[3] = {post_req(&p[0], "first", 1),
                             post_req(&p[1], "", 2), /* invalid */
                             post_req(&p[2], "third", 3)};
    sj_batch_item_t its[4];
    uint8_t *bufs[4];
    for (int i = 0; i < 3; i++)
        item(&its[i], keys[ROLE(RESIDENT)], &r[i], &bufs[i]);
    memset(&its[3], 0, sizeof its[3]); /* a malformed frame */
    memcpy(its[3].client_key, keys[ROLE(RESIDENT)], 32);
    bufs[3] = (uint8_t *)strdup("\x0a\xff\xff garbage");
    its[3].payload = bufs[3];
    its[3].len = strlen((char *)bufs[3]);
    sj_batch_out_t out = {0};
    ck_assert_int_eq(sj_batch_apply(env(), w.now, its, 4, &out), 0);
    ck_assert_uint_eq(out.n_events, 2);
    ck_assert_uint_eq(out.events[1].seq, out.events[0].seq + 1); /* gapless */
    int want[4] = {0, ST(INVALID_ARGUMENT), 0, ST(INVALID_ARGUMENT)};
    for (int i = 0; i < 4; i++) {
        Shangju__Reply *rep =
            sj_codec_reply_decode(its[i].reply, its[i].reply_len);
        ck_assert_int_eq(rep->status, want[i]);
        ck_assert_uint_eq(rep->request_id, i < 3 ? r[i].request_id : 0);
        shangju__reply__free_unpacked(rep, NULL);
        free(bufs[i]);
    }
    sj_batch_clear(its, 4, &out);
    free(out.events);
}
END_TEST

START_TEST(full_map_refuses_writes_serves_reads)
{
    world_end(&w);
    setup_map(1 << 20);
    char title[201];
    memset(title, 'w', 200);
    title[200] = '\0';
    Shangju__WishPost p;
    int status = 0;
    char reason[64] = "";
    uint64_t id;
    for (id = 1; id < 20000 && status == 0; id++) {
        Shangju__Request req = post_req(&p, title, id);
        p.details = (char *)"";
        Shangju__Reply *rep = apply1(keys[ROLE(RESIDENT)], &req);
        status = rep->status;
        snprintf(reason, sizeof reason, "%s", rep->reason ? rep->reason : "");
        shangju__reply__free_unpacked(rep, NULL);
    }
    ck_assert_int_eq(status, ST(RESOURCE_EXHAUSTED));
    ck_assert_str_eq(reason, "store.full");
    Shangju__WishList l = SHANGJU__WISH_LIST__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(WISH_LIST);
    req.wish_list = &l;
    req.request_id = id + 1;
    Shangju__Reply *rep = apply1(keys[ROLE(MERCHANT)], &req);
    ck_assert_int_eq(rep->status, 0);
    ck_assert_uint_gt(rep->wishes->n_items, 0);
    shangju__reply__free_unpacked(rep, NULL);
}
END_TEST

/* A late fulfil is refused by the handler itself, not only by the order
 * the timers fire in: with more than a batch's worth (256) of earlier
 * timers due, the claim's own lapse timer has not fired yet when the
 * fulfil arrives in the same batch. */
START_TEST(late_fulfil_is_refused)
{
    const uint8_t *res = keys[ROLE(RESIDENT)], *mer = keys[ROLE(MERCHANT)];
    uint64_t rid = 9000;
    Shangju__WishPost p;
    for (int i = 0; i < 300; i++) { /* each expires after one day */
        Shangju__Request req = post_req(&p, "expires soon", ++rid);
        p.expires_in_days = 1;
        Shangju__Reply *rep = apply1(res, &req);
        ck_assert_int_eq(rep->status, 0);
        shangju__reply__free_unpacked(rep, NULL);
    }
    Shangju__Request req = post_req(&p, "photos", ++rid);
    p.expires_in_days = 30;
    Shangju__Reply *rep = apply1(res, &req);
    ck_assert_int_eq(rep->status, 0);
    uint64_t id = rep->wish->id;
    shangju__reply__free_unpacked(rep, NULL);

    Shangju__WishClaim cl = SHANGJU__WISH_CLAIM__INIT;
    cl.id = id;
    cl.due_in_days = 2; /* due after the 300 expiries */
    shangju__request__init(&req);
    req.body_case = K(WISH_CLAIM);
    req.wish_claim = &cl;
    req.request_id = ++rid;
    rep = apply1(mer, &req);
    ck_assert_int_eq(rep->status, 0);
    shangju__reply__free_unpacked(rep, NULL);

    w.now += 3 * SJ_DAY_MS; /* every timer is due, the claim's among them */
    Shangju__WishFulfil f = SHANGJU__WISH_FULFIL__INIT;
    f.id = id;
    shangju__request__init(&req);
    req.body_case = K(WISH_FULFIL);
    req.wish_fulfil = &f;
    req.request_id = ++rid;
    sj_batch_item_t it;
    uint8_t *buf;
    sj_batch_out_t out = {0};
    item(&it, mer, &req, &buf);
    ck_assert_int_eq(sj_batch_apply(env(), w.now, &it, 1, &out), 0);
    ck_assert_uint_eq(out.timers_fired, 256); /* the claim's is still due */
    rep = sj_codec_reply_decode(it.reply, it.reply_len);
    ck_assert_ptr_nonnull(rep);
    ck_assert_msg(rep->status == ST(FAILED_PRECONDITION),
                  "late fulfil: status %d %s", rep->status, rep->message);
    shangju__reply__free_unpacked(rep, NULL);
    sj_batch_clear(&it, 1, &out);
    free(out.events);
    free(buf);
    /* Still claimed until its timer lapses it; never fulfilled. */
    ck_assert_int_eq(world_state(&w, id),
                     SHANGJU__WISH_STATE__WISH_STATE_CLAIMED);
}
END_TEST

/* The engine's environment is explicit: the stats request reports the
 * counters of the environment the batch ran with, and none without. */
START_TEST(stats_come_from_the_environment)
{
    sj_broker_stats_t st = {.started_at = 123, .batches = 4, .requests = 10};
    sj_batch_env_t e = {.store = w.store, .cfg = &w.cfg, .stats = &st};
    Shangju__AdminStats a = SHANGJU__ADMIN_STATS__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(ADMIN_STATS);
    req.admin_stats = &a;
    for (int with = 1; with >= 0; with--) {
        e.stats = with ? &st : NULL;
        req.request_id = 700 + (uint64_t)with;
        sj_batch_item_t it;
        uint8_t *buf;
        sj_batch_out_t out = {0};
        item(&it, keys[ROLE(COMMITTEE)], &req, &buf);
        ck_assert_int_eq(sj_batch_apply(&e, w.now, &it, 1, &out), 0);
        Shangju__Reply *rep = sj_codec_reply_decode(it.reply, it.reply_len);
        ck_assert_ptr_nonnull(rep);
        ck_assert_int_eq(rep->status, 0);
        ck_assert_int_eq(rep->stats->started_at, with ? 123 : 0);
        ck_assert_uint_eq(rep->stats->batches, with ? 4 : 0);
        ck_assert_uint_eq(rep->stats->requests, with ? 10 : 0);
        shangju__reply__free_unpacked(rep, NULL);
        sj_batch_clear(&it, 1, &out);
        free(out.events);
        free(buf);
    }
}
END_TEST

/* Refusals carry the stable reason code clients translate: a sample of
 * real refusals through sj_dispatch and the batch, with the codes written
 * out here (the contract), not taken from the table. */
static void expect_reason(int rc, int status, const char *code)
{
    ck_assert_int_eq(rc, status);
    ck_assert_ptr_nonnull(w.reply->reason);
    ck_assert_str_eq(w.reply->reason, code);
}

START_TEST(refusals_carry_reason_codes)
{
    uint64_t id;
    ck_assert_int_eq(world_post(&w, w.resident, "photos", 0, &id), 0);
    ck_assert_str_eq(w.reply->reason, ""); /* OK: no reason */
    expect_reason(world_move(&w, w.resident, K(WISH_CLAIM), id),
                  ST(PERMISSION_DENIED), "auth.role");
    expect_reason(world_move(&w, w.merchant, K(WISH_FULFIL), id),
                  ST(FAILED_PRECONDITION), "wish.not_claimed");
    expect_reason(world_move(&w, w.merchant, K(WISH_CLAIM), 424242),
                  ST(NOT_FOUND), "wish.not_found");
    expect_reason(world_move(&w, w.resident2, K(WISH_CANCEL), id),
                  ST(PERMISSION_DENIED), "wish.not_owner");
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_CLAIM), id), 0);
    expect_reason(world_move(&w, w.merchant2, K(WISH_CLAIM), id),
                  ST(FAILED_PRECONDITION), "wish.not_open");
    expect_reason(world_move(&w, w.merchant2, K(WISH_FULFIL), id),
                  ST(PERMISSION_DENIED), "wish.not_claimant");
    expect_reason(world_move(&w, w.resident, K(WISH_CONFIRM), id),
                  ST(FAILED_PRECONDITION), "wish.not_fulfilled");
    w.now += w.cfg.claim_due_ms;
    expect_reason(world_move(&w, w.merchant, K(WISH_FULFIL), id),
                  ST(FAILED_PRECONDITION), "wish.past_due");
    char title[SJ_MAX_TITLE + 2];
    memset(title, 'x', sizeof title - 1);
    title[sizeof title - 1] = '\0';
    expect_reason(world_post(&w, w.resident, title, 0, NULL),
                  ST(INVALID_ARGUMENT), "arg.too_long");
    expect_reason(world_post(&w, w.resident, "", 0, NULL), ST(INVALID_ARGUMENT),
                  "arg.required");
    Shangju__Request req = SHANGJU__REQUEST__INIT; /* no body */
    expect_reason(world_call(&w, w.resident, &req), ST(INVALID_ARGUMENT),
                  "arg.unknown_request");
    Shangju__MemberSuspend s = SHANGJU__MEMBER_SUSPEND__INIT;
    s.id = w.merchant2;
    req.body_case = K(MEMBER_SUSPEND);
    req.member_suspend = &s;
    ck_assert_int_eq(world_call(&w, w.committee, &req), 0);
    expect_reason(world_call(&w, w.committee, &req), ST(FAILED_PRECONDITION),
                  "member.already_suspended");
    expect_reason(world_move(&w, w.merchant2, K(WISH_GET), id),
                  ST(PERMISSION_DENIED), "auth.suspended");

    /* Refusals made by the engine itself, before any handler. */
    uint8_t stranger[32];
    memset(stranger, 0x77, sizeof stranger);
    Shangju__Ping ping = SHANGJU__PING__INIT;
    shangju__request__init(&req);
    req.body_case = K(PING);
    req.ping = &ping;
    req.request_id = 9001;
    Shangju__Reply *rep = apply1(stranger, &req);
    ck_assert_str_eq(rep->reason, "auth.unknown_key");
    shangju__reply__free_unpacked(rep, NULL);
    req.request_id = 0;
    rep = apply1(keys[ROLE(RESIDENT)], &req);
    ck_assert_str_eq(rep->reason, "arg.no_request_id");
    shangju__reply__free_unpacked(rep, NULL);
}
END_TEST

/* Put key -> val in a named table behind the store's back (a damaged
 * record, as a bad disk would leave it). */
static void damage(const char *table, const void *key, size_t klen,
                   const void *val, size_t vlen)
{
    sj_store_close(&w.store);
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    ck_assert_int_eq(mdb_env_create(&env), 0);
    ck_assert_int_eq(mdb_env_set_maxdbs(env, 64), 0);
    ck_assert_int_eq(mdb_env_open(env, w.dir, 0, 0600), 0);
    ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
    ck_assert_int_eq(mdb_dbi_open(txn, table, 0, &dbi), 0);
    MDB_val k = {klen, (void *)key}, d = {vlen, (void *)val};
    ck_assert_int_eq(mdb_put(txn, dbi, &k, &d, 0), 0);
    ck_assert_int_eq(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
    ck_assert_int_eq(sj_store_open(w.dir, 0, &w.store, NULL), 0);
}

/* Store errors stick to the transaction they happen in (a record that does
 * not decode too): the batch reads each caller and each dedup entry in the
 * request's own nested transaction, and scans the timers in one of its
 * own, so damage fails what touches it and the rest of the batch commits. */
/* Issue 13: an event is capped at a page's bytes, so one always fits a
 * Replay page and a reply. The field limits keep every real record far
 * below it; a handler emitting a larger one gets SJ_EINVAL and nothing is
 * logged or queued. */
START_TEST(events_are_capped_at_a_page)
{
    sj_txn_t *t;
    ck_assert_int_eq(sj_txn_begin(w.store, true, &t), 0);
    sj_call_t c;
    sj_call_init(&c, t, NULL, w.now, &w.cfg);
    Shangju__Wish wish = SHANGJU__WISH__INIT;
    wish.id = 1;
    wish.title = (char *)"a wish";
    wish.state = SHANGJU__WISH_STATE__WISH_STATE_OPEN;
    char *big = malloc(SJ_MAX_PAGE_BYTES + 1);
    ck_assert_ptr_nonnull(big);
    memset(big, 'x', SJ_MAX_PAGE_BYTES);
    big[SJ_MAX_PAGE_BYTES] = 0;
    wish.details = big;
    ck_assert_int_eq(sj_call_emit_wish(&c, SJ_TOPIC_WISH_POSTED, &wish),
                     SJ_EINVAL);
    ck_assert_uint_eq(c.n_events, 0);
    big[SJ_MAX_PAGE_BYTES - 1024] = 0; /* under the cap: logged */
    ck_assert_int_eq(sj_call_emit_wish(&c, SJ_TOPIC_WISH_POSTED, &wish), 0);
    ck_assert_uint_eq(c.n_events, 1);
    free(big);
    sj_call_end(&c);
    sj_txn_abort(&t);
}
END_TEST

START_TEST(a_damaged_record_fails_its_request_alone)
{
    Shangju__Request who = SHANGJU__REQUEST__INIT;
    Shangju__WhoAmI wb = SHANGJU__WHO_AM_I__INIT;
    who.body_case = K(WHOAMI);
    who.whoami = &wb;
    who.request_id = 1;
    Shangju__Reply *rep = apply1(keys[ROLE(MERCHANT)], &who);
    ck_assert_int_eq(rep->status, 0);
    uint8_t id[8];
    for (int i = 0; i < 8; i++)
        id[i] = (uint8_t)(rep->member->id >> (56 - 8 * i));
    shangju__reply__free_unpacked(rep, NULL);
    static const uint8_t garbage[] = {0xff, 0xff, 0xff}; /* no protobuf */
    damage("members", id, sizeof id, garbage, sizeof garbage);
    damage("timers", "bad", 3, "", 0);

    Shangju__WishPost p;
    Shangju__Request post = post_req(&p, "still served", 2);
    who.request_id = 3;
    sj_batch_item_t its[2];
    uint8_t *bufs[2];
    item(&its[0], keys[ROLE(MERCHANT)], &who, &bufs[0]);
    item(&its[1], keys[ROLE(RESIDENT)], &post, &bufs[1]);
    sj_batch_out_t out = {0};
    ck_assert_int_eq(sj_batch_apply(env(), w.now, its, 2, &out), 0);
    int want[2] = {ST(INTERNAL), 0};
    for (int i = 0; i < 2; i++) {
        rep = sj_codec_reply_decode(its[i].reply, its[i].reply_len);
        ck_assert_int_eq(rep->status, want[i]);
        shangju__reply__free_unpacked(rep, NULL);
        free(bufs[i]);
    }
    ck_assert_uint_eq(out.n_events, 1); /* the post, committed */
    sj_batch_clear(its, 2, &out);
    free(out.events);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("batch");
    TCase *tc = tcase_create("batch");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, every_request_by_every_role);
    tcase_add_test(tc, suspended_and_unknown_callers);
    tcase_add_test(tc, retry_gets_the_original_reply);
    tcase_add_test(tc, one_bad_request_rolls_back_alone);
    tcase_add_test(tc, full_map_refuses_writes_serves_reads);
    tcase_add_test(tc, late_fulfil_is_refused);
    tcase_add_test(tc, stats_come_from_the_environment);
    tcase_add_test(tc, refusals_carry_reason_codes);
    tcase_add_test(tc, a_damaged_record_fails_its_request_alone);
    tcase_add_test(tc, events_are_capped_at_a_page);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}

SJ_CHECK_MAIN(suite)
