/* The WeChat / WeCom callback protocol (clients/chat/wxproto.c) against the
 * published test vectors: the URL-check signature, the safe-mode message
 * signature, decryption of the published ciphertext, encryption with a
 * pinned random prefix matching the published result (both the WeCom
 * vectors wechatpy tests with and the WXBizMsgCrypt sample's), a wrong
 * AppId, tampered ciphertext, and hostile XML; and the transport's durable
 * per-user state (wxstate.c): outbox, window, waiting, leave; and the
 * group robot's queue (kept across a reopen, a corrupt file set aside). */
#include <check.h>

#include "check_main.h"
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "wxproto.h"
#include "wxstate.h"

/* WeCom's vectors (wechatpy tests/test_enterprise_crypto.py). */
#define TOKEN "123456"
#define AESKEY "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
#define CORPID "wx49f0ab532d5d035a"
#define CIPHER                                                                 \
    "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFn"  \
    "XBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp"   \
    "2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+"   \
    "P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZ"   \
    "lF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQ"   \
    "ipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCR"   \
    "xthuL0="
#define ECHO                                                                   \
    "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9B"  \
    "v41n7hOchLF6p+Q=="

static uint8_t key[32];

static void setup(void)
{
    ck_assert(sj_wx_key(AESKEY, key));
}

START_TEST(url_check_signature)
{
    /* The Official Account's plain URL check (CLIENTS.md, checked there). */
    const char *p[] = {"AAAAA", "1714037059", "486452656"};
    char sig[41];
    sj_wx_sha1_sorted(p, 3, sig);
    ck_assert_str_eq(sig, "899cf89e464efb63f54ddac96b0a0a235f53aa78");
    ck_assert(sj_wx_check(sig, "AAAAA", "1714037059", "486452656", NULL));
    ck_assert(!sj_wx_check(sig, "AAAAA", "1714037059", "486452657", NULL));
    ck_assert(!sj_wx_check(sig, "AAAAB", "1714037059", "486452656", NULL));
    ck_assert(
        !sj_wx_check("899cf89e", "AAAAA", "1714037059", "486452656", NULL));
    /* WeCom's URL check signs the encrypted echostr too. */
    ck_assert(sj_wx_check("dd6b9c95b495b3f7e2901bfbc76c664930ffdb96", TOKEN,
                          "1411443780", "437374425", ECHO));
    ck_assert(!sj_wx_check("dd6b9c95b495b3f7e2901bfbc76c664930ffdb96", TOKEN,
                           "1411443780", "437374424", ECHO));
}
END_TEST

START_TEST(url_check_echostr_decrypts)
{
    char *msg;
    size_t len;
    ck_assert_int_eq(sj_wx_decrypt(key, ECHO, CORPID, &msg, &len), SJ_WX_OK);
    ck_assert_uint_gt(len, 0);
    ck_assert_uint_eq(strlen(msg), len);
    free(msg);
}
END_TEST

START_TEST(message_signature_and_decrypt)
{
    ck_assert(sj_wx_check("74d92dfeb87ba7c714f89d98870ae5eb62dff26d", TOKEN,
                          "1411525903", "461056294", CIPHER));
    ck_assert(!sj_wx_check("74d92dfeb87ba7c714f89d98870ae5eb62dff26d", TOKEN,
                           "1411525904", "461056294", CIPHER));
    char *msg;
    size_t len;
    ck_assert_int_eq(sj_wx_decrypt(key, CIPHER, CORPID, &msg, &len), SJ_WX_OK);
    ck_assert_uint_eq(len, 281); /* the published length prefix */
    sj_wx_msg_t *m = malloc(sizeof *m);
    ck_assert_int_eq(sj_wx_parse(msg, len, m), SJ_WX_OK);
    ck_assert_str_eq(m->content, "test");
    ck_assert_str_eq(m->from, "messense");
    ck_assert_str_eq(m->to, CORPID);
    ck_assert_str_eq(m->type, "text");
    ck_assert_str_eq(m->msg_id, "4363689963896700987");
    ck_assert_int_eq(m->create_time, 1411525903);
    ck_assert_int_eq(m->agent_id, 1);
    free(m);
    free(msg);
    /* The same ciphertext for another AppId is refused. */
    ck_assert_int_eq(
        sj_wx_decrypt(key, CIPHER, "wx49f0ab532d5d035b", &msg, &len),
        SJ_WX_EAPPID);
    ck_assert_ptr_null(msg);
}
END_TEST

