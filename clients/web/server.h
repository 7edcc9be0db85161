/* The HTTP side of the web front (libmicrohttpd): one thread, one loop
 * over the daemon's epoll descriptor and the broker connection's, so
 * pages, the broker's replies and its events never need locks. Explicit
 * connection timeout and per-address and total connection limits (the
 * library has no timeout by default), bounded request memory, GET and
 * HEAD only, security headers, ETag / 304, a short Cache-Control, and a
 * logfmt access line per request on stderr, stamped in the community's
 * zone (sj_zone). */
#ifndef SJ_WEB_SERVER_H
#define SJ_WEB_SERVER_H

#include <signal.h>

#include "upstream.h"

typedef struct {
    const char *listen;       /* "ADDR:PORT" or "[V6]:PORT" */
    unsigned timeout_s;       /* idle connection timeout */
    unsigned per_ip;          /* connections per address, 0 = no limit */
    unsigned max_connections; /* total */
    unsigned cache_slots;
} web_server_opts_t;

/* One logfmt line on stderr: "ts=<now in the community's zone, with its
 * offset> level=LEVEL " then fmt's text and a newline. */
void web_log(const char *level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Serve until *stop becomes nonzero (a signal handler sets it). Returns 0
 * after a clean stop, or SJ_EINVAL (bad --listen) / SJ_EIO (cannot
 * listen: the reason is logged). */
int web_server_run(const web_server_opts_t *o, web_upstream_t *up,
                   volatile sig_atomic_t *stop);

#endif
