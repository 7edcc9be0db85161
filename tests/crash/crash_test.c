/* The crash test: residents post wishes concurrently while the broker is
 * killed with SIGKILL at random moments and restarted on the same store;
 * every acknowledged posting must then be stored exactly once, under the id
 * its acknowledgement carried, even when the acknowledgement came from a
 * retry (same request_id) sent after a crash. */
#include <check.h>

#include "../check_main.h"
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "client.h"
#include "harness.h"

#ifndef SJ_BROKER_PATH
#error "SJ_BROKER_PATH (the shangju-broker executable) must be defined"
#endif

#define RESIDENTS 8
#define KILLS 12
#define ATTEMPT_MS 200   /* per-attempt timeout of a posting */
#define MAX_ATTEMPTS 150 /* 30 s of retries at most per posting */
#define READY_MS 15000   /* a (re)started broker must answer by then */
#define TITLE_CAP 32

typedef struct {
    char title[TITLE_CAP];
    uint64_t request_id, wish_id;
    unsigned attempts;
    bool straddled; /* retried, and the broker was killed meanwhile */
} ack_t;

typedef struct {
    int index;
    const harness_broker_t *broker; /* endpoints and keys only */
    sj_keypair_t kp;
    atomic_int *stop;
    atomic_uint *kills;
    ack_t *acks;
    size_t n, cap;
    char error[256]; /* first failure; empty when all went well */
} poster_t;

typedef struct {
    char title[TITLE_CAP];
    uint64_t id;
} stored_t;

static uint64_t rng_next(uint64_t *s)
{
    /* xorshift64*: the test's randomness, seeded per run and printed */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static int push_ack(poster_t *p, const ack_t *a)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 256;
        ack_t *na = realloc(p->acks, cap * sizeof *na);
        if (!na)
            return -1;
        p->acks = na;
        p->cap = cap;
    }
    p->acks[p->n++] = *a;
    return 0;
}

/* Post one wish, retrying the same request (same request_id) until it is
 * acknowledged. Returns 0 and fills a, or -1 with p->error set. */
static int post_one(poster_t *p, sj_client_t *c, unsigned seq, ack_t *a)
{
    memset(a, 0, sizeof *a);
    snprintf(a->title, sizeof a->title, "crash-%d-%u", p->index, seq);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__WishPost body = SHANGJU__WISH_POST__INIT;
    body.title = a->title;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_POST;
    req.wish_post = &body;
    unsigned kills_before = atomic_load(p->kills);
    Shangju__Reply *reply = NULL;
    int rc;
    do {
        a->attempts++;
        /* req.request_id is assigned on the first attempt and kept. */
        rc = sj_client_call(c, &req, &reply);
    } while (rc == SJ_ETIMEOUT && a->attempts < MAX_ATTEMPTS);
    if (rc != 0) {
        snprintf(p->error, sizeof p->error, "%s: %s after %u attempts",
                 a->title, sj_strerror(rc), a->attempts);
        return -1;
    }
    if (reply->request_id != req.request_id ||
        reply->status != SHANGJU__STATUS__STATUS_OK ||
        reply->body_case != SHANGJU__REPLY__BODY_WISH ||
        strcmp(reply->wish->title, a->title) != 0) {
        snprintf(p->error, sizeof p->error,
                 "%s: unexpected reply: status %s \"%s\" body %d", a->title,
                 sj_status_name(reply->status), reply->message,
                 (int)reply->body_case);
        shangju__reply__free_unpacked(reply, NULL);
        return -1;
    }
    a->request_id = req.request_id;
    a->wish_id = reply->wish->id;
    a->straddled = a->attempts > 1 && atomic_load(p->kills) != kills_before;
    shangju__reply__free_unpacked(reply, NULL);
    return 0;
}

static void *poster_run(void *arg)
{
    poster_t *p = arg;
    sj_client_t *c = harness_client(p->broker, &p->kp, ATTEMPT_MS, -1);
    if (!c) {
        snprintf(p->error, sizeof p->error, "poster %d: no client", p->index);
        return NULL;
    }
    for (unsigned seq = 0; !atomic_load(p->stop); seq++) {
        ack_t a;
        if (post_one(p, c, seq, &a) != 0)
            break;
        if (push_ack(p, &a) != 0) {
            snprintf(p->error, sizeof p->error, "out of memory");
            break;
        }
    }
    sj_client_destroy(&c);
    return NULL;
}

static int by_title(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b); /* title comes first */
}

/* Page through every wish as the committee. Returns the count stored into
 * *out (malloc'd), or -1. */
