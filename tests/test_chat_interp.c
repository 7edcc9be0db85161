/* The chat bridge's command reader (clients/chat/interp.c): input -> command
 * for every command in both languages, full-width forms, Chinese numerals,
 * typos (suggested, not run, when they change something), empty, huge,
 * invalid UTF-8, control characters and bidirectional overrides. */
#include <check.h>

#include "check_main.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"

#define W SJ_CMD_WISH
#define M SJ_CMD_MINE
#define S SJ_CMD_SHOW
#define X SJ_CMD_CANCEL
#define T SJ_CMD_THANKS
#define P SJ_CMD_POINTS
#define J SJ_CMD_JOIN
#define L SJ_CMD_LANG
#define H SJ_CMD_HELP
#define U SJ_CMD_USAGE
#define G SJ_CMD_SUGGEST
#define N SJ_CMD_NONE
#define Q SJ_CMD_UNKNOWN
#define ZH 0
#define EN 1
#define NOLANG -1

typedef struct {
    const char *in;
    sj_cmd_kind_t kind;
    uint64_t id;
    uint32_t rating;
    const char *text; /* NULL: not checked */
    sj_cmd_kind_t of; /* USAGE / SUGGEST; SJ_CMD_NONE: not checked */
    uint64_t for_id;
    int lang;    /* LANG: expected language, NOLANG: none */
    int guessed; /* 1: read from a near miss */
} case_t;

