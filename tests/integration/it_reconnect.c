/* Integration: event catch-up across disconnects with the client library.
 * A subscriber that is destroyed and re-subscribes from last_seen + 1 gets
 * exactly the missed events; a live subscription survives a broker restart
 * (SIGTERM, same directory and ports) with no gap and no duplicate. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it_harness.h"

#define MAX_EVENTS 4096
#define WAIT_MS 20000

struct seen {
    uint64_t seq[MAX_EVENTS];
    char topic[MAX_EVENTS][24];
    size_t n;
    int errors; /* failed catch-ups reported (expected while it is down) */
};

static void on_event(sj_client_t *c, const Shangju__Event *ev, int err,
                     void *ud)
{
    (void)c;
    struct seen *s = ud;
    if (err || !ev) {
        s->errors++;
        return;
    }
    if (s->n < MAX_EVENTS) {
        s->seq[s->n] = ev->seq;
        snprintf(s->topic[s->n], sizeof s->topic[0], "%s",
                 ev->topic ? ev->topic : "");
    }
    s->n++;
}

/* Drive c until it has delivered up to seq (or fail after WAIT_MS). */
static void wait_for(sj_client_t *c, uint64_t seq)
{
    int64_t end = it_now_ms() + WAIT_MS;
    while (sj_client_last_seq(c) < seq && it_now_ms() < end)
        sj_client_wait(c, 50);
    ck_assert_msg(sj_client_last_seq(c) >= seq,
                  "subscriber stuck at %llu, waiting for %llu",
                  (unsigned long long)sj_client_last_seq(c),
                  (unsigned long long)seq);
    /* Give a stray duplicate the chance to show up. */
    for (int i = 0; i < 5; i++)
        sj_client_wait(c, 20);
}

/* The seqs seen are exactly from..to, each once, in order. */
static void check_exact(const struct seen *s, uint64_t from, uint64_t to)
{
    ck_assert_msg(s->n == to - from + 1,
                  "expected %llu events (%llu..%llu), got %zu",
                  (unsigned long long)(to - from + 1), (unsigned long long)from,
                  (unsigned long long)to, s->n);
    for (size_t i = 0; i < s->n; i++)
        ck_assert_msg(
            s->seq[i] == from + i, "event %zu has seq %llu, expected %llu", i,
            (unsigned long long)s->seq[i], (unsigned long long)(from + i));
}

static size_t count_topic(const struct seen *s, const char *topic)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n && i < MAX_EVENTS; i++)
        n += strcmp(s->topic[i], topic) == 0;
    return n;
}

START_TEST(resubscribe_from_last_seen)
{
    static struct seen first, second;
    it_broker_t b;
    it_broker_new(&b, NULL);
    sj_client_t *com = it_client(&b, NULL, 3000, 2);
    sj_keypair_t kr, km;
    uint64_t rid = it_member_add(com, SHANGJU__ROLE__ROLE_RESIDENT, "Zhang",
                                 "139-1111", 0, &kr);
    it_member_add(com, SHANGJU__ROLE__ROLE_MERCHANT, "Tea shop", NULL, 0, &km);
    sj_client_t *res = it_client(&b, &kr, 3000, 2);
    sj_client_t *mer = it_client(&b, &km, 3000, 2);
    (void)rid;

    /* The whole history (two member.added), then 20 postings live. */
    sj_client_t *sub = it_client(&b, &kr, 1000, 2);
    ck_assert_int_eq(sj_client_subscribe(sub, NULL, 0, 1, on_event, &first), 0);
    wait_for(sub, it_last_seq(com));
    for (int i = 0; i < 20; i++) {
        it_wish_post(res, "Before the break", 0);
        sj_client_wait(sub, 0);
    }
    uint64_t l1 = it_last_seq(com);
    wait_for(sub, l1);
    check_exact(&first, 1, l1);
    ck_assert_uint_eq(count_topic(&first, "member.added"), 2);
    ck_assert_uint_eq(count_topic(&first, "wish.posted"), 20);
    uint64_t last_seen = first.seq[first.n - 1];
    sj_client_destroy(&sub);

    /* Missed while away: 15 postings and 15 claims. */
    for (int i = 0; i < 15; i++) {
        uint64_t w = it_wish_post(res, "While away", 0);
        ck_assert_int_eq(
            it_wish_move(mer, SHANGJU__REQUEST__BODY_WISH_CLAIM, w),
            SHANGJU__STATUS__STATUS_OK);
    }
    uint64_t l2 = it_last_seq(com);
    ck_assert_uint_eq(l2, l1 + 30);

    sub = it_client(&b, &kr, 1000, 2);
    ck_assert_int_eq(
        sj_client_subscribe(sub, NULL, 0, last_seen + 1, on_event, &second), 0);
    wait_for(sub, l2);
    check_exact(&second, last_seen + 1, l2);
    ck_assert_uint_eq(count_topic(&second, "wish.posted"), 15);
    ck_assert_uint_eq(count_topic(&second, "wish.claimed"), 15);

    /* And it goes on live from there. */
    it_wish_post(res, "Back again", 0);
    wait_for(sub, l2 + 1);
    check_exact(&second, last_seen + 1, l2 + 1);

    sj_client_destroy(&sub);
    sj_client_destroy(&mer);
    sj_client_destroy(&res);
    sj_client_destroy(&com);
    ck_assert_int_eq(it_broker_stop(&b), 0);
}
END_TEST

