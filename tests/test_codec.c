/* proto/: bounded decoding, enum and status names, request kind names, and
 * CZMQ-format key files (round trip, permissions, malformed input). */
#include <check.h>

#include "check_main.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec.h"
#include "keyfile.h"

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
    tcase_add_test(tc, key_files);
    suite_add_tcase(s, tc);
    return s;
}

SJ_CHECK_MAIN(suite)
