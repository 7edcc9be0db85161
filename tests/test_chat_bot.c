/* The chat bridge's conversations and notifications in process, without
 * sockets: the bot and the notifier talk to the real domain rules through
 * a fake broker (sj_dispatch on a test world, answers queued as the client
 * library would deliver them), and a fake transport records what people
 * would read. */
#include <check.h>
#include <glib.h>

#include "check_main.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "bot.h"
#include "codec.h"
#include "notify.h"
#include "sj_limits.h"
#include "sj_zone.h"
#include "world.h"

#define K(x) SHANGJU__REQUEST__BODY_##x
#define ST(x) SHANGJU__STATUS__STATUS_##x
#define WS(x) SHANGJU__WISH_STATE__WISH_STATE_##x
#define ROLE(x) SHANGJU__ROLE__ROLE_##x

static world_t w;

/* ------------------------------------------------------- fake broker */

typedef struct {
    uint8_t *req;
    size_t len;
    sj_chat_reply_fn *cb;
    void *job;
} pending_t;

static pending_t queue[256];
static size_t nq;
static bool broker_down;   /* answer every request with a timeout */
static bool through_batch; /* as the broker does: dedup table included */
static unsigned cursor_sets_failing; /* this many cursor sets time out */
static unsigned calls_refused;       /* this many calls fail at once (as a full
                                        client queue or a closing client does) */

static int fake_call(void *ctx, Shangju__Request *req, sj_chat_reply_fn *cb,
                     void *job)
{
    (void)ctx;
    if (calls_refused) {
        calls_refused--;
        return -1;
    }
    ck_assert_uint_lt(nq, 256);
    pending_t *p = &queue[nq++];
    p->len = protobuf_c_message_get_packed_size(&req->base);
    p->req = malloc(p->len ? p->len : 1);
    protobuf_c_message_pack(&req->base, p->req);
    p->cb = cb;
    p->job = job;
    return 0;
}

/* Answer one queued request (its buffer is freed). */
static void answer_one(pending_t p)
{
    Shangju__Request *req = shangju__request__unpack(NULL, p.len, p.req);
    free(p.req);
    ck_assert_ptr_nonnull(req);
    bool fail = broker_down;
    if (req->body_case == K(CHAT_CURSOR_SET) && cursor_sets_failing) {
        cursor_sets_failing--;
        fail = true;
    }
    if (fail) {
        p.cb(p.job, NULL, SJ_ETIMEOUT);
    } else if (through_batch) {
        /* The bridge's requests as the broker applies them: its key
         * finds the caller, retries find their first reply. */
        Shangju__Member *b;
        sj_txn_t *t;
        ck_assert_int_eq(sj_txn_begin(w.store, false, &t), 0);
        ck_assert_int_eq(sj_member_get(t, w.bridge, &b), 0);
        sj_txn_abort(&t);
        sj_batch_item_t it;
        memset(&it, 0, sizeof it);
        memcpy(it.client_key, b->public_key.data, 32);
        shangju__member__free_unpacked(b, NULL);
        if (!req->request_id)
            req->request_id = (uint64_t)++w.now; /* unique, like the
                                                    library's */
        uint8_t *buf = sj_codec_encode(&req->base, &it.len);
        it.payload = buf;
        sj_batch_out_t out = {0};
        const sj_batch_env_t env = {.store = w.store, .cfg = &w.cfg};
        ck_assert_int_eq(sj_batch_apply(&env, w.now, &it, 1, &out), 0);
        Shangju__Reply *r = sj_codec_reply_decode(it.reply, it.reply_len);
        ck_assert_ptr_nonnull(r);
        sj_batch_clear(&it, 1, &out);
        free(out.events);
        free(buf);
        p.cb(p.job, r, 0);
        shangju__reply__free_unpacked(r, NULL);
    } else {
        world_call(&w, w.bridge, req);
        Shangju__Reply *r = w.reply;
        w.reply = NULL;
        p.cb(p.job, r, 0);
        shangju__reply__free_unpacked(r, NULL);
    }
    shangju__request__free_unpacked(req, NULL);
}

/* Answer queued requests in order (as the broker would) until none is
 * left; answers may queue more. */
static void answer_all(void)
{
    for (size_t i = 0; i < nq; i++)
        answer_one(queue[i]);
    nq = 0;
}

/* Answer the newest request first until none is left: the broker's
 * reader threads may answer a read sent later before a write sent
 * earlier has been committed. */
static void answer_newest_first(void)
{
    while (nq > 0)
        answer_one(queue[--nq]);
}

/* Drop what is queued unanswered (a broker that will never answer). */
static void drop_all(void)
{
    for (size_t i = 0; i < nq; i++)
        free(queue[i].req);
    nq = 0;
}

/* ---------------------------------------------------- fake transport */

#define MAX_OUT 256
static char *sent_to[MAX_OUT], *sent[MAX_OUT];
static size_t nsent;
static char *room[MAX_OUT];
static size_t nroom;

static void out_send(void *ctx, const char *handle, const char *text)
{
    (void)ctx;
    ck_assert_uint_lt(nsent, MAX_OUT);
    sent_to[nsent] = strdup(handle);
    sent[nsent++] = strdup(text);
}

static void out_announce(void *ctx, const char *text)
{
    (void)ctx;
    ck_assert_uint_lt(nroom, MAX_OUT);
    room[nroom++] = strdup(text);
}

