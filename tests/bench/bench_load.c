/* The load engine and broker set-up of bench.h: clients driven by worker
 * threads over poll(), each keeping its requests in flight, with the
 * latency of every OK reply inside the measured window kept per kind. */
#include "bench.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench_preload.h"

#ifndef SJ_BROKER_PATH
#define SJ_BROKER_PATH ""
#endif

#define RATE_INFLIGHT_CAP 256 /* per client in --rate mode */
#define DRAIN_NS (15 * 1000000000LL)
#define NS_PER_MS 1000000LL

volatile sig_atomic_t bench_interrupted;

int64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

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
    int index; /* among the residents, or among the merchants */
    bool merchant;
    int inflight;
    uint64_t seq;
    int64_t next;  /* --rate: scheduled time of the next posting */
    uint64_t held; /* merchant: the wish it has claimed (0: none) */
    uint64_t rng;  /* merchant: xorshift state */
} bclient_t;

typedef struct {
    bclient_t *bc;
    bench_kind_t kind;
    uint64_t wish; /* claim / release: which */
    int64_t t0;    /* sent (closed loop) or scheduled (--rate) */
} pend_t;

/* One worker's replies of one kind. */
typedef struct {
    uint32_t *lat; /* microseconds, OK replies inside the window */
    size_t n_lat, cap_lat;
    uint64_t ok, ok_window, failed, timeouts, sent;
    char error[200];
} kstat_t;

struct worker {
    const bench_opts_t *o;
    const bench_load_t *load;
    bclient_t *cl;
    int n;
    long quota; /* --requests: postings this worker sends; else -1 */
    long sent;
    kstat_t k[BENCH_KINDS];
    uint64_t behind;
    int64_t last_reply;
};

struct bench_load {
    const bench_opts_t *o;
    int n_clients, n_threads, merchants;
    /* The pool: the open wishes of a preloaded store numbered in id order
     * from 0; merchants pick those numbered open_lo..open_hi-1. */
    uint64_t open_lo, open_hi;
    bclient_t *cl;
    worker_t *workers;
    window_t win;
};

static const char *const kind_names[BENCH_KINDS] = {"post", "claim", "release"};

/* ------------------------------------------------------------- broker */

static int resolve_broker(const bench_opts_t *o, char *buf, size_t cap)
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

int bench_broker_init(const bench_opts_t *o, const char *data,
                      harness_broker_t *b)
{
    char path[HARNESS_PATH];
    if (resolve_broker(o, path, sizeof path) != 0) {
        fprintf(stderr, "shangju-bench: cannot find shangju-broker\n");
        return -1;
    }
    if (harness_broker_init(b, path, o->log_level) != 0)
        return -1;
    b->map_mib = o->map_mib;
    if (!data)
        return 0;
    if (snprintf(b->data, sizeof b->data, "%s", data) >= (int)sizeof b->data ||
        snprintf(b->server_pub, sizeof b->server_pub, "%s/server.pub", data) >=
            (int)sizeof b->server_pub ||
        snprintf(b->committee_key, sizeof b->committee_key, "%s/committee.key",
                 data) >= (int)sizeof b->committee_key) {
        fprintf(stderr, "shangju-bench: data path too long\n");
        return -1;
    }
    return 0;
}

int bench_broker_start(harness_broker_t *b)
{
    if (harness_broker_start(b) != 0 ||
        harness_broker_wait_ready(b, 60000) != 0)
        return -1;
    return 0;
}

int bench_last_seq(const harness_broker_t *b, uint64_t *seq)
{
    sj_client_t *c = harness_client(b, NULL, 5000, 3);
    if (!c)
        return -1;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__Ping body = SHANGJU__PING__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_PING;
    req.ping = &body;
    Shangju__Reply *reply = NULL;
    int rc = sj_client_call(c, &req, &reply);
    if (rc == 0 && (reply->status != SHANGJU__STATUS__STATUS_OK ||
                    reply->body_case != SHANGJU__REPLY__BODY_PONG))
        rc = SJ_EPROTO;
    if (rc == 0)
        *seq = reply->pong->last_seq;
    else
        fprintf(stderr, "shangju-bench: ping: %s\n", sj_strerror(rc));
    if (reply)
        shangju__reply__free_unpacked(reply, NULL);
    sj_client_destroy(&c);
    return rc == 0 ? 0 : -1;
}

