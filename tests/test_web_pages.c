/* clients/web page builders and escaper (issue 10, acceptance 1): every
 * page built with hostile text — markup, quotes that would end an
 * attribute, bidirectional overrides, invalid UTF-8 — in every field
 * comes out with no tag or attribute the builders did not write, 4-byte
 * UTF-8 intact, the right lang, and Chinese by default. */
#include <check.h>

#include "check_main.h"
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "pages.h"
#include "sj_zone.h"

#define WS(x) SHANGJU__WISH_STATE__WISH_STATE_##x
#define CS(x) SHANGJU__COMPACT_STATE__COMPACT_STATE_##x
#define ROLE(x) SHANGJU__ROLE__ROLE_##x

/* Markup, both quotes, an RLO override, an isolate, a 4-byte emoji, a
 * control, and a stray continuation byte. */
#define HOSTILE                                                                \
    "<script>alert(1)</script>\"' onmouseover=x ><img src=x>"                  \
    "\xE2\x80\xAE"                                                             \
    "evil\xE2\x81\xA6"                                                         \
    "\xF0\x9F\x98\x80\x01\x80"                                                 \
    "&amp;"

static char *h = HOSTILE;

/* Every tag in page is one the builders write. */
static void only_our_tags(const char *page)
{
    static const char *const ok[] = {
        "!DOCTYPE", "html", "head", "meta", "title",  "link", "body",
        "header",   "a",    "main", "h1",   "h2",     "h3",   "p",
        "section",  "ul",   "ol",   "li",   "bdi",    "span", "br",
        "dl",       "dt",   "dd",   "time", "strong", "code", "pre",
        "footer",   "nav",  NULL};
    for (const char *p = strchr(page, '<'); p; p = strchr(p + 1, '<')) {
        const char *n = p + 1 + (p[1] == '/');
        size_t len = strcspn(n, " >");
        bool found = false;
        for (size_t i = 0; ok[i] && !found; i++)
            found = strlen(ok[i]) == len && strncmp(ok[i], n, len) == 0;
        ck_assert_msg(found, "unexpected tag at: %.40s", p);
    }
}

/* Attributes: every one is name="value", values hold no quote. */
static void attributes_quoted(const char *page)
{
    for (const char *p = strchr(page, '<'); p; p = strchr(p + 1, '<')) {
        const char *end = strchr(p, '>');
        ck_assert_ptr_nonnull(end);
        for (const char *q = p; q < end; q++)
            if (*q == '=') {
                ck_assert_msg(q[1] == '"', "unquoted attribute: %.40s", q);
                const char *close = strchr(q + 2, '"');
                ck_assert_msg(close && close < end, "attribute runs on: %.40s",
                              q);
                ck_assert_msg(!memchr(q + 2, '\'', (size_t)(close - q - 2)),
                              "quote in attribute");
                q = close;
            }
    }
}

static void hostile_safe(const char *page)
{
    ck_assert_ptr_null(strstr(page, "<script"));
    ck_assert_ptr_null(strstr(page, "<img"));
    ck_assert_ptr_null(strstr(page, "onmouseover=x >"));
    ck_assert_ptr_null(strstr(page, "\xE2\x80\xAE")); /* RLO */
    ck_assert_ptr_null(strstr(page, "\xE2\x81\xA6")); /* LRI */
    ck_assert_ptr_null(strchr(page, '\x01'));
    ck_assert_ptr_nonnull(strstr(page, "&lt;script&gt;"));
    ck_assert_ptr_nonnull(strstr(page, "&quot;&#39;"));
    ck_assert_ptr_nonnull(strstr(page, "\xF0\x9F\x98\x80")); /* emoji */
    ck_assert_ptr_nonnull(strstr(page, "&amp;amp;"));
    only_our_tags(page);
    attributes_quoted(page);
}

static char *take(web_buf_t *b)
{
    size_t len;
    char *page = web_buf_take(b, &len);
    ck_assert_ptr_nonnull(page);
    ck_assert_uint_eq(strlen(page), len);
    return page;
}

static web_ctx_t ctx(sj_lang_t lang, const char *path)
{
    web_ctx_t x = {.lang = lang, .lang_chosen = true, .path = path};
    return x;
}

static Shangju__Service svc = SHANGJU__SERVICE__INIT;
static Shangju__Service *svcs[] = {&svc};

static Shangju__Listing hostile_listing(void)
{
    Shangju__Listing l = SHANGJU__LISTING__INIT;
    static char *spec[] = {HOSTILE, HOSTILE};
    l.merchant_id = 4;
    l.name = l.category = l.address = l.hours = h;
    l.phone = h; /* the broker refuses it; the page must not care */
    l.specialties = spec;
    l.n_specialties = 2;
    svc.name = svc.description = h;
    svc.points = 5;
    l.services = svcs;
    l.n_services = 1;
    l.wishes_fulfilled = 3;
    l.ratings = 2;
    l.average_rating = 4.5;
    l.compacts_closed = 2;
    l.compact_ratings = 3;
    l.compact_average_rating = 14.0 / 3;
    return l;
}

