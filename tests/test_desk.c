/* Check suite of the desk client's core (clients/desk/, GLib only): ages
 * and countdowns in both languages, dates in the community's time zone,
 * the hand-over input a scanner types, a listing's counted specialties
 * joined, the live lists fed with records in
 * any order (newest wins, no duplicates, the contact kept while the claim
 * is mine), the remembered settings, the session refusing actions while
 * offline, and the GSource that drives the client library from GLib's
 * loop (a request to a silent broker times out through the loop). */
#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "client_gsource.h"
#include "config.h"
#include "format.h"
#include "i18n.h"
#include "model.h"
#include "session.h"

#define MIN_MS ((int64_t)60 * 1000)
#define NOW ((int64_t)1764633600000) /* 2025-12-02 00:00 UTC */

static void lang(const char *l)
{
    g_setenv("LANGUAGE", l, TRUE);
    sj_i18n_init();
}

/* ------------------------------------------------------------- format */

START_TEST(age_in_chinese_and_english)
{
    lang("zh_CN");
    char *s = sj_desk_age_text(NOW, NOW - 12 * MIN_MS);
    ck_assert_str_eq(s, "12 分钟前");
    g_free(s);
    s = sj_desk_age_text(NOW, NOW - 10 * 1000);
    ck_assert_str_eq(s, "刚刚");
    g_free(s);
    s = sj_desk_age_text(NOW, NOW - 3 * 60 * MIN_MS);
    ck_assert_str_eq(s, "3 小时前");
    g_free(s);
    lang("en");
    s = sj_desk_age_text(NOW, NOW - 1 * MIN_MS);
    ck_assert_str_eq(s, "1 minute ago");
    g_free(s);
    s = sj_desk_age_text(NOW, NOW - 2 * 24 * 60 * MIN_MS);
    ck_assert_str_eq(s, "2 days ago");
    g_free(s);
    /* A clock ahead of ours: just now, not a negative age. */
    s = sj_desk_age_text(NOW, NOW + 5 * MIN_MS);
    ck_assert_str_eq(s, "just now");
    g_free(s);
}
END_TEST

START_TEST(age_classes)
{
    ck_assert_int_eq(sj_desk_age_class(NOW, NOW - MIN_MS), SJ_DESK_AGE_FRESH);
    ck_assert_int_eq(sj_desk_age_class(NOW, NOW - 20 * MIN_MS),
                     SJ_DESK_AGE_WARM);
    ck_assert_int_eq(sj_desk_age_class(NOW, NOW - 120 * MIN_MS),
                     SJ_DESK_AGE_STALE);
    ck_assert_int_eq(sj_desk_age_class(NOW, NOW - 25 * 60 * MIN_MS),
                     SJ_DESK_AGE_OLD);
    ck_assert_str_eq(sj_desk_age_css(SJ_DESK_AGE_OLD), "age-old");
}
END_TEST

START_TEST(countdown)
{
    lang("zh_CN");
    char *s = sj_desk_countdown_text(NOW, NOW + (26 * 60 + 5) * MIN_MS);
    ck_assert_str_eq(s, "还剩 1 天 2 小时");
    g_free(s);
    s = sj_desk_countdown_text(NOW, NOW - MIN_MS);
    ck_assert_str_eq(s, "已过期");
    g_free(s);
    lang("en");
    s = sj_desk_countdown_text(NOW, NOW + 45 * MIN_MS);
    ck_assert_str_eq(s, "45 min left");
    g_free(s);
    s = sj_desk_countdown_text(NOW, 0);
    ck_assert_str_eq(s, "");
    g_free(s);
}
END_TEST

START_TEST(time_in_the_community_zone)
{
    g_setenv("TZ", "Asia/Shanghai", TRUE);
    tzset();
    char *s = sj_desk_time_text(NOW);
    ck_assert_str_eq(s, "2025-12-02 08:00"); /* UTC+8 */
    g_free(s);
    s = sj_desk_time_text(0);
    ck_assert_str_eq(s, "-");
    g_free(s);
    /* A compact's term: the days it covers. Drafted "--from 2026-01-01
     * --to 2027-12-31", it ends at the midnight that opens 2028 (the end is
     * exclusive): the merchant reads "2026-01-01 – 2027-12-31". */
    int64_t from = 1767196800000LL; /* 2026-01-01 00:00 +08:00 */
    int64_t to = 1830268800000LL;   /* 2028-01-01 00:00 +08:00 */
    s = sj_desk_term_text(from, to);
    ck_assert_ptr_nonnull(strstr(s, "2026-01-01"));
    ck_assert_ptr_nonnull(strstr(s, "2027-12-31"));
    ck_assert_ptr_null(strstr(s, "2028"));
    ck_assert(strstr(s, "2026") < strstr(s, "2027"));
    g_free(s);
    s = sj_desk_term_text(0, 0);
    ck_assert_ptr_null(strstr(s, "1970"));
    g_free(s);
}
END_TEST

