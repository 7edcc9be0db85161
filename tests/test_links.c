/* The chat bridge's broker side (broker/domain/links.c), in process:
 * linking and unlinking handles (unique per bridge, the index kept in step
 * and verified), one-time invite codes (single use, expiry, three tries,
 * bridge restriction, never shown again), resolving handles only among a
 * bridge's own members, the bridge's event cursor and residents' languages. */
#include <check.h>

#include "check_main.h"
#include <stdio.h>
#include <string.h>

#include "sj_limits.h"
#include "world.h"

#define K(x) SHANGJU__REQUEST__BODY_##x
#define ST(x) SHANGJU__STATUS__STATUS_##x
#define ROLE(x) SHANGJU__ROLE__ROLE_##x

static world_t w;

static void setup(void)
{
    world_init(&w, 0);
}

static void teardown(void)
{
    world_end(&w);
}

static int link_(uint64_t as, uint64_t id, const char *handle, uint64_t bridge)
{
    Shangju__MemberLink l = SHANGJU__MEMBER_LINK__INIT;
    l.id = id;
    l.chat_handle = (char *)handle;
    l.bridge_id = bridge;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(MEMBER_LINK);
    req.member_link = &l;
    return world_call(&w, as, &req);
}

static int unlink_(uint64_t id)
{
    Shangju__MemberUnlink u = SHANGJU__MEMBER_UNLINK__INIT;
    u.id = id;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(MEMBER_UNLINK);
    req.member_unlink = &u;
    return world_call(&w, w.committee, &req);
}

static int resolve(uint64_t as, const char *handle, uint64_t id)
{
    Shangju__ChatResolve r = SHANGJU__CHAT_RESOLVE__INIT;
    r.handle = (char *)handle;
    r.member_id = id;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(CHAT_RESOLVE);
    req.chat_resolve = &r;
    return world_call(&w, as, &req);
}

/* Issue an invite for id; the code goes to code (64 bytes). */
static int invite(uint64_t id, uint64_t bridge, uint32_t hours, char *code)
{
    Shangju__MemberInvite in = SHANGJU__MEMBER_INVITE__INIT;
    in.id = id;
    in.bridge_id = bridge;
    in.valid_hours = hours;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(MEMBER_INVITE);
    req.member_invite = &in;
    int rc = world_call(&w, w.committee, &req);
    if (rc == 0 && code) {
        ck_assert_int_eq(w.reply->body_case, SHANGJU__REPLY__BODY_INVITE);
        snprintf(code, 64, "%s", w.reply->invite->code);
    }
    return rc;
}

static int join(uint64_t as, const char *handle, const char *code)
{
    Shangju__ChatJoin j = SHANGJU__CHAT_JOIN__INIT;
    j.handle = (char *)handle;
    j.code = (char *)code;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(CHAT_JOIN);
    req.chat_join = &j;
    return world_call(&w, as, &req);
}

static const char *reason(void)
{
    return w.reply->reason ? w.reply->reason : "";
}

static void verify_clean(void)
{
    sj_txn_t *t;
    sj_verify_t v;
    ck_assert_int_eq(sj_txn_begin(w.store, false, &t), 0);
    ck_assert_int_eq(sj_store_verify(t, NULL, NULL, &v), 0);
    sj_txn_abort(&t);
    ck_assert_uint_eq(v.problems, 0);
}