START_TEST(merchant_page)
{
    Shangju__Listing l = hostile_listing();
    for (int lang = 0; lang < SJ_LANG_COUNT; lang++) {
        web_buf_t b;
        web_buf_init(&b, WEB_PAGE_MAX);
        web_ctx_t x = ctx((sj_lang_t)lang, "/m/4");
        web_page_merchant(&b, &x, &l);
        char *page = take(&b);
        hostile_safe(page);
        ck_assert_ptr_nonnull(strstr(page, "4.5 / 5 (2)"));
        /* its recognitions: closed compacts, the partners' ratings */
        ck_assert_ptr_nonnull(strstr(page, "4.7 / 5 (3)"));
        ck_assert_ptr_nonnull(
            strstr(page, lang == SJ_LANG_ZH ? "完成的公约</dt><dd>2<"
                                            : "Compacts completed</dt><dd>2<"));
        /* the tel: link dials digits only: the 1 of alert(1) */
        ck_assert_ptr_nonnull(strstr(page, "href=\"tel:1\""));
        if (lang == SJ_LANG_ZH) {
            ck_assert_ptr_nonnull(strstr(page, "<html lang=\"zh-Hans\">"));
            ck_assert_ptr_nonnull(strstr(page, "本店特色"));
            ck_assert_ptr_nonnull(strstr(page, "lang=\"en\" hreflang=\"en\""));
        } else {
            ck_assert_ptr_nonnull(strstr(page, "<html lang=\"en\">"));
            ck_assert_ptr_nonnull(strstr(page, "What this shop is known for"));
        }
        free(page);
    }
}
END_TEST

START_TEST(merchant_phone_dials_digits)
{
    Shangju__Listing l = SHANGJU__LISTING__INIT;
    l.merchant_id = 4;
    l.name = (char *)"金麦烘焙";
    l.category = (char *)"bakery";
    l.phone = (char *)"+86 (21) 0000-1001";
    web_buf_t b;
    web_buf_init(&b, WEB_PAGE_MAX);
    web_ctx_t x = ctx(SJ_LANG_ZH, "/m/4");
    x.lang_chosen = false;
    web_page_merchant(&b, &x, &l);
    char *page = take(&b);
    ck_assert_ptr_nonnull(strstr(page, "href=\"tel:+862100001001\""));
    ck_assert_ptr_nonnull(strstr(page, "拨打电话"));
    /* an English name inside the Chinese page carries its own lang */
    ck_assert_ptr_nonnull(strstr(page, "<bdi lang=\"en\">bakery</bdi>"));
    ck_assert_ptr_nonnull(strstr(page, "暂无评分"));
    free(page);
}
END_TEST

START_TEST(wish_page_and_code)
{
    Shangju__Claim cl = SHANGJU__CLAIM__INIT;
    cl.merchant_id = 4;
    Shangju__Wish w = SHANGJU__WISH__INIT;
    w.id = 9;
    w.title = w.details = w.category = w.community = w.building = h;
    w.thanks = h;
    w.state = WS(CLOSED);
    w.claim = &cl;
    w.rating = 5;
    w.created_at = 1700000000000;
    for (int lang = 0; lang < SJ_LANG_COUNT; lang++) {
        web_buf_t b;
        web_buf_init(&b, WEB_PAGE_MAX);
        web_ctx_t x = ctx((sj_lang_t)lang, "/w/9");
        x.code = h;
        web_page_wish(&b, &x, &w, h);
        char *page = take(&b);
        hostile_safe(page);
        ck_assert_ptr_nonnull(strstr(page, "class=\"code\""));
        ck_assert_ptr_nonnull(strstr(page, "href=\"/m/4?lang="));
        /* the switch keeps the code, percent-encoded */
        ck_assert_ptr_nonnull(strstr(page, "&amp;code=%3Cscript%3E"));
        ck_assert_ptr_nonnull(strstr(page, "5 / 5"));
        if (lang == SJ_LANG_ZH)
            ck_assert_ptr_nonnull(strstr(page, "心愿已圆满实现"));
        free(page);
    }
    /* Open, no code, no merchant: no code block, no claimant. */
    w.state = WS(OPEN);
    w.claim = NULL;
    web_buf_t b;
    web_buf_init(&b, WEB_PAGE_MAX);
    web_ctx_t x = ctx(SJ_LANG_ZH, "/w/9");
    web_page_wish(&b, &x, &w, NULL);
    char *page = take(&b);
    ck_assert_ptr_null(strstr(page, "class=\"code\""));
    ck_assert_ptr_null(strstr(page, "/m/"));
    ck_assert_ptr_nonnull(strstr(page, "等待商户认领"));
    free(page);
}
END_TEST

