/* shangju-bench: durable wish postings per second and their latency with N
 * clients x M requests in flight against a real broker, and the same
 * concurrency of XADD against Redis 7 (appendfsync always) for the ratio
 * the design's performance target is stated in. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_redis.h"
#include "client.h"
#include "harness.h"

#ifndef SJ_BROKER_PATH
#define SJ_BROKER_PATH ""
#endif

#define RATE_INFLIGHT_CAP 256 /* per client in --rate mode */
#define DRAIN_NS (15 * 1000000000LL)
#define NS_PER_MS 1000000LL

typedef struct {
    int clients, inflight, threads, timeout_ms;
    double seconds, warmup, rate;
    long requests, redis_requests;
    const char *broker, *data, *redis_server, *log_level;
    const char *ext_requests, *ext_server_key, *ext_committee_key;
    bool no_redis, quick, keep;
} opts_t;

/* When the run starts, what is measured, when sending stops (ns). */
typedef struct {
    int64_t start, from, end;
    int64_t drain;    /* give up waiting for replies after this */
    int64_t interval; /* --rate: ns between two postings of one client */
} window_t;

typedef struct worker worker_t;

typedef struct {
    sj_client_t *c;
    worker_t *w;
    int index;
    int inflight;
    uint64_t seq;
    int64_t next; /* --rate: scheduled time of the next posting */
} bclient_t;

typedef struct {
    bclient_t *bc;
    int64_t t0; /* sent (closed loop) or scheduled (--rate) */
} pend_t;

struct worker {
    const opts_t *o;
    const window_t *win;
    bclient_t *cl;
    int n;
    long quota; /* --requests: postings this worker sends; else -1 */
    long sent;
    uint32_t *lat; /* microseconds, replies inside the window */
    size_t n_lat, cap_lat;
    uint64_t ok, ok_window, failed, timeouts, behind;
    int64_t last_reply;
    char error[200];
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: shangju-bench [OPTION]...\n"
            "Measure durable wish postings/s and latency against a real "
            "shangju-broker,\nand XADD on Redis (appendfsync always) at the "
            "same concurrency.\n\n"
            "  --clients N          concurrent clients (default 32)\n"
            "  --inflight M         requests in flight per client (default "
            "1)\n"
            "  --threads T          threads driving the clients (default: one "
            "per client)\n"
            "  --seconds S          measured duration (default 10), after a "
            "warm-up\n"
            "  --warmup S           warm-up not measured (default min(1, "
            "S/10))\n"
            "  --requests R         send exactly R postings instead (no "
            "warm-up)\n"
            "  --rate R             steady load: R postings/s in total "
            "(open loop)\n"
            "  --timeout MS         client per-attempt timeout (default "
            "10000)\n"
            "  --broker PATH        shangju-broker to start (default: the "
            "built one)\n"
            "  --broker-log-level L its --log-level (default info; debug "
            "logs batches)\n"
            "  --data DIR           its data dir (default: a fresh temp "
            "dir)\n"
            "  --keep               keep the temp dir (broker.log) "
            "afterwards\n"
            "  --server-requests EP --server-key FILE --committee-key FILE\n"
            "                       use a running broker instead\n"
            "  --no-redis           skip the Redis comparison\n"
            "  --redis-server PATH  redis-server (default: from PATH)\n"
            "  --redis-requests N   XADDs for Redis (default: as many as "
            "Shangju did)\n"
            "  --quick              a tiny run to check that it works\n"
            "  --help\n\n"
            "Exit status: 0 when the run completed with postings and no "
            "errors, 1 otherwise, 2 on usage errors.\n");
}

