/* The demo community `make run` seeds into a new store: a few residents,
 * merchants and wishes, all named "[DEMO] ...", with their key files in
 * DATA/demo/ so a newcomer can act as any of them. */
#ifndef SJ_DEMO_H
#define SJ_DEMO_H

#include "config.h"
#include "store.h"

/* Seed the demo through the normal request handlers (so the same rules and
 * events apply). Returns 0 or an SJ_E* code; on failure nothing is kept. */
int sj_demo_seed(sj_store_t *store, const sj_config_t *cfg);

#endif
