/* proto/: bounded decoding, enum and status names, request kind names,
 * event topics and ledger kinds, and CZMQ-format key files (round trip,
 * permissions, malformed input). */
#include <check.h>

#include "check_main.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec.h"
#include "keyfile.h"
#include "sj_reasons.h"
#include "sj_topics.h"

START_TEST(enum_short_names)
{
    const ProtobufCEnumDescriptor *ws = &shangju__wish_state__descriptor;
    ck_assert_str_eq(sj_enum_short(ws, SHANGJU__WISH_STATE__WISH_STATE_OPEN),
                     "open");
    ck_assert_str_eq(
        sj_enum_short(ws, SHANGJU__WISH_STATE__WISH_STATE_FULFILLED),
        "fulfilled");
    ck_assert_str_eq(
        sj_enum_short(&shangju__role__descriptor, SHANGJU__ROLE__ROLE_MERCHANT),
        "merchant");
    ck_assert_str_eq(
        sj_enum_short(&shangju__member_status__descriptor,
                      SHANGJU__MEMBER_STATUS__MEMBER_STATUS_ACTIVE),
        "active");
    ck_assert_ptr_null(sj_enum_short(ws, 99));
    int v;
    ck_assert_int_eq(sj_enum_parse(ws, "CLAIMED", &v), 0);
    ck_assert_int_eq(v, SHANGJU__WISH_STATE__WISH_STATE_CLAIMED);
    ck_assert_int_eq(sj_enum_parse(ws, "6", &v), 0);
    ck_assert_int_eq(v, SHANGJU__WISH_STATE__WISH_STATE_EXPIRED);
    ck_assert_int_eq(sj_enum_parse(ws, "opened", &v), SJ_EINVAL);
    ck_assert_int_eq(sj_enum_parse(ws, "42", &v), SJ_EINVAL);
    ck_assert_int_eq(sj_enum_parse(ws, "", &v), SJ_EINVAL);
    ck_assert_str_eq(sj_status_name(SHANGJU__STATUS__STATUS_INVALID_ARGUMENT),
                     "INVALID_ARGUMENT");
    ck_assert_str_eq(sj_status_name(1234), "UNKNOWN");
}
END_TEST

/* The wire names, written out here independently of proto/sj_topics.c:
 * they are the contract clients subscribe to, so none may change. */
static const char *const wire_topics[] = {
    "wish.posted",
    "wish.claimed",
    "wish.released",
    "wish.fulfilled",
    "wish.closed",
    "wish.cancelled",
    "wish.expired",
    "wish.lapsed",
    "wish.handover_refused",
    "wish.handover_locked",
    "wish.handover_reissued",
    "wish.expiring",
    "member.added",
    "member.suspended",
    "member.rekeyed",
    "member.linked",
    "member.unlinked",
    "merchant.registered",
    "merchant.updated",
    "compact.drafted",
    "compact.edited",
    "compact.signed",
    "compact.published",
    "compact.activated",
    "compact.evaluating",
    "compact.performed",
    "compact.complained",
    "compact.resolved",
    "compact.rated",
    "compact.closed",
    "points.earned",
    "points.transferred",
    "points.year_closed",
    /* issue 9 (privacy) */
    "member.unsuspended",
    "wish.disputed",
    "compact.confirmed",
    "compact.dismissed",
};

START_TEST(topics_and_entry_kinds)
{
    size_t n = sizeof wire_topics / sizeof wire_topics[0];
    ck_assert_uint_eq(n, SJ_TOPIC_COUNT - 1);
    for (size_t i = 0; i < n; i++) {
        sj_topic_t t = sj_topic_parse(wire_topics[i]);
        ck_assert_msg(t != SJ_TOPIC_NONE, "%s unknown", wire_topics[i]);
        ck_assert_str_eq(sj_topic_name(t), wire_topics[i]);
        for (size_t j = 0; j < i; j++) /* distinct */
            ck_assert_int_ne(sj_topic_parse(wire_topics[j]), t);
    }
    ck_assert_ptr_null(sj_topic_name(SJ_TOPIC_NONE));
    ck_assert_ptr_null(sj_topic_name(SJ_TOPIC_COUNT));
    ck_assert_int_eq(sj_topic_parse(NULL), SJ_TOPIC_NONE);
    ck_assert_int_eq(sj_topic_parse("wish."), SJ_TOPIC_NONE);
    ck_assert_int_eq(sj_topic_parse("Wish.Posted"), SJ_TOPIC_NONE);
    ck_assert_int_eq(sj_topic_parse("wish.posted "), SJ_TOPIC_NONE);

    const char *kinds[] = {"earn.wish", "earn.compact", "spend", "receive"};
    ck_assert_uint_eq(sizeof kinds / sizeof kinds[0], SJ_ENTRY_COUNT - 1);
    for (size_t i = 0; i < 4; i++) {
        sj_entry_kind_t k = sj_entry_kind_parse(kinds[i]);
        ck_assert_int_ne(k, SJ_ENTRY_NONE);
        ck_assert_str_eq(sj_entry_kind_name(k), kinds[i]);
        ck_assert(sj_entry_kind_is_earning(k) ==
                  (strncmp(kinds[i], "earn.", 5) == 0));
    }
    ck_assert_int_eq(sj_entry_kind_parse("earn."), SJ_ENTRY_NONE);
    ck_assert_ptr_null(sj_entry_kind_name(SJ_ENTRY_COUNT));
}
END_TEST

