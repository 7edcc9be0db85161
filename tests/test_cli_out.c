/* The CLI's human output in Chinese (issue 15): records as "label value"
 * lines with translated labels, enum display names, 否 for false and 0
 * for zero counts, aligned by display width (Chinese, emoji, combining
 * marks); tables headed by translated labels; --json keeps zeros; a
 * refusal said by its reason in Chinese, with the codes in brackets. */
#include <check.h>

#include "check_main.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"
#include "pbjson.h"
#include "sj_zone.h"

static void in_chinese(void)
{
    setenv("LANGUAGE", "zh_CN", 1);
    setenv("LANG", "C.UTF-8", 1);
    unsetenv("LC_ALL");
    sj_i18n_init();
}

/* What fn printed to a memory stream. */
static char *shown(const ProtobufCMessage *m)
{
    json_object *j = sj_pbjson_message(m);
    ck_assert_ptr_nonnull(j);
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    ck_assert_ptr_nonnull(f);
    sj_cli_show_msg(f, m->descriptor, j);
    fclose(f);
    json_object_put(j);
    return buf;
}

START_TEST(a_new_members_balance_is_zero)
{
    Shangju__Account a = SHANGJU__ACCOUNT__INIT;
    a.member_id = 5;
    char *out = shown(&a.base);
    /* Labels pad to the widest (获得积分: 8 columns) plus two. */
    ck_assert_str_eq(out, "成员      5\n"
                          "余额      0\n"
                          "获得积分  0\n"
                          "消费积分  0\n"
                          "收到积分  0\n");
    free(out);
    /* --json carries the zeros too, with the .proto names. */
    json_object *j = sj_pbjson_message(&a.base);
    sj_cli_json_defaults(a.base.descriptor, j);
    json_object *v = NULL;
    ck_assert(json_object_object_get_ex(j, "balance", &v));
    ck_assert_int_eq(json_object_get_int64(v), 0);
    ck_assert(json_object_object_get_ex(j, "spent", &v));
    json_object_put(j);
}
END_TEST

START_TEST(a_wish_in_chinese_aligned)
{
    Shangju__Wish w = SHANGJU__WISH__INIT;
    Shangju__Claim c = SHANGJU__CLAIM__INIT;
    w.id = 7;
    w.title = "修伞 ☂️ cafe\xCC\x81";
    w.details = "第一行\n第二行";
    w.state = SHANGJU__WISH_STATE__WISH_STATE_CLAIMED;
    c.merchant_id = 3;
    w.claim = &c;
    char *out = shown(&w.base);
    /* The widest label is 交接码输错次数 (14 columns): values start at 16,
     * a second line of the details under the first; the claim's fields
     * under its label; false is 否, zero counts 0, no rating yet is not
     * a rating of 0; no unset time. */
    ck_assert_str_eq(out, "编号            7\n"
                          "标题            修伞 ☂️ cafe\xCC\x81\n"
                          "详情            第一行\n"
                          "                第二行\n"
                          "状态            已认领\n"
                          "认领·商户       3\n"
                          "评分            暂无评分\n"
                          "逾期认领        0\n"
                          "自动关闭        否\n"
                          "交接码输错次数  0\n"
                          "交接已锁定      否\n"
                          "已核验          否\n"
                          "有异议          否\n");
    free(out);
}
END_TEST

START_TEST(lists_print_one_value_a_line)
{
    Shangju__Listing l = SHANGJU__LISTING__INIT;
    char *spec[] = {"自行车", "电动车"};
    Shangju__Service s = SHANGJU__SERVICE__INIT;
    Shangju__Service *svc[] = {&s};
    l.merchant_id = 3;
    l.specialties = spec;
    l.n_specialties = 2;
    s.name = "补胎";
    s.points = 5;
    l.services = svc;
    l.n_services = 1;
    char *out = shown(&l.base);
    ck_assert_ptr_nonnull(strstr(out, "特色          自行车\n"
                                      "              电动车\n"
                                      "服务·1·名称   补胎\n"
                                      "服务·1·积分   5\n"));
    free(out);
}
END_TEST