START_TEST(handover_url_and_bare_code)
{
    uint64_t id = 99;
    char *code = NULL;
    /* The whole URL a scanner types, with its Enter. */
    ck_assert(sj_desk_handover_parse(
        "https://jinqiao.example.org/w/42?code=AB12CD34\n", &id, &code));
    ck_assert_uint_eq(id, 42);
    ck_assert_str_eq(code, "AB12CD34");
    g_free(code);
    /* Other parameters, an escape and a fragment. */
    ck_assert(sj_desk_handover_parse("http://x/base/w/7?lang=en&code=A%2DB#t",
                                     &id, &code));
    ck_assert_uint_eq(id, 7);
    ck_assert_str_eq(code, "A-B");
    g_free(code);
    /* A typed code. */
    ck_assert(sj_desk_handover_parse("  ZZ62GWUZ ", &id, &code));
    ck_assert_uint_eq(id, 0);
    ck_assert_str_eq(code, "ZZ62GWUZ");
    g_free(code);
    /* Refused: empty, no code, bad characters, too long, a shop's URL. */
    const char *bad[] = {"",
                         "   ",
                         "https://x/w/3",
                         "https://x/w/3?code=",
                         "https://x/m/3?lang=zh",
                         "AB CD",
                         "<script>",
                         "https://x/w/3?code=a%20b",
                         "0123456789012345678901234567890123456789012345678901"
                         "234567890123456789"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        ck_assert_msg(!sj_desk_handover_parse(bad[i], &id, &code), "%s",
                      bad[i]);
        ck_assert_ptr_null(code);
    }
    ck_assert(!sj_desk_handover_parse(NULL, &id, &code));
}
END_TEST

START_TEST(categories)
{
    ck_assert(sj_desk_category_in(NULL, "food"));
    ck_assert(sj_desk_category_in("", "food"));
    ck_assert(sj_desk_category_in("photo, Food ,repair", "food"));
    ck_assert(!sj_desk_category_in("photo,repair", "food"));
    ck_assert(sj_desk_category_in("面包,照相", "照相"));
    /* A wish with no category (every wish a resident sends from chat)
     * may concern any shop: it alerts them all. */
    ck_assert(sj_desk_category_in("photo", NULL));
    ck_assert(sj_desk_category_in("photo", ""));
    ck_assert(sj_desk_category_in("photo", "  "));
}
END_TEST

/* A listing's specialties as protobuf-c gives them: counted, with no NULL
 * after the last (the desk read on past it and crashed in it_desk). */
START_TEST(specialties_joined_by_count)
{
    static const char *const items[] = {"豆浆", "油条", "not a specialty"};
    char *s = sj_desk_join((char *const *)items, 2, ", ");
    ck_assert_str_eq(s, "豆浆, 油条");
    g_free(s);
    s = sj_desk_join(NULL, 0, ", ");
    ck_assert_str_eq(s, "");
    g_free(s);
}
END_TEST

/* -------------------------------------------------------------- model */

static Shangju__Wish *wish(uint64_t id, int state, int64_t created,
                           int64_t updated, uint64_t claimant)
{
    static Shangju__Wish w;
    static Shangju__Claim c;
    shangju__wish__init(&w);
    shangju__claim__init(&c);
    w.id = id;
    w.state = state;
    w.title = "t";
    w.category = "food";
    w.building = "3号楼";
    w.created_at = created;
    w.updated_at = updated;
    if (claimant) {
        c.merchant_id = claimant;
        c.due_at = updated + 7 * 24 * 60 * MIN_MS;
        w.claim = &c;
    }
    return &w;
}

#define OPEN SHANGJU__WISH_STATE__WISH_STATE_OPEN
#define CLAIMED SHANGJU__WISH_STATE__WISH_STATE_CLAIMED
#define CLOSED SHANGJU__WISH_STATE__WISH_STATE_CLOSED