START_TEST(encrypt_pinned_random)
{
    const char *reply = "<xml>\n"
                        "<MsgType><![CDATA[text]]></MsgType>\n"
                        "<Content><![CDATA[test]]></Content>\n"
                        "<FromUserName><![CDATA[wx49f0ab532d5d035a]]>"
                        "</FromUserName>\n"
                        "<ToUserName><![CDATA[messense]]></ToUserName>\n"
                        "<AgentID>1</AgentID>\n"
                        "<CreateTime>1411525903</CreateTime>\n"
                        "</xml>";
    char *b64 = sj_wx_encrypt(key, (const uint8_t *)"1234567890123456", reply,
                              strlen(reply), CORPID);
    ck_assert_ptr_nonnull(b64);
    ck_assert_str_eq(
        b64,
        "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrK"
        "k+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0L"
        "Wke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1q"
        "vSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvE"
        "Btb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1v"
        "Wwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3");
    char *env = sj_wx_envelope(TOKEN, b64, "1411525903", "461056294");
    ck_assert_ptr_nonnull(
        strstr(env, "<MsgSignature><![CDATA[407518b7649e86ef23978113f92d27afa"
                    "9296533]]></MsgSignature>"));
    g_free(env);
    free(b64);

    /* The WXBizMsgCrypt sample (Tencent's Java test): another key, Chinese
     * text, a 16-character random string. */
    uint8_t k2[32];
    ck_assert(sj_wx_key("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", k2));
    const char *zh = "我是中文abcd123";
    b64 = sj_wx_encrypt(k2, (const uint8_t *)"aaaabbbbccccdddd", zh, strlen(zh),
                        "wxb11529c136998cb6");
    ck_assert_str_eq(b64, "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5"
                          "+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==");
    char *back;
    size_t len;
    ck_assert_int_eq(sj_wx_decrypt(k2, b64, "wxb11529c136998cb6", &back, &len),
                     SJ_WX_OK);
    ck_assert_str_eq(back, zh);
    free(back);
    free(b64);
}
END_TEST

START_TEST(round_trip_random_prefix)
{
    char *a = sj_wx_encrypt(key, NULL, "hello", 5, CORPID);
    char *b = sj_wx_encrypt(key, NULL, "hello", 5, CORPID);
    ck_assert_str_ne(a, b); /* a fresh random prefix each time */
    char *msg;
    size_t len;
    ck_assert_int_eq(sj_wx_decrypt(key, a, CORPID, &msg, &len), SJ_WX_OK);
    ck_assert_str_eq(msg, "hello");
    free(msg);
    free(a);
    free(b);
}
END_TEST

START_TEST(tampered_and_bad_input)
{
    char *msg;
    size_t len;
    char t[] = CIPHER;
    t[strlen(t) - 10] = t[strlen(t) - 10] == 'A' ? 'B' : 'A'; /* last block */
    ck_assert_int_lt(sj_wx_decrypt(key, t, CORPID, &msg, &len), 0);
    ck_assert_ptr_null(msg);
    ck_assert_int_eq(sj_wx_decrypt(key, "", CORPID, &msg, &len), SJ_WX_EBASE64);
    ck_assert_int_eq(sj_wx_decrypt(key, "abc", CORPID, &msg, &len),
                     SJ_WX_EBASE64);
    ck_assert_int_eq(sj_wx_decrypt(key, "!!!!", CORPID, &msg, &len),
                     SJ_WX_EBASE64);
    ck_assert_int_eq(
        sj_wx_decrypt(key, "AAAAAAAAAAAAAAAAAAAAAA==", CORPID, &msg, &len),
        SJ_WX_EDECRYPT);
    uint8_t k[32];
    ck_assert(!sj_wx_key("short", k));
    ck_assert(!sj_wx_key(AESKEY "A", k));
}
END_TEST

