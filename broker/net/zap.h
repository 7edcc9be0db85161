/* The ZAP handler (RFC 27) that admits CURVE clients: only public keys
 * registered in the store, belonging to an active member, may connect.
 * A key may open connections at its role's --rate (zap.c).
 * It runs in the broker's own loop: the loop polls sj_zap_socket and calls
 * sj_zap_handle when it is readable. */
#ifndef SJ_ZAP_H
#define SJ_ZAP_H

#include "config.h"
#include "store.h"

typedef struct sj_zap sj_zap_t;

/* Bind the handler on inproc://zeromq.zap.01 in ctx. Must run before any
 * CURVE server socket binds; cfg's rates bound handshakes (cfg must
 * outlive the handler). Returns 0, SJ_ENOMEM or SJ_EIO (errno from
 * zmq). */
int sj_zap_new(void *ctx, sj_store_t *store, const sj_config_t *cfg,
               sj_zap_t **out);
void sj_zap_destroy(sj_zap_t **self);

/* The REP socket to poll for ZMQ_POLLIN. */
void *sj_zap_socket(sj_zap_t *z);

/* Answer every ZAP request waiting. Opens read transactions, so no write
 * transaction of this thread may be open. */
void sj_zap_handle(sj_zap_t *z);

/* Connections refused since the handler started (unknown, suspended or
 * non-CURVE keys). */
uint64_t sj_zap_refused(const sj_zap_t *z);

/* Handshakes of active members refused since start because their key
 * opened connections faster than its role's rate. */
uint64_t sj_zap_throttled(const sj_zap_t *z);

#endif
