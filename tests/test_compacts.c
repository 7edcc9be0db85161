/* Compacts (六约), in process: every action in every state by every kind of
 * caller (committee or not, party or not), the version hash and old-version
 * signatures, input limits, the term's timers (and stale ones), complaints,
 * ratings and results, the signed notice, the QR link and paging. */
#include <check.h>

#include "check_main.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compacts.h"
#include "notice.h"
#include "sj_limits.h"
#include "world.h"

#define K(x) SHANGJU__REQUEST__BODY_##x
#define ST(x) SHANGJU__STATUS__STATUS_##x
#define CS(x) SHANGJU__COMPACT_STATE__COMPACT_STATE_##x
#define ROLE(x) SHANGJU__ROLE__ROLE_##x

static world_t w;
static uint64_t committee2; /* a committee member who is not a party */

static void setup(void)
{
    world_init(&w, 0);
    ck_assert_int_eq(sj_signer_generate(&w.signer), 0);
    committee2 = world_add(&w, ROLE(COMMITTEE), "Committee Two", 0);
}

static void teardown(void)
{
    world_end(&w);
}

/* Fire every due timer (wish or compact) until none is due. */
static unsigned tick(void)
{
    unsigned events = 0;
    for (int round = 0; round < 10; round++) {
        sj_txn_t *txn;
        ck_assert_int_eq(sj_txn_begin(w.store, true, &txn), 0);
        sj_timer_t due[64];
        size_t n;
        ck_assert_int_eq(sj_timer_due(txn, w.now, due, 64, &n), 0);
        for (size_t i = 0; i < n; i++) {
            sj_txn_t *child;
            ck_assert_int_eq(sj_txn_begin_nested(txn, &child), 0);
            sj_call_t c;
            sj_call_init(&c, child, NULL, w.now, &w.cfg);
            int rc = due[i].kind >= SJ_TIMER_COMPACT_START
                         ? sj_compact_timer_fire(&c, &due[i])
                         : sj_wish_timer_fire(&c, &due[i]);
            ck_assert_int_eq(rc, 0);
            events += (unsigned)c.n_events;
            sj_call_end(&c);
            ck_assert_int_eq(sj_txn_commit(&child), 0);
        }
        ck_assert_int_eq(sj_txn_commit(&txn), 0);
        if (n == 0)
            break;
    }
    return events;
}

/* ------------------------------------------------------------- requests */

static Shangju__ServiceItem item(uint64_t giver, uint64_t receiver,
                                 const char *what, const char *how)
{
    Shangju__ServiceItem it = SHANGJU__SERVICE_ITEM__INIT;
    it.giver_id = giver;
    it.receiver_id = receiver;
    it.what = (char *)what;
    it.how_often = (char *)how;
    return it;
}

/* The usual draft: parties committee, merchant, resident; item 1 given by
 * the merchant to the community, item 2 by the resident to the merchant,
 * item 3 by the committee; the term from a day to ten days from now. */
typedef struct {
    Shangju__CompactDraft d;
    uint64_t parties[3];
    Shangju__ServiceItem items[3];
    Shangju__ServiceItem *ptrs[3];
} draft_t;

static void draft_init(draft_t *x)
{
    Shangju__CompactDraft d = SHANGJU__COMPACT_DRAFT__INIT;
    x->d = d;
    x->parties[0] = w.committee;
    x->parties[1] = w.merchant;
    x->parties[2] = w.resident;
    x->items[0] = item(w.merchant, 0, "免费理发 Free haircuts for elders",
                       "every Saturday");
    x->items[1] = item(w.resident, w.merchant, "Help at the shop", "weekly");
    x->items[2] = item(w.committee, 0, "Venue for the fair", "");
    for (int i = 0; i < 3; i++)
        x->ptrs[i] = &x->items[i];
    x->d.title = (char *)"金桥社区共建公约 Jinqiao compact";
    x->d.term_start = w.now + SJ_DAY_MS;
    x->d.term_end = w.now + 10 * SJ_DAY_MS;
    x->d.parties = x->parties;
    x->d.n_parties = 3;
    x->d.items = x->ptrs;
    x->d.n_items = 3;
    x->d.covenant = (char *)"Be kind.\nKeep your word.";
}

static int send_draft(uint64_t as, Shangju__CompactDraft *d, uint64_t *id)
{
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(COMPACT_DRAFT);
    req.compact_draft = d;
    int rc = world_call(&w, as, &req);
    if (rc == 0 && id)
        *id = w.reply->compact->id;
    return rc;
}

static uint64_t draft(void)
{
    draft_t x;
    draft_init(&x);
    uint64_t id;
    ck_assert_int_eq(send_draft(w.committee, &x.d, &id), 0);
    return id;
}

/* Fetch compact id (whole); the record lives until the next call. */
static const Shangju__Compact *get(uint64_t id)
{
    Shangju__CompactGet g = SHANGJU__COMPACT_GET__INIT;
    g.id = id;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(COMPACT_GET);
    req.compact_get = &g;
    ck_assert_int_eq(world_call(&w, w.resident2, &req), 0);
    return w.reply->compact;
}

static int sign_as(uint64_t as, uint64_t id, uint32_t version,
                   const uint8_t hash[32])
{
    Shangju__CompactSign s = SHANGJU__COMPACT_SIGN__INIT;
    s.id = id;
    s.version = version;
    s.version_hash.data = (uint8_t *)hash;
    s.version_hash.len = 32;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(COMPACT_SIGN);
    req.compact_sign = &s;
    return world_call(&w, as, &req);
}

/* Sign the current version as `as`. */
static int sign(uint64_t as, uint64_t id)
{
    const Shangju__Compact *cp = get(id);
    uint8_t hash[32];
    ck_assert_uint_eq(cp->version_hash.len, 32);
    memcpy(hash, cp->version_hash.data, 32);
    return sign_as(as, id, cp->version, hash);
}

/* Every request a test sends about one compact, filled with valid
 * arguments for the caller. */
typedef struct {
    Shangju__Request req;
    draft_t draft;
    Shangju__CompactEdit edit;
    Shangju__CompactSign sign;
    Shangju__CompactPublish publish;
    Shangju__CompactPerform perform;
    Shangju__CompactComplain complain;
    Shangju__CompactResolve resolve;
    Shangju__CompactRate rate;
    Shangju__CompactClose close;
    Shangju__CompactGet get;
    Shangju__CompactList list;
    uint8_t hash[32];
} any_t;