static uint64_t id_at(GListModel *m, guint i)
{
    SjDeskWish *w = g_list_model_get_item(m, i);
    uint64_t id = w->id;
    g_object_unref(w);
    return id;
}

START_TEST(board_newest_on_top_without_duplicates)
{
    sj_desk_model_t *m = sj_desk_model_new(5);
    GListModel *b = sj_desk_model_board(m);
    ck_assert_int_eq(sj_desk_model_apply(m, wish(1, OPEN, 100, 100, 0)),
                     SJ_DESK_APPLY_NEW_OPEN);
    ck_assert_int_eq(sj_desk_model_apply(m, wish(3, OPEN, 300, 300, 0)),
                     SJ_DESK_APPLY_NEW_OPEN);
    ck_assert_int_eq(sj_desk_model_apply(m, wish(2, OPEN, 200, 200, 0)),
                     SJ_DESK_APPLY_NEW_OPEN);
    ck_assert_uint_eq(g_list_model_get_n_items(b), 3);
    ck_assert_uint_eq(id_at(b, 0), 3);
    ck_assert_uint_eq(id_at(b, 1), 2);
    ck_assert_uint_eq(id_at(b, 2), 1);
    /* The same record again (a list reply after Replay): no duplicate, no
     * new-wish alert. */
    ck_assert_int_ne(sj_desk_model_apply(m, wish(2, OPEN, 200, 200, 0)),
                     SJ_DESK_APPLY_NEW_OPEN);
    ck_assert_uint_eq(g_list_model_get_n_items(b), 3);
    sj_desk_model_free(&m);
    ck_assert_ptr_null(m);
    sj_desk_model_free(&m);
}
END_TEST

START_TEST(claims_move_and_stale_records_are_ignored)
{
    sj_desk_model_t *m = sj_desk_model_new(5);
    GListModel *b = sj_desk_model_board(m), *c = sj_desk_model_claims(m);
    sj_desk_model_apply(m, wish(1, OPEN, 100, 100, 0));
    sj_desk_model_apply(m, wish(2, OPEN, 200, 200, 0));
    /* Claimed by me: leaves the board, joins my claims, contact kept. */
    Shangju__Wish *w = wish(1, CLAIMED, 100, 150, 5);
    w->owner_contact = "138-0000";
    ck_assert_int_eq(sj_desk_model_apply(m, w), SJ_DESK_APPLY_CHANGED);
    ck_assert_uint_eq(g_list_model_get_n_items(b), 1);
    ck_assert_uint_eq(g_list_model_get_n_items(c), 1);
    /* An event of the same claim carries no contact: the reply's stays. */
    sj_desk_model_apply(m, wish(1, CLAIMED, 100, 160, 5));
    ck_assert_str_eq(sj_desk_model_find(m, 1)->owner_contact, "138-0000");
    /* The open record from before the claim arrives late: ignored. */
    ck_assert_int_eq(sj_desk_model_apply(m, wish(1, OPEN, 100, 100, 0)),
                     SJ_DESK_APPLY_NONE);
    ck_assert_uint_eq(g_list_model_get_n_items(b), 1);
    /* Claimed by another shop: gone from the board, not mine. */
    sj_desk_model_apply(m, wish(2, CLAIMED, 200, 250, 6));
    ck_assert_uint_eq(g_list_model_get_n_items(b), 0);
    ck_assert_uint_eq(g_list_model_get_n_items(c), 1);
    /* Closed: gone everywhere, and an older record cannot bring it back. */
    sj_desk_model_apply(m, wish(1, CLOSED, 100, 400, 5));
    ck_assert_uint_eq(g_list_model_get_n_items(c), 0);
    ck_assert_int_eq(sj_desk_model_apply(m, wish(1, CLAIMED, 100, 160, 5)),
                     SJ_DESK_APPLY_NONE);
    ck_assert_ptr_null(sj_desk_model_find(m, 1));
    /* Released back to open: on the board again. */
    ck_assert_int_eq(sj_desk_model_apply(m, wish(2, OPEN, 200, 500, 0)),
                     SJ_DESK_APPLY_NEW_OPEN);
    sj_desk_model_remove(m, 2);
    ck_assert_uint_eq(g_list_model_get_n_items(b), 0);
    ck_assert_int_eq(sj_desk_model_apply(m, NULL), SJ_DESK_APPLY_NONE);
    sj_desk_model_free(&m);
}
END_TEST

