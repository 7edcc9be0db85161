/* shangju-bench: durable wish postings per second and their latency with N
 * clients x M requests in flight against a real broker, and the same
 * concurrency of XADD against Redis 7 (appendfsync always) for the ratio
 * the design's performance target is stated in. --replay and --scale
 * measure the design's other targets (bench_replay.c, bench_scale.c). */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "bench_redis.h"

#define REPLAY_DEFAULT 100000
#define SCALE_DEFAULT 10000000
#define SCALE_SMALL_DEFAULT 1000
#define NEWEST_DEFAULT 1000

static void on_signal(int sig)
{
    (void)sig;
    bench_interrupted = 1;
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
            "Replay mode: time a fresh client catching up on the event log.\n"
            "  --replay [N]         fill the log with N events (default "
            "100000) by\n"
            "                       postings (--clients 16 --inflight 32 "
            "unless given),\n"
            "                       then replay it from seq 1, three times\n\n"
            "Mixed mode: postings while one member asks for heavy reads.\n"
            "  --mixed              postings at --rate (default 1000/s) "
            "measured without,\n"
            "                       then with placards, QR codes and "
            "reports requested\n"
            "                       back to back; prints p50/p99 of both and "
            "the ratio\n\n"
            "Scale mode: posting and claiming on a small and a big store.\n"
            "  --scale [N]          the big store holds N preloaded wishes "
            "(default\n"
            "                       10000000); --clients residents post while\n"
            "  --merchants M        merchants (default 8) claim open wishes "
            "and release\n"
            "                       them again: first among the newest K, "
            "then among all\n"
            "  --newest K           K (default 1000)\n"
            "  --scale-small N      wishes of the small store (default "
            "1000)\n"
            "  --preload-txn R      requests per preload commit (default "
            "10000)\n"
            "  --map-size MIB       the broker's LMDB map size (default: "
            "sized to N)\n"
            "  --data DIR           keep the big store in DIR; a store "
            "preloaded there\n"
            "                       before with the same N is reused\n\n"
            "Exit status: 0 when the run completed with postings and no "
            "errors (and, for\n--replay, every event arrived once and in "
            "order), 1 otherwise, 2 on usage\nerrors.\n");
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

/* An optional argument also as the next word: `--replay 5000`. */
static const char *optional_value(int argc, char **argv)
{
    if (optarg)
        return optarg;
    if (optind < argc && isdigit((unsigned char)argv[optind][0]))
        return argv[optind++];
    return NULL;
}

static int check_args(int argc, char **argv, const bench_opts_t *o)
{
    if (optind < argc) {
        fprintf(stderr, "shangju-bench: unexpected argument '%s'\n",
                argv[optind]);
        return -1;
    }
    int ext = !!o->ext_requests + !!o->ext_server_key + !!o->ext_committee_key;
    if (ext % 3) {
        fprintf(stderr, "shangju-bench: --server-requests, --server-key and "
                        "--committee-key go together\n");
        return -1;
    }
    if (o->rate > 0 && o->requests > 0) {
        fprintf(stderr, "shangju-bench: --rate and --requests exclude each "
                        "other\n");
        return -1;
    }
    if (o->replay && o->scale) {
        fprintf(stderr, "shangju-bench: --replay and --scale exclude each "
                        "other\n");
        return -1;
    }
    if ((o->replay || o->scale) && (ext || o->rate > 0 || o->requests > 0)) {
        fprintf(stderr, "shangju-bench: --replay and --scale start their own "
                        "broker and run closed-loop (no --server-*, --rate, "
                        "--requests)\n");
        return -1;
    }
    return 0;
}

static int parse_args(int argc, char **argv, bench_opts_t *o)
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
        {"replay", optional_argument, 0, 'P'},
        {"scale", optional_argument, 0, 'Z'},
        {"scale-small", required_argument, 0, 'z'},
        {"newest", required_argument, 0, 'K'},
        {"merchants", required_argument, 0, 'M'},
        {"preload-txn", required_argument, 0, 'x'},
        {"map-size", required_argument, 0, 'g'},
        {"mixed", no_argument, 0, 'Y'},
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
        case 'M':
            if (parse_num(a, c == 'M' ? 0 : 1, c == 'T' ? 600000 : 4096, &v))
                goto bad;
            *(c == 'c'   ? &o->clients
              : c == 'm' ? &o->inflight
              : c == 't' ? &o->threads
              : c == 'M' ? &o->merchants
                         : &o->timeout_ms) = (int)v;
            if (c == 'M' && v == 0)
                o->merchants = -1; /* explicitly none */
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
        case 'P':
        case 'Z':
            a = optional_value(argc, argv);
            v = c == 'P' ? REPLAY_DEFAULT : SCALE_DEFAULT;
            if (a && parse_num(a, 1, 1e9, &v))
                goto bad;
            *(c == 'P' ? &o->replay : &o->scale) = (long)v;
            break;
        case 'z':
        case 'K':
            if (parse_num(a, 1, 1e9, &v))
                goto bad;
            *(c == 'z' ? &o->scale_small : &o->recent) = (long)v;
            break;
        case 'x':
            if (parse_num(a, 1, 1e6, &v))
                goto bad;
            o->per_txn = (unsigned)v;
            break;
        case 'g':
            if (parse_num(a, 1, 1 << 30, &v))
                goto bad;
            o->map_mib = (unsigned long)v;
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
        case 'Y':
            o->mixed = true;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            goto usage_error;
        }
    }
    if (check_args(argc, argv, o) != 0)
        goto usage_error;
    return 0;