static Shangju__Request *make(any_t *a, Shangju__Request__BodyCase kind,
                              uint64_t id, uint64_t as)
{
    Shangju__Request r = SHANGJU__REQUEST__INIT;
    a->req = r;
    a->req.body_case = kind;
    switch (kind) {
    case K(COMPACT_DRAFT):
        draft_init(&a->draft);
        a->req.compact_draft = &a->draft.d;
        break;
    case K(COMPACT_EDIT):
        draft_init(&a->draft);
        shangju__compact_edit__init(&a->edit);
        a->edit.id = id;
        a->edit.items = a->draft.ptrs;
        a->edit.n_items = 2;
        a->req.compact_edit = &a->edit;
        break;
    case K(COMPACT_SIGN): {
        const Shangju__Compact *cp = get(id);
        shangju__compact_sign__init(&a->sign);
        memcpy(a->hash, cp->version_hash.data, 32);
        a->sign.id = id;
        a->sign.version = cp->version;
        a->sign.version_hash.data = a->hash;
        a->sign.version_hash.len = 32;
        a->req.compact_sign = &a->sign;
        break;
    }
    case K(COMPACT_PUBLISH):
        shangju__compact_publish__init(&a->publish);
        a->publish.id = id;
        a->req.compact_publish = &a->publish;
        break;
    case K(COMPACT_PERFORM):
        shangju__compact_perform__init(&a->perform);
        a->perform.id = id;
        a->perform.item_id = 1; /* the merchant gives it */
        a->perform.note = (char *)"six elders today";
        a->req.compact_perform = &a->perform;
        break;
    case K(COMPACT_COMPLAIN):
        shangju__compact_complain__init(&a->complain);
        a->complain.id = id;
        a->complain.against_id = as == w.merchant ? w.resident : w.merchant;
        a->complain.text = (char *)"The shop was closed on Saturday";
        a->req.compact_complain = &a->complain;
        break;
    case K(COMPACT_RESOLVE):
        shangju__compact_resolve__init(&a->resolve);
        a->resolve.id = id;
        a->resolve.complaint_id = 1;
        a->resolve.resolution = (char *)"Talked it over; it reopens";
        a->req.compact_resolve = &a->resolve;
        break;
    case K(COMPACT_RATE):
        shangju__compact_rate__init(&a->rate);
        a->rate.id = id;
        a->rate.of_id = as == w.merchant ? w.resident : w.merchant;
        a->rate.stars = 4;
        a->req.compact_rate = &a->rate;
        break;
    case K(COMPACT_CLOSE):
        shangju__compact_close__init(&a->close);
        a->close.id = id;
        a->req.compact_close = &a->close;
        break;
    case K(COMPACT_GET):
        shangju__compact_get__init(&a->get);
        a->get.id = id;
        a->req.compact_get = &a->get;
        break;
    case K(COMPACT_LIST):
        shangju__compact_list__init(&a->list);
        a->req.compact_list = &a->list;
        break;
    default:
        ck_abort_msg("not a compact request");
    }
    return &a->req;
}

static int act(Shangju__Request__BodyCase kind, uint64_t id, uint64_t as)
{
    any_t a;
    Shangju__Request *req = make(&a, kind, id, as);
    return world_call(&w, as, req);
}

/* A compact brought into state s by the normal moves. From ACTIVE on it
 * holds one complaint (by resident2 against the merchant), still open. */
static uint64_t compact_in(Shangju__CompactState s)
{
    uint64_t id = draft();
    const Shangju__Compact *cp = get(id);
    int64_t start = cp->term_start, end = cp->term_end;
    if (s >= CS(SIGNED)) {
        ck_assert_int_eq(sign(w.committee, id), 0);
        ck_assert_int_eq(sign(w.merchant, id), 0);
        ck_assert_int_eq(get(id)->state, CS(NEGOTIATING));
        ck_assert_int_eq(sign(w.resident, id), 0);
    }
    if (s >= CS(PUBLISHED))
        ck_assert_int_eq(act(K(COMPACT_PUBLISH), id, w.committee), 0);
    if (s >= CS(ACTIVE)) {
        w.now = start;
        tick();
        ck_assert_int_eq(act(K(COMPACT_COMPLAIN), id, w.resident2), 0);
    }
    if (s >= CS(EVALUATING)) {
        w.now = end;
        tick();
    }
    if (s >= CS(CLOSED))
        ck_assert_int_eq(act(K(COMPACT_CLOSE), id, w.committee), 0);
    ck_assert_int_eq(get(id)->state, s);
    return id;
}

/* ------------------------------------------------------ the whole matrix */

typedef struct {
    const char *name;
    uint64_t *id;
} actor_t;

static bool is_party(uint64_t id)
{
    return id == w.committee || id == w.merchant || id == w.resident;
}

static bool is_committee(uint64_t id)
{
    return id == w.committee || id == committee2;
}

static bool is_resident(uint64_t id)
{
    return id == w.resident || id == w.resident2;
}

/* The rules, written out: what each caller gets for each action in each
 * state (the requests carry valid arguments for that caller). */
static int expected(Shangju__CompactState s, Shangju__Request__BodyCase k,
                    uint64_t x)
{
    bool party = is_party(x), comm = is_committee(x);
    const int ok = 0, denied = ST(PERMISSION_DENIED),
              wrong = ST(FAILED_PRECONDITION);
    switch (k) {
    case K(COMPACT_GET):
    case K(COMPACT_LIST):
        return ok;
    case K(COMPACT_DRAFT):
        return comm ? ok : denied;
    case K(COMPACT_EDIT):
        return !(party || comm) ? denied : s != CS(NEGOTIATING) ? wrong : ok;
    case K(COMPACT_SIGN):
        return !party ? denied : s != CS(NEGOTIATING) ? wrong : ok;
    case K(COMPACT_PUBLISH):
        return !comm ? denied : s != CS(SIGNED) ? wrong : ok;
    case K(COMPACT_PERFORM): /* item 1: the merchant gives it */
        if (!(party || comm))
            return denied;
        if (s != CS(ACTIVE))
            return wrong;
        return x == w.merchant || comm ? ok : denied;
    case K(COMPACT_COMPLAIN):
        return !(party || is_resident(x)) ? denied
               : s != CS(ACTIVE)          ? wrong
                                          : ok;
    case K(COMPACT_RESOLVE):
        return !comm                                    ? denied
               : s != CS(ACTIVE) && s != CS(EVALUATING) ? wrong
                                                        : ok;
    case K(COMPACT_RATE):
        return !party ? denied : s != CS(EVALUATING) ? wrong : ok;
    case K(COMPACT_CLOSE):
        return !comm ? denied : s != CS(EVALUATING) ? wrong : ok;
    default:
        ck_abort_msg("no rule");
    }
    return -1;
}