START_TEST(filters)
{
    SjDeskWish *w = sj_desk_wish_new(wish(1, OPEN, 1, 1, 0));
    ck_assert(sj_desk_wish_matches(w, NULL, NULL));
    ck_assert(sj_desk_wish_matches(w, "", " "));
    ck_assert(sj_desk_wish_matches(w, "FOO", "3号"));
    ck_assert(!sj_desk_wish_matches(w, "photo", NULL));
    ck_assert(!sj_desk_wish_matches(w, NULL, "5号楼"));
    g_object_unref(w);
}
END_TEST

/* ------------------------------------------------------------- config */

START_TEST(settings_remembered)
{
    char *dir = g_dir_make_tmp("sj-desk-cfg.XXXXXX", NULL);
    g_setenv("XDG_CONFIG_HOME", dir, TRUE);
    sj_desk_config_t c;
    /* Nothing yet: defaults, not ready to connect. */
    ck_assert(!sj_desk_config_load(&c));
    ck_assert(c.sound);
    ck_assert(!c.large_text);
    ck_assert(!sj_desk_config_ready(&c));
    c.key_file = g_strdup("/keys/shop.key");
    c.server_key_file = g_strdup("/keys/server.pub");
    c.requests = g_strdup("tcp://10.0.0.2:7400");
    c.events = g_strdup("tcp://10.0.0.2:7401");
    c.categories = g_strdup("面包, cakes");
    c.sound = false;
    c.large_text = true;
    ck_assert(sj_desk_config_save(&c, NULL));
    sj_desk_config_clear(&c);
    char *path = sj_desk_config_path();
    GStatBuf st;
    ck_assert_int_eq(g_stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 077, 0); /* only the user reads it */
    ck_assert(sj_desk_config_load(&c));
    ck_assert(sj_desk_config_ready(&c));
    ck_assert_str_eq(c.requests, "tcp://10.0.0.2:7400");
    ck_assert_str_eq(c.categories, "面包, cakes");
    ck_assert(!c.sound);
    ck_assert(c.large_text);
    sj_desk_config_clear(&c);
    g_remove(path);
    g_free(path);
    char *sub = g_build_filename(dir, "shangju", NULL);
    g_rmdir(sub);
    g_free(sub);
    g_rmdir(dir);
    g_free(dir);
}
END_TEST

/* ------------------------------------------- the loop, with no broker */

static sj_client_opts_t silent_broker(sj_keypair_t *me, sj_keypair_t *srv)
{
    ck_assert_int_eq(sj_keyfile_generate(me), 0);
    ck_assert_int_eq(sj_keyfile_generate(srv), 0);
    /* A port nobody listens on: every request goes unanswered. */
    return (sj_client_opts_t){.requests = "tcp://127.0.0.1:9",
                              .events = "tcp://127.0.0.1:9",
                              .keypair = me,
                              .server_key = srv->public_key,
                              .timeout_ms = 100,
                              .retries = 1};
}

typedef struct {
    int calls;
    int err;
    GMainLoop *loop;
} got_t;

static void on_reply(sj_client_t *c, const Shangju__Reply *r, int err, void *ud)
{
    (void)c;
    got_t *g = ud;
    g->calls++;
    g->err = err;
    ck_assert_ptr_null(r);
    g_main_loop_quit(g->loop);
}

static gboolean too_long(gpointer ud)
{
    (void)ud;
    ck_abort_msg("the GSource never ran the library's deadline");
    return G_SOURCE_REMOVE;
}

START_TEST(gsource_runs_deadlines)
{
    sj_keypair_t me, srv;
    sj_client_opts_t o = silent_broker(&me, &srv);
    sj_client_t *c = sj_client_new(&o, NULL);
    ck_assert_ptr_nonnull(c);
    GSource *s = sj_client_gsource_new(c);
    g_source_attach(s, NULL);
    got_t g = {.loop = g_main_loop_new(NULL, FALSE)};
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__Ping ping = SHANGJU__PING__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_PING;
    req.ping = &ping;
    ck_assert_int_eq(sj_client_send(c, &req, on_reply, &g), 0);
    guint guard = g_timeout_add(5000, too_long, NULL);
    gint64 t0 = g_get_monotonic_time();
    g_main_loop_run(g.loop);
    gint64 took = (g_get_monotonic_time() - t0) / 1000;
    g_source_remove(guard);
    ck_assert_int_eq(g.calls, 1);
    ck_assert_int_eq(g.err, SJ_ETIMEOUT);
    /* Two attempts of 100 ms: the loop slept, it did not spin or stall. */
    ck_assert_int_ge(took, 180);
    ck_assert_int_lt(took, 2000);
    g_source_destroy(s);
    g_source_unref(s);
    sj_client_destroy(&c);
    g_main_loop_unref(g.loop);
}
END_TEST

