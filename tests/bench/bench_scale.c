/* shangju-bench --scale: the design's "costs that do not grow with the size
 * of the store". The same timed load (residents posting, merchants claiming
 * open wishes and releasing them) runs against a broker whose store was
 * preloaded with a small number of wishes, then against one preloaded with
 * N, and the figures are printed side by side with their ratio. Claims run
 * twice per store: on the newest wishes (the same working set at any size:
 * does the size alone cost?) and on any wish of the store (a working set
 * that grows with it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bench_preload.h"

#define MARKER "bench-preload.info"
#define PROGRESS_EVERY_S 10.0

typedef unsigned long long ull;

/* Where the merchants claim. */
enum { CLAIM_RECENT, CLAIM_ANY, PATTERNS };

/* One timed load on one store. */
typedef struct {
    bool ran;
    uint64_t first, last;              /* the ids claimed from */
    bench_broker_snap_t before, after; /* around the timed load */
    bool snaps;
    bench_totals_t t;
    bool ok;
} load_run_t;

typedef struct {
    uint64_t wishes;      /* preloaded */
    preload_result_t pre; /* seconds 0 when a kept store was reused */
    double mib_before;    /* data.mdb before the broker started */
    long rss_kb;          /* the broker's peak RSS */
    load_run_t run[PATTERNS];
} scale_run_t;