START_TEST(every_action_in_every_state_by_every_caller)
{
    const actor_t actors[] = {
        {"committee (party)", &w.committee},
        {"committee (not a party)", &committee2},
        {"merchant (party, gives item 1)", &w.merchant},
        {"resident (party)", &w.resident},
        {"merchant (not a party)", &w.merchant2},
        {"resident (not a party)", &w.resident2},
        {"bridge", &w.bridge},
    };
    const Shangju__Request__BodyCase kinds[] = {
        K(COMPACT_DRAFT),   K(COMPACT_EDIT),    K(COMPACT_SIGN),
        K(COMPACT_PUBLISH), K(COMPACT_PERFORM), K(COMPACT_COMPLAIN),
        K(COMPACT_RESOLVE), K(COMPACT_RATE),    K(COMPACT_CLOSE),
        K(COMPACT_GET),     K(COMPACT_LIST),
    };
    unsigned cells = 0, oks = 0;
    for (int s = CS(NEGOTIATING); s <= CS(CLOSED); s++) {
        uint64_t id = compact_in(s);
        for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
            for (size_t a = 0; a < sizeof actors / sizeof *actors; a++) {
                uint64_t x = *actors[a].id;
                int want = expected(s, kinds[k], x);
                int got = act(kinds[k], id, x);
                ck_assert_msg(got == want,
                              "state %d, request %d, %s: got %d (%s), "
                              "expected %d",
                              s, (int)kinds[k], actors[a].name, got,
                              w.reply->message, want);
                if (got != 0)
                    ck_assert_uint_eq(w.events, 0);
                cells++;
                bool reads = kinds[k] == K(COMPACT_GET) ||
                             kinds[k] == K(COMPACT_LIST) ||
                             kinds[k] == K(COMPACT_DRAFT);
                if (got == 0 && !reads) {
                    oks++;
                    ck_assert_uint_ge(w.events, 1);
                    id = compact_in(s); /* start again from state s */
                }
            }
    }
    ck_assert_uint_eq(cells, 6 * 11 * 7);
    ck_assert_uint_gt(oks, 20);
}
END_TEST

START_TEST(unknown_compact)
{
    const Shangju__Request__BodyCase kinds[] = {
        K(COMPACT_EDIT),     K(COMPACT_PUBLISH), K(COMPACT_PERFORM),
        K(COMPACT_COMPLAIN), K(COMPACT_RESOLVE), K(COMPACT_RATE),
        K(COMPACT_CLOSE),    K(COMPACT_GET),
    };
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
        ck_assert_int_eq(act(kinds[k], 999, w.committee), ST(NOT_FOUND));
    uint8_t h[32] = {0};
    ck_assert_int_eq(sign_as(w.merchant, 999, 1, h), ST(NOT_FOUND));
}
END_TEST

/* ------------------------------------------------ versions and signing */

static void expect_hash(const Shangju__Compact *cp)
{
    Shangju__Compact v = SHANGJU__COMPACT__INIT;
    v.id = cp->id;
    v.title = cp->title;
    v.term_start = cp->term_start;
    v.term_end = cp->term_end;
    v.n_parties = cp->n_parties;
    v.parties = cp->parties;
    v.version = cp->version;
    v.n_items = cp->n_items;
    v.items = cp->items;
    v.covenant = cp->covenant;
    uint8_t buf[65536], h[32];
    size_t len = protobuf_c_message_get_packed_size(&v.base);
    ck_assert_uint_le(len, sizeof buf);
    protobuf_c_message_pack(&v.base, buf);
    crypto_hash_sha256(h, buf, len);
    ck_assert_uint_eq(cp->version_hash.len, 32);
    ck_assert_mem_eq(cp->version_hash.data, h, 32);
}

START_TEST(old_version_signature_does_not_count)
{
    uint64_t id = draft();
    const Shangju__Compact *cp = get(id);
    ck_assert_uint_eq(cp->version, 1);
    expect_hash(cp);
    uint8_t v1[32];
    memcpy(v1, cp->version_hash.data, 32);
    ck_assert_int_eq(sign_as(w.merchant, id, 1, v1), 0);
    ck_assert_uint_eq(w.reply->compact->n_signatures, 1);
    ck_assert_int_eq(sign_as(w.merchant, id, 1, v1), ST(ALREADY_EXISTS));
    /* An edit after signing voids earlier signatures. */
    ck_assert_int_eq(act(K(COMPACT_EDIT), id, w.resident), 0);
    ck_assert_uint_eq(w.events, 1);
    cp = get(id);
    ck_assert_uint_eq(cp->version, 2);
    ck_assert_uint_eq(cp->n_signatures, 0);
    ck_assert_uint_eq(cp->n_items, 2);
    ck_assert_str_eq(cp->covenant, "Be kind.\nKeep your word."); /* kept */
    expect_hash(cp);
    ck_assert_mem_ne(cp->version_hash.data, v1, 32);
    uint8_t v2[32];
    memcpy(v2, cp->version_hash.data, 32);
    /* The old version, the old hash with the new number, a wrong hash,
     * a short hash: none counts. */
    ck_assert_int_eq(sign_as(w.merchant, id, 1, v1), ST(FAILED_PRECONDITION));
    ck_assert_int_eq(sign_as(w.merchant, id, 2, v1), ST(FAILED_PRECONDITION));
    ck_assert_int_eq(sign_as(w.merchant, id, 1, v2), ST(FAILED_PRECONDITION));
    uint8_t bad[32];
    memcpy(bad, v2, 32);
    bad[31] ^= 1;
    ck_assert_int_eq(sign_as(w.merchant, id, 2, bad), ST(FAILED_PRECONDITION));
    ck_assert_uint_eq(get(id)->n_signatures, 0);
    /* The current one counts; when all three signed it is SIGNED. */
    ck_assert_int_eq(sign_as(w.merchant, id, 2, v2), 0);
    ck_assert_int_eq(sign_as(w.committee, id, 2, v2), 0);
    ck_assert_int_eq(w.reply->compact->state, CS(NEGOTIATING));
    ck_assert_int_eq(sign_as(w.resident, id, 2, v2), 0);
    ck_assert_int_eq(w.reply->compact->state, CS(SIGNED));
    cp = get(id);
    ck_assert_uint_eq(cp->n_signatures, 3);
    for (size_t i = 0; i < 3; i++) {
        ck_assert_uint_eq(cp->signatures[i]->version, 2);
        ck_assert_mem_eq(cp->signatures[i]->version_hash.data, v2, 32);
    }
    /* Signed: no more edits or signatures. */
    ck_assert_int_eq(act(K(COMPACT_EDIT), id, w.committee),
                     ST(FAILED_PRECONDITION));
    ck_assert_int_eq(sign_as(w.merchant, id, 2, v2), ST(FAILED_PRECONDITION));
}
END_TEST