START_TEST(link_resolve_unlink)
{
    ck_assert_int_eq(link_(w.committee, w.resident2, "xmpp:li@example.org", 0),
                     0);
    ck_assert_uint_eq(w.reply->member->bridge_id, w.bridge);
    ck_assert_str_eq(w.reply->member->chat_handle, "xmpp:li@example.org");
    ck_assert_uint_eq(w.events, 1);
    ck_assert_int_eq(resolve(w.bridge, "xmpp:li@example.org", 0), 0);
    ck_assert_uint_eq(w.reply->member->id, w.resident2);
    ck_assert_uint_eq(w.reply->member->public_key.len, 0);
    ck_assert_str_eq(w.reply->member->contact, ""); /* the bridge needs none */
    ck_assert_int_eq(resolve(w.bridge, "", w.resident2), 0);
    ck_assert_str_eq(w.reply->member->chat_handle, "xmpp:li@example.org");
    verify_clean();

    /* Relinking moves the index: the old handle no longer resolves. */
    ck_assert_int_eq(link_(w.committee, w.resident2, "li2", w.bridge), 0);
    ck_assert_int_eq(resolve(w.bridge, "xmpp:li@example.org", 0),
                     ST(NOT_FOUND));
    ck_assert_str_eq(reason(), "chat.unlinked");
    ck_assert_int_eq(resolve(w.bridge, "li2", 0), 0);
    verify_clean();

    ck_assert_int_eq(unlink_(w.resident2), 0);
    ck_assert_int_eq(resolve(w.bridge, "li2", 0), ST(NOT_FOUND));
    ck_assert_int_eq(resolve(w.bridge, "", w.resident2), ST(NOT_FOUND));
    ck_assert_int_eq(unlink_(w.resident2), ST(FAILED_PRECONDITION));
    verify_clean();
}
END_TEST

START_TEST(handles_unique_per_bridge)
{
    uint64_t b2 = world_add(&w, ROLE(BRIDGE), "Bridge 2", 0);
    ck_assert_int_eq(link_(w.committee, w.resident, "auntie", w.bridge), 0);
    ck_assert_int_eq(link_(w.committee, w.resident2, "auntie", w.bridge),
                     ST(ALREADY_EXISTS));
    ck_assert_str_eq(reason(), "chat.handle_taken");
    /* The same handle on another bridge is another person. */
    ck_assert_int_eq(link_(w.committee, w.resident2, "auntie", b2), 0);
    ck_assert_int_eq(resolve(w.bridge, "auntie", 0), 0);
    ck_assert_uint_eq(w.reply->member->id, w.resident);
    ck_assert_int_eq(resolve(b2, "auntie", 0), 0);
    ck_assert_uint_eq(w.reply->member->id, w.resident2);
    /* A bridge sees only its own members, by handle or by id. */
    ck_assert_int_eq(resolve(b2, "", w.resident), ST(NOT_FOUND));
    /* Two bridges: the committee must name one. */
    ck_assert_int_eq(link_(w.committee, w.resident, "x", 0),
                     ST(INVALID_ARGUMENT));
    ck_assert_str_eq(reason(), "chat.bridge_ambiguous");
    /* member add refuses a taken handle too. */
    Shangju__MemberAdd a = SHANGJU__MEMBER_ADD__INIT;
    uint8_t key[32];
    memset(key, 0x42, sizeof key);
    a.role = ROLE(RESIDENT);
    a.name = (char *)"Copycat";
    a.public_key.data = key;
    a.public_key.len = 32;
    a.chat_handle = (char *)"auntie";
    a.bridge_id = w.bridge;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(MEMBER_ADD);
    req.member_add = &a;
    ck_assert_int_eq(world_call(&w, w.committee, &req), ST(ALREADY_EXISTS));
    verify_clean();
}
END_TEST

START_TEST(link_refusals)
{
    ck_assert_int_eq(link_(w.committee, w.merchant, "shop", 0),
                     ST(FAILED_PRECONDITION));
    ck_assert_str_eq(reason(), "chat.not_linkable");
    ck_assert_int_eq(link_(w.committee, 9999, "who", 0), ST(NOT_FOUND));
    ck_assert_int_eq(link_(w.committee, w.resident2, "", 0),
                     ST(INVALID_ARGUMENT));
    ck_assert_int_eq(link_(w.committee, w.resident2, "a\nb", 0),
                     ST(INVALID_ARGUMENT));
    char big[SJ_MAX_HANDLE + 2];
    memset(big, 'h', sizeof big - 1);
    big[sizeof big - 1] = 0;
    ck_assert_int_eq(link_(w.committee, w.resident2, big, 0),
                     ST(INVALID_ARGUMENT));
    ck_assert_int_eq(link_(w.committee, w.resident2, "ok", w.merchant),
                     ST(FAILED_PRECONDITION));
    ck_assert_str_eq(reason(), "member.not_bridge");
    /* A committee member may be linked: they act for residents. */
    ck_assert_int_eq(link_(w.committee, w.committee, "worker", 0), 0);
    ck_assert_int_eq(resolve(w.bridge, "worker", 0), 0);
    ck_assert_int_eq(w.reply->member->role, ROLE(COMMITTEE));
}
END_TEST