START_TEST(compact_page)
{
    Shangju__ServiceItem it = SHANGJU__SERVICE_ITEM__INIT;
    it.id = 1;
    it.giver_id = 4;
    it.receiver_id = 0;
    it.what = it.how_often = h;
    Shangju__ServiceItem *items[] = {&it};
    Shangju__Signature sig = SHANGJU__SIGNATURE__INIT;
    sig.party_id = 7;
    sig.version = 2;
    Shangju__Signature *sigs[] = {&sig};
    uint8_t hash[32] = {0xab, 0xcd};
    uint64_t parties[] = {1, 4, 7};
    Shangju__Compact cp = SHANGJU__COMPACT__INIT;
    cp.id = 3;
    cp.title = cp.covenant = h;
    cp.notice = h;
    cp.state = CS(ACTIVE);
    cp.parties = parties;
    cp.n_parties = 3;
    cp.items = items;
    cp.n_items = 1;
    cp.signatures = sigs;
    cp.n_signatures = 1;
    cp.version = 2;
    cp.version_hash.data = hash;
    cp.version_hash.len = 32;
    web_party_t ps[] = {{1, ROLE(COMMITTEE), HOSTILE, false},
                        {4, ROLE(MERCHANT), HOSTILE, true},
                        {7, ROLE(RESIDENT), "Auntie Wang", false}};
    web_notice_key_t key = {true, HOSTILE, HOSTILE};
    for (int lang = 0; lang < SJ_LANG_COUNT; lang++) {
        web_buf_t b;
        web_buf_init(&b, WEB_PAGE_MAX);
        web_ctx_t x = ctx((sj_lang_t)lang, "/c/3");
        web_page_compact(&b, &x, &cp, ps, 3, &key);
        char *page = take(&b);
        hostile_safe(page);
        /* a resident party is never named */
        ck_assert_ptr_null(strstr(page, "Auntie Wang"));
        ck_assert_ptr_nonnull(strstr(page, "abcd0000"));
        ck_assert_ptr_nonnull(strstr(page, "href=\"/c/3/notice\""));
        ck_assert_ptr_nonnull(strstr(page, "shangju compact verify"));
        if (lang == SJ_LANG_ZH)
            ck_assert_ptr_nonnull(strstr(page, "居民代表"));
        free(page);
    }
}
END_TEST

START_TEST(board_and_lists)
{
    Shangju__Wish w = SHANGJU__WISH__INIT;
    w.id = 2;
    w.title = w.category = w.building = h;
    w.state = WS(OPEN);
    Shangju__Wish *ws[] = {&w, &w};
    Shangju__WishPage wp = SHANGJU__WISH_PAGE__INIT;
    wp.items = ws;
    wp.n_items = 2;
    wp.next = 2;
    Shangju__Listing l = hostile_listing();
    Shangju__Listing *ls[] = {&l};
    Shangju__ListingPage lp = SHANGJU__LISTING_PAGE__INIT;
    lp.items = ls;
    lp.n_items = 1;
    Shangju__Compact cp = SHANGJU__COMPACT__INIT;
    cp.id = 3;
    cp.title = h;
    Shangju__Compact *cps[] = {&cp};
    Shangju__CompactPage cpp = SHANGJU__COMPACT_PAGE__INIT;
    cpp.items = cps;
    cpp.n_items = 1;
    for (int lang = 0; lang < SJ_LANG_COUNT; lang++) {
        web_ctx_t x = ctx((sj_lang_t)lang, "/");
        web_buf_t b;
        web_buf_init(&b, WEB_PAGE_MAX);
        web_page_board(&b, &x, &wp, &lp, &cpp);
        char *page = take(&b);
        hostile_safe(page);
        ck_assert_ptr_nonnull(strstr(page, "href=\"/wishes?after=2&amp;lang="));
        ck_assert_ptr_nonnull(strstr(page, "href=\"/c/3?lang="));
        free(page);
        web_buf_init(&b, WEB_PAGE_MAX);
        web_page_wishes(&b, &x, &wp);
        page = take(&b);
        hostile_safe(page);
        free(page);
        web_buf_init(&b, WEB_PAGE_MAX);
        web_page_merchants(&b, &x, &lp);
        page = take(&b);
        hostile_safe(page);
        free(page);
    }
    /* Empty board: says so, no list. */
    web_ctx_t x = ctx(SJ_LANG_ZH, "/");
    web_buf_t b;
    web_buf_init(&b, WEB_PAGE_MAX);
    web_page_board(&b, &x, NULL, NULL, NULL);
    char *page = take(&b);
    ck_assert_ptr_nonnull(strstr(page, "现在没有等待认领的心愿"));
    free(page);
}
END_TEST