START_TEST(xml_in_and_out)
{
    sj_wx_msg_t *m = malloc(sizeof *m);
    const char *voice =
        "<xml><ToUserName><![CDATA[gh_1]]></ToUserName>"
        "<FromUserName><![CDATA[oABC]]></FromUserName>"
        "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[voice]]>"
        "</MsgType><MediaId><![CDATA[m]]></MediaId><Format><![CDATA[amr]]>"
        "</Format><Recognition><![CDATA[心愿 修水管]]></Recognition>"
        "<MsgId>1234567890123456</MsgId></xml>";
    ck_assert_int_eq(sj_wx_parse(voice, strlen(voice), m), SJ_WX_OK);
    ck_assert_str_eq(m->type, "voice");
    ck_assert_str_eq(m->content, "心愿 修水管");
    ck_assert_str_eq(m->msg_id, "1234567890123456");
    const char *ev = "<xml><FromUserName>o1</FromUserName><MsgType>event"
                     "</MsgType><Event>SCAN</Event><EventKey>qrscene_7"
                     "</EventKey><CreateTime>5</CreateTime></xml>";
    ck_assert_int_eq(sj_wx_parse(ev, strlen(ev), m), SJ_WX_OK);
    ck_assert_str_eq(m->event, "SCAN");
    ck_assert_str_eq(m->event_key, "qrscene_7");
    /* Entities and DTDs are refused: no expansion, no external fetch. */
    const char *bomb = "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY a "
                       "\"aaaa\">]><xml><Content>&a;</Content></xml>";
    ck_assert_int_eq(sj_wx_parse(bomb, strlen(bomb), m), SJ_WX_EXML);
    const char *xxe = "<!DOCTYPE xml SYSTEM \"file:///etc/passwd\"><xml/>";
    ck_assert_int_eq(sj_wx_parse(xxe, strlen(xxe), m), SJ_WX_EXML);
    ck_assert_int_eq(sj_wx_parse("<xml>", 5, m), SJ_WX_EXML);
    ck_assert_int_eq(sj_wx_parse("<other/>", 8, m), SJ_WX_EXML);
    ck_assert_int_eq(sj_wx_parse("", 0, m), SJ_WX_EXML);

    /* A reply whose text holds "]]>" and markup still parses back. */
    const char *text = "a]]>b<c>&d 中文";
    char *r = sj_wx_text_reply("oABC", "gh_1", 42, text);
    ck_assert_int_eq(sj_wx_parse(r, strlen(r), m), SJ_WX_OK);
    ck_assert_str_eq(m->content, text);
    ck_assert_str_eq(m->to, "oABC");
    ck_assert_str_eq(m->from, "gh_1");
    ck_assert_str_eq(m->type, "text");
    ck_assert_int_eq(m->create_time, 42);
    g_free(r);
    free(m);
}
END_TEST

/* ------------------------------------------- wxstate: the durable side */

static char *state_dir(void)
{
    char *d = g_strdup("/tmp/sj-test-wxstate.XXXXXX");
    ck_assert_ptr_nonnull(g_mkdtemp(d));
    return d;
}

/* Remove d and its files (the state writes no subdirectories). */
static void rm_dir(char *d)
{
    GDir *g = g_dir_open(d, 0, NULL);
    const char *n;
    while (g && (n = g_dir_read_name(g))) {
        char *f = g_build_filename(d, n, NULL);
        g_remove(f);
        g_free(f);
    }
    if (g)
        g_dir_close(g);
    g_rmdir(d);
    g_free(d);
}

START_TEST(state_survives_reopen)
{
    char *d = state_dir();
    sj_wx_state_t *s = sj_wx_state_open(d);
    ck_assert_ptr_nonnull(s);
    int64_t now = 1800000000;
    sj_wx_state_inbound(s, "oA", now);
    ck_assert_int_eq(
        sj_wx_state_push(s, "oA", "claimed", "shangju-ev-7", false), 0);
    /* the same notification again (a repeat after a crash): skipped */
    ck_assert_int_eq(
        sj_wx_state_push(s, "oA", "claimed", "shangju-ev-7", false), 0);
    ck_assert_int_eq(sj_wx_state_push(s, "oA", "a reply", NULL, false), 0);
    sj_wx_state_seen_add(s, "oA", "m42");
    sj_wx_state_close(&s);
    ck_assert_ptr_null(s);

    s = sj_wx_state_open(d);
    sj_wx_user_t *u = sj_wx_state_get(s, "oA");
    ck_assert_ptr_nonnull(u);
    ck_assert_uint_eq(g_queue_get_length(u->outbox), 2);
    ck_assert(sj_wx_state_seen(s, "oA", "m42"));
    ck_assert(!sj_wx_state_seen(s, "oA", "m43"));
    ck_assert(sj_wx_window_open(u, now + 10));
    ck_assert_ptr_eq(sj_wx_state_next(s, now + 10), u);
    sj_wx_state_sent(s, u, 1);
    /* sent: its key is remembered, so the repeat is still skipped */
    ck_assert_int_eq(
        sj_wx_state_push(s, "oA", "claimed", "shangju-ev-7", false), 0);
    ck_assert_uint_eq(g_queue_get_length(u->outbox), 1);
    /* 48 hours later the window is closed; nothing is due */
    ck_assert(!sj_wx_window_open(u, now + SJ_WX_WINDOW_S));
    ck_assert_ptr_null(sj_wx_state_next(s, now + SJ_WX_WINDOW_S));
    ck_assert_ptr_eq(sj_wx_state_next(s, 0), u); /* WeCom: no window */
    sj_wx_state_close(&s);
    rm_dir(d);
}
END_TEST