static long list_all(const harness_broker_t *b, stored_t **out)
{
    sj_client_t *c = harness_client(b, NULL, 3000, 3);
    if (!c)
        return -1;
    stored_t *all = NULL;
    size_t n = 0, cap = 0;
    uint64_t after = 0;
    long result = -1;
    for (;;) {
        Shangju__Request req = SHANGJU__REQUEST__INIT;
        Shangju__WishList body = SHANGJU__WISH_LIST__INIT;
        body.limit = 500;
        body.after = after;
        req.body_case = SHANGJU__REQUEST__BODY_WISH_LIST;
        req.wish_list = &body;
        Shangju__Reply *reply = NULL;
        if (sj_client_call(c, &req, &reply) != 0)
            goto done;
        if (reply->status != SHANGJU__STATUS__STATUS_OK ||
            reply->body_case != SHANGJU__REPLY__BODY_WISHES) {
            fprintf(stderr, "crash: wish_list: %s %s\n",
                    sj_status_name(reply->status), reply->message);
            shangju__reply__free_unpacked(reply, NULL);
            goto done;
        }
        const Shangju__WishPage *page = reply->wishes;
        if (n + page->n_items > cap) {
            cap = (n + page->n_items) * 2;
            stored_t *ns = realloc(all, cap * sizeof *ns);
            if (!ns) {
                shangju__reply__free_unpacked(reply, NULL);
                goto done;
            }
            all = ns;
        }
        for (size_t i = 0; i < page->n_items; i++) {
            snprintf(all[n].title, TITLE_CAP, "%s", page->items[i]->title);
            all[n++].id = page->items[i]->id;
        }
        after = page->next;
        shangju__reply__free_unpacked(reply, NULL);
        if (after == 0)
            break;
    }
    result = (long)n;
done:
    sj_client_destroy(&c);
    if (result < 0)
        free(all);
    else
        *out = all;
    return result;
}

typedef struct {
    size_t acked, retried, straddled, missing, mismatched, duplicates, unacked;
} verdict_t;

/* Compare what the clients were told with what the store holds. */
static void judge(poster_t *posters, stored_t *stored, size_t n_stored,
                  verdict_t *v)
{
    memset(v, 0, sizeof *v);
    qsort(stored, n_stored, sizeof *stored, by_title);
    for (size_t i = 1; i < n_stored; i++)
        if (strcmp(stored[i].title, stored[i - 1].title) == 0) {
            fprintf(stderr, "crash: \"%s\" stored twice (ids %llu, %llu)\n",
                    stored[i].title, (unsigned long long)stored[i - 1].id,
                    (unsigned long long)stored[i].id);
            v->duplicates++;
        }
    for (int t = 0; t < RESIDENTS; t++)
        for (size_t i = 0; i < posters[t].n; i++) {
            const ack_t *a = &posters[t].acks[i];
            v->acked++;
            v->retried += a->attempts > 1;
            v->straddled += a->straddled;
            const stored_t *s =
                bsearch(a->title, stored, n_stored, sizeof *stored, by_title);
            if (!s) {
                fprintf(stderr, "crash: acknowledged \"%s\" is missing\n",
                        a->title);
                v->missing++;
            } else if (s->id != a->wish_id) {
                fprintf(stderr,
                        "crash: \"%s\" acknowledged as wish %llu, stored as "
                        "%llu (attempts %u)\n",
                        a->title, (unsigned long long)a->wish_id,
                        (unsigned long long)s->id, a->attempts);
                v->mismatched++;
            }
        }
    /* Every posting was retried until acknowledged, so nothing else may be
     * stored (a second application would show up here or as a duplicate). */
    if (n_stored > v->acked)
        v->unacked = n_stored - v->acked;
}

/* Kill the loaded broker KILLS times at random moments, restarting it on the
 * same store each time. Returns 0 or -1. */
static int kill_loop(harness_broker_t *b, atomic_uint *kills, uint64_t *rng)
{
    for (int k = 0; k < KILLS; k++) {
        if (harness_broker_wait_ready(b, READY_MS) != 0)
            return -1;
        harness_sleep_ms(50 + (int64_t)(rng_next(rng) % 351));
        harness_broker_stop(b, SIGKILL);
        atomic_fetch_add(kills, 1);
        /* Sometimes leave it down long enough for attempts to time out. */
        if (rng_next(rng) % 2)
            harness_sleep_ms((int64_t)(rng_next(rng) % 300));
        if (harness_broker_start(b) != 0)
            return -1;
    }
    return harness_broker_wait_ready(b, READY_MS);
}