START_TEST(invite_single_use)
{
    char code[64], want[32];
    ck_assert_int_eq(invite(w.resident2, 0, 0, code), 0);
    snprintf(want, sizeof want, "%llu-", (unsigned long long)w.resident2);
    ck_assert_int_eq(strncmp(code, want, strlen(want)), 0);
    ck_assert_uint_eq(strlen(code), strlen(want) + 6);
    ck_assert_int_eq(w.reply->invite->expires_at, w.now + 72 * 3600000LL);
    /* The invite's hash never leaves the broker. */
    Shangju__MemberGet g = SHANGJU__MEMBER_GET__INIT;
    g.id = w.resident2;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(MEMBER_GET);
    req.member_get = &g;
    ck_assert_int_eq(world_call(&w, w.committee, &req), 0);
    ck_assert_uint_eq(w.reply->member->invite_hash.len, 0);
    ck_assert_int_gt(w.reply->member->invite_expires_at, 0);

    ck_assert_int_eq(join(w.bridge, "li@chat", code), 0);
    ck_assert_uint_eq(w.reply->member->id, w.resident2);
    ck_assert_uint_eq(w.reply->member->bridge_id, w.bridge);
    ck_assert_int_eq(w.reply->member->invite_expires_at, 0);
    ck_assert_int_eq(resolve(w.bridge, "li@chat", 0), 0);
    /* Single use: the same code again, by anyone, is refused. */
    ck_assert_int_eq(join(w.bridge, "other@chat", code), ST(PERMISSION_DENIED));
    ck_assert_str_eq(reason(), "chat.invite_invalid");
    ck_assert_int_eq(resolve(w.bridge, "other@chat", 0), ST(NOT_FOUND));
    verify_clean();
}
END_TEST

START_TEST(invite_expires_and_three_tries)
{
    char code[64], wrong[64];
    ck_assert_int_eq(invite(w.resident2, 0, 1, code), 0);
    w.now += 3600 * 1000 + 1;
    ck_assert_int_eq(join(w.bridge, "li", code), ST(PERMISSION_DENIED));

    ck_assert_int_eq(invite(w.resident2, 0, 0, code), 0);
    size_t n = strlen(code);
    for (int i = 0; i < 3; i++) {
        snprintf(wrong, sizeof wrong, "%s", code);
        wrong[n - 1] = (char)('0' + (code[n - 1] - '0' + 1 + i) % 10);
        ck_assert_int_eq(join(w.bridge, "li", wrong), ST(PERMISSION_DENIED));
        ck_assert_str_eq(reason(), "chat.invite_invalid");
    }
    /* Three wrong tries void the invite: the right code no longer works. */
    ck_assert_int_eq(join(w.bridge, "li", code), ST(PERMISSION_DENIED));
    ck_assert_int_eq(resolve(w.bridge, "li", 0), ST(NOT_FOUND));

    /* Malformed and unknown codes get the same answer. */
    const char *bad[] = {"",          "abc",         "1-",
                         "-123456",   "9999-123456", "1-12345",
                         "1-1234567", "1-12a456",    "0-000000"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ck_assert_int_ne(join(w.bridge, "li", bad[i]), 0);
        ck_assert_str_eq(reason(), "chat.invite_invalid");
    }
}
END_TEST

START_TEST(invite_bridge_and_handle_rules)
{
    uint64_t b2 = world_add(&w, ROLE(BRIDGE), "Bridge 2", 0);
    char code[64];
    ck_assert_int_eq(invite(w.resident2, w.bridge, 0, code), 0);
    ck_assert_int_eq(join(b2, "li", code), ST(PERMISSION_DENIED));
    /* A handle already linked to someone else cannot take the invite. */
    ck_assert_int_eq(link_(w.committee, w.resident, "taken", w.bridge), 0);
    ck_assert_int_eq(join(w.bridge, "taken", code), ST(ALREADY_EXISTS));
    ck_assert_int_eq(join(w.bridge, "li", code), 0);
    /* Merchants get no invites; too long a validity is refused. */
    ck_assert_int_eq(invite(w.merchant, 0, 0, NULL), ST(FAILED_PRECONDITION));
    ck_assert_int_eq(invite(w.resident, 0, 24 * 31, NULL),
                     ST(INVALID_ARGUMENT));
}
END_TEST

