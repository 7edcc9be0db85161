/* The ZeroMQ server: the request ROUTER, the event PUB and the ZAP handler
 * in one event loop. It only moves bytes and batches; the rules live in
 * dispatch and the group commit in batch. */
#ifndef SJ_SERVER_H
#define SJ_SERVER_H

#include <signal.h>

#include "call.h"
#include "config.h"
#include "keyfile.h"
#include "store.h"

typedef struct sj_server sj_server_t;

/* Bind the sockets (CURVE server with key) for cfg's endpoints. signer
 * (NULL: none) signs compact notices; cfg, store and signer must outlive
 * the server. Returns 0, or SJ_EIO with a log line saying which endpoint
 * failed. */
int sj_server_new(const sj_config_t *cfg, sj_store_t *store,
                  const sj_keypair_t *key, const sj_signer_t *signer,
                  sj_server_t **out);

/* Serve until *stop becomes non-zero; the batch in progress is finished,
 * committed and answered first. Returns 0 or an SJ_E* code. */
int sj_server_run(sj_server_t *s, volatile sig_atomic_t *stop);

void sj_server_destroy(sj_server_t **self);

#endif