static void out_clear(void)
{
    for (size_t i = 0; i < nsent; i++) {
        free(sent_to[i]);
        free(sent[i]);
    }
    for (size_t i = 0; i < nroom; i++)
        free(room[i]);
    nsent = nroom = 0;
}

static sj_chat_bot_t *bot;
static sj_chat_notify_t *notifier;
static const sj_chat_broker_t broker = {fake_call, NULL};
static const sj_chat_transport_t out = {.send = out_send,
                                        .announce = out_announce};
static int64_t now;
static uint64_t fed; /* last event seq handed to the notifier */

/* The notifier's wall clock: the world's, which stamps the events. */
static int64_t wall_now;
static int64_t fake_wall(void)
{
    return wall_now;
}

/* A notifier made again after a restart: default pacing, the same clock. */
static const sj_chat_notify_opts_t restart_opts = {.wall_ms = fake_wall};

static void setup(void)
{
    world_init(&w, 0);
    sj_chat_bot_opts_t o = {.burst = 6, .refill_ms = 2000};
    bot = sj_chat_bot_new(&broker, &out, &o);
    wall_now = w.now;
    sj_chat_notify_opts_t no = {
        .room_interval_ms = 1300, .room_queue = 3, .wall_ms = fake_wall};
    notifier = sj_chat_notify_new(&broker, &out, &no);
    now = 1000000;
    broker_down = false;
    through_batch = false;
    cursor_sets_failing = 0;
    calls_refused = 0;
    fed = 0;
}

static void teardown(void)
{
    answer_all();
    sj_chat_bot_destroy(&bot);
    sj_chat_notify_destroy(&notifier);
    out_clear();
    world_end(&w);
}

/* handle says text; returns the last reply to handle (or "" if none). */
static const char *say(const char *handle, const char *text)
{
    size_t before = nsent;
    now += 2000; /* a person's pace: never rate-limited */
    sj_chat_bot_message(bot, handle, text, strlen(text), now, NULL);
    answer_all();
    for (size_t i = nsent; i > before; i--)
        if (strcmp(sent_to[i - 1], handle) == 0)
            return sent[i - 1];
    return "";
}

static size_t replies_since(size_t before, const char *handle)
{
    size_t n = 0;
    for (size_t i = before; i < nsent; i++)
        n += strcmp(sent_to[i], handle) == 0;
    return n;
}

static void link_handle(uint64_t id, const char *handle)
{
    Shangju__MemberLink l = SHANGJU__MEMBER_LINK__INIT;
    l.id = id;
    l.chat_handle = (char *)handle;
    l.bridge_id = w.bridge;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(MEMBER_LINK);
    req.member_link = &l;
    ck_assert_int_eq(world_call(&w, w.committee, &req), 0);
}

static Shangju__Member *member(uint64_t id)
{
    sj_txn_t *t;
    Shangju__Member *m;
    ck_assert_int_eq(sj_txn_begin(w.store, false, &t), 0);
    ck_assert_int_eq(sj_member_get(t, id, &m), 0);
    sj_txn_abort(&t);
    return m;
}

static size_t wishes_of(uint64_t owner)
{
    sj_txn_t *t;
    Shangju__Wish **items;
    size_t n;
    uint64_t next;
    sj_wish_filter_t f = {.owner_id = owner};
    ck_assert_int_eq(sj_txn_begin(w.store, false, &t), 0);
    ck_assert_int_eq(sj_wish_list(t, &f, 0, 100, &items, &n, &next), 0);
    sj_wish_page_free(items, n);
    sj_txn_abort(&t);
    return n;
}

/* Hand every new event of the log to the notifier, answer its requests. */
/* Hand the notifier what is new in the feed, as the broker's Replay shows
 * it to the bridge (the visibility rules: a ledger entry of someone else
 * comes as its stub). */
static void feed_events(sj_chat_notify_t *n)
{
    Shangju__Replay rp = SHANGJU__REPLAY__INIT;
    rp.from_seq = fed + 1;
    rp.limit = 1000;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(REPLAY);
    req.replay = &rp;
    ck_assert_int_eq(world_call(&w, w.bridge, &req), 0);
    Shangju__Reply *r = w.reply;
    w.reply = NULL;
    ck_assert_int_eq(r->body_case, SHANGJU__REPLY__BODY_EVENTS);
    for (size_t i = 0; i < r->events->n_items; i++) {
        sj_chat_notify_event(n, r->events->items[i]);
        answer_all();
        fed = r->events->items[i]->seq;
    }
    shangju__reply__free_unpacked(r, NULL);
    now += 10;
    sj_chat_notify_tick(n, now);
    answer_all();
}

static uint64_t last_wish_id(void)
{
    uint64_t id;
    sj_txn_t *t;
    ck_assert_int_eq(sj_txn_begin(w.store, false, &t), 0);
    ck_assert_int_eq(sj_txn_last_id(t, SJ_COUNTER_WISH, &id), 0);
    sj_txn_abort(&t);
    return id;
}

/* ------------------------------------------------------------- tests */