static int cursor_set(uint64_t seq)
{
    Shangju__ChatCursorSet s = SHANGJU__CHAT_CURSOR_SET__INIT;
    s.seq = seq;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(CHAT_CURSOR_SET);
    req.chat_cursor_set = &s;
    return world_call(&w, w.bridge, &req);
}

static uint64_t cursor_get(uint64_t as)
{
    Shangju__ChatCursorGet g = SHANGJU__CHAT_CURSOR_GET__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(CHAT_CURSOR_GET);
    req.chat_cursor_get = &g;
    ck_assert_int_eq(world_call(&w, as, &req), 0);
    return w.reply->chat_cursor->seq;
}

START_TEST(cursor_lives_in_the_broker)
{
    ck_assert_uint_eq(cursor_get(w.bridge), 0);
    uint64_t last = w.reply->chat_cursor->last_seq;
    ck_assert_uint_gt(last, 2);
    ck_assert_int_eq(cursor_set(2), 0);
    ck_assert_uint_eq(w.events, 0);
    ck_assert_uint_eq(cursor_get(w.bridge), 2);
    ck_assert_int_eq(cursor_set(last + 1), ST(INVALID_ARGUMENT));
    ck_assert_uint_eq(cursor_get(w.bridge), 2);
    ck_assert_int_eq(cursor_set(last), 0);
    /* A bridge added later starts at the present, not at the first event
     * of the community: the history is not its to announce, and its
     * residents are not told of old changes as news. */
    uint64_t id;
    ck_assert_int_eq(world_post(&w, w.resident, "Photos", 0, &id), 0);
    ck_assert_uint_eq(cursor_get(w.bridge), last);
    uint64_t now_last = w.reply->chat_cursor->last_seq;
    ck_assert_uint_gt(now_last, last);
    uint64_t b2 = world_add(&w, ROLE(BRIDGE), "Bridge 2", 0);
    ck_assert_uint_eq(cursor_get(b2), now_last); /* one cursor per bridge */
    ck_assert_uint_eq(cursor_get(w.bridge), last);
    /* other roles have none */
    uint64_t r = world_add(&w, ROLE(RESIDENT), "Auntie Li", 0);
    Shangju__MemberGet g = SHANGJU__MEMBER_GET__INIT;
    g.id = r;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(MEMBER_GET);
    req.member_get = &g;
    ck_assert_int_eq(world_call(&w, w.committee, &req), 0);
    ck_assert_uint_eq(w.reply->member->chat_cursor, 0);
    verify_clean();
}
END_TEST

START_TEST(language_per_member)
{
    Shangju__ChatLangSet l = SHANGJU__CHAT_LANG_SET__INIT;
    l.member_id = w.resident2;
    l.lang = (char *)"en";
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(CHAT_LANG_SET);
    req.chat_lang_set = &l;
    /* Not linked to this bridge: the same NOT_FOUND as a stranger. */
    ck_assert_int_eq(world_call(&w, w.bridge, &req), ST(NOT_FOUND));
    ck_assert_int_eq(link_(w.committee, w.resident2, "li", w.bridge), 0);
    ck_assert_int_eq(world_call(&w, w.bridge, &req), 0);
    ck_assert_str_eq(w.reply->member->chat_lang, "en");
    ck_assert_uint_eq(w.events, 0);
    l.lang = (char *)"fr";
    ck_assert_int_eq(world_call(&w, w.bridge, &req), ST(INVALID_ARGUMENT));
    ck_assert_int_eq(resolve(w.bridge, "li", 0), 0);
    ck_assert_str_eq(w.reply->member->chat_lang, "en");
}
END_TEST

