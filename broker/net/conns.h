/* The request ROUTER's connections by file descriptor (issue 13): which
 * member each one speaks for, so that one member holds at most
 * --max-connections that have sent a request, and a connection that sends
 * none within --silent-timeout is closed. ZAP sees handshakes but never a
 * disconnect; the ROUTER's monitor (ACCEPTED, DISCONNECTED) and each
 * frame's ZMQ_SRCFD give the loop what it needs. */
#ifndef SJ_CONNS_H
#define SJ_CONNS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct sj_conns sj_conns_t;

/* max: speaking connections per member (0: no cap); silent_ms: how long an
 * accepted connection may stay without a request (0: for ever). Returns
 * 0 or SJ_ENOMEM. */
int sj_conns_new(unsigned max, int64_t silent_ms, sj_conns_t **out);

/* Free *self and set it to NULL; safe on NULL. */
void sj_conns_destroy(sj_conns_t **self);

/* The monitor saw fd accepted (a new connection) or disconnected: either
 * way whatever was known about that fd number is forgotten. */
void sj_conns_accepted(sj_conns_t *c, int fd, int64_t now);
void sj_conns_gone(sj_conns_t *c, int fd);

/* A request arrived on fd from key. Returns true when it may be served;
 * false when its member already holds the maximum of speaking
 * connections (or this connection was refused before): answer it with
 * rate.connections, and sj_conns_sweep closes the connection shortly
 * after (once the refusal had a moment to be sent). fd < 0 (unknown)
 * always passes. */
bool sj_conns_request(sj_conns_t *c, int fd, const uint8_t key[32],
                      int64_t now);

/* Close (shutdown) the connections due: silent past the timeout, or
 * refused a moment ago. listen_port: the ROUTER's TCP port; an fd whose
 * local port differs is not the ROUTER's any more and is left alone. Cheap
 * when nothing is due. Adds to *silent and *refused the number of each
 * closed. */
void sj_conns_sweep(sj_conns_t *c, int64_t now, int listen_port,
                    uint64_t *silent, uint64_t *refused);

/* When sj_conns_sweep has something to do next (INT64_MAX: nothing). */
int64_t sj_conns_next_due(const sj_conns_t *c);

#endif