START_TEST(unlinked_learns_nothing)
{
    const char *r = say("stranger@x", "心愿 想学做月饼");
    ck_assert_ptr_nonnull(strstr(r, "居委会"));
    ck_assert_uint_eq(wishes_of(w.resident), 0);
    /* The same one refusal whatever is asked, member ids included. */
    char show[32];
    snprintf(show, sizeof show, "看 1");
    ck_assert_str_eq(say("stranger@x", show), r);
    ck_assert_str_eq(say("stranger@x", "积分"), r);
    ck_assert_ptr_nonnull(strstr(say("stranger@x", "hello"), "committee"));
}
END_TEST

START_TEST(post_in_one_message_and_in_two)
{
    link_handle(w.resident, "auntie@x");
    const char *r = say("auntie@x", "心愿 想学做月饼\n和孙子一起，周末下午");
    ck_assert_ptr_nonnull(strstr(r, "已发布"));
    uint64_t id = last_wish_id();
    char want[32];
    snprintf(want, sizeof want, "%llu", (unsigned long long)id);
    ck_assert_ptr_nonnull(strstr(r, want));
    ck_assert_uint_eq(wishes_of(w.resident), 1);
    Shangju__Reply *got = NULL;
    Shangju__WishGet g = SHANGJU__WISH_GET__INIT;
    g.id = id;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(WISH_GET);
    req.wish_get = &g;
    ck_assert_int_eq(world_call(&w, w.committee, &req), 0);
    got = w.reply;
    ck_assert_str_eq(got->wish->title, "想学做月饼");
    ck_assert_str_eq(got->wish->details, "和孙子一起，周末下午");
    /* The language was remembered from the first message. */
    Shangju__Member *m = member(w.resident);
    ck_assert_str_eq(m->chat_lang, "zh");
    shangju__member__free_unpacked(m, NULL);

    /* A bare 心愿 asks, the next message is the wish: two messages. */
    ck_assert_ptr_nonnull(strstr(say("auntie@x", "心愿"), "心愿是什么"));
    ck_assert_ptr_nonnull(strstr(say("auntie@x", "修一下楼道的灯"), "已发布"));
    ck_assert_uint_eq(wishes_of(w.resident), 2);
    /* The answer may begin with a command word and is still the wish. */
    say("auntie@x", "心愿");
    ck_assert_ptr_nonnull(
        strstr(say("auntie@x", "看望楼下的孤寡老人"), "已发布"));
    ck_assert_uint_eq(wishes_of(w.resident), 3);
    /* ... and 取消 drops the dialogue. */
    say("auntie@x", "心愿");
    ck_assert_ptr_nonnull(strstr(say("auntie@x", "取消"), "没有发布"));
    ck_assert_uint_eq(wishes_of(w.resident), 3);
    /* After the dialogue, plain text is not a wish. */
    ck_assert_ptr_nonnull(strstr(say("auntie@x", "修一下楼道的灯"), "没看懂"));
    ck_assert_uint_eq(wishes_of(w.resident), 3);
    /* The list shows both. */
    r = say("auntie@x", "我的心愿");
    ck_assert_ptr_nonnull(strstr(r, "想学做月饼"));
    ck_assert_ptr_nonnull(strstr(r, "修一下楼道的灯"));
}
END_TEST

/* Issue 15: a wish as long as the broker allows, in Chinese: a 200-
 * character title and 2,000 characters of details (6,600 bytes) post; a
 * title one character longer is refused with the bot's own advice. */
START_TEST(longest_chinese_wish_posts)
{
    link_handle(w.resident, "auntie@x");
    GString *m = g_string_new("心愿 ");
    for (int i = 0; i < SJ_MAX_TITLE; i++)
        g_string_append(m, "饼");
    g_string_append(m, "\n");
    for (int i = 0; i < SJ_MAX_DETAILS; i++)
        g_string_append(m, "馅");
    ck_assert_ptr_nonnull(strstr(say("auntie@x", m->str), "已发布"));
    ck_assert_uint_eq(wishes_of(w.resident), 1);
    g_string_free(m, TRUE);

    m = g_string_new("心愿 ");
    for (int i = 0; i <= SJ_MAX_TITLE; i++)
        g_string_append(m, "饼");
    ck_assert_ptr_nonnull(strstr(say("auntie@x", m->str), "第一行"));
    ck_assert_uint_eq(wishes_of(w.resident), 1);
    g_string_free(m, TRUE);
}
END_TEST

START_TEST(typo_is_suggested_not_run)
{
    link_handle(w.resident, "auntie@x");
    say("auntie@x", "心愿 想学做月饼");
    uint64_t id = last_wish_id();
    char msg[64];
    snprintf(msg, sizeof msg, "取销 %llu", (unsigned long long)id);
    const char *r = say("auntie@x", msg);
    ck_assert_ptr_nonnull(strstr(r, "取消"));
    ck_assert_int_eq(world_state(&w, id), WS(OPEN));
    snprintf(msg, sizeof msg, "取消 %llu", (unsigned long long)id);
    ck_assert_ptr_nonnull(strstr(say("auntie@x", msg), "已取消"));
    ck_assert_int_eq(world_state(&w, id), WS(CANCELLED));
}
END_TEST

/* A resident who cannot do what they asked hears why, by the wish's state,
 * and what they can do instead (not "the wish is not open"). */
