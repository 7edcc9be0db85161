/* Check suite for net/conns.c (issue 13): the cap on a key's speaking
 * connections, the close of silent and refused ones (with shutdown(2) on
 * socket pairs standing in for libzmq's connections), and fd numbers
 * reused before or after their DISCONNECTED is read. */
#include <check.h>

#include "check_main.h"
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conns.h"

static const uint8_t A[32] = {1}, B[32] = {2};

/* Has the other end of a pair whose end was shut down seen the end? */
static bool ended(int peer)
{
    char c;
    return recv(peer, &c, 1, MSG_DONTWAIT) == 0;
}

START_TEST(cap_counts_speaking_connections_per_key)
{
    sj_conns_t *c;
    ck_assert_int_eq(sj_conns_new(2, 0, &c), 0);
    for (int fd = 10; fd < 13; fd++)
        sj_conns_accepted(c, fd, 0);
    ck_assert(sj_conns_request(c, 10, A, 0));
    ck_assert(sj_conns_request(c, 10, A, 1)); /* the same one again */
    ck_assert(sj_conns_request(c, 11, A, 2));
    ck_assert(!sj_conns_request(c, 12, A, 3)); /* a third: refused */
    ck_assert(!sj_conns_request(c, 12, A, 4)); /* and stays refused */
    sj_conns_accepted(c, 13, 0);
    ck_assert(sj_conns_request(c, 13, B, 5)); /* another key is not held */
    sj_conns_gone(c, 11); /* one of A's closes: room for a new one */
    sj_conns_accepted(c, 14, 6);
    ck_assert(sj_conns_request(c, 14, A, 7));
    /* fd 10 reused by B before its DISCONNECTED was read: B's request
     * decides, and A's count drops */
    ck_assert(sj_conns_request(c, 10, B, 8));
    sj_conns_accepted(c, 15, 9);
    ck_assert(sj_conns_request(c, 15, A, 10));
    sj_conns_accepted(c, 16, 11);
    ck_assert(!sj_conns_request(c, 16, A, 12));
    ck_assert(sj_conns_request(c, -1, A, 13)); /* fd unknown: passes */
    sj_conns_destroy(&c);
    ck_assert_ptr_null(c);
}
END_TEST

START_TEST(silent_and_refused_connections_are_shut)
{
    int quiet[2], talker[2], refused[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, quiet), 0);
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, talker), 0);
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, refused), 0);
    sj_conns_t *c;
    ck_assert_int_eq(sj_conns_new(1, 1000, &c), 0);
    sj_conns_accepted(c, quiet[0], 0);
    sj_conns_accepted(c, talker[0], 0);
    sj_conns_accepted(c, refused[0], 0);
    ck_assert_int_eq(sj_conns_next_due(c), 1000);
    ck_assert(sj_conns_request(c, talker[0], A, 100));
    ck_assert(!sj_conns_request(c, refused[0], A, 100));
    uint64_t silent = 0, shut = 0;
    sj_conns_sweep(c, 99, 0, &silent, &shut); /* nothing due yet */
    ck_assert_uint_eq(silent + shut, 0);
    ck_assert_int_le(sj_conns_next_due(c), 300); /* the refusal's grace */
    sj_conns_sweep(c, 300, 0, &silent, &shut);
    ck_assert_uint_eq(shut, 1);
    ck_assert(ended(refused[1]));
    ck_assert(!ended(quiet[1]));
    ck_assert_int_eq(sj_conns_next_due(c), 1000);
    sj_conns_sweep(c, 1000, 0, &silent, &shut);
    ck_assert_uint_eq(silent, 1);
    ck_assert(ended(quiet[1]));
    ck_assert(!ended(talker[1])); /* it spoke: it stays */
    ck_assert_int_eq(sj_conns_next_due(c), INT64_MAX);
    /* an fd whose local port is not the ROUTER's is left alone */
    int other[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, other), 0);
    sj_conns_accepted(c, other[0], 2000);
    sj_conns_sweep(c, 3000, 7400, &silent, &shut);
    ck_assert_uint_eq(silent, 1);
    ck_assert(!ended(other[1]));
    sj_conns_destroy(&c);
    int fds[] = {quiet[0],   quiet[1],   talker[0], talker[1],
                 refused[0], refused[1], other[0],  other[1]};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
        close(fds[i]);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("conns");
    TCase *tc = tcase_create("conns");
    tcase_add_test(tc, cap_counts_speaking_connections_per_key);
    tcase_add_test(tc, silent_and_refused_connections_are_shut);
    suite_add_tcase(s, tc);
    return s;
}

SJ_CHECK_MAIN(suite)