/* clang-format off */
static const case_t cases[] = {
    /* ---- wish, both languages, every form */
    {"心愿 想学做月饼", W, .text = "想学做月饼"},
    {"许愿 拍一张全家福", W, .text = "拍一张全家福"},
    {"愿望 修自行车", W, .text = "修自行车"},
    {"wish Retake our wedding photos", W, .text = "Retake our wedding photos"},
    {"WISH bake mooncakes", W, .text = "bake mooncakes"},
    {"Wish: learn to bake", W, .text = "learn to bake"},
    {"心愿：想学做月饼", W, .text = "想学做月饼"},
    {"心愿想学做月饼", W, .text = "想学做月饼"},
    {"心愿，想学做月饼。", W, .text = "想学做月饼。"},
    {"心愿", W, .text = ""},
    {"wish", W, .text = ""},
    {"心愿。", W, .text = ""},
    {"  wish  ", W, .text = ""},
    {"心愿 想学做月饼\n和孙子一起，周末", W, .text = "想学做月饼\n和孙子一起，周末"},
    {"　心愿　想学做月饼　", W, .text = "想学做月饼"},
    {"ｗｉｓｈ ｂａｋｅ", W, .text = "bake"},
    {"/wish test", W, .text = "test"},
    {"心愿 想学做月饼，和孩子一起！", W, .text = "想学做月饼，和孩子一起！"},
    {"wish a, b! c?", W, .text = "a, b! c?"},
    {"wish a\r\nb", W, .text = "a\nb"},
    {"wish ２０２４ photos", W, .text = "2024 photos"},
    {"许愿：给楼道装个扶手", W, .text = "给楼道装个扶手"},
    /* ---- mine */
    {"我的心愿", M}, {"我的", M}, {"我的愿望", M}, {"我的心愿。", M},
    {"mine", M}, {"MINE", M}, {"my wishes", M}, {"My Wishes", M},
    {"ｍｉｎｅ", M}, {"mine please", M},
    /* ---- show, numbers in every form */
    {"看 3", S, 3}, {"看3", S, 3}, {"看 三", S, 3}, {"看 十二", S, 12},
    {"看 二十三", S, 23}, {"看 一二三", S, 123}, {"看 两", S, 2},
    {"看 #7", S, 7}, {"看 第5号", S, 5}, {"看 5号", S, 5}, {"查看 8", S, 8},
    {"show 12", S, 12}, {"Show 12.", S, 12}, {"show #12", S, 12},
    {"view 4", S, 4}, {"ＳＨＯＷ　１２", S, 12}, {"看 １２", S, 12},
    {"看 12。", S, 12}, {"看 一百零五", S, 105}, {"看 十", S, 10},
    {"看 〇五", S, 5}, {"看 三十", S, 30}, {"看 九十九", S, 99},
    {"看 两百", S, 200}, {"看：4", S, 4}, {"show no.9", S, 9},
    {"看 零", U, .of = S}, {"看", U, .of = S}, {"show", U, .of = S},
    {"show abc", U, .of = S}, {"看 3 4", U, .of = S},
    {"show 99999999999999999999", U, .of = S}, {"看 一下", U, .of = S},
    /* ---- cancel */
    {"取消 3", X, 3}, {"取消3", X, 3}, {"取消 三。", X, 3},
    {"cancel 4", X, 4}, {"Cancel #4", X, 4}, {"ｃａｎｃｅｌ　５", X, 5},
    {"取消 二十", X, 20}, {"取消", X, 0}, {"cancel", X, 0}, {"取消。", X, 0},
    {"取消 x", U, .of = X}, {"cancel it", U, .of = X},
    /* ---- thanks: id, rating, words */
    {"谢谢 3 5", T, 3, 5, ""}, {"谢谢 3", T, 3, 0, ""},
    {"谢谢 3 5 太好了", T, 3, 5, "太好了"}, {"谢谢 三 五", T, 3, 5, ""},
    {"谢谢 十二 五星 非常感谢！", T, 12, 5, "非常感谢！"},
    {"谢谢3 5", T, 3, 5, ""}, {"thanks 3 5 great job", T, 3, 5, "great job"},
    {"thank you 3 4", T, 3, 4, ""}, {"thanks 3 5 stars", T, 3, 5, ""},
    {"thanks 3 5/5", T, 3, 5, ""}, {"confirm 3", T, 3, 0, ""},
    {"感谢 7 4分", T, 7, 4, ""}, {"确认 8 3", T, 8, 3, ""},
    {"谢谢 3 一直很照顾", T, 3, 0, "一直很照顾"}, {"谢谢，3，5", T, 3, 5, ""},
    {"谢谢 3、5", T, 3, 5, ""}, {"Thanks #3 5 lovely", T, 3, 5, "lovely"},
    {"ＴＨＡＮＫＳ　３　５", T, 3, 5, ""}, {"谢谢 3 5 好！\n真好", T, 3, 5, "好！\n真好"},
    {"谢谢 3 6", U, .of = T}, {"谢谢 3 0", U, .of = T}, {"谢谢", U, .of = T},
    {"thanks", U, .of = T}, {"thanks a lot", U, .of = T},
    /* ---- points */
    {"积分", P}, {"points", P}, {"Points", P}, {"积分？", P},
    {"ｐｏｉｎｔｓ", P}, {"我的积分", P},
    /* ---- join: the code typed every way */
    {"加入 12-345678", J, .text = "12-345678"},
    {"加入 12 345678", J, .text = "12-345678"},
    {"加入12345678", J, .text = "12-345678"},
    {"join 12-345678", J, .text = "12-345678"},
    {"join 12－345678", J, .text = "12-345678"},
    {"加入 １２-３４５６７８", J, .text = "12-345678"},
    {"join 12—345678", J, .text = "12-345678"},
    {"JOIN 7-000123。", J, .text = "7-000123"},
    {"加入", U, .of = J}, {"join abc", U, .of = J}, {"join 123", U, .of = J},
    {"加入 12-34567", U, .of = J},
    /* ---- language */
    {"语言 中文", L, .lang = ZH}, {"语言 English", L, .lang = EN},
    {"lang en", L, .lang = EN}, {"language English", L, .lang = EN},
    {"lang 中文", L, .lang = ZH}, {"English", L, .lang = EN},
    {"中文", L, .lang = ZH}, {"english.", L, .lang = EN}, {"英文", L, .lang = EN},
    {"Chinese", L, .lang = ZH}, {"ＥＮＧＬＩＳＨ", L, .lang = EN},
    {"语言", L, .lang = NOLANG}, {"lang", L, .lang = NOLANG},
    {"lang klingon", U, .of = L},
    /* ---- help */
    {"帮助", H}, {"help", H}, {"HELP", H}, {"?", H}, {"？", H}, {"菜单", H},
    {"menu", H}, {"帮助。", H}, {"help me", H},
    /* ---- a committee member acting for a resident */
    {"代 12 心愿 修门锁", W, .text = "修门锁", .for_id = 12},
    {"代12 心愿 修门锁", W, .text = "修门锁", .for_id = 12},
    {"for 12 wish fix the lock", W, .text = "fix the lock", .for_id = 12},
    {"代 十二 我的心愿", M, .for_id = 12},
    {"代 3 看 5", S, 5, .for_id = 3},
    {"代 12 心愿", W, .text = "", .for_id = 12},
    {"For 4 thanks 9 5", T, 9, 5, "", .for_id = 4},
    {"代 心愿 x", Q}, {"for x wish", Q}, {"代购一些菜", Q, .text = "代购一些菜"},
    {"For my grandson, a kite", Q, .text = "For my grandson, a kite"},
    {"for 5 cakes", Q, .text = "for 5 cakes"}, /* no command: not 代 */
    {"代 12", U, .of = N, .for_id = 12},
    /* ---- typos: changing commands are only suggested */
    {"cancle 3", G, .of = X}, {"cancell 3", G, .of = X},
    {"thnks 3 5", G, .of = T}, {"thansk 3", G, .of = T},
    {"wihs bake", G, .of = W}, {"jion 12-345678", G, .of = J},
    {"lnag en", G, .of = L}, {"canel 3", G, .of = X},
    {"心原 想学做月饼", G, .of = W}, {"新愿 修门", G, .of = W},
    {"取销 3", G, .of = X}, {"加人 12-345678", G, .of = J},
    {"谢了 3 5", G, .of = T}, {"mene", G, .of = M},
    /* ... and read-only ones are read as meant */
    {"shwo 3", S, 3, .guessed = 1}, {"shoe 3", S, 3, .guessed = 1},
    {"veiw 3", S, 3, .guessed = 1}, {"pionts", P, .guessed = 1},
    {"hepl", H, .guessed = 1}, {"mien", M, .guessed = 1},
    {"积份", P, .guessed = 1}, {"帮主", H, .guessed = 1},
    {"langauge", G, .of = L},
    /* too short to guess */
    {"shw 3", Q}, {"wsh x", Q},
    /* ---- not commands */
    {"谢谢3号心愿 5星", T, 3, 5, ""}, {"请看 3", S, 3}, {"帮我取消3号心愿", X, 3}, {"我要许愿 修门锁", W, .text = "修门锁"},
    {"Please show 4", S, 4}, {"麻烦帮我看一下第二个心愿", U, .of = S},
    {"看 2号的心愿。", S, 2}, {"我想学做月饼", Q, .text = "我想学做月饼"},
    {"你好", H}, {"您好！", H}, {"hello", H}, {"Hi there", H},
    {"在吗？", H}, {"hiking", Q, .text = "hiking"},
    {"早上好", Q, .text = "早上好"},
    {"今天天气不错", Q}, {"123", Q}, {"wishlist", Q}, {"wishes for all", Q},
    {"\x1b[31mwish red", Q},
    /* ---- empty */
    {"", N}, {"   ", N}, {"\n\n", N}, {"。", N}, {"\t", N},
    {"\xe2\x80\x8b", N}, {"\xe3\x80\x80", N}, {"\xe2\x80\xae", N},
    /* ---- control characters and bidirectional overrides */
    {"wish a\x01" "b", W, .text = "a b"}, {"wish \x07" "bell", W, .text = "bell"},
    {"\xe2\x80\xae" "3 看", Q}, {"看 \xe2\x80\xae" "3", S, 3},
    {"wish \xe2\x80\xae" "evil\xe2\x80\xac", W, .text = "evil"},
    {"\xe2\x81\xa6取消 3\xe2\x81\xa9", X, 3},
    {"心\xe2\x80\x8b愿 x", W, .text = "x"},
    {"\xef\xbb\xbf" "help", H}, {"看\xe2\x80\x8f 4", S, 4},
    /* ---- invalid UTF-8 */
    {"\xff\xfe", SJ_CMD_BAD_TEXT}, {"心愿 \xe5\xbf", SJ_CMD_BAD_TEXT},
    {"wish \xc0\xaf", SJ_CMD_BAD_TEXT}, {"wish \xed\xa0\x80", SJ_CMD_BAD_TEXT},
    {"\x80" "help", SJ_CMD_BAD_TEXT},
};
/* clang-format on */

