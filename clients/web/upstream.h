/* The web front's access to the broker, over the client library: one
 * connection with the web key, calls with a short timeout, and the event
 * feed as a doorbell for the page cache. When a call times out the broker
 * counts as down for a moment (calls fail at once, pages answer 503), then
 * the next call tries again: the process never exits over a lost broker
 * and recovers by itself (ZeroMQ reconnects under it). Single-threaded:
 * used from the server's one loop. */
#ifndef SJ_WEB_UPSTREAM_H
#define SJ_WEB_UPSTREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "client.h"

typedef struct web_upstream web_upstream_t;

/* Connect (asynchronously) and subscribe to the feed. opts as for
 * sj_client_new (timeout_ms is per call; 0 means 800). Returns NULL with
 * *err set as sj_client_new does. */
web_upstream_t *web_upstream_new(const sj_client_opts_t *opts, int *err);
void web_upstream_destroy(web_upstream_t **self);

/* Send req and wait for the reply. Returns 0 with *reply set (any status;
 * free with shangju__reply__free_unpacked), or SJ_ETIMEOUT when the broker
 * is down or did not answer in time (*reply NULL). */
int web_upstream_call(web_upstream_t *u, Shangju__Request *req,
                      Shangju__Reply **reply);

/* A number that changes whenever the broker reports a change (an event,
 * a gap in the feed, a reconnect): cached pages of an older generation
 * are stale. */
uint64_t web_upstream_generation(const web_upstream_t *u);

/* For the server loop: the fd to watch, the longest wait before
 * web_upstream_process() must run (-1: none), and the step itself. */
int web_upstream_fd(const web_upstream_t *u);
int web_upstream_timeout_ms(web_upstream_t *u);
void web_upstream_process(web_upstream_t *u);

#endif
