/* shangju-bench --mixed (issue 13): residents post at a steady rate while
 * one merchant requests placards and QR codes and the committee requests
 * yearly reports, back to back. The postings' p50/p99 are measured twice
 * in one run, without and then with that background load, and printed
 * with their ratio (target: p99 with load <= 1.5 x p99 without). */
#include "bench.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define BG_CONNECTIONS 2 /* per background member */

struct bg {
    const harness_broker_t *b;
    const sj_keypair_t *kp; /* NULL: the committee (reports) */
    uint64_t merchant;
    volatile int *stop;
    unsigned long answered, failed;
    pthread_t th;
};

static void *background(void *arg)
{
    struct bg *g = arg;
    sj_client_t *c = harness_client(g->b, g->kp, 10000, 1);
    if (!c)
        return NULL;
    for (unsigned i = 0; !*g->stop && !bench_interrupted; i++) {
        Shangju__Request req = SHANGJU__REQUEST__INIT;
        Shangju__PlacardGet pg = SHANGJU__PLACARD_GET__INIT;
        Shangju__QrGet qr = SHANGJU__QR_GET__INIT;
        Shangju__ReportGet rg = SHANGJU__REPORT_GET__INIT;
        req.request_id = 0; /* the library numbers it */
        if (!g->kp) {
            req.body_case = SHANGJU__REQUEST__BODY_REPORT_GET;
            req.report_get = &rg;
        } else if (i % 2) {
            pg.merchant_id = g->merchant;
            pg.format = i % 4 == 1 ? SHANGJU__IMAGE_FORMAT__IMAGE_FORMAT_SVG
                                   : SHANGJU__IMAGE_FORMAT__IMAGE_FORMAT_PNG;
            req.body_case = SHANGJU__REQUEST__BODY_PLACARD_GET;
            req.placard_get = &pg;
        } else {
            qr.subject = SHANGJU__QR_SUBJECT__QR_SUBJECT_MERCHANT;
            qr.id = g->merchant;
            qr.module_px = 8 + i % 16;
            req.body_case = SHANGJU__REQUEST__BODY_QR_GET;
            req.qr_get = &qr;
        }
        Shangju__Reply *r = NULL;
        if (sj_client_call(c, &req, &r) == 0 && r &&
            r->status == SHANGJU__STATUS__STATUS_OK)
            g->answered++;
        else
            g->failed++;
        if (r)
            shangju__reply__free_unpacked(r, NULL);
    }
    sj_client_destroy(&c);
    return NULL;
}

/* A merchant with a listing, for the placards. */
static int make_merchant(const harness_broker_t *b, sj_keypair_t *kp,
                         uint64_t *id)
{
    sj_client_t *committee = harness_client(b, NULL, 5000, 3);
    if (!committee ||
        harness_add_member(committee, SHANGJU__ROLE__ROLE_MERCHANT,
                           "Moon Bakery", kp, id) != 0) {
        sj_client_destroy(&committee);
        return -1;
    }
    sj_client_destroy(&committee);
    sj_client_t *m = harness_client(b, kp, 5000, 3);
    if (!m)
        return -1;
    static char *specialties[] = {(char *)"月饼 Mooncakes",
                                  (char *)"生日蛋糕 Birthday cakes"};
    Shangju__Listing l = SHANGJU__LISTING__INIT;
    l.merchant_id = *id;
    l.name = (char *)"月亮面包房 Moon Bakery";
    l.category = (char *)"bakery";
    l.address = (char *)"金桥路 12 号 12 Jinqiao Road";
    l.hours = (char *)"7:00-20:00";
    l.specialties = specialties;
    l.n_specialties = 2;
    Shangju__ListingPut put = SHANGJU__LISTING_PUT__INIT;
    put.listing = &l;
    put.create = true;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_LISTING_PUT;
    req.listing_put = &put;
    Shangju__Reply *r = NULL;
    int rc = sj_client_call(m, &req, &r) == 0 && r &&
                     r->status == SHANGJU__STATUS__STATUS_OK
                 ? 0
                 : -1;
    if (rc)
        fprintf(stderr, "shangju-bench: listing put failed: %s\n",
                r && r->message ? r->message : "no reply");
    if (r)
        shangju__reply__free_unpacked(r, NULL);
    sj_client_destroy(&m);
    return rc;
}

