/* Check suite of proto/text.c and of the broker's text rules: what the
 * broker accepts as text in a field. Valid UTF-8 without controls;
 * invisible characters that can disguise a name (C1 controls,
 * bidirectional overrides and isolates, zero-width characters, a
 * byte-order mark) are refused, in short fields always and the override
 * family in long ones too. Limits count characters, after the broker has
 * put every string of a request in NFC (issue 15). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "keyfile.h"
#include "sj_limits.h"
#include "text.h"
#include "world.h"

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

/* ------------------------------------------- characters and NFC (issue 15) */

#define E_ACUTE "\xc3\xa9"       /* U+00E9, composed */
#define E_COMBINING "e\xcc\x81"  /* e + U+0301, decomposed */
#define SHE "\xe7\xa4\xbe"       /* 社, 3 bytes */
#define EMOJI "\xf0\x9f\x8d\xb0" /* U+1F370, 4 bytes */

/* n copies of unit, malloc'd. */
static char *repeat(const char *unit, size_t n)
{
    size_t u = strlen(unit);
    char *s = malloc(u * n + 1);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * u, unit, u);
    s[u * n] = '\0';
    return s;
}

START_TEST(characters_are_code_points)
{
    ck_assert_uint_eq(sj_text_chars(NULL), 0);
    ck_assert_uint_eq(sj_text_chars(""), 0);
    ck_assert_uint_eq(sj_text_chars("abc"), 3);
    ck_assert_uint_eq(sj_text_chars("王阿姨"), 3);
    ck_assert_uint_eq(sj_text_chars("Caf" E_ACUTE " " EMOJI), 6);
    ck_assert_uint_eq(sj_text_chars(E_COMBINING), 2); /* two code points */
    /* what a client counts: the stored length */
    ck_assert_uint_eq(sj_text_nfc_chars(NULL), 0);
    ck_assert_uint_eq(sj_text_nfc_chars("abc"), 3);
    ck_assert_uint_eq(sj_text_nfc_chars("Caf" E_COMBINING), 4);
    ck_assert_uint_eq(sj_text_nfc_chars("王阿姨"), 3);
    ck_assert_uint_eq(sj_text_nfc_chars("\xe4\xb8"), 1); /* not UTF-8 */
}
END_TEST

START_TEST(nfc_composes)
{
    char *s = sj_text_nfc("Caf" E_COMBINING);
    ck_assert_str_eq(s, "Caf" E_ACUTE);
    free(s);
    s = sj_text_nfc("Caf" E_ACUTE);
    ck_assert_str_eq(s, "Caf" E_ACUTE);
    free(s);
    /* U+212B ANGSTROM SIGN is a singleton: NFC makes it U+00C5. */
    s = sj_text_nfc("\xe2\x84\xab");
    ck_assert_str_eq(s, "\xc3\x85");
    free(s);
    s = sj_text_nfc("");
    ck_assert_str_eq(s, "");
    free(s);
    ck_assert_ptr_null(sj_text_nfc("\xe4\xb8")); /* truncated UTF-8 */
}
END_TEST

/* Every string of a request, at any depth (a oneof body, a nested
 * listing, a repeated string, a message in a repeated field), comes back
 * in NFC; bytes are untouched, and nothing is copied when nothing
 * changes. */
/* The comparison form of a community or category (issue 15): full case
 * folding then NFC, cut whole characters at a time. */
START_TEST(fold_ignores_case)
{
    char b[64];
    ck_assert_uint_eq(sj_text_fold("JinQIAO 3", b, sizeof b), 9);
    ck_assert_str_eq(b, "jinqiao 3");
    sj_text_fold("Straße", b, sizeof b);
    ck_assert_str_eq(b, "strasse");
    sj_text_fold("ΟΔΌΣ", b, sizeof b); /* final and medial sigma alike */
    char c[64];
    sj_text_fold("οδός", c, sizeof c);
    ck_assert_str_eq(b, c);
    sj_text_fold("E\xcc\x81", b, sizeof b); /* E + combining acute: NFC é */
    ck_assert_str_eq(b, "\xc3\xa9");
    ck_assert_str_eq(sj_text_fold(NULL, b, sizeof b) ? "?" : b, "");
    /* Cut to fit, never inside a character: ᾀ folds to ἀι, 5 bytes. */
    ck_assert_uint_eq(sj_text_fold("ᾀᾀ", b, 8), 5);
    ck_assert_str_eq(b, "ἀι");
    ck_assert_uint_eq(sj_text_fold("ABC", b, 3), 2);
    ck_assert_str_eq(b, "ab");
    /* Not UTF-8: copied as it is, so it matches only itself. */
    ck_assert_uint_eq(sj_text_fold("A\xff", b, sizeof b), 2);
    ck_assert_str_eq(b, "A\xff");
}
END_TEST