START_TEST(non_party_cannot_sign_rate_or_perform)
{
    /* Signing: not even the committee signs for a party. */
    uint64_t id = draft();
    const uint64_t outsiders[] = {committee2, w.merchant2, w.resident2,
                                  w.bridge};
    for (size_t i = 0; i < 4; i++)
        ck_assert_int_eq(sign(outsiders[i], id), ST(PERMISSION_DENIED));
    ck_assert_uint_eq(get(id)->n_signatures, 0);
    /* Performing: outsiders, and parties who do not give the item. */
    id = compact_in(CS(ACTIVE));
    for (size_t i = 1; i < 4; i++)
        ck_assert_int_eq(act(K(COMPACT_PERFORM), id, outsiders[i]),
                         ST(PERMISSION_DENIED));
    ck_assert_int_eq(act(K(COMPACT_PERFORM), id, w.resident),
                     ST(PERMISSION_DENIED));
    ck_assert_uint_eq(get(id)->n_performances, 0);
    /* Rating: only parties, and only others. */
    id = compact_in(CS(EVALUATING));
    for (size_t i = 0; i < 4; i++)
        ck_assert_int_eq(act(K(COMPACT_RATE), id, outsiders[i]),
                         ST(PERMISSION_DENIED));
    ck_assert_uint_eq(get(id)->n_ratings, 0);
}
END_TEST

/* --------------------------------------------------------------- limits */

START_TEST(draft_limits)
{
    draft_t x;
    char big[4100];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
#define EXPECT(status)                                                         \
    do {                                                                       \
        ck_assert_int_eq(send_draft(w.committee, &x.d, NULL), status);         \
        draft_init(&x);                                                        \
    } while (0)
    draft_init(&x);
    EXPECT(0);
    x.d.title = (char *)"";
    EXPECT(ST(INVALID_ARGUMENT));
    big[201] = '\0';
    x.d.title = big;
    EXPECT(ST(INVALID_ARGUMENT));
    big[201] = 'a';
    x.d.title = (char *)"line\nbreak";
    EXPECT(ST(INVALID_ARGUMENT));
    x.d.term_end = x.d.term_start;
    EXPECT(ST(INVALID_ARGUMENT));
    x.d.term_start = 0;
    EXPECT(ST(INVALID_ARGUMENT));
    x.d.n_parties = 1;
    x.d.n_items = 0;
    EXPECT(ST(INVALID_ARGUMENT));
    x.parties[2] = w.merchant; /* twice */
    EXPECT(ST(INVALID_ARGUMENT));
    x.parties[2] = 999;
    EXPECT(ST(NOT_FOUND));
    x.parties[2] = w.bridge;
    EXPECT(ST(INVALID_ARGUMENT));
    /* More than 50 parties. */
    uint64_t many[51];
    for (int i = 0; i < 51; i++)
        many[i] = i < 3 ? x.parties[i] : 1000 + (uint64_t)i;
    x.d.parties = many;
    x.d.n_parties = 51;
    EXPECT(ST(INVALID_ARGUMENT));
    /* Items: the giver and the receiver must be parties. */
    x.items[0].giver_id = w.merchant2;
    EXPECT(ST(INVALID_ARGUMENT));
    x.items[0].giver_id = 0;
    EXPECT(ST(INVALID_ARGUMENT));
    x.items[1].receiver_id = w.resident2;
    EXPECT(ST(INVALID_ARGUMENT));
    x.items[1].receiver_id = w.resident; /* to itself */
    EXPECT(ST(INVALID_ARGUMENT));
    x.items[2].what = (char *)"";
    EXPECT(ST(INVALID_ARGUMENT));
    big[201] = '\0';
    x.items[2].what = big;
    EXPECT(ST(INVALID_ARGUMENT));
    big[201] = 'a';
    x.items[2].what = (char *)"two\nlines";
    EXPECT(ST(INVALID_ARGUMENT));
    big[51] = '\0';
    x.items[2].how_often = big;
    EXPECT(ST(INVALID_ARGUMENT));
    big[51] = 'a';
    big[50] = '\0';
    x.items[2].how_often = big; /* exactly 50 */
    EXPECT(0);
    big[50] = 'a';
    big[4001] = '\0';
    x.d.covenant = big;
    EXPECT(ST(INVALID_ARGUMENT));
    big[4000] = '\0';
    x.d.covenant = big; /* exactly 4000 */
    EXPECT(0);
    /* 51 items are too many; 50 are fine, numbered 1..50. */
    Shangju__ServiceItem *ptrs[51];
    for (int i = 0; i < 51; i++)
        ptrs[i] = &x.items[i % 3];
    x.d.items = ptrs;
    x.d.n_items = 51;
    EXPECT(ST(INVALID_ARGUMENT));
    for (int i = 0; i < 51; i++)
        ptrs[i] = &x.items[i % 3];
    x.d.items = ptrs;
    x.items[0].id = 77; /* ids given are renumbered */
    x.d.n_items = 50;
    uint64_t id;
    ck_assert_int_eq(send_draft(w.committee, &x.d, &id), 0);
    const Shangju__Compact *cp = get(id);
    ck_assert_uint_eq(cp->n_items, 50);
    for (uint32_t i = 0; i < 50; i++)
        ck_assert_uint_eq(cp->items[i]->id, i + 1);
    ck_assert_uint_eq(cp->version, 1);
    ck_assert_int_eq(cp->state, CS(NEGOTIATING));
    ck_assert_uint_eq(cp->created_by, w.committee);
    /* A suspended member cannot become a party. */
    Shangju__MemberSuspend su = SHANGJU__MEMBER_SUSPEND__INIT;
    su.id = w.merchant2;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(MEMBER_SUSPEND);
    req.member_suspend = &su;
    ck_assert_int_eq(world_call(&w, w.committee, &req), 0);
    draft_init(&x);
    x.parties[2] = w.merchant2;
    x.d.n_items = 1;
    EXPECT(ST(FAILED_PRECONDITION));
#undef EXPECT
}
END_TEST