#define NCASES (sizeof cases / sizeof cases[0])

START_TEST(table)
{
    const case_t *c = &cases[_i];
    sj_cmd_t cmd;
    sj_chat_parse(c->in, strlen(c->in), &cmd);
    ck_assert_msg(cmd.kind == c->kind, "'%s': kind %d, expected %d", c->in,
                  cmd.kind, c->kind);
    ck_assert_msg(cmd.id == c->id, "'%s': id %llu, expected %llu", c->in,
                  (unsigned long long)cmd.id, (unsigned long long)c->id);
    ck_assert_msg(cmd.rating == c->rating, "'%s': rating %u", c->in,
                  cmd.rating);
    ck_assert_msg(cmd.for_id == c->for_id, "'%s': for %llu", c->in,
                  (unsigned long long)cmd.for_id);
    if (c->text)
        ck_assert_msg(strcmp(cmd.text, c->text) == 0,
                      "'%s': text '%s', expected '%s'", c->in, cmd.text,
                      c->text);
    if ((c->kind == U || c->kind == G) && c->of != N)
        ck_assert_msg(cmd.of == c->of, "'%s': of %d, expected %d", c->in,
                      cmd.of, c->of);
    if (c->kind == L) {
        ck_assert_msg(cmd.has_lang == (c->lang != NOLANG), "'%s': has_lang",
                      c->in);
        if (c->lang != NOLANG)
            ck_assert_int_eq(cmd.lang, c->lang);
    }
    ck_assert_msg(cmd.guessed == (c->guessed == 1), "'%s': guessed %d", c->in,
                  cmd.guessed);
    if (c->kind == G)
        ck_assert_msg(*cmd.suggest, "'%s': no suggestion", c->in);
}
END_TEST