/* Lowercase dotted: "wish.not_open". */
static bool well_formed(const char *code)
{
    const char *dot = strchr(code, '.');
    if (!dot || dot == code || !dot[1])
        return false;
    for (const char *p = code; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || *p == '_' ||
              (*p == '.' && p != code && p[1] && p[-1] != '.')))
            return false;
    return true;
}

START_TEST(reason_table)
{
    for (int r = SJ_R_NONE + 1; r < SJ_R_COUNT; r++) {
        const char *code = sj_reason_code((sj_reason_t)r);
        const char *text = sj_reason_text((sj_reason_t)r);
        ck_assert_msg(code != NULL, "reason %d has no code", r);
        ck_assert_msg(well_formed(code),
                      "reason code '%s' is not lowercase "
                      "dotted",
                      code);
        ck_assert_msg(text && strlen(text) > 1 && text[strlen(text) - 1] == '.',
                      "reason %s has no sentence", code);
        ck_assert_int_eq(sj_reason_parse(code), r);
        for (int q = SJ_R_NONE + 1; q < r; q++) /* unique */
            ck_assert_str_ne(sj_reason_code((sj_reason_t)q), code);
    }
    ck_assert_ptr_null(sj_reason_code(SJ_R_NONE));
    ck_assert_ptr_null(sj_reason_code(SJ_R_COUNT));
    ck_assert_ptr_null(sj_reason_text(SJ_R_COUNT));
    ck_assert_int_eq(sj_reason_parse(NULL), SJ_R_NONE);
    ck_assert_int_eq(sj_reason_parse("wish.no_such_reason"), SJ_R_NONE);
    ck_assert(!well_formed("Wish.not_open") && !well_formed("wish") &&
              !well_formed("wish..open") && !well_formed(".wish"));
}
END_TEST

START_TEST(bounded_decoding)
{
    Shangju__WishPost p = SHANGJU__WISH_POST__INIT;
    p.title = (char *)"学做月饼";
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.request_id = 9;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_POST;
    req.wish_post = &p;
    ck_assert_str_eq(sj_request_kind(&req), "wish_post");
    size_t len;
    uint8_t *buf = sj_codec_encode(&req.base, &len);
    Shangju__Request *back = sj_codec_request_decode(buf, len);
    ck_assert_ptr_nonnull(back);
    ck_assert_str_eq(back->wish_post->title, "学做月饼");
    shangju__request__free_unpacked(back, NULL);
    /* Every truncation of a valid frame is refused or decodes cleanly. */
    for (size_t n = 0; n < len; n++) {
        back = sj_codec_request_decode(buf, n);
        if (back)
            shangju__request__free_unpacked(back, NULL);
    }
    ck_assert_ptr_null(sj_codec_request_decode(buf, len - 1));
    free(buf);
    ck_assert_ptr_null(sj_codec_request_decode("\xff\xff\xff\xff", 4));
    uint8_t *huge = calloc(1, SJ_MAX_FRAME + 1);
    ck_assert_ptr_null(sj_codec_request_decode(huge, SJ_MAX_FRAME + 1));
    free(huge);
    Shangju__Request none = SHANGJU__REQUEST__INIT;
    ck_assert_str_eq(sj_request_kind(&none), "none");
}
END_TEST

START_TEST(key_files)
{
    char dir[] = "/tmp/sj-keys-XXXXXX", path[64], pub[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/m.key", dir);
    snprintf(pub, sizeof pub, "%s/m.pub", dir);
    sj_keypair_t kp, back;
    ck_assert_int_eq(sj_keyfile_generate(&kp), 0);
    ck_assert_int_eq(sj_keyfile_save_secret(path, &kp, "王 \"quoted\""), 0);
    ck_assert_int_eq(sj_keyfile_save_public(pub, &kp), 0);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    ck_assert_int_eq(sj_keyfile_load(path, &back), 0);
    ck_assert(back.has_secret);
    ck_assert_mem_eq(back.public_key, kp.public_key, 32);
    ck_assert_mem_eq(back.secret_key, kp.secret_key, 32);
    ck_assert_int_eq(sj_keyfile_load(pub, &back), 0);
    ck_assert(!back.has_secret);
    ck_assert_mem_eq(back.public_key, kp.public_key, 32);

    FILE *f = fopen(path, "w");
    fputs("curve\n    public-key = \"tooshort\"\n", f);
    fclose(f);
    ck_assert_int_eq(sj_keyfile_load(path, &back), SJ_EINVAL);
    f = fopen(path, "w");
    fputs("metadata\n    public-key = "
          "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\""
          "\n",
          f);
    fclose(f);
    ck_assert_int_eq(sj_keyfile_load(path, &back), SJ_EINVAL); /* not curve */
    ck_assert_int_eq(sj_keyfile_load("/nonexistent/k", &back), SJ_EIO);
    unlink(path);
    unlink(pub);
    rmdir(dir);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("codec");
    TCase *tc = tcase_create("codec");
    tcase_add_test(tc, enum_short_names);
    tcase_add_test(tc, bounded_decoding);
    tcase_add_test(tc, topics_and_entry_kinds);
    tcase_add_test(tc, reason_table);
    tcase_add_test(tc, key_files);
    suite_add_tcase(s, tc);
    return s;
}

SJ_CHECK_MAIN(suite)
