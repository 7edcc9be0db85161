/* Why a broker does not answer (issue 15): one fresh connection watched
 * with ZeroMQ's socket monitor tells apart "nothing listening", "the
 * broker refused this key" and "the handshake failed" (a wrong server
 * key), so a person is told which instead of "timeout". */
#ifndef SJ_CLIENT_PROBE_H
#define SJ_CLIENT_PROBE_H

#include "client.h"

typedef enum {
    SJ_PROBE_OK,            /* connected and authenticated */
    SJ_PROBE_NOT_LISTENING, /* no connection could be made */
    SJ_PROBE_KEY_REFUSED,   /* the broker's key check said no (ZAP 400) */
    SJ_PROBE_HANDSHAKE,     /* connected, but the CURVE handshake failed:
                               most likely a wrong server key */
    SJ_PROBE_ERROR,         /* could not even try (bad options, memory) */
} sj_probe_t;

/* Connect to o->requests with o's keys (keypair and server_key bytes;
 * key files are not read here) and watch up to wait_ms for the outcome.
 * Sends nothing. */
sj_probe_t sj_client_probe(const sj_client_opts_t *o, int wait_ms);

#endif
