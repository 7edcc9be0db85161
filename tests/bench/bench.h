/* shangju-bench's shared parts: the options of every mode, our own broker
 * process, the load engine of bench_load.c (residents posting, merchants
 * claiming, latencies per kind of request) and the entry points of the
 * --replay and --scale modes. */
#ifndef SJ_BENCH_H
#define SJ_BENCH_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "harness.h"

typedef struct {
    int clients, inflight, threads, timeout_ms;
    int merchants; /* --merchants (--scale): claiming clients */
    double seconds, warmup, rate;
    long requests, redis_requests;
    long replay;           /* --replay N: events to replay; 0: other mode */
    long scale;            /* --scale N: wishes of the big store; 0: other */
    long scale_small;      /* --scale-small N: wishes of the small store */
    long recent;           /* --newest K: claims on the newest K wishes */
    unsigned per_txn;      /* --preload-txn: requests per preload commit */
    unsigned long map_mib; /* --map-size for our broker; 0: default */
    const char *broker, *data, *redis_server, *log_level;
    const char *ext_requests, *ext_server_key, *ext_committee_key;
    bool no_redis, quick, keep;
    bool mixed; /* --mixed: postings with and without heavy reads */
} bench_opts_t;

/* Set by SIGINT / SIGTERM: every loop winds down. */
extern volatile sig_atomic_t bench_interrupted;

/* Nanoseconds of CLOCK_MONOTONIC. */
int64_t bench_now_ns(void);

/* ---------------------------------------------------------------- broker */

/* Prepare b for a broker of our own (o->broker, else the one built beside
 * this program) on a fresh temp dir, or on data when it is not NULL; o's
 * log level and map size. Not started. Returns 0 or -1 (message printed). */
int bench_broker_init(const bench_opts_t *o, const char *data,
                      harness_broker_t *b);

/* Start b and wait until it answers. Returns 0 or -1. */
int bench_broker_start(harness_broker_t *b);

/* The seq of the broker's newest event, asked by Ping as the committee.
 * Returns 0 or -1 (message printed). */
int bench_last_seq(const harness_broker_t *b, uint64_t *seq);

/* What the broker did so far: its group-commit counters (AdminStats) and
 * its storage I/O (/proc/PID/io). */
typedef struct {
    uint64_t batches, requests;
    double commit_ms; /* time spent applying and committing batches */
    uint64_t wishes;  /* in the store */
    uint64_t map_used;
    uint64_t read_bytes;  /* fetched from storage */
    uint64_t write_bytes; /* dirtied in the page cache (whole folios) */
} bench_broker_snap_t;

/* Take a snapshot of our running broker b. Returns 0 or -1 (message
 * printed). */
int bench_broker_snapshot(const harness_broker_t *b, bench_broker_snap_t *s);

/* The size of data_dir/data.mdb in MiB, or -1 when it cannot be read. */
double bench_store_mib(const char *data_dir);

/* ----------------------------------------------------------- load engine */

typedef enum {
    BENCH_POST,    /* a resident posts a wish */
    BENCH_CLAIM,   /* a merchant claims an open wish */
    BENCH_RELEASE, /* and releases it again, so the pool never runs dry */
    BENCH_KINDS
} bench_kind_t;

/* The replies of one kind of request. */
typedef struct {
    uint64_t ok;       /* OK replies (inside the window unless --requests) */
    uint64_t failed;   /* non-OK replies */
    uint64_t timeouts; /* no reply after every retry */
    uint64_t sent;
    double rate;                      /* ok per second */
    double p50, p99, p999, max, mean; /* latency, ms, of the ok ones */
    char error[200];                  /* the first failure; "" when none */
} bench_stat_t;

typedef struct {
    bench_stat_t kind[BENCH_KINDS];
    uint64_t behind; /* --rate: postings skipped, a client had too many
                        in flight */
    double seconds;  /* the measured window (or the --requests run) */
} bench_totals_t;

typedef struct bench_load bench_load_t;

/* Register o->clients residents who post wishes and `merchants` merchants
 * through b's committee, connect them, and spread them over o->threads
 * worker threads. Merchants need a pool (bench_load_set_pool) and a timed
 * run (no o->requests). Returns 0 and *out, or -1 (message printed). */
int bench_load_new(const bench_opts_t *o, const harness_broker_t *b,
                   int merchants, bench_load_t **out);

/* Where the merchants claim from in the next runs: each claims an OPEN
 * wish picked at random among the ids first..last of a preloaded store
 * (bench_preload.h's layout), waits, releases it and picks again; no two
 * merchants pick the same wish. Returns 0, or -1 when the range holds
 * fewer open wishes than there are merchants. */
int bench_load_set_pool(bench_load_t *l, uint64_t first, uint64_t last);

/* One run: exactly o->requests postings when it is > 0, else o->seconds
 * measured after o->warmup (closed loop with o->inflight per resident, or
 * o->rate postings/s in total). Fills t; returns 0, or -1 if the workers
 * could not start. */
int bench_load_run(bench_load_t *l, bench_totals_t *t);

/* Disconnect the clients and free everything; *self becomes NULL. */
void bench_load_destroy(bench_load_t **self);

/* ------------------------------------------------------------------ modes */

/* --replay: fill a broker's event log, time a fresh client's catch-up. */
int bench_replay_main(bench_opts_t *o);

/* --scale: posting and claiming on a small and on a big preloaded store. */
int bench_scale_main(bench_opts_t *o);

/* --mixed (bench_mixed.c): postings at o->rate/s, measured without and
 * with a background of placards, QR codes and reports. Returns the exit
 * status. */
int bench_mixed_main(bench_opts_t *o);

#endif
