/* Group commit and authorisation through sj_batch_apply, the path every
 * network request takes: the role rule table for every request type x role
 * (against an expected matrix written here, independently), suspended and
 * unknown callers, dedup of retries, per-request rollback inside a batch,
 * malformed frames, and a full map that still serves reads. */
#include <check.h>

#include "check_main.h"
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "codec.h"
#include "world.h"

#define K(x) SHANGJU__REQUEST__BODY_##x
#define ST(x) SHANGJU__STATUS__STATUS_##x
#define ROLE(x) SHANGJU__ROLE__ROLE_##x

static world_t w;
static uint8_t keys[5][32]; /* [role]: a member of each role, by key */

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
    for (int r = ROLE(RESIDENT); r <= ROLE(BRIDGE); r++)
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
    ck_assert_int_eq(sj_batch_apply(w.store, &w.cfg, w.now, &it, 1, &out), 0);
    Shangju__Reply *r = sj_codec_reply_decode(it.reply, it.reply_len);
    ck_assert_ptr_nonnull(r);
    sj_batch_clear(&it, 1, &out);
    free(out.events);
    free(buf);
    return r;
}

/* Who may send what: the product's rules, restated independently of
 * broker/dispatch.c. Index: request kind; bits: resident, merchant,
 * committee, bridge. */
struct expect {
    Shangju__Request__BodyCase kind;
    const char *allowed; /* letters: r m c b */
};

static const struct expect matrix[] = {
    {K(PING), "rmcb"},
    {K(WHOAMI), "rmcb"},
    {K(REPLAY), "rmcb"},
    {K(MEMBER_ADD), "c"},
    {K(MEMBER_LIST), "c"},
    {K(MEMBER_GET), "rmcb"},
    {K(MEMBER_SUSPEND), "c"},
    {K(WISH_POST), "rcb"},
    {K(WISH_LIST), "rmcb"},
    {K(WISH_GET), "rmcb"},
    {K(WISH_CANCEL), "rcb"},
    {K(WISH_CLAIM), "m"},
    {K(WISH_RELEASE), "mc"},
    {K(WISH_FULFIL), "m"},
    {K(WISH_CONFIRM), "rcb"},
    {K(MEMBER_REKEY), "rmcb"},
    {K(ADMIN_STATS), "c"},
    {K(ADMIN_BACKUP), "c"},
    {K(ADMIN_VERIFY), "c"},
    {K(LISTING_PUT), "mc"},
    {K(LISTING_GET), "rmcb"},
    {K(LISTING_LIST), "rmcb"},
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
    {K(COMPACT_GET), "rmcb"},
    {K(COMPACT_LIST), "rmcb"},
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
    const char letters[] = {[ROLE(RESIDENT)] = 'r',
                            [ROLE(MERCHANT)] = 'm',
                            [ROLE(COMMITTEE)] = 'c',
                            [ROLE(BRIDGE)] = 'b'};
    for (size_t i = 0; i < sizeof matrix / sizeof matrix[0]; i++) {
        for (int r = ROLE(RESIDENT); r <= ROLE(BRIDGE); r++) {
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
    ck_assert_int_eq(sj_batch_apply(w.store, &w.cfg, w.now, its, 2, &out), 0);
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
    ck_assert_int_eq(sj_batch_apply(w.store, &w.cfg, w.now, its, 4, &out), 0);
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
    uint64_t id;
    for (id = 1; id < 20000 && status == 0; id++) {
        Shangju__Request req = post_req(&p, title, id);
        p.details = (char *)"";
        Shangju__Reply *rep = apply1(keys[ROLE(RESIDENT)], &req);
        status = rep->status;
        shangju__reply__free_unpacked(rep, NULL);
    }
    ck_assert_int_eq(status, ST(RESOURCE_EXHAUSTED));
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
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}

SJ_CHECK_MAIN(suite)