/* Neither the handle nor anything of an invite reaches the event log or
 * another member's view. */
START_TEST(nothing_private_leaves)
{
    char code[64];
    ck_assert_int_eq(invite(w.resident2, 0, 0, code), 0);
    ck_assert_int_eq(join(w.bridge, "li@chat", code), 0);
    ck_assert_int_eq(invite(w.resident, 0, 0, code), 0);
    ck_assert_int_eq(link_(w.committee, w.resident2, "li2@chat", 0), 0);
    sj_txn_t *t;
    Shangju__Event **ev;
    size_t n;
    ck_assert_int_eq(sj_txn_begin(w.store, false, &t), 0);
    ck_assert_int_eq(sj_event_range(t, 1, 1000, &ev, &n), 0);
    sj_txn_abort(&t);
    unsigned linked = 0;
    for (size_t i = 0; i < n; i++) {
        if (ev[i]->body_case != SHANGJU__EVENT__BODY_MEMBER)
            continue;
        const Shangju__Member *m = ev[i]->member;
        linked += sj_topic_parse(ev[i]->topic) == SJ_TOPIC_MEMBER_LINKED;
        ck_assert_str_eq(m->chat_handle, "");
        ck_assert_uint_eq(m->invite_hash.len, 0);
        ck_assert_int_eq(m->invite_expires_at, 0);
        ck_assert_str_eq(m->chat_lang, "");
    }
    sj_event_page_free(ev, n);
    ck_assert_uint_eq(linked, 2);
    Shangju__MemberGet g = SHANGJU__MEMBER_GET__INIT;
    g.id = w.resident;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(MEMBER_GET);
    req.member_get = &g;
    ck_assert_int_eq(world_call(&w, w.merchant, &req), 0);
    ck_assert_int_eq(w.reply->member->invite_expires_at, 0);
    ck_assert_uint_eq(w.reply->member->invite_hash.len, 0);
}
END_TEST

/* Fire due timers the way the batch does, reminders included; returns
 * the events emitted. */
static unsigned tick(void)
{
    sj_txn_t *txn;
    ck_assert_int_eq(sj_txn_begin(w.store, true, &txn), 0);
    sj_timer_t due[64];
    size_t n;
    ck_assert_int_eq(sj_timer_due(txn, w.now, due, 64, &n), 0);
    unsigned events = 0;
    for (size_t i = 0; i < n; i++) {
        sj_txn_t *child;
        ck_assert_int_eq(sj_txn_begin_nested(txn, &child), 0);
        sj_call_t c;
        sj_call_init(&c, child, NULL, w.now, &w.cfg);
        int rc = sj_dispatch_timer(&c, &due[i]);
        ck_assert_int_eq(rc, 0);
        for (size_t e = 0; e < c.n_events; e++)
            if (strcmp(c.events[e].topic,
                       sj_topic_name(SJ_TOPIC_WISH_EXPIRING)) == 0)
                events++;
        sj_call_end(&c);
        ck_assert_int_eq(sj_txn_commit(&child), 0);
    }
    ck_assert_int_eq(sj_txn_commit(&txn), 0);
    return events;
}

static int remind(uint64_t as, uint64_t wish)
{
    Shangju__ChatRemind r = SHANGJU__CHAT_REMIND__INIT;
    r.wish_id = wish;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(CHAT_REMIND);
    req.chat_remind = &r;
    return world_call(&w, as, &req);
}