/* ------------------------------------------------------ the term, timers */

START_TEST(term_timers_move_the_compact)
{
    uint64_t id = compact_in(CS(PUBLISHED));
    const Shangju__Compact *cp = get(id);
    int64_t start = cp->term_start, end = cp->term_end;
    w.now = start - 1;
    ck_assert_uint_eq(tick(), 0);
    ck_assert_int_eq(get(id)->state, CS(PUBLISHED));
    w.now = start;
    ck_assert_uint_eq(tick(), 1); /* compact.activated */
    ck_assert_int_eq(get(id)->state, CS(ACTIVE));
    w.now = end - 1;
    ck_assert_uint_eq(tick(), 0);
    w.now = end;
    ck_assert_uint_eq(tick(), 1); /* compact.evaluating */
    ck_assert_int_eq(get(id)->state, CS(EVALUATING));
    /* Published after the term began: active at once; after it ended,
     * through to evaluating. */
    draft_t x;
    draft_init(&x);
    x.d.term_start = w.now - 5 * SJ_DAY_MS;
    x.d.term_end = w.now + 5 * SJ_DAY_MS;
    ck_assert_int_eq(send_draft(w.committee, &x.d, &id), 0);
    ck_assert_int_eq(sign(w.committee, id), 0);
    ck_assert_int_eq(sign(w.merchant, id), 0);
    ck_assert_int_eq(sign(w.resident, id), 0);
    ck_assert_int_eq(act(K(COMPACT_PUBLISH), id, w.committee), 0);
    ck_assert_uint_eq(tick(), 1);
    ck_assert_int_eq(get(id)->state, CS(ACTIVE));
    x.d.term_end = w.now - SJ_DAY_MS;
    ck_assert_int_eq(send_draft(w.committee, &x.d, &id), 0);
    ck_assert_int_eq(sign(w.committee, id), 0);
    ck_assert_int_eq(sign(w.merchant, id), 0);
    ck_assert_int_eq(sign(w.resident, id), 0);
    ck_assert_int_eq(act(K(COMPACT_PUBLISH), id, w.committee), 0);
    ck_assert_uint_eq(tick(), 2);
    ck_assert_int_eq(get(id)->state, CS(EVALUATING));
}
END_TEST

START_TEST(stale_timers_are_dropped)
{
    uint64_t id = draft();
    sj_txn_t *txn;
    ck_assert_int_eq(sj_txn_begin(w.store, true, &txn), 0);
    sj_timer_t tm = {.due = w.now, .kind = SJ_TIMER_COMPACT_START, .id = id};
    ck_assert_int_eq(sj_timer_set(txn, &tm), 0);
    tm.kind = SJ_TIMER_COMPACT_END;
    ck_assert_int_eq(sj_timer_set(txn, &tm), 0);
    tm.id = 999; /* no such compact */
    ck_assert_int_eq(sj_timer_set(txn, &tm), 0);
    ck_assert_int_eq(sj_txn_commit(&txn), 0);
    ck_assert_uint_eq(tick(), 0);
    ck_assert_int_eq(get(id)->state, CS(NEGOTIATING));
    /* A published compact's start timer at another time is stale too. */
    id = compact_in(CS(PUBLISHED));
    ck_assert_int_eq(sj_txn_begin(w.store, true, &txn), 0);
    tm = (sj_timer_t){.due = w.now, .kind = SJ_TIMER_COMPACT_START, .id = id};
    ck_assert_int_eq(sj_timer_set(txn, &tm), 0);
    ck_assert_int_eq(sj_txn_commit(&txn), 0);
    ck_assert_uint_eq(tick(), 0);
    ck_assert_int_eq(get(id)->state, CS(PUBLISHED));
    int64_t now;
    ck_assert_int_eq(sj_txn_begin(w.store, false, &txn), 0);
    ck_assert_int_eq(sj_timer_next(txn, &now), 0);
    sj_txn_abort(&txn);
    ck_assert_int_eq(now, get(id)->term_start); /* the live one stays */
}
END_TEST

/* ------------------------------------- performing, complaints, ratings */

static int complain(uint64_t as, uint64_t id, uint64_t against,
                    const char *text)
{
    Shangju__CompactComplain q = SHANGJU__COMPACT_COMPLAIN__INIT;
    q.id = id;
    q.against_id = against;
    q.text = (char *)text;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(COMPACT_COMPLAIN);
    req.compact_complain = &q;
    return world_call(&w, as, &req);
}

static int resolve(uint64_t as, uint64_t id, uint32_t complaint,
                   const char *text)
{
    Shangju__CompactResolve r = SHANGJU__COMPACT_RESOLVE__INIT;
    r.id = id;
    r.complaint_id = complaint;
    r.resolution = (char *)text;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(COMPACT_RESOLVE);
    req.compact_resolve = &r;
    return world_call(&w, as, &req);
}

static int rate(uint64_t as, uint64_t id, uint64_t of, uint32_t stars)
{
    Shangju__CompactRate r = SHANGJU__COMPACT_RATE__INIT;
    r.id = id;
    r.of_id = of;
    r.stars = stars;
    r.comment = (char *)"好 good";
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(COMPACT_RATE);
    req.compact_rate = &r;
    return world_call(&w, as, &req);
}