START_TEST(a_table_with_chinese_headers_aligns)
{
    json_object *page = json_tokener_parse(
        "{\"items\":[{\"id\":1,\"state\":\"open\",\"title\":\"月饼\"},"
        "{\"id\":22,\"state\":\"fulfilled\",\"title\":\"\xF0\x9F\x98\x80 "
        "e\xCC\x81\"}],\"next\":40}");
    ck_assert_ptr_nonnull(page);
    static const char *const cols[] = {"id", "state", "title", "category"};
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    sj_cli_table_of(f, &shangju__wish__descriptor, page, cols, 4);
    fclose(f);
    /* 编号 is 4 columns, 已完成 6, 😀 é 4: each column starts at the same
     * display column on every row; an empty cell is "-". */
    ck_assert_str_eq(buf, "编号  状态    标题  类别\n"
                          "1     待认领  月饼  -\n"
                          "22    已完成  \xF0\x9F\x98\x80 e\xCC\x81  -\n"
                          "还有更多：下一页用 --after 40\n");
    free(buf);
    json_object_put(page);
}
END_TEST

/* Run fn with file descriptor fd (1 or 2) sent to a temporary file;
 * returns what was written there (static, overwritten by the next call). */
static char *written_to(int fd, void (*fn)(void *), void *arg)
{
    char path[] = "/tmp/sj_cli_out_capXXXXXX";
    int tmp = mkstemp(path);
    ck_assert_int_ge(tmp, 0);
    unlink(path);
    fflush(fd == 1 ? stdout : stderr);
    int saved = dup(fd);
    dup2(tmp, fd);
    fn(arg);
    fflush(fd == 1 ? stdout : stderr);
    dup2(saved, fd);
    close(saved);
    static char buf[2][1024];
    char *out = buf[fd == 2];
    ssize_t n = pread(tmp, out, sizeof buf[0] - 1, 0);
    close(tmp);
    out[n > 0 ? n : 0] = '\0';
    return out;
}

static void print_refusal(void *r)
{
    sj_cli_t cli = {0};
    ck_assert_int_eq(sj_cli_print_refusal(&cli, r), SJ_CLI_EREPLY);
}

static char *stderr_of_refusal(const Shangju__Reply *r)
{
    return written_to(2, print_refusal, (void *)r);
}

static void refuse_here(void *json)
{
    sj_cli_t cli = {0};
    cli.opts.json = *(bool *)json;
    ck_assert_int_eq(sj_cli_refuse(&cli, SHANGJU__STATUS__STATUS_INTERNAL,
                                   N_("the broker sent no report")),
                     SJ_CLI_EREPLY);
}

START_TEST(a_local_refusal_in_chinese_json_in_english)
{
    bool json = true;
    const char *out = written_to(1, refuse_here, &json);
    ck_assert_ptr_nonnull(strstr(out, "\"message\":\"the broker sent no "
                                      "report\""));
    json = false;
    ck_assert_str_eq(written_to(2, refuse_here, &json),
                     "shangju: 服务器没有发回报告 [INTERNAL]\n");
}
END_TEST

START_TEST(a_refusal_by_its_reason_in_chinese)
{
    Shangju__Reply r = SHANGJU__REPLY__INIT;
    r.status = SHANGJU__STATUS__STATUS_PERMISSION_DENIED;
    r.message = "a resident may not wish_claim";
    r.reason = "wish.not_open";
    ck_assert_str_eq(stderr_of_refusal(&r),
                     "shangju: 该心愿不在待认领状态。 "
                     "[PERMISSION_DENIED wish.not_open]\n");
    /* No reason (an older broker): a sentence by status; never the
     * broker's English message. */
    r.reason = "";
    const char *err = stderr_of_refusal(&r);
    ck_assert_ptr_null(strstr(err, "wish_claim"));
    ck_assert_ptr_nonnull(strstr(err, "[PERMISSION_DENIED]"));
}
END_TEST

START_TEST(pad_counts_display_columns)
{
    ck_assert_uint_eq(sj_cli_width("王师傅"), 6);
    ck_assert_uint_eq(sj_cli_width("\xF0\x9F\x98\x80"), 2);
    ck_assert_uint_eq(sj_cli_width("e\xCC\x81"), 1);
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    sj_cli_pad(f, "时区", 6);
    fputs("|\n", f);
    sj_cli_pad(f, "e\xCC\x81", 6);
    fputs("|\n", f);
    fclose(f);
    ck_assert_str_eq(buf, "时区  |\ne\xCC\x81     |\n");
    free(buf);
}
END_TEST

