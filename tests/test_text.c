/* Check suite of proto/text.c: what the broker accepts as text in a field.
 * Valid UTF-8 without controls; invisible characters that can disguise a
 * name (C1 controls, bidirectional overrides and isolates, zero-width
 * characters, a byte-order mark) are refused, in short fields always and
 * the override family in long ones too. */
#include <check.h>

#include "check_main.h"
#include "text.h"

START_TEST(plain_text_passes)
{
    ck_assert(sj_text_ok("", false));
    ck_assert(sj_text_ok("王阿姨的心愿", false));
    ck_assert(sj_text_ok("Café 🍰 𠀀", false)); /* 4-byte UTF-8 */
    ck_assert(sj_text_ok("line one\nline\ttwo", true));
    ck_assert(!sj_text_ok("line one\nline two", false));
}
END_TEST

START_TEST(malformed_utf8_refused)
{
    ck_assert(!sj_text_ok("\xc0\xaf", false));         /* overlong */
    ck_assert(!sj_text_ok("\xed\xa0\x80", false));     /* surrogate */
    ck_assert(!sj_text_ok("\xf4\x90\x80\x80", false)); /* > U+10FFFF */
    ck_assert(!sj_text_ok("\xe4\xb8", false));         /* truncated */
    ck_assert(!sj_text_ok("a\x7f", false));
    ck_assert(!sj_text_ok("a\x1b[2J", true));
}
END_TEST

/* Finding 9 of issue 9: these were accepted in titles and names. */
START_TEST(c1_controls_refused)
{
    ck_assert(!sj_text_ok("name\xc2\x85", false)); /* U+0085 NEL */
    ck_assert(!sj_text_ok("x\xc2\x9b"
                          "31m",
                          true)); /* U+009B CSI */
    ck_assert(!sj_text_ok("\xc2\x80", false));
    ck_assert(!sj_text_ok("\xc2\x9f", true));
    ck_assert(sj_text_ok("\xc2\xa0", false)); /* U+00A0 is fine */
}
END_TEST

START_TEST(bidi_controls_refused)
{
    /* U+202E RIGHT-TO-LEFT OVERRIDE, U+202A..U+202D, U+2066..U+2069 */
    ck_assert(!sj_text_ok("shop\xe2\x80\xaegpj.exe", false));
    ck_assert(!sj_text_ok("\xe2\x80\xaa", true));
    ck_assert(!sj_text_ok("\xe2\x80\xad", false));
    ck_assert(!sj_text_ok("\xe2\x81\xa6x\xe2\x81\xa9", true));
    ck_assert(!sj_text_ok("\xe2\x80\x8f", false)); /* U+200F RLM */
}
END_TEST

START_TEST(invisible_characters_refused_in_short_fields)
{
    ck_assert(!sj_text_ok("Wang\xe2\x80\x8b", false)); /* U+200B ZWSP */
    ck_assert(!sj_text_ok("a\xe2\x80\x8c"
                          "b",
                          false));                     /* ZWNJ */
    ck_assert(!sj_text_ok("\xe2\x81\xa0", false));     /* U+2060 WJ */
    ck_assert(!sj_text_ok("\xef\xbb\xbfname", false)); /* BOM */
    ck_assert(!sj_text_ok("\xef\xbb\xbfname", true));  /* BOM anywhere */
    /* A long text may hold an emoji sequence joined by U+200D. */
    ck_assert(sj_text_ok("family \xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9",
                         true));
    ck_assert(
        !sj_text_ok("\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9", false));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("text");
    TCase *t = tcase_create("text");
    tcase_add_test(t, plain_text_passes);
    tcase_add_test(t, malformed_utf8_refused);
    tcase_add_test(t, c1_controls_refused);
    tcase_add_test(t, bidi_controls_refused);
    tcase_add_test(t, invisible_characters_refused_in_short_fields);
    suite_add_tcase(s, t);
    return s;
}

SJ_CHECK_MAIN(suite)