START_TEST(perform_complain_rate_and_results)
{
    uint64_t id = compact_in(CS(ACTIVE)); /* complaint 1: merchant */
    /* Performing: the giver, or the committee for anyone. */
    ck_assert_int_eq(world_perform(&w, w.merchant, id, 1, 0), 0);
    ck_assert_uint_eq(w.events, 1); /* compact.performed; paid on confirm */
    const Shangju__Compact *v = w.reply->compact;
    ck_assert_uint_eq(v->n_performances, 1); /* just the new record */
    ck_assert_int_eq(v->performances[0]->date, w.now);
    ck_assert_uint_eq(v->performances[0]->party_id, w.merchant);
    w.now += SJ_DAY_MS; /* items without a period: once a day */
    ck_assert_int_eq(world_perform(&w, w.resident, id, 2, w.now - SJ_DAY_MS),
                     0);
    ck_assert_int_eq(world_perform(&w, committee2, id, 2, 0),
                     0); /* for the resident */
    ck_assert_int_eq(world_perform(&w, w.committee, id, 3, 0), 0);
    ck_assert_int_eq(world_perform(&w, w.merchant, id, 4, 0), ST(NOT_FOUND));
    ck_assert_int_eq(world_perform(&w, w.merchant, id, 0, 0), ST(NOT_FOUND));
    ck_assert_int_eq(world_perform(&w, w.merchant, id, 1, w.now + 1),
                     ST(INVALID_ARGUMENT));
    ck_assert_int_eq(world_perform(&w, w.merchant, id, 2, 0),
                     ST(PERMISSION_DENIED));
    ck_assert_uint_eq(get(id)->n_performances, 4);
    /* Each pays (and counts in the results) once its receiver confirms:
     * the merchant for item 2, the committee for the community's items
     * (not the member who gave or recorded it). */
    ck_assert_int_eq(world_confirm(&w, committee2, id, 1), 0);
    ck_assert_int_eq(world_confirm(&w, w.merchant, id, 2), 0);
    ck_assert_int_eq(world_confirm(&w, w.merchant, id, 3), 0);
    ck_assert_int_eq(world_confirm(&w, w.committee, id, 4),
                     ST(PERMISSION_DENIED));
    ck_assert_int_eq(world_confirm(&w, committee2, id, 4), 0);
    /* Complaints: against a party other than oneself, with text. */
    ck_assert_int_eq(complain(w.merchant, id, w.merchant, "x"),
                     ST(INVALID_ARGUMENT));
    ck_assert_int_eq(complain(w.resident2, id, w.merchant2, "x"),
                     ST(INVALID_ARGUMENT));
    ck_assert_int_eq(complain(w.resident2, id, w.merchant, ""),
                     ST(INVALID_ARGUMENT));
    char big[1002];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ck_assert_int_eq(complain(w.resident2, id, w.merchant, big),
                     ST(INVALID_ARGUMENT));
    big[1000] = '\0';
    ck_assert_int_eq(complain(w.merchant, id, w.resident, big), 0);
    ck_assert_uint_eq(w.reply->compact->complaints[0]->id, 2);
    ck_assert_int_eq(complain(w.resident, id, w.merchant, "Late again"), 0);
    ck_assert_uint_eq(w.reply->compact->complaints[0]->id, 3);
    /* Resolving: the committee, an open complaint that exists. */
    ck_assert_int_eq(resolve(w.committee, id, 9, "x"), ST(NOT_FOUND));
    ck_assert_int_eq(resolve(w.committee, id, 1, ""), ST(INVALID_ARGUMENT));
    ck_assert_int_eq(resolve(w.merchant, id, 1, "x"), ST(PERMISSION_DENIED));
    ck_assert_int_eq(resolve(committee2, id, 1, "Apologised"), 0);
    const Shangju__Complaint *k = w.reply->compact->complaints[0];
    ck_assert(k->resolved);
    ck_assert_uint_eq(k->resolved_by, committee2);
    ck_assert_str_eq(k->resolution, "Apologised");
    ck_assert_int_eq(resolve(w.committee, id, 1, "again"),
                     ST(FAILED_PRECONDITION));
    /* Evaluating: complaints may still be resolved, not filed. */
    w.now = get(id)->term_end;
    ck_assert_uint_eq(tick(), 1);
    ck_assert_int_eq(complain(w.resident, id, w.merchant, "late"),
                     ST(FAILED_PRECONDITION));
    ck_assert_int_eq(resolve(w.committee, id, 2, "Sorted"), 0);
    /* Ratings: every party rates every other party once. */
    ck_assert_int_eq(rate(w.merchant, id, w.merchant, 5), ST(INVALID_ARGUMENT));
    ck_assert_int_eq(rate(w.merchant, id, w.resident2, 5),
                     ST(INVALID_ARGUMENT));
    ck_assert_int_eq(rate(w.merchant, id, w.resident, 0), ST(INVALID_ARGUMENT));
    ck_assert_int_eq(rate(w.merchant, id, w.resident, 6), ST(INVALID_ARGUMENT));
    ck_assert_int_eq(rate(w.merchant, id, w.resident, 5), 0);
    ck_assert_int_eq(rate(w.merchant, id, w.resident, 4), ST(ALREADY_EXISTS));
    ck_assert_int_eq(rate(w.merchant, id, w.committee, 4), 0);
    ck_assert_int_eq(rate(w.resident, id, w.merchant, 3), 0);
    ck_assert_int_eq(rate(w.committee, id, w.merchant, 4), 0);
    ck_assert_int_eq(rate(w.committee, id, w.resident, 2), 0);
    ck_assert_int_eq(world_perform(&w, w.merchant, id, 1, 0),
                     ST(FAILED_PRECONDITION));
    /* Close: the results per party. */
    ck_assert_int_eq(act(K(COMPACT_CLOSE), id, w.merchant),
                     ST(PERMISSION_DENIED));
    ck_assert_int_eq(act(K(COMPACT_CLOSE), id, w.committee), 0);
    const Shangju__Compact *cp = get(id);
    ck_assert_int_eq(cp->state, CS(CLOSED));
    ck_assert_int_eq(cp->closed_at, w.now);
    ck_assert_uint_eq(cp->n_results, 3);
    struct {
        uint64_t id;
        unsigned perf, compl, ratings;
        double avg;
    } want[] = {
        {w.committee, 1, 0, 1, 4.0},
        {w.merchant, 1, 2, 2, 3.5},
        {w.resident, 2, 1, 2, 3.5},
    };
    for (size_t i = 0; i < 3; i++) {
        const Shangju__PartyResult *r = cp->results[i];
        ck_assert_uint_eq(r->party_id, want[i].id);
        ck_assert_uint_eq(r->performances, want[i].perf);
        ck_assert_uint_eq(r->complaints, want[i].compl );
        ck_assert_uint_eq(r->ratings, want[i].ratings);
        ck_assert_double_eq_tol(r->average_rating, want[i].avg, 1e-9);
    }
    ck_assert_int_eq(resolve(w.committee, id, 3, "late"),
                     ST(FAILED_PRECONDITION));
    /* The merchant's public record counts the closed compact and its
     * partners' ratings (its page's recognitions); a resident's does not. */
    Shangju__MemberGet mg = SHANGJU__MEMBER_GET__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_MEMBER_GET;
    req.member_get = &mg;
    mg.id = w.merchant;
    ck_assert_int_eq(world_call(&w, w.committee, &req), 0);
    ck_assert_uint_eq(w.reply->member->compacts_closed, 1);
    ck_assert_uint_eq(w.reply->member->compact_ratings, 2);
    ck_assert_uint_eq(w.reply->member->compact_rating_sum, 7);
    mg.id = w.resident;
    ck_assert_int_eq(world_call(&w, w.committee, &req), 0);
    ck_assert_uint_eq(w.reply->member->compacts_closed, 0);
}
END_TEST