static int parse_num(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int parse_args(int argc, char **argv, opts_t *o)
{
    static const struct option longs[] = {
        {"clients", required_argument, 0, 'c'},
        {"inflight", required_argument, 0, 'm'},
        {"threads", required_argument, 0, 't'},
        {"seconds", required_argument, 0, 's'},
        {"warmup", required_argument, 0, 'w'},
        {"requests", required_argument, 0, 'n'},
        {"rate", required_argument, 0, 'r'},
        {"timeout", required_argument, 0, 'T'},
        {"broker", required_argument, 0, 'b'},
        {"broker-log-level", required_argument, 0, 'L'},
        {"data", required_argument, 0, 'd'},
        {"keep", no_argument, 0, 'k'},
        {"server-requests", required_argument, 0, 'E'},
        {"server-key", required_argument, 0, 'S'},
        {"committee-key", required_argument, 0, 'C'},
        {"no-redis", no_argument, 0, 'R'},
        {"redis-server", required_argument, 0, 'X'},
        {"redis-requests", required_argument, 0, 'N'},
        {"quick", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    double v;
    int c;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        const char *a = optarg;
        switch (c) {
        case 'c':
        case 'm':
        case 't':
        case 'T':
            if (parse_num(a, 1, c == 'T' ? 600000 : 4096, &v))
                goto bad;
            *(c == 'c'   ? &o->clients
              : c == 'm' ? &o->inflight
              : c == 't' ? &o->threads
                         : &o->timeout_ms) = (int)v;
            break;
        case 's':
        case 'w':
            if (parse_num(a, c == 's' ? 0.1 : 0, 86400, &v))
                goto bad;
            *(c == 's' ? &o->seconds : &o->warmup) = v;
            break;
        case 'n':
        case 'N':
            if (parse_num(a, 1, 1e9, &v))
                goto bad;
            *(c == 'n' ? &o->requests : &o->redis_requests) = (long)v;
            break;
        case 'r':
            if (parse_num(a, 1, 1e7, &v))
                goto bad;
            o->rate = v;
            break;
        case 'b':
            o->broker = a;
            break;
        case 'L':
            o->log_level = a;
            break;
        case 'd':
            o->data = a;
            break;
        case 'k':
            o->keep = true;
            break;
        case 'E':
            o->ext_requests = a;
            break;
        case 'S':
            o->ext_server_key = a;
            break;
        case 'C':
            o->ext_committee_key = a;
            break;
        case 'R':
            o->no_redis = true;
            break;
        case 'X':
            o->redis_server = a;
            break;
        case 'q':
            o->quick = true;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            goto usage_error;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "shangju-bench: unexpected argument '%s'\n",
                argv[optind]);
        goto usage_error;
    }
    int ext = !!o->ext_requests + !!o->ext_server_key + !!o->ext_committee_key;
    if (ext % 3) {
        fprintf(stderr, "shangju-bench: --server-requests, --server-key and "
                        "--committee-key go together\n");
        goto usage_error;
    }
    if (o->rate > 0 && o->requests > 0) {
        fprintf(stderr, "shangju-bench: --rate and --requests exclude each "
                        "other\n");
        goto usage_error;
    }
    return 0;
bad:
    fprintf(stderr, "shangju-bench: bad value '%s'\n", optarg);
usage_error:
    fprintf(stderr, "Try 'shangju-bench --help'.\n");
    return 2;
}

/* ------------------------------------------------------------ the load */

static void on_reply(sj_client_t *c, const Shangju__Reply *r, int err, void *ud)
{
    (void)c;
    pend_t *p = ud;
    bclient_t *bc = p->bc;
    worker_t *w = bc->w;
    int64_t now = now_ns();
    bc->inflight--;
    w->last_reply = now;
    if (err) {
        w->timeouts++;
    } else if (r->status != SHANGJU__STATUS__STATUS_OK) {
        if (!w->failed++)
            snprintf(w->error, sizeof w->error, "%s: %s",
                     sj_status_name(r->status), r->message);
    } else {
        w->ok++;
        if (now >= w->win->from && now <= w->win->end) {
            w->ok_window++;
            if (w->n_lat == w->cap_lat) {
                size_t cap = w->cap_lat ? w->cap_lat * 2 : 4096;
                uint32_t *nl = realloc(w->lat, cap * sizeof *nl);
                if (nl) {
                    w->lat = nl;
                    w->cap_lat = cap;
                }
            }
            int64_t us = (now - p->t0) / 1000;
            if (w->n_lat < w->cap_lat)
                w->lat[w->n_lat++] =
                    us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
        }
    }
    free(p);
}

static int post(bclient_t *bc, int64_t t0)
{
    worker_t *w = bc->w;
    pend_t *p = malloc(sizeof *p);
    if (!p)
        return SJ_ENOMEM;
    p->bc = bc;
    p->t0 = t0;
    char title[48];
    snprintf(title, sizeof title, "bench-%d-%llu", bc->index,
             (unsigned long long)bc->seq++);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__WishPost body = SHANGJU__WISH_POST__INIT;
    body.title = title;
    body.category = "bench";
    req.body_case = SHANGJU__REQUEST__BODY_WISH_POST;
    req.wish_post = &body;
    int rc = sj_client_send(bc->c, &req, on_reply, p);
    if (rc != 0) {
        free(p);
        snprintf(w->error, sizeof w->error, "send: %s", sj_strerror(rc));
        return rc;
    }
    bc->inflight++;
    w->sent++;
    return 0;
}

/* Send what this client may send now. Returns false when it is done. */
static bool top_up(bclient_t *bc, int64_t now)
{
    worker_t *w = bc->w;
    const opts_t *o = w->o;
    if (interrupted || now >= w->win->end)
        return false;
    if (o->rate > 0) {
        while (bc->next <= now) {
            if (bc->inflight < RATE_INFLIGHT_CAP) {
                if (post(bc, bc->next) != 0)
                    return false;
            } else {
                w->behind++;
            }
            bc->next += w->win->interval;
        }
        return true;
    }
    while (bc->inflight < o->inflight && (w->quota < 0 || w->sent < w->quota))
        if (post(bc, now) != 0)
            return false;
    return w->quota < 0 || w->sent < w->quota;
}

static void *worker_run(void *arg)
{
    worker_t *w = arg;
    struct pollfd *fds = calloc((size_t)w->n, sizeof *fds);
    if (!fds) {
        snprintf(w->error, sizeof w->error, "out of memory");
        return NULL;
    }
    for (int i = 0; i < w->n; i++) {
        fds[i].fd = sj_client_fd(w->cl[i].c);
        fds[i].events = POLLIN;
    }
    int64_t t = now_ns();
    if (t < w->win->start)
        harness_sleep_ms((w->win->start - t) / NS_PER_MS);
    for (;;) {
        int64_t now = now_ns();
        bool sending = false, waiting = false;
        for (int i = 0; i < w->n; i++) {
            sending |= top_up(&w->cl[i], now);
            waiting |= w->cl[i].inflight > 0;
        }
        if (!waiting && !sending)
            break;
        if (now > w->win->drain || (interrupted && !waiting))
            break;
        int wait = 100;
        for (int i = 0; i < w->n && wait > 0; i++) {
            int ct = sj_client_next_timeout_ms(w->cl[i].c);
            if (ct >= 0 && ct < wait)
                wait = ct;
            if (sending && w->o->rate > 0) {
                int64_t due = (w->cl[i].next - now + NS_PER_MS - 1) / NS_PER_MS;
                if (due < wait)
                    wait = due < 0 ? 0 : (int)due;
            }
        }
        if (wait > 0 && poll(fds, (nfds_t)w->n, wait) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < w->n; i++)
            sj_client_process(w->cl[i].c);
    }
    free(fds);
    return NULL;
}

/* ------------------------------------------------------------ the setup */

static int resolve_broker(const opts_t *o, char *buf, size_t cap)
{
    if (o->broker) {
        snprintf(buf, cap, "%s", o->broker);
        return 0;
    }
    if (SJ_BROKER_PATH[0] && access(SJ_BROKER_PATH, X_OK) == 0) {
        snprintf(buf, cap, "%s", SJ_BROKER_PATH);
        return 0;
    }
    char self[HARNESS_PATH];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return -1;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    int n2 = snprintf(buf, cap, "%s/../broker/shangju-broker", self);
    return n2 > 0 && (size_t)n2 < cap ? 0 : -1;
}

/* Start our own broker (or describe the external one) and wait for it. */
static int setup_broker(const opts_t *o, harness_broker_t *b)
{
    if (o->ext_requests) {
        memset(b, 0, sizeof *b);
        snprintf(b->requests, sizeof b->requests, "%s", o->ext_requests);
        snprintf(b->events, sizeof b->events, "%s", o->ext_requests);
        snprintf(b->server_pub, sizeof b->server_pub, "%s", o->ext_server_key);
        snprintf(b->committee_key, sizeof b->committee_key, "%s",
                 o->ext_committee_key);
        return 0;
    }
    char path[HARNESS_PATH];
    if (resolve_broker(o, path, sizeof path) != 0 ||
        harness_broker_init(b, path, o->log_level) != 0)
        return -1;
    if (o->data && (snprintf(b->data, sizeof b->data, "%s", o->data) < 0 ||
                    snprintf(b->server_pub, sizeof b->server_pub,
                             "%s/server.pub", o->data) < 0 ||
                    snprintf(b->committee_key, sizeof b->committee_key,
                             "%s/committee.key", o->data) < 0))
        return -1;
    if (harness_broker_start(b) != 0 ||
        harness_broker_wait_ready(b, 15000) != 0)
        return -1;
    return 0;
}

/* Register one resident per client and connect the clients, spread over
 * the workers. */
static int setup_clients(const opts_t *o, const harness_broker_t *b,
                         bclient_t *cl, worker_t *workers)
{
    sj_client_t *committee = harness_client(b, NULL, 5000, 3);
    if (!committee)
        return -1;
    int rc = 0;
    for (int i = 0; i < o->clients && rc == 0; i++) {
        char name[32];
        sj_keypair_t kp;
        snprintf(name, sizeof name, "bench resident %d", i);
        rc = harness_add_resident(committee, name, &kp, NULL);
        if (rc == 0) {
            cl[i].index = i;
            cl[i].c = harness_client(b, &kp, o->timeout_ms, 2);
            rc = cl[i].c ? 0 : -1;
        }
    }
    sj_client_destroy(&committee);
    for (int i = 0, t = 0; t < o->threads; t++) {
        worker_t *w = &workers[t];
        int n = o->clients / o->threads + (t < o->clients % o->threads);
        w->o = o;
        w->cl = &cl[i];
        w->n = n;
        w->quota = -1;
        if (o->requests > 0)
            w->quota =
                o->requests / o->threads + (t < o->requests % o->threads);
        for (int k = 0; k < n; k++)
            cl[i + k].w = w;
        i += n;
    }
    return rc;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static double pct_ms(const uint32_t *v, size_t n, double q)
{
    if (n == 0)
        return 0;
    size_t i = (size_t)(q * (double)n);
    return (double)v[i < n ? i : n - 1] / 1000.0;
}

typedef struct {
    uint64_t ok, failed, timeouts, behind, sent;
    double seconds, rate;
    double p50, p99, p999, max, mean;
    const char *error;
} totals_t;

static int sum_up(const opts_t *o, const window_t *win, worker_t *workers,
                  totals_t *t)
{
    memset(t, 0, sizeof *t);
    size_t n = 0;
    int64_t last = win->start;
    for (int i = 0; i < o->threads; i++)
        n += workers[i].n_lat;
    uint32_t *all = malloc((n ? n : 1) * sizeof *all);
    if (!all)
        return -1;
    n = 0;
    double sum = 0;
    for (int i = 0; i < o->threads; i++) {
        worker_t *w = &workers[i];
        memcpy(all + n, w->lat, w->n_lat * sizeof *all);
        n += w->n_lat;
        t->ok += o->requests > 0 ? w->ok : w->ok_window;
        t->failed += w->failed;
        t->timeouts += w->timeouts;
        t->behind += w->behind;
        t->sent += (uint64_t)w->sent;
        if (w->last_reply > last)
            last = w->last_reply;
        if (w->error[0] && !t->error)
            t->error = w->error;
    }
    for (size_t i = 0; i < n; i++)
        sum += all[i];
    qsort(all, n, sizeof *all, cmp_u32);
    t->seconds = o->requests > 0 ? (double)(last - win->start) / 1e9
                                 : (double)(win->end - win->from) / 1e9;
    t->rate = t->seconds > 0 ? (double)t->ok / t->seconds : 0;
    t->p50 = pct_ms(all, n, 0.50);
    t->p99 = pct_ms(all, n, 0.99);
    t->p999 = pct_ms(all, n, 0.999);
    t->max = n ? all[n - 1] / 1000.0 : 0;
    t->mean = n ? sum / (double)n / 1000.0 : 0;
    free(all);
    return 0;
}

/* The broker's own count of group commits, from its "event=stopping" line. */
static void print_batches(const harness_broker_t *b)
{
    long long batches = 0, requests = 0, commit_ms = 0, lines = 0;
    batches = harness_log_sum(b, "event=stopping", "batches", NULL);
    requests = harness_log_sum(b, "event=stopping", "requests", NULL);
    commit_ms = harness_log_sum(b, "event=batch", "ms", &lines);
    if (batches <= 0)
        return;
    printf("broker: batches=%lld requests=%lld mean_batch=%.1f", batches,
           requests, (double)requests / (double)batches);
    if (lines > 0)
        printf(" mean_batch_ms=%.2f (debug log)",
               (double)commit_ms / (double)lines);
    printf("\n");
}

static void run_redis(const opts_t *o, const totals_t *t)
{
    char server[HARNESS_PATH], bench[HARNESS_PATH];
    const char *want = o->redis_server ? o->redis_server : "redis-server";
    if (!bench_find_program(want, server, sizeof server)) {
        printf("redis: not installed, skipping\n");
        return;
    }
    /* redis-benchmark beside the server, else from PATH */
    snprintf(bench, sizeof bench, "%s", server);
    char *slash = strrchr(bench, '/');
    if (slash)
        snprintf(slash + 1, sizeof bench - (size_t)(slash + 1 - bench),
                 "redis-benchmark");
    if (access(bench, X_OK) != 0 &&
        !bench_find_program("redis-benchmark", bench, sizeof bench)) {
        printf("redis: redis-benchmark not installed, skipping\n");
        return;
    }
    long n = o->redis_requests;
    if (n <= 0)
        n = o->requests > 0 ? o->requests : (long)(t->rate * o->seconds);
    if (n < 1000)
        n = 1000;
    bench_redis_result_t r;
    if (bench_redis_run(server, bench, o->clients, o->inflight, n, &r) != 0) {
        printf("redis: failed (see stderr)\n");
        return;
    }
    /* A run much shorter than Shangju's was a calibration: repeat it sized
     * to last about as long (on a fresh server and AOF). */
    if (!o->redis_requests && o->requests <= 0 &&
        r.seconds < 0.5 * o->seconds && r.rps > 0) {
        n = (long)(r.rps * o->seconds);
        if (bench_redis_run(server, bench, o->clients, o->inflight, n, &r) !=
            0) {
            printf("redis: failed (see stderr)\n");
            return;
        }
    }
    printf("redis: XADD appendfsync=always clients=%d pipeline=%d "
           "requests=%ld seconds=%.2f requests/s=%.1f avg=%.3fms "
           "p50=%.3fms p99=%.3fms max=%.3fms\n",
           o->clients, o->inflight, r.requests, r.seconds, r.rps, r.avg_ms,
           r.p50_ms, r.p99_ms, r.max_ms);
    if (r.rps > 0)
        printf("ratio shangju/redis = %.2f\n", t->rate / r.rps);
}

static void defaults(opts_t *o)
{
    if (o->quick) {
        if (!o->clients)
            o->clients = 4;
        if (!o->inflight)
            o->inflight = 2;
        if (o->seconds <= 0)
            o->seconds = 1;
        if (o->warmup <= 0)
            o->warmup = 0.2;
        if (!o->redis_requests)
            o->redis_requests = 2000;
    }
    if (!o->clients)
        o->clients = 32;
    if (!o->inflight)
        o->inflight = 1;
    if (!o->threads || o->threads > o->clients)
        o->threads = o->clients;
    if (!o->timeout_ms)
        o->timeout_ms = 10000;
    if (o->seconds <= 0)
        o->seconds = 10;
    if (o->warmup <= 0)
        o->warmup = o->seconds / 10 < 1 ? o->seconds / 10 : 1;
    if (o->requests > 0)
        o->warmup = 0;
    if (!o->log_level)
        o->log_level = "info";
}

static void print_run(const opts_t *o, const totals_t *t)
{
    printf("shangju: clients=%d inflight=%d threads=%d%s postings=%llu "
           "seconds=%.2f postings/s=%.1f p50=%.3fms p99=%.3fms p999=%.3fms "
           "max=%.3fms mean=%.3fms errors=%llu timeouts=%llu",
           o->clients, o->inflight, o->threads, o->rate > 0 ? " mode=rate" : "",
           (unsigned long long)t->ok, t->seconds, t->rate, t->p50, t->p99,
           t->p999, t->max, t->mean, (unsigned long long)t->failed,
           (unsigned long long)t->timeouts);
    if (o->rate > 0)
        printf(" target/s=%.0f behind=%llu", o->rate,
               (unsigned long long)t->behind);
    printf("\n");
    if (t->error)
        printf("shangju: first error: %s\n", t->error);
}

int main(int argc, char **argv)
{
    opts_t o = {0};
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    defaults(&o);
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    harness_broker_t b;
    bclient_t *cl = calloc((size_t)o.clients, sizeof *cl);
    worker_t *workers = calloc((size_t)o.threads, sizeof *workers);
    pthread_t *threads = calloc((size_t)o.threads, sizeof *threads);
    window_t win = {0};
    totals_t t = {0};
    int started = 0;
    rc = 1;
    memset(&b, 0, sizeof b);
    if (!cl || !workers || !threads)
        goto done;
    if (setup_broker(&o, &b) != 0 || setup_clients(&o, &b, cl, workers) != 0)
        goto done;
    printf("shangju-bench: broker=%s clients=%d inflight=%d threads=%d "
           "%s=%g warmup=%.1fs\n",
           b.pid ? b.broker_path : b.requests, o.clients, o.inflight, o.threads,
           o.requests > 0 ? "requests" : "seconds",
           o.requests > 0 ? (double)o.requests : o.seconds, o.warmup);
    fflush(stdout);

    win.start = now_ns() + 50 * NS_PER_MS;
    win.from = win.start + (int64_t)(o.warmup * 1e9);
    win.end =
        o.requests > 0 ? INT64_MAX : win.from + (int64_t)(o.seconds * 1e9);
    win.drain = o.requests > 0 ? INT64_MAX : win.end + DRAIN_NS;
    if (o.requests > 0)
        win.from = win.start;
    if (o.rate > 0) {
        win.interval = (int64_t)(1e9 * o.clients / o.rate);
        for (int i = 0; i < o.clients; i++) /* spread the clients' phases */
            cl[i].next = win.start + win.interval * i / o.clients;
    }
    for (int i = 0; i < o.threads; i++)
        workers[i].win = &win;
    for (; started < o.threads; started++)
        if (pthread_create(&threads[started], NULL, worker_run,
                           &workers[started]) != 0)
            break;
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    if (started < o.threads || sum_up(&o, &win, workers, &t) != 0)
        goto done;
    print_run(&o, &t);
    rc = t.ok > 0 && !t.failed && !t.timeouts && !interrupted ? 0 : 1;
done:
    for (int i = 0; cl && i < o.clients; i++)
        sj_client_destroy(&cl[i].c);
    if (b.pid > 0) {
        harness_broker_stop(&b, SIGTERM);
        print_batches(&b);
    }
    if (b.root[0])
        harness_broker_cleanup(&b, o.keep || rc != 0);
    fflush(stdout);
    if (rc == 0 && !o.no_redis && o.rate <= 0)
        run_redis(&o, &t);
    for (int i = 0; workers && i < o.threads; i++)
        free(workers[i].lat);
    free(cl);
    free(workers);
    free(threads);
    return rc;
}