/* read_bytes and write_bytes of /proc/PID/io. */
static int proc_io(pid_t pid, bench_broker_snap_t *s)
{
    char path[64], line[128];
    snprintf(path, sizeof path, "/proc/%ld/io", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long long v;
        if (sscanf(line, "read_bytes: %llu", &v) == 1) {
            s->read_bytes = v;
            found++;
        } else if (sscanf(line, "write_bytes: %llu", &v) == 1) {
            s->write_bytes = v;
            found++;
        }
    }
    fclose(f);
    return found == 2 ? 0 : -1;
}

int bench_broker_snapshot(const harness_broker_t *b, bench_broker_snap_t *s)
{
    memset(s, 0, sizeof *s);
    if (b->pid <= 0 || proc_io(b->pid, s) != 0) {
        fprintf(stderr, "shangju-bench: cannot read the broker's I/O "
                        "counters\n");
        return -1;
    }
    sj_client_t *c = harness_client(b, NULL, 5000, 3);
    if (!c)
        return -1;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__AdminStats body = SHANGJU__ADMIN_STATS__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_ADMIN_STATS;
    req.admin_stats = &body;
    Shangju__Reply *reply = NULL;
    int rc = sj_client_call(c, &req, &reply);
    if (rc == 0 && (reply->status != SHANGJU__STATUS__STATUS_OK ||
                    reply->body_case != SHANGJU__REPLY__BODY_STATS))
        rc = SJ_EPROTO;
    if (rc == 0) {
        const Shangju__Stats *st = reply->stats;
        s->batches = st->batches;
        s->requests = st->requests;
        s->commit_ms = st->commit_ms_mean * (double)st->batches;
        s->map_used = st->map_used;
        s->wishes = st->wishes;
    } else {
        fprintf(stderr, "shangju-bench: admin stats: %s\n", sj_strerror(rc));
    }
    if (reply)
        shangju__reply__free_unpacked(reply, NULL);
    sj_client_destroy(&c);
    return rc == 0 ? 0 : -1;
}

double bench_store_mib(const char *data_dir)
{
    char path[HARNESS_PATH + 16];
    struct stat st;
    snprintf(path, sizeof path, "%s/data.mdb", data_dir);
    if (stat(path, &st) != 0)
        return -1;
    return (double)st.st_size / (1024.0 * 1024.0);
}

/* ------------------------------------------------------------ requests */

