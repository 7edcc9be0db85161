/* Integration: two merchants claim the same wish at the same moment, over
 * and over, against a real broker. Exactly one wins each time, the other
 * gets FAILED_PRECONDITION, the stored claim names the winner, and exactly
 * one wish.claimed event is logged per wish. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "it_harness.h"

#define ST(x) SHANGJU__STATUS__STATUS_##x
#define ROUNDS 250
#define ASYNC_ROUNDS 100

struct racer {
    sj_client_t *c;
    pthread_barrier_t *go;
    const uint64_t *wishes;
    int n;
    int rc[ROUNDS];     /* sj_client_call result */
    int status[ROUNDS]; /* reply status */
};

static void *race(void *arg)
{
    struct racer *r = arg;
    for (int i = 0; i < r->n; i++) {
        Shangju__Request req;
        it_bodies_t b;
        it_request(&req, &b, SHANGJU__REQUEST__BODY_WISH_CLAIM, r->wishes[i]);
        pthread_barrier_wait(r->go); /* both send together */
        Shangju__Reply *rep = NULL;
        r->rc[i] = sj_client_call(r->c, &req, &rep);
        r->status[i] = rep ? (int)rep->status : -1;
        if (rep)
            shangju__reply__free_unpacked(rep, NULL);
    }
    return NULL;
}

struct fixture {
    it_broker_t b;
    sj_client_t *committee, *resident, *m[2];
    uint64_t resident_id, m_id[2];
};

static void setup(struct fixture *f)
{
    /* many requests from few members, on purpose */
    static const char *const unlimited[] = {"--rate", "0", "--max-open-wishes",
                                            "0", NULL};
    it_broker_new(&f->b, unlimited);
    f->committee = it_client(&f->b, NULL, 5000, 2);
    sj_keypair_t kr, k1, k2;
    f->resident_id = it_member_add(f->committee, SHANGJU__ROLE__ROLE_RESIDENT,
                                   "Grandma Li", "138-0000", 0, &kr);
    f->m_id[0] = it_member_add(f->committee, SHANGJU__ROLE__ROLE_MERCHANT,
                               "Bakery", NULL, 0, &k1);
    f->m_id[1] = it_member_add(f->committee, SHANGJU__ROLE__ROLE_MERCHANT,
                               "Photo studio", NULL, 0, &k2);
    f->resident = it_client(&f->b, &kr, 5000, 2);
    f->m[0] = it_client(&f->b, &k1, 5000, 2);
    f->m[1] = it_client(&f->b, &k2, 5000, 2);
}

static void teardown(struct fixture *f)
{
    sj_client_destroy(&f->m[0]);
    sj_client_destroy(&f->m[1]);
    sj_client_destroy(&f->resident);
    sj_client_destroy(&f->committee);
    ck_assert_int_eq(it_broker_stop(&f->b), 0);
}

/* The wish is CLAIMED by the winner, as the broker stores it. */
static void check_winner(struct fixture *f, uint64_t wish, int winner)
{
    Shangju__Reply *r = it_wish_get(f->committee, wish);
    ck_assert_int_eq(r->wish->state, SHANGJU__WISH_STATE__WISH_STATE_CLAIMED);
    ck_assert_ptr_nonnull(r->wish->claim);
    ck_assert_uint_eq(r->wish->claim->merchant_id, f->m_id[winner]);
    shangju__reply__free_unpacked(r, NULL);
}