/* ---------------------------------------------------- notice, QR, list */

static int qr(uint64_t as, uint64_t id)
{
    Shangju__QrGet q = SHANGJU__QR_GET__INIT;
    q.subject = SHANGJU__QR_SUBJECT__QR_SUBJECT_COMPACT;
    q.id = id;
    q.format = SHANGJU__IMAGE_FORMAT__IMAGE_FORMAT_TEXT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(QR_GET);
    req.qr_get = &q;
    return world_call(&w, as, &req);
}

START_TEST(published_notice_is_signed)
{
    uint64_t id = compact_in(CS(SIGNED));
    ck_assert_int_eq(qr(w.resident2, id), ST(FAILED_PRECONDITION));
    ck_assert_int_eq(qr(w.resident2, 999), ST(NOT_FOUND));
    sj_signer_t *key = w.signer;
    w.signer = NULL; /* a broker without a notice key */
    ck_assert_int_eq(act(K(COMPACT_PUBLISH), id, w.committee),
                     ST(FAILED_PRECONDITION));
    w.signer = key;
    world_tz(&w, "Asia/Shanghai"); /* the community's zone (sj_zone_use) */
    ck_assert_int_eq(act(K(COMPACT_PUBLISH), id, w.committee), 0);
    ck_assert_uint_eq(w.events, 1);
    ck_assert_ptr_nonnull(strstr(w.reply->compact->notice, "BEGIN SHANGJU"));
    const Shangju__Compact *cp = get(id);
    ck_assert_int_eq(cp->published_at, w.now);
    uint8_t pub[32];
    sj_signer_public(w.signer, pub);
    char *text = strdup(cp->notice);
    size_t len = strlen(text);
    char why[128], hex[65], url[128];
    sodium_bin2hex(hex, sizeof hex, cp->version_hash.data, 32);
    snprintf(url, sizeof url, "url: https://alliance.example.org/c/%llu\n",
             (unsigned long long)id);
    ck_assert_ptr_nonnull(strstr(text, hex));
    ck_assert_ptr_nonnull(strstr(text, url));
    ck_assert_ptr_nonnull(strstr(text, "金桥社区共建公约 Jinqiao compact"));
    ck_assert_ptr_nonnull(
        strstr(text, "Auntie Wang（居民 resident，成员 member"));
    ck_assert_ptr_nonnull(strstr(text, "Bakery（商户 merchant，成员 member"));
    /* The fixed text in both languages, Chinese first (issue 15). */
    ck_assert_ptr_nonnull(strstr(text, "\n参与方 parties:\n"));
    ck_assert_ptr_nonnull(strstr(text, "\n信约 covenant:\n"));
    ck_assert_ptr_nonnull(strstr(text, "  Keep your word.\n"));
    ck_assert_ptr_nonnull(strstr(text, "signed version 1 at"));
    ck_assert_ptr_null(strstr(text, "138-0000-0000")); /* no contact */
    /* Its times are the community's, with the offset, not UTC. */
    char when[64], line[96];
    time_t t = (time_t)(w.now / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
    snprintf(line, sizeof line, "\n亮约 published: %s\n", when);
    ck_assert_msg(strstr(text, line), "no '%s' in:\n%s", line, text);
    ck_assert_ptr_null(strstr(text, "Z\n"));
    ck_assert_int_eq(sj_notice_verify(text, len, pub, NULL, why, sizeof why),
                     0);
    ck_assert_int_eq(sj_notice_verify(text, len, NULL, NULL, why, sizeof why),
                     0);
    uint8_t other[32] = {1};
    ck_assert_int_eq(sj_notice_verify(text, len, other, NULL, why, sizeof why),
                     SJ_EINVAL);
    /* One byte changed anywhere: refused. */
    for (size_t i = 0; i < len; i += 7) {
        text[i] ^= 0x01;
        ck_assert_msg(
            sj_notice_verify(text, len, NULL, NULL, why, sizeof why) != 0,
            "byte %zu flipped and still valid", i);
        text[i] ^= 0x01;
    }
    ck_assert_int_eq(
        sj_notice_verify(text, len - 1, NULL, NULL, why, sizeof why),
        0); /* the last newline is optional */
    ck_assert_int_ne(
        sj_notice_verify(text, len - 2, NULL, NULL, why, sizeof why), 0);
    free(text);
    ck_assert_int_eq(qr(w.resident2, id), 0);
    snprintf(url, sizeof url, "https://alliance.example.org/c/%llu",
             (unsigned long long)id);
    ck_assert_str_eq(w.reply->image->url, url);
}
END_TEST

static int list(Shangju__CompactState s, uint32_t limit, uint64_t after)
{
    Shangju__CompactList l = SHANGJU__COMPACT_LIST__INIT;
    l.state = s;
    l.limit = limit;
    l.after = after;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(COMPACT_LIST);
    req.compact_list = &l;
    return world_call(&w, w.bridge, &req);
}

START_TEST(list_by_state_paged)
{
    uint64_t neg[5];
    for (int i = 0; i < 5; i++)
        neg[i] = draft();
    uint64_t active = compact_in(CS(ACTIVE));
    ck_assert_int_eq(world_perform(&w, w.merchant, active, 1, 0), 0);
    uint64_t after = 0;
    size_t seen = 0;
    do {
        ck_assert_int_eq(list(CS(NEGOTIATING), 2, after), 0);
        const Shangju__CompactPage *p = w.reply->compacts;
        ck_assert_uint_le(p->n_items, 2);
        for (size_t i = 0; i < p->n_items; i++)
            ck_assert_uint_eq(p->items[i]->id, neg[seen++]);
        after = p->next;
    } while (after);
    ck_assert_uint_eq(seen, 5);
    ck_assert_int_eq(list(CS(ACTIVE), 0, 0), 0);
    ck_assert_uint_eq(w.reply->compacts->n_items, 1);
    const Shangju__Compact *s = w.reply->compacts->items[0];
    ck_assert_uint_eq(s->id, active);
    ck_assert_uint_eq(s->n_performances, 0); /* a summary */
    ck_assert_uint_eq(s->n_complaints, 0);
    ck_assert_str_eq(s->notice, "");
    ck_assert_uint_eq(s->n_items, 3);
    ck_assert_int_eq(list(0, 100, 0), 0);
    ck_assert_uint_eq(w.reply->compacts->n_items, 6);
    ck_assert_int_eq(list(CS(CLOSED), 0, 0), 0);
    ck_assert_uint_eq(w.reply->compacts->n_items, 0);
    ck_assert_int_eq(list((Shangju__CompactState)42, 0, 0),
                     ST(INVALID_ARGUMENT));
    /* get returns the whole record. */
    ck_assert_uint_eq(get(active)->n_performances, 1);
    ck_assert_uint_eq(get(active)->n_complaints, 1);
    ck_assert_str_ne(get(active)->notice, "");
}
END_TEST

/* Issue 15: texts count characters, up to 4 bytes each, so a compact's
 * growing lists are bounded in bytes too: a record near
 * SJ_MAX_COMPACT_BYTES (made so in the store, past the handlers) takes no
 * more performances, complaints or ratings (compact.full), and compact get
 * still answers with the whole record. */
START_TEST(compact_record_bounded_in_bytes)
{
    uint64_t id = compact_in(CS(ACTIVE));
    sj_txn_t *t;
    Shangju__Compact *cp;
    ck_assert_int_eq(sj_txn_begin(w.store, true, &t), 0);
    ck_assert_int_eq(sj_compact_get(t, id, &cp), 0);
    size_t have = protobuf_c_message_get_packed_size(&cp->base);
    size_t fill = SJ_MAX_COMPACT_BYTES - have - 1000; /* 1 KB left */
    char *note = malloc(fill + 1);
    ck_assert_ptr_nonnull(note);
    memset(note, 'n', fill);
    note[fill] = '\0';
    Shangju__Performance fat = SHANGJU__PERFORMANCE__INIT, *fatp = &fat;
    fat.id = 1;
    fat.item_id = 1;
    fat.party_id = w.merchant;
    fat.note = note;
    Shangju__Compact big = *cp;
    big.performances = &fatp;
    big.n_performances = 1;
    ck_assert_uint_le(protobuf_c_message_get_packed_size(&big.base),
                      SJ_MAX_COMPACT_BYTES);
    ck_assert_int_eq(sj_compact_put(t, &big, cp), 0);
    ck_assert_int_eq(sj_txn_commit(&t), 0);
    shangju__compact__free_unpacked(cp, NULL);
    free(note);

    /* A short note still fits the last kilobyte; a note of 500 emoji
     * (2,000 bytes) does not. */
    char emoji[SJ_MAX_NOTE * 4 + 1] = "";
    for (int i = 0; i < SJ_MAX_NOTE; i++)
        strcat(emoji, "\xf0\x9f\x8d\xb0");
    Shangju__CompactPerform pf = SHANGJU__COMPACT_PERFORM__INIT;
    pf.id = id;
    pf.item_id = 1;
    pf.note = emoji;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(COMPACT_PERFORM);
    req.compact_perform = &pf;
    ck_assert_int_eq(world_call(&w, w.merchant, &req), ST(RESOURCE_EXHAUSTED));
    ck_assert_str_eq(w.reply->reason, "compact.full");
    pf.note = (char *)"done";
    ck_assert_int_eq(world_call(&w, w.merchant, &req), 0);
    Shangju__CompactComplain q = SHANGJU__COMPACT_COMPLAIN__INIT;
    q.id = id;
    q.against_id = w.merchant;
    q.text = emoji;
    req.body_case = K(COMPACT_COMPLAIN);
    req.compact_complain = &q;
    ck_assert_int_eq(world_call(&w, w.resident2, &req), ST(RESOURCE_EXHAUSTED));
    ck_assert_str_eq(w.reply->reason, "compact.full");
    const Shangju__Compact *whole = get(id);
    ck_assert_uint_eq(whole->n_performances, 2);
    ck_assert_uint_le(protobuf_c_message_get_packed_size(&whole->base),
                      SJ_MAX_COMPACT_BYTES);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("compacts");
    TCase *tc = tcase_create("compacts");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, every_action_in_every_state_by_every_caller);
    tcase_add_test(tc, unknown_compact);
    tcase_add_test(tc, old_version_signature_does_not_count);
    tcase_add_test(tc, non_party_cannot_sign_rate_or_perform);
    tcase_add_test(tc, draft_limits);
    tcase_add_test(tc, compact_record_bounded_in_bytes);
    tcase_add_test(tc, term_timers_move_the_compact);
    tcase_add_test(tc, stale_timers_are_dropped);
    tcase_add_test(tc, perform_complain_rate_and_results);
    tcase_add_test(tc, published_notice_is_signed);
    tcase_add_test(tc, list_by_state_paged);
    tcase_set_timeout(tc, 240);
    suite_add_tcase(s, tc);
    return s;
}

SJ_CHECK_MAIN(suite)