START_TEST(subscription_survives_broker_restart)
{
    static struct seen s;
    it_broker_t b;
    it_broker_new(&b, NULL);
    sj_client_t *com = it_client(&b, NULL, 3000, 2);
    sj_keypair_t kr;
    it_member_add(com, SHANGJU__ROLE__ROLE_RESIDENT, "Chen", "137-2222", 0,
                  &kr);
    sj_client_t *res = it_client(&b, &kr, 3000, 2);
    uint64_t l0 = it_last_seq(com);

    /* From now on: the subscriber learns last_seq by a Ping first. */
    sj_client_t *sub = it_client(&b, &kr, 500, 2);
    ck_assert_int_eq(sj_client_subscribe(sub, NULL, 0, 0, on_event, &s), 0);
    int64_t end = it_now_ms() + WAIT_MS;
    while (sj_client_last_seq(sub) < l0 && it_now_ms() < end)
        sj_client_wait(sub, 20);
    ck_assert_uint_eq(sj_client_last_seq(sub), l0);
    for (int i = 0; i < 10; i++)
        it_wish_post(res, "Before the restart", 0);
    uint64_t l1 = it_last_seq(com);
    wait_for(sub, l1);
    check_exact(&s, l0 + 1, l1);
    sj_client_destroy(&res);
    sj_client_destroy(&com);

    /* Restart: clean stop (exit 0), same directory and ports. */
    ck_assert_int_eq(it_broker_stop(&b), 0);
    for (int i = 0; i < 10; i++)
        sj_client_wait(sub, 20); /* the subscriber notices nothing yet */
    it_broker_start(&b, NULL);
    com = it_client(&b, NULL, 3000, 2);
    res = it_client(&b, &kr, 3000, 2);
    ck_assert_uint_eq(it_last_seq(com), l1); /* the log survived */
    for (int i = 0; i < 12; i++) {
        it_wish_post(res, "After the restart", 0);
        sj_client_wait(sub, 0);
    }
    uint64_t l2 = it_last_seq(com);
    ck_assert_uint_eq(l2, l1 + 12);
    wait_for(sub, l2);
    check_exact(&s, l0 + 1, l2);
    ck_assert_uint_eq(count_topic(&s, "wish.posted"), 22);

    sj_client_destroy(&sub);
    sj_client_destroy(&res);
    sj_client_destroy(&com);
    ck_assert_int_eq(it_broker_stop(&b), 0);
}
END_TEST

int main(int argc, char **argv)
{
    it_init(argc, argv);
    Suite *s = suite_create("it_reconnect");
    TCase *tc = tcase_create("catch_up");
    tcase_set_timeout(tc, 100);
    tcase_add_test(tc, resubscribe_from_last_seen);
    tcase_add_test(tc, subscription_survives_broker_restart);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    it_cleanup();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