START_TEST(refusals_say_what_to_do_instead)
{
    link_handle(w.resident, "auntie@x");
    say("auntie@x", "心愿 想学做月饼");
    uint64_t id = last_wish_id();
    char cancel[64], thanks[64];
    snprintf(cancel, sizeof cancel, "取消 %llu", (unsigned long long)id);
    snprintf(thanks, sizeof thanks, "谢谢 %llu 5", (unsigned long long)id);
    /* Open: nothing to thank for yet. */
    ck_assert_ptr_nonnull(strstr(say("auntie@x", thanks), "还在等待商户认领"));
    /* Claimed: not withdrawn here; tell the merchant or the committee. */
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_CLAIM), id), 0);
    const char *r = say("auntie@x", cancel);
    ck_assert_msg(strstr(r, "已有商户认领") && strstr(r, "居委会"), "%s", r);
    ck_assert_ptr_nonnull(strstr(say("auntie@x", thanks), "还没有完成"));
    /* (and "看 N" sets Chinese labels with no space after their colon) */
    char show[64];
    snprintf(show, sizeof show, "看 %llu", (unsigned long long)id);
    r = say("auntie@x", show);
    ck_assert_msg(strstr(r, "状态：已被商户认领") && strstr(r, "商户：Bakery"),
                  "%s", r);
    ck_assert_int_eq(world_state(&w, id), WS(CLAIMED));
    /* Fulfilled: the cancel points at the thanks. */
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_FULFIL), id), 0);
    r = say("auntie@x", cancel);
    ck_assert_msg(strstr(r, "已经完成") && strstr(r, thanks), "%s", r);
    ck_assert_ptr_nonnull(strstr(say("auntie@x", thanks), "已完成"));
    /* Closed: said so, both ways. */
    ck_assert_ptr_nonnull(strstr(say("auntie@x", cancel), "已关闭"));
    ck_assert_ptr_nonnull(strstr(say("auntie@x", thanks), "已关闭"));
    ck_assert_int_eq(world_state(&w, id), WS(CLOSED));
    /* In English too. */
    link_handle(world_add(&w, ROLE(RESIDENT), "Li", w.bridge), "li@x");
    say("li@x", "wish Fix my radio");
    uint64_t id2 = last_wish_id();
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_CLAIM), id2), 0);
    snprintf(cancel, sizeof cancel, "cancel %llu", (unsigned long long)id2);
    r = say("li@x", cancel);
    ck_assert_msg(strstr(r, "taken on by a merchant") &&
                      strstr(r, "neighbourhood committee"),
                  "%s", r);
}
END_TEST

START_TEST(english_and_switching)
{
    link_handle(w.resident, "li@x");
    const char *r = say("li@x", "wish Bake mooncakes with the kids");
    ck_assert_ptr_nonnull(strstr(r, "is posted"));
    Shangju__Member *m = member(w.resident);
    ck_assert_str_eq(m->chat_lang, "en");
    shangju__member__free_unpacked(m, NULL);
    /* Remembered: a Chinese message still gets English (the resident's
     * own points, which their bridge may read)... */
    ck_assert_ptr_nonnull(strstr(say("li@x", "积分"), "Points: "));
    /* ...until the resident switches. */
    ck_assert_ptr_nonnull(strstr(say("li@x", "语言 中文"), "中文"));
    ck_assert_ptr_nonnull(strstr(say("li@x", "points"), "积分"));
    ck_assert_ptr_nonnull(strstr(say("li@x", "lang English"), "English"));
    ck_assert_ptr_nonnull(strstr(say("li@x", "help"), "wish"));
}
END_TEST

START_TEST(only_own_wishes_change)
{
    link_handle(w.resident, "auntie@x");
    uint64_t other = world_add(&w, ROLE(RESIDENT), "Neighbour", w.bridge);
    link_handle(other, "neighbour@x");
    say("neighbour@x", "心愿 修自行车");
    uint64_t id = last_wish_id();
    char msg[64];
    snprintf(msg, sizeof msg, "取消 %llu", (unsigned long long)id);
    ck_assert_ptr_nonnull(strstr(say("auntie@x", msg), "不是您的"));
    ck_assert_int_eq(world_state(&w, id), WS(OPEN));
    snprintf(msg, sizeof msg, "看 %llu", (unsigned long long)id);
    ck_assert_ptr_nonnull(strstr(say("auntie@x", msg), "修自行车"));
    ck_assert_ptr_nonnull(strstr(say("auntie@x", "看 999"), "没有"));
}
END_TEST

START_TEST(invite_links_once)
{
    Shangju__MemberInvite in = SHANGJU__MEMBER_INVITE__INIT;
    in.id = w.resident2;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(MEMBER_INVITE);
    req.member_invite = &in;
    ck_assert_int_eq(world_call(&w, w.committee, &req), 0);
    char code[64], msg[96];
    snprintf(code, sizeof code, "%s", w.reply->invite->code);
    /* Typed with a full-width dash and spaces, as a phone might. */
    char *dash = strchr(code, '-');
    snprintf(msg, sizeof msg, "加入 %.*s－%s", (int)(dash - code), code,
             dash + 1);
    ck_assert_ptr_nonnull(strstr(say("new@x", msg), "欢迎"));
    ck_assert_ptr_nonnull(strstr(say("new@x", "心愿 学剪纸"), "已发布"));
    ck_assert_uint_eq(wishes_of(w.resident2), 1);
    ck_assert_ptr_nonnull(strstr(say("new@x", msg), "已经绑定"));
    ck_assert_ptr_nonnull(strstr(say("other@x", msg), "邀请码无效"));
    ck_assert_ptr_nonnull(strstr(say("other@x", "心愿 x"), "居委会"));
}
END_TEST

