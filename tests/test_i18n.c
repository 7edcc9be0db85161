/* Check suite of the catalogue reader (proto/i18n.c): sj_tr answers
 * in each language from the compiled catalogue, falls back to the English
 * source, and a damaged catalogue means English, never a crash. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "i18n.h"

START_TEST(chinese_from_the_catalogue)
{
    ck_assert_str_eq(sj_tr(SJ_LANG_ZH, "English"), "中文");
}
END_TEST

START_TEST(english_is_the_source)
{
    ck_assert_str_eq(sj_tr(SJ_LANG_EN, "English"), "English");
}
END_TEST

START_TEST(unknown_and_empty_fall_back)
{
    ck_assert_str_eq(sj_tr(SJ_LANG_ZH, "no such message, surely"),
                     "no such message, surely");
    ck_assert_str_eq(sj_tr(SJ_LANG_ZH, ""), "");
    ck_assert_str_eq(sj_tr(SJ_LANG_ZH, NULL), "");
    ck_assert_str_eq(sj_tr((sj_lang_t)42, "English"), "English");
}
END_TEST

START_TEST(tags)
{
    ck_assert_str_eq(sj_lang_tag(SJ_LANG_ZH), "zh-Hans");
    ck_assert_str_eq(sj_lang_tag(SJ_LANG_EN), "en");
}
END_TEST

/* A catalogue directory holding a damaged shangju.mo: sj_tr must answer
 * in English. Runs in a forked child (CK_FORK), so the catalogue it loads
 * does not leak into the other tests. */
START_TEST(damaged_catalogue_means_english)
{
    char dir[] = "/tmp/sj_i18n_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[512];
    snprintf(path, sizeof path, "%s/zh_CN", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/zh_CN/LC_MESSAGES", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/zh_CN/LC_MESSAGES/shangju.mo", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    /* right magic, a string table pointing far outside the file */
    const unsigned char bad[28] = {0xde, 0x12, 0x04, 0x95, 0,    0,   0,
                                   0,    3,    0,    0,    0,    28,  0,
                                   0,    0,    0xff, 0xff, 0xff, 0x7f};
    fwrite(bad, 1, sizeof bad, f);
    fclose(f);
    setenv("SHANGJU_LOCALEDIR", dir, 1);
    ck_assert_str_eq(sj_tr(SJ_LANG_ZH, "English"), "English");
    unlink(path);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("i18n");
    TCase *t = tcase_create("tr");
    tcase_add_test(t, chinese_from_the_catalogue);
    tcase_add_test(t, english_is_the_source);
    tcase_add_test(t, unknown_and_empty_fall_back);
    tcase_add_test(t, tags);
    tcase_add_test(t, damaged_catalogue_means_english);
    suite_add_tcase(s, t);
    return s;
}

SJ_CHECK_MAIN(suite)