START_TEST(state_window_and_waiting)
{
    char *d = state_dir();
    sj_wx_state_t *s = sj_wx_state_open(d);
    int64_t now = 1800000000;
    sj_wx_state_inbound(s, "oB", now);
    sj_wx_user_t *u = sj_wx_state_get(s, "oB");
    for (int i = 0; i < SJ_WX_WINDOW_MSGS; i++) {
        ck_assert(sj_wx_window_open(u, now));
        sj_wx_state_push(s, "oB", "x", NULL, false);
        sj_wx_state_sent(s, u, 1);
    }
    ck_assert(!sj_wx_window_open(u, now)); /* 5 sent: closed */
    sj_wx_state_push(s, "oB", "fulfilled #3", "shangju-ev-9", false);
    sj_wx_state_close_window(s, u); /* as on 45015 */
    ck_assert(((sj_wx_entry_t *)g_queue_peek_head(u->outbox))->waited);
    sj_wx_state_push(s, "oB", "expired #4", "shangju-ev-10", true);
    /* the resident writes: the window opens, what waited comes along */
    sj_wx_state_inbound(s, "oB", now + 100);
    ck_assert(sj_wx_window_open(u, now + 100));
    char *m = sj_wx_state_take_waited(s, "oB", "Meanwhile:", 1800);
    ck_assert_str_eq(m, "Meanwhile:\nfulfilled #3\nexpired #4");
    g_free(m);
    ck_assert(g_queue_is_empty(u->outbox));
    ck_assert_ptr_null(sj_wx_state_take_waited(s, "oB", "M", 1800));
    sj_wx_state_close(&s);
    rm_dir(d);
}
END_TEST

START_TEST(state_leave_forgets)
{
    char *d = state_dir();
    sj_wx_state_t *s = sj_wx_state_open(d);
    sj_wx_state_inbound(s, "oC", 1800000000);
    sj_wx_state_push(s, "oC", "secret-ish notice", NULL, false);
    sj_wx_state_leave_retry(s, "oC", 0);
    sj_wx_user_t *u = sj_wx_state_get(s, "oC");
    ck_assert(u->left);
    ck_assert(g_queue_is_empty(u->outbox)); /* gone at once */
    ck_assert_int_eq(sj_wx_state_push(s, "oC", "more", NULL, false), 0);
    ck_assert(g_queue_is_empty(u->outbox)); /* nothing for a leaver */
    sj_wx_state_close(&s);
    /* the marker survives a restart, so the broker is still told */
    s = sj_wx_state_open(d);
    ck_assert_str_eq(sj_wx_state_leave_due(s, 1), "oC");
    sj_wx_state_forget(s, "oC");
    ck_assert_ptr_null(sj_wx_state_get(s, "oC"));
    ck_assert_ptr_null(sj_wx_state_leave_due(s, 1));
    sj_wx_state_close(&s);
    s = sj_wx_state_open(d);
    ck_assert_ptr_null(sj_wx_state_get(s, "oC")); /* the file is gone */
    /* an over-long handle is refused, not truncated */
    char big[SJ_WX_MAX_HANDLE + 2];
    memset(big, 'h', sizeof big - 1);
    big[sizeof big - 1] = 0;
    ck_assert_int_eq(sj_wx_state_push(s, big, "x", NULL, false), -1);
    sj_wx_state_close(&s);
    rm_dir(d);
}
END_TEST