/* Was dir preloaded with exactly `wishes` before (--data)? */
static bool preloaded(const char *dir, uint64_t wishes)
{
    char path[HARNESS_PATH + 32];
    snprintf(path, sizeof path, "%s/" MARKER, dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    ull n = 0;
    unsigned every = 0;
    bool same = fscanf(f, "wishes=%llu claim_every=%u", &n, &every) == 2 &&
                n == wishes && every == PRELOAD_CLAIM_EVERY;
    fclose(f);
    return same;
}

static int mark(const char *dir, uint64_t wishes)
{
    char path[HARNESS_PATH + 32];
    snprintf(path, sizeof path, "%s/" MARKER, dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "wishes=%llu claim_every=%u\n", (ull)wishes,
            PRELOAD_CLAIM_EVERY);
    return fclose(f) == 0 ? 0 : -1;
}

static int preload(const bench_opts_t *o, const harness_broker_t *b,
                   const char *keep_dir, scale_run_t *r)
{
    if (keep_dir && preloaded(keep_dir, r->wishes)) {
        printf("scale: reusing the store in %s (%llu wishes preloaded)\n",
               keep_dir, (ull)r->wishes);
        return 0;
    }
    preload_opts_t po = {
        .wishes = r->wishes,
        .map_size = (size_t)b->map_mib << 20,
        .per_txn = o->per_txn,
        .progress_every = PROGRESS_EVERY_S,
        .stop = &bench_interrupted,
    };
    if (preload_run(b->data, &po, &r->pre) != 0)
        return -1;
    double s = r->pre.seconds;
    printf("scale: preload members=%llu wishes=%llu claimed=%llu events=%llu "
           "seconds=%.1f wishes/s=%.0f per_txn=%u data.mdb=%.1fMiB\n",
           (ull)r->pre.members, (ull)r->pre.wishes, (ull)r->pre.claims,
           (ull)r->pre.last_seq, s, s > 0 ? (double)r->pre.wishes / s : 0,
           o->per_txn ? o->per_txn : PRELOAD_PER_TXN, bench_store_mib(b->data));
    fflush(stdout);
    if (keep_dir && mark(keep_dir, r->wishes) != 0)
        fprintf(stderr, "scale: cannot write %s/" MARKER "\n", keep_dir);
    return 0;
}

static const char *pattern_name(int p)
{
    return p == CLAIM_RECENT ? "newest" : "any";
}

static void print_broker(const load_run_t *l)
{
    const bench_broker_snap_t *a = &l->before, *z = &l->after;
    double batches = (double)(z->batches - a->batches);
    if (batches < 1)
        batches = 1;
    /* io_read: what the broker fetched from storage (/proc/PID/io
     * read_bytes), i.e. pages of the store that were not in memory. */
    printf("       broker: wishes=%llu..%llu batches=%.0f requests/batch=%.1f "
           "batch_ms=%.2f io_read=%.1fMiB\n",
           (ull)a->wishes, (ull)z->wishes, batches,
           (double)(z->requests - a->requests) / batches,
           (z->commit_ms - a->commit_ms) / batches,
           (double)(z->read_bytes - a->read_bytes) / (1024.0 * 1024.0));
}

static void print_load(const bench_opts_t *o, const scale_run_t *r, int p)
{
    const load_run_t *l = &r->run[p];
    const bench_stat_t *s = &l->t.kind[BENCH_POST],
                       *c = &l->t.kind[BENCH_CLAIM],
                       *z = &l->t.kind[BENCH_RELEASE];
    printf("scale: store=%llu clients=%d seconds=%.1f postings/s=%.1f "
           "post_p50=%.3fms post_p99=%.3fms",
           (ull)r->wishes, o->clients, l->t.seconds, s->rate, s->p50, s->p99);
    if (o->merchants)
        printf(" merchants=%d claim_from=%s(%llu..%llu) claims/s=%.1f "
               "claim_p50=%.3fms claim_p99=%.3fms releases/s=%.1f "
               "release_p50=%.3fms release_p99=%.3fms",
               o->merchants, pattern_name(p), (ull)l->first, (ull)l->last,
               c->rate, c->p50, c->p99, z->rate, z->p50, z->p99);
    printf(" errors=%llu timeouts=%llu\n",
           (ull)(s->failed + c->failed + z->failed),
           (ull)(s->timeouts + c->timeouts + z->timeouts));
    if (l->snaps)
        print_broker(l);
    for (int k = 0; k < BENCH_KINDS; k++)
        if (l->t.kind[k].error[0])
            printf("scale: first error: %s\n", l->t.kind[k].error);
    fflush(stdout);
}

static bool run_ok(const bench_opts_t *o, const bench_totals_t *t)
{
    for (int k = 0; k < BENCH_KINDS; k++)
        if (t->kind[k].failed || t->kind[k].timeouts)
            return false;
    return t->kind[BENCH_POST].ok > 0 &&
           (o->merchants == 0 || t->kind[BENCH_CLAIM].ok > 0) &&
           !bench_interrupted;
}

/* The timed loads of claim patterns from..to-1 on a running broker. */
static int run_loads(const bench_opts_t *o, const harness_broker_t *b,
                     bench_load_t *load, scale_run_t *r, int from, int to)
{
    uint64_t recent =
        (uint64_t)o->recent < r->wishes ? (uint64_t)o->recent : r->wishes;
    for (int p = from; p < to && !bench_interrupted; p++) {
        load_run_t *l = &r->run[p];
        l->first = p == CLAIM_RECENT ? r->wishes - recent + 1 : 1;
        l->last = r->wishes;
        if (o->merchants && bench_load_set_pool(load, l->first, l->last) != 0)
            return -1;
        bool snap = bench_broker_snapshot(b, &l->before) == 0;
        if (bench_load_run(load, &l->t) != 0)
            return -1;
        l->snaps = snap && bench_broker_snapshot(b, &l->after) == 0;
        l->ok = run_ok(o, &l->t);
        l->ran = true;
        print_load(o, r, p);
    }
    return bench_interrupted ? -1 : 0;
}

/* Preload a store of r->wishes (in keep_dir if not NULL, else a temp dir),
 * start a broker on it and run the timed loads of claim patterns
 * from..to-1. */
static int scale_one(const bench_opts_t *o, const char *keep_dir,
                     scale_run_t *r, int from, int to)
{
    harness_broker_t b;
    bench_load_t *load = NULL;
    int rc = -1;
    memset(&b, 0, sizeof b);
    if (bench_broker_init(o, keep_dir, &b) != 0)
        goto out;
    if (!b.map_mib)
        b.map_mib = preload_map_mib(r->wishes);
    if (preload(o, &b, keep_dir, r) != 0)
        goto out;
    r->mib_before = bench_store_mib(b.data);
    if (bench_broker_start(&b) != 0 ||
        bench_load_new(o, &b, o->merchants, &load) != 0)
        goto out;
    rc = run_loads(o, &b, load, r, from, to);
    r->rss_kb = harness_broker_peak_rss_kb(&b);
out:
    bench_load_destroy(&load);
    if (b.pid > 0)
        harness_broker_stop(&b, SIGTERM);
    if (rc == 0)
        printf("       store=%llu data.mdb=%.1fMiB before, %.1fMiB after; "
               "broker_peak_rss=%.1fMiB\n",
               (ull)r->wishes, r->mib_before, bench_store_mib(b.data),
               r->rss_kb >= 0 ? (double)r->rss_kb / 1024.0 : -1.0);
    /* A failed run keeps broker.log, but not a temp store that may be
     * gigabytes big. */
    if (rc != 0 && !o->keep && !keep_dir && b.data[0] &&
        harness_rmtree(b.data) != 0)
        fprintf(stderr, "scale: cannot remove %s\n", b.data);
    if (b.root[0])
        harness_broker_cleanup(&b, o->keep || rc != 0);
    fflush(stdout);
    return rc;
}

static double ratio(double big, double small)
{
    return small > 0 ? big / small : 0;
}

static void print_ratio(const bench_opts_t *o, const scale_run_t *s,
                        const scale_run_t *g, int p)
{
    const bench_totals_t *st = &s->run[p].t, *gt = &g->run[p].t;
    const bench_stat_t *sp = &st->kind[BENCH_POST], *gp = &gt->kind[BENCH_POST];
    const bench_stat_t *sc = &st->kind[BENCH_CLAIM],
                       *gc = &gt->kind[BENCH_CLAIM];
    printf("scale: ratio big/small (%llu / %llu wishes", (ull)g->wishes,
           (ull)s->wishes);
    if (o->merchants)
        printf(", claims on %s wishes", pattern_name(p));
    printf("): postings/s=%.2f post_p50=%.2f post_p99=%.2f",
           ratio(gp->rate, sp->rate), ratio(gp->p50, sp->p50),
           ratio(gp->p99, sp->p99));
    if (o->merchants)
        printf(" claims/s=%.2f claim_p50=%.2f claim_p99=%.2f",
               ratio(gc->rate, sc->rate), ratio(gc->p50, sc->p50),
               ratio(gc->p99, sc->p99));
    printf("\n");
}

int bench_scale_main(bench_opts_t *o)
{
    scale_run_t small = {.wishes = (uint64_t)o->scale_small, .rss_kb = -1};
    scale_run_t big = {.wishes = (uint64_t)o->scale, .rss_kb = -1};
    printf("scale: small=%llu big=%llu wishes, clients=%d merchants=%d "
           "inflight=%d seconds=%g warmup=%.1fs newest=%ld\n",
           (ull)small.wishes, (ull)big.wishes, o->clients, o->merchants,
           o->inflight, o->seconds, o->warmup, o->recent);
    fflush(stdout);
    /* Every timed load grows the store by its postings: the small store
     * starts afresh for each pattern; the big one hardly grows. */
    int patterns = o->merchants ? PATTERNS : 1;
    for (int p = 0; p < patterns; p++)
        if (scale_one(o, NULL, &small, p, p + 1) != 0)
            return 1;
    if (scale_one(o, o->data, &big, 0, patterns) != 0)
        return 1;
    bool ok = true;
    for (int p = 0; p < patterns; p++) {
        if (!small.run[p].ran || !big.run[p].ran)
            continue;
        print_ratio(o, &small, &big, p);
        ok &= small.run[p].ok && big.run[p].ok;
    }
    return ok ? 0 : 1;
}