static void record(worker_t *w, const pend_t *p, const Shangju__Reply *r,
                   int err, int64_t now)
{
    kstat_t *k = &w->k[p->kind];
    if (err) {
        k->timeouts++;
        return;
    }
    if (r->status != SHANGJU__STATUS__STATUS_OK) {
        if (!k->failed++)
            snprintf(k->error, sizeof k->error, "%s: %s: %s",
                     kind_names[p->kind], sj_status_name(r->status),
                     r->message);
        return;
    }
    k->ok++;
    if (now < w->load->win.from || now > w->load->win.end)
        return;
    k->ok_window++;
    if (k->n_lat == k->cap_lat) {
        size_t cap = k->cap_lat ? k->cap_lat * 2 : 4096;
        uint32_t *nl = realloc(k->lat, cap * sizeof *nl);
        if (nl) {
            k->lat = nl;
            k->cap_lat = cap;
        }
    }
    int64_t us = (now - p->t0) / 1000;
    if (k->n_lat < k->cap_lat)
        k->lat[k->n_lat++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

static void on_reply(sj_client_t *c, const Shangju__Reply *r, int err, void *ud)
{
    (void)c;
    pend_t *p = ud;
    bclient_t *bc = p->bc;
    worker_t *w = bc->w;
    int64_t now = bench_now_ns();
    bc->inflight--;
    w->last_reply = now;
    /* A claim that timed out may still have been applied: release it. */
    if (p->kind == BENCH_CLAIM &&
        (err || r->status == SHANGJU__STATUS__STATUS_OK))
        bc->held = p->wish;
    else if (p->kind == BENCH_RELEASE)
        bc->held = 0;
    record(w, p, r, err, now);
    free(p);
}

static int send_req(bclient_t *bc, Shangju__Request *req, bench_kind_t kind,
                    uint64_t wish, int64_t t0)
{
    worker_t *w = bc->w;
    pend_t *p = malloc(sizeof *p);
    if (!p)
        return SJ_ENOMEM;
    *p = (pend_t){.bc = bc, .kind = kind, .wish = wish, .t0 = t0};
    int rc = sj_client_send(bc->c, req, on_reply, p);
    if (rc != 0) {
        free(p);
        if (!w->k[kind].error[0])
            snprintf(w->k[kind].error, sizeof w->k[kind].error, "%s: send: %s",
                     kind_names[kind], sj_strerror(rc));
        w->k[kind].failed++;
        return rc;
    }
    bc->inflight++;
    w->k[kind].sent++;
    return 0;
}

static int post(bclient_t *bc, int64_t t0)
{
    char title[48];
    snprintf(title, sizeof title, "bench-%d-%llu", bc->index,
             (unsigned long long)bc->seq++);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__WishPost body = SHANGJU__WISH_POST__INIT;
    body.title = title;
    body.category = "bench";
    req.body_case = SHANGJU__REQUEST__BODY_WISH_POST;
    req.wish_post = &body;
    int rc = send_req(bc, &req, BENCH_POST, 0, t0);
    if (rc == 0)
        bc->w->sent++;
    return rc;
}

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* Open wishes among ids 1..id (every PRELOAD_CLAIM_EVERY-th is claimed). */
static uint64_t open_upto(uint64_t id)
{
    return id - id / PRELOAD_CLAIM_EVERY;
}

/* A random OPEN wish of the pool that only this merchant picks: merchant j
 * takes the pool's open wishes whose number is j modulo the merchants. */
static uint64_t pick_open(bclient_t *bc)
{
    const bench_load_t *l = bc->w->load;
    uint64_t m = (uint64_t)l->merchants;
    uint64_t slots = (l->open_hi - l->open_lo) / m;
    uint64_t r =
        l->open_lo + (uint64_t)bc->index + m * (xorshift(&bc->rng) % slots);
    uint64_t per = PRELOAD_CLAIM_EVERY - 1; /* open ones per claimed one */
    return r / per * PRELOAD_CLAIM_EVERY + r % per + 1;
}

int bench_load_set_pool(bench_load_t *l, uint64_t first, uint64_t last)
{
    uint64_t lo = first ? open_upto(first - 1) : 0, hi = open_upto(last);
    if (last < first || hi - lo < (uint64_t)l->merchants || !l->merchants) {
        fprintf(stderr,
                "shangju-bench: wishes %llu..%llu hold too few open "
                "ones for %d merchants\n",
                (unsigned long long)first, (unsigned long long)last,
                l->merchants);
        return -1;
    }
    l->open_lo = lo;
    l->open_hi = hi;
    return 0;
}

static int claim_or_release(bclient_t *bc, int64_t now)
{
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    if (bc->held) {
        Shangju__WishRelease rel = SHANGJU__WISH_RELEASE__INIT;
        rel.id = bc->held;
        req.body_case = SHANGJU__REQUEST__BODY_WISH_RELEASE;
        req.wish_release = &rel;
        return send_req(bc, &req, BENCH_RELEASE, bc->held, now);
    }
    Shangju__WishClaim cl = SHANGJU__WISH_CLAIM__INIT;
    cl.id = pick_open(bc);
    req.body_case = SHANGJU__REQUEST__BODY_WISH_CLAIM;
    req.wish_claim = &cl;
    return send_req(bc, &req, BENCH_CLAIM, cl.id, now);
}

/* A merchant: one request at a time; a held claim is released even after
 * the window, so a kept store is left with its layout intact. */
static bool top_up_merchant(bclient_t *bc, int64_t now)
{
    bool open = !bench_interrupted && now < bc->w->load->win.end;
    if (bc->inflight)
        return true;
    if (!bc->held && !open)
        return false;
    return claim_or_release(bc, now) == 0;
}

/* Send what this client may send now. Returns false when it is done. */
static bool top_up(bclient_t *bc, int64_t now)
{
    worker_t *w = bc->w;
    const bench_opts_t *o = w->o;
    const window_t *win = &w->load->win;
    if (bc->merchant)
        return top_up_merchant(bc, now);
    if (bench_interrupted || now >= win->end)
        return false;
    if (o->rate > 0) {
        while (bc->next <= now) {
            if (bc->inflight < RATE_INFLIGHT_CAP) {
                if (post(bc, bc->next) != 0)
                    return false;
            } else {
                w->behind++;
            }
            bc->next += win->interval;
        }
        return true;
    }
    while (bc->inflight < o->inflight && (w->quota < 0 || w->sent < w->quota))
        if (post(bc, now) != 0)
            return false;
    return w->quota < 0 || w->sent < w->quota;
}

/* The earliest deadline of the worker's clients, capped at 100 ms. */
static int next_wait(worker_t *w, bool sending, int64_t now)
{
    int wait = 100;
    for (int i = 0; i < w->n && wait > 0; i++) {
        int ct = sj_client_next_timeout_ms(w->cl[i].c);
        if (ct >= 0 && ct < wait)
            wait = ct;
        if (sending && w->o->rate > 0 && !w->cl[i].merchant) {
            int64_t due = (w->cl[i].next - now + NS_PER_MS - 1) / NS_PER_MS;
            if (due < wait)
                wait = due < 0 ? 0 : (int)due;
        }
    }
    return wait;
}

static void *worker_run(void *arg)
{
    worker_t *w = arg;
    const window_t *win = &w->load->win;
    struct pollfd *fds = calloc((size_t)w->n, sizeof *fds);
    if (!fds) {
        snprintf(w->k[BENCH_POST].error, sizeof w->k[BENCH_POST].error,
                 "out of memory");
        w->k[BENCH_POST].failed++;
        return NULL;
    }
    for (int i = 0; i < w->n; i++) {
        fds[i].fd = sj_client_fd(w->cl[i].c);
        fds[i].events = POLLIN;
    }
    int64_t t = bench_now_ns();
    if (t < win->start)
        harness_sleep_ms((win->start - t) / NS_PER_MS);
    for (;;) {
        int64_t now = bench_now_ns();
        bool sending = false, waiting = false;
        for (int i = 0; i < w->n; i++) {
            sending |= top_up(&w->cl[i], now);
            waiting |= w->cl[i].inflight > 0;
        }
        if (!waiting && !sending)
            break;
        if (now > win->drain || (bench_interrupted && !waiting))
            break;
        int wait = next_wait(w, sending, now);
        if (wait > 0 && poll(fds, (nfds_t)w->n, wait) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < w->n; i++)
            sj_client_process(w->cl[i].c);
    }
    free(fds);
    return NULL;
}

/* ------------------------------------------------------------- set-up */

static int connect_clients(bench_load_t *l, const harness_broker_t *b)
{
    const bench_opts_t *o = l->o;
    sj_client_t *committee = harness_client(b, NULL, 5000, 3);
    if (!committee)
        return -1;
    int rc = 0;
    for (int i = 0; i < l->n_clients && rc == 0; i++) {
        bclient_t *bc = &l->cl[i];
        bc->merchant = i >= o->clients;
        bc->index = bc->merchant ? i - o->clients : i;
        bc->rng = 0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1) |
                  (uint64_t)harness_now_ms() << 1 | 1;
        char name[32];
        sj_keypair_t kp;
        snprintf(name, sizeof name, "bench %s %d",
                 bc->merchant ? "merchant" : "resident", bc->index);
        rc = harness_add_member(committee,
                                bc->merchant ? SHANGJU__ROLE__ROLE_MERCHANT
                                             : SHANGJU__ROLE__ROLE_RESIDENT,
                                name, &kp, NULL);
        if (rc == 0) {
            bc->c = harness_client(b, &kp, o->timeout_ms, 2);
            rc = bc->c ? 0 : -1;
        }
    }
    sj_client_destroy(&committee);
    return rc;
}

int bench_load_new(const bench_opts_t *o, const harness_broker_t *b,
                   int merchants, bench_load_t **out)
{
    *out = NULL;
    if (merchants > 0 && o->requests > 0) {
        fprintf(stderr, "shangju-bench: merchants need a timed run\n");
        return -1;
    }
    bench_load_t *l = calloc(1, sizeof *l);
    if (!l)
        return -1;
    l->o = o;
    l->merchants = merchants > 0 ? merchants : 0;
    l->n_clients = o->clients + l->merchants;
    l->n_threads = o->threads < l->n_clients ? o->threads : l->n_clients;
    l->cl = calloc((size_t)l->n_clients, sizeof *l->cl);
    l->workers = calloc((size_t)l->n_threads, sizeof *l->workers);
    if (!l->cl || !l->workers || connect_clients(l, b) != 0) {
        bench_load_destroy(&l);
        return -1;
    }
    /* Round-robin, so each thread gets residents and merchants alike. */
    for (int t = 0; t < l->n_threads; t++) {
        worker_t *w = &l->workers[t];
        w->o = o;
        w->load = l;
        w->cl =
            calloc((size_t)(l->n_clients / l->n_threads + 1), sizeof *w->cl);
        if (!w->cl) {
            bench_load_destroy(&l);
            return -1;
        }
    }
    /* w->cl holds copies: the clients live in the workers from now on. */
    for (int i = 0; i < l->n_clients; i++) {
        worker_t *w = &l->workers[i % l->n_threads];
        w->cl[w->n] = l->cl[i];
        w->cl[w->n].w = w;
        w->n++;
    }
    free(l->cl);
    l->cl = NULL;
    *out = l;
    return 0;
}

void bench_load_destroy(bench_load_t **self)
{
    bench_load_t *l = *self;
    if (!l)
        return;
    for (int i = 0; l->cl && i < l->n_clients; i++)
        sj_client_destroy(&l->cl[i].c);
    for (int t = 0; l->workers && t < l->n_threads; t++) {
        worker_t *w = &l->workers[t];
        for (int i = 0; w->cl && i < w->n; i++)
            sj_client_destroy(&w->cl[i].c);
        free(w->cl);
        for (int k = 0; k < BENCH_KINDS; k++)
            free(w->k[k].lat);
    }
    free(l->cl);
    free(l->workers);
    free(l);
    *self = NULL;
}

/* ------------------------------------------------------------- the run */

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

static int sum_kind(const bench_load_t *l, bench_kind_t kind, double seconds,
                    bench_stat_t *s)
{
    const bench_opts_t *o = l->o;
    size_t n = 0;
    for (int i = 0; i < l->n_threads; i++)
        n += l->workers[i].k[kind].n_lat;
    uint32_t *all = malloc((n ? n : 1) * sizeof *all);
    if (!all)
        return -1;
    n = 0;
    double sum = 0;
    for (int i = 0; i < l->n_threads; i++) {
        const kstat_t *k = &l->workers[i].k[kind];
        if (k->n_lat)
            memcpy(all + n, k->lat, k->n_lat * sizeof *all);
        n += k->n_lat;
        s->ok += o->requests > 0 ? k->ok : k->ok_window;
        s->failed += k->failed;
        s->timeouts += k->timeouts;
        s->sent += k->sent;
        if (k->error[0] && !s->error[0])
            snprintf(s->error, sizeof s->error, "%s", k->error);
    }
    for (size_t i = 0; i < n; i++)
        sum += all[i];
    qsort(all, n, sizeof *all, cmp_u32);
    s->rate = seconds > 0 ? (double)s->ok / seconds : 0;
    s->p50 = pct_ms(all, n, 0.50);
    s->p99 = pct_ms(all, n, 0.99);
    s->p999 = pct_ms(all, n, 0.999);
    s->max = n ? all[n - 1] / 1000.0 : 0;
    s->mean = n ? sum / (double)n / 1000.0 : 0;
    free(all);
    return 0;
}

static int sum_up(const bench_load_t *l, bench_totals_t *t)
{
    const window_t *win = &l->win;
    int64_t last = win->start;
    memset(t, 0, sizeof *t);
    for (int i = 0; i < l->n_threads; i++) {
        t->behind += l->workers[i].behind;
        if (l->workers[i].last_reply > last)
            last = l->workers[i].last_reply;
    }
    t->seconds = l->o->requests > 0 ? (double)(last - win->start) / 1e9
                                    : (double)(win->end - win->from) / 1e9;
    for (int k = 0; k < BENCH_KINDS; k++)
        if (sum_kind(l, (bench_kind_t)k, t->seconds, &t->kind[k]) != 0)
            return -1;
    return 0;
}

/* Forget the previous run's counts; the clients stay connected. */
static void reset(bench_load_t *l)
{
    const bench_opts_t *o = l->o;
    for (int t = 0; t < l->n_threads; t++) {
        worker_t *w = &l->workers[t];
        for (int k = 0; k < BENCH_KINDS; k++) {
            uint32_t *lat = w->k[k].lat;
            size_t cap = w->k[k].cap_lat;
            memset(&w->k[k], 0, sizeof w->k[k]);
            w->k[k].lat = lat;
            w->k[k].cap_lat = cap;
        }
        w->sent = 0;
        w->behind = 0;
        w->last_reply = 0;
        w->quota = -1;
        if (o->requests > 0)
            w->quota =
                o->requests / l->n_threads + (t < o->requests % l->n_threads);
    }
}

static void set_window(bench_load_t *l)
{
    const bench_opts_t *o = l->o;
    window_t *win = &l->win;
    win->start = bench_now_ns() + 50 * NS_PER_MS;
    win->from = win->start + (int64_t)(o->warmup * 1e9);
    win->end =
        o->requests > 0 ? INT64_MAX : win->from + (int64_t)(o->seconds * 1e9);
    win->drain = o->requests > 0 ? INT64_MAX : win->end + DRAIN_NS;
    if (o->requests > 0)
        win->from = win->start;
    if (o->rate > 0) {
        win->interval = (int64_t)(1e9 * o->clients / o->rate);
        for (int t = 0; t < l->n_threads; t++) {
            worker_t *w = &l->workers[t];
            for (int i = 0; i < w->n; i++) /* spread the clients' phases */
                w->cl[i].next =
                    win->start + win->interval * w->cl[i].index / o->clients;
        }
    }
}

int bench_load_run(bench_load_t *l, bench_totals_t *t)
{
    if (l->merchants && l->open_hi == l->open_lo) {
        fprintf(stderr, "shangju-bench: the merchants have no pool\n");
        return -1;
    }
    pthread_t *threads = calloc((size_t)l->n_threads, sizeof *threads);
    if (!threads)
        return -1;
    reset(l);
    set_window(l);
    int started = 0;
    for (; started < l->n_threads; started++)
        if (pthread_create(&threads[started], NULL, worker_run,
                           &l->workers[started]) != 0)
            break;
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    if (started < l->n_threads) {
        fprintf(stderr, "shangju-bench: cannot start the worker threads\n");
        return -1;
    }
    return sum_up(l, t);
}