START_TEST(error_pages_in_both_languages)
{
    static const struct {
        int status;
        const char *zh, *en;
    } cases[] = {{400, "这个网址不对", "This address is not right"},
                 {404, "没有找到这个页面", "Nothing here"},
                 {405, "不允许这样操作", "Not allowed"},
                 {503, "请稍后再试", "Please try again in a moment"},
                 {500, "出错了", "Something went wrong"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int lang = 0; lang < SJ_LANG_COUNT; lang++) {
            web_ctx_t x = ctx((sj_lang_t)lang, "/");
            web_buf_t b;
            web_buf_init(&b, WEB_PAGE_MAX);
            web_page_error(&b, &x, cases[i].status);
            char *page = take(&b);
            ck_assert_ptr_nonnull(
                strstr(page, lang == SJ_LANG_ZH ? cases[i].zh : cases[i].en));
            only_our_tags(page);
            free(page);
        }
}
END_TEST

START_TEST(escaper_and_cap)
{
    web_buf_t b;
    web_buf_init(&b, 64);
    web_buf_esc(&b, "a&b<c>d\"e'f\xC0\xAF\xED\xA0\x80g\ttab\nnl");
    char *s = take(&b);
    /* overlong "/" and a surrogate are invalid: U+FFFD each byte run */
    ck_assert_str_eq(s, "a&amp;b&lt;c&gt;d&quot;e&#39;f\xEF\xBF\xBD\xEF\xBF\xBD"
                        "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDg\ttab\nnl");
    free(s);
    web_buf_init(&b, 64);
    web_buf_url(&b, "a b&c=\"<'");
    s = take(&b);
    ck_assert_str_eq(s, "a%20b%26c%3D%22%3C%27");
    free(s);
    /* Past the cap the buffer fails, sticky, and gives nothing. */
    web_buf_init(&b, 16);
    web_buf_put(&b, "0123456789");
    web_buf_put(&b, "0123456789");
    web_buf_put(&b, "x");
    ck_assert(b.failed);
    size_t len;
    ck_assert_ptr_null(web_buf_take(&b, &len));
    web_buf_free(&b);
}
END_TEST

START_TEST(stylesheet_is_elderly_friendly)
{
    ck_assert_ptr_nonnull(strstr(web_style_css, "body{margin:0;font:20px/1.5"));
    ck_assert_ptr_nonnull(strstr(web_style_css, "min-height:48px"));
    ck_assert_ptr_nonnull(strstr(web_style_css, "@media print"));
    ck_assert_ptr_null(strstr(web_style_css, "maximum-scale"));
}
END_TEST

/* Times are the community's (issue 15): a page names the offset it
 * prints a time in, and gives machines the full instant; a day (a
 * compact's term) is a plain date. 1700000000000 ms is 2023-11-14 22:13:20
 * UTC, 06:13 the next morning in Shanghai. */
START_TEST(times_carry_their_zone)
{
    ck_assert_int_eq(sj_zone_use("Asia/Shanghai"), 0);
    Shangju__Wish w = SHANGJU__WISH__INIT;
    w.id = 9;
    w.title = w.details = w.category = w.community = w.building = "x";
    w.state = WS(OPEN);
    w.created_at = 1700000000000;
    web_buf_t b;
    web_buf_init(&b, WEB_PAGE_MAX);
    web_ctx_t x = ctx(SJ_LANG_ZH, "/w/9");
    web_page_wish(&b, &x, &w, NULL);
    char *page = take(&b);
    ck_assert_ptr_nonnull(strstr(page, "<time datetime=\"2023-11-15T06:13:20"
                                       "+08:00\">2023-11-15 06:13 (UTC+08:00)"
                                       "</time>"));
    free(page);
    ck_assert_int_eq(sj_zone_use("UTC"), 0);
    web_buf_init(&b, WEB_PAGE_MAX);
    web_page_wish(&b, &x, &w, NULL);
    page = take(&b);
    ck_assert_ptr_nonnull(strstr(page, "2023-11-14 22:13 (UTC+00:00)"));
    free(page);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("web_pages");
    TCase *tc = tcase_create("pages");
    tcase_add_test(tc, merchant_page);
    tcase_add_test(tc, merchant_phone_dials_digits);
    tcase_add_test(tc, wish_page_and_code);
    tcase_add_test(tc, compact_page);
    tcase_add_test(tc, board_and_lists);
    tcase_add_test(tc, error_pages_in_both_languages);
    tcase_add_test(tc, escaper_and_cap);
    tcase_add_test(tc, stylesheet_is_elderly_friendly);
    tcase_add_test(tc, times_carry_their_zone);
    suite_add_tcase(s, tc);
    return s;
}

SJ_CHECK_MAIN(suite)