START_TEST(reminder_before_expiry)
{
    ck_assert_int_eq(link_(w.committee, w.resident, "auntie", w.bridge), 0);
    uint64_t a, b, other;
    ck_assert_int_eq(world_post(&w, w.resident, "Photos", 0, &a), 0);
    ck_assert_int_eq(world_post(&w, w.resident, "Cakes", 0, &b), 0);
    ck_assert_int_eq(world_post(&w, w.resident2, "Bike", 0, &other), 0);
    ck_assert_int_eq(remind(w.bridge, a), 0);
    ck_assert_int_eq(remind(w.bridge, a), 0); /* twice: one reminder */
    ck_assert_int_eq(remind(w.bridge, b), 0);
    /* Only for residents linked to this bridge, only open wishes. */
    ck_assert_int_eq(remind(w.bridge, other), ST(NOT_FOUND));
    ck_assert_int_eq(remind(w.bridge, 999), ST(NOT_FOUND));
    ck_assert_int_eq(world_move(&w, w.resident, K(WISH_CANCEL), b), 0);
    ck_assert_int_eq(remind(w.bridge, b), ST(FAILED_PRECONDITION));
    /* Nothing before the day before expiry; then one event, for the wish
     * still open (b was cancelled, its timer finds nothing to do). */
    w.now += w.cfg.wish_expiry_ms - 25LL * 3600 * 1000;
    ck_assert_uint_eq(tick(), 0);
    w.now += 2LL * 3600 * 1000;
    ck_assert_uint_eq(tick(), 1);
    ck_assert_uint_eq(tick(), 0);
}
END_TEST

static int leave(uint64_t as, const char *handle)
{
    Shangju__ChatLeave l = SHANGJU__CHAT_LEAVE__INIT;
    l.handle = (char *)handle;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(CHAT_LEAVE);
    req.chat_leave = &l;
    return world_call(&w, as, &req);
}

/* issue 14: a WeChat follower unsubscribes; the bridge unlinks them. */
START_TEST(leave_unlinks_on_own_bridge_only)
{
    uint64_t b2 = world_add(&w, ROLE(BRIDGE), "Bridge 2", 0);
    ck_assert_int_eq(link_(w.committee, w.resident2, "oOPENID", w.bridge), 0);
    /* Another bridge, an unknown handle, an empty one: the same refusal,
     * and nothing changes. */
    ck_assert_int_eq(leave(b2, "oOPENID"), ST(NOT_FOUND));
    ck_assert_str_eq(reason(), "chat.unlinked");
    ck_assert_int_eq(leave(w.bridge, "nobody"), ST(NOT_FOUND));
    ck_assert_str_eq(reason(), "chat.unlinked");
    ck_assert_uint_eq(w.events, 0); /* events of the last call */
    ck_assert_int_eq(leave(w.bridge, ""), ST(INVALID_ARGUMENT));
    ck_assert_int_eq(resolve(w.bridge, "oOPENID", 0), 0);
    /* Its own bridge: unlinked, language forgotten, one event. */
    ck_assert_int_eq(leave(w.bridge, "oOPENID"), 0);
    ck_assert_uint_eq(w.events, 1);
    ck_assert_int_eq(resolve(w.bridge, "oOPENID", 0), ST(NOT_FOUND));
    ck_assert_int_eq(resolve(w.bridge, "", w.resident2), ST(NOT_FOUND));
    ck_assert_int_eq(leave(w.bridge, "oOPENID"), ST(NOT_FOUND));
    Shangju__MemberGet g = SHANGJU__MEMBER_GET__INIT;
    g.id = w.resident2;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(MEMBER_GET);
    req.member_get = &g;
    ck_assert_int_eq(world_call(&w, w.committee, &req), 0);
    ck_assert_str_eq(w.reply->member->chat_handle, "");
    ck_assert_uint_eq(w.reply->member->bridge_id, 0);
    ck_assert_str_eq(w.reply->member->chat_lang, "");
    verify_clean();
    /* The handle is free again: the committee may link it anew. */
    ck_assert_int_eq(link_(w.committee, w.resident, "oOPENID", w.bridge), 0);
    verify_clean();
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("links");
    TCase *tc = tcase_create("links");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, link_resolve_unlink);
    tcase_add_test(tc, handles_unique_per_bridge);
    tcase_add_test(tc, link_refusals);
    tcase_add_test(tc, invite_single_use);
    tcase_add_test(tc, invite_expires_and_three_tries);
    tcase_add_test(tc, invite_bridge_and_handle_rules);
    tcase_add_test(tc, cursor_lives_in_the_broker);
    tcase_add_test(tc, language_per_member);
    tcase_add_test(tc, reminder_before_expiry);
    tcase_add_test(tc, nothing_private_leaves);
    tcase_add_test(tc, leave_unlinks_on_own_bridge_only);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

SJ_CHECK_MAIN(suite)