START_TEST(enough_cases)
{
    ck_assert_uint_ge(NCASES, 150);
}
END_TEST

START_TEST(suggestion_text)
{
    sj_cmd_t cmd;
    sj_chat_parse("cancle 3", 8, &cmd);
    ck_assert_str_eq(cmd.suggest, "cancel 3");
    const char *s = "心原 想学做月饼";
    sj_chat_parse(s, strlen(s), &cmd);
    ck_assert_str_eq(cmd.suggest, "心愿 想学做月饼");
    sj_chat_parse("mene", 4, &cmd);
    ck_assert_int_eq(cmd.of, SJ_CMD_MINE);
    ck_assert_int_eq(cmd.alt, SJ_CMD_HELP); /* a tie asks, never guesses */
    /* A guess never changes state: no suggestion runs by itself. */
    for (size_t i = 0; i < NCASES; i++) {
        sj_chat_parse(cases[i].in, strlen(cases[i].in), &cmd);
        if (cmd.guessed)
            ck_assert_msg(!sj_chat_cmd_changes(cmd.kind), "'%s'", cases[i].in);
    }
}
END_TEST

START_TEST(sizes)
{
    /* 10 KB: refused before any work. */
    size_t big = 10 * 1024;
    char *s = malloc(big + 1);
    memcpy(s, "wish ", 5);
    memset(s + 5, 'a', big - 5);
    s[big] = 0;
    sj_cmd_t cmd;
    sj_chat_parse(s, big, &cmd);
    ck_assert_int_eq(cmd.kind, SJ_CMD_TOO_LONG);
    sj_chat_parse(s, SJ_CHAT_MAX_INPUT + 1, &cmd);
    ck_assert_int_eq(cmd.kind, SJ_CMD_TOO_LONG);
    sj_chat_parse(s, SJ_CHAT_MAX_INPUT, &cmd);
    ck_assert_int_eq(cmd.kind, SJ_CMD_WISH);
    ck_assert_uint_eq(strlen(cmd.text), SJ_CHAT_MAX_INPUT - 5);
    /* The largest NFKC expansion (U+FDFA, 3 bytes -> 33): refused as too
     * long, without overflowing anything. */
    size_t n = 0;
    memcpy(s, "wish ", 5);
    for (n = 5; n < 5 + 3 * (SJ_CHAT_MAX_INPUT - 5); n += 3)
        memcpy(s + n, "\xef\xb7\xba", 3); /* within the character limit */
    sj_chat_parse(s, n, &cmd);
    ck_assert_int_eq(cmd.kind, SJ_CMD_TOO_LONG);
    sj_chat_parse(s, 5 + 3 * 100, &cmd); /* 3,300 bytes after NFKC: fits */
    ck_assert_int_eq(cmd.kind, SJ_CMD_WISH);
    /* The limit is characters (issue 15): as many Chinese ones (3 bytes
     * each) fit, one more does not. */
    for (n = 5; n < 5 + 3 * (SJ_CHAT_MAX_INPUT - 5); n += 3)
        memcpy(s + n, "饼", 3);
    sj_chat_parse(s, n, &cmd);
    ck_assert_int_eq(cmd.kind, SJ_CMD_WISH);
    memcpy(s + n, "饼", 3);
    sj_chat_parse(s, n + 3, &cmd);
    ck_assert_int_eq(cmd.kind, SJ_CMD_TOO_LONG);
    free(s);
    /* Embedded NUL: not text. */
    sj_chat_parse("wish a\0b", 8, &cmd);
    ck_assert_int_eq(cmd.kind, SJ_CMD_BAD_TEXT);
    sj_chat_parse(NULL, 0, &cmd);
    ck_assert_int_eq(cmd.kind, SJ_CMD_NONE);
}
END_TEST