bad:
    fprintf(stderr, "shangju-bench: bad value '%s'\n",
            optarg ? optarg : argv[optind - 1]);
usage_error:
    fprintf(stderr, "Try 'shangju-bench --help'.\n");
    return 2;
}

/* ------------------------------------------------- the postings mode */

/* Describe the external broker of --server-requests, or start our own. */
static int setup_broker(const bench_opts_t *o, harness_broker_t *b)
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
    if (bench_broker_init(o, o->data, b) != 0)
        return -1;
    return bench_broker_start(b);
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

static void run_redis(const bench_opts_t *o, const bench_stat_t *t)
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

static void defaults(bench_opts_t *o)
{
    if (o->quick) {
        if (!o->clients)
            o->clients = 4;
        if (!o->inflight)
            o->inflight = o->replay ? 16 : 2;
        if (o->seconds <= 0)
            o->seconds = 1;
        if (o->warmup <= 0)
            o->warmup = 0.2;
        if (!o->redis_requests)
            o->redis_requests = 2000;
    }
    if (o->replay) { /* the fill: many postings in flight */
        if (!o->clients)
            o->clients = 16;
        if (!o->inflight)
            o->inflight = 32;
        if (!o->threads)
            o->threads = 2;
    }
    if (o->mixed && o->rate <= 0) /* the "moderate steady load" */
        o->rate = o->quick ? 200 : 1000;
    if (!o->clients)
        o->clients = 32;
    if (!o->inflight)
        o->inflight = 1;
    if (!o->scale || o->merchants < 0)
        o->merchants = 0; /* only --scale has merchants */
    else if (!o->merchants)
        o->merchants = o->quick ? 2 : 8;
    if (!o->scale_small)
        o->scale_small = SCALE_SMALL_DEFAULT;
    if (!o->recent)
        o->recent = NEWEST_DEFAULT;
    int everyone = o->clients + o->merchants;
    if (!o->threads || o->threads > everyone)
        o->threads = everyone;
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

static void print_run(const bench_opts_t *o, const bench_totals_t *tt)
{
    const bench_stat_t *t = &tt->kind[BENCH_POST];
    printf("shangju: clients=%d inflight=%d threads=%d%s postings=%llu "
           "seconds=%.2f postings/s=%.1f p50=%.3fms p99=%.3fms p999=%.3fms "
           "max=%.3fms mean=%.3fms errors=%llu timeouts=%llu",
           o->clients, o->inflight, o->threads, o->rate > 0 ? " mode=rate" : "",
           (unsigned long long)t->ok, tt->seconds, t->rate, t->p50, t->p99,
           t->p999, t->max, t->mean, (unsigned long long)t->failed,
           (unsigned long long)t->timeouts);
    if (o->rate > 0)
        printf(" target/s=%.0f behind=%llu", o->rate,
               (unsigned long long)tt->behind);
    printf("\n");
    if (t->error[0])
        printf("shangju: first error: %s\n", t->error);
}

static int postings_main(bench_opts_t *o)
{
    harness_broker_t b;
    bench_load_t *load = NULL;
    bench_totals_t t;
    int rc = 1;
    memset(&b, 0, sizeof b);
    memset(&t, 0, sizeof t);
    if (setup_broker(o, &b) != 0 || bench_load_new(o, &b, 0, &load) != 0)
        goto done;
    printf("shangju-bench: broker=%s clients=%d inflight=%d threads=%d "
           "%s=%g warmup=%.1fs\n",
           b.pid ? b.broker_path : b.requests, o->clients, o->inflight,
           o->threads, o->requests > 0 ? "requests" : "seconds",
           o->requests > 0 ? (double)o->requests : o->seconds, o->warmup);
    fflush(stdout);
    if (bench_load_run(load, &t) != 0)
        goto done;
    print_run(o, &t);
    const bench_stat_t *p = &t.kind[BENCH_POST];
    rc = p->ok > 0 && !p->failed && !p->timeouts && !bench_interrupted ? 0 : 1;
done:
    bench_load_destroy(&load);
    if (b.pid > 0) {
        harness_broker_stop(&b, SIGTERM);
        print_batches(&b);
    }
    if (b.root[0])
        harness_broker_cleanup(&b, o->keep || rc != 0);
    fflush(stdout);
    if (rc == 0 && !o->no_redis && o->rate <= 0)
        run_redis(o, &t.kind[BENCH_POST]);
    return rc;
}

int main(int argc, char **argv)
{
    bench_opts_t o = {0};
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    defaults(&o);
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (o.mixed)
        return bench_mixed_main(&o);
    if (o.replay)
        return bench_replay_main(&o);
    if (o.scale)
        return bench_scale_main(&o);
    return postings_main(&o);
}
