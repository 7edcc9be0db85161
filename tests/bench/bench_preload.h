/* The --scale preloader of shangju-bench: fill a broker's data directory
 * in-process, while no broker runs on it, with members and many wishes
 * (some of them claimed) through the same sj_dispatch handlers the broker
 * runs, but thousands of requests per write transaction instead of one
 * synced commit per group of requests. */
#ifndef SJ_BENCH_PRELOAD_H
#define SJ_BENCH_PRELOAD_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* The layout a preload leaves, which the benchmark's merchants rely on:
 * the wishes have ids 1..wishes; those whose id is a multiple of
 * PRELOAD_CLAIM_EVERY are CLAIMED, every other one is OPEN. */
#define PRELOAD_CLAIM_EVERY 4

/* Requests per write transaction unless told otherwise. */
#define PRELOAD_PER_TXN 10000

/* Zero-initialise; a field left 0 takes the default named beside it. */
typedef struct {
    uint64_t wishes;       /* to post */
    size_t map_size;       /* LMDB map size in bytes; the store's default */
    unsigned per_txn;      /* requests per write txn; PRELOAD_PER_TXN */
    unsigned residents;    /* who own the wishes; 1000 */
    unsigned merchants;    /* who hold the claims; 50 */
    unsigned communities;  /* the residents live in; 10 */
    double progress_every; /* seconds between progress lines on stderr;
                              none */
    /* Give up as soon as *stop is non-zero (NULL: never). */
    volatile sig_atomic_t *stop;
} preload_opts_t;

typedef struct {
    uint64_t members;        /* added (residents and merchants) */
    uint64_t wishes, claims; /* posted, claimed */
    uint64_t last_seq;       /* the event log's newest seq afterwards */
    double seconds;          /* wall time of the whole preload */
} preload_result_t;

/* Initialise (exactly as `shangju-broker init` does: store, server key,
 * committee key) the new data directory dir, which must not be served by
 * a running broker, and fill it as o says. Returns 0 and fills r, or -1 with a
 * message on stderr; a failed preload leaves the directory in an unspecified
 * state. */
int preload_run(const char *dir, const preload_opts_t *o, preload_result_t *r);

/* A map size that comfortably holds a preload of `wishes` plus a benchmark
 * run on top, in MiB. */
unsigned long preload_map_mib(uint64_t wishes);

#endif
