/* The CLI's output for operators (issue 15 acceptance 3): the yearly
 * report's CSV checked byte for byte (BOM, CRLF, formula-like cells
 * neutralised, rank and name in their own columns) and tables aligned by
 * display width with Chinese, emoji and combining characters. */
#include <check.h>

#include "check_main.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"

static char *capture_csv(const Shangju__Report *r)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    ck_assert_ptr_nonnull(f);
    sj_cli_report_csv(f, r);
    fclose(f);
    return buf;
}

START_TEST(csv_for_excel)
{
    Shangju__Report r = SHANGJU__REPORT__INIT;
    Shangju__Ranking k = SHANGJU__RANKING__INIT;
    Shangju__RankEntry e[3];
    Shangju__RankEntry *items[3] = {&e[0], &e[1], &e[2]};
    const char *names[3] = {"王师傅, 裁缝", "=HYPERLINK(\"http://x\")",
                            "@admin"};
    for (int i = 0; i < 3; i++) {
        shangju__rank_entry__init(&e[i]);
        e[i].rank = (uint32_t)i + 1;
        e[i].member_id = 10 + (uint64_t)i;
        e[i].name = (char *)names[i];
        e[i].earned = 30 - 10 * (uint64_t)i;
    }
    k.items = items;
    k.n_items = 3;
    r.ranking = &k;
    r.year = 2027;
    r.wishes_posted = 4;
    r.points_issued = 60;
    char *csv = capture_csv(&r);
    static const char want[] =
        "\xEF\xBB\xBFsection,item,value,rank,member_id,name\r\n"
        "report,year,2027,,,\r\n"
        "wishes,posted,4,,,\r\n"
        "wishes,claimed,0,,,\r\n"
        "wishes,fulfilled,0,,,\r\n"
        "wishes,closed,0,,,\r\n"
        "wishes,expired,0,,,\r\n"
        "wishes,cancelled,0,,,\r\n"
        "median_ms,posted_to_claimed,0,,,\r\n"
        "median_ms,posted_to_fulfilled,0,,,\r\n"
        "merchants,active,0,,,\r\n"
        "compacts,negotiating,0,,,\r\n"
        "compacts,signed,0,,,\r\n"
        "compacts,published,0,,,\r\n"
        "compacts,active,0,,,\r\n"
        "compacts,evaluating,0,,,\r\n"
        "compacts,closed,0,,,\r\n"
        "complaints,filed,0,,,\r\n"
        "complaints,resolved,0,,,\r\n"
        "points,issued,60,,,\r\n"
        "points,spent,0,,,\r\n"
        "ranking,earned,30,1,10,\"王师傅, 裁缝\"\r\n"
        "ranking,earned,20,2,11,\"'=HYPERLINK(\"\"http://x\"\")\"\r\n"
        "ranking,earned,10,3,12,\"'@admin\"\r\n";
    ck_assert_str_eq(csv, want);
    free(csv);
}
END_TEST

/* A committee reading Chinese opens the CSV in Excel: every word of it is
 * in Chinese, the cells as before. */
START_TEST(csv_speaks_the_readers_language)
{
    setenv("LANGUAGE", "zh_CN", 1);
    setenv("LANG", "C.UTF-8", 1);
    unsetenv("LC_ALL");
    sj_i18n_init();
    Shangju__Report r = SHANGJU__REPORT__INIT;
    Shangju__Ranking k = SHANGJU__RANKING__INIT;
    Shangju__RankEntry e = SHANGJU__RANK_ENTRY__INIT;
    Shangju__RankEntry *items[1] = {&e};
    e.rank = 1;
    e.member_id = 7;
    e.name = "王师傅";
    e.earned = 30;
    k.items = items;
    k.n_items = 1;
    r.ranking = &k;
    r.year = 2027;
    r.active_merchants = 3;
    r.compacts_active = 2;
    char *csv = capture_csv(&r);
    ck_assert_msg(
        strncmp(csv,
                "\xEF\xBB\xBF类别,项目,数值,名次,成员编号,名称\r\n"
                "报告,年度,2027,,,\r\n"
                "心愿,发布,0,,,\r\n",
                strlen("\xEF\xBB\xBF类别,项目,数值,名次,成员编号,名称\r\n"
                       "报告,年度,2027,,,\r\n"
                       "心愿,发布,0,,,\r\n")) == 0,
        "%s", csv);
    /* "active" merchants and "active" compacts read differently. */
    ck_assert_ptr_nonnull(strstr(csv, "\r\n商户,活跃,3,,,\r\n"));
    ck_assert_ptr_nonnull(strstr(csv, "\r\n公约,履约中,2,,,\r\n"));
    ck_assert_ptr_nonnull(strstr(csv, "\r\n排行,获得积分,30,1,7,王师傅\r\n"));
    /* No English word is left (the ASCII left is digits and commas). */
    for (const char *c = csv; *c; c++)
        ck_assert_msg(!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')),
                      "English left in: %s", csv);
    free(csv);
}
END_TEST

START_TEST(table_aligns_by_display_width)
{
    json_object *page = json_tokener_parse(
        "{\"items\":[{\"id\":1,\"name\":\"王师傅\"},"
        "{\"id\":22,\"name\":\"Bob\"},"
        "{\"id\":3,\"name\":\"\xF0\x9F\x98\x80 e\xCC\x81\"}],\"next\":null}");
    ck_assert_ptr_nonnull(page);
    static const char *const cols[] = {"name", "id"};
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    sj_cli_table(f, page, cols, 2);
    fclose(f);
    /* The second column starts at display column 8 on every row: 王师傅
     * takes 6 columns, the emoji 2, e plus a combining acute 1. */
    ck_assert_str_eq(buf, "name    number\n"
                          "王师傅  1\n"
                          "Bob     22\n"
                          "\xF0\x9F\x98\x80 e\xCC\x81    3\n");
    free(buf);
    json_object_put(page);
}
END_TEST

START_TEST(table_never_cuts_a_character)
{
    char name[256] = "";
    for (int i = 0; i < 30; i++)
        strcat(name, "福"); /* 60 columns: more than a cell shows */
    json_object *page = json_object_new_object();
    json_object *items = json_object_new_array();
    json_object *row = json_object_new_object();
    json_object_object_add(row, "name", json_object_new_string(name));
    json_object_array_add(items, row);
    json_object_object_add(page, "items", items);
    static const char *const cols[] = {"name"};
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    sj_cli_table(f, page, cols, 1);
    fclose(f);
    /* 20 whole characters (40 columns) and an ellipsis. */
    char want[256] = "name\n";
    for (int i = 0; i < 20; i++)
        strcat(want, "福");
    strcat(want, "…\n");
    ck_assert_str_eq(buf, want);
    free(buf);
    json_object_put(page);
}
END_TEST

static Suite *ops_cli_suite(void)
{
    Suite *s = suite_create("ops_cli");
    TCase *tc = tcase_create("ops_cli");
    tcase_add_test(tc, csv_for_excel);
    tcase_add_test(tc, csv_speaks_the_readers_language);
    tcase_add_test(tc, table_aligns_by_display_width);
    tcase_add_test(tc, table_never_cuts_a_character);
    suite_add_tcase(s, tc);
    return s;
}

SJ_CHECK_MAIN(ops_cli_suite)