START_TEST(committee_acts_for_a_resident)
{
    link_handle(w.committee, "worker@x");
    char msg[96];
    snprintf(msg, sizeof msg, "代 %llu 心愿 修门锁",
             (unsigned long long)w.resident);
    ck_assert_ptr_nonnull(strstr(say("worker@x", msg), "代会员"));
    ck_assert_uint_eq(wishes_of(w.resident), 1);
    /* resident2 is not linked to this bridge: refused by the broker. */
    snprintf(msg, sizeof msg, "代 %llu 心愿 修门锁",
             (unsigned long long)w.resident2);
    say("worker@x", msg);
    ck_assert_uint_eq(wishes_of(w.resident2), 0);
    /* A resident cannot act for another. */
    link_handle(w.resident, "auntie@x");
    snprintf(msg, sizeof msg, "代 %llu 心愿 x", (unsigned long long)w.resident);
    ck_assert_ptr_nonnull(strstr(say("auntie@x", msg), "只有居委会"));
    ck_assert_uint_eq(wishes_of(w.resident), 1);
}
END_TEST

START_TEST(flood_is_limited_with_one_reply)
{
    link_handle(w.resident, "auntie@x");
    size_t before = nsent;
    for (int i = 0; i < 20; i++) {
        now += 1;
        sj_chat_bot_message(bot, "auntie@x", "积分", strlen("积分"), now, NULL);
    }
    answer_all();
    /* 6 answered, then one friendly "too fast", then silence. */
    ck_assert_uint_eq(replies_since(before, "auntie@x"), 7);
    size_t slow = 0;
    for (size_t i = before; i < nsent; i++)
        slow += strstr(sent[i], "太快") != NULL;
    ck_assert_uint_eq(slow, 1);
    now += 5000; /* two more tokens */
    before = nsent;
    say("auntie@x", "积分");
    ck_assert_uint_eq(replies_since(before, "auntie@x"), 1);
    ck_assert_ptr_null(strstr(sent[nsent - 1], "太快"));
    /* 10 KB is answered politely and not posted. */
    char *big = malloc(10 * 1024 + 1);
    memset(big, 'a', 10 * 1024);
    memcpy(big, "wish ", 5);
    big[10 * 1024] = 0;
    now += 10000;
    ck_assert_ptr_nonnull(strstr(say("auntie@x", big), "太长"));
    free(big);
    ck_assert_uint_eq(wishes_of(w.resident), 0);
}
END_TEST

START_TEST(broker_silent)
{
    link_handle(w.resident, "auntie@x");
    broker_down = true;
    ck_assert_ptr_nonnull(strstr(say("auntie@x", "心愿 x"), "没有响应"));
    ck_assert(!sj_chat_bot_busy(bot));
}
END_TEST

/* The whole life of a wish as the resident sees it on chat. */
START_TEST(notifications_in_the_residents_language)
{
    link_handle(w.resident, "auntie@x");
    say("auntie@x", "心愿 想学做月饼");
    uint64_t id = last_wish_id();
    feed_events(notifier); /* posted: nothing to the resident */
    ck_assert_uint_eq(sj_chat_notify_sent(notifier), 0);

    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_CLAIM), id), 0);
    size_t before = nsent;
    feed_events(notifier);
    ck_assert_uint_eq(replies_since(before, "auntie@x"), 1);
    ck_assert_ptr_nonnull(strstr(sent[nsent - 1], "认领"));
    ck_assert_ptr_nonnull(strstr(sent[nsent - 1], "Bakery"));
    ck_assert_ptr_null(strstr(sent[nsent - 1], "138-")); /* never contact */

    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_RELEASE), id), 0);
    feed_events(notifier);
    ck_assert_ptr_nonnull(strstr(sent[nsent - 1], "重新开放"));
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_CLAIM), id), 0);
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_FULFIL), id), 0);
    feed_events(notifier);
    ck_assert_ptr_nonnull(strstr(sent[nsent - 1], "谢谢"));

    char msg[64];
    snprintf(msg, sizeof msg, "谢谢 %llu 5 太好了", (unsigned long long)id);
    ck_assert_ptr_nonnull(strstr(say("auntie@x", msg), "已完成"));
    ck_assert_int_eq(world_state(&w, id), WS(CLOSED));
    feed_events(notifier);
    /* Closed, with thanks; the merchant's points are not the bridge's to
     * see (the feed gives it the ledger entry's stub only). */
    ck_assert_ptr_nonnull(strstr(sent[nsent - 1], "已完成"));
    ck_assert_ptr_null(strstr(sent[nsent - 1], "积分"));
    ck_assert_uint_eq(sj_chat_notify_sent(notifier), 5);
    ck_assert(sj_chat_notify_idle(notifier));

    /* Every handled event is behind the stored cursor. */
    Shangju__Member *b = member(w.bridge);
    ck_assert_uint_eq(b->chat_cursor, fed);
    shangju__member__free_unpacked(b, NULL);
}
END_TEST

/* A claim's notice gives the shop's public phone when its listing has
 * one, so a resident (who may have no contact on file) can call. */