START_TEST(nfc_message_walks_every_string)
{
    Shangju__Service sv = SHANGJU__SERVICE__INIT;
    Shangju__Service *svp[1] = {&sv};
    char *spec[2] = {(char *)"pl" E_COMBINING "at", (char *)"plain"};
    Shangju__Listing l = SHANGJU__LISTING__INIT;
    Shangju__ListingPut put = SHANGJU__LISTING_PUT__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    uint8_t raw[3] = {'e', 0xcc, 0x81}; /* decomposed, but bytes */
    sv.name = (char *)"Caf" E_COMBINING;
    sv.description = (char *)"ok";
    l.name = (char *)"Boulangerie " E_ACUTE;
    l.category = (char *)"bakery";
    l.specialties = spec;
    l.n_specialties = 2;
    l.services = svp;
    l.n_services = 1;
    l.address = (char *)"";
    l.hours = (char *)"";
    l.phone = (char *)"";
    put.listing = &l;
    req.body_case = SHANGJU__REQUEST__BODY_LISTING_PUT;
    req.listing_put = &put;
    req.request_id = 42;

    ProtobufCMessage *out = NULL;
    ck_assert_int_eq(sj_text_nfc_message(&req.base, &out), 0);
    ck_assert_ptr_nonnull(out);
    const Shangju__Request *q = (const Shangju__Request *)out;
    ck_assert_uint_eq(q->request_id, 42);
    ck_assert_str_eq(q->listing_put->listing->name, "Boulangerie " E_ACUTE);
    ck_assert_str_eq(q->listing_put->listing->specialties[0],
                     "pl" E_ACUTE "at");
    ck_assert_str_eq(q->listing_put->listing->specialties[1], "plain");
    ck_assert_str_eq(q->listing_put->listing->services[0]->name, "Caf" E_ACUTE);
    /* the original is not changed */
    ck_assert_str_eq(sv.name, "Caf" E_COMBINING);
    protobuf_c_message_free_unpacked(out, NULL);

    /* Already NFC: no copy. */
    sv.name = (char *)"Caf" E_ACUTE;
    spec[0] = (char *)"王阿姨";
    ck_assert_int_eq(sj_text_nfc_message(&req.base, &out), 0);
    ck_assert_ptr_null(out);

    /* A bytes field is never normalised. */
    Shangju__MemberAdd a = SHANGJU__MEMBER_ADD__INIT;
    Shangju__Request add = SHANGJU__REQUEST__INIT;
    a.name = (char *)E_COMBINING;
    a.public_key.data = raw;
    a.public_key.len = 3;
    add.body_case = SHANGJU__REQUEST__BODY_MEMBER_ADD;
    add.member_add = &a;
    ck_assert_int_eq(sj_text_nfc_message(&add.base, &out), 0);
    ck_assert_ptr_nonnull(out);
    q = (const Shangju__Request *)out;
    ck_assert_str_eq(q->member_add->name, E_ACUTE);
    ck_assert_uint_eq(q->member_add->public_key.len, 3);
    ck_assert_mem_eq(q->member_add->public_key.data, raw, 3);
    protobuf_c_message_free_unpacked(out, NULL);

    /* Invalid UTF-8 is left for the field checks to refuse. */
    a.name = (char *)"\xe4\xb8";
    ck_assert_int_eq(sj_text_nfc_message(&add.base, &out), 0);
    ck_assert_ptr_null(out);
}
END_TEST

static world_t w;

static void setup(void)
{
    world_init(&w, 0);
}

static void teardown(void)
{
    world_end(&w);
}

static int get_wish(uint64_t id)
{
    Shangju__WishGet g = SHANGJU__WISH_GET__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    g.id = id;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_GET;
    req.wish_get = &g;
    return world_call(&w, w.resident, &req);
}

/* A decomposed "é" (e + U+0301) is stored, and read back, composed. */
START_TEST(broker_stores_nfc)
{
    uint64_t id;
    ck_assert_int_eq(world_post(&w, w.resident, "Caf" E_COMBINING, 0, &id), 0);
    ck_assert_str_eq(w.reply->wish->title, "Caf" E_ACUTE);
    ck_assert_int_eq(get_wish(id), 0);
    ck_assert_str_eq(w.reply->wish->title, "Caf" E_ACUTE);
}
END_TEST

/* SJ_MAX_TITLE characters, whatever their bytes: 200 Chinese characters
 * (600 bytes) or emoji (800 bytes) fit; one more does not. */