START_TEST(state_robot_queue_survives_reopen)
{
    /* An announcement accepted into the group robot's queue is on disk
     * before the push returns: a restart finds the queue in order, and a
     * pop is on disk too (so it is not announced twice). */
    char *d = state_dir();
    sj_wx_state_t *s = sj_wx_state_open(d);
    ck_assert_ptr_null(sj_wx_state_robot_head(s)); /* no file: empty */
    ck_assert_int_eq(sj_wx_state_robot_push(s, "wish 1"), 0);
    ck_assert_int_eq(sj_wx_state_robot_push(s, "wish 2"), 0);
    ck_assert_int_eq(sj_wx_state_robot_push(s, "wish 3"), 0);
    sj_wx_state_close(&s);

    s = sj_wx_state_open(d);
    ck_assert_uint_eq(sj_wx_state_robot_len(s), 3);
    ck_assert_str_eq(sj_wx_state_robot_head(s), "wish 1");
    sj_wx_state_robot_pop(s);
    ck_assert_str_eq(sj_wx_state_robot_head(s), "wish 2");
    sj_wx_state_close(&s);

    s = sj_wx_state_open(d);
    ck_assert_uint_eq(sj_wx_state_robot_len(s), 2);
    ck_assert_str_eq(sj_wx_state_robot_head(s), "wish 2");
    sj_wx_state_robot_pop(s);
    ck_assert_str_eq(sj_wx_state_robot_head(s), "wish 3");
    sj_wx_state_robot_pop(s);
    ck_assert_ptr_null(sj_wx_state_robot_head(s));
    sj_wx_state_robot_pop(s); /* empty: nothing happens */
    sj_wx_state_close(&s);
    s = sj_wx_state_open(d);
    ck_assert_uint_eq(sj_wx_state_robot_len(s), 0);

    /* The bound holds: past SJ_WX_ROBOT_QUEUE the text is refused. */
    for (int i = 0; i < SJ_WX_ROBOT_QUEUE; i++) {
        char t[16];
        g_snprintf(t, sizeof t, "w%d", i);
        ck_assert_int_eq(sj_wx_state_robot_push(s, t), 0);
    }
    ck_assert_int_eq(sj_wx_state_robot_push(s, "one too many"), 1);
    sj_wx_state_close(&s);
    s = sj_wx_state_open(d);
    ck_assert_uint_eq(sj_wx_state_robot_len(s), SJ_WX_ROBOT_QUEUE);
    ck_assert_str_eq(sj_wx_state_robot_head(s), "w0");
    sj_wx_state_close(&s);
    rm_dir(d);
}
END_TEST

START_TEST(state_robot_queue_corrupt)
{
    /* A robot.queue that does not parse: the queue starts empty and the
     * file is kept aside as robot.queue.corrupt (for the operator), not
     * overwritten by the next push. Entries that are not strings are
     * skipped. */
    char *d = state_dir();
    char *f = g_build_filename(d, "robot.queue", NULL);
    char *bad = g_build_filename(d, "robot.queue.corrupt", NULL);
    ck_assert(g_file_set_contents(f, "[\"wish 1\", \"wi", -1, NULL));
    sj_wx_state_t *s = sj_wx_state_open(d);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(sj_wx_state_robot_len(s), 0);
    ck_assert(g_file_test(bad, G_FILE_TEST_EXISTS));
    ck_assert(!g_file_test(f, G_FILE_TEST_EXISTS));
    ck_assert_int_eq(sj_wx_state_robot_push(s, "wish 2"), 0);
    sj_wx_state_close(&s);
    char *kept = NULL;
    ck_assert(g_file_get_contents(bad, &kept, NULL, NULL));
    ck_assert_str_eq(kept, "[\"wish 1\", \"wi");
    g_free(kept);

    ck_assert(
        g_file_set_contents(f, "[\"a\", 7, {\"x\": 1}, \"b\"]", -1, NULL));
    s = sj_wx_state_open(d);
    ck_assert_uint_eq(sj_wx_state_robot_len(s), 2);
    ck_assert_str_eq(sj_wx_state_robot_head(s), "a");
    sj_wx_state_close(&s);
    g_free(f);
    g_free(bad);
    rm_dir(d);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("wechat");
    TCase *t = tcase_create("wxproto");
    tcase_add_checked_fixture(t, setup, NULL);
    tcase_add_test(t, url_check_signature);
    tcase_add_test(t, url_check_echostr_decrypts);
    tcase_add_test(t, message_signature_and_decrypt);
    tcase_add_test(t, encrypt_pinned_random);
    tcase_add_test(t, round_trip_random_prefix);
    tcase_add_test(t, tampered_and_bad_input);
    tcase_add_test(t, xml_in_and_out);
    suite_add_tcase(s, t);
    TCase *st = tcase_create("wxstate");
    tcase_add_test(st, state_survives_reopen);
    tcase_add_test(st, state_window_and_waiting);
    tcase_add_test(st, state_leave_forgets);
    tcase_add_test(st, state_robot_queue_survives_reopen);
    tcase_add_test(st, state_robot_queue_corrupt);
    suite_add_tcase(s, st);
    return s;
}

SJ_CHECK_MAIN(suite)