START_TEST(a_claim_notice_gives_the_shops_phone)
{
    link_handle(w.resident, "auntie@x");
    uint64_t id;
    ck_assert_int_eq(world_post(&w, w.committee, "Photos", w.resident, &id), 0);
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_CLAIM), id), 0);
    feed_events(notifier);
    ck_assert_ptr_nonnull(strstr(sent[nsent - 1], "认领"));
    ck_assert_ptr_null(strstr(sent[nsent - 1], "电话")); /* no listing */
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_RELEASE), id), 0);

    Shangju__Listing l = SHANGJU__LISTING__INIT;
    l.name = "Bakery";
    l.category = "bakery";
    l.phone = "021-5555-0101";
    ck_assert_int_eq(world_listing_put(&w, w.merchant, &l), 0);
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_CLAIM), id), 0);
    feed_events(notifier);
    ck_assert_msg(strstr(sent[nsent - 1], "Bakery") &&
                      strstr(sent[nsent - 1], "电话：021-5555-0101"),
                  "%s", sent[nsent - 1]);
    /* "看 N" gives it too while the shop holds the claim. */
    char show[64];
    snprintf(show, sizeof show, "看 %llu", (unsigned long long)id);
    const char *r = say("auntie@x", show);
    ck_assert_msg(strstr(r, "商户：Bakery\n电话：021-5555-0101"), "%s", r);
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_FULFIL), id), 0);
    r = say("auntie@x", show);
    ck_assert_msg(strstr(r, "商户：Bakery") && !strstr(r, "电话"), "%s", r);
}
END_TEST

/* A call the client refuses at once (not a timeout) is tried again after
 * the retry delay: the notice is late, not lost, and the notifier goes
 * on with later events. */
START_TEST(a_call_refused_at_once_is_retried)
{
    link_handle(w.resident, "auntie@x");
    uint64_t id;
    ck_assert_int_eq(world_post(&w, w.committee, "Photos", w.resident, &id), 0);
    feed_events(notifier);
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_CLAIM), id), 0);
    size_t before = nsent;
    calls_refused = 1; /* the owner's lookup */
    feed_events(notifier);
    ck_assert_uint_eq(replies_since(before, "auntie@x"), 0);
    now += 5000;
    sj_chat_notify_tick(notifier, now);
    answer_all();
    ck_assert_uint_eq(replies_since(before, "auntie@x"), 1);
    ck_assert_ptr_nonnull(strstr(sent[nsent - 1], "认领"));
    /* ...and the next event is handled too. */
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_FULFIL), id), 0);
    feed_events(notifier);
    ck_assert_uint_eq(replies_since(before, "auntie@x"), 2);
}
END_TEST

static uint64_t restart_from;
static void ready(void *ud, uint64_t from, int err)
{
    (void)ud;
    ck_assert_int_eq(err, 0);
    restart_from = from;
}

/* A restarted notifier resumes after the stored cursor: nothing twice on
 * an orderly restart, at most one repeat when the cursor was not stored. */
START_TEST(restart_resumes_from_the_cursor)
{
    link_handle(w.resident, "auntie@x");
    uint64_t id;
    ck_assert_int_eq(world_post(&w, w.committee, "Photos", w.resident, &id), 0);
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_CLAIM), id), 0);
    feed_events(notifier);
    ck_assert_uint_eq(sj_chat_notify_sent(notifier), 1);

    /* Orderly restart: a new notifier starts after the cursor. */
    sj_chat_notify_destroy(&notifier);
    notifier = sj_chat_notify_new(&broker, &out, &restart_opts);
    ck_assert_int_eq(sj_chat_notify_start(notifier, ready, NULL), 0);
    answer_all();
    ck_assert_uint_eq(restart_from, fed + 1);
    uint64_t before = fed;
    fed = restart_from - 1;
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_FULFIL), id), 0);
    feed_events(notifier);
    ck_assert_uint_eq(sj_chat_notify_sent(notifier), 1); /* only fulfilled */
    ck_assert_uint_gt(fed, before);

    /* A crash between sending and storing: the cursor stays behind, and
     * the restarted notifier repeats exactly that one message. */
    ck_assert_int_eq(world_move(&w, w.resident, K(WISH_CONFIRM), id), 0);
    Shangju__Member *b = member(w.bridge);
    uint64_t stored = b->chat_cursor;
    shangju__member__free_unpacked(b, NULL);
    cursor_sets_failing = 100;
    feed_events(notifier);
    ck_assert_uint_eq(sj_chat_notify_sent(notifier), 2);
    sj_chat_notify_destroy(&notifier); /* the crash */
    cursor_sets_failing = 0;
    notifier = sj_chat_notify_new(&broker, &out, &restart_opts);
    ck_assert_int_eq(sj_chat_notify_start(notifier, ready, NULL), 0);
    answer_all();
    ck_assert_uint_eq(restart_from, stored + 1);
    fed = restart_from - 1;
    feed_events(notifier);
    ck_assert_uint_eq(sj_chat_notify_sent(notifier), 1); /* the one repeat */
}
END_TEST

/* Let n turns of the paced room go by (1.3 s each). */
static void pass_room_turns(int n)
{
    for (int i = 0; i < n; i++) {
        now += 1300;
        sj_chat_notify_tick(notifier, now);
        answer_all();
    }
}

