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

/* A number that grows with every change the broker reports (an event, a
 * gap in the feed, a reconnect): read it before building a page and keep
 * it with the page. */
uint64_t web_upstream_generation(const web_upstream_t *u);

/* What a page shows, for invalidation: a merchant, a wish or a compact
 * (with its id), a list (the board, /wishes, /merchants), or anything
 * else (every event makes it stale). */
typedef enum {
    WEB_PAGE_OTHER = 0,
    WEB_PAGE_MERCHANT,
    WEB_PAGE_WISH,
    WEB_PAGE_COMPACT,
    WEB_PAGE_LIST,
} web_page_kind_t;

/* The oldest generation a cached page of kind / id may have been built in
 * and still be fresh. An event changes only what it can change: a wish's
 * event its page and the lists (and, unless it is a new wish, the merchant
 * pages, whose record it may change); a compact's event its page and the
 * lists (and at its close the merchant pages' recognitions); any other
 * event, a gap in the feed or a reconnect every page. Ids share slots of
 * a fixed table: a collision makes a page stale early, never late. */
uint64_t web_upstream_fresh_since(const web_upstream_t *u, web_page_kind_t kind,
                                  uint64_t id);

/* For the server loop: the fd to watch, the longest wait before
 * web_upstream_process() must run (-1: none), and the step itself. */
int web_upstream_fd(const web_upstream_t *u);
int web_upstream_timeout_ms(web_upstream_t *u);
void web_upstream_process(web_upstream_t *u);

#endif