static void print_line(const char *label, const bench_totals_t *t)
{
    const bench_stat_t *p = &t->kind[BENCH_POST];
    printf("mixed: %s postings=%llu postings/s=%.1f p50=%.3fms p99=%.3fms "
           "max=%.3fms errors=%llu timeouts=%llu\n",
           label, (unsigned long long)p->ok, p->rate, p->p50, p->p99, p->max,
           (unsigned long long)p->failed, (unsigned long long)p->timeouts);
}

int bench_mixed_main(bench_opts_t *o)
{
    harness_broker_t b;
    bench_load_t *load = NULL;
    bench_totals_t quiet, busy;
    int rc = 1;
    memset(&b, 0, sizeof b);
    memset(&quiet, 0, sizeof quiet);
    memset(&busy, 0, sizeof busy);
    sj_keypair_t mk;
    uint64_t merchant = 0;
    if (bench_broker_init(o, o->data, &b) != 0 || bench_broker_start(&b) != 0 ||
        make_merchant(&b, &mk, &merchant) != 0 ||
        bench_load_new(o, &b, 0, &load) != 0)
        goto done;
    printf("shangju-bench --mixed: clients=%d rate=%.0f/s seconds=%g, "
           "background: %d connections of one merchant (placards, QR "
           "codes), %d of the committee (reports)\n",
           o->clients, o->rate, o->seconds, BG_CONNECTIONS, BG_CONNECTIONS);
    fflush(stdout);
    if (bench_load_run(load, &quiet) != 0)
        goto done;
    print_line("without-load", &quiet);
    volatile int stop = 0;
    struct bg g[2 * BG_CONNECTIONS];
    for (int i = 0; i < 2 * BG_CONNECTIONS; i++) {
        g[i] = (struct bg){.b = &b,
                           .kp = i < BG_CONNECTIONS ? &mk : NULL,
                           .merchant = merchant,
                           .stop = &stop};
        pthread_create(&g[i].th, NULL, background, &g[i]);
    }
    int run = bench_load_run(load, &busy);
    stop = 1;
    unsigned long images = 0, reports = 0, bg_failed = 0;
    for (int i = 0; i < 2 * BG_CONNECTIONS; i++) {
        pthread_join(g[i].th, NULL);
        *(i < BG_CONNECTIONS ? &images : &reports) += g[i].answered;
        bg_failed += g[i].failed;
    }
    if (run != 0)
        goto done;
    print_line("with-load", &busy);
    double s = busy.seconds > 0 ? busy.seconds : 1;
    printf("mixed: background answered placards+qr=%lu (%.0f/s) "
           "reports=%lu (%.0f/s) failed=%lu\n",
           images, images / s, reports, reports / s, bg_failed);
    const bench_stat_t *q = &quiet.kind[BENCH_POST],
                       *w = &busy.kind[BENCH_POST];
    printf("mixed: p99 ratio with/without load = %.2f (target <= 1.5), p50 "
           "ratio = %.2f\n",
           q->p99 > 0 ? w->p99 / q->p99 : 0, q->p50 > 0 ? w->p50 / q->p50 : 0);
    rc = q->ok > 0 && w->ok > 0 && !q->failed && !w->failed && !q->timeouts &&
                 !w->timeouts && !bench_interrupted
             ? 0
             : 1;
done:
    bench_load_destroy(&load);
    if (b.pid > 0)
        harness_broker_stop(&b, SIGTERM);
    if (b.root[0])
        harness_broker_cleanup(&b, o->keep || rc != 0);
    fflush(stdout);
    return rc;
}