START_TEST(room_is_paced_and_bounded)
{
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(world_post(&w, w.resident, "Bake", 0, NULL), 0);
    feed_events(notifier);
    /* One announcement per 1.3 s; the queue holds 3, the rest counted. */
    ck_assert_uint_le(nroom, 1);
    pass_room_turns(10);
    ck_assert_uint_eq(nroom, 4);
    ck_assert_ptr_nonnull(strstr(room[0], "Bake"));
    ck_assert_ptr_nonnull(strstr(room[0], "Building 3"));
    ck_assert_ptr_nonnull(strstr(room[3], "2"));
    ck_assert_ptr_null(strstr(room[0], "Auntie")); /* title, building only */

    /* A wish claimed or cancelled before its turn in the room is not
     * announced as new any more; the others keep their turn. */
    out_clear();
    uint64_t a, b, c;
    ck_assert_int_eq(world_post(&w, w.resident, "Radio", 0, &a), 0);
    ck_assert_int_eq(world_post(&w, w.resident, "Lamp", 0, &b), 0);
    ck_assert_int_eq(world_post(&w, w.resident, "Mooncakes", 0, &c), 0);
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_CLAIM), b), 0);
    ck_assert_int_eq(world_move(&w, w.resident, K(WISH_CANCEL), c), 0);
    feed_events(notifier);
    pass_room_turns(10);
    ck_assert_uint_eq(nroom, 1);
    ck_assert_ptr_nonnull(strstr(room[0], "Radio"));
}
END_TEST

/* Fire due timers as the batch does (reminders included). */
static void fire_timers(void)
{
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
        ck_assert_int_eq(sj_dispatch_timer(&c, &due[i]), 0);
        sj_call_end(&c);
        ck_assert_int_eq(sj_txn_commit(&child), 0);
    }
    ck_assert_int_eq(sj_txn_commit(&txn), 0);
}

START_TEST(reminded_before_expiry_then_told_it_expired)
{
    link_handle(w.resident, "auntie@x");
    say("auntie@x", "心愿 想学做月饼");
    uint64_t id = last_wish_id();
    feed_events(notifier); /* posted: the bridge asks for a reminder */
    size_t before = nsent;
    w.now += w.cfg.wish_expiry_ms - 23LL * 3600 * 1000;
    fire_timers();
    feed_events(notifier);
    ck_assert_uint_eq(replies_since(before, "auntie@x"), 1);
    ck_assert_ptr_nonnull(strstr(sent[nsent - 1], "还没有商户认领"));
    char want[32];
    snprintf(want, sizeof want, "第 %llu 号", (unsigned long long)id);
    ck_assert_ptr_nonnull(strstr(sent[nsent - 1], want));
    w.now += 24LL * 3600 * 1000;
    fire_timers();
    feed_events(notifier);
    ck_assert_uint_eq(replies_since(before, "auntie@x"), 2);
    ck_assert_ptr_nonnull(strstr(sent[nsent - 1], "到期了"));
    ck_assert_int_eq(world_state(&w, id), WS(EXPIRED));
}
END_TEST

/* A chat message delivered again (a reconnect, a crash before the server
 * forgot it) carries the same id: the post is applied once, by a new bot
 * too, because its request id comes from the message id and the broker's
 * dedup table remembers it. */
START_TEST(redelivered_message_posts_once)
{
    through_batch = true;
    link_handle(w.resident, "auntie@x");
    const char *msg = "心愿 想学做月饼";
    now += 2000;
    sj_chat_bot_message(bot, "auntie@x", msg, strlen(msg), now, "m-1");
    answer_all();
    ck_assert_uint_eq(wishes_of(w.resident), 1);
    /* The bridge restarts (a new bot) and the server delivers it again. */
    sj_chat_bot_destroy(&bot);
    bot = sj_chat_bot_new(&broker, &out, NULL);
    now += 2000;
    sj_chat_bot_message(bot, "auntie@x", msg, strlen(msg), now, "m-1");
    answer_all();
    ck_assert_uint_eq(wishes_of(w.resident), 1);
    ck_assert_ptr_nonnull(strstr(sent[nsent - 1], "已发布")); /* same answer */
    /* Another message with the same text is another wish. */
    now += 2000;
    sj_chat_bot_message(bot, "auntie@x", msg, strlen(msg), now, "m-2");
    answer_all();
    ck_assert_uint_eq(wishes_of(w.resident), 2);
    /* The same id from someone else is someone else's message. */
    uint64_t other = world_add(&w, ROLE(RESIDENT), "Li", w.bridge);
    link_handle(other, "li@x");
    now += 2000;
    sj_chat_bot_message(bot, "li@x", msg, strlen(msg), now, "m-1");
    answer_all();
    ck_assert_uint_eq(wishes_of(other), 1);
}
END_TEST

/* One person's messages are answered one after the other, in the order
 * they were sent, even when the broker answers out of order (messages
 * kept by the chat server while the bridge was away arrive at once); other
 * people are not held up behind them. */
