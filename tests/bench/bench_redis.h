/* The Redis side of shangju-bench: a throwaway redis-server (appendonly yes,
 * appendfsync always) on a temp dir and loopback port, measured with
 * redis-benchmark running XADD at a given concurrency. */
#ifndef SJ_BENCH_REDIS_H
#define SJ_BENCH_REDIS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    long requests;  /* XADDs issued */
    double seconds; /* wall time of the redis-benchmark run */
    double rps;     /* requests per second as redis-benchmark reports */
    double avg_ms, p50_ms, p99_ms, max_ms;
} bench_redis_result_t;

/* Find prog (a bare name looked up in PATH, or a path) and write the path
 * of the executable into buf. Returns true when found. */
bool bench_find_program(const char *prog, char *buf, size_t cap);

/* Start server_path on a fresh temp dir and free port, wait for it to
 * answer PING, run benchmark_path -c clients -P pipeline -n requests --csv
 * XADD bench * f v, stop the server and delete the dir. Returns 0 and fills
 * out, or -1 with a message on stderr. */
int bench_redis_run(const char *server_path, const char *benchmark_path,
                    int clients, int pipeline, long requests,
                    bench_redis_result_t *out);

#endif