typedef struct {
    int offline;
    GMainLoop *loop;
} links_t;

static void on_link(void *ud, sj_desk_link_t link)
{
    links_t *l = ud;
    if (link == SJ_DESK_OFFLINE) {
        l->offline++;
        g_main_loop_quit(l->loop);
    }
}

START_TEST(session_goes_offline_and_refuses)
{
    sj_keypair_t me, srv;
    sj_client_opts_t o = silent_broker(&me, &srv);
    links_t l = {.loop = g_main_loop_new(NULL, FALSE)};
    sj_desk_session_cbs_t cbs = {.link = on_link};
    sj_desk_session_t *s = sj_desk_session_new(&o, &cbs, &l, NULL);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(sj_desk_session_link(s), SJ_DESK_CONNECTING);
    /* Not online yet: an action is refused, not queued. */
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__WishClaim wc = SHANGJU__WISH_CLAIM__INIT;
    wc.id = 1;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_CLAIM;
    req.wish_claim = &wc;
    ck_assert_int_eq(sj_desk_session_send(s, &req, NULL, NULL), SJ_EIO);
    guint guard = g_timeout_add(5000, too_long, NULL);
    gint64 t0 = g_get_monotonic_time();
    g_main_loop_run(l.loop);
    g_source_remove(guard);
    /* The banner's promise: offline known within seconds. */
    ck_assert_int_lt((g_get_monotonic_time() - t0) / 1000, 3000);
    ck_assert_int_eq(l.offline, 1);
    ck_assert_int_eq(sj_desk_session_link(s), SJ_DESK_OFFLINE);
    ck_assert_int_eq(sj_desk_session_send(s, &req, NULL, NULL), SJ_EIO);
    ck_assert_uint_eq(sj_desk_session_me(s), 0);
    sj_desk_session_free(&s);
    ck_assert_ptr_null(s);
    sj_desk_session_free(&s);
    g_main_loop_unref(l.loop);
}
END_TEST

START_TEST(refusals_in_words)
{
    lang("zh_CN");
    Shangju__Reply r = SHANGJU__REPLY__INIT;
    r.status = SHANGJU__STATUS__STATUS_FAILED_PRECONDITION;
    r.reason = "wish.not_open";
    r.message = "wish 3 is claimed";
    const char *t = sj_desk_refusal(&r, 0);
    ck_assert_str_ne(t, "wish 3 is claimed"); /* the catalogue's words */
    ck_assert(g_utf8_validate(t, -1, NULL));
    r.reason = "no.such.reason";
    ck_assert_str_eq(sj_desk_refusal(&r, 0), "wish 3 is claimed");
    ck_assert_str_eq(sj_desk_refusal(NULL, SJ_ETIMEOUT),
                     "服务器没有回应。请在连接恢复后再试。");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("desk");
    TCase *f = tcase_create("format");
    tcase_add_test(f, age_in_chinese_and_english);
    tcase_add_test(f, age_classes);
    tcase_add_test(f, countdown);
    tcase_add_test(f, time_in_the_community_zone);
    tcase_add_test(f, handover_url_and_bare_code);
    tcase_add_test(f, categories);
    tcase_add_test(f, specialties_joined_by_count);
    suite_add_tcase(s, f);
    TCase *m = tcase_create("model");
    tcase_add_test(m, board_newest_on_top_without_duplicates);
    tcase_add_test(m, claims_move_and_stale_records_are_ignored);
    tcase_add_test(m, filters);
    suite_add_tcase(s, m);
    TCase *c = tcase_create("config");
    tcase_add_test(c, settings_remembered);
    suite_add_tcase(s, c);
    TCase *l = tcase_create("loop");
    tcase_set_timeout(l, 20);
    tcase_add_test(l, gsource_runs_deadlines);
    tcase_add_test(l, session_goes_offline_and_refuses);
    tcase_add_test(l, refusals_in_words);
    suite_add_tcase(s, l);
    return s;
}

SJ_CHECK_MAIN(suite)