START_TEST(two_threads_claim_together)
{
    static struct fixture f;
    static uint64_t wishes[ROUNDS];
    static struct racer r[2];
    setup(&f);
    char title[64];
    for (int i = 0; i < ROUNDS; i++) {
        snprintf(title, sizeof title, "Race wish %d", i);
        wishes[i] = it_wish_post(f.resident, title, 0);
    }
    uint64_t seq0 = it_last_seq(f.committee);

    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, 2);
    pthread_t th[2];
    for (int t = 0; t < 2; t++) {
        r[t] = (struct racer){f.m[t], &go, wishes, ROUNDS, {0}, {0}};
        ck_assert_int_eq(pthread_create(&th[t], NULL, race, &r[t]), 0);
    }
    for (int t = 0; t < 2; t++)
        pthread_join(th[t], NULL);
    pthread_barrier_destroy(&go);

    int wins[2] = {0, 0};
    for (int i = 0; i < ROUNDS; i++) {
        ck_assert_msg(r[0].rc[i] == 0 && r[1].rc[i] == 0,
                      "round %d: a claim got no reply (%d, %d)", i, r[0].rc[i],
                      r[1].rc[i]);
        int ok0 = r[0].status[i] == ST(OK), ok1 = r[1].status[i] == ST(OK);
        ck_assert_msg(ok0 != ok1, "round %d: statuses %s and %s", i,
                      sj_status_name(r[0].status[i]),
                      sj_status_name(r[1].status[i]));
        int winner = ok0 ? 0 : 1;
        ck_assert_msg(r[1 - winner].status[i] == ST(FAILED_PRECONDITION),
                      "round %d: the loser got %s", i,
                      sj_status_name(r[1 - winner].status[i]));
        wins[winner]++;
        check_winner(&f, wishes[i], winner);
    }
    /* One wish.claimed event per wish, no more. */
    ck_assert_uint_eq(it_last_seq(f.committee), seq0 + ROUNDS);
    fprintf(stderr, "claim race: merchant A won %d, merchant B won %d\n",
            wins[0], wins[1]);
    teardown(&f);
}
END_TEST

/* Async variant: both claims queued back to back from one thread (the
 * broker sees them in one batch or in two), order alternating. */
struct outcome {
    int done, status;
};

static void on_reply(sj_client_t *c, const Shangju__Reply *rep, int err,
                     void *ud)
{
    (void)c;
    struct outcome *o = ud;
    o->done = 1;
    o->status = err ? -1 : (int)rep->status;
}

START_TEST(async_claims_back_to_back)
{
    static struct fixture f;
    setup(&f);
    uint64_t seq0 = it_last_seq(f.committee);
    for (int i = 0; i < ASYNC_ROUNDS; i++) {
        uint64_t wish = it_wish_post(f.resident, "Async race", 0);
        struct outcome o[2] = {{0, 0}, {0, 0}};
        int first = i % 2;
        for (int k = 0; k < 2; k++) {
            int t = (first + k) % 2;
            Shangju__Request req;
            it_bodies_t b;
            it_request(&req, &b, SHANGJU__REQUEST__BODY_WISH_CLAIM, wish);
            ck_assert_int_eq(sj_client_send(f.m[t], &req, on_reply, &o[t]), 0);
        }
        int64_t end = it_now_ms() + 20000;
        while (!(o[0].done && o[1].done) && it_now_ms() < end) {
            sj_client_wait(f.m[0], 5);
            sj_client_wait(f.m[1], 5);
        }
        ck_assert_msg(o[0].done && o[1].done, "round %d: no reply", i);
        int ok0 = o[0].status == ST(OK), ok1 = o[1].status == ST(OK);
        ck_assert_msg(ok0 != ok1, "round %d: statuses %s and %s", i,
                      sj_status_name(o[0].status), sj_status_name(o[1].status));
        int winner = ok0 ? 0 : 1;
        ck_assert_int_eq(o[1 - winner].status, ST(FAILED_PRECONDITION));
        check_winner(&f, wish, winner);
    }
    /* Per round: one wish.posted and one wish.claimed. */
    ck_assert_uint_eq(it_last_seq(f.committee), seq0 + 2 * ASYNC_ROUNDS);
    teardown(&f);
}
END_TEST

int main(int argc, char **argv)
{
    it_init(argc, argv);
    Suite *s = suite_create("it_claim_race");
    TCase *tc = tcase_create("race");
    tcase_set_timeout(tc, 100);
    tcase_add_test(tc, two_threads_claim_together);
    tcase_add_test(tc, async_claims_back_to_back);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    it_cleanup();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