/* A member's record shows what applies to its role: a merchant's
 * counters (zero included) on a merchant, not on a resident or a bridge;
 * the wrong invite codes only while there is an invite or after one. */
START_TEST(a_member_shows_what_applies_to_its_role)
{
    Shangju__Member m = SHANGJU__MEMBER__INIT;
    m.id = 4;
    m.name = "金麦烘焙";
    m.role = SHANGJU__ROLE__ROLE_MERCHANT;
    char *out = shown(&m.base);
    ck_assert_ptr_nonnull(strstr(out, "逾期认领"));
    ck_assert_ptr_nonnull(strstr(out, "收到的评价"));
    ck_assert_ptr_null(strstr(out, "邀请码输错次数"));
    free(out);
    m.role = SHANGJU__ROLE__ROLE_RESIDENT;
    out = shown(&m.base);
    ck_assert_ptr_null(strstr(out, "逾期认领"));
    ck_assert_ptr_null(strstr(out, "收到的评价"));
    ck_assert_ptr_null(strstr(out, "公约星数合计"));
    ck_assert_ptr_null(strstr(out, "邀请码输错次数"));
    ck_assert_ptr_nonnull(strstr(out, "金麦烘焙"));
    free(out);
    m.invite_expires_at = 1796223777186;
    out = shown(&m.base);
    ck_assert_ptr_nonnull(strstr(out, "邀请码输错次数"));
    free(out);
    m.role = SHANGJU__ROLE__ROLE_BRIDGE;
    m.invite_expires_at = 0;
    out = shown(&m.base);
    ck_assert_ptr_null(strstr(out, "完成的心愿"));
    ck_assert_ptr_null(strstr(out, "邀请码输错次数"));
    free(out);
}
END_TEST

/* A compact's term as it was typed: "--from 2026-01-01 --to 2027-12-31"
 * is stored as the midnights that open the first day and close the last
 * (the end is exclusive); the record shows the two days. A term that ends
 * at another moment shows that moment, with its zone. */
START_TEST(a_term_shows_its_days)
{
    ck_assert_int_eq(sj_zone_use("Asia/Shanghai"), 0);
    Shangju__Compact c = SHANGJU__COMPACT__INIT;
    c.id = 1;
    c.title = "金桥共建公约";
    c.term_start = 1767196800000LL; /* 2026-01-01 00:00 +08:00 */
    c.term_end = 1830268800000LL;   /* 2028-01-01 00:00 +08:00 */
    char *out = shown(&c.base);
    ck_assert_msg(strstr(out, "期限开始  2026-01-01\n"), "%s", out);
    ck_assert_msg(strstr(out, "期限结束  2027-12-31\n"), "%s", out);
    ck_assert_ptr_null(strstr(out, "2028"));
    free(out);
    c.term_end += 9 * 3600 * 1000; /* 09:00 on 1 January 2028 */
    out = shown(&c.base);
    ck_assert_msg(strstr(out, "2028-01-01 09:00:00 +08:00"), "%s", out);
    free(out);
}
END_TEST

static Suite *cli_out_suite(void)
{
    Suite *s = suite_create("cli_out");
    TCase *tc = tcase_create("cli_out");
    tcase_add_checked_fixture(tc, in_chinese, NULL);
    tcase_add_test(tc, a_new_members_balance_is_zero);
    tcase_add_test(tc, a_wish_in_chinese_aligned);
    tcase_add_test(tc, lists_print_one_value_a_line);
    tcase_add_test(tc, a_table_with_chinese_headers_aligns);
    tcase_add_test(tc, a_refusal_by_its_reason_in_chinese);
    tcase_add_test(tc, a_local_refusal_in_chinese_json_in_english);
    tcase_add_test(tc, pad_counts_display_columns);
    tcase_add_test(tc, a_member_shows_what_applies_to_its_role);
    tcase_add_test(tc, a_term_shows_its_days);
    suite_add_tcase(s, tc);
    return s;
}

SJ_CHECK_MAIN(cli_out_suite)
