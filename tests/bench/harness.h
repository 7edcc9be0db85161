/* Test harness for programs that drive a real shangju-broker process: temp
 * directories, free loopback ports, starting / killing / restarting the
 * broker on one data directory, and registering residents through it.
 * Shared by the crash test and shangju-bench; Linux only (PR_SET_PDEATHSIG). */
#ifndef SJ_HARNESS_H
#define SJ_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "client.h"

#define HARNESS_PATH 512

/* One broker process on a data directory. Fill with harness_broker_init(),
 * then start / kill / restart it as often as needed. */
typedef struct {
    char broker_path[HARNESS_PATH]; /* the shangju-broker executable */
    char root[HARNESS_PATH];        /* temp dir holding data/ and the log */
    char data[HARNESS_PATH];        /* --data */
    char log[HARNESS_PATH];         /* broker stderr, appended across starts */
    char requests[64], events[64];  /* tcp://127.0.0.1:port */
    char server_pub[HARNESS_PATH];  /* data/server.pub */
    char committee_key[HARNESS_PATH];
    const char *log_level; /* --log-level; NULL: broker default */
    unsigned long map_mib; /* --map-size in MiB; 0: broker default */
    pid_t pid;             /* 0 when not running */
    unsigned starts;
} harness_broker_t;

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t harness_now_ms(void);

/* Sleep for ms milliseconds (EINTR resumed). */
void harness_sleep_ms(int64_t ms);

/* Create a fresh directory $TMPDIR/<prefix>XXXXXX (or /tmp) into buf.
 * Returns 0 or -1 (errno set). */
int harness_tmpdir(char *buf, size_t cap, const char *prefix);

/* Remove dir and everything below it. Returns 0 or -1. */
int harness_rmtree(const char *dir);

/* Find a port p in [20000, 40000) such that p .. p+count-1 can all be
 * bound on 127.0.0.1 right now. Returns the port or -1. */
int harness_free_ports(int count);

/* Prepare b: a fresh temp root, data dir path, two free ports. The broker
 * is not started. broker_path is copied. Returns 0 or -1 (message on
 * stderr). */
int harness_broker_init(harness_broker_t *b, const char *broker_path,
                        const char *log_level);

/* Start the broker (fork + exec, stderr appended to b->log, killed by the
 * kernel if the calling thread dies), after `shangju-broker init` when the
 * directory holds no store yet. Does not wait for it to serve.
 * Returns 0 or -1. */
int harness_broker_start(harness_broker_t *b);

/* Wait up to timeout_ms until the broker answers a Ping from the committee
 * key (waiting first for the keys to appear). Returns 0,
 * or -1 when the time ran out or the process died (message on stderr). */
int harness_broker_wait_ready(harness_broker_t *b, int timeout_ms);

/* Send sig (SIGKILL, SIGTERM) and reap the process; after SIGTERM wait up
 * to 10 s, then SIGKILL. Returns the wait status, or -1 if not running. */
int harness_broker_stop(harness_broker_t *b, int sig);

/* Stop the broker if running; remove the temp root unless keep is true.
 * Safe to call twice. */
void harness_broker_cleanup(harness_broker_t *b, bool keep);

/* A client of this broker: the committee when kp is NULL, else kp's member.
 * timeout_ms / retries as in sj_client_opts_t. NULL on failure. */
sj_client_t *harness_client(const harness_broker_t *b, const sj_keypair_t *kp,
                            int timeout_ms, int retries);

/* Generate a key pair and register it as a member of role (resident,
 * merchant...) named name through the committee client. Returns 0 and sets
 * *kp (and *id if not NULL), or -1 (message on stderr). */
int harness_add_member(sj_client_t *committee, Shangju__Role role,
                       const char *name, sj_keypair_t *kp, uint64_t *id);

/* harness_add_member() with role resident. */
int harness_add_resident(sj_client_t *committee, const char *name,
                         sj_keypair_t *kp, uint64_t *id);

/* The peak resident set size of the running broker (VmHWM of
 * /proc/PID/status, in KiB; it counts the pages of the store's memory map
 * the process touched), or -1 when not running or unreadable. */
long harness_broker_peak_rss_kb(const harness_broker_t *b);

/* Sum of every " <key>=N" on the lines of the broker's log that contain
 * match (e.g. key "retries" on "event=batch" lines, which the broker logs at
 * debug level); -1 if the log cannot be read. *lines (if not NULL) gets how
 * many lines counted. */
long long harness_log_sum(const harness_broker_t *b, const char *match,
                          const char *key, long long *lines);

#endif