START_TEST(plain_text_kept)
{
    sj_cmd_t cmd;
    const char *s = "  看望楼下的孤寡老人，陪他们聊天 ";
    sj_chat_parse(s, strlen(s), &cmd);
    ck_assert_int_eq(cmd.kind, SJ_CMD_USAGE);
    ck_assert_str_eq(cmd.plain, "看望楼下的孤寡老人，陪他们聊天");
    sj_chat_parse("\xff", 1, &cmd);
    ck_assert_str_eq(cmd.plain, "");
}
END_TEST

START_TEST(language_guess)
{
    sj_cmd_t cmd;
    const char *zh = "看 3";
    sj_chat_parse(zh, strlen(zh), &cmd);
    ck_assert(cmd.lang_known);
    ck_assert_int_eq(cmd.said_in, SJ_LANG_ZH);
    sj_chat_parse("show 3", 6, &cmd);
    ck_assert(cmd.lang_known);
    ck_assert_int_eq(cmd.said_in, SJ_LANG_EN);
    sj_chat_parse("123", 3, &cmd);
    ck_assert(!cmd.lang_known);
}
END_TEST

START_TEST(numbers)
{
    static const struct {
        const char *s;
        uint64_t v;
    } ok[] = {
        {"0", 0},      {"42", 42},        {"一", 1},       {"十", 10},
        {"十二", 12},  {"二十三", 23},    {"一二三", 123}, {"两", 2},
        {"一百", 100}, {"一百零五", 105}, {"三千", 3000},  {"#9", 9},
        {"第三", 3},   {"3号", 3},        {"〇", 0},       {"二〇二四", 2024}};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        const char *end;
        uint64_t v;
        ck_assert_msg(sj_chat_number(ok[i].s, &end, &v), "%s", ok[i].s);
        ck_assert_msg(v == ok[i].v, "%s -> %llu", ok[i].s,
                      (unsigned long long)v);
        ck_assert_str_eq(end, "");
    }
    const char *end;
    uint64_t v;
    ck_assert(!sj_chat_number("abc", &end, &v));
    ck_assert(!sj_chat_number("", &end, &v));
    ck_assert(!sj_chat_number("99999999999999999999", &end, &v));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("chat_interp");
    TCase *tc = tcase_create("interp");
    tcase_add_loop_test(tc, table, 0, (int)NCASES);
    tcase_add_test(tc, enough_cases);
    tcase_add_test(tc, suggestion_text);
    tcase_add_test(tc, sizes);
    tcase_add_test(tc, language_guess);
    tcase_add_test(tc, plain_text_kept);
    tcase_add_test(tc, numbers);
    suite_add_tcase(s, tc);
    return s;
}

SJ_CHECK_MAIN(suite)