START_TEST(one_persons_messages_in_order)
{
    link_handle(w.resident, "auntie@x");
    size_t before = nsent;
    now += 2000;
    const char *post = "心愿 想学做月饼", *mine = "我的心愿";
    sj_chat_bot_message(bot, "auntie@x", post, strlen(post), now, NULL);
    sj_chat_bot_message(bot, "auntie@x", mine, strlen(mine), now, NULL);
    sj_chat_bot_message(bot, "stranger@x", mine, strlen(mine), now, NULL);
    /* auntie's first and the stranger's: auntie's second waits */
    ck_assert_uint_eq(nq, 2);
    answer_newest_first();
    ck_assert_uint_eq(replies_since(before, "auntie@x"), 2);
    ck_assert_uint_eq(replies_since(before, "stranger@x"), 1);
    const char *r[2];
    size_t k = 0;
    for (size_t i = before; i < nsent; i++)
        if (strcmp(sent_to[i], "auntie@x") == 0)
            r[k++] = sent[i];
    ck_assert_ptr_nonnull(strstr(r[0], "已发布"));
    ck_assert_ptr_nonnull(strstr(r[1], "想学做月饼"));
    ck_assert(!sj_chat_bot_busy(bot));

    /* A bridge stopped with messages still waiting frees them all (the
     * sanitizer build checks) and answers nothing more. */
    before = nsent;
    now += 2000;
    sj_chat_bot_message(bot, "auntie@x", mine, strlen(mine), now, NULL);
    sj_chat_bot_message(bot, "auntie@x", mine, strlen(mine), now, NULL);
    ck_assert(sj_chat_bot_busy(bot));
    sj_chat_bot_destroy(&bot);
    drop_all();
    ck_assert_uint_eq(nsent, before);
}
END_TEST

/* "我的心愿" shows the newest wishes first: a resident with a long history
 * sees what they posted last, then "(and more)". */
START_TEST(mine_lists_the_newest_first)
{
    link_handle(w.resident, "auntie@x");
    for (int i = 1; i <= 12; i++) {
        char t[32];
        snprintf(t, sizeof t, "心愿 第%02d个心愿", i);
        ck_assert_ptr_nonnull(strstr(say("auntie@x", t), "已发布"));
    }
    const char *r = say("auntie@x", "我的心愿");
    const char *last = strstr(r, "第12个"), *before = strstr(r, "第11个");
    ck_assert_ptr_nonnull(last);
    ck_assert_ptr_nonnull(before);
    ck_assert(last < before);
    ck_assert_ptr_null(strstr(r, "第01个"));
    ck_assert_ptr_nonnull(strstr(r, "还有更多"));
}
END_TEST

/* A notice the bridge sends late (it was away, the broker was) says when
 * the change happened, in the community's time; one on time does not. */
START_TEST(a_late_notice_says_when_it_happened)
{
    ck_assert_int_eq(sj_zone_use("Asia/Shanghai"), 0);
    link_handle(w.resident, "auntie@x");
    uint64_t id;
    ck_assert_int_eq(world_post(&w, w.committee, "Photos", w.resident, &id), 0);
    feed_events(notifier);
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_CLAIM), id), 0);
    int64_t claimed_at = w.now;
    wall_now = claimed_at + 3 * 3600 * 1000; /* heard of three hours later */
    size_t before = nsent;
    feed_events(notifier);
    ck_assert_uint_eq(replies_since(before, "auntie@x"), 1);
    char when[32];
    sj_zone_format_minute(claimed_at, when, sizeof when);
    ck_assert_ptr_nonnull(strstr(sent[nsent - 1], "认领"));
    ck_assert_ptr_nonnull(strstr(sent[nsent - 1], when));
    ck_assert_ptr_nonnull(strstr(sent[nsent - 1], "晚到"));

    w.now = wall_now; /* on time now */
    ck_assert_int_eq(world_move(&w, w.merchant, K(WISH_FULFIL), id), 0);
    before = nsent;
    feed_events(notifier);
    ck_assert_uint_eq(replies_since(before, "auntie@x"), 1);
    ck_assert_msg(!strstr(sent[nsent - 1], "晚到"), "%s", sent[nsent - 1]);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("chat_bot");
    TCase *tc = tcase_create("bot");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, unlinked_learns_nothing);
    tcase_add_test(tc, post_in_one_message_and_in_two);
    tcase_add_test(tc, longest_chinese_wish_posts);
    tcase_add_test(tc, typo_is_suggested_not_run);
    tcase_add_test(tc, refusals_say_what_to_do_instead);
    tcase_add_test(tc, english_and_switching);
    tcase_add_test(tc, only_own_wishes_change);
    tcase_add_test(tc, invite_links_once);
    tcase_add_test(tc, committee_acts_for_a_resident);
    tcase_add_test(tc, flood_is_limited_with_one_reply);
    tcase_add_test(tc, broker_silent);
    tcase_add_test(tc, notifications_in_the_residents_language);
    tcase_add_test(tc, a_claim_notice_gives_the_shops_phone);
    tcase_add_test(tc, a_call_refused_at_once_is_retried);
    tcase_add_test(tc, restart_resumes_from_the_cursor);
    tcase_add_test(tc, room_is_paced_and_bounded);
    tcase_add_test(tc, reminded_before_expiry_then_told_it_expired);
    tcase_add_test(tc, redelivered_message_posts_once);
    tcase_add_test(tc, one_persons_messages_in_order);
    tcase_add_test(tc, mine_lists_the_newest_first);
    tcase_add_test(tc, a_late_notice_says_when_it_happened);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

SJ_CHECK_MAIN(suite)