START_TEST(limits_count_characters)
{
    char *t = repeat(SHE, SJ_MAX_TITLE);
    ck_assert_int_eq(world_post(&w, w.resident, t, 0, NULL), 0);
    free(t);
    t = repeat(EMOJI, SJ_MAX_TITLE);
    ck_assert_int_eq(world_post(&w, w.resident, t, 0, NULL), 0);
    free(t);
    t = repeat(SHE, SJ_MAX_TITLE + 1);
    ck_assert_int_eq(world_post(&w, w.resident, t, 0, NULL),
                     SHANGJU__STATUS__STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(w.reply->reason, "arg.too_long");
    ck_assert_ptr_nonnull(strstr(w.reply->message, "201 characters"));
    free(t);
}
END_TEST

/* The limit counts the stored (NFC) text: 200 decomposed "é" are 400 code
 * points as sent and 200 as stored, so they fit. */
START_TEST(limits_count_after_nfc)
{
    char *t = repeat(E_COMBINING, SJ_MAX_TITLE);
    ck_assert_uint_eq(sj_text_chars(t), 2 * SJ_MAX_TITLE);
    ck_assert_int_eq(world_post(&w, w.resident, t, 0, NULL), 0);
    ck_assert_uint_eq(sj_text_chars(w.reply->wish->title), SJ_MAX_TITLE);
    free(t);
}
END_TEST

/* A member whose name and community are at their limits in Chinese: the
 * community becomes a store key of the wishes' index (4 x 100 bytes
 * would not have fit its 200-byte room), and lists by community find
 * the wish. */
START_TEST(longest_chinese_community_is_indexed)
{
    sj_keypair_t kp;
    ck_assert_int_eq(sj_keyfile_generate(&kp), 0);
    char *name = repeat(SHE, SJ_MAX_NAME);
    char *community = repeat(EMOJI, SJ_MAX_COMMUNITY);
    Shangju__MemberAdd a = SHANGJU__MEMBER_ADD__INIT;
    a.role = SHANGJU__ROLE__ROLE_RESIDENT;
    a.name = name;
    a.community = community;
    a.public_key.data = kp.public_key;
    a.public_key.len = 32;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_MEMBER_ADD;
    req.member_add = &a;
    ck_assert_int_eq(world_call(&w, w.committee, &req), 0);
    uint64_t who = w.reply->member->id, id;
    ck_assert_str_eq(w.reply->member->name, name);

    ck_assert_int_eq(world_post(&w, who, "Fix the gate", 0, &id), 0);
    Shangju__WishList l = SHANGJU__WISH_LIST__INIT;
    l.community = community;
    Shangju__Request list = SHANGJU__REQUEST__INIT;
    list.body_case = SHANGJU__REQUEST__BODY_WISH_LIST;
    list.wish_list = &l;
    ck_assert_int_eq(world_call(&w, w.merchant, &list), 0);
    ck_assert_uint_eq(w.reply->wishes->n_items, 1);
    ck_assert_uint_eq(w.reply->wishes->items[0]->id, id);
    free(name);
    free(community);
}
END_TEST

/* A chat handle stays bounded in bytes (it is part of a store key). */
START_TEST(handle_is_bounded_in_bytes)
{
    char *h = repeat("h", SJ_MAX_HANDLE);
    Shangju__ChatJoin j = SHANGJU__CHAT_JOIN__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_CHAT_JOIN;
    req.chat_join = &j;
    j.handle = h;
    world_call(&w, w.bridge, &req); /* refused, but for its code */
    ck_assert_str_ne(w.reply->reason, "arg.too_long");
    free(h);
    h = repeat(SHE, SJ_MAX_HANDLE / 3 + 1);
    j.handle = h;
    ck_assert_int_eq(world_call(&w, w.bridge, &req),
                     SHANGJU__STATUS__STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(w.reply->reason, "arg.too_long");
    free(h);
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
    tcase_add_test(t, characters_are_code_points);
    tcase_add_test(t, nfc_composes);
    tcase_add_test(t, nfc_message_walks_every_string);
    tcase_add_test(t, fold_ignores_case);
    suite_add_tcase(s, t);
    TCase *b = tcase_create("broker");
    tcase_add_checked_fixture(b, setup, teardown);
    tcase_add_test(b, broker_stores_nfc);
    tcase_add_test(b, limits_count_characters);
    tcase_add_test(b, limits_count_after_nfc);
    tcase_add_test(b, longest_chinese_community_is_indexed);
    tcase_add_test(b, handle_is_bounded_in_bytes);
    suite_add_tcase(s, b);
    return s;
}

SJ_CHECK_MAIN(suite)