START_TEST(acknowledged_postings_survive_kill_9)
{
    uint64_t seed;
    if (getrandom(&seed, sizeof seed, 0) != (ssize_t)sizeof seed)
        seed = (uint64_t)harness_now_ms();
    seed |= 1;
    uint64_t rng = seed;

    harness_broker_t b;
    ck_assert_int_eq(harness_broker_init(&b, SJ_BROKER_PATH, "debug"), 0);
    printf("crash: seed=%llu dir=%s requests=%s\n", (unsigned long long)seed,
           b.root, b.requests);
    fflush(stdout);
    bool ok = harness_broker_start(&b) == 0 &&
              harness_broker_wait_ready(&b, READY_MS) == 0;

    poster_t posters[RESIDENTS];
    memset(posters, 0, sizeof posters);
    atomic_int stop = 0;
    atomic_uint kills = 0;
    sj_client_t *committee = ok ? harness_client(&b, NULL, 3000, 3) : NULL;
    for (int t = 0; ok && t < RESIDENTS; t++) {
        char name[32];
        snprintf(name, sizeof name, "crash resident %d", t);
        posters[t].index = t;
        posters[t].broker = &b;
        posters[t].stop = &stop;
        posters[t].kills = &kills;
        ok = committee &&
             harness_add_resident(committee, name, &posters[t].kp, NULL) == 0;
    }
    sj_client_destroy(&committee);

    pthread_t threads[RESIDENTS];
    int started = 0;
    for (; ok && started < RESIDENTS; started++)
        if (pthread_create(&threads[started], NULL, poster_run,
                           &posters[started]) != 0)
            ok = false;
    int64_t t0 = harness_now_ms();
    if (ok)
        ok = kill_loop(&b, &kills, &rng) == 0;
    harness_sleep_ms(300); /* a little load on the last start too */
    atomic_store(&stop, 1);
    for (int t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    double secs = (double)(harness_now_ms() - t0) / 1000.0;

    stored_t *stored = NULL;
    long n_stored = ok ? list_all(&b, &stored) : -1;
    long long replays = harness_log_sum(&b, "event=batch", "retries", NULL);
    verdict_t v = {0};
    if (n_stored >= 0)
        judge(posters, stored, (size_t)n_stored, &v);
    char errors[RESIDENTS * 300] = "";
    for (int t = 0; t < RESIDENTS; t++)
        if (posters[t].error[0]) {
            strncat(errors, posters[t].error,
                    sizeof errors - strlen(errors) - 2);
            strcat(errors, "\n");
        }
    printf("crash: kills=%u seconds=%.1f acked=%zu stored=%ld retried=%zu "
           "straddled_crash=%zu dedup_replays=%lld missing=%zu "
           "mismatched=%zu duplicates=%zu unacked=%zu\n",
           atomic_load(&kills), secs, v.acked, n_stored, v.retried, v.straddled,
           replays, v.missing, v.mismatched, v.duplicates, v.unacked);
    fflush(stdout);
    bool pass = ok && n_stored >= 0 && !errors[0] && v.missing == 0 &&
                v.mismatched == 0 && v.duplicates == 0 && v.unacked == 0 &&
                v.straddled > 0 && replays > 0 && atomic_load(&kills) >= 10;
    harness_broker_cleanup(&b, !pass);
    free(stored);
    for (int t = 0; t < RESIDENTS; t++)
        free(posters[t].acks);

    ck_assert_msg(ok, "broker start/restart or listing failed (see above)");
    ck_assert_msg(!errors[0], "posters failed:\n%s", errors);
    ck_assert_uint_ge(atomic_load(&kills), 10);
    ck_assert_uint_eq(v.missing, 0);
    ck_assert_uint_eq(v.mismatched, 0);
    ck_assert_uint_eq(v.duplicates, 0);
    ck_assert_uint_eq(v.unacked, 0);
    ck_assert_msg(v.straddled > 0,
                  "no acknowledgement came from a retry across a crash");
    ck_assert_msg(replays > 0, "no retry was answered from the dedup table "
                               "(broker log: retries=)");
}
END_TEST

static Suite *crash_suite(void)
{
    Suite *s = suite_create("crash");
    TCase *tc = tcase_create("kill-9");
    tcase_set_timeout(tc, 170);
    tcase_add_test(tc, acknowledged_postings_survive_kill_9);
    suite_add_tcase(s, tc);
    return s;
}

SJ_CHECK_MAIN(crash_suite)
