/* shangju-bench --replay: fill a broker's event log with N events (wish
 * postings, many in flight), then time a fresh client catching up from seq
 * 1 to the broker's last seq through the client library's replay-then-live
 * subscription, checking that every seq arrives exactly once and in order.
 * The design's target: 100,000 events "in well under a second". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define ROUNDS 3
#define CATCH_UP_LIMIT_NS (120 * 1000000000LL)

typedef unsigned long long ull;

/* What the event callback saw. */
typedef struct {
    uint64_t expect;   /* the seq due next */
    uint64_t received; /* events delivered */
    uint64_t wrong;    /* delivered out of order or twice */
    uint64_t first_wrong, first_wrong_expected;
    int err; /* a failed catch-up Replay (SJ_E*) */
    int64_t first_ns;
} catch_t;

typedef struct {
    uint64_t events;
    double ms, first_ms; /* until the last event; until the first */
    bool ok;
} round_t;

static void on_event(sj_client_t *c, const Shangju__Event *ev, int err,
                     void *ud)
{
    (void)c;
    catch_t *k = ud;
    if (!ev) {
        if (!k->err)
            k->err = err;
        return;
    }
    if (!k->first_ns)
        k->first_ns = bench_now_ns();
    k->received++;
    if (ev->seq != k->expect && !k->wrong++) {
        k->first_wrong = ev->seq;
        k->first_wrong_expected = k->expect;
    }
    if (ev->seq >= k->expect)
        k->expect = ev->seq + 1;
}

/* One fresh client (connect, CURVE handshake, subscribe from seq 1) until
 * seq `last` has arrived. The clock runs from before the client exists. */
static int catch_up(const bench_opts_t *o, const harness_broker_t *b,
                    uint64_t last, round_t *r)
{
    catch_t k = {.expect = 1};
    memset(r, 0, sizeof *r);
    int64_t t0 = bench_now_ns();
    sj_client_t *c = harness_client(b, NULL, o->timeout_ms, 2);
    if (!c)
        return -1;
    int rc = sj_client_subscribe(c, NULL, 0, 1, on_event, &k);
    if (rc != 0) {
        fprintf(stderr, "replay: subscribe: %s\n", sj_strerror(rc));
        sj_client_destroy(&c);
        return -1;
    }
    while (k.expect <= last && !k.err && !bench_interrupted &&
           bench_now_ns() - t0 < CATCH_UP_LIMIT_NS) {
        int n = sj_client_wait(c, 100);
        if (n == SJ_EIO && errno != EINTR) {
            fprintf(stderr, "replay: poll: %s\n", strerror(errno));
            break;
        }
    }
    int64_t t1 = bench_now_ns();
    sj_client_destroy(&c);
    r->events = k.received;
    r->ms = (double)(t1 - t0) / 1e6;
    r->first_ms = k.first_ns ? (double)(k.first_ns - t0) / 1e6 : 0;
    r->ok = !k.err && !k.wrong && k.received == last && k.expect == last + 1;
    if (k.err)
        fprintf(stderr, "replay: a catch-up Replay failed: %s\n",
                sj_strerror(k.err));
    if (k.wrong)
        fprintf(stderr,
                "replay: %llu events out of order or repeated; the first: "
                "seq %llu where %llu was due\n",
                (ull)k.wrong, (ull)k.first_wrong, (ull)k.first_wrong_expected);
    if (!r->ok && !k.err && !k.wrong)
        fprintf(stderr, "replay: got %llu of %llu events in %.0f ms\n",
                (ull)k.received, (ull)last, r->ms);
    return 0;
}

/* Post enough wishes that the log holds `want` events. */
static int fill(bench_opts_t *o, const harness_broker_t *b, uint64_t want)
{
    bench_load_t *load = NULL;
    uint64_t seq0;
    if (bench_load_new(o, b, 0, &load) != 0 || bench_last_seq(b, &seq0)) {
        bench_load_destroy(&load);
        return -1;
    }
    int rc = 0;
    if (want > seq0) {
        o->requests = (long)(want - seq0);
        o->warmup = 0;
        bench_totals_t t;
        rc = bench_load_run(load, &t);
        const bench_stat_t *p = &t.kind[BENCH_POST];
        if (rc == 0) {
            printf("replay: filled postings=%llu seconds=%.2f postings/s=%.0f "
                   "clients=%d inflight=%d errors=%llu timeouts=%llu\n",
                   (ull)p->ok, t.seconds, p->rate, o->clients, o->inflight,
                   (ull)p->failed, (ull)p->timeouts);
            if (p->error[0])
                printf("replay: first error: %s\n", p->error);
            rc = p->failed || p->timeouts || bench_interrupted ? -1 : 0;
        }
    }
    bench_load_destroy(&load);
    return rc;
}

static int cmp_round(const void *a, const void *b)
{
    double x = ((const round_t *)a)->ms, y = ((const round_t *)b)->ms;
    return (x > y) - (x < y);
}

int bench_replay_main(bench_opts_t *o)
{
    harness_broker_t b;
    round_t rounds[ROUNDS];
    uint64_t last = 0;
    int rc = 1, done = 0;
    memset(&b, 0, sizeof b);
    if (bench_broker_init(o, o->data, &b) != 0 || bench_broker_start(&b) != 0)
        goto out;
    printf("replay: broker=%s events=%ld\n", b.broker_path, o->replay);
    fflush(stdout);
    if (fill(o, &b, (uint64_t)o->replay) != 0 || bench_last_seq(&b, &last))
        goto out;
    bool all_ok = true;
    for (; done < ROUNDS && !bench_interrupted; done++) {
        round_t *r = &rounds[done];
        if (catch_up(o, &b, last, r) != 0)
            goto out;
        all_ok &= r->ok;
        printf("replay: round=%d events=%llu ms=%.1f events/s=%.0f "
               "first_event_ms=%.1f in_order_once=%s\n",
               done + 1, (ull)r->events, r->ms,
               r->ms > 0 ? (double)r->events / (r->ms / 1000.0) : 0,
               r->first_ms, r->ok ? "yes" : "NO");
        fflush(stdout);
    }
    if (done == 0)
        goto out;
    long rss = harness_broker_peak_rss_kb(&b);
    qsort(rounds, (size_t)done, sizeof *rounds, cmp_round);
    const round_t *med = &rounds[done / 2];
    printf("replay: events=%llu ms=%.1f events/s=%.0f (median of %d fresh "
           "clients, from seq 1 to %llu) broker_peak_rss=%.1fMiB "
           "data.mdb=%.1fMiB\n",
           (ull)last, med->ms,
           med->ms > 0 ? (double)last / (med->ms / 1000.0) : 0, done, (ull)last,
           rss >= 0 ? (double)rss / 1024.0 : -1.0, bench_store_mib(b.data));
    rc = all_ok && done == ROUNDS ? 0 : 1;
out:
    if (b.pid > 0)
        harness_broker_stop(&b, SIGTERM);
    if (b.root[0])
        harness_broker_cleanup(&b, o->keep || rc != 0);
    return rc;
}
