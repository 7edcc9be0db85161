/* Check suite of proto/keyfile.c: CURVE key files are read strictly. A
 * secret key readable by others, a file whose halves do not belong
 * together, or something that is not a regular file (a FIFO would block
 * the reader forever) is refused with its own code (issue 9 finding 8). */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "keyfile.h"

static char dir[] = "/tmp/sj_keyfile_XXXXXX";

static void setup(void)
{
    strcpy(dir, "/tmp/sj_keyfile_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static const char *path(const char *name)
{
    static char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

START_TEST(round_trip)
{
    sj_keypair_t kp, back;
    ck_assert_int_eq(sj_keyfile_generate(&kp), SJ_OK);
    ck_assert_int_eq(sj_keyfile_save_secret(path("me.key"), &kp, "me"), SJ_OK);
    ck_assert_int_eq(sj_keyfile_load(path("me.key"), &back), SJ_OK);
    ck_assert(back.has_secret);
    ck_assert_mem_eq(back.public_key, kp.public_key, SJ_KEY_BYTES);
    ck_assert_mem_eq(back.secret_key, kp.secret_key, SJ_KEY_BYTES);
    /* a public key file may be read by anyone */
    ck_assert_int_eq(sj_keyfile_save_public(path("me.pub"), &kp), SJ_OK);
    ck_assert_int_eq(chmod(path("me.pub"), 0644), 0);
    ck_assert_int_eq(sj_keyfile_load(path("me.pub"), &back), SJ_OK);
    ck_assert(!back.has_secret);
}
END_TEST

START_TEST(secret_readable_by_others_refused)
{
    sj_keypair_t kp, back;
    ck_assert_int_eq(sj_keyfile_generate(&kp), SJ_OK);
    ck_assert_int_eq(sj_keyfile_save_secret(path("me.key"), &kp, "me"), SJ_OK);
    ck_assert_int_eq(chmod(path("me.key"), 0644), 0);
    ck_assert_int_eq(sj_keyfile_load(path("me.key"), &back), SJ_EPERM);
    ck_assert_int_eq(chmod(path("me.key"), 0640), 0);
    ck_assert_int_eq(sj_keyfile_load(path("me.key"), &back), SJ_EPERM);
    ck_assert_int_eq(chmod(path("me.key"), 0400), 0);
    ck_assert_int_eq(sj_keyfile_load(path("me.key"), &back), SJ_OK);
    ck_assert_str_ne(sj_strerror(SJ_EPERM), "unknown error");
}
END_TEST

START_TEST(mismatched_halves_refused)
{
    sj_keypair_t a, b, back;
    ck_assert_int_eq(sj_keyfile_generate(&a), SJ_OK);
    ck_assert_int_eq(sj_keyfile_generate(&b), SJ_OK);
    memcpy(a.public_key, b.public_key,
           SJ_KEY_BYTES); /* a's secret, b's public */
    ck_assert_int_eq(sj_keyfile_save_secret(path("mixed.key"), &a, "x"), SJ_OK);
    ck_assert_int_eq(sj_keyfile_load(path("mixed.key"), &back), SJ_EMISMATCH);
}
END_TEST

static void on_alarm(int sig)
{
    (void)sig;
    _exit(3); /* the read blocked: the test fails with exit 3 */
}

START_TEST(fifo_refused_without_blocking)
{
    ck_assert_int_eq(mkfifo(path("fifo"), 0600), 0);
    signal(SIGALRM, on_alarm);
    alarm(2);
    sj_keypair_t back;
    ck_assert_int_eq(sj_keyfile_load(path("fifo"), &back), SJ_ENOTREG);
    alarm(0);
    ck_assert_int_eq(sj_keyfile_load(dir, &back), SJ_ENOTREG); /* a dir */
    ck_assert_int_eq(sj_keyfile_load(path("missing"), &back), SJ_EIO);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("keyfile");
    TCase *t = tcase_create("keyfile");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, round_trip);
    tcase_add_test(t, secret_readable_by_others_refused);
    tcase_add_test(t, mismatched_halves_refused);
    tcase_add_test(t, fifo_refused_without_blocking);
    suite_add_tcase(s, t);
    return s;
}

SJ_CHECK_MAIN(suite)
